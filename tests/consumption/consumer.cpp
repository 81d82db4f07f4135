// Compiles against the public headers only, warning-free, and records a span.
#include <hotspan/hotspan.hpp>

#include <cstdio>
#include <string>

int main() {
  auto exporter = hotspan::stdout_exporter(true);
  hotspan::TracerOptions options;
  options.service_name = "consumer";
  options.exporter = exporter;
  hotspan::Tracer tracer(options);
  {
    hotspan::Span span = tracer.start_span("consumer-span");
    span.set_attribute("answer", 42);
  }
  if (!tracer.flush()) return 1;
  std::string json;
  hotspan::append_json_string(json, "a\"b");
  if (json != "\"a\\\"b\"") return 1;
  const hotspan::TracerStats stats = tracer.stats();
  std::printf("exported %llu\n", static_cast<unsigned long long>(stats.spans_exported));
  return stats.spans_exported == 1 ? 0 : 1;
}
