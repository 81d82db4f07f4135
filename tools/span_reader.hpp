// hotspan tool — reading spans from an input, whatever its record format.
//
// A SpanReader yields one span at a time as a hotspan::SpanRecord view, valid
// until the next call, so that commands which stream (cat, convert, validate)
// never copy a span and those which keep spans (tree) copy only the ones they
// keep. A malformed record does not end the reading: next() reports it (with
// its location, e.g. "line 12 (offset 3456): ...") and the following call
// carries on with the next record. Damage that ends the reading (a truncated or
// corrupt binary file, a cut-off last line) is told by summary().
//
// open_span_reader() tells the formats apart by the first bytes: the binary
// format's magic, else JSON Lines.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "hotspan/exporter.hpp"
#include "hotspan/reader.hpp"
#include "hotspan/span_record.hpp"
#include "input_file.hpp"

namespace hotspan::tool {

enum class ReadStatus { span, malformed, end };

// How the input ended.
enum class InputEnd : uint8_t {
  complete,   // binary: the end frame was read; JSON Lines: the end of the input
  unclosed,   // binary: no end frame (the writer did not shut down, or is still writing)
  truncated,  // cut off inside a record: everything before it was read
  corrupt,    // unreadable from some offset on: everything before it was read
};

struct InputSummary {
  std::string_view format;  // "binary" or "JSON Lines"
  InputEnd end = InputEnd::complete;
  std::string problem;                            // truncated or corrupt: what and where
  uint64_t frames = 0;                            // binary frames read
  std::optional<uint64_t> declared_spans;         // binary: the span count of the end frame
  std::optional<RecordedLosses> recorded_losses;  // binary: the last drops or end frame
};

class SpanReader {
 public:
  virtual ~SpanReader() = default;
  // span: record() and service() describe the next span. malformed: `error`
  // says where and what. end: no more records; see summary().
  virtual ReadStatus next(std::string& error) = 0;
  virtual const SpanRecord& record() const noexcept = 0;
  // The service that produced record(): its "service" field in JSON Lines, the
  // file's resource in the binary format.
  virtual std::string_view service() const noexcept = 0;
  // Who produced the spans: the binary header's resource; for JSON Lines, built
  // from the service of the first span (empty before it has been read).
  virtual const Resource& resource() const noexcept = 0;
  virtual InputSummary summary() const = 0;
};

// A reader for the format of `input`, which must outlive it.
std::unique_ptr<SpanReader> open_span_reader(InputFile& input);

}  // namespace hotspan::tool
