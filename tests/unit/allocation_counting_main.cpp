// Hot path discipline: after warm-up, starting, annotating and ending spans
// makes no heap allocation on the calling thread. Counted by replacing the
// global allocation functions in this program (tests/support/allocation_counter.cpp).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
#include <hotspan/hotspan.hpp>

#include "allocation_counter.hpp"

#include <cerrno>
#include <cstdlib>
#include <new>
#include <stdexcept>

namespace {
// Allocations made on this thread while it lives (tests/support/allocation_counter.cpp
// replaces the global operator new of this program).
struct CountAllocations {
  uint64_t start = hotspan_test::thread_allocations();
  uint64_t count() const { return hotspan_test::thread_allocations() - start; }
};
}  // namespace

using namespace hotspan;

namespace {
void record_one(Tracer& tracer, int i, const std::runtime_error& error) {
  Span root = tracer.start_span("relay-cell", SpanKind::server);
  root.set_attribute("circuit.id", i)
      .set_attribute("cell.bytes", 514u)
      .set_attribute("ratio", 0.25)
      .set_attribute("early", true)
      .set_attribute("relay", "guard-nickname")
      .set_attributes({{"a", 1}, {"b", "two"}});
  Scope scope(root);
  {
    Span child = tracer.start_span("forward", SpanKind::client);
    child.add_event("cell-sent", {{"bytes", 514}, {"cmd", "RELAY_DATA"}});
    if (i % 10 == 0) child.record_error(error);
    if (i % 10 == 1) child.record_error(std::error_code(ETIMEDOUT, std::generic_category()));
    if (i % 10 == 2) child.record_error("plain message");
    child.set_status(StatusCode::ok, "done");
  }
  with_span(tracer, "with-span", SpanKind::internal, [](Span& s) { s.set_attribute("k", 1); });
  (void)current_context();
}
}  // namespace

TEST_CASE("after warm-up, 100,000 sampled spans allocate nothing on the caller", "[allocations]") {
  TracerOptions o;
  o.exporter = noop_exporter();
  o.slots_per_thread = 4096;
  Tracer tracer(o);
  const std::runtime_error error("cell digest mismatch");
  for (int i = 0; i < 1000; ++i)
    record_one(tracer, i, error);  // warm-up
  REQUIRE(tracer.flush());

  CountAllocations counter;
  for (int i = 0; i < 100'000; ++i)
    record_one(tracer, i, error);
  const uint64_t allocations = counter.count();
  CHECK(allocations == 0);

  REQUIRE(tracer.flush());
  auto st = tracer.stats();
  CHECK(st.spans_sampled == 101'000 * 3);
  CHECK(st.spans_sampled == st.spans_exported + st.dropped_pool_exhausted + st.dropped_queue_full);
}

TEST_CASE("unsampled spans allocate nothing after warm-up", "[allocations]") {
  TracerOptions o;
  o.sampler = always_off();
  Tracer tracer(o);
  const std::runtime_error error("x");
  record_one(tracer, 0, error);
  CountAllocations counter;
  for (int i = 0; i < 100'000; ++i)
    record_one(tracer, i, error);
  CHECK(counter.count() == 0);
}

TEST_CASE("the counter does see allocations (control)", "[allocations]") {
  CountAllocations counter;
  auto* p = new std::string(100, 'x');
  delete p;
  CHECK(counter.count() >= 1);
}
