// hotspan — how hotspan's model maps onto OTLP, shared by the OTLP/JSON and
// OTLP/protobuf encoders so that both formats say the same thing: span kind
// and status numbers, the message of a cancelled status (which OTLP lacks),
// and the resource attribute list (service.name first).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hotspan/attribute.hpp"
#include "hotspan/exporter.hpp"
#include "hotspan/span_kind.hpp"

namespace hotspan::detail {

// opentelemetry.proto.trace.v1.Span.SpanKind: internal 1 ... consumer 5;
// 0 (unspecified) for a value outside the enumeration.
constexpr int otlp_span_kind(SpanKind kind) noexcept {
  switch (kind) {
    case SpanKind::internal:
      return 1;
    case SpanKind::server:
      return 2;
    case SpanKind::client:
      return 3;
    case SpanKind::producer:
      return 4;
    case SpanKind::consumer:
      return 5;
  }
  return 0;
}

// opentelemetry.proto.trace.v1.Status.StatusCode: unset 0, ok 1, error 2;
// cancelled (and anything out of range) is an error.
constexpr int otlp_status_code(StatusCode code) noexcept {
  switch (code) {
    case StatusCode::unset:
      return 0;
    case StatusCode::ok:
      return 1;
    case StatusCode::error:
    case StatusCode::cancelled:
      return 2;
  }
  return 2;
}

// StatusCode::cancelled has no OTLP code: it is sent as an error whose message
// is "cancelled" or "cancelled: <message>".
inline constexpr std::string_view kOtlpCancelledMessage = "cancelled";
inline constexpr std::string_view kOtlpCancelledSeparator = ": ";

// The instrumentation scope of every span (its version: hotspan::version_string).
inline constexpr std::string_view kOtlpScopeName = "hotspan";

// The resource's attributes as OTLP sends them: the Resource's list (which
// starts with service.name), with service_name standing in for a missing
// service.name. Views into `resource`.
inline std::vector<AttributeView> otlp_resource_attributes(const Resource& resource) {
  constexpr std::string_view kServiceName = "service.name";
  std::vector<AttributeView> attributes;
  attributes.reserve(resource.attributes.size() + 1);
  bool has_service_name = false;
  for (const auto& [key, value] : resource.attributes)
    has_service_name = has_service_name || key == kServiceName;
  if (!has_service_name && !resource.service_name.empty())
    attributes.push_back({kServiceName, std::string_view(resource.service_name)});
  for (const auto& [key, value] : resource.attributes)
    attributes.push_back({key, std::string_view(value)});
  return attributes;
}

}  // namespace hotspan::detail
