// hotspan — span kind and status code, with their canonical lowercase names.
#pragma once

#include <cstdint>
#include <string_view>

#include "hotspan/export.h"

namespace hotspan {

enum class SpanKind : uint8_t { internal, server, client, producer, consumer };
enum class StatusCode : uint8_t { unset, ok, error, cancelled };
// A value outside these enumerations (an integer cast to the enum) is not
// recorded as given: Tracer::start_span records SpanKind::internal, and
// Span::set_status records StatusCode::error with the description (an unknown
// status never reads as success). Every format then writes a value it can read
// back.

// "internal", "server", "client", "producer", "consumer"; "unknown" out of range.
HOTSPAN_API std::string_view to_string(SpanKind) noexcept;
// "unset", "ok", "error", "cancelled"; "unknown" out of range.
HOTSPAN_API std::string_view to_string(StatusCode) noexcept;

}  // namespace hotspan
