// hotspan — reducing a sampler to a SamplerMode, so that the tracer's inline
// fast path can decide the common unsampled cases without a virtual call.
// Only hotspan's own samplers are recognised; any other is called as is.
#pragma once

#include <cmath>
#include <cstdint>

#include "hotspan/detail/hot_path.hpp"
#include "hotspan/sampler.hpp"

namespace hotspan::detail {

struct SamplerClass {
  SamplerMode mode;
  uint64_t ratio_threshold = 0;  // for the ratio modes
};

SamplerClass classify_sampler(const Sampler& sampler) noexcept;

// The ratio_samples() threshold of a probability in [0, 1]. p * 2^56 is exact
// in a double; rounding it up makes "random bits < threshold" the same test as
// "random bits < p * 2^56".
inline uint64_t ratio_threshold(double probability) noexcept {
  return static_cast<uint64_t>(std::ceil(std::ldexp(probability, 56)));
}

}  // namespace hotspan::detail
