// hotspan tool — nearest-rank percentiles (see percentile.hpp).
#include "percentile.hpp"

#include <algorithm>
#include <limits>

namespace hotspan::tool {

uint64_t nearest_rank_percentile(std::span<const std::vector<uint64_t>* const> sorted,
                                 uint64_t count, uint64_t percent) {
  const uint64_t rank = std::max<uint64_t>(1, (percent * count + 99) / 100);
  uint64_t low = std::numeric_limits<uint64_t>::max(), high = 0;
  for (const auto* durations : sorted) {
    if (durations->empty()) continue;
    low = std::min(low, durations->front());
    high = std::max(high, durations->back());
  }
  while (low < high) {
    const uint64_t middle = low + (high - low) / 2;
    uint64_t at_most = 0;
    for (const auto* durations : sorted) {
      at_most += static_cast<uint64_t>(
          std::upper_bound(durations->begin(), durations->end(), middle) - durations->begin());
    }
    if (at_most >= rank) {
      high = middle;
    } else {
      low = middle + 1;
    }
  }
  return low;
}

}  // namespace hotspan::tool
