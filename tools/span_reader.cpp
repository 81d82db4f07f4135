// hotspan tool — choosing the reader for an input's record format (see
// span_reader.hpp).
#include "span_reader.hpp"

#include "binary_span_reader.hpp"
#include "jsonl_span_reader.hpp"

namespace hotspan::tool {
namespace {

// The first byte of the binary format's magic (docs/FORMAT.md): not ASCII, and
// no UTF-8 text starts with it, so an input that does is read as binary even
// when it is too short for the whole magic (a file cut after a few bytes): the
// binary reader then says precisely what is wrong.
constexpr char kBinaryFirstByte = '\x89';
constexpr size_t kSniffedBytes = 8;

}  // namespace

std::unique_ptr<SpanReader> open_span_reader(InputFile& input) {
  const std::string_view prefix = input.prefix(kSniffedBytes);
  if (BinaryTraceReader::has_magic(prefix) || (!prefix.empty() && prefix[0] == kBinaryFirstByte)) {
    return make_binary_span_reader(input.stream());
  }
  return make_jsonl_span_reader(input.stream());
}

}  // namespace hotspan::tool
