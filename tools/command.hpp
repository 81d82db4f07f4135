// hotspan tool — what a subcommand is, and the parsing of its arguments.
//
// Each subcommand (cat, tree, stats, convert, validate, report) lives in its own file
// and exposes one Command. hotspan_main.cpp lists them, dispatches, prints help
// and maps errors to exit statuses:
//   0  success
//   1  a runtime failure (file missing or unreadable, trace not found, output
//      not writable), malformed records were skipped, or the input is truncated
//      or corrupt (what could be read was still used); for validate: the file
//      is not complete and clean
//   2  a usage error: unknown command or option, missing or bad argument
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace hotspan::tool {

// Thrown by a command for a usage error: the message and the command's usage go
// to stderr, exit status 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Command {
  std::string_view name;
  std::string_view summary;  // one line, for `hotspan --help`
  std::string_view usage;    // the full help text of the command
  int (*run)(std::span<const std::string_view> args);
};

// "cannot create 'PATH': why" for an output file that hotspan::open_trace_file()
// (or file_exporter()) refused; why is the library's explanation when it gives
// one (a symbolic link, a FIFO with no reader), else the system's.
std::runtime_error output_error(const std::string& path, const std::system_error& error);

const Command& cat_command();
const Command& tree_command();
const Command& stats_command();
const Command& convert_command();
const Command& validate_command();
const Command& report_command();

// Arguments of one command: positionals, `--name value` / `--name=value`
// options and their one-letter forms `-n value`. `-h`/`--help` are handled by
// the caller before parsing.
struct OptionSpec {
  std::string_view name;  // without the leading "--"
  bool takes_value;
  char short_name = 0;  // `-x` for this option; 0 = none
};

class ParsedArguments {
 public:
  // Throws UsageError for an unknown option or a missing value.
  ParsedArguments(std::span<const std::string_view> args, std::span<const OptionSpec> options);

  const std::vector<std::string>& positionals() const noexcept { return _positionals; }
  // The one positional argument, named `what` in the UsageError thrown when
  // there is none or more than one.
  const std::string& only_positional(std::string_view what) const;
  bool has(std::string_view option) const;
  std::optional<std::string> value(std::string_view option) const;
  // The option's value as a count in [min, max]; `fallback` when absent. Throws
  // UsageError when it is not a number in range.
  uint64_t count(std::string_view option, uint64_t fallback, uint64_t min, uint64_t max) const;
  // The option's value, which must be one of `choices`; `fallback` when absent.
  std::string choice(std::string_view option, std::string_view fallback,
                     std::span<const std::string_view> choices) const;

 private:
  std::vector<std::string> _positionals;
  std::map<std::string, std::string, std::less<>> _options;
};

}  // namespace hotspan::tool
