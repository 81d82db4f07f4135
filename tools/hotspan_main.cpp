// hotspan tool — `hotspan`, the command-line reader of span files: dispatches to
// the subcommands (see command.hpp), prints help and maps errors to exit statuses.
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "command.hpp"
#include "hotspan/version.hpp"

namespace {

using hotspan::tool::Command;

std::array<const Command*, 6> commands() {
  return {&hotspan::tool::cat_command(),      &hotspan::tool::tree_command(),
          &hotspan::tool::stats_command(),    &hotspan::tool::convert_command(),
          &hotspan::tool::validate_command(), &hotspan::tool::report_command()};
}

void print_usage(std::ostream& out) {
  constexpr size_t kNameColumn = 10;
  out << "usage: hotspan COMMAND [ARGS...]\n"
         "\n"
         "Reads the span files that hotspan's exporters write: the binary format or\n"
         "JSON Lines, told apart by their first bytes. FILE \"-\" reads stdin. A\n"
         "progress bar shows on stderr while a large file is read from a terminal.\n"
         "\n"
         "commands:\n";
  for (const Command* command : commands()) {
    out << "  " << command->name << std::string(kNameColumn - command->name.size(), ' ')
        << command->summary << "\n";
  }
  out << "  help" << std::string(kNameColumn - 4, ' ')
      << "show the help of a command\n"
         "\n"
         "Run 'hotspan COMMAND --help' for the options of a command.\n"
         "\n"
         "Exit status:\n"
         "  0  success\n"
         "  1  an error (file missing or unreadable, trace not found, output not\n"
         "     writable); or malformed records were skipped, or the file is truncated\n"
         "     or corrupt (what could be read was used); validate: the file is not\n"
         "     complete and clean\n"
         "  2  usage error (unknown command or option, missing or bad argument)\n";
}

const Command* find_command(std::string_view name) {
  for (const Command* command : commands()) {
    if (command->name == name) return command;
  }
  return nullptr;
}

// What was printed is lost if stdout could not take it (a full disk): that
// fails the command, also one that had succeeded. cat, convert and report
// check their own output and throw; this covers the others and the help
// texts.
int checked_stdout(std::string_view command, int status) {
  std::cout.flush();
  errno = 0;
  const bool flushed = std::fflush(stdout) == 0;
  const int error = errno;
  if (std::cout && flushed && std::ferror(stdout) == 0) return status;
  std::cerr << "hotspan" << (command.empty() ? "" : " ") << command << ": writing stdout failed";
  if (!flushed && error != 0) std::cerr << ": " << std::strerror(error);
  std::cerr << "\n";
  return status == 0 ? 1 : status;
}

bool wants_help(const std::vector<std::string_view>& args) {
  for (std::string_view arg : args) {
    if (arg == "--") return false;
    if (arg == "-h" || arg == "--help") return true;
  }
  return false;
}

int run_command(const Command& command, const std::vector<std::string_view>& args) {
  if (wants_help(args)) {
    std::cout << command.usage;
    return checked_stdout(command.name, 0);
  }
  try {
    return checked_stdout(command.name, command.run(args));
  } catch (const hotspan::tool::UsageError& e) {
    std::cerr << "hotspan " << command.name << ": " << e.what() << "\n\n" << command.usage;
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "hotspan " << command.name << ": " << e.what() << "\n";
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty()) {
    print_usage(std::cerr);
    return 2;
  }
  const std::string_view first = args[0];
  if (first == "-h" || first == "--help") {
    print_usage(std::cout);
    return checked_stdout("", 0);
  }
  if (first == "--version") {
    std::cout << "hotspan " << hotspan::version_string << "\n";
    return checked_stdout("", 0);
  }
  if (first == "help") {
    if (args.size() == 1) {
      print_usage(std::cout);
      return checked_stdout("", 0);
    }
    if (const Command* command = find_command(args[1])) {
      std::cout << command->usage;
      return checked_stdout(command->name, 0);
    }
    std::cerr << "hotspan: unknown command '" << args[1] << "'\n\n";
    print_usage(std::cerr);
    return 2;
  }
  const Command* command = find_command(first);
  if (command == nullptr) {
    std::cerr << "hotspan: unknown " << (first.starts_with("-") ? "option" : "command") << " '"
              << first << "'\n\n";
    print_usage(std::cerr);
    return 2;
  }
  return run_command(*command, {args.begin() + 1, args.end()});
}
