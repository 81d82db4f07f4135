// hotspan tests — writes spans whose every string is hostile to an HTML page,
// for tests/cli/report_test.sh: markup, script end tags, quotes, invalid UTF-8 and
// the JavaScript line separators, in span names, service names, attribute
// keys and values, event names and status messages.
//
//   hostile_span_writer CLIENT.bin RELAY.bin
// Two tracers (services "client<b>" and "relay\"'") write one trace across two
// binary files, as two processes would: the relay's span is a child of the
// client's, through the client's context. The binary format keeps the bytes as
// given (it does not repair UTF-8), so the report sees them raw.
#include <cstdio>
#include <string_view>

#include "hotspan/hotspan.hpp"

namespace {

// Each, if it reached the page as markup, would change the title or add an
// element that the test looks for.
constexpr std::string_view kNames[] = {
    "<script>document.title='PWNED1'</script>",
    "</script><script>document.title='PWNED2'</script>",
    "\"><img src=x onerror=\"document.title='PWNED3'\">",
    "bad\xff\xfe utf8 \xc3",
    "line\xe2\x80\xa8separator\xe2\x80\xa9paragraph",
    "&lt;already escaped&gt; & <!-- comment --> ]]>",
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: hostile_span_writer CLIENT.bin RELAY.bin\n");
    return 2;
  }
  hotspan::TracerOptions client_options;
  client_options.service_name = "client<b>bold</b>";
  client_options.exporter = hotspan::file_exporter(argv[1], hotspan::Format::binary);
  hotspan::TracerOptions relay_options;
  relay_options.service_name = "relay\"'<i>";
  relay_options.exporter = hotspan::file_exporter(argv[2], hotspan::Format::binary);
  hotspan::Tracer client(std::move(client_options));
  hotspan::Tracer relay(std::move(relay_options));
  {
    hotspan::Span root = client.start_span(kNames[0], hotspan::SpanKind::client);
    root.set_attribute("<img src=x onerror=\"document.title='PWNED4'\">", "</script><b>x</b>");
    root.add_event("<script>document.title='PWNED5'</script>", {{"k<", "v>"}});
    for (std::string_view name : kNames) {
      hotspan::Span child = client.start_span(name, hotspan::SpanKind::internal, root.context());
      child.set_attribute("name", name);
    }
    hotspan::Span remote = relay.start_span(kNames[1], hotspan::SpanKind::server, root.context());
    remote.record_error("<img src=x onerror=\"document.title='PWNED6'\">");
  }
  const bool flushed = client.flush() && relay.flush();
  return flushed ? 0 : 1;
}
