// Tests of trace_id_ratio's countdown (engine/core/ratio_countdown.hpp): the
// counts are geometric, the trace ids drawn afterwards fall on the side of
// the threshold their decision needs, and a tracer using it samples the
// ratio it was given, on every thread from its first root. The generator is
// seeded at random, so every statistical bound is at least 6 standard
// deviations wide: a failure is a bug, not bad luck.
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <thread>
#include <vector>

#include "core/ratio_countdown.hpp"
#include "hotspan/detail/hot_path.hpp"
#include "hotspan/hotspan.hpp"

using namespace hotspan;

namespace {

constexpr uint64_t kTailRange = uint64_t{1} << 56;

uint64_t random_part(const TraceId& id) {
  return detail::trace_id_tail(id) & detail::kRandomTailMask;
}

TracerOptions ratio_options(double p) {
  TracerOptions o;
  o.sampler = trace_id_ratio(p);
  o.exporter = noop_exporter();
  return o;
}

}  // namespace

TEST_CASE("ratio countdown: geometric counts with the sampler's probability", "[ratio]") {
  const uint64_t threshold = kTailRange / 4;  // q = 0.25: mean 3, variance 12
  constexpr int kDraws = 200'000;
  int zeros = 0;
  double sum = 0;
  const detail::RatioCountdown countdown(threshold);
  for (int i = 0; i < kDraws; ++i) {
    const uint64_t n = countdown.draw();
    zeros += n == 0;
    sum += static_cast<double>(n);
  }
  CHECK(static_cast<double>(zeros) / kDraws == Approx(0.25).margin(0.006));  // sd 0.001
  CHECK(sum / kDraws == Approx(3.0).margin(0.06));                           // sd 0.008
  CHECK(detail::RatioCountdown(0).draw() == std::numeric_limits<uint64_t>::max());
  CHECK(detail::RatioCountdown(kTailRange).draw() == 0);
}

TEST_CASE("ratio countdown: trace ids agree with the decision and are uniform on its side",
          "[ratio]") {
  for (const uint64_t threshold : {uint64_t{1}, kTailRange / 100, kTailRange / 2, kTailRange - 1}) {
    constexpr int kIds = 20'000;
    double above_sum = 0, below_sum = 0;
    for (int i = 0; i < kIds; ++i) {
      const TraceId kept = detail::ratio_trace_id(threshold, true);
      const TraceId left = detail::ratio_trace_id(threshold, false);
      REQUIRE(kept.valid());
      REQUIRE(left.valid());
      REQUIRE(detail::ratio_samples(kept, threshold));
      REQUIRE_FALSE(detail::ratio_samples(left, threshold));
      below_sum += static_cast<double>(random_part(kept)) / static_cast<double>(threshold);
      above_sum += static_cast<double>(random_part(left) - threshold) /
                   static_cast<double>(kTailRange - threshold);
    }
    // Uniform on each side: a mean of 1/2 (sd 0.002 over 20,000 draws); the
    // one-value side below threshold 1 is all zeros.
    if (threshold > 1) CHECK(below_sum / kIds == Approx(0.5).margin(0.015));
    if (threshold < kTailRange - 1) CHECK(above_sum / kIds == Approx(0.5).margin(0.015));
  }
}

TEST_CASE("trace_id_ratio through a tracer samples its ratio, agreeing with its trace ids",
          "[ratio][tracer]") {
  Tracer tracer(ratio_options(0.1));
  const auto sampler = trace_id_ratio(0.1);
  constexpr int kRoots = 100'000;
  int sampled = 0;
  for (int i = 0; i < kRoots; ++i) {
    // The context's flag, not is_recording(): a sampled span the pool had
    // no slot for is not recording, yet sampled (and counted so).
    Span root = tracer.start_span("root");
    const SpanContext c = root.context();  // drawn to agree with the decision
    sampled += c.sampled();
    CHECK(sampler->should_sample({nullptr, c.trace_id, "root", SpanKind::internal}) == c.sampled());
  }
  CHECK(sampled > 9'000);  // 10,000 expected, sd 95
  CHECK(sampled < 11'000);
  REQUIRE(tracer.flush());
  const TracerStats st = tracer.stats();
  CHECK(st.spans_started == static_cast<uint64_t>(kRoots));
  CHECK(st.spans_sampled == static_cast<uint64_t>(sampled));
}

TEST_CASE("trace_id_ratio: a thread's first root is not always sampled", "[ratio][tracer]") {
  // Each thread's countdown starts with a draw: 64 threads that record one
  // root each sample about 3 of them at 5 %, not all 64.
  Tracer tracer(ratio_options(0.05));
  std::atomic<int> sampled{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 64; ++t) {
    threads.emplace_back([&] {
      Span root = tracer.start_span("root");
      sampled += root.context().sampled() ? 1 : 0;
    });
  }
  for (auto& t : threads)
    t.join();
  CHECK(sampled.load() <= 16);  // 3.2 expected, sd 1.7
  REQUIRE(tracer.flush());
  CHECK(tracer.stats().spans_started == 64);
}

TEST_CASE("trace_id_ratio: a thread alternating between two tracers keeps both ratios",
          "[ratio][tracer]") {
  // The inline countdown is the last-used tracer's; alternating takes the out
  // of line path every time, which keeps each tracer's own count.
  Tracer first(ratio_options(0.5));
  Tracer second(ratio_options(0.2));
  constexpr int kRoots = 4'000;
  int sampled_first = 0, sampled_second = 0;
  for (int i = 0; i < kRoots; ++i) {
    sampled_first += first.start_span("a").context().sampled();
    sampled_second += second.start_span("b").context().sampled();
  }
  CHECK(sampled_first > 1'800);  // 2,000 expected, sd 32
  CHECK(sampled_first < 2'200);
  CHECK(sampled_second > 650);  // 800 expected, sd 25
  CHECK(sampled_second < 950);
  REQUIRE(first.flush());
  REQUIRE(second.flush());
  CHECK(first.stats().spans_started == static_cast<uint64_t>(kRoots));
  CHECK(second.stats().spans_started == static_cast<uint64_t>(kRoots));
}
