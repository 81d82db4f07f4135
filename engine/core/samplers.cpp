// hotspan — the built-in samplers (contract in include/hotspan/sampler.hpp).
//
// Every should_sample is noexcept, allocation-free and lock-free:
//   always_on / always_off  shared stateless singletons.
//   trace_id_ratio(p)       samples iff the trace id's low 56 bits (bytes 9..15,
//                           big-endian: the W3C level 2 random part) are below
//                           ceil(p * 2^56); p = 0 never, p = 1 always. The
//                           threshold grows with p, so a trace sampled at p is
//                           sampled at every p' > p.
//   rate_limited(r)         GCRA, the token bucket as one atomic timestamp (the
//                           "theoretical arrival time"): emission interval
//                           T = 1e9 / r ns, burst tolerance (max(1, r) - 1) * T, so
//                           up to floor(max(1, r)) spans at once, then r per second.
//                           One CLOCK_MONOTONIC_COARSE read (vDSO, ~2 ns, 1-4 ms
//                           resolution, which bounds bursts by a tick's worth) and
//                           one CAS per decision. T is whole nanoseconds; beyond
//                           1e9 spans/s, which no ns clock can pace, the sampler
//                           samples everything, and at 0 it samples nothing.
//   parent_based(root)      a valid parent's sampled flag, else root's decision.
#include <time.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <utility>

#include "core/sampler_mode.hpp"
#include "hotspan/sampler.hpp"

namespace hotspan {
namespace {

class AlwaysOnSampler final : public Sampler {
 public:
  bool should_sample(const SamplingInput&) noexcept override { return true; }
};

class AlwaysOffSampler final : public Sampler {
 public:
  bool should_sample(const SamplingInput&) noexcept override { return false; }
};

class TraceIdRatioSampler final : public Sampler {
 public:
  // `probability` in [0, 1].
  explicit TraceIdRatioSampler(double probability)
      : _threshold(detail::ratio_threshold(probability)) {}

  // Probability 0 or 1: a constant decision.
  bool never() const noexcept { return _threshold == 0; }
  bool always() const noexcept { return _threshold >= (uint64_t{1} << 56); }
  uint64_t threshold() const noexcept { return _threshold; }

  bool should_sample(const SamplingInput& input) noexcept override {
    uint64_t random_bits = 0;
    for (size_t i = 9; i < 16; ++i)
      random_bits = (random_bits << 8) | input.trace_id.bytes[i];
    return random_bits < _threshold;
  }

 private:
  uint64_t _threshold;  // in [0, 2^56]
};

class RateLimitedSampler final : public Sampler {
 public:
  RateLimitedSampler(int64_t interval_ns, int64_t tolerance_ns)
      : _interval_ns(interval_ns), _tolerance_ns(tolerance_ns) {}

  bool should_sample(const SamplingInput&) noexcept override {
    const int64_t now = coarse_now_ns();
    // Relaxed throughout: the timestamp is the only shared state and publishes no
    // other data; its modification order alone accounts for every granted span.
    int64_t tat = _theoretical_arrival_ns.load(std::memory_order_relaxed);
    do {
      if (tat - now > _tolerance_ns) return false;  // bucket empty
    } while (!_theoretical_arrival_ns.compare_exchange_weak(tat, std::max(tat, now) + _interval_ns,
                                                            std::memory_order_relaxed));
    return true;
  }

 private:
  static int64_t coarse_now_ns() noexcept {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
  }

  // No overflow: a grant needs tat <= now + tolerance, so tat stays below
  // now + tolerance + interval, and both are capped far below 2^62 (see rate_limited).
  const int64_t _interval_ns;                       // T, >= 1
  const int64_t _tolerance_ns;                      // tau, < 1.5e9 (about a second of spans)
  std::atomic<int64_t> _theoretical_arrival_ns{0};  // 0: the first burst is full
};

class ParentBasedSampler final : public Sampler {
 public:
  explicit ParentBasedSampler(std::shared_ptr<Sampler> root) : _root(std::move(root)) {}

  bool should_sample(const SamplingInput& input) noexcept override {
    if (input.parent != nullptr && input.parent->valid()) return input.parent->sampled();
    return _root->should_sample(input);
  }

  const Sampler& root() const noexcept { return *_root; }

 private:
  std::shared_ptr<Sampler> _root;  // not null
};

// A sampler whose decision does not depend on its input: always_on,
// always_off, and ratio samplers of probability 1 or 0.
std::optional<bool> constant_decision(const Sampler& s) noexcept {
  if (dynamic_cast<const AlwaysOnSampler*>(&s) != nullptr) return true;
  if (dynamic_cast<const AlwaysOffSampler*>(&s) != nullptr) return false;
  if (const auto* ratio = dynamic_cast<const TraceIdRatioSampler*>(&s)) {
    if (ratio->always()) return true;
    if (ratio->never()) return false;
  }
  return std::nullopt;
}

}  // namespace

namespace detail {
SamplerClass classify_sampler(const Sampler& sampler) noexcept {
  const Sampler* root = &sampler;
  const auto* parent_based = dynamic_cast<const ParentBasedSampler*>(&sampler);
  if (parent_based != nullptr) root = &parent_based->root();
  SamplerClass c{SamplerMode::call_sampler};
  if (const std::optional<bool> constant = constant_decision(*root)) {
    c.mode = *constant ? SamplerMode::always_on : SamplerMode::always_off;
  } else if (const auto* ratio = dynamic_cast<const TraceIdRatioSampler*>(root)) {
    c.mode = SamplerMode::ratio;
    c.ratio_threshold = ratio->threshold();
  }
  if (parent_based != nullptr) {
    switch (c.mode) {
      case SamplerMode::always_on:
        c.mode = SamplerMode::parent_or_on;
        break;
      case SamplerMode::always_off:
        c.mode = SamplerMode::parent_or_off;
        break;
      case SamplerMode::ratio:
        c.mode = SamplerMode::parent_or_ratio;
        break;
      default:
        c.mode = SamplerMode::parent_or_call_sampler;
        break;
    }
  }
  return c;
}
}  // namespace detail

std::shared_ptr<Sampler> always_on() {
  static const std::shared_ptr<Sampler> instance = std::make_shared<AlwaysOnSampler>();
  return instance;
}

std::shared_ptr<Sampler> always_off() {
  static const std::shared_ptr<Sampler> instance = std::make_shared<AlwaysOffSampler>();
  return instance;
}

std::shared_ptr<Sampler> trace_id_ratio(double probability) {
  if (std::isnan(probability)) throw std::invalid_argument("trace_id_ratio: probability is NaN");
  return std::make_shared<TraceIdRatioSampler>(std::clamp(probability, 0.0, 1.0));
}

std::shared_ptr<Sampler> rate_limited(double spans_per_second) {
  if (!std::isfinite(spans_per_second) || spans_per_second < 0) {
    throw std::invalid_argument("rate_limited: spans_per_second must be finite and >= 0");
  }
  if (spans_per_second == 0) return always_off();
  const double interval_ns = 1e9 / spans_per_second;
  if (interval_ns < 1) return always_on();
  // One span per ~146 years at most: keeps the timestamp arithmetic far from overflow.
  constexpr double kMaxIntervalNs = 0x1p62;
  const double interval = std::round(std::min(interval_ns, kMaxIntervalNs));
  // floor((max(1, r) - 1) * T): the k-th immediate span passes iff (k-1) * T <= tau,
  // i.e. iff k <= max(1, r), whatever the rounding of T.
  const double tolerance = std::floor((std::max(1.0, spans_per_second) - 1) * interval);
  return std::make_shared<RateLimitedSampler>(static_cast<int64_t>(interval),
                                              static_cast<int64_t>(tolerance));
}

std::shared_ptr<Sampler> parent_based(std::shared_ptr<Sampler> root) {
  if (root == nullptr) throw std::invalid_argument("parent_based: root sampler is null");
  return std::make_shared<ParentBasedSampler>(std::move(root));
}

}  // namespace hotspan
