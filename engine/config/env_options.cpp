// hotspan — configuration from the environment (OpenTelemetry conventions plus
// HOTSPAN_* variables), and the one place where a configuration description
// becomes samplers, exporters and TracerOptions.
//
// Guarantees, after the OpenTelemetry SDK environment specification: an empty
// variable is unset; enum values are case-insensitive; a value that cannot be
// parsed or is out of range gives exactly one warning line on stderr, naming the
// variable and the value, and the setting keeps its default. from_env() never
// throws for a bad environment (only std::bad_alloc can escape).
#include "config/env_options.hpp"
#include "core/hex.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>

#include "formats/format_registry.hpp"
#include "hotspan/otlp_http_exporter.hpp"
#include "recording/span_queue.hpp"

namespace hotspan {

namespace detail {
namespace {

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// The variable's value, or null when unset or empty.
const char* env_value(const char* name) noexcept {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : nullptr;
}

void warn_ignored(const char* name, std::string_view value, std::string_view why) {
  std::string line = "ignoring ";
  line.append(name).append("=\"").append(value).append("\": ").append(why);
  warn(line);
}

bool parse_size(std::string_view text, size_t& out) noexcept {
  text = trim(text);
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return false;
  out = static_cast<size_t>(value);
  return true;
}

bool parse_double(std::string_view text, double& out) noexcept {
  text = trim(text);
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
      !std::isfinite(value)) {
    return false;
  }
  out = value;
  return true;
}

// A count of bytes: digits, then optionally K, M or G (powers of 1024, any
// case, an optional B or iB after it: "64M", "512KiB", "1gb"); at most 2^63.
bool parse_byte_count(std::string_view text, uint64_t& out) noexcept {
  text = trim(text);
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc()) return false;
  std::string_view unit(end, static_cast<size_t>(text.data() + text.size() - end));
  int shift = 0;
  if (!unit.empty()) {
    switch (std::tolower(static_cast<unsigned char>(unit.front()))) {
      case 'k':
        shift = 10;
        break;
      case 'm':
        shift = 20;
        break;
      case 'g':
        shift = 30;
        break;
      default:
        return false;
    }
    unit.remove_prefix(1);
    if (!unit.empty() && !iequals(unit, "b") && !iequals(unit, "ib")) return false;
  }
  if (value > (uint64_t{1} << 63) >> shift) return false;
  out = value << shift;
  return true;
}

// Octal permission bits, "600" or "0640": at most 0777.
bool parse_file_mode(std::string_view text, uint32_t& out) noexcept {
  text = trim(text);
  uint32_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 8);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value > 0777) {
    return false;
  }
  out = value;
  return true;
}

// 'text', built by appending: GCC 12 warns falsely (-Wrestrict, bug 105329)
// about "literal" + std::string temporaries.
std::string quoted(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('\'');
  out.append(text);
  out.push_back('\'');
  return out;
}

bool percent_decode(std::string_view text, std::string& out) {
  out.clear();
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return false;
    const int high = hex_digit_value(text[i + 1], HexCase::either);
    const int low = hex_digit_value(text[i + 2], HexCase::either);
    if (high < 0 || low < 0) return false;
    out.push_back(static_cast<char>((high << 4) | low));
    i += 2;
  }
  return true;
}

// ------------------------------------------------------------- samplers

struct SamplerName {
  std::string_view name;
  SamplerKind kind;
  bool parent_based;
};

constexpr SamplerName kSamplerNames[] = {
    {"always_on", SamplerKind::always_on, false},
    {"always_off", SamplerKind::always_off, false},
    {"traceidratio", SamplerKind::ratio, false},
    {"parentbased_always_on", SamplerKind::always_on, true},
    {"parentbased_always_off", SamplerKind::always_off, true},
    {"parentbased_traceidratio", SamplerKind::ratio, true},
    // hotspan's own: a token bucket of OTEL_TRACES_SAMPLER_ARG spans per second.
    {"rate_limited", SamplerKind::rate_limited, false},
    {"parentbased_rate_limited", SamplerKind::rate_limited, true},
};

constexpr double kDefaultRatio = 1.0;
constexpr double kDefaultSpansPerSecond = 100.0;

void read_sampler(SamplerChoice& choice) {
  const char* name = env_value("OTEL_TRACES_SAMPLER");
  if (name == nullptr) return;
  const SamplerName* found = nullptr;
  for (const SamplerName& s : kSamplerNames) {
    if (iequals(trim(name), s.name)) found = &s;
  }
  if (found == nullptr) {
    warn_ignored("OTEL_TRACES_SAMPLER", name,
                 "expected always_on, always_off, traceidratio, parentbased_always_on, "
                 "parentbased_always_off, parentbased_traceidratio, rate_limited or "
                 "parentbased_rate_limited; using the default (parentbased_always_on)");
    return;
  }
  choice = SamplerChoice{found->kind, 1.0, found->parent_based};
  if (found->kind != SamplerKind::ratio && found->kind != SamplerKind::rate_limited) return;
  const bool ratio = found->kind == SamplerKind::ratio;
  choice.argument = ratio ? kDefaultRatio : kDefaultSpansPerSecond;
  const char* arg = env_value("OTEL_TRACES_SAMPLER_ARG");
  if (arg == nullptr) return;
  double value = 0;
  if (ratio && (!parse_double(arg, value) || value < 0 || value > 1)) {
    warn_ignored("OTEL_TRACES_SAMPLER_ARG", arg,
                 "expected a probability in [0, 1]; using the default (1.0)");
  } else if (!ratio && (!parse_double(arg, value) || value < 0)) {
    warn_ignored("OTEL_TRACES_SAMPLER_ARG", arg,
                 "expected spans per second, a number >= 0; using the default (100)");
  } else {
    choice.argument = value;
  }
}

// ------------------------------------------------------------- exporters

// OTEL_EXPORTER_OTLP_TRACES_<name> when set, else OTEL_EXPORTER_OTLP_<name>;
// `used` says which.
const char* otlp_setting(const char* name, std::string& used) {
  used = std::string("OTEL_EXPORTER_OTLP_TRACES_") + name;
  if (const char* value = env_value(used.c_str())) return value;
  used = std::string("OTEL_EXPORTER_OTLP_") + name;
  return env_value(used.c_str());
}

// Headers, timeout, compression and protocol of OTLP export (the endpoints
// are read with the exporter list).
void read_otlp_settings(ExporterChoice& choice) {
  std::string name;
  if (const char* text = otlp_setting("HEADERS", name)) {
    std::vector<std::pair<std::string, std::string>> pairs;
    std::string error;
    if (parse_resource_attributes(text, pairs, error)) {
      choice.otlp_headers = text;
    } else {
      warn_ignored(name.c_str(), text, error + "; no headers sent");
    }
  }
  if (const char* text = otlp_setting("TIMEOUT", name)) {
    size_t ms = 0;
    if (parse_size(text, ms) && ms >= 1 && ms <= 3'600'000) {
      choice.otlp_timeout = std::chrono::milliseconds(ms);
    } else {
      warn_ignored(name.c_str(), text,
                   "expected milliseconds in 1..3600000; using the default (10000)");
    }
  }
  if (const char* text = otlp_setting("COMPRESSION", name)) {
    if (iequals(trim(text), "gzip") || iequals(trim(text), "none")) {
      choice.otlp_gzip = iequals(trim(text), "gzip");
    } else {
      warn_ignored(name.c_str(), text, "expected gzip or none; using none");
    }
  }
  if (const char* text = otlp_setting("PROTOCOL", name)) {
    if (iequals(trim(text), "http/protobuf") || iequals(trim(text), "http/json")) {
      choice.otlp_json = iequals(trim(text), "http/json");
    } else {
      warn_ignored(name.c_str(), text,
                   "expected http/protobuf or http/json (grpc is not supported); "
                   "using http/protobuf");
    }
  }
}

// HOTSPAN_FILE_ROTATE_BYTES, HOTSPAN_FILE_ROTATE_SECONDS, HOTSPAN_FILE_MAX_FILES
// and HOTSPAN_FILE_MAX_BYTES: FileOptions' rotation and retention, 0 = off.
void read_rotation(FileOptions& options) {
  if (const char* text = env_value("HOTSPAN_FILE_ROTATE_BYTES")) {
    if (!parse_byte_count(text, options.rotate_bytes)) {
      warn_ignored("HOTSPAN_FILE_ROTATE_BYTES", text,
                   "expected a byte count such as 67108864, 64M or 1G (K, M, G: powers of "
                   "1024); not rotating by size");
    }
  }
  if (const char* text = env_value("HOTSPAN_FILE_ROTATE_SECONDS")) {
    size_t seconds = 0;
    // At most a hundred years: the interval is kept in milliseconds.
    if (parse_size(text, seconds) && seconds <= uint64_t{3'155'760'000}) {
      options.rotate_interval = std::chrono::seconds(seconds);
    } else {
      warn_ignored("HOTSPAN_FILE_ROTATE_SECONDS", text,
                   "expected whole seconds in 0..3155760000; not rotating by time");
    }
  }
  if (const char* text = env_value("HOTSPAN_FILE_MAX_FILES")) {
    size_t files = 0;
    if (parse_size(text, files) && files <= UINT32_MAX) {
      options.max_files = static_cast<uint32_t>(files);
    } else {
      warn_ignored("HOTSPAN_FILE_MAX_FILES", text,
                   "expected an integer in 0..4294967295; keeping every file");
    }
  }
  if (const char* text = env_value("HOTSPAN_FILE_MAX_BYTES")) {
    if (!parse_byte_count(text, options.max_total_bytes)) {
      warn_ignored("HOTSPAN_FILE_MAX_BYTES", text,
                   "expected a byte count such as 1073741824, 512M or 1G (K, M, G: powers of "
                   "1024); keeping every file");
    }
  }
}

void read_exporters(ExporterChoice& choice) {
  if (const char* list = env_value("OTEL_TRACES_EXPORTER")) {
    bool otlp = false, console = false, any_valid = false;
    std::string_view rest = list;
    while (true) {
      const size_t comma = rest.find(',');
      const std::string_view item = trim(rest.substr(0, comma));
      if (iequals(item, "otlp")) {
        otlp = any_valid = true;
      } else if (iequals(item, "console")) {
        console = any_valid = true;
      } else if (iequals(item, "none")) {
        any_valid = true;
      } else if (!item.empty()) {
        warn_ignored("OTEL_TRACES_EXPORTER", item, "expected otlp, console or none");
      }
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
    if (any_valid) {
      choice.otlp = otlp;
      choice.console = console;
    }
  }
  const char* endpoint_names[] = {"OTEL_EXPORTER_OTLP_ENDPOINT",
                                  "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"};
  const char** endpoints[] = {&choice.otlp_endpoint, &choice.otlp_traces_endpoint};
  for (int i = 0; i < 2; ++i) {
    const char* url = env_value(endpoint_names[i]);
    if (url == nullptr) continue;
    if (is_valid_otlp_url(url)) {
      *endpoints[i] = url;
    } else {
      warn_ignored(endpoint_names[i], url,
                   "expected an http:// or https:// URL with a host; using the default");
    }
  }
  read_otlp_settings(choice);
  if (const char* path = env_value("HOTSPAN_FILE")) choice.file_path = path;
  if (const char* format = env_value("HOTSPAN_FORMAT")) {
    std::string name(trim(format));  // a format's name in any case, '-' or '_' between words
    for (char& c : name)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (const std::optional<Format> known = format_from_name(name)) {
      choice.file_format = *known;
    } else {
      warn_ignored("HOTSPAN_FORMAT", format,
                   "expected " + format_name_list() + "; using the default (binary)");
    }
  }
  if (const char* text = env_value("HOTSPAN_FILE_MODE")) {
    if (!parse_file_mode(text, choice.file_options.mode)) {
      warn_ignored("HOTSPAN_FILE_MODE", text,
                   "expected octal permission bits, at most 0777 (such as 0600 or 0640); "
                   "using the default (0600)");
    }
  }
  read_rotation(choice.file_options);
  if (const char* text = env_value("HOTSPAN_FILE_APPEND")) {
    if (!iequals(trim(text), "true") && !iequals(trim(text), "false")) {
      warn_ignored("HOTSPAN_FILE_APPEND", text, "expected true or false; using false");
    } else if (iequals(trim(text), "true") && choice.file_options.rotates()) {
      warn_ignored("HOTSPAN_FILE_APPEND", text,
                   "a rotated file is always a new one (numbering continues after the "
                   "existing files); using false");
    } else {
      choice.file_options.append = iequals(trim(text), "true");
    }
  }
}

// ------------------------------------------------------------- sizes

struct SizeVariable {
  const char* name;
  size_t OptionsSpec::*field;
  size_t min;
  size_t max;
};

// The ranges the Tracer constructor accepts (include/hotspan/tracer.hpp).
constexpr SizeVariable kSizeVariables[] = {
    {"HOTSPAN_SLOTS_PER_THREAD", &OptionsSpec::slots_per_thread, 1, kMaxSpansInFlightPerThread},
    {"HOTSPAN_QUEUE_CAPACITY", &OptionsSpec::queue_capacity, 1, size_t{1} << 32},
    {"HOTSPAN_SLOT_BYTES", &OptionsSpec::slot_bytes, 256, 65536},
    {"HOTSPAN_MAX_ATTRIBUTES", &OptionsSpec::max_attributes_per_span, 0, 65535},
    {"HOTSPAN_MAX_EVENTS", &OptionsSpec::max_events_per_span, 0, 65535},
    {"HOTSPAN_MAX_STRING_BYTES", &OptionsSpec::max_string_bytes, 1, 65535},
};

void read_sizes(OptionsSpec& spec) {
  for (const SizeVariable& v : kSizeVariables) {
    const char* text = env_value(v.name);
    if (text == nullptr) continue;
    size_t value = 0;
    if (parse_size(text, value) && value >= v.min && value <= v.max) {
      spec.*v.field = value;
    } else {
      warn_ignored(v.name, text,
                   "expected an integer in " + std::to_string(v.min) + ".." +
                       std::to_string(v.max) + "; using " + std::to_string(spec.*v.field));
    }
  }
}

// 0 (off), or the range the Tracer constructor accepts for the slot size the
// environment sets (tracer_core.cpp).
void read_recorder(OptionsSpec& spec) {
  if (const char* path = env_value("HOTSPAN_RECORDER_DUMP_PATH")) spec.recorder_dump_path = path;
  const char* text = env_value("HOTSPAN_RECORDER_BYTES");
  if (text == nullptr) return;
  const size_t min = std::max(FlightRecorderOptions::kMinBytes, 16 * spec.slot_bytes);
  size_t value = 0;
  if (parse_size(text, value) &&
      (value == 0 || (value >= min && value <= FlightRecorderOptions::kMaxBytes))) {
    spec.recorder_bytes = value;
  } else {
    warn_ignored("HOTSPAN_RECORDER_BYTES", text,
                 "expected 0 (off) or a byte count in " + std::to_string(min) + ".." +
                     std::to_string(FlightRecorderOptions::kMaxBytes) +
                     " (at least 64 KiB and 16 x the slot size); using " +
                     std::to_string(spec.recorder_bytes));
  }
}

// Inside the handler of file_exporter()'s refusal: rethrows it, or warns that
// the tracer goes on without the file.
void give_up_file(const std::exception& e, OnOpenError on_open_error) {
  if (on_open_error == OnOpenError::fail) throw;
  warn(std::string(e.what()) + "; spans are not written to a file");
}

// The one place where OTLP/HTTP export plugs in.
std::shared_ptr<Exporter> make_otlp_exporter(const ExporterChoice& choice) {
  std::string url;
  if (choice.otlp_traces_endpoint != nullptr) {
    url = choice.otlp_traces_endpoint;
  } else {
    url = choice.otlp_endpoint != nullptr ? choice.otlp_endpoint : "http://localhost:4318";
    if (url.ends_with('/')) url.pop_back();
    url += "/v1/traces";
  }
#ifdef HOTSPAN_HAS_OTLP_HTTP
  OtlpHttpOptions options;
  options.traces_endpoint = url;
  options.timeout = choice.otlp_timeout;
  if (choice.otlp_gzip) options.compression = OtlpHttpOptions::Compression::gzip;
  if (choice.otlp_json) options.encoding = OtlpHttpOptions::Encoding::json;
  std::string error;
  if (choice.otlp_headers != nullptr &&
      !parse_resource_attributes(choice.otlp_headers, options.headers, error)) {
    throw std::invalid_argument("hotspan: invalid OTLP headers: " + error);
  }
  try {
    return otlp_http_exporter(std::move(options));
  } catch (const std::invalid_argument& e) {
    warn(std::string(e.what()) + "; spans will not be sent over OTLP");
    return nullptr;
  }
#else
  warn(
      "OTLP export (OTEL_TRACES_EXPORTER=otlp) is not available in this build of hotspan "
      "(built without libcurl): spans will not be sent to " +
      url + "; falling back to none (use HOTSPAN_FILE to write them to a file)");
  return nullptr;
#endif
}

}  // namespace

void warn(std::string_view text) noexcept {
  std::fprintf(stderr, "hotspan: %.*s\n", static_cast<int>(text.size()), text.data());
}

bool parse_resource_attributes(std::string_view text,
                               std::vector<std::pair<std::string, std::string>>& out,
                               std::string& error) {
  std::vector<std::pair<std::string, std::string>> pairs;
  std::string_view rest = text;
  while (true) {
    const size_t comma = rest.find(',');
    const std::string_view member = trim(rest.substr(0, comma));
    if (!member.empty()) {  // tolerate "a=1,,b=2" and a trailing comma
      const size_t equals = member.find('=');
      if (equals == std::string_view::npos) {
        error = quoted(member) + " is not key=value";
        return false;
      }
      const std::string_view key = trim(member.substr(0, equals));
      if (key.empty()) {
        error = quoted(member) + " has an empty key";
        return false;
      }
      std::string value;
      if (!percent_decode(trim(member.substr(equals + 1)), value)) {
        error = "the value of " + quoted(key) + " has an invalid percent-encoding";
        return false;
      }
      pairs.emplace_back(std::string(key), std::move(value));
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  out = std::move(pairs);
  return true;
}

bool is_valid_otlp_url(std::string_view url) noexcept {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return false;
  const std::string_view scheme = url.substr(0, scheme_end);
  if (!iequals(scheme, "http") && !iequals(scheme, "https")) return false;
  std::string_view rest = url.substr(scheme_end + 3);
  for (const char c : rest) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return false;
  }
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  std::string_view host = authority;
  std::string_view port;
  if (authority.starts_with('[')) {  // [IPv6]
    const size_t close = authority.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    host = authority.substr(0, close + 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return false;
      port = after.substr(1);
      if (port.empty()) return false;
    }
  } else if (const size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (port.empty()) return false;
  }
  if (host.empty()) return false;
  if (!host.starts_with('[')) {
    for (const char c : host) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') {
        return false;
      }
    }
  }
  if (!port.empty()) {
    size_t number = 0;
    if (!parse_size(port, number) || port.size() > 5 || number < 1 || number > 65535) return false;
  }
  return true;
}

// ------------------------------------------------------- tail sampling

namespace {

bool parse_slow_roots(std::string_view text, std::vector<SlowRootRule>& out, std::string& error) {
  std::vector<std::pair<std::string, std::string>> pairs;
  if (!parse_resource_attributes(text, pairs, error)) return false;
  out.clear();
  for (auto& [name, ms_text] : pairs) {
    size_t ms = 0;
    if (!parse_size(ms_text, ms) || ms > 86'400'000) {
      error = "the threshold of '" + name + "' is not milliseconds in 0..86400000";
      return false;
    }
    out.push_back({std::move(name), std::chrono::milliseconds(ms)});
  }
  return true;
}

bool parse_keep_attributes(std::string_view text, std::vector<AttributeMatch>& out,
                           std::string& error) {
  std::vector<std::pair<std::string, std::string>> pairs;
  if (!parse_resource_attributes(text, pairs, error)) return false;
  out.clear();
  for (auto& [key, value] : pairs)
    out.push_back({std::move(key), std::move(value)});
  return true;
}

void read_tail_sampling(TailChoice& tail) {
  const auto read_bool = [](const char* name, bool& field) {
    const char* text = env_value(name);
    if (text == nullptr) return;
    const std::string_view t = trim(text);
    if (iequals(t, "on") || iequals(t, "true") || iequals(t, "off") || iequals(t, "false")) {
      field = iequals(t, "on") || iequals(t, "true");
    } else {
      warn_ignored(name, text, std::string("expected on or off; using ") + (field ? "on" : "off"));
    }
  };
  read_bool("HOTSPAN_TAIL_SAMPLING", tail.enabled);
  read_bool("HOTSPAN_TAIL_KEEP_ERRORS", tail.keep_errors);
  if (const char* text = env_value("HOTSPAN_TAIL_BASELINE")) {
    double p = 0;
    if (parse_double(text, p) && p >= 0 && p <= 1) {
      tail.baseline = p;
    } else {
      warn_ignored("HOTSPAN_TAIL_BASELINE", text, "expected a probability in [0, 1]; using 0");
    }
  }
  std::string error;
  if (const char* text = env_value("HOTSPAN_TAIL_SLOW_ROOTS")) {
    std::vector<SlowRootRule> rules;
    if (parse_slow_roots(text, rules, error)) {
      tail.slow_roots = text;
    } else {
      warn_ignored("HOTSPAN_TAIL_SLOW_ROOTS", text, error + "; no root is kept for being slow");
    }
  }
  if (const char* text = env_value("HOTSPAN_TAIL_KEEP_ATTRIBUTES")) {
    std::vector<AttributeMatch> rules;
    if (parse_keep_attributes(text, rules, error)) {
      tail.keep_attributes = text;
    } else {
      warn_ignored("HOTSPAN_TAIL_KEEP_ATTRIBUTES", text,
                   error + "; no trace is kept for an attribute");
    }
  }
  if (const char* text = env_value("HOTSPAN_TAIL_DECISION_WAIT_MS")) {
    size_t ms = 0;
    if (parse_size(text, ms) && ms >= 1 && ms <= 86'400'000) {
      tail.decision_wait_ms = ms;
    } else {
      warn_ignored(
          "HOTSPAN_TAIL_DECISION_WAIT_MS", text,
          "expected milliseconds in 1..86400000; using " + std::to_string(tail.decision_wait_ms));
    }
  }
  if (const char* text = env_value("HOTSPAN_TAIL_MAX_BYTES")) {
    size_t bytes = 0;
    if (parse_size(text, bytes) && bytes >= 65536) {
      tail.max_buffered_bytes = bytes;
    } else {
      warn_ignored(
          "HOTSPAN_TAIL_MAX_BYTES", text,
          "expected bytes, at least 65536; using " + std::to_string(tail.max_buffered_bytes));
    }
  }
}

}  // namespace

TailSamplingPolicy make_tail_policy(const TailChoice& choice) {
  TailSamplingPolicy p;
  p.enabled = choice.enabled;
  p.keep_errors = choice.keep_errors;
  p.baseline = choice.baseline;
  p.decision_wait = std::chrono::milliseconds(choice.decision_wait_ms);
  p.max_buffered_bytes = choice.max_buffered_bytes;
  std::string error;
  if (choice.slow_roots != nullptr && !parse_slow_roots(choice.slow_roots, p.slow_roots, error)) {
    throw std::invalid_argument("hotspan: invalid tail-sampling slow roots: " + error);
  }
  if (choice.keep_attributes != nullptr &&
      !parse_keep_attributes(choice.keep_attributes, p.keep_attributes, error)) {
    throw std::invalid_argument("hotspan: invalid tail-sampling attributes: " + error);
  }
  return p;
}

void read_env(OptionsSpec& spec) {
  if (const char* name = env_value("OTEL_SERVICE_NAME")) spec.service_name = name;
  if (const char* text = env_value("OTEL_RESOURCE_ATTRIBUTES")) {
    std::vector<std::pair<std::string, std::string>> pairs;
    std::string error;
    if (parse_resource_attributes(text, pairs, error)) {
      spec.resource_attributes = text;
    } else {
      warn_ignored("OTEL_RESOURCE_ATTRIBUTES", text, error + "; no resource attributes used");
    }
  }
  read_sampler(spec.sampler);
  read_exporters(spec.exporter);
  read_sizes(spec);
  read_recorder(spec);
  // Redaction is on unless turned off by name: a typo must not publish addresses.
  spec.redact_for_relay = true;
  if (const char* text = env_value("HOTSPAN_REDACTION")) {
    if (iequals(trim(text), "off")) {
      spec.redact_for_relay = false;
    } else if (!iequals(trim(text), "relay")) {
      warn_ignored("HOTSPAN_REDACTION", text, "expected relay or off; using relay");
    }
  }
  read_tail_sampling(spec.tail);
}

std::shared_ptr<Sampler> make_sampler(const SamplerChoice& choice) {
  std::shared_ptr<Sampler> root;
  switch (choice.kind) {
    case SamplerKind::always_on:
      root = always_on();
      break;
    case SamplerKind::always_off:
      root = always_off();
      break;
    case SamplerKind::ratio:
      root = trace_id_ratio(choice.argument);
      break;
    case SamplerKind::rate_limited:
      root = rate_limited(choice.argument);
      break;
  }
  if (root == nullptr) throw std::invalid_argument("hotspan: unknown sampler kind");
  return choice.parent_based ? parent_based(std::move(root)) : root;
}

std::shared_ptr<Exporter> make_exporter(const ExporterChoice& choice, OnOpenError on_open_error) {
  std::vector<std::shared_ptr<Exporter>> parts;
  if (choice.file_path != nullptr) {
    try {
      parts.push_back(file_exporter(choice.file_path, choice.file_format, choice.file_options));
    } catch (const std::system_error& e) {
      give_up_file(e, on_open_error);
    } catch (const std::invalid_argument& e) {
      give_up_file(e, on_open_error);
    }
  }
  if (choice.console) parts.push_back(stdout_exporter(choice.console_pretty));
  if (choice.otlp) {
    if (auto otlp = make_otlp_exporter(choice)) parts.push_back(std::move(otlp));
  }
  if (parts.empty()) return nullptr;
  if (parts.size() == 1) return parts.front();
  return multi_exporter(std::move(parts));
}

TracerOptions build_options(const OptionsSpec& spec, OnOpenError on_open_error) {
  TracerOptions options;
  const bool named = spec.service_name != nullptr && *spec.service_name != '\0';
  if (named) options.service_name = spec.service_name;
  if (spec.resource_attributes != nullptr) {
    std::vector<std::pair<std::string, std::string>> pairs;
    std::string error;
    if (!parse_resource_attributes(spec.resource_attributes, pairs, error)) {
      throw std::invalid_argument(
          std::string("hotspan: invalid resource attributes: ").append(error));
    }
    for (auto& [key, value] : pairs) {
      if (key != "service.name") {
        options.resource.emplace_back(std::move(key), std::move(value));
      } else if (!named) {  // OTEL_SERVICE_NAME wins over service.name here
        options.service_name = std::move(value);
      }
    }
  }
  options.sampler = make_sampler(spec.sampler);
  options.exporter = make_exporter(spec.exporter, on_open_error);
  options.slots_per_thread = spec.slots_per_thread;
  options.queue_capacity = spec.queue_capacity;
  options.slot_bytes = spec.slot_bytes;
  options.max_attributes_per_span = spec.max_attributes_per_span;
  options.max_events_per_span = spec.max_events_per_span;
  options.max_string_bytes = spec.max_string_bytes;
  options.export_batch_size = spec.export_batch_size;
  options.idle_sleep = spec.idle_sleep;
  options.shutdown_timeout = spec.shutdown_timeout;
  if (spec.redact_for_relay) options.redaction = RedactionPolicy::relay_default();
  options.tail_sampling = make_tail_policy(spec.tail);
  options.flight_recorder.max_bytes = spec.recorder_bytes;
  if (spec.recorder_dump_path != nullptr)
    options.flight_recorder.dump_path = spec.recorder_dump_path;
  return options;
}

}  // namespace detail

TracerOptions TracerOptions::from_env() {
  detail::OptionsSpec spec;
  detail::read_env(spec);
  return detail::build_options(spec, detail::OnOpenError::warn);
}

}  // namespace hotspan
