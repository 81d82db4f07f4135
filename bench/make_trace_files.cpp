// hotspan bench — writes the span files the readers benchmark reads.
//
//   make_trace_files SPANS BINARY_PATH JSONL_PATH
//
// Records SPANS spans through a real Tracer — traces of one root with four
// children, each span with the workload's 2 attributes (span_workload.hpp) —
// and writes the same spans to a binary file and a JSON Lines file at once
// (multi_exporter). It flushes every few thousand spans so that nothing is
// dropped, and fails (exit status 1) unless every span was exported.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>

#include "hotspan/hotspan.hpp"
#include "span_workload.hpp"

namespace {

constexpr int kChildrenPerTrace = 4;
constexpr uint64_t kFlushEvery = 4000;  // spans: below slots_per_thread

uint64_t record(hotspan::Tracer& tracer, uint64_t spans) {
  uint64_t recorded = 0, flushed_at = 0;
  int64_t i = 0;
  while (recorded < spans) {
    {
      hotspan::Span root = tracer.start_span("build-circuit", hotspan::SpanKind::client);
      hotspan_bench::set_workload_attributes(root, i++, 2);
      ++recorded;
      hotspan::Scope scope(root);
      for (int c = 0; c < kChildrenPerTrace && recorded < spans; ++c, ++recorded) {
        hotspan::Span child = tracer.start_span(hotspan_bench::span_name(1 + c % 3));
        hotspan_bench::set_workload_attributes(child, i++, 2);
      }
    }
    if (recorded - flushed_at >= kFlushEvery) {
      tracer.flush(std::chrono::seconds(60));
      flushed_at = recorded;
    }
  }
  return recorded;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: make_trace_files SPANS BINARY_PATH JSONL_PATH\n";
    return 2;
  }
  const uint64_t spans = std::strtoull(argv[1], nullptr, 10);
  try {
    hotspan::TracerOptions options;
    options.service_name = "bench";
    options.exporter =
        hotspan::multi_exporter({hotspan::file_exporter(argv[2], hotspan::Format::binary),
                                 hotspan::file_exporter(argv[3], hotspan::Format::jsonl)});
    hotspan::Tracer tracer(std::move(options));
    const uint64_t recorded = record(tracer, spans);
    tracer.shutdown();
    const hotspan::TracerStats stats = tracer.stats();
    if (stats.spans_exported != recorded) {
      std::cerr << "make_trace_files: " << stats.spans_exported << " of " << recorded
                << " spans exported (pool " << stats.dropped_pool_exhausted << ", queue "
                << stats.dropped_queue_full << ", export " << stats.dropped_export_failed
                << " dropped)\n";
      return 1;
    }
    std::cout << "make_trace_files: " << recorded << " spans, " << stats.bytes_written
              << " bytes (both files)\n";
  } catch (const std::exception& e) {
    std::cerr << "make_trace_files: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
