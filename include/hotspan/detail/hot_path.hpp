// hotspan — internals that the inline fast paths of Span and Tracer read.
//
// Not part of the API: names and layout change without notice. They are in a
// public header only so that an unsampled span costs a few inlined loads and
// compares instead of two calls into the library:
//  * TracerHot: the first bytes of a tracer's shared state — its id, whether
//    it is closed, and its sampler reduced to a mode where the decision needs
//    no virtual call (and to inline_rules, the same mode as one byte of bits);
//  * the calling thread's current context (what Scope sets);
//  * the calling thread's spans_started counter, and its trace_id_ratio
//    countdown, for the tracer it used last.
// The thread_locals are constinit and trivially destructible and use the
// initial-exec TLS model: one thread-pointer-relative load, no __tls_get_addr,
// no TLS wrapper call, no init guard.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>

#include "hotspan/export.h"
#include "hotspan/span_context.hpp"

namespace hotspan::detail {

// How a tracer's sampler decides, when that is known without calling it.
enum class SamplerMode : uint8_t {
  call_sampler,            // ask Sampler::should_sample
  always_off,              // always_off()
  always_on,               // always_on()
  ratio,                   // trace_id_ratio(p): compare the trace id's random bits
  parent_or_off,           // parent_based(always_off()); the parent_* modes come last
  parent_or_on,            // parent_based(always_on())
  parent_or_ratio,         // parent_based(trace_id_ratio(p))
  parent_or_call_sampler,  // parent_based(x): a valid parent decides, else ask x
};

// What the inline start_span() may decide alone, as bits of one byte that is
// fixed when the tracer is made: each test on the unsampled path is then one
// bit test of a byte already loaded, where the modes were a chain of compares.
namespace inline_rules {
constexpr uint8_t roots_unsampled = 1;     // always_off, parent_or_off
constexpr uint8_t parent_decides = 2;      // the parent_or_* modes, for a valid parent
constexpr uint8_t children_unsampled = 4;  // always_off: even a sampled parent's child
constexpr uint8_t ratio_roots = 8;         // ratio, parent_or_ratio: the thread's countdown
constexpr uint8_t ratio_children = 16;     // ratio: the parent's trace id's random bits
}  // namespace inline_rules

constexpr uint8_t inline_rules_of(SamplerMode mode) noexcept {
  using namespace inline_rules;
  switch (mode) {
    case SamplerMode::always_off:
      return roots_unsampled | children_unsampled;
    case SamplerMode::parent_or_off:
      return roots_unsampled | parent_decides;
    case SamplerMode::ratio:
      return ratio_roots | ratio_children;
    case SamplerMode::parent_or_ratio:
      return ratio_roots | parent_decides;
    case SamplerMode::parent_or_on:
    case SamplerMode::parent_or_call_sampler:
      return parent_decides;
    case SamplerMode::always_on:
    case SamplerMode::call_sampler:
      break;
  }
  return 0;
}

struct TracerHot {
  uint64_t id;  // unique per tracer in the process, never 0
  std::atomic<bool> closed{false};
  SamplerMode mode = SamplerMode::call_sampler;
  uint8_t rules = 0;             // inline_rules_of(mode)
  uint64_t ratio_threshold = 0;  // ratio modes: sample iff the id's low 56 bits are below it
};

// A trace id's last 8 bytes as a big-endian number, whose low 56 bits are its
// W3C random part (bytes 9..15); and the same bytes set from such a number.
inline uint64_t trace_id_tail(const TraceId& id) noexcept {
  uint64_t tail;
  std::memcpy(&tail, id.bytes.data() + 8, sizeof(tail));
  return __builtin_bswap64(tail);
}
inline void set_trace_id_tail(TraceId& id, uint64_t bits) noexcept {
  const uint64_t tail = __builtin_bswap64(bits);
  std::memcpy(id.bytes.data() + 8, &tail, sizeof(tail));
}
constexpr uint64_t kRandomTailMask = (uint64_t{1} << 56) - 1;

// trace_id_ratio's decision: the low 56 bits of the trace id (bytes 9..15,
// big-endian: the W3C "random" part) below the threshold.
inline bool ratio_samples(const TraceId& id, uint64_t threshold) noexcept {
  return (trace_id_tail(id) & kRandomTailMask) < threshold;
}

// What a SamplerMode decides for a span whose trace id is `trace_id`, under
// `parent` (a valid context, or null for a root): the one place each mode's
// rule is written. The inline start_span() takes its early exits from the
// same rules; start_span_slow() asks this.
enum class ModeDecision : uint8_t { drop, sample, ask_sampler };
inline ModeDecision mode_decision(SamplerMode mode, uint64_t ratio_threshold,
                                  const SpanContext* parent, const TraceId& trace_id) noexcept {
  const auto from = [](bool sample) { return sample ? ModeDecision::sample : ModeDecision::drop; };
  if (mode >= SamplerMode::parent_or_off && parent != nullptr) return from(parent->sampled());
  switch (mode) {
    case SamplerMode::always_on:
    case SamplerMode::parent_or_on:
      return ModeDecision::sample;
    case SamplerMode::always_off:
    case SamplerMode::parent_or_off:
      return ModeDecision::drop;
    case SamplerMode::ratio:
    case SamplerMode::parent_or_ratio:
      return from(ratio_samples(trace_id, ratio_threshold));
    case SamplerMode::call_sampler:
    case SamplerMode::parent_or_call_sampler:
      break;
  }
  return ModeDecision::ask_sampler;
}

// A counter with one writer thread and any number of readers: a relaxed load
// and store, no read-modify-write instruction.
class OwnedCounter {
 public:
  [[gnu::always_inline]] void add(uint64_t n) noexcept {
    _value.store(_value.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  uint64_t get() const noexcept { return _value.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> _value{0};
};

class ThreadRecorder;

// The tracer this thread used last, its recorder's spans_started counter,
// and its recorder's countdown of trace_id_ratio roots: how many more roots
// this thread leaves unsampled before it samples one (ratio_countdown.hpp).
struct LastRecorder {
  uint64_t core_id = 0;  // 0 is never a tracer's id
  ThreadRecorder* recorder = nullptr;
  OwnedCounter* spans_started = nullptr;
  uint64_t* ratio_countdown = nullptr;  // owner thread only
};

extern HOTSPAN_API constinit thread_local LastRecorder t_last_recorder
    [[gnu::tls_model("initial-exec")]];
extern HOTSPAN_API constinit thread_local SpanContext t_current_context
    [[gnu::tls_model("initial-exec")]];

}  // namespace hotspan::detail
