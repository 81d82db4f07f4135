// hotspan — the MPSC queue that carries ended spans to the exporter thread.
//
// moodycamel::ConcurrentQueue with one explicit ProducerToken per (thread,
// tracer); spans are enqueued only with try_enqueue, which never allocates: the
// blocks are pre-allocated at construction from queue_capacity, plus one block
// for each producer the queue makes beyond those (at most the number of
// threads recording at once), claimed when the producer is made
// (thread_recorder.cpp) so that no thread is ever refused by an empty queue.
//
// Trade-offs of the explicit-producer design, and why the traits below:
//  * A producer keeps the blocks it has claimed and reuses them; it never gives
//    them back to the shared pool while it lives (a token released at thread
//    exit is recycled with its blocks by the next thread). A thread can have at
//    most slots_per_thread spans in flight, so its hold is bounded by that.
//  * try_enqueue fails rather than grow a producer's block index, so the index
//    must be sized up front for the largest burst one thread can queue:
//    BLOCK_SIZE × (EXPLICIT_INITIAL_INDEX_SIZE − 1) = 64 × 2047 = 131,008 spans
//    (kMaxSpansInFlightPerThread, the most slots_per_thread may be).
#pragma once

#include <concurrentqueue/concurrentqueue.h>

#include <cstddef>

#include "recording/slot.hpp"

namespace hotspan::detail {

struct SpanQueueTraits : moodycamel::ConcurrentQueueDefaultTraits {
  static const size_t BLOCK_SIZE = 64;
  static const size_t EXPLICIT_INITIAL_INDEX_SIZE = 2048;
};

using SpanQueue = moodycamel::ConcurrentQueue<Slot*, SpanQueueTraits>;
using SpanProducerToken = moodycamel::ProducerToken;

// Largest slots_per_thread the queue's per-producer index can absorb.
constexpr size_t kMaxSpansInFlightPerThread =
    SpanQueueTraits::BLOCK_SIZE * (SpanQueueTraits::EXPLICIT_INITIAL_INDEX_SIZE - 1);

}  // namespace hotspan::detail
