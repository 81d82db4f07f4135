// hotspan tool — a span read back from a file, owning all of its data.
//
// Readers yield hotspan::SpanRecord views, valid until their next record; a
// command that keeps spans (tree, the batches of cat and convert) copies them
// into these, which can be kept, sorted and grouped freely. RecordViews (see
// record_views.hpp) turns them back into SpanRecords for the exporters.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "hotspan/span_kind.hpp"
#include "hotspan/span_record.hpp"

namespace hotspan::tool {

using OwnedAttributeValue = std::variant<bool, int64_t, double, std::string>;

struct OwnedAttribute {
  std::string key;
  OwnedAttributeValue value;
};

struct OwnedEvent {
  std::string name;
  uint64_t time_unix_ns = 0;
  std::vector<OwnedAttribute> attributes;
};

struct OwnedSpan {
  std::string trace_id;        // 32 lowercase hex characters
  std::string span_id;         // 16 lowercase hex characters
  std::string parent_span_id;  // empty for a root span
  std::string name;
  SpanKind kind = SpanKind::internal;
  uint64_t start_unix_ns = 0;
  uint64_t end_unix_ns = 0;
  StatusCode status = StatusCode::unset;
  std::string status_message;
  std::string service;
  uint64_t thread_id = 0;
  std::vector<OwnedAttribute> attributes;
  std::vector<OwnedEvent> events;
  uint64_t dropped_attributes = 0;
  uint64_t dropped_events = 0;

  // Copies `record` (ids as lowercase hex), reusing this span's storage.
  void assign(const SpanRecord& record, std::string_view service_name);

  bool is_root() const noexcept { return parent_span_id.empty(); }
  // 0 when the clock went backwards, as the encoders write it.
  uint64_t duration_ns() const noexcept {
    return end_unix_ns >= start_unix_ns ? end_unix_ns - start_unix_ns : 0;
  }
};

}  // namespace hotspan::tool
