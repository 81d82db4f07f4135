// hotspan tool — reader of the binary format (see binary_span_reader.hpp).
#include "binary_span_reader.hpp"

#include <string>

#include "hotspan/reader.hpp"

namespace hotspan::tool {
namespace {

class BinarySpanReader final : public SpanReader {
 public:
  explicit BinarySpanReader(std::istream& in) : _reader(in) {}

  ReadStatus next(std::string& /*error*/) override {
    if (!_header_read) {
      _header_read = true;
      if (!_reader.read_header()) return ReadStatus::end;
    }
    const SpanRecord* record = _reader.next();
    if (record == nullptr) return ReadStatus::end;
    _record = record;
    return ReadStatus::span;
  }

  const SpanRecord& record() const noexcept override { return *_record; }
  std::string_view service() const noexcept override { return _reader.resource().service_name; }
  const Resource& resource() const noexcept override { return _reader.resource(); }

  InputSummary summary() const override {
    InputSummary summary;
    summary.format = "binary";
    summary.frames = _reader.frames_read();
    summary.declared_spans = _reader.declared_span_count();
    summary.recorded_losses = _reader.recorded_losses();
    switch (_reader.status()) {
      case BinaryTraceReader::Status::complete:
        summary.end = InputEnd::complete;
        break;
      case BinaryTraceReader::Status::reading:  // not at the end yet: say so if asked
      case BinaryTraceReader::Status::unclosed:
        summary.end = InputEnd::unclosed;
        break;
      case BinaryTraceReader::Status::truncated:
        summary.end = InputEnd::truncated;
        break;
      case BinaryTraceReader::Status::error:
        summary.end = InputEnd::corrupt;
        break;
    }
    if (summary.end == InputEnd::truncated || summary.end == InputEnd::corrupt) {
      summary.problem = _reader.message();
      const std::string offset = std::to_string(_reader.error_offset());
      if (summary.problem.find("offset") == std::string::npos) {
        summary.problem += " (at offset " + offset + ")";
      }
    }
    return summary;
  }

 private:
  BinaryTraceReader _reader;
  const SpanRecord* _record = nullptr;
  bool _header_read = false;
};

}  // namespace

std::unique_ptr<SpanReader> make_binary_span_reader(std::istream& in) {
  return std::make_unique<BinarySpanReader>(in);
}

}  // namespace hotspan::tool
