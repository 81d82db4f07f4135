// hotspan — a finished span as exporters see it: read-only views into the span's
// slot, valid only for the duration of Exporter::export_batch().
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "hotspan/attribute.hpp"
#include "hotspan/export.h"
#include "hotspan/ids.hpp"
#include "hotspan/span_kind.hpp"

namespace hotspan {

struct EventView {
  std::string_view name;
  uint64_t time_unix_ns;
  std::span<const AttributeView> attributes;
};

struct SpanRecord {
  TraceId trace_id;
  SpanId span_id;
  SpanId parent_span_id;  // invalid for roots
  std::string_view name;
  SpanKind kind = SpanKind::internal;
  uint64_t start_unix_ns = 0, end_unix_ns = 0;
  StatusCode status = StatusCode::unset;
  std::string_view status_message;
  std::span<const AttributeView> attributes;
  std::span<const EventView> events;
  uint32_t dropped_attributes = 0, dropped_events = 0;
  uint32_t thread_id = 0;  // OS thread id of the thread that started the span
};

// A duration as people read it: three significant digits in the largest unit
// that keeps the value at 1 or more, the unit after a space: "850 ns",
// "12.3 µs" (UTF-8), "1.52 ms", "2.31 s", "4.00 min", "1.50 h". The text of
// stdout_exporter(true) and of the hotspan tool. append_duration() allocates
// nothing beyond the growth of `out`.
HOTSPAN_API void append_duration(std::string& out, uint64_t nanoseconds);
HOTSPAN_API std::string format_duration(uint64_t nanoseconds);

}  // namespace hotspan
