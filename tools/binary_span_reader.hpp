// hotspan tool — the SpanReader of hotspan's binary format (docs/FORMAT.md),
// over the library's BinaryTraceReader: spans are passed on as the reader's own
// views, without copying; truncation and corruption end the reading and are
// told by summary(), with the reader's message naming the offset.
#pragma once

#include <istream>
#include <memory>

#include "span_reader.hpp"

namespace hotspan::tool {

// `in` must outlive the reader.
std::unique_ptr<SpanReader> make_binary_span_reader(std::istream& in);

}  // namespace hotspan::tool
