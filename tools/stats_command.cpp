// hotspan tool — `hotspan stats`: latency statistics of the spans of a file.
//
// Per group (span name, kind or status): count, errors, min, P50, P95, P99, max
// and total duration, then the slowest traces. Percentiles are exact: every
// duration is kept and sorted; P is the nearest-rank value (the smallest
// duration that at least P% of the spans do not exceed).
#include <algorithm>
#include <array>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "command.hpp"
#include "span_reader.hpp"
#include "text_output.hpp"
#include "trace_forest.hpp"

namespace hotspan::tool {
namespace {

constexpr std::string_view kUsage =
    R"(usage: hotspan stats FILE [--by name|kind|status] [--top N]

Prints latency statistics of the spans of FILE (hotspan JSON Lines; "-" reads
stdin), one row per group, busiest (largest total) first: count, spans with
status error, min, P50, P95, P99 (exact, nearest rank), max and total duration.
Then the slowest traces: root span, duration (earliest start to latest end) and
span count.

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

struct Group {
  std::vector<uint64_t> durations;
  uint64_t errors = 0;
};

// Nearest rank: the value at 1-based rank ceil(percent / 100 * n).
uint64_t percentile(const std::vector<uint64_t>& sorted, uint64_t percent) {
  const uint64_t rank = std::max<uint64_t>(1, (percent * sorted.size() + 99) / 100);
  return sorted[rank - 1];
}

std::vector<std::string> group_row(const std::string& label, Group& group) {
  std::vector<uint64_t>& d = group.durations;
  std::sort(d.begin(), d.end());
  uint64_t total = 0;
  for (uint64_t v : d)
    total += v;
  return {label,
          std::to_string(d.size()),
          std::to_string(group.errors),
          format_duration(d.front()),
          format_duration(percentile(d, 50)),
          format_duration(percentile(d, 95)),
          format_duration(percentile(d, 99)),
          format_duration(d.back()),
          format_duration(total)};
}

std::string group_key(const OwnedSpan& span, std::string_view by) {
  if (by == "kind") return std::string(to_string(span.kind));
  if (by == "status") return std::string(to_string(span.status));
  return printable(span.name, 60);
}

void print_groups(const std::vector<OwnedSpan>& spans, std::string_view by, std::ostream& out) {
  std::map<std::string, Group> groups;
  Group all;
  for (const OwnedSpan& span : spans) {
    Group& group = groups[group_key(span, by)];
    group.durations.push_back(span.duration_ns());
    all.durations.push_back(span.duration_ns());
    if (span.status == StatusCode::error) {
      ++group.errors;
      ++all.errors;
    }
  }
  std::vector<std::pair<uint64_t, std::map<std::string, Group>::iterator>> order;
  for (auto it = groups.begin(); it != groups.end(); ++it) {
    uint64_t total = 0;
    for (uint64_t v : it->second.durations)
      total += v;
    order.emplace_back(total, it);
  }
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });

  Table table({std::string(by), "count", "errors", "min", "p50", "p95", "p99", "max", "total"}, 1);
  for (auto& [total, it] : order)
    table.add_row(group_row(it->first, it->second));
  if (groups.size() > 1) table.add_row(group_row("(all)", all));
  out << table.render();
}

void print_slowest_traces(const std::vector<OwnedSpan>& spans, size_t top, std::ostream& out) {
  const TraceForest forest(spans);
  std::vector<const Trace*> traces;
  for (const Trace& trace : forest.traces())
    traces.push_back(&trace);
  const size_t shown = std::min(top, traces.size());
  std::partial_sort(
      traces.begin(), traces.begin() + static_cast<std::ptrdiff_t>(shown), traces.end(),
      [](const Trace* a, const Trace* b) { return a->duration_ns() > b->duration_ns(); });
  out << "\nslowest " << (shown == 1 ? "trace" : std::to_string(shown) + " traces") << " of "
      << traces.size() << "\n";
  Table table({"trace", "root", "duration", "spans", "errors"}, 2);
  for (size_t i = 0; i < shown; ++i) {
    const Trace& trace = *traces[i];
    const OwnedSpan& main = forest.span(trace.main_span);
    std::string root = printable(main.name, 60);
    if (!main.is_root()) root += " (no root)";
    table.add_row({std::string(trace.trace_id), root, format_duration(trace.duration_ns()),
                   std::to_string(trace.spans.size()), std::to_string(trace.errors)});
  }
  out << table.render();
}

int run_stats(std::span<const std::string_view> args) {
  const ParsedArguments parsed(args, kOptions);
  if (parsed.positionals().size() != 1) {
    throw UsageError(parsed.positionals().empty() ? "missing FILE" : "expected exactly one FILE");
  }
  const std::string& path = parsed.positionals()[0];
  const std::string by = parsed.choice("by", "name", kGroupings);
  const uint64_t top = parsed.count("top", 5, 0, 1000000);

  const LoadedSpans loaded = load_spans(path);
  if (!loaded.spans.empty()) {
    print_groups(loaded.spans, by, std::cout);
    if (top > 0) print_slowest_traces(loaded.spans, top, std::cout);
  }
  std::cout.flush();
  return loaded.malformed > 0 ? 1 : 0;
}

}  // namespace

const Command& stats_command() {
  static const Command command{"stats", "latency statistics per span name, kind or status", kUsage,
                               run_stats};
  return command;
}

}  // namespace hotspan::tool
