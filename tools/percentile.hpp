// hotspan tool — exact latency percentiles by nearest rank, shared by `hotspan
// stats` and `hotspan report`.
//
// P is the smallest duration that at least P% of the durations do not exceed
// (the nearest-rank definition: no interpolation, always a value that was
// measured). It is computed over the union of several sorted lists without
// merging them — stats' "(all)" row spans every group — by bisecting the value
// range: O(lists × log(values) × log(range)), no extra memory.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace hotspan::tool {

// The nearest-rank `percent` percentile (0 gives the minimum, 100 the maximum)
// of the `count` values in the ascending `sorted` lists. `count` must be their
// total size and at least 1.
uint64_t nearest_rank_percentile(std::span<const std::vector<uint64_t>* const> sorted,
                                 uint64_t count, uint64_t percent);

}  // namespace hotspan::tool
