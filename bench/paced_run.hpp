// hotspan bench — many producer threads, each paced below the exporter's capacity.
//
// run_paced() starts `producers` threads that together record `total_rate`
// sampled spans per second (the workload's spans, span_workload.hpp) for
// `duration`, whatever the number of threads: each records its share
// total_rate / producers. A producer records a burst of `burst` spans, then
// sleeps in clock_nanosleep() until its next absolute deadline (start +
// offset + b × period: a late wake-up delays one burst, not the ones after
// it). A producer woken more than a period and more than 1 ms late (the
// machine stalled it) skips the bursts it missed instead of recording them
// back to back: catching up flat out would offer more than the exporter's
// capacity for a while, which is not what this run measures. Skipped spans are
// counted (`skipped`) and left out of the figures. The producers' first deadlines are spread evenly
// over one period so that their bursts interleave. Sleeping is in the kernel: a waiting producer
// costs no CPU.
//
// What it measures:
//  * caller CPU per span: each producer's CLOCK_THREAD_CPUTIME_ID read just
//    before and just after each burst, summed over the bursts and producers,
//    divided by the spans recorded. The sleeps are outside the windows: the
//    thread's whole CPU time also holds the kernel's work of putting it to
//    sleep and waking it (one nanosleep per burst), which is the pacing's cost,
//    not the tracer's; it is reported apart (thread_cpu_ns). Each window also
//    holds about one clock_gettime() call (a system call for this clock, a
//    few hundred ns), spread over the burst's spans: ~1 ns a span at 256.
//  * exporter CPU per span: the exporter thread's run time
//    (ExporterThreadWatch, thread_cpu.hpp) from just before the producers start
//    until flush() returned, divided by the spans exported meanwhile. It
//    includes the thread's waking and polling while the queue was empty.
//  * losses: the stats() counters over the same window, and `uncounted` =
//    sampled − exported − all drops, which the engine's invariant says is 0.
//
// Before the timed window every producer records one untimed burst (its
// thread's recorder and slot pool are created then) and the tracer is flushed.
#pragma once

#include <time.h>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <latch>
#include <thread>
#include <vector>

#include "hotspan/tracer.hpp"
#include "loss_counters.hpp"
#include "machine_load.hpp"
#include "span_workload.hpp"
#include "thread_cpu.hpp"

namespace hotspan_bench {

struct PacedPlan {
  int producers = 1;
  double total_rate = 1e6;  // spans/s, all producers together
  std::chrono::duration<double> duration{1.0};
  int burst = 256;  // spans recorded between two sleeps
  int attributes = 2;

  // Bursts each producer records: its share of total_rate × duration.
  int64_t bursts_per_producer() const {
    const double share = total_rate / producers;
    return std::max<int64_t>(1, std::llround(share * duration.count() / burst));
  }
  // Time between two bursts of one producer.
  std::chrono::nanoseconds period() const {
    return std::chrono::nanoseconds(std::llround(1e9 * burst * producers / total_rate));
  }
};

struct PacedResult : RunLosses {
  uint64_t planned = 0;           // spans the plan asks for in the timed window
  uint64_t recorded = 0;          // spans the producers recorded in the timed bursts
  double seconds = 0;             // start .. the last producer's last burst
  double flush_seconds = 0;       // .. flush() returned
  uint64_t caller_cpu_ns = 0;     // producers' CPU inside the bursts, summed
  uint64_t thread_cpu_ns = 0;     // producers' whole CPU time over the run, sleeps included
  uint64_t exporter_cpu_ns = 0;   // exporter thread, start .. flush() returned
  uint64_t exporter_wait_ns = 0;  // the same, waiting on a run queue for a CPU
  uint64_t exporter_slices = 0;   // the same, times put on a CPU (~ wake-ups)
  double worst_lateness_s = 0;    // the latest a burst started after its deadline
};

namespace paced_detail {

inline timespec to_timespec(std::chrono::steady_clock::time_point t) {
  const auto ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  return {static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
}

// std::chrono::steady_clock is CLOCK_MONOTONIC (libstdc++ and libc++ on Linux).
inline void sleep_until(std::chrono::steady_clock::time_point deadline) {
  const timespec ts = to_timespec(deadline);
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
  }
}

}  // namespace paced_detail

// `exporter` watches the tracer's exporter thread (thread_cpu.hpp).
inline PacedResult run_paced(hotspan::Tracer& tracer, const ExporterThreadWatch& exporter,
                             const PacedPlan& plan) {
  using Clock = std::chrono::steady_clock;
  const int n = plan.producers;
  const int64_t bursts = plan.bursts_per_producer();
  const Clock::duration period = plan.period();
  const Clock::duration catch_up_limit =
      std::max<Clock::duration>(period, std::chrono::milliseconds(1));

  std::latch warmed(n);
  std::atomic<bool> go{false};
  Clock::time_point start;  // written before `go`, read after it
  std::vector<uint64_t> caller_cpu(static_cast<size_t>(n)), thread_cpu(static_cast<size_t>(n));
  std::vector<int64_t> bursts_done(static_cast<size_t>(n));
  std::vector<Clock::duration> lateness(static_cast<size_t>(n));
  std::vector<Clock::time_point> finished(static_cast<size_t>(n));

  std::vector<std::thread> producers;
  producers.reserve(static_cast<size_t>(n));
  for (int t = 0; t < n; ++t) {
    producers.emplace_back([&, t] {
      int64_t i = static_cast<int64_t>(t) << 40;
      auto record_burst = [&] {
        for (int s = 0; s < plan.burst; ++s, ++i) {
          hotspan::Span span = tracer.start_span(span_name(i), hotspan::SpanKind::internal);
          set_workload_attributes(span, i, plan.attributes);
        }
      };
      record_burst();  // untimed: creates this thread's recorder
      warmed.count_down();
      go.wait(false, std::memory_order_acquire);

      const Clock::duration offset = period * t / n;
      const uint64_t thread_start = thread_cpu_ns();
      uint64_t inside = 0;
      int64_t done = 0;
      Clock::duration late{0};
      for (int64_t b = 0; b < bursts; ++b) {
        const Clock::time_point deadline = start + offset + period * b;
        paced_detail::sleep_until(deadline);
        const Clock::duration behind = Clock::now() - deadline;
        late = std::max(late, behind);
        if (behind > catch_up_limit) continue;  // a missed deadline: skipped, not caught up
        const uint64_t before = thread_cpu_ns();
        record_burst();
        inside += thread_cpu_ns() - before;
        ++done;
      }
      caller_cpu[static_cast<size_t>(t)] = inside;
      thread_cpu[static_cast<size_t>(t)] = thread_cpu_ns() - thread_start;
      bursts_done[static_cast<size_t>(t)] = done;
      lateness[static_cast<size_t>(t)] = late;
      finished[static_cast<size_t>(t)] = Clock::now();
    });
  }
  warmed.wait();

  PacedResult r;
  // The warm-up bursts are exported and counted before the window opens.
  r.flushed = tracer.flush(std::chrono::seconds(60));
  const hotspan::TracerStats before = tracer.stats();
  const ExporterThreadWatch::Sample exporter_before = exporter.sample();
  const OtherLoad load;
  start = Clock::now() + std::chrono::milliseconds(1);  // every producer awake by then
  go.store(true, std::memory_order_release);
  go.notify_all();
  for (std::thread& producer : producers)
    producer.join();
  r.flushed = tracer.flush(std::chrono::seconds(60)) && r.flushed;
  const Clock::time_point flushed_at = Clock::now();
  const ExporterThreadWatch::Sample exporter_after = exporter.sample();
  r.exporter_cpu_ns = exporter_after.run_ns - exporter_before.run_ns;
  r.exporter_wait_ns = exporter_after.wait_ns - exporter_before.wait_ns;
  r.exporter_slices = exporter_after.slices - exporter_before.slices;
  r.others_busy_cores = load.others_busy_cores();
  const hotspan::TracerStats after = tracer.stats();

  const Clock::time_point last = *std::max_element(finished.begin(), finished.end());
  r.seconds = std::chrono::duration<double>(last - start).count();
  r.flush_seconds = std::chrono::duration<double>(flushed_at - start).count();
  r.planned =
      static_cast<uint64_t>(n) * static_cast<uint64_t>(bursts) * static_cast<uint64_t>(plan.burst);
  for (int t = 0; t < n; ++t) {
    r.recorded += static_cast<uint64_t>(bursts_done[static_cast<size_t>(t)]) *
                  static_cast<uint64_t>(plan.burst);
    r.caller_cpu_ns += caller_cpu[static_cast<size_t>(t)];
    r.thread_cpu_ns += thread_cpu[static_cast<size_t>(t)];
    r.worst_lateness_s =
        std::max(r.worst_lateness_s,
                 std::chrono::duration<double>(lateness[static_cast<size_t>(t)]).count());
  }
  r.sampled = after.spans_sampled - before.spans_sampled;
  r.exported = after.spans_exported - before.spans_exported;
  r.dropped_pool_exhausted = after.dropped_pool_exhausted - before.dropped_pool_exhausted;
  r.dropped_queue_full = after.dropped_queue_full - before.dropped_queue_full;
  r.dropped_export_failed = after.dropped_export_failed - before.dropped_export_failed;
  r.uncounted = static_cast<int64_t>(r.sampled) - static_cast<int64_t>(r.exported + r.dropped());
  return r;
}

// The result as benchmark counters (per run; the JSON aggregates them over
// the repetitions) and as the run's manual time.
inline void report_paced(benchmark::State& state, const PacedPlan& plan, const PacedResult& r) {
  using benchmark::Counter;
  auto per_span = [](uint64_t ns, uint64_t spans) {
    return spans != 0 ? static_cast<double>(ns) / static_cast<double>(spans) : 0.0;
  };
  state.SetIterationTime(r.seconds);
  state.counters["producers"] = Counter(plan.producers);
  state.counters["spans"] = Counter(static_cast<double>(r.recorded));
  // Spans of the bursts skipped because their producer woke too late (see the top).
  state.counters["skipped"] = Counter(static_cast<double>(r.planned - r.recorded));
  state.counters["offered_per_s"] = Counter(r.seconds > 0 ? r.recorded / r.seconds : 0);
  state.counters["per_span_caller_ns"] = Counter(per_span(r.caller_cpu_ns, r.recorded));
  state.counters["thread_cpu_ns_per_span"] = Counter(per_span(r.thread_cpu_ns, r.recorded));
  state.counters["exporter_ns_per_span"] = Counter(per_span(r.exporter_cpu_ns, r.exported));
  state.counters["exporter_cpu_share"] =
      Counter(r.flush_seconds > 0 ? r.exporter_cpu_ns / 1e9 / r.flush_seconds : 0);
  // How often the exporter thread woke, and how long it waited for a CPU when it did.
  state.counters["exporter_wakeups_per_s"] =
      Counter(r.flush_seconds > 0 ? r.exporter_slices / r.flush_seconds : 0);
  state.counters["exporter_runqueue_share"] =
      Counter(r.flush_seconds > 0 ? r.exporter_wait_ns / 1e9 / r.flush_seconds : 0);
  state.counters["worst_lateness_ms"] = Counter(1e3 * r.worst_lateness_s);
  state.counters["dropped"] = Counter(static_cast<double>(r.dropped()));
  report_loss_counters(state, r);
}

}  // namespace hotspan_bench
