// hotspan — the flight recorder: the most recent spans, binary-encoded, in a
// bounded ring, written to a trace file on demand.
//
// It lives on the exporter thread, which hands it every batch of records it
// built (redacted already) before the exporter sees them; every method but
// the counters' readers runs on that thread.
//
// Memory: the ring is a queue of chunks, each a run of complete binary spans
// frames (docs/FORMAT.md) of about max_bytes / 16 (at most 1 MiB). When the
// bytes held pass max_bytes, whole chunks are dropped from the oldest end, so
// after every record() the ring holds at most max_bytes of frames and at least
// max_bytes less one chunk and the string table (once it has been full).
// The heap behind it is more: chunks are reserved whole (so the steady state
// allocates nothing) and closed when the next slice does not fit, one
// chunk's buffer is kept for reuse, and there are one slice's encoding and
// the encoder's index of the interned strings. Off, it is an
// empty object and one branch per batch.
//
// Strings: one binary encoder writes every span, so span names, attribute
// keys and event names are interned across the whole ring (a repeated name
// costs one byte). The encoder's strings frames are not put in the chunks but
// appended to one separate, never-evicted run of frames that a dump writes
// before the chunks, so every index a surviving chunk uses is defined, in the
// order the reader requires, however many chunks were evicted. The table is
// bounded to an eighth of max_bytes (and a string per 256 bytes of it): once
// full, new strings are written inline, which readers accept as well. So a
// dump is a plain binary trace, format unchanged: preamble and header (the
// tracer's resource), the strings frames, the chunks oldest first, and an end
// frame with the span count and the tracer's loss counters at the dump.
//
// Trade-off: a string that stops being used still takes its place in the
// table; with names made unique per span (an anti-pattern), the table fills
// and later spans cost their names inline.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>

#include "formats/record_encoder.hpp"
#include "hotspan/exporter.hpp"
#include "hotspan/flight_recorder.hpp"
#include "hotspan/span_record.hpp"

namespace hotspan::detail {

class FlightRecorder {
 public:
  // options.max_bytes == 0: off (record() returns at once, dump() refuses).
  explicit FlightRecorder(const FlightRecorderOptions& options);
  FlightRecorder(const FlightRecorder&) = delete;
  FlightRecorder& operator=(const FlightRecorder&) = delete;
  ~FlightRecorder();

  static constexpr const char* kOffError =
      "hotspan: the flight recorder is off (TracerOptions::flight_recorder.max_bytes is 0)";

  // Const after construction: any thread may ask.
  bool active() const noexcept { return _max_bytes != 0; }

  // The resource of every dump's header; before the exporter thread starts.
  void begin(const Resource& resource);

  // Keeps `records` (encoded) as the most recent spans, evicting the oldest
  // chunks beyond max_bytes. Never throws: out of memory, the spans not
  // recorded count as evicted.
  void record(std::span<const SpanRecord> records) noexcept {
    if (_max_bytes != 0) append(records);
  }

  // Writes the ring to `path` as one binary trace file, with `losses` in its
  // end frame. False with `error` set when the recorder is off or the file
  // cannot be opened or written (a file cut by a failed write is left: it
  // reads back as truncated). Counted in dumps() or dump_failures().
  bool dump(const std::string& path, const RecordedLosses& losses, std::string& error) noexcept;
  // The file for the next request_dump(): "<dump_path>.<UTC time>.<pid>.<n>".
  std::string next_dump_path();

  // Written by the exporter thread only; any thread reads them (relaxed:
  // monotonic counts that publish nothing else).
  uint64_t dumps() const noexcept { return _dumps.load(std::memory_order_relaxed); }
  uint64_t dump_failures() const noexcept { return _dump_failures.load(std::memory_order_relaxed); }
  uint64_t spans_evicted() const noexcept { return _spans_evicted.load(std::memory_order_relaxed); }

  // Exporter thread only (tests read them once the tracer is flushed or shut
  // down): bytes of frames held (chunks and strings frames), spans held.
  size_t held_bytes() const noexcept { return _chunk_bytes_held + _strings_frames.size(); }
  uint64_t spans_held() const noexcept { return _spans_held; }
  size_t max_bytes() const noexcept { return _max_bytes; }

 private:
  struct Chunk {
    std::string frames;  // complete spans frames
    uint64_t spans = 0;
  };

  void append(std::span<const SpanRecord> records) noexcept;
  // Encodes spans whose bounds add up to at most a chunk (or one larger span).
  void record_slice(std::span<const SpanRecord> slice);
  void evict_beyond_budget() noexcept;
  void count_evicted(uint64_t spans) noexcept {
    _spans_evicted.store(spans_evicted() + spans, std::memory_order_relaxed);
  }

  const size_t _max_bytes;
  const size_t _chunk_target;
  const std::string _dump_path;
  std::unique_ptr<RecordEncoder> _encoder;  // null when off
  std::string _head;                        // preamble and header frame
  std::string _strings_frames;              // every strings frame, in order
  std::string _scratch;                     // one slice's encoding
  std::deque<Chunk> _chunks;                // oldest first; the last one is filled
  std::string _spare;                       // an evicted chunk's buffer, reused
  size_t _chunk_bytes_held = 0;
  uint64_t _spans_held = 0;
  uint64_t _dump_sequence = 0;

  std::atomic<uint64_t> _dumps{0};
  std::atomic<uint64_t> _dump_failures{0};
  std::atomic<uint64_t> _spans_evicted{0};
};

}  // namespace hotspan::detail
