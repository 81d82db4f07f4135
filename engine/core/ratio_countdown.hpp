// hotspan — trace_id_ratio roots decided by a countdown instead of a draw.
//
// trace_id_ratio(p) samples a root iff the low 56 bits of its trace id (its
// random tail) are below threshold = ceil(p * 2^56). Drawing a tail for every
// root only to compare it costs a random draw per span, and the relay's
// unsampled path is the one every cell pays. Instead each (thread, tracer)
// keeps a countdown: the number of roots it will leave unsampled before it
// samples one, drawn from the geometric distribution of that number. A root
// with a non-zero count decrements it and is unsampled, inline; at zero the
// root is sampled and a new count is drawn (out of line, once per sampled
// root). Each root's trace id is drawn afterwards, conditioned on the
// decision: its tail uniform in [0, threshold) when sampled, in
// [threshold, 2^56) when not (an unsampled root draws it only if its
// context() is asked for).
//
// Why this is the same sampler: under per-root draws the decisions are
// independent Bernoulli(q) trials, q = threshold / 2^56, and given a
// decision the tail is uniform on its side of the threshold. The gaps between
// successes of independent Bernoulli(q) trials are independent and
// geometric(q), which is what the countdown draws; and the tails are drawn on
// the side of the decision, uniformly. So the joint distribution of decisions
// and trace ids is the same, and every process that reads a trace id with
// trace_id_ratio() (or tail sampling's baseline) agrees with the decision
// made here. What differs: a tail is no longer a fresh generator step, so
// two trace ids of a thread may share a tail (odds ~ 2^-56 per pair, as for
// any random tail); their first 8 bytes are fresh steps, so whole trace ids
// still never repeat within a thread.
#pragma once

#include <cstdint>

#include "hotspan/ids.hpp"

namespace hotspan::detail {

// The countdown's distribution for one tracer's threshold, with its
// logarithm computed once, so that a draw (once per sampled root) costs one
// random number and one log().
class RatioCountdown {
 public:
  explicit RatioCountdown(uint64_t threshold) noexcept;
  // Roots to leave unsampled before the next sampled one: 0 samples the next
  // root; a threshold of 0 never samples (UINT64_MAX), one of 2^56 always.
  uint64_t draw() const noexcept;

 private:
  uint64_t _threshold;
  double _log_complement;  // log(1 - q), q = threshold / 2^56
};

// A new trace id whose random tail is uniform below `threshold` (sampled) or
// at or above it (not sampled). `threshold` is in (0, 2^56] when sampled and
// [0, 2^56) when not.
TraceId ratio_trace_id(uint64_t threshold, bool sampled) noexcept;

}  // namespace hotspan::detail
