// hotspan — the span clock.
//
// Spans take one clock read at start and one at end, on the caller's thread,
// so the read must be as cheap as the hardware allows. On x86-64 with an
// invariant TSC (CPUID 0x80000007 EDX bit 8: constant rate, not stopped in
// sleep states, synchronised across cores) ticks are raw RDTSC values: ~7 ns
// here against ~16 ns for clock_gettime through the vDSO. Elsewhere, or when
// HOTSPAN_CLOCK=monotonic is set, ticks are CLOCK_MONOTONIC nanoseconds.
// RDTSC is not serialising: a span's boundary may move by a few instructions,
// which is noise next to the span itself.
//
// Ticks become Unix-epoch nanoseconds only on the exporter thread (see
// tick_converter.hpp), so the caller never pays for the conversion.
#pragma once

#include <time.h>

#include <cstdint>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace hotspan::detail {

// Set once, by init_clock(), before the first tracer exists; read-only after.
extern bool g_clock_is_tsc;

// Decides the tick source for the process (call_once); the Tracer constructor calls it.
void init_clock() noexcept;

inline uint64_t monotonic_ns() noexcept {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
}

inline uint64_t realtime_ns() noexcept {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
}

inline uint64_t now_ticks() noexcept {
#if defined(__x86_64__)
  if (__builtin_expect(g_clock_is_tsc, 1)) return __rdtsc();
#endif
  return monotonic_ns();
}

}  // namespace hotspan::detail
