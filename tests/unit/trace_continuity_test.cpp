// Trace continuity and sampling consistency, through the public API only: for
// every sampler a user can configure (and OTEL_TRACES_SAMPLER's mapping of
// them), a child started under a root (through a Scope and with an explicit
// parent), under a remote sampled parent and under a remote unsampled parent
// stays in its parent's trace, and decides as the contract says:
//  * parent-based samplers follow the parent's sampled flag;
//  * trace_id_ratio is a pure function of the trace id, so every span of a
//    trace (this process or another) gets the same decision as its root;
//  * always_on / always_off are constant.
// Also the W3C Level 2 trace flags of what a span propagates: the random-trace-id
// flag (0x02) set on new roots and kept from a parent, reserved bits never sent.
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "capture_exporter.hpp"
#include "hotspan/hotspan.hpp"

using hotspan::Scope;
using hotspan::Span;
using hotspan::SpanContext;
using hotspan::SpanKind;
using hotspan::Tracer;
using hotspan::TracerOptions;

namespace {

constexpr uint8_t kSampledFlag = 0x01;
constexpr uint8_t kRandomFlag = 0x02;

// Whether the sampler decides from the parent's flag (parent-based), from the
// trace id alone (ratio, constant), or neither (rate limited, a user's sampler).
enum class Rule { follows_parent, trace_id_function, free };

struct SamplerCase {
  std::string name;
  std::function<std::shared_ptr<hotspan::Sampler>()> make;
  Rule rule;
};

// A user's sampler, called through the virtual interface: samples trace ids
// whose last byte is even, so its decisions are a function of the trace id too.
class EvenTraceIdSampler final : public hotspan::Sampler {
 public:
  bool should_sample(const hotspan::SamplingInput& input) noexcept override {
    return (input.trace_id.bytes[15] & 1) == 0;
  }
};

std::vector<SamplerCase> sampler_cases() {
  return {
      {"always_on", [] { return hotspan::always_on(); }, Rule::trace_id_function},
      {"always_off", [] { return hotspan::always_off(); }, Rule::trace_id_function},
      {"trace_id_ratio(0.5)", [] { return hotspan::trace_id_ratio(0.5); }, Rule::trace_id_function},
      {"trace_id_ratio(0)", [] { return hotspan::trace_id_ratio(0.0); }, Rule::trace_id_function},
      {"trace_id_ratio(1)", [] { return hotspan::trace_id_ratio(1.0); }, Rule::trace_id_function},
      {"user sampler", [] { return std::make_shared<EvenTraceIdSampler>(); },
       Rule::trace_id_function},
      {"rate_limited(1e6)", [] { return hotspan::rate_limited(1e6); }, Rule::free},
      {"parent_based(always_on)", [] { return hotspan::parent_based(hotspan::always_on()); },
       Rule::follows_parent},
      {"parent_based(always_off)", [] { return hotspan::parent_based(hotspan::always_off()); },
       Rule::follows_parent},
      {"parent_based(trace_id_ratio(0.5))",
       [] { return hotspan::parent_based(hotspan::trace_id_ratio(0.5)); }, Rule::follows_parent},
      {"parent_based(user sampler)",
       [] { return hotspan::parent_based(std::make_shared<EvenTraceIdSampler>()); },
       Rule::follows_parent},
  };
}

// What the sampler decides for a root of trace `id` (a fresh instance, so that a
// rate limiter's budget is not spent).
bool root_decision(const SamplerCase& c, const hotspan::TraceId& id) {
  return c.make()->should_sample(hotspan::SamplingInput{nullptr, id, "root", SpanKind::internal});
}

SpanContext remote_parent(bool sampled, uint32_t seed) {
  // Trace ids spread over the ratio range: the low bytes vary with the seed.
  char text[64];
  std::snprintf(text, sizeof text, "00-4bf92f3577b34da6a3ce929d%06x%02x-00f067aa0ba902b7-%s",
                seed * 2654435761u & 0xffffffu, seed & 0xffu, sampled ? "01" : "00");
  const auto parsed = hotspan::parse_traceparent(text);
  REQUIRE(parsed.has_value());
  return *parsed;
}

// Checks one child against its parent and the sampler's rule; returns the child's
// context.
SpanContext check_child(const SamplerCase& c, const Span& child, const SpanContext& parent,
                        bool parent_recorded_decision) {
  const SpanContext cc = child.context();
  INFO("sampler " << c.name << ", parent " << hotspan::to_traceparent(parent));
  REQUIRE(cc.valid());
  CHECK(cc.trace_id == parent.trace_id);  // never a new trace
  CHECK(cc.span_id != parent.span_id);
  CHECK_FALSE(cc.is_remote);
  CHECK(cc.sampled() == child.is_recording());
  switch (c.rule) {
    case Rule::follows_parent:
      CHECK(child.is_recording() == parent.sampled());
      break;
    case Rule::trace_id_function:
      CHECK(child.is_recording() == parent_recorded_decision);
      break;
    case Rule::free:
      break;
  }
  // Level 2 flags: the random flag travels down the trace; reserved bits never.
  CHECK((cc.trace_flags & kRandomFlag) == (parent.trace_flags & kRandomFlag));
  CHECK((cc.trace_flags & ~(kSampledFlag | kRandomFlag)) == 0);
  return cc;
}

}  // namespace

TEST_CASE("every sampler keeps children in their parent's trace, deciding consistently",
          "[samplers][continuity]") {
  for (const SamplerCase& c : sampler_cases()) {
    auto exporter = std::make_shared<hotspan_test::CaptureExporter>();
    TracerOptions options;
    options.exporter = exporter;
    options.sampler = c.make();
    Tracer tracer(std::move(options));

    // span id -> (trace id, parent span id) of every span expected in the export.
    std::map<uint64_t, std::pair<hotspan::TraceId, uint64_t>> expected;
    int sampled_roots = 0, unsampled_roots = 0;
    constexpr int kRoots = 400;
    for (int i = 0; i < kRoots; ++i) {
      INFO("sampler " << c.name << ", root " << i);
      Span root = tracer.start_span("root", SpanKind::server);
      const SpanContext rc = root.context();
      REQUIRE(rc.valid());
      CHECK((rc.trace_flags & kRandomFlag) != 0);  // hotspan's trace ids are random
      CHECK(rc.sampled() == root.is_recording());
      if (c.rule == Rule::trace_id_function)
        CHECK(root.is_recording() == root_decision(c, rc.trace_id));
      (root.is_recording() ? sampled_roots : unsampled_roots)++;
      if (root.is_recording()) expected[rc.span_id.value] = {rc.trace_id, 0};

      std::vector<std::pair<SpanContext, bool>> children;  // context, recording
      {
        Scope scope(root);
        Span child = tracer.start_span("scoped-child");
        const SpanContext cc = check_child(c, child, rc, root.is_recording());
        children.emplace_back(cc, child.is_recording());
        {
          Scope inner(child);
          Span grandchild = tracer.start_span("scoped-grandchild");
          children.emplace_back(check_child(c, grandchild, cc, child.is_recording()),
                                grandchild.is_recording());
          if (grandchild.is_recording())
            expected[children.back().first.span_id.value] = {rc.trace_id, cc.span_id.value};
        }
        if (child.is_recording()) expected[cc.span_id.value] = {rc.trace_id, rc.span_id.value};
      }
      Span explicit_child = tracer.start_span("explicit-child", SpanKind::client, rc);
      const SpanContext ec = check_child(c, explicit_child, rc, root.is_recording());
      if (explicit_child.is_recording())
        expected[ec.span_id.value] = {rc.trace_id, rc.span_id.value};

      // Another thread, handed the context (what a relay does with a cell).
      std::optional<SpanContext> thread_child;
      bool thread_child_recording = false;
      std::thread([&] {
        Span s = tracer.start_span("other-thread-child", SpanKind::internal, rc);
        thread_child = s.context();
        thread_child_recording = s.is_recording();
      }).join();
      REQUIRE(thread_child.has_value());
      CHECK(thread_child->trace_id == rc.trace_id);
      if (c.rule != Rule::free) CHECK(thread_child_recording == root.is_recording());
      if (thread_child_recording)
        expected[thread_child->span_id.value] = {rc.trace_id, rc.span_id.value};

      for (const bool sampled : {true, false}) {
        const SpanContext remote = remote_parent(sampled, static_cast<uint32_t>(i));
        Span child = tracer.start_span("remote-child", SpanKind::server, remote);
        const SpanContext cc = check_child(c, child, remote, root_decision(c, remote.trace_id));
        if (child.is_recording())
          expected[cc.span_id.value] = {remote.trace_id, remote.span_id.value};
        Scope scope(remote);
        Span scoped = tracer.start_span("remote-scoped-child");
        const SpanContext sc = check_child(c, scoped, remote, root_decision(c, remote.trace_id));
        if (scoped.is_recording())
          expected[sc.span_id.value] = {remote.trace_id, remote.span_id.value};
      }
    }
    if (c.name == "trace_id_ratio(0.5)" || c.name == "parent_based(trace_id_ratio(0.5))") {
      // Both branches exercised: about half the roots each way.
      CHECK(sampled_roots > kRoots / 4);
      CHECK(unsampled_roots > kRoots / 4);
    }

    REQUIRE(tracer.flush());
    const auto spans = exporter->spans();
    CHECK(spans.size() == expected.size());
    for (const auto& s : spans) {
      INFO("sampler " << c.name << ", exported span " << s.name);
      const auto it = expected.find(s.span_id.value);
      REQUIRE(it != expected.end());
      CHECK(s.trace_id == it->second.first);
      CHECK(s.parent_span_id.value == it->second.second);
    }
    hotspan_test::require_invariant(tracer.stats());
  }
}

TEST_CASE("OTEL_TRACES_SAMPLER=traceidratio keeps children in the trace and agrees with the root",
          "[samplers][continuity][env]") {
  ::setenv("OTEL_TRACES_SAMPLER", "traceidratio", 1);
  ::setenv("OTEL_TRACES_SAMPLER_ARG", "0.5", 1);
  TracerOptions options = TracerOptions::from_env();
  ::unsetenv("OTEL_TRACES_SAMPLER");
  ::unsetenv("OTEL_TRACES_SAMPLER_ARG");
  auto exporter = std::make_shared<hotspan_test::CaptureExporter>();
  options.exporter = exporter;
  Tracer tracer(std::move(options));
  int in_trace = 0, agree = 0, sampled = 0;
  constexpr int kRoots = 1000;
  for (int i = 0; i < kRoots; ++i) {
    Span root = tracer.start_span("root");
    Scope scope(root);
    Span child = tracer.start_span("child");
    in_trace += child.context().trace_id == root.context().trace_id;
    agree += child.is_recording() == root.is_recording();
    sampled += root.is_recording();
  }
  CHECK(in_trace == kRoots);
  CHECK(agree == kRoots);
  CHECK(sampled > kRoots / 4);
  CHECK(sampled < kRoots * 3 / 4);
}

TEST_CASE("trace flags: roots set the random flag, children keep it, reserved bits are dropped",
          "[traceparent][continuity]") {
  for (const bool sampled_tracer : {true, false}) {
    TracerOptions options;
    options.sampler = sampled_tracer ? hotspan::always_on() : hotspan::always_off();
    Tracer tracer(std::move(options));
    INFO("tracer " << (sampled_tracer ? "always_on" : "always_off"));

    // W3C Level 2 (Trace Context §3.2.2.5, random-trace-id flag): new roots.
    const Span root = tracer.start_span("root");
    CHECK(root.context().trace_flags == (kRandomFlag | (sampled_tracer ? kSampledFlag : 0)));
    CHECK(hotspan::to_traceparent(root.context()).substr(53) == (sampled_tracer ? "03" : "02"));

    // An incoming parent with the random flag, sampled or not, and every reserved
    // bit set: children keep 0x02 and send none of 0xfc (§3.2.2.5: "other flags").
    for (const char* flags : {"03", "02", "ff", "fe", "01", "00", "fd"}) {
      const auto parent = hotspan::parse_traceparent(
          std::string("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-") + flags);
      REQUIRE(parent.has_value());
      INFO("parent flags " << flags);
      const Span child = tracer.start_span("child", SpanKind::server, *parent);
      const uint8_t expected_flags =
          (parent->trace_flags & kRandomFlag) | (child.is_recording() ? kSampledFlag : 0);
      CHECK(child.context().trace_flags == expected_flags);
      const std::string header = hotspan::to_traceparent(child.context());
      CHECK(header.substr(0, 36) == "00-4bf92f3577b34da6a3ce929d0e0e4736-");
      const auto reparsed = hotspan::parse_traceparent(header);
      REQUIRE(reparsed.has_value());
      CHECK(reparsed->trace_flags == expected_flags);
    }
  }
}
