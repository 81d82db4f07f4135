// hotspan — sampling decisions, taken once at span start on the caller's thread.
//
// should_sample() is on the hot path of every span: implementations must be
// noexcept, allocation-free and lock-free. The built-in samplers are:
//   always_on / always_off   constant decisions;
//   trace_id_ratio(p)        a pure function of the trace id (its low 56 bits,
//                            the W3C "random" part), so every span of a trace, in
//                            every process, gets the same decision;
//   rate_limited(r)          a token bucket (GCRA) of r spans/s with bursts of up
//                            to max(1, r) spans; one coarse clock read and one CAS;
//   parent_based(root)       follow a valid parent's sampled flag, else ask root.
#pragma once

#include <memory>
#include <string_view>

#include "hotspan/export.h"
#include "hotspan/span_context.hpp"
#include "hotspan/span_kind.hpp"

namespace hotspan {

struct SamplingInput {
  const SpanContext* parent;  // null for a root span
  TraceId trace_id;           // of the new span (the parent's when there is one)
  std::string_view name;
  SpanKind kind;
};

class HOTSPAN_API Sampler {
 public:
  virtual ~Sampler() = default;
  virtual bool should_sample(const SamplingInput&) noexcept = 0;
};

HOTSPAN_API std::shared_ptr<Sampler> always_on();
HOTSPAN_API std::shared_ptr<Sampler> always_off();
// probability is clamped to [0, 1]; NaN throws std::invalid_argument.
HOTSPAN_API std::shared_ptr<Sampler> trace_id_ratio(double probability);
// spans_per_second must be finite and >= 0 (0 samples nothing); else std::invalid_argument.
HOTSPAN_API std::shared_ptr<Sampler> rate_limited(double spans_per_second);
// root must not be null (std::invalid_argument).
HOTSPAN_API std::shared_ptr<Sampler> parent_based(std::shared_ptr<Sampler> root);

}  // namespace hotspan
