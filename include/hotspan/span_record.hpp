// hotspan — a finished span as exporters see it: read-only views into the span's
// slot, valid only for the duration of Exporter::export_batch().
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "hotspan/attribute.hpp"
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

}  // namespace hotspan
