// hotspan — OTLP/JSON encoding of finished spans (see otlp_json_encoder.hpp).
//
// Field names are appended as literals and values through json_writer, so the
// only JSON escaping and number formatting in the project stays json_writer's.
// A batch is encoded straight into the sink's buffer: no allocation beyond its
// growth. Empty batches write nothing (an empty TracesData line says nothing).
#include "formats/otlp/otlp_json_encoder.hpp"

#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "formats/json/json_writer.hpp"
#include "hotspan/version.hpp"

namespace hotspan::detail {
namespace {

constexpr std::string_view kSpansClose = "]}]}]}\n";  // spans, scopeSpans, resourceSpans

// An OTLP AnyValue: {"boolValue":..} | {"intValue":"<decimal>"} | {"doubleValue":..}
// | {"stringValue":".."}.
void write_any_value(std::string& out, const AttributeValue& value) {
  std::visit(
      [&out](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool>) {
          out.append(R"({"boolValue":)");
          write_bool(out, v);
        } else if constexpr (std::is_same_v<T, int64_t>) {
          out.append(R"({"intValue":")");
          write_int(out, v);
          out.push_back('"');
        } else if constexpr (std::is_same_v<T, double>) {
          out.append(R"({"doubleValue":)");
          write_double(out, v);  // non-finite values as the protobuf JSON strings
        } else {
          out.append(R"({"stringValue":)");
          write_string(out, v);
        }
        out.push_back('}');
      },
      value);
}

// A JSON array of KeyValue; a repeated key once, at its first position, with
// its last value (formats/distinct_attributes.hpp).
void write_key_values(std::string& out, std::span<const AttributeView> attributes) {
  write_attribute_list(out, '[', ']', attributes,
                       [&out](std::string_view key, const AttributeValue& value) {
                         out.append(R"({"key":)");
                         write_string(out, key);
                         out.append(R"(,"value":)");
                         write_any_value(out, value);
                         out.push_back('}');
                       });
}

// A decimal string: protobuf's JSON form of 64-bit integers.
void write_uint_string(std::string& out, uint64_t v) {
  out.push_back('"');
  write_uint(out, v);
  out.push_back('"');
}

void write_status(std::string& out, StatusCode status, std::string_view message) {
  out.append(R"({"code":)");
  write_int(out, otlp_status_code(status));
  out.append(R"(,"message":)");
  if (status != StatusCode::cancelled) {
    write_string(out, message);
  } else {
    out.push_back('"');
    out.append(kOtlpCancelledMessage);
    if (!message.empty()) {
      out.append(kOtlpCancelledSeparator);
      write_escaped(out, message);
    }
    out.push_back('"');
  }
  out.push_back('}');
}

void write_span(std::string& out, const SpanRecord& record) {
  write_id_members(out, record, {R"({"traceId":")", R"(","spanId":")", R"(,"parentSpanId":")"});
  out.append(R"(,"name":)");
  write_string(out, record.name);
  out.append(R"(,"kind":)");
  write_int(out, otlp_span_kind(record.kind));
  out.append(R"(,"startTimeUnixNano":)");
  write_uint_string(out, record.start_unix_ns);
  out.append(R"(,"endTimeUnixNano":)");
  write_uint_string(out, record.end_unix_ns);
  out.append(R"(,"attributes":)");
  write_key_values(out, record.attributes);
  out.append(R"(,"droppedAttributesCount":)");
  write_uint(out, record.dropped_attributes);
  out.append(R"(,"events":[)");
  for (size_t i = 0; i < record.events.size(); ++i) {
    const EventView& event = record.events[i];
    if (i != 0) out.push_back(',');
    out.append(R"({"timeUnixNano":)");
    write_uint_string(out, event.time_unix_ns);
    out.append(R"(,"name":)");
    write_string(out, event.name);
    out.append(R"(,"attributes":)");
    write_key_values(out, event.attributes);
    out.push_back('}');
  }
  out.append(R"(],"droppedEventsCount":)");
  write_uint(out, record.dropped_events);
  out.append(R"(,"status":)");
  write_status(out, record.status, record.status_message);
  out.push_back('}');
}

class OtlpJsonEncoder final : public RecordEncoder {
 public:
  OtlpJsonEncoder() { set_resource(Resource{}); }

  void begin(const Resource& resource, std::string& /*out*/) override { set_resource(resource); }

  size_t encode(std::span<const SpanRecord> records, std::string& out) override {
    if (records.empty()) return 0;
    out.append(_line_open);
    for (size_t i = 0; i < records.size(); ++i) {
      if (i != 0) out.push_back(',');
      write_span(out, records[i]);
    }
    out.append(kSpansClose);
    return 0;
  }

 private:
  // Everything of a line up to the first span, escaped once. The attributes
  // are otlp_resource_attributes(); repeated keys follow write_key_values' rule.
  void set_resource(const Resource& resource) {
    const std::vector<AttributeView> attributes = otlp_resource_attributes(resource);
    std::string open = R"({"resourceSpans":[{"resource":{"attributes":)";
    write_key_values(open, attributes);
    open.append(R"(},"scopeSpans":[{"scope":{"name":"hotspan","version":)");
    write_string(open, version_string);
    open.append(R"(},"spans":[)");
    _line_open = std::move(open);
  }

  std::string _line_open;
};

}  // namespace

std::unique_ptr<RecordEncoder> make_otlp_json_encoder() {
  return std::make_unique<OtlpJsonEncoder>();
}

}  // namespace hotspan::detail
