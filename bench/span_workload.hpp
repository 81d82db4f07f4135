// hotspan bench — the spans the throughput benchmarks record and encode.
//
// One definition of "a span with N small attributes" (N = 0, 2 or 8), used both
// through the Span API (contention, end-to-end runs, the reader's input files)
// and as pre-built SpanRecords fed straight to an exporter, so that every
// throughput figure is about the same bytes. Values vary with the span's index
// (ids, integers) the way a relay's would; names and keys repeat, as they do
// in real traces (the binary format interns them).
//
// The two attributes of the targets: circuit.id (an integer below 100,000)
// and circuit.purpose ("general").
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "hotspan/attribute.hpp"
#include "hotspan/span.hpp"

namespace hotspan_bench {

inline constexpr std::array<std::string_view, 4> kSpanNames = {"build-circuit", "create-hop",
                                                               "open-stream", "relay.cell"};
inline constexpr int kMaxWorkloadAttributes = 8;

inline std::string_view span_name(int64_t i) noexcept {
  return kSpanNames[static_cast<size_t>(i) % kSpanNames.size()];
}

// Attribute `index` (0 .. 7) of span `i`.
inline hotspan::AttributeView workload_attribute(int index, int64_t i) noexcept {
  using V = hotspan::AttributeValue;
  switch (index) {
    case 0:
      return {"circuit.id", V(std::in_place_index<1>, i % 100000)};
    case 1:
      return {"circuit.purpose", V(std::in_place_index<3>, std::string_view("general"))};
    case 2:
      return {"relay.nickname", V(std::in_place_index<3>, std::string_view("moria1"))};
    case 3:
      return {"hop.index", V(std::in_place_index<1>, i % 3)};
    case 4:
      return {"hop.is_exit", V(std::in_place_index<0>, i % 3 == 2)};
    case 5:
      return {"cell.count", V(std::in_place_index<1>, 3 + i % 500)};
    case 6:
      return {"stream.target.port", V(std::in_place_index<1>, int64_t{443})};
    default:
      return {"net.peer.name", V(std::in_place_index<3>, std::string_view("relay.example.net"))};
  }
}

// Sets the first `count` workload attributes on a span.
inline void set_workload_attributes(hotspan::Span& span, int64_t i, int count) noexcept {
  for (int a = 0; a < count; ++a) {
    const hotspan::AttributeView attribute = workload_attribute(a, i);
    span.set_attribute(attribute.key, attribute.value);
  }
}

}  // namespace hotspan_bench
