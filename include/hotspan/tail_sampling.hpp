// hotspan — tail-based sampling: which whole traces the exporter keeps, decided
// after they ended.
//
// A head sampler (sampler.hpp) decides when a span starts, before anyone knows
// whether its trace will fail or be slow; a relay that keeps 1 % at random
// loses 99 % of its slow circuits. With a TailSamplingPolicy the tracer records
// every sampled span as usual, and the exporter thread holds the spans of each
// local trace (the spans of one trace id recorded in this process) until the
// trace's local root ends: a span without a parent, or whose parent came from
// another process (SpanContext::is_remote). Then it keeps or discards the
// whole trace:
//
//   kept when any span has StatusCode::error (keep_errors), when the local
//   root lasted longer than the first slow_roots rule matching its name, when
//   any span carries an attribute that a keep_attributes rule matches, or when
//   the trace id falls in the baseline probability (the trace_id_ratio test:
//   every process that uses the same baseline keeps the same traces).
//
// Discarded spans are counted (TracerStats::spans_discarded_by_tail_sampling),
// so the accounting stays exact: once flushed,
//   spans_sampled == spans_exported + dropped_pool_exhausted
//                  + dropped_queue_full + dropped_export_failed
//                  + spans_discarded_by_tail_sampling
//
// Trade-offs and limits:
// - Held spans are copied out of their slots (the slots go back to their
//   pools at once), into memory bounded by max_buffered_bytes. A trace is
//   decided early, on the spans it holds, when its root has not ended
//   decision_wait after its first span arrived, when holding it would pass
//   the byte budget (the oldest held traces first), and at flush() and
//   shutdown(): every held trace is decided then, so that they lose nothing.
//   Each early decision counts in traces_decided_early.
// - Spans that end after their trace was decided (a child outliving its
//   root) follow the decision, remembered for decision_wait (at most 65,536
//   traces; older decisions are forgotten, and such a late span then starts a
//   trace of its own, decided by the same rules).
// - The decision is local. A trace crossing several processes may be kept by
//   one and discarded by the next: only the baseline, a function of the trace
//   id, agrees everywhere. Where whole distributed traces matter, export
//   everything over OTLP to a collector that tail-samples (the OpenTelemetry
//   Collector's tail_sampling processor) instead.
// - The flight recorder (if any) sees every span before this stage.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "hotspan/export.h"

namespace hotspan {

// A local root whose name matches `name` is slow beyond `threshold`.
struct SlowRootRule {
  // An exact name or a glob ('*' any run of bytes, '?' one byte); "*" matches
  // every root.
  std::string name = "*";
  std::chrono::nanoseconds threshold{0};
};

// A span attribute (or event attribute) that marks its trace worth keeping.
struct AttributeMatch {
  std::string key;    // exact or glob, as SlowRootRule::name
  std::string value;  // the value's text (true/false, decimal); empty: any value
};

struct HOTSPAN_API TailSamplingPolicy {
  bool enabled = false;  // off: every span goes to the exporter as it ends
  bool keep_errors = true;
  // The first rule whose name matches the local root decides its threshold.
  std::vector<SlowRootRule> slow_roots;
  std::vector<AttributeMatch> keep_attributes;
  // The share of the other traces kept, by trace id, in [0, 1].
  double baseline = 0.0;
  // Longest a trace is held waiting for its local root (at least 1 ms).
  std::chrono::milliseconds decision_wait = std::chrono::seconds(30);
  // Memory for held spans: their records, attributes, events and strings
  // (at least 64 KiB). BENCHMARKS.md gives the bytes a typical span takes.
  size_t max_buffered_bytes = size_t{64} << 20;
};

}  // namespace hotspan
