// The binary format: round trips through the engine, size, truncation at every
// byte, and every error path of the reader on crafted files.
#include <xxhash.h>
#include <catch2/catch.hpp>
#include <hotspan/hotspan.hpp>
#include <hotspan/reader.hpp>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

#include "capture_exporter.hpp"
#include "formats/binary/binary_encoder.hpp"
#include "formats/binary/binary_format.hpp"
#include "formats/varint.hpp"

using namespace hotspan;
using hotspan_test::CaptureExporter;
using hotspan_test::OwnedSpan;
using Status = BinaryTraceReader::Status;
namespace binary = hotspan::detail::binary;

namespace {

std::string temp_path(const std::string& name) {
  return "/tmp/hotspan_binary_test_" + std::to_string(::getpid()) + "_" + name;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::vector<OwnedSpan> read_all(std::istream& in, Status expected = Status::complete) {
  BinaryTraceReader reader(in);
  std::vector<OwnedSpan> spans;
  while (const SpanRecord* r = reader.next())
    spans.push_back(hotspan_test::own(*r));
  INFO(reader.message());
  CHECK(reader.status() == expected);
  return spans;
}

std::vector<OwnedSpan> read_string(const std::string& bytes, Status expected = Status::complete) {
  std::istringstream in(bytes);
  return read_all(in, expected);
}

void require_same(const OwnedSpan& a, const OwnedSpan& b) {
  CHECK(a.trace_id == b.trace_id);
  CHECK(a.span_id == b.span_id);
  CHECK(a.parent_span_id == b.parent_span_id);
  CHECK(a.name == b.name);
  CHECK(a.kind == b.kind);
  CHECK(a.start_unix_ns == b.start_unix_ns);
  CHECK(a.end_unix_ns == b.end_unix_ns);
  CHECK(a.status == b.status);
  CHECK(a.status_message == b.status_message);
  CHECK(a.dropped_attributes == b.dropped_attributes);
  CHECK(a.dropped_events == b.dropped_events);
  CHECK(a.thread_id == b.thread_id);
  REQUIRE(a.attributes.size() == b.attributes.size());
  for (size_t i = 0; i < a.attributes.size(); ++i) {
    CHECK(a.attributes[i].first == b.attributes[i].first);
    const auto& x = a.attributes[i].second;
    const auto& y = b.attributes[i].second;
    if (std::holds_alternative<double>(x) && std::isnan(std::get<double>(x))) {
      CHECK(std::isnan(std::get<double>(y)));
    } else {
      CHECK(x == y);
    }
  }
  REQUIRE(a.events.size() == b.events.size());
  for (size_t i = 0; i < a.events.size(); ++i) {
    CHECK(a.events[i].name == b.events[i].name);
    CHECK(a.events[i].time_unix_ns == b.events[i].time_unix_ns);
    CHECK(a.events[i].attributes == b.events[i].attributes);
  }
}

// Records a varied set of spans through a real tracer into `path` (binary)
// and returns what the tracer handed to its exporters.
std::vector<OwnedSpan> record_to_file(const std::string& path, TracerOptions o = {}) {
  auto capture = std::make_shared<CaptureExporter>();
  o.exporter = multi_exporter({capture, file_exporter(path, Format::binary)});
  o.service_name = "binary-test";
  o.resource = {{"host.name", "relay-7"}};
  o.export_batch_size = 7;  // many frames
  {
    Tracer tracer(o);
    for (int i = 0; i < 40; ++i) {
      Span root = tracer.start_span("build-circuit", SpanKind::client);
      root.set_attribute("circuit.id", i).set_attribute("purpose", "general");
      Scope scope(root);
      Span hop = tracer.start_span("create-hop", SpanKind::client);
      hop.add_event("cell-sent", {{"bytes", 514}, {"ok", true}});
      if (i % 3 == 0) hop.record_error(std::runtime_error("timeout"));
      if (i % 5 == 0) hop.set_status(StatusCode::cancelled, "client went away");
    }
    {
      Span hostile = tracer.start_span("hostile \xff\xfe name\n\t\"quoted\"");
      hostile.set_attribute("nan", std::nan(""))
          .set_attribute("inf", std::numeric_limits<double>::infinity())
          .set_attribute("-inf", -std::numeric_limits<double>::infinity())
          .set_attribute("min", std::numeric_limits<int64_t>::min())
          .set_attribute("max", std::numeric_limits<int64_t>::max())
          .set_attribute("empty", "")
          .set_attribute("", "empty key")
          .set_attribute("nul", std::string_view("a\0b", 3))
          .set_attribute("bad-utf8", "\xc3\x28\xed\xa0\x80");
    }
  }
  return capture->spans();
}

// Builds a frame exactly as the format specifies, with a valid checksum.
std::string frame(binary::FrameType type, const std::string& payload) {
  std::string f;
  f.push_back(static_cast<char>(type));
  detail::put_fixed<uint32_t>(f, static_cast<uint32_t>(payload.size()));
  f += payload;
  detail::put_fixed<uint64_t>(f, XXH3_64bits(f.data(), f.size()));
  return f;
}

std::string preamble(uint16_t major = 1, uint16_t minor = 0) {
  std::string p(reinterpret_cast<const char*>(binary::kMagic), 8);
  detail::put_fixed<uint16_t>(p, major);
  detail::put_fixed<uint16_t>(p, minor);
  return p;
}

std::string header_payload() {
  std::string h;
  detail::put_varint(h, 1'700'000'000'000'000'000ull);
  detail::put_varint(h, 123);
  detail::put_varint(h, 42);
  detail::put_bytes(h, "svc");
  detail::put_varint(h, 0);
  detail::put_bytes(h, "crafted");
  return h;
}

// One root span whose name is table string `name_index`, in its own frame.
std::string span_payload(uint64_t name_ref, uint8_t flags = 0,
                         uint64_t span_id = 0x1122334455667788) {
  std::string p;
  detail::put_varint(p, 1'700'000'000'000'000'000ull);
  detail::put_varint(p, 1);
  p.push_back(static_cast<char>(flags));
  p.append(16, '\x07');  // trace id
  detail::put_fixed<uint64_t>(p, __builtin_bswap64(span_id));
  detail::put_varint(p, name_ref);
  detail::put_varint(p, 0);   // start delta
  detail::put_varint(p, 20);  // duration 10 (zigzag)
  detail::put_varint(p, 1);   // thread
  detail::put_varint(p, 0);   // attributes
  return p;
}

std::string strings_payload(uint64_t first, std::vector<std::string> strings) {
  std::string p;
  detail::put_varint(p, first);
  detail::put_varint(p, strings.size());
  for (auto& s : strings)
    detail::put_bytes(p, s);
  return p;
}

struct ReadResult {
  Status status;
  std::string message;
  uint64_t offset;
  uint64_t spans;
};

ReadResult read_crafted(const std::string& bytes) {
  std::istringstream in(bytes);
  BinaryTraceReader reader(in);
  while (reader.next() != nullptr) {
  }
  return {reader.status(), reader.message(), reader.error_offset(), reader.spans_read()};
}

}  // namespace

TEST_CASE("binary: engine → file → reader gives identical records", "[binary]") {
  const std::string path = temp_path("roundtrip.bin");
  const auto recorded = record_to_file(path);
  REQUIRE(recorded.size() == 81);
  auto reader = BinaryTraceReader::open(path);
  std::vector<OwnedSpan> read;
  while (const SpanRecord* r = reader->next())
    read.push_back(hotspan_test::own(*r));
  INFO(reader->message());
  REQUIRE(reader->status() == Status::complete);
  REQUIRE(read.size() == recorded.size());
  for (size_t i = 0; i < read.size(); ++i)
    require_same(read[i], recorded[i]);
  CHECK(reader->declared_span_count() == std::optional<uint64_t>(81));
  const Resource& res = reader->resource();
  CHECK(res.service_name == "binary-test");
  REQUIRE(res.attributes.size() == 2);
  CHECK(res.attributes[1].second == "relay-7");
  CHECK(res.process_id == static_cast<uint32_t>(::getpid()));
  CHECK(res.clock_anchor_unix_ns > 0);
  std::remove(path.c_str());
}

TEST_CASE("binary: 64 KB strings survive the round trip", "[binary]") {
  const std::string path = temp_path("big.bin");
  auto capture = std::make_shared<CaptureExporter>();
  TracerOptions o;
  o.slot_bytes = 65536;
  o.max_string_bytes = 65535;
  o.exporter = multi_exporter({capture, file_exporter(path)});
  {
    Tracer tracer(o);
    Span s = tracer.start_span("big");
    s.set_attribute("v", std::string(65000, 'x'));
  }
  auto recorded = capture->spans();
  std::ifstream in(path, std::ios::binary);
  auto read = read_all(in);
  REQUIRE(read.size() == 1);
  CHECK(std::get<std::string>(*read[0].find("v")).size() == 65000);
  require_same(read[0], recorded[0]);
  std::remove(path.c_str());
}

TEST_CASE("binary: a two-attribute span takes at most 64 bytes", "[binary][size]") {
  auto encoder = detail::make_binary_encoder();
  std::string out;
  encoder->begin(Resource{"svc", {{"service.name", "svc"}}, 0, 0, 1}, out);
  encoder->delivered(true);
  std::vector<AttributeView> attributes = {
      {"circuit.id", AttributeValue(std::in_place_index<1>, int64_t{1234})},
      {"relay", AttributeValue(std::in_place_index<3>, std::string_view("guard1"))}};
  auto batch = [&](uint64_t base, bool same_trace) {
    std::vector<SpanRecord> records(512);
    for (size_t i = 0; i < records.size(); ++i) {
      SpanRecord& r = records[i];
      r.trace_id.bytes[0] = 1;
      if (!same_trace) r.trace_id.bytes[15] = static_cast<uint8_t>(i);
      r.span_id.value = 0x1000 + i;
      r.parent_span_id.value = same_trace ? 0x1000 : 0;
      r.name = "relay-cell";
      r.start_unix_ns = base + i * 1'500;
      r.end_unix_ns = r.start_unix_ns + 800 + i;
      r.thread_id = 31337;
      r.attributes = attributes;
    }
    return records;
  };
  auto first = batch(1'700'000'000'000'000'000ull, false);
  encoder->encode(first, out);  // defines the strings
  encoder->delivered(true);
  for (bool same_trace : {false, true}) {
    std::string block;
    auto records = batch(1'700'000'001'000'000'000ull, same_trace);
    encoder->encode(records, block);
    encoder->delivered(true);
    const double per_span = static_cast<double>(block.size()) / static_cast<double>(records.size());
    INFO("same trace: " << same_trace << ", bytes per span: " << per_span);
    CHECK(per_span <= 64.0);
    out += block;
  }
  encoder->finish(out);
  CHECK(read_string(out).size() == 3 * 512);
}

TEST_CASE("binary: a file cut at any byte yields exactly its complete frames",
          "[binary][truncation]") {
  const std::string path = temp_path("cut.bin");
  record_to_file(path);
  const std::string full = slurp(path);
  std::remove(path.c_str());

  // Frame boundaries and the spans complete at each, from the format itself.
  std::vector<std::pair<size_t, uint64_t>> boundaries;  // (end offset, spans so far)
  size_t pos = binary::kPreambleBytes;
  uint64_t spans = 0;
  while (pos < full.size()) {
    uint32_t length;
    std::memcpy(&length, full.data() + pos + 1, 4);
    if (static_cast<binary::FrameType>(full[pos]) == binary::FrameType::spans) {
      detail::ByteCursor c(reinterpret_cast<const uint8_t*>(full.data() + pos + 5),
                           reinterpret_cast<const uint8_t*>(full.data() + pos + 5 + length));
      uint64_t base = 0, count = 0;
      REQUIRE(c.varint(base));
      REQUIRE(c.varint(count));
      spans += count;
    }
    pos += binary::kFrameHeaderBytes + length + binary::kChecksumBytes;
    boundaries.emplace_back(pos, spans);
  }
  REQUIRE(pos == full.size());
  REQUIRE(spans == 81);

  for (size_t cut = 0; cut < full.size(); ++cut) {
    const ReadResult r = read_crafted(full.substr(0, cut));
    uint64_t expected = 0;
    bool at_boundary = false;
    for (const auto& [end, count] : boundaries) {
      if (end <= cut) expected = count;
      at_boundary = at_boundary || end == cut;
    }
    INFO("cut at " << cut << ": " << r.message);
    REQUIRE(r.spans == expected);
    if (cut == 0 || (cut >= 8 && cut < binary::kPreambleBytes)) {
      REQUIRE((r.status == Status::error || r.status == Status::truncated));
    } else if (cut < 8) {
      REQUIRE(r.status == Status::error);  // not even the magic
    } else if (at_boundary) {
      REQUIRE(r.status == Status::unclosed);
    } else {
      REQUIRE(r.status == Status::truncated);
      REQUIRE(r.message.find("truncated after " + std::to_string(expected) + " spans") !=
              std::string::npos);
    }
  }
}

TEST_CASE("binary: the reader rejects corrupt input with what and where", "[binary][errors]") {
  const std::string head = preamble() + frame(binary::FrameType::header, header_payload());
  const std::string end = frame(binary::FrameType::end, std::string(7, '\0'));
  const std::string names = frame(binary::FrameType::strings, strings_payload(0, {"op"}));

  SECTION("a valid crafted file reads") {
    auto r = read_crafted(head + names + frame(binary::FrameType::spans, span_payload(0)) + end);
    CHECK(r.status == Status::complete);
    CHECK(r.spans == 1);
  }
  SECTION("empty input") {
    auto r = read_crafted("");
    CHECK(r.status == Status::error);
    CHECK(r.message.find("empty") != std::string::npos);
  }
  SECTION("bad magic") {
    auto r = read_crafted("{\"trace_id\":\"00\"}\n");
    CHECK(r.status == Status::error);
    CHECK(r.message.find("bad magic") != std::string::npos);
  }
  SECTION("unknown major version") {
    auto r = read_crafted(preamble(2, 0) + frame(binary::FrameType::header, header_payload()));
    CHECK(r.status == Status::error);
    CHECK(r.message.find("unsupported format version 2.0") != std::string::npos);
  }
  SECTION("a newer minor version with a longer header still reads") {
    auto r = read_crafted(preamble(1, 3) +
                          frame(binary::FrameType::header, header_payload() + "future") + names +
                          frame(binary::FrameType::spans, span_payload(0)) + end);
    CHECK(r.status == Status::complete);
  }
  SECTION("bad checksum, with the frame's offset") {
    std::string bad = head + names + frame(binary::FrameType::spans, span_payload(0)) + end;
    const size_t spans_at = head.size() + names.size();
    bad[spans_at + 10] ^= 0x40;
    auto r = read_crafted(bad);
    CHECK(r.status == Status::error);
    CHECK(r.message.find("checksum") != std::string::npos);
    CHECK(r.offset == spans_at);
    CHECK(r.message.find(std::to_string(spans_at)) != std::string::npos);
  }
  SECTION("impossible length is refused before allocating") {
    std::string bad = head;
    bad.push_back(static_cast<char>(binary::FrameType::spans));
    detail::put_fixed<uint32_t>(bad, 0xFFFFFFF0u);
    auto r = read_crafted(bad);
    CHECK(r.status == Status::error);
    CHECK(r.message.find("impossible payload length") != std::string::npos);
  }
  SECTION("string index out of range") {
    auto r = read_crafted(head + names + frame(binary::FrameType::spans, span_payload(2 << 1)));
    CHECK(r.status == Status::error);
    CHECK(r.message.find("string index 2 out of range") != std::string::npos);
  }
  SECTION("strings frame that skips indexes") {
    auto r = read_crafted(head + frame(binary::FrameType::strings, strings_payload(5, {"x"})));
    CHECK(r.status == Status::error);
    CHECK(r.message.find("defines index 5") != std::string::npos);
  }
  SECTION("strings frame declaring more strings than it holds") {
    std::string p;
    detail::put_varint(p, 0);
    detail::put_varint(p, 1'000'000'000);
    auto r = read_crafted(head + frame(binary::FrameType::strings, p));
    CHECK(r.status == Status::error);
  }
  SECTION("a zero span id") {
    auto r = read_crafted(head + names + frame(binary::FrameType::spans, span_payload(0, 0, 0)));
    CHECK(r.status == Status::error);
  }
  SECTION("a kind out of range") {
    auto r = read_crafted(head + names + frame(binary::FrameType::spans, span_payload(0, 7)));
    CHECK(r.status == Status::error);
  }
  SECTION("same-trace flag on the first span of a frame") {
    auto r = read_crafted(head + names +
                          frame(binary::FrameType::spans, span_payload(0, binary::kSameTrace)));
    CHECK(r.status == Status::error);
  }
  SECTION("huge attribute count") {
    std::string p = span_payload(0);
    p.pop_back();
    detail::put_varint(p, 1ull << 40);
    auto r = read_crafted(head + names + frame(binary::FrameType::spans, p));
    CHECK(r.status == Status::error);
  }
  SECTION("trailing bytes after the last span") {
    auto r = read_crafted(head + names + frame(binary::FrameType::spans, span_payload(0) + "x"));
    CHECK(r.status == Status::error);
    CHECK(r.message.find("trailing") != std::string::npos);
  }
  SECTION("a second header") {
    auto r = read_crafted(head + frame(binary::FrameType::header, header_payload()));
    CHECK(r.status == Status::error);
  }
  SECTION("data after the end frame") {
    auto r = read_crafted(head + end + names);
    CHECK(r.status == Status::error);
    CHECK(r.message.find("after the end frame") != std::string::npos);
  }
  SECTION("first frame not a header") {
    auto r = read_crafted(preamble() + names);
    CHECK(r.status == Status::error);
  }
  SECTION("unknown frame types are skipped") {
    auto r = read_crafted(head + frame(static_cast<binary::FrameType>(99), "future data") + names +
                          frame(binary::FrameType::spans, span_payload(0)) + end);
    CHECK(r.status == Status::complete);
    CHECK(r.spans == 1);
  }
  SECTION("inline strings need no table") {
    std::string p = span_payload((4 << 1) | 1);
    // Insert the 4 inline bytes after the name reference: rebuild by hand.
    std::string q;
    detail::put_varint(q, 1'700'000'000'000'000'000ull);
    detail::put_varint(q, 1);
    q.push_back(0);
    q.append(16, '\x07');
    detail::put_fixed<uint64_t>(q, __builtin_bswap64(0x99));
    detail::put_varint(q, (4 << 1) | 1);
    q += "name";
    q += std::string("\x00\x14\x01\x00", 4);
    std::istringstream in(head + frame(binary::FrameType::spans, q) + end);
    BinaryTraceReader reader(in);
    const SpanRecord* r = reader.next();
    REQUIRE(r != nullptr);
    CHECK(r->name == "name");
    CHECK(r->end_unix_ns - r->start_unix_ns == 10);
  }
}

TEST_CASE("binary: losses are recorded in the stream", "[binary][drops]") {
  const std::string path = temp_path("drops.bin");
  TracerOptions o;
  o.exporter = file_exporter(path);
  o.slots_per_thread = 2;
  TracerStats final_stats;
  {
    Tracer tracer(o);
    Span a = tracer.start_span("a");
    Span b = tracer.start_span("b");
    Span c = tracer.start_span("c");  // pool exhausted
    a.end();
    b.end();
    c.end();
    REQUIRE(tracer.flush());
    { Span d = tracer.start_span("d"); }
    tracer.shutdown();
    final_stats = tracer.stats();
  }
  auto reader = BinaryTraceReader::open(path);
  uint64_t n = 0;
  while (reader->next())
    ++n;
  CHECK(reader->status() == Status::complete);
  CHECK(n == 3);
  CHECK(reader->declared_span_count() == std::optional<uint64_t>(3));
  REQUIRE(reader->recorded_losses().has_value());
  CHECK(reader->recorded_losses()->dropped_pool_exhausted == 1);
  CHECK(final_stats.dropped_pool_exhausted == 1);
  std::remove(path.c_str());
}

TEST_CASE("binary: a block that is not written leaves no dangling string index", "[binary]") {
  auto encoder = detail::make_binary_encoder();
  std::string file;  // what reached the "disk"
  std::string block;
  encoder->begin(Resource{"svc", {{"service.name", "svc"}}, 0, 0, 1}, block);
  encoder->delivered(false);  // the header was lost too
  std::vector<AttributeView> attrs = {
      {"lost-key", AttributeValue(std::in_place_index<1>, int64_t{1})}};
  SpanRecord r;
  r.trace_id.bytes[0] = 1;
  r.span_id.value = 7;
  r.name = "lost-name";
  r.attributes = attrs;
  block.clear();
  encoder->encode(std::span<const SpanRecord>(&r, 1), block);
  encoder->delivered(false);
  block.clear();
  r.span_id.value = 8;
  encoder->encode(std::span<const SpanRecord>(&r, 1), block);  // must redefine both
  encoder->delivered(true);
  file += block;
  block.clear();
  encoder->finish(block);
  encoder->delivered(true);
  file += block;
  auto spans = read_string(file);
  REQUIRE(spans.size() == 1);
  CHECK(spans[0].name == "lost-name");
  CHECK(spans[0].span_id.value == 8);
  CHECK(spans[0].attributes[0].first == "lost-key");
}

TEST_CASE("binary: writing to a full disk fails batches without corrupting state",
          "[binary][faults]") {
  TracerOptions o;
  o.exporter = file_exporter("/dev/full");
  Tracer tracer(o);
  for (int i = 0; i < 10; ++i)
    Span s = tracer.start_span("doomed");
  CHECK_FALSE(tracer.flush());
  auto st = tracer.stats();
  CHECK(st.dropped_export_failed == 10);
  CHECK(st.spans_exported == 0);
  hotspan_test::require_invariant(st);
}

TEST_CASE("binary: has_magic tells the formats apart", "[binary]") {
  CHECK(BinaryTraceReader::has_magic(preamble()));
  CHECK_FALSE(BinaryTraceReader::has_magic("{\"trace_id\""));
  CHECK_FALSE(BinaryTraceReader::has_magic(""));
  CHECK_THROWS_AS(BinaryTraceReader::open("/nonexistent/trace.bin"), std::system_error);
}
