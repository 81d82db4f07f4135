// hotspan — reading binary trace files (docs/FORMAT.md) back as SpanRecords.
//
// The reader streams: it holds one frame (at most 16 MiB) and the file's string
// table (bounded at 1 Mi strings / 64 MiB) at a time, so files of any size read
// in bounded memory. It never reads out of bounds and never trusts a length
// before checking it against its bound and the checksum.
//
// A file cut at any byte (crash, kill -9, full disk) yields every span of every
// complete frame before the cut, then status() == truncated with a message
// "truncated after N spans ...". Corruption (bad magic, unknown major version,
// bad checksum, impossible length, out-of-range string index, malformed span)
// stops reading with status() == error, a message saying what, and the file
// offset of the frame where it was found.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

#include "hotspan/export.h"
#include "hotspan/exporter.hpp"
#include "hotspan/span_record.hpp"
#include "hotspan/stats.hpp"

namespace hotspan {

class HOTSPAN_API BinaryTraceReader {
 public:
  enum class Status : uint8_t {
    reading,    // more may follow
    complete,   // the end frame was read: the writer shut down cleanly
    unclosed,   // the data ends between frames, without an end frame
    truncated,  // the data ends inside a frame: every complete frame was read
    error,      // corruption or an unreadable file: see error()
  };

  // Reads from a stream that outlives the reader (e.g. std::cin).
  explicit BinaryTraceReader(std::istream& in);
  // Opens and owns a file; throws std::system_error naming the path.
  static std::unique_ptr<BinaryTraceReader> open(const std::string& path);
  ~BinaryTraceReader();
  BinaryTraceReader(const BinaryTraceReader&) = delete;
  BinaryTraceReader& operator=(const BinaryTraceReader&) = delete;

  // Reads the preamble and the header frame if not done yet. False (with
  // status() == error or truncated) when the input is not a readable trace.
  bool read_header();
  // The resource of the header frame (empty before read_header()).
  const Resource& resource() const noexcept;
  uint16_t format_minor_version() const noexcept;

  // The next span, or nullptr when there is none (see status()). The record
  // and everything it views stay valid until the next call to next().
  const SpanRecord* next();

  Status status() const noexcept;
  // What stopped the reader (error, truncated, or unclosed: no end frame),
  // naming the offset where there is one; empty while reading and when complete.
  const std::string& message() const noexcept;
  // File offset of the frame where the error or truncation was found.
  uint64_t error_offset() const noexcept;

  uint64_t spans_read() const noexcept;
  uint64_t frames_read() const noexcept;
  uint64_t bytes_read() const noexcept;
  // The last drops or end frame seen, if any.
  const std::optional<RecordedLosses>& recorded_losses() const noexcept;
  // The span count of the end frame, when the file is complete.
  std::optional<uint64_t> declared_span_count() const noexcept;

  // True when the first bytes of `prefix` are the binary format's magic (to
  // tell the formats apart; 8 bytes are enough).
  static bool has_magic(std::string_view prefix) noexcept;

 private:
  struct State;
  std::unique_ptr<State> _state;
};

}  // namespace hotspan
