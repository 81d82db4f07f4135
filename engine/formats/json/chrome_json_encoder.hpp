// hotspan — Chrome Trace Event encoding of finished spans (Format::chrome_json),
// for Perfetto UI, chrome://tracing and speedscope.
//
// The file is one JSON object in the Trace Event "JSON Object Format":
//
//   {"displayTimeUnit":"ns","traceEvents":[
//   {"ph":"M","pid":P,"name":"process_name","args":{"name":"<service>"}}
//   ,{"ph":"M","pid":P,"tid":T,"name":"thread_name","args":{"name":"thread T"}}
//   ,{"ph":"X","ts":..,"dur":..,"pid":P,"tid":T,"name":..,"cat":"<kind>","args":{..}}
//   ,{"ph":"i","ts":..,"s":"t","pid":P,"tid":T,"name":..,"cat":"event","args":{..}}
//   ]}
//
// begin() writes the opening and the process metadata, each batch appends its
// events (every one after the first preceded by a comma, so batches join into
// one document), a thread's thread_name metadata comes before its first span,
// and finish() writes the closing "]}". One event per line keeps the file
// greppable; ph and ts lead each event because some readers scan for them.
//
// Spans are complete ("X") events: ts is the start in microseconds since the
// Unix epoch and dur the duration in microseconds, both decimals with exactly
// three fractional digits, so no nanosecond is lost in the text (a reader that
// parses numbers as doubles keeps about 0.25 µs at today's epoch values).
// "displayTimeUnit":"ns" only asks viewers to show nanoseconds; ts and dur stay
// microseconds, as the format specifies. cat is the span kind's name; args
// hold trace_id, span_id, parent_span_id (omitted for roots), status,
// status_message and then every attribute. Events are thread-scoped instant
// ("i", "s":"t") events on the span's thread, right after their span, with
// args trace_id, span_id and the event's attributes. An attribute whose key is
// one of those reserved arg names is written as "attribute.<key>", so that no
// key appears twice.
//
// Trade-offs: the document is only complete once finish() has run. A file cut
// off before that (crash, kill -9) lacks just its closing "]}" and is repaired
// by appending it. A write torn in the middle of a batch (full disk) leaves a
// partial event in the array: such a file is not repairable, and later batches
// (after the sink's resync newline) do not make it valid again; use the binary
// format where a crash-tolerant file matters. A block that reached the sink
// not at all is rolled back (its thread_name events are written again with the
// next block), so a failed write alone does not break the document.
#pragma once

#include <memory>

#include "formats/record_encoder.hpp"

namespace hotspan::detail {

std::unique_ptr<RecordEncoder> make_chrome_json_encoder();

}  // namespace hotspan::detail
