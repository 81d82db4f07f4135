// hotspan — ticks to Unix-epoch nanoseconds, on the exporter thread.
//
// With TSC ticks the rate is measured, not assumed: the converter keeps a
// short history of (ticks, CLOCK_MONOTONIC) anchor pairs, one taken at tracer
// start and then one every 100 ms by the exporter thread, and converts a tick
// by linear interpolation between the two anchors around it (extrapolating
// from the nearest segment outside them). A pair is read as TSC / clock /
// TSC and the midpoint kept, so each anchor is good to ~10 ns; the first
// batch waits until the first segment is at least 2 ms long (rate good to
// 1e-5), and later segments of 100 ms are good to 1e-7.
//
// Unix time is CLOCK_MONOTONIC plus one offset taken at tracer start, so a
// wall-clock step (NTP, settimeofday) while tracing moves no span and never
// makes a duration negative. With monotonic ticks the conversion is that
// offset alone.
#pragma once

#include <cstdint>
#include <deque>

namespace hotspan::detail {

class TickConverter {
 public:
  TickConverter() noexcept;  // takes the first anchor

  // Exporter thread: takes a new anchor when the last is 100 ms old (or when
  // `force` is set and it is at least 2 ms old). Cheap to call often.
  void update(bool force = false) noexcept;
  // Whether conversions are meaningful yet (a first segment exists).
  bool calibrated() const noexcept;

  uint64_t to_unix_ns(uint64_t ticks) const noexcept;

  uint64_t start_unix_ns() const noexcept { return _start_unix_ns; }
  uint64_t start_monotonic_ns() const noexcept { return _start_monotonic_ns; }

 private:
  struct Anchor {
    uint64_t ticks;
    uint64_t monotonic_ns;
  };
  static Anchor take() noexcept;
  // Monotonic nanoseconds from the tracer start to `ticks` (may be negative).
  double since_start_ns(uint64_t ticks) const noexcept;

  bool _tsc;
  std::deque<Anchor> _anchors;
  uint64_t _start_unix_ns;
  uint64_t _start_monotonic_ns;
  uint64_t _last_ticks = UINT64_MAX;  // the newest anchor's ticks (no fast path before 2 anchors)
  double _last_rate = 1.0;            // ns per tick over the newest segment
  double _last_since_start_ns = 0.0;  // the newest anchor, in ns since the start
};

}  // namespace hotspan::detail
