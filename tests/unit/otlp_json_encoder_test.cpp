// Tests of the OTLP/JSON encoding (Format::otlp_json): every line is parsed with
// simdjson and every field checked against the records, built by hand and
// recorded by a real Tracer. The tests tagged [otlp_decoder] (hidden from the
// default run; ctest runs them as `otlp_json_real_decoder`) hand the output to
// tests/otlp_decoder/decode_otlp_json.mjs, which decodes it with protobufjs and
// the official opentelemetry-proto schema, and compare its summary with what
// the Tracer recorded; they also check that the decoder rejects malformed input.
#include <simdjson.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "capture_exporter.hpp"
#include "formats/otlp/otlp_json_encoder.hpp"
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
namespace fs = std::filesystem;

using hotspan_test::example_trace_id;
using hotspan_test::keys_of;
using hotspan_test::kFffd;
using hotspan_test::str;

namespace {

Resource example_resource() {
  Resource resource;
  resource.service_name = "relay";
  resource.attributes = {{"service.name", "relay"}, {"deployment.environment", "test"}};
  resource.process_id = 4242;
  return resource;
}

// The whole output of one encoder: begin, one encode() per batch, finish.
std::string encode_batches(const std::vector<std::vector<SpanRecord>>& batches,
                           const Resource& resource = example_resource()) {
  auto encoder = hotspan::detail::make_otlp_json_encoder();
  std::string out;
  encoder->begin(resource, out);
  for (const auto& batch : batches)
    encoder->encode(batch, out);
  encoder->finish(out);
  return out;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

bool is_integer(dom::element e) {
  return e.type() == dom::element_type::INT64 || e.type() == dom::element_type::UINT64;
}

// Every line: newline-terminated, valid UTF-8, one JSON object. Returns the
// parsed documents (each with its own parser, so all stay valid).
struct ParsedLines {
  explicit ParsedLines(const std::string& text) {
    REQUIRE(simdjson::validate_utf8(text));
    REQUIRE((text.empty() || text.back() == '\n'));
    lines = split_lines(text);
    parsers.resize(lines.size());
    for (size_t i = 0; i < lines.size(); ++i) {
      dom::element doc;
      INFO("line " << i + 1 << ": " << lines[i]);
      REQUIRE(parsers[i].parse(lines[i]).get(doc) == simdjson::SUCCESS);
      REQUIRE(doc.type() == dom::element_type::OBJECT);
      docs.push_back(doc);
    }
  }
  std::vector<std::string> lines;
  std::vector<dom::parser> parsers;
  std::vector<dom::element> docs;
};

// The spans of one TracesData line, after checking its resource and scope.
dom::array spans_of(dom::element doc, const Resource& resource = example_resource()) {
  CHECK(keys_of(doc) == std::vector<std::string>{"resourceSpans"});
  const dom::array resource_spans = doc["resourceSpans"];
  REQUIRE(resource_spans.size() == 1);
  const dom::element rs = resource_spans.at(0);
  CHECK(keys_of(rs) == std::vector<std::string>{"resource", "scopeSpans"});
  CHECK(keys_of(rs["resource"]) == std::vector<std::string>{"attributes"});
  const dom::array attributes = rs["resource"]["attributes"];
  REQUIRE(attributes.size() == resource.attributes.size());
  size_t i = 0;
  for (const dom::element kv : attributes) {
    CHECK(keys_of(kv) == std::vector<std::string>{"key", "value"});
    CHECK(str(kv["key"]) == resource.attributes[i].first);
    CHECK(keys_of(kv["value"]) == std::vector<std::string>{"stringValue"});
    CHECK(str(kv["value"]["stringValue"]) == resource.attributes[i].second);
    ++i;
  }
  const dom::array scope_spans = rs["scopeSpans"];
  REQUIRE(scope_spans.size() == 1);
  const dom::element ss = scope_spans.at(0);
  CHECK(keys_of(ss) == std::vector<std::string>{"scope", "spans"});
  CHECK(keys_of(ss["scope"]) == std::vector<std::string>{"name", "version"});
  CHECK(str(ss["scope"]["name"]) == "hotspan");
  CHECK(str(ss["scope"]["version"]) == hotspan::version_string);
  CHECK(std::string(hotspan::version_string) == std::to_string(HOTSPAN_VERSION_MAJOR) + "." +
                                                    std::to_string(HOTSPAN_VERSION_MINOR) + "." +
                                                    std::to_string(HOTSPAN_VERSION_PATCH));
  return ss["spans"];
}

// An OTLP AnyValue: exactly one member, of the type protobuf's JSON mapping gives it.
void check_any_value(dom::element value, const OwnedValue& expected) {
  REQUIRE(value.type() == dom::element_type::OBJECT);
  REQUIRE(dom::object(value).size() == 1);
  switch (expected.index()) {
    case 0:
      REQUIRE(keys_of(value) == std::vector<std::string>{"boolValue"});
      CHECK(dom::element(value["boolValue"]).type() == dom::element_type::BOOL);
      CHECK(bool(value["boolValue"]) == std::get<0>(expected));
      break;
    case 1:  // int64 as a decimal string
      REQUIRE(keys_of(value) == std::vector<std::string>{"intValue"});
      CHECK(str(value["intValue"]) == std::to_string(std::get<1>(expected)));
      break;
    case 2: {
      REQUIRE(keys_of(value) == std::vector<std::string>{"doubleValue"});
      const double d = std::get<2>(expected);
      const dom::element v = value["doubleValue"];
      if (std::isnan(d)) {
        CHECK(str(v) == "NaN");
      } else if (std::isinf(d)) {
        CHECK(str(v) == (d > 0 ? "Infinity" : "-Infinity"));
      } else {
        REQUIRE(v.type() == dom::element_type::DOUBLE);
        CHECK(double(v) == d);
        CHECK(std::signbit(double(v)) == std::signbit(d));
      }
      break;
    }
    default:
      REQUIRE(keys_of(value) == std::vector<std::string>{"stringValue"});
      CHECK(str(value["stringValue"]) == std::get<3>(expected));
  }
}

void check_key_values(dom::element list,
                      const std::vector<std::pair<std::string, OwnedValue>>& attributes) {
  const auto expected = deduplicated(attributes);
  const dom::array array = list;
  REQUIRE(array.size() == expected.size());
  size_t i = 0;
  for (const dom::element kv : array) {
    INFO("attribute " << expected[i].first);
    CHECK(keys_of(kv) == std::vector<std::string>{"key", "value"});
    CHECK(str(kv["key"]) == expected[i].first);
    check_any_value(kv["value"], expected[i].second);
    ++i;
  }
}

std::string expected_status_message(const OwnedSpan& s) {
  if (s.status != StatusCode::cancelled) return s.status_message;
  return s.status_message.empty() ? "cancelled" : "cancelled: " + s.status_message;
}

// Every field of one span against what was recorded (strings as they must
// read back: valid UTF-8 recorded strings are written unchanged).
void check_span(dom::element span, const OwnedSpan& s) {
  INFO("span " << s.name);
  std::vector<std::string> keys = {"traceId", "spanId"};
  if (s.parent_span_id.valid()) keys.emplace_back("parentSpanId");
  for (const char* k : {"name", "kind", "startTimeUnixNano", "endTimeUnixNano", "attributes",
                        "droppedAttributesCount", "events", "droppedEventsCount", "status"})
    keys.emplace_back(k);
  CHECK(keys_of(span) == keys);
  CHECK(str(span["traceId"]) == s.trace_id.to_hex());
  CHECK(str(span["spanId"]) == s.span_id.to_hex());
  if (s.parent_span_id.valid()) CHECK(str(span["parentSpanId"]) == s.parent_span_id.to_hex());
  CHECK(str(span["name"]) == s.name);
  REQUIRE(is_integer(span["kind"]));
  CHECK(int64_t(span["kind"]) == static_cast<int>(s.kind) + 1);
  CHECK(str(span["startTimeUnixNano"]) == std::to_string(s.start_unix_ns));
  CHECK(str(span["endTimeUnixNano"]) == std::to_string(s.end_unix_ns));
  check_key_values(span["attributes"], s.attributes);
  REQUIRE(is_integer(span["droppedAttributesCount"]));
  CHECK(uint64_t(span["droppedAttributesCount"]) == s.dropped_attributes);
  REQUIRE(is_integer(span["droppedEventsCount"]));
  CHECK(uint64_t(span["droppedEventsCount"]) == s.dropped_events);
  const dom::array events = span["events"];
  REQUIRE(events.size() == s.events.size());
  size_t i = 0;
  for (const dom::element event : events) {
    const auto& e = s.events[i++];
    CHECK(keys_of(event) == std::vector<std::string>{"timeUnixNano", "name", "attributes"});
    CHECK(str(event["timeUnixNano"]) == std::to_string(e.time_unix_ns));
    CHECK(str(event["name"]) == e.name);
    check_key_values(event["attributes"], e.attributes);
  }
  CHECK(keys_of(span["status"]) == std::vector<std::string>{"code", "message"});
  const int code = s.status == StatusCode::unset ? 0 : s.status == StatusCode::ok ? 1 : 2;
  REQUIRE(is_integer(span["status"]["code"]));
  CHECK(int64_t(span["status"]["code"]) == code);
  CHECK(str(span["status"]["message"]) == expected_status_message(s));
}

// A span with every field set; its record points into the object, so keep it alive.

}  // namespace

TEST_CASE("otlp_json: every field of a full span", "[otlp_json]") {
  const hotspan_test::FullSpan full;
  const ParsedLines parsed(encode_batches({{full.record}}));
  REQUIRE(parsed.docs.size() == 1);
  const dom::array spans = spans_of(parsed.docs[0]);
  REQUIRE(spans.size() == 1);
  check_span(spans.at(0), hotspan_test::own(full.record));

  // The same facts spelled out once, literally.
  const dom::element span = spans.at(0);
  CHECK(str(span["traceId"]) == "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK(str(span["spanId"]) == "00f067aa0ba902b7");
  CHECK(str(span["parentSpanId"]) == "fedcba9876543210");
  CHECK(int64_t(span["kind"]) == 3);
  CHECK(str(span["startTimeUnixNano"]) == "1700000000000000000");
  CHECK(str(span["events"].at(0)["timeUnixNano"]) == "1700000000000000500");
  CHECK(str(span["attributes"].at(0)["value"]["intValue"]) == "42");
  CHECK(double(span["attributes"].at(4)["value"]["doubleValue"]) == 3.0);
  CHECK(parsed.lines[0].find(R"("doubleValue":3.0})") != std::string::npos);
  CHECK(int64_t(span["status"]["code"]) == 2);
  CHECK(str(span["status"]["message"]) == "timeout");
}

TEST_CASE("otlp_json: span kinds are OTLP's integers", "[otlp_json]") {
  const hotspan_test::FullSpan full;
  const std::pair<SpanKind, int> kinds[] = {{SpanKind::internal, 1}, {SpanKind::server, 2},
                                            {SpanKind::client, 3},   {SpanKind::producer, 4},
                                            {SpanKind::consumer, 5}, {static_cast<SpanKind>(9), 0}};
  std::vector<SpanRecord> batch;
  for (const auto& [kind, number] : kinds) {
    SpanRecord r = full.record;
    r.kind = kind;
    batch.push_back(r);
    STATIC_REQUIRE(hotspan::detail::otlp_span_kind(SpanKind::internal) == 1);
    CHECK(hotspan::detail::otlp_span_kind(kind) == number);
  }
  const ParsedLines parsed(encode_batches({batch}));
  const dom::array spans = spans_of(parsed.docs.at(0));
  REQUIRE(spans.size() == std::size(kinds));
  size_t i = 0;
  for (const dom::element span : spans)
    CHECK(int64_t(span["kind"]) == kinds[i++].second);
}

TEST_CASE("otlp_json: status codes, cancelled as an error", "[otlp_json]") {
  const hotspan_test::FullSpan full;
  struct Case {
    StatusCode status;
    std::string_view message;
    int code;
    std::string written;
  };
  const Case cases[] = {
      {StatusCode::unset, "", 0, ""},
      {StatusCode::ok, "", 1, ""},
      {StatusCode::ok, "fine", 1, "fine"},
      {StatusCode::error, "", 2, ""},
      {StatusCode::error, "connection refused", 2, "connection refused"},
      {StatusCode::cancelled, "", 2, "cancelled"},
      {StatusCode::cancelled, "client went away", 2, "cancelled: client went away"},
      {StatusCode::cancelled, "bad \xff\x01\"", 2, "cancelled: bad " + kFffd + "\x01\""},
      {static_cast<StatusCode>(7), "odd", 2, "odd"},
  };
  std::vector<SpanRecord> batch;
  for (const Case& c : cases) {
    SpanRecord r = full.record;
    r.status = c.status;
    r.status_message = c.message;
    batch.push_back(r);
  }
  const ParsedLines parsed(encode_batches({batch}));
  const dom::array spans = spans_of(parsed.docs.at(0));
  REQUIRE(spans.size() == std::size(cases));
  size_t i = 0;
  for (const dom::element span : spans) {
    const Case& c = cases[i++];
    INFO("status " << hotspan::to_string(c.status) << " message " << c.message);
    CHECK(keys_of(span["status"]) == std::vector<std::string>{"code", "message"});
    CHECK(int64_t(span["status"]["code"]) == c.code);
    CHECK(str(span["status"]["message"]) == c.written);
  }
}

TEST_CASE("otlp_json: roots have no parentSpanId, empty attributes and events are empty arrays",
          "[otlp_json]") {
  SpanRecord root;
  root.trace_id = example_trace_id();
  root.span_id = SpanId{1};
  root.name = "";
  const ParsedLines parsed(encode_batches({{root}}));
  const dom::element span = spans_of(parsed.docs.at(0)).at(0);
  CHECK(keys_of(span) == std::vector<std::string>{"traceId", "spanId", "name", "kind",
                                                  "startTimeUnixNano", "endTimeUnixNano",
                                                  "attributes", "droppedAttributesCount", "events",
                                                  "droppedEventsCount", "status"});
  CHECK(str(span["spanId"]) == "0000000000000001");
  CHECK(str(span["name"]) == "");
  CHECK(dom::array(span["attributes"]).size() == 0);
  CHECK(dom::array(span["events"]).size() == 0);
  CHECK(str(span["startTimeUnixNano"]) == "0");
  CHECK(int64_t(span["droppedAttributesCount"]) == 0);
  check_span(span, hotspan_test::own(root));
}

TEST_CASE("otlp_json: int64 extremes as strings, non-finite doubles as protobuf's strings",
          "[otlp_json]") {
  const hotspan_test::FullSpan full;
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<AttributeView> attributes = {
      {"min", std::numeric_limits<int64_t>::min()},
      {"max", std::numeric_limits<int64_t>::max()},
      {"zero", int64_t{0}},
      {"minus_one", int64_t{-1}},
      {"nan", std::numeric_limits<double>::quiet_NaN()},
      {"inf", inf},
      {"-inf", -inf},
      {"negative_zero", -0.0},
      {"max_double", std::numeric_limits<double>::max()},
      {"denormal", std::numeric_limits<double>::denorm_min()},
      {"tenth", 0.1},
      {"false", false},
      {"empty", std::string_view()},
  };
  SpanRecord r = full.record;
  r.attributes = attributes;
  r.start_unix_ns = 0;
  r.end_unix_ns = std::numeric_limits<uint64_t>::max();
  r.dropped_attributes = std::numeric_limits<uint32_t>::max();
  const ParsedLines parsed(encode_batches({{r}}));
  const std::string& line = parsed.lines.at(0);
  CHECK(line.find(R"({"intValue":"-9223372036854775808"})") != std::string::npos);
  CHECK(line.find(R"({"intValue":"9223372036854775807"})") != std::string::npos);
  CHECK(line.find(R"({"doubleValue":"NaN"})") != std::string::npos);
  CHECK(line.find(R"({"doubleValue":"Infinity"})") != std::string::npos);
  CHECK(line.find(R"({"doubleValue":"-Infinity"})") != std::string::npos);
  CHECK(line.find(R"("endTimeUnixNano":"18446744073709551615")") != std::string::npos);
  CHECK(line.find(R"("droppedAttributesCount":4294967295)") != std::string::npos);
  check_span(spans_of(parsed.docs.at(0)).at(0), hotspan_test::own(r));
}

TEST_CASE("otlp_json: invalid UTF-8 and control characters in names, keys and values",
          "[otlp_json]") {
  const hotspan_test::FullSpan full;
  const std::string name = std::string("a\0b\x01\n\t\"\\\x7f", 9) + "\xff" + "\xc0\xaf" + "z";
  const std::string key = "k\xe2\x82";  // cut-off 3-byte sequence
  const std::string value = "\xed\xa0\x80 \xf4\x90\x80\x80 caf\xc3\xa9 \xf0\x9f\x98\x80";
  const std::vector<AttributeView> attributes = {{key, std::string_view(value)},
                                                 {"ctl\x1f", std::string_view("\r\b\f")}};
  const std::vector<EventView> events = {{name, 5, attributes}};
  SpanRecord r = full.record;
  r.name = name;
  r.attributes = attributes;
  r.events = events;
  r.status_message = "\x80";

  const std::string out = encode_batches({{r}});
  const ParsedLines parsed(out);
  CHECK(std::none_of(parsed.lines.at(0).begin(), parsed.lines.at(0).end(),
                     [](unsigned char c) { return c < 0x20; }));  // every control escaped
  OwnedSpan expected = hotspan_test::own(r);
  expected.name = std::string("a\0b\x01\n\t\"\\\x7f", 9) + kFffd + kFffd + kFffd + "z";
  expected.attributes = {
      {"k" + kFffd,
       "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
       "\xEF\xBF\xBD caf\xc3\xa9 \xf0\x9f\x98\x80"},
      {"ctl\x1f", "\r\b\f"}};
  expected.events.at(0).name = expected.name;
  expected.events.at(0).attributes = expected.attributes;
  expected.status_message = kFffd;
  check_span(spans_of(parsed.docs.at(0)).at(0), expected);
}

TEST_CASE("otlp_json: a key recorded twice is written once with its last value", "[otlp_json]") {
  const hotspan_test::FullSpan full;
  const std::vector<AttributeView> attributes = {
      {"a", int64_t{1}}, {"b", true}, {"a", std::string_view("two")}, {"c", 1.5}, {"b", false}};
  SpanRecord r = full.record;
  r.attributes = attributes;
  const ParsedLines parsed(encode_batches({{r}}));
  const dom::array kvs = spans_of(parsed.docs.at(0)).at(0)["attributes"];
  REQUIRE(kvs.size() == 3);
  CHECK(str(kvs.at(0)["key"]) == "a");
  CHECK(str(kvs.at(0)["value"]["stringValue"]) == "two");
  CHECK(str(kvs.at(1)["key"]) == "b");
  CHECK(bool(kvs.at(1)["value"]["boolValue"]) == false);
  CHECK(str(kvs.at(2)["key"]) == "c");
}

TEST_CASE("otlp_json: resource attributes, service.name first, and the scope", "[otlp_json]") {
  const hotspan_test::FullSpan full;
  SpanRecord r = full.record;
  SECTION("every Resource attribute, escaped") {
    Resource resource = example_resource();
    resource.attributes.emplace_back("host.name", "relay\n\"7\"");
    const ParsedLines parsed(encode_batches({{r}}, resource));
    CHECK(dom::array(spans_of(parsed.docs.at(0), resource)).size() == 1);
  }
  SECTION("service_name stands in for a missing service.name") {
    Resource resource;
    resource.service_name = "bare";
    Resource expected = resource;
    expected.attributes = {{"service.name", "bare"}};
    const ParsedLines parsed(encode_batches({{r}}, resource));
    CHECK(dom::array(spans_of(parsed.docs.at(0), expected)).size() == 1);
  }
  SECTION("a repeated resource key once, with its last value") {
    Resource resource = example_resource();
    resource.attributes.emplace_back("deployment.environment", "prod");
    Resource expected = example_resource();
    expected.attributes[1].second = "prod";
    const ParsedLines parsed(encode_batches({{r}}, resource));
    CHECK(dom::array(spans_of(parsed.docs.at(0), expected)).size() == 1);
  }
}

TEST_CASE("otlp_json: one TracesData object per line per batch", "[otlp_json]") {
  const hotspan_test::FullSpan full;
  std::vector<SpanRecord> first(3, full.record), second(1, full.record);
  for (size_t i = 0; i < first.size(); ++i)
    first[i].span_id = SpanId{100 + i};
  second[0].span_id = SpanId{200};
  const std::string out = encode_batches({first, {}, second, first});
  const ParsedLines parsed(out);
  REQUIRE(parsed.docs.size() == 3);  // the empty batch wrote nothing
  CHECK(dom::array(spans_of(parsed.docs[0])).size() == 3);
  CHECK(dom::array(spans_of(parsed.docs[1])).size() == 1);
  CHECK(dom::array(spans_of(parsed.docs[2])).size() == 3);
  CHECK(str(spans_of(parsed.docs[1]).at(0)["spanId"]) == "00000000000000c8");
  CHECK(str(spans_of(parsed.docs[2]).at(2)["spanId"]) == "0000000000000066");

  // begin() and finish() write nothing of their own.
  CHECK(encode_batches({}).empty());
}

namespace {

// Spans of every kind and status, with attributes of every type and events,
// recorded by a real Tracer; the exporter's own copies come back for comparison.
struct RecordedTrace {
  explicit RecordedTrace(std::shared_ptr<hotspan::Exporter> exporter, size_t batch_size = 512) {
    capture = std::make_shared<hotspan_test::CaptureExporter>();
    hotspan::TracerOptions o;
    o.service_name = "otlp-test";
    o.resource = {{"deployment.environment", "ci"}, {"host.name", "h\x01st"}};
    o.exporter = hotspan::multi_exporter({capture, std::move(exporter)});
    o.export_batch_size = batch_size;
    hotspan::Tracer tracer(o);
    {
      hotspan::Span root = tracer.start_span("relay.circuit", SpanKind::server);
      root.set_attribute("circuit.id", 42)
          .set_attribute("min", std::numeric_limits<int64_t>::min())
          .set_attribute("max", std::numeric_limits<int64_t>::max())
          .set_attribute("exit", true)
          .set_attribute("ratio", 0.25)
          .set_attribute("nan", std::numeric_limits<double>::quiet_NaN())
          .set_attribute("inf", std::numeric_limits<double>::infinity())
          .set_attribute("-inf", -std::numeric_limits<double>::infinity())
          .set_attribute("path", "guard>middle>exit")
          .set_attribute("quote\"tab\t", "line\nbreak \xc3\xa9 \xf0\x9f\x98\x80");
      root.set_status(StatusCode::ok);
      hotspan::Scope scope(root);
      for (int i = 0; i < 3; ++i) {
        {
          hotspan::Span hop = tracer.start_span("relay.hop", SpanKind::client);
          hop.set_attribute("hop", i).add_event("cell.sent", {{"cmd", "EXTEND2"}, {"len", 509}});
          if (i == 1) hop.record_error("timeout");
          if (i == 2) hop.set_status(StatusCode::cancelled, "client went away");
        }
        tracer.flush();  // several batches
      }
      tracer.start_span("queue.put", SpanKind::producer).set_status(StatusCode::cancelled);
      tracer.start_span("queue.get", SpanKind::consumer).add_event("empty");
      tracer.start_span("internal", SpanKind::internal).set_status(StatusCode::error, "");
    }
    tracer.shutdown();
    spans = capture->spans();
    resource = capture->resource();
  }
  std::shared_ptr<hotspan_test::CaptureExporter> capture;
  std::vector<OwnedSpan> spans;
  Resource resource;
};

const OwnedSpan& find_span(const std::vector<OwnedSpan>& spans, std::string_view span_id_hex) {
  for (const OwnedSpan& s : spans)
    if (s.span_id.to_hex() == span_id_hex) return s;
  FAIL("no recorded span " << span_id_hex);
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("otlp_json: a Tracer's spans through ostream_exporter", "[otlp_json][tracer]") {
  std::ostringstream os;
  const RecordedTrace trace(hotspan::ostream_exporter(os, Format::otlp_json));
  REQUIRE(trace.spans.size() == 7);
  const ParsedLines parsed(os.str());
  CHECK(parsed.docs.size() >= 3);  // flushed between hops
  size_t seen = 0;
  for (const dom::element doc : parsed.docs) {
    for (const dom::element span : spans_of(doc, trace.resource)) {
      check_span(span, find_span(trace.spans, str(span["spanId"])));
      ++seen;
    }
  }
  CHECK(seen == trace.spans.size());
  CHECK(trace.resource.attributes.at(0).first == "service.name");
}

// ---------------------------------------------------------------------------
// The real decoder (hidden: run by ctest's otlp_json_real_decoder, which sets
// HOTSPAN_NODE and HOTSPAN_OTLP_DECODER).

namespace {

struct DecoderRun {
  int exit_code = -1;
  std::string out;  // stdout, then stderr
};

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (const char c : s) {
    if (c == '\'') {
      q += "'\\''";
    } else {
      q += c;
    }
  }
  return q + "'";
}

DecoderRun run_decoder(const fs::path& file, bool merge_stderr = false) {
  const char* node = std::getenv("HOTSPAN_NODE");
  const char* script = std::getenv("HOTSPAN_OTLP_DECODER");
  if (script == nullptr) {
    FAIL("HOTSPAN_OTLP_DECODER is not set: run this test through ctest (otlp_json_real_decoder)");
  }
  const std::string command = shell_quote(node != nullptr ? node : "node") + " " +
                              shell_quote(script) + " " + shell_quote(file.string()) +
                              (merge_stderr ? " 2>&1" : "");
  DecoderRun run;
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof(buf), pipe)) > 0;)
    run.out.append(buf, n);
  const int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

struct TempFile {
  TempFile() {
    std::string pattern = (fs::temp_directory_path() / "hotspan-otlp-XXXXXX").string();
    const int fd = ::mkstemp(pattern.data());
    REQUIRE(fd >= 0);
    ::close(fd);
    path = pattern;
  }
  ~TempFile() {
    std::error_code ignored;
    fs::remove(path, ignored);
  }
  void write(const std::string& text) const {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  }
  fs::path path;
};

// The decoder's typed value ({"int":"-1"}, {"double":"NaN"}, ...) against what was recorded.
void check_decoded_value(dom::element value, const OwnedValue& expected) {
  switch (expected.index()) {
    case 0:
      CHECK(bool(value["bool"]) == std::get<0>(expected));
      break;
    case 1:
      CHECK(str(value["int"]) == std::to_string(std::get<1>(expected)));
      break;
    case 2: {
      const double d = std::get<2>(expected);
      if (d == 0 && std::signbit(d)) {
        CHECK(str(value["double"]) == "-0");  // the summary's spelling, JSON numbers lose it
      } else if (std::isfinite(d)) {
        CHECK(double(value["double"]) == d);
      } else {
        CHECK(str(value["double"]) == (std::isnan(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity"));
      }
      break;
    }
    default:
      CHECK(str(value["string"]) == std::get<3>(expected));
  }
}

void check_decoded_key_values(dom::array list,
                              const std::vector<std::pair<std::string, OwnedValue>>& attributes) {
  const auto expected = deduplicated(attributes);
  REQUIRE(list.size() == expected.size());
  size_t i = 0;
  for (const dom::element kv : list) {
    CHECK(str(kv["key"]) == expected[i].first);
    check_decoded_value(kv["value"], expected[i].second);
    ++i;
  }
}

}  // namespace

TEST_CASE("otlp_json: a real OTLP decoder (protobufjs, opentelemetry-proto) reads the file",
          "[.][otlp_decoder]") {
  const TempFile file;
  const RecordedTrace trace(hotspan::file_exporter(file.path.string(), Format::otlp_json));
  REQUIRE(trace.spans.size() == 7);

  const DecoderRun run = run_decoder(file.path);
  INFO("decoder output: " << run.out);
  REQUIRE(run.exit_code == 0);
  dom::parser parser;
  dom::element summary;
  REQUIRE(parser.parse(run.out).get(summary) == simdjson::SUCCESS);

  CHECK(uint64_t(summary["lines"]) >= 3);
  CHECK(uint64_t(summary["wire_bytes"]) > 0);
  REQUIRE(uint64_t(summary["span_count"]) == trace.spans.size());
  for (const dom::element resource : dom::array(summary["resources"])) {
    const dom::array attributes = resource["attributes"];
    REQUIRE(attributes.size() == trace.resource.attributes.size());
    size_t i = 0;
    for (const dom::element kv : attributes) {
      CHECK(str(kv["key"]) == trace.resource.attributes[i].first);
      CHECK(str(kv["value"]["string"]) == trace.resource.attributes[i].second);
      ++i;
    }
    CHECK(str(resource["scope"]["name"]) == "hotspan");
    CHECK(str(resource["scope"]["version"]) == hotspan::version_string);
  }

  for (const dom::element span : dom::array(summary["spans"])) {
    const OwnedSpan& s = find_span(trace.spans, str(span["spanId"]));
    INFO("span " << s.name);
    CHECK(str(span["traceId"]) == s.trace_id.to_hex());
    CHECK(str(span["parentSpanId"]) == (s.parent_span_id.valid() ? s.parent_span_id.to_hex() : ""));
    CHECK(str(span["name"]) == s.name);
    CHECK(int64_t(span["kind"]) == static_cast<int>(s.kind) + 1);
    CHECK(str(span["startTimeUnixNano"]) == std::to_string(s.start_unix_ns));
    CHECK(str(span["endTimeUnixNano"]) == std::to_string(s.end_unix_ns));
    const int code = s.status == StatusCode::unset ? 0 : s.status == StatusCode::ok ? 1 : 2;
    CHECK(int64_t(span["status"]["code"]) == code);
    CHECK(str(span["status"]["message"]) == expected_status_message(s));
    check_decoded_key_values(span["attributes"], s.attributes);
    CHECK(uint64_t(span["droppedAttributesCount"]) == s.dropped_attributes);
    CHECK(uint64_t(span["droppedEventsCount"]) == s.dropped_events);
    const dom::array events = span["events"];
    REQUIRE(events.size() == s.events.size());
    size_t i = 0;
    for (const dom::element event : events) {
      CHECK(str(event["name"]) == s.events[i].name);
      CHECK(str(event["timeUnixNano"]) == std::to_string(s.events[i].time_unix_ns));
      check_decoded_key_values(event["attributes"], s.events[i].attributes);
      ++i;
    }
  }

  // Hand-built extremes and bad bytes go through the decoder as well.
  const hotspan_test::FullSpan full;
  SpanRecord odd = full.record;
  const std::vector<AttributeView> attributes = {{"min", std::numeric_limits<int64_t>::min()},
                                                 {"zero", int64_t{0}},
                                                 {"nan", std::numeric_limits<double>::quiet_NaN()},
                                                 {"-inf", -std::numeric_limits<double>::infinity()},
                                                 {"negative_zero", -0.0},
                                                 {"empty", std::string_view()},
                                                 {"bad\xff", std::string_view("\xc0\x80\x01")}};
  odd.attributes = attributes;
  odd.name = "\xed\xa0\x80";
  odd.status = StatusCode::cancelled;
  odd.end_unix_ns = std::numeric_limits<uint64_t>::max();
  odd.dropped_events = std::numeric_limits<uint32_t>::max();
  SpanRecord root = full.record;
  root.parent_span_id = SpanId{};
  root.span_id = SpanId{~uint64_t{0}};
  root.attributes = {};
  root.events = {};
  file.write(encode_batches({{odd, root}, {root}}));
  const DecoderRun odd_run = run_decoder(file.path);
  INFO("decoder output: " << odd_run.out);
  REQUIRE(odd_run.exit_code == 0);
  dom::parser odd_parser;
  const dom::element odd_summary = odd_parser.parse(odd_run.out);
  CHECK(uint64_t(odd_summary["lines"]) == 2);
  REQUIRE(uint64_t(odd_summary["span_count"]) == 3);
  const dom::element decoded = odd_summary["spans"].at(0);
  CHECK(str(decoded["name"]) == kFffd + kFffd + kFffd);
  CHECK(str(decoded["endTimeUnixNano"]) == "18446744073709551615");
  CHECK(uint64_t(decoded["droppedEventsCount"]) == 4294967295u);
  CHECK(str(decoded["status"]["message"]) == "cancelled: timeout");
  OwnedSpan expected = hotspan_test::own(odd);
  expected.attributes.back() = {"bad" + kFffd, kFffd + kFffd + "\x01"};
  check_decoded_key_values(decoded["attributes"], expected.attributes);
  const dom::element decoded_root = odd_summary["spans"].at(1);
  CHECK(str(decoded_root["parentSpanId"]) == "");
  CHECK(str(decoded_root["spanId"]) == "ffffffffffffffff");
  CHECK(dom::array(decoded_root["attributes"]).size() == 0);
}

TEST_CASE("otlp_json: the real decoder rejects what OTLP/JSON does not allow",
          "[.][otlp_decoder]") {
  const hotspan_test::FullSpan full;
  const std::string good = encode_batches({{full.record}});
  const TempFile file;
  file.write(good);
  REQUIRE(run_decoder(file.path).exit_code == 0);

  struct Mutation {
    const char* what;
    std::string from, to;
  };
  const Mutation mutations[] = {
      {"unknown span field", R"("kind":3,)", R"("kind":3,"color":"red",)"},
      {"unknown top-level field", R"({"resourceSpans")", R"({"extra":[],"resourceSpans")"},
      {"snake_case field name", R"("traceId")", R"("trace_id")"},
      {"enum as a name", R"("kind":3)", R"("kind":"SPAN_KIND_CLIENT")"},
      {"enum value out of range", R"("kind":3)", R"("kind":9)"},
      {"enum as a fraction", R"("code":2)", R"("code":2.5)"},
      {"int64 as a number", R"("startTimeUnixNano":"1700000000000000000")",
       R"("startTimeUnixNano":1700000000000000000)"},
      {"int64 with a sign", R"("intValue":"42")", R"("intValue":"+42")"},
      {"int64 out of range", R"("intValue":"42")", R"("intValue":"9223372036854775808")"},
      {"fixed64 negative", R"("startTimeUnixNano":"1700000000000000000")",
       R"("startTimeUnixNano":"-1")"},
      {"uint32 negative", R"("droppedAttributesCount":2)", R"("droppedAttributesCount":-1)"},
      {"uint32 as a string", R"("droppedAttributesCount":2)", R"("droppedAttributesCount":"2")"},
      {"string as a number", R"("name":"build-circuit")", R"("name":7)"},
      {"bool as a string", R"("boolValue":true)", R"("boolValue":"true")"},
      {"double as a wrong string", R"("doubleValue":0.75)", R"("doubleValue":"nan")"},
      {"two oneof members", R"({"boolValue":true})", R"({"boolValue":true,"intValue":"1"})"},
      {"base64 trace id", R"("traceId":"4bf92f3577b34da6a3ce929d0e0e4736")",
       R"("traceId":"S/kvNXezTaajzpKdDg5HNg==")"},
      {"uppercase hex", R"("spanId":"00f067aa0ba902b7")", R"("spanId":"00F067AA0BA902B7")"},
      {"short span id", R"("spanId":"00f067aa0ba902b7")", R"("spanId":"00f067aa0ba902")"},
      {"zero trace id", R"("traceId":"4bf92f3577b34da6a3ce929d0e0e4736")",
       R"("traceId":"00000000000000000000000000000000")"},
      {"null value", R"("name":"build-circuit")", R"("name":null)"},
      {"object for an array", R"("name":"done","attributes":[])",
       R"("name":"done","attributes":{})"},
      {"object for a number", R"("droppedEventsCount":1)", R"("droppedEventsCount":{})"},
      {"repeated attribute key", R"({"key":"path")", R"({"key":"circuit.id")"},
      {"not JSON", R"("kind":3)", R"("kind":3,)"},
  };
  for (const Mutation& m : mutations) {
    INFO(m.what);
    std::string bad = good;
    const size_t at = bad.find(m.from);
    REQUIRE(at != std::string::npos);
    bad.replace(at, m.from.size(), m.to);
    file.write(bad);
    const DecoderRun run = run_decoder(file.path, /*merge_stderr=*/true);
    INFO("decoder output: " << run.out);
    CHECK(run.exit_code == 1);
    CHECK(run.out.find("decode_otlp_json:") != std::string::npos);
  }

  file.write(good.substr(0, good.size() - 1));  // no final newline
  CHECK(run_decoder(file.path, true).exit_code == 1);
  file.write(good + "\n");  // an empty line
  CHECK(run_decoder(file.path, true).exit_code == 1);
  file.write("\xff" + good);  // not UTF-8
  CHECK(run_decoder(file.path, true).exit_code == 1);
}
