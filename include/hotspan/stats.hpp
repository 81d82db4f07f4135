// hotspan — the tracer's loss and volume counters.
#pragma once

#include <cstdint>

namespace hotspan {

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
};
// Invariant once flushed: spans_sampled == spans_exported + dropped_pool_exhausted
//                                        + dropped_queue_full + dropped_export_failed

}  // namespace hotspan
