// hotspan — constants of the binary trace format, shared by its writer and
// reader. The format itself is specified in docs/FORMAT.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>

#include "hotspan/stats.hpp"

namespace hotspan::detail::binary {

inline constexpr uint8_t kMagic[8] = {0x89, 'H', 'S', 'P', '\r', '\n', 0x1a, '\n'};
inline constexpr uint16_t kMajorVersion = 1;
inline constexpr uint16_t kMinorVersion = 0;
inline constexpr size_t kPreambleBytes = 12;

inline constexpr size_t kFrameHeaderBytes = 5;  // type u8 + payload length u32
inline constexpr size_t kChecksumBytes = 8;     // XXH3_64bits of header + payload
inline constexpr uint32_t kMaxPayloadBytes = 16u << 20;
// A spans or strings frame opens with two varints of at most 10 bytes (base
// time or first index, then the count); its spans or strings fill the rest.
inline constexpr size_t kMaxFrameItemBytes = kMaxPayloadBytes - 2 * 10;

enum class FrameType : uint8_t { header = 1, strings = 2, spans = 3, drops = 4, end = 5 };

// Span flags byte.
inline constexpr uint8_t kKindMask = 0x07;
inline constexpr int kStatusShift = 3;
inline constexpr uint8_t kStatusMask = 0x18;
inline constexpr uint8_t kHasParent = 0x20;
inline constexpr uint8_t kSameTrace = 0x40;
inline constexpr uint8_t kHasExtras = 0x80;

enum class ValueTag : uint8_t { boolean = 0, integer = 1, floating = 2, string = 3 };

// Writer: distinct strings interned per file; further ones are written inline,
// as are strings longer than kMaxInternedStringBytes (so that one strings frame
// always holds a string) and those that would take the table past the
// reader's kMaxTableBytes.
inline constexpr size_t kMaxInternedStrings = 65536;
inline constexpr size_t kMaxInternedStringBytes = 65535;
// Reader bounds against hostile input.
inline constexpr size_t kMaxTableStrings = size_t{1} << 20;
inline constexpr size_t kMaxTableBytes = size_t{64} << 20;
inline constexpr uint64_t kMaxAttributesPerSpan = 65536;  // span and event attributes together
inline constexpr uint64_t kMaxEventsPerSpan = 65536;

// The loss counters of a drops or end frame, in the order they are written
// (docs/FORMAT.md): the writer and the reader both walk this list.
inline constexpr uint64_t RecordedLosses::*kLossCounterOrder[] = {
    &RecordedLosses::dropped_pool_exhausted, &RecordedLosses::dropped_queue_full,
    &RecordedLosses::dropped_export_failed,  &RecordedLosses::attributes_dropped,
    &RecordedLosses::events_dropped,         &RecordedLosses::strings_truncated};
inline constexpr size_t kLossCounters = std::size(kLossCounterOrder);

}  // namespace hotspan::detail::binary
