// hotspan — OTLP/protobuf encoding of finished spans: one
// opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest per batch,
// the body of an OTLP/HTTP request with Content-Type application/x-protobuf.
//
// Encoded by hand from the official opentelemetry-proto schema (v1:
// collector/trace/v1/trace_service.proto, trace/v1/trace.proto,
// common/v1/common.proto, resource/v1/resource.proto) with ProtobufWriter;
// field numbers are in otlp_protobuf_encoder.cpp. A request holds one
// ResourceSpans (the tracer's resource) with one ScopeSpans (scope "hotspan",
// the library version). It says what the OTLP/JSON encoder says, with the
// same mapping (otlp_mapping.hpp): kinds and status codes, cancelled as an
// error whose message says so, a repeated attribute key once with its last
// value, parent_span_id only for children, dropped counts when non-zero.
// Protobuf specifics: ids are raw bytes (16 and 8), times fixed64, int64
// values varints, doubles IEEE 754 (NaN and infinities included, which the
// JSON mapping writes as strings), and every string is valid UTF-8 (ill-formed
// bytes become U+FFFD) because protobuf requires it of `string` fields.
//
// Two encoded requests concatenated are one valid request holding both
// ResourceSpans (protobuf merges repeated fields): the HTTP exporter relies on
// it to send several batches in one request.
#pragma once

#include <span>
#include <string>

#include "hotspan/exporter.hpp"
#include "hotspan/span_record.hpp"

namespace hotspan::detail {

class OtlpProtobufEncoder {
 public:
  OtlpProtobufEncoder() { set_resource(Resource{}); }

  // The resource and scope of every later request, encoded once here.
  void set_resource(const Resource& resource);
  // Appends one ExportTraceServiceRequest holding `records` (nothing when
  // there are none).
  void encode(std::span<const SpanRecord> records, std::string& out);

 private:
  std::string _resource_field;  // ResourceSpans.resource, key included
  std::string _scope_field;     // ScopeSpans.scope, key included
  std::string _scratch;         // a string made valid UTF-8
};

}  // namespace hotspan::detail
