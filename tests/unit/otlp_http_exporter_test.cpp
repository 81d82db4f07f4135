// hotspan tests — the OTLP/HTTP exporter against real receivers on loopback.
//
// Each test starts tests/otlp_receiver/otlp_receiver.mjs (Node.js, protobufjs
// and the official opentelemetry-proto schema; see that file) on a port the
// system picks, points a Tracer at it and reads back what the receiver
// decoded, one JSON line per request. One test runs @elastic/mockotlpserver
// itself. The tests are hidden ([.]) and run by ctest as otlp_http_receiver
// and otlp_http_faults, which provide HOTSPAN_NODE and the script paths and
// report SKIP when Node.js or the npm packages are missing.
//
// Retries are observed by counting attempts (the exporter's and the
// receiver's), never by timing; the one wall-clock check is a lower bound
// (a Retry-After of one second cannot have been honoured sooner), which load
// can only make larger.
#ifdef HOTSPAN_HAS_OTLP_HTTP

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <simdjson.h>
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "capture_exporter.hpp"
#include "hotspan/hotspan.hpp"
#include "refusing_port.hpp"
#include "stderr_capture.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using hotspan::OtlpHttpOptions;
using hotspan_test::CaptureExporter;
using hotspan_test::OwnedSpan;
using hotspan_test::OwnedValue;
using simdjson::dom::element;

std::string env_or_fail(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) {
    FAIL(name << " is not set: run this test through ctest (otlp_http_receiver, otlp_http_faults)");
  }
  return value;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> read_lines(const fs::path& path) {
  std::vector<std::string> lines;
  std::istringstream in(read_file(path));
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

// The receiver, a child process, for the lifetime of the object.
class Receiver {
 public:
  explicit Receiver(std::vector<std::string> options = {}) {
    const std::string node = env_or_fail("HOTSPAN_NODE");
    const std::string script = env_or_fail("HOTSPAN_OTLP_RECEIVER");
    std::string pattern = (fs::temp_directory_path() / "hotspan-otlp-http-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    _dir = pattern;
    std::vector<std::string> args = {
        node,    script,         "--port-file", (_dir / "port").string(),
        "--out", out().string(), "--bodies",    bodies().string()};
    args.insert(args.end(), options.begin(), options.end());
    std::vector<char*> argv;
    for (std::string& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    REQUIRE(::posix_spawn(&_pid, node.c_str(), nullptr, nullptr, argv.data(), environ) == 0);
    // The receiver writes its port once it listens (bounded: 30 s).
    for (int i = 0; i < 3000 && !fs::exists(_dir / "port"); ++i) {
      REQUIRE(still_running());
      std::this_thread::sleep_for(10ms);
    }
    REQUIRE(fs::exists(_dir / "port"));
    _port = std::stoi(read_file(_dir / "port"));
  }
  ~Receiver() {
    ::kill(_pid, SIGTERM);
    int status = 0;
    ::waitpid(_pid, &status, 0);
    std::error_code ignored;
    fs::remove_all(_dir, ignored);
  }
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(_port); }
  fs::path out() const { return _dir / "requests.jsonl"; }
  fs::path bodies() const { return _dir / "bodies.jsonl"; }

  // The receiver's lines once there are `count` (waits at most 30 s).
  std::vector<std::string> lines(size_t count) const {
    std::vector<std::string> got;
    for (int i = 0; i < 3000; ++i) {
      if (fs::exists(out()) && (got = read_lines(out())).size() >= count) break;
      std::this_thread::sleep_for(10ms);
    }
    return got;
  }

 private:
  bool still_running() {
    int status = 0;
    return ::waitpid(_pid, &status, WNOHANG) == 0;
  }

  fs::path _dir;
  pid_t _pid = 0;
  int _port = 0;
};

OtlpHttpOptions fast_options(const std::string& endpoint) {
  OtlpHttpOptions o;
  o.endpoint = endpoint;
  o.timeout = 5s;
  o.initial_backoff = 20ms;
  o.max_backoff = 200ms;
  o.shutdown_timeout = 5s;
  return o;
}

struct Run {
  std::vector<OwnedSpan> spans;  // as the tracer gave them to the exporters
  hotspan::Resource resource;
  hotspan::TracerStats stats;
  hotspan::OtlpHttpStats otlp;
};

// Records spans covering every field and attribute type, through a tracer
// exporting to `otlp` and to a capture exporter.
Run record_everything(std::shared_ptr<hotspan::Exporter> otlp) {
  auto capture = std::make_shared<CaptureExporter>();
  hotspan::TracerOptions options;
  options.service_name = "otlp-http-test";
  options.resource = {{"deployment.environment", "test"}, {"host.name", "bad\xff-host"}};
  options.exporter = hotspan::multi_exporter({capture, otlp});
  options.max_attributes_per_span = 12;
  options.max_events_per_span = 3;
  {
    hotspan::Tracer tracer(std::move(options));
    {
      auto root = tracer.start_span("root \xff name", hotspan::SpanKind::server);
      root.set_attribute("bool.true", true)
          .set_attribute("bool.false", false)
          .set_attribute("int.max", std::numeric_limits<int64_t>::max())
          .set_attribute("int.min", std::numeric_limits<int64_t>::min())
          .set_attribute("int.zero", 0)
          .set_attribute("double", 1.5)
          .set_attribute("double.nan", std::numeric_limits<double>::quiet_NaN())
          .set_attribute("double.inf", std::numeric_limits<double>::infinity())
          .set_attribute("double.neg_inf", -std::numeric_limits<double>::infinity())
          .set_attribute("string", "plain")
          .set_attribute("string.invalid", "a\xff\xfe z")
          .set_attribute("string.empty", "");
      root.add_event("event", {{"event.n", 7}, {"event.s", "x"}});
      root.set_status(hotspan::StatusCode::error, "boom");
      hotspan::Scope scope(root);
      auto child = tracer.start_span("child", hotspan::SpanKind::client);
      for (int i = 0; i < 15; ++i)  // over the limit of 12: 3 dropped
        child.set_attribute("k" + std::to_string(i), i);
      child.set_status(hotspan::StatusCode::ok);
      auto events = tracer.start_span("events", hotspan::SpanKind::producer);
      for (int i = 0; i < 5; ++i)  // over the limit of 3: 2 dropped
        events.add_event("e");
      events.set_status(hotspan::StatusCode::cancelled, "stop");
      tracer.start_span("consumer", hotspan::SpanKind::consumer).end();
    }
    tracer.shutdown();
    Run run{capture->spans(), capture->resource(), tracer.stats(), hotspan::otlp_http_stats(*otlp)};
    return run;
  }
}

std::string str(element e) {
  return std::string(std::string_view(e));
}

// OTLP's SpanKind: internal 1 ... consumer 5, in hotspan's order.
int64_t hotspan_kind(hotspan::SpanKind kind) {
  return static_cast<int64_t>(kind) + 1;
}

std::string_view value_type(element any) {
  return std::string_view(any["value"]);
}

// What OTLP carries for a string: valid UTF-8, ill-formed bytes as U+FFFD.
// The test's strings hold ASCII and the bytes 0xFE and 0xFF (never valid in
// UTF-8, one U+FFFD each) only.
std::string repaired(std::string_view s) {
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0xfe) {
      out += "\xEF\xBF\xBD";
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

void check_value(element any, const OwnedValue& expected) {
  INFO("AnyValue " << simdjson::to_string(any));
  if (const auto* b = std::get_if<bool>(&expected)) {
    REQUIRE(value_type(any) == "boolValue");
    CHECK(bool(any["boolValue"]) == *b);
  } else if (const auto* i = std::get_if<int64_t>(&expected)) {
    REQUIRE(value_type(any) == "intValue");
    CHECK(str(any["intValue"]) == std::to_string(*i));
  } else if (const auto* d = std::get_if<double>(&expected)) {
    REQUIRE(value_type(any) == "doubleValue");
    if (std::isnan(*d)) {
      CHECK(str(any["doubleValue"]) == "NaN");
    } else if (std::isinf(*d)) {
      CHECK(str(any["doubleValue"]) == (*d > 0 ? "Infinity" : "-Infinity"));
    } else {
      CHECK(double(any["doubleValue"]) == *d);
    }
  } else {
    REQUIRE(value_type(any) == "stringValue");
    CHECK(str(any["stringValue"]) == repaired(std::get<std::string>(expected)));
  }
}

void check_key_values(element list, const std::vector<std::pair<std::string, OwnedValue>>& want) {
  const simdjson::dom::array kvs = list;
  REQUIRE(kvs.size() == want.size());
  size_t i = 0;
  for (const element kv : kvs) {
    CHECK(str(kv["key"]) == want[i].first);
    check_value(kv["value"], want[i].second);
    ++i;
  }
}

// A decoded ExportTraceServiceRequest (normalized by the receiver) holds
// exactly `want`, every field of every span, under `resource`.
void check_request(element request, const std::vector<OwnedSpan>& want,
                   const hotspan::Resource& resource) {
  const simdjson::dom::array resource_spans = request["resourceSpans"];
  size_t next = 0;
  for (const element rs : resource_spans) {
    const simdjson::dom::array attributes = rs["resource"]["attributes"];
    REQUIRE(attributes.size() == resource.attributes.size());
    size_t i = 0;
    for (const element kv : attributes) {
      CHECK(str(kv["key"]) == resource.attributes[i].first);
      CHECK(str(kv["value"]["stringValue"]) == repaired(resource.attributes[i].second));
      ++i;
    }
    for (const element ss : simdjson::dom::array(rs["scopeSpans"])) {
      CHECK(str(ss["scope"]["name"]) == "hotspan");
      CHECK(str(ss["scope"]["version"]) == hotspan::version_string);
      for (const element span : simdjson::dom::array(ss["spans"])) {
        REQUIRE(next < want.size());
        const OwnedSpan& w = want[next++];
        INFO("span " << w.name);
        CHECK(str(span["traceId"]) == w.trace_id.to_hex());
        CHECK(str(span["spanId"]) == w.span_id.to_hex());
        if (w.parent_span_id.valid()) {
          CHECK(str(span["parentSpanId"]) == w.parent_span_id.to_hex());
        } else {
          CHECK(span["parentSpanId"].error() == simdjson::NO_SUCH_FIELD);
        }
        CHECK(str(span["name"]) == repaired(w.name));
        CHECK(int64_t(span["kind"]) == hotspan_kind(w.kind));
        CHECK(str(span["startTimeUnixNano"]) == std::to_string(w.start_unix_ns));
        CHECK(str(span["endTimeUnixNano"]) == std::to_string(w.end_unix_ns));
        check_key_values(span["attributes"], w.attributes);
        const simdjson::dom::array events = span["events"];
        REQUIRE(events.size() == w.events.size());
        size_t e = 0;
        for (const element event : events) {
          CHECK(str(event["name"]) == w.events[e].name);
          CHECK(str(event["timeUnixNano"]) == std::to_string(w.events[e].time_unix_ns));
          check_key_values(event["attributes"], w.events[e].attributes);
          ++e;
        }
        const auto count = [&](const char* field) -> uint64_t {
          uint64_t n = 0;
          return span[field].get(n) == simdjson::SUCCESS ? n : 0;  // proto3 omits zero
        };
        CHECK(count("droppedAttributesCount") == w.dropped_attributes);
        CHECK(count("droppedEventsCount") == w.dropped_events);
        int64_t code = 0;
        std::string_view message;
        // proto3 omits an unset code and an empty message.
        if (span["status"]["code"].get(code) != simdjson::SUCCESS) code = 0;
        if (span["status"]["message"].get(message) != simdjson::SUCCESS) message = {};
        switch (w.status) {
          case hotspan::StatusCode::unset:
            CHECK(code == 0);
            break;
          case hotspan::StatusCode::ok:
            CHECK(code == 1);
            break;
          case hotspan::StatusCode::error:
            CHECK(code == 2);
            break;
          case hotspan::StatusCode::cancelled:
            CHECK(code == 2);
            CHECK(message.starts_with("cancelled"));
            break;
        }
        if (w.status != hotspan::StatusCode::cancelled) CHECK(message == w.status_message);
      }
    }
  }
  CHECK(next == want.size());
}

// The receiver's lines decoded without error and, together, in order, hold
// exactly the spans of `run`, every field checked; `each` sees every record
// first.
template <class F>
void check_received(const std::vector<std::string>& lines, const Run& run, F&& each) {
  std::vector<OwnedSpan> remaining = run.spans;
  for (const std::string& line : lines) {
    INFO("request as the receiver decoded it: " << line);
    simdjson::dom::parser parser;
    element record;
    REQUIRE(parser.parse(line).get(record) == simdjson::SUCCESS);
    REQUIRE(record["error"].error() == simdjson::NO_SUCH_FIELD);
    each(record);
    const size_t spans = uint64_t(record["spans"]);
    REQUIRE(spans <= remaining.size());
    check_request(record["request"],
                  std::vector<OwnedSpan>(remaining.begin(), remaining.begin() + spans),
                  run.resource);
    remaining.erase(remaining.begin(), remaining.begin() + spans);
  }
  CHECK(remaining.empty());
}

}  // namespace

TEST_CASE("otlp http: every field reaches a real receiver, in each encoding", "[.][otlp_http]") {
  struct Config {
    const char* name;
    OtlpHttpOptions::Encoding encoding;
    OtlpHttpOptions::Compression compression;
  };
  const Config configs[] = {
      {"protobuf", OtlpHttpOptions::Encoding::protobuf, OtlpHttpOptions::Compression::none},
      {"json", OtlpHttpOptions::Encoding::json, OtlpHttpOptions::Compression::none},
      {"protobuf+gzip", OtlpHttpOptions::Encoding::protobuf, OtlpHttpOptions::Compression::gzip},
      {"json+gzip", OtlpHttpOptions::Encoding::json, OtlpHttpOptions::Compression::gzip},
  };
  for (const Config& config : configs) {
    INFO("encoding " << config.name);
    Receiver receiver;
    OtlpHttpOptions options = fast_options(receiver.endpoint());
    options.encoding = config.encoding;
    options.compression = config.compression;
    options.headers = {{"x-hotspan-test", config.name}};
    const Run run = record_everything(hotspan::otlp_http_exporter(options));
    REQUIRE(run.spans.size() == 4);
    CHECK(run.otlp.spans_sent == 4);
    CHECK(run.otlp.spans_failed == 0);
    CHECK(run.otlp.requests_failed == 0);
    CHECK(run.stats.spans_exported == 4);
    CHECK(run.stats.bytes_written == run.otlp.bytes_sent);

    const std::vector<std::string> lines = receiver.lines(run.otlp.requests_sent);
    REQUIRE(lines.size() == run.otlp.requests_sent);
    const bool json = config.encoding == OtlpHttpOptions::Encoding::json;
    check_received(lines, run, [&](element record) {
      CHECK(str(record["method"]) == "POST");
      CHECK(str(record["url"]) == "/v1/traces");
      CHECK(str(record["headers"]["content-type"]) ==
            (json ? "application/json" : "application/x-protobuf"));
      CHECK(str(record["headers"]["x-hotspan-test"]) == config.name);
      CHECK(str(record["headers"]["user-agent"]).starts_with("hotspan/"));
      if (config.compression == OtlpHttpOptions::Compression::gzip) {
        CHECK(str(record["headers"]["content-encoding"]) == "gzip");
      } else {
        CHECK(record["headers"]["content-encoding"].error() == simdjson::NO_SUCH_FIELD);
      }
    });

    if (config.encoding == OtlpHttpOptions::Encoding::json) {
      // The bodies also pass the strict OTLP/JSON decoder of the file format's tests.
      const std::string command = "'" + env_or_fail("HOTSPAN_NODE") + "' '" +
                                  env_or_fail("HOTSPAN_OTLP_DECODER") + "' '" +
                                  receiver.bodies().string() + "' >/dev/null";
      CHECK(std::system(command.c_str()) == 0);
    }
  }
}

TEST_CASE("otlp http: @elastic/mockotlpserver accepts the requests", "[.][otlp_http]") {
  for (const auto encoding :
       {OtlpHttpOptions::Encoding::protobuf, OtlpHttpOptions::Encoding::json}) {
    Receiver receiver({"--mock"});
    OtlpHttpOptions options = fast_options(receiver.endpoint());
    options.encoding = encoding;
    const Run run = record_everything(hotspan::otlp_http_exporter(options));
    CHECK(run.otlp.spans_sent == 4);
    CHECK(run.otlp.requests_failed == 0);
    const std::vector<std::string> lines = receiver.lines(run.otlp.requests_sent);
    REQUIRE(lines.size() == run.otlp.requests_sent);
    check_received(lines, run, [](element) {});
  }
}

// ---------------------------------------------------------------- faults

namespace {

// `spans` root spans from a producer thread, then shutdown; the producer must
// finish whatever the network does (it never waits on the exporter). Before
// the shutdown, waits (30 s at most) until the exporter has settled every
// span: sent, given up or refused, so that retries run their normal course
// rather than shutdown's.
Run produce(std::shared_ptr<hotspan::Exporter> otlp, int spans, size_t batch_size = 512) {
  hotspan::TracerOptions options;
  options.service_name = "otlp-http-faults";
  options.exporter = otlp;
  options.export_batch_size = batch_size;
  options.shutdown_timeout = 60s;  // the exporter's own bounds must end it well before
  hotspan::Tracer tracer(std::move(options));
  std::thread producer([&] {
    for (int i = 0; i < spans; ++i)
      tracer.start_span("op").set_attribute("i", i);
  });
  producer.join();
  (void)tracer.flush(10s);  // false while a request waits for its retry
  for (int i = 0; i < 3000; ++i) {
    const hotspan::OtlpHttpStats s = hotspan::otlp_http_stats(*otlp);
    if (s.spans_sent + s.spans_failed + s.spans_rejected >= tracer.stats().spans_sampled) break;
    std::this_thread::sleep_for(10ms);
  }
  tracer.shutdown();
  Run run;
  run.stats = tracer.stats();
  run.otlp = hotspan::otlp_http_stats(*otlp);
  return run;
}

// Every sampled span is accounted for, by the tracer and by the exporter: the
// spans of requests given up after export_batch() accepted them are export
// failures in stats() too (Exporter::spans_failed_after_export()).
void check_accounting(const Run& run) {
  hotspan_test::require_invariant(run.stats);
  CHECK(run.stats.dropped_export_failed == run.otlp.spans_rejected + run.otlp.spans_failed);
  CHECK(run.stats.spans_exported == run.otlp.spans_sent);
}

uint64_t status_of(const std::string& line) {
  simdjson::dom::parser parser;
  return uint64_t(parser.parse(line)["status"]);
}

uint64_t spans_in(const std::string& line) {
  simdjson::dom::parser parser;
  return uint64_t(parser.parse(line)["spans"]);
}

// Spans the receiver got in requests it answered with `status`.
uint64_t spans_answered(const std::vector<std::string>& lines, uint64_t status) {
  uint64_t n = 0;
  for (const std::string& line : lines) {
    simdjson::dom::parser parser;
    const element record = parser.parse(line);
    if (uint64_t(record["status"]) == status) n += uint64_t(record["spans"]);
  }
  return n;
}

}  // namespace

TEST_CASE("otlp http: receiver down: failures counted, producers and shutdown never stuck",
          "[.][otlp_http_faults]") {
  const hotspan_test::RefusingPort port;
  OtlpHttpOptions options = fast_options(port.url());
  options.max_attempts = 3;
  const auto otlp = hotspan::otlp_http_exporter(options);
  const Run run = produce(otlp, 2000, 100);
  check_accounting(run);
  CHECK(run.stats.spans_sampled == 2000);
  CHECK(run.otlp.spans_sent == 0);
  CHECK(run.otlp.requests_sent == 0);
  CHECK(run.otlp.spans_failed + run.otlp.spans_rejected == 2000);
  CHECK(run.otlp.requests_failed >= 1);
  // Every request given up before shutdown used its three attempts; those
  // given up during shutdown got one more, with no delay, at most.
  CHECK(run.otlp.attempts >= run.otlp.requests_failed);
  CHECK(run.otlp.attempts <= 3 * run.otlp.requests_failed);
  CHECK(run.stats.bytes_written == 0);
}

TEST_CASE("otlp http: a slow receiver times the attempt out; the request is counted as failed",
          "[.][otlp_http_faults]") {
  Receiver receiver({"--delay-ms", "3000"});
  OtlpHttpOptions options = fast_options(receiver.endpoint());
  options.timeout = 300ms;
  options.max_attempts = 2;
  const auto otlp = hotspan::otlp_http_exporter(options);
  const Run run = produce(otlp, 10);
  check_accounting(run);
  // The tracer may hand the ten spans over in more than one batch; each
  // request fails. The first used both attempts; a later one may have been
  // given up after one, during shutdown.
  CHECK(run.otlp.requests_failed >= 1);
  CHECK(run.otlp.attempts >= 2);
  CHECK(run.otlp.attempts <= 2 * run.otlp.requests_failed);
  CHECK(run.otlp.spans_failed == 10);
  CHECK(run.otlp.spans_sent == 0);
  // Every attempt arrived; no answer came in time.
  CHECK(receiver.lines(run.otlp.attempts).size() == run.otlp.attempts);
}

TEST_CASE("otlp http: shutdown aborts a transfer that outlives shutdown_timeout",
          "[.][otlp_http_faults]") {
  Receiver receiver({"--delay-ms", "60000"});
  OtlpHttpOptions options = fast_options(receiver.endpoint());
  options.timeout = 50s;
  options.shutdown_timeout = 100ms;
  options.max_spans_per_request = 1;  // two requests: one in flight, one queued behind it
  const auto otlp = hotspan::otlp_http_exporter(options);
  otlp->start(hotspan::Resource{});
  std::vector<hotspan::SpanRecord> records(2);
  records[0].trace_id.bytes[0] = records[1].trace_id.bytes[0] = 1;
  records[0].span_id = hotspan::SpanId{1};
  records[1].span_id = hotspan::SpanId{2};
  REQUIRE(otlp->export_batch(records));
  REQUIRE(receiver.lines(1).size() == 1);  // the first request is in flight
  otlp->shutdown();  // no flush: 100 ms, then the abort (50 s would fail the ctest timeout)
  const hotspan::OtlpHttpStats s = hotspan::otlp_http_stats(*otlp);
  CHECK(s.attempts == 1);  // the request behind the aborted one is not tried
  CHECK(s.requests_failed == 2);
  CHECK(s.spans_failed == 2);
}

TEST_CASE("otlp http: 503 is retried with backoff; the batch arrives once",
          "[.][otlp_http_faults]") {
  SECTION("without Retry-After: exponential backoff") {
    Receiver receiver({"--responses", "503,503"});
    const auto otlp = hotspan::otlp_http_exporter(fast_options(receiver.endpoint()));
    const Run run = produce(otlp, 25);
    check_accounting(run);
    // The first request is refused twice, then accepted; any later one (the
    // tracer may use several batches) goes through at once.
    CHECK(run.otlp.attempts == run.otlp.requests_sent + 2);
    CHECK(run.otlp.requests_failed == 0);
    CHECK(run.otlp.spans_sent == 25);
    const auto lines = receiver.lines(run.otlp.attempts);
    REQUIRE(lines.size() == run.otlp.attempts);
    REQUIRE(lines.size() >= 3);
    CHECK(status_of(lines[0]) == 503);
    CHECK(status_of(lines[1]) == 503);
    CHECK(status_of(lines[2]) == 200);
    CHECK(spans_answered(lines, 200) == 25);          // each span accepted exactly once
    CHECK(spans_in(lines[1]) == spans_in(lines[0]));  // the same request, again
    CHECK(spans_in(lines[2]) == spans_in(lines[0]));
  }
  SECTION("with Retry-After: the server's delay, not the backoff") {
    Receiver receiver({"--responses", "503@1,200"});
    OtlpHttpOptions options = fast_options(receiver.endpoint());
    options.initial_backoff = 1ms;
    options.max_backoff = 5s;
    const auto otlp = hotspan::otlp_http_exporter(options);
    const auto begin = std::chrono::steady_clock::now();
    const Run run = produce(otlp, 5);
    const auto elapsed = std::chrono::steady_clock::now() - begin;
    check_accounting(run);
    CHECK(run.otlp.attempts == run.otlp.requests_sent + 1);
    CHECK(run.otlp.spans_sent == 5);
    const auto lines = receiver.lines(run.otlp.attempts);
    CHECK(lines.size() == run.otlp.attempts);
    CHECK(spans_answered(lines, 200) == 5);
    CHECK(elapsed >= 1s);  // a lower bound only: 1 ms of backoff would have been faster
  }
}

TEST_CASE("otlp http: 400 is not retried, and counted", "[.][otlp_http_faults]") {
  Receiver receiver({"--responses", "400"});
  const auto otlp = hotspan::otlp_http_exporter(fast_options(receiver.endpoint()));
  const Run run = produce(otlp, 7);
  check_accounting(run);
  CHECK(run.otlp.requests_failed == 1);
  CHECK(run.otlp.attempts == run.otlp.requests_failed + run.otlp.requests_sent);  // no retry
  CHECK(run.otlp.spans_failed + run.otlp.spans_sent == 7);
  const auto lines = receiver.lines(run.otlp.attempts);
  REQUIRE(lines.size() == run.otlp.attempts);
  CHECK(status_of(lines[0]) == 400);
  CHECK(spans_answered(lines, 400) == run.otlp.spans_failed);
  CHECK(run.otlp.spans_failed >= 1);
}

TEST_CASE("otlp http: a collector's error body reaches stderr escaped and bounded",
          "[.][otlp_http_faults]") {
  // Sets the terminal's title, rings its bell, clears the screen and returns
  // the cursor to overwrite the line, then floods it.
  const std::string hostile =
      "\x1b]0;pwned\x07\x1b[2J\rhotspan: all good\x7f" + std::string(20000, 'A');
  std::string hex;
  for (const char c : hostile) {
    constexpr char kDigits[] = "0123456789abcdef";
    hex += kDigits[static_cast<unsigned char>(c) >> 4];
    hex += kDigits[static_cast<unsigned char>(c) & 15];
  }
  Receiver receiver({"--responses", "400", "--error-body-hex", hex});
  hotspan_test::StderrCapture capture;
  const Run run = produce(hotspan::otlp_http_exporter(fast_options(receiver.endpoint())), 3);
  const std::string text = capture.text();
  CHECK(run.otlp.requests_failed >= 1);
  const size_t at = text.find("OTLP export to");
  REQUIRE(at != std::string::npos);
  const std::string line = text.substr(at, text.find('\n', at) - at);
  INFO(line);
  CHECK(std::count_if(line.begin(), line.end(), [](char c) {
          return static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f;
        }) == 0);
  CHECK(line.find("HTTP 400: \\x1B]0;pwned\\x07\\x1B[2J\\x0Dhotspan: all good\\x7FAAA") !=
        std::string::npos);
  CHECK(line.size() < 1000);
}

TEST_CASE("otlp http: a partial success counts the spans the collector rejected",
          "[.][otlp_http_faults]") {
  for (const auto encoding :
       {OtlpHttpOptions::Encoding::protobuf, OtlpHttpOptions::Encoding::json}) {
    Receiver receiver({"--responses", "200!1"});
    OtlpHttpOptions options = fast_options(receiver.endpoint());
    options.encoding = encoding;
    const Run run = produce(hotspan::otlp_http_exporter(options), 6);
    check_accounting(run);
    CHECK(run.otlp.requests_failed == 0);
    CHECK(run.otlp.attempts == run.otlp.requests_sent);  // not retried
    CHECK(run.otlp.spans_failed == 1);
    CHECK(run.otlp.spans_sent == 5);
  }
}

TEST_CASE("otlp http: the bounded retry queue drops what does not fit, counted exactly",
          "[.][otlp_http_faults]") {
  const hotspan_test::RefusingPort port;
  OtlpHttpOptions options = fast_options(port.url());
  options.max_queued_requests = 3;
  options.max_spans_per_request = 1;  // one request per span, so nothing merges
  options.initial_backoff = 60s;      // the first request waits for its retry until shutdown
  options.max_backoff = 60s;
  const auto otlp = hotspan::otlp_http_exporter(options);
  otlp->start(hotspan::Resource{});
  std::vector<hotspan::SpanRecord> records(5);
  for (size_t i = 0; i < records.size(); ++i) {
    records[i].trace_id.bytes[0] = 1;
    records[i].span_id = hotspan::SpanId{i + 1};
    records[i].name = "queued";
  }
  const std::span<const hotspan::SpanRecord> all(records);
  CHECK(otlp->export_batch(all.subspan(0, 1)));
  CHECK(otlp->export_batch(all.subspan(1, 2)));  // the queue is full: 1 in flight + 2
  CHECK_FALSE(otlp->export_batch(all.subspan(3, 1)));
  CHECK_FALSE(otlp->export_batch(all.subspan(3, 2)));
  CHECK_FALSE(otlp->flush());  // the head waits for its retry: flush says so at once
  CHECK(hotspan::otlp_http_stats(*otlp).spans_rejected == 3);
  otlp->shutdown();  // cuts the backoff short: one last attempt each, refused
  const hotspan::OtlpHttpStats s = hotspan::otlp_http_stats(*otlp);
  CHECK(s.spans_rejected == 3);
  CHECK(s.spans_failed == 3);
  CHECK(s.requests_failed == 3);
  CHECK(s.spans_sent == 0);
  CHECK_FALSE(otlp->export_batch(all.subspan(0, 1)));  // after shutdown
  CHECK(hotspan::otlp_http_stats(*otlp).spans_rejected == 4);
}

#endif  // HOTSPAN_HAS_OTLP_HTTP
