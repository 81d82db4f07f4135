// hotspan bench — a tracer run's loss accounting, and its benchmark counters.
//
// The flat-out and the paced runs keep the same loss fields and report them
// under the same names, so that the renderer reads drops and uncounted loss
// alike from both; a run whose final flush() timed out is marked failed, not
// reported short.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>

namespace hotspan_bench {

// What became of a run's sampled spans, from the tracer's stats() after flush().
struct RunLosses {
  uint64_t sampled = 0;
  uint64_t exported = 0;
  uint64_t dropped_pool_exhausted = 0;
  uint64_t dropped_queue_full = 0;
  uint64_t dropped_export_failed = 0;
  int64_t uncounted = 0;         // sampled − exported − dropped: 0 unless a span was lost
  double others_busy_cores = 0;  // machine_load.hpp
  bool flushed = false;

  uint64_t dropped() const {
    return dropped_pool_exhausted + dropped_queue_full + dropped_export_failed;
  }
};

inline void report_loss_counters(benchmark::State& state, const RunLosses& r) {
  using benchmark::Counter;
  state.counters["dropped_pool_exhausted"] = Counter(static_cast<double>(r.dropped_pool_exhausted));
  state.counters["dropped_queue_full"] = Counter(static_cast<double>(r.dropped_queue_full));
  state.counters["dropped_export_failed"] = Counter(static_cast<double>(r.dropped_export_failed));
  state.counters["uncounted"] = Counter(static_cast<double>(r.uncounted));
  state.counters["sampled"] = Counter(static_cast<double>(r.sampled));
  state.counters["others_busy_cores"] = Counter(r.others_busy_cores);
  if (!r.flushed) state.SkipWithError("flush() timed out: the exporter did not drain in 60 s");
}

}  // namespace hotspan_bench
