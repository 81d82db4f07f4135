// hotspan — the shared state behind a Tracer, and its exporter thread.
//
// The core is reference-counted: the Tracer holds one reference, every live
// ThreadRecorder one, and a detached exporter thread one. So a Span that
// outlives its Tracer, or a thread still holding a recorder, always finds the
// queue and the pools alive; memory is released when the last holder lets go.
//
// Exporter thread: bulk-dequeues slots, decodes them into SpanRecords, calls the
// exporter once per batch, then returns the slots to their pools. When the
// queue is empty it spins briefly, then sleeps up to idle_sleep; producers never
// signal it (that would put a system call on the hot path), only flush() and
// shutdown() do.
//
// Closing: shutdown() sets `_closed`, runs a heavy asymmetric fence, then tells
// the exporter thread to drain and stop. A span ending concurrently either sees
// `_closed` and is discarded (counted), or its enqueue is seen by the final
// drain; a producer that enqueued and then sees `_closed` reaps the queue
// itself, so nothing stays stranded (see asymmetric_fence.hpp).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "backend/span_record_builder.hpp"
#include "backend/tick_converter.hpp"
#include "core/id_generator.hpp"
#include "hotspan/detail/hot_path.hpp"
#include "hotspan/exporter.hpp"
#include "hotspan/sampler.hpp"
#include "hotspan/tracer.hpp"
#include "recording/recorder_cache.hpp"
#include "recording/slot.hpp"
#include "recording/span_queue.hpp"

namespace hotspan::detail {

class ThreadRecorder;

// A counter any thread may add to (relaxed: it publishes nothing else).
class SharedCounter {
 public:
  void add(uint64_t n) noexcept { _value.fetch_add(n, std::memory_order_relaxed); }
  uint64_t get() const noexcept { return _value.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> _value{0};
};

class TracerCore : public TracerHot {
 public:
  // Validates the options (std::invalid_argument) and starts the exporter thread.
  explicit TracerCore(TracerOptions options);
  TracerCore(const TracerCore&) = delete;
  TracerCore& operator=(const TracerCore&) = delete;

  uint64_t id() const noexcept { return TracerHot::id; }
  const SlotLimits& limits() const noexcept { return _limits; }
  size_t slots_per_thread() const noexcept { return _slots_per_thread; }
  Sampler& sampler() const noexcept { return *_sampler_raw; }
  SpanQueue& queue() noexcept { return _queue; }
  const std::string& service_name() const noexcept { return _resource.service_name; }

  bool closed() const noexcept { return TracerHot::closed.load(std::memory_order_acquire); }
  // True in a fork() child: the exporter thread exists only in the parent, so
  // the child's copy of the tracer is inert (see docs/ENGINE.md, "fork()").
  bool forked() const noexcept {
    return id_fork_generation.load(std::memory_order_relaxed) != _fork_generation;
  }

  void add_ref() noexcept { _refs.fetch_add(1, std::memory_order_relaxed); }
  // Deletes the core when this was the last reference.
  void release_ref() noexcept;

  // Hands an ended span to the exporter thread, or drops it (counted).
  void submit(Slot* s) noexcept;
  // Start of a span on a closed tracer, or when no recorder could be had.
  void count_unrecorded_start() noexcept { _unrecorded_starts.add(1); }

  bool flush(std::chrono::milliseconds timeout) noexcept;
  void shutdown() noexcept;
  bool exporter_stopped() noexcept;
  TracerStats stats() noexcept;

  // ThreadRecorder registration (slow path: creation and destruction only).
  void register_recorder(ThreadRecorder* r);
  void unregister_recorder(ThreadRecorder* r) noexcept;
  // A recorder's queue producer token, made and released under one lock so
  // that open_producer() knows whether the queue made a new producer for it
  // (true) or recycled one a finished thread released (false). The queue makes
  // a new one only when every producer it has is in use.
  bool open_producer(std::optional<SpanProducerToken>& token);
  void close_producer(std::optional<SpanProducerToken>& token) noexcept;

 private:
  ~TracerCore();
  void exporter_main() noexcept;
  void export_slots(Slot* const* slots, size_t count) noexcept;
  // Exporter thread: exports until the queue looks empty; returns the count.
  size_t drain_queue(moodycamel::ConsumerToken& token) noexcept;
  // Sleeps until flush() or shutdown() asks for the exporter, or `timeout` passes.
  void wait_for_request(uint64_t flush_seen, std::chrono::microseconds timeout) noexcept;
  // Exporter thread: copies the exporter's bytes_written() and
  // spans_failed_after_export() where stats() can read them.
  void read_exporter_counters() noexcept;
  void discard_late(Slot* s) noexcept;
  // Exporter thread: tells the exporter when a loss counter moved.
  void report_drops_if_changed() noexcept;
  void reap_leftovers() noexcept;

  SlotLimits _limits;
  size_t _slots_per_thread;
  size_t _batch_size;
  std::chrono::microseconds _idle_sleep;
  std::chrono::microseconds _gather_pause;  // see exporter_main()
  std::chrono::milliseconds _shutdown_timeout;
  Resource _resource;
  std::shared_ptr<Exporter> _exporter;
  std::shared_ptr<Sampler> _sampler;
  Sampler* _sampler_raw;
  std::optional<TickConverter> _clock;          // set after init_clock(); then exporter thread only
  std::unique_ptr<SpanRecordBuilder> _builder;  // exporter thread only
  std::vector<Slot*> _batch;                    // exporter thread only
  uint64_t _reported_losses[6] = {};            // exporter thread only

  std::atomic<int64_t> _refs{1};
  std::atomic<bool> _final_drain_done{false};  // shutdown() joined the exporter thread
  SpanQueue _queue;

  // Counters of rare paths, incremented by any thread.
  SharedCounter _unrecorded_starts;
  SharedCounter _late_dropped;  // ended after close / no recorder
  SharedCounter _late_attributes_dropped;
  SharedCounter _late_events_dropped;
  SharedCounter _late_strings_truncated;

  // Written by the exporter thread only.
  std::atomic<uint64_t> _exported{0};
  std::atomic<uint64_t> _export_failed{0};
  std::atomic<uint64_t> _bytes_written{0};        // exporter thread: read_exporter_counters()
  std::atomic<uint64_t> _failed_after_export{0};  // likewise

  // Recorders alive, and the totals of those already destroyed.
  std::mutex _registry_mutex;
  std::vector<ThreadRecorder*> _recorders;
  size_t _open_producers = 0;  // guarded by _registry_mutex: tokens alive
  size_t _producers = 0;       // likewise: producers the queue has made
  TracerStats _retired;

  // Exporter thread control. _flush_requested/_stop are read lock-free by the
  // exporter thread on its loop; the mutex only pairs with the condition
  // variables for sleeping and waking.
  std::mutex _control_mutex;
  std::condition_variable _wake_exporter;
  std::condition_variable _exporter_progress;
  std::atomic<uint64_t> _flush_requested{0};
  uint64_t _flush_completed = 0;  // guarded by _control_mutex
  bool _last_flush_ok = true;     // guarded by _control_mutex
  std::atomic<bool> _stop{false};
  bool _exporter_done = false;  // guarded by _control_mutex
  std::mutex _shutdown_mutex;
  bool _shut_down = false;  // guarded by _shutdown_mutex
  // A pointer so that a fork() child, where the thread does not exist, can
  // abandon the object instead of detaching a thread it does not have.
  std::unique_ptr<std::thread> _thread;
  uint64_t _fork_generation;
};

// The calling thread's recorder for `core`: one thread-local compare when the
// thread used the same tracer last.
inline ThreadRecorder* recorder_for(TracerCore& core) noexcept {
  if (t_last_recorder.core_id == core.TracerHot::id) return t_last_recorder.recorder;
  return find_or_create_recorder(core);
}

}  // namespace hotspan::detail
