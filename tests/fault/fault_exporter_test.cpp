// Exporters that fail in ways the unit tests of tracer_test.cpp (a batch
// returning false or throwing) and binary_format_test.cpp / exporters_test.cpp
// (/dev/full, a closed pipe) do not cover: a sink whose descriptor is closed
// under it, and an exporter that blocks. In both the engine carries on, counts
// what it loses, and shutdown() returns.
#include <unistd.h>
#include <catch2/catch.hpp>
#include <hotspan/hotspan.hpp>

#include <chrono>
#include <cstring>
#include <memory>
#include <thread>

#include "capture_exporter.hpp"
#include "forked_child.hpp"
#include "gated_exporter.hpp"
#include "sanitizer_build.hpp"

using namespace hotspan;
using hotspan_test::GatedExporter;

TEST_CASE("stdout_exporter with fd 1 closed: every batch counted as failed, shutdown returns",
          "[fault][exporter]") {
  // The child starts the tracer's exporter thread, which ThreadSanitizer does
  // not support in the child of a multi-threaded process (see fork_test.cpp).
  if (hotspan_test::kThreadSanitizer) {
    WARN("skipped under ThreadSanitizer: the child would start threads after fork()");
    return;
  }
  // Closing fd 1 is done in a child so that the test binary's own output is
  // untouched; the child sends its stats back through a pipe.
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  const pid_t pid = hotspan_test::fork_child([&] {
    ::close(pipe_fds[0]);
    ::close(STDOUT_FILENO);  // a daemon whose stdout was closed
    TracerStats stats[2];
    int failures = 0;
    {
      TracerOptions o;
      o.exporter = stdout_exporter(/*pretty=*/false);
      o.export_batch_size = 8;
      Tracer tracer(o);
      for (int i = 0; i < 100; ++i)
        tracer.start_span("to-closed-fd").set_attribute("i", i);
      failures += tracer.flush() ? 1 : 0;  // the sink failed: flush says so
      stats[0] = tracer.stats();
      for (int i = 0; i < 100; ++i)  // the engine carries on
        Span s = tracer.start_span("after-failure");
      tracer.shutdown();
      stats[1] = tracer.stats();
    }
    if (::write(pipe_fds[1], stats, sizeof(stats)) != static_cast<ssize_t>(sizeof(stats)))
      ++failures;
    ::close(pipe_fds[1]);
    return failures;
  });
  REQUIRE(pid > 0);
  ::close(pipe_fds[1]);
  TracerStats stats[2];
  const ssize_t n = ::read(pipe_fds[0], stats, sizeof(stats));
  ::close(pipe_fds[0]);
  const auto status = hotspan_test::wait_for_child(pid, std::chrono::seconds(60));
  REQUIRE(status.has_value());  // shutdown() returned: the child exited on its own
  REQUIRE(WIFEXITED(*status));
  CHECK(WEXITSTATUS(*status) == 0);
  REQUIRE(n == static_cast<ssize_t>(sizeof(stats)));
  CHECK(stats[0].spans_sampled == 100);
  CHECK(stats[0].dropped_export_failed == 100);
  CHECK(stats[0].spans_exported == 0);
  CHECK(stats[0].bytes_written == 0);
  CHECK(stats[1].spans_sampled == 200);
  CHECK(stats[1].dropped_export_failed == 200);
  CHECK(stats[1].spans_exported == 0);
  hotspan_test::require_invariant(stats[0]);
  hotspan_test::require_invariant(stats[1]);
}

TEST_CASE("an exporter blocked in export_batch: producers go on, drops exact, shutdown returns",
          "[fault][exporter][shutdown]") {
  constexpr int kThreads = 2;
  const int per_thread = hotspan_test::scaled(20'000, 5'000);
  auto capture = std::make_shared<hotspan_test::CaptureExporter>();
  capture->count_only();
  // The gate stands for a sink stuck for seconds (a hung NFS mount, a stalled
  // collector). Its safety limit is far beyond the shutdown timeout, so the
  // test, not the limit, is what lets it go.
  auto gate = std::make_shared<GatedExporter>(capture, std::chrono::seconds(60));
  TracerOptions o;
  o.exporter = gate;
  o.slots_per_thread = 128;
  o.queue_capacity = 64;
  o.export_batch_size = 16;
  o.shutdown_timeout = std::chrono::milliseconds(200);
  Tracer tracer(o);

  const auto calls_returned =
      hotspan_test::produce_while_held(tracer, *gate, kThreads, per_thread, "while-blocked");
  REQUIRE(calls_returned.has_value());
  const uint64_t produced = static_cast<uint64_t>(kThreads) * per_thread;
  CHECK(*calls_returned == produced);
  CHECK(gate->held());  // they all returned while the exporter was blocked
  const TracerStats blocked = tracer.stats();
  CHECK(blocked.dropped_pool_exhausted + blocked.dropped_queue_full > 0);
  CHECK(blocked.spans_exported == 0);

  // flush() gives up after its timeout instead of waiting for the sink.
  CHECK_FALSE(tracer.flush(std::chrono::milliseconds(50)));
  // shutdown() gives up after shutdown_timeout: it returns while the exporter
  // is still blocked (the exporter thread is left to finish on its own).
  tracer.shutdown();
  CHECK(gate->held());
  CHECK_FALSE(gate->timed_out());
  CHECK_FALSE(tracer.exporter_stopped());  // what tells the caller the sink is still in use
  CHECK_FALSE(tracer.start_span("after-shutdown").is_recording());

  // Released, the exporter thread writes what was queued, then shuts the
  // exporter down; every sampled span is then exported or counted as dropped.
  gate->open();
  REQUIRE(gate->wait_for_shutdown(std::chrono::seconds(30)));
  for (int i = 0; i < 30'000 && !tracer.exporter_stopped(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  CHECK(tracer.exporter_stopped());
  const TracerStats st = tracer.stats();
  CHECK(st.spans_started == produced + 2);
  CHECK(st.spans_sampled == produced + 1);
  CHECK(st.spans_exported == capture->count());
  CHECK(st.spans_exported > 0);
  CHECK(st.dropped_export_failed == 0);
  hotspan_test::require_invariant(st);
  CHECK(capture->shutdowns() == 1);
}
