// hotspan bench — min and max as extra aggregates of every benchmark.
//
// With --benchmark_repetitions=N Google Benchmark reports mean, median, stddev
// and cv over the N repetitions; these two add min and max, for times and for
// every counter. BENCHMARKS.md shows the median and the spread (max - min) /
// median; for loss counters the max says whether any repetition dropped.
#pragma once

#include <benchmark/benchmark.h>

#include <algorithm>
#include <vector>

namespace hotspan_bench {

inline benchmark::internal::Benchmark* with_spread(benchmark::internal::Benchmark* b) {
  return b
      ->ComputeStatistics("min",
                          [](const std::vector<double>& v) -> double {
                            return v.empty() ? 0.0 : *std::min_element(v.begin(), v.end());
                          })
      ->ComputeStatistics("max", [](const std::vector<double>& v) -> double {
        return v.empty() ? 0.0 : *std::max_element(v.begin(), v.end());
      });
}

}  // namespace hotspan_bench
