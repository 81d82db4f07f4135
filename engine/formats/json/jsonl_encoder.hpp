// hotspan — JSON Lines encoding of finished spans: one JSON object per span, one
// span per line.
//
// Strict RFC 8259 whatever the recorded bytes (see json_writer.hpp), so any JSON
// parser reads every line. Field names and order:
//   trace_id, span_id, parent_span_id (omitted for roots), name, kind,
//   start_unix_ns, end_unix_ns, duration_ns, status, status_message, service,
//   thread_id, attributes, events, dropped_attributes, dropped_events
// Ids are lowercase hex, times integer nanoseconds since the Unix epoch, kind and
// status their lowercase names. duration_ns is 0 when the clock went backwards.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "formats/record_encoder.hpp"
#include "hotspan/exporter.hpp"
#include "hotspan/span_record.hpp"

namespace hotspan::detail {

// end - start, or 0 when the clock went backwards: the duration every encoder reports.
constexpr uint64_t duration_ns(const SpanRecord& record) noexcept {
  return record.end_unix_ns >= record.start_unix_ns ? record.end_unix_ns - record.start_unix_ns : 0;
}

// Appends one line, '\n' included. Allocates nothing beyond the growth of `out`.
void encode_jsonl(const SpanRecord& record, const Resource& resource, std::string& out);

// Format::jsonl's encoder: encode_jsonl for each record, with the resource of begin().
std::unique_ptr<RecordEncoder> make_jsonl_encoder();

}  // namespace hotspan::detail
