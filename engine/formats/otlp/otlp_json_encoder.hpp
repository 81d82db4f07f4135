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

#include "formats/otlp/otlp_mapping.hpp"
#include "formats/record_encoder.hpp"

namespace hotspan::detail {

std::unique_ptr<RecordEncoder> make_otlp_json_encoder();

}  // namespace hotspan::detail
