// hotspan — tracer core: options, submission, flush, shutdown, stats.
#include "core/tracer_core.hpp"

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
  const TailSamplingPolicy& tail = o.tail_sampling;
  require(tail.baseline >= 0 && tail.baseline <= 1,  // false for NaN too
          "tail_sampling.baseline must be a probability in [0, 1]");
  require(tail.decision_wait >= std::chrono::milliseconds(1),
          "tail_sampling.decision_wait must be at least 1 ms");
  require(tail.max_buffered_bytes >= (size_t{64} << 10),
          "tail_sampling.max_buffered_bytes must be at least 65536");
  for (const SlowRootRule& rule : tail.slow_roots) {
    require(rule.threshold.count() >= 0, "tail_sampling.slow_roots: the threshold of '" +
                                             rule.name.substr(0, 64) + "' must not be negative");
  }
  // The recorder evicts a sixteenth of its ring at a time: a chunk must hold
  // at least a span of a full slot, or no span would stay recorded.
  const FlightRecorderOptions& recorder = o.flight_recorder;
  const size_t recorder_min = std::max(FlightRecorderOptions::kMinBytes, 16 * o.slot_bytes);
  require(recorder.max_bytes == 0 || (recorder.max_bytes >= recorder_min &&
                                      recorder.max_bytes <= FlightRecorderOptions::kMaxBytes),
          "flight_recorder.max_bytes must be 0 (off) or in " + std::to_string(recorder_min) + ".." +
              std::to_string(FlightRecorderOptions::kMaxBytes) +
              " (at least 64 KiB and 16 x slot_bytes, so that a sixteenth of the ring holds a "
              "full span; got " +
              std::to_string(recorder.max_bytes) + ")");
  require(recorder.max_bytes == 0 || !recorder.dump_path.empty(),
          "flight_recorder.dump_path must not be empty when the recorder is on");
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

TracerCore::TracerCore(TracerOptions options)
    : _queue(validated_queue_capacity(options)),
      _exporter_thread(*this, options.exporter ? std::move(options.exporter) : noop_exporter(),
                       {options.export_batch_size, options.idle_sleep},
                       std::move(options.redaction), options.tail_sampling,
                       options.flight_recorder) {
  TracerHot::id = g_next_core_id.fetch_add(1, std::memory_order_relaxed);
  if (!options.sampler) options.sampler = parent_based(always_on());
  init_asymmetric_fences();
  _limits.data_bytes = static_cast<uint32_t>(options.slot_bytes);
  _limits.max_attributes = static_cast<uint16_t>(options.max_attributes_per_span);
  _limits.max_events = static_cast<uint16_t>(options.max_events_per_span);
  _limits.max_string_bytes = static_cast<uint16_t>(options.max_string_bytes);
  _slots_per_thread = options.slots_per_thread;
  _shutdown_timeout = options.shutdown_timeout;
  _resource.service_name = options.service_name;
  _resource.attributes.emplace_back("service.name", options.service_name);
  for (auto& kv : options.resource) {
    if (kv.first != "service.name") _resource.attributes.push_back(std::move(kv));
  }
  _sampler = std::move(options.sampler);
  _sampler_raw = _sampler.get();
  const SamplerClass sampler_class = classify_sampler(*_sampler);
  TracerHot::mode = sampler_class.mode;
  TracerHot::rules = inline_rules_of(sampler_class.mode);
  TracerHot::ratio_threshold = sampler_class.ratio_threshold;
  _ratio_countdown = RatioCountdown(sampler_class.ratio_threshold);
  const TickConverter& clock = _exporter_thread.clock();
  _resource.clock_anchor_unix_ns = clock.start_unix_ns();
  _resource.clock_anchor_monotonic_ns = clock.start_monotonic_ns();
  _resource.process_id = static_cast<uint32_t>(::getpid());
  _fork_generation = id_fork_generation.load(std::memory_order_relaxed);
  _exporter_thread.start(_resource);
}

TracerCore::~TracerCore() = default;

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
  if (!me->submit(s)) return;  // dropped: queue full (counted by the recorder)
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

// ------------------------------------------------------ flush / shutdown / stats

bool TracerCore::flush(std::chrono::milliseconds timeout) noexcept {
  if (closed() || forked()) return false;
  return _exporter_thread.flush(timeout);
}

void TracerCore::shutdown() noexcept {
  if (forked()) {
    // The exporter thread is the parent's: close this copy and abandon the
    // thread object (and the core's memory, which it references) untouched.
    TracerHot::closed.store(true, std::memory_order_relaxed);
    _exporter_thread.abandon();
    return;
  }
  std::lock_guard guard(_shutdown_mutex);
  if (_shut_down) return;
  _shut_down = true;

  TracerHot::closed.store(true, std::memory_order_seq_cst);
  // Heavy side of the handshake in submit(): after this, every producer either
  // sees _closed or has its enqueue visible to the final drain.
  asymmetric_fence_heavy();
  if (_exporter_thread.stop(_shutdown_timeout)) {
    reap_leftovers();
    _final_drain_done.store(true, std::memory_order_release);
  }
}

bool TracerCore::dump_recent(const std::string& path, std::string& error,
                             std::chrono::milliseconds timeout) noexcept {
  if (forked()) {
    try {
      error = "hotspan: dump_recent: the recorder is the parent process's (fork)";
    } catch (...) {  // out of memory for the message: the false still says it
    }
    return false;
  }
  return _exporter_thread.dump_recent(path, error, timeout);
}

void TracerCore::request_dump() noexcept {
  // Two relaxed loads and a lock-free increment: async-signal-safe. A closed
  // tracer's thread is gone or about to go; a request then is ignored.
  if (forked() || TracerHot::closed.load(std::memory_order_relaxed)) return;
  _exporter_thread.request_dump();
}

bool TracerCore::exporter_stopped() noexcept {
  if (forked()) return true;  // the exporter thread is the parent's: none runs here
  return _exporter_thread.stopped();
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
  const ExportCounters exports = _exporter_thread.counters();
  s.spans_exported = exports.exported;
  s.dropped_export_failed = exports.export_failed;
  s.bytes_written = exports.bytes_written;
  s.values_redacted = exports.values_redacted;
  s.files_rotated = exports.files_rotated;
  s.files_deleted = exports.files_deleted;
  s.spans_discarded_by_tail_sampling = exports.tail.spans_discarded;
  s.traces_kept_by_tail_sampling = exports.tail.traces_kept;
  s.traces_discarded_by_tail_sampling = exports.tail.traces_discarded;
  s.traces_decided_early = exports.tail.traces_decided_early;
  s.recorder_dumps = exports.recorder_dumps;
  s.recorder_dump_failures = exports.recorder_dump_failures;
  s.recorder_spans_evicted = exports.recorder_spans_evicted;
  return s;
}

}  // namespace hotspan::detail
