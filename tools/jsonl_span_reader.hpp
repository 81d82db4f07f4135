// hotspan tool — reader of hotspan's JSON Lines format (one span object per line).
//
// Each line is parsed with simdjson On-Demand into an OwnedSpan, passed on as a
// SpanRecord view (record_views.hpp). Required fields:
// trace_id, span_id, name, start_unix_ns, end_unix_ns; the others default when
// absent (kind internal, status unset, ...) and unknown fields are ignored, so
// files from newer writers still read. A malformed line (bad JSON, wrong type,
// bad id, unknown kind or status, trailing content, empty line, a line over
// 64 MiB) is reported as "line N (offset B): what" and skipped; a trailing '\r'
// is accepted. A last line without its newline that starts a JSON object but
// does not parse is a truncation (the writer was cut off), which ends the
// reading and is told by summary().
#pragma once

#include <istream>
#include <memory>

#include "span_reader.hpp"

namespace hotspan::tool {

// `in` must outlive the reader.
std::unique_ptr<SpanReader> make_jsonl_span_reader(std::istream& in);

}  // namespace hotspan::tool
