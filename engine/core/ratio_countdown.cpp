// hotspan — trace_id_ratio's countdown and its conditioned trace ids
// (the argument that they make the same sampler: ratio_countdown.hpp).
#include "core/ratio_countdown.hpp"

#include <cmath>
#include <cstring>
#include <limits>

#include "core/id_generator.hpp"
#include "hotspan/detail/hot_path.hpp"

namespace hotspan::detail {

namespace {

constexpr uint64_t kTailRange = kRandomTailMask + 1;  // 2^56 values of a random tail

// floor(bits * range / 2^64): uniform in [0, range) up to a bias of at most
// range / 2^64 <= 2^-8 between values, and none at all for the power-of-two
// range of an unconditioned draw.
uint64_t scaled(uint64_t bits, uint64_t range) noexcept {
  __extension__ using u128 = unsigned __int128;  // GCC and Clang; -Wpedantic otherwise warns
  return static_cast<uint64_t>((static_cast<u128>(bits) * range) >> 64);
}

}  // namespace

RatioCountdown::RatioCountdown(uint64_t threshold) noexcept
    : _threshold(threshold),
      _log_complement(threshold == 0 || threshold >= kTailRange
                          ? 0.0
                          : std::log1p(-std::ldexp(static_cast<double>(threshold), -56))) {}

uint64_t RatioCountdown::draw() const noexcept {
  if (_threshold == 0) return std::numeric_limits<uint64_t>::max();
  if (_threshold >= kTailRange) return 0;
  // u uniform in (0, 1]: 53 random bits, shifted off zero.
  const double u = std::ldexp(static_cast<double>((random_u64() >> 11) + 1), -53);
  // P(count >= k) = (1 - q)^k: the number of failures before the first success.
  const double count = std::floor(std::log(u) / _log_complement);
  if (!(count < 0x1p64)) return std::numeric_limits<uint64_t>::max();
  return static_cast<uint64_t>(count);
}

TraceId ratio_trace_id(uint64_t threshold, bool sampled) noexcept {
  const uint64_t head = random_u64();
  const uint64_t bits = random_u64();
  const uint64_t low =
      sampled ? scaled(bits, threshold) : threshold + scaled(bits, kTailRange - threshold);
  // The byte above the 56 bits the ratio reads is random too (W3C: the
  // random flag covers the low 7 bytes; the 8th is random here as well).
  const uint64_t tail = (random_u64() & ~(kTailRange - 1)) | low;
  TraceId id;
  std::memcpy(id.bytes.data(), &head, sizeof(head));  // random bits: byte order is moot
  set_trace_id_tail(id, tail);
  return id;
}

}  // namespace hotspan::detail
