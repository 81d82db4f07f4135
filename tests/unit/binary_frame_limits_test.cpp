// The binary writer against the format's bounds: every frame it writes has a
// payload of at most 16 MiB and a string table the reader accepts, whatever
// the tracer's options, and a span that no frame can hold is refused and
// counted, never written (docs/FORMAT.md, "Writing").
#include <catch2/catch.hpp>
#include <hotspan/hotspan.hpp>
#include <hotspan/reader.hpp>

#include <cstring>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "capture_exporter.hpp"
#include "formats/binary/binary_encoder.hpp"
#include "formats/binary/binary_format.hpp"
#include "trace_file.hpp"

using namespace hotspan;
using Status = BinaryTraceReader::Status;
namespace binary = hotspan::detail::binary;

namespace {

// The documented options that allow the largest spans.
TracerOptions largest_span_options(const std::string& path) {
  TracerOptions o;
  o.slot_bytes = 65536;
  o.max_string_bytes = 65535;
  o.exporter = file_exporter(path, Format::binary);
  return o;
}

// Shuts the tracer down, then checks that its `spans` spans were exported and
// all read back, from a complete file, each passing `check`.
void require_all_read_back(Tracer& tracer, const std::string& path, uint64_t spans,
                           const std::function<bool(const SpanRecord&)>& check) {
  REQUIRE(tracer.flush());
  tracer.shutdown();
  const TracerStats st = tracer.stats();
  hotspan_test::require_invariant(st);
  CHECK(st.spans_exported == spans);
  uint64_t passed = 0;
  const auto back = hotspan_test::read_binary_trace(
      path, [&](const SpanRecord& r) { passed += check(r) ? 1 : 0; });
  INFO(back.message);
  CHECK(back.status == Status::complete);
  CHECK(back.spans == spans);
  CHECK(passed == spans);
}

// Payload lengths of every frame of a binary file's bytes, in order.
std::vector<std::pair<binary::FrameType, uint32_t>> frames_of(const std::string& bytes) {
  std::vector<std::pair<binary::FrameType, uint32_t>> frames;
  size_t at = binary::kPreambleBytes;
  while (at + binary::kFrameHeaderBytes <= bytes.size()) {
    uint32_t length;
    std::memcpy(&length, bytes.data() + at + 1, sizeof(length));
    frames.emplace_back(static_cast<binary::FrameType>(bytes[at]), length);
    at += binary::kFrameHeaderBytes + size_t{length} + binary::kChecksumBytes;
  }
  return frames;
}

void check_frames_readable(const std::string& bytes) {
  for (const auto& [type, length] : frames_of(bytes)) {
    INFO("frame type " << static_cast<int>(type));
    CHECK(length <= binary::kMaxPayloadBytes);
  }
}

size_t count_frames(const std::string& bytes, binary::FrameType type) {
  size_t n = 0;
  for (const auto& frame : frames_of(bytes))
    n += frame.first == type ? 1 : 0;
  return n;
}

SpanRecord record_with_value(uint64_t span_id, std::vector<AttributeView>& attributes,
                             std::string_view value) {
  attributes = {{"v", AttributeValue(std::in_place_index<3>, value)}};
  SpanRecord r;
  r.trace_id.bytes[0] = 1;
  r.span_id.value = span_id;
  r.name = "big";
  r.start_unix_ns = 1'700'000'000'000'000'000ull + span_id;
  r.end_unix_ns = r.start_unix_ns + 1000;
  r.thread_id = 7;
  r.attributes = attributes;
  return r;
}

// A file written by the encoder alone: header, the batches, end frame.
class EncodedFile {
 public:
  EncodedFile() {
    _encoder->begin(Resource{"svc", {{"service.name", "svc"}}, 0, 0, 1}, bytes);
    _encoder->delivered(true);
  }
  // Encodes one batch as its own block; how many of its spans the encoder left out.
  size_t add(std::span<const SpanRecord> records) {
    std::string block;
    const size_t left_out = _encoder->encode(records, block);
    _encoder->delivered(true);
    bytes += block;
    return left_out;
  }
  // Ends the file; checks that every frame is one a reader accepts and that
  // the file reads back complete; the spans read.
  std::vector<hotspan_test::OwnedSpan> finish_and_read() {
    _encoder->finish(bytes);
    _encoder->delivered(true);
    check_frames_readable(bytes);
    std::istringstream in(bytes);
    BinaryTraceReader reader(in);
    std::vector<hotspan_test::OwnedSpan> spans;
    while (const SpanRecord* r = reader.next())
      spans.push_back(hotspan_test::own(*r));
    INFO(reader.message());
    CHECK(reader.status() == Status::complete);
    return spans;
  }
  std::string bytes;

 private:
  std::unique_ptr<detail::RecordEncoder> _encoder = detail::make_binary_encoder();
};

class HugeMessageCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "huge"; }
  std::string message(int) const override { return std::string(17u << 20, 'm'); }
};

}  // namespace

TEST_CASE("binary: 1,000 spans of 60 KB values with the largest options all read back",
          "[binary][limits]") {
  hotspan_test::ScratchFile file("frame_limits_values.bin");
  Tracer tracer(largest_span_options(file.path));
  for (int i = 0; i < 1000; ++i) {
    Span s = tracer.start_span("big-value");
    s.set_attribute("v", std::string(60000, static_cast<char>('a' + i % 26)));
  }
  require_all_read_back(tracer, file.path, 1000, [](const SpanRecord& r) {
    const auto* v = std::get_if<3>(&r.attributes[0].value);
    return v != nullptr && v->size() == 60000;
  });
}

TEST_CASE("binary: 1,200 distinct 60 KB names with the largest options all read back",
          "[binary][limits]") {
  // 72 MB of distinct names: more than one strings frame holds, and more than
  // the reader's 64 MiB string table.
  hotspan_test::ScratchFile file("frame_limits_names.bin");
  Tracer tracer(largest_span_options(file.path));
  std::string name(60000, 'n');
  for (int i = 0; i < 1200; ++i) {
    const std::string id = std::to_string(i);
    std::memcpy(name.data(), id.data(), id.size());
    name[id.size()] = '-';
    Span s = tracer.start_span(name);
  }
  require_all_read_back(tracer, file.path, 1200,
                        [](const SpanRecord& r) { return r.name.size() == 60000; });
}

TEST_CASE("binary: a span too large for any frame is left out and counted; its batch is written",
          "[binary][limits]") {
  // The only way the engine makes such a span: an error category whose
  // message (rendered at export, not bounded by max_string_bytes) is 17 MiB.
  static const HugeMessageCategory huge;
  hotspan_test::ScratchFile file("frame_limits_refused.bin");
  Tracer tracer(largest_span_options(file.path));
  { Span before = tracer.start_span("before"); }
  REQUIRE(tracer.flush());
  {  // One batch: the refused span between two others, which must not pay for it.
    Span first = tracer.start_span("same-batch-1");
    first.end();
    Span s = tracer.start_span("refused");
    s.record_error(std::error_code(1, huge));
    s.end();
    Span second = tracer.start_span("same-batch-2");
  }
  REQUIRE(tracer.flush());  // the batch was written; the loss is in the counters
  { Span after = tracer.start_span("after"); }
  REQUIRE(tracer.flush());
  tracer.shutdown();
  const TracerStats st = tracer.stats();
  hotspan_test::require_invariant(st);
  CHECK(st.spans_exported == 4);
  CHECK(st.dropped_export_failed == 1);

  std::vector<std::string> names;
  const auto back = hotspan_test::read_binary_trace(
      file.path, [&](const SpanRecord& r) { names.emplace_back(r.name); });
  INFO(back.message);
  CHECK(back.status == Status::complete);
  CHECK(names == std::vector<std::string>{"before", "same-batch-1", "same-batch-2", "after"});
  REQUIRE(back.recorded_losses);
  CHECK(back.recorded_losses->dropped_export_failed == 1);
}

TEST_CASE("binary: spans frames are split at the 16 MiB payload bound", "[binary][limits]") {
  std::vector<std::vector<AttributeView>> attributes(3);
  const size_t budget = detail::kMaxBinarySpanBytes;

  SECTION("the largest span that fits is written alone; one byte more is refused") {
    std::string value(budget, 'x');
    SpanRecord r = record_with_value(1, attributes[0], value);
    const size_t overhead = detail::binary_span_bound(r) - value.size();
    value.resize(budget - overhead);
    r = record_with_value(1, attributes[0], value);
    REQUIRE(detail::binary_span_bound(r) == budget);

    EncodedFile file;
    CHECK(file.add({&r, 1}) == 0);
    std::string longer = value + "y";
    SpanRecord too_big = record_with_value(2, attributes[1], longer);
    CHECK(detail::binary_span_bound(too_big) == budget + 1);
    CHECK(file.add({&too_big, 1}) == 1);
    SpanRecord small = record_with_value(3, attributes[2], "small");
    CHECK(file.add({&small, 1}) == 0);
    const auto spans = file.finish_and_read();

    // The bound overstates a span by a few bytes per field only: the frame
    // is all but full.
    uint32_t largest = 0;
    for (const auto& frame : frames_of(file.bytes))
      largest = std::max(largest, frame.second);
    CHECK(largest + 128 > binary::kMaxPayloadBytes);
    REQUIRE(spans.size() == 2);
    CHECK(std::get<std::string>(*spans[0].find("v")).size() == value.size());
    CHECK(spans[1].span_id.value == 3);
  }

  SECTION("two spans whose bounds fill the budget share a frame; one byte more splits it") {
    for (size_t extra : {0, 1}) {
      std::string first_value(budget / 2, 'a');
      std::string second_value(budget / 2, 'b');
      SpanRecord records[2] = {record_with_value(1, attributes[0], first_value),
                               record_with_value(2, attributes[1], second_value)};
      const size_t total =
          detail::binary_span_bound(records[0]) + detail::binary_span_bound(records[1]);
      second_value.resize(second_value.size() - (total - budget) + extra);
      records[1] = record_with_value(2, attributes[1], second_value);
      REQUIRE(detail::binary_span_bound(records[0]) + detail::binary_span_bound(records[1]) ==
              budget + extra);

      EncodedFile file;
      REQUIRE(file.add(records) == 0);
      INFO("bytes over the budget: " << extra);
      const auto spans = file.finish_and_read();
      CHECK(count_frames(file.bytes, binary::FrameType::spans) == 1 + extra);
      REQUIRE(spans.size() == 2);
      CHECK(std::get<std::string>(*spans[1].find("v")) == second_value);
    }
  }
}

TEST_CASE("binary: the encoder leaves out the spans no frame holds, the others in order",
          "[binary][limits]") {
  std::vector<std::vector<AttributeView>> attributes(5);
  const std::string huge(detail::kMaxBinarySpanBytes, 'h');
  const SpanRecord records[] = {
      record_with_value(1, attributes[0], "a"), record_with_value(2, attributes[1], huge),
      record_with_value(3, attributes[2], "b"), record_with_value(4, attributes[3], huge),
      record_with_value(5, attributes[4], "c")};
  EncodedFile file;
  CHECK(file.add(records) == 2);
  CHECK(file.add(std::span(records).subspan(1, 1)) == 1);  // a batch of one refused span
  CHECK(file.add(std::span(records).first(1)) == 0);
  const auto spans = file.finish_and_read();
  REQUIRE(spans.size() == 4);
  CHECK(spans[0].span_id.value == 1);
  CHECK(spans[1].span_id.value == 3);
  CHECK(spans[2].span_id.value == 5);
  CHECK(spans[3].span_id.value == 1);
}

TEST_CASE("binary: a left-out span is counted once, and not when its batch fails",
          "[binary][limits]") {
  // spans_failed_after_export() moves spans of accepted batches to the failed
  // count; a batch that fails is counted failed whole by the tracer already.
  std::vector<std::vector<AttributeView>> attributes(2);
  const std::string huge(detail::kMaxBinarySpanBytes, 'h');
  const SpanRecord records[] = {record_with_value(1, attributes[0], "a"),
                                record_with_value(2, attributes[1], huge)};
  std::ostringstream sink;
  const auto exporter = ostream_exporter(sink, Format::binary);
  exporter->start(Resource{"svc", {{"service.name", "svc"}}, 0, 0, 1});
  CHECK(exporter->export_batch(records));
  CHECK(exporter->spans_failed_after_export() == 1);
  sink.setstate(std::ios::badbit);
  CHECK_FALSE(exporter->export_batch(records));
  CHECK(exporter->spans_failed_after_export() == 1);
  exporter->shutdown();
}

TEST_CASE("binary: a batch of 9 MiB values is split into readable frames", "[binary][limits]") {
  std::vector<std::vector<AttributeView>> attributes(3);
  const std::string value(9u << 20, 'v');
  SpanRecord records[3];
  for (size_t i = 0; i < 3; ++i)
    records[i] = record_with_value(i + 1, attributes[i], value);
  EncodedFile file;
  REQUIRE(file.add(records) == 0);
  CHECK(file.finish_and_read().size() == 3);
}

TEST_CASE("binary: a span over 16 MiB is left out, the rest of its batch written",
          "[binary][limits]") {
  std::vector<std::vector<AttributeView>> attributes(2);
  const std::string huge(17u << 20, 'h');
  SpanRecord batch[2] = {record_with_value(1, attributes[0], "fits"),
                         record_with_value(2, attributes[1], huge)};
  batch[0].name = "a-name-first-seen-in-the-batch-with-a-left-out-span";
  EncodedFile file;
  CHECK(file.add(batch) == 1);
  batch[0].span_id.value = 3;
  CHECK(file.add({batch, 1}) == 0);  // the name, defined by the first block, is referred to
  const auto spans = file.finish_and_read();
  REQUIRE(spans.size() == 2);
  CHECK(spans[0].span_id.value == 1);
  CHECK(spans[1].span_id.value == 3);
  CHECK(spans[1].name == "a-name-first-seen-in-the-batch-with-a-left-out-span");
}
