// Tracer and Span behaviour, observed through an exporter that keeps copies.
#include <catch2/catch.hpp>
#include <hotspan/hotspan.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <future>
#include <limits>
#include <set>
#include <thread>

#include "capture_exporter.hpp"

using namespace hotspan;
using hotspan_test::CaptureExporter;
using hotspan_test::OwnedSpan;
using hotspan_test::OwnedValue;

namespace {

struct Fixture {
  std::shared_ptr<CaptureExporter> exporter = std::make_shared<CaptureExporter>();
  Tracer tracer;

  explicit Fixture(TracerOptions o = {}) : tracer(with_exporter(std::move(o), exporter)) {}

  static TracerOptions with_exporter(TracerOptions o, std::shared_ptr<CaptureExporter> e) {
    o.exporter = std::move(e);
    if (o.service_name == "unknown_service") o.service_name = "test-service";
    return o;
  }

  std::vector<OwnedSpan> flushed() {
    REQUIRE(tracer.flush());
    return exporter->spans();
  }
};

const OwnedSpan& by_name(const std::vector<OwnedSpan>& spans, std::string_view name) {
  for (const auto& s : spans)
    if (s.name == name) return s;
  FAIL("no span named " << name);
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("a root span is recorded with ids, kind, times and thread", "[tracer]") {
  Fixture f;
  SpanContext ctx;
  {
    Span span = f.tracer.start_span("root-op", SpanKind::server);
    REQUIRE(span.is_recording());
    ctx = span.context();
    REQUIRE(ctx.valid());
    REQUIRE(ctx.sampled());
    REQUIRE_FALSE(ctx.is_remote);
  }
  auto spans = f.flushed();
  REQUIRE(spans.size() == 1);
  const OwnedSpan& s = spans[0];
  CHECK(s.name == "root-op");
  CHECK(s.kind == SpanKind::server);
  CHECK(s.trace_id == ctx.trace_id);
  CHECK(s.span_id == ctx.span_id);
  CHECK_FALSE(s.parent_span_id.valid());
  CHECK(s.status == StatusCode::unset);
  CHECK(s.start_unix_ns > 1'600'000'000'000'000'000ull);  // after 2020
  CHECK(s.end_unix_ns >= s.start_unix_ns);
  CHECK(s.thread_id != 0);
  auto st = f.tracer.stats();
  CHECK(st.spans_started == 1);
  CHECK(st.spans_sampled == 1);
  CHECK(st.spans_exported == 1);
  hotspan_test::require_invariant(st);
}

TEST_CASE("the exporter receives the resource with service.name first", "[tracer]") {
  TracerOptions o;
  o.service_name = "relay";
  o.resource = {{"host.name", "guard-1"}, {"service.name", "ignored"}};
  Fixture f(o);
  Resource r = f.exporter->resource();
  CHECK(r.service_name == "relay");
  REQUIRE(r.attributes.size() == 2);
  CHECK(r.attributes[0] == std::pair<std::string, std::string>("service.name", "relay"));
  CHECK(r.attributes[1] == std::pair<std::string, std::string>("host.name", "guard-1"));
  CHECK(f.tracer.service_name() == "relay");
}

TEST_CASE("scopes make spans current and nest", "[tracer][scope]") {
  Fixture f;
  CHECK_FALSE(current_context().valid());
  SpanContext outer_ctx, inner_ctx, sibling_ctx;
  {
    Span outer = f.tracer.start_span("outer");
    outer_ctx = outer.context();
    Scope s1(outer);
    CHECK(current_context() == outer_ctx);
    {
      Span inner = f.tracer.start_span("inner");
      inner_ctx = inner.context();
      Scope s2(inner);
      CHECK(current_context() == inner_ctx);
      Span leaf = f.tracer.start_span("leaf");
    }
    CHECK(current_context() == outer_ctx);
    Span sibling = f.tracer.start_span("sibling");
    sibling_ctx = sibling.context();
  }
  CHECK_FALSE(current_context().valid());
  auto spans = f.flushed();
  REQUIRE(spans.size() == 4);
  const auto& outer = by_name(spans, "outer");
  const auto& inner = by_name(spans, "inner");
  const auto& leaf = by_name(spans, "leaf");
  const auto& sibling = by_name(spans, "sibling");
  CHECK_FALSE(outer.parent_span_id.valid());
  CHECK(inner.parent_span_id == outer.span_id);
  CHECK(leaf.parent_span_id == inner.span_id);
  CHECK(sibling.parent_span_id == outer.span_id);
  for (const auto& s : spans)
    CHECK(s.trace_id == outer.trace_id);
  // A child starts after and ends before its parent.
  CHECK(inner.start_unix_ns >= outer.start_unix_ns);
  CHECK(inner.end_unix_ns <= outer.end_unix_ns);
}

TEST_CASE("an explicit parent overrides the current scope", "[tracer]") {
  Fixture f;
  auto remote = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  REQUIRE(remote);
  Span scoped = f.tracer.start_span("scoped");
  Scope scope(scoped);
  {
    Span child = f.tracer.start_span("from-remote", SpanKind::server, *remote);
    CHECK(child.is_recording());
    CHECK(child.context().trace_id == remote->trace_id);
    CHECK_FALSE(child.context().is_remote);
  }
  scoped.end();
  auto spans = f.flushed();
  const auto& child = by_name(spans, "from-remote");
  CHECK(child.parent_span_id == remote->span_id);
  CHECK(child.trace_id == remote->trace_id);
}

TEST_CASE("an unsampled remote parent gives an inert child that still propagates", "[tracer]") {
  Fixture f;
  auto remote = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  REQUIRE(remote);
  Span child = f.tracer.start_span("child", SpanKind::server, *remote);
  CHECK_FALSE(child.is_recording());
  CHECK(child.context().valid());
  CHECK(child.context().trace_id == remote->trace_id);
  CHECK(child.context().span_id != remote->span_id);
  CHECK_FALSE(child.context().sampled());
  child.set_attribute("ignored", 1).add_event("ignored").record_error("ignored");
  child.end();
  CHECK(f.flushed().empty());
  auto st = f.tracer.stats();
  CHECK(st.spans_started == 1);
  CHECK(st.spans_sampled == 0);
  hotspan_test::require_invariant(st);
}

TEST_CASE("attributes of every type are recorded", "[tracer][attributes]") {
  Fixture f;
  const std::string owned = "std-string";
  {
    Span s = f.tracer.start_span("attrs");
    s.set_attribute("b", true)
        .set_attribute("i", 42)
        .set_attribute("u", 443u)
        .set_attribute("u8", static_cast<uint8_t>(7))
        .set_attribute("i16", static_cast<int16_t>(-3))
        .set_attribute("l", -9'000'000'000LL)
        .set_attribute("max", std::numeric_limits<int64_t>::max())
        .set_attribute("d", 2.5)
        .set_attribute("f", 0.5f)
        .set_attribute("cstr", "literal")
        .set_attribute("str", owned)
        .set_attribute("sv", std::string_view("view"));
    s.set_attributes({{"a1", 1}, {"a2", "two"}, {"a3", false}});
  }
  auto spans = f.flushed();
  REQUIRE(spans.size() == 1);
  const auto& s = spans[0];
  CHECK(*s.find("b") == OwnedValue(true));
  CHECK(*s.find("i") == OwnedValue(int64_t{42}));
  CHECK(*s.find("u") == OwnedValue(int64_t{443}));
  CHECK(*s.find("u8") == OwnedValue(int64_t{7}));
  CHECK(*s.find("i16") == OwnedValue(int64_t{-3}));
  CHECK(*s.find("l") == OwnedValue(int64_t{-9'000'000'000LL}));
  CHECK(*s.find("max") == OwnedValue(std::numeric_limits<int64_t>::max()));
  CHECK(*s.find("d") == OwnedValue(2.5));
  CHECK(*s.find("f") == OwnedValue(0.5));
  CHECK(*s.find("cstr") == OwnedValue(std::string("literal")));
  CHECK(*s.find("str") == OwnedValue(std::string("std-string")));
  CHECK(*s.find("sv") == OwnedValue(std::string("view")));
  CHECK(*s.find("a1") == OwnedValue(int64_t{1}));
  CHECK(*s.find("a2") == OwnedValue(std::string("two")));
  CHECK(*s.find("a3") == OwnedValue(false));
  CHECK(s.attributes.size() == 15);
  CHECK(s.dropped_attributes == 0);
}

TEST_CASE("setting a key twice keeps the last value at the first position",
          "[tracer][attributes]") {
  Fixture f;
  {
    Span s = f.tracer.start_span("dup");
    s.set_attribute("k", 1).set_attribute("other", "x").set_attribute("k", "second");
  }
  auto spans = f.flushed();
  REQUIRE(spans[0].attributes.size() == 2);
  CHECK(spans[0].attributes[0].first == "k");
  CHECK(spans[0].attributes[0].second == OwnedValue(std::string("second")));
}

TEST_CASE("NaN and infinities are kept as doubles", "[tracer][attributes]") {
  Fixture f;
  {
    Span s = f.tracer.start_span("nan");
    s.set_attribute("nan", std::nan(""))
        .set_attribute("inf", std::numeric_limits<double>::infinity())
        .set_attribute("-inf", -std::numeric_limits<double>::infinity());
  }
  auto spans = f.flushed();
  const auto& s = spans[0];
  CHECK(std::isnan(std::get<double>(*s.find("nan"))));
  CHECK(std::get<double>(*s.find("inf")) == std::numeric_limits<double>::infinity());
  CHECK(std::get<double>(*s.find("-inf")) == -std::numeric_limits<double>::infinity());
}

TEST_CASE("events carry attributes and times inside the span", "[tracer][events]") {
  Fixture f;
  {
    Span s = f.tracer.start_span("with-events");
    s.add_event("cell-sent", {{"cell.bytes", 514}, {"cell.command", "RELAY"}});
    s.set_attribute("after", true);  // span attributes after an event stay span attributes
    s.add_event("plain");
  }
  auto spans = f.flushed();
  const auto& s = spans[0];
  REQUIRE(s.events.size() == 2);
  CHECK(s.events[0].name == "cell-sent");
  REQUIRE(s.events[0].attributes.size() == 2);
  CHECK(*s.events[0].find("cell.bytes") == OwnedValue(int64_t{514}));
  CHECK(*s.events[0].find("cell.command") == OwnedValue(std::string("RELAY")));
  CHECK(s.events[1].name == "plain");
  CHECK(s.events[1].attributes.empty());
  REQUIRE(s.attributes.size() == 1);
  CHECK(s.attributes[0].first == "after");
  for (const auto& e : s.events) {
    CHECK(e.time_unix_ns >= s.start_unix_ns);
    CHECK(e.time_unix_ns <= s.end_unix_ns);
  }
}

TEST_CASE("record_error adds an exception event and sets the error status", "[tracer][errors]") {
  Fixture f;
  {
    Span s = f.tracer.start_span("message");
    s.record_error("handshake failed");
  }
  {
    Span s = f.tracer.start_span("exception");
    s.record_error(std::runtime_error("bad cell"));
  }
  {
    Span s = f.tracer.start_span("error-code");
    s.record_error(std::error_code(ETIMEDOUT, std::generic_category()));
  }
  auto spans = f.flushed();
  const auto& m = by_name(spans, "message");
  CHECK(m.status == StatusCode::error);
  CHECK(m.status_message == "handshake failed");
  REQUIRE(m.events.size() == 1);
  CHECK(m.events[0].name == "exception");
  CHECK(*m.events[0].find("exception.message") == OwnedValue(std::string("handshake failed")));
  CHECK(m.events[0].find("exception.type") != nullptr);

  const auto& e = by_name(spans, "exception");
  CHECK(e.status == StatusCode::error);
  CHECK(e.status_message == "bad cell");
  REQUIRE(e.events.size() == 1);
  CHECK(*e.events[0].find("exception.type") == OwnedValue(std::string("std::runtime_error")));
  CHECK(*e.events[0].find("exception.message") == OwnedValue(std::string("bad cell")));

  const auto& c = by_name(spans, "error-code");
  CHECK(c.status == StatusCode::error);
  CHECK(c.status_message == std::strerror(ETIMEDOUT));
  REQUIRE(c.events.size() == 1);
  CHECK(*c.events[0].find("exception.type") == OwnedValue(std::string("generic")));
  CHECK(*c.events[0].find("exception.message") ==
        OwnedValue(std::string(std::strerror(ETIMEDOUT))));
  CHECK(*c.events[0].find("exception.code") == OwnedValue(int64_t{ETIMEDOUT}));
}

TEST_CASE("set_status keeps the last code and description", "[tracer]") {
  Fixture f;
  {
    Span s = f.tracer.start_span("status");
    s.set_status(StatusCode::error, "first");
    s.set_status(StatusCode::ok);
  }
  {
    Span s = f.tracer.start_span("cancelled");
    s.set_status(StatusCode::cancelled, "client went away");
  }
  auto spans = f.flushed();
  CHECK(by_name(spans, "status").status == StatusCode::ok);
  CHECK(by_name(spans, "status").status_message.empty());
  CHECK(by_name(spans, "cancelled").status == StatusCode::cancelled);
  CHECK(by_name(spans, "cancelled").status_message == "client went away");
}

TEST_CASE("end is idempotent, moves transfer ownership, assignment ends the old span",
          "[tracer][span]") {
  Fixture f;
  Span inert;
  CHECK_FALSE(inert.is_recording());
  CHECK_FALSE(inert.context().valid());
  inert.end();
  inert.set_attribute("x", 1);

  Span a = f.tracer.start_span("a");
  a.end();
  a.end();
  CHECK_FALSE(a.is_recording());
  CHECK(a.context().valid());  // the context survives end()

  Span b = f.tracer.start_span("b");
  Span moved(std::move(b));
  CHECK_FALSE(b.is_recording());  // NOLINT(bugprone-use-after-move): documented state
  CHECK(moved.is_recording());
  b.end();  // no effect

  Span c = f.tracer.start_span("c");
  c = f.tracer.start_span("d");  // ends "c"
  CHECK(c.is_recording());
  auto spans = f.exporter->spans();
  REQUIRE(f.tracer.flush());
  spans = f.exporter->spans();
  CHECK(spans.size() == 2);  // a and c
  moved.end();
  c.end();
  spans = f.flushed();
  REQUIRE(spans.size() == 4);
  CHECK(f.tracer.stats().spans_exported == 4);
}

TEST_CASE("with_span nests, returns the value and records escaping exceptions",
          "[tracer][with_span]") {
  Fixture f;
  int result = with_span(f.tracer, "outer", SpanKind::internal, [&](Span& outer) {
    outer.set_attribute("level", 1);
    return with_span(f.tracer, "inner", SpanKind::client, [] { return 41; }) + 1;
  });
  CHECK(result == 42);
  CHECK_THROWS_AS(with_span(f.tracer, "failing", SpanKind::internal,
                            []() -> void { throw std::invalid_argument("no route"); }),
                  std::invalid_argument);
  CHECK_THROWS_AS(with_span(f.tracer, "failing-int", SpanKind::internal, []() -> void { throw 7; }),
                  int);
  CHECK_FALSE(current_context().valid());
  auto spans = f.flushed();
  CHECK(by_name(spans, "inner").parent_span_id == by_name(spans, "outer").span_id);
  const auto& failing = by_name(spans, "failing");
  CHECK(failing.status == StatusCode::error);
  CHECK(failing.status_message == "no route");
  CHECK(*failing.events[0].find("exception.type") ==
        OwnedValue(std::string("std::invalid_argument")));
  CHECK(by_name(spans, "failing-int").status_message == "unknown exception");
}

TEST_CASE("always_off spans are inert but carry valid ids", "[tracer][sampling]") {
  TracerOptions o;
  o.sampler = always_off();
  Fixture f(o);
  Span root = f.tracer.start_span("root");
  CHECK_FALSE(root.is_recording());
  CHECK(root.context().valid());
  CHECK_FALSE(root.context().sampled());
  Scope scope(root);
  Span child = f.tracer.start_span("child");
  CHECK(child.context().trace_id == root.context().trace_id);
  child.end();
  root.end();
  CHECK(f.flushed().empty());
  auto st = f.tracer.stats();
  CHECK(st.spans_started == 2);
  CHECK(st.spans_sampled == 0);
}

TEST_CASE("ratio sampling never splits a trace", "[tracer][sampling]") {
  TracerOptions o;
  o.sampler = parent_based(trace_id_ratio(0.5));
  Fixture f(o);
  int sampled_roots = 0;
  for (int i = 0; i < 200; ++i) {
    Span root = f.tracer.start_span("root");
    Scope scope(root);
    Span child = f.tracer.start_span("child");
    CHECK(child.is_recording() == root.is_recording());
    sampled_roots += root.is_recording();
  }
  CHECK(sampled_roots > 50);
  CHECK(sampled_roots < 150);
  auto spans = f.flushed();
  CHECK(spans.size() == static_cast<size_t>(2 * sampled_roots));
}

TEST_CASE("a trace_id_ratio root's trace id agrees with its decision, sampled or not",
          "[tracer][sampling]") {
  // The inline path decides a root on 64 random bits before any id exists and
  // draws the rest of an unsampled root's trace id only when asked: the id a
  // peer then sees must give the same decision, and stay unique and random.
  for (auto* make :
       {+[] { return trace_id_ratio(0.3); }, +[] { return parent_based(trace_id_ratio(0.3)); }}) {
    const auto sampler = make();
    TracerOptions o;
    o.sampler = sampler;
    Fixture f(o);
    std::set<std::string> trace_ids;
    int sampled = 0;
    constexpr int kRoots = 2000;
    for (int i = 0; i < kRoots; ++i) {
      Span root = f.tracer.start_span("root");
      const SpanContext c = root.context();
      REQUIRE(c.valid());
      CHECK(c.random_trace_id());
      CHECK(c.sampled() == root.is_recording());  // 2,000 spans: the pool never runs out
      const SamplingInput input{nullptr, c.trace_id, "root", SpanKind::internal};
      CHECK(sampler->should_sample(input) == c.sampled());
      CHECK(trace_ids.insert(to_traceparent(c).substr(3, 32)).second);
      CHECK(root.context() == c);  // drawn once
      sampled += root.is_recording();
    }
    CHECK(sampled > kRoots / 5);  // 30 %: 600 expected, far from both bounds
    CHECK(sampled < kRoots * 2 / 5);
    const auto st = f.tracer.stats();
    CHECK(st.spans_started == static_cast<uint64_t>(kRoots));
    CHECK(st.spans_sampled == static_cast<uint64_t>(sampled));
  }
}

TEST_CASE("limits: attributes, events and strings are bounded and counted", "[tracer][limits]") {
  TracerOptions o;
  o.max_attributes_per_span = 4;
  o.max_events_per_span = 2;
  o.max_string_bytes = 16;
  Fixture f(o);
  {
    Span s = f.tracer.start_span("a-name-longer-than-sixteen-bytes");
    for (int i = 0; i < 10; ++i)
      s.set_attribute("k" + std::to_string(i), i);
    for (int i = 0; i < 5; ++i)
      s.add_event("e");
    s.set_attribute("never", std::string(1 << 20, 'x'));  // over the count limit: dropped
  }
  {
    Span s = f.tracer.start_span("strings");
    s.set_attribute("big", std::string(1 << 20, 'v'));  // 1 MB value
    s.set_attribute(std::string(1000, 'k'), 1);         // long key
    // 15 ASCII bytes then a 3-byte character: the cut must not split it.
    s.set_attribute("utf8", std::string(15, 'a') + "\xe2\x82\xac");
  }
  auto spans = f.flushed();
  const auto& a = by_name(spans, "a-name-longer-th");
  CHECK(a.attributes.size() == 4);
  CHECK(a.dropped_attributes == 7);
  CHECK(a.events.size() == 2);
  CHECK(a.dropped_events == 3);
  const auto& s = by_name(spans, "strings");
  CHECK(std::get<std::string>(*s.find("big")) == std::string(16, 'v'));
  CHECK(s.find(std::string(16, 'k')) != nullptr);
  CHECK(std::get<std::string>(*s.find("utf8")) == std::string(15, 'a'));
  auto st = f.tracer.stats();
  CHECK(st.attributes_dropped == 7);
  CHECK(st.events_dropped == 3);
  CHECK(st.strings_truncated == 4);  // name, big, key, utf8
}

TEST_CASE("limits: the slot's byte budget bounds what a span holds", "[tracer][limits]") {
  TracerOptions o;
  o.slot_bytes = 256;
  o.max_attributes_per_span = 1000;
  o.max_string_bytes = 100;
  Fixture f(o);
  {
    Span s = f.tracer.start_span("full");
    // Each entry takes 4 + 3 + 2 + 100 = 109 bytes: two fit after the 4-byte name.
    for (int i = 0; i < 10; ++i)
      s.set_attribute("key", std::string(100, 'x'));
    s.set_attribute("small", 1);                                     // 17 bytes: fits (239)
    s.add_event("an-event-name-too-long-for-the-rest", {{"k", 1}});  // 47 bytes: does not
  }
  auto spans = f.flushed();
  const auto& s = spans[0];
  CHECK(s.attributes.size() == 2);  // "key" twice: one entry, last value
  CHECK(s.dropped_attributes == 8);
  CHECK(s.events.empty());
  CHECK(s.dropped_events == 1);
  CHECK(s.find("small") != nullptr);
}

TEST_CASE("options out of range are rejected with a clear error", "[tracer][options]") {
  auto rejects = [](auto mutate, std::string_view what) {
    TracerOptions o;
    mutate(o);
    try {
      Tracer t(o);
      FAIL("accepted " << what);
    } catch (const std::invalid_argument& e) {
      CHECK(std::string(e.what()).find(what) != std::string::npos);
    }
  };
  rejects([](TracerOptions& o) { o.slots_per_thread = 0; }, "slots_per_thread");
  rejects([](TracerOptions& o) { o.queue_capacity = 0; }, "queue_capacity");
  rejects([](TracerOptions& o) { o.slot_bytes = 16; }, "slot_bytes");
  rejects([](TracerOptions& o) { o.max_string_bytes = 0; }, "max_string_bytes");
  rejects([](TracerOptions& o) { o.export_batch_size = 0; }, "export_batch_size");
}

TEST_CASE("shutdown is idempotent; later spans are inert and late ends are counted",
          "[tracer][shutdown]") {
  Fixture f;
  Span early = f.tracer.start_span("ended-after-shutdown");
  { Span done = f.tracer.start_span("done"); }
  CHECK_FALSE(f.tracer.exporter_stopped());
  f.tracer.shutdown();
  CHECK(f.tracer.exporter_stopped());  // shutdown() did not time out
  f.tracer.shutdown();
  CHECK(f.exporter->shutdowns() == 1);
  Span late = f.tracer.start_span("late");
  CHECK_FALSE(late.is_recording());
  early.end();
  CHECK_FALSE(f.tracer.flush());
  auto st = f.tracer.stats();
  CHECK(st.spans_started == 3);
  CHECK(st.spans_sampled == 2);
  CHECK(st.spans_exported == 1);
  CHECK(st.dropped_queue_full == 1);
  hotspan_test::require_invariant(st);
}

TEST_CASE("a span may outlive its tracer", "[tracer][lifetime]") {
  auto exporter = std::make_shared<CaptureExporter>();
  Span survivor;
  {
    TracerOptions o;
    o.exporter = exporter;
    Tracer t(o);
    survivor = t.start_span("survivor");
    survivor.set_attribute("k", "v");
  }
  CHECK(survivor.is_recording());
  survivor.set_attribute("after", 1).add_event("e");
  survivor.end();  // discarded safely: the slot's memory is still alive
  CHECK_FALSE(survivor.is_recording());
  CHECK(exporter->count() == 0);
}

TEST_CASE("a span started on one thread can end on another after its thread exited",
          "[tracer][lifetime]") {
  Fixture f;
  Span carried;
  std::thread([&] {
    carried = f.tracer.start_span("carried");
    carried.set_attribute("from", "worker");
    Span done = f.tracer.start_span("done-on-worker");
  }).join();
  REQUIRE(carried.is_recording());
  carried.end();
  auto spans = f.flushed();
  REQUIRE(spans.size() == 2);
  CHECK(by_name(spans, "carried").find("from") != nullptr);
  hotspan_test::require_invariant(f.tracer.stats());
}

TEST_CASE("several tracers coexist on one thread", "[tracer]") {
  Fixture a, b;
  for (int i = 0; i < 100; ++i) {
    Span x = a.tracer.start_span("a");
    Span y = b.tracer.start_span("b");
  }
  CHECK(a.flushed().size() == 100);
  CHECK(b.flushed().size() == 100);
  for (const auto& s : a.exporter->spans())
    CHECK(s.name == "a");
  for (int round = 0; round < 20; ++round) {  // tracers come and go
    Fixture temp;
    { Span s = temp.tracer.start_span("temp"); }
    CHECK(temp.flushed().size() == 1);
  }
}

namespace {
// Accepts every batch, then "loses" the first `lost` spans it accepted, as an
// exporter that sends from a thread of its own and gives a request up would.
class LosesLater final : public Exporter {
 public:
  explicit LosesLater(uint64_t lost) : _lost(lost) {}
  bool export_batch(std::span<const SpanRecord> batch) override {
    _accepted += batch.size();
    return true;
  }
  uint64_t spans_failed_after_export() const noexcept override {
    return std::min(_lost, _accepted);
  }

 private:
  const uint64_t _lost;
  uint64_t _accepted = 0;
};
}  // namespace

TEST_CASE("spans an exporter loses after accepting them count as export failures",
          "[tracer][exporter]") {
  TracerOptions o;
  o.exporter = std::make_shared<LosesLater>(3);
  Tracer tracer(o);
  for (int i = 0; i < 10; ++i)
    tracer.start_span("op");
  REQUIRE(tracer.flush());
  TracerStats st = tracer.stats();
  CHECK(st.spans_exported == 7);
  CHECK(st.dropped_export_failed == 3);
  CHECK(st.spans_sampled == st.spans_exported + st.dropped_export_failed);
  tracer.shutdown();
  st = tracer.stats();
  CHECK(st.spans_exported == 7);
  CHECK(st.dropped_export_failed == 3);
}

TEST_CASE("an exporter that fails or throws is counted and the engine carries on",
          "[tracer][exporter]") {
  Fixture f;
  f.exporter->set_mode(CaptureExporter::Mode::fail);
  for (int i = 0; i < 10; ++i)
    Span s = f.tracer.start_span("fails");
  REQUIRE(f.tracer.flush());
  f.exporter->set_mode(CaptureExporter::Mode::throw_error);
  for (int i = 0; i < 10; ++i)
    Span s = f.tracer.start_span("throws");
  REQUIRE(f.tracer.flush());
  f.exporter->set_mode(CaptureExporter::Mode::keep);
  for (int i = 0; i < 10; ++i)
    Span s = f.tracer.start_span("works");
  auto spans = f.flushed();
  CHECK(spans.size() == 10);
  auto st = f.tracer.stats();
  CHECK(st.dropped_export_failed == 20);
  CHECK(st.spans_exported == 10);
  hotspan_test::require_invariant(st);
}

TEST_CASE("a tiny pool drops spans and counts them exactly", "[tracer][overload]") {
  TracerOptions o;
  o.slots_per_thread = 2;
  Fixture f(o);
  Span a = f.tracer.start_span("a");
  Span b = f.tracer.start_span("b");
  Span c = f.tracer.start_span("c");  // pool exhausted
  CHECK_FALSE(c.is_recording());
  CHECK(c.context().valid());
  CHECK(c.context().sampled());
  a.end();
  b.end();
  c.end();
  REQUIRE(f.tracer.flush());
  auto st = f.tracer.stats();
  CHECK(st.dropped_pool_exhausted == 1);
  CHECK(st.spans_exported == 2);
  hotspan_test::require_invariant(st);
  // Slots come back: recording works again.
  Span d = f.tracer.start_span("d");
  CHECK(d.is_recording());
}

TEST_CASE("span times are Unix-epoch nanoseconds and durations match real time",
          "[tracer][clock]") {
  Fixture f;
  const auto wall_before = std::chrono::system_clock::now();
  {
    Span s = f.tracer.start_span("sleeps-20ms");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    s.add_event("midway");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const auto wall_after = std::chrono::system_clock::now();
  auto spans = f.flushed();
  REQUIRE(spans.size() == 1);
  const auto& s = spans[0];
  const auto to_ns = [](auto t) {
    return static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
  };
  // Within the wall-clock bracket (with 5 ms for the clocks' different anchors).
  CHECK(s.start_unix_ns + 5'000'000 >= to_ns(wall_before));
  CHECK(s.end_unix_ns <= to_ns(wall_after) + 5'000'000);
  const uint64_t duration = s.end_unix_ns - s.start_unix_ns;
  CHECK(duration >= 39'000'000);  // two 20 ms sleeps, less rounding
  CHECK(duration < 2'000'000'000);
  REQUIRE(s.events.size() == 1);
  CHECK(s.events[0].time_unix_ns >= s.start_unix_ns + 19'000'000);
  CHECK(s.events[0].time_unix_ns <= s.end_unix_ns);
}
