// hotspan — the hex encoding of identifiers, shared by every part of the engine.
//
// Encoding writes lowercase hex into a caller-provided char buffer: no allocation,
// no terminator, and each writer returns one past the last character written, so
// calls chain (`p = write_hex(id, p); *p++ = '-';`). Byte sequences and TraceIds
// are written in byte order; 64-bit values and SpanIds most significant nibble
// first (big-endian, the W3C and OTLP wire form).
//
// Decoding is strict: exact lengths, no prefix ("0x"), no whitespace, no sign.
// HexCase::lower_only is for W3C traceparent, which allows lowercase hex only;
// HexCase::either is for the lenient TraceId/SpanId::from_hex. Decoders are
// noexcept and allocation-free; a failed decode leaves its output unspecified.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "hotspan/ids.hpp"

namespace hotspan::detail {

inline constexpr size_t kTraceIdHexSize = 32;  // characters of a TraceId in hex
inline constexpr size_t kSpanIdHexSize = 16;   // characters of a SpanId in hex

inline constexpr char kLowerHexDigits[] = "0123456789abcdef";

// Writes 2 * bytes.size() characters at `out`, bytes[0] first.
constexpr char* write_hex(std::span<const uint8_t> bytes, char* out) noexcept {
  for (const uint8_t byte : bytes) {
    *out++ = kLowerHexDigits[byte >> 4];
    *out++ = kLowerHexDigits[byte & 0x0f];
  }
  return out;
}

// Writes 16 characters at `out`, the most significant nibble of `value` first.
constexpr char* write_hex_u64(uint64_t value, char* out) noexcept {
  for (int shift = 60; shift >= 0; shift -= 4)
    *out++ = kLowerHexDigits[(value >> shift) & 0x0f];
  return out;
}

// Writes kTraceIdHexSize characters at `out`.
inline char* write_hex(const TraceId& id, char* out) noexcept {
  return write_hex(id.bytes, out);
}

// Writes kSpanIdHexSize characters at `out`.
inline char* write_hex(SpanId id, char* out) noexcept {
  return write_hex_u64(id.value, out);
}

enum class HexCase : uint8_t { lower_only, either };

// The value of one hex digit, or -1 when `c` is not one (in the given case).
constexpr int hex_digit_value(char c, HexCase letter_case) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (letter_case == HexCase::either && c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes exactly 2 * out.size() hex digits into `out`; false on any other length
// or on a character that is not a hex digit.
constexpr bool decode_hex(std::string_view text, std::span<uint8_t> out,
                          HexCase letter_case) noexcept {
  if (text.size() != 2 * out.size()) return false;
  for (size_t i = 0; i < out.size(); ++i) {
    const int high = hex_digit_value(text[2 * i], letter_case);
    const int low = hex_digit_value(text[2 * i + 1], letter_case);
    if (high < 0 || low < 0) return false;
    out[i] = static_cast<uint8_t>((high << 4) | low);
  }
  return true;
}

// Exactly 16 hex digits, most significant first.
constexpr std::optional<uint64_t> decode_hex_u64(std::string_view text,
                                                 HexCase letter_case) noexcept {
  if (text.size() != 16) return std::nullopt;
  uint64_t value = 0;
  for (const char c : text) {
    const int digit = hex_digit_value(c, letter_case);
    if (digit < 0) return std::nullopt;
    value = (value << 4) | static_cast<uint64_t>(digit);
  }
  return value;
}

// Exactly kTraceIdHexSize hex digits of a valid (non-zero) trace id.
inline std::optional<TraceId> decode_trace_id(std::string_view text, HexCase letter_case) noexcept {
  TraceId id;
  if (!decode_hex(text, id.bytes, letter_case) || !id.valid()) return std::nullopt;
  return id;
}

// Exactly kSpanIdHexSize hex digits of a valid (non-zero) span id.
inline std::optional<SpanId> decode_span_id(std::string_view text, HexCase letter_case) noexcept {
  const std::optional<uint64_t> value = decode_hex_u64(text, letter_case);
  if (!value || *value == 0) return std::nullopt;
  return SpanId{*value};
}

}  // namespace hotspan::detail
