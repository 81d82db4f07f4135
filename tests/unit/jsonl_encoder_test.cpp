// Tests of the JSON Lines and pretty span encodings: every JSONL line is parsed
// back with simdjson and every field checked; pretty lines are compared exactly.
#include <simdjson.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "formats/json/jsonl_encoder.hpp"
#include "formats/json/pretty_encoder.hpp"
#include "full_span_record.hpp"
#include "json_output_checks.hpp"

using hotspan::AttributeView;
using hotspan::EventView;
using hotspan::SpanId;
using hotspan::SpanKind;
using hotspan::SpanRecord;
using hotspan::StatusCode;
using hotspan::TraceId;
namespace dom = simdjson::dom;

using hotspan_test::example_trace_id;
using hotspan_test::keys_of;
using hotspan_test::kFffd;
using hotspan_test::str;

namespace {

std::string encode(const SpanRecord& record, std::string_view service = "relay") {
  hotspan::Resource resource;
  resource.service_name = std::string(service);
  std::string out;
  hotspan::detail::encode_jsonl(record, resource, out);
  return out;
}

std::string pretty(const SpanRecord& record) {
  std::string out;
  hotspan::detail::encode_pretty(record, out);
  return out;
}

// One complete line: ends with the only '\n', valid UTF-8, one JSON object.
dom::element parse_line(dom::parser& parser, const std::string& line) {
  REQUIRE(!line.empty());
  REQUIRE(line.back() == '\n');
  REQUIRE(line.find('\n') == line.size() - 1);
  REQUIRE(simdjson::validate_utf8(line));
  dom::element doc;
  REQUIRE(parser.parse(line).get(doc) == simdjson::SUCCESS);
  REQUIRE(doc.type() == dom::element_type::OBJECT);
  return doc;
}

dom::element_type type_of(dom::element e) {
  return e.type();
}

}  // namespace

TEST_CASE("jsonl: every field of a full span", "[jsonl]") {
  const hotspan_test::FullSpan full;
  const SpanRecord& record = full.record;

  dom::parser parser;
  const std::string line = encode(record);
  const dom::element doc = parse_line(parser, line);

  CHECK(keys_of(doc.get_object()) ==
        std::vector<std::string>{"trace_id", "span_id", "parent_span_id", "name", "kind",
                                 "start_unix_ns", "end_unix_ns", "duration_ns", "status",
                                 "status_message", "service", "thread_id", "attributes", "events",
                                 "dropped_attributes", "dropped_events"});
  CHECK(str(doc["trace_id"]) == "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK(str(doc["span_id"]) == "00f067aa0ba902b7");
  CHECK(str(doc["parent_span_id"]) == "fedcba9876543210");
  CHECK(str(doc["name"]) == "build-circuit");
  CHECK(str(doc["kind"]) == "client");
  CHECK(uint64_t(doc["start_unix_ns"]) == 1'700'000'000'000'000'000);
  CHECK(uint64_t(doc["end_unix_ns"]) == 1'700'000'000'012'410'000);
  CHECK(uint64_t(doc["duration_ns"]) == 12'410'000);
  CHECK(str(doc["status"]) == "error");
  CHECK(str(doc["status_message"]) == "timeout");
  CHECK(str(doc["service"]) == "relay");
  CHECK(uint64_t(doc["thread_id"]) == 31337);
  CHECK(uint64_t(doc["dropped_attributes"]) == 2);
  CHECK(uint64_t(doc["dropped_events"]) == 1);
  for (const char* number : {"start_unix_ns", "end_unix_ns", "duration_ns", "thread_id",
                             "dropped_attributes", "dropped_events"}) {
    INFO(number);
    CHECK((type_of(doc[number]) == dom::element_type::INT64 ||
           type_of(doc[number]) == dom::element_type::UINT64));
  }

  const dom::object attrs = doc["attributes"];
  CHECK(keys_of(attrs) == std::vector<std::string>{"circuit.id", "path", "exit", "ratio", "whole"});
  CHECK(type_of(attrs["circuit.id"]) == dom::element_type::INT64);
  CHECK(int64_t(attrs["circuit.id"]) == 42);
  CHECK(str(attrs["path"]) == "guard>middle>exit");
  CHECK(bool(attrs["exit"]) == true);
  CHECK(type_of(attrs["ratio"]) == dom::element_type::DOUBLE);
  CHECK(double(attrs["ratio"]) == 0.75);

  const dom::array evs = doc["events"];
  REQUIRE(evs.size() == 2);
  CHECK(keys_of(evs.at(0).get_object()) ==
        std::vector<std::string>{"name", "time_unix_ns", "attributes"});
  CHECK(str(evs.at(0)["name"]) == "extend");
  CHECK(uint64_t(evs.at(0)["time_unix_ns"]) == 1'700'000'000'000'000'500);
  const dom::object event0_attrs = evs.at(0)["attributes"];
  CHECK(keys_of(event0_attrs) == std::vector<std::string>{"cell", "cmd"});
  CHECK(int64_t(event0_attrs["cell"]) == 3);
  CHECK(str(event0_attrs["cmd"]) == "EXTEND2");
  CHECK(str(evs.at(1)["name"]) == "done");
  CHECK(uint64_t(evs.at(1)["time_unix_ns"]) == 1'700'000'000'000'000'900);
  CHECK(dom::object(evs.at(1)["attributes"]).size() == 0);
}

TEST_CASE("jsonl: a root span has no parent_span_id; empty attributes and events", "[jsonl]") {
  SpanRecord record;
  record.trace_id = example_trace_id();
  record.span_id = SpanId{1};
  record.name = "root";
  record.start_unix_ns = 10;
  record.end_unix_ns = 25;

  const std::string line = encode(record, "");
  dom::parser parser;
  const dom::element doc = parse_line(parser, line);
  CHECK(doc["parent_span_id"].error() == simdjson::NO_SUCH_FIELD);
  CHECK(line.find("parent_span_id") == std::string::npos);
  CHECK(str(doc["span_id"]) == "0000000000000001");
  CHECK(str(doc["kind"]) == "internal");
  CHECK(str(doc["status"]) == "unset");
  CHECK(str(doc["status_message"]).empty());
  CHECK(str(doc["service"]).empty());
  CHECK(uint64_t(doc["duration_ns"]) == 15);
  CHECK(uint64_t(doc["thread_id"]) == 0);
  CHECK(dom::object(doc["attributes"]).size() == 0);
  CHECK(dom::array(doc["events"]).size() == 0);
  CHECK(line.find(R"("attributes":{},"events":[],)") != std::string::npos);
  CHECK(uint64_t(doc["dropped_attributes"]) == 0);
  CHECK(uint64_t(doc["dropped_events"]) == 0);
}

TEST_CASE("jsonl: kinds and statuses use their lowercase names", "[jsonl]") {
  dom::parser parser;
  const std::pair<SpanKind, const char*> kinds[] = {{SpanKind::internal, "internal"},
                                                    {SpanKind::server, "server"},
                                                    {SpanKind::client, "client"},
                                                    {SpanKind::producer, "producer"},
                                                    {SpanKind::consumer, "consumer"}};
  const std::pair<StatusCode, const char*> statuses[] = {{StatusCode::unset, "unset"},
                                                         {StatusCode::ok, "ok"},
                                                         {StatusCode::error, "error"},
                                                         {StatusCode::cancelled, "cancelled"}};
  for (const auto& [kind, kind_name] : kinds) {
    for (const auto& [status, status_name] : statuses) {
      SpanRecord record;
      record.trace_id = example_trace_id();
      record.span_id = SpanId{7};
      record.kind = kind;
      record.status = status;
      const dom::element doc = parse_line(parser, encode(record));
      CHECK(str(doc["kind"]) == kind_name);
      CHECK(str(doc["status"]) == status_name);
    }
  }
}

TEST_CASE("jsonl: duration is 0 when the end precedes the start; extreme times", "[jsonl]") {
  SpanRecord record;
  record.trace_id = example_trace_id();
  record.span_id = SpanId{std::numeric_limits<uint64_t>::max()};
  record.start_unix_ns = 500;
  record.end_unix_ns = 100;
  dom::parser parser;
  dom::element doc = parse_line(parser, encode(record));
  CHECK(uint64_t(doc["duration_ns"]) == 0);
  CHECK(uint64_t(doc["start_unix_ns"]) == 500);
  CHECK(uint64_t(doc["end_unix_ns"]) == 100);
  CHECK(str(doc["span_id"]) == "ffffffffffffffff");

  record.start_unix_ns = 0;
  record.end_unix_ns = std::numeric_limits<uint64_t>::max();
  record.thread_id = std::numeric_limits<uint32_t>::max();
  record.dropped_attributes = std::numeric_limits<uint32_t>::max();
  doc = parse_line(parser, encode(record));
  CHECK(uint64_t(doc["end_unix_ns"]) == std::numeric_limits<uint64_t>::max());
  CHECK(uint64_t(doc["duration_ns"]) == std::numeric_limits<uint64_t>::max());
  CHECK(uint64_t(doc["thread_id"]) == std::numeric_limits<uint32_t>::max());
  CHECK(uint64_t(doc["dropped_attributes"]) == std::numeric_limits<uint32_t>::max());
}

TEST_CASE("jsonl: numeric attribute edge values", "[jsonl]") {
  const std::vector<AttributeView> attributes = {
      {"min", std::numeric_limits<int64_t>::min()},
      {"max", std::numeric_limits<int64_t>::max()},
      {"nan", std::numeric_limits<double>::quiet_NaN()},
      {"inf", std::numeric_limits<double>::infinity()},
      {"ninf", -std::numeric_limits<double>::infinity()},
      {"whole", 3.0},
      {"tiny", 5e-324},
      {"f", false},
  };
  SpanRecord record;
  record.trace_id = example_trace_id();
  record.span_id = SpanId{9};
  record.attributes = attributes;
  dom::parser parser;
  const dom::element doc = parse_line(parser, encode(record));
  const dom::object attrs = doc["attributes"];
  CHECK(int64_t(attrs["min"]) == std::numeric_limits<int64_t>::min());
  CHECK(int64_t(attrs["max"]) == std::numeric_limits<int64_t>::max());
  CHECK(str(attrs["nan"]) == "NaN");
  CHECK(str(attrs["inf"]) == "Infinity");
  CHECK(str(attrs["ninf"]) == "-Infinity");
  CHECK(type_of(attrs["whole"]) == dom::element_type::DOUBLE);
  CHECK(double(attrs["whole"]) == 3.0);
  CHECK(double(attrs["tiny"]) == 5e-324);
  CHECK(bool(attrs["f"]) == false);
}

TEST_CASE("jsonl: repeated keys keep the last value at the first position", "[jsonl]") {
  const std::vector<AttributeView> attributes = {
      {"a", int64_t{1}}, {"b", int64_t{2}}, {"a", std::string_view("second")},
      {"c", true},       {"b", 2.5},        {"a", int64_t{3}},
  };
  const std::vector<EventView> events = {{"e", 5, attributes}};
  SpanRecord record;
  record.trace_id = example_trace_id();
  record.span_id = SpanId{9};
  record.attributes = attributes;
  record.events = events;
  dom::parser parser;
  const std::string line = encode(record);
  const dom::element doc = parse_line(parser, line);
  for (const dom::object attrs :
       {dom::object(doc["attributes"]), dom::object(doc["events"].at(0)["attributes"])}) {
    CHECK(keys_of(attrs) == std::vector<std::string>{"a", "b", "c"});
    CHECK(int64_t(attrs["a"]) == 3);
    CHECK(double(attrs["b"]) == 2.5);
    CHECK(bool(attrs["c"]) == true);
  }
  CHECK(line.find(R"("attributes":{"a":3,"b":2.5,"c":true})") != std::string::npos);
}

TEST_CASE("jsonl: hostile bytes in every string field stay one valid line", "[jsonl]") {
  std::string controls;
  for (int c = 0; c < 0x20; ++c)
    controls.push_back(static_cast<char>(c));
  const std::string name = "na\"me\\" + controls;
  const std::string bad_utf8 = "x\xC0\xAF\xED\xA0\x80y\xF4\x90\x80\x80\xE2\x82";
  const std::string bad_utf8_decoded =
      "x" + kFffd + kFffd + kFffd + kFffd + kFffd + "y" + kFffd + kFffd + kFffd + kFffd + kFffd;
  const std::string valid = "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";
  const std::string with_nul("nul\0nul", 7);

  const std::vector<AttributeView> attributes = {
      {controls, std::string_view(controls)},
      {bad_utf8, std::string_view(bad_utf8)},
      {valid, std::string_view(with_nul)},
  };
  const std::vector<EventView> events = {{"ev\n\"ent\"", 1, attributes}};
  SpanRecord record;
  record.trace_id = example_trace_id();
  record.span_id = SpanId{9};
  record.name = name;
  record.status_message = bad_utf8;
  record.attributes = attributes;
  record.events = events;

  dom::parser parser;
  const std::string line = encode(record, "svc\r\n\x7f" + bad_utf8);
  const dom::element doc = parse_line(parser, line);
  CHECK(str(doc["name"]) == name);
  CHECK(str(doc["status_message"]) == bad_utf8_decoded);
  CHECK(str(doc["service"]) == "svc\r\n\x7f" + bad_utf8_decoded);
  for (const dom::object attrs :
       {dom::object(doc["attributes"]), dom::object(doc["events"].at(0)["attributes"])}) {
    CHECK(keys_of(attrs) == std::vector<std::string>{controls, bad_utf8_decoded, valid});
    CHECK(str(attrs[controls]) == controls);
    CHECK(str(attrs[bad_utf8_decoded]) == bad_utf8_decoded);
    CHECK(str(attrs[valid]) == with_nul);
  }
  CHECK(str(doc["events"].at(0)["name"]) == "ev\n\"ent\"");
}

TEST_CASE("jsonl: lines append to the buffer", "[jsonl]") {
  SpanRecord a;
  a.trace_id = example_trace_id();
  a.span_id = SpanId{1};
  a.name = "a";
  SpanRecord b = a;
  b.span_id = SpanId{2};
  b.parent_span_id = SpanId{1};
  b.name = "b";
  hotspan::Resource resource{"svc", {}};
  std::string out;
  hotspan::detail::encode_jsonl(a, resource, out);
  const size_t first_size = out.size();
  hotspan::detail::encode_jsonl(b, resource, out);
  REQUIRE(out[first_size - 1] == '\n');
  dom::parser parser;
  CHECK(str(parse_line(parser, out.substr(0, first_size))["name"]) == "a");
  const dom::element second = parse_line(parser, out.substr(first_size));
  CHECK(str(second["name"]) == "b");
  CHECK(str(second["parent_span_id"]) == "0000000000000001");
}

TEST_CASE("pretty: the documented example line", "[pretty]") {
  const std::vector<AttributeView> attributes = {{"circuit.id", int64_t{42}},
                                                 {"path", std::string_view("guard>middle>exit")}};
  const std::vector<EventView> events = {{"extend", 5, {}}};
  SpanRecord record;
  record.trace_id = example_trace_id();
  record.span_id = SpanId{0x00f067aa0ba902b7};
  record.name = "build-circuit";
  record.kind = SpanKind::internal;
  record.start_unix_ns = 1'000'000'000;
  record.end_unix_ns = 1'012'410'000;
  record.status = StatusCode::ok;
  record.attributes = attributes;
  record.events = events;
  CHECK(pretty(record) ==
        "build-circuit [internal] 12.4 ms trace=4bf92f35 span=00f067aa parent=- status=ok "
        "circuit.id=42 path=\"guard>middle>exit\" events=1\n");
}

TEST_CASE("pretty: parent, status message, value types, dropped counts", "[pretty]") {
  const std::vector<AttributeView> attributes = {
      {"ok", true},      {"n", int64_t{-7}},
      {"ratio", 0.5},    {"nan", std::numeric_limits<double>::quiet_NaN()},
      {"n", int64_t{8}}, {"text", std::string_view("two\nlines\t\"q\"")},
  };
  SpanRecord record;
  record.trace_id = example_trace_id();
  record.span_id = SpanId{0x1122334455667788};
  record.parent_span_id = SpanId{0xaabbccddeeff0011};
  record.name = "GET /index";
  record.kind = SpanKind::server;
  record.start_unix_ns = 100;
  record.end_unix_ns = 950;
  record.status = StatusCode::error;
  record.status_message = "connection \"refused\"";
  record.attributes = attributes;
  record.dropped_attributes = 3;
  record.dropped_events = 4;
  CHECK(pretty(record) ==
        "GET /index [server] 850 ns trace=4bf92f35 span=11223344 parent=aabbccdd "
        "status=error(\"connection \\\"refused\\\"\") ok=true n=8 ratio=0.5 nan=NaN "
        "text=\"two\\nlines\\t\\\"q\\\"\" events=0 dropped_attributes=3 dropped_events=4\n");
}

TEST_CASE("pretty: hostile names and keys stay on one valid UTF-8 line", "[pretty]") {
  const std::vector<AttributeView> attributes = {{"k\ney\x80", std::string_view("v\r\x01")}};
  SpanRecord record;
  record.trace_id = example_trace_id();
  record.span_id = SpanId{1};
  record.name = "line\nbreak\xFF";
  record.attributes = attributes;
  const std::string line = pretty(record);
  CHECK(line == "line\\nbreak" + kFffd + " [internal] 0 ns trace=4bf92f35 span=00000000 parent=- " +
                    "status=unset k\\ney" + kFffd + "=\"v\\r\\u0001\" events=0\n");
  CHECK(simdjson::validate_utf8(line));

  record.name = "";
  CHECK(pretty(record).rfind("\"\" [internal] ", 0) == 0);
}

TEST_CASE("durations: three significant digits in the largest unit", "[pretty]") {
  // hotspan::format_duration: the pretty exporter's and the hotspan tool's text.
  const std::string us = " \xC2\xB5s";
  CHECK(hotspan::format_duration(0) == "0 ns");
  CHECK(hotspan::format_duration(999) == "999 ns");
  CHECK(hotspan::format_duration(1'000) == "1.00" + us);
  CHECK(hotspan::format_duration(12'414) == "12.4" + us);
  CHECK(hotspan::format_duration(12'250) == "12.2" + us);  // an exact tie: to even, as printf
  CHECK(hotspan::format_duration(12'750) == "12.8" + us);
  CHECK(hotspan::format_duration(123'456) == "123" + us);
  CHECK(hotspan::format_duration(999'499) == "999" + us);
  CHECK(hotspan::format_duration(999'500) == "1.00 ms");  // rounding carries into the next unit
  CHECK(hotspan::format_duration(12'410'000) == "12.4 ms");
  CHECK(hotspan::format_duration(1'500'000'000) == "1.50 s");
  CHECK(hotspan::format_duration(59'949'999'999) == "59.9 s");
  CHECK(hotspan::format_duration(59'950'000'000) == "1.00 min");
  CHECK(hotspan::format_duration(3'600'000'000'000) == "1.00 h");
  CHECK(hotspan::format_duration(std::numeric_limits<uint64_t>::max()) == "5124096 h");
  std::string out = "took ";
  hotspan::append_duration(out, 850);
  CHECK(out == "took 850 ns");
}
