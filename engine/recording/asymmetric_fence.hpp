// hotspan — asymmetric memory fences for the shutdown handshake.
//
// Span::end() on any thread must either see that its tracer is closed, or have
// its enqueue seen by the exporter's final drain; otherwise a span ending while
// the tracer shuts down could be stranded in the queue, uncounted. That is a
// Dekker-style store→load pattern and needs a full fence on both sides. The
// producer side runs millions of times a second, the shutdown side once, so the
// cost is moved to shutdown: producers issue only a compiler fence, and
// shutdown issues membarrier(PRIVATE_EXPEDITED), which runs a full barrier on
// every CPU currently running a thread of this process. Where membarrier is not
// available, producers fall back to a real seq_cst fence (one predictable branch
// on a global read once at start-up).
#pragma once

#include <atomic>

namespace hotspan::detail {

extern bool g_producer_needs_full_fence;

// Registers with membarrier once per process; safe to call repeatedly.
void init_asymmetric_fences() noexcept;

inline void asymmetric_fence_light() noexcept {
  if (__builtin_expect(g_producer_needs_full_fence, false)) {
    std::atomic_thread_fence(std::memory_order_seq_cst);
  } else {
    std::atomic_signal_fence(std::memory_order_seq_cst);
  }
}

void asymmetric_fence_heavy() noexcept;

}  // namespace hotspan::detail
