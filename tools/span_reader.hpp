// hotspan tool — reading spans from a file, whatever its record format.
//
// A SpanReader yields one OwnedSpan at a time. A malformed record does not end
// the reading: next() reports it (with its location, e.g. "line 12: ...") and the
// following call carries on with the next record. open_span_reader() picks the
// reader for a file; today every file is read as JSON Lines, the binary format
// will be recognised by its magic bytes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "owned_span.hpp"

namespace hotspan::tool {

enum class ReadStatus { span, malformed, end };

class SpanReader {
 public:
  virtual ~SpanReader() = default;
  // span: `out` holds the next span. malformed: `error` says where and what, and
  // `out` is unspecified. end: no more records.
  virtual ReadStatus next(OwnedSpan& out, std::string& error) = 0;
};

// `path` "-" means standard input. Throws std::runtime_error naming the path
// when the file cannot be opened.
std::unique_ptr<SpanReader> open_span_reader(const std::string& path);

struct LoadedSpans {
  std::vector<OwnedSpan> spans;
  uint64_t malformed = 0;  // records skipped; each reported on stderr
};

// Reads every span of `path`, reporting malformed records on stderr as
// "hotspan: PATH: line N: what" (the first few, then a count), and an empty
// result as "no spans". Throws like
// open_span_reader() and on a read error of the file itself.
LoadedSpans load_spans(const std::string& path);

}  // namespace hotspan::tool
