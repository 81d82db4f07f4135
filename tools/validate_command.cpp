// hotspan tool — `hotspan validate`: checks a span file end to end.
//
// The reader checks the format (binary: preamble, version, lengths, checksums,
// every field; JSON Lines: every line); this command adds how the file ended
// (end frame, declared span count), the losses the tracer recorded, and cheap
// checks of the spans themselves: end not before start, ids not zero, span ids
// unique, parents present in the file. It keeps 16 bytes a span (span and
// parent ids), sorted at the end, and nothing else.
#include <algorithm>
#include <array>
#include <iostream>
#include <string>
#include <vector>

#include "command.hpp"
#include "input_file.hpp"
#include "input_set.hpp"
#include "read_spans.hpp"

namespace hotspan::tool {
namespace {

constexpr std::string_view kUsage =
    R"(usage: hotspan validate FILE... [--strict]

Reads FILE (binary or JSON Lines; "-" reads stdin) to its end and checks:
  - the format: binary preamble, version, frame lengths and checksums, every
    field of every span, the end frame and the span count it declares; in
    JSON Lines, every line is a span object with valid ids;
  - the spans: none ends before it starts, span ids are unique, and parents
    are in the file (a missing parent, e.g. a span the tracer dropped, is a
    warning).
Prints a summary, then "FILE: valid" or "FILE: invalid: PROBLEM", the first
problem with its offset (or line). Malformed records are also listed on stderr.

Several files (a directory: the files in it; a quoted pattern such as
'relay.*.bin': the files it matches, in natural name order) are checked one by
one, each with its own report; the exit status is 1 if any is invalid.

Exit status: 0 the file is complete and clean (warnings allowed unless
--strict); 1 it is truncated, corrupt, has no end frame (binary), has
malformed records or span problems, or is empty; 2 usage error.

options:
  --strict     warnings (orphan spans, spans the tracer recorded as dropped)
               make the file invalid too
  -h, --help   show this help
)";

constexpr std::array<OptionSpec, 1> kOptions{{{"strict", false}}};

std::string count_of(uint64_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

// The span-level checks, fed one span at a time.
class SpanChecks {
 public:
  void add(const SpanRecord& span) {
    ++_spans;
    if (!span.trace_id.valid() || !span.span_id.valid()) {
      note_first(_zero_ids, "span " + std::to_string(_spans) + " has an all-zero id");
      return;
    }
    if (span.end_unix_ns < span.start_unix_ns) {
      note_first(_backwards, "span " + std::to_string(_spans) + " (span id " +
                                 span.span_id.to_hex() + ") ends before it starts");
    }
    _span_ids.push_back(span.span_id.value);
    if (span.parent_span_id.valid()) {
      _parent_ids.push_back(span.parent_span_id.value);
    } else {
      ++_roots;
    }
  }

  // Sorts the ids and counts duplicates and orphans.
  void finish() {
    std::sort(_span_ids.begin(), _span_ids.end());
    for (size_t i = 1; i < _span_ids.size(); ++i) {
      if (_span_ids[i] != _span_ids[i - 1]) continue;
      note_first(_duplicates,
                 "span id " + SpanId{_span_ids[i]}.to_hex() + " occurs more than once");
    }
    for (uint64_t parent : _parent_ids) {
      if (!std::binary_search(_span_ids.begin(), _span_ids.end(), parent)) ++_orphans;
    }
    std::vector<uint64_t>().swap(_span_ids);
    std::vector<uint64_t>().swap(_parent_ids);
  }

  // "N spans ...: first" for each kind of problem found.
  std::vector<std::string> problems() const {
    std::vector<std::string> found;
    for (const Finding* finding : {&_zero_ids, &_backwards, &_duplicates}) {
      if (finding->count == 0) continue;
      found.push_back(finding->first +
                      (finding->count > 1
                           ? " (and " + std::to_string(finding->count - 1) + " more like it)"
                           : ""));
    }
    return found;
  }
  uint64_t roots() const noexcept { return _roots; }
  uint64_t orphans() const noexcept { return _orphans; }

 private:
  struct Finding {
    uint64_t count = 0;
    std::string first;
  };
  static void note_first(Finding& finding, std::string what) {
    if (finding.count++ == 0) finding.first = std::move(what);
  }

  uint64_t _spans = 0, _roots = 0, _orphans = 0;
  std::vector<uint64_t> _span_ids, _parent_ids;
  Finding _zero_ids, _backwards, _duplicates;
};

std::string describe_losses(const InputSummary& summary, uint64_t& spans_dropped) {
  spans_dropped = 0;
  if (summary.format != "binary") return "not recorded in " + std::string(summary.format);
  if (!summary.recorded_losses) return "none recorded";
  const RecordedLosses& l = *summary.recorded_losses;
  spans_dropped = l.spans_dropped();
  std::string text;
  auto add = [&text](uint64_t n, std::string_view what) {
    if (n == 0) return;
    text += (text.empty() ? "" : ", ") + std::to_string(n) + " " + std::string(what);
  };
  add(l.dropped_pool_exhausted, "spans dropped (slot pool exhausted)");
  add(l.dropped_queue_full, "spans dropped (queue full)");
  add(l.dropped_export_failed, "spans dropped (export failed)");
  add(l.attributes_dropped, "attributes dropped");
  add(l.events_dropped, "events dropped");
  add(l.strings_truncated, "strings truncated");
  return text.empty() ? "none" : text;
}

std::string describe_end(const InputSummary& summary, uint64_t spans) {
  switch (summary.end) {
    case InputEnd::complete:
      return summary.format == "binary" ? "complete (end frame present)" : "complete";
    case InputEnd::unclosed:
      return "unclosed: no end frame after " + count_of(spans, "span", "spans") +
             " (the writer did not shut down cleanly, or is still writing)";
    case InputEnd::truncated:
    case InputEnd::corrupt:
      return summary.problem;
  }
  return {};
}

// Checks one file and prints its report; true when it is valid.
bool validate_file(const std::string& path, bool strict) {
  InputFile input(path);

  SpanChecks checks;
  const ReadResult result = read_spans(
      input, [&checks](const SpanReader& reader) { checks.add(reader.record()); },
      Reporting::malformed_only);
  checks.finish();
  const InputSummary& summary = result.summary;

  std::vector<std::string> problems;
  if (result.bytes == 0) problems.push_back("empty input (0 bytes)");
  if (result.malformed > 0) {
    problems.push_back(result.spans == 0
                           ? "not a hotspan trace (neither the binary format nor JSON Lines): " +
                                 result.first_malformed
                           : count_of(result.malformed, "malformed record", "malformed records") +
                                 ", the first: " + result.first_malformed);
  }
  if (summary.end != InputEnd::complete) problems.push_back(describe_end(summary, result.spans));
  if (summary.declared_spans && *summary.declared_spans != result.spans) {
    problems.push_back("the end frame declares " + std::to_string(*summary.declared_spans) +
                       " spans, " + std::to_string(result.spans) + " were read");
  }
  for (std::string& problem : checks.problems())
    problems.push_back(std::move(problem));

  uint64_t spans_dropped = 0;
  const std::string losses = describe_losses(summary, spans_dropped);
  std::vector<std::string> warnings;
  if (checks.orphans() > 0) {
    warnings.push_back(count_of(checks.orphans(), "span has", "spans have") +
                       " a parent that is not in the file");
  }
  if (spans_dropped > 0) {
    warnings.push_back("the tracer recorded " + count_of(spans_dropped, "span", "spans") +
                       " as dropped");
  }

  std::ostream& out = std::cout;
  out << input.name() << "\n";
  out << "  format    " << summary.format;
  if (summary.format == "binary") out << ", " << count_of(summary.frames, "frame", "frames");
  out << ", " << count_of(input.regular_size().value_or(result.bytes), "byte", "bytes") << "\n";
  if (!result.resource.service_name.empty()) {
    out << "  service   " << result.resource.service_name << "\n";
  }
  out << "  spans     " << result.spans;
  if (summary.declared_spans) out << " (the end frame declares " << *summary.declared_spans << ")";
  out << ", " << count_of(checks.roots(), "root", "roots") << ", "
      << count_of(checks.orphans(), "orphan", "orphans") << "\n";
  out << "  end       " << describe_end(summary, result.spans) << "\n";
  out << "  losses    " << losses << "\n";
  for (const std::string& warning : warnings)
    out << "  warning   " << warning << "\n";
  for (size_t i = 1; i < problems.size(); ++i)  // the first ends the report
    out << "  problem   " << problems[i] << "\n";

  const bool valid = problems.empty() && (!strict || warnings.empty());
  if (valid) {
    out << input.name() << ": valid\n";
  } else {
    out << input.name() << ": invalid: " << (problems.empty() ? warnings[0] : problems[0])
        << (problems.empty() ? " (--strict)" : "") << "\n";
  }
  out.flush();
  return valid;
}

int run_validate(std::span<const std::string_view> args) {
  const ParsedArguments parsed(args, kOptions);
  const bool strict = parsed.has("strict");
  const InputSet inputs(parsed.positionals());
  bool all_valid = true;
  for (const std::string& path : inputs.paths())
    all_valid = validate_file(path, strict) && all_valid;
  return all_valid ? 0 : 1;
}

}  // namespace

const Command& validate_command() {
  static const Command command{"validate", "check a span file end to end", kUsage, run_validate};
  return command;
}

}  // namespace hotspan::tool
