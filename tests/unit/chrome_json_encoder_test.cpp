// Tests of the Chrome Trace Event encoding (Format::chrome_json): the whole
// output, across batches, is parsed with simdjson as one document and every
// event checked against the records, built by hand and recorded by a real
// Tracer. Times are also checked in the text, where no digit may be lost.
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "capture_exporter.hpp"
#include "formats/json/chrome_json_encoder.hpp"
#include "full_span_record.hpp"
#include "hotspan/hotspan.hpp"
#include "json_output_checks.hpp"

using hotspan::AttributeView;
using hotspan::EventView;
using hotspan::Format;
using hotspan::Resource;
using hotspan::SpanId;
using hotspan::SpanKind;
using hotspan::SpanRecord;
using hotspan::StatusCode;
using hotspan::TraceId;
using hotspan_test::deduplicated;
using hotspan_test::OwnedSpan;
using hotspan_test::OwnedValue;
namespace dom = simdjson::dom;

using hotspan_test::example_trace_id;
using hotspan_test::keys_of;
using hotspan_test::kFffd;
using hotspan_test::str;

namespace {

Resource example_resource() {
  Resource resource;
  resource.service_name = "relay";
  resource.attributes = {{"service.name", "relay"}};
  resource.process_id = 4242;
  return resource;
}

// The whole output of one encoder: begin, one encode() per batch, finish;
// every block reported delivered.
std::string encode_document(const std::vector<std::vector<SpanRecord>>& batches,
                            const Resource& resource = example_resource()) {
  auto encoder = hotspan::detail::make_chrome_json_encoder();
  std::string out;
  encoder->begin(resource, out);
  encoder->delivered(true);
  for (const auto& batch : batches) {
    encoder->encode(batch, out);
    encoder->delivered(true);
  }
  encoder->finish(out);
  encoder->delivered(true);
  return out;
}

// The document: valid UTF-8, one JSON object {"displayTimeUnit":"ns","traceEvents":[...]}.
dom::array parse_events(dom::parser& parser, const std::string& text) {
  REQUIRE(simdjson::validate_utf8(text));
  dom::element doc;
  INFO(text);
  REQUIRE(parser.parse(text).get(doc) == simdjson::SUCCESS);
  REQUIRE(doc.type() == dom::element_type::OBJECT);
  CHECK(keys_of(doc) == std::vector<std::string>{"displayTimeUnit", "traceEvents"});
  CHECK(str(doc["displayTimeUnit"]) == "ns");
  return doc["traceEvents"];
}

// Nanoseconds as the encoder must spell microseconds: "<µs>.<3 digits>".
std::string micros(uint64_t ns) {
  std::string fraction = std::to_string(ns % 1000);
  return std::to_string(ns / 1000) + "." + std::string(3 - fraction.size(), '0') + fraction;
}

uint64_t duration(const OwnedSpan& s) {
  return s.end_unix_ns >= s.start_unix_ns ? s.end_unix_ns - s.start_unix_ns : 0;
}

const std::set<std::string> kReserved = {"trace_id", "span_id", "parent_span_id", "status",
                                         "status_message"};

void check_value(dom::element e, const OwnedValue& expected) {
  switch (expected.index()) {
    case 0:
      REQUIRE(e.type() == dom::element_type::BOOL);
      CHECK(bool(e) == std::get<0>(expected));
      break;
    case 1:
      REQUIRE(e.type() == dom::element_type::INT64);
      CHECK(int64_t(e) == std::get<1>(expected));
      break;
    case 2: {
      const double d = std::get<2>(expected);
      if (std::isnan(d)) {
        CHECK(str(e) == "NaN");
      } else if (std::isinf(d)) {
        CHECK(str(e) == (d > 0 ? "Infinity" : "-Infinity"));
      } else {
        REQUIRE(e.type() == dom::element_type::DOUBLE);
        CHECK(double(e) == d);
      }
      break;
    }
    default:
      CHECK(str(e) == std::get<3>(expected));
  }
}

// The attributes after the reserved args, keys that collide with them renamed.
void check_attribute_args(dom::object args, size_t reserved_count,
                          const std::vector<std::pair<std::string, OwnedValue>>& attributes) {
  const auto expected = deduplicated(attributes);
  const std::vector<std::string> keys = keys_of(args);
  REQUIRE(keys.size() == reserved_count + expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    const std::string key =
        kReserved.count(expected[i].first) ? "attribute." + expected[i].first : expected[i].first;
    INFO("attribute " << key);
    CHECK(keys[reserved_count + i] == key);
    check_value(args[key], expected[i].second);
  }
}

void check_complete_event(dom::element e, const OwnedSpan& s, uint32_t pid,
                          const std::string& text) {
  INFO("span " << s.name);
  CHECK(keys_of(e) ==
        std::vector<std::string>{"ph", "ts", "dur", "pid", "tid", "name", "cat", "args"});
  CHECK(str(e["ph"]) == "X");
  CHECK(str(e["name"]) == s.name);
  CHECK(str(e["cat"]) == std::string(hotspan::to_string(s.kind)));
  CHECK(dom::element(e["ts"]).type() == dom::element_type::DOUBLE);
  CHECK(std::abs(double(e["ts"]) - s.start_unix_ns / 1000.0) < 1.0);
  CHECK(std::abs(double(e["dur"]) - duration(s) / 1000.0) < 0.001);
  // The text keeps every nanosecond.
  CHECK(text.find("\"ts\":" + micros(s.start_unix_ns) + ",\"dur\":" + micros(duration(s)) + ",") !=
        std::string::npos);
  CHECK(uint64_t(e["pid"]) == pid);
  CHECK(uint64_t(e["tid"]) == s.thread_id);
  const dom::object args = e["args"];
  std::vector<std::string> reserved = {"trace_id", "span_id"};
  if (s.parent_span_id.valid()) reserved.emplace_back("parent_span_id");
  reserved.emplace_back("status");
  reserved.emplace_back("status_message");
  const std::vector<std::string> keys = keys_of(args);
  REQUIRE(keys.size() >= reserved.size());
  CHECK(std::vector<std::string>(keys.begin(), keys.begin() + reserved.size()) == reserved);
  CHECK(str(args["trace_id"]) == s.trace_id.to_hex());
  CHECK(str(args["span_id"]) == s.span_id.to_hex());
  if (s.parent_span_id.valid()) CHECK(str(args["parent_span_id"]) == s.parent_span_id.to_hex());
  CHECK(str(args["status"]) == std::string(hotspan::to_string(s.status)));
  CHECK(str(args["status_message"]) == s.status_message);
  check_attribute_args(args, reserved.size(), s.attributes);
}

void check_instant_event(dom::element e, const OwnedSpan& s, const hotspan_test::OwnedEvent& ev,
                         uint32_t pid, const std::string& text) {
  INFO("event " << ev.name);
  CHECK(keys_of(e) ==
        std::vector<std::string>{"ph", "ts", "s", "pid", "tid", "name", "cat", "args"});
  CHECK(str(e["ph"]) == "i");
  CHECK(str(e["s"]) == "t");
  CHECK(str(e["name"]) == ev.name);
  CHECK(str(e["cat"]) == "event");
  CHECK(text.find("\"ts\":" + micros(ev.time_unix_ns) + ",\"s\":\"t\"") != std::string::npos);
  CHECK(uint64_t(e["pid"]) == pid);
  CHECK(uint64_t(e["tid"]) == s.thread_id);
  const dom::object args = e["args"];
  const std::vector<std::string> keys = keys_of(args);
  REQUIRE(keys.size() >= 2);
  CHECK(keys[0] == "trace_id");
  CHECK(keys[1] == "span_id");
  CHECK(str(args["trace_id"]) == s.trace_id.to_hex());
  CHECK(str(args["span_id"]) == s.span_id.to_hex());
  check_attribute_args(args, 2, ev.attributes);
}

// Checks the metadata and returns the spans' and events' elements in order,
// after checking that every thread is named once, before its first event.
struct Document {
  explicit Document(std::string json, const Resource& resource = example_resource())
      : text(std::move(json)) {
    const dom::array array = parse_events(parser, text);
    REQUIRE(array.size() >= 1);
    const dom::element process = array.at(0);
    CHECK(keys_of(process) == std::vector<std::string>{"ph", "pid", "name", "args"});
    CHECK(str(process["ph"]) == "M");
    CHECK(str(process["name"]) == "process_name");
    CHECK(uint64_t(process["pid"]) == resource.process_id);
    CHECK(keys_of(process["args"]) == std::vector<std::string>{"name"});
    CHECK(str(process["args"]["name"]) == resource.service_name);
    bool first = true;
    for (const dom::element e : array) {
      if (first) {
        first = false;
        continue;
      }
      CHECK(uint64_t(e["pid"]) == resource.process_id);
      const uint64_t tid = e["tid"];
      if (str(e["ph"]) == "M") {
        CHECK(keys_of(e) == std::vector<std::string>{"ph", "pid", "tid", "name", "args"});
        CHECK(str(e["name"]) == "thread_name");
        CHECK(str(e["args"]["name"]) == "thread " + std::to_string(tid));
        CHECK(named_threads.insert(tid).second);  // once per thread
        continue;
      }
      CHECK(named_threads.count(tid) == 1);  // named before its first event
      events.push_back(e);
    }
  }
  std::string text;
  dom::parser parser;
  std::set<uint64_t> named_threads;
  std::vector<dom::element> events;
};

}  // namespace

TEST_CASE("chrome_json: a complete event, its instant events and the metadata", "[chrome_json]") {
  hotspan_test::FullSpan full;
  full.record.start_unix_ns += 123;  // a fraction of a microsecond, written as .123
  const Document doc(encode_document({{full.record}}));
  CHECK(doc.named_threads == std::set<uint64_t>{31337});
  REQUIRE(doc.events.size() == 3);
  const OwnedSpan s = hotspan_test::own(full.record);
  check_complete_event(doc.events[0], s, 4242, doc.text);
  check_instant_event(doc.events[1], s, s.events[0], 4242, doc.text);
  check_instant_event(doc.events[2], s, s.events[1], 4242, doc.text);

  // The same facts spelled out once, literally.
  CHECK(doc.text.find(R"("ts":1700000000000000.123,"dur":12409.877,)") != std::string::npos);
  CHECK(doc.text.find(R"("ts":1700000000000000.500,"s":"t")") != std::string::npos);
  CHECK(doc.text.find(R"({"ph":"M","pid":4242,"tid":31337,"name":"thread_name",)"
                      R"("args":{"name":"thread 31337"}})") != std::string::npos);
  CHECK(str(doc.events[0]["args"]["parent_span_id"]) == "fedcba9876543210");
  CHECK(str(doc.events[0]["args"]["status"]) == "error");
  CHECK(doc.text.substr(0, 40) == R"({"displayTimeUnit":"ns","traceEvents":[)"
                                  "\n");
  CHECK(doc.text.substr(doc.text.size() - 3) == "]}\n");
}

TEST_CASE("chrome_json: kinds as categories, statuses by name", "[chrome_json]") {
  const hotspan_test::FullSpan full;
  std::vector<SpanRecord> batch;
  for (const SpanKind kind : {SpanKind::internal, SpanKind::server, SpanKind::client,
                              SpanKind::producer, SpanKind::consumer}) {
    for (const StatusCode status :
         {StatusCode::unset, StatusCode::ok, StatusCode::error, StatusCode::cancelled}) {
      SpanRecord r = full.record;
      r.kind = kind;
      r.status = status;
      r.status_message = status == StatusCode::cancelled ? "client went away" : "";
      r.events = {};
      batch.push_back(r);
    }
  }
  const Document doc(encode_document({batch}));
  REQUIRE(doc.events.size() == batch.size());
  for (size_t i = 0; i < batch.size(); ++i)
    check_complete_event(doc.events[i], hotspan_test::own(batch[i]), 4242, doc.text);
  CHECK(str(doc.events[3]["cat"]) == "internal");
  CHECK(str(doc.events[19]["cat"]) == "consumer");
  CHECK(str(doc.events[19]["args"]["status"]) == "cancelled");
  CHECK(str(doc.events[19]["args"]["status_message"]) == "client went away");
}

TEST_CASE("chrome_json: roots, reserved and repeated attribute keys", "[chrome_json]") {
  const hotspan_test::FullSpan full;
  const std::vector<AttributeView> attributes = {{"status", int64_t{404}},
                                                 {"a", int64_t{1}},
                                                 {"trace_id", std::string_view("mine")},
                                                 {"a", std::string_view("two")},
                                                 {"span_id", true}};
  SpanRecord root = full.record;
  root.parent_span_id = SpanId{};
  root.attributes = attributes;
  root.events = {};
  root.end_unix_ns = root.start_unix_ns - 1;  // a clock that went backwards: dur 0
  SpanRecord empty = full.record;
  empty.attributes = {};
  empty.events = {};
  empty.name = "";
  const Document doc(encode_document({{root, empty}}));
  REQUIRE(doc.events.size() == 2);
  check_complete_event(doc.events[0], hotspan_test::own(root), 4242, doc.text);
  check_complete_event(doc.events[1], hotspan_test::own(empty), 4242, doc.text);
  const dom::object args = doc.events[0]["args"];
  CHECK(keys_of(args) == std::vector<std::string>{"trace_id", "span_id", "status", "status_message",
                                                  "attribute.status", "a", "attribute.trace_id",
                                                  "attribute.span_id"});
  CHECK(str(args["trace_id"]) == "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK(int64_t(args["attribute.status"]) == 404);
  CHECK(str(args["a"]) == "two");
  CHECK(double(doc.events[0]["dur"]) == 0.0);
  CHECK(doc.text.find(R"("dur":0.000,)") != std::string::npos);
}

TEST_CASE("chrome_json: int64 extremes, non-finite doubles, invalid UTF-8 and controls",
          "[chrome_json]") {
  const hotspan_test::FullSpan full;
  const std::string name = std::string("a\0b\x01\n\t\"\\\x7f", 9) + "\xff" + "z";
  const std::string key = "k\xe2\x82";
  const std::vector<AttributeView> attributes = {{"min", std::numeric_limits<int64_t>::min()},
                                                 {"max", std::numeric_limits<int64_t>::max()},
                                                 {"nan", std::numeric_limits<double>::quiet_NaN()},
                                                 {"inf", std::numeric_limits<double>::infinity()},
                                                 {"-inf", -std::numeric_limits<double>::infinity()},
                                                 {"tenth", 0.1},
                                                 {key, std::string_view("\xc0\xaf\x1f")},
                                                 {"", std::string_view()}};
  const std::vector<EventView> events = {{name, 0, attributes}};
  SpanRecord r = full.record;
  r.name = name;
  r.attributes = attributes;
  r.events = events;
  r.status_message = "\x80";
  r.start_unix_ns = 0;
  r.end_unix_ns = std::numeric_limits<uint64_t>::max();
  r.thread_id = std::numeric_limits<uint32_t>::max();

  Resource resource = example_resource();
  resource.service_name = "svc\n\xfe";
  resource.process_id = std::numeric_limits<uint32_t>::max();
  Resource expected_resource = resource;
  expected_resource.service_name = "svc\n" + kFffd;
  const Document doc(encode_document({{r}}, resource), expected_resource);
  CHECK(std::none_of(doc.text.begin(), doc.text.end(),
                     [](unsigned char c) { return c < 0x20 && c != '\n'; }));
  REQUIRE(doc.events.size() == 2);
  OwnedSpan expected = hotspan_test::own(r);
  expected.name = std::string("a\0b\x01\n\t\"\\\x7f", 9) + kFffd + "z";
  expected.attributes[6] = {"k" + kFffd, kFffd + kFffd + "\x1f"};
  expected.status_message = kFffd;
  expected.events[0].name = expected.name;
  expected.events[0].attributes = expected.attributes;
  check_complete_event(doc.events[0], expected, resource.process_id, doc.text);
  check_instant_event(doc.events[1], expected, expected.events[0], resource.process_id, doc.text);
  CHECK(doc.text.find(R"("min":-9223372036854775808,"max":9223372036854775807,)") !=
        std::string::npos);
  CHECK(doc.text.find(R"("ts":0.000,"dur":18446744073709551.615,)") != std::string::npos);
}

TEST_CASE("chrome_json: batches join into one document", "[chrome_json]") {
  const hotspan_test::FullSpan full;
  std::vector<SpanRecord> first(3, full.record), second(2, full.record);
  for (size_t i = 0; i < first.size(); ++i) {
    first[i].span_id = SpanId{100 + i};
    first[i].thread_id = 7;
  }
  second[0].thread_id = 7;
  second[1].thread_id = 8;
  SECTION("with spans in every batch, or empty ones") {
    const Document doc(encode_document({first, {}, second, first, {}}));
    CHECK(doc.named_threads == std::set<uint64_t>{7, 8});
    CHECK(doc.events.size() == 3 * (3 + 2 + 3));  // each span with its two events
  }
  SECTION("without any span") {
    const Document doc(encode_document({}));
    CHECK(doc.events.empty());
    const Document empty_batches(encode_document({{}, {}}));
    CHECK(empty_batches.events.empty());
  }
  SECTION("a file cut off before finish() is repaired by appending ]}") {
    auto encoder = hotspan::detail::make_chrome_json_encoder();
    std::string out;
    encoder->begin(example_resource(), out);
    encoder->delivered(true);
    encoder->encode(first, out);
    encoder->delivered(true);
    const Document doc(out + "]}");
    CHECK(doc.events.size() == 9);
  }
}

TEST_CASE("chrome_json: a block that did not reach the sink is written again", "[chrome_json]") {
  const hotspan_test::FullSpan full;
  SpanRecord a = full.record, b = full.record;
  a.events = b.events = {};
  a.thread_id = 1;
  b.thread_id = 2;
  auto encoder = hotspan::detail::make_chrome_json_encoder();
  std::string file, block;
  auto deliver = [&](bool reached) {
    if (reached) file += block;
    encoder->delivered(reached);
    block.clear();
  };
  encoder->begin(example_resource(), block);
  deliver(false);  // the opening was lost: the next block starts with it
  encoder->encode(std::vector<SpanRecord>{a}, block);
  CHECK(block.find("traceEvents") != std::string::npos);
  deliver(false);  // lost again, thread 1 included
  encoder->encode(std::vector<SpanRecord>{b}, block);
  block.clear();  // encoded but never delivered (the sink threw): forgotten as well
  encoder->encode(std::vector<SpanRecord>{a, b}, block);
  deliver(true);
  encoder->encode(std::vector<SpanRecord>{a, b}, block);
  deliver(true);
  encoder->finish(block);
  deliver(true);
  const Document doc(file);
  CHECK(doc.named_threads == std::set<uint64_t>{1, 2});
  CHECK(doc.events.size() == 4);
}

TEST_CASE("chrome_json: a Tracer's spans on several threads through ostream_exporter",
          "[chrome_json][tracer]") {
  std::ostringstream os;
  auto capture = std::make_shared<hotspan_test::CaptureExporter>();
  {
    hotspan::TracerOptions o;
    o.service_name = "chrome-test";
    o.exporter =
        hotspan::multi_exporter({capture, hotspan::ostream_exporter(os, Format::chrome_json)});
    hotspan::Tracer tracer(o);
    auto work = [&tracer](int worker) {
      for (int i = 0; i < 4; ++i) {
        hotspan::Span span = tracer.start_span("work", SpanKind::server);
        span.set_attribute("worker", worker).set_attribute("i", i).set_attribute("ok", i % 2 == 0);
        hotspan::Scope scope(span);
        tracer.start_span("child", SpanKind::client)
            .add_event("sent", {{"bytes", 512}, {"ratio", 0.5}})
            .set_status(i == 3 ? StatusCode::cancelled : StatusCode::ok, "x");
        if (i == 1) tracer.flush();
      }
    };
    std::thread other(work, 1);
    work(0);
    other.join();
    tracer.shutdown();
  }
  const std::vector<OwnedSpan> spans = capture->spans();
  REQUIRE(spans.size() == 16);
  Resource resource = capture->resource();
  CHECK(resource.process_id == static_cast<uint32_t>(::getpid()));
  const Document doc(os.str(), resource);
  std::map<std::string, const OwnedSpan*> by_id;
  std::set<uint64_t> threads;
  for (const OwnedSpan& s : spans) {
    by_id[s.span_id.to_hex()] = &s;
    threads.insert(s.thread_id);
  }
  CHECK(threads.size() == 2);
  CHECK(doc.named_threads == threads);
  size_t complete = 0, instant = 0;
  for (size_t i = 0; i < doc.events.size(); ++i) {
    const dom::element e = doc.events[i];
    const OwnedSpan& s = *by_id.at(str(e["args"]["span_id"]));
    if (str(e["ph"]) == "X") {
      check_complete_event(e, s, resource.process_id, doc.text);
      ++complete;
      for (const auto& ev : s.events) {  // the span's events follow it
        REQUIRE(i + 1 < doc.events.size());
        check_instant_event(doc.events[++i], s, ev, resource.process_id, doc.text);
        ++instant;
      }
    }
  }
  CHECK(complete == 16);
  CHECK(instant == 8);
}
