// hotspan tool — `hotspan convert`: a span file rewritten in another record
// format by the library's own exporters; streams, so files of any size convert
// in bounded memory.
#include <unistd.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>

#include "command.hpp"
#include "hotspan/exporter.hpp"
#include "input_set.hpp"
#include "span_export.hpp"

namespace hotspan::tool {
namespace {

constexpr std::string_view kUsageHead =
    R"(usage: hotspan convert FILE... --to FORMAT -o OUT

Writes the spans of FILE (binary or JSON Lines; "-" reads stdin; several files,
a directory or a quoted pattern such as 'relay.*.bin' are read as one, in
natural name order) to OUT ("-" writes stdout) in FORMAT (a hyphen may stand
for each underscore: otlp-json):
)";

constexpr std::string_view kUsageTail =
    R"(A span too large for the binary format (over 16 MiB encoded) stops a
conversion to it with an error (exit status 1), the spans before it written.
The output names one service: the file's (for JSON Lines input: that of its
first span). Losses recorded in a binary input are kept in a binary output.
What a truncated or corrupt file holds before the damage is converted, the
damage reported, and the exit status is 1.

options:
  --to FORMAT        the output format (required)
  -o, --output OUT   the output file, created (mode 0600) or replaced; a
                     symbolic link is refused, not followed (required)
  -h, --help         show this help
)";

// The help text, with the library's formats and their descriptions.
std::string usage() {
  size_t width = 0;
  for (const FormatInfo& format : formats())
    width = std::max(width, format.name.size());
  std::string text(kUsageHead);
  for (const FormatInfo& format : formats()) {
    text.append("  ").append(format.name).append(width + 2 - format.name.size(), ' ');
    text.append(format.description).append("\n");
  }
  return text.append(kUsageTail);
}

constexpr std::array<OptionSpec, 2> kOptions{{
    {"to", true},
    {"output", true, 'o'},
}};

Format format_named(const std::string& name) {
  if (const std::optional<Format> format = format_from_name(name)) return *format;
  std::string names;
  for (const FormatInfo& format : formats())
    names.append(names.empty() ? "" : ", ").append(format.name);
  throw UsageError("option '--to' must be one of " + names + ", not '" + name + "'");
}

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ignored;
  return a != "-" && b != "-" && std::filesystem::equivalent(a, b, ignored);
}

std::shared_ptr<Exporter> open_output(const std::string& path, Format format) {
  try {
    if (path == "-") return ostream_exporter(std::cout, format);
    return file_exporter(path, format);
  } catch (const std::system_error& e) {
    throw output_error(path, e);
  } catch (const std::invalid_argument& e) {  // a format this build of the library lacks
    throw std::runtime_error(e.what());
  }
}

int run_convert(std::span<const std::string_view> args) {
  const ParsedArguments parsed(args, kOptions);
  if (!parsed.has("to")) throw UsageError("missing --to FORMAT");
  if (!parsed.has("output")) throw UsageError("missing -o OUT");
  const InputSet inputs(parsed.positionals());  // first: a missing input leaves no file
  const Format format = format_named(*parsed.value("to"));
  const std::string out = *parsed.value("output");
  if (out.empty()) throw UsageError("-o needs a file name");
  for (const std::string& path : inputs.paths()) {
    if (same_file(path, out)) {
      throw UsageError("the output '" + out + "' is the input: it would be destroyed");
    }
  }
  if (out == "-" && format == Format::binary && ::isatty(STDOUT_FILENO) == 1) {
    throw UsageError("not writing the binary format to a terminal; redirect stdout or use -o FILE");
  }

  const auto exporter = open_output(out, format);
  const ReadResult result =
      export_spans(inputs, *exporter, format, out == "-" ? "stdout" : "'" + out + "'");
  return result.damaged() ? 1 : 0;
}

}  // namespace

const Command& convert_command() {
  static const std::string text = usage();
  static const Command command{"convert", "rewrite the spans in another format", text, run_convert};
  return command;
}

}  // namespace hotspan::tool
