// hotspan — OTLP/HTTP export to an OpenTelemetry collector.
//
// Built only when libcurl (and zlib) were found when hotspan was configured;
// such a build defines HOTSPAN_HAS_OTLP_HTTP for its users (the CMake targets
// carry the definition, pkg-config's --cflags print it), and only then are the
// declarations below visible. `#ifdef HOTSPAN_HAS_OTLP_HTTP` lets a program
// build either way.
//
// The exporter encodes each batch on the tracer's exporter thread into an
// ExportTraceServiceRequest (protobuf by default, OTLP/JSON as an option) and
// hands it to its own sender thread through a bounded queue; the sender POSTs
// it to <endpoint>/v1/traces, retrying with exponential backoff and jitter.
// Neither the producers nor the exporter thread ever wait on the network.
// Loss is counted, never silent: see OtlpHttpStats and docs/GUIDE.md.
#pragma once

#ifdef HOTSPAN_HAS_OTLP_HTTP

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "hotspan/export.h"
#include "hotspan/exporter.hpp"

namespace hotspan {

struct OtlpHttpOptions {
  std::string endpoint = "http://localhost:4318";  // "/v1/traces" is appended
  enum class Encoding : uint8_t { protobuf, json } encoding = Encoding::protobuf;
  // Bounds each HTTP attempt (connection included), and flush()'s wait.
  std::chrono::milliseconds timeout = std::chrono::seconds(10);
  // Sent with every request (e.g. {"authorization", "Bearer ..."}).
  std::vector<std::pair<std::string, std::string>> headers;

  // The full URL of the traces endpoint, used as is; wins over `endpoint`
  // (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT).
  std::string traces_endpoint;
  enum class Compression : uint8_t { none, gzip } compression = Compression::none;
  // Spans per request at most: a larger batch is split, and (protobuf)
  // queued batches are merged into one request up to this many spans.
  size_t max_spans_per_request = 512;
  // Requests waiting to be sent, the one being sent or retried included. A
  // batch that does not fit is dropped and its spans counted (export_batch
  // fails: TracerStats::dropped_export_failed).
  size_t max_queued_requests = 64;
  // Attempts per request, the first included (1: never retry). Retried:
  // connection errors, timeouts, HTTP 429, 502, 503, 504.
  size_t max_attempts = 5;
  // Delay before retry n (n = 1, 2, ...): initial_backoff * 2^(n-1), at most
  // max_backoff, times a random factor in [0.5, 1] (jitter). A Retry-After
  // header (seconds or HTTP date) replaces the computed delay, also capped
  // at max_backoff.
  std::chrono::milliseconds initial_backoff = std::chrono::seconds(1);
  std::chrono::milliseconds max_backoff = std::chrono::seconds(30);
  // How long shutdown() lets queued requests go out (retries without delays)
  // before it aborts the transfer in progress and drops the rest, counted.
  // A Tracer's shutdown calls flush() then shutdown(): its shutdown_timeout
  // should exceed timeout + this.
  std::chrono::milliseconds shutdown_timeout = std::chrono::seconds(5);
};

// What the exporter did. Spans in `spans_failed` were handed to the exporter
// successfully as far as the tracer knows (TracerStats counts them as
// exported); spans in `spans_rejected` were counted by the tracer as
// dropped_export_failed.
struct OtlpHttpStats {
  uint64_t requests_sent = 0;    // answered with a 2xx status
  uint64_t requests_failed = 0;  // given up: not retryable, attempts used up, or shutdown
  uint64_t attempts = 0;         // HTTP attempts, retries included
  uint64_t spans_sent = 0;
  uint64_t spans_failed = 0;    // in requests given up
  uint64_t spans_rejected = 0;  // did not fit in the queue
  uint64_t bytes_sent = 0;      // request bodies as sent (compressed), of requests sent
};

// Throws std::invalid_argument for an endpoint that is not an http(s) URL, a
// header with an empty or invalid name or a CR/LF in its value, or a zero
// max_spans_per_request, max_queued_requests or max_attempts.
HOTSPAN_API std::shared_ptr<Exporter> otlp_http_exporter(OtlpHttpOptions = {});

// The counters of an exporter made by otlp_http_exporter(); all zero for any
// other exporter. Safe to call from any thread.
HOTSPAN_API OtlpHttpStats otlp_http_stats(const Exporter&) noexcept;

}  // namespace hotspan

#endif  // HOTSPAN_HAS_OTLP_HTTP
