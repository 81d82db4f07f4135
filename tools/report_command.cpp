// hotspan tool — `hotspan report`: one self-contained HTML page of the spans of
// one or more files (one per process, say), merged by trace id: a trace list, a
// waterfall of each trace across services, and latency histograms with exact
// P50/P95/P99 per span name.
//
// Every span of every input is kept in memory while the page is built (the
// statistics need every duration, the waterfalls the spans themselves), so
// memory grows with the inputs; the page embeds at most --max-spans spans.
// Every input is opened before anything is read or written, so that a missing
// file fails at once and leaves no output; a damaged input is reported as by
// the other commands, what could be read goes into the report, and the exit
// status is 1.
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "command.hpp"
#include "hotspan/exporter.hpp"
#include "input_file.hpp"
#include "input_set.hpp"
#include "read_spans.hpp"
#include "report_data.hpp"
#include "report_page.hpp"

namespace hotspan::tool {
namespace {

constexpr std::string_view kUsage =
    R"(usage: hotspan report FILE... -o OUT.html [--max-spans N] [--title TEXT]

Writes one self-contained HTML page (no network access, nothing to install:
open it in a browser) of the spans of the FILEs (binary or JSON Lines; "-"
reads stdin; a directory: the files in it; a quoted pattern such as
'relay.*.bin': the files it matches, in natural name order), merged by trace id — e.g. one file per process of a distributed
system. The page has:
  - the traces: start, root span, services, duration, spans and errors;
    sortable, filterable, 100 per page;
  - a waterfall of the selected trace: every span in tree order with its
    service, offset and duration;
  - per span name: count, errors, min, P50, P95, P99 (exact, nearest rank, as
    'hotspan stats'), max, total and a latency histogram.
Statistics cover every span. The page embeds at most --max-spans spans, whole
traces, those with errors first, then the slowest, and says so when it leaves
traces out. Every span is kept in memory while the page is built.
What a truncated or corrupt file holds before the damage goes into the report,
the damage is reported (on stderr and in the page), and the exit status is 1.

options:
  -o, --output OUT   the page to write, created (mode 0600) or replaced; a
                     symbolic link is refused, not followed (required; "-"
                     writes stdout)
  --max-spans N      spans embedded in the page (default 100000)
  --title TEXT       the page's title (default: the input names)
  -h, --help         show this help
)";

constexpr std::array<OptionSpec, 3> kOptions{{
    {"output", true, 'o'},
    {"max-spans", true},
    {"title", true},
}};

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ignored;
  return a != "-" && b != "-" && std::filesystem::equivalent(a, b, ignored);
}

// The output file, opened (created or truncated) before the inputs are read so
// that an unwritable path fails before the work; removed again when the report
// cannot be finished.
class OutputFile {
 public:
  explicit OutputFile(const std::string& path) : _path(path) {
    if (path == "-") return;
    int fd = -1;
    try {
      fd = open_trace_file(path);  // the page holds the spans: 0600, no symbolic link
    } catch (const std::system_error& e) {
      throw output_error(path, e);
    }
    _file = ::fdopen(fd, "wb");
    if (_file == nullptr) {
      const int error = errno;
      ::close(fd);
      throw std::runtime_error("cannot create '" + path +
                               "': " + std::generic_category().message(error));
    }
    // Only a regular file is removed on failure: the path may name a device
    // (/dev/full, /dev/stdout) or a pipe, which must never be unlinked.
    struct stat st {};
    _regular = ::fstat(::fileno(_file), &st) == 0 && S_ISREG(st.st_mode);
  }
  ~OutputFile() {
    if (_file == nullptr) return;
    std::fclose(_file);
    remove_partial();  // not committed: no half-written page
  }
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  void write_and_close(const std::string& text) {
    if (_file == nullptr) {
      std::cout << text;
      std::cout.flush();
      if (!std::cout) throw std::runtime_error("writing stdout failed");
      return;
    }
    const bool written = std::fwrite(text.data(), 1, text.size(), _file) == text.size();
    const int write_error = errno;
    std::FILE* file = std::exchange(_file, nullptr);
    if (std::fclose(file) != 0 || !written) {
      const int error = written ? errno : write_error;
      remove_partial();
      throw std::runtime_error("writing '" + _path +
                               "' failed: " + std::generic_category().message(error));
    }
  }

 private:
  void remove_partial() const noexcept {
    std::error_code ignored;
    if (_regular) std::filesystem::remove(_path, ignored);
  }

  std::string _path;
  std::FILE* _file = nullptr;
  bool _regular = false;
};

std::string default_title(const std::vector<std::string>& paths) {
  std::string title = "hotspan report:";
  for (const std::string& path : paths) {
    title += " ";
    title += path == "-" ? "stdin" : std::filesystem::path(path).filename().string();
  }
  return title;
}

int run_report(std::span<const std::string_view> args) {
  const ParsedArguments parsed(args, kOptions);
  if (parsed.positionals().empty()) throw UsageError("missing FILE");
  if (!parsed.has("output")) throw UsageError("missing -o OUT.html");
  const std::string out = *parsed.value("output");
  if (out.empty()) throw UsageError("-o needs a file name");
  ReportLimits limits;
  limits.max_spans = parsed.count("max-spans", 100000, 0, 1000000000);
  // Every input checked first: a missing one leaves no output behind.
  const InputSet inputs(parsed.positionals());
  const std::vector<std::string>& paths = inputs.paths();
  for (const std::string& path : paths) {
    if (same_file(path, out)) {
      throw UsageError("the output '" + out + "' is the input '" + path +
                       "': it would be destroyed");
    }
  }
  const std::string title = parsed.value("title").value_or(default_title(paths));

  OutputFile output(out);

  std::vector<OwnedSpan> spans;
  std::vector<ReportInput> read;
  bool damaged = false;
  for (const std::string& path : paths) {
    InputFile file(path);
    const ReadResult result = read_spans(file, [&spans](const SpanReader& reader) {
      spans.emplace_back().assign(reader.record(), reader.service());
    });
    damaged = damaged || result.damaged();
    read.push_back({file.name(), result});
  }
  output.write_and_close(render_report_page(report_data_json(title, spans, read, limits)));
  return damaged ? 1 : 0;
}

}  // namespace

const Command& report_command() {
  static const Command command{"report", "write a self-contained HTML report of the traces", kUsage,
                               run_report};
  return command;
}

}  // namespace hotspan::tool
