// hotspan tool — parsing of a command's arguments, and the error of an output
// that cannot be created (see command.hpp).
#include "command.hpp"

#include <charconv>

namespace hotspan::tool {

ParsedArguments::ParsedArguments(std::span<const std::string_view> args,
                                 std::span<const OptionSpec> options) {
  bool only_positionals = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (only_positionals || arg == "-" || !arg.starts_with("-")) {
      _positionals.emplace_back(arg);
      continue;
    }
    if (arg == "--") {
      only_positionals = true;
      continue;
    }
    const OptionSpec* spec = nullptr;
    std::string_view name;
    std::optional<std::string_view> inline_value;
    if (!arg.starts_with("--")) {
      for (const OptionSpec& candidate : options) {
        if (arg.size() == 2 && candidate.short_name != 0 && candidate.short_name == arg[1]) {
          spec = &candidate;
        }
      }
      if (spec == nullptr) throw UsageError("unknown option '" + std::string(arg) + "'");
      name = spec->name;
    } else {
      name = arg.substr(2);
      if (const size_t equals = name.find('='); equals != std::string_view::npos) {
        inline_value = name.substr(equals + 1);
        name = name.substr(0, equals);
      }
      for (const OptionSpec& candidate : options) {
        if (candidate.name == name) spec = &candidate;
      }
      if (spec == nullptr) throw UsageError("unknown option '--" + std::string(name) + "'");
    }
    std::string value;
    if (spec->takes_value) {
      if (inline_value) {
        value = *inline_value;
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        throw UsageError("option '--" + std::string(name) + "' needs a value");
      }
    } else if (inline_value) {
      throw UsageError("option '--" + std::string(name) + "' takes no value");
    }
    _options.insert_or_assign(std::string(name), std::move(value));
  }
}

const std::string& ParsedArguments::only_positional(std::string_view what) const {
  if (_positionals.size() != 1) {
    std::string message = _positionals.empty() ? "missing " : "expected exactly one ";
    throw UsageError(message.append(what));
  }
  return _positionals.front();
}

bool ParsedArguments::has(std::string_view option) const {
  return _options.contains(option);
}

std::optional<std::string> ParsedArguments::value(std::string_view option) const {
  auto it = _options.find(option);
  if (it == _options.end()) return std::nullopt;
  return it->second;
}

uint64_t ParsedArguments::count(std::string_view option, uint64_t fallback, uint64_t min,
                                uint64_t max) const {
  auto text = value(option);
  if (!text) return fallback;
  uint64_t number = 0;
  const char* end = text->data() + text->size();
  auto [ptr, error] = std::from_chars(text->data(), end, number);
  if (error != std::errc() || ptr != end || number < min || number > max) {
    throw UsageError("option '--" + std::string(option) + "' needs a number from " +
                     std::to_string(min) + " to " + std::to_string(max) + ", not '" + *text + "'");
  }
  return number;
}

std::string ParsedArguments::choice(std::string_view option, std::string_view fallback,
                                    std::span<const std::string_view> choices) const {
  auto text = value(option);
  if (!text) return std::string(fallback);
  std::string allowed;
  for (std::string_view candidate : choices) {
    if (candidate == *text) return *text;
    allowed += allowed.empty() ? "" : ", ";
    allowed += candidate;
  }
  throw UsageError("option '--" + std::string(option) + "' must be one of " + allowed + ", not '" +
                   *text + "'");
}

std::runtime_error output_error(const std::string& path, const std::system_error& error) {
  // The library's message: "hotspan: cannot open 'PATH' for writing[: why]: strerror".
  const std::string lead = "hotspan: cannot open '" + path + "' for writing: ";
  const std::string_view what = error.what();
  const std::string why =
      what.starts_with(lead) ? std::string(what.substr(lead.size())) : error.code().message();
  return std::runtime_error("cannot create '" + path + "': " + why);
}

}  // namespace hotspan::tool
