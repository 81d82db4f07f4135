// hotspan — new trace and span ids: the per-thread generator on the hot path.
//
// Each thread owns a SplitMix64 generator (Steele, Lea & Flood, "Fast splittable
// pseudorandom number generators", 2014): a 64-bit Weyl counter advanced by an
// odd constant, then passed through a bijective 64-bit mixer. It passes BigCrush
// and costs an add, two multiplies and three xor-shifts (a few ns with the TLS
// access and the fork check). Since the mixer is a bijection of a counter that
// does not repeat for 2^64 steps, a thread never draws the same value twice: span
// ids and trace ids are unique within a thread by construction, and across
// threads and processes because every state starts at an independent random
// 64-bit point (overlap odds ~ ids drawn / 2^64).
//
// Seeding happens lazily, on a thread's first draw, out of line: XXH3 over both
// clocks, pid, tid, the state's address, a process-wide counter and 16 bytes from
// getrandom(). After fork(), a pthread_atfork child handler bumps a generation
// number; each draw compares it with the one its state was seeded under (one
// relaxed load and compare) and reseeds on mismatch, so a child never replays its
// parent's ids. Not covered: children made by raw clone() or _Fork(), which run
// no atfork handlers. The thread-local state is constinit and trivially
// destructible, so access needs neither a TLS init guard nor a destructor.
//
// Not cryptographic: ids are unique, and uniformly random (all 128 bits of a trace
// id, which satisfies the W3C level 2 "random" flag for its low 56 bits), but
// whoever sees a thread's ids can predict its next ones.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>

#include "hotspan/ids.hpp"

namespace hotspan::detail {

struct IdGeneratorState {
  uint64_t weyl = 0;        // SplitMix64 counter
  uint64_t generation = 0;  // id_fork_generation when seeded; 0 = not seeded yet
};

// initial-exec: a fixed offset from the thread pointer even when built -fPIC into
// a shared library, instead of a __tls_get_addr call per draw. Costs 16 bytes of
// the static TLS surplus that glibc reserves for libraries loaded by dlopen().
extern constinit thread_local IdGeneratorState tls_id_generator [[gnu::tls_model("initial-exec")]];
// Starts at 1, incremented in every fork() child. Only the child handler writes
// it, and in the child it runs on the one thread that exists, before fork()
// returns there: program order alone makes the new value visible to the draws
// that follow, so relaxed loads are enough.
extern constinit std::atomic<uint64_t> id_fork_generation;

// The slow path: (re)seeds this thread's generator for the current generation.
void reseed_id_generator() noexcept;

// Reseeds this thread's generator if it has not been seeded since the last fork.
inline void check_id_generator() noexcept {
  // tls_id_generator is named directly, not bound to a reference: GCC 12 with
  // -fsanitize=null tests a reference to an extern TLS variable for null with the
  // flags of an `add` that the linker relaxes into a flag-less `lea` (false reports).
  if (tls_id_generator.generation != id_fork_generation.load(std::memory_order_relaxed))
      [[unlikely]] {
    reseed_id_generator();
  }
}

constexpr uint64_t kWeylStep = 0x9e3779b97f4a7c15u;

// SplitMix64's output function: a bijection of 64-bit values with mix(0) = 0.
constexpr uint64_t splitmix64_mix(uint64_t z) noexcept {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

// 64 uniformly random bits; never repeats within a thread (see above).
inline uint64_t random_u64() noexcept {
  check_id_generator();
  return splitmix64_mix(tls_id_generator.weyl += kWeylStep);
}

// A valid (non-zero) span id.
inline SpanId new_span_id() noexcept {
  uint64_t value;
  do {
    value = random_u64();
  } while (value == 0);
  return SpanId{value};
}

// A valid (non-zero) trace id, all 128 bits random: two steps of the
// generator, with one load and one store of its state (the counter is the
// only dependency from one id to the next, and a store-to-load round trip
// per half would be the longest part of drawing it). The two counter values
// differ and the mix is a bijection, so the halves differ: never both zero.
inline TraceId new_trace_id() noexcept {
  check_id_generator();
  const uint64_t weyl = tls_id_generator.weyl;
  tls_id_generator.weyl = weyl + 2 * kWeylStep;
  const uint64_t halves[2] = {splitmix64_mix(weyl + kWeylStep),
                              splitmix64_mix(weyl + 2 * kWeylStep)};
  TraceId id;
  static_assert(sizeof(halves) == sizeof(id.bytes));
  std::memcpy(id.bytes.data(), halves, sizeof(halves));  // random bits: byte order is moot
  return id;
}

}  // namespace hotspan::detail
