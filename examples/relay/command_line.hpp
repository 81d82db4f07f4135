// hotspan relay example — the command line of hotspan_relay and
// hotspan_relay_client: `--name value` pairs, checked against the names a
// program knows, and the tracer they configure.
#pragma once

#include <hotspan/hotspan.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace relay {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class CommandLine {
 public:
  // Throws UsageError for an unknown name or a missing value; "-h"/"--help" sets help().
  CommandLine(int argc, char** argv, const std::vector<std::string_view>& names) {
    for (int i = 1; i < argc; ++i) {
      const std::string_view arg = argv[i];
      if (arg == "-h" || arg == "--help") {
        _help = true;
        continue;
      }
      bool known = false;
      for (const auto name : names)
        known |= arg == name;
      if (!known) throw UsageError("unknown argument '" + std::string(arg) + "'");
      if (i + 1 >= argc) throw UsageError(std::string(arg) + " needs a value");
      _values[std::string(arg)] = argv[++i];
    }
  }

  bool help() const { return _help; }
  bool has(const std::string& name) const { return _values.count(name) != 0; }

  std::string text(const std::string& name, std::string fallback = {}) const {
    const auto it = _values.find(name);
    return it == _values.end() ? fallback : it->second;
  }

  uint64_t number(const std::string& name, uint64_t fallback, uint64_t min, uint64_t max) const {
    const auto it = _values.find(name);
    if (it == _values.end()) return fallback;
    uint64_t value = 0;
    const std::string& s = it->second;
    const auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (error != std::errc{} || end != s.data() + s.size() || value < min || value > max) {
      throw UsageError(name + ": expected an integer in " + std::to_string(min) + ".." +
                       std::to_string(max) + ", got '" + s + "'");
    }
    return value;
  }

  double ratio(const std::string& name, const char* fallback = "1") const {
    const std::string s = text(name, fallback);
    double value = -1;
    const auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (error != std::errc{} || end != s.data() + s.size() || !(value >= 0 && value <= 1)) {
      throw UsageError(name + ": expected a number in [0, 1], got '" + s + "'");
    }
    return value;
  }

  // A tracer writing to --trace FILE in --format (binary by default), with
  // parent-based sampling: roots sampled with probability --sample-ratio.
  // --tail-baseline P turns tail sampling on: traces with an error kept,
  // those whose local root is slower than a --tail-slow NAME=MS rule kept,
  // and a share P of the others (by trace id).
  hotspan::TracerOptions tracer_options(std::string service) const {
    hotspan::TracerOptions options;
    options.service_name = std::move(service);
    const std::string format = text("--format", "binary");
    hotspan::Format f;
    if (format == "binary") {
      f = hotspan::Format::binary;
    } else if (format == "jsonl") {
      f = hotspan::Format::jsonl;
    } else {
      throw UsageError("--format: expected binary or jsonl, got '" + format + "'");
    }
    if (has("--trace")) options.exporter = hotspan::file_exporter(text("--trace"), f);
    options.sampler = hotspan::parent_based(hotspan::trace_id_ratio(ratio("--sample-ratio")));
    if (has("--tail-baseline")) {
      options.tail_sampling.enabled = true;
      options.tail_sampling.baseline = ratio("--tail-baseline");
      options.tail_sampling.slow_roots = slow_roots();
    }
    return options;
  }

 private:
  // --tail-slow "circuit=100,relay.create=100": NAME=MS rules, in order.
  std::vector<hotspan::SlowRootRule> slow_roots() const {
    std::vector<hotspan::SlowRootRule> rules;
    const std::string list = text("--tail-slow");
    std::string_view rest = list;
    while (!rest.empty()) {
      const std::string_view rule = rest.substr(0, rest.find(','));
      rest.remove_prefix(std::min(rest.size(), rule.size() + 1));
      const size_t equals = rule.find('=');
      uint64_t ms = 0;
      const char* end = rule.data() + rule.size();
      if (equals == std::string_view::npos ||
          std::from_chars(rule.data() + equals + 1, end, ms).ptr != end) {
        throw UsageError("--tail-slow: expected NAME=MS[,NAME=MS...], got '" + std::string(rule) +
                         "'");
      }
      rules.push_back({std::string(rule.substr(0, equals)), std::chrono::milliseconds(ms)});
    }
    return rules;
  }

  std::map<std::string, std::string> _values;
  bool _help = false;
};

}  // namespace relay
