// hotspan bench — the spans of the hot path's cases, and the tracer options
// they run under, written once.
//
// hot_path_latency times them (with the naive tracer doing the same work) and
// span_cost_profile counts their instructions: both must record the very same
// span on the same tracer, so its calls and options live here. Each returns the live span; the
// caller keeps it from being optimised away and ends it. Forced inline, as instrumentation sits in
// the code it times.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <utility>

#include "hotspan/exporter.hpp"
#include "hotspan/span_kind.hpp"
#include "hotspan/tracer.hpp"

namespace hotspan_bench {

// A noop exporter, so that the caller's cost is measured alone; 16,384 slots
// and a 50 us idle sleep, so that a paced caller never runs out of slots.
inline hotspan::TracerOptions latency_options(std::shared_ptr<hotspan::Sampler> sampler) {
  hotspan::TracerOptions options;
  options.service_name = "bench";
  options.exporter = hotspan::noop_exporter();
  options.sampler = std::move(sampler);
  options.slots_per_thread = 16384;
  options.queue_capacity = 65536;
  options.idle_sleep = std::chrono::microseconds(50);
  return options;
}

// A relay's per-cell span: a name, nothing else.
template <class TracerT>
[[gnu::always_inline]] inline auto cell_span(TracerT& tracer) {
  return tracer.start_span("relay.cell");
}

// The targets' span: two small attributes (span_workload.hpp's).
template <class TracerT>
[[gnu::always_inline]] inline auto two_attribute_span(TracerT& tracer, int64_t i) {
  auto span = tracer.start_span("build-circuit", hotspan::SpanKind::client);
  span.set_attribute("circuit.id", i).set_attribute("circuit.purpose", "general");
  return span;
}

// A heavier span: five attributes and an event with one attribute.
template <class TracerT>
[[gnu::always_inline]] inline auto five_attribute_event_span(TracerT& tracer, int64_t i) {
  auto span = tracer.start_span("create-hop", hotspan::SpanKind::client);
  span.set_attribute("circuit.id", i)
      .set_attribute("circuit.purpose", "general")
      .set_attribute("relay.nickname", "moria1")
      .set_attribute("hop.index", 2)
      .set_attribute("hop.is_exit", false);
  span.add_event("cell-sent", {{"cell.command", "CREATE2"}});
  return span;
}

}  // namespace hotspan_bench
