// hotspan — TraceId and SpanId validity and hex forms.
//
// to_hex allocates its std::string (it is for users and tests); the engine's
// encoders write ids straight into their buffers with detail::write_hex
// (engine/core/hex.hpp), which these functions share. from_hex accepts either case
// and rejects anything but exactly 32 / 16 hex digits of a non-zero id.
#include "hotspan/ids.hpp"

#include <cstring>

#include "core/hex.hpp"

namespace hotspan {

std::string TraceId::to_hex() const {
  std::string text(detail::kTraceIdHexSize, '\0');
  detail::write_hex(*this, text.data());
  return text;
}

std::optional<TraceId> TraceId::from_hex(std::string_view text) noexcept {
  return detail::decode_trace_id(text, detail::HexCase::either);
}

std::string SpanId::to_hex() const {
  std::string text(detail::kSpanIdHexSize, '\0');
  detail::write_hex(*this, text.data());
  return text;
}

std::optional<SpanId> SpanId::from_hex(std::string_view text) noexcept {
  return detail::decode_span_id(text, detail::HexCase::either);
}

}  // namespace hotspan
