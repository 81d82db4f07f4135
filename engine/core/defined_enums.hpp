// hotspan — out-of-range SpanKind and StatusCode values (an integer cast to the
// enum by a caller) mapped to defined ones where they enter the engine, so that
// every record is one each format can write and read back, and an invalid
// status never turns into success on the way (the binary format's 2 bits, the
// OTLP mapping). The C API rejects such values instead (it can return an error).
#pragma once

#include <cstdint>

#include "hotspan/span_kind.hpp"

namespace hotspan::detail {

// An unknown kind records as internal: the kind that claims nothing.
constexpr SpanKind defined_kind(SpanKind kind) noexcept {
  return static_cast<uint8_t>(kind) <= static_cast<uint8_t>(SpanKind::consumer)
             ? kind
             : SpanKind::internal;
}

// An unknown status records as error: the caller reported something that is
// not success, and error keeps it visible (the description is kept).
constexpr StatusCode defined_status(StatusCode code) noexcept {
  return static_cast<uint8_t>(code) <= static_cast<uint8_t>(StatusCode::cancelled)
             ? code
             : StatusCode::error;
}

}  // namespace hotspan::detail
