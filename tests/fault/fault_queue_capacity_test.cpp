// queue_capacity is documented as the spans waiting for the exporter thread,
// all threads together (docs/GUIDE.md, "Sizing pools and queues"). moodycamel
// hands each producer token whole blocks of 64 entries and a producer keeps a
// block once claimed (engine/recording/span_queue.hpp), so a queue built from
// queue_capacity alone (here 4 blocks) refused every span of the threads that
// came after the blocks were taken, with the queue all but empty. Each
// recording thread now claims a block of its own when it starts recording
// (engine/recording/thread_recorder.cpp).
#include <catch2/catch.hpp>
#include <hotspan/hotspan.hpp>

#include <barrier>
#include <memory>
#include <thread>
#include <vector>

#include "capture_exporter.hpp"

using namespace hotspan;

TEST_CASE("more recording threads than queue blocks: no span refused by an empty queue",
          "[fault][overload]") {
  constexpr int kThreads = 8;
  constexpr int kRounds = 10;
  auto capture = std::make_shared<hotspan_test::CaptureExporter>();
  capture->count_only();
  TracerOptions o;
  o.exporter = capture;
  o.queue_capacity = 256;  // room for 256 spans; 8 threads keep at most 8 waiting
  o.slots_per_thread = 16;
  Tracer tracer(o);

  // All threads stay alive, each ending one span per round, and no round
  // starts before the previous one is exported: the queue never holds more
  // than kThreads spans.
  std::barrier round_done(kThreads + 1);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int round = 0; round < kRounds; ++round) {
        { Span s = tracer.start_span("one-per-round"); }
        round_done.arrive_and_wait();  // ended
        round_done.arrive_and_wait();  // exported
      }
    });
  }
  bool flushed = true;
  for (int round = 0; round < kRounds; ++round) {
    round_done.arrive_and_wait();
    flushed = tracer.flush(std::chrono::seconds(30)) && flushed;
    round_done.arrive_and_wait();
  }
  for (auto& th : threads)
    th.join();
  CHECK(flushed);
  const TracerStats st = tracer.stats();
  hotspan_test::require_invariant(st);
  CHECK(st.spans_sampled == kThreads * kRounds);
  CHECK(st.dropped_queue_full == 0);
  CHECK(st.spans_exported == kThreads * kRounds);
  CHECK(capture->count() == kThreads * kRounds);
}
