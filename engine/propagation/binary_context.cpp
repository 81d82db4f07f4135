// hotspan — the 26-byte binary form of a SpanContext, for fixed-size cells and
// frame headers (the layout is in include/hotspan/span_context.hpp).
//
// Version byte first, so that a later version can grow the record; this one
// accepts version 0 only and exactly 26 bytes, in the spirit of
// parse_traceparent: a context we do not fully understand starts a new trace
// rather than joining one on a guess. The span id is big-endian, like its hex
// form, so the bytes read the same in a hex dump as in a traceparent. noexcept,
// no allocation.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>

#include "hotspan/span_context.hpp"

namespace hotspan {
namespace {

constexpr std::byte kVersion{0};
constexpr size_t kTraceIdOffset = 1;
constexpr size_t kSpanIdOffset = kTraceIdOffset + 16;  // 17
constexpr size_t kFlagsOffset = kSpanIdOffset + 8;     // 25
static_assert(kFlagsOffset + 1 == kBinaryContextSize);

}  // namespace

void write_binary_context(const SpanContext& context,
                          std::span<std::byte, kBinaryContextSize> out) noexcept {
  if (!context.valid()) {
    std::memset(out.data(), 0, out.size());
    return;
  }
  out[0] = kVersion;
  std::memcpy(out.data() + kTraceIdOffset, context.trace_id.bytes.data(), 16);
  for (size_t i = 0; i < 8; ++i) {
    out[kSpanIdOffset + i] = static_cast<std::byte>(context.span_id.value >> (56 - 8 * i));
  }
  out[kFlagsOffset] = static_cast<std::byte>(context.trace_flags);
}

std::array<std::byte, kBinaryContextSize> to_binary_context(const SpanContext& context) noexcept {
  std::array<std::byte, kBinaryContextSize> bytes;
  write_binary_context(context, bytes);
  return bytes;
}

std::optional<SpanContext> parse_binary_context(std::span<const std::byte> bytes) noexcept {
  if (bytes.size() != kBinaryContextSize || bytes[0] != kVersion) return std::nullopt;
  SpanContext context;
  std::memcpy(context.trace_id.bytes.data(), bytes.data() + kTraceIdOffset, 16);
  for (size_t i = 0; i < 8; ++i) {
    context.span_id.value =
        (context.span_id.value << 8) | static_cast<uint8_t>(bytes[kSpanIdOffset + i]);
  }
  context.trace_flags = static_cast<uint8_t>(bytes[kFlagsOffset]);
  context.is_remote = true;
  if (!context.valid()) return std::nullopt;
  return context;
}

}  // namespace hotspan
