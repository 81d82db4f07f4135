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

#include "hotspan/detail/hot_path.hpp"
#include "hotspan/ids.hpp"

namespace hotspan::detail {

// The generator's state, check_id_generator(), splitmix64_mix() and
// random_u64() are declared in hotspan/detail/hot_path.hpp, where the inline
// start_span() draws a trace_id_ratio root's random bits.

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
// The second half is stored as set_trace_id_tail() stores a ratio root's
// bits, so that every trace id a thread makes, either way, has a random tail
// (trace_id_tail()) that is a distinct step of the same counter.
inline TraceId new_trace_id() noexcept {
  check_id_generator();
  const uint64_t weyl = tls_id_generator.weyl;
  tls_id_generator.weyl = weyl + 2 * kWeylStep;
  const uint64_t head = splitmix64_mix(weyl + kWeylStep);
  TraceId id;
  std::memcpy(id.bytes.data(), &head, sizeof(head));  // random bits: byte order is moot
  set_trace_id_tail(id, splitmix64_mix(weyl + 2 * kWeylStep));
  return id;
}

}  // namespace hotspan::detail
