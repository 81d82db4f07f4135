// Hostile strings end to end: one set of spans carrying invalid UTF-8, every
// control character, embedded NULs, 1 MB names, keys, values and messages,
// NaN and infinities and the int64 extremes goes through a Tracer to a file in
// every Format at once. Every JSON output parses (simdjson checks RFC 8259 and
// UTF-8) with one span per span; the binary file reads back exactly as the
// exporters received the spans; every string stays within max_string_bytes
// (and, in JSON, within what U+FFFD repair can make of that: 3 bytes per byte).
// The encoders' own tests (*_encoder_test.cpp) check each mapping in detail on
// hand-made records; this one checks the whole path, for every format at once.
#include <simdjson.h>
#include <catch2/catch.hpp>
#include <hotspan/hotspan.hpp>
#include <hotspan/reader.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "capture_exporter.hpp"
#include "trace_file.hpp"

using namespace hotspan;
using hotspan_test::OwnedSpan;
using hotspan_test::OwnedValue;
namespace dom = simdjson::dom;

namespace {

constexpr size_t kMaxString = 512;
const std::string kHuge(1 << 20, 'h');  // 1 MiB

// Every C0 control character, then DEL.
std::string control_characters() {
  std::string s;
  for (int c = 0; c < 0x20; ++c)
    s.push_back(static_cast<char>(c));
  s.push_back('\x7f');
  return s;
}

// Ill-formed UTF-8 of every kind: a lone continuation byte, a truncated
// sequence, an overlong encoding, a surrogate, a code point past U+10FFFF,
// bytes that never occur (C0, FF), and a sequence cut by the string's end.
const std::string kInvalidUtf8 =
    "\x80 \xc3\x28 \xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80 \xc0 \xff\xfe \xe2\x82";

void record_hostile_spans(Tracer& tracer) {
  const std::string controls = control_characters();
  const std::string_view nuls("nul\0in\0the\0middle", 18);
  {
    Span s = tracer.start_span(kInvalidUtf8 + controls, SpanKind::server);
    s.set_attribute("invalid-utf8", kInvalidUtf8)
        .set_attribute("controls", controls)
        .set_attribute("nuls", nuls)
        .set_attribute(nuls, "a key with NULs")
        .set_attribute(kInvalidUtf8, "a key of invalid UTF-8")
        .set_attribute("nan", std::numeric_limits<double>::quiet_NaN())
        .set_attribute("+inf", std::numeric_limits<double>::infinity())
        .set_attribute("-inf", -std::numeric_limits<double>::infinity())
        .set_attribute("-0", -0.0)
        .set_attribute("denormal", std::numeric_limits<double>::denorm_min())
        .set_attribute("int64-min", std::numeric_limits<int64_t>::min())
        .set_attribute("int64-max", std::numeric_limits<int64_t>::max())
        .set_attribute("uint64-max", std::numeric_limits<uint64_t>::max())
        .set_attribute("", "empty key")
        .set_attribute("empty-value", "");
    s.add_event(
        controls,
        {{nuls, nuls}, {"nan", std::nan("")}, {kInvalidUtf8, std::numeric_limits<int64_t>::min()}});
    s.set_status(StatusCode::error, kInvalidUtf8 + controls);
  }
  {
    Span s = tracer.start_span("one-control-character-per-key");
    for (const char c : controls)
      s.set_attribute(std::string("key") + c, std::string(1, c));
  }
  tracer.start_span(kHuge).set_attribute("huge-name", true);
  tracer.start_span("huge-key").set_attribute(kHuge, 1);
  tracer.start_span("huge-value").set_attribute("v", kHuge);
  tracer.start_span("huge-event").add_event(kHuge, {{kHuge, kHuge}});
  tracer.start_span("huge-status").set_status(StatusCode::error, kHuge);
  tracer.start_span("huge-error-message").record_error(kHuge);
  tracer.start_span("huge-exception").record_error(std::runtime_error(kHuge));
  // A long valid UTF-8 string: the cut must fall on a character boundary.
  std::string euros;
  for (int i = 0; i < 1000; ++i)
    euros += "\xe2\x82\xac";
  tracer.start_span("long-utf8").set_attribute("euros", euros);
}
constexpr size_t kHostileSpans = 10;

// The span as one string, doubles by their bits (NaN included), for exact
// comparison of two copies.
std::string fingerprint(const OwnedSpan& s) {
  std::ostringstream out;
  auto value = [&out](const OwnedValue& v) {
    out << v.index() << ':';
    if (const double* d = std::get_if<double>(&v)) {
      uint64_t bits;
      std::memcpy(&bits, d, sizeof bits);
      out << bits;
    } else if (const std::string* str = std::get_if<std::string>(&v)) {
      out << str->size() << ':' << *str;
    } else if (const int64_t* i = std::get_if<int64_t>(&v)) {
      out << *i;
    } else {
      out << std::get<bool>(v);
    }
  };
  out << s.trace_id.to_hex() << s.span_id.to_hex() << s.parent_span_id.to_hex() << '|'
      << s.name.size() << ':' << s.name << '|' << static_cast<int>(s.kind) << '|' << s.start_unix_ns
      << '|' << s.end_unix_ns << '|' << static_cast<int>(s.status) << '|' << s.status_message.size()
      << ':' << s.status_message << '|' << s.dropped_attributes << '|' << s.dropped_events << '|'
      << s.thread_id;
  for (const auto& [k, v] : s.attributes) {
    out << "|a" << k.size() << ':' << k << '=';
    value(v);
  }
  for (const auto& e : s.events) {
    out << "|e" << e.name.size() << ':' << e.name << '@' << e.time_unix_ns;
    for (const auto& [k, v] : e.attributes) {
      out << ",a" << k.size() << ':' << k << '=';
      value(v);
    }
  }
  return out.str();
}

// The longest string (value or key) anywhere in a JSON document.
size_t longest_string(dom::element e) {
  size_t longest = 0;
  switch (e.type()) {
    case dom::element_type::STRING:
      return std::string_view(e).size();
    case dom::element_type::ARRAY:
      for (dom::element child : dom::array(e))
        longest = std::max(longest, longest_string(child));
      return longest;
    case dom::element_type::OBJECT:
      for (dom::key_value_pair field : dom::object(e))
        longest = std::max({longest, field.key.size(), longest_string(field.value)});
      return longest;
    default:
      return 0;
  }
}

// Every JSON document of a file (one, or one per line), each checked to parse;
// the longest string seen is kept.
struct JsonFile {
  JsonFile(const std::string& path, const std::function<void(dom::element)>& on_document) {
    simdjson::padded_string text;
    REQUIRE(simdjson::padded_string::load(path).get(text) == simdjson::SUCCESS);
    lines = static_cast<size_t>(std::count(text.data(), text.data() + text.size(), '\n'));
    dom::parser parser;
    dom::document_stream stream;
    REQUIRE(parser.parse_many(text).get(stream) == simdjson::SUCCESS);
    for (auto result : stream) {
      dom::element doc;
      const auto error = result.get(doc);
      INFO(path << ": simdjson: " << simdjson::error_message(error));
      REQUIRE(error == simdjson::SUCCESS);
      longest = std::max(longest, longest_string(doc));
      ++documents;
      on_document(doc);
    }
  }
  size_t documents = 0;
  size_t lines = 0;
  size_t longest = 0;
};

}  // namespace

TEST_CASE("hostile strings through a Tracer into every format: valid, bounded, complete",
          "[fault][hostile]") {
  hotspan_test::ScratchFile binary("hostile.bin"), jsonl("hostile.jsonl"),
      otlp("hostile.otlp.jsonl"), chrome("hostile.chrome.json");
  auto capture = std::make_shared<hotspan_test::CaptureExporter>();
  TracerStats st;
  {
    TracerOptions o;
    o.service_name = "hostile \xff\x01 service";
    o.resource = {{"host.name\n", std::string("\0\x1f\xc3", 3)}};
    o.exporter = multi_exporter({capture, file_exporter(binary.path, Format::binary),
                                 file_exporter(jsonl.path, Format::jsonl),
                                 file_exporter(otlp.path, Format::otlp_json),
                                 file_exporter(chrome.path, Format::chrome_json)});
    o.max_string_bytes = kMaxString;
    o.slot_bytes = 16384;
    o.max_attributes_per_span = 64;
    o.export_batch_size = 3;  // several batches: several OTLP lines, chrome batches joined
    Tracer tracer(o);
    record_hostile_spans(tracer);
    tracer.shutdown();
    st = tracer.stats();
  }
  CHECK(st.spans_exported == kHostileSpans);
  hotspan_test::require_invariant(st);
  CHECK(st.attributes_dropped == 0);
  CHECK(st.events_dropped == 0);
  // At least: the huge name, key, value, event name, event key and value,
  // status, error message and the long UTF-8 value.
  CHECK(st.strings_truncated >= 9);

  // What the exporters received: every string within max_string_bytes.
  const std::vector<OwnedSpan> spans = capture->spans();
  REQUIRE(spans.size() == kHostileSpans);
  size_t longest = 0;
  auto note = [&longest](const std::string& s) { longest = std::max(longest, s.size()); };
  for (const OwnedSpan& s : spans) {
    note(s.name);
    note(s.status_message);
    for (const auto& [k, v] : s.attributes) {
      note(k);
      if (const auto* str = std::get_if<std::string>(&v)) note(*str);
    }
    for (const auto& e : s.events) {
      note(e.name);
      for (const auto& [k, v] : e.attributes) {
        note(k);
        if (const auto* str = std::get_if<std::string>(&v)) note(*str);
      }
    }
    if (s.name == "long-utf8") {
      const std::string& euros = std::get<std::string>(*s.find("euros"));
      CHECK(euros.size() == kMaxString / 3 * 3);  // whole characters only
    }
    if (s.name == "huge-value")
      CHECK(std::get<std::string>(*s.find("v")) == kHuge.substr(0, kMaxString));
  }
  CHECK(longest == kMaxString);

  // Binary: reads back complete, every span exactly as the exporters saw it.
  std::vector<std::string> from_file;
  const auto back = hotspan_test::read_binary_trace(binary.path, [&](const SpanRecord& r) {
    from_file.push_back(fingerprint(hotspan_test::own(r)));
  });
  INFO(back.message);
  CHECK(back.status == BinaryTraceReader::Status::complete);
  REQUIRE(from_file.size() == spans.size());
  for (size_t i = 0; i < spans.size(); ++i)
    CHECK(from_file[i] == fingerprint(spans[i]));

  // JSON Lines: one valid line per span; numbers at the extremes exact,
  // non-finite doubles as strings.
  const JsonFile lines(jsonl.path, [](dom::element doc) {
    dom::element attributes = doc["attributes"];
    dom::element max;
    if (attributes["int64-max"].get(max) != simdjson::SUCCESS) return;
    CHECK(int64_t(max) == std::numeric_limits<int64_t>::max());
    CHECK(int64_t(attributes["int64-min"]) == std::numeric_limits<int64_t>::min());
    CHECK(int64_t(attributes["uint64-max"]) == -1);  // stored as int64
    CHECK(attributes["nan"].is_string());
    CHECK(attributes["+inf"].is_string());
    CHECK(attributes["-inf"].is_string());
  });
  CHECK(lines.documents == kHostileSpans);
  CHECK(lines.lines == kHostileSpans);
  // OTLP JSON: one TracesData per batch and line; the spans add up.
  size_t otlp_spans = 0;
  const JsonFile otlp_lines(otlp.path, [&](dom::element doc) {
    for (dom::element rs : dom::array(doc["resourceSpans"]))
      for (dom::element ss : dom::array(rs["scopeSpans"]))
        otlp_spans += dom::array(ss["spans"]).size();
  });
  CHECK(otlp_lines.documents == otlp_lines.lines);
  CHECK(otlp_lines.documents > 1);  // several batches
  CHECK(otlp_spans == kHostileSpans);
  // Chrome JSON: one document, one complete ("X") event per span.
  size_t complete_events = 0;
  const JsonFile chrome_document(chrome.path, [&](dom::element doc) {
    for (dom::element e : dom::array(doc["traceEvents"]))
      complete_events += std::string_view(e["ph"]) == "X" ? 1 : 0;
  });
  CHECK(chrome_document.documents == 1);
  CHECK(complete_events == kHostileSpans);
  // U+FFFD (3 bytes) may replace each byte of a cut string; nothing more.
  for (const JsonFile* f : {&lines, &otlp_lines, &chrome_document}) {
    CHECK(f->longest <= 3 * kMaxString);
    CHECK(f->longest >= kMaxString);
  }
}

// Resource strings are written whole into the binary header frame, whose
// payload the format bounds at 16 MiB (docs/FORMAT.md, "Frames"): a larger
// resource once gave a file the reader rejected from its first frame while
// stats() counted its spans as exported. The tracer now refuses a resource
// over its documented bounds (each string 65,535 bytes, 1 MiB in all), and
// the largest one it accepts reads back.
TEST_CASE("a resource too large for one frame is refused, the largest accepted reads back",
          "[fault][hostile]") {
  SECTION("17 MiB in one value: refused with a clear error") {
    TracerOptions o;
    o.resource = {{"huge", std::string(17u << 20, 'r')}};
    CHECK_THROWS_WITH(Tracer(o), Catch::Contains("resource attribute 'huge'") &&
                                     Catch::Contains("at most 65535 bytes"));
  }
  SECTION("over 1 MiB in all: refused") {
    TracerOptions o;
    for (int i = 0; i < 17; ++i)
      o.resource.emplace_back("k" + std::to_string(i), std::string(65535, 'v'));
    CHECK_THROWS_WITH(Tracer(o), Catch::Contains("must total at most 1048576 bytes"));
  }
  SECTION("just under the bounds: written and read back") {
    hotspan_test::ScratchFile file("large_resource.bin");
    TracerOptions o;
    o.exporter = file_exporter(file.path, Format::binary);
    for (int i = 0; i < 15; ++i)
      o.resource.emplace_back("k" + std::to_string(i), std::string(65535, 'v'));
    Tracer tracer(o);
    { Span s = tracer.start_span("with-a-large-resource"); }
    tracer.shutdown();
    const TracerStats st = tracer.stats();
    hotspan_test::require_invariant(st);
    const auto back = hotspan_test::read_binary_trace(file.path);
    INFO(back.message);
    CHECK(back.status == BinaryTraceReader::Status::complete);
    CHECK(back.spans == 1);
    CHECK(st.spans_exported == 1);
  }
}
