// hotspan tool — spans grouped into traces, and each trace into a tree.
//
// Spans are grouped by trace id and linked to their parent by span id. Every span
// is placed exactly once, under one of three kinds of entry point:
//   root    — a span without a parent;
//   orphan  — a span whose parent is not in the file (not exported, dropped, or
//             in another file);
//   cycle   — a span only reachable through a parent cycle (a corrupt file).
// Children and entry points are in start order (file order among equal starts).
// If a span id occurs twice in a trace, children attach to its first occurrence.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "owned_span.hpp"

namespace hotspan::tool {

enum class EntryKind : uint8_t { root, orphan, cycle };

struct TraceEntry {
  size_t span;  // index into the span list
  EntryKind kind;
};

struct Trace {
  std::string_view trace_id;
  std::vector<size_t> spans;        // every span of the trace, in start order
  std::vector<TraceEntry> entries;  // where its trees start, in start order
  uint64_t start_unix_ns = 0;       // earliest start
  uint64_t end_unix_ns = 0;         // latest end
  size_t errors = 0;                // spans with status error
  // The earliest root span, else the earliest entry: what the trace is "about".
  size_t main_span = 0;

  uint64_t duration_ns() const noexcept {
    return end_unix_ns >= start_unix_ns ? end_unix_ns - start_unix_ns : 0;
  }
};

class TraceForest {
 public:
  // `spans` must outlive the forest and stay unchanged.
  explicit TraceForest(const std::vector<OwnedSpan>& spans);

  // Traces in order of their earliest start.
  const std::vector<Trace>& traces() const noexcept { return _traces; }
  // Children of a span in the tree, in start order.
  const std::vector<size_t>& children(size_t span) const noexcept { return _children[span]; }
  const OwnedSpan& span(size_t index) const noexcept { return _spans[index]; }
  // The trace with this id (lowercase or uppercase hex), or null.
  const Trace* find(std::string_view trace_id) const;

 private:
  void build_trace(Trace& trace);

  const std::vector<OwnedSpan>& _spans;
  std::vector<Trace> _traces;
  std::vector<std::vector<size_t>> _children;
};

}  // namespace hotspan::tool
