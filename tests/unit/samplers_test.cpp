// Tests of the built-in samplers. Statistical and timing assertions are built so
// that they cannot flake: trace ids come from a fixed-seed generator, and rate
// limiter counts are bounded with the elapsed time measured around the loop.
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

#include "hotspan/sampler.hpp"

using hotspan::SamplingInput;
using hotspan::SpanContext;
using hotspan::SpanId;
using hotspan::SpanKind;
using hotspan::TraceId;

namespace {

// A trace id whose low 56 bits (bytes 9..15, big-endian) are `random_bits` and
// whose other bytes are `filler`.
TraceId trace_id_with_low_bits(uint64_t random_bits, uint8_t filler = 0xa5) {
  TraceId id;
  id.bytes.fill(filler);
  for (int i = 15; i >= 9; --i) {
    id.bytes[static_cast<size_t>(i)] = static_cast<uint8_t>(random_bits);
    random_bits >>= 8;
  }
  return id;
}

std::vector<TraceId> fixed_random_trace_ids(size_t count) {
  std::mt19937_64 generator(20240601);
  std::vector<TraceId> ids(count);
  for (auto& id : ids) {
    for (auto& byte : id.bytes)
      byte = static_cast<uint8_t>(generator());
  }
  return ids;
}

bool decide(hotspan::Sampler& sampler, const TraceId& trace_id,
            const SpanContext* parent = nullptr) {
  return sampler.should_sample(SamplingInput{parent, trace_id, "span", SpanKind::internal});
}

using Clock = std::chrono::steady_clock;

// Spans a rate limiter of `rate` may grant over `elapsed` after a full burst, with
// slack for the coarse clock (a tick, at most 10 ms at HZ=100) and interval rounding.
int64_t refill_allowance(double rate, Clock::duration elapsed) {
  const double seconds = std::chrono::duration<double>(elapsed).count() + 0.011;
  return static_cast<int64_t>(std::ceil(seconds * rate)) + 1;
}

}  // namespace

TEST_CASE("always_on and always_off", "[samplers]") {
  const auto on = hotspan::always_on();
  const auto off = hotspan::always_off();
  REQUIRE(on != nullptr);
  REQUIRE(off != nullptr);
  const SpanContext unsampled_parent{trace_id_with_low_bits(1), SpanId{1}, 0, true};
  for (const TraceId& id : fixed_random_trace_ids(100)) {
    CHECK(decide(*on, id));
    CHECK(decide(*on, id, &unsampled_parent));
    CHECK_FALSE(decide(*off, id));
  }
}

TEST_CASE("trace_id_ratio: 0 and 1 are exact", "[samplers]") {
  const auto never = hotspan::trace_id_ratio(0.0);
  const auto always = hotspan::trace_id_ratio(1.0);
  constexpr uint64_t kMax56 = (uint64_t{1} << 56) - 1;
  for (const uint64_t bits : {uint64_t{0}, uint64_t{1}, uint64_t{1} << 55, kMax56}) {
    for (const uint8_t filler : {uint8_t{0x00}, uint8_t{0xff}}) {
      const TraceId id = trace_id_with_low_bits(bits, filler);
      CHECK_FALSE(decide(*never, id));
      CHECK(decide(*always, id));
    }
  }
  for (const TraceId& id : fixed_random_trace_ids(10'000)) {
    REQUIRE_FALSE(decide(*never, id));
    REQUIRE(decide(*always, id));
  }
}

TEST_CASE("trace_id_ratio decides on the low 56 bits only, against p * 2^56", "[samplers]") {
  const auto half = hotspan::trace_id_ratio(0.5);
  for (const uint8_t filler : {uint8_t{0x00}, uint8_t{0x5a}, uint8_t{0xff}}) {
    CHECK(decide(*half, trace_id_with_low_bits(0, filler)));
    CHECK(decide(*half, trace_id_with_low_bits((uint64_t{1} << 55) - 1, filler)));
    CHECK_FALSE(decide(*half, trace_id_with_low_bits(uint64_t{1} << 55, filler)));
    CHECK_FALSE(decide(*half, trace_id_with_low_bits((uint64_t{1} << 56) - 1, filler)));
  }
  // The smallest positive probability still samples the all-zero random part.
  const auto tiny = hotspan::trace_id_ratio(std::numeric_limits<double>::denorm_min());
  CHECK(decide(*tiny, trace_id_with_low_bits(0)));
  CHECK_FALSE(decide(*tiny, trace_id_with_low_bits(1)));
}

TEST_CASE("trace_id_ratio: 0.25 samples a quarter of random trace ids", "[samplers]") {
  // Fixed-seed ids: deterministic. Binomial sd over 200,000 is 0.001; +-0.02 is 20 sd.
  const auto sampler = hotspan::trace_id_ratio(0.25);
  const auto ids = fixed_random_trace_ids(200'000);
  const auto sampled = std::count_if(ids.begin(), ids.end(),
                                     [&](const TraceId& id) { return decide(*sampler, id); });
  CHECK(std::abs(static_cast<double>(sampled) / static_cast<double>(ids.size()) - 0.25) < 0.02);
}

TEST_CASE("trace_id_ratio is deterministic and monotonic in p", "[samplers]") {
  const auto ids = fixed_random_trace_ids(20'000);
  const auto first = hotspan::trace_id_ratio(0.3);
  const auto second = hotspan::trace_id_ratio(0.3);
  for (const TraceId& id : ids)
    REQUIRE(decide(*first, id) == decide(*second, id));

  const double probabilities[] = {0.0, 1e-6, 0.01, 0.1, 0.3, 0.5, 0.5000001, 0.9, 0.999999, 1.0};
  std::vector<std::shared_ptr<hotspan::Sampler>> samplers;
  for (const double p : probabilities)
    samplers.push_back(hotspan::trace_id_ratio(p));
  for (const TraceId& id : ids) {
    for (size_t i = 0; i + 1 < samplers.size(); ++i) {
      if (decide(*samplers[i], id)) REQUIRE(decide(*samplers[i + 1], id));
    }
  }
}

TEST_CASE("trace_id_ratio clamps p to [0, 1] and rejects NaN", "[samplers]") {
  const auto ids = fixed_random_trace_ids(1000);
  const double inf = std::numeric_limits<double>::infinity();
  for (const double above : {1.5, 1e300, inf}) {
    const auto sampler = hotspan::trace_id_ratio(above);
    for (const TraceId& id : ids)
      REQUIRE(decide(*sampler, id));
  }
  for (const double below : {-0.5, -1e300, -inf}) {
    const auto sampler = hotspan::trace_id_ratio(below);
    for (const TraceId& id : ids)
      REQUIRE_FALSE(decide(*sampler, id));
  }
  CHECK_THROWS_AS(hotspan::trace_id_ratio(std::nan("")), std::invalid_argument);
}

TEST_CASE("rate_limited: a burst of max(1, r), then nothing until refilled", "[samplers]") {
  const TraceId id = trace_id_with_low_bits(7);
  SECTION("r = 5 in a tight loop of 10,000 calls") {
    const auto sampler = hotspan::rate_limited(5);
    const auto start = Clock::now();
    int64_t granted = 0;
    for (int i = 0; i < 10'000; ++i)
      granted += decide(*sampler, id);
    const auto elapsed = Clock::now() - start;
    CHECK(granted >= 5);  // the initial burst is full
    CHECK(granted <= 5 + refill_allowance(5, elapsed));
  }
  SECTION("r = 1000 in a tight loop of 100,000 calls") {
    const auto sampler = hotspan::rate_limited(1000);
    const auto start = Clock::now();
    int64_t granted = 0;
    for (int i = 0; i < 100'000; ++i)
      granted += decide(*sampler, id);
    const auto elapsed = Clock::now() - start;
    CHECK(granted >= 1000);
    CHECK(granted <= 1000 + refill_allowance(1000, elapsed));
  }
  SECTION("r = 0.5: one span, then one every two seconds") {
    const auto sampler = hotspan::rate_limited(0.5);
    const auto start = Clock::now();
    int64_t granted = 0;
    for (int i = 0; i < 1000; ++i)
      granted += decide(*sampler, id);
    const auto elapsed = Clock::now() - start;
    CHECK(granted >= 1);
    CHECK(granted <= 1 + refill_allowance(0.5, elapsed));
  }
  SECTION("the bucket refills with time, up to the burst") {
    const auto sampler = hotspan::rate_limited(100);  // one span per 10 ms
    while (decide(*sampler, id)) {
    }
    const auto start = Clock::now();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    int64_t granted = 0;
    for (int i = 0; i < 10'000; ++i)
      granted += decide(*sampler, id);
    const auto elapsed = Clock::now() - start;
    CHECK(granted >= 10);  // 20 earned; a coarse tick or two may lag
    CHECK(granted <= std::min<int64_t>(100, refill_allowance(100, elapsed)));
  }
}

TEST_CASE("rate_limited: concurrent callers share one budget", "[samplers]") {
  const auto sampler = hotspan::rate_limited(1000);
  const TraceId id = trace_id_with_low_bits(7);
  std::atomic<int64_t> granted{0};
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      int64_t mine = 0;
      for (int i = 0; i < 50'000; ++i)
        mine += decide(*sampler, id);
      granted.fetch_add(mine, std::memory_order_relaxed);
    });
  }
  for (auto& thread : threads)
    thread.join();
  const auto elapsed = Clock::now() - start;
  CHECK(granted.load() >= 1000);
  CHECK(granted.load() <= 1000 + refill_allowance(1000, elapsed));
}

TEST_CASE("rate_limited: 0 samples nothing, beyond a ns clock samples all", "[samplers]") {
  const TraceId id = trace_id_with_low_bits(7);
  const auto none = hotspan::rate_limited(0);
  const auto all = hotspan::rate_limited(1e12);
  for (int i = 0; i < 10'000; ++i) {
    REQUIRE_FALSE(decide(*none, id));
    REQUIRE(decide(*all, id));
  }
}

TEST_CASE("rate_limited rejects negative, NaN and infinite rates", "[samplers]") {
  CHECK_THROWS_AS(hotspan::rate_limited(-1), std::invalid_argument);
  CHECK_THROWS_AS(hotspan::rate_limited(-0.001), std::invalid_argument);
  CHECK_THROWS_AS(hotspan::rate_limited(std::nan("")), std::invalid_argument);
  CHECK_THROWS_AS(hotspan::rate_limited(std::numeric_limits<double>::infinity()),
                  std::invalid_argument);
  CHECK_NOTHROW(hotspan::rate_limited(std::numeric_limits<double>::denorm_min()));
  CHECK_NOTHROW(hotspan::rate_limited(std::numeric_limits<double>::max()));
}

TEST_CASE("parent_based follows valid parents and asks root for roots", "[samplers]") {
  const TraceId id = trace_id_with_low_bits(7);
  const SpanContext sampled_parent{id, SpanId{1}, 0x01, false};
  const SpanContext unsampled_parent{id, SpanId{1}, 0x00, true};
  const SpanContext invalid_sampled_parent{TraceId{}, SpanId{}, 0x01, false};
  const SpanContext zero_trace_parent{TraceId{}, SpanId{1}, 0x01, true};

  const auto over_off = hotspan::parent_based(hotspan::always_off());
  const auto over_on = hotspan::parent_based(hotspan::always_on());
  CHECK(decide(*over_off, id, &sampled_parent));
  CHECK_FALSE(decide(*over_on, id, &unsampled_parent));
  CHECK(decide(*over_on, id, nullptr));
  CHECK_FALSE(decide(*over_off, id, nullptr));
  // An invalid parent counts as none: root decides, whatever its flags say.
  CHECK_FALSE(decide(*over_off, id, &invalid_sampled_parent));
  CHECK_FALSE(decide(*over_off, id, &zero_trace_parent));
  CHECK(decide(*over_on, id, &invalid_sampled_parent));

  // Roots are passed through with their input: a ratio root stays deterministic.
  const auto over_ratio = hotspan::parent_based(hotspan::trace_id_ratio(0.5));
  CHECK(decide(*over_ratio, trace_id_with_low_bits(0)));
  CHECK_FALSE(decide(*over_ratio, trace_id_with_low_bits((uint64_t{1} << 56) - 1)));
  CHECK(decide(*over_ratio, trace_id_with_low_bits((uint64_t{1} << 56) - 1), &sampled_parent));

  CHECK_THROWS_AS(hotspan::parent_based(nullptr), std::invalid_argument);
}
