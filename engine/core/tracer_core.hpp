// hotspan — the shared state behind a Tracer: the options it was made with,
// the span queue, the registry of thread recorders, the counters of rare
// paths, and the exporter thread (backend/exporter_thread.hpp).
//
// The core is reference-counted: the Tracer holds one reference, every live
// ThreadRecorder one, and the exporter thread one. So a Span that outlives its
// Tracer, or a thread still holding a recorder, always finds the queue and the
// pools alive; memory is released when the last holder lets go.
//
// Closing: shutdown() sets `_closed`, runs a heavy asymmetric fence, then tells
// the exporter thread to drain and stop. A span ending concurrently either sees
// `_closed` and is discarded (counted), or its enqueue is seen by the final
// drain; a producer that enqueued and then sees `_closed` reaps the queue
// itself, so nothing stays stranded (see asymmetric_fence.hpp).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "backend/exporter_thread.hpp"
#include "core/id_generator.hpp"
#include "core/ratio_countdown.hpp"
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
  // How a thread draws its countdown of trace_id_ratio roots.
  const RatioCountdown& ratio_countdown() const noexcept { return _ratio_countdown; }
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
  // A span that can no longer be handed over (closed tracer, no recorder):
  // counted as dropped, its slot given back.
  void discard_late(Slot* s) noexcept;
  // Start of a span on a closed tracer, or when no recorder could be had.
  void count_unrecorded_start() noexcept { _unrecorded_starts.add(1); }

  bool flush(std::chrono::milliseconds timeout) noexcept;
  void shutdown() noexcept;
  bool exporter_stopped() noexcept;
  TracerStats stats() noexcept;
  // Flight recorder (exporter_thread.hpp); request_dump() is async-signal-safe.
  bool dump_recent(const std::string& path, std::string& error,
                   std::chrono::milliseconds timeout) noexcept;
  void request_dump() noexcept;
  const ExporterThread& exporter_thread() const noexcept { return _exporter_thread; }

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
  // Counts spans enqueued after the final drain as dropped.
  void reap_leftovers() noexcept;

  SlotLimits _limits;
  RatioCountdown _ratio_countdown{0};
  size_t _slots_per_thread;
  std::chrono::milliseconds _shutdown_timeout;
  Resource _resource;
  std::shared_ptr<Sampler> _sampler;
  Sampler* _sampler_raw;

  std::atomic<int64_t> _refs{1};
  std::atomic<bool> _final_drain_done{false};  // shutdown() joined the exporter thread
  SpanQueue _queue;

  // Counters of rare paths, incremented by any thread.
  SharedCounter _unrecorded_starts;
  SharedCounter _late_dropped;  // ended after close / no recorder
  SharedCounter _late_attributes_dropped;
  SharedCounter _late_events_dropped;
  SharedCounter _late_strings_truncated;

  // Recorders alive, and the totals of those already destroyed.
  std::mutex _registry_mutex;
  std::vector<ThreadRecorder*> _recorders;
  size_t _open_producers = 0;  // guarded by _registry_mutex: tokens alive
  size_t _producers = 0;       // likewise: producers the queue has made
  TracerStats _retired;

  std::mutex _shutdown_mutex;
  bool _shut_down = false;  // guarded by _shutdown_mutex
  uint64_t _fork_generation;
  // Last: built from the rest, and started once the rest is in place.
  ExporterThread _exporter_thread;
};

// The calling thread's recorder for `core`: one thread-local compare when the
// thread used the same tracer last.
inline ThreadRecorder* recorder_for(TracerCore& core) noexcept {
  if (t_last_recorder.core_id == core.TracerHot::id) return t_last_recorder.recorder;
  return find_or_create_recorder(core);
}

}  // namespace hotspan::detail
