// hotspan — span kind and status code, with their canonical lowercase names.
#pragma once

#include <cstdint>
#include <string_view>

#include "hotspan/export.h"

namespace hotspan {

enum class SpanKind : uint8_t { internal, server, client, producer, consumer };
enum class StatusCode : uint8_t { unset, ok, error, cancelled };

// "internal", "server", "client", "producer", "consumer"; "unknown" out of range.
HOTSPAN_API std::string_view to_string(SpanKind) noexcept;
// "unset", "ok", "error", "cancelled"; "unknown" out of range.
HOTSPAN_API std::string_view to_string(StatusCode) noexcept;

}  // namespace hotspan
