// hotspan bench — hot path latency: what one span operation costs the thread
// that records it, beside references measured in the same run.
//
// Groups (the name prefix):
//   hotspan/<case>    the engine, noop exporter, pools and queue sized so that
//                     nothing is dropped in steady state
//   naive/<case>      naive_tracer.hpp doing the same work
//   lttng/<case>      LTTng-UST tracepoints with the same payload (built where
//                     pkg-config finds lttng-ust: lttng_peer_*_tp.h)
//   reference/<what>  clock reads, malloc, XXH3, a moodycamel enqueue
//
// How to read: ns per operation (one iteration = one whole case, e.g. start +
// 2 attributes + end). Counters: `allocs/op` = operator new calls on the
// caller's thread per operation (allocation_counter.hpp); `sampled/op` = spans
// sampled per operation; `dropped` = spans dropped during the timed loop
// (pool exhausted + queue full). A case with dropped > 0 partly measured the
// drop path. `others_busy_cores` = how much of the machine other processes
// took meanwhile (machine_load.hpp). Read the CPU time column for the
// caller's cost: on a shared machine the real time also counts time slices
// lost to other processes. With HOTSPAN_BENCH_CPU and HOTSPAN_BENCH_EXPORTER_CPU
// set, the caller and the exporter thread run on those two CPUs
// (cpu_placement.hpp); `..._exporter_on_caller_cpu` puts both on the caller's
// CPU, to show what the cross-core hand-back of slots costs.
#include <benchmark/benchmark.h>
#include <concurrentqueue/concurrentqueue.h>
#include <time.h>
#include <xxhash.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "allocation_counter.hpp"
#include "core/clock.hpp"  // engine/core/clock.hpp: the engine's own clock read
#include "cpu_placement.hpp"
#include "cross_core_handoff.hpp"
#include "hotspan/hotspan.h"
#include "hotspan/hotspan.hpp"
#include "machine_load.hpp"
#include "naive_tracer.hpp"
#include "sample_context.hpp"
#include "span_cases.hpp"
#include "spread_statistics.hpp"

#ifdef HOTSPAN_BENCH_HAVE_LTTNG
#include <lttng/ust-version.h>

#include "lttng_peer_off_tp.h"
#include "lttng_peer_on_tp.h"
#endif

namespace {

using hotspan_bench::CallerPin;
using hotspan_test::thread_allocations;
namespace naive = hotspan_bench::naive;

constexpr int64_t kWarmupOperations = 20000;
// Every kPaceSpans sampled spans (estimated from the sampler's ratio) the
// timed loop stops the timer and calls flush(), so that the caller never
// outruns the exporter thread however the scheduler treats it on a loaded
// 2-core machine: at most 2 x 1024 spans are in flight against 16384 slots
// (2.3 MiB of slots, so the working set stays near L2). The exporter thread
// still runs concurrently (it sleeps only 50 us when idle), returning slots
// while the caller records. `dropped` says whether this held. Unsampled cases
// under always_off() are not paced at all.
constexpr int64_t kPaceSpans = 1024;

using hotspan_bench::latency_options;

// ---------------------------------------------------------------------------
// The cases, written once per tracer type (hotspan and naive share the calls).
// Each body is forced inline into the timed loop, as instrumentation sits in
// the function it times and as the LTTng-UST peer's tracepoints do: the
// measure is then the span's own work, not a call around it.

// Start + end; unsampled or sampled depending on the tracer's sampler.
struct StartEnd {
  template <class TracerT>
  [[gnu::always_inline]] void operator()(TracerT& tracer, int64_t) const {
    auto span = hotspan_bench::cell_span(tracer);
    benchmark::DoNotOptimize(span);
  }
};

struct TwoAttributes {
  template <class TracerT>
  [[gnu::always_inline]] void operator()(TracerT& tracer, int64_t i) const {
    auto span = hotspan_bench::two_attribute_span(tracer, i);
    benchmark::DoNotOptimize(span);
  }
};

struct FiveAttributesOneEvent {
  template <class TracerT>
  [[gnu::always_inline]] void operator()(TracerT& tracer, int64_t i) const {
    auto span = hotspan_bench::five_attribute_event_span(tracer, i);
    benchmark::DoNotOptimize(span);
  }
};

hotspan::SpanContext unsampled_parent();
naive::NaiveContext naive_unsampled_parent();

// Start + end of a span whose parent is valid and not sampled (a context
// that arrived with the sampled flag clear): under parent_based(...) the
// parent decides. The parent is read from memory each time, as a relay reads
// the context it received, rather than folded into the code as a constant.
struct StartEndUnsampledParent {
  template <class TracerT>
  [[gnu::always_inline]] void operator()(TracerT& tracer, int64_t) const {
    if constexpr (std::is_same_v<TracerT, hotspan::Tracer>) {
      benchmark::DoNotOptimize(_parent);
      auto span = tracer.start_span("relay.cell", hotspan::SpanKind::internal, _parent);
      benchmark::DoNotOptimize(span);
    } else {
      benchmark::DoNotOptimize(_naive_parent);
      auto span = tracer.start_span("relay.cell", hotspan::SpanKind::internal, _naive_parent);
      benchmark::DoNotOptimize(span);
    }
  }

  mutable hotspan::SpanContext _parent = unsampled_parent();
  mutable naive::NaiveContext _naive_parent = naive_unsampled_parent();
};

template <class ScopeT>
struct NestedWithScope {
  template <class TracerT>
  [[gnu::always_inline]] void operator()(TracerT& tracer, int64_t) const {
    auto parent = tracer.start_span("build-circuit", hotspan::SpanKind::client);
    ScopeT scope(parent);
    auto child = tracer.start_span("create-hop", hotspan::SpanKind::client);
    benchmark::DoNotOptimize(child);
  }
};

struct WithSpan {
  template <class TracerT>
  [[gnu::always_inline]] void operator()(TracerT& tracer, int64_t) const {
    auto run = [](auto& span) { benchmark::DoNotOptimize(span); };
    if constexpr (std::is_same_v<TracerT, hotspan::Tracer>) {
      hotspan::with_span(tracer, "open-stream", hotspan::SpanKind::client, run);
    } else {
      naive::with_span(tracer, "open-stream", hotspan::SpanKind::client, run);
    }
  }
};

// ---------------------------------------------------------------------------
// Runners: set up, warm up, pin, time, report the counters.

// Started just before a timed loop; finish() after it sets the counters:
// allocs/op (caller thread), sampled/op, dropped, others_busy_cores.
class LoopMeter {
 public:
  LoopMeter() : _allocations(thread_allocations()) {}  // _load is constructed before

  void finish(benchmark::State& state, uint64_t sampled = 0, uint64_t dropped = 0) const {
    using benchmark::Counter;
    const uint64_t allocations = thread_allocations() - _allocations;  // before any /proc read
    state.counters["allocs/op"] =
        Counter(static_cast<double>(allocations), Counter::kAvgIterations);
    state.counters["sampled/op"] = Counter(static_cast<double>(sampled), Counter::kAvgIterations);
    state.counters["dropped"] = Counter(static_cast<double>(dropped));
    state.counters["others_busy_cores"] = Counter(_load.others_busy_cores());
  }

 private:
  hotspan_bench::OtherLoad _load;  // first: its /proc reads allocate, before the count starts
  uint64_t _allocations;
};

uint64_t drops(const hotspan::TracerStats& s) {
  return s.dropped_pool_exhausted + s.dropped_queue_full;
}

struct SamplerChoice {
  std::shared_ptr<hotspan::Sampler> (*make)();
  int64_t pace_operations;  // operations between two flushes; 0 = never
};

// Where the tracer's exporter thread runs while the caller records.
enum class Exporter { on_its_own_cpu, on_the_callers_cpu };

hotspan::Tracer placed_tracer(hotspan::TracerOptions options, Exporter where) {
  if (where == Exporter::on_its_own_cpu)
    return hotspan_bench::make_placed_tracer(std::move(options));
  CallerPin beside_caller;  // the exporter thread inherits the caller's CPU
  return hotspan::Tracer(std::move(options));
}

template <class Case>
void hotspan_case(benchmark::State& state, SamplerChoice sampler,
                  Exporter where = Exporter::on_its_own_cpu) {
  hotspan::Tracer tracer = placed_tracer(latency_options(sampler.make()), where);
  const int64_t pace = sampler.pace_operations;
  CallerPin pin;  // after the tracer, so that its exporter thread stays where it was put
  const Case op;
  for (int64_t i = 0; i < kWarmupOperations; ++i) {
    op(tracer, i);
    if (pace != 0 && i % pace == 0) tracer.flush();
  }
  tracer.flush();

  const hotspan::TracerStats before = tracer.stats();
  const LoopMeter meter;
  int64_t i = 0, until_flush = pace;
  if (pace == 0) {
    for (auto _ : state)
      op(tracer, i++);
  } else {
    for (auto _ : state) {
      op(tracer, i++);
      if (--until_flush == 0) {
        state.PauseTiming();
        tracer.flush();
        state.ResumeTiming();
        until_flush = pace;
      }
    }
  }
  const hotspan::TracerStats after = tracer.stats();
  meter.finish(state, after.spans_sampled - before.spans_sampled, drops(after) - drops(before));
}

// The C API (include/hotspan/hotspan.h) doing the same work as StartEnd and
// TwoAttributes, with the same sizes, pacing and placement.
void c_api_case(benchmark::State& state, bool sampled, bool two_attributes) {
  hotspan_options options;
  hotspan_options_init(&options);
  options.service_name = "bench";
  options.sampler = sampled ? HOTSPAN_SAMPLER_ALWAYS_ON : HOTSPAN_SAMPLER_ALWAYS_OFF;
  options.slots_per_thread = 16384;
  options.queue_capacity = 65536;
  options.idle_sleep_us = 50;
  hotspan_tracer* tracer = nullptr;
  {
    hotspan_bench::CpuPin exporter_cpu("HOTSPAN_BENCH_EXPORTER_CPU");
    if (hotspan_tracer_create(&options, &tracer) != HOTSPAN_OK) {
      state.SkipWithError("hotspan_tracer_create failed");
      return;
    }
  }
  CallerPin pin;
  auto op = [&](int64_t i) {
    hotspan_span span = HOTSPAN_SPAN_INIT;
    hotspan_span_start(tracer, &span, "build-circuit", 13, HOTSPAN_KIND_CLIENT);
    if (two_attributes) {
      hotspan_span_set_int(&span, "circuit.id", 10, i);
      hotspan_span_set_string(&span, "circuit.purpose", 15, "general", 7);
    }
    benchmark::DoNotOptimize(span);
    hotspan_span_end(&span);
  };
  const int64_t pace = sampled ? kPaceSpans : 0;
  for (int64_t i = 0; i < kWarmupOperations; ++i) {
    op(i);
    if (pace != 0 && i % pace == 0) hotspan_tracer_flush(tracer, 5000);
  }
  hotspan_tracer_flush(tracer, 5000);
  hotspan_stats before{}, after{};
  hotspan_tracer_stats(tracer, &before);
  const LoopMeter meter;
  int64_t i = 0, until_flush = pace;
  for (auto _ : state) {
    op(i++);
    if (pace != 0 && --until_flush == 0) {
      state.PauseTiming();
      hotspan_tracer_flush(tracer, 5000);
      state.ResumeTiming();
      until_flush = pace;
    }
  }
  hotspan_tracer_stats(tracer, &after);
  const uint64_t dropped = (after.dropped_pool_exhausted + after.dropped_queue_full) -
                           (before.dropped_pool_exhausted + before.dropped_queue_full);
  meter.finish(state, after.spans_sampled - before.spans_sampled, dropped);
  hotspan_tracer_destroy(tracer);
}

template <class Case>
void naive_case(benchmark::State& state, double probability) {
  naive::NaiveTracer tracer(probability);
  CallerPin pin;
  const Case op;
  for (int64_t i = 0; i < kWarmupOperations; ++i)
    op(tracer, i);

  const uint64_t recorded_before = tracer.spans_recorded();
  const LoopMeter meter;
  int64_t i = 0;
  for (auto _ : state)
    op(tracer, i++);
  meter.finish(state, tracer.spans_recorded() - recorded_before);
}

// current_context() inside the Scope of a sampled span.
void hotspan_current_context(benchmark::State& state) {
  hotspan::Tracer tracer = hotspan_bench::make_placed_tracer(latency_options(hotspan::always_on()));
  CallerPin pin;
  hotspan::Span span = tracer.start_span("build-circuit");
  hotspan::Scope scope(span);
  const LoopMeter meter;
  for (auto _ : state) {
    hotspan::SpanContext context = hotspan::current_context();
    benchmark::DoNotOptimize(context);
  }
  meter.finish(state);
}

void naive_current_context(benchmark::State& state) {
  naive::NaiveTracer tracer(1.0);
  CallerPin pin;
  naive::Span span = tracer.start_span("build-circuit");
  naive::Scope scope(span);
  const LoopMeter meter;
  for (auto _ : state) {
    naive::NaiveContext context = naive::current_context();
    benchmark::DoNotOptimize(context);
  }
  meter.finish(state);
}

hotspan::SpanContext sample_context() {
  return hotspan_bench::sample_context(hotspan::kTraceFlagSampled);
}

naive::NaiveContext naive_sample_context() {
  const hotspan::SpanContext c = sample_context();
  naive::NaiveContext context;
  context.trace_id = c.trace_id.bytes;
  context.span_id = c.span_id.value;
  context.sampled = true;
  return context;
}

hotspan::SpanContext unsampled_parent() {
  return hotspan_bench::sample_context(0);
}

naive::NaiveContext naive_unsampled_parent() {
  naive::NaiveContext context = naive_sample_context();
  context.sampled = false;
  return context;
}

template <class Op>
void counted_loop(benchmark::State& state, Op op) {
  CallerPin pin;
  const LoopMeter meter;
  for (auto _ : state)
    op();
  meter.finish(state);
}

void hotspan_to_traceparent(benchmark::State& state) {
  hotspan::SpanContext context = sample_context();
  counted_loop(state, [&] {
    benchmark::DoNotOptimize(context);
    std::string header = hotspan::to_traceparent(context);
    benchmark::DoNotOptimize(header.data());
    benchmark::ClobberMemory();
  });
}

void hotspan_parse_traceparent(benchmark::State& state) {
  const std::string header = hotspan::to_traceparent(sample_context());
  counted_loop(state, [&] {
    auto context = hotspan::parse_traceparent(header);
    benchmark::DoNotOptimize(context);
    benchmark::ClobberMemory();
  });
}

void naive_to_traceparent(benchmark::State& state) {
  naive::NaiveContext context = naive_sample_context();
  counted_loop(state, [&] {
    benchmark::DoNotOptimize(context);
    std::string header = naive::to_traceparent(context);
    benchmark::DoNotOptimize(header.data());
    benchmark::ClobberMemory();
  });
}

void naive_parse_traceparent(benchmark::State& state) {
  const std::string header = naive::to_traceparent(naive_sample_context());
  counted_loop(state, [&] {
    auto context = naive::parse_traceparent(header);
    benchmark::DoNotOptimize(context);
    benchmark::ClobberMemory();
  });
}

#ifdef HOTSPAN_BENCH_HAVE_LTTNG
// ---------------------------------------------------------------------------
// The LTTng-UST peer: a span as a span_begin and a span_end event carrying
// hotspan/sampled_2_attributes's payload (lttng_peer_span_events.h), emitted
// inline where the span would be, as an instrumented relay emits them. A
// tracepoint no session enables costs one load of its state word and a
// branch predicted not taken (its arguments are not even evaluated): the
// floor of tracing compiled in and off. An enabled one also reads the clock,
// reserves room in the calling CPU's ring buffer, writes the fields there and
// commits them, on the caller's thread; the consumer daemon takes full
// sub-buffers away on its own.

template <class Pair>
void lttng_loop(benchmark::State& state, Pair pair, bool recording) {
  CallerPin pin;
  for (int64_t i = 0; i < kWarmupOperations; ++i)
    pair(i);
  const LoopMeter meter;
  int64_t i = 0;
  for (auto _ : state)
    pair(i++);
  meter.finish(state, recording ? state.iterations() : 0);
}

void lttng_begin_end_disabled(benchmark::State& state) {
  lttng_loop(
      state,
      [](int64_t i) {
        lttng_ust_tracepoint(hotspan_bench_off, span_begin, "build-circuit", i);
        lttng_ust_tracepoint(hotspan_bench_off, span_end, "general", i);
      },
      false);
}

bool lttng_session_enabled() {
  return lttng_ust_tracepoint_enabled(hotspan_bench_on, span_begin) &&
         lttng_ust_tracepoint_enabled(hotspan_bench_on, span_end);
}

// Needs a session that enables hotspan_bench_on:* when the program starts
// (scripts/bench.sh creates it); without one the case is skipped, so the
// program runs where lttng-sessiond cannot.
void lttng_begin_end_session(benchmark::State& state) {
  if (!lttng_session_enabled()) {
    state.SkipWithError(
        "skipped: no LTTng session enables hotspan_bench_on:* (scripts/bench.sh makes one; "
        "by hand: lttng create; lttng enable-event -u 'hotspan_bench_on:*'; lttng start)");
    return;
  }
  lttng_loop(
      state,
      [](int64_t i) {
        lttng_ust_tracepoint(hotspan_bench_on, span_begin, "build-circuit", i);
        lttng_ust_tracepoint(hotspan_bench_on, span_end, "general", i);
      },
      true);
  // Every pair counted in sampled/op was emitted with the events enabled only
  // if the session was still enabling them at the end.
  if (!lttng_session_enabled()) state.SkipWithError("the LTTng session stopped during the run");
}
#endif

// ---------------------------------------------------------------------------
// References.

void reference_steady_clock(benchmark::State& state) {
  counted_loop(state, [] {
    auto t = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(t);
  });
}

void reference_clock_gettime(benchmark::State& state) {
  counted_loop(state, [] {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    benchmark::DoNotOptimize(ts);
  });
}

void reference_engine_clock(benchmark::State& state) {
  counted_loop(state, [] {
    auto t = hotspan::detail::now_ticks();
    benchmark::DoNotOptimize(t);
  });
}

void reference_new_delete(benchmark::State& state) {
  counted_loop(state, [] {
    auto* block = new std::array<char, 256>;
    benchmark::DoNotOptimize(block);
    delete block;
  });
}

void reference_xxh3(benchmark::State& state) {
  std::array<uint64_t, 2> input{0x9e3779b97f4a7c15u, 0};
  counted_loop(state, [&] {
    ++input[1];
    benchmark::DoNotOptimize(input);
    uint64_t h = XXH3_64bits(input.data(), sizeof input);
    benchmark::DoNotOptimize(h);
  });
}

// The engine's queue shape (engine/recording/span_queue.hpp): 64-slot blocks, one
// producer token. Each iteration is one try_enqueue; every 256 the thread
// drains them with one try_dequeue_bulk, so the queue stays bounded and the
// dequeue cost is amortised as on the exporter thread.
struct QueueTraits : moodycamel::ConcurrentQueueDefaultTraits {
  static const size_t BLOCK_SIZE = 64;
};

void reference_queue_enqueue(benchmark::State& state) {
  moodycamel::ConcurrentQueue<void*, QueueTraits> queue(65536);
  moodycamel::ProducerToken producer(queue);
  moodycamel::ConsumerToken consumer(queue);
  std::array<void*, 256> drained{};
  void* item = &drained;
  unsigned pending = 0;
  counted_loop(state, [&] {
    bool ok = queue.try_enqueue(producer, item);
    benchmark::DoNotOptimize(ok);
    if (++pending == drained.size()) {
      pending -=
          static_cast<unsigned>(queue.try_dequeue_bulk(consumer, drained.data(), drained.size()));
    }
  });
}

// One cache line taken back after a helper thread rewrote it
// (cross_core_handoff.hpp): on the exporter thread's CPU, or on the caller's.
void reference_line_handoff(benchmark::State& state, const char* helper_cpu_variable) {
  hotspan_bench::LineHandoff lines(1024, helper_cpu_variable);
  CallerPin pin;
  lines.rewrite_all_elsewhere();
  uint32_t at = 0, left = lines.size();
  const LoopMeter meter;
  for (auto _ : state) {
    at = lines.take(at);
    benchmark::DoNotOptimize(at);
    if (--left == 0) {
      state.PauseTiming();
      lines.rewrite_all_elsewhere();
      state.ResumeTiming();
      left = lines.size();
    }
  }
  meter.finish(state);
}

// ---------------------------------------------------------------------------

std::shared_ptr<hotspan::Sampler> make_off() {
  return hotspan::always_off();
}
std::shared_ptr<hotspan::Sampler> make_ratio() {
  return hotspan::trace_id_ratio(0.01);
}
std::shared_ptr<hotspan::Sampler> make_on() {
  return nullptr;
}  // parent_based(always_on())

constexpr SamplerChoice off{make_off, 0};
constexpr SamplerChoice ratio{make_ratio, kPaceSpans * 100};
constexpr SamplerChoice on{make_on, kPaceSpans};
// parent_based(always_on()) under an unsampled parent samples nothing: not paced.
constexpr SamplerChoice on_under_unsampled_parent{make_on, 0};

void register_all() {
  using hotspan_bench::with_spread;
  auto add = [](const std::string& name, auto fn) {
    with_spread(benchmark::RegisterBenchmark(name.c_str(), fn));
  };
  add("hotspan/unsampled_always_off", [](benchmark::State& s) { hotspan_case<StartEnd>(s, off); });
  add("hotspan/unsampled_ratio_0.01",
      [](benchmark::State& s) { hotspan_case<StartEnd>(s, ratio); });
  add("hotspan/unsampled_parent_based_unsampled_parent", [](benchmark::State& s) {
    hotspan_case<StartEndUnsampledParent>(s, on_under_unsampled_parent);
  });
  add("hotspan/sampled_start_end", [](benchmark::State& s) { hotspan_case<StartEnd>(s, on); });
  add("hotspan/sampled_2_attributes",
      [](benchmark::State& s) { hotspan_case<TwoAttributes>(s, on); });
  add("hotspan/sampled_5_attributes_1_event",
      [](benchmark::State& s) { hotspan_case<FiveAttributesOneEvent>(s, on); });
  add("hotspan/sampled_2_attributes_exporter_on_caller_cpu", [](benchmark::State& s) {
    hotspan_case<TwoAttributes>(s, on, Exporter::on_the_callers_cpu);
  });
  add("hotspan/nested_parent_child_scope",
      [](benchmark::State& s) { hotspan_case<NestedWithScope<hotspan::Scope>>(s, on); });
  add("hotspan/with_span", [](benchmark::State& s) { hotspan_case<WithSpan>(s, on); });
  add("c_api/unsampled_always_off", [](benchmark::State& s) { c_api_case(s, false, false); });
  add("c_api/sampled_start_end", [](benchmark::State& s) { c_api_case(s, true, false); });
  add("c_api/sampled_2_attributes", [](benchmark::State& s) { c_api_case(s, true, true); });
  add("hotspan/current_context", hotspan_current_context);
  add("hotspan/to_traceparent", hotspan_to_traceparent);
  add("hotspan/parse_traceparent", hotspan_parse_traceparent);

  add("naive/unsampled_always_off", [](benchmark::State& s) { naive_case<StartEnd>(s, 0.0); });
  add("naive/unsampled_ratio_0.01", [](benchmark::State& s) { naive_case<StartEnd>(s, 0.01); });
  add("naive/unsampled_parent_based_unsampled_parent",
      [](benchmark::State& s) { naive_case<StartEndUnsampledParent>(s, 1.0); });
  add("naive/sampled_start_end", [](benchmark::State& s) { naive_case<StartEnd>(s, 1.0); });
  add("naive/sampled_2_attributes", [](benchmark::State& s) { naive_case<TwoAttributes>(s, 1.0); });
  add("naive/sampled_5_attributes_1_event",
      [](benchmark::State& s) { naive_case<FiveAttributesOneEvent>(s, 1.0); });
  add("naive/nested_parent_child_scope",
      [](benchmark::State& s) { naive_case<NestedWithScope<naive::Scope>>(s, 1.0); });
  add("naive/with_span", [](benchmark::State& s) { naive_case<WithSpan>(s, 1.0); });
  add("naive/current_context", naive_current_context);
  add("naive/to_traceparent", naive_to_traceparent);
  add("naive/parse_traceparent", naive_parse_traceparent);

#ifdef HOTSPAN_BENCH_HAVE_LTTNG
  add("lttng/begin_end_disabled", lttng_begin_end_disabled);
  add("lttng/begin_end_2_fields_session", lttng_begin_end_session);
#endif

  add("reference/steady_clock_now", reference_steady_clock);
  add("reference/clock_gettime_monotonic", reference_clock_gettime);
  add("reference/engine_clock_read", reference_engine_clock);
  add("reference/new_delete_256", reference_new_delete);
  add("reference/xxh3_16_bytes", reference_xxh3);
  add("reference/moodycamel_enqueue_token", reference_queue_enqueue);
  add("reference/line_written_by_exporter_cpu",
      [](benchmark::State& s) { reference_line_handoff(s, "HOTSPAN_BENCH_EXPORTER_CPU"); });
  add("reference/line_written_by_caller_cpu",
      [](benchmark::State& s) { reference_line_handoff(s, "HOTSPAN_BENCH_CPU"); });
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::AddCustomContext("placement", hotspan_bench::placement_description());
  {
    // The engine picks its clock when the first Tracer is made; the
    // reference/engine_clock_read case must read the same one.
    hotspan::Tracer first(latency_options(hotspan::always_off()));
  }
  benchmark::AddCustomContext("engine_clock",
                              hotspan::detail::g_clock_is_tsc
                                  ? "hotspan::detail::now_ticks() (RDTSC)"
                                  : "hotspan::detail::now_ticks() (CLOCK_MONOTONIC)");
  benchmark::AddCustomContext("pace_spans", std::to_string(kPaceSpans));
#ifdef HOTSPAN_BENCH_HAVE_LTTNG
  // LTTng-UST registers with a running session daemon before main(), so a
  // session's enabled events are enabled by now.
  benchmark::AddCustomContext("lttng_ust", LTTNG_UST_VERSION);
  benchmark::AddCustomContext("lttng_session",
                              lttng_session_enabled() ? "enables hotspan_bench_on:*" : "none");
#else
  benchmark::AddCustomContext("lttng_ust", "not built in");
#endif
  register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
