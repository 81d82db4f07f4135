// hotspan — JSON Lines encoding of finished spans (see jsonl_encoder.hpp).
//
// Field names are appended as literals, values through json_writer, so that the
// only JSON escaping logic in the project is json_writer's.
#include "formats/json/jsonl_encoder.hpp"

#include "formats/json/json_writer.hpp"

namespace hotspan::detail {

using namespace std::string_view_literals;

void encode_jsonl(const SpanRecord& record, const Resource& resource, std::string& out) {
  write_id_members(out, record,
                   {R"({"trace_id":")"sv, R"(","span_id":")"sv, R"(,"parent_span_id":")"sv});
  out.append(R"(,"name":)"sv);
  write_string(out, record.name);
  out.append(R"(,"kind":)"sv);
  write_string(out, to_string(record.kind));
  out.append(R"(,"start_unix_ns":)"sv);
  write_uint(out, record.start_unix_ns);
  out.append(R"(,"end_unix_ns":)"sv);
  write_uint(out, record.end_unix_ns);
  out.append(R"(,"duration_ns":)"sv);
  write_uint(out, duration_ns(record));
  out.append(R"(,"status":)"sv);
  write_string(out, to_string(record.status));
  out.append(R"(,"status_message":)"sv);
  write_string(out, record.status_message);
  out.append(R"(,"service":)"sv);
  write_string(out, resource.service_name);
  out.append(R"(,"thread_id":)"sv);
  write_uint(out, record.thread_id);
  out.append(R"(,"attributes":)"sv);
  write_attributes(out, record.attributes);
  out.append(R"(,"events":[)"sv);
  for (size_t i = 0; i < record.events.size(); ++i) {
    const EventView& event = record.events[i];
    if (i != 0) out.push_back(',');
    out.append(R"({"name":)"sv);
    write_string(out, event.name);
    out.append(R"(,"time_unix_ns":)"sv);
    write_uint(out, event.time_unix_ns);
    out.append(R"(,"attributes":)"sv);
    write_attributes(out, event.attributes);
    out.push_back('}');
  }
  out.append(R"(],"dropped_attributes":)"sv);
  write_uint(out, record.dropped_attributes);
  out.append(R"(,"dropped_events":)"sv);
  write_uint(out, record.dropped_events);
  out.append("}\n");
}

namespace {

class JsonlEncoder final : public RecordEncoder {
 public:
  void begin(const Resource& resource, std::string& /*out*/) override { _resource = resource; }
  size_t encode(std::span<const SpanRecord> records, std::string& out) override {
    for (const SpanRecord& record : records)
      encode_jsonl(record, _resource, out);
    return 0;
  }

 private:
  Resource _resource;
};

}  // namespace

std::unique_ptr<RecordEncoder> make_jsonl_encoder() {
  return std::make_unique<JsonlEncoder>();
}

}  // namespace hotspan::detail
