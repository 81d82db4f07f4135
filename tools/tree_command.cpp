// hotspan tool — `hotspan tree`: each trace of a file as an indented tree.
//
//   trace 4bf92f3577b34da6a3ce929d0e0e4736  circuit_build  15 spans  2.31 ms  1 error
//   build-circuit  2.31 ms  circuit.id=7 circuit.purpose=general
//   ├─ select-guard  112 µs  relay.nickname=quietfox
//   └─ extend-circuit  1.52 ms
//      ├─ create-hop-1  310 µs  hop.index=1
//      └─ create-hop-2  502 µs  [error: Connection timed out]  hop.index=2
//
// Only the spans of the traces shown are kept: with --trace, those of that
// trace; with --limit N on a regular file, a first pass finds the N earliest
// traces (keeping a start time per trace) and a second pass keeps their spans.
// Otherwise (--limit 0, or a pipe) every span is kept.
#include <algorithm>
#include <array>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <variant>
#include <vector>

#include "command.hpp"
#include "input_set.hpp"
#include "read_spans.hpp"
#include "text_output.hpp"
#include "trace_forest.hpp"

namespace hotspan::tool {
namespace {

constexpr std::string_view kUsage =
    R"(usage: hotspan tree FILE... [--trace ID] [--limit N] [--attributes N]

Prints each trace of FILE (binary or JSON Lines; "-" reads stdin; several
files, a directory or a quoted pattern such as 'relay.*.bin' are read as one,
in natural name order, so a trace that spans two rotated files is joined) as a
tree of spans: children under their parent in start order, each with its duration, its
status when set, and its first attributes. Spans whose parent is not in the file
are shown as extra roots of their trace, marked "orphan". A span recorded by
another service than its parent's (a trace merged from several processes) ends
with "@service": where the trace crosses into that process. Spans deeper than
32 levels start with their depth, "[depth N]", instead of one guide per level.
Only the spans of the traces shown are kept in memory (with --limit N, a
regular file is read twice; from a pipe, every span is kept).

options:
  --trace ID        show only the trace with this 32-hex-digit id
  --limit N         show the first N traces by start time (default 10, 0 = all)
  --attributes N    attributes shown per span (default 3)
  -h, --help        show this help
)";

constexpr std::array<OptionSpec, 3> kOptions{{
    {"trace", true},
    {"limit", true},
    {"attributes", true},
}};

constexpr size_t kMaxNameChars = 80;
constexpr size_t kMaxValueChars = 24;
// One guide per ancestor would make the output grow with the square of the
// depth (a million-deep chain wrote over 10 GB): deeper lines show their depth
// as a number instead, so every line is bounded.
constexpr size_t kMaxGuideDepth = 32;

std::string plural(size_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

// What went wrong, in words: the message of the last "exception" event when
// there is one (record_error(std::error_code) describes the status as
// "category:value" only), else the status description.
std::string_view status_text(const OwnedSpan& span) {
  for (auto event = span.events.rbegin(); event != span.events.rend(); ++event) {
    if (event->name != "exception") continue;
    for (const OwnedAttribute& attribute : event->attributes) {
      const auto* message = std::get_if<std::string>(&attribute.value);
      if (attribute.key == "exception.message" && message != nullptr && !message->empty()) {
        return *message;
      }
    }
    break;
  }
  return span.status_message;
}

std::string span_line(const OwnedSpan& span, size_t max_attributes) {
  std::string line = printable(span.name, kMaxNameChars);
  line += "  " + format_duration(span.duration_ns());
  if (span.status != StatusCode::unset) {
    line += "  [" + std::string(to_string(span.status));
    const std::string_view text = status_text(span);
    if (!text.empty()) line += ": " + printable(text, 60);
    line += "]";
  }
  for (size_t i = 0; i < span.attributes.size() && i < max_attributes; ++i) {
    line += (i == 0 ? "  " : " ") + format_attribute(span.attributes[i], kMaxValueChars);
  }
  if (span.attributes.size() > max_attributes && max_attributes > 0) {
    line += " …";
  }
  return line;
}

void print_trace(const TraceForest& forest, const Trace& trace, size_t max_attributes,
                 std::ostream& out) {
  const OwnedSpan& main = forest.span(trace.main_span);
  out << "trace " << trace.trace_id;
  if (!main.service.empty()) out << "  " << printable(main.service, 40);
  out << "  " << plural(trace.spans.size(), "span", "spans") << "  "
      << format_duration(trace.duration_ns());
  if (trace.errors > 0) out << "  " << plural(trace.errors, "error", "errors");
  out << "\n";

  // A span recorded by another process than its parent (a merged
  // cross-process trace) names its service: that is where the trace hops.
  struct Pending {
    size_t span;
    size_t depth;
    bool last;
    std::string_view parent_service;
  };
  std::vector<bool> last_at_depth;  // whether the ancestor at each depth was a last child
  for (const TraceEntry& entry : trace.entries) {
    std::vector<Pending> pending{{entry.span, 0, true, main.service}};
    while (!pending.empty()) {
      const Pending item = pending.back();
      pending.pop_back();
      last_at_depth.resize(item.depth + 1);
      last_at_depth[item.depth] = item.last;

      std::string prefix;
      if (item.depth > kMaxGuideDepth) {
        prefix = "[depth " + std::to_string(item.depth) + "] ";
      } else {
        for (size_t d = 1; d < item.depth; ++d)
          prefix += last_at_depth[d] ? "   " : "│  ";
      }
      if (item.depth > 0) prefix += item.last ? "└─ " : "├─ ";
      const OwnedSpan& span = forest.span(item.span);
      out << prefix << span_line(span, max_attributes);
      if (span.service != item.parent_service && !span.service.empty()) {
        out << "  @" << printable(span.service, 40);
      }
      if (item.depth == 0 && entry.kind == EntryKind::orphan) {
        out << "  (orphan: parent " << span.parent_span_id << " not in file)";
      } else if (item.depth == 0 && entry.kind == EntryKind::cycle) {
        out << "  (in a parent cycle)";
      }
      out << "\n";

      const std::vector<size_t>& children = forest.children(item.span);
      for (size_t i = children.size(); i-- > 0;) {
        pending.push_back({children[i], item.depth + 1, i + 1 == children.size(), span.service});
      }
    }
  }
}

struct TraceSelection {
  std::unordered_set<TraceId> ids;
  size_t trace_count = 0;  // in the whole input
  ReadResult result;
};

// The `limit` traces that start first (ties: the first seen), from a pass over
// `input` that keeps only a start time per trace.
TraceSelection earliest_traces(const InputSet& inputs, size_t limit) {
  struct TraceStart {
    uint64_t start;
    size_t first_seen;
    TraceId id;
  };
  std::unordered_map<TraceId, TraceStart> starts;
  TraceSelection selection;
  selection.result = inputs.read([&starts](const SpanReader& reader) {
    const SpanRecord& span = reader.record();
    const TraceStart first{span.start_unix_ns, starts.size(), span.trace_id};
    TraceStart& trace = starts.try_emplace(span.trace_id, first).first->second;
    trace.start = std::min(trace.start, span.start_unix_ns);
  });
  std::vector<TraceStart> earliest;
  earliest.reserve(starts.size());
  for (const auto& entry : starts)
    earliest.push_back(entry.second);
  selection.trace_count = earliest.size();
  const size_t shown = std::min(limit, earliest.size());
  std::partial_sort(earliest.begin(), earliest.begin() + static_cast<std::ptrdiff_t>(shown),
                    earliest.end(), [](const TraceStart& a, const TraceStart& b) {
                      return a.start != b.start ? a.start < b.start : a.first_seen < b.first_seen;
                    });
  for (size_t i = 0; i < shown; ++i)
    selection.ids.insert(earliest[i].id);
  return selection;
}

int run_tree(std::span<const std::string_view> args) {
  const ParsedArguments parsed(args, kOptions);
  const uint64_t limit = parsed.count("limit", 10, 0, 1000000000);
  const uint64_t max_attributes = parsed.count("attributes", 3, 0, 1000);
  const std::optional<std::string> wanted = parsed.value("trace");
  std::optional<TraceId> wanted_id;
  if (wanted) {
    wanted_id = TraceId::from_hex(*wanted);
    if (!wanted_id) throw UsageError("option '--trace' needs a 32-hex-digit trace id");
  }

  const InputSet inputs(parsed.positionals());
  std::vector<OwnedSpan> spans;
  const auto keep = [&spans](const SpanReader& reader) {
    spans.emplace_back().assign(reader.record(), reader.service());
  };
  std::optional<size_t> trace_count;  // when not all traces are kept
  ReadResult result;
  if (wanted_id) {
    result = inputs.read([&](const SpanReader& reader) {
      if (reader.record().trace_id == *wanted_id) keep(reader);
    });
  } else if (limit != 0 && inputs.rereadable()) {
    const TraceSelection selection = earliest_traces(inputs, limit);
    result = selection.result;
    trace_count = selection.trace_count;
    inputs.read(
        [&](const SpanReader& reader) {
          if (selection.ids.contains(reader.record().trace_id)) keep(reader);
        },
        Reporting::silent);
  } else {
    result = inputs.read(keep);
  }
  const TraceForest forest(spans);
  std::ostream& out = std::cout;
  if (wanted) {
    const Trace* trace = forest.find(*wanted);
    if (trace == nullptr) {
      throw std::runtime_error("trace " + *wanted + " is not in " + inputs.name());
    }
    print_trace(forest, *trace, max_attributes, out);
  } else {
    const auto& traces = forest.traces();
    const size_t total = trace_count.value_or(traces.size());
    const size_t shown = limit == 0 ? traces.size() : std::min<size_t>(limit, traces.size());
    for (size_t i = 0; i < shown; ++i) {
      if (i != 0) out << "\n";
      print_trace(forest, traces[i], max_attributes, out);
    }
    if (shown < total) {
      out << "\n… " << plural(total - shown, "more trace", "more traces")
          << " (--limit 0 shows all)\n";
    }
  }
  out.flush();
  return result.damaged() ? 1 : 0;
}

}  // namespace

const Command& tree_command() {
  static const Command command{"tree", "print each trace as a tree of spans", kUsage, run_tree};
  return command;
}

}  // namespace hotspan::tool
