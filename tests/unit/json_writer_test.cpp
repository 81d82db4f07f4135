// Tests of engine/json_writer: exact escapes, UTF-8 repair per maximal subpart,
// number forms, attribute objects; every output is checked to be valid JSON and
// valid UTF-8 by simdjson, and read back.
#include <simdjson.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "formats/json/json_writer.hpp"
#include "hotspan/json.hpp"
#include "json_output_checks.hpp"

using namespace std::string_literals;
using hotspan::AttributeValue;
using hotspan::AttributeView;

using hotspan_test::kFffd;

namespace {

std::string json_string(std::string_view s) {
  std::string out;
  hotspan::detail::write_string(out, s);
  return out;
}

// Parses a JSON document holding one string; fails the test if it is not valid.
std::string parse_string(const std::string& json) {
  REQUIRE(simdjson::validate_utf8(json));
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(json).get(doc) == simdjson::SUCCESS);
  std::string_view value;
  REQUIRE(doc.get(value) == simdjson::SUCCESS);
  return std::string(value);
}

std::string round_trip(std::string_view s) {
  return parse_string(json_string(s));
}

std::string json_double(double v) {
  std::string out;
  hotspan::detail::write_double(out, v);
  return out;
}

bool has_raw_control_byte(std::string_view s) {
  for (const char c : s) {
    if (static_cast<unsigned char>(c) < 0x20) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("json_writer: every control character is escaped and reads back", "[json]") {
  for (int c = 0; c < 0x20; ++c) {
    const std::string input(1, static_cast<char>(c));
    std::string expected;
    switch (c) {
      case '\b':
        expected = R"("\b")";
        break;
      case '\f':
        expected = R"("\f")";
        break;
      case '\n':
        expected = R"("\n")";
        break;
      case '\r':
        expected = R"("\r")";
        break;
      case '\t':
        expected = R"("\t")";
        break;
      default: {
        constexpr char hex[] = "0123456789abcdef";
        expected = "\"\\u00"s + hex[c >> 4] + hex[c & 0xf] + "\"";
      }
    }
    INFO("control character " << c);
    CHECK(json_string(input) == expected);
    CHECK(round_trip(input) == input);
  }
  std::string all;
  for (int c = 0; c < 0x20; ++c)
    all.push_back(static_cast<char>(c));
  const std::string json = json_string(all);
  CHECK_FALSE(has_raw_control_byte(json));
  CHECK(parse_string(json) == all);
}

TEST_CASE("json_writer: embedded NULs, quotes, backslashes and DEL", "[json]") {
  const std::string with_nuls("a\0b\0\0c", 6);
  CHECK(json_string(with_nuls) == R"("a\u0000b\u0000\u0000c")");
  CHECK(round_trip(with_nuls) == with_nuls);

  const std::string quoted = R"(say "hi" \ C:\path\ "")";
  CHECK(json_string(quoted) == R"("say \"hi\" \\ C:\\path\\ \"\"")");
  CHECK(round_trip(quoted) == quoted);

  CHECK(json_string("\x7f") == R"("\u007f")");
  CHECK(round_trip("a\x7f"
                   "b") ==
        "a\x7f"
        "b");
  CHECK(json_string("") == R"("")");
}

TEST_CASE("json_writer: printable ASCII is copied verbatim", "[json]") {
  for (int c = 0x20; c < 0x7f; ++c) {
    if (c == '"' || c == '\\') continue;
    // Long enough to go through the eight-byte scan, with `c` in every lane.
    const std::string input(20, static_cast<char>(c));
    INFO("byte " << c);
    CHECK(json_string(input) == "\"" + input + "\"");
  }
}

TEST_CASE("json_writer: special bytes are found at every offset of the word scan", "[json]") {
  struct Case {
    std::string byte;
    std::string escaped;
  };
  const std::vector<Case> cases = {
      {"\x00"s, R"(\u0000)"},   {"\x1f", R"(\u001f)"},
      {"\"", R"(\")"},          {"\\", R"(\\)"},
      {"\x7f", R"(\u007f)"},    {"\n", R"(\n)"},
      {"\x80", kFffd},          {"\xff", kFffd},
      {"\xC3\xA9", "\xC3\xA9"}, {"\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80"},
  };
  for (const Case& c : cases) {
    for (size_t offset = 0; offset < 24; ++offset) {
      const std::string input = std::string(offset, 'x') + c.byte + std::string(17, 'y');
      const std::string expected =
          "\"" + std::string(offset, 'x') + c.escaped + std::string(17, 'y') + "\"";
      INFO("offset " << offset << " byte " << static_cast<int>(static_cast<uint8_t>(c.byte[0])));
      CHECK(json_string(input) == expected);
    }
  }
}

TEST_CASE("json_writer: valid multibyte UTF-8 passes through unchanged", "[json][utf8]") {
  const std::vector<std::string> valid = {
      "\xC2\x80",          // U+0080, smallest 2-byte
      "\xC3\xA9",          // é
      "\xDF\xBF",          // U+07FF, largest 2-byte
      "\xE0\xA0\x80",      // U+0800, smallest 3-byte
      "\xE2\x82\xAC",      // €
      "\xED\x9F\xBF",      // U+D7FF, just below the surrogates
      "\xEE\x80\x80",      // U+E000, just above the surrogates
      "\xEF\xBF\xBD",      // U+FFFD itself
      "\xEF\xBF\xBF",      // U+FFFF
      "\xF0\x90\x80\x80",  // U+10000, smallest 4-byte
      "\xF0\x9F\x98\x80",  // 😀
      "\xF4\x8F\xBF\xBF",  // U+10FFFF, the last code point
      "guard\xE2\x86\x92middle\xE2\x86\x92"
      "exit \xE6\x97\xA5\xE6\x9C\xAC",
  };
  for (const std::string& s : valid) {
    INFO(s);
    CHECK(json_string(s) == "\"" + s + "\"");
    CHECK(round_trip(s) == s);
  }
}

TEST_CASE("json_writer: invalid UTF-8 becomes U+FFFD per maximal subpart", "[json][utf8]") {
  const std::string R = kFffd;
  struct Case {
    const char* what;
    std::string input;
    std::string expected;  // decoded JSON string value
  };
  const std::vector<Case> cases = {
      {"stray continuation", "\x80", R},
      {"two stray continuations",
       "a\x80\xBF"
       "b",
       "a" + R + R + "b"},
      {"C0 overlong", "\xC0\xAF", R + R},
      {"C1 overlong", "\xC1\xBF", R + R},
      {"3-byte overlong", "\xE0\x80\xAF", R + R + R},
      {"3-byte overlong of U+07FF", "\xE0\x9F\xBF", R + R + R},
      {"4-byte overlong", "\xF0\x80\x80\xAF", R + R + R + R},
      {"4-byte overlong of U+FFFF", "\xF0\x8F\xBF\xBF", R + R + R + R},
      {"surrogate D800", "\xED\xA0\x80", R + R + R},
      {"surrogate DFFF", "\xED\xBF\xBF", R + R + R},
      {"surrogate pair as CESU-8", "\xED\xA0\xBD\xED\xB8\x80", R + R + R + R + R + R},
      {"above U+10FFFF (F4 90)", "\xF4\x90\x80\x80", R + R + R + R},
      {"F5 lead", "\xF5\x80\x80\x80", R + R + R + R},
      {"FE and FF", "\xFE\xFF", R + R},
      {"truncated 2-byte at end", "ab\xC3", "ab" + R},
      {"truncated 3-byte at end", "\xE2\x82", R},
      {"truncated 4-byte at end", "\xF0\x9F\x98", R},
      {"truncated 3-byte before ASCII",
       "\xE2\x82"
       "b",
       R + "b"},
      {"truncated 4-byte before ASCII",
       "\xF0\x9F\x98"
       "A",
       R + "A"},
      {"truncated then valid", "\xE2\x82\xE2\x82\xAC", R + "\xE2\x82\xAC"},
      {"valid then truncated", "\xE2\x82\xAC\xE2\x82", "\xE2\x82\xAC" + R},
      {"lead followed by lead", "\xC3\xC3\xA9", R + "\xC3\xA9"},
      // The example of Unicode 15, section 3.9, Table 3-8.
      {"Unicode table 3-8", "\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64",
       "a" + R + R + R + "b" + R + "c" + R + R + "d"},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    const std::string json = json_string(c.input);
    CHECK(json == "\"" + c.expected + "\"");  // exact bytes
    CHECK(parse_string(json) == c.expected);
  }
}

TEST_CASE("json_writer: random bytes always give valid JSON that round-trips when valid",
          "[json][utf8]") {
  std::mt19937_64 rng(20240601);
  // Mostly bytes that matter to the decoder, so ill-formed sequences of every kind occur.
  const std::vector<uint8_t> interesting = {0x00, 0x09, 0x1f, 0x22, 0x5c, 0x41, 0x7f, 0x80, 0x8f,
                                            0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xe1,
                                            0xed, 0xef, 0xf0, 0xf1, 0xf4, 0xf5, 0xff};
  std::string out;
  simdjson::dom::parser parser;
  for (int iteration = 0; iteration < 5000; ++iteration) {
    std::string input(rng() % 40, '\0');
    for (char& c : input) {
      c = static_cast<char>((rng() % 3 == 0) ? static_cast<uint8_t>(rng())
                                             : interesting[rng() % interesting.size()]);
    }
    out.clear();
    hotspan::detail::write_string(out, input);
    INFO("iteration " << iteration);
    REQUIRE(simdjson::validate_utf8(out));
    REQUIRE_FALSE(has_raw_control_byte(out));
    simdjson::dom::element doc;
    REQUIRE(parser.parse(out).get(doc) == simdjson::SUCCESS);
    std::string_view value;
    REQUIRE(doc.get(value) == simdjson::SUCCESS);
    if (simdjson::validate_utf8(input)) {
      CHECK(value == input);
    } else {
      CHECK(value.find(kFffd) != std::string_view::npos);
    }
  }
}

TEST_CASE("json_writer: a 1 MB string", "[json]") {
  std::string big;
  big.reserve(1 << 20);
  while (big.size() < (1 << 20))
    big += "relay-\xE2\x86\x92-\xF0\x9F\x98\x80-abcdefgh|";
  std::string json = json_string(big);
  CHECK(json.size() == big.size() + 2);
  CHECK(parse_string(json) == big);

  std::string every_byte(1 << 20, '\0');
  for (size_t i = 0; i < every_byte.size(); ++i)
    every_byte[i] = static_cast<char>(i * 7);
  json = json_string(every_byte);
  CHECK_FALSE(has_raw_control_byte(json));
  // Bytes 7 apart never form a well-formed sequence (a lead byte is followed by
  // another lead byte), so every non-ASCII byte is replaced on its own.
  std::string expected;
  for (const char c : every_byte) {
    if (static_cast<unsigned char>(c) < 0x80) {
      expected.push_back(c);
    } else {
      expected += kFffd;
    }
  }
  CHECK(parse_string(json) == expected);
}

TEST_CASE("json_writer: writers append to the buffer", "[json]") {
  std::string out = "[";
  hotspan::detail::write_string(out, "a");
  out.push_back(',');
  hotspan::detail::write_int(out, -5);
  out.push_back(',');
  hotspan::detail::write_bool(out, false);
  out.push_back(']');
  CHECK(out == R"(["a",-5,false])");
}

TEST_CASE("json_writer: integers at the limits", "[json]") {
  std::string out;
  hotspan::detail::write_int(out, std::numeric_limits<int64_t>::min());
  CHECK(out == "-9223372036854775808");
  out.clear();
  hotspan::detail::write_int(out, std::numeric_limits<int64_t>::max());
  CHECK(out == "9223372036854775807");
  out.clear();
  hotspan::detail::write_int(out, 0);
  CHECK(out == "0");
  out.clear();
  hotspan::detail::write_uint(out, std::numeric_limits<uint64_t>::max());
  CHECK(out == "18446744073709551615");

  simdjson::dom::parser parser;
  out.clear();
  hotspan::detail::write_int(out, std::numeric_limits<int64_t>::min());
  CHECK(int64_t(parser.parse(out).get_int64()) == std::numeric_limits<int64_t>::min());
  out.clear();
  hotspan::detail::write_uint(out, std::numeric_limits<uint64_t>::max());
  CHECK(uint64_t(parser.parse(out).get_uint64()) == std::numeric_limits<uint64_t>::max());
}

TEST_CASE("json_writer: doubles", "[json]") {
  CHECK(json_double(0.1) == "0.1");
  CHECK(json_double(1.0) == "1.0");  // stays a double for readers
  CHECK(json_double(-2.0) == "-2.0");
  CHECK(json_double(0.0) == "0.0");
  CHECK(json_double(-0.0) == "-0.0");
  CHECK(json_double(1e100) == "1e+100");
  CHECK(json_double(5e-324) == "5e-324");
  CHECK(json_double(1.5e300) == "1.5e+300");
  CHECK(json_double(std::numeric_limits<double>::quiet_NaN()) == R"("NaN")");
  CHECK(json_double(-std::numeric_limits<double>::quiet_NaN()) == R"("NaN")");
  CHECK(json_double(std::numeric_limits<double>::infinity()) == R"("Infinity")");
  CHECK(json_double(-std::numeric_limits<double>::infinity()) == R"("-Infinity")");

  std::string text;
  hotspan::detail::write_double_text(text, std::numeric_limits<double>::quiet_NaN());
  text.push_back(' ');
  hotspan::detail::write_double_text(text, -std::numeric_limits<double>::infinity());
  text.push_back(' ');
  hotspan::detail::write_double_text(text, 2.5);
  CHECK(text == "NaN -Infinity 2.5");

  // Shortest form still round-trips exactly, and parses as a double.
  std::mt19937_64 rng(7);
  simdjson::dom::parser parser;
  for (int i = 0; i < 2000; ++i) {
    uint64_t bits = rng();
    double v;
    std::memcpy(&v, &bits, sizeof(v));
    if (!std::isfinite(v)) continue;
    const std::string json = json_double(v);
    simdjson::dom::element doc;
    REQUIRE(parser.parse(json).get(doc) == simdjson::SUCCESS);
    INFO(json);
    CHECK(doc.type() == simdjson::dom::element_type::DOUBLE);
    CHECK(double(doc.get_double()) == v);
  }
}

TEST_CASE("json_writer: attribute values of every type", "[json]") {
  auto value_json = [](AttributeValue v) {
    std::string out;
    hotspan::detail::write_attribute_value(out, v);
    return out;
  };
  CHECK(value_json(true) == "true");
  CHECK(value_json(false) == "false");
  CHECK(value_json(int64_t{-42}) == "-42");
  CHECK(value_json(0.25) == "0.25");
  CHECK(value_json(std::numeric_limits<double>::infinity()) == R"("Infinity")");
  CHECK(value_json(std::string_view("x\ny")) == R"("x\ny")");
}

TEST_CASE("json_writer: attribute objects keep the last value of a repeated key", "[json]") {
  auto object_json = [](std::vector<AttributeView> attributes) {
    std::string out;
    hotspan::detail::write_attributes(out, attributes);
    return out;
  };
  CHECK(object_json({}) == "{}");
  CHECK(object_json({{"a", int64_t{1}}}) == R"({"a":1})");
  CHECK(object_json({{"a", int64_t{1}}, {"b", true}, {"a", std::string_view("last")}}) ==
        R"({"a":"last","b":true})");
  CHECK(object_json({{"k", int64_t{1}}, {"k", int64_t{2}}, {"k", int64_t{3}}}) == R"({"k":3})");
  CHECK(object_json({{"x", 1.5}, {"y", int64_t{2}}, {"y", int64_t{3}}, {"x", false}}) ==
        R"({"x":false,"y":3})");
  CHECK(object_json({{"", int64_t{1}}, {"q\"", int64_t{2}}}) == R"({"":1,"q\"":2})");
}

TEST_CASE("json_writer: ids in hex, whole or shortened", "[json]") {
  hotspan::TraceId trace;
  const uint8_t bytes[16] = {0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6,
                             0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36};
  std::memcpy(trace.bytes.data(), bytes, 16);
  const hotspan::SpanId span{0x00f067aa0ba902b7};
  std::string out;
  hotspan::detail::append_hex(out, trace);
  CHECK(out == "4bf92f3577b34da6a3ce929d0e0e4736");
  out.clear();
  hotspan::detail::append_hex(out, span);
  CHECK(out == "00f067aa0ba902b7");
  out = "=";
  hotspan::detail::append_hex(out, trace, 8);
  hotspan::detail::append_hex(out, span, 8);
  CHECK(out == "=4bf92f3500f067aa");
}

TEST_CASE("json: the public append_json_string/append_json_number write what the formats write",
          "[json]") {
  const std::vector<std::string> texts = {"",         "plain",       "quote\" back\\ nl\n",
                                          "\x01\x7f", "ok \xc3\xa9", "bad \xc3 \xff end"};
  for (const std::string& text : texts) {
    std::string pub, internal;
    hotspan::append_json_string(pub, text);
    hotspan::detail::write_string(internal, text);
    CHECK(pub == internal);
  }
  std::string bad;
  hotspan::append_json_string(bad, "x\xff");
  CHECK(bad == "\"x" + kFffd + "\"");

  const auto number = [](double v) {
    std::string out;
    hotspan::append_json_number(out, v);
    return out;
  };
  CHECK(number(3.0) == "3.0");
  CHECK(number(0.75) == "0.75");
  CHECK(number(-1e300) == "-1e+300");
  CHECK(number(std::nan("")) == "\"NaN\"");
  CHECK(number(std::numeric_limits<double>::infinity()) == "\"Infinity\"");
  CHECK(number(-std::numeric_limits<double>::infinity()) == "\"-Infinity\"");
}
