// hotspan — a thread's presence in one tracer: its slot pool, its queue
// producer token and its counters.
//
// Created on the thread's first start_span() on a tracer (the one allocation of
// warm-up, with the arena on the first sampled span) and found again through
// the thread-local RecorderCache. Counters have a single writer — the owning
// thread — so they are updated with a relaxed load and store, no RMW; stats()
// reads them from any thread.
//
// Destroyed by whoever finishes last among the owning thread (exit) and the
// returners of its slots (see SlotPool); destruction folds the counters into
// the tracer's totals and drops the recorder's reference to the tracer core.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>

#include "hotspan/detail/hot_path.hpp"
#include "recording/slot_pool.hpp"
#include "recording/span_queue.hpp"

namespace hotspan::detail {

class TracerCore;

// Gives a slot back to its pool from any thread; destroys the owning recorder
// when that was its last slot and its thread is gone.
void give_back_slot(Slot* s) noexcept;
// Exporter thread: gives back a batch of slots, in chains, one CAS per run of
// slots from the same pool.
void give_back_slots(Slot* const* slots, size_t count) noexcept;

struct RecorderCounters {
  OwnedCounter spans_started;
  OwnedCounter spans_sampled;
  OwnedCounter dropped_pool_exhausted;
  OwnedCounter dropped_queue_full;
  OwnedCounter attributes_dropped;
  OwnedCounter events_dropped;
  OwnedCounter strings_truncated;
};

class ThreadRecorder {
 public:
  // Registers with the core and takes a reference on it. May throw (allocation).
  ThreadRecorder(TracerCore& core, uint32_t thread_id);
  ~ThreadRecorder();
  ThreadRecorder(const ThreadRecorder&) = delete;
  ThreadRecorder& operator=(const ThreadRecorder&) = delete;

  TracerCore& core() const noexcept { return _core; }
  SlotPool& pool() noexcept { return _pool; }
  RecorderCounters& counters() noexcept { return _counters; }
  const RecorderCounters& counters() const noexcept { return _counters; }
  uint32_t thread_id() const noexcept { return _thread_id; }
  // trace_id_ratio roots this thread leaves unsampled before it samples one
  // (core/ratio_countdown.hpp). Owning thread only.
  uint64_t& ratio_countdown() noexcept { return _ratio_countdown; }

  // Owning thread only: the recorder's part of ending a sampled span. Adds
  // the span's per-span drop counts to this thread's counters and enqueues
  // it; a full queue drops it (counted) and takes the slot back. With our
  // own token the enqueue never allocates and never blocks (a full queue is
  // one with no free pre-allocated block). Inline: every sampled span ends
  // through it.
  bool submit(Slot* s) noexcept {
    add_slot_drops(*s, _counters.attributes_dropped, _counters.events_dropped,
                   _counters.strings_truncated);
    if (_token.has_value() && _queue.try_enqueue(*_token, s)) return true;
    _counters.dropped_queue_full.add(1);
    if (s->owner == this) {
      _pool.release_local(s);
    } else {
      give_back_slot(s);
    }
    return false;
  }
  // Owning thread, once, when it exits (or forgets a closed tracer). May
  // destroy *this.
  void release_owner() noexcept;

 private:
  TracerCore& _core;
  SpanQueue& _queue;  // _core's, reachable without TracerCore's definition
  const uint32_t _thread_id;
  SlotPool _pool;
  RecorderCounters _counters;
  uint64_t _ratio_countdown;
  std::optional<SpanProducerToken> _token;
};

}  // namespace hotspan::detail
