// hotspan bench — contention: 1, 2, 4 and 8 producer threads recording
// sampled spans with 2 attributes flat out, end to end through the exporter
// thread, with the noop exporter and with the binary format to /dev/null.
//
// How to read: `spans_per_s` is what the exporter received (spans_exported per
// second of wall time, flush included); `started_per_s` what the producers
// attempted; the dropped_* counters are the losses stats() counted during the
// run, and `uncounted` (sampled - exported - drops) must be 0. Each run is
// one iteration of a fixed duration (manual time). Nothing is pinned: the
// producers and the exporter thread share the machine's cores, and with more
// threads than cores the figures show what oversubscription does.
#include <benchmark/benchmark.h>

#include <chrono>
#include <string>

#include "flat_out_run.hpp"
#include "hotspan/hotspan.hpp"
#include "spread_statistics.hpp"

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
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
