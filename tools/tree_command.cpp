// hotspan tool — `hotspan tree`: each trace of a file as an indented tree.
//
//   trace 4bf92f3577b34da6a3ce929d0e0e4736  circuit_build  15 spans  2.31 ms  1 error
//   build-circuit  2.31 ms  circuit.id=7 circuit.purpose=general
//   ├─ select-guard  112 µs  relay.nickname=quietfox
//   └─ extend-circuit  1.52 ms
//      ├─ create-hop-1  310 µs  hop.index=1
//      └─ create-hop-2  502 µs  [error: Connection timed out]  hop.index=2
#include <algorithm>
#include <array>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "command.hpp"
#include "span_reader.hpp"
#include "text_output.hpp"
#include "trace_forest.hpp"

namespace hotspan::tool {
namespace {

constexpr std::string_view kUsage =
    R"(usage: hotspan tree FILE [--trace ID] [--limit N] [--attributes N]

Prints each trace of FILE (hotspan JSON Lines; "-" reads stdin) as a tree of
spans: children under their parent in start order, each with its duration, its
status when set, and its first attributes. Spans whose parent is not in the file
are shown as extra roots of their trace, marked "orphan".

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

  struct Pending {
    size_t span;
    size_t depth;
    bool last;
  };
  std::vector<bool> last_at_depth;  // whether the ancestor at each depth was a last child
  for (const TraceEntry& entry : trace.entries) {
    std::vector<Pending> pending{{entry.span, 0, true}};
    while (!pending.empty()) {
      const Pending item = pending.back();
      pending.pop_back();
      last_at_depth.resize(item.depth + 1);
      last_at_depth[item.depth] = item.last;

      std::string prefix;
      for (size_t d = 1; d < item.depth; ++d)
        prefix += last_at_depth[d] ? "   " : "│  ";
      if (item.depth > 0) prefix += item.last ? "└─ " : "├─ ";
      const OwnedSpan& span = forest.span(item.span);
      out << prefix << span_line(span, max_attributes);
      if (item.depth == 0 && entry.kind == EntryKind::orphan) {
        out << "  (orphan: parent " << span.parent_span_id << " not in file)";
      } else if (item.depth == 0 && entry.kind == EntryKind::cycle) {
        out << "  (in a parent cycle)";
      }
      out << "\n";

      const std::vector<size_t>& children = forest.children(item.span);
      for (size_t i = children.size(); i-- > 0;) {
        pending.push_back({children[i], item.depth + 1, i + 1 == children.size()});
      }
    }
  }
}

int run_tree(std::span<const std::string_view> args) {
  const ParsedArguments parsed(args, kOptions);
  if (parsed.positionals().size() != 1) {
    throw UsageError(parsed.positionals().empty() ? "missing FILE" : "expected exactly one FILE");
  }
  const std::string& path = parsed.positionals()[0];
  const uint64_t limit = parsed.count("limit", 10, 0, 1000000000);
  const uint64_t max_attributes = parsed.count("attributes", 3, 0, 1000);
  const std::optional<std::string> wanted = parsed.value("trace");
  if (wanted && wanted->size() != 32) {
    throw UsageError("option '--trace' needs a 32-hex-digit trace id");
  }

  const LoadedSpans loaded = load_spans(path);
  const TraceForest forest(loaded.spans);
  std::ostream& out = std::cout;
  if (wanted) {
    const Trace* trace = forest.find(*wanted);
    if (trace == nullptr) throw std::runtime_error("trace " + *wanted + " is not in " + path);
    print_trace(forest, *trace, max_attributes, out);
  } else {
    const auto& traces = forest.traces();
    const size_t shown = limit == 0 ? traces.size() : std::min<size_t>(limit, traces.size());
    for (size_t i = 0; i < shown; ++i) {
      if (i != 0) out << "\n";
      print_trace(forest, traces[i], max_attributes, out);
    }
    if (shown < traces.size()) {
      out << "\n… " << plural(traces.size() - shown, "more trace", "more traces")
          << " (--limit 0 shows all)\n";
    }
  }
  out.flush();
  return loaded.malformed > 0 ? 1 : 0;
}

}  // namespace

const Command& tree_command() {
  static const Command command{"tree", "print each trace as a tree of spans", kUsage, run_tree};
  return command;
}

}  // namespace hotspan::tool
