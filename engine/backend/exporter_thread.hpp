// hotspan — the exporter thread: the one consumer of a tracer's span queue.
//
// It bulk-dequeues slots, decodes them into SpanRecords, calls the exporter
// once per batch, then returns the slots to their pools in chains (one CAS per
// run of slots from the same pool). It also serves flush tickets and, at
// shutdown, the final drain, and tells the exporter when a loss counter moved.
//
// Waking: when the queue is empty it spins briefly, then sleeps up to
// idle_sleep; producers never signal it (that would put a system call on the
// hot path), only flush() and stop() do. When drains come back smaller than a
// batch it pauses before the next one (see run()).
//
// Flight recorder: the thread owns it (backend/flight_recorder.hpp) and hands
// it every batch right after building it. dump_recent() is served like a
// flush ticket; request_dump() (async-signal-safe) only bumps an atomic
// counter that the thread reads on every loop iteration, so it is noticed
// within idle_sleep. Either drains the queue before writing the file. A loop
// iteration drains at most 65,536 spans, so that under sustained overload
// (the queue never empty) the loop still gets back to these requests.
//
// Counters: the exporter thread is the only writer of exported/failed/bytes;
// any thread reads them through counters() (relaxed: each is a monotonic
// count that publishes nothing else).
//
// Lifetime: the thread holds a reference on the TracerCore, taken by start()
// and released as its last act, so a stop() that times out (an exporter stuck
// in a sink) can leave the thread running: the core, and this object inside
// it, outlive it.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "backend/flight_recorder.hpp"
#include "backend/redactor.hpp"
#include "backend/span_record_builder.hpp"
#include "backend/tail_sampler.hpp"
#include "backend/tick_converter.hpp"
#include "hotspan/exporter.hpp"
#include "recording/slot.hpp"
#include "recording/span_queue.hpp"

namespace hotspan::detail {

class TracerCore;

struct ExporterThreadSettings {
  size_t batch_size;
  std::chrono::microseconds idle_sleep;
};

// What the exporter thread counted, as stats() reports it.
struct ExportCounters {
  uint64_t exported = 0;       // accepted by the exporter and not lost after
  uint64_t export_failed = 0;  // refused, or lost by the exporter after accepting
  uint64_t bytes_written = 0;
  uint64_t values_redacted = 0;
  uint64_t files_rotated = 0;
  uint64_t files_deleted = 0;
  TailCounters tail;
  uint64_t recorder_dumps = 0;
  uint64_t recorder_dump_failures = 0;
  uint64_t recorder_spans_evicted = 0;
};

class ExporterThread {
 public:
  // `redaction` is applied to every record; the flight recorder (`recorder`)
  // then sees every record, and `tail_sampling` decides which go on to the
  // exporter.
  ExporterThread(TracerCore& core, std::shared_ptr<Exporter> exporter,
                 ExporterThreadSettings settings, RedactionPolicy redaction,
                 const TailSamplingPolicy& tail_sampling, const FlightRecorderOptions& recorder);
  ~ExporterThread();
  ExporterThread(const ExporterThread&) = delete;
  ExporterThread& operator=(const ExporterThread&) = delete;

  // The clock conversion the thread uses; its anchors go into the Resource.
  // Read it before start(): the thread then owns it.
  const TickConverter& clock() const noexcept { return *_clock; }
  // Calls the exporter's start() and launches the thread.
  void start(const Resource& resource);

  // Blocks until every span enqueued before the call is exported and the
  // exporter flushed, or `timeout` passes; false on timeout or a failed flush.
  bool flush(std::chrono::milliseconds timeout) noexcept;
  // Asks for the final drain and the exporter's shutdown, and waits up to
  // `timeout` for them. True: the thread is joined. False: it is stuck in the
  // exporter and left to finish on its own (detached).
  bool stop(std::chrono::milliseconds timeout) noexcept;
  bool stopped() noexcept;

  // Has the thread drain the queue and write the flight recorder's spans to
  // `path`; waits up to `timeout`. False with `error` when the recorder is
  // off, the file cannot be written, the thread has stopped or the timeout
  // passed. One caller at a time is served; others wait their turn.
  bool dump_recent(const std::string& path, std::string& error,
                   std::chrono::milliseconds timeout) noexcept;
  // Async-signal-safe: see the header comment.
  void request_dump() noexcept {
    if (!_recorder.active()) return;
    // release: pairs with the acquire in dump_pending(), so the spans the
    // calling thread ended before it are visible to the drain before the dump.
    _signals.fetch_add(1, std::memory_order_release);
  }
  // The recorder, for tests reading its held bytes once the tracer is
  // flushed or shut down (flight_recorder.hpp: exporter thread only).
  const FlightRecorder& recorder() const noexcept { return _recorder; }
  // In a fork() child: the thread is the parent's; forget it untouched.
  void abandon() noexcept { (void)_thread.release(); }

  ExportCounters counters() const noexcept;

 private:
  void run() noexcept;
  // Exports until the queue looks empty, or `limit` entries were dequeued;
  // returns the count dequeued.
  size_t drain_queue(moodycamel::ConsumerToken& token, size_t limit = SIZE_MAX) noexcept;
  void export_slots(Slot* const* slots, size_t count) noexcept;
  // Hands `records` to the exporter and counts them exported or failed.
  void export_records(std::span<const SpanRecord> records) noexcept;
  // Exports what tail sampling decided outside a batch: traces held past
  // decision_wait, or every held trace (`all`: flush and stop).
  void export_tail_decisions(bool all) noexcept;
  // Sleeps until flush() or stop() asks for the thread, or `timeout` passes.
  void wait_for_request(uint64_t flush_seen, std::chrono::microseconds timeout) noexcept;
  // Whether dump_recent() or request_dump() asked for a dump not yet served.
  bool dump_pending() const noexcept;
  // Drains the queue, then writes the dumps asked for.
  void serve_dumps(moodycamel::ConsumerToken& token) noexcept;
  // Copies the exporter's bytes_written(), spans_failed_after_export(),
  // files_rotated() and files_deleted()
  // where counters() can read them.
  void read_exporter_counters() noexcept;
  // Tells the exporter when a loss counter moved.
  void report_drops_if_changed() noexcept;

  TracerCore& _core;
  SpanQueue& _queue;
  const std::shared_ptr<Exporter> _exporter;
  const ExporterThreadSettings _settings;
  // How long the first pause after a small drain lasts (see run()).
  const std::chrono::microseconds _gather_pause;

  // Exporter thread only.
  std::optional<TickConverter> _clock;
  Redactor _redactor;  // before _builder, which points to it
  SpanRecordBuilder _builder;
  FlightRecorder _recorder;
  TailSampler _tail;
  std::vector<SpanRecord> _tail_out;  // what tail sampling hands to the exporter
  std::vector<Slot*> _batch;
  RecordedLosses _reported_losses;  // all zero: nothing to report until a loss

  // Written by the exporter thread only.
  std::atomic<uint64_t> _exported{0};
  std::atomic<uint64_t> _export_failed{0};
  std::atomic<uint64_t> _bytes_written{0};
  std::atomic<uint64_t> _failed_after_export{0};
  std::atomic<uint64_t> _files_rotated{0};
  std::atomic<uint64_t> _files_deleted{0};

  // Control. _flush_requested/_stop are read lock-free by the thread on its
  // loop; the mutex only pairs with the condition variables for sleeping and
  // waking.
  std::mutex _control_mutex;
  std::condition_variable _wake;
  std::condition_variable _progress;
  std::atomic<uint64_t> _flush_requested{0};
  uint64_t _flush_completed = 0;  // guarded by _control_mutex
  bool _last_flush_ok = true;     // guarded by _control_mutex
  std::atomic<bool> _stop{false};
  bool _done = false;  // guarded by _control_mutex
  // Dumps. A dump_recent() ticket is served like a flush ticket, its path and
  // result passed under _control_mutex; _dump_callers lets one caller at a
  // time use them. _signals counts request_dump() calls: lock-free, it is
  // all a signal handler may touch. The *_seen values are the thread's own.
  std::mutex _dump_callers;
  std::atomic<uint64_t> _dump_requested{0};
  uint64_t _dump_completed = 0;  // guarded by _control_mutex
  std::string _dump_path;        // guarded by _control_mutex
  std::string _dump_error;       // guarded by _control_mutex
  bool _last_dump_ok = false;    // guarded by _control_mutex
  uint64_t _dump_seen = 0;
  std::atomic<uint64_t> _signals{0};
  static_assert(std::atomic<uint64_t>::is_always_lock_free,
                "request_dump() must be async-signal-safe");
  uint64_t _signals_seen = 0;
  // A pointer so that a fork() child, where the thread does not exist, can
  // abandon the object instead of detaching a thread it does not have.
  std::unique_ptr<std::thread> _thread;
};

}  // namespace hotspan::detail
