// The flight recorder: the ring keeps exactly the most recent spans within
// its budget however often it wraps, and a dump (dump_recent(), or
// request_dump() from a signal handler) is one complete binary trace that the
// reader accepts, with the tracer's resource and the redacted spans; failures
// are reported and counted, and the tracer carries on.
#include <catch2/catch.hpp>

#include <dirent.h>
#include <hotspan/hotspan.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "backend/flight_recorder.hpp"
#include "capture_exporter.hpp"
#include "hotspan/hotspan.hpp"
#include "sanitizer_build.hpp"
#include "stderr_capture.hpp"
#include "trace_file.hpp"

using namespace hotspan;
using hotspan_test::read_binary_trace;
using hotspan_test::ScratchFile;
using Status = BinaryTraceReader::Status;

namespace {

constexpr size_t kBudget = FlightRecorderOptions::kMinBytes;  // 64 KiB

TracerOptions recorder_options(size_t max_bytes = kBudget) {
  TracerOptions o;
  o.service_name = "recorder-test";
  o.flight_recorder.max_bytes = max_bytes;
  o.idle_sleep = std::chrono::microseconds(200);
  o.slots_per_thread = 32768;  // no pool drops while a test ends spans flat out
  return o;
}

// Ends `n` spans with two attributes on this thread; returns their ids in the
// order they ended (the order the exporter thread sees them).
std::vector<uint64_t> end_spans(Tracer& tracer, size_t n) {
  std::vector<uint64_t> ids;
  ids.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    Span span = tracer.start_span("relay.cell", SpanKind::server);
    span.set_attribute("cell.index", static_cast<int64_t>(i));
    span.set_attribute("cell.command", "RELAY_DATA");
    ids.push_back(span.context().span_id.value);
  }
  return ids;
}

// True when `dumped` is the last dumped.size() of `ended`, in order.
bool is_most_recent(const std::vector<uint64_t>& dumped, const std::vector<uint64_t>& ended) {
  return !dumped.empty() && dumped.size() <= ended.size() &&
         std::equal(dumped.begin(), dumped.end(), ended.end() - std::ssize(dumped));
}

std::string file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The files of `dir` whose names start with `prefix`.
std::vector<std::string> files_starting(const std::string& dir, const std::string& prefix) {
  std::vector<std::string> found;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (const dirent* e = ::readdir(d)) {
      if (std::string(e->d_name).starts_with(prefix)) found.push_back(dir + "/" + e->d_name);
    }
    ::closedir(d);
  }
  return found;
}

void remove_all(const std::vector<std::string>& paths) {
  for (const std::string& p : paths)
    std::remove(p.c_str());
}

}  // namespace

TEST_CASE(
    "flight recorder: the ring keeps exactly the most recent spans, within max_bytes, "
    "wrapping many times",
    "[flight_recorder]") {
  detail::FlightRecorder recorder(FlightRecorderOptions{kBudget, "unused"});
  Resource resource;
  resource.service_name = "ring";
  resource.attributes = {{"service.name", "ring"}};
  recorder.begin(resource);

  constexpr uint64_t kSpans = 200'000;
  constexpr size_t kBatch = 100;
  std::vector<AttributeView> attributes = {{"cell.index", int64_t{0}},
                                           {"cell.command", std::string_view("RELAY_DATA")}};
  std::vector<SpanRecord> batch(kBatch);
  size_t most_held = 0;
  bool over_budget = false;
  for (uint64_t next = 1; next <= kSpans;) {
    for (SpanRecord& r : batch) {
      r.trace_id.bytes[0] = 1;
      r.span_id = SpanId{next};
      r.name = next % 7 == 0 ? "relay.extend" : "relay.cell";
      r.start_unix_ns = 1'700'000'000'000'000'000 + next * 1000;
      r.end_unix_ns = r.start_unix_ns + 500;
      r.attributes = attributes;
      ++next;
    }
    recorder.record(batch);
    over_budget = over_budget || recorder.held_bytes() > kBudget;
    most_held = std::max(most_held, recorder.held_bytes());
  }
  CHECK_FALSE(over_budget);
  // Full, less at most one chunk (a sixteenth) evicted at a time.
  CHECK(recorder.held_bytes() >= kBudget - kBudget / 16 - 256);
  const uint64_t held = recorder.spans_held();
  CHECK(held * 10 < kSpans);  // it wrapped many times
  CHECK(held + recorder.spans_evicted() == kSpans);
  // A 2-attribute span takes well under 64 bytes.
  CHECK(recorder.held_bytes() / held < 40);

  ScratchFile file("ring.hsp");
  std::string error;
  REQUIRE(recorder.dump(file.path, RecordedLosses{0, 3, 0, 0, 0, 0}, error));
  CHECK(error.empty());
  std::string service;
  const auto back =
      read_binary_trace(file.path, [&](const SpanRecord& r) { CHECK(r.attributes.size() == 2); });
  CHECK(back.status == Status::complete);
  REQUIRE(back.spans == held);
  CHECK(back.declared_span_count == held);
  REQUIRE(back.recorded_losses.has_value());
  CHECK(back.recorded_losses->dropped_queue_full == 3);
  for (uint64_t i = 0; i < held; ++i)
    REQUIRE(back.span_ids[i] == kSpans - held + 1 + i);
  auto reader = BinaryTraceReader::open(file.path);
  REQUIRE(reader->read_header());
  CHECK(reader->resource().service_name == "ring");
  CHECK(recorder.dumps() == 1);
}

TEST_CASE("flight recorder: a span the ring cannot hold is counted as evicted",
          "[flight_recorder]") {
  detail::FlightRecorder recorder(FlightRecorderOptions{kBudget, "unused"});
  recorder.begin(Resource{});
  const std::string big(kBudget, 'x');  // its own chunk, over the whole budget
  SpanRecord r;
  r.trace_id.bytes[0] = 1;
  r.span_id = SpanId{1};
  r.name = "big";
  r.status_message = big;
  recorder.record(std::span(&r, 1));
  CHECK(recorder.spans_held() == 0);
  CHECK(recorder.spans_evicted() == 1);
  CHECK(recorder.held_bytes() <= kBudget);
}

TEST_CASE(
    "flight recorder: dump_recent() after N spans holds the most recent ones, "
    "and does not clear the ring",
    "[flight_recorder]") {
  auto capture = std::make_shared<hotspan_test::CaptureExporter>();
  TracerOptions options = recorder_options();
  options.exporter = capture;
  Tracer tracer(options);
  const std::vector<uint64_t> ended = end_spans(tracer, 20'000);

  ScratchFile first("recent_1.hsp");
  ScratchFile second("recent_2.hsp");
  std::string error;
  REQUIRE(tracer.dump_recent(first.path, &error));  // no flush: the dump drains first
  CHECK(error.empty());
  REQUIRE(tracer.dump_recent(second.path, &error));
  const auto a = read_binary_trace(first.path);
  const auto b = read_binary_trace(second.path);
  CHECK(a.status == Status::complete);
  CHECK(a.spans > 1000);  // 64 KiB of ~30-byte spans
  CHECK(a.spans < ended.size());
  CHECK(is_most_recent(a.span_ids, ended));
  CHECK(b.span_ids == a.span_ids);
  CHECK(a.declared_span_count == a.spans);
  CHECK(file_text(first.path).find("recorder-test") != std::string::npos);  // the resource

  // The exporter got everything; the recorder's evictions are not losses.
  REQUIRE(tracer.flush());
  const TracerStats s = tracer.stats();
  CHECK(capture->spans().size() == ended.size());
  CHECK(s.spans_exported == ended.size());
  CHECK(s.recorder_dumps == 2);
  CHECK(s.recorder_dump_failures == 0);
  CHECK(s.recorder_spans_evicted == ended.size() - a.spans);
  CHECK(s.spans_sampled == s.spans_exported + s.dropped_pool_exhausted + s.dropped_queue_full +
                               s.dropped_export_failed);
}

TEST_CASE("flight recorder: dumps while producers run are valid files", "[flight_recorder]") {
  // A small queue: the producers overload it (drops are counted), and the
  // drain before each dump stays short under a sanitizer too.
  TracerOptions options = recorder_options(size_t{1} << 20);
  options.queue_capacity = 4096;
  Tracer tracer(options);
  const auto timeout = std::chrono::seconds(hotspan_test::kSanitized ? 60 : 5);
  std::atomic<bool> stop{false};
  std::vector<std::thread> producers;
  for (int t = 0; t < 4; ++t) {
    producers.emplace_back([&] {
      while (!stop.load(std::memory_order_relaxed))
        end_spans(tracer, 64);
    });
  }
  std::vector<uint64_t> sizes;
  for (int i = 0; i < 5; ++i) {
    ScratchFile file("busy_" + std::to_string(i) + ".hsp");
    std::string error;
    const bool dumped = tracer.dump_recent(file.path, &error, timeout);
    CHECK(error == "");
    if (!dumped) break;
    const auto back = read_binary_trace(file.path);
    CHECK(back.status == Status::complete);
    CHECK(back.duplicate_ids() == 0);
    CHECK(back.declared_span_count == back.spans);
    sizes.push_back(back.spans);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop = true;
  for (std::thread& t : producers)
    t.join();
  CHECK(sizes.back() > 0);
  CHECK(tracer.stats().recorder_dumps == 5);
}

namespace {
Tracer* g_signal_tracer = nullptr;
extern "C" void dump_on_signal(int) {
  g_signal_tracer->request_dump();
}
}  // namespace

TEST_CASE("flight recorder: request_dump() from a signal handler writes a fresh file",
          "[flight_recorder]") {
  const std::string dir = "/tmp";
  const std::string prefix = "hotspan_signal_" + std::to_string(::getpid()) + ".hsp";
  TracerOptions options = recorder_options();
  options.flight_recorder.dump_path = dir + "/" + prefix;
  Tracer tracer(options);
  const std::vector<uint64_t> ended = end_spans(tracer, 500);

  g_signal_tracer = &tracer;
  struct sigaction action {};
  struct sigaction previous {};
  action.sa_handler = dump_on_signal;
  ::sigemptyset(&action.sa_mask);
  REQUIRE(::sigaction(SIGUSR1, &action, &previous) == 0);
  REQUIRE(std::raise(SIGUSR1) == 0);

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (tracer.stats().recorder_dumps == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::vector<std::string> files = files_starting(dir, prefix);
  REQUIRE(files.size() == 1);
  // "<dump_path>.<UTC time>.<pid>.<n>"
  CHECK(files[0].ends_with("Z." + std::to_string(::getpid()) + ".1"));
  const auto back = read_binary_trace(files[0]);
  CHECK(back.status == Status::complete);
  CHECK(back.span_ids == ended);  // all 500 fit, and they ended before the signal

  // A second request makes a second file; one asked for just before
  // shutdown is written by the final drain.
  REQUIRE(std::raise(SIGUSR1) == 0);
  tracer.shutdown();
  ::sigaction(SIGUSR1, &previous, nullptr);
  g_signal_tracer = nullptr;
  files = files_starting(dir, prefix);
  CHECK(files.size() == 2);
  CHECK(tracer.stats().recorder_dumps == 2);
  remove_all(files);
}

TEST_CASE("flight recorder: a dump to a bad path fails, is counted, and the tracer carries on",
          "[flight_recorder]") {
  auto capture = std::make_shared<hotspan_test::CaptureExporter>();
  TracerOptions options = recorder_options();
  options.exporter = capture;
  Tracer tracer(options);
  std::vector<uint64_t> ended = end_spans(tracer, 100);
  std::string error;
  CHECK_FALSE(tracer.dump_recent("/nonexistent-hotspan-dir/dump.hsp", &error));
  CHECK(error.find("/nonexistent-hotspan-dir/dump.hsp") != std::string::npos);
  CHECK(tracer.stats().recorder_dump_failures == 1);

  const std::vector<uint64_t> later = end_spans(tracer, 100);
  ended.insert(ended.end(), later.begin(), later.end());
  ScratchFile file("after_failure.hsp");
  REQUIRE(tracer.dump_recent(file.path, &error));
  const auto back = read_binary_trace(file.path);
  CHECK(back.status == Status::complete);
  CHECK(back.span_ids == ended);
  REQUIRE(tracer.flush());
  CHECK(capture->spans().size() == 200);
  CHECK(tracer.stats().recorder_dumps == 1);
  CHECK(tracer.stats().recorder_dump_failures == 1);
}

TEST_CASE("flight recorder: the recorder keeps the redacted spans", "[flight_recorder]") {
  TracerOptions options = recorder_options();
  options.redaction = RedactionPolicy::relay_default();
  Tracer tracer(options);
  {
    Span span = tracer.start_span("connect 192.0.2.1");
    span.set_attribute("net.peer.ip", "192.0.2.1");
    span.set_attribute("note", "from [2001:db8::1]:443");
  }
  ScratchFile file("redacted.hsp");
  REQUIRE(tracer.dump_recent(file.path));
  const std::string bytes = file_text(file.path);
  CHECK(bytes.find("192.0.2.1") == std::string::npos);
  CHECK(bytes.find("2001:db8") == std::string::npos);
  const auto back = read_binary_trace(file.path, [](const SpanRecord& r) {
    CHECK(r.name.starts_with("connect h:"));
    REQUIRE(r.attributes.size() == 2);
  });
  CHECK(back.spans == 1);
  CHECK(back.status == Status::complete);
}

TEST_CASE("flight recorder: off by default, dump_recent() says so and nothing is written",
          "[flight_recorder]") {
  Tracer tracer(TracerOptions{});
  end_spans(tracer, 10);
  ScratchFile file("off.hsp");
  std::string error;
  CHECK_FALSE(tracer.dump_recent(file.path, &error));
  CHECK(error.find("flight recorder is off") != std::string::npos);
  tracer.request_dump();  // a no-op
  REQUIRE(tracer.flush());
  CHECK(::access(file.path.c_str(), F_OK) != 0);
  const TracerStats s = tracer.stats();
  CHECK(s.recorder_dumps == 0);
  CHECK(s.recorder_dump_failures == 0);
  CHECK(s.recorder_spans_evicted == 0);

  // After shutdown, a recorder that was on refuses too.
  Tracer closed(recorder_options());
  closed.shutdown();
  CHECK_FALSE(closed.dump_recent(file.path, &error));
  CHECK(error.find("shut down") != std::string::npos);
}

TEST_CASE("flight recorder: nonsense options are refused", "[flight_recorder]") {
  auto message_of = [](TracerOptions o) -> std::string {
    try {
      Tracer t(std::move(o));
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "accepted";
  };
  CHECK_THAT(message_of(recorder_options(1000)),
             Catch::Contains("flight_recorder.max_bytes must be 0 (off) or in 65536.."));
  TracerOptions big_slots = recorder_options(size_t{512} << 10);
  big_slots.slot_bytes = 65536;  // a sixteenth of 512 KiB is half a slot
  CHECK_THAT(message_of(big_slots), Catch::Contains("in 1048576.."));
  TracerOptions no_path = recorder_options();
  no_path.flight_recorder.dump_path.clear();
  CHECK_THAT(message_of(no_path), Catch::Contains("dump_path must not be empty"));
  CHECK(message_of(recorder_options()) == "accepted");
}

TEST_CASE("flight recorder: HOTSPAN_RECORDER_BYTES and HOTSPAN_RECORDER_DUMP_PATH",
          "[flight_recorder][env]") {
  ::setenv("HOTSPAN_REDACTION", "off", 1);
  ::setenv("HOTSPAN_RECORDER_BYTES", "16777216", 1);
  ::setenv("HOTSPAN_RECORDER_DUMP_PATH", "/var/tmp/relay.hsp", 1);
  TracerOptions o = TracerOptions::from_env();
  CHECK(o.flight_recorder.max_bytes == 16777216);
  CHECK(o.flight_recorder.dump_path == "/var/tmp/relay.hsp");

  hotspan_options c;
  REQUIRE(hotspan_options_init(&c) == HOTSPAN_OK);
  CHECK(c.recorder_bytes == 0);
  CHECK(c.recorder_dump_path == nullptr);
  REQUIRE(hotspan_options_from_env(&c) == HOTSPAN_OK);
  CHECK(c.recorder_bytes == 16777216);
  CHECK(std::string(c.recorder_dump_path) == "/var/tmp/relay.hsp");

  for (const char* bad : {"lots", "1000", "-1", "16M", "2000000000000"}) {
    ::setenv("HOTSPAN_RECORDER_BYTES", bad, 1);
    hotspan_test::StderrCapture capture;
    CHECK(TracerOptions::from_env().flight_recorder.max_bytes == 0);
    CHECK_THAT(capture.text(), Catch::Contains("ignoring HOTSPAN_RECORDER_BYTES=\"" +
                                               std::string(bad) + "\": expected 0 (off)"));
  }
  ::setenv("HOTSPAN_RECORDER_BYTES", "0", 1);
  CHECK(TracerOptions::from_env().flight_recorder.max_bytes == 0);
  // The minimum follows the slot size the environment sets.
  ::setenv("HOTSPAN_SLOT_BYTES", "65536", 1);
  ::setenv("HOTSPAN_RECORDER_BYTES", "65536", 1);
  {
    hotspan_test::StderrCapture capture;
    CHECK(TracerOptions::from_env().flight_recorder.max_bytes == 0);
    CHECK_THAT(capture.text(), Catch::Contains("1048576.."));
  }
  ::unsetenv("HOTSPAN_SLOT_BYTES");
  ::unsetenv("HOTSPAN_RECORDER_BYTES");
  ::unsetenv("HOTSPAN_RECORDER_DUMP_PATH");
  ::unsetenv("HOTSPAN_REDACTION");
}
