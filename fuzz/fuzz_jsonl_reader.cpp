// hotspan fuzzing — the hotspan tool's JSON Lines reader
// (tools/jsonl_span_reader.hpp) over arbitrary bytes, and its round trip through
// the library's JSON Lines encoder.
//
// Asserted while reading:
//   * every span has valid trace and span ids and an in-range kind and status;
//     every malformed line is reported as "line N (offset B): ..." with N
//     increasing; there are no more records than lines;
//   * the summary says "JSON Lines" and ends complete or truncated, truncated
//     only when the input does not end with a newline, with a message saying so.
// Then the spans read are written by ostream_exporter(Format::jsonl) and read
// again: the second reading must have no malformed line and give back exactly
// the spans of the first, as JSON keeps them (owned_record.hpp: duplicate keys
// folded, non-finite doubles as strings; the strings are already valid UTF-8,
// simdjson checks that), each naming the service of the first span.
#include <hotspan/hotspan.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "jsonl_span_reader.hpp"
#include "owned_record.hpp"
#include "owned_span.hpp"
#include "record_views.hpp"

namespace {

using hotspan::tool::InputEnd;
using hotspan::tool::ReadStatus;
using hotspan_fuzz::OwnedRecord;

struct Reading {
  std::vector<OwnedRecord> spans;
  std::vector<hotspan::tool::OwnedSpan> tool_spans;  // the same, as the tool keeps them
  std::vector<std::string> services;
  uint64_t malformed = 0;
  hotspan::Resource resource;
  hotspan::tool::InputSummary summary;
};

Reading read_jsonl(const std::string& text) {
  std::istringstream in(text);
  const auto reader = hotspan::tool::make_jsonl_span_reader(in);
  Reading reading;
  const size_t lines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
  uint64_t last_line = 0;
  std::string error;
  for (size_t records = 0;; ++records) {
    FUZZ_CHECK(records <= lines,
               std::to_string(records) + " records from " + std::to_string(lines) + " lines");
    const ReadStatus status = reader->next(error);
    if (status == ReadStatus::end) break;
    if (status == ReadStatus::malformed) {
      FUZZ_CHECK(error.starts_with("line "), error);
      const uint64_t line = std::stoull(error.substr(5));
      FUZZ_CHECK(line > last_line, error);
      last_line = line;
      ++reading.malformed;
      continue;
    }
    const hotspan::SpanRecord& r = reader->record();
    FUZZ_CHECK(r.trace_id.valid() && r.span_id.valid(), "span with an invalid id");
    FUZZ_CHECK(static_cast<uint8_t>(r.kind) <= static_cast<uint8_t>(hotspan::SpanKind::consumer),
               "kind out of range");
    FUZZ_CHECK(
        static_cast<uint8_t>(r.status) <= static_cast<uint8_t>(hotspan::StatusCode::cancelled),
        "status out of range");
    reading.spans.push_back(hotspan_fuzz::own(r));
    reading.tool_spans.emplace_back().assign(r, reader->service());
    reading.services.emplace_back(reader->service());
  }
  FUZZ_CHECK(reader->next(error) == ReadStatus::end, "a record after the end");
  reading.summary = reader->summary();
  reading.resource = reader->resource();
  const hotspan::tool::InputSummary& summary = reading.summary;
  FUZZ_CHECK(summary.format == "JSON Lines", std::string(summary.format));
  FUZZ_CHECK(summary.end == InputEnd::complete || summary.end == InputEnd::truncated,
             summary.problem);
  if (summary.end == InputEnd::truncated) {
    FUZZ_CHECK(!text.empty() && text.back() != '\n', summary.problem);
    FUZZ_CHECK(summary.problem.starts_with("truncated after "), summary.problem);
  } else {
    FUZZ_CHECK(summary.problem.empty(), summary.problem);
  }
  return reading;
}

// The spans of `reading` written by the library's JSON Lines encoder.
std::string encoded(const Reading& reading) {
  hotspan::tool::RecordViews views;
  const std::span<const hotspan::SpanRecord> records = views.build(reading.tool_spans);
  std::ostringstream out;
  const auto exporter = hotspan::ostream_exporter(out, hotspan::Format::jsonl);
  exporter->start(reading.resource);
  FUZZ_CHECK(exporter->export_batch(records), "export_batch failed");
  FUZZ_CHECK(exporter->flush(), "flush failed");
  exporter->shutdown();
  return out.str();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const Reading first = read_jsonl(text);
  if (first.spans.empty()) return 0;

  const std::string written = encoded(first);
  const Reading second = read_jsonl(written);
  FUZZ_CHECK(second.malformed == 0, "the encoder wrote a line its reader rejects");
  FUZZ_CHECK(second.summary.end == InputEnd::complete, second.summary.problem);
  FUZZ_CHECK(second.spans.size() == first.spans.size(),
             std::to_string(first.spans.size()) + " spans written, " +
                 std::to_string(second.spans.size()) + " read back");
  for (size_t i = 0; i < first.spans.size(); ++i) {
    const std::string d =
        hotspan_fuzz::difference(hotspan_fuzz::as_json_reads_it(first.spans[i]), second.spans[i]);
    FUZZ_CHECK(d.empty(), "span " + std::to_string(i) + ": " + d);
    FUZZ_CHECK(second.services[i] == first.resource.service_name,
               hotspan_fuzz::printable(second.services[i]));
  }
  return 0;
}
