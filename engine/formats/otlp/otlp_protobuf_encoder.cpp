// hotspan — OTLP/protobuf encoding (see otlp_protobuf_encoder.hpp).
//
// Spans, attributes and events are nested messages written in place
// (ProtobufWriter::open/close); the resource and scope are encoded once per
// resource and copied into each request. Valid UTF-8, the common case, is
// checked and copied; only ill-formed strings go through a scratch buffer.
#include "formats/otlp/otlp_protobuf_encoder.hpp"

#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "formats/distinct_attributes.hpp"
#include "formats/otlp/otlp_mapping.hpp"
#include "formats/otlp/protobuf_writer.hpp"
#include "formats/utf8.hpp"
#include "hotspan/version.hpp"

namespace hotspan::detail {
namespace {

// Field numbers, from the official .proto files.
namespace request {  // collector/trace/v1 ExportTraceServiceRequest
constexpr uint32_t kResourceSpans = 1;
}
namespace resource_spans {  // trace/v1 ResourceSpans
constexpr uint32_t kResource = 1, kScopeSpans = 2;
}
namespace resource {  // resource/v1 Resource
constexpr uint32_t kAttributes = 1;
}
namespace scope_spans {  // trace/v1 ScopeSpans
constexpr uint32_t kScope = 1, kSpans = 2;
}
namespace scope {  // common/v1 InstrumentationScope
constexpr uint32_t kName = 1, kVersion = 2;
}
namespace span {  // trace/v1 Span
constexpr uint32_t kTraceId = 1, kSpanId = 2, kParentSpanId = 4, kName = 5, kKind = 6,
                   kStartTime = 7, kEndTime = 8, kAttributes = 9, kDroppedAttributes = 10,
                   kEvents = 11, kDroppedEvents = 12, kStatus = 15;
}
namespace event {  // trace/v1 Span.Event
constexpr uint32_t kTime = 1, kName = 2, kAttributes = 3;
}
namespace status {  // trace/v1 Status
constexpr uint32_t kMessage = 2, kCode = 3;
}
namespace key_value {  // common/v1 KeyValue
constexpr uint32_t kKey = 1, kValue = 2;
}
namespace any_value {  // common/v1 AnyValue (a oneof: always written, even false or 0)
constexpr uint32_t kString = 1, kBool = 2, kInt = 3, kDouble = 4;
}

class SpanWriter {
 public:
  SpanWriter(std::string& out, std::string& scratch) noexcept : _w(out), _scratch(scratch) {}

  void string_field(uint32_t field, std::string_view s) {
    if (is_valid_utf8(s)) {
      _w.bytes_field(field, s);
      return;
    }
    _scratch.clear();
    append_valid_utf8(_scratch, s);
    _w.bytes_field(field, _scratch);
  }

  // A repeated KeyValue field; a repeated key once, at its first position,
  // with its last value.
  void key_values(uint32_t field, std::span<const AttributeView> attributes) {
    for_each_distinct_attribute(attributes,
                                [this, field](std::string_view key, const AttributeValue& value) {
                                  const size_t kv = _w.open(field);
                                  string_field(key_value::kKey, key);
                                  const size_t value_mark = _w.open(key_value::kValue);
                                  any_value(value);
                                  _w.close(value_mark);
                                  _w.close(kv);
                                });
  }

  void span(const SpanRecord& record) {
    _w.bytes_field(span::kTraceId, id_bytes(record.trace_id));
    const uint64_t span_id = big_endian(record.span_id.value);
    _w.bytes_field(span::kSpanId, as_bytes(span_id));
    if (record.parent_span_id.valid()) {
      const uint64_t parent = big_endian(record.parent_span_id.value);
      _w.bytes_field(span::kParentSpanId, as_bytes(parent));
    }
    string_field(span::kName, record.name);
    _w.varint_field(span::kKind, static_cast<uint64_t>(otlp_span_kind(record.kind)));
    _w.fixed64_field(span::kStartTime, record.start_unix_ns);
    _w.fixed64_field(span::kEndTime, record.end_unix_ns);
    key_values(span::kAttributes, record.attributes);
    if (record.dropped_attributes != 0)
      _w.varint_field(span::kDroppedAttributes, record.dropped_attributes);
    for (const EventView& e : record.events) {
      const size_t mark = _w.open(span::kEvents);
      _w.fixed64_field(event::kTime, e.time_unix_ns);
      string_field(event::kName, e.name);
      key_values(event::kAttributes, e.attributes);
      _w.close(mark);
    }
    if (record.dropped_events != 0) _w.varint_field(span::kDroppedEvents, record.dropped_events);
    write_status(record.status, record.status_message);
  }

 private:
  void any_value(const AttributeValue& value) {
    std::visit(
        [this](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, bool>) {
            _w.bool_field(any_value::kBool, v);
          } else if constexpr (std::is_same_v<T, int64_t>) {
            _w.int64_field(any_value::kInt, v);
          } else if constexpr (std::is_same_v<T, double>) {
            _w.double_field(any_value::kDouble, v);
          } else {
            string_field(any_value::kString, v);
          }
        },
        value);
  }

  // An unset status with no message is the default Status: omitted.
  void write_status(StatusCode code, std::string_view message) {
    const int otlp_code = otlp_status_code(code);
    if (otlp_code == 0 && message.empty()) return;
    const size_t mark = _w.open(span::kStatus);
    if (code == StatusCode::cancelled) {
      std::string text(kOtlpCancelledMessage);  // rare: an allocation is fine
      if (!message.empty()) text.append(kOtlpCancelledSeparator).append(message);
      string_field(status::kMessage, text);
    } else if (!message.empty()) {
      string_field(status::kMessage, message);
    }
    if (otlp_code != 0) _w.varint_field(status::kCode, static_cast<uint64_t>(otlp_code));
    _w.close(mark);
  }

  static std::string_view id_bytes(const TraceId& id) noexcept {
    return {reinterpret_cast<const char*>(id.bytes.data()), id.bytes.size()};
  }
  // SpanId::value holds the id's 8 bytes as a big-endian number (its hex form).
  static uint64_t big_endian(uint64_t v) noexcept { return __builtin_bswap64(v); }
  static std::string_view as_bytes(const uint64_t& v) noexcept {
    return {reinterpret_cast<const char*>(&v), sizeof(v)};
  }

  ProtobufWriter _w;
  std::string& _scratch;
};

}  // namespace

void OtlpProtobufEncoder::set_resource(const Resource& res) {
  const std::vector<AttributeView> attributes = otlp_resource_attributes(res);
  _resource_field.clear();
  {
    ProtobufWriter w(_resource_field);
    const size_t mark = w.open(resource_spans::kResource);
    SpanWriter(_resource_field, _scratch).key_values(resource::kAttributes, attributes);
    w.close(mark);
  }
  _scope_field.clear();
  ProtobufWriter w(_scope_field);
  const size_t mark = w.open(scope_spans::kScope);
  w.bytes_field(scope::kName, kOtlpScopeName);
  w.bytes_field(scope::kVersion, version_string);
  w.close(mark);
}

void OtlpProtobufEncoder::encode(std::span<const SpanRecord> records, std::string& out) {
  if (records.empty()) return;
  ProtobufWriter w(out);
  const size_t resource_spans = w.open(request::kResourceSpans);
  w.raw(_resource_field);
  const size_t scope_spans = w.open(resource_spans::kScopeSpans);
  w.raw(_scope_field);
  SpanWriter spans(out, _scratch);
  for (const SpanRecord& record : records) {
    const size_t mark = w.open(scope_spans::kSpans);
    spans.span(record);
    w.close(mark);
  }
  w.close(scope_spans);
  w.close(resource_spans);
}

}  // namespace hotspan::detail
