// A plugin (compiled twice, as plugin_a and plugin_b) with its own tracer over
// the static hotspan it links. Its C functions start spans and push scopes
// on the calling thread, so that the host can interleave the two plugins.
#include <hotspan/hotspan.hpp>

#include <memory>
#include <string>
#include <vector>

#define PLUGIN_CAT2(a, b) a##b
#define PLUGIN_CAT(a, b) PLUGIN_CAT2(a, b)
#define PLUGIN_API(name) \
  extern "C" __attribute__((visibility("default"))) auto PLUGIN_CAT(PLUGIN_PREFIX, name)

namespace {
std::unique_ptr<hotspan::Tracer> g_tracer;
struct Open {
  hotspan::Span span;
  std::unique_ptr<hotspan::Scope> scope;
};
std::vector<Open> g_open;  // spans begun and not ended, innermost last
}  // namespace

PLUGIN_API(open)(const char* path, const char* service)->void {
  hotspan::TracerOptions options;
  options.service_name = service;
  options.exporter = hotspan::file_exporter(path, hotspan::Format::jsonl);
  g_tracer = std::make_unique<hotspan::Tracer>(std::move(options));
}

// Starts a span under the current context and makes it current.
PLUGIN_API(begin)(const char* name)->void {
  Open open{g_tracer->start_span(name), nullptr};
  open.scope = std::make_unique<hotspan::Scope>(open.span);
  g_open.push_back(std::move(open));
}

PLUGIN_API(end)()->void {
  g_open.back().scope.reset();
  g_open.back().span.end();
  g_open.pop_back();
}

// Flushes and closes; the number of spans exported.
PLUGIN_API(close)()->unsigned long long {
  g_tracer->flush();
  const unsigned long long exported = g_tracer->stats().spans_exported;
  g_tracer.reset();
  return exported;
}
