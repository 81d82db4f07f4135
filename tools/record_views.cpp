// hotspan tool — SpanRecord views of owned spans (see record_views.hpp).
#include "record_views.hpp"

#include <limits>
#include <string_view>
#include <type_traits>
#include <variant>

namespace hotspan::tool {
namespace {

AttributeValue view_of(const OwnedAttributeValue& value) {
  return std::visit(
      [](const auto& v) -> AttributeValue {
        if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::string>) {
          return std::string_view(v);
        } else {
          return v;
        }
      },
      value);
}

uint32_t clamp32(uint64_t value) {
  return value > std::numeric_limits<uint32_t>::max() ? std::numeric_limits<uint32_t>::max()
                                                      : static_cast<uint32_t>(value);
}

}  // namespace

std::span<const SpanRecord> RecordViews::build(std::span<const OwnedSpan> spans) {
  size_t attributes = 0, events = 0;
  for (const OwnedSpan& span : spans) {
    attributes += span.attributes.size();
    events += span.events.size();
    for (const OwnedEvent& event : span.events)
      attributes += event.attributes.size();
  }
  // Reserved up front, so that the views taken below stay valid while filling.
  _records.clear();
  _attributes.clear();
  _events.clear();
  _records.reserve(spans.size());
  _attributes.reserve(attributes);
  _events.reserve(events);

  auto add_attributes = [this](const std::vector<OwnedAttribute>& owned) {
    const size_t first = _attributes.size();
    for (const OwnedAttribute& attribute : owned)
      _attributes.push_back({attribute.key, view_of(attribute.value)});
    return std::span<const AttributeView>(_attributes.data() + first, owned.size());
  };

  for (const OwnedSpan& span : spans) {
    SpanRecord& record = _records.emplace_back();
    record.trace_id = TraceId::from_hex(span.trace_id).value_or(TraceId{});
    record.span_id = SpanId::from_hex(span.span_id).value_or(SpanId{});
    if (!span.is_root())
      record.parent_span_id = SpanId::from_hex(span.parent_span_id).value_or(SpanId{});
    record.name = span.name;
    record.kind = span.kind;
    record.start_unix_ns = span.start_unix_ns;
    record.end_unix_ns = span.end_unix_ns;
    record.status = span.status;
    record.status_message = span.status_message;
    record.attributes = add_attributes(span.attributes);
    const size_t first_event = _events.size();
    for (const OwnedEvent& event : span.events) {
      _events.push_back({event.name, event.time_unix_ns, add_attributes(event.attributes)});
    }
    record.events = std::span<const EventView>(_events.data() + first_event, span.events.size());
    record.dropped_attributes = clamp32(span.dropped_attributes);
    record.dropped_events = clamp32(span.dropped_events);
    record.thread_id = clamp32(span.thread_id);
  }
  return _records;
}

}  // namespace hotspan::tool
