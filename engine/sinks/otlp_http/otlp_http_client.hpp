// hotspan — one OTLP/HTTP POST with libcurl, and the rules that say whether
// and when a failed one is tried again (the OTLP/HTTP specification's
// retryable statuses, Retry-After, exponential backoff with jitter).
//
// An OtlpHttpClient owns one curl easy handle, so a sequence of requests
// reuses one connection (keep-alive); it is used by one thread at a time (the
// exporter's sender thread). Every attempt is bounded by the timeout (connect
// included) and can be cut short from another thread through the abort flag,
// which libcurl polls at least once a second and on every transfer progress.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hotspan::detail {

struct HttpAttempt {
  long status = 0;          // HTTP status; 0 when no response came
  int transport_error = 0;  // CURLcode; 0 when a response came
  bool retryable = false;
  std::optional<std::chrono::milliseconds> retry_after;  // from a Retry-After header
  std::string error;  // what went wrong, for a warning (on 2xx: a partial success's message)
  // A 2xx response's ExportTracePartialSuccess: spans the collector dropped.
  uint64_t rejected_spans = 0;
  bool ok() const noexcept { return status >= 200 && status < 300; }
};

struct HttpClientConfig {
  std::string url;
  std::string content_type;
  bool json = false;  // the encoding of requests, and so of responses
  bool gzip = false;  // bodies are gzip-compressed by the caller: sets Content-Encoding
  std::chrono::milliseconds timeout{10000};
  std::vector<std::pair<std::string, std::string>> headers;
};

class OtlpHttpClient {
 public:
  // `abort` stays valid for the client's lifetime; true cuts short the
  // attempt in progress (it fails, not retryable).
  OtlpHttpClient(const HttpClientConfig& config, const std::atomic<bool>& abort);
  ~OtlpHttpClient();
  OtlpHttpClient(const OtlpHttpClient&) = delete;
  OtlpHttpClient& operator=(const OtlpHttpClient&) = delete;

  HttpAttempt post(std::string_view body);

 private:
  struct State;
  State* _state;
};

// Makes curl_global_init's one call; the first client does it too.
void init_curl_once();

// HTTP 429, 502, 503 and 504: the statuses OTLP/HTTP says to retry.
constexpr bool is_retryable_status(long status) noexcept {
  return status == 429 || status == 502 || status == 503 || status == 504;
}

// The delay that a Retry-After value asks for: delta-seconds, or an HTTP date
// (a date in the past asks for none). Nullopt when it is neither.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value, std::time_t now);

// The delay before retry `retry` (1 = the first retry): initial * 2^(retry-1),
// at most `max`, scaled by jitter in [0.5, 1] so that many clients that failed
// together do not retry together.
std::chrono::milliseconds backoff_delay(unsigned retry, std::chrono::milliseconds initial,
                                        std::chrono::milliseconds max, double jitter) noexcept;

// ExportTraceServiceResponse.partial_success.rejected_spans of a response
// body (protobuf, or OTLP/JSON "rejectedSpans" as a number or a string); 0
// when absent or unreadable. `message` gets error_message (protobuf only).
uint64_t rejected_spans(std::string_view body, bool json, std::string& message);

// A collector's text (an error response's body, a partial success's message)
// made safe to print on the application's stderr, which is often an
// operator's terminal: every byte outside printable ASCII becomes \xNN (and
// '\' becomes "\\"), so that no escape sequence, bell or carriage return
// gets through; at most `max_chars` characters are kept, then "..." (never
// inside an escape).
std::string printable_excerpt(std::string_view text, size_t max_chars);

// gzip (RFC 1952) of `in`, replacing `out`'s content. False on a zlib error.
bool gzip_compress(std::string_view in, std::string& out);

// Whether a header name is an HTTP token and its value holds no CR, LF or NUL.
bool is_valid_http_header(std::string_view name, std::string_view value) noexcept;

}  // namespace hotspan::detail
