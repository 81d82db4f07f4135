// hotspan — Chrome Trace Event encoding of finished spans (see
// chrome_json_encoder.hpp).
//
// Field names are appended as literals and values through json_writer, so the
// only JSON escaping in the project stays json_writer's. The encoder's state
// across batches is which threads already have their thread_name event and
// whether the opening reached the sink; what a block adds to it is kept
// pending until the sink reports the block delivered, and undone otherwise.
#include "formats/json/chrome_json_encoder.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "formats/distinct_attributes.hpp"
#include "formats/json/json_writer.hpp"
#include "formats/json/jsonl_encoder.hpp"

namespace hotspan::detail {
namespace {

// Arg names of span and instant events; attributes with these keys are renamed.
constexpr std::array<std::string_view, 5> kReservedArgs = {"trace_id", "span_id", "parent_span_id",
                                                           "status", "status_message"};
constexpr std::string_view kRenamedAttributePrefix = "attribute.";
// The ids open the args of span and instant events.
constexpr std::string_view kArgsTraceId = R"(,"args":{"trace_id":")";
constexpr std::string_view kSpanId = R"(","span_id":")";

// Nanoseconds as microseconds with exactly three fractional digits.
void write_micros(std::string& out, uint64_t ns) {
  write_uint(out, ns / 1000);
  const auto fraction = static_cast<unsigned>(ns % 1000);
  const char digits[4] = {'.', static_cast<char>('0' + fraction / 100),
                          static_cast<char>('0' + fraction / 10 % 10),
                          static_cast<char>('0' + fraction % 10)};
  out.append(digits, sizeof(digits));
}

// `,"key":value` for every attribute, after the reserved args of the same object.
void write_attribute_args(std::string& out, std::span<const AttributeView> attributes) {
  for_each_distinct_attribute(
      attributes, [&out](std::string_view key, const AttributeValue& value) {
        out.push_back(',');
        if (std::find(kReservedArgs.begin(), kReservedArgs.end(), key) == kReservedArgs.end()) {
          write_string(out, key);
        } else {
          out.push_back('"');
          out.append(kRenamedAttributePrefix);
          write_escaped(out, key);
          out.push_back('"');
        }
        out.push_back(':');
        write_attribute_value(out, value);
      });
}

class ChromeJsonEncoder final : public RecordEncoder {
 public:
  void begin(const Resource& resource, std::string& out) override {
    _pid = resource.process_id;
    _service_name = resource.service_name;
    write_opening(out);
  }

  size_t encode(std::span<const SpanRecord> records, std::string& out) override {
    roll_back();  // a previous block that never reached delivered() was not written
    if (!_opening_delivered) write_opening(out);
    for (const SpanRecord& record : records) {
      if (_named_threads.insert(record.thread_id).second) {
        _pending_threads.push_back(record.thread_id);
        write_thread_name(out, record.thread_id);
      }
      write_span(out, record);
      for (const EventView& event : record.events)
        write_event(out, record, event);
    }
    return 0;
  }

  void finish(std::string& out) override {
    roll_back();
    if (!_opening_delivered) write_opening(out);
    out.append("]}\n");
  }

  void delivered(bool whole) override {
    if (!whole) {
      roll_back();
      return;
    }
    _pending_threads.clear();
    if (_opening_pending) _opening_delivered = true;
    _opening_pending = false;
  }

 private:
  void roll_back() {
    for (const uint32_t tid : _pending_threads)
      _named_threads.erase(tid);
    _pending_threads.clear();
    _opening_pending = false;
  }

  void write_opening(std::string& out) {
    out.append(R"({"displayTimeUnit":"ns","traceEvents":[)"
               "\n"
               R"({"ph":"M","pid":)");
    write_uint(out, _pid);
    out.append(R"(,"name":"process_name","args":{"name":)");
    write_string(out, _service_name);
    out.append("}}\n");
    _opening_pending = true;
  }

  // `,{"ph":"<ph>","ts":<ts>` — the head of X and i events. ph and ts come
  // first: some readers (older Perfetto builds) scan an event's keys in order
  // for them and stop at the first string with a \u escape.
  void write_event_head(std::string& out, std::string_view ph, uint64_t ts_ns) {
    out.append(R"(,{"ph":)");
    write_string(out, ph);
    out.append(R"(,"ts":)");
    write_micros(out, ts_ns);
  }

  void write_thread(std::string& out, uint32_t tid) {
    out.append(R"(,"pid":)");
    write_uint(out, _pid);
    out.append(R"(,"tid":)");
    write_uint(out, tid);
  }

  void write_name_and_category(std::string& out, std::string_view name, std::string_view cat) {
    out.append(R"(,"name":)");
    write_string(out, name);
    out.append(R"(,"cat":)");
    write_string(out, cat);
  }

  void write_thread_name(std::string& out, uint32_t tid) {
    out.append(R"(,{"ph":"M")");
    write_thread(out, tid);
    out.append(R"(,"name":"thread_name","args":{"name":"thread )");
    write_uint(out, tid);
    out.append("\"}}\n");
  }

  void write_span(std::string& out, const SpanRecord& record) {
    write_event_head(out, "X", record.start_unix_ns);
    out.append(R"(,"dur":)");
    write_micros(out, duration_ns(record));
    write_thread(out, record.thread_id);
    write_name_and_category(out, record.name, to_string(record.kind));
    write_id_members(out, record, {kArgsTraceId, kSpanId, R"(,"parent_span_id":")"});
    out.append(R"(,"status":)");
    write_string(out, to_string(record.status));
    out.append(R"(,"status_message":)");
    write_string(out, record.status_message);
    write_attribute_args(out, record.attributes);
    out.append("}}\n");
  }

  void write_event(std::string& out, const SpanRecord& record, const EventView& event) {
    write_event_head(out, "i", event.time_unix_ns);
    out.append(R"(,"s":"t")");
    write_thread(out, record.thread_id);
    write_name_and_category(out, event.name, "event");
    write_id_members(out, record, {kArgsTraceId, kSpanId, {}});  // no parent: the span has it
    write_attribute_args(out, event.attributes);
    out.append("}}\n");
  }

  uint32_t _pid = 0;
  std::string _service_name;
  bool _opening_delivered = false;
  bool _opening_pending = false;
  std::unordered_set<uint32_t> _named_threads;
  std::vector<uint32_t> _pending_threads;  // named by the block not yet delivered
};

}  // namespace

std::unique_ptr<RecordEncoder> make_chrome_json_encoder() {
  return std::make_unique<ChromeJsonEncoder>();
}

}  // namespace hotspan::detail
