// hotspan bench — pre-built SpanRecord batches, to feed an exporter directly.
//
// RecordBatches holds `batch_count` batches of `batch_size` finished spans
// with the workload's attributes (span_workload.hpp): distinct ids, start
// times a few microseconds apart, every fifth span a root and the others its
// children, as the engine would hand them to Exporter::export_batch(). The
// records view storage owned by this object, which must outlive their use.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "hotspan/span_record.hpp"
#include "span_workload.hpp"

namespace hotspan_bench {

class RecordBatches {
 public:
  RecordBatches(size_t batch_count, size_t batch_size, int attributes)
      : _batch_size(batch_size),
        _records(batch_count * batch_size),
        _attributes(batch_count * batch_size * static_cast<size_t>(attributes)) {
    const uint64_t base_ns = 1'750'000'000'000'000'000u;
    const size_t per_span = static_cast<size_t>(attributes);
    hotspan::SpanId root;
    for (size_t n = 0; n < _records.size(); ++n) {
      const auto i = static_cast<int64_t>(n);
      hotspan::SpanRecord& r = _records[n];
      for (size_t b = 0; b < 16; ++b) {
        r.trace_id.bytes[b] = static_cast<uint8_t>((n / 5) * 131 + b * 29 + 1);
      }
      r.span_id.value = 0x9e3779b97f4a7c15u * (n + 1);
      if (n % 5 == 0) {
        root = r.span_id;
      } else {
        r.parent_span_id = root;
      }
      r.name = span_name(i);
      r.kind = hotspan::SpanKind::client;
      r.start_unix_ns = base_ns + n * 3'000;
      r.end_unix_ns = r.start_unix_ns + 20'000 + (n % 977) * 13;
      r.thread_id = 4242;
      hotspan::AttributeView* first = _attributes.data() + n * per_span;
      for (int a = 0; a < attributes; ++a)
        first[a] = workload_attribute(a, i);
      r.attributes = std::span<const hotspan::AttributeView>(first, per_span);
    }
  }

  size_t batch_count() const noexcept { return _records.size() / _batch_size; }
  size_t batch_size() const noexcept { return _batch_size; }
  std::span<const hotspan::SpanRecord> batch(size_t index) const noexcept {
    return std::span<const hotspan::SpanRecord>(_records).subspan(
        (index % batch_count()) * _batch_size, _batch_size);
  }

 private:
  size_t _batch_size;
  std::vector<hotspan::SpanRecord> _records;
  std::vector<hotspan::AttributeView> _attributes;
};

}  // namespace hotspan_bench
