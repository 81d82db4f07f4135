// Out-of-range SpanKind and StatusCode values (integers cast to the enums)
// passed to the C++ API: each is recorded as a defined value (kind internal,
// status error), so every format writes what its reader accepts and no invalid
// status comes back as success.
#include <catch2/catch.hpp>
#include <hotspan/hotspan.hpp>

#include <memory>
#include <sstream>
#include <string>

#include "trace_file.hpp"

using namespace hotspan;

TEST_CASE("out-of-range kinds and statuses are recorded as internal and error", "[tracer][enums]") {
  hotspan_test::ScratchFile file("invalid_enums.bin");
  std::ostringstream jsonl, otlp;
  {
    TracerOptions options;
    options.exporter = multi_exporter({file_exporter(file.path, Format::binary),
                                       ostream_exporter(jsonl, Format::jsonl),
                                       ostream_exporter(otlp, Format::otlp_json)});
    Tracer tracer(std::move(options));
    tracer.start_span("bad-kind", static_cast<SpanKind>(9)).end();
    tracer.start_span("bad-status", SpanKind::client)
        .set_status(static_cast<StatusCode>(77), "custom failure")
        .end();
    tracer.start_span("bad-status-3", SpanKind::server)
        .set_status(static_cast<StatusCode>(255))
        .end();
    tracer.start_span("good", SpanKind::consumer).set_status(StatusCode::ok).end();
    REQUIRE(tracer.flush());
  }

  std::vector<std::tuple<std::string, SpanKind, StatusCode, std::string>> read;
  const auto back = hotspan_test::read_binary_trace(file.path, [&](const SpanRecord& r) {
    read.emplace_back(std::string(r.name), r.kind, r.status, std::string(r.status_message));
  });
  CHECK(back.status == BinaryTraceReader::Status::complete);
  REQUIRE(read.size() == 4);
  CHECK(read[0] == std::make_tuple(std::string("bad-kind"), SpanKind::internal, StatusCode::unset,
                                   std::string()));
  CHECK(read[1] == std::make_tuple(std::string("bad-status"), SpanKind::client, StatusCode::error,
                                   std::string("custom failure")));
  CHECK(read[2] == std::make_tuple(std::string("bad-status-3"), SpanKind::server, StatusCode::error,
                                   std::string()));
  CHECK(read[3] ==
        std::make_tuple(std::string("good"), SpanKind::consumer, StatusCode::ok, std::string()));

  const std::string text = jsonl.str();
  CHECK(text.find("\"unknown\"") == std::string::npos);
  CHECK(text.find(R"("name":"bad-kind","kind":"internal")") != std::string::npos);
  CHECK(text.find(R"("status":"error","status_message":"custom failure")") != std::string::npos);
  // OTLP: STATUS_CODE_ERROR is 2; an unknown code must not be sent as OK (1).
  CHECK(otlp.str().find(R"("code":1)") != std::string::npos);  // the "good" span only
  CHECK(otlp.str().find(R"("code":2)") != std::string::npos);
}
