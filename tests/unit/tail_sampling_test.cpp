// Tail-based sampling: which whole traces reach the exporter, and that every
// sampled span is still accounted for exactly once.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "backend/record_arena.hpp"
#include "backend/tail_sampler.hpp"
#include "capture_exporter.hpp"
#include "hotspan/hotspan.h"
#include "hotspan/hotspan.hpp"
#include "hotspan/reader.hpp"
#include "stderr_capture.hpp"

using namespace hotspan;
using namespace std::chrono_literals;
using hotspan_test::CaptureExporter;
using hotspan_test::OwnedSpan;
using hotspan_test::require_invariant;

namespace {

struct TailFixture {
  std::shared_ptr<CaptureExporter> exporter = std::make_shared<CaptureExporter>();
  std::unique_ptr<Tracer> tracer;

  explicit TailFixture(TailSamplingPolicy policy) {
    policy.enabled = true;
    TracerOptions o;
    o.exporter = exporter;
    o.tail_sampling = std::move(policy);
    tracer = std::make_unique<Tracer>(std::move(o));
  }

  // Spans exported per trace.
  std::map<std::string, std::vector<OwnedSpan>> traces() const {
    std::map<std::string, std::vector<OwnedSpan>> out;
    for (const OwnedSpan& s : exporter->spans())
      out[s.trace_id.to_hex()].push_back(s);
    return out;
  }
};

// A root with two children; `error_child` ends one of them with an error.
TraceId three_span_trace(Tracer& tracer, std::string_view root_name, bool error_child) {
  Span root = tracer.start_span(root_name);
  {
    Span a = tracer.start_span("a", SpanKind::internal, root.context());
    Span b = tracer.start_span("b", SpanKind::internal, root.context());
    if (error_child) b.record_error(std::string_view("boom"));
  }
  return root.context().trace_id;
}

// Polls until `done()` or 10 s pass (the exporter thread works on its own).
template <class F>
bool eventually(F done) {
  for (int i = 0; i < 2000 && !done(); ++i)
    std::this_thread::sleep_for(5ms);
  return done();
}

}  // namespace

TEST_CASE("tail sampling keeps whole traces with an error and discards the rest",
          "[tail_sampling]") {
  TailFixture f({});
  const TraceId failed = three_span_trace(*f.tracer, "circuit", /*error_child=*/true);
  three_span_trace(*f.tracer, "circuit", /*error_child=*/false);
  REQUIRE(f.tracer->flush());
  const auto traces = f.traces();
  REQUIRE(traces.size() == 1);
  REQUIRE(traces.begin()->first == failed.to_hex());
  CHECK(traces.begin()->second.size() == 3);
  const TracerStats s = f.tracer->stats();
  CHECK(s.spans_sampled == 6);
  CHECK(s.spans_exported == 3);
  CHECK(s.spans_discarded_by_tail_sampling == 3);
  CHECK(s.traces_kept_by_tail_sampling == 1);
  CHECK(s.traces_discarded_by_tail_sampling == 1);
  CHECK(s.traces_decided_early == 0);  // both roots ended before the flush
  require_invariant(s);
}

TEST_CASE("tail sampling: keep_errors off discards failed traces too", "[tail_sampling]") {
  TailSamplingPolicy p;
  p.keep_errors = false;
  TailFixture f(p);
  three_span_trace(*f.tracer, "circuit", true);
  REQUIRE(f.tracer->flush());
  CHECK(f.exporter->count() == 0);
  CHECK(f.tracer->stats().spans_discarded_by_tail_sampling == 3);
}

TEST_CASE("tail sampling keeps roots slower than the first rule matching their name",
          "[tail_sampling]") {
  TailSamplingPolicy p;
  p.slow_roots = {{"build-*", 200ms}, {"*", 1h}};
  TailFixture f(p);
  // build-circuit lasting 250 ms: slow under "build-*" -> kept.
  TraceId slow_build;
  {
    Span root = f.tracer->start_span("build-circuit");
    slow_build = root.context().trace_id;
    std::this_thread::sleep_for(250ms);
  }
  // build-circuit ending at once: fast -> discarded.
  { Span root = f.tracer->start_span("build-circuit"); }
  // relay-circuit lasting 250 ms: only "*" (1 h) applies -> discarded.
  {
    Span root = f.tracer->start_span("relay-circuit");
    std::this_thread::sleep_for(250ms);
  }
  REQUIRE(f.tracer->flush());
  const auto traces = f.traces();
  REQUIRE(traces.size() == 1);
  CHECK(traces.begin()->first == slow_build.to_hex());
  CHECK(f.tracer->stats().traces_discarded_by_tail_sampling == 2);
}

TEST_CASE("tail sampling keeps traces with a matching attribute or event attribute",
          "[tail_sampling]") {
  TailSamplingPolicy p;
  p.keep_errors = false;
  p.keep_attributes = {{"circuit.purpose", "exit"}, {"debug.*", ""}, {"hop.count", "4"}};
  TailFixture f(p);
  std::set<std::string> expected;
  const auto trace = [&](auto&& annotate, bool keep) {
    Span root = f.tracer->start_span("circuit");
    {
      Span child = f.tracer->start_span("hop", SpanKind::internal, root.context());
      annotate(child);
    }
    if (keep) expected.insert(root.context().trace_id.to_hex());
  };
  trace([](Span& s) { s.set_attribute("circuit.purpose", "exit"); }, true);
  trace([](Span& s) { s.set_attribute("circuit.purpose", "general"); }, false);
  trace([](Span& s) { s.set_attribute("debug.anything", int64_t{1}); }, true);
  trace([](Span& s) { s.set_attribute("hop.count", 4); }, true);  // an integer's text
  trace([](Span& s) { s.set_attribute("hop.count", 3); }, false);
  trace([](Span& s) { s.add_event("retry", {{"debug.reason", "timeout"}}); }, true);
  trace([](Span& s) { s.add_event("retry", {{"reason", "timeout"}}); }, false);
  REQUIRE(f.tracer->flush());
  std::set<std::string> kept;
  for (const auto& [id, spans] : f.traces()) {
    kept.insert(id);
    CHECK(spans.size() == 2);  // whole traces
  }
  CHECK(kept == expected);
  const TracerStats s = f.tracer->stats();
  CHECK(s.traces_kept_by_tail_sampling == 4);
  CHECK(s.traces_discarded_by_tail_sampling == 3);
  require_invariant(s);
}

TEST_CASE("tail sampling's baseline keeps the traces trace_id_ratio samples", "[tail_sampling]") {
  TailSamplingPolicy p;
  p.baseline = 0.25;
  TailFixture f(p);
  const std::shared_ptr<Sampler> ratio = trace_id_ratio(0.25);
  std::set<std::string> expected;
  constexpr int kTraces = 400;
  for (int i = 0; i < kTraces; ++i) {
    const TraceId id = three_span_trace(*f.tracer, "circuit", false);
    if (ratio->should_sample(SamplingInput{nullptr, id, "circuit", SpanKind::internal}))
      expected.insert(id.to_hex());
  }
  REQUIRE(f.tracer->flush());
  std::set<std::string> kept;
  for (const auto& [id, spans] : f.traces()) {
    kept.insert(id);
    CHECK(spans.size() == 3);
  }
  CHECK(kept == expected);
  // 400 draws at p = 0.25: 100 expected; [50, 150] holds with overwhelming odds.
  CHECK(kept.size() >= 50);
  CHECK(kept.size() <= 150);
  require_invariant(f.tracer->stats());
}

TEST_CASE("tail sampling holds a trace until its local root ends", "[tail_sampling]") {
  TailSamplingPolicy p;
  p.baseline = 1.0;  // keep everything: what matters is when
  TailFixture f(p);
  // The parent comes from another process: the first local span is the root.
  SpanContext remote;
  remote.trace_id = *TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736");
  remote.span_id = *SpanId::from_hex("00f067aa0ba902b7");
  remote.trace_flags = kTraceFlagSampled;
  remote.is_remote = true;
  Span root = f.tracer->start_span("relay-circuit", SpanKind::server, remote);
  {
    Span child = f.tracer->start_span("onion-skin", SpanKind::internal, root.context());
    Span grandchild = f.tracer->start_span("cell", SpanKind::internal, child.context());
  }
  // The children are with the exporter thread, held: give it time to (wrongly)
  // export them.
  std::this_thread::sleep_for(50ms);
  CHECK(f.exporter->count() == 0);
  root.end();
  REQUIRE(eventually([&] { return f.exporter->count() == 3; }));
  const TracerStats s = f.tracer->stats();
  CHECK(s.traces_kept_by_tail_sampling == 1);
  CHECK(s.traces_decided_early == 0);
  for (const OwnedSpan& span : f.exporter->spans())
    CHECK(span.trace_id == remote.trace_id);
}

TEST_CASE("tail sampling decides a trace whose root has not ended after decision_wait",
          "[tail_sampling]") {
  TailSamplingPolicy p;
  p.decision_wait = 20ms;
  TailFixture f(p);
  Span root = f.tracer->start_span("relay-circuit");
  { Span failed = f.tracer->start_span("cell", SpanKind::internal, root.context()); }
  {
    Span failed = f.tracer->start_span("cell", SpanKind::internal, root.context());
    failed.record_error(std::string_view("destroyed"));
  }
  // Decided early on the two children (an error: kept), without a flush.
  REQUIRE(eventually([&] { return f.exporter->count() == 2; }));
  TracerStats s = f.tracer->stats();
  CHECK(s.traces_decided_early == 1);
  CHECK(s.traces_kept_by_tail_sampling == 1);
  // The root, ending while the decision is remembered, follows it; or, if the
  // decision was already forgotten (20 ms), is a trace of its own: without an
  // error, discarded. Either way it is counted exactly once.
  root.end();
  REQUIRE(f.tracer->flush());
  s = f.tracer->stats();
  CHECK(s.spans_exported + s.spans_discarded_by_tail_sampling == 3);
  require_invariant(s);
}

TEST_CASE("tail sampling: spans ending after their trace was decided follow the decision",
          "[tail_sampling]") {
  TailFixture f({});
  Span kept_root = f.tracer->start_span("circuit");
  Span kept_late = f.tracer->start_span("late", SpanKind::internal, kept_root.context());
  Span dropped_root = f.tracer->start_span("circuit");
  Span dropped_late = f.tracer->start_span("late", SpanKind::internal, dropped_root.context());
  kept_root.record_error(std::string_view("timeout"));
  kept_root.end();
  dropped_root.end();
  REQUIRE(eventually([&] {
    const TracerStats s = f.tracer->stats();
    return s.traces_kept_by_tail_sampling + s.traces_discarded_by_tail_sampling == 2;
  }));
  kept_late.end();
  dropped_late.end();
  REQUIRE(f.tracer->flush());
  const auto traces = f.traces();
  REQUIRE(traces.size() == 1);
  CHECK(traces.begin()->second.size() == 2);
  const TracerStats s = f.tracer->stats();
  CHECK(s.spans_discarded_by_tail_sampling == 2);
  CHECK(s.traces_kept_by_tail_sampling == 1);  // a late span makes no new trace
  CHECK(s.traces_discarded_by_tail_sampling == 1);
  require_invariant(s);
}

TEST_CASE("tail sampling: flush and shutdown decide every held trace", "[tail_sampling]") {
  TailSamplingPolicy p;
  p.baseline = 1.0;
  TailFixture f(p);
  std::vector<Span> roots;
  for (int i = 0; i < 10; ++i) {
    roots.push_back(f.tracer->start_span("circuit"));
    Span child = f.tracer->start_span("hop", SpanKind::internal, roots.back().context());
  }
  REQUIRE(f.tracer->flush());
  TracerStats s = f.tracer->stats();
  CHECK(s.spans_exported == 10);
  CHECK(s.traces_decided_early == 10);  // the roots are still open
  for (Span& r : roots)
    r.end();  // follow the remembered decisions (30 s)
  f.tracer->shutdown();
  s = f.tracer->stats();
  CHECK(s.spans_exported == 20);
  CHECK(s.traces_kept_by_tail_sampling == 10);
  require_invariant(s);
}

TEST_CASE("tail sampling stays within its byte budget and decides the oldest traces first",
          "[tail_sampling]") {
  TailSamplingPolicy policy;
  policy.enabled = true;
  policy.max_buffered_bytes = 64 * 1024;
  policy.baseline = 1.0;
  detail::TailSampler tail(policy);
  const std::string value(200, 'v');
  const AttributeView attributes[] = {{"peer", std::string_view(value)}, {"n", int64_t{7}}};
  std::vector<SpanRecord> out;
  std::vector<std::string> order;
  uint64_t exported = 0;
  const auto now = std::chrono::steady_clock::now();
  for (int t = 0; t < 2000; ++t) {
    SpanRecord child;
    child.trace_id.bytes[0] = static_cast<uint8_t>(t >> 8);
    child.trace_id.bytes[1] = static_cast<uint8_t>(t);
    child.trace_id.bytes[15] = 1;
    child.span_id.value = static_cast<uint64_t>(t) + 1;
    child.parent_span_id.value = 99;
    child.name = "child";
    child.attributes = attributes;
    const uint8_t not_root = 0;
    out.clear();
    tail.add({&child, 1}, {&not_root, 1}, now, out);
    REQUIRE(tail.buffered_bytes() <= policy.max_buffered_bytes);
    for (const SpanRecord& r : out) {
      order.push_back(r.trace_id.to_hex());
      // The copy is whole, though the record it came from is gone.
      REQUIRE(r.attributes.size() == 2);
      CHECK(std::get<std::string_view>(r.attributes[0].value) == value);
      CHECK(std::get<int64_t>(r.attributes[1].value) == 7);
      ++exported;
    }
    tail.release();
  }
  REQUIRE(exported > 0);
  // Oldest first: the traces come out in the order they arrived.
  for (size_t i = 0; i < order.size(); ++i) {
    TraceId expected;
    expected.bytes[0] = static_cast<uint8_t>(i >> 8);
    expected.bytes[1] = static_cast<uint8_t>(i);
    expected.bytes[15] = 1;
    REQUIRE(order[i] == expected.to_hex());
  }
  const detail::TailCounters c = tail.counters();
  CHECK(c.traces_decided_early == exported);
  out.clear();
  CHECK(tail.decide_all(out) == 0);
  CHECK(exported + out.size() == 2000);
  CHECK(tail.buffered_bytes() == 0);
}

TEST_CASE("RecordArena copies a record with all it views", "[tail_sampling]") {
  detail::RecordArena arena;
  {
    std::string name = "circuit", key = "peer", text = "relay0", event = "extended";
    std::string event_key = "hop", message = "closed";
    const AttributeView event_attributes[] = {{event_key, int64_t{2}}, {"ok", true}};
    const EventView events[] = {{event, 123, event_attributes}};
    const AttributeView attributes[] = {{key, std::string_view(text)}, {"rtt", 1.5}};
    SpanRecord r;
    r.name = name;
    r.status_message = message;
    r.attributes = attributes;
    r.events = events;
    r.span_id.value = 5;
    const size_t bytes = arena.add(r);
    CHECK(bytes >= 2 * sizeof(AttributeView) + sizeof(EventView));
    CHECK(bytes == arena.bytes());  // the first copy: all the arena holds
    for (std::string* s : {&name, &key, &text, &event, &event_key, &message})
      s->assign(s->size(), '#');  // the originals change: the copy must not
  }
  REQUIRE(arena.records().size() == 1);
  const SpanRecord& c = arena.records()[0];
  CHECK(c.name == "circuit");
  CHECK(c.status_message == "closed");
  CHECK(c.span_id.value == 5);
  REQUIRE(c.attributes.size() == 2);
  CHECK(c.attributes[0].key == "peer");
  CHECK(std::get<std::string_view>(c.attributes[0].value) == "relay0");
  CHECK(std::get<double>(c.attributes[1].value) == 1.5);
  REQUIRE(c.events.size() == 1);
  CHECK(c.events[0].name == "extended");
  CHECK(c.events[0].time_unix_ns == 123);
  REQUIRE(c.events[0].attributes.size() == 2);
  CHECK(c.events[0].attributes[0].key == "hop");
  CHECK(std::get<int64_t>(c.events[0].attributes[0].value) == 2);
  CHECK(std::get<bool>(c.events[0].attributes[1].value));
}

TEST_CASE("tail sampling under concurrent producers: whole traces, exact counts",
          "[tail_sampling]") {
  TailSamplingPolicy p;
  p.baseline = 0.1;
  p.max_buffered_bytes = 256 * 1024;  // small: the budget rule runs too
  TailFixture f(p);
  constexpr int kThreads = 4, kTraces = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kTraces; ++i)
        three_span_trace(*f.tracer, "circuit", (i + t) % 7 == 0);
    });
  }
  for (auto& t : threads)
    t.join();
  REQUIRE(f.tracer->flush());
  const TracerStats s = f.tracer->stats();
  require_invariant(s);
  CHECK(s.spans_sampled == kThreads * kTraces * 3);
  CHECK(s.traces_kept_by_tail_sampling + s.traces_discarded_by_tail_sampling >=
        static_cast<uint64_t>(kThreads * kTraces));
  // Every error trace is kept, and every kept trace is whole (a trace decided
  // early by the budget may have come out in parts: still each span once).
  std::set<std::string> with_error;
  size_t spans = 0;
  std::set<uint64_t> span_ids;
  for (const auto& [id, trace] : f.traces()) {
    for (const OwnedSpan& span : trace) {
      if (span.status == StatusCode::error) with_error.insert(id);
      CHECK(span_ids.insert(span.span_id.value).second);
      ++spans;
    }
  }
  CHECK(spans == s.spans_exported);
  size_t error_traces = 0;
  for (int t = 0; t < kThreads; ++t)
    for (int i = 0; i < kTraces; ++i)
      error_traces += (i + t) % 7 == 0 ? 1 : 0;
  CHECK(with_error.size() == error_traces);
}

TEST_CASE("the flight recorder keeps every span while tail sampling thins the exporter's share",
          "[tail_sampling][flight_recorder]") {
  auto exporter = std::make_shared<CaptureExporter>();
  TracerOptions o;
  o.exporter = exporter;
  o.tail_sampling.enabled = true;  // baseline 0: only traces with an error are exported
  o.flight_recorder.max_bytes = 1 << 20;
  Tracer tracer(std::move(o));
  const TraceId failed = three_span_trace(tracer, "circuit", true);
  for (int i = 0; i < 9; ++i)
    three_span_trace(tracer, "circuit", false);
  REQUIRE(tracer.flush());
  CHECK(exporter->count() == 3);
  for (const OwnedSpan& s : exporter->spans())
    CHECK(s.trace_id == failed);
  const std::string path = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") +
                           "/hotspan_tail_recorder_" + std::to_string(::getpid()) + ".hsp";
  std::string error;
  REQUIRE(tracer.dump_recent(path, &error));
  const auto reader = BinaryTraceReader::open(path);
  REQUIRE(reader->read_header());
  size_t dumped = 0;
  while (reader->next() != nullptr)
    ++dumped;
  CHECK(reader->status() == BinaryTraceReader::Status::complete);
  CHECK(dumped == 30);  // every span, discarded ones included
  std::remove(path.c_str());
  const TracerStats s = tracer.stats();
  CHECK(s.spans_discarded_by_tail_sampling == 27);
  require_invariant(s);
}

TEST_CASE("a dump asked for just before shutdown is written, and tail sampling leaves nothing held",
          "[tail_sampling][flight_recorder]") {
  const std::string dir = std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp";
  for (int round = 0; round < 20; ++round) {
    auto exporter = std::make_shared<CaptureExporter>();
    TracerOptions o;
    o.exporter = exporter;
    o.tail_sampling.enabled = true;
    o.tail_sampling.baseline = 0.5;
    o.flight_recorder.max_bytes = 1 << 20;
    const std::string prefix =
        "hotspan_tail_shutdown_" + std::to_string(::getpid()) + "_" + std::to_string(round);
    o.flight_recorder.dump_path = dir + "/" + prefix;
    Tracer tracer(std::move(o));
    std::vector<Span> roots;
    for (int i = 0; i < 50; ++i) {
      roots.push_back(tracer.start_span("circuit"));
      Span child = tracer.start_span("hop", SpanKind::internal, roots.back().context());
    }
    for (Span& r : roots)
      r.end();  // the last roots are still in the queue when the dump is asked for
    tracer.request_dump();
    tracer.shutdown();
    const TracerStats s = tracer.stats();
    CHECK(s.recorder_dumps == 1);
    CHECK(s.spans_sampled == 100);
    require_invariant(s);  // every span exported or discarded: none left held
    CHECK(s.traces_kept_by_tail_sampling + s.traces_discarded_by_tail_sampling == 50);
    size_t files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      if (entry.path().filename().string().rfind(prefix + ".", 0) == 0) {
        std::filesystem::remove(entry.path());
        ++files;
      }
    }
    CHECK(files == 1);
  }
}

TEST_CASE("TracerOptions::tail_sampling out of range is refused", "[tail_sampling]") {
  const auto refused = [](auto change) {
    TracerOptions o;
    o.tail_sampling.enabled = true;
    change(o.tail_sampling);
    try {
      Tracer t(std::move(o));
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK_THAT(refused([](TailSamplingPolicy& p) { p.baseline = std::nan(""); }),
             Catch::Contains("baseline"));
  CHECK_THAT(refused([](TailSamplingPolicy& p) { p.baseline = 1.5; }), Catch::Contains("baseline"));
  CHECK_THAT(refused([](TailSamplingPolicy& p) { p.decision_wait = 0ms; }),
             Catch::Contains("decision_wait"));
  CHECK_THAT(refused([](TailSamplingPolicy& p) { p.max_buffered_bytes = 1000; }),
             Catch::Contains("max_buffered_bytes"));
  CHECK_THAT(refused([](TailSamplingPolicy& p) {
               p.slow_roots = {{"x", -1ms}};
             }),
             Catch::Contains("threshold"));
  CHECK(refused([](TailSamplingPolicy&) {}).empty());
}

namespace {
constexpr const char* kTailVariables[] = {
    "HOTSPAN_TAIL_SAMPLING",   "HOTSPAN_TAIL_KEEP_ERRORS",     "HOTSPAN_TAIL_BASELINE",
    "HOTSPAN_TAIL_SLOW_ROOTS", "HOTSPAN_TAIL_KEEP_ATTRIBUTES", "HOTSPAN_TAIL_DECISION_WAIT_MS",
    "HOTSPAN_TAIL_MAX_BYTES"};
struct CleanTailEnvironment {
  CleanTailEnvironment() { clear(); }
  ~CleanTailEnvironment() { clear(); }
  static void clear() {
    for (const char* name : kTailVariables)
      ::unsetenv(name);
  }
};
}  // namespace

TEST_CASE("tail sampling from the environment (HOTSPAN_TAIL_*), C++ and C",
          "[tail_sampling][env]") {
  CleanTailEnvironment clean;
  CHECK_FALSE(TracerOptions::from_env().tail_sampling.enabled);
  ::setenv("HOTSPAN_TAIL_SAMPLING", "on", 1);
  ::setenv("HOTSPAN_TAIL_KEEP_ERRORS", "false", 1);
  ::setenv("HOTSPAN_TAIL_BASELINE", "0.01", 1);
  ::setenv("HOTSPAN_TAIL_SLOW_ROOTS", "build-circuit=500, *=2000", 1);
  ::setenv("HOTSPAN_TAIL_KEEP_ATTRIBUTES", "circuit.purpose=exit,debug.*=", 1);
  ::setenv("HOTSPAN_TAIL_DECISION_WAIT_MS", "5000", 1);
  ::setenv("HOTSPAN_TAIL_MAX_BYTES", "1048576", 1);
  const TailSamplingPolicy p = TracerOptions::from_env().tail_sampling;
  CHECK(p.enabled);
  CHECK_FALSE(p.keep_errors);
  CHECK(p.baseline == 0.01);
  REQUIRE(p.slow_roots.size() == 2);
  CHECK(p.slow_roots[0].name == "build-circuit");
  CHECK(p.slow_roots[0].threshold == 500ms);
  CHECK(p.slow_roots[1].name == "*");
  CHECK(p.slow_roots[1].threshold == 2000ms);
  REQUIRE(p.keep_attributes.size() == 2);
  CHECK(p.keep_attributes[0].key == "circuit.purpose");
  CHECK(p.keep_attributes[0].value == "exit");
  CHECK(p.keep_attributes[1].key == "debug.*");
  CHECK(p.keep_attributes[1].value.empty());
  CHECK(p.decision_wait == 5000ms);
  CHECK(p.max_buffered_bytes == 1048576);

  hotspan_options c;
  REQUIRE(hotspan_options_init(&c) == HOTSPAN_OK);
  REQUIRE(hotspan_options_from_env(&c) == HOTSPAN_OK);
  CHECK(c.tail_sampling == 1);
  CHECK(c.tail_keep_errors == 0);
  CHECK(c.tail_baseline == 0.01);
  CHECK(std::string(c.tail_slow_roots) == "build-circuit=500, *=2000");
  CHECK(std::string(c.tail_keep_attributes) == "circuit.purpose=exit,debug.*=");
  CHECK(c.tail_decision_wait_ms == 5000);
  CHECK(c.tail_max_buffered_bytes == 1048576);

  // Each bad value: one warning naming it, and the default kept.
  const std::pair<const char*, const char*> bad[] = {
      {"HOTSPAN_TAIL_SAMPLING", "yes please"}, {"HOTSPAN_TAIL_KEEP_ERRORS", "2"},
      {"HOTSPAN_TAIL_BASELINE", "nan"},        {"HOTSPAN_TAIL_BASELINE", "1.5"},
      {"HOTSPAN_TAIL_SLOW_ROOTS", "circuit"},  {"HOTSPAN_TAIL_SLOW_ROOTS", "circuit=-5"},
      {"HOTSPAN_TAIL_KEEP_ATTRIBUTES", "=x"},  {"HOTSPAN_TAIL_DECISION_WAIT_MS", "0"},
      {"HOTSPAN_TAIL_MAX_BYTES", "100"},       {"HOTSPAN_TAIL_MAX_BYTES", "lots"}};
  for (const auto& [name, value] : bad) {
    CleanTailEnvironment::clear();
    ::setenv(name, value, 1);
    hotspan_test::StderrCapture capture;
    const TailSamplingPolicy d = TracerOptions::from_env().tail_sampling;
    INFO(name << "=" << value);
    CHECK(capture.text().find(name) != std::string::npos);
    CHECK_FALSE(d.enabled);
    CHECK(d.keep_errors);
    CHECK(d.baseline == 0.0);
    CHECK(d.slow_roots.empty());
    CHECK(d.keep_attributes.empty());
    CHECK(d.decision_wait == TailSamplingPolicy{}.decision_wait);
    CHECK(d.max_buffered_bytes == TailSamplingPolicy{}.max_buffered_bytes);
  }
}
