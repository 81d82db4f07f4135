// hotspan — the OTLP/HTTP exporter (include/hotspan/otlp_http_exporter.hpp).
//
// Why a sender thread: the tracer has one exporter thread, and a collector
// that is slow or down must cost it nothing. So export_batch() only encodes
// (protobuf by hand, or the OTLP/JSON encoder) and appends the request to a
// bounded queue; this exporter's own sender thread POSTs requests in order,
// one at a time, and retries the one at the head (the queue is the retry
// queue: later requests wait behind it rather than overtaking it). The
// alternative, sending from export_batch() with every wait bounded by the
// timeout, would stall the exporter thread for seconds per batch while a
// collector is unreachable, and every other exporter of a multi_exporter
// with it.
//
// The price is in the counting. A batch that does not fit in the queue is
// refused synchronously (export_batch returns false), so TracerStats counts
// it as dropped_export_failed at once. A request that fails later, after the
// tracer has counted its spans as exported, is counted here (OtlpHttpStats::
// spans_failed) and reported by one warning line per run of failures; the
// exporter thread reads the count through spans_failed_after_export() and
// moves those spans from spans_exported to dropped_export_failed, so the
// tracer's invariant holds once a flush has returned.
//
// Guarantees: the queue holds at most max_queued_requests requests (the one
// in flight included), each of at most max_spans_per_request spans; flush()
// waits at most `timeout` and returns early, false, while a request waits for
// its retry; shutdown() waits at most shutdown_timeout for the queue to go
// out, retrying without delays, then aborts the transfer in progress (within
// about a second: libcurl's progress callback) and counts what is left. The
// tracer calls flush() before shutdown(), so a tracer's shutdown lasts up to
// timeout + shutdown_timeout (and a second) when the collector is unreachable.
#include "hotspan/otlp_http_exporter.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>

#include "config/env_options.hpp"  // is_valid_otlp_url, warn
#include "formats/otlp/otlp_json_encoder.hpp"
#include "formats/otlp/otlp_protobuf_encoder.hpp"
#include "sinks/otlp_http/otlp_http_client.hpp"

namespace hotspan {
namespace detail {
namespace {

// Protobuf requests merged into one are at most this large (before gzip).
constexpr size_t kMaxMergedBytes = size_t{4} << 20;
// Bodies kept for reuse, so that a steady flow of requests allocates nothing.
constexpr size_t kSpareBodies = 8;

std::string traces_url(const OtlpHttpOptions& o) {
  if (!o.traces_endpoint.empty()) return o.traces_endpoint;
  std::string url = o.endpoint;
  if (url.ends_with('/')) url.pop_back();
  return url + "/v1/traces";
}

void validate(const OtlpHttpOptions& o, const std::string& url) {
  if (!is_valid_otlp_url(url)) {
    throw std::invalid_argument("hotspan: otlp_http_exporter: '" + url +
                                "' is not an http:// or https:// URL with a host");
  }
  for (const auto& [name, value] : o.headers) {
    if (!is_valid_http_header(name, value)) {
      throw std::invalid_argument("hotspan: otlp_http_exporter: invalid header '" + name +
                                  "' (names are HTTP tokens; values hold no CR, LF or NUL)");
    }
  }
  if (o.max_spans_per_request == 0 || o.max_queued_requests == 0 || o.max_attempts == 0) {
    throw std::invalid_argument(
        "hotspan: otlp_http_exporter: max_spans_per_request, max_queued_requests and "
        "max_attempts must be at least 1");
  }
  if (o.timeout.count() <= 0 || o.shutdown_timeout.count() < 0 || o.initial_backoff.count() < 0 ||
      o.max_backoff.count() < 0) {
    throw std::invalid_argument(
        "hotspan: otlp_http_exporter: timeout must be positive, shutdown_timeout and the "
        "backoffs not negative");
  }
}

struct Request {
  std::string body;  // one or more ExportTraceServiceRequests (uncompressed)
  size_t spans = 0;
  uint64_t last_sequence = 0;  // of the last batch it holds
};

class OtlpHttpExporter final : public Exporter {
 public:
  explicit OtlpHttpExporter(OtlpHttpOptions options)
      : _options(std::move(options)), _url(traces_url(_options)) {
    validate(_options, _url);
    _json = _options.encoding == OtlpHttpOptions::Encoding::json;
    if (_json) _json_encoder = make_otlp_json_encoder();
    init_curl_once();
    _client_config = HttpClientConfig{_url,
                                      _json ? "application/json" : "application/x-protobuf",
                                      _json,
                                      _options.compression == OtlpHttpOptions::Compression::gzip,
                                      _options.timeout,
                                      _options.headers};
    _sender = std::thread([this] { sender_main(); });
  }

  ~OtlpHttpExporter() override { shutdown(); }

  void start(const Resource& resource) override {
    if (_json) {
      std::string ignored;  // OTLP/JSON has no header
      _json_encoder->begin(resource, ignored);
    } else {
      _protobuf_encoder.set_resource(resource);
    }
  }

  bool export_batch(std::span<const SpanRecord> records) override {
    if (records.empty()) return true;
    const size_t per_request = _options.max_spans_per_request;
    const size_t needed = (records.size() + per_request - 1) / per_request;
    if (!has_room(needed)) return reject(records.size());
    std::vector<Request> requests(needed);
    for (size_t i = 0; i < needed; ++i) {
      const auto chunk =
          records.subspan(i * per_request, std::min(per_request, records.size() - i * per_request));
      Request& r = requests[i];
      r.body = spare_body();
      r.spans = chunk.size();
      if (_json) {
        _json_encoder->encode(chunk, r.body);
      } else {
        _protobuf_encoder.encode(chunk, r.body);
      }
    }
    {
      std::lock_guard lock(_mutex);
      // Room only grows meanwhile (this thread alone adds), but shutdown may have begun.
      if (_stopping || room() < needed) return reject(records.size());
      for (Request& r : requests) {
        r.last_sequence = ++_enqueued;
        _queue.push_back(std::move(r));
      }
    }
    _wake.notify_one();
    return true;
  }

  bool flush() override {
    std::unique_lock lock(_mutex);
    const uint64_t target = _enqueued;
    _settled_cv.wait_for(lock, _options.timeout,
                         [&] { return _settled >= target || _backing_off; });
    const bool ok = _settled >= target && !_failed_since_flush;
    _failed_since_flush = false;
    return ok;
  }

  void shutdown() override {
    std::unique_lock lock(_mutex);
    if (_shut_down) return;
    _shut_down = _stopping = true;
    _wake.notify_all();
    const bool drained = _settled_cv.wait_for(lock, _options.shutdown_timeout,
                                              [&] { return _queue.empty() && !_in_flight; });
    if (!drained) _abort.store(true, std::memory_order_relaxed);
    lock.unlock();
    _wake.notify_all();
    _sender.join();
  }

  uint64_t bytes_written() const noexcept override {
    return _bytes_sent.load(std::memory_order_relaxed);
  }

  // Requests given up and spans a collector rejected in a partial success:
  // accepted by export_batch(), lost later.
  uint64_t spans_failed_after_export() const noexcept override {
    return _spans_failed.load(std::memory_order_relaxed);
  }

  OtlpHttpStats stats() const noexcept {
    OtlpHttpStats s;
    s.requests_sent = _requests_sent.load(std::memory_order_relaxed);
    s.requests_failed = _requests_failed.load(std::memory_order_relaxed);
    s.attempts = _attempts.load(std::memory_order_relaxed);
    s.spans_sent = _spans_sent.load(std::memory_order_relaxed);
    s.spans_failed = _spans_failed.load(std::memory_order_relaxed);
    s.spans_rejected = _spans_rejected.load(std::memory_order_relaxed);
    s.bytes_sent = _bytes_sent.load(std::memory_order_relaxed);
    return s;
  }

 private:
  // Requests that still fit; the caller holds _mutex.
  size_t room() const noexcept {
    const size_t used = _queue.size() + (_in_flight ? 1 : 0);
    return used < _options.max_queued_requests ? _options.max_queued_requests - used : 0;
  }
  bool has_room(size_t needed) {
    std::lock_guard lock(_mutex);
    return !_stopping && room() >= needed;
  }
  bool reject(size_t spans) noexcept {
    _spans_rejected.fetch_add(spans, std::memory_order_relaxed);
    return false;
  }
  std::string spare_body() {
    std::lock_guard lock(_mutex);
    if (_spare.empty()) return {};
    std::string body = std::move(_spare.back());
    _spare.pop_back();
    return body;
  }
  void recycle(std::string&& body) {  // caller holds _mutex
    if (_spare.size() >= kSpareBodies) return;
    body.clear();
    _spare.push_back(std::move(body));
  }

  // The head of the queue, with (protobuf) the requests behind it that fit:
  // concatenated ExportTraceServiceRequests are one request. The caller
  // holds _mutex.
  Request take_request() {
    Request r = std::move(_queue.front());
    _queue.pop_front();
    while (!_json && !_queue.empty() &&
           r.spans + _queue.front().spans <= _options.max_spans_per_request &&
           r.body.size() + _queue.front().body.size() <= kMaxMergedBytes) {
      Request& next = _queue.front();
      r.body.append(next.body);
      r.spans += next.spans;
      r.last_sequence = next.last_sequence;
      recycle(std::move(next.body));
      _queue.pop_front();
    }
    return r;
  }

  void sender_main() {
    std::optional<OtlpHttpClient> client;
    try {
      client.emplace(_client_config, _abort);
    } catch (const std::exception& e) {
      warn(std::string("OTLP export to ") + _url + " disabled: " + e.what());
    }
    std::unique_lock lock(_mutex);
    for (;;) {
      _wake.wait(lock, [&] { return !_queue.empty() || _stopping; });
      if (_queue.empty()) break;  // stopping, and everything went out
      Request request = take_request();
      _in_flight = true;
      lock.unlock();
      const bool ok = client ? deliver(*client, request) : give_up(request, "no HTTP client");
      lock.lock();
      _in_flight = false;
      _settled = request.last_sequence;
      if (!ok) _failed_since_flush = true;
      recycle(std::move(request.body));
      _settled_cv.notify_all();
    }
  }

  // Sends one request, retrying as the options say. True when it arrived.
  bool deliver(OtlpHttpClient& client, const Request& request) {
    std::string_view body = request.body;
    if (_options.compression == OtlpHttpOptions::Compression::gzip) {
      if (!gzip_compress(request.body, _compressed)) return give_up(request, "gzip failed");
      body = _compressed;
    }
    for (unsigned attempt = 1;; ++attempt) {
      if (_abort.load(std::memory_order_relaxed)) {
        return give_up(request, "the exporter shut down before it could be sent");
      }
      _attempts.fetch_add(1, std::memory_order_relaxed);
      const HttpAttempt result = client.post(body);
      if (result.ok()) {
        // A partial success: the collector took the request but dropped some
        // spans (OTLP says not to retry them).
        const uint64_t rejected = std::min<uint64_t>(result.rejected_spans, request.spans);
        _requests_sent.fetch_add(1, std::memory_order_relaxed);
        _spans_sent.fetch_add(request.spans - rejected, std::memory_order_relaxed);
        _spans_failed.fetch_add(rejected, std::memory_order_relaxed);
        _bytes_sent.fetch_add(body.size(), std::memory_order_relaxed);
        if (rejected != 0) {
          std::string why = "the collector rejected " + std::to_string(rejected) + " of " +
                            std::to_string(request.spans) + " spans";
          if (!result.error.empty()) why.append(": ").append(result.error);
          warn_failure(why, rejected);
        } else {
          _failing = false;
        }
        return true;
      }
      if (!result.retryable || attempt >= _options.max_attempts) {
        return give_up(request, result.error);
      }
      const auto delay = result.retry_after ? std::min(*result.retry_after, _options.max_backoff)
                                            : backoff_delay(attempt, _options.initial_backoff,
                                                            _options.max_backoff, _jitter(_random));
      wait_before_retry(delay);
    }
  }

  // Sleeps until the retry is due or shutdown() has begun (then retries
  // follow at once, until the attempts are used up or shutdown aborts).
  void wait_before_retry(std::chrono::milliseconds delay) {
    std::unique_lock lock(_mutex);
    _backing_off = true;
    _settled_cv.notify_all();  // a flush() waiting for this request returns (false)
    _wake.wait_for(lock, delay, [&] { return _stopping; });
    _backing_off = false;
  }

  bool give_up(const Request& request, std::string_view why) {
    _requests_failed.fetch_add(1, std::memory_order_relaxed);
    _spans_failed.fetch_add(request.spans, std::memory_order_relaxed);
    warn_failure(why, request.spans);
    return false;
  }

  // One line per run of failures, not one per request.
  void warn_failure(std::string_view why, uint64_t spans) {
    if (_failing) return;
    _failing = true;
    std::string line = "OTLP export to ";
    line.append(_url).append(" failed (").append(why).append("): ");
    line.append(std::to_string(spans))
        .append(
            " spans dropped; further failures are counted (otlp_http_stats) "
            "but not reported until a request succeeds");
    warn(line);
  }

  const OtlpHttpOptions _options;
  const std::string _url;
  bool _json = false;
  HttpClientConfig _client_config;

  // Exporter thread only.
  OtlpProtobufEncoder _protobuf_encoder;
  std::unique_ptr<RecordEncoder> _json_encoder;

  // Sender thread only.
  std::string _compressed;
  bool _failing = false;
  std::minstd_rand _random{std::random_device{}()};
  std::uniform_real_distribution<double> _jitter{0.5, 1.0};

  // Shared, under _mutex.
  std::mutex _mutex;
  std::condition_variable _wake;        // sender: work, or shutdown
  std::condition_variable _settled_cv;  // flush/shutdown: a request settled, or backoff began
  std::deque<Request> _queue;
  std::vector<std::string> _spare;
  uint64_t _enqueued = 0;  // sequence number of the last batch queued
  uint64_t _settled = 0;   // ... of the last batch sent or given up
  bool _in_flight = false;
  bool _backing_off = false;
  bool _failed_since_flush = false;
  bool _stopping = false;
  bool _shut_down = false;

  std::atomic<bool> _abort{false};
  std::atomic<uint64_t> _requests_sent{0}, _requests_failed{0}, _attempts{0}, _spans_sent{0},
      _spans_failed{0}, _spans_rejected{0}, _bytes_sent{0};

  std::thread _sender;  // last: started once everything above exists
};

}  // namespace
}  // namespace detail

std::shared_ptr<Exporter> otlp_http_exporter(OtlpHttpOptions options) {
  return std::make_shared<detail::OtlpHttpExporter>(std::move(options));
}

OtlpHttpStats otlp_http_stats(const Exporter& exporter) noexcept {
  const auto* otlp = dynamic_cast<const detail::OtlpHttpExporter*>(&exporter);
  return otlp != nullptr ? otlp->stats() : OtlpHttpStats{};
}

}  // namespace hotspan
