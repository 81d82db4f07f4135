// Tests of the 26-byte binary context: its exact layout, round trips, what the
// strict parser rejects, and a remote parent carried in it deciding the
// sampling of the receiver's spans (parent-based sampling across processes).
#include <catch2/catch.hpp>
#include <hotspan/hotspan.hpp>

#include <array>
#include <cstddef>
#include <vector>

#include "capture_exporter.hpp"

using hotspan::kBinaryContextSize;
using hotspan::parse_binary_context;
using hotspan::SpanContext;
using hotspan::to_binary_context;

namespace {

using Bytes = std::array<std::byte, kBinaryContextSize>;

// 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01, the W3C example.
SpanContext w3c_example() {
  return *hotspan::parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
}

Bytes from_ints(std::initializer_list<int> values) {
  Bytes bytes{};
  size_t i = 0;
  for (const int v : values)
    bytes[i++] = static_cast<std::byte>(v);
  return bytes;
}

}  // namespace

TEST_CASE("binary context: the layout is version, trace id, span id, flags", "[binary_context]") {
  const Bytes expected =
      from_ints({0x00, 0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d,
                 0x0e, 0x0e, 0x47, 0x36, 0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7, 0x01});
  CHECK(to_binary_context(w3c_example()) == expected);

  Bytes written{};
  hotspan::write_binary_context(w3c_example(), written);
  CHECK(written == expected);
}

TEST_CASE("binary context: round trips keep ids and all flag bits", "[binary_context]") {
  for (const uint8_t flags : {0x00, 0x01, 0x02, 0xfe, 0xff}) {
    SpanContext context = w3c_example();
    context.trace_flags = flags;
    context.is_remote = false;
    const auto parsed = parse_binary_context(to_binary_context(context));
    REQUIRE(parsed.has_value());
    CHECK(parsed->trace_id == context.trace_id);
    CHECK(parsed->span_id == context.span_id);
    CHECK(parsed->trace_flags == flags);
    CHECK(parsed->is_remote);
    CHECK(to_traceparent(*parsed) == to_traceparent(context));
  }
}

TEST_CASE("binary context: an invalid context is written as zeros, read as no parent",
          "[binary_context]") {
  Bytes written;
  written.fill(std::byte{0xaa});
  hotspan::write_binary_context(SpanContext{}, written);
  CHECK(written == Bytes{});
  CHECK_FALSE(parse_binary_context(written).has_value());

  SpanContext no_span = w3c_example();
  no_span.span_id = {};
  CHECK(to_binary_context(no_span) == Bytes{});
}

TEST_CASE("binary context: the strict parser rejects", "[binary_context]") {
  const Bytes good = to_binary_context(w3c_example());
  REQUIRE(parse_binary_context(good).has_value());

  Bytes version = good;
  version[0] = std::byte{1};
  CHECK_FALSE(parse_binary_context(version));
  version[0] = std::byte{0xff};
  CHECK_FALSE(parse_binary_context(version));

  Bytes zero_trace = good;
  for (size_t i = 1; i < 17; ++i)
    zero_trace[i] = std::byte{0};
  CHECK_FALSE(parse_binary_context(zero_trace));

  Bytes zero_span = good;
  for (size_t i = 17; i < 25; ++i)
    zero_span[i] = std::byte{0};
  CHECK_FALSE(parse_binary_context(zero_span));

  // Exactly 26 bytes: neither a prefix nor a whole cell.
  std::vector<std::byte> longer(good.begin(), good.end());
  longer.push_back(std::byte{0});
  CHECK_FALSE(parse_binary_context(longer));
  CHECK_FALSE(parse_binary_context(std::span<const std::byte>(good).first(25)));
  CHECK_FALSE(parse_binary_context({}));
}

TEST_CASE("binary context: a sampled remote parent is joined, an unsampled one is not",
          "[binary_context][tracer]") {
  auto exporter = std::make_shared<hotspan_test::CaptureExporter>();
  hotspan::TracerOptions options;
  options.exporter = exporter;
  // The default sampler is parent_based(always_on()); a ratio of 0 shows that the
  // remote parent's flag decides, not the root sampler.
  options.sampler = hotspan::parent_based(hotspan::trace_id_ratio(0.0));
  hotspan::Tracer tracer(std::move(options));

  // The previous hop: another process, here only its context, sent in a cell.
  SpanContext upstream = w3c_example();
  const Bytes cell_field = to_binary_context(upstream);
  const auto received = parse_binary_context(cell_field);
  REQUIRE(received);
  {
    hotspan::Span hop = tracer.start_span("relay.cell", hotspan::SpanKind::server, *received);
    CHECK(hop.is_recording());
    CHECK(hop.context().trace_id == upstream.trace_id);
    CHECK(hop.context().sampled());
    CHECK_FALSE(hop.context().is_remote);
    // And on to the next hop, which sees this span as its parent.
    const auto next = parse_binary_context(to_binary_context(hop.context()));
    REQUIRE(next);
    CHECK(next->span_id == hop.context().span_id);
    CHECK(next->sampled());
  }
  upstream.trace_flags = 0;
  const auto unsampled = parse_binary_context(to_binary_context(upstream));
  REQUIRE(unsampled);
  hotspan::Span ignored = tracer.start_span("relay.cell", hotspan::SpanKind::server, *unsampled);
  CHECK_FALSE(ignored.is_recording());
  CHECK(ignored.context().trace_id == upstream.trace_id);
  ignored.end();

  REQUIRE(tracer.flush());
  const auto spans = exporter->spans();
  REQUIRE(spans.size() == 1);
  CHECK(spans[0].trace_id == upstream.trace_id);
  CHECK(spans[0].parent_span_id == upstream.span_id);
}
