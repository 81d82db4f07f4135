// hotspan tool — spans grouped into traces and trees (see trace_forest.hpp).
#include "trace_forest.hpp"

#include <algorithm>
#include <string>
#include <unordered_map>

namespace hotspan::tool {

TraceForest::TraceForest(const std::vector<OwnedSpan>& spans)
    : _spans(spans), _children(spans.size()) {
  std::unordered_map<std::string_view, size_t> trace_index;
  for (size_t i = 0; i < spans.size(); ++i) {
    auto [it, inserted] = trace_index.try_emplace(spans[i].trace_id, _traces.size());
    if (inserted) {
      _traces.emplace_back();
      _traces.back().trace_id = spans[i].trace_id;
    }
    _traces[it->second].spans.push_back(i);
  }
  for (Trace& trace : _traces)
    build_trace(trace);
  std::stable_sort(_traces.begin(), _traces.end(), [](const Trace& a, const Trace& b) {
    return a.start_unix_ns < b.start_unix_ns;
  });
}

void TraceForest::build_trace(Trace& trace) {
  auto by_start = [this](size_t a, size_t b) {
    return _spans[a].start_unix_ns < _spans[b].start_unix_ns;
  };
  std::stable_sort(trace.spans.begin(), trace.spans.end(), by_start);

  std::unordered_map<std::string_view, size_t> by_id;
  for (size_t i : trace.spans)
    by_id.try_emplace(_spans[i].span_id, i);

  // Parent links as found in the file (possibly with cycles), children in start order.
  std::unordered_map<size_t, std::vector<size_t>> linked;
  std::vector<TraceEntry> candidates;
  trace.start_unix_ns = _spans[trace.spans.front()].start_unix_ns;
  for (size_t i : trace.spans) {
    const OwnedSpan& s = _spans[i];
    trace.end_unix_ns = std::max(trace.end_unix_ns, s.end_unix_ns);
    if (s.status == StatusCode::error) ++trace.errors;
    if (s.is_root()) {
      candidates.push_back({i, EntryKind::root});
    } else if (auto parent = by_id.find(s.parent_span_id); parent == by_id.end()) {
      candidates.push_back({i, EntryKind::orphan});
    } else {
      linked[parent->second].push_back(i);
    }
  }

  // Depth-first from each entry point, each span placed once. What is left over
  // hangs off a parent cycle: its earliest span becomes a "cycle" entry.
  std::unordered_map<size_t, bool> placed;
  auto place_from = [&](size_t entry) {
    std::vector<size_t> pending{entry};
    placed[entry] = true;
    while (!pending.empty()) {
      const size_t parent = pending.back();
      pending.pop_back();
      auto it = linked.find(parent);
      if (it == linked.end()) continue;
      for (size_t child : it->second) {
        if (placed[child]) continue;
        placed[child] = true;
        _children[parent].push_back(child);
        pending.push_back(child);
      }
    }
  };
  for (const TraceEntry& entry : candidates) {
    place_from(entry.span);
    trace.entries.push_back(entry);
  }
  for (size_t i : trace.spans) {
    if (placed[i]) continue;
    place_from(i);
    trace.entries.push_back({i, EntryKind::cycle});
  }
  std::stable_sort(
      trace.entries.begin(), trace.entries.end(),
      [&](const TraceEntry& a, const TraceEntry& b) { return by_start(a.span, b.span); });

  trace.main_span = trace.entries.front().span;
  for (const TraceEntry& entry : trace.entries) {
    if (entry.kind == EntryKind::root) {
      trace.main_span = entry.span;
      break;
    }
  }
}

const Trace* TraceForest::find(std::string_view trace_id) const {
  std::string lower(trace_id);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  for (const Trace& trace : _traces) {
    if (trace.trace_id == lower) return &trace;
  }
  return nullptr;
}

}  // namespace hotspan::tool
