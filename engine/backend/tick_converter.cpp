// hotspan — anchored, interpolated tick conversion (see tick_converter.hpp).
#include "backend/tick_converter.hpp"

#include <algorithm>

#include "core/clock.hpp"

namespace hotspan::detail {

namespace {
constexpr uint64_t kAnchorInterval = 100'000'000;  // ns
constexpr uint64_t kFirstSegment = 2'000'000;      // ns
constexpr size_t kMaxAnchors = 3000;               // five minutes of history
}  // namespace

TickConverter::Anchor TickConverter::take() noexcept {
  if (!g_clock_is_tsc) {
    const uint64_t now = monotonic_ns();
    return Anchor{now, now};
  }
  const uint64_t before = now_ticks();
  const uint64_t mono = monotonic_ns();
  const uint64_t after = now_ticks();
  return Anchor{before + (after - before) / 2, mono};
}

TickConverter::TickConverter() noexcept : _tsc(g_clock_is_tsc) {
  // Bracket the realtime read with monotonic reads, keep the midpoint.
  const uint64_t m0 = monotonic_ns();
  const uint64_t real = realtime_ns();
  const uint64_t m1 = monotonic_ns();
  _start_monotonic_ns = m0 + (m1 - m0) / 2;
  _start_unix_ns = real;
  _anchors.push_back(take());
}

void TickConverter::update(bool force) noexcept {
  if (!_tsc) return;
  const uint64_t age = monotonic_ns() - _anchors.back().monotonic_ns;
  if (age < (force || _anchors.size() == 1 ? kFirstSegment : kAnchorInterval)) return;
  _anchors.push_back(take());
  if (_anchors.size() > kMaxAnchors) _anchors.pop_front();
  const Anchor& a = _anchors[_anchors.size() - 2];
  const Anchor& b = _anchors.back();
  _last_rate =
      static_cast<double>(b.monotonic_ns - a.monotonic_ns) / static_cast<double>(b.ticks - a.ticks);
  _last_since_start_ns =
      static_cast<double>(static_cast<int64_t>(b.monotonic_ns - _start_monotonic_ns));
  _last_ticks = b.ticks;
}

bool TickConverter::calibrated() const noexcept {
  return !_tsc || _anchors.size() >= 2;
}

double TickConverter::since_start_ns(uint64_t ticks) const noexcept {
  // Most ticks are newer than the last anchor: extrapolate from the last
  // segment, whose rate is cached when the anchor is taken.
  if (ticks >= _last_ticks) {
    return _last_since_start_ns + static_cast<double>(ticks - _last_ticks) * _last_rate;
  }
  // Otherwise the segment [i, i+1] containing `ticks`, or the oldest one.
  auto it = std::upper_bound(_anchors.begin(), _anchors.end(), ticks,
                             [](uint64_t t, const Anchor& a) { return t < a.ticks; });
  size_t i = it == _anchors.begin() ? 0 : static_cast<size_t>(it - _anchors.begin()) - 1;
  if (i + 1 >= _anchors.size()) i = _anchors.size() - 2;
  const Anchor& a = _anchors[i];
  const Anchor& b = _anchors[i + 1];
  const double rate =
      static_cast<double>(b.monotonic_ns - a.monotonic_ns) / static_cast<double>(b.ticks - a.ticks);
  const auto delta = static_cast<double>(static_cast<int64_t>(ticks - a.ticks));
  // Relative to the start keeps the double's 53 bits on the sub-nanosecond part.
  return static_cast<double>(static_cast<int64_t>(a.monotonic_ns - _start_monotonic_ns)) +
         delta * rate;
}

uint64_t TickConverter::to_unix_ns(uint64_t ticks) const noexcept {
  if (_last_ticks == UINT64_MAX) {
    // Monotonic ticks (or no rate yet: treat ticks as nanoseconds).
    return _start_unix_ns + (ticks - _start_monotonic_ns);
  }
  const double ns = since_start_ns(ticks);
  // Round half away from zero without a libm call.
  return _start_unix_ns +
         static_cast<uint64_t>(static_cast<int64_t>(ns >= 0 ? ns + 0.5 : ns - 0.5));
}

}  // namespace hotspan::detail
