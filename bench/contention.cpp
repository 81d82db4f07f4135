// hotspan bench — contention: producer threads recording sampled spans with
// 2 attributes through one Tracer, end to end through the exporter thread.
//
// contention/{noop,binary_devnull}/threads:N — 1, 2, 4 and 8 producers flat
// out, with the noop exporter and with the binary format to /dev/null.
// `spans_per_s` is what the exporter received (spans_exported per second of
// wall time, flush included); `started_per_s` what the producers attempted;
// the dropped_* counters are the losses stats() counted during the run, and
// `uncounted` (sampled - exported - drops) must be 0. Nothing is pinned: the
// producers and the exporter thread share the machine's cores, and with more
// threads than cores the figures show what oversubscription does.
//
// many_producers/producers:N — 1, 2, 4, 8 and 64 producers that together
// offer the same rate for every N, well below what the exporter thread can
// export (binary format to /dev/null), each pacing its share in bursts with
// sleeps between them (bench/paced_run.hpp). `per_span_caller_ns` is the
// producers' CPU time inside their bursts per span, `exporter_ns_per_span`
// the exporter thread's CPU time per span exported, `dropped` and `uncounted`
// the losses (both must be 0). Environment (recorded in the JSON context):
//   HOTSPAN_BENCH_PACED_RATE=1000000  spans/s offered, all producers together
//   HOTSPAN_BENCH_PACED_SECONDS=1     duration of one run
//   HOTSPAN_BENCH_PACED_BURST=256     spans a producer records between two sleeps
//
// Each run is one iteration of a fixed duration (manual time).
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>

#include "flat_out_run.hpp"
#include "hotspan/hotspan.hpp"
#include "paced_run.hpp"
#include "spread_statistics.hpp"
#include "thread_cpu.hpp"

namespace {

constexpr std::chrono::milliseconds kRunTime(400);
constexpr int kAttributes = 2;

void contention(benchmark::State& state, bool binary) {
  const int threads = static_cast<int>(state.range(0));
  for (auto _ : state) {
    hotspan::TracerOptions options;  // default pool and queue sizes
    options.service_name = "bench";
    options.exporter = binary ? hotspan::file_exporter("/dev/null", hotspan::Format::binary)
                              : hotspan::noop_exporter();
    hotspan::Tracer tracer(std::move(options));
    const hotspan_bench::FlatOutResult r =
        hotspan_bench::run_flat_out(tracer, threads, kRunTime, kAttributes);
    hotspan_bench::report_flat_out(state, r);
  }
}

double env_number(const char* variable, double fallback) {
  const char* value = std::getenv(variable);
  if (value == nullptr || *value == '\0') return fallback;
  char* end = nullptr;
  const double v = std::strtod(value, &end);
  return end != value && *end == '\0' && v > 0 ? v : fallback;
}

hotspan_bench::PacedPlan paced_plan() {
  hotspan_bench::PacedPlan plan;
  plan.total_rate = env_number("HOTSPAN_BENCH_PACED_RATE", 1e6);
  plan.duration = std::chrono::duration<double>(env_number("HOTSPAN_BENCH_PACED_SECONDS", 1.0));
  plan.burst = static_cast<int>(env_number("HOTSPAN_BENCH_PACED_BURST", 256));
  plan.attributes = kAttributes;
  return plan;
}

void many_producers(benchmark::State& state, hotspan_bench::PacedPlan plan) {
  plan.producers = static_cast<int>(state.range(0));
  for (auto _ : state) {
    hotspan::TracerOptions options;  // default pool and queue sizes
    options.service_name = "bench";
    options.exporter = hotspan::file_exporter("/dev/null", hotspan::Format::binary);
    std::optional<hotspan::Tracer> tracer;
    const hotspan_bench::ExporterThreadWatch exporter([&] { tracer.emplace(std::move(options)); });
    if (!exporter.found()) {
      state.SkipWithError("the exporter thread was not found in /proc/self/task");
      break;
    }
    const hotspan_bench::PacedResult r = hotspan_bench::run_paced(*tracer, exporter, plan);
    hotspan_bench::report_paced(state, plan, r);
  }
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::AddCustomContext("run_seconds", std::to_string(kRunTime.count() / 1000.0));
  for (const bool binary : {false, true}) {
    const std::string name = binary ? "contention/binary_devnull" : "contention/noop";
    auto* b = benchmark::RegisterBenchmark(
        name.c_str(), [binary](benchmark::State& s) { contention(s, binary); });
    b->ArgName("threads")->Arg(1)->Arg(2)->Arg(4)->Arg(8);
    b->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
    hotspan_bench::with_spread(b);
  }
  const hotspan_bench::PacedPlan plan = paced_plan();
  benchmark::AddCustomContext("paced_total_rate", std::to_string(plan.total_rate));
  benchmark::AddCustomContext("paced_run_seconds", std::to_string(plan.duration.count()));
  benchmark::AddCustomContext("paced_burst", std::to_string(plan.burst));
  auto* b = benchmark::RegisterBenchmark("many_producers",
                                         [plan](benchmark::State& s) { many_producers(s, plan); });
  b->ArgName("producers")->Arg(1)->Arg(2)->Arg(4)->Arg(8)->Arg(64);
  b->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
  hotspan_bench::with_spread(b);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
