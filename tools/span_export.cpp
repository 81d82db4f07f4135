// hotspan tool — spans of an input written through an exporter (see
// span_export.hpp).
#include "span_export.hpp"

#include <stdexcept>
#include <string>
#include <vector>

#include "owned_span.hpp"
#include "record_views.hpp"

namespace hotspan::tool {
namespace {

constexpr size_t kBatchSpans = 1024;

class BatchingSink {
 public:
  BatchingSink(Exporter& exporter, Format format, std::string_view output_name)
      : _exporter(exporter), _format(format), _output_name(output_name), _batch(kBatchSpans) {}

  void add(const SpanReader& reader) {
    if (!_started) start(reader.resource());
    ++_spans_seen;
    if (const std::string why = format_refusal(_format, reader.record()); !why.empty()) {
      if (_size > 0) write_batch();
      _exporter.flush();
      _exporter.shutdown();
      throw std::runtime_error("span " + std::to_string(_spans_seen) + " of the input: " + why +
                               "; the " + std::string(format_name(_format)) +
                               " format cannot hold it (JSON Lines can), " +
                               std::string(_output_name) + " holds the spans before it");
    }
    _batch[_size++].assign(reader.record(), reader.service());
    if (_size == _batch.size()) write_batch();
  }

  void finish(const ReadResult& result) {
    if (!_started) start(result.resource);
    if (_size > 0) write_batch();
    if (const auto& losses = result.summary.recorded_losses) {
      _exporter.on_drops(TracerStats::with_losses(*losses));
    }
    const bool flushed = _exporter.flush();
    _exporter.shutdown();
    if (!flushed) fail();
  }

 private:
  void start(const Resource& resource) {
    if (const std::string why = format_refusal(_format, resource); !why.empty()) {
      throw std::runtime_error("the input's " + why);
    }
    _exporter.start(resource);
    _started = true;
  }

  void write_batch() {
    const bool written = _exporter.export_batch(_views.build({_batch.data(), _size}));
    _size = 0;
    if (!written) fail();
  }

  [[noreturn]] void fail() {
    _exporter.shutdown();
    throw std::runtime_error("writing " + std::string(_output_name) +
                             " failed (disk full, or the reader went away?)");
  }

  Exporter& _exporter;
  Format _format;
  std::string_view _output_name;
  std::vector<OwnedSpan> _batch;
  size_t _size = 0;
  uint64_t _spans_seen = 0;
  RecordViews _views;
  bool _started = false;
};

}  // namespace

ReadResult export_spans(const InputSet& inputs, Exporter& exporter, Format format,
                        std::string_view output_name) {
  BatchingSink sink(exporter, format, output_name);
  const ReadResult result = inputs.read([&sink](const SpanReader& reader) { sink.add(reader); });
  sink.finish(result);
  return result;
}

}  // namespace hotspan::tool
