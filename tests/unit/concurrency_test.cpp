// Many threads recording nested spans at once: every span exported exactly
// once, parents resolvable, and the stats invariant exact.
#include <catch2/catch.hpp>
#include <hotspan/hotspan.hpp>

#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "capture_exporter.hpp"

using namespace hotspan;

namespace {

// Keeps only what the checks need, so 800,000 spans stay small in memory.
class IdExporter : public Exporter {
 public:
  struct Ids {
    uint64_t trace_hi, parent;
    uint32_t thread_id;
  };
  bool export_batch(std::span<const SpanRecord> batch) override {
    for (const auto& r : batch) {
      uint64_t hi;
      std::memcpy(&hi, r.trace_id.bytes.data(), 8);
      auto [it, inserted] =
          spans.emplace(r.span_id.value, Ids{hi, r.parent_span_id.value, r.thread_id});
      if (!inserted) ++duplicates;
    }
    return true;
  }
  std::unordered_map<uint64_t, Ids> spans;
  uint64_t duplicates = 0;
};

}  // namespace

TEST_CASE("8 threads x 100,000 nested spans: each exported exactly once", "[concurrency]") {
  constexpr int kThreads = 8;
  constexpr int kRootsPerThread = 25'000;  // each root has 3 descendants: 100,000 spans
  auto exporter = std::make_shared<IdExporter>();
  exporter->spans.reserve(kThreads * kRootsPerThread * 4);
  TracerOptions o;
  o.exporter = exporter;
  // Large enough that nothing is dropped even if the exporter thread is starved
  // of CPU, so that "no losses" is a property of the engine, not of timing.
  o.slots_per_thread = kRootsPerThread * 4;
  o.slot_bytes = 256;
  o.queue_capacity = kThreads * kRootsPerThread * 4;
  Tracer tracer(o);

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRootsPerThread; ++i) {
        Span root = tracer.start_span("root", SpanKind::server);
        root.set_attribute("thread", t).set_attribute("i", i);
        Scope scope(root);
        Span child = tracer.start_span("child");
        {
          Scope inner(child);
          Span leaf = tracer.start_span("leaf");
          leaf.add_event("tick");
        }
        Span sibling = tracer.start_span("sibling", SpanKind::client);
      }
    });
  }
  for (auto& th : threads)
    th.join();
  REQUIRE(tracer.flush(std::chrono::seconds(60)));

  const auto total = static_cast<uint64_t>(kThreads) * kRootsPerThread * 4;
  CHECK(exporter->duplicates == 0);
  REQUIRE(exporter->spans.size() == total);
  uint64_t roots = 0;
  for (const auto& [id, ids] : exporter->spans) {
    if (ids.parent == 0) {
      ++roots;
      continue;
    }
    auto parent = exporter->spans.find(ids.parent);
    REQUIRE(parent != exporter->spans.end());
    CHECK(parent->second.trace_hi == ids.trace_hi);
    CHECK(parent->second.thread_id == ids.thread_id);
  }
  CHECK(roots == static_cast<uint64_t>(kThreads) * kRootsPerThread);

  auto st = tracer.stats();
  CHECK(st.spans_started == total);
  CHECK(st.spans_sampled == total);
  CHECK(st.spans_exported == total);
  CHECK(st.dropped_pool_exhausted == 0);
  CHECK(st.dropped_queue_full == 0);
  hotspan_test::require_invariant(st);
}

TEST_CASE("overload: tiny pool and queue, threads flat out, drops exact",
          "[concurrency][overload]") {
  constexpr int kThreads = 4;
  constexpr int kSpansPerThread = 50'000;
  auto exporter = std::make_shared<hotspan_test::CaptureExporter>();
  exporter->count_only();
  TracerOptions o;
  o.exporter = exporter;
  o.slots_per_thread = 16;
  o.queue_capacity = 64;
  o.export_batch_size = 8;
  Tracer tracer(o);

  std::atomic<uint64_t> finished_calls{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kSpansPerThread; ++i) {
        Span s = tracer.start_span("flat-out");
        s.set_attribute("i", i);
        s.end();
        finished_calls.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  for (auto& th : threads)
    th.join();
  // Every call returned: producers never waited for the exporter.
  CHECK(finished_calls.load() == static_cast<uint64_t>(kThreads) * kSpansPerThread);
  REQUIRE(tracer.flush(std::chrono::seconds(30)));
  auto st = tracer.stats();
  CHECK(st.spans_sampled == static_cast<uint64_t>(kThreads) * kSpansPerThread);
  CHECK(st.spans_exported == exporter->count());
  hotspan_test::require_invariant(st);
  INFO("exported " << st.spans_exported << " pool " << st.dropped_pool_exhausted << " queue "
                   << st.dropped_queue_full);
  CHECK(st.dropped_pool_exhausted + st.dropped_queue_full > 0);
}

TEST_CASE("threads exiting with spans still queued lose nothing", "[concurrency][lifetime]") {
  auto exporter = std::make_shared<hotspan_test::CaptureExporter>();
  exporter->count_only();
  exporter->set_stall(20);  // slots are still queued when their threads exit
  TracerOptions o;
  o.exporter = exporter;
  o.slots_per_thread = 256;
  Tracer tracer(o);
  for (int round = 0; round < 5; ++round) {
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 100; ++i)
          Span s = tracer.start_span("short-lived");
      });
    }
    for (auto& th : threads)
      th.join();
  }
  REQUIRE(tracer.flush(std::chrono::seconds(60)));
  auto st = tracer.stats();
  CHECK(st.spans_exported == 4000);
  CHECK(exporter->count() == 4000);
  hotspan_test::require_invariant(st);
}

TEST_CASE("spans ending while the tracer shuts down are all accounted for",
          "[concurrency][shutdown]") {
  auto exporter = std::make_shared<hotspan_test::CaptureExporter>();
  exporter->count_only();
  TracerOptions o;
  o.exporter = exporter;
  Tracer tracer(o);
  std::atomic<bool> go{true};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      while (go.load(std::memory_order_relaxed))
        Span s = tracer.start_span("racing");
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  tracer.shutdown();
  go = false;
  for (auto& th : threads)
    th.join();
  auto st = tracer.stats();
  CHECK(st.spans_exported == exporter->count());
  hotspan_test::require_invariant(st);
}
