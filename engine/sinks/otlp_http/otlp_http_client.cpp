// hotspan — one OTLP/HTTP POST with libcurl (see otlp_http_client.hpp).
//
// The handle is configured once (URL, headers, timeouts, callbacks) and only
// the body changes per attempt. CURLOPT_NOSIGNAL keeps libcurl from using
// signals for its timeouts (the process may be threaded and own SIGALRM);
// "Expect:" is sent empty so that large bodies do not wait for a
// "100 Continue" that a collector may never send. The response body is read
// and kept only up to a few hundred bytes, for the warning of a failure.
#include "sinks/otlp_http/otlp_http_client.hpp"

#include <curl/curl.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <mutex>
#include <stdexcept>

#include "formats/varint.hpp"
#include "hotspan/version.hpp"

namespace hotspan::detail {

namespace {
// What is kept of a response body: enough for a partial success or an error
// message; a warning shows at most kMaxErrorText of it.
constexpr size_t kMaxResponse = 4096;
constexpr size_t kMaxErrorText = 300;

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

bool iequals_prefix(std::string_view text, std::string_view prefix) noexcept {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  }
  return true;
}
}  // namespace

struct OtlpHttpClient::State {
  CURL* curl = nullptr;
  curl_slist* headers = nullptr;
  const std::atomic<bool>* abort = nullptr;
  bool json = false;
  char error_buffer[CURL_ERROR_SIZE] = {};
  std::string response;  // the first kMaxResponse bytes
  std::optional<std::chrono::milliseconds> retry_after;

  static size_t on_body(char* data, size_t size, size_t count, void* user) {
    auto* s = static_cast<State*>(user);
    const size_t n = size * count;
    const size_t keep = std::min(n, kMaxResponse - std::min(kMaxResponse, s->response.size()));
    s->response.append(data, keep);
    return n;
  }
  static size_t on_header(char* data, size_t size, size_t count, void* user) {
    auto* s = static_cast<State*>(user);
    const size_t n = size * count;
    const std::string_view line(data, n);
    constexpr std::string_view kRetryAfter = "retry-after:";
    if (iequals_prefix(line, kRetryAfter)) {
      s->retry_after = parse_retry_after(trim(line.substr(kRetryAfter.size())), std::time(nullptr));
    }
    return n;
  }
  static int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    return static_cast<State*>(user)->abort->load(std::memory_order_relaxed) ? 1 : 0;
  }
};

void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

OtlpHttpClient::OtlpHttpClient(const HttpClientConfig& config, const std::atomic<bool>& abort)
    : _state(new State) {
  init_curl_once();
  State& s = *_state;
  s.abort = &abort;
  s.json = config.json;
  s.curl = curl_easy_init();
  if (s.curl == nullptr) {
    delete _state;
    throw std::runtime_error("hotspan: curl_easy_init failed");
  }
  std::string content_type = "Content-Type: " + config.content_type;
  s.headers = curl_slist_append(s.headers, content_type.c_str());
  if (config.gzip) s.headers = curl_slist_append(s.headers, "Content-Encoding: gzip");
  s.headers = curl_slist_append(s.headers, "Expect:");
  for (const auto& [name, value] : config.headers) {
    const std::string line = name + ": " + value;
    s.headers = curl_slist_append(s.headers, line.c_str());
  }
  const std::string user_agent = std::string("hotspan/") + version_string;
  const long timeout_ms = static_cast<long>(std::max<int64_t>(1, config.timeout.count()));
  CURL* c = s.curl;
  curl_easy_setopt(c, CURLOPT_URL, config.url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, s.headers);
  curl_easy_setopt(c, CURLOPT_USERAGENT, user_agent.c_str());
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, s.error_buffer);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &State::on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &State::on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &s);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, &State::on_progress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &s);
  // Only http and https, also across redirects (which are not followed).
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
}

OtlpHttpClient::~OtlpHttpClient() {
  curl_easy_cleanup(_state->curl);
  curl_slist_free_all(_state->headers);
  delete _state;
}

HttpAttempt OtlpHttpClient::post(std::string_view body) {
  State& s = *_state;
  s.response.clear();
  s.retry_after.reset();
  s.error_buffer[0] = '\0';
  curl_easy_setopt(s.curl, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(s.curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  const CURLcode code = curl_easy_perform(s.curl);
  HttpAttempt attempt;
  if (code != CURLE_OK) {
    attempt.transport_error = code;
    attempt.error = s.error_buffer[0] != '\0' ? s.error_buffer : curl_easy_strerror(code);
    // Connection refused or reset, timeouts, DNS failures, empty replies:
    // the network, worth another try. Not so a bad URL, a TLS certificate
    // that does not verify, or our own abort.
    switch (code) {
      case CURLE_UNSUPPORTED_PROTOCOL:
      case CURLE_URL_MALFORMAT:
      case CURLE_NOT_BUILT_IN:
      case CURLE_ABORTED_BY_CALLBACK:
      case CURLE_PEER_FAILED_VERIFICATION:
      case CURLE_SSL_CERTPROBLEM:
      case CURLE_SSL_CACERT_BADFILE:
      case CURLE_OUT_OF_MEMORY:
        attempt.retryable = false;
        break;
      default:
        attempt.retryable = true;
    }
    return attempt;
  }
  curl_easy_getinfo(s.curl, CURLINFO_RESPONSE_CODE, &attempt.status);
  if (attempt.ok()) {
    attempt.rejected_spans = rejected_spans(s.response, s.json, attempt.error);
  } else {
    attempt.retryable = is_retryable_status(attempt.status);
    attempt.retry_after = s.retry_after;
    attempt.error = "HTTP " + std::to_string(attempt.status);
    const std::string_view detail = trim(s.response);
    if (!detail.empty())
      attempt.error.append(": ").append(printable_excerpt(detail, kMaxErrorText));
  }
  return attempt;
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::time_t now) {
  value = trim(value);
  if (value.empty()) return std::nullopt;
  uint64_t seconds = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec == std::errc() && end == value.data() + value.size()) {
    constexpr uint64_t kMaxSeconds = uint64_t{1} << 31;  // keeps the milliseconds in range
    return std::chrono::milliseconds(std::min(seconds, kMaxSeconds) * 1000);
  }
  if (ec == std::errc()) return std::nullopt;  // digits followed by something else
  const std::string date(value);
  const std::time_t when = curl_getdate(date.c_str(), nullptr);
  if (when == -1) return std::nullopt;
  return std::chrono::milliseconds(when > now ? (when - now) * 1000 : 0);
}

std::chrono::milliseconds backoff_delay(unsigned retry, std::chrono::milliseconds initial,
                                        std::chrono::milliseconds max, double jitter) noexcept {
  const double factor = std::ldexp(1.0, static_cast<int>(std::min(retry, 63u)) - 1);
  const double full =
      std::min(static_cast<double>(initial.count()) * factor, static_cast<double>(max.count()));
  const double scale = std::clamp(jitter, 0.5, 1.0);
  return std::chrono::milliseconds(static_cast<int64_t>(full * scale));
}

uint64_t rejected_spans(std::string_view body, bool json, std::string& message) {
  if (json) {
    constexpr std::string_view kKey = "\"rejectedSpans\"";
    const size_t at = body.find(kKey);
    if (at == std::string_view::npos) return 0;
    std::string_view rest = trim(body.substr(at + kKey.size()));
    if (!rest.starts_with(':')) return 0;
    rest = trim(rest.substr(1));
    if (rest.starts_with('"')) rest.remove_prefix(1);  // int64 as a JSON string
    uint64_t n = 0;
    std::from_chars(rest.data(), rest.data() + rest.size(), n);
    return n;
  }
  // partial_success = 1 { rejected_spans = 1 (int64), error_message = 2 }
  const auto* begin = reinterpret_cast<const uint8_t*>(body.data());
  ByteCursor response(begin, begin + body.size());
  uint64_t rejected = 0;
  while (!response.empty()) {
    uint64_t key = 0;
    std::string_view field;
    if (!response.varint(key) || (key & 7) != 2 || !response.string(field)) return rejected;
    if ((key >> 3) != 1) continue;
    const auto* inner = reinterpret_cast<const uint8_t*>(field.data());
    ByteCursor partial(inner, inner + field.size());
    while (!partial.empty()) {
      uint64_t inner_key = 0;
      std::string_view text;
      if (!partial.varint(inner_key)) return rejected;
      if (inner_key == ((1 << 3) | 0)) {
        if (!partial.varint(rejected)) return 0;
      } else if (inner_key == ((2 << 3) | 2)) {
        if (!partial.string(text)) return rejected;
        message = printable_excerpt(text, kMaxErrorText);
      } else {
        return rejected;  // not in the schema hotspan knows
      }
    }
  }
  return rejected;
}

std::string printable_excerpt(std::string_view text, size_t max_chars) {
  // Not UTF-8 aware on purpose: the bytes come from the network in no known
  // encoding, and stderr may not be a UTF-8 terminal (where a lone 0x9B is CSI).
  constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    char piece[4] = {c};
    size_t size = 1;
    if (c == '\\') {
      piece[1] = '\\';
      size = 2;
    } else if (byte < 0x20 || byte >= 0x7f) {
      piece[0] = '\\';
      piece[1] = 'x';
      piece[2] = kHex[byte >> 4];
      piece[3] = kHex[byte & 15];
      size = 4;
    }
    if (out.size() + size > max_chars) {
      out.append("...");
      break;
    }
    out.append(piece, size);
  }
  return out;
}

bool gzip_compress(std::string_view in, std::string& out) {
  z_stream z{};
  // windowBits 15 + 16: a gzip header and trailer rather than zlib's.
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return false;
  out.resize(deflateBound(&z, static_cast<uLong>(in.size())) + 32);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int result = deflate(&z, Z_FINISH);
  const size_t written = out.size() - z.avail_out;
  deflateEnd(&z);
  if (result != Z_STREAM_END) return false;
  out.resize(written);
  return true;
}

bool is_valid_http_header(std::string_view name, std::string_view value) noexcept {
  if (name.empty()) return false;
  constexpr std::string_view kTokenPunctuation = "!#$%&'*+-.^_`|~";
  for (const char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) &&
        kTokenPunctuation.find(c) == std::string_view::npos) {
      return false;
    }
  }
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

}  // namespace hotspan::detail
