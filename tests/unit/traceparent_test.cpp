// Tests of the W3C traceparent text form: the specification's examples, round
// trips, and a table of malformed headers that the strict parser rejects.
#include <catch2/catch.hpp>
#include <string>
#include <string_view>

#include "core/id_generator.hpp"
#include "hotspan/span_context.hpp"

using hotspan::parse_traceparent;
using hotspan::SpanContext;
using hotspan::SpanId;
using hotspan::to_traceparent;
using hotspan::TraceId;

namespace {

constexpr std::string_view kW3cSampled = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
constexpr std::string_view kW3cUnsampled =
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00";

}  // namespace

TEST_CASE("traceparent: the W3C examples parse", "[traceparent]") {
  const auto sampled = parse_traceparent(kW3cSampled);
  REQUIRE(sampled.has_value());
  CHECK(sampled->trace_id == TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736"));
  CHECK(sampled->span_id.value == 0x00f067aa0ba902b7u);
  CHECK(sampled->trace_flags == 0x01);
  CHECK(sampled->sampled());
  CHECK(sampled->is_remote);
  CHECK(sampled->valid());

  const auto unsampled = parse_traceparent(kW3cUnsampled);
  REQUIRE(unsampled.has_value());
  CHECK(unsampled->trace_flags == 0x00);
  CHECK_FALSE(unsampled->sampled());
  CHECK(unsampled->is_remote);
}

TEST_CASE("traceparent: flags are kept as given", "[traceparent]") {
  const auto random_flag = parse_traceparent(
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03");  // sampled + level 2 random
  REQUIRE(random_flag.has_value());
  CHECK(random_flag->trace_flags == 0x03);
  const auto unknown_flags =
      parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-fe");
  REQUIRE(unknown_flags.has_value());
  CHECK(unknown_flags->trace_flags == 0xfe);
  CHECK_FALSE(unknown_flags->sampled());
  CHECK(unknown_flags->random_trace_id());
  // Version 00 defines two flags; the reserved ones are never sent (§3.2.2.5).
  CHECK(to_traceparent(*unknown_flags) ==
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-02");
}

TEST_CASE("traceparent: a higher version is read for version 00's fields", "[traceparent]") {
  // §3.2.4 (Versioning of traceparent) and §4.3 (Processing model, 2.2): a
  // version above 00 is parsed as version 00 if it is at least 55 characters
  // and, past them, ends or goes on with '-'.
  const TraceId expected = *TraceId::from_hex("12345678901234567890123456789012");
  for (const std::string_view text :
       {"cc-12345678901234567890123456789012-1234567890123456-01",
        "cc-12345678901234567890123456789012-1234567890123456-01-what-the-future-will-be-like",
        "01-12345678901234567890123456789012-1234567890123456-01-",
        "fe-12345678901234567890123456789012-1234567890123456-03-x"}) {
    INFO(std::string(text));
    const auto context = parse_traceparent(text);
    REQUIRE(context.has_value());
    CHECK(context->trace_id == expected);
    CHECK(context->span_id.value == 0x1234567890123456u);
    CHECK(context->sampled());
    CHECK(context->is_remote);
  }
  for (const std::string_view text :
       {// The character after the flags must be '-' in a later version.
        "cc-12345678901234567890123456789012-1234567890123456-01.what-the-future-will-be-like",
        "cc-12345678901234567890123456789012-1234567890123456-01x",
        // Version 00 is exactly 55 characters (test_traceparent_version_0x00).
        "00-12345678901234567890123456789012-1234567890123456-01.",
        "00-12345678901234567890123456789012-1234567890123456-01-what-the-future-will-be-like",
        // ff is invalid in every version; shorter than 55 is never parsed.
        "ff-12345678901234567890123456789012-1234567890123456-01",
        "ff-12345678901234567890123456789012-1234567890123456-01-x",
        "cc-12345678901234567890123456789012-1234567890123456-1",
        "CC-12345678901234567890123456789012-1234567890123456-01",
        "cc-12345678901234567890123456789012-1234567890123456-0x-x"}) {
    INFO(std::string(text));
    CHECK_FALSE(parse_traceparent(text).has_value());
  }
}

TEST_CASE("traceparent: text round trips", "[traceparent]") {
  for (const auto text : {kW3cSampled, kW3cUnsampled}) {
    const auto context = parse_traceparent(text);
    REQUIRE(context.has_value());
    CHECK(to_traceparent(*context) == text);
  }
}

TEST_CASE("traceparent: context round trips", "[traceparent]") {
  for (int i = 0; i < 1000; ++i) {
    const SpanContext context{hotspan::detail::new_trace_id(), hotspan::detail::new_span_id(),
                              static_cast<uint8_t>(i & 0xff), /*is_remote=*/false};
    const std::string text = to_traceparent(context);
    REQUIRE(text.size() == 55);
    const auto parsed = parse_traceparent(text);
    REQUIRE(parsed.has_value());
    CHECK(parsed->trace_id == context.trace_id);
    CHECK(parsed->span_id == context.span_id);
    CHECK(parsed->trace_flags == (context.trace_flags & hotspan::kTraceFlagsDefined));
    CHECK(parsed->is_remote);
  }
}

TEST_CASE("traceparent: an invalid context gives an empty header", "[traceparent]") {
  const TraceId trace_id = hotspan::detail::new_trace_id();
  CHECK(to_traceparent(SpanContext{}).empty());
  CHECK(to_traceparent(SpanContext{trace_id, SpanId{}, 1, false}).empty());
  CHECK(to_traceparent(SpanContext{TraceId{}, SpanId{42}, 1, false}).empty());
  CHECK_FALSE(to_traceparent(SpanContext{trace_id, SpanId{42}, 1, false}).empty());
}

TEST_CASE("traceparent: malformed headers are rejected", "[traceparent]") {
  const std::string_view malformed[] = {
      "",
      // Versions: ff is invalid everywhere; version 00 has nothing after the flags.
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
      "0-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "000-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      // Uppercase hex anywhere.
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A",
      // Wrong field lengths.
      "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e47366-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b77-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-001",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-",
      // Missing, extra or misplaced separators.
      "004bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e473600f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b701",
      "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7_01",
      "00--4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",
      "00-4bf92f3577b34da6a3ce929d0e0e473-600f067aa0ba902b7-01",  // right length, dash moved
      "-00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      // All-zero ids.
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
      // Non-hex characters.
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-xx",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-+1",
      "00-4bf92f3577b34da6a3ce929d0e0e473z-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902bz-01",
      "0g-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      // Whitespace.
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01 ",
      " 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\n",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7- 1",
      "00-4bf92f3577b34da6a3ce929d0e0e4736 00f067aa0ba902b7-01",
      // An embedded NUL where a digit belongs.
      std::string_view("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0\0", 55),
  };
  for (const auto text : malformed) {
    INFO("traceparent: \"" << std::string(text) << "\" (" << text.size() << " chars)");
    CHECK_FALSE(parse_traceparent(text).has_value());
  }
}
