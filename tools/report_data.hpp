// hotspan tool — the span data of `hotspan report`: spans of several inputs,
// merged by trace id, as the JSON document the report page renders
// (tools/report/report.js reads it).
//
// Layout (arrays rather than objects, and repeated strings by index, to keep
// 100,000 spans small):
//   title, generator, base_unix_ns (a string: the earliest start; every time
//   below is nanoseconds after it or after its trace's start, which JavaScript
//   numbers hold exactly), inputs [{name, format, spans, problem}], services
//   [name...], span_count, trace_count, embedded_span_count,
//   embedded_trace_count, max_spans,
//   traces [[id, root name, start, duration, spans, errors, [service...],
//            first span, has root]...] in start order,
//   spans [[depth, name, service, start in trace, duration, status (0 unset,
//           1 ok, 2 error), kind, status message, placement (0 child, 1 root,
//           2 orphan, 3 cycle), span id, parent (its position among the
//           trace's spans, or its id when it is not among them, "" for a
//           root), thread id, [[key, value]...], [[event name, time in span,
//           [[key, value]...]]...]]...]
//          each trace's spans contiguous, in tree order (depth first, children
//          in start order, as `hotspan tree` prints them); names, kinds,
//          messages, keys and string values are indexes into
//   strings [text...]; a string value is written [index] to tell it from a
//          number; integers beyond 2^53 are written as decimal strings,
//   operations [[name, count, errors, min, p50, p95, p99, max, total,
//                [bucket counts...], [min, p50, p95, p99, max, total as text,
//                as `hotspan stats` prints them]]...] busiest (largest total)
//                first.
// Latency statistics cover every span. Only whole traces are embedded, at most
// max_spans spans: when they do not all fit, those with errors first, then the
// slowest (a trace larger than the budget is left out). Strings are JSON with
// invalid UTF-8 replaced (the library's JSON writer); making the document safe
// inside a <script> element is the page's job (report_page.hpp).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "owned_span.hpp"
#include "read_spans.hpp"

namespace hotspan::tool {

struct ReportInput {
  std::string name;  // as given, "stdin" for "-"
  ReadResult result;
};

struct ReportLimits {
  uint64_t max_spans = 0;  // spans embedded for the trace list and waterfalls
  size_t histogram_buckets = 24;
};

// `spans` are those of every input, in any order.
std::string report_data_json(const std::string& title, const std::vector<OwnedSpan>& spans,
                             std::span<const ReportInput> inputs, const ReportLimits& limits);

}  // namespace hotspan::tool
