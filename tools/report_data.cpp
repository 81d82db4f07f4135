// hotspan tool — the report page's span data (see report_data.hpp).
#include "report_data.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>
#include <unordered_map>
#include <variant>

#include "hotspan/json.hpp"
#include "hotspan/version.hpp"
#include "percentile.hpp"
#include "text_output.hpp"
#include "trace_forest.hpp"

namespace hotspan::tool {
namespace {

void write_string(std::string& out, std::string_view text) {
  append_json_string(out, text);
}
template <class Integer>
void write_integer(std::string& out, Integer value) {
  out += std::to_string(value);
}

// Integers JavaScript holds exactly; larger attribute values are written as
// strings rather than silently rounded.
constexpr int64_t kLargestExactInteger = (int64_t{1} << 53) - 1;

// Strings kept once each, referred to by index in the data: span names,
// attribute keys and the values of a run repeat across thousands of spans.
class StringTable {
 public:
  uint32_t index(std::string_view text) {
    const auto [it, inserted] = _index.try_emplace(text, static_cast<uint32_t>(_texts.size()));
    if (inserted) _texts.push_back(text);
    return it->second;
  }
  const std::vector<std::string_view>& texts() const noexcept { return _texts; }

 private:
  std::unordered_map<std::string_view, uint32_t> _index;
  std::vector<std::string_view> _texts;
};

uint64_t after(uint64_t time, uint64_t origin) {
  return time >= origin ? time - origin : 0;
}

std::string input_problem(const ReadResult& result) {
  std::string problem;
  if (result.malformed > 0) {
    problem = std::to_string(result.malformed) + " malformed " +
              (result.malformed == 1 ? "record" : "records") +
              " skipped (first: " + result.first_malformed + ")";
  }
  const auto add = [&problem](std::string_view text) {
    if (!problem.empty()) problem += "; ";
    problem += text;
  };
  if (result.summary.end == InputEnd::truncated || result.summary.end == InputEnd::corrupt) {
    add(result.summary.problem);
  } else if (result.summary.end == InputEnd::unclosed) {
    add("no end frame (the writer did not shut down cleanly, or is still writing)");
  }
  if (result.spans == 0) add("no spans");
  return problem;
}

// The traces whose spans the page embeds, in start order: all of them when they
// fit, else those with errors first, then the slowest, while they fit.
std::vector<size_t> embedded_traces(const std::vector<Trace>& traces, uint64_t max_spans,
                                    uint64_t& embedded_spans) {
  std::vector<size_t> order(traces.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&traces](size_t a, size_t b) {
    const bool errors_a = traces[a].errors > 0, errors_b = traces[b].errors > 0;
    if (errors_a != errors_b) return errors_a;
    return traces[a].duration_ns() > traces[b].duration_ns();
  });
  std::vector<size_t> chosen;
  embedded_spans = 0;
  for (size_t index : order) {
    const size_t spans = traces[index].spans.size();
    if (embedded_spans + spans > max_spans) continue;
    embedded_spans += spans;
    chosen.push_back(index);
  }
  std::sort(chosen.begin(), chosen.end());  // the forest's order: by start
  return chosen;
}

class DocumentWriter {
 public:
  DocumentWriter(const std::vector<OwnedSpan>& spans, const ReportLimits& limits)
      : _spans(spans), _forest(spans), _limits(limits) {
    _base = std::numeric_limits<uint64_t>::max();
    for (const OwnedSpan& span : spans) {
      _base = std::min(_base, span.start_unix_ns);
      _services.index(span.service);
    }
    if (spans.empty()) _base = 0;
  }

  std::string write(const std::string& title, std::span<const ReportInput> inputs) {
    uint64_t embedded_spans = 0;
    const std::vector<size_t> embedded =
        embedded_traces(_forest.traces(), _limits.max_spans, embedded_spans);
    _out += "{\"title\":";
    write_string(_out, title);
    _out += ",\"generator\":";
    write_string(_out, std::string("hotspan ") + version_string);
    _out += ",\"base_unix_ns\":\"" + std::to_string(_base) + "\",\"inputs\":[";
    for (size_t i = 0; i < inputs.size(); ++i) {
      const ReadResult& result = inputs[i].result;
      _out += i == 0 ? "{\"name\":" : ",{\"name\":";
      write_string(_out, inputs[i].name);
      _out += ",\"format\":";
      write_string(_out, result.summary.format);
      _out += ",\"spans\":";
      write_integer(_out, result.spans);
      _out += ",\"problem\":";
      write_string(_out, input_problem(result));
      _out += '}';
    }
    _out += "],\"services\":[";
    write_texts(_services);
    _out += "],\"span_count\":" + std::to_string(_spans.size()) +
            ",\"trace_count\":" + std::to_string(_forest.traces().size()) +
            ",\"embedded_span_count\":" + std::to_string(embedded_spans) +
            ",\"embedded_trace_count\":" + std::to_string(embedded.size()) +
            ",\"max_spans\":" + std::to_string(_limits.max_spans) + ",\"traces\":[";
    std::string spans_json;
    uint64_t first_span = 0;
    for (size_t i = 0; i < embedded.size(); ++i) {
      const Trace& trace = _forest.traces()[embedded[i]];
      if (i != 0) _out += ',';
      write_trace(trace, first_span);
      first_span += trace.spans.size();
      write_trace_spans(trace, spans_json);
    }
    _out += "],\"spans\":[";
    _out += spans_json;
    _out += "],\"strings\":[";
    write_texts(_strings);
    _out += "],\"operations\":[";
    write_operations();
    _out += "]}";
    return std::move(_out);
  }

 private:
  void write_texts(const StringTable& table) {
    for (size_t i = 0; i < table.texts().size(); ++i) {
      if (i != 0) _out += ',';
      write_string(_out, table.texts()[i]);
    }
  }

  void write_trace(const Trace& trace, uint64_t first_span) {
    const OwnedSpan& main = _spans[trace.main_span];
    _out += '[';
    write_string(_out, trace.trace_id);
    _out += ',';
    write_string(_out, main.name);
    _out += ',' + std::to_string(after(trace.start_unix_ns, _base)) + ',' +
            std::to_string(trace.duration_ns()) + ',' + std::to_string(trace.spans.size()) + ',' +
            std::to_string(trace.errors) + ",[";
    std::vector<uint32_t> services;  // in order of appearance in the trace
    for (size_t span : trace.spans) {
      const uint32_t service = _services.index(_spans[span].service);
      if (std::find(services.begin(), services.end(), service) == services.end()) {
        services.push_back(service);
      }
    }
    for (size_t i = 0; i < services.size(); ++i) {
      if (i != 0) _out += ',';
      write_integer(_out, services[i]);
    }
    _out += "]," + std::to_string(first_span) + ',' + (main.is_root() ? "1" : "0") + ']';
  }

  // The spans of `trace` depth first from each entry point, as `hotspan tree`.
  void write_trace_spans(const Trace& trace, std::string& out) {
    struct Pending {
      size_t span;
      uint32_t depth;
      int64_t parent;  // position of the parent in the trace's spans; -1 for an entry
    };
    int64_t position = 0;
    for (const TraceEntry& entry : trace.entries) {
      std::vector<Pending> pending{{entry.span, 0, -1}};
      while (!pending.empty()) {
        const Pending item = pending.back();
        pending.pop_back();
        const int placement = item.depth > 0                    ? 0
                              : entry.kind == EntryKind::root   ? 1
                              : entry.kind == EntryKind::orphan ? 2
                                                                : 3;
        write_span(_spans[item.span], item.depth, placement, item.parent, trace.start_unix_ns, out);
        const std::vector<size_t>& children = _forest.children(item.span);
        for (size_t i = children.size(); i-- > 0;)
          pending.push_back({children[i], item.depth + 1, position});
        ++position;
      }
    }
  }

  void write_span(const OwnedSpan& span, uint32_t depth, int placement, int64_t parent,
                  uint64_t trace_start, std::string& out) {
    if (!out.empty()) out += ',';
    out += '[' + std::to_string(depth) + ',' + std::to_string(_strings.index(span.name)) + ',' +
           std::to_string(_services.index(span.service)) + ',' +
           std::to_string(after(span.start_unix_ns, trace_start)) + ',' +
           std::to_string(span.duration_ns()) + ',' +
           std::to_string(static_cast<int>(span.status)) + ',' +
           std::to_string(_strings.index(to_string(span.kind))) + ',' +
           std::to_string(_strings.index(span.status_message)) + ',' + std::to_string(placement) +
           ",\"" + span.span_id + "\",";
    // The parent by position when it is in the trace; by id when it is not (an
    // orphan's) or when the span is placed as an entry despite one (a cycle's).
    if (parent >= 0) {
      write_integer(out, parent);
    } else {
      out += '"' + span.parent_span_id + '"';
    }
    out += ',';
    write_exact_integer(out, span.thread_id);
    out += ',';
    write_attributes(out, span.attributes);
    out += ",[";
    for (size_t i = 0; i < span.events.size(); ++i) {
      const OwnedEvent& event = span.events[i];
      out += (i == 0 ? "[" : ",[") + std::to_string(_strings.index(event.name)) + ',' +
             std::to_string(after(event.time_unix_ns, span.start_unix_ns)) + ',';
      write_attributes(out, event.attributes);
      out += ']';
    }
    out += "]]";
  }

  // [[key, value]...]: keys and string values as [string index], so that a
  // string value is told from a number; numbers and booleans as they are.
  void write_attributes(std::string& out, const std::vector<OwnedAttribute>& attributes) {
    out += '[';
    for (size_t i = 0; i < attributes.size(); ++i) {
      out += (i == 0 ? "[" : ",[") + std::to_string(_strings.index(attributes[i].key)) + ',';
      std::visit(
          [this, &out](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, bool>) {
              out += v ? "true" : "false";
            } else if constexpr (std::is_same_v<T, int64_t>) {
              write_exact_integer(out, v);
            } else if constexpr (std::is_same_v<T, double>) {
              append_json_number(out, v);
            } else {
              out += '[' + std::to_string(_strings.index(v)) + ']';
            }
          },
          attributes[i].value);
      out += ']';
    }
    out += ']';
  }

  // A number when JavaScript holds it exactly, else its digits as a string
  // rather than a silently rounded number.
  template <class Integer>
  static void write_exact_integer(std::string& out, Integer value) {
    if (value > static_cast<Integer>(kLargestExactInteger) ||
        (std::is_signed_v<Integer> && value < -static_cast<Integer>(kLargestExactInteger))) {
      write_string(out, std::to_string(value));
    } else {
      out += std::to_string(value);
    }
  }

  void write_operations() {
    struct Operation {
      std::string_view name;
      std::vector<uint64_t> durations;
      uint64_t errors = 0;
      uint64_t total = 0;
    };
    std::vector<Operation> operations;
    std::unordered_map<std::string_view, size_t> by_name;
    for (const OwnedSpan& span : _spans) {
      const auto [it, inserted] = by_name.try_emplace(span.name, operations.size());
      if (inserted) operations.push_back({span.name, {}, 0, 0});
      Operation& operation = operations[it->second];
      operation.durations.push_back(span.duration_ns());
      operation.total += span.duration_ns();
      operation.errors += span.status == StatusCode::error ? 1 : 0;
    }
    std::sort(operations.begin(), operations.end(), [](const Operation& a, const Operation& b) {
      return a.total != b.total ? a.total > b.total : a.name < b.name;
    });
    for (size_t i = 0; i < operations.size(); ++i) {
      Operation& operation = operations[i];
      std::sort(operation.durations.begin(), operation.durations.end());
      const std::vector<uint64_t>* sorted[] = {&operation.durations};
      const uint64_t count = operation.durations.size();
      _out += i == 0 ? "[" : ",[";
      write_string(_out, operation.name);
      _out += ',' + std::to_string(count) + ',' + std::to_string(operation.errors);
      for (uint64_t percent : {0, 50, 95, 99, 100}) {
        _out += ',' + std::to_string(nearest_rank_percentile(sorted, count, percent));
      }
      _out += ',' + std::to_string(operation.total) + ",[";
      const std::vector<uint64_t> buckets = histogram(operation.durations);
      for (size_t b = 0; b < buckets.size(); ++b) {
        if (b != 0) _out += ',';
        write_integer(_out, buckets[b]);
      }
      // The columns as `hotspan stats` prints them, by the same function.
      _out += "],[";
      for (uint64_t percent : {0, 50, 95, 99, 100}) {
        write_string(_out, format_duration(nearest_rank_percentile(sorted, count, percent)));
        _out += ',';
      }
      write_string(_out, format_duration(operation.total));
      _out += "]]";
    }
  }

  // Counts of the sorted `durations` in buckets of equal width on a log scale
  // from the minimum (at least 1 ns) to the maximum.
  std::vector<uint64_t> histogram(const std::vector<uint64_t>& durations) const {
    std::vector<uint64_t> buckets(_limits.histogram_buckets, 0);
    const double low = std::log(static_cast<double>(std::max<uint64_t>(1, durations.front())));
    const double high = std::log(static_cast<double>(std::max<uint64_t>(1, durations.back())));
    const double width = (high - low) / static_cast<double>(buckets.size());
    for (uint64_t duration : durations) {
      size_t bucket = 0;
      if (width > 0) {
        const double position =
            (std::log(static_cast<double>(std::max<uint64_t>(1, duration))) - low) / width;
        bucket = std::min(buckets.size() - 1, static_cast<size_t>(std::max(0.0, position)));
      }
      ++buckets[bucket];
    }
    return buckets;
  }

  const std::vector<OwnedSpan>& _spans;
  const TraceForest _forest;
  const ReportLimits _limits;
  StringTable _services;
  StringTable _strings;  // every other string of the embedded spans
  uint64_t _base = 0;
  std::string _out;
};

}  // namespace

std::string report_data_json(const std::string& title, const std::vector<OwnedSpan>& spans,
                             std::span<const ReportInput> inputs, const ReportLimits& limits) {
  return DocumentWriter(spans, limits).write(title, inputs);
}

}  // namespace hotspan::tool
