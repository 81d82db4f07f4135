// hotspan — reducing a sampler to a SamplerMode, so that the tracer's inline
// fast path can decide the common unsampled cases without a virtual call.
// Only hotspan's own samplers are recognised; any other is called as is.
#pragma once

#include "hotspan/detail/hot_path.hpp"
#include "hotspan/sampler.hpp"

namespace hotspan::detail {

struct SamplerClass {
  SamplerMode mode;
  uint64_t ratio_threshold = 0;  // for the ratio modes
};

SamplerClass classify_sampler(const Sampler& sampler) noexcept;

}  // namespace hotspan::detail
