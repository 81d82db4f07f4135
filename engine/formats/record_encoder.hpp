// hotspan — the interface between the stream exporters and the output formats.
//
// A RecordEncoder turns span records into the bytes of one format; the sink
// (file, fd, ostream) only moves bytes. Which encoder a Format has is
// format_registry.hpp's table. The encoder keeps whatever state its
// format needs across batches (resource, string table, drop counters). Every
// method runs on the exporter thread.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "hotspan/exporter.hpp"

namespace hotspan::detail {

class RecordEncoder {
 public:
  virtual ~RecordEncoder() = default;
  // File header, if the format has one.
  virtual void begin(const Resource& resource, std::string& out) = 0;
  // Appends the records and returns how many of them it left out: the spans
  // the format cannot hold at all (the binary format's frame and reader
  // limits), found in the same pass that encodes the others. The sink counts
  // those as failed once the rest of the batch is written. A throw means that
  // nothing of `out` this call appended may be written.
  virtual size_t encode(std::span<const SpanRecord> records, std::string& out) = 0;
  // Trailer written at shutdown, if the format has one.
  virtual void finish(std::string& /*out*/) {}
  // The tracer's counters changed; formats that record losses keep them for
  // their next output.
  virtual void record_drops(const TracerStats& /*stats*/) {}
  // Whether the bytes of the last begin/encode/finish reached the sink whole;
  // lets a format roll back state (such as newly defined strings) of a block
  // that was not written.
  virtual void delivered(bool /*whole*/) {}
  // True for formats that must never have a partial block followed by more
  // data (binary frames): the sink undoes a torn write or stops writing.
  virtual bool whole_frames_only() const noexcept { return false; }
  // Otherwise, written before the next batch after a torn write.
  virtual std::string_view resync_separator() const noexcept { return "\n"; }
};

}  // namespace hotspan::detail
