// hotspan — OTLP/JSON encoding of finished spans (Format::otlp_json).
//
// Each batch becomes one line holding one complete OTLP `TracesData` JSON
// object (the OpenTelemetry collector file-exporter convention), so a file is
// read line by line and a torn write costs only the line it cut: the sink's
// resync newline starts the next batch on a fresh line. Shape of a line:
//
//   {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name",
//     "value":{"stringValue":"relay"}},...]},"scopeSpans":[{"scope":{"name":
//     "hotspan","version":"0.1.0"},"spans":[{...},...]}]}]}
//
// Per the OTLP/JSON mapping (protobuf JSON with OTLP's deviations): field
// names lowerCamelCase; traceId/spanId/parentSpanId lowercase hex, not base64;
// enums as integers; 64-bit integers (times, intValue) as decimal strings;
// doubles as numbers, non-finite ones as "NaN", "Infinity", "-Infinity".
// parentSpanId is omitted for roots. StatusCode::cancelled has no OTLP
// counterpart: it is written as code 2 (error) with the message "cancelled"
// or "cancelled: <message>". A key recorded twice is written once with its
// last value, as in every hotspan format. Span flags, trace state and links
// are not recorded by hotspan and so never written.
//
// The resource and scope part of each line is escaped once, in begin(), and
// copied per batch; strings go through json_writer (strict RFC 8259, invalid
// UTF-8 replaced), so any JSON parser and any OTLP/JSON receiver reads the file.
#pragma once

#include <cstdint>
#include <memory>

#include "hotspan/span_kind.hpp"
#include "record_encoder.hpp"

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

std::unique_ptr<RecordEncoder> make_otlp_json_encoder();

}  // namespace hotspan::detail
