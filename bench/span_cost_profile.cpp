// hotspan bench — span_cost_profile: the span cases of hot_path_latency, one
// function per case, for counting instructions with callgrind.
//
//   span_cost_profile [--spans N] [--exporter-on-caller-cpu] [CASE...]
//   span_cost_profile --list      the cases and their functions, tab-separated
//
// For each CASE (all of them by default) the program makes a tracer with the
// hot path's options (noop exporter, 16,384 slots per thread), records 20,000
// spans as a warm-up, calls measurement_starts() and records N spans (100,000
// by default), flushing every 1,024 sampled spans as the hot path's timed
// loop does. Each span is one call of the case's function in namespace
// span_cost, which does the whole span (start, annotations, end) and nothing
// else, so that
//
//   valgrind --tool=callgrind --toggle-collect='span_cost::sampled_2_attributes(*'
//            --zero-before='span_cost::measurement_starts(*' span_cost_profile sampled_2_attributes
//
// counts exactly the N measured spans: collection is on only inside the case's
// function (on the thread that calls it; the exporter thread never does), and
// the costs collected during the warm-up are zeroed. The flushes run outside
// the case's function and are not counted. bench/span_cost_profile.sh runs it.
//
// Output, one line per case after a header: the case, the spans measured, how
// many of them were sampled and how many were dropped (pool or queue full, 0
// expected), tab-separated; then the warm-up's length and the engine's clock. HOTSPAN_BENCH_CPU and
// HOTSPAN_BENCH_EXPORTER_CPU place the threads as in hot_path_latency
// (cpu_placement.hpp); --exporter-on-caller-cpu puts the exporter thread on the
// caller's CPU, like hot_path_latency's ..._exporter_on_caller_cpu case.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"  // engine/core/clock.hpp: which clock the engine reads
#include "cpu_placement.hpp"
#include "hotspan/hotspan.hpp"
#include "sample_context.hpp"
#include "span_cases.hpp"

namespace span_cost {

// Keeps the span alive and observable, as benchmark::DoNotOptimize does.
inline void escape(const void* p) {
  asm volatile("" : : "g"(p) : "memory");
}

// The cases: one span each, exactly as hot_path_latency's StartEnd,
// StartEndUnsampledParent, TwoAttributes and FiveAttributesOneEvent record
// them. Three of them have the same body: GCC's identical code folding would
// make them one function (and its cloning rename them), hence noipa, which
// keeps each a function of its own.
#if defined(__clang__)
#define SPAN_COST_CASE [[gnu::noinline]]
#else
#define SPAN_COST_CASE [[gnu::noinline, gnu::noipa]]
#endif

SPAN_COST_CASE void unsampled_always_off(hotspan::Tracer& tracer, int64_t) {
  auto span = hotspan_bench::cell_span(tracer);
  escape(&span);
}

// A valid parent with the sampled flag clear, read from memory each time as
// hot_path_latency's StartEndUnsampledParent reads it (set by run()).
hotspan::SpanContext unsampled_parent;

// Under unsampled_parent; the tracer's sampler is parent_based(always_on()).
SPAN_COST_CASE void unsampled_parent_based(hotspan::Tracer& tracer, int64_t) {
  escape(&unsampled_parent);
  auto span = tracer.start_span("relay.cell", hotspan::SpanKind::internal, unsampled_parent);
  escape(&span);
}

// Under trace_id_ratio(0.01): about 1 % of the spans are sampled.
SPAN_COST_CASE void ratio_0_01(hotspan::Tracer& tracer, int64_t) {
  auto span = hotspan_bench::cell_span(tracer);
  escape(&span);
}

SPAN_COST_CASE void sampled_start_end(hotspan::Tracer& tracer, int64_t) {
  auto span = hotspan_bench::cell_span(tracer);
  escape(&span);
}

SPAN_COST_CASE void sampled_2_attributes(hotspan::Tracer& tracer, int64_t i) {
  auto span = hotspan_bench::two_attribute_span(tracer, i);
  escape(&span);
}

SPAN_COST_CASE void sampled_5_attributes_1_event(hotspan::Tracer& tracer, int64_t i) {
  auto span = hotspan_bench::five_attribute_event_span(tracer, i);
  escape(&span);
}

// Called once per case between the warm-up and the measured spans: callgrind's
// --zero-before names it.
SPAN_COST_CASE void measurement_starts() {
  asm volatile("");
}

}  // namespace span_cost

namespace {

constexpr int64_t kWarmupSpans = 20000;
constexpr int64_t kFlushEvery = 1024;  // sampled spans, as hot_path_latency's kPaceSpans

struct Case {
  const char* name;
  const char* function;  // the name of `span`, as callgrind's --toggle-collect matches it
  void (*span)(hotspan::Tracer&, int64_t);
  std::shared_ptr<hotspan::Sampler> (*sampler)();
  int64_t flush_every;  // spans between two flushes; 0 = only at the end
};

std::shared_ptr<hotspan::Sampler> off() {
  return hotspan::always_off();
}
std::shared_ptr<hotspan::Sampler> ratio() {
  return hotspan::trace_id_ratio(0.01);
}
std::shared_ptr<hotspan::Sampler> on() {
  return nullptr;  // parent_based(always_on())
}

const Case kCases[] = {
    {"unsampled_always_off", "span_cost::unsampled_always_off", span_cost::unsampled_always_off,
     off, 0},
    {"unsampled_parent_based", "span_cost::unsampled_parent_based",
     span_cost::unsampled_parent_based, on, 0},
    {"ratio_0.01", "span_cost::ratio_0_01", span_cost::ratio_0_01, ratio, kFlushEvery * 100},
    {"sampled_start_end", "span_cost::sampled_start_end", span_cost::sampled_start_end, on,
     kFlushEvery},
    {"sampled_2_attributes", "span_cost::sampled_2_attributes", span_cost::sampled_2_attributes, on,
     kFlushEvery},
    {"sampled_5_attributes_1_event", "span_cost::sampled_5_attributes_1_event",
     span_cost::sampled_5_attributes_1_event, on, kFlushEvery},
};

// hot_path_latency's unsampled_parent(): the sample context without the sampled flag.
hotspan::SpanContext unsampled_context() {
  return hotspan_bench::sample_context(0);
}

void record(const Case& c, hotspan::Tracer& tracer, int64_t from, int64_t count) {
  for (int64_t i = from; i < from + count; ++i) {
    c.span(tracer, i);
    if (c.flush_every != 0 && (i - from + 1) % c.flush_every == 0) tracer.flush();
  }
  tracer.flush();
}

void run(const Case& c, int64_t spans, bool exporter_on_caller_cpu) {
  std::unique_ptr<hotspan::Tracer> tracer;
  if (exporter_on_caller_cpu) {
    hotspan_bench::CallerPin beside_caller;  // the exporter thread inherits the caller's CPU
    tracer = std::make_unique<hotspan::Tracer>(hotspan_bench::latency_options(c.sampler()));
  } else {
    hotspan_bench::CpuPin exporter_cpu("HOTSPAN_BENCH_EXPORTER_CPU");
    tracer = std::make_unique<hotspan::Tracer>(hotspan_bench::latency_options(c.sampler()));
  }
  hotspan_bench::CallerPin pin;  // after the tracer, so that its exporter thread stays put
  span_cost::unsampled_parent = unsampled_context();

  record(c, *tracer, 0, kWarmupSpans);
  const hotspan::TracerStats before = tracer->stats();
  span_cost::measurement_starts();
  record(c, *tracer, kWarmupSpans, spans);
  const hotspan::TracerStats after = tracer->stats();
  const auto drops = [](const hotspan::TracerStats& s) {
    return s.dropped_pool_exhausted + s.dropped_queue_full;
  };
  std::cout << c.name << '\t' << spans << '\t' << (after.spans_sampled - before.spans_sampled)
            << '\t' << (drops(after) - drops(before)) << std::endl;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t spans = 100000;
  bool exporter_on_caller_cpu = false;
  std::vector<const Case*> chosen;
  for (int a = 1; a < argc; ++a) {
    const std::string_view arg = argv[a];
    if (arg == "--spans" && a + 1 < argc) {
      spans = std::strtoll(argv[++a], nullptr, 10);
      continue;
    }
    if (arg == "--exporter-on-caller-cpu") {
      exporter_on_caller_cpu = true;
      continue;
    }
    if (arg == "--list") {
      for (const Case& c : kCases)
        std::cout << c.name << '\t' << c.function << '\n';
      return 0;
    }
    const Case* found = nullptr;
    for (const Case& c : kCases) {
      if (arg == c.name) found = &c;
    }
    if (found == nullptr || spans <= 0) {
      std::cerr << "usage: span_cost_profile [--spans N] [--exporter-on-caller-cpu] [CASE...]\n"
                   "       span_cost_profile --list\n"
                   "cases:";
      for (const Case& c : kCases)
        std::cerr << ' ' << c.name;
      std::cerr << '\n';
      return 2;
    }
    chosen.push_back(found);
  }
  if (chosen.empty()) {
    for (const Case& c : kCases)
      chosen.push_back(&c);
  }
  std::cout << "case\tspans\tsampled\tdropped" << std::endl;
  for (const Case* c : chosen)
    run(*c, spans, exporter_on_caller_cpu);
  // Read after the first tracer was made: the engine picks its clock then.
  std::cout << "warmup_spans\t" << kWarmupSpans << '\n';
  std::cout << "engine_clock\t" << (hotspan::detail::g_clock_is_tsc ? "RDTSC" : "CLOCK_MONOTONIC")
            << std::endl;
  return 0;
}
