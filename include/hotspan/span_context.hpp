// hotspan — the propagated part of a span, and W3C traceparent text form.
//
// SpanContext is 32 bytes, trivially copyable: it travels by value through scopes,
// samplers and across threads. The W3C `traceparent` header is produced and parsed
// strictly (https://www.w3.org/TR/trace-context/#traceparent-header). A 26-byte
// binary form serves protocols with fixed-size cells or frame headers. The W3C
// `tracestate` travels beside the context, not in it: hotspan/trace_state.hpp.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include "hotspan/export.h"
#include "hotspan/ids.hpp"

namespace hotspan {

// The trace flags of W3C Trace Context Level 2 (§3.2.2.5). The other six bits are
// reserved: a parsed header keeps them as received, but no span propagates them
// and to_traceparent() never sends them.
inline constexpr uint8_t kTraceFlagSampled = 0x01;
// The trace id's rightmost 7 bytes are random. Set on every new root (hotspan's
// trace ids are random) and kept by every child of a parent that has it.
inline constexpr uint8_t kTraceFlagRandomTraceId = 0x02;
inline constexpr uint8_t kTraceFlagsDefined = kTraceFlagSampled | kTraceFlagRandomTraceId;

struct SpanContext {
  TraceId trace_id;
  SpanId span_id;
  uint8_t trace_flags = 0;  // kTraceFlagSampled | kTraceFlagRandomTraceId
  bool is_remote = false;

  bool valid() const noexcept { return trace_id.valid() && span_id.valid(); }
  bool sampled() const noexcept { return (trace_flags & kTraceFlagSampled) != 0; }
  bool random_trace_id() const noexcept { return (trace_flags & kTraceFlagRandomTraceId) != 0; }

  friend bool operator==(const SpanContext&, const SpanContext&) = default;
};
// Copied on every span start and Scope: keep it small and memcpy-able.
static_assert(sizeof(SpanContext) == 32 && std::is_trivially_copyable_v<SpanContext>);

// "00-<32 hex trace id>-<16 hex span id>-<2 hex flags>", lowercase, with only
// the flags version 00 defines (kTraceFlagsDefined). An invalid context yields
// an empty string (a header that must not be sent).
HOTSPAN_API std::string to_traceparent(const SpanContext&);

// Parse of a traceparent value, as W3C Trace Context Level 2 asks (§3.2.4):
// version 00 is exactly 55 characters; a later version (01..fe) is read for
// version 00's fields when it is at least 55 characters and, past them, ends or
// goes on with '-'. Lowercase hex, '-' separators, non-zero ids. Version "ff",
// surrounding whitespace (extract_context() trims it) and anything else
// malformed yield std::nullopt. Flags are kept as received (all 8 bits); the
// result has is_remote = true.
HOTSPAN_API std::optional<SpanContext> parse_traceparent(std::string_view) noexcept;

// The binary context, for a cell or frame header (big-endian, no padding):
//
//   offset 0   version     1 byte, 0
//   offset 1   trace id   16 bytes, in the order of its hex form
//   offset 17  span id     8 bytes, most significant byte first
//   offset 25  flags       1 byte (bit 0 = sampled), kept as given
//
// An invalid context is written as 26 zero bytes, which parse as "no parent".
inline constexpr size_t kBinaryContextSize = 26;
HOTSPAN_API void write_binary_context(const SpanContext&,
                                      std::span<std::byte, kBinaryContextSize> out) noexcept;
HOTSPAN_API std::array<std::byte, kBinaryContextSize> to_binary_context(
    const SpanContext&) noexcept;

// Strict parse: exactly kBinaryContextSize bytes (pass the field, not the whole
// cell: a longer or shorter span is a caller's mistake and yields nullopt),
// version 0, non-zero trace and span ids. The result has is_remote = true.
HOTSPAN_API std::optional<SpanContext> parse_binary_context(std::span<const std::byte>) noexcept;

}  // namespace hotspan
