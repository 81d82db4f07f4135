// hotspan tests — TracerOptions::from_env(): every OTEL_* and HOTSPAN_*
// variable, valid and invalid (one warning line on stderr naming the variable
// and the value, then the default), plus the resource-attribute and URL parsers.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "config/env_options.hpp"
#include "fifo_guard.hpp"
#include "hotspan/hotspan.hpp"
#include "hotspan/reader.hpp"
#include "recording/span_queue.hpp"
#include "refusing_port.hpp"
#include "stderr_capture.hpp"

using hotspan_test::StderrCapture;

namespace {

constexpr const char* kVariables[] = {"OTEL_SERVICE_NAME",
                                      "OTEL_RESOURCE_ATTRIBUTES",
                                      "OTEL_TRACES_SAMPLER",
                                      "OTEL_TRACES_SAMPLER_ARG",
                                      "OTEL_TRACES_EXPORTER",
                                      "OTEL_EXPORTER_OTLP_ENDPOINT",
                                      "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                                      "OTEL_EXPORTER_OTLP_HEADERS",
                                      "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
                                      "OTEL_EXPORTER_OTLP_TIMEOUT",
                                      "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT",
                                      "OTEL_EXPORTER_OTLP_COMPRESSION",
                                      "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION",
                                      "OTEL_EXPORTER_OTLP_PROTOCOL",
                                      "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
                                      "HOTSPAN_FILE",
                                      "HOTSPAN_FORMAT",
                                      "HOTSPAN_FILE_MODE",
                                      "HOTSPAN_FILE_APPEND",
                                      "HOTSPAN_FILE_ROTATE_BYTES",
                                      "HOTSPAN_FILE_ROTATE_SECONDS",
                                      "HOTSPAN_FILE_MAX_FILES",
                                      "HOTSPAN_FILE_MAX_BYTES",
                                      "HOTSPAN_SLOTS_PER_THREAD",
                                      "HOTSPAN_QUEUE_CAPACITY",
                                      "HOTSPAN_SLOT_BYTES",
                                      "HOTSPAN_MAX_ATTRIBUTES",
                                      "HOTSPAN_MAX_EVENTS",
                                      "HOTSPAN_MAX_STRING_BYTES",
                                      "HOTSPAN_REDACTION"};

// Unsets every variable from_env() reads, before and after a test.
struct CleanEnvironment {
  CleanEnvironment() { clear(); }
  ~CleanEnvironment() { clear(); }
  static void clear() {
    for (const char* name : kVariables)
      ::unsetenv(name);
  }
  static void set(const char* name, const char* value) { ::setenv(name, value, 1); }
};

size_t count_lines(const std::string& text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

// from_env() with stderr captured.
hotspan::TracerOptions from_env(std::string& warnings) {
  StderrCapture capture;
  hotspan::TracerOptions options = hotspan::TracerOptions::from_env();
  warnings = capture.text();
  return options;
}

bool decides(hotspan::Sampler& sampler, const hotspan::SpanContext* parent) {
  hotspan::TraceId id;
  id.bytes.fill(0x5a);
  return sampler.should_sample(
      {parent, parent != nullptr ? parent->trace_id : id, "s", hotspan::SpanKind::internal});
}

hotspan::SpanContext parent_context(bool sampled) {
  return *hotspan::parse_traceparent(
      sampled ? "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
              : "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00");
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("hotspan_env_" + std::to_string(::getpid()) + "_" + name))
      .string();
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

#ifdef HOTSPAN_HAS_OTLP_HTTP

// One span through a tracer built from `options`; what it wrote to stderr.
std::string export_one_span(hotspan::TracerOptions options) {
  StderrCapture capture;
  {
    hotspan::Tracer tracer(std::move(options));
    tracer.start_span("one").end();
  }
  return capture.text();
}
#endif

}  // namespace

TEST_CASE("from_env: nothing set gives the defaults, silently", "[env]") {
  CleanEnvironment env;
  std::string warnings;
  const hotspan::TracerOptions o = from_env(warnings);
  const hotspan::TracerOptions defaults;
  CHECK(warnings.empty());
  CHECK(o.service_name == "unknown_service");
  CHECK(o.resource.empty());
  CHECK(o.exporter == nullptr);
  REQUIRE(o.sampler != nullptr);
  const auto unsampled = parent_context(false);
  CHECK(decides(*o.sampler, nullptr));
  CHECK_FALSE(decides(*o.sampler, &unsampled));  // parentbased_always_on
  CHECK(o.slots_per_thread == defaults.slots_per_thread);
  CHECK(o.queue_capacity == defaults.queue_capacity);
  CHECK(o.slot_bytes == defaults.slot_bytes);
  CHECK(o.max_attributes_per_span == defaults.max_attributes_per_span);
  CHECK(o.max_events_per_span == defaults.max_events_per_span);
  CHECK(o.max_string_bytes == defaults.max_string_bytes);
}

TEST_CASE("from_env: an empty variable is unset", "[env]") {
  CleanEnvironment env;
  for (const char* name : kVariables)
    env.set(name, "");
  std::string warnings;
  const hotspan::TracerOptions o = from_env(warnings);
  CHECK(warnings.empty());
  CHECK(o.service_name == "unknown_service");
  CHECK(o.exporter == nullptr);
}

TEST_CASE("from_env: OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES", "[env]") {
  CleanEnvironment env;
  std::string warnings;
  SECTION("service name") {
    env.set("OTEL_SERVICE_NAME", "relay-7");
    CHECK(from_env(warnings).service_name == "relay-7");
    CHECK(warnings.empty());
  }
  SECTION(
      "attributes, percent-decoded, spaces trimmed; service.name used when no OTEL_SERVICE_NAME") {
    env.set("OTEL_RESOURCE_ATTRIBUTES",
            " deployment.environment = prod "
            ",team=relay%2Cops,check=%E2%9C%93,,service.name=from%20resource");
    const hotspan::TracerOptions o = from_env(warnings);
    CHECK(warnings.empty());
    CHECK(o.service_name == "from resource");
    const std::vector<std::pair<std::string, std::string>> expected = {
        {"deployment.environment", "prod"}, {"team", "relay,ops"}, {"check", "\xE2\x9C\x93"}};
    CHECK(o.resource == expected);
  }
  SECTION("OTEL_SERVICE_NAME wins over service.name") {
    env.set("OTEL_SERVICE_NAME", "explicit");
    env.set("OTEL_RESOURCE_ATTRIBUTES", "service.name=other,a=b");
    const hotspan::TracerOptions o = from_env(warnings);
    CHECK(o.service_name == "explicit");
    CHECK(o.resource == std::vector<std::pair<std::string, std::string>>{{"a", "b"}});
  }
  SECTION("malformed: the whole value is discarded, with one warning") {
    for (const char* bad : {"a=1,b", "=1", "a=%4", "a=%zz1", "a=1,%"}) {
      env.set("OTEL_RESOURCE_ATTRIBUTES", bad);
      const hotspan::TracerOptions o = from_env(warnings);
      CHECK(o.resource.empty());
      CHECK(count_lines(warnings) == 1);
      CHECK(warnings.find("OTEL_RESOURCE_ATTRIBUTES=\"" + std::string(bad) + "\"") !=
            std::string::npos);
    }
  }
}

TEST_CASE("from_env: OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG", "[env]") {
  CleanEnvironment env;
  std::string warnings;
  const auto sampled = parent_context(true);
  const auto unsampled = parent_context(false);
  auto sampler_for = [&](const char* name, const char* arg) {
    env.set("OTEL_TRACES_SAMPLER", name);
    if (arg != nullptr)
      env.set("OTEL_TRACES_SAMPLER_ARG", arg);
    else
      ::unsetenv("OTEL_TRACES_SAMPLER_ARG");
    return from_env(warnings).sampler;
  };
  SECTION("always_on, always_off (case-insensitive)") {
    CHECK(decides(*sampler_for("always_on", nullptr), &unsampled));
    CHECK_FALSE(decides(*sampler_for("ALWAYS_OFF", nullptr), &sampled));
    CHECK(warnings.empty());
  }
  SECTION("traceidratio: the argument is the probability") {
    CHECK_FALSE(decides(*sampler_for("traceidratio", "0"), nullptr));
    CHECK(decides(*sampler_for("traceidratio", "1"), nullptr));
    CHECK(decides(*sampler_for("traceidratio", nullptr), nullptr));       // default 1.0
    CHECK_FALSE(decides(*sampler_for("traceidratio", "0.0"), &sampled));  // not parent-based
    CHECK(warnings.empty());
  }
  SECTION("parent-based samplers follow a valid parent") {
    auto on = sampler_for("parentbased_always_on", nullptr);
    CHECK(decides(*on, nullptr));
    CHECK_FALSE(decides(*on, &unsampled));
    auto off = sampler_for("parentbased_always_off", nullptr);
    CHECK_FALSE(decides(*off, nullptr));
    CHECK(decides(*off, &sampled));
    auto ratio = sampler_for("parentbased_traceidratio", "0");
    CHECK_FALSE(decides(*ratio, nullptr));
    CHECK(decides(*ratio, &sampled));
    CHECK(warnings.empty());
  }
  SECTION("rate_limited: the argument is spans per second") {
    CHECK_FALSE(decides(*sampler_for("rate_limited", "0"), nullptr));
    CHECK(decides(*sampler_for("parentbased_rate_limited", "0"), &sampled));
    CHECK(decides(*sampler_for("rate_limited", nullptr), nullptr));  // default 100/s
    CHECK(warnings.empty());
  }
  SECTION("an unknown sampler warns and keeps parentbased_always_on") {
    auto s = sampler_for("sometimes", nullptr);
    CHECK(count_lines(warnings) == 1);
    CHECK(warnings.find("OTEL_TRACES_SAMPLER=\"sometimes\"") != std::string::npos);
    CHECK(decides(*s, nullptr));
    CHECK_FALSE(decides(*s, &unsampled));
  }
  SECTION("a bad argument warns and keeps the sampler's default argument") {
    for (const char* bad : {"1.5", "-0.1", "abc", "0.5x", "nan", "inf"}) {
      auto s = sampler_for("traceidratio", bad);
      CHECK(count_lines(warnings) == 1);
      CHECK(warnings.find("OTEL_TRACES_SAMPLER_ARG=\"" + std::string(bad) + "\"") !=
            std::string::npos);
      CHECK(decides(*s, nullptr));  // 1.0
    }
    auto s = sampler_for("rate_limited", "-5");
    CHECK(count_lines(warnings) == 1);
    CHECK(decides(*s, nullptr));  // 100/s
  }
  SECTION("the argument is ignored by samplers that take none") {
    CHECK_FALSE(decides(*sampler_for("always_off", "0.5"), nullptr));
    CHECK(warnings.empty());
  }
}

TEST_CASE("from_env: OTEL_TRACES_EXPORTER and the OTLP endpoints", "[env]") {
  CleanEnvironment env;
  std::string warnings;
  SECTION("none and console") {
    env.set("OTEL_TRACES_EXPORTER", "none");
    CHECK(from_env(warnings).exporter == nullptr);
    env.set("OTEL_TRACES_EXPORTER", "Console");
    CHECK(from_env(warnings).exporter != nullptr);
    CHECK(warnings.empty());
  }
#ifdef HOTSPAN_HAS_OTLP_HTTP
  SECTION("otlp builds the OTLP/HTTP exporter for the endpoint the variables name") {
    env.set("OTEL_TRACES_EXPORTER", "otlp");
    auto options = from_env(warnings);
    REQUIRE(options.exporter != nullptr);
    CHECK(warnings.empty());
    CHECK(hotspan::otlp_http_stats(*options.exporter).attempts == 0);
    // The URL shows in the warning of a failed export, to a port that refuses.
    const hotspan_test::RefusingPort port;
    env.set("OTEL_EXPORTER_OTLP_ENDPOINT", (port.url() + "/").c_str());
    CHECK(export_one_span(from_env(warnings)).find(port.url() + "/v1/traces") != std::string::npos);
    env.set("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", (port.url() + "/custom/path").c_str());
    CHECK(export_one_span(from_env(warnings)).find(port.url() + "/custom/path failed") !=
          std::string::npos);
  }
#else
  SECTION("otlp warns that it is not available, names the URL, and falls back to none") {
    env.set("OTEL_TRACES_EXPORTER", "otlp");
    CHECK(from_env(warnings).exporter == nullptr);
    CHECK(count_lines(warnings) == 1);
    CHECK(warnings.find("OTLP") != std::string::npos);
    CHECK(warnings.find("http://localhost:4318/v1/traces") != std::string::npos);
    env.set("OTEL_EXPORTER_OTLP_ENDPOINT", "https://collector.example:4318/");
    from_env(warnings);
    CHECK(warnings.find("https://collector.example:4318/v1/traces") != std::string::npos);
    env.set("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://[::1]:9999/custom/path");
    from_env(warnings);
    CHECK(warnings.find("http://[::1]:9999/custom/path;") != std::string::npos);
  }
#endif
  SECTION("an unknown exporter warns; the valid ones of the list are kept") {
    env.set("OTEL_TRACES_EXPORTER", "console, zipkin");
    CHECK(from_env(warnings).exporter != nullptr);
    CHECK(count_lines(warnings) == 1);
    CHECK(warnings.find("OTEL_TRACES_EXPORTER=\"zipkin\"") != std::string::npos);
    env.set("OTEL_TRACES_EXPORTER", "jaeger");
    CHECK(from_env(warnings).exporter == nullptr);
    CHECK(count_lines(warnings) == 1);
  }
  SECTION("a malformed endpoint warns and keeps the default") {
    for (const char* name : {"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"}) {
      CleanEnvironment::clear();
      env.set("OTEL_TRACES_EXPORTER", "otlp");
      env.set(name, "collector:4318");
      from_env(warnings);
#ifdef HOTSPAN_HAS_OTLP_HTTP
      CHECK(count_lines(warnings) == 1);  // the endpoint; the default one is used
      CHECK(warnings.find("using the default") != std::string::npos);
#else
      CHECK(count_lines(warnings) == 2);  // the endpoint, then the unavailable exporter
      CHECK(warnings.find("http://localhost:4318/v1/traces") != std::string::npos);
#endif
      CHECK(warnings.find(std::string(name) + "=\"collector:4318\"") != std::string::npos);
    }
  }
}

TEST_CASE("from_env: OTLP headers, timeout, compression and protocol", "[env]") {
  CleanEnvironment env;
  const auto read = [](std::string& warnings) {
    StderrCapture capture;
    hotspan::detail::OptionsSpec spec;
    hotspan::detail::read_env(spec);
    warnings = capture.text();
    return spec.exporter;
  };
  std::string warnings;
  SECTION("defaults") {
    const auto choice = read(warnings);
    CHECK(choice.otlp_headers == nullptr);
    CHECK(choice.otlp_timeout == std::chrono::seconds(10));
    CHECK_FALSE(choice.otlp_gzip);
    CHECK_FALSE(choice.otlp_json);
    CHECK(warnings.empty());
  }
  SECTION("valid values; the TRACES_ variables win") {
    env.set("OTEL_EXPORTER_OTLP_HEADERS", "a=1");
    env.set("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "api-key=s%3Dcret, x-tenant = t1");
    env.set("OTEL_EXPORTER_OTLP_TIMEOUT", "2500");
    env.set("OTEL_EXPORTER_OTLP_COMPRESSION", "GZIP");
    env.set("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
    env.set("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/json");
    const auto choice = read(warnings);
    CHECK(warnings.empty());
    REQUIRE(choice.otlp_headers != nullptr);
    CHECK(std::string(choice.otlp_headers) == "api-key=s%3Dcret, x-tenant = t1");
    CHECK(choice.otlp_timeout == std::chrono::milliseconds(2500));
    CHECK(choice.otlp_gzip);
    CHECK(choice.otlp_json);
    env.set("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "7");
    env.set("OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "none");
    const auto traces = read(warnings);
    CHECK(traces.otlp_timeout == std::chrono::milliseconds(7));
    CHECK_FALSE(traces.otlp_gzip);
  }
  SECTION("invalid values warn, name the variable, and keep the defaults") {
    env.set("OTEL_EXPORTER_OTLP_HEADERS", "novalue");
    env.set("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "10s");
    env.set("OTEL_EXPORTER_OTLP_COMPRESSION", "zstd");
    env.set("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc");
    const auto choice = read(warnings);
    CHECK(count_lines(warnings) == 4);
    CHECK(warnings.find("OTEL_EXPORTER_OTLP_HEADERS=\"novalue\"") != std::string::npos);
    CHECK(warnings.find("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT=\"10s\"") != std::string::npos);
    CHECK(warnings.find("OTEL_EXPORTER_OTLP_COMPRESSION=\"zstd\"") != std::string::npos);
    CHECK(warnings.find("OTEL_EXPORTER_OTLP_PROTOCOL=\"grpc\"") != std::string::npos);
    CHECK(choice.otlp_headers == nullptr);
    CHECK(choice.otlp_timeout == std::chrono::seconds(10));
    CHECK_FALSE(choice.otlp_gzip);
    CHECK_FALSE(choice.otlp_json);
    env.set("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "0");
    read(warnings);
    CHECK(warnings.find("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT=\"0\"") != std::string::npos);
  }
#ifdef HOTSPAN_HAS_OTLP_HTTP
  SECTION("a header name that HTTP does not allow: one warning, no OTLP exporter") {
    env.set("OTEL_TRACES_EXPORTER", "otlp");
    env.set("OTEL_EXPORTER_OTLP_HEADERS", "bad name=1");
    CHECK(from_env(warnings).exporter == nullptr);
    CHECK(count_lines(warnings) == 1);
    CHECK(warnings.find("bad name") != std::string::npos);
  }
#endif
}

TEST_CASE("from_env: HOTSPAN_FILE and HOTSPAN_FORMAT", "[env]") {
  CleanEnvironment env;
  std::string warnings;
  const std::string path = temp_path("file.jsonl");
  env.set("HOTSPAN_FILE", path.c_str());
  SECTION("jsonl: spans reach the file") {
    env.set("HOTSPAN_FORMAT", "JSONL");
    env.set("OTEL_SERVICE_NAME", "env-file");
    {
      hotspan::Tracer tracer(from_env(warnings));
      tracer.start_span("from-env").set_attribute("k", 1);
      REQUIRE(tracer.flush());
    }
    CHECK(warnings.empty());
    const std::string text = read_all(path);
    CHECK(text.starts_with("{\"trace_id\":"));
    CHECK(text.find("\"name\":\"from-env\"") != std::string::npos);
    CHECK(text.find("\"service\":\"env-file\"") != std::string::npos);
  }
  SECTION("an unknown format warns and writes the binary format") {
    env.set("HOTSPAN_FORMAT", "xml");
    {
      hotspan::Tracer tracer(from_env(warnings));
      tracer.start_span("binary");
    }
    CHECK(count_lines(warnings) == 1);
    CHECK(warnings.find("HOTSPAN_FORMAT=\"xml\"") != std::string::npos);
    CHECK(warnings.find("expected binary, jsonl, otlp_json or chrome_json") != std::string::npos);
    CHECK(hotspan::BinaryTraceReader::has_magic(read_all(path)));
  }
  SECTION("a name with hyphens for its underscores, in any case, spaces around it") {
    env.set("HOTSPAN_FORMAT", " Chrome-JSON\t");
    {
      hotspan::Tracer tracer(from_env(warnings));
      tracer.start_span("chrome");
    }
    CHECK(warnings.empty());
    CHECK(read_all(path).starts_with(R"({"displayTimeUnit":"ns","traceEvents":[)"));
  }
  SECTION("a file that cannot be opened warns; the tracer runs without it") {
    env.set("HOTSPAN_FILE", "/nonexistent-directory/trace.bin");
    env.set("OTEL_TRACES_EXPORTER", "console");
    const hotspan::TracerOptions o = from_env(warnings);
    CHECK(count_lines(warnings) == 1);
    CHECK(warnings.find("/nonexistent-directory/trace.bin") != std::string::npos);
    CHECK(o.exporter != nullptr);  // console is still there
  }
  SECTION("with OTEL_TRACES_EXPORTER=console too, both get the spans") {
    env.set("HOTSPAN_FORMAT", "jsonl");
    env.set("OTEL_TRACES_EXPORTER", "console");
    const hotspan::TracerOptions o = from_env(warnings);
    CHECK(o.exporter != nullptr);
    CHECK(warnings.empty());
  }
  std::filesystem::remove(path);
}

TEST_CASE("from_env: a HOTSPAN_FILE that is a symbolic link or a FIFO with no reader", "[env]") {
  CleanEnvironment env;
  std::string warnings;
  const std::string path = temp_path("special");
  std::filesystem::remove(path);
  SECTION("a symbolic link: a warning, and its target is left alone") {
    const std::string target = temp_path("link_target");
    write_text(target, "kept\n");
    std::filesystem::create_symlink(target, path);
    env.set("HOTSPAN_FILE", path.c_str());
    CHECK(from_env(warnings).exporter == nullptr);
    CHECK(count_lines(warnings) == 1);
    CHECK(warnings.find("symbolic link") != std::string::npos);
    CHECK(read_all(target) == "kept\n");
    std::filesystem::remove(target);
  }
  SECTION("a FIFO with no reader: a warning at once, not a hang") {
    REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
    env.set("HOTSPAN_FILE", path.c_str());
    hotspan::TracerOptions options;
    CHECK(hotspan_test::finishes_in_time([&] { options = from_env(warnings); }, path));
    CHECK(options.exporter == nullptr);
    CHECK(count_lines(warnings) == 1);
    CHECK(warnings.find("FIFO with no reader") != std::string::npos);
  }
  std::filesystem::remove(path);
}

TEST_CASE("from_env: HOTSPAN_FILE_MODE and HOTSPAN_FILE_APPEND", "[env]") {
  CleanEnvironment env;
  std::string warnings;
  const mode_t saved_umask = ::umask(022);
  const std::string path = temp_path("mode.jsonl");
  std::filesystem::remove(path);
  env.set("HOTSPAN_FILE", path.c_str());
  env.set("HOTSPAN_FORMAT", "jsonl");
  const auto record_one = [&] {
    hotspan::Tracer tracer(from_env(warnings));
    tracer.start_span("one");
    REQUIRE(tracer.flush());
  };
  SECTION("the mode of a new file, and appending") {
    env.set("HOTSPAN_FILE_MODE", "640");
    env.set("HOTSPAN_FILE_APPEND", "TRUE");
    record_one();
    record_one();
    CHECK(warnings.empty());
    CHECK(count_lines(read_all(path)) == 2);
    CHECK((std::filesystem::status(path).permissions() & std::filesystem::perms::all) ==
          (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
           std::filesystem::perms::group_read));
  }
  SECTION("invalid values warn and keep 0600 and truncation") {
    env.set("HOTSPAN_FILE_MODE", "0900");
    env.set("HOTSPAN_FILE_APPEND", "yes");
    record_one();
    CHECK(count_lines(warnings) == 2);
    CHECK(warnings.find("HOTSPAN_FILE_MODE=\"0900\"") != std::string::npos);
    CHECK(warnings.find("HOTSPAN_FILE_APPEND=\"yes\"") != std::string::npos);
    env.set("HOTSPAN_FILE_MODE", "1777");
    env.set("HOTSPAN_FILE_APPEND", "false");
    record_one();
    CHECK(count_lines(warnings) == 1);
    CHECK(count_lines(read_all(path)) == 1);
    CHECK((std::filesystem::status(path).permissions() & std::filesystem::perms::all) ==
          (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
  }
  SECTION("appending to a binary file: a warning, and the file is left alone") {
    write_text(path, "kept\n");
    env.set("HOTSPAN_FORMAT", "binary");
    env.set("HOTSPAN_FILE_APPEND", "true");
    CHECK(from_env(warnings).exporter == nullptr);
    CHECK(count_lines(warnings) == 1);
    CHECK(warnings.find("append") != std::string::npos);
    CHECK(read_all(path) == "kept\n");
  }
  std::filesystem::remove(path);
  ::umask(saved_umask);
}

TEST_CASE("from_env: HOTSPAN_FILE_ROTATE_* and HOTSPAN_FILE_MAX_*", "[env][rotation]") {
  CleanEnvironment env;
  const auto read = [](std::string& warnings) {
    hotspan::detail::OptionsSpec spec;
    StderrCapture capture;
    hotspan::detail::read_env(spec);
    warnings = capture.text();
    return spec.exporter.file_options;
  };
  std::string warnings;
  SECTION("unset: no rotation, no retention") {
    const hotspan::FileOptions o = read(warnings);
    CHECK_FALSE(o.rotates());
    CHECK(warnings.empty());
  }
  SECTION("plain numbers and K, M, G suffixes (powers of 1024)") {
    for (const auto& [name, value] : {std::pair{"HOTSPAN_FILE_ROTATE_BYTES", " 64M "},
                                      {"HOTSPAN_FILE_ROTATE_SECONDS", "3600"},
                                      {"HOTSPAN_FILE_MAX_FILES", "48"},
                                      {"HOTSPAN_FILE_MAX_BYTES", "2GiB"}})
      env.set(name, value);
    hotspan::FileOptions o = read(warnings);
    CHECK(warnings.empty());
    CHECK(o.rotate_bytes == uint64_t{64} << 20);
    CHECK(o.rotate_interval == std::chrono::hours(1));
    CHECK(o.max_files == 48);
    CHECK(o.max_total_bytes == uint64_t{2} << 30);
    for (const auto& [text, value] : std::vector<std::pair<const char*, uint64_t>>{
             {"1000", 1000}, {"512k", 512 << 10}, {"512KB", 512 << 10}, {"1g", 1 << 30}}) {
      env.set("HOTSPAN_FILE_ROTATE_BYTES", text);
      CHECK(read(warnings).rotate_bytes == value);
      CHECK(warnings.empty());
    }
  }
  SECTION("invalid values: one warning each, naming the variable, and off") {
    const std::vector<std::pair<const char*, std::vector<const char*>>> cases = {
        {"HOTSPAN_FILE_ROTATE_BYTES", {"-1", "64X", "1.5M", "M", "64 M", "99999999999G"}},
        {"HOTSPAN_FILE_ROTATE_SECONDS", {"-5", "1h", "3155760001", "0.5"}},
        {"HOTSPAN_FILE_MAX_FILES", {"4294967296", "many", "-1"}},
        {"HOTSPAN_FILE_MAX_BYTES", {"1T", "x", "10Mi"}}};
    for (const auto& [name, values] : cases) {
      for (const char* value : values) {
        CleanEnvironment::clear();
        env.set(name, value);
        const hotspan::FileOptions o = read(warnings);
        INFO(name << "=" << value << ": " << warnings);
        CHECK(count_lines(warnings) == 1);
        CHECK(warnings.find(std::string(name) + "=\"" + value + "\"") != std::string::npos);
        CHECK_FALSE(o.rotates());
      }
    }
  }
  SECTION("HOTSPAN_FILE_APPEND=true with rotation: a warning, and no append") {
    env.set("HOTSPAN_FILE_ROTATE_BYTES", "1M");
    env.set("HOTSPAN_FILE_APPEND", "true");
    const hotspan::FileOptions o = read(warnings);
    CHECK(count_lines(warnings) == 1);
    CHECK(warnings.find("HOTSPAN_FILE_APPEND") != std::string::npos);
    CHECK_FALSE(o.append);
    CHECK(o.rotate_bytes == 1 << 20);
  }
  SECTION("applied to the HOTSPAN_FILE exporter") {
    const std::string dir = temp_path("rotation_dir");
    std::filesystem::remove_all(dir);
    std::filesystem::create_directory(dir);
    env.set("HOTSPAN_FILE", (dir + "/relay.bin").c_str());
    env.set("HOTSPAN_FILE_ROTATE_BYTES", "1");
    env.set("HOTSPAN_FILE_MAX_FILES", "2");
    {
      hotspan::Tracer tracer(from_env(warnings));
      for (int i = 0; i < 3; ++i) {
        tracer.start_span("one").end();
        REQUIRE(tracer.flush());
      }
      tracer.shutdown();
      CHECK(tracer.stats().files_rotated == 2);
      CHECK(tracer.stats().files_deleted == 1);
    }
    CHECK(warnings.empty());
    size_t files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      CHECK(entry.path().filename().string().starts_with("relay.00000"));
      ++files;
    }
    CHECK(files == 2);
    std::filesystem::remove_all(dir);
  }
}

TEST_CASE("from_env: the HOTSPAN_* sizes", "[env]") {
  CleanEnvironment env;
  std::string warnings;
  struct Case {
    const char* name;
    size_t hotspan::TracerOptions::*field;
    const char* valid;
    size_t value;
    std::vector<const char*> invalid;
  };
  const std::string too_many_slots =
      std::to_string(hotspan::detail::kMaxSpansInFlightPerThread + 1);
  const std::vector<Case> cases = {
      {"HOTSPAN_SLOTS_PER_THREAD",
       &hotspan::TracerOptions::slots_per_thread,
       "128",
       128,
       {"0", too_many_slots.c_str(), "-1", "12k", "1e3", "99999999999999999999999"}},
      {"HOTSPAN_QUEUE_CAPACITY",
       &hotspan::TracerOptions::queue_capacity,
       " 1024 ",
       1024,
       {"0", "4294967297", "lots"}},
      {"HOTSPAN_SLOT_BYTES",
       &hotspan::TracerOptions::slot_bytes,
       "4096",
       4096,
       {"255", "65537", "1.5"}},
      {"HOTSPAN_MAX_ATTRIBUTES",
       &hotspan::TracerOptions::max_attributes_per_span,
       "0",
       0,
       {"65536", "x"}},
      {"HOTSPAN_MAX_EVENTS",
       &hotspan::TracerOptions::max_events_per_span,
       "65535",
       65535,
       {"65536", "+3"}},
      {"HOTSPAN_MAX_STRING_BYTES",
       &hotspan::TracerOptions::max_string_bytes,
       "64",
       64,
       {"0", "65536", "0x40"}},
  };
  const hotspan::TracerOptions defaults;
  for (const Case& c : cases) {
    INFO(c.name);
    env.set(c.name, c.valid);
    CHECK(from_env(warnings).*c.field == c.value);
    CHECK(warnings.empty());
    for (const char* bad : c.invalid) {
      INFO(bad);
      env.set(c.name, bad);
      CHECK(from_env(warnings).*c.field == defaults.*c.field);
      CHECK(count_lines(warnings) == 1);
      CHECK(warnings.find(std::string(c.name) + "=\"" + bad + "\"") != std::string::npos);
    }
    ::unsetenv(c.name);
  }
  SECTION("options from the environment make a working tracer") {
    env.set("HOTSPAN_SLOTS_PER_THREAD", "2");
    env.set("HOTSPAN_MAX_STRING_BYTES", "4");
    hotspan::Tracer tracer(from_env(warnings));
    {
      auto a = tracer.start_span("long-name");
      auto b = tracer.start_span("b");
      auto c = tracer.start_span("c");  // the pool of 2 is empty
      CHECK_FALSE(c.is_recording());
    }
    REQUIRE(tracer.flush());
    CHECK(tracer.stats().dropped_pool_exhausted == 1);
    CHECK(tracer.stats().strings_truncated == 1);
  }
}

TEST_CASE("parse_resource_attributes and is_valid_otlp_url", "[env]") {
  std::vector<std::pair<std::string, std::string>> out;
  std::string error;
  CHECK(hotspan::detail::parse_resource_attributes("", out, error));
  CHECK(out.empty());
  CHECK(hotspan::detail::parse_resource_attributes("k=", out, error));
  CHECK(out == std::vector<std::pair<std::string, std::string>>{{"k", ""}});
  CHECK(hotspan::detail::parse_resource_attributes("a=x=y,b=%3D", out, error));
  CHECK(out == std::vector<std::pair<std::string, std::string>>{{"a", "x=y"}, {"b", "="}});
  CHECK_FALSE(hotspan::detail::parse_resource_attributes("a", out, error));
  CHECK(error.find("'a'") != std::string::npos);

  using hotspan::detail::is_valid_otlp_url;
  CHECK(is_valid_otlp_url("http://localhost:4318"));
  CHECK(is_valid_otlp_url("https://collector.example.org/v1/traces"));
  CHECK(is_valid_otlp_url("HTTP://10.0.0.1:1"));
  CHECK(is_valid_otlp_url("http://[2001:db8::1]:4318/x?y=1"));
  CHECK_FALSE(is_valid_otlp_url("localhost:4318"));
  CHECK_FALSE(is_valid_otlp_url("ftp://host"));
  CHECK_FALSE(is_valid_otlp_url("http://"));
  CHECK_FALSE(is_valid_otlp_url("http://:4318"));
  CHECK_FALSE(is_valid_otlp_url("http://host:0"));
  CHECK_FALSE(is_valid_otlp_url("http://host:65536"));
  CHECK_FALSE(is_valid_otlp_url("http://host:"));
  CHECK_FALSE(is_valid_otlp_url("http://ho st"));
  CHECK_FALSE(is_valid_otlp_url("http://[::1"));
  CHECK_FALSE(is_valid_otlp_url("http://host:12ab"));
}
