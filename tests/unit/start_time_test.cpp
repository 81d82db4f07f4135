// Span::set_start_time() and hotspan::now(): a span started late (its parent
// known only after its work began) is given the instant its work began, and
// nothing else about it changes; a start later than the span's own is refused.
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "capture_exporter.hpp"
#include "hotspan/hotspan.hpp"

using hotspan::Span;
using hotspan::SpanKind;
using hotspan::Tracer;
using hotspan::TracerOptions;

namespace {

const hotspan_test::OwnedSpan& by_name(const std::vector<hotspan_test::OwnedSpan>& spans,
                                       const std::string& name) {
  for (const auto& s : spans)
    if (s.name == name) return s;
  FAIL("no span named " << name);
  return spans.front();
}

constexpr auto kSleep = std::chrono::milliseconds(20);
constexpr uint64_t kSleepNs = 20'000'000;

}  // namespace

TEST_CASE("a span started late is moved back to the instant its work began", "[start_time]") {
  auto exporter = std::make_shared<hotspan_test::CaptureExporter>();
  TracerOptions options;
  options.exporter = exporter;
  Tracer tracer(std::move(options));

  const hotspan::Timestamp work_began = hotspan::now();
  Span marker = tracer.start_span("marker");  // its start is read after work_began
  marker.end();
  std::this_thread::sleep_for(kSleep);

  Span parent = tracer.start_span("parent", SpanKind::client);
  Span late = tracer.start_span("late", SpanKind::server, parent.context());
  late.set_attribute("k", int64_t{7});
  CHECK(late.set_start_time(work_began));
  late.end();
  parent.end();
  tracer.shutdown();

  const auto spans = exporter->spans();
  REQUIRE(spans.size() == 3);
  const auto& m = by_name(spans, "marker");
  const auto& l = by_name(spans, "late");
  const auto& p = by_name(spans, "parent");
  // Started after the sleep, it now starts no later than a span started before it.
  CHECK(l.start_unix_ns <= m.start_unix_ns);
  CHECK(l.end_unix_ns - l.start_unix_ns >= kSleepNs);
  CHECK(l.end_unix_ns >= p.start_unix_ns);
  // Everything else is as started.
  CHECK(l.trace_id == p.trace_id);
  CHECK(l.parent_span_id == p.span_id);
  CHECK(l.kind == SpanKind::server);
  REQUIRE(l.find("k") != nullptr);
  CHECK(std::get<int64_t>(*l.find("k")) == 7);
}

TEST_CASE("a start later than the span's own is refused and changes nothing", "[start_time]") {
  auto exporter = std::make_shared<hotspan_test::CaptureExporter>();
  TracerOptions options;
  options.exporter = exporter;
  Tracer tracer(std::move(options));

  Span span = tracer.start_span("span");
  std::this_thread::sleep_for(kSleep);
  CHECK_FALSE(span.set_start_time(hotspan::now()));
  span.end();
  tracer.shutdown();

  const auto spans = exporter->spans();
  REQUIRE(spans.size() == 1);
  // Had the later start been taken, the span would not cover the sleep.
  CHECK(spans[0].end_unix_ns - spans[0].start_unix_ns >= kSleepNs);
}

TEST_CASE("an instant from another thread, or from before the tracer, moves the start",
          "[start_time]") {
  // now() before any tracer of this test: the clock it reads must be the one
  // the tracer's spans read (the tick source is chosen once per process).
  const hotspan::Timestamp before_tracer = hotspan::now();
  std::this_thread::sleep_for(kSleep);
  auto exporter = std::make_shared<hotspan_test::CaptureExporter>();
  TracerOptions options;
  options.exporter = exporter;
  Tracer tracer(std::move(options));

  hotspan::Timestamp other_thread;
  std::thread([&] { other_thread = hotspan::now(); }).join();
  Span a = tracer.start_span("from-before-tracer");
  CHECK(a.set_start_time(before_tracer));
  Span b = tracer.start_span("from-other-thread");
  CHECK(b.set_start_time(other_thread));
  a.end();
  b.end();
  tracer.shutdown();

  const auto spans = exporter->spans();
  REQUIRE(spans.size() == 2);
  const auto& sa = by_name(spans, "from-before-tracer");
  const auto& sb = by_name(spans, "from-other-thread");
  CHECK(sa.end_unix_ns - sa.start_unix_ns >= kSleepNs);
  CHECK(sa.start_unix_ns <= sb.start_unix_ns);
}

TEST_CASE("set_start_time on an inert span does nothing and succeeds", "[start_time]") {
  TracerOptions options;
  options.exporter = std::make_shared<hotspan_test::CaptureExporter>();
  options.sampler = hotspan::always_off();
  Tracer tracer(std::move(options));
  Span unsampled = tracer.start_span("unsampled");
  CHECK(unsampled.set_start_time(hotspan::now()));
  Span inert;
  CHECK(inert.set_start_time(hotspan::Timestamp{}));
  CHECK_FALSE(unsampled.is_recording());
}
