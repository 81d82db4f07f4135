// hotspan — exporters: where finished spans go.
//
// Exporters run only on the tracer's exporter thread, one call at a time, so an
// implementation needs no locking of its own. export_batch() returning false or
// throwing counts the whole batch as dropped_export_failed; the engine carries on.
// An exporter instance belongs to one Tracer.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "hotspan/export.h"
#include "hotspan/span_record.hpp"
#include "hotspan/stats.hpp"

namespace hotspan {

// Who produced the spans: given to the exporter once, before the first batch.
struct Resource {
  std::string service_name;
  // Every resource attribute, "service.name" first, then TracerOptions::resource.
  std::vector<std::pair<std::string, std::string>> attributes;
  // The tracer's clock anchor: one Unix-epoch time and the CLOCK_MONOTONIC
  // time read together when the tracer started.
  uint64_t clock_anchor_unix_ns = 0;
  uint64_t clock_anchor_monotonic_ns = 0;
  uint32_t process_id = 0;
};

class HOTSPAN_API Exporter {
 public:
  virtual ~Exporter() = default;
  virtual void start(const Resource&) {}
  virtual bool export_batch(std::span<const SpanRecord>) = 0;  // false = failed (counted)
  // The tracer's counters, before a batch when any loss counter changed since
  // the last call, and once more before shutdown(): lets a format record
  // losses in its stream.
  virtual void on_drops(const TracerStats&) {}
  virtual bool flush() { return true; }
  virtual void shutdown() {}
  // Bytes handed to the sink so far (reported in TracerStats::bytes_written).
  virtual uint64_t bytes_written() const noexcept { return 0; }
  // Spans of batches export_batch() accepted that were lost afterwards (an
  // exporter that sends from a thread of its own and gives a request up):
  // TracerStats moves them from spans_exported to dropped_export_failed.
  // Monotonic. Like bytes_written(), read on the exporter thread only.
  virtual uint64_t spans_failed_after_export() const noexcept { return 0; }
};

enum class Format : uint8_t { binary, jsonl, otlp_json, chrome_json };

// Discards everything (and reports success).
HOTSPAN_API std::shared_ptr<Exporter> noop_exporter();
// pretty: one human-readable line per span; otherwise JSON Lines. To stdout.
HOTSPAN_API std::shared_ptr<Exporter> stdout_exporter(bool pretty = true);
// Creates or truncates `path`; throws std::system_error naming the path when it
// cannot be opened. Write errors (disk full, ...) fail the batch and are counted.
HOTSPAN_API std::shared_ptr<Exporter> file_exporter(const std::string& path,
                                                    Format = Format::binary);
// The stream must outlive the Tracer's shutdown(), or, if that timed out, last
// until Tracer::exporter_stopped() is true.
HOTSPAN_API std::shared_ptr<Exporter> ostream_exporter(std::ostream&, Format = Format::jsonl);
// Forwards every call to each exporter in order; a batch succeeds only if it
// succeeded everywhere. Null entries throw std::invalid_argument.
HOTSPAN_API std::shared_ptr<Exporter> multi_exporter(std::vector<std::shared_ptr<Exporter>>);

}  // namespace hotspan
