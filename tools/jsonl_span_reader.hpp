// hotspan tool — reader of hotspan's JSON Lines format (one span object per line).
//
// Each line is parsed with simdjson On-Demand into an OwnedSpan. Required fields:
// trace_id, span_id, name, start_unix_ns, end_unix_ns; the others default when
// absent (kind internal, status unset, ...) and unknown fields are ignored, so
// files from newer writers still read. A malformed line (bad JSON, wrong type,
// bad id, unknown kind or status, trailing content, empty line) is reported as
// "line N: what" and skipped; a trailing '\r' is accepted.
#pragma once

#include <istream>
#include <memory>

#include "span_reader.hpp"

namespace hotspan::tool {

std::unique_ptr<SpanReader> make_jsonl_span_reader(std::unique_ptr<std::istream> in);

}  // namespace hotspan::tool
