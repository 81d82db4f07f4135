// hotspan bench — the one remote context the benchmarks start children of.
//
// A fixed, valid context (the trace and span ids are arbitrary but constant),
// so that the cases that take a parent, in every benchmark program, time the
// same input; `trace_flags` says whether it was sampled.
#pragma once

#include <cstddef>
#include <cstdint>

#include "hotspan/span_context.hpp"

namespace hotspan_bench {

inline hotspan::SpanContext sample_context(uint8_t trace_flags) {
  hotspan::SpanContext context;
  for (size_t i = 0; i < context.trace_id.bytes.size(); ++i) {
    context.trace_id.bytes[i] = static_cast<uint8_t>(0x4b + 13 * i);
  }
  context.span_id.value = 0x00f067aa0ba902b7u;
  context.trace_flags = trace_flags;
  return context;
}

}  // namespace hotspan_bench
