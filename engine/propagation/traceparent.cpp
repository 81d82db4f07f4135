// hotspan — W3C Trace Context `traceparent` header
// (https://www.w3.org/TR/trace-context-2/#traceparent-header).
//
//   00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
//   ^^ version  ^^ trace id (32)         ^^ parent id (16) ^^ trace flags
//
// to_traceparent writes version 00 with the flags that version defines
// (sampled, random-trace-id); reserved bits are never sent (§3.2.2.5). An
// invalid context gives "": better no header than an invalid one.
//
// parse_traceparent follows the versioning rules of §3.2.4 / §4.3: version 00
// is exactly 55 characters. A higher version (01..fe) is read for the fields
// version 00 defines: its first 55 characters parse as version 00, and the
// header either ends there or goes on with '-' and fields we skip, so a newer
// peer's trace is continued rather than restarted. Rejected: version "ff"
// (invalid in every version), a version 00 header with anything after the
// flags, uppercase hex, surrounding whitespace (an HTTP layer strips it;
// extract_context() does), all-zero trace or parent ids. Flags are kept as
// given (all 8 bits): the receiver may look at them; spans started under the
// context keep only the defined ones. noexcept, no allocation.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "core/hex.hpp"
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
  const uint8_t flags = context.trace_flags & kTraceFlagsDefined;
  detail::write_hex(std::span<const uint8_t>(&flags, 1), p + 1);
  return text;
}

std::optional<SpanContext> parse_traceparent(std::string_view text) noexcept {
  constexpr auto lower = detail::HexCase::lower_only;
  uint8_t version = 0;
  if (text.size() < kTraceparentSize ||
      !detail::decode_hex(text.substr(0, kVersion.size()), {&version, 1}, lower) ||
      version == 0xff) {
    return std::nullopt;
  }
  // Version 00 is exactly 55 characters; a later version may append fields,
  // each introduced by '-'.
  const bool ends_after_flags = text.size() == kTraceparentSize;
  if (version == 0 ? !ends_after_flags : !ends_after_flags && text[kTraceparentSize] != '-') {
    return std::nullopt;
  }
  if (text[kTraceIdOffset - 1] != '-' || text[kSpanIdOffset - 1] != '-' ||
      text[kFlagsOffset - 1] != '-') {
    return std::nullopt;
  }
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
