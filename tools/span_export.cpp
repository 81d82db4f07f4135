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
  BatchingSink(Exporter& exporter, std::string_view output_name)
      : _exporter(exporter), _output_name(output_name), _batch(kBatchSpans) {}

  void add(const SpanReader& reader) {
    if (!_started) start(reader.resource());
    _batch[_size++].assign(reader.record(), reader.service());
    if (_size == _batch.size()) write_batch();
  }

  void finish(const ReadResult& result) {
    if (!_started) start(result.resource);
    if (_size > 0) write_batch();
    if (const auto& losses = result.summary.recorded_losses) {
      TracerStats stats;
      stats.dropped_pool_exhausted = losses->dropped_pool_exhausted;
      stats.dropped_queue_full = losses->dropped_queue_full;
      stats.dropped_export_failed = losses->dropped_export_failed;
      stats.attributes_dropped = losses->attributes_dropped;
      stats.events_dropped = losses->events_dropped;
      stats.strings_truncated = losses->strings_truncated;
      _exporter.on_drops(stats);
    }
    const bool flushed = _exporter.flush();
    _exporter.shutdown();
    if (!flushed) fail();
  }

 private:
  void start(const Resource& resource) {
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
  std::string_view _output_name;
  std::vector<OwnedSpan> _batch;
  size_t _size = 0;
  RecordViews _views;
  bool _started = false;
};

}  // namespace

ReadResult export_spans(InputFile& input, Exporter& exporter, std::string_view output_name) {
  BatchingSink sink(exporter, output_name);
  const ReadResult result =
      read_spans(input, [&sink](const SpanReader& reader) { sink.add(reader); });
  sink.finish(result);
  return result;
}

}  // namespace hotspan::tool
