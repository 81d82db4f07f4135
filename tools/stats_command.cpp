// hotspan tool — `hotspan stats`: latency statistics of the spans of a file.
//
// Per group (span name, kind or status): count, errors, min, P50, P95, P99, max
// and total duration, then the slowest traces. Percentiles are exact: every
// duration is kept (8 bytes a span, the only per-span memory) and sorted; P is
// the nearest-rank value (the smallest duration that at least P% of the spans
// do not exceed). Traces are summarized while reading (a few dozen bytes a
// trace), so no span is kept.
#include <algorithm>
#include <array>
#include <functional>
#include <iostream>
#include <limits>
#include <string>
#include <unordered_map>
#include <vector>

#include "command.hpp"
#include "input_set.hpp"
#include "percentile.hpp"
#include "read_spans.hpp"
#include "text_output.hpp"

namespace hotspan::tool {
namespace {

constexpr std::string_view kUsage =
    R"(usage: hotspan stats FILE... [--by name|kind|status] [--top N]

Prints latency statistics of the spans of FILE (binary or JSON Lines; "-" reads
stdin; several files, a directory or a quoted pattern such as 'relay.*.bin' are
read as one, in natural name order: a rotated set in sequence), one row per group, busiest (largest total) first: count, spans with
status error, min, P50, P95, P99 (exact, nearest rank), max and total duration.
Then the slowest traces: root span, duration (earliest start to latest end) and
span count. Memory: 8 bytes per span and a few dozen per trace.

options:
  --by KEY     group spans by name (default), kind or status
  --top N      slowest traces listed (default 5, 0 = none)
  -h, --help   show this help
)";

constexpr std::array<OptionSpec, 2> kOptions{{
    {"by", true},
    {"top", true},
}};
constexpr std::array<std::string_view, 3> kGroupings{"name", "kind", "status"};
constexpr uint64_t kNever = std::numeric_limits<uint64_t>::max();

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view text) const noexcept {
    return std::hash<std::string_view>{}(text);
  }
};

// Strings kept once each, referred to by index.
class StringTable {
 public:
  uint32_t intern(std::string_view text) {
    auto it = _index.find(text);
    if (it != _index.end()) return it->second;
    const auto index = static_cast<uint32_t>(_strings.size());
    _strings.emplace_back(text);
    _index.emplace(_strings.back(), index);
    return index;
  }
  const std::string& operator[](uint32_t index) const { return _strings[index]; }
  size_t size() const noexcept { return _strings.size(); }

 private:
  std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> _index;
  std::vector<std::string> _strings;
};

struct Group {
  std::vector<uint64_t> durations;  // sorted once reading is done
  uint64_t errors = 0;
  uint64_t total = 0;
};

struct TraceSummary {
  uint64_t start = kNever, end = 0;
  uint64_t spans = 0, errors = 0;
  uint64_t root_start = kNever;  // the earliest root span, which names the trace
  uint32_t root_name = 0;
  uint64_t first_start = kNever;  // the earliest span, for traces without a root
  uint32_t first_name = 0;

  uint64_t duration_ns() const noexcept { return end >= start ? end - start : 0; }
};

class Statistics {
 public:
  explicit Statistics(std::string_view by) : _by(by) {}

  void add(const SpanRecord& span) {
    const uint64_t duration =
        span.end_unix_ns >= span.start_unix_ns ? span.end_unix_ns - span.start_unix_ns : 0;
    const bool error = span.status == StatusCode::error;
    const uint32_t label_index = _labels.intern(label(span));
    if (label_index == _groups.size()) _groups.emplace_back();
    Group& group = _groups[label_index];
    group.durations.push_back(duration);
    group.total += duration;
    group.errors += error ? 1 : 0;

    TraceSummary& trace = _traces[span.trace_id];
    trace.start = std::min(trace.start, span.start_unix_ns);
    trace.end = std::max(trace.end, span.end_unix_ns);
    ++trace.spans;
    trace.errors += error ? 1 : 0;
    if (!span.parent_span_id.valid() && span.start_unix_ns < trace.root_start) {
      trace.root_start = span.start_unix_ns;
      trace.root_name = _names.intern(span.name);
    }
    if (span.start_unix_ns < trace.first_start) {
      trace.first_start = span.start_unix_ns;
      trace.first_name = _names.intern(span.name);
    }
  }

  void print_groups(std::ostream& out) {
    std::vector<uint32_t> order;
    std::vector<const std::vector<uint64_t>*> all;
    Group summed;
    for (uint32_t label = 0; label < _groups.size(); ++label) {
      Group& group = _groups[label];
      std::sort(group.durations.begin(), group.durations.end());
      order.push_back(label);
      all.push_back(&group.durations);
      summed.errors += group.errors;
      summed.total += group.total;
    }
    std::sort(order.begin(), order.end(), [this](uint32_t a, uint32_t b) {
      const uint64_t total_a = _groups[a].total, total_b = _groups[b].total;
      return total_a != total_b ? total_a > total_b : _labels[a] < _labels[b];
    });
    Table table({std::string(_by), "count", "errors", "min", "p50", "p95", "p99", "max", "total"},
                1);
    for (uint32_t label : order) {
      const Group& group = _groups[label];
      table.add_row(row(printable(_labels[label], 60), {&group.durations}, group));
    }
    if (_groups.size() > 1) table.add_row(row("(all)", all, summed));
    out << table.render();
  }

  void print_slowest_traces(size_t top, std::ostream& out) const {
    std::vector<std::pair<const TraceId*, const TraceSummary*>> traces;
    traces.reserve(_traces.size());
    for (const auto& [id, summary] : _traces)
      traces.emplace_back(&id, &summary);
    const size_t shown = std::min(top, traces.size());
    std::partial_sort(traces.begin(), traces.begin() + static_cast<std::ptrdiff_t>(shown),
                      traces.end(), [](const auto& a, const auto& b) {
                        const uint64_t da = a.second->duration_ns(), db = b.second->duration_ns();
                        return da != db ? da > db : a.second->start < b.second->start;
                      });
    out << "\nslowest " << (shown == 1 ? "trace" : std::to_string(shown) + " traces") << " of "
        << traces.size() << "\n";
    Table table({"trace", "root", "duration", "spans", "errors"}, 2);
    for (size_t i = 0; i < shown; ++i) {
      const TraceSummary& trace = *traces[i].second;
      const bool has_root = trace.root_start != kNever;
      std::string root = printable(_names[has_root ? trace.root_name : trace.first_name], 60);
      if (!has_root) root += " (no root)";
      table.add_row({traces[i].first->to_hex(), root, format_duration(trace.duration_ns()),
                     std::to_string(trace.spans), std::to_string(trace.errors)});
    }
    out << table.render();
  }

 private:
  std::string_view label(const SpanRecord& span) const {
    if (_by == "kind") return to_string(span.kind);
    if (_by == "status") return to_string(span.status);
    return span.name;
  }

  static std::vector<std::string> row(const std::string& label,
                                      const std::vector<const std::vector<uint64_t>*>& sorted,
                                      const Group& group) {
    uint64_t count = 0;
    for (const auto* durations : sorted)
      count += durations->size();
    return {label,
            std::to_string(count),
            std::to_string(group.errors),
            format_duration(nearest_rank_percentile(sorted, count, 0)),
            format_duration(nearest_rank_percentile(sorted, count, 50)),
            format_duration(nearest_rank_percentile(sorted, count, 95)),
            format_duration(nearest_rank_percentile(sorted, count, 99)),
            format_duration(nearest_rank_percentile(sorted, count, 100)),
            format_duration(group.total)};
  }

  std::string _by;
  StringTable _labels;
  std::vector<Group> _groups;  // by label index
  StringTable _names;          // of the spans that name traces
  std::unordered_map<TraceId, TraceSummary> _traces;
};

int run_stats(std::span<const std::string_view> args) {
  const ParsedArguments parsed(args, kOptions);
  const std::string by = parsed.choice("by", "name", kGroupings);
  const uint64_t top = parsed.count("top", 5, 0, 1000000);

  const InputSet inputs(parsed.positionals());
  Statistics statistics(by);
  const ReadResult result =
      inputs.read([&statistics](const SpanReader& reader) { statistics.add(reader.record()); });
  if (result.spans > 0) {
    statistics.print_groups(std::cout);
    if (top > 0) statistics.print_slowest_traces(top, std::cout);
  }
  std::cout.flush();
  return result.damaged() ? 1 : 0;
}

}  // namespace

const Command& stats_command() {
  static const Command command{"stats", "latency statistics per span name, kind or status", kUsage,
                               run_stats};
  return command;
}

}  // namespace hotspan::tool
