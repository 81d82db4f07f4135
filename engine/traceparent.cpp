// hotspan — W3C Trace Context `traceparent` header
// (https://www.w3.org/TR/trace-context/#traceparent-header).
//
//   00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
//   ^^ version  ^^ trace id (32)         ^^ parent id (16) ^^ trace flags
//
// to_traceparent writes version 00 and the flags as they are in the context; an
// invalid context gives "": better no header than an invalid one.
//
// parse_traceparent is strict, deliberately stricter than the specification:
// the spec asks parsers of version 00 to try higher versions as version 00 (the
// first 55 characters, followed by '-' and more fields). We accept version 00
// only, exactly 55 characters: a header we do not fully understand starts a new
// trace instead of joining one on a guess. Also rejected: version "ff" (invalid
// in every version), uppercase hex, surrounding whitespace, all-zero trace or
// parent ids. Flags are kept as given (all 8 bits). noexcept, no allocation.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "hex.hpp"
#include "hotspan/span_context.hpp"

namespace hotspan {
namespace {

constexpr std::string_view kVersion = "00";
constexpr size_t kTraceIdOffset = 3;
constexpr size_t kSpanIdOffset = kTraceIdOffset + detail::kTraceIdHexSize + 1;  // 36
constexpr size_t kFlagsOffset = kSpanIdOffset + detail::kSpanIdHexSize + 1;     // 53
constexpr size_t kFlagsHexSize = 2;
constexpr size_t kTraceparentSize = kFlagsOffset + kFlagsHexSize;  // 55
static_assert(kTraceparentSize == 55);

}  // namespace

std::string to_traceparent(const SpanContext& context) {
  if (!context.valid()) return {};
  std::string text(kTraceparentSize, '-');  // the fill supplies the three separators
  char* p = text.data();
  *p++ = kVersion[0];
  *p++ = kVersion[1];
  p = detail::write_hex(context.trace_id, p + 1);
  p = detail::write_hex(context.span_id, p + 1);
  detail::write_hex(std::span<const uint8_t>(&context.trace_flags, 1), p + 1);
  return text;
}

std::optional<SpanContext> parse_traceparent(std::string_view text) noexcept {
  if (text.size() != kTraceparentSize || !text.starts_with(kVersion) ||
      text[kTraceIdOffset - 1] != '-' || text[kSpanIdOffset - 1] != '-' ||
      text[kFlagsOffset - 1] != '-') {
    return std::nullopt;
  }
  constexpr auto lower = detail::HexCase::lower_only;
  const auto trace_id =
      detail::decode_trace_id(text.substr(kTraceIdOffset, detail::kTraceIdHexSize), lower);
  const auto span_id =
      detail::decode_span_id(text.substr(kSpanIdOffset, detail::kSpanIdHexSize), lower);
  uint8_t flags = 0;
  if (!trace_id || !span_id ||
      !detail::decode_hex(text.substr(kFlagsOffset, kFlagsHexSize), {&flags, 1}, lower)) {
    return std::nullopt;
  }
  return SpanContext{*trace_id, *span_id, flags, /*is_remote=*/true};
}

}  // namespace hotspan
