// hotspan — tracer core: options, submission, exporter thread, flush, shutdown, stats.
#include "backend/tracer_core.hpp"

#include <unistd.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "core/clock.hpp"
#include "core/sampler_mode.hpp"
#include "recording/asymmetric_fence.hpp"
#include "recording/thread_recorder.hpp"

namespace hotspan::detail {

namespace {

std::atomic<uint64_t> g_next_core_id{1};

constexpr int kIdleSpins = 64;  // empty polls before the exporter thread sleeps
// How long the exporter first lets spans gather after a drain that found less
// than a full batch (at most idle_sleep); it doubles while drains stay small,
// up to idle_sleep. The kernel's default timer slack stretches 20 us to
// ~50-70 us.
constexpr std::chrono::microseconds kGatherPause{20};

constexpr size_t kMaxResourceStringBytes = 65535;
constexpr size_t kMaxResourceBytes = size_t{1} << 20;

void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("hotspan: invalid TracerOptions: " + what);
}

// Checks every option; the queue is the first member built from them, so its
// capacity is read through here and nothing is constructed from bad options.
size_t validated_queue_capacity(const TracerOptions& o) {
  require(o.slots_per_thread >= 1 && o.slots_per_thread <= kMaxSpansInFlightPerThread,
          "slots_per_thread must be in 1.." + std::to_string(kMaxSpansInFlightPerThread) +
              " (got " + std::to_string(o.slots_per_thread) + ")");
  require(o.queue_capacity >= 1 && o.queue_capacity <= (size_t{1} << 32),
          "queue_capacity must be in 1..2^32 (got " + std::to_string(o.queue_capacity) + ")");
  require(o.slot_bytes >= kMinSlotDataBytes && o.slot_bytes <= kMaxSlotDataBytes,
          "slot_bytes must be in 256..65536 (got " + std::to_string(o.slot_bytes) + ")");
  require(o.max_attributes_per_span <= 65535, "max_attributes_per_span must be at most 65535");
  require(o.max_events_per_span <= 65535, "max_events_per_span must be at most 65535");
  require(o.max_string_bytes >= 1 && o.max_string_bytes <= 65535,
          "max_string_bytes must be in 1..65535");
  require(o.export_batch_size >= 1 && o.export_batch_size <= 65536,
          "export_batch_size must be in 1..65536");
  require(o.idle_sleep.count() >= 0, "idle_sleep must not be negative");
  require(o.shutdown_timeout.count() >= 0, "shutdown_timeout must not be negative");
  // The resource is written whole at the start of every file and batch that
  // carries it (a binary header frame holds at most 16 MiB), so it is bounded
  // as configuration rather than cut silently.
  size_t resource_bytes = o.service_name.size();
  require(o.service_name.size() <= kMaxResourceStringBytes,
          "service_name must be at most " + std::to_string(kMaxResourceStringBytes) + " bytes");
  for (const auto& [key, value] : o.resource) {
    require(key.size() <= kMaxResourceStringBytes && value.size() <= kMaxResourceStringBytes,
            "resource attribute '" + key.substr(0, 64) + "': keys and values must be at most " +
                std::to_string(kMaxResourceStringBytes) + " bytes (got " +
                std::to_string(std::max(key.size(), value.size())) + ")");
    resource_bytes += key.size() + value.size();
  }
  require(resource_bytes <= kMaxResourceBytes,
          "the resource (service_name and attributes) must total at most " +
              std::to_string(kMaxResourceBytes) + " bytes (got " + std::to_string(resource_bytes) +
              ")");
  return o.queue_capacity;
}

}  // namespace

TracerCore::TracerCore(TracerOptions options) : _queue(validated_queue_capacity(options)) {
  TracerHot::id = g_next_core_id.fetch_add(1, std::memory_order_relaxed);
  if (!options.exporter) options.exporter = noop_exporter();
  if (!options.sampler) options.sampler = parent_based(always_on());
  init_asymmetric_fences();
  init_clock();
  _clock.emplace();
  _limits.data_bytes = static_cast<uint32_t>(options.slot_bytes);
  _limits.max_attributes = static_cast<uint16_t>(options.max_attributes_per_span);
  _limits.max_events = static_cast<uint16_t>(options.max_events_per_span);
  _limits.max_string_bytes = static_cast<uint16_t>(options.max_string_bytes);
  _slots_per_thread = options.slots_per_thread;
  _batch_size = options.export_batch_size;
  _idle_sleep = options.idle_sleep;
  _gather_pause = std::min(_idle_sleep, kGatherPause);
  _shutdown_timeout = options.shutdown_timeout;
  _resource.service_name = options.service_name;
  _resource.attributes.emplace_back("service.name", options.service_name);
  for (auto& kv : options.resource) {
    if (kv.first != "service.name") _resource.attributes.push_back(std::move(kv));
  }
  _exporter = std::move(options.exporter);
  _sampler = std::move(options.sampler);
  _sampler_raw = _sampler.get();
  const SamplerClass sampler_class = classify_sampler(*_sampler);
  TracerHot::mode = sampler_class.mode;
  TracerHot::ratio_threshold = sampler_class.ratio_threshold;
  _resource.clock_anchor_unix_ns = _clock->start_unix_ns();
  _resource.clock_anchor_monotonic_ns = _clock->start_monotonic_ns();
  _resource.process_id = static_cast<uint32_t>(::getpid());
  _builder = std::make_unique<SpanRecordBuilder>();
  _batch.resize(_batch_size);
  _exporter->start(_resource);
  add_ref();  // the exporter thread's own, released when it returns
  _fork_generation = id_fork_generation.load(std::memory_order_relaxed);
  _thread = std::make_unique<std::thread>([this] { exporter_main(); });
}

TracerCore::~TracerCore() {
  if (_thread && _thread->joinable()) _thread->detach();  // only after a shutdown timeout
}

void TracerCore::release_ref() noexcept {
  // acq_rel: the deleting thread must see every other holder's last writes.
  if (_refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
}

// ---------------------------------------------------------------- producers

void TracerCore::submit(Slot* s) noexcept {
  if (closed() || forked()) {
    discard_late(s);
    return;
  }
  ThreadRecorder* me = recorder_for(*this);
  if (me == nullptr) {  // thread exiting, or no memory for a recorder
    discard_late(s);
    return;
  }
  me->count_slot_drops(*s);
  if (!me->try_enqueue(s)) {
    me->counters().dropped_queue_full.add(1);
    if (s->owner == me) {
      me->pool().release_local(s);
    } else {
      give_back_slot(s);
    }
    return;
  }
  // Shutdown handshake, producer side: our enqueue (a release store inside the
  // queue) is ordered before this load by the light fence, which the heavy
  // fence in shutdown() makes a full one. If we still read "open", the final
  // drain will see our span; if we read "closed", it may not, so reap.
  asymmetric_fence_light();
  if (TracerHot::closed.load(std::memory_order_relaxed)) reap_leftovers();
}

void TracerCore::discard_late(Slot* s) noexcept {
  _late_dropped.add(1);
  add_slot_drops(*s, _late_attributes_dropped, _late_events_dropped, _late_strings_truncated);
  give_back_slot(s);
}

void TracerCore::reap_leftovers() noexcept {
  // Spans enqueued after the final drain: count them as dropped (their drop
  // counters were already added at submit). The queue is MPMC, so reaping
  // concurrently with the exporter's own drain hands each span to exactly one.
  add_ref();  // giving back the last slot of a pool may drop the last other reference
  Slot* batch[64];
  size_t n;
  while ((n = _queue.try_dequeue_bulk(batch, 64)) != 0) {
    for (size_t i = 0; i < n; ++i) {
      if (batch[i] == nullptr) continue;  // a recorder's block reservation (thread_recorder.cpp)
      _late_dropped.add(1);
      give_back_slot(batch[i]);
    }
  }
  release_ref();
}

// ---------------------------------------------------------- exporter thread

void TracerCore::export_slots(Slot* const* slots, size_t count) noexcept {
  report_drops_if_changed();
  SpanRecordBuilder& builder = *_builder;
  bool ok = false;
  try {
    builder.clear();
    for (size_t i = 0; i < count; ++i)
      builder.add(*slots[i], *_clock);
    ok = _exporter->export_batch(builder.records());
  } catch (...) {
    ok = false;  // an exporter that throws fails its batch; the engine carries on
  }
  (ok ? _exported : _export_failed).fetch_add(count, std::memory_order_relaxed);
  read_exporter_counters();
  builder.clear();  // drop views into the slots before they are reused

  // Return slots in chains, one CAS per run of slots from the same pool.
  size_t i = 0;
  while (i < count) {
    Slot* first = slots[i];
    Slot* last = first;
    uint32_t n = 1;
    ThreadRecorder* owner = first->owner;
    while (i + n < count && slots[i + n]->owner == owner) {
      owner->pool().link(last, slots[i + n]);
      last = slots[i + n];
      ++n;
    }
    if (owner->pool().give_back(first, last, n)) delete owner;
    i += n;
  }
}

void TracerCore::report_drops_if_changed() noexcept {
  const TracerStats s = stats();
  const uint64_t losses[] = {s.dropped_pool_exhausted, s.dropped_queue_full,
                             s.dropped_export_failed,  s.attributes_dropped,
                             s.events_dropped,         s.strings_truncated};
  if (std::equal(std::begin(losses), std::end(losses), std::begin(_reported_losses))) return;
  std::copy(std::begin(losses), std::end(losses), std::begin(_reported_losses));
  try {
    _exporter->on_drops(s);
  } catch (...) {  // informational only
  }
}

size_t TracerCore::drain_queue(moodycamel::ConsumerToken& token) noexcept {
  size_t total = 0;
  size_t n;
  while ((n = _queue.try_dequeue_bulk(token, _batch.data(), _batch.size())) != 0) {
    // Null entries are the markers with which recorders reserve their first
    // queue block (thread_recorder.cpp): not spans.
    Slot** const first = _batch.data();
    const auto spans = static_cast<size_t>(std::remove(first, first + n, nullptr) - first);
    if (spans != 0) export_slots(first, spans);
    total += n;
  }
  return total;
}

void TracerCore::exporter_main() noexcept {
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
    if (const size_t drained = drain_queue(token); drained != 0) {
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
        gather = std::min(gather * 2, _idle_sleep);
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
      drain_queue(token);
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
        if (stop) _exporter_done = true;
      }
      _exporter_progress.notify_all();
      flush_seen = flush_wanted;
      if (stop) break;
      continue;
    }
    if (++idle < kIdleSpins) {
      std::this_thread::yield();
      continue;
    }
    wait_for_request(flush_seen, _idle_sleep);
  }
  release_ref();  // the exporter thread's own reference
}

void TracerCore::wait_for_request(uint64_t flush_seen, std::chrono::microseconds timeout) noexcept {
  std::unique_lock lock(_control_mutex);
  _wake_exporter.wait_for(lock, timeout, [&] {
    return _stop.load(std::memory_order_relaxed) ||
           _flush_requested.load(std::memory_order_relaxed) != flush_seen;
  });
}

// ------------------------------------------------------ flush / shutdown / stats

bool TracerCore::flush(std::chrono::milliseconds timeout) noexcept {
  if (closed() || forked()) return false;
  std::unique_lock lock(_control_mutex);
  const uint64_t ticket = _flush_requested.fetch_add(1, std::memory_order_release) + 1;
  _wake_exporter.notify_one();
  const bool done = _exporter_progress.wait_for(
      lock, timeout, [&] { return _flush_completed >= ticket || _exporter_done; });
  return done && _flush_completed >= ticket && _last_flush_ok;
}

void TracerCore::shutdown() noexcept {
  if (forked()) {
    // The exporter thread is the parent's: close this copy and abandon the
    // thread object (and the core's memory, which it references) untouched.
    TracerHot::closed.store(true, std::memory_order_relaxed);
    (void)_thread.release();
    return;
  }
  std::lock_guard guard(_shutdown_mutex);
  if (_shut_down) return;
  _shut_down = true;

  TracerHot::closed.store(true, std::memory_order_seq_cst);
  // Heavy side of the handshake in submit(): after this, every producer either
  // sees _closed or has its enqueue visible to the final drain.
  asymmetric_fence_heavy();
  {
    std::lock_guard lock(_control_mutex);
    _stop.store(true, std::memory_order_release);
  }
  _wake_exporter.notify_one();

  bool finished;
  {
    std::unique_lock lock(_control_mutex);
    finished = _exporter_progress.wait_for(lock, _shutdown_timeout, [&] { return _exporter_done; });
  }
  if (finished) {
    _thread->join();
    reap_leftovers();
    _final_drain_done.store(true, std::memory_order_release);
  } else {
    // The exporter is stuck in a sink: let it finish on its own. It holds its
    // own reference, so the core outlives it.
    _thread->detach();
  }
}

void TracerCore::read_exporter_counters() noexcept {
  try {
    _bytes_written.store(_exporter->bytes_written(), std::memory_order_relaxed);
    _failed_after_export.store(_exporter->spans_failed_after_export(), std::memory_order_relaxed);
  } catch (...) {  // noexcept in the interface; a user exporter may still throw
  }
}

bool TracerCore::exporter_stopped() noexcept {
  if (forked()) return true;  // the exporter thread is the parent's: none runs here
  std::lock_guard lock(_control_mutex);
  return _exporter_done;
}

bool TracerCore::open_producer(std::optional<SpanProducerToken>& token) {
  std::lock_guard lock(_registry_mutex);
  token.emplace(_queue);
  // Producers are recycled while any is inactive, so a new one was made
  // exactly when this token is more than the queue has ever had at once.
  const bool fresh = ++_open_producers > _producers;
  if (fresh) _producers = _open_producers;
  return fresh;
}

void TracerCore::close_producer(std::optional<SpanProducerToken>& token) noexcept {
  std::lock_guard lock(_registry_mutex);
  if (!token.has_value()) return;
  token.reset();  // marks the producer inactive: the next token may take it
  --_open_producers;
}

void TracerCore::register_recorder(ThreadRecorder* r) {
  std::lock_guard lock(_registry_mutex);
  _recorders.push_back(r);
}

namespace {
void add_recorder_counters(TracerStats& s, const RecorderCounters& c) noexcept {
  s.spans_started += c.spans_started.get();
  s.spans_sampled += c.spans_sampled.get();
  s.dropped_pool_exhausted += c.dropped_pool_exhausted.get();
  s.dropped_queue_full += c.dropped_queue_full.get();
  s.attributes_dropped += c.attributes_dropped.get();
  s.events_dropped += c.events_dropped.get();
  s.strings_truncated += c.strings_truncated.get();
}
}  // namespace

void TracerCore::unregister_recorder(ThreadRecorder* r) noexcept {
  std::lock_guard lock(_registry_mutex);
  add_recorder_counters(_retired, r->counters());
  std::erase(_recorders, r);
}

TracerStats TracerCore::stats() noexcept {
  // After shutdown, spans may have been enqueued after the final drain by a
  // producer that raced it; count them now so the invariant is exact.
  if (_final_drain_done.load(std::memory_order_acquire)) reap_leftovers();
  TracerStats s;
  {
    std::lock_guard lock(_registry_mutex);
    s = _retired;
    for (const ThreadRecorder* r : _recorders)
      add_recorder_counters(s, r->counters());
  }
  s.spans_started += _unrecorded_starts.get();
  s.dropped_queue_full += _late_dropped.get();
  s.attributes_dropped += _late_attributes_dropped.get();
  s.events_dropped += _late_events_dropped.get();
  s.strings_truncated += _late_strings_truncated.get();
  // Spans an exporter lost after accepting them are failures, not exports.
  const uint64_t exported = _exported.load(std::memory_order_relaxed);
  const uint64_t lost_later =
      std::min(_failed_after_export.load(std::memory_order_relaxed), exported);
  s.spans_exported = exported - lost_later;
  s.dropped_export_failed = _export_failed.load(std::memory_order_relaxed) + lost_later;
  s.bytes_written = _bytes_written.load(std::memory_order_relaxed);
  return s;
}

}  // namespace hotspan::detail
