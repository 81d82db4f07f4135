// hotspan — the exporter thread: drain, build records, export, return slots,
// report drops, serve flush tickets and the final drain.
#include "backend/exporter_thread.hpp"

#include <algorithm>

#include "core/clock.hpp"
#include "core/tracer_core.hpp"
#include "recording/thread_recorder.hpp"

namespace hotspan::detail {

namespace {

constexpr int kIdleSpins = 64;  // empty polls before the thread sleeps
constexpr size_t kDrainLimit = size_t{1} << 16;
// How long the thread first lets spans gather after a drain that found less
// than a full batch (at most idle_sleep); it doubles while drains stay small,
// up to idle_sleep. The kernel's default timer slack stretches 20 us to
// ~50-70 us.
constexpr std::chrono::microseconds kGatherPause{20};

}  // namespace

ExporterThread::ExporterThread(TracerCore& core, std::shared_ptr<Exporter> exporter,
                               ExporterThreadSettings settings, RedactionPolicy redaction,
                               const TailSamplingPolicy& tail_sampling,
                               const FlightRecorderOptions& recorder)
    : _core(core),
      _queue(core.queue()),
      _exporter(std::move(exporter)),
      _settings(settings),
      _gather_pause(std::min(settings.idle_sleep, kGatherPause)),
      _redactor(std::move(redaction)),
      _recorder(recorder),
      _tail(tail_sampling),
      _batch(settings.batch_size) {
  if (_redactor.active()) _builder.set_redactor(&_redactor);
  init_clock();  // before the first TickConverter: it reads the calibration
  _clock.emplace();
}

ExporterThread::~ExporterThread() {
  if (_thread && _thread->joinable()) _thread->detach();  // only after a stop() timeout
}

void ExporterThread::start(const Resource& resource) {
  _exporter->start(resource);
  _recorder.begin(resource);
  _core.add_ref();  // the thread's own, released as its last act
  _thread = std::make_unique<std::thread>([this] {
    run();
    _core.release_ref();  // may delete the core, and *this with it
  });
}

// ------------------------------------------------------------ the thread

void ExporterThread::run() noexcept {
  // The first conversion needs a measured tick rate (see tick_converter.hpp).
  while (!_clock->calibrated()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    _clock->update(/*force=*/true);
  }
  moodycamel::ConsumerToken token(_queue);
  uint64_t flush_seen = 0;
  int idle = 0;
  std::chrono::microseconds gather = _gather_pause;
  for (;;) {
    _clock->update();
    read_exporter_counters();  // losses an exporter finds later, while idle too
    if (_tail.active()) export_tail_decisions(/*all=*/false);
    if (dump_pending()) serve_dumps(token);
    // At most kDrainLimit at a time: under sustained overload the queue never
    // looks empty, and the loop must still come back to the dump requests.
    if (const size_t drained = drain_queue(token, kDrainLimit); drained != 0) {
      idle = 0;
      if (drained < _batch.size() && gather.count() != 0) {
        // Less than a full batch came: the producers are slower than the
        // exporter. Let spans gather instead of chasing each one as it is
        // enqueued: every poll reads the producers' queue indexes and every
        // early decode reads slot lines still being written, and each of those
        // reads costs the producer a cache-line round trip when it next writes
        // there. While drains stay small the pause doubles, up to idle_sleep,
        // so that a steady trickle wakes this thread a few hundred times a
        // second rather than tens of thousands: each wake-up takes a core from
        // the application on a small machine.
        wait_for_request(flush_seen, gather);
        gather = std::min(gather * 2, _settings.idle_sleep);
      } else {
        gather = _gather_pause;  // full batches: drain without pausing
      }
      continue;
    }
    // acquire: pairs with the release in flush(); every span ended before that
    // flush() call is then visible to the drain below.
    const uint64_t flush_wanted = _flush_requested.load(std::memory_order_acquire);
    const bool stop = _stop.load(std::memory_order_acquire);
    if (flush_wanted != flush_seen || stop) {
      // A dump asked for just before shutdown (a handler of SIGTERM that
      // calls request_dump(), then exit()) is written with the last spans,
      // before the final drain: what that drain then takes is decided below,
      // so nothing stays held in tail sampling.
      if (stop && dump_pending()) serve_dumps(token);
      drain_queue(token);
      // Flush and stop decide every held trace: nothing stays uncounted.
      if (_tail.active()) export_tail_decisions(/*all=*/true);
      bool ok;
      try {
        ok = _exporter->flush();
      } catch (...) {
        ok = false;
      }
      if (stop) {
        report_drops_if_changed();
        try {
          _exporter->shutdown();
        } catch (...) {
        }
        read_exporter_counters();
      }
      {
        std::lock_guard lock(_control_mutex);
        _flush_completed = flush_wanted;
        _last_flush_ok = ok;
        if (stop) _done = true;
      }
      _progress.notify_all();
      flush_seen = flush_wanted;
      if (stop) return;
      continue;
    }
    if (++idle < kIdleSpins) {
      std::this_thread::yield();
      continue;
    }
    wait_for_request(flush_seen, _settings.idle_sleep);
  }
}

size_t ExporterThread::drain_queue(moodycamel::ConsumerToken& token, size_t limit) noexcept {
  size_t total = 0;
  size_t n;
  while (total < limit && (n = _queue.try_dequeue_bulk(token, _batch.data(), _batch.size())) != 0) {
    // Null entries are the markers with which recorders reserve their first
    // queue block (thread_recorder.cpp): not spans.
    Slot** const first = _batch.data();
    const auto spans = static_cast<size_t>(std::remove(first, first + n, nullptr) - first);
    if (spans != 0) export_slots(first, spans);
    total += n;
  }
  return total;
}

void ExporterThread::export_slots(Slot* const* slots, size_t count) noexcept {
  report_drops_if_changed();
  try {
    if (_redactor.active()) _redactor.begin_batch(std::chrono::steady_clock::now());
    _builder.clear();
    for (size_t i = 0; i < count; ++i)
      _builder.add(*slots[i], *_clock);
  } catch (...) {  // bad_alloc building the records: the batch fails
    _builder.clear();
    _export_failed.fetch_add(count, std::memory_order_relaxed);
    give_back_slots(slots, count);
    return;
  }
  _recorder.record(_builder.records());  // every span, before tail sampling decides
  if (_tail.active()) {
    _tail_out.clear();
    const size_t lost = _tail.add(_builder.records(), _builder.local_roots(),
                                  std::chrono::steady_clock::now(), _tail_out);
    _export_failed.fetch_add(lost, std::memory_order_relaxed);
    export_records(_tail_out);
    _tail_out.clear();
    _tail.release();
  } else {
    export_records(_builder.records());
  }
  _builder.clear();  // drop views into the slots before they are reused
  give_back_slots(slots, count);
}

void ExporterThread::export_records(std::span<const SpanRecord> records) noexcept {
  if (records.empty()) return;
  bool ok = false;
  try {
    ok = _exporter->export_batch(records);
  } catch (...) {
    ok = false;  // an exporter that throws fails its batch; the engine carries on
  }
  (ok ? _exported : _export_failed).fetch_add(records.size(), std::memory_order_relaxed);
  read_exporter_counters();
}

void ExporterThread::export_tail_decisions(bool all) noexcept {
  _tail_out.clear();
  if (all) {
    _export_failed.fetch_add(_tail.decide_all(_tail_out), std::memory_order_relaxed);
  } else {
    _tail.decide_due(std::chrono::steady_clock::now(), _tail_out);
  }
  if (!_tail_out.empty()) report_drops_if_changed();
  export_records(_tail_out);
  _tail_out.clear();
  _tail.release();
}

void ExporterThread::report_drops_if_changed() noexcept {
  const TracerStats s = _core.stats();
  const RecordedLosses losses = s.losses();
  if (_reported_losses == losses) return;
  _reported_losses = losses;
  try {
    _exporter->on_drops(s);
  } catch (...) {  // informational only
  }
}

void ExporterThread::read_exporter_counters() noexcept {
  try {
    _bytes_written.store(_exporter->bytes_written(), std::memory_order_relaxed);
    _failed_after_export.store(_exporter->spans_failed_after_export(), std::memory_order_relaxed);
    _files_rotated.store(_exporter->files_rotated(), std::memory_order_relaxed);
    _files_deleted.store(_exporter->files_deleted(), std::memory_order_relaxed);
  } catch (...) {  // noexcept in the interface; a user exporter may still throw
  }
}

void ExporterThread::wait_for_request(uint64_t flush_seen,
                                      std::chrono::microseconds timeout) noexcept {
  std::unique_lock lock(_control_mutex);
  _wake.wait_for(lock, timeout, [&] {
    return _stop.load(std::memory_order_relaxed) ||
           _flush_requested.load(std::memory_order_relaxed) != flush_seen ||
           _dump_requested.load(std::memory_order_relaxed) != _dump_seen;
  });
}

bool ExporterThread::dump_pending() const noexcept {
  // acquire: pairs with the release increments of dump_recent() and
  // request_dump(), as for flush tickets.
  return _dump_requested.load(std::memory_order_acquire) != _dump_seen ||
         _signals.load(std::memory_order_acquire) != _signals_seen;
}

void ExporterThread::serve_dumps(moodycamel::ConsumerToken& token) noexcept {
  // The requests this call serves: those made before the drain below, whose
  // spans it therefore takes (acquire: pairs with the requests' release
  // increments, so spans ended before a request are visible to the drain).
  // A request made during the drain is left for the next call, which drains
  // again.
  const uint64_t signals = _signals.load(std::memory_order_acquire);
  const uint64_t wanted = _dump_requested.load(std::memory_order_acquire);
  // The spans ended before the request are in the queue now; take them, but
  // not what producers keep adding: under sustained overload the queue never
  // looks empty. Twice what it holds covers the consumer token's rotation
  // between producers (it may take newer spans of one before older ones of
  // another).
  drain_queue(token, 2 * _queue.size_approx() + _batch.size());
  const RecordedLosses losses = _core.stats().losses();
  // Every request_dump() since the last one served makes one file.
  if (signals != _signals_seen) {
    _signals_seen = signals;
    std::string error;
    try {
      (void)_recorder.dump(_recorder.next_dump_path(), losses, error);
    } catch (...) {  // out of memory for the name: the request is dropped
    }
  }
  uint64_t ticket;
  std::string path;
  {
    // dump_recent() callers go one at a time: the ticket wanted before the
    // drain, if any, is the one whose path is here.
    std::lock_guard lock(_control_mutex);
    if (wanted == _dump_seen) return;
    ticket = wanted;
    path.swap(_dump_path);
  }
  std::string error;
  const bool ok = _recorder.dump(path, losses, error);
  {
    std::lock_guard lock(_control_mutex);
    _dump_completed = ticket;
    _last_dump_ok = ok;
    _dump_error.swap(error);
  }
  _dump_seen = ticket;
  _progress.notify_all();
}

// ------------------------------------------------------ callers' side

bool ExporterThread::flush(std::chrono::milliseconds timeout) noexcept {
  std::unique_lock lock(_control_mutex);
  const uint64_t ticket = _flush_requested.fetch_add(1, std::memory_order_release) + 1;
  _wake.notify_one();
  const bool done =
      _progress.wait_for(lock, timeout, [&] { return _flush_completed >= ticket || _done; });
  return done && _flush_completed >= ticket && _last_flush_ok;
}

bool ExporterThread::dump_recent(const std::string& path, std::string& error,
                                 std::chrono::milliseconds timeout) noexcept {
  try {
    if (!_recorder.active()) {
      error = FlightRecorder::kOffError;
      return false;
    }
    std::lock_guard caller(_dump_callers);
    std::unique_lock lock(_control_mutex);
    if (_done) {
      error = "hotspan: dump_recent: the tracer is shut down";
      return false;
    }
    _dump_path = path;
    const uint64_t ticket = _dump_requested.fetch_add(1, std::memory_order_release) + 1;
    _wake.notify_one();
    _progress.wait_for(lock, timeout, [&] { return _dump_completed >= ticket || _done; });
    if (_dump_completed < ticket) {
      error = _done ? "hotspan: dump_recent: the tracer is shut down"
                    : "hotspan: dump_recent: timed out after " + std::to_string(timeout.count()) +
                          " ms (the exporter thread is busy in the exporter)";
      return false;
    }
    if (!_last_dump_ok) error = _dump_error;
    return _last_dump_ok;
  } catch (...) {  // bad_alloc copying the path or the error
    return false;
  }
}

bool ExporterThread::stop(std::chrono::milliseconds timeout) noexcept {
  {
    std::lock_guard lock(_control_mutex);
    _stop.store(true, std::memory_order_release);
  }
  _wake.notify_one();
  bool finished;
  {
    std::unique_lock lock(_control_mutex);
    finished = _progress.wait_for(lock, timeout, [&] { return _done; });
  }
  if (finished) {
    _thread->join();
  } else {
    // Stuck in a sink: let it finish on its own. It holds its own reference
    // on the core, so the core (and *this) outlive it.
    _thread->detach();
  }
  return finished;
}

bool ExporterThread::stopped() noexcept {
  std::lock_guard lock(_control_mutex);
  return _done;
}

ExportCounters ExporterThread::counters() const noexcept {
  // Spans an exporter lost after accepting them are failures, not exports.
  const uint64_t exported = _exported.load(std::memory_order_relaxed);
  const uint64_t lost_later =
      std::min(_failed_after_export.load(std::memory_order_relaxed), exported);
  return {exported - lost_later,
          _export_failed.load(std::memory_order_relaxed) + lost_later,
          _bytes_written.load(std::memory_order_relaxed),
          _redactor.values_redacted(),
          _files_rotated.load(std::memory_order_relaxed),
          _files_deleted.load(std::memory_order_relaxed),
          _tail.counters(),
          _recorder.dumps(),
          _recorder.dump_failures(),
          _recorder.spans_evicted()};
}

}  // namespace hotspan::detail
