// hotspan tool — `hotspan cat`: the spans of a file as JSON Lines on stdout,
// whatever the file's format; streams, so files of any size print in bounded
// memory.
#include <array>
#include <iostream>
#include <string>

#include "command.hpp"
#include "hotspan/exporter.hpp"
#include "input_set.hpp"
#include "span_export.hpp"

namespace hotspan::tool {
namespace {

constexpr std::string_view kUsage =
    R"(usage: hotspan cat FILE...

Prints the spans of FILE (binary or JSON Lines; "-" reads stdin) as JSON Lines,
one span per line in file order, written by hotspan's own JSON Lines encoder.
Several files (a directory: the files in it; a quoted pattern such as
'relay.*.bin': the files it matches) are read in natural name order, which is
the order of a rotated set.
Every span names the service of the file (for JSON Lines input: that of its
first span). What a truncated or corrupt file holds before the damage is
printed, the damage reported, and the exit status is 1.

options:
  -h, --help   show this help
)";

int run_cat(std::span<const std::string_view> args) {
  const ParsedArguments parsed(args, {});
  const InputSet inputs(parsed.positionals());
  const auto exporter = ostream_exporter(std::cout, Format::jsonl);
  const ReadResult result = export_spans(inputs, *exporter, Format::jsonl, "stdout");
  return result.damaged() ? 1 : 0;
}

}  // namespace

const Command& cat_command() {
  static const Command command{"cat", "print the spans as JSON Lines", kUsage, run_cat};
  return command;
}

}  // namespace hotspan::tool
