// hotspan — the Tracer: starts spans and owns the exporter thread.
//
// Threads that record spans each get, per tracer, a pool of fixed-size slots
// carved out of one arena (allocated on the thread's first sampled span). Ended
// spans go to the exporter thread through a lock-free MPSC queue; the exporter
// thread encodes them in batches and gives the slots back to their pools.
// Nothing is ever lost silently: every sampled span is, once flushed, exactly one
// of exported, dropped_pool_exhausted, dropped_queue_full, dropped_export_failed
// or (with tail sampling) discarded_by_tail_sampling.
//
// Several tracers may live in one process. Memory of a thread's pool is kept
// until the thread exits (or starts a span on another tracer after this one
// was destroyed) and all of its slots are back, so spans outliving their tracer
// and threads exiting with spans in flight are safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "hotspan/export.h"
#include "hotspan/exporter.hpp"
#include "hotspan/flight_recorder.hpp"
#include "hotspan/redaction.hpp"
#include "hotspan/sampler.hpp"
#include "hotspan/span.hpp"
#include "hotspan/stats.hpp"
#include "hotspan/tail_sampling.hpp"

namespace hotspan {

struct HOTSPAN_API TracerOptions {
  std::string service_name = "unknown_service";
  std::shared_ptr<Exporter> exporter;  // null → noop
  std::shared_ptr<Sampler> sampler;    // null → parent_based(always_on())
  // Extra resource attributes. service_name, keys and values: at most 65,535
  // bytes each, 1 MiB in all (the constructor throws beyond).
  std::vector<std::pair<std::string, std::string>> resource;
  size_t slots_per_thread = 4096;  // arena pool size per thread (spans in flight)
  size_t queue_capacity = 65536;   // spans queued for export, all threads together

  // Per-span limits. A slot holds the span's fixed fields plus slot_bytes of
  // inline storage for its name, attributes, events and status message.
  size_t slot_bytes = 1024;             // 256 .. 65536
  size_t max_attributes_per_span = 32;  // 0 .. 65535
  size_t max_events_per_span = 16;      // 0 .. 65535 (event attributes share the span's budget)
  size_t max_string_bytes = 256;        // names, keys and string values; 1 .. 65535

  // Exporter thread: spans handed to the exporter per call, and how long it
  // sleeps when the queue is empty (flush() and shutdown() wake it at once).
  // After a drain smaller than a batch it also pauses, 20 us at first and
  // doubling while drains stay small, up to idle_sleep, so that spans gather
  // into batches (docs/ENGINE.md); 0 disables both waits.
  size_t export_batch_size = 512;
  std::chrono::microseconds idle_sleep = std::chrono::milliseconds(2);
  // How long shutdown() waits for the exporter thread to drain and finish.
  std::chrono::milliseconds shutdown_timeout = std::chrono::seconds(10);
  // Applied by the exporter thread to every span before any exporter sees it
  // (hotspan/redaction.hpp). Empty here: nothing is redacted. from_env() sets
  // RedactionPolicy::relay_default() unless HOTSPAN_REDACTION=off.
  RedactionPolicy redaction;
  // Which whole traces reach the exporter, decided when each local trace ends
  // (hotspan/tail_sampling.hpp). Off here; from_env() reads HOTSPAN_TAIL_*.
  TailSamplingPolicy tail_sampling;
  // Keeps the most recent sampled spans in memory for dump_recent() and
  // request_dump() (hotspan/flight_recorder.hpp). Off by default.
  FlightRecorderOptions flight_recorder;

  static TracerOptions from_env();  // OTEL_* and HOTSPAN_* variables: docs/GUIDE.md
};

namespace detail {
class TracerCore;
}

class HOTSPAN_API Tracer {
 public:
  // Throws std::invalid_argument when an option is out of range.
  explicit Tracer(TracerOptions options);
  ~Tracer();  // shutdown()
  Tracer(const Tracer&) = delete;
  Tracer& operator=(const Tracer&) = delete;

  // Parent = current_context() of the calling thread.
  //
  // Both overloads are forced inline (GCC and Clang): the unsampled decision
  // costs a few loads and compares, less than the call it would otherwise be.
  [[gnu::always_inline]] Span start_span(std::string_view name,
                                         SpanKind kind = SpanKind::internal) noexcept {
    return start_span(name, kind, detail::t_current_context);
  }
  // Explicit parent; an invalid parent starts a new trace. The unsampled cases
  // that need no sampler call (always_off, parent_based with an unsampled
  // parent, trace_id_ratio on the trace id's random bits) are decided inline
  // from one byte of rules; everything else goes to start_span_slow(). A
  // child always stays in its parent's trace: only a span without a valid
  // parent gets a new trace id, and an unsampled one only when its context()
  // is asked for. An unsampled decision does not look at whether the tracer
  // is shut down: such a span is inert either way, and count_start() counts
  // it where stats() finds it.
  [[gnu::always_inline]] Span start_span(std::string_view name, SpanKind kind,
                                         const SpanContext& parent) noexcept {
    namespace rules = detail::inline_rules;
    const detail::TracerHot& hot = *_hot;
    const uint8_t rule = hot.rules;
    if (parent.valid()) {
      const bool unsampled =
          (rule & rules::parent_decides) != 0
              ? !parent.sampled()
              : (rule & rules::children_unsampled) != 0 ||
                    ((rule & rules::ratio_children) != 0 &&
                     !detail::ratio_samples(parent.trace_id, hot.ratio_threshold));
      if (unsampled) {
        count_start();
        return Span::unsampled_child(parent);
      }
    } else if ((rule & rules::roots_unsampled) != 0) {
      count_start();
      return Span::unsampled_root(TraceId{});
    } else if ((rule & rules::ratio_roots) != 0) {
      // A countdown of the roots this thread leaves unsampled before the
      // next sampled one stands in for a random draw per root; the trace id
      // is drawn later to agree with the decision (core/ratio_countdown.hpp).
      detail::LastRecorder& last = detail::t_last_recorder;
      if (last.core_id == hot.id && *last.ratio_countdown != 0) [[likely]] {
        --*last.ratio_countdown;
        last.spans_started->add(1);
        return Span::unsampled_ratio_root(hot.ratio_threshold);
      }
      return start_ratio_root_slow(name, kind);
    }
    return start_span_slow(name, kind, parent, /*sampled_root=*/false);
  }

  // Waits until every span ended before the call has been handed to the exporter
  // and the exporter flushed. False on timeout, exporter flush failure, or after
  // shutdown.
  bool flush(std::chrono::milliseconds timeout = std::chrono::seconds(5)) noexcept;
  // Idempotent. Drains the queue, flushes and shuts the exporter down, joins the
  // exporter thread (waiting at most shutdown_timeout). Spans started later are
  // inert (counted in spans_started only); spans ended later are dropped and
  // counted as dropped_queue_full.
  void shutdown() noexcept;
  // True once the exporter thread has shut the exporter down and no longer
  // touches it. shutdown() returns with this false only when it timed out with
  // the exporter thread stuck in a sink: whatever the exporter writes to (the
  // stream of an ostream_exporter) must then live until this turns true.
  bool exporter_stopped() const noexcept;
  TracerStats stats() const noexcept;

  // Flight recorder (TracerOptions::flight_recorder). Waits until the
  // exporter thread has drained the queue (so every span ended before the
  // call is in) and written the recorder's spans to `path` as one binary
  // trace file (docs/FORMAT.md; created 0600 by open_trace_file(), a symbolic
  // link refused). The ring is not cleared: a later dump holds these spans
  // again if they are still among the most recent. False when the recorder
  // is off, the file cannot be written, the tracer is shut down or `timeout`
  // passes, with the reason in *error when `error` is not null; a failed
  // write counts in TracerStats::recorder_dump_failures.
  bool dump_recent(const std::string& path, std::string* error = nullptr,
                   std::chrono::milliseconds timeout = std::chrono::seconds(5)) noexcept;
  // Async-signal-safe (one lock-free atomic increment, no lock, allocation
  // or wake-up): asks the exporter thread to drain the queue and dump to a
  // fresh name after flight_recorder.dump_path. It notices the request within
  // idle_sleep (its longest sleep); requests made before it gets to them make
  // one file. Counted in recorder_dumps or recorder_dump_failures. Does
  // nothing when the recorder is off or the tracer is shut down.
  void request_dump() noexcept;

  const std::string& service_name() const noexcept;

 private:
  // `sampled_root`: the inline path decided to sample a new root whose trace
  // id is `parent.trace_id` (parent.span_id is not set).
  Span start_span_slow(std::string_view name, SpanKind kind, const SpanContext& parent,
                       bool sampled_root) noexcept;
  // A trace_id_ratio root whose countdown is at zero, or on a thread that
  // used another tracer last.
  Span start_ratio_root_slow(std::string_view name, SpanKind kind) noexcept;
  [[gnu::always_inline]] void count_start() noexcept {
    if (detail::t_last_recorder.core_id == _hot->id) [[likely]] {
      detail::t_last_recorder.spans_started->add(1);
    } else {
      count_start_slow();
    }
  }
  void count_start_slow() noexcept;

  detail::TracerCore* _core;  // reference-counted: outlives the Tracer while pools use it
  detail::TracerHot* _hot;    // the same object, as seen by the inline fast path
};

// Starts a span, makes it current, calls fn(span) (or fn() when fn takes no
// argument) and ends the span when fn returns. An exception escaping fn is
// recorded on the span as an error and rethrown.
template <class F>
decltype(auto) with_span(Tracer& tracer, std::string_view name, SpanKind kind, F&& fn) {
  Span span = tracer.start_span(name, kind);
  Scope scope(span);
  try {
    if constexpr (std::is_invocable_v<F&&, Span&>) {
      return std::forward<F>(fn)(span);
    } else {
      return std::forward<F>(fn)();
    }
  } catch (const std::exception& e) {
    span.record_error(e);
    throw;
  } catch (...) {
    span.record_error(std::string_view("unknown exception"));
    throw;
  }
}

}  // namespace hotspan
