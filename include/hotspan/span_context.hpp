// hotspan — the propagated part of a span, and W3C traceparent text form.
//
// SpanContext is 32 bytes, trivially copyable: it travels by value through scopes,
// samplers and across threads. The W3C `traceparent` header is produced and parsed
// strictly (https://www.w3.org/TR/trace-context/#traceparent-header).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hotspan/export.h"
#include "hotspan/ids.hpp"

namespace hotspan {

struct SpanContext {
  TraceId trace_id;
  SpanId span_id;
  uint8_t trace_flags = 0;  // bit 0 = sampled
  bool is_remote = false;

  bool valid() const noexcept { return trace_id.valid() && span_id.valid(); }
  bool sampled() const noexcept { return (trace_flags & 0x01) != 0; }

  friend bool operator==(const SpanContext&, const SpanContext&) = default;
};

// "00-<32 hex trace id>-<16 hex span id>-<2 hex flags>", lowercase. An invalid
// context yields an empty string (a header that must not be sent).
HOTSPAN_API std::string to_traceparent(const SpanContext&);

// Strict parse of a traceparent value: version "00" only (and exactly 55
// characters), lowercase hex, '-' separators, non-zero ids. Version "ff" and
// anything else malformed yield std::nullopt. The result has is_remote = true.
HOTSPAN_API std::optional<SpanContext> parse_traceparent(std::string_view) noexcept;

}  // namespace hotspan
