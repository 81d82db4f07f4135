// hotspan — tracer configuration as a description (sampler and exporter
// choices, sizes), read from the environment and turned into TracerOptions.
//
// One description, two front ends: TracerOptions::from_env() (C++) and
// hotspan_options_from_env() / hotspan_tracer_create() (C, engine/c_api/c_api.cpp)
// both go through OptionsSpec, read_env() and build_options(), so the
// environment is parsed in one place and samplers and exporters are built in
// one place. OTLP/HTTP export plugs in at make_exporter() only (without
// libcurl, OTEL_TRACES_EXPORTER=otlp warns and falls back to none).
//
// Strings in an OptionsSpec are borrowed, NUL-terminated (or null = not set):
// read_env() points them into the environment (getenv), the C API into the
// caller's hotspan_options. build_options() copies them.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hotspan/exporter.hpp"
#include "hotspan/sampler.hpp"
#include "hotspan/tracer.hpp"

namespace hotspan::detail {

enum class SamplerKind : uint8_t { always_on, always_off, ratio, rate_limited };

struct SamplerChoice {
  SamplerKind kind = SamplerKind::always_on;
  double argument = 1.0;  // ratio: probability; rate_limited: spans per second
  bool parent_based = true;
};

struct ExporterChoice {
  const char* file_path = nullptr;  // null: no file
  Format file_format = Format::binary;
  FileOptions file_options;
  bool console = false;
  bool console_pretty = true;
  bool otlp = false;
  const char* otlp_endpoint = nullptr;         // base URL, "/v1/traces" appended
  const char* otlp_traces_endpoint = nullptr;  // full URL, wins over otlp_endpoint
  const char* otlp_headers = nullptr;          // "k=v,k2=v2", percent-encoded
  std::chrono::milliseconds otlp_timeout{10000};
  bool otlp_gzip = false;
  bool otlp_json = false;  // http/json rather than http/protobuf
};

// TailSamplingPolicy as settings: the rule lists in the key=value syntax of
// OTEL_RESOURCE_ATTRIBUTES (HOTSPAN_TAIL_* variables, C hotspan_options).
struct TailChoice {
  bool enabled = false;
  bool keep_errors = true;
  double baseline = 0.0;
  const char* slow_roots = nullptr;       // "name=ms,...": glob names, milliseconds
  const char* keep_attributes = nullptr;  // "key=value,...": an empty value matches any
  uint64_t decision_wait_ms = 30000;
  size_t max_buffered_bytes = TailSamplingPolicy{}.max_buffered_bytes;
};

struct OptionsSpec {
  const char* service_name = nullptr;         // null: from resource, else the default
  const char* resource_attributes = nullptr;  // "k=v,k2=v2", percent-encoded
  SamplerChoice sampler;
  ExporterChoice exporter;
  // The numbers of TracerOptions, defaults included.
  size_t slots_per_thread = TracerOptions{}.slots_per_thread;
  size_t queue_capacity = TracerOptions{}.queue_capacity;
  size_t slot_bytes = TracerOptions{}.slot_bytes;
  size_t max_attributes_per_span = TracerOptions{}.max_attributes_per_span;
  size_t max_events_per_span = TracerOptions{}.max_events_per_span;
  size_t max_string_bytes = TracerOptions{}.max_string_bytes;
  size_t export_batch_size = TracerOptions{}.export_batch_size;
  std::chrono::microseconds idle_sleep = TracerOptions{}.idle_sleep;
  std::chrono::milliseconds shutdown_timeout = TracerOptions{}.shutdown_timeout;
  // RedactionPolicy::relay_default(), or nothing redacted (TracerOptions'
  // default). read_env() sets it unless HOTSPAN_REDACTION=off.
  bool redact_for_relay = false;
  TailChoice tail;
  // TracerOptions::flight_recorder; a null path: the default dump_path.
  size_t recorder_bytes = 0;
  const char* recorder_dump_path = nullptr;
};

// Overrides the fields of `spec` that the environment sets (OTEL_* and
// HOTSPAN_* variables, see docs/GUIDE.md). An empty variable counts as unset.
// An invalid value is reported by one warning line on stderr naming the
// variable and the value, and leaves the field unchanged.
void read_env(OptionsSpec& spec);

// The policy `choice` describes; std::invalid_argument naming the setting for
// a malformed rule list.
TailSamplingPolicy make_tail_policy(const TailChoice& choice);

// What to do when the file exporter cannot be made: the file cannot be opened,
// or the file options do not suit the format (append to a binary file).
enum class OnOpenError : uint8_t {
  fail,  // throw: std::system_error naming the path, std::invalid_argument
  warn,  // one warning line on stderr; the tracer goes on without the file
};

// Builds the options. Throws std::invalid_argument for a malformed
// resource_attributes or a sampler argument the sampler rejects, and (with
// OnOpenError::fail) what file_exporter() throws when the file cannot be
// opened or the file options are refused. Sizes are copied as they are: the
// Tracer constructor checks their ranges.
TracerOptions build_options(const OptionsSpec& spec, OnOpenError on_open_error);

// The exporter a choice describes, or null when it describes none. Several
// choices together become one multi_exporter.
std::shared_ptr<Exporter> make_exporter(const ExporterChoice& choice, OnOpenError on_open_error);
std::shared_ptr<Sampler> make_sampler(const SamplerChoice& choice);

// "k=v,k2=v2" (W3C baggage-like, values percent-decoded, spaces around keys
// and values ignored) into pairs. False, with `error` saying why, when malformed.
bool parse_resource_attributes(std::string_view text,
                               std::vector<std::pair<std::string, std::string>>& out,
                               std::string& error);

// True for an absolute http(s) URL: scheme, "://", a host, an optional port in
// 1..65535, an optional path; no spaces.
bool is_valid_otlp_url(std::string_view url) noexcept;

// Writes "hotspan: <text>" and a newline to stderr, as one write.
void warn(std::string_view text) noexcept;

}  // namespace hotspan::detail
