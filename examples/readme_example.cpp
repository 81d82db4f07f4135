// hotspan example — the usage example of README.md, kept here so that it compiles.
#include <hotspan/hotspan.hpp>

#include <cerrno>
#include <stdexcept>
#include <system_error>

int main() {
  hotspan::TracerOptions options;
  options.service_name = "relay";
  options.exporter = hotspan::file_exporter("relay_trace.jsonl", hotspan::Format::jsonl);
  hotspan::Tracer tracer(std::move(options));
  {
    hotspan::Span circuit = tracer.start_span("build-circuit", hotspan::SpanKind::client);
    circuit.set_attribute("circuit.id", 42).set_attribute("circuit.purpose", "general");
    hotspan::Scope scope(circuit);  // spans started on this thread now default to this parent

    hotspan::Span hop = tracer.start_span("create-hop-1", hotspan::SpanKind::client);
    hop.add_event("cell-sent", {{"cell.command", "CREATE2"}});
    hop.record_error(std::error_code(ETIMEDOUT, std::generic_category()));  // status error
    hop.end();

    try {
      hotspan::with_span(tracer, "open-stream", hotspan::SpanKind::client, [](hotspan::Span& s) {
        s.set_attribute("stream.target.port", 443);
        throw std::runtime_error("exit refused the stream");  // recorded on the span, rethrown
      });
    } catch (const std::runtime_error&) {
    }
  }  // scope restored, circuit ended

  tracer.flush();  // everything ended so far is in relay_trace.jsonl
}
