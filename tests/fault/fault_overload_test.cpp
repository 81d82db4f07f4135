// Overload with the exporter thread held: producers run flat out against a tiny
// queue that nobody drains, every one of their calls returns (they never wait
// for the exporter), the drops are exact, and the binary file written once the
// exporter is let go reads back whole, its recorded losses equal to stats().
// (concurrency_test.cpp's overload test has the exporter running; here it is
// stopped at a gate for the whole time the producers run.)
#include <catch2/catch.hpp>
#include <hotspan/hotspan.hpp>
#include <hotspan/reader.hpp>

#include <memory>

#include "capture_exporter.hpp"
#include "gated_exporter.hpp"
#include "sanitizer_build.hpp"
#include "trace_file.hpp"

using namespace hotspan;
using hotspan_test::GatedExporter;
using Status = BinaryTraceReader::Status;

TEST_CASE("overload with the exporter held: callers never block, drops exact, file readable",
          "[fault][overload]") {
  constexpr int kThreads = 4;
  const int per_thread = hotspan_test::scaled(50'000, 10'000);
  constexpr size_t kSlots = 64;
  hotspan_test::ScratchFile file("overload.bin");
  auto gate = std::make_shared<GatedExporter>(file_exporter(file.path, Format::binary));
  TracerOptions o;
  o.exporter = gate;
  o.slots_per_thread = kSlots;
  o.queue_capacity = 64;
  o.export_batch_size = 16;
  Tracer tracer(o);

  // One span takes the exporter thread to the gate, where it stays while the
  // producers run.
  const auto calls_returned =
      hotspan_test::produce_while_held(tracer, *gate, kThreads, per_thread, "flat-out");
  REQUIRE(calls_returned.has_value());
  // Every call of every producer returned while the exporter was still held:
  // none of them waited for it.
  const bool still_held = gate->held();
  CHECK(still_held);
  CHECK_FALSE(gate->timed_out());
  const uint64_t produced = static_cast<uint64_t>(kThreads) * per_thread;
  CHECK(*calls_returned == produced);
  const TracerStats held = tracer.stats();
  CHECK(held.spans_sampled == produced + 1);
  CHECK(held.spans_exported == 0);
  // What was not dropped holds a slot (queued or at the gate): at most every
  // slot of every producer, plus the first span's.
  const uint64_t dropped = held.dropped_pool_exhausted + held.dropped_queue_full;
  INFO("pool " << held.dropped_pool_exhausted << " queue " << held.dropped_queue_full);
  CHECK(held.spans_sampled - dropped <= kThreads * kSlots + 1);

  gate->open();
  REQUIRE(tracer.flush(std::chrono::seconds(30)));
  tracer.shutdown();
  const TracerStats st = tracer.stats();
  CHECK(st.spans_started == produced + 1);
  CHECK(st.dropped_pool_exhausted == held.dropped_pool_exhausted);  // nothing new after
  CHECK(st.dropped_queue_full == held.dropped_queue_full);
  CHECK(st.dropped_export_failed == 0);
  CHECK(st.spans_exported == st.spans_sampled - dropped);
  hotspan_test::require_invariant(st);

  const auto back = hotspan_test::read_binary_trace(file.path);
  INFO(back.message);
  CHECK(back.status == Status::complete);
  CHECK(back.spans == st.spans_exported);
  CHECK(back.duplicate_ids() == 0);
  REQUIRE(back.recorded_losses.has_value());
  CHECK(back.recorded_losses->dropped_pool_exhausted == st.dropped_pool_exhausted);
  CHECK(back.recorded_losses->dropped_queue_full == st.dropped_queue_full);
}
