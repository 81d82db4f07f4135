// hotspan — canonical lowercase names of span kinds and status codes, as the
// text encoders write them. Values outside the enumerations (a cast integer)
// are named "unknown" rather than being undefined behaviour.
#include "hotspan/span_kind.hpp"

namespace hotspan {

std::string_view to_string(SpanKind kind) noexcept {
  switch (kind) {
    case SpanKind::internal:
      return "internal";
    case SpanKind::server:
      return "server";
    case SpanKind::client:
      return "client";
    case SpanKind::producer:
      return "producer";
    case SpanKind::consumer:
      return "consumer";
  }
  return "unknown";
}

std::string_view to_string(StatusCode code) noexcept {
  switch (code) {
    case StatusCode::unset:
      return "unset";
    case StatusCode::ok:
      return "ok";
    case StatusCode::error:
      return "error";
    case StatusCode::cancelled:
      return "cancelled";
  }
  return "unknown";
}

}  // namespace hotspan
