// hotspan — the tracer's loss and volume counters.
#pragma once

#include <cstdint>

namespace hotspan {

// The six loss counters: what a binary trace records in its drops and end
// frames, and what an exporter's on_drops() is told about when one moves.
struct RecordedLosses {
  uint64_t dropped_pool_exhausted = 0;
  uint64_t dropped_queue_full = 0;
  uint64_t dropped_export_failed = 0;
  uint64_t attributes_dropped = 0;
  uint64_t events_dropped = 0;
  uint64_t strings_truncated = 0;

  // Spans lost (the other three count parts of spans).
  uint64_t spans_dropped() const noexcept {
    return dropped_pool_exhausted + dropped_queue_full + dropped_export_failed;
  }
  bool operator==(const RecordedLosses&) const = default;
};

struct TracerStats {                    // monotonically increasing counters
  uint64_t spans_started = 0;           // every start_span call
  uint64_t spans_sampled = 0;           // sampler said yes
  uint64_t spans_exported = 0;          // written to the exporter successfully
  uint64_t dropped_pool_exhausted = 0;  // no free slot
  uint64_t dropped_queue_full = 0;      // queue refused the span (or tracer shut down)
  uint64_t dropped_export_failed = 0;   // exporter reported an error for them
  uint64_t attributes_dropped = 0;      // over the per-span limits
  uint64_t events_dropped = 0;
  uint64_t strings_truncated = 0;
  uint64_t bytes_written = 0;
  uint64_t values_redacted = 0;  // attributes, names and messages redacted (RedactionPolicy)
  uint64_t files_rotated = 0;    // trace files a file exporter finished and replaced by a new one
  uint64_t files_deleted = 0;    // trace files removed by retention limits
  // Tail sampling (TailSamplingPolicy): spans of discarded traces, and traces
  // kept, discarded, and decided before their local root ended (decision_wait,
  // the byte budget, flush or shutdown).
  uint64_t spans_discarded_by_tail_sampling = 0;
  uint64_t traces_kept_by_tail_sampling = 0;
  uint64_t traces_discarded_by_tail_sampling = 0;
  uint64_t traces_decided_early = 0;
  uint64_t recorder_dumps = 0;          // flight-recorder files written
  uint64_t recorder_dump_failures = 0;  // flight-recorder files that could not be written
  uint64_t recorder_spans_evicted = 0;  // spans that left the flight recorder's ring for newer

  RecordedLosses losses() const noexcept {
    return {dropped_pool_exhausted, dropped_queue_full, dropped_export_failed,
            attributes_dropped,     events_dropped,     strings_truncated};
  }
  // Stats that carry `l` and no other count (a trace's recorded losses
  // replayed to an exporter's on_drops()).
  static TracerStats with_losses(const RecordedLosses& l) noexcept {
    TracerStats s;
    s.dropped_pool_exhausted = l.dropped_pool_exhausted;
    s.dropped_queue_full = l.dropped_queue_full;
    s.dropped_export_failed = l.dropped_export_failed;
    s.attributes_dropped = l.attributes_dropped;
    s.events_dropped = l.events_dropped;
    s.strings_truncated = l.strings_truncated;
    return s;
  }
};
// values_redacted counts values changed, not spans, and the traces_* counters
// count traces: they are outside the invariant. Discarding by tail sampling is
// a decision, not a loss: it is not in RecordedLosses. The recorder_* counters
// are outside it too: the flight recorder keeps a copy of spans that are
// exported (or counted as lost) as usual, so a span evicted from its ring is
// not a loss.
// Invariant once flushed: spans_sampled == spans_exported + dropped_pool_exhausted
//                                        + dropped_queue_full + dropped_export_failed
//                                        + spans_discarded_by_tail_sampling

}  // namespace hotspan
