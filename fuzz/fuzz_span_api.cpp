// hotspan fuzzing — the public span API end to end (structured input).
//
// The input chooses a tracer's limits (slot size, attribute, event and string
// limits, batch size, sampler) and a sequence of calls on a few spans: start
// (root, child of an open span, or child of a remote context), set_attribute
// (bool, int64, any double bit pattern, any bytes), add_event with attributes,
// record_error (message, exception, error_code), set_status, end. The tracer
// exports through multi_exporter to an exporter keeping owned copies and to
// ostream_exporter in each Format. After shutdown, asserted:
//   * accounting: nothing dropped, every sampled span exported exactly once,
//     unsampled ones (parent_based, unsampled parent) never;
//   * each captured span against the calls made on it, after the documented
//     bounds: trace and parent ids, kind, name (cut to max_string_bytes, or to
//     slot_bytes when smaller, on a UTF-8 boundary), attributes (keys unique,
//     each the last or an earlier value set for its key, at most
//     max_attributes_per_span, drops counted), events (in order, each a call
//     that was made, attributes in order, drops counted exactly), status and
//     its description, start <= events <= end;
//   * Format::binary read back with BinaryTraceReader is exactly what the
//     capturing exporter received (names, keys, values bit for bit, events,
//     status, ids, times), from a complete file with the tracer's resource;
//   * Format::jsonl: every line parses with simdjson, and the tool's reader
//     gives back the captured spans as JSON keeps them (owned_record.hpp);
//   * Format::otlp_json: every line parses and holds one span per span;
//   * Format::chrome_json: the document parses and holds one "X" event per span.
#include <fuzzer/FuzzedDataProvider.h>
#include <simdjson.h>

#include <hotspan/hotspan.hpp>
#include <hotspan/reader.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "encoded_output_checks.hpp"
#include "fuzz_check.hpp"
#include "jsonl_span_reader.hpp"
#include "owned_record.hpp"

namespace {

using hotspan::SpanKind;
using hotspan::StatusCode;
using hotspan_fuzz::OwnedRecord;
using hotspan_fuzz::OwnedValue;

constexpr size_t kMaxSpans = 8;
constexpr size_t kMaxOpenSpans = 6;
constexpr size_t kMaxSteps = 48;
constexpr size_t kMaxStringBytes = 600;

// The documented cut (TracerOptions::max_string_bytes): the longest prefix of at
// most `max` bytes that does not split a UTF-8 sequence, looking back at most
// three continuation bytes; at `max` when that finds no sequence start.
std::string clamped(std::string_view s, size_t max) {
  if (s.size() <= max) return std::string(s);
  const auto continuation = [&s](size_t i) {
    return (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80;
  };
  for (size_t back = 0; back <= 3 && back <= max; ++back) {
    if (!continuation(max - back)) return std::string(s.substr(0, max - back));
  }
  return std::string(s.substr(0, max));
}

// One attribute as passed to the API, and whether the engine bounds its string
// value (values the engine renders itself at export are not bounded).
struct AttributeCall {
  std::string key;
  OwnedValue value;
  bool value_bounded = true;
};

struct EventCall {
  std::string name;
  std::vector<AttributeCall> attributes;
};

struct StatusCall {
  StatusCode code = StatusCode::unset;
  std::string description;
  bool bounded = true;  // false: rendered at export, always present
};

struct SpanModel {
  hotspan::SpanContext context;
  hotspan::SpanId parent_span_id;
  std::string name;
  SpanKind kind = SpanKind::internal;
  std::vector<AttributeCall> attributes;
  std::vector<EventCall> events;
  std::optional<StatusCall> status;
};

struct Limits {
  size_t slot_bytes = 0;
  size_t max_attributes = 0;
  size_t max_events = 0;
  size_t max_string = 0;
};

bool same_value(const OwnedValue& exported, const AttributeCall& call, const Limits& limits) {
  if (const auto* s = std::get_if<std::string>(&call.value); s != nullptr && call.value_bounded) {
    return hotspan_fuzz::same_value(exported, OwnedValue(clamped(*s, limits.max_string)));
  }
  return hotspan_fuzz::same_value(exported, call.value);
}

bool same_attribute(const hotspan_fuzz::OwnedAttribute& exported, const AttributeCall& call,
                    const Limits& limits) {
  return exported.key == clamped(call.key, limits.max_string) &&
         same_value(exported.value, call, limits);
}

// Whether `exported` is `call` with some of its attributes dropped.
bool same_event(const hotspan_fuzz::OwnedEvent& exported, const EventCall& call,
                const Limits& limits) {
  if (exported.name != clamped(call.name, limits.max_string)) return false;
  size_t next = 0;
  for (const auto& attribute : exported.attributes) {
    while (next < call.attributes.size() &&
           !same_attribute(attribute, call.attributes[next], limits))
      ++next;
    if (next == call.attributes.size()) return false;
    ++next;
  }
  return true;
}

void check_against_calls(const OwnedRecord& r, const SpanModel& m, const Limits& limits) {
  const std::string span = "span " + r.span_id.to_hex() + " (slot_bytes " +
                           std::to_string(limits.slot_bytes) + ", max_string_bytes " +
                           std::to_string(limits.max_string) + "): ";
  FUZZ_CHECK(r.trace_id == m.context.trace_id, span + "trace id");
  FUZZ_CHECK(r.parent_span_id == m.parent_span_id, span + "parent span id");
  FUZZ_CHECK(r.kind == m.kind, span + "kind");
  // The name is cut to max_string_bytes, or to slot_bytes when smaller (the
  // name is the first thing in the slot's storage).
  FUZZ_CHECK(
      r.name == clamped(m.name, std::min(limits.max_string, limits.slot_bytes)),
      span + "name " + hotspan_fuzz::printable(r.name) + " for " + hotspan_fuzz::printable(m.name));
  FUZZ_CHECK(r.start_unix_ns <= r.end_unix_ns, span + "ends before it starts");

  // Attributes: unique keys, each with a value set for it, drops counted.
  FUZZ_CHECK(r.attributes.size() <= limits.max_attributes, span + "too many attributes");
  FUZZ_CHECK(r.attributes.size() + r.dropped_attributes <= m.attributes.size(),
             span + std::to_string(r.attributes.size()) + " attributes + " +
                 std::to_string(r.dropped_attributes) + " dropped of " +
                 std::to_string(m.attributes.size()) + " set");
  bool keys_distinct = true;
  for (size_t i = 0; i < m.attributes.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (clamped(m.attributes[i].key, limits.max_string) ==
          clamped(m.attributes[j].key, limits.max_string)) {
        keys_distinct = false;
      }
    }
  }
  if (keys_distinct) {
    FUZZ_CHECK(r.attributes.size() + r.dropped_attributes == m.attributes.size(),
               span + "attributes lost without being counted");
  }
  for (size_t i = 0; i < r.attributes.size(); ++i) {
    const auto& a = r.attributes[i];
    for (size_t j = 0; j < i; ++j)
      FUZZ_CHECK(r.attributes[j].key != a.key,
                 span + "key twice: " + hotspan_fuzz::printable(a.key));
    bool found = false;
    for (const AttributeCall& call : m.attributes)
      found = found || same_attribute(a, call, limits);
    FUZZ_CHECK(found, span + "attribute " + hotspan_fuzz::printable(a.key) + " = " +
                          hotspan_fuzz::printable_value(a.value) + " was never set");
  }

  // Events: an ordered selection of the calls, drops counted exactly.
  FUZZ_CHECK(r.events.size() <= limits.max_events, span + "too many events");
  FUZZ_CHECK(r.events.size() + r.dropped_events == m.events.size(),
             span + std::to_string(r.events.size()) + " events + " +
                 std::to_string(r.dropped_events) + " dropped of " +
                 std::to_string(m.events.size()) + " added");
  size_t next = 0;
  for (const hotspan_fuzz::OwnedEvent& e : r.events) {
    while (next < m.events.size() && !same_event(e, m.events[next], limits))
      ++next;
    FUZZ_CHECK(next < m.events.size(),
               span + "event " + hotspan_fuzz::printable(e.name) + " does not match the calls");
    ++next;
    FUZZ_CHECK(e.time_unix_ns >= r.start_unix_ns && e.time_unix_ns <= r.end_unix_ns,
               span + "event outside its span");
  }

  // Status: the last call's code; its description (possibly lost for room).
  if (!m.status) {
    FUZZ_CHECK(r.status == StatusCode::unset && r.status_message.empty(), span + "status");
    return;
  }
  FUZZ_CHECK(r.status == m.status->code, span + "status code");
  if (!m.status->bounded) {
    FUZZ_CHECK(r.status_message == m.status->description, span + "status description");
  } else {
    FUZZ_CHECK(r.status_message.empty() ||
                   r.status_message == clamped(m.status->description, limits.max_string),
               span + "status description " + hotspan_fuzz::printable(r.status_message));
  }
}

// Keeps owned copies of everything it is given.
class CapturingExporter final : public hotspan::Exporter {
 public:
  void start(const hotspan::Resource& resource) override { _resource = resource; }
  bool export_batch(std::span<const hotspan::SpanRecord> batch) override {
    for (const hotspan::SpanRecord& r : batch)
      _records.push_back(hotspan_fuzz::own(r));
    return true;
  }
  const std::vector<OwnedRecord>& records() const noexcept { return _records; }
  const hotspan::Resource& resource() const noexcept { return _resource; }

 private:
  hotspan::Resource _resource;
  std::vector<OwnedRecord> _records;
};

std::string some_string(FuzzedDataProvider& in) {
  return in.ConsumeRandomLengthString(kMaxStringBytes);
}

OwnedValue some_value(FuzzedDataProvider& in) {
  switch (in.ConsumeIntegralInRange<int>(0, 3)) {
    case 0:
      return in.ConsumeBool();
    case 1:
      return in.ConsumeIntegral<int64_t>();
    case 2: {
      const uint64_t bits = in.ConsumeIntegral<uint64_t>();
      double d;
      std::memcpy(&d, &bits, sizeof(d));
      return d;
    }
    default:
      return some_string(in);
  }
}

hotspan::AttributeValue view(const OwnedValue& v) {
  switch (v.index()) {
    case 0:
      return hotspan::AttributeValue(std::in_place_index<0>, std::get<0>(v));
    case 1:
      return hotspan::AttributeValue(std::in_place_index<1>, std::get<1>(v));
    case 2:
      return hotspan::AttributeValue(std::in_place_index<2>, std::get<2>(v));
    default:
      return hotspan::AttributeValue(std::in_place_index<3>, std::string_view(std::get<3>(v)));
  }
}

void add_event(hotspan::Span& span, const EventCall& e) {
  const auto a = [&e](size_t i) {
    return hotspan::Attribute(e.attributes[i].key, view(e.attributes[i].value));
  };
  switch (e.attributes.size()) {
    case 0:
      span.add_event(e.name);
      break;
    case 1:
      span.add_event(e.name, {a(0)});
      break;
    case 2:
      span.add_event(e.name, {a(0), a(1)});
      break;
    default:
      span.add_event(e.name, {a(0), a(1), a(2)});
      break;
  }
}

struct OpenSpan {
  hotspan::Span span;
  size_t model;  // index into the models, or npos when not recording
};

// Records spans as the input says. Returns the models of the sampled spans.
std::vector<SpanModel> record(FuzzedDataProvider& in, hotspan::Tracer& tracer, bool parent_based) {
  std::vector<SpanModel> models;
  std::vector<OpenSpan> open;
  size_t started = 0;
  const size_t steps = in.ConsumeIntegralInRange<size_t>(1, kMaxSteps);
  for (size_t step = 0; step < steps && in.remaining_bytes() > 0; ++step) {
    const int op = in.ConsumeIntegralInRange<int>(0, 8);
    if (op == 0 || open.empty()) {
      if (open.size() >= kMaxOpenSpans || started >= kMaxSpans) continue;
      ++started;
      SpanModel m;
      m.name = some_string(in);
      m.kind = static_cast<SpanKind>(in.ConsumeIntegralInRange<int>(0, 4));
      hotspan::SpanContext parent;
      const int parent_choice = in.ConsumeIntegralInRange<int>(0, 2);
      if (parent_choice == 1 && !open.empty()) {
        parent = open[in.ConsumeIntegralInRange<size_t>(0, open.size() - 1)].span.context();
      } else if (parent_choice == 2) {
        const std::string raw = in.ConsumeBytesAsString(16 + 8 + 1);
        if (raw.size() == 25) {
          std::memcpy(parent.trace_id.bytes.data(), raw.data(), 16);
          std::memcpy(&parent.span_id.value, raw.data() + 16, 8);
          parent.trace_flags = static_cast<uint8_t>(raw[24]);
          parent.is_remote = true;
        }
      }
      hotspan::Span span = tracer.start_span(m.name, m.kind, parent);
      const bool sampled = !parent_based || !parent.valid() || parent.sampled();
      FUZZ_CHECK(span.is_recording() == sampled, "sampled " + std::to_string(sampled));
      m.context = span.context();
      FUZZ_CHECK(m.context.valid(), "a started span without a valid context");
      if (parent.valid()) {
        FUZZ_CHECK(m.context.trace_id == parent.trace_id, "a child in another trace");
        m.parent_span_id = parent.span_id;
      }
      size_t index = std::string::npos;
      if (span.is_recording()) {
        index = models.size();
        models.push_back(std::move(m));
      }
      open.push_back({std::move(span), index});
      continue;
    }
    const size_t which = in.ConsumeIntegralInRange<size_t>(0, open.size() - 1);
    hotspan::Span& span = open[which].span;
    SpanModel scratch;  // the calls on a span that is not recording go nowhere
    SpanModel& m = open[which].model == std::string::npos ? scratch : models[open[which].model];
    switch (op) {
      case 1:
      case 2: {
        AttributeCall call{some_string(in), some_value(in)};
        span.set_attribute(call.key, view(call.value));
        m.attributes.push_back(std::move(call));
        break;
      }
      case 3: {
        EventCall e{some_string(in), {}};
        const size_t count = in.ConsumeIntegralInRange<size_t>(0, 3);
        for (size_t i = 0; i < count; ++i)
          e.attributes.push_back({some_string(in), some_value(in)});
        add_event(span, e);
        m.events.push_back(std::move(e));
        break;
      }
      case 4: {
        const std::string message = some_string(in);
        span.record_error(std::string_view(message));
        m.events.push_back(
            {"exception",
             {{"exception.type", std::string("error")}, {"exception.message", message}}});
        m.status = StatusCall{StatusCode::error, message};
        break;
      }
      case 5: {
        const std::runtime_error error(some_string(in));
        span.record_error(error);
        m.events.push_back({"exception",
                            {{"exception.type", std::string("std::runtime_error"), false},
                             {"exception.message", std::string(error.what())}}});
        m.status = StatusCall{StatusCode::error, error.what()};
        break;
      }
      case 6: {
        const std::error_code code(in.ConsumeIntegralInRange<int>(-5, 140),
                                   std::generic_category());
        span.record_error(code);
        m.events.push_back({"exception",
                            {{"exception.type", std::string(code.category().name())},
                             {"exception.message", code.message(), false},
                             {"exception.code", int64_t{code.value()}}}});
        m.status = StatusCall{StatusCode::error, code.message(), false};
        break;
      }
      case 7: {
        const auto code = static_cast<StatusCode>(in.ConsumeIntegralInRange<int>(0, 3));
        const std::string description = some_string(in);
        span.set_status(code, description);
        m.status = StatusCall{code, description};
        break;
      }
      default:
        span.end();
        open.erase(open.begin() + static_cast<std::ptrdiff_t>(which));
        break;
    }
  }
  while (!open.empty()) {  // end the rest, last started first
    open.back().span.end();
    open.pop_back();
  }
  return models;
}

void check_binary(const std::string& bytes, const CapturingExporter& capture) {
  std::istringstream in(bytes);
  hotspan::BinaryTraceReader reader(in);
  FUZZ_CHECK(reader.read_header(), reader.message());
  const hotspan::Resource& expected = capture.resource();
  const hotspan::Resource& resource = reader.resource();
  FUZZ_CHECK(resource.service_name == expected.service_name, "service name");
  FUZZ_CHECK(resource.attributes == expected.attributes, "resource attributes");
  FUZZ_CHECK(resource.clock_anchor_unix_ns == expected.clock_anchor_unix_ns &&
                 resource.clock_anchor_monotonic_ns == expected.clock_anchor_monotonic_ns,
             "clock anchor");
  FUZZ_CHECK(resource.process_id == expected.process_id, "process id");
  size_t i = 0;
  while (const hotspan::SpanRecord* r = reader.next()) {
    FUZZ_CHECK(i < capture.records().size(), "more spans in the binary output than exported");
    const std::string d = hotspan_fuzz::difference(capture.records()[i], hotspan_fuzz::own(*r));
    FUZZ_CHECK(d.empty(), "binary output, span " + std::to_string(i) + ": " + d);
    ++i;
  }
  FUZZ_CHECK(reader.status() == hotspan::BinaryTraceReader::Status::complete, reader.message());
  FUZZ_CHECK(i == capture.records().size(), "binary output: " + std::to_string(i) + " of " +
                                                std::to_string(capture.records().size()) +
                                                " spans");
  FUZZ_CHECK(reader.declared_span_count() == i, "binary output: declared span count");
}

void check_jsonl(const std::string& text, const CapturingExporter& capture) {
  hotspan_fuzz::parse_lines(text, "JSON Lines", [](simdjson::dom::element) {});
  std::istringstream in(text);
  const auto reader = hotspan::tool::make_jsonl_span_reader(in);
  const std::string service = hotspan_fuzz::repaired_utf8(capture.resource().service_name);
  size_t i = 0;
  std::string error;
  for (;;) {
    const hotspan::tool::ReadStatus status = reader->next(error);
    if (status == hotspan::tool::ReadStatus::end) break;
    FUZZ_CHECK(status == hotspan::tool::ReadStatus::span, "JSON Lines: " + error);
    FUZZ_CHECK(i < capture.records().size(), "more spans in JSON Lines than exported");
    const std::string d = hotspan_fuzz::difference(
        hotspan_fuzz::as_json_reads_it(capture.records()[i]), hotspan_fuzz::own(reader->record()));
    FUZZ_CHECK(d.empty(), "JSON Lines, span " + std::to_string(i) + ": " + d);
    FUZZ_CHECK(reader->service() == service, hotspan_fuzz::printable(reader->service()));
    ++i;
  }
  FUZZ_CHECK(i == capture.records().size(), "JSON Lines: " + std::to_string(i) + " of " +
                                                std::to_string(capture.records().size()) +
                                                " spans");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  Limits limits;
  hotspan::TracerOptions options;
  options.service_name = in.ConsumeRandomLengthString(64);
  if (in.ConsumeBool()) options.resource.emplace_back(some_string(in), some_string(in));
  options.slots_per_thread = 16;
  options.queue_capacity = 64;
  limits.slot_bytes = options.slot_bytes = in.ConsumeIntegralInRange<size_t>(256, 2048);
  limits.max_attributes = options.max_attributes_per_span = in.ConsumeIntegralInRange<size_t>(0, 8);
  limits.max_events = options.max_events_per_span = in.ConsumeIntegralInRange<size_t>(0, 4);
  limits.max_string = options.max_string_bytes = in.ConsumeIntegralInRange<size_t>(1, 512);
  options.export_batch_size = in.ConsumeIntegralInRange<size_t>(1, 8);
  const bool parent_based = in.ConsumeBool();
  options.sampler =
      parent_based ? hotspan::parent_based(hotspan::always_on()) : hotspan::always_on();

  std::ostringstream binary, jsonl, otlp_json, chrome_json;
  const auto capture = std::make_shared<CapturingExporter>();
  options.exporter = hotspan::multi_exporter(
      {capture, hotspan::ostream_exporter(binary, hotspan::Format::binary),
       hotspan::ostream_exporter(jsonl, hotspan::Format::jsonl),
       hotspan::ostream_exporter(otlp_json, hotspan::Format::otlp_json),
       hotspan::ostream_exporter(chrome_json, hotspan::Format::chrome_json)});

  std::vector<SpanModel> models;
  hotspan::TracerStats stats;
  {
    hotspan::Tracer tracer(std::move(options));
    models = record(in, tracer, parent_based);
    tracer.shutdown();
    stats = tracer.stats();
  }

  const std::vector<OwnedRecord>& records = capture->records();
  FUZZ_CHECK(stats.spans_sampled == models.size(),
             "sampled " + std::to_string(stats.spans_sampled));
  FUZZ_CHECK(
      stats.spans_exported == models.size() && stats.dropped_pool_exhausted == 0 &&
          stats.dropped_queue_full == 0 && stats.dropped_export_failed == 0,
      "exported " + std::to_string(stats.spans_exported) + " of " + std::to_string(models.size()));
  FUZZ_CHECK(records.size() == models.size(),
             "captured " + std::to_string(records.size()) + " of " + std::to_string(models.size()));
  std::vector<bool> exported(models.size(), false);
  for (const OwnedRecord& r : records) {
    size_t model = models.size();
    for (size_t i = 0; i < models.size(); ++i) {
      if (models[i].context.span_id != r.span_id) continue;
      FUZZ_CHECK(model == models.size(), "two spans with the id " + r.span_id.to_hex());
      model = i;
    }
    FUZZ_CHECK(model < models.size(), "an exported span that was never started");
    FUZZ_CHECK(!exported[model], "span " + r.span_id.to_hex() + " exported twice");
    exported[model] = true;
    check_against_calls(r, models[model], limits);
  }

  check_binary(binary.str(), *capture);
  check_jsonl(jsonl.str(), *capture);
  hotspan_fuzz::check_otlp_json(otlp_json.str(), records.size());
  hotspan_fuzz::check_chrome_json(chrome_json.str(), records.size());
  return 0;
}
