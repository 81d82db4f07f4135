// hotspan bench — producers recording flat out through a Tracer, end to end.
//
// run_flat_out() starts `threads` producer threads that each record sampled
// spans with the workload's attributes (span_workload.hpp) as fast as they
// can for `duration`, then stops them, flushes the tracer and reads stats().
// The delivered rate is spans_exported / (time from the start signal until
// flush() returned): what actually reached the exporter, not what the
// producers attempted. Every loss counter is reported beside it, and
// `uncounted` = sampled - exported - all drops, which the engine's invariant
// says must be 0. `others_busy_cores` says how much of the machine other
// processes took meanwhile (machine_load.hpp).
#pragma once

#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "hotspan/tracer.hpp"
#include "loss_counters.hpp"
#include "machine_load.hpp"
#include "span_workload.hpp"

namespace hotspan_bench {

struct FlatOutResult : RunLosses {
  double seconds = 0;  // start signal .. flush() returned
  uint64_t started = 0;
  uint64_t bytes_written = 0;

  double delivered_per_second() const { return seconds > 0 ? exported / seconds : 0; }
  double started_per_second() const { return seconds > 0 ? started / seconds : 0; }
};

inline FlatOutResult run_flat_out(hotspan::Tracer& tracer, int threads,
                                  std::chrono::duration<double> duration, int attributes) {
  std::atomic<bool> go{false}, stop{false};
  std::atomic<int> ready{0};
  std::vector<std::thread> producers;
  producers.reserve(static_cast<size_t>(threads));
  for (int t = 0; t < threads; ++t) {
    producers.emplace_back([&, t] {
      ready.fetch_add(1);
      while (!go.load(std::memory_order_acquire))
        std::this_thread::yield();
      int64_t i = static_cast<int64_t>(t) << 40;
      while (!stop.load(std::memory_order_relaxed)) {
        hotspan::Span span = tracer.start_span(span_name(i), hotspan::SpanKind::internal);
        set_workload_attributes(span, i, attributes);
        ++i;
      }
    });
  }
  while (ready.load() != threads)
    std::this_thread::yield();

  const hotspan::TracerStats before = tracer.stats();
  const OtherLoad load;
  const auto start = std::chrono::steady_clock::now();
  go.store(true, std::memory_order_release);
  std::this_thread::sleep_for(duration);
  stop.store(true, std::memory_order_relaxed);
  for (std::thread& producer : producers)
    producer.join();
  FlatOutResult r;
  r.flushed = tracer.flush(std::chrono::seconds(60));
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.others_busy_cores = load.others_busy_cores();
  const hotspan::TracerStats after = tracer.stats();

  r.started = after.spans_started - before.spans_started;
  r.sampled = after.spans_sampled - before.spans_sampled;
  r.exported = after.spans_exported - before.spans_exported;
  r.dropped_pool_exhausted = after.dropped_pool_exhausted - before.dropped_pool_exhausted;
  r.dropped_queue_full = after.dropped_queue_full - before.dropped_queue_full;
  r.dropped_export_failed = after.dropped_export_failed - before.dropped_export_failed;
  r.uncounted = static_cast<int64_t>(r.sampled) -
                static_cast<int64_t>(r.exported + r.dropped_pool_exhausted + r.dropped_queue_full +
                                     r.dropped_export_failed);
  r.bytes_written = after.bytes_written - before.bytes_written;
  return r;
}

// The result as benchmark counters (per run; the JSON aggregates them over the
// repetitions) and as the run's manual time.
inline void report_flat_out(benchmark::State& state, const FlatOutResult& r) {
  using benchmark::Counter;
  state.SetIterationTime(r.seconds);
  state.counters["spans_per_s"] = Counter(r.delivered_per_second());
  state.counters["started_per_s"] = Counter(r.started_per_second());
  state.counters["MB_per_s"] = Counter(r.seconds > 0 ? r.bytes_written / r.seconds / 1e6 : 0);
  report_loss_counters(state, r);
}

}  // namespace hotspan_bench
