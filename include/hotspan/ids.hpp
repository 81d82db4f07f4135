// hotspan — trace and span identifiers (OpenTelemetry / W3C Trace Context compatible).
//
// A TraceId is 128 bits, a SpanId 64 bits; the all-zero value of either is invalid.
// New ids come from a per-thread PRNG (see engine/core/id_generator.hpp): unique across
// threads and processes, never zero, and cheap enough for the hot path.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "hotspan/export.h"

namespace hotspan {

struct HOTSPAN_API TraceId {
  std::array<uint8_t, 16> bytes{};

  // Inline: two 8-byte loads and an OR, on the hot path of every span start.
  bool valid() const noexcept {
    uint64_t halves[2];
    std::memcpy(halves, bytes.data(), sizeof(halves));
    return (halves[0] | halves[1]) != 0;
  }
  std::string to_hex() const;  // 32 lowercase hex characters
  // Exactly 32 hex characters (either case); all-zero is rejected.
  static std::optional<TraceId> from_hex(std::string_view) noexcept;

  friend bool operator==(const TraceId&, const TraceId&) = default;
};

struct HOTSPAN_API SpanId {
  uint64_t value = 0;  // big-endian on the wire: the first hex digit is the high nibble

  bool valid() const noexcept { return value != 0; }
  std::string to_hex() const;  // 16 lowercase hex characters
  // Exactly 16 hex characters (either case); all-zero is rejected.
  static std::optional<SpanId> from_hex(std::string_view) noexcept;

  friend bool operator==(const SpanId&, const SpanId&) = default;
};

}  // namespace hotspan

// Trace ids are random (W3C), so eight of their bytes are already a good hash;
// the other eight are folded in for ids that are not.
template <>
struct std::hash<hotspan::TraceId> {
  size_t operator()(const hotspan::TraceId& id) const noexcept {
    uint64_t high, low;
    std::memcpy(&high, id.bytes.data(), sizeof high);
    std::memcpy(&low, id.bytes.data() + sizeof high, sizeof low);
    return static_cast<size_t>(low ^ (high * 0x9E3779B97F4A7C15ULL));
  }
};
