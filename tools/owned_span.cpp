// hotspan tool — copying a SpanRecord view into an OwnedSpan (see owned_span.hpp).
#include "owned_span.hpp"

#include <type_traits>

namespace hotspan::tool {
namespace {

void assign_attributes(std::vector<OwnedAttribute>& to, std::span<const AttributeView> from) {
  to.resize(from.size());
  for (size_t i = 0; i < from.size(); ++i) {
    to[i].key.assign(from[i].key);
    std::visit(
        [&value = to[i].value](const auto& v) {
          if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::string_view>) {
            value = std::string(v);
          } else {
            value = v;
          }
        },
        from[i].value);
  }
}

}  // namespace

void OwnedSpan::assign(const SpanRecord& record, std::string_view service_name) {
  trace_id = record.trace_id.to_hex();
  span_id = record.span_id.to_hex();
  if (record.parent_span_id.valid()) {
    parent_span_id = record.parent_span_id.to_hex();
  } else {
    parent_span_id.clear();
  }
  name.assign(record.name);
  kind = record.kind;
  start_unix_ns = record.start_unix_ns;
  end_unix_ns = record.end_unix_ns;
  status = record.status;
  status_message.assign(record.status_message);
  service.assign(service_name);
  thread_id = record.thread_id;
  assign_attributes(attributes, record.attributes);
  events.resize(record.events.size());
  for (size_t i = 0; i < record.events.size(); ++i) {
    events[i].name.assign(record.events[i].name);
    events[i].time_unix_ns = record.events[i].time_unix_ns;
    assign_attributes(events[i].attributes, record.events[i].attributes);
  }
  dropped_attributes = record.dropped_attributes;
  dropped_events = record.dropped_events;
}

}  // namespace hotspan::tool
