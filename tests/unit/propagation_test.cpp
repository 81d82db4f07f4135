// extract_context() and a thin service built on it: the behaviour the W3C
// Trace Context test suite (test/test.py, STRICT_LEVEL=2, SPEC_LEVEL=2) checks
// of a service that receives headers, starts a span and calls onwards. Each
// case names the suite's test and the specification section
// (https://www.w3.org/TR/trace-context-2/).
#include <catch2/catch.hpp>
#include <hotspan/hotspan.hpp>

#include <cstdio>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

using namespace hotspan;

namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

// What the service sends onwards.
struct Outgoing {
  std::string traceparent;
  std::string tracestate;
  SpanContext context;  // parsed back from traceparent
};

// A service: header names are case-insensitive and repeated lines are joined
// with ',' (what an HTTP server hands its application); the span is started
// under the extracted parent and its context sent on with the tracestate.
Outgoing serve(Tracer& tracer, const Headers& headers) {
  std::string traceparent, tracestate;
  bool have_traceparent = false, have_tracestate = false;
  for (const auto& [name, value] : headers) {
    std::string lower;
    for (const char c : name)
      lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    auto join = [&](std::string& into, bool& have) {
      if (have) into += ',';
      into += value;
      have = true;
    };
    if (lower == "traceparent") join(traceparent, have_traceparent);
    if (lower == "tracestate") join(tracestate, have_tracestate);
  }
  const ExtractedContext in = extract_context(traceparent, tracestate);
  Span span = tracer.start_span("handle", SpanKind::server, in.context);
  Outgoing out;
  out.traceparent = to_traceparent(span.context());
  out.tracestate = std::string(in.trace_state.header());
  const auto parsed = parse_traceparent(out.traceparent);
  REQUIRE(parsed.has_value());  // every outgoing header is valid
  out.context = *parsed;
  return out;
}

constexpr const char* kTraceId = "12345678901234567890123456789012";
constexpr const char* kParent = "00-12345678901234567890123456789012-1234567890123456-00";

Tracer make_tracer() {
  TracerOptions options;
  options.sampler = parent_based(always_on());
  return Tracer(std::move(options));
}

bool continues(const Outgoing& out) {
  return out.context.trace_id.to_hex() == kTraceId;
}

std::optional<std::string> member(const Outgoing& out, std::string_view key) {
  const auto state = TraceState::parse(out.tracestate);
  REQUIRE(state.has_value());
  const auto value = state->get(key);
  return value ? std::optional<std::string>(*value) : std::nullopt;
}

}  // namespace

TEST_CASE("extract_context: a valid traceparent and tracestate", "[propagation]") {
  const ExtractedContext in = extract_context(
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "rojo=00f067aa0ba902b7,congo=t61");
  CHECK(in.context.valid());
  CHECK(in.context.is_remote);
  CHECK(in.context.sampled());
  CHECK(in.trace_state.header() == "rojo=00f067aa0ba902b7,congo=t61");
  CHECK(in.traceparent_error.empty());
  CHECK(in.tracestate_error.empty());
}

TEST_CASE("extract_context: tracestate is ignored without a valid traceparent (§4.3.1)",
          "[propagation]") {
  for (const std::string_view traceparent :
       {"", "   ", "00-00000000000000000000000000000000-1234567890123456-01", "garbage",
        "ff-12345678901234567890123456789012-1234567890123456-01"}) {
    INFO(std::string(traceparent));
    const ExtractedContext in = extract_context(traceparent, "foo=1,bar=2");
    CHECK_FALSE(in.context.valid());
    CHECK(in.trace_state.empty());
    CHECK(in.traceparent_error.empty() ==
          (traceparent.find_first_not_of(' ') == std::string_view::npos));
  }
}

TEST_CASE("extract_context: an invalid tracestate keeps the traceparent", "[propagation]") {
  const ExtractedContext in = extract_context(kParent, "foo=1,BAR=2");
  CHECK(in.context.valid());
  CHECK(in.trace_state.empty());
  CHECK_FALSE(in.tracestate_error.empty());
}

TEST_CASE("W3C suite: traceparent versions (§3.2.4, §4.3 2.2)", "[propagation][w3c]") {
  Tracer tracer = make_tracer();
  // test_traceparent_version_0x00: version 00 with anything after the flags.
  CHECK_FALSE(
      continues(serve(tracer, {{"traceparent", std::string(kParent).substr(0, 53) + "01."}})));
  CHECK_FALSE(continues(serve(tracer, {{"traceparent", std::string(kParent).substr(0, 53) +
                                                           "01-what-the-future-will-be-like"}})));
  // test_traceparent_version_0xcc: a future version continues the trace.
  CHECK(continues(
      serve(tracer, {{"traceparent", "cc-12345678901234567890123456789012-1234567890123456-01"}})));
  CHECK(continues(serve(
      tracer,
      {{"traceparent",
        "cc-12345678901234567890123456789012-1234567890123456-01-what-the-future-will-be-like"}})));
  CHECK_FALSE(continues(serve(
      tracer,
      {{"traceparent",
        "cc-12345678901234567890123456789012-1234567890123456-01.what-the-future-will-be-like"}})));
  // test_traceparent_version_0xff.
  CHECK_FALSE(continues(
      serve(tracer, {{"traceparent", "ff-12345678901234567890123456789012-1234567890123456-01"}})));
  // Whatever came in, what goes out is version 00.
  CHECK(
      serve(tracer, {{"traceparent", "cc-12345678901234567890123456789012-1234567890123456-01-x"}})
          .traceparent.substr(0, 3) == "00-");
}

TEST_CASE("W3C suite: traceparent header lines and whitespace (§3.2, §3.2.1)",
          "[propagation][w3c]") {
  Tracer tracer = make_tracer();
  // test_traceparent_duplicated: two traceparent lines restart the trace.
  CHECK_FALSE(continues(
      serve(tracer, {{"traceparent", "00-12345678901234567890123456789011-1234567890123456-01"},
                     {"traceparent", "00-12345678901234567890123456789012-1234567890123456-01"}})));
  // test_traceparent_header_name_valid_casing.
  CHECK(continues(serve(tracer, {{"TraceParent", kParent}})));
  CHECK(continues(serve(tracer, {{"TRACEPARENT", kParent}})));
  // test_traceparent_ows_handling: leading and trailing spaces and tabs.
  for (const char* padded : {" %s", "\t%s", "%s ", "%s\t", "\t %s \t"}) {
    char text[80];
    std::snprintf(text, sizeof text, padded, kParent);
    INFO('"' << text << '"');
    CHECK(continues(serve(tracer, {{"traceparent", text}})));
  }
}

TEST_CASE("W3C suite: tracestate is inherited, combined and bounded (§3.3)", "[propagation][w3c]") {
  Tracer tracer = make_tracer();
  // test_tracestate_included_traceparent_missing: discarded.
  CHECK(serve(tracer, {{"tracestate", "foo=1"}}).tracestate.empty());
  // test_tracestate_multiple_headers_different_keys: combined, in order.
  const Outgoing combined = serve(tracer, {{"traceparent", kParent},
                                           {"tracestate", "foo=1,bar=2"},
                                           {"tracestate", "rojo=1,congo=2"},
                                           {"tracestate", "baz=3"}});
  CHECK(combined.tracestate == "foo=1,bar=2,rojo=1,congo=2,baz=3");
  // test_tracestate_empty_header.
  CHECK(serve(tracer, {{"traceparent", kParent}, {"tracestate", ""}}).tracestate.empty());
  CHECK(serve(tracer, {{"traceparent", kParent}, {"tracestate", "foo=1"}, {"tracestate", ""}})
            .tracestate == "foo=1");
  CHECK(serve(tracer, {{"traceparent", kParent}, {"tracestate", ""}, {"tracestate", "foo=1"}})
            .tracestate == "foo=1");
  // test_tracestate_ows_handling.
  CHECK(serve(tracer, {{"traceparent", kParent}, {"tracestate", "foo=1 \t , \t bar=2, \t baz=3"}})
            .tracestate == "foo=1,bar=2,baz=3");
  CHECK(serve(tracer, {{"traceparent", kParent}, {"tracestate", "\t foo=1 \t"}}).tracestate ==
        "foo=1");
  // test_tracestate_duplicated_keys (STRICT_LEVEL 2): forwarded, duplicates dropped.
  for (const Headers& lines :
       {Headers{{"tracestate", "foo=1,foo=1"}}, Headers{{"tracestate", "foo=1,foo=2"}},
        Headers{{"tracestate", "foo=1"}, {"tracestate", "foo=1"}},
        Headers{{"tracestate", "foo=1"}, {"tracestate", "foo=2"}}}) {
    Headers headers{{"traceparent", kParent}};
    headers.insert(headers.end(), lines.begin(), lines.end());
    const Outgoing out = serve(tracer, headers);
    CHECK(continues(out));
    CHECK(out.tracestate == "foo=1");
  }
  // test_tracestate_key_illegal_characters / _vendor_format / _value_illegal_characters.
  for (const char* bad :
       {"foo =1", "FOO=1", "foo.bar=1", "@foo=1,bar=2", "foo=bar=baz", "foo=,bar=3"}) {
    INFO(bad);
    const Outgoing out = serve(tracer, {{"traceparent", kParent}, {"tracestate", bad}});
    CHECK(continues(out));
    CHECK(out.tracestate.empty());
  }
  for (const char* good : {"foo@=1,bar=2", "foo@@bar=1,bar=2", "foo@bar@baz=1,bar=2"}) {
    INFO(good);
    const Outgoing out = serve(tracer, {{"traceparent", kParent}, {"tracestate", good}});
    CHECK(out.tracestate == good);
    CHECK(member(out, "bar") == "2");
  }
  // test_tracestate_key_length_limit.
  for (const std::string& key :
       {std::string(256, 'z'), std::string(241, 't') + "@" + std::string(14, 'v'),
        std::string(242, 't') + "@v", "t@" + std::string(15, 'v')}) {
    const Outgoing out = serve(
        tracer, {{"traceparent", kParent}, {"tracestate", "foo=1"}, {"tracestate", key + "=1"}});
    CHECK(member(out, "foo") == "1");
    CHECK(member(out, key) == "1");
  }
  CHECK(serve(tracer, {{"traceparent", kParent},
                       {"tracestate", "foo=1"},
                       {"tracestate", std::string(257, 'z') + "=1"}})
            .tracestate.empty());
  // test_tracestate_member_count_limit: 32 kept, 33 discarded.
  std::string members;
  for (int i = 1; i <= 33; ++i) {
    char m[16];
    std::snprintf(m, sizeof m, "%sbar%02d=%02d", i > 1 ? "," : "", i, i);
    members += m;
    if (i == 32)
      CHECK(TraceState::parse(
                serve(tracer, {{"traceparent", kParent}, {"tracestate", members}}).tracestate)
                ->size() == 32);
  }
  CHECK(serve(tracer, {{"traceparent", kParent}, {"tracestate", members}}).tracestate.empty());
}

TEST_CASE("W3C suite: ids of outgoing requests (§3.2.2.4, AdvancedTest)", "[propagation][w3c]") {
  Tracer tracer = make_tracer();
  // test_multiple_requests_with_valid_traceparent: one trace, a parent id each.
  std::set<std::string> parents;
  for (int i = 0; i < 3; ++i) {
    const Outgoing out =
        serve(tracer, {{"traceparent", "00-12345678901234567890123456789012-1234567890123456-01"}});
    CHECK(continues(out));
    CHECK(out.context.span_id.to_hex() != "1234567890123456");
    parents.insert(out.context.span_id.to_hex());
  }
  CHECK(parents.size() == 3);
  // test_multiple_requests_with_illegal_traceparent: new trace ids, never zero.
  for (int i = 0; i < 3; ++i) {
    const Outgoing out =
        serve(tracer, {{"traceparent", "00-00000000000000000000000000000000-1234567890123456-01"}});
    CHECK(out.context.trace_id.valid());
  }
}

TEST_CASE("W3C suite: the random flag propagates, reserved flags do not (§3.2.2.5)",
          "[propagation][w3c]") {
  for (const bool sampled_service : {true, false}) {
    TracerOptions options;
    options.sampler = sampled_service ? always_on() : always_off();
    Tracer tracer(std::move(options));
    // test_propagates_random_flag (SPEC_LEVEL 2).
    const Outgoing out =
        serve(tracer, {{"traceparent", "00-12345678901234567890123456789012-1234567890123456-02"}});
    CHECK(continues(out));
    CHECK(out.context.random_trace_id());
    CHECK(out.context.sampled() == sampled_service);
    const Outgoing reserved =
        serve(tracer, {{"traceparent", "00-12345678901234567890123456789012-1234567890123456-ff"}});
    CHECK((reserved.context.trace_flags & ~kTraceFlagsDefined) == 0);
    CHECK(reserved.context.random_trace_id());
    // A new root: hotspan's trace ids are random.
    CHECK(serve(tracer, {}).context.random_trace_id());
  }
}
