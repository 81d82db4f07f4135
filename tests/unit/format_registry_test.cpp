// The format registry (engine/formats/format_registry.hpp) and its public face,
// formats() / format_name() / format_from_name() of hotspan/exporter.hpp:
// every Format has a name, a description and an encoder, and names round-trip
// in both spellings.
#include <hotspan/hotspan.h>
#include <catch2/catch.hpp>
#include <hotspan/hotspan.hpp>

#include <cstdint>
#include <cstring>
#include <iostream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "formats/format_registry.hpp"

using namespace hotspan;

namespace {

// The last enumerator: a new format is added after it.
constexpr Format kLastFormat = Format::chrome_json;

std::string hyphenated(std::string_view name) {
  std::string text(name);
  for (char& c : text)
    c = c == '_' ? '-' : c;
  return text;
}

}  // namespace

TEST_CASE("formats: every Format has one entry, in the enum's order", "[formats]") {
  const auto all = formats();
  REQUIRE(all.size() == static_cast<size_t>(kLastFormat) + 1);
  REQUIRE(detail::format_registry().size() == all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    INFO("format " << i);
    CHECK(static_cast<size_t>(all[i].format) == i);
    CHECK(detail::format_registry()[i].info.name == all[i].name);
    CHECK(detail::find_format(all[i].format) == &detail::format_registry()[i]);
  }
  // The C enum names the same values.
  CHECK(all.size() == HOTSPAN_FORMAT_CHROME_JSON + 1);
}

TEST_CASE("formats: names, descriptions and appendability", "[formats]") {
  for (const FormatInfo& info : formats()) {
    INFO(info.name);
    CHECK(!info.name.empty());
    CHECK(info.name.find('-') == std::string_view::npos);  // canonical: underscores
    CHECK(format_name(info.format) == info.name);
    CHECK(!info.description.empty());
    CHECK(info.description.size() <= 64);  // one help line
    CHECK(info.description.find('\n') == std::string_view::npos);
    CHECK(info.name.data()[info.name.size()] == '\0');  // hotspan_format_name() returns it
  }
  CHECK(format_name(Format::binary) == "binary");
  CHECK(format_name(Format::jsonl) == "jsonl");
  CHECK(format_name(Format::otlp_json) == "otlp_json");
  CHECK(format_name(Format::chrome_json) == "chrome_json");
  CHECK(format_name(static_cast<Format>(static_cast<uint8_t>(kLastFormat) + 1)).empty());
  CHECK(format_name(static_cast<Format>(255)).empty());
  // The line formats are the ones a file can be appended to.
  for (const FormatInfo& info : formats())
    CHECK(info.appendable == (info.format == Format::jsonl || info.format == Format::otlp_json));
}

TEST_CASE("formats: a name round-trips in both spellings; others are rejected", "[formats]") {
  for (const FormatInfo& info : formats()) {
    INFO(info.name);
    CHECK(format_from_name(info.name) == info.format);
    CHECK(format_from_name(hyphenated(info.name)) == info.format);
    CHECK(format_name(*format_from_name(hyphenated(info.name))) == info.name);
  }
  CHECK(format_from_name("otlp-json") == Format::otlp_json);
  CHECK(format_from_name("chrome_json") == Format::chrome_json);
  for (const std::string_view bad : {"", "xml", "JSONL", "Binary", "otlp", "otlp_json ", " jsonl",
                                     "otlp__json", "otlp-jsonl", "chrome.json", "Format::jsonl"}) {
    INFO("'" << bad << "'");
    CHECK_FALSE(format_from_name(bad).has_value());
  }
  CHECK_FALSE(format_from_name(std::string_view("jsonl\0", 6)).has_value());
}

TEST_CASE("formats: every format has an encoder, which the sinks use", "[formats]") {
  for (const FormatInfo& info : formats()) {
    INFO(info.name);
    const auto encoder = detail::make_encoder(info.format, "test");
    REQUIRE(encoder != nullptr);
    std::string out;
    encoder->begin(Resource{"svc", {{"service.name", "svc"}}, 0, 0, 1}, out);
    SpanRecord record;
    record.trace_id.bytes[0] = 1;
    record.span_id.value = 2;
    record.name = "span";
    CHECK(encoder->encode({&record, 1}, out) == 0);
    encoder->finish(out);
    CHECK(!out.empty());

    std::ostringstream stream;
    CHECK_NOTHROW(ostream_exporter(stream, info.format));
  }
  CHECK_THROWS_AS(detail::make_encoder(static_cast<Format>(200), "test"), std::invalid_argument);
  CHECK_THROWS_AS(ostream_exporter(std::cout, static_cast<Format>(200)), std::invalid_argument);
}

TEST_CASE("formats: the names of messages", "[formats]") {
  CHECK(detail::format_name_list() == "binary, jsonl, otlp_json or chrome_json");
  CHECK(detail::format_name_list(/*only_appendable=*/true) == "jsonl or otlp_json");
}

TEST_CASE("formats: the C API's names are the registry's", "[formats]") {
  for (const FormatInfo& info : formats()) {
    const auto c_format = static_cast<hotspan_format>(info.format);
    REQUIRE(hotspan_format_name(c_format) != nullptr);
    CHECK(hotspan_format_name(c_format) == info.name);
    hotspan_format parsed = HOTSPAN_FORMAT_BINARY;
    CHECK(hotspan_format_from_name(hyphenated(info.name).c_str(), &parsed) == HOTSPAN_OK);
    CHECK(parsed == c_format);
  }
  hotspan_format untouched = HOTSPAN_FORMAT_JSONL;
  CHECK(hotspan_format_from_name("xml", &untouched) == HOTSPAN_ERR_PARSE);
  CHECK(untouched == HOTSPAN_FORMAT_JSONL);
  CHECK(std::string_view(hotspan_last_error()).find("binary, jsonl, otlp_json or chrome_json") !=
        std::string_view::npos);
  CHECK(hotspan_format_from_name(nullptr, &untouched) == HOTSPAN_ERR_NULL_ARGUMENT);
  CHECK(hotspan_format_from_name("jsonl", nullptr) == HOTSPAN_ERR_NULL_ARGUMENT);
  for (const int value : {HOTSPAN_FORMAT_CHROME_JSON + 1, -1, 256}) {
    hotspan_format none;  // as C may pass it: a value outside the enum's range
    static_assert(sizeof(none) == sizeof(value));
    std::memcpy(&none, &value, sizeof(none));
    CHECK(hotspan_format_name(none) == nullptr);
  }
}

TEST_CASE("formats: format_refusal says what a format cannot hold, and only then", "[formats]") {
  SpanRecord small;
  small.trace_id = *TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736");
  small.span_id = SpanId{7};
  small.name = "relay-cell";
  // More events than a binary reader accepts (65,536): any JSON format holds them.
  const std::vector<EventView> events(65537, EventView{"cell", 1, {}});
  SpanRecord many = small;
  many.events = events;
  Resource resource;
  resource.service_name = "relay";
  Resource huge = resource;
  const std::string value(60000, 'v');
  for (int i = 0; i < 300; ++i)
    huge.attributes.emplace_back("key." + std::to_string(i), value);  // ~18 MB in all

  for (const FormatInfo& info : formats()) {
    INFO(info.name);
    CHECK(format_refusal(info.format, small).empty());
    CHECK(format_refusal(info.format, resource).empty());
    if (info.format == Format::binary) {
      CHECK(format_refusal(info.format, many).find("more than a binary reader accepts") !=
            std::string::npos);
      CHECK(format_refusal(info.format, huge).find("header frame holds") != std::string::npos);
    } else {
      CHECK(format_refusal(info.format, many).empty());
      CHECK(format_refusal(info.format, huge).empty());
    }
  }
  CHECK(format_refusal(static_cast<Format>(200), many).empty());  // no format: nothing to say
}
