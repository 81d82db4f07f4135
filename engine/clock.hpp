// hotspan — the span clock.
//
// Spans take one clock read at start and one at end, on the caller's thread.
// Ticks are CLOCK_MONOTONIC nanoseconds (vDSO, no system call on Linux): immune
// to wall-clock steps while a span runs. The conversion to Unix-epoch
// nanoseconds happens on the exporter thread, from one (monotonic, realtime)
// anchor pair taken when the tracer starts, so every span of a tracer shares one
// consistent timeline.
#pragma once

#include <time.h>

#include <cstdint>

namespace hotspan::detail {

inline uint64_t now_ticks() noexcept {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
}

struct ClockAnchor {
  uint64_t ticks = 0;
  uint64_t unix_ns = 0;

  // Brackets the realtime read between two monotonic reads and keeps the
  // midpoint, which halves the error a preemption between the reads would add.
  static ClockAnchor take() noexcept {
    timespec rt;
    const uint64_t before = now_ticks();
    clock_gettime(CLOCK_REALTIME, &rt);
    const uint64_t after = now_ticks();
    return ClockAnchor{
        before + (after - before) / 2,
        static_cast<uint64_t>(rt.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(rt.tv_nsec)};
  }

  uint64_t to_unix_ns(uint64_t t) const noexcept {
    // Signed difference: a tick taken just before the anchor is still correct.
    return unix_ns + static_cast<uint64_t>(static_cast<int64_t>(t - ticks));
  }
};

}  // namespace hotspan::detail
