// hotspan tool — a hash of hotspan::TraceId, for maps keyed by trace. Trace ids
// are random (W3C), so eight of their bytes are already a good hash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "hotspan/ids.hpp"

namespace hotspan::tool {

struct TraceIdHash {
  size_t operator()(const TraceId& id) const noexcept {
    uint64_t low, high;
    std::memcpy(&high, id.bytes.data(), sizeof high);
    std::memcpy(&low, id.bytes.data() + sizeof high, sizeof low);
    return static_cast<size_t>(low ^ (high * 0x9E3779B97F4A7C15ULL));
  }
};

}  // namespace hotspan::tool
