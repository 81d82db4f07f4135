// hotspan bench — the spans of the hot path's cases, written once.
//
// hot_path_latency times them (with the naive tracer doing the same work) and
// span_cost_profile counts their instructions: both must record the very same
// span, so its calls live here. Each returns the live span; the caller keeps
// it from being optimised away and ends it. Forced inline, as instrumentation
// sits in the code it times.
#pragma once

#include <cstdint>

#include "hotspan/span_kind.hpp"

namespace hotspan_bench {

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
