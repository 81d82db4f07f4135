// hotspan bench — backend throughput: what the exporter thread can write, per
// format (each of hotspan::formats()), to /dev/null and to a file
// in /tmp (removed after each run), for spans with 0, 2 and 8 attributes.
//
// Two groups:
//   direct/<format>/<sink>/attributes:N  pre-built SpanRecord batches of 512
//       (record_batches.hpp) handed to file_exporter()->export_batch() on the
//       benchmark thread: the encoder and the sink alone, on one core (the
//       thread is pinned when HOTSPAN_BENCH_CPU is set).
//   tracer/<format>/<sink>/attributes:N  one producer thread recording flat
//       out through a Tracer for a fixed time (flat_out_run.hpp): spans
//       delivered per second end to end, with the loss counters beside them.
//   decode/redaction:<none|relay>  the exporter thread's decoding of a batch
//       of 512 slots into SpanRecords (SpanRecordBuilder), without redaction
//       and with RedactionPolicy::relay_default(): what redaction adds per
//       span. Each span is a relay's: a name, a status message, 2 integer
//       attributes, 1 address-keyed and 1 free-text string attribute (one with
//       an address in it), and an event with one attribute.
//   tail/<discard|keep>  tail sampling's stage on the exporter thread: the
//       same decoded spans handed to TailSampler::add() in batches of 512,
//       traces of 4 spans whose local root comes last, decided in the batch
//       (baseline 0: all discarded; baseline 1: all kept and handed out).
//       `held_bytes/span`: the memory one held span takes (its copy, its
//       share of the trace's bookkeeping), measured on traces of 4 spans
//       held whole, before their roots end.
//   decode/recorder:16MiB  the same decoding (no redaction) with the batch then
//       recorded by a 16 MiB flight recorder (backend/flight_recorder.hpp), as
//       export_slots() does: against decode/redaction:none, what the recorder
//       costs the exporter thread per span.
//   recorder/record/attributes:2  FlightRecorder::record() alone on
//       pre-built batches (record_batches.hpp), the ring wrapping:
//       `ring_bytes/span` is the memory a recorded span takes.
//   recorder/dump:16MiB  writing a full 16 MiB ring to a file in /tmp
//       (page cache, no fsync): what dump_recent() takes once the queue is
//       drained.
//
// How to read: items_per_second = spans/s; bytes_per_second and `bytes/span`
// are the encoded output (bytes_written()); `MB_per_s` in the tracer group is
// the same in 10^6 bytes. A format that file_exporter() rejects with
// std::invalid_argument at run time is skipped and named in the JSON context
// ("formats_skipped"). `others_busy_cores`: machine_load.hpp.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "backend/flight_recorder.hpp"
#include "backend/span_record_builder.hpp"
#include "backend/tail_sampler.hpp"
#include "core/clock.hpp"
#include "cpu_placement.hpp"
#include "flat_out_run.hpp"
#include "hotspan/hotspan.hpp"
#include "machine_load.hpp"
#include "record_batches.hpp"
#include "recording/slot_log.hpp"
#include "spread_statistics.hpp"

namespace {

constexpr size_t kBatchSize = 512;  // the engine's default export_batch_size
constexpr size_t kBatchCount = 8;
constexpr std::chrono::milliseconds kTracerRunTime(400);

using hotspan::FormatInfo;  // every format of hotspan::formats(), by its canonical name

struct Sink {
  bool to_file;
  const char* name;
};
constexpr Sink kSinks[] = {{false, "devnull"}, {true, "file"}};

// /dev/null, or a fresh file in /tmp that the destructor removes.
class SinkPath {
 public:
  SinkPath(const Sink& sink, const FormatInfo& format)
      : _path(sink.to_file ? "/tmp/hotspan-bench-" + std::to_string(getpid()) + "." +
                                 std::string(format.name)
                           : std::string("/dev/null")),
        _remove(sink.to_file) {}
  ~SinkPath() {
    if (_remove) std::remove(_path.c_str());
  }
  SinkPath(const SinkPath&) = delete;
  SinkPath& operator=(const SinkPath&) = delete;
  const std::string& path() const noexcept { return _path; }

 private:
  std::string _path;
  bool _remove;
};

hotspan::Resource bench_resource() {
  hotspan::Resource resource;
  resource.service_name = "bench";
  resource.attributes = {{"service.name", "bench"}};
  resource.clock_anchor_unix_ns = 1'750'000'000'000'000'000u;
  resource.clock_anchor_monotonic_ns = 1'000'000'000u;
  resource.process_id = static_cast<uint32_t>(getpid());
  return resource;
}

void direct(benchmark::State& state, FormatInfo format, Sink sink) {
  const int attributes = static_cast<int>(state.range(0));
  const hotspan_bench::RecordBatches batches(kBatchCount, kBatchSize, attributes);
  const SinkPath path(sink, format);
  std::shared_ptr<hotspan::Exporter> exporter = hotspan::file_exporter(path.path(), format.format);
  exporter->start(bench_resource());
  hotspan_bench::CallerPin pin;

  size_t next = 0;
  bool ok = true;
  for (auto _ : state)
    ok &= exporter->export_batch(batches.batch(next++));
  ok &= exporter->flush();
  const uint64_t bytes = exporter->bytes_written();
  exporter->shutdown();
  if (!ok) state.SkipWithError("export_batch() or flush() failed");

  const auto spans = static_cast<int64_t>(state.iterations() * kBatchSize);
  state.SetItemsProcessed(spans);
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["bytes/span"] = benchmark::Counter(spans > 0 ? double(bytes) / spans : 0);
}

void through_tracer(benchmark::State& state, FormatInfo format, Sink sink) {
  const int attributes = static_cast<int>(state.range(0));
  for (auto _ : state) {
    const SinkPath path(sink, format);
    hotspan::TracerOptions options;
    options.service_name = "bench";
    options.exporter = hotspan::file_exporter(path.path(), format.format);
    hotspan::Tracer tracer(std::move(options));
    const hotspan_bench::FlatOutResult r =
        hotspan_bench::run_flat_out(tracer, 1, kTracerRunTime, attributes);
    hotspan_bench::report_flat_out(state, r);
    state.counters["bytes/span"] =
        benchmark::Counter(r.exported > 0 ? double(r.bytes_written) / r.exported : 0);
    tracer.shutdown();
  }
}

// Slots as a thread's pool carves them, written through the slot log like
// Span does.
class SlotBatch {
 public:
  explicit SlotBatch(size_t count) : _stride(hotspan::detail::slot_stride(kSlotBytes)) {
    _arena.reset(static_cast<std::byte*>(
        std::aligned_alloc(alignof(hotspan::detail::Slot), _stride * count)));
    for (size_t i = 0; i < count; ++i)
      _slots.push_back(fill(*new (_arena.get() + i * _stride) hotspan::detail::Slot{}, i));
  }
  const std::vector<hotspan::detail::Slot*>& slots() const noexcept { return _slots; }

 private:
  static constexpr uint32_t kSlotBytes = 1024;
  struct Free {
    void operator()(std::byte* p) const noexcept { std::free(p); }
  };

  static hotspan::detail::Slot* fill(hotspan::detail::Slot& s, size_t i) {
    using namespace hotspan::detail;
    s.limits = SlotLimits{kSlotBytes, 32, 16, 256};
    s.trace_id.bytes[15] = static_cast<uint8_t>(i + 1);
    s.span_id = hotspan::SpanId{i + 1};
    s.start_ticks = 1000 * i;
    s.end_ticks = 1000 * i + 500;
    write_name(s, "relay-circuit");
    StoredValue number(ValueType::integer);
    number.integer = static_cast<int64_t>(i);
    append_attribute(s, EntryTag::attribute, "circuit.id", number);
    append_attribute(s, EntryTag::attribute, "cell.count", number);
    StoredValue peer(ValueType::string);
    peer.string = "198.51.100.23";
    append_attribute(s, EntryTag::attribute, "network.peer.address", peer);
    StoredValue note(ValueType::string);
    note.string = i % 2 == 0 ? "extended to the next hop after 3 cells"
                             : "extended to 203.0.113.9:9001 after 3 cells";
    append_attribute(s, EntryTag::attribute, "note", note);
    append_event(s, "extended", 1000 * i + 200);
    StoredValue hop(ValueType::string);
    hop.string = "middle";
    append_attribute(s, EntryTag::event_attribute, "hop", hop);
    append_status_message(s, "closed: finished");
    s.status = hotspan::StatusCode::ok;
    return &s;
  }

  size_t _stride;
  std::unique_ptr<std::byte, Free> _arena;
  std::vector<hotspan::detail::Slot*> _slots;
};

constexpr size_t kRecorderBytes = size_t{16} << 20;

void decode(benchmark::State& state, bool redact, size_t recorder_bytes = 0) {
  const SlotBatch batch(kBatchSize);
  hotspan::detail::init_clock();
  hotspan::detail::TickConverter clock;
  while (!clock.calibrated()) {  // as the exporter thread does before its first batch
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    clock.update(/*force=*/true);
  }
  hotspan::detail::Redactor redactor(redact ? hotspan::RedactionPolicy::relay_default()
                                            : hotspan::RedactionPolicy{});
  hotspan::detail::SpanRecordBuilder builder;
  if (redactor.active()) builder.set_redactor(&redactor);
  hotspan::FlightRecorderOptions recording;
  recording.max_bytes = recorder_bytes;
  hotspan::detail::FlightRecorder recorder(recording);
  recorder.begin(hotspan::Resource{});
  hotspan_bench::CallerPin pin;
  size_t checksum = 0;
  for (auto _ : state) {
    builder.clear();
    for (const hotspan::detail::Slot* s : batch.slots())
      builder.add(*s, clock);
    recorder.record(builder.records());
    checksum += builder.records().size();
    benchmark::DoNotOptimize(checksum);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBatchSize));
  state.counters["values_redacted/span"] =
      benchmark::Counter(double(redactor.values_redacted()) /
                         double(std::max<int64_t>(1, state.iterations() * kBatchSize)));
}

// The SlotBatch's spans as records, in traces of kSpansPerTrace whose last
// span is the local root; `next_trace` numbers the traces (fresh ids for
// every batch, so that no span meets a remembered decision).
constexpr size_t kSpansPerTrace = 4;
struct TailBatch {
  std::vector<hotspan::SpanRecord> records;
  std::vector<uint8_t> local_roots;

  TailBatch(const SlotBatch& batch, hotspan::detail::SpanRecordBuilder& builder,
            const hotspan::detail::TickConverter& clock) {
    for (const hotspan::detail::Slot* s : batch.slots())
      builder.add(*s, clock);
    const auto built = builder.records();
    records.assign(built.begin(), built.end());
    for (size_t i = 0; i < records.size(); ++i)
      local_roots.push_back(i % kSpansPerTrace == kSpansPerTrace - 1 ? 1 : 0);
  }
  void number_traces(uint64_t& next_trace) {
    for (size_t i = 0; i < records.size(); ++i) {
      if (i % kSpansPerTrace == 0) ++next_trace;
      std::memcpy(records[i].trace_id.bytes.data(), &next_trace, sizeof next_trace);
      records[i].trace_id.bytes[15] = 0x5a;  // the random part: baseline decisions
    }
  }
};

void tail_sampling(benchmark::State& state, bool keep) {
  const SlotBatch batch(kBatchSize);
  hotspan::detail::init_clock();
  hotspan::detail::TickConverter clock;
  while (!clock.calibrated()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    clock.update(/*force=*/true);
  }
  hotspan::detail::SpanRecordBuilder builder;
  TailBatch spans(batch, builder, clock);
  hotspan::TailSamplingPolicy policy;
  policy.enabled = true;
  policy.baseline = keep ? 1.0 : 0.0;
  uint64_t next_trace = 0;
  double held_bytes_per_span = 0;
  {  // memory: every span held, none of the roots ended
    hotspan::detail::TailSampler tail(policy);
    std::vector<uint8_t> no_roots(spans.records.size(), 0);
    std::vector<hotspan::SpanRecord> out;
    spans.number_traces(next_trace);
    tail.add(spans.records, no_roots, std::chrono::steady_clock::now(), out);
    held_bytes_per_span = double(tail.buffered_bytes()) / double(spans.records.size());
  }
  hotspan::detail::TailSampler tail(policy);
  std::vector<hotspan::SpanRecord> out;
  hotspan_bench::CallerPin pin;
  size_t handed_out = 0;
  for (auto _ : state) {
    spans.number_traces(next_trace);
    const auto now = std::chrono::steady_clock::now();
    out.clear();
    tail.add(spans.records, spans.local_roots, now, out);
    handed_out += out.size();
    tail.release();
    tail.decide_due(now, out);  // as the exporter thread's loop does
  }
  benchmark::DoNotOptimize(handed_out);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBatchSize));
  state.counters["held_bytes/span"] = benchmark::Counter(held_bytes_per_span);
  state.counters["kept/span"] = benchmark::Counter(
      double(handed_out) / double(std::max<int64_t>(1, state.iterations() * kBatchSize)));
}

// A 16 MiB recorder filled with 2-attribute spans, wrapped once, and the
// batches it was filled with.
struct FullRecorder {
  FullRecorder() : recorder(options()) {
    recorder.begin(hotspan::Resource{});
    for (size_t i = 0; recorder.spans_evicted() == 0; ++i)
      recorder.record(batches.batch(i));
  }
  static hotspan::FlightRecorderOptions options() {
    hotspan::FlightRecorderOptions o;
    o.max_bytes = kRecorderBytes;
    return o;
  }
  const hotspan_bench::RecordBatches batches{kBatchCount, kBatchSize, 2};
  hotspan::detail::FlightRecorder recorder;
};

void record(benchmark::State& state) {
  FullRecorder full;
  hotspan_bench::CallerPin pin;
  size_t i = 0;
  for (auto _ : state)
    full.recorder.record(full.batches.batch(i++));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBatchSize));
  state.counters["ring_bytes/span"] =
      benchmark::Counter(double(full.recorder.held_bytes()) / double(full.recorder.spans_held()));
  state.counters["spans_held"] = benchmark::Counter(double(full.recorder.spans_held()));
}

void dump(benchmark::State& state) {
  FullRecorder full;
  const std::string path = "/tmp/hotspan-bench-dump-" + std::to_string(getpid()) + ".hsp";
  std::string error;
  for (auto _ : state) {
    if (!full.recorder.dump(path, {}, error)) state.SkipWithError(error.c_str());
  }
  std::remove(path.c_str());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * full.recorder.held_bytes()));
  state.counters["spans"] = benchmark::Counter(double(full.recorder.spans_held()));
}

// file_exporter() throws std::invalid_argument for a format not built in.
bool format_available(const FormatInfo& format, std::string& why) {
  try {
    hotspan::file_exporter("/dev/null", format.format);
    return true;
  } catch (const std::invalid_argument& e) {
    why = e.what();
    return false;
  }
}

void register_all() {
  std::string skipped;
  for (const FormatInfo& format : hotspan::formats()) {
    std::string why;
    if (!format_available(format, why)) {
      skipped += (skipped.empty() ? "" : "; ") + std::string(format.name) + ": " + why;
      continue;
    }
    for (const Sink& sink : kSinks) {
      const std::string suffix = std::string(format.name) + "/" + sink.name;
      auto* d = benchmark::RegisterBenchmark(
          ("direct/" + suffix).c_str(),
          [format, sink](benchmark::State& s) { direct(s, format, sink); });
      d->ArgName("attributes")->Arg(0)->Arg(2)->Arg(8)->Unit(benchmark::kMicrosecond);
      hotspan_bench::with_spread(d);

      auto* t = benchmark::RegisterBenchmark(
          ("tracer/" + suffix).c_str(),
          [format, sink](benchmark::State& s) { through_tracer(s, format, sink); });
      t->ArgName("attributes");
      if (sink.to_file) {
        t->Arg(2);
      } else {
        t->Arg(0)->Arg(2)->Arg(8);
      }
      t->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
      hotspan_bench::with_spread(t);
    }
  }
  for (const bool redact : {false, true}) {
    auto* b =
        benchmark::RegisterBenchmark(redact ? "decode/redaction:relay" : "decode/redaction:none",
                                     [redact](benchmark::State& s) { decode(s, redact); });
    b->Unit(benchmark::kMicrosecond);
    hotspan_bench::with_spread(b);
  }
  for (const bool keep : {false, true}) {
    auto* b = benchmark::RegisterBenchmark(keep ? "tail/keep" : "tail/discard",
                                           [keep](benchmark::State& s) { tail_sampling(s, keep); });
    b->Unit(benchmark::kMicrosecond);
    hotspan_bench::with_spread(b);
  }
  auto* on = benchmark::RegisterBenchmark(
      "decode/recorder:16MiB", [](benchmark::State& s) { decode(s, false, kRecorderBytes); });
  on->Unit(benchmark::kMicrosecond);
  hotspan_bench::with_spread(on);
  auto* r = benchmark::RegisterBenchmark("recorder/record/attributes:2", record);
  r->Unit(benchmark::kMicrosecond);
  hotspan_bench::with_spread(r);
  auto* d = benchmark::RegisterBenchmark("recorder/dump:16MiB", dump);
  d->Unit(benchmark::kMillisecond);
  hotspan_bench::with_spread(d);
  benchmark::AddCustomContext("formats_skipped", skipped.empty() ? "none" : skipped);
  benchmark::AddCustomContext("placement", hotspan_bench::placement_description());
  benchmark::AddCustomContext("batch_size", std::to_string(kBatchSize));
  benchmark::AddCustomContext("tracer_run_seconds",
                              std::to_string(kTracerRunTime.count() / 1000.0));
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
