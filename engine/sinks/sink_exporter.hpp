// hotspan — the batch logic shared by every exporter that encodes records and
// writes bytes (file, descriptor, std::ostream, rotating files), and the
// descriptor sink.
//
// Each batch is encoded whole into one buffer that is reused from batch to
// batch, then handed to the sink in one write, so a batch of hundreds of spans
// costs one system call. A sink error never escapes: the batch reports failure
// (the tracer counts its spans as dropped_export_failed), the error is kept for
// the next flush(), and the next batch tries again. A write cut short leaves a
// partial record, so the next batch first writes the format's resync separator
// (a newline for line-oriented formats) to keep later records readable.
//
// A sink may write a series of *streams* (rotated files): between two batches,
// never inside one, it ends the current stream with the format's trailer and
// begins the next with a fresh encoder, so that each stream is a whole trace of
// its own (the binary format's string table starts empty again). The batch
// that asked for the new stream is encoded again for it.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "formats/record_encoder.hpp"
#include "hotspan/exporter.hpp"

namespace hotspan::detail {

class SinkExporter : public Exporter {
 public:
  // `make_encoder` gives the encoder of each later stream; null for a sink of
  // one stream.
  SinkExporter(std::unique_ptr<RecordEncoder> encoder,
               std::unique_ptr<RecordEncoder> (*make_encoder)() = nullptr);

  void start(const Resource& resource) override;
  void on_drops(const TracerStats& stats) override;
  bool export_batch(std::span<const SpanRecord> records) override;
  // False when a write failed since the last flush(), or when the sink cannot
  // flush; the pending error is cleared by being reported.
  bool flush() override;
  void shutdown() override;
  uint64_t bytes_written() const noexcept override {
    return _bytes_written.load(std::memory_order_relaxed);
  }
  // Spans of accepted batches that the format could not hold (left out).
  uint64_t spans_failed_after_export() const noexcept override { return _spans_refused; }

 protected:
  // Writes all of `bytes` or stops at the first error; `written` counts the
  // bytes the sink accepted either way.
  virtual std::error_code write_all(std::string_view bytes, size_t& written) noexcept = 0;
  virtual std::error_code flush_sink() noexcept { return {}; }
  virtual std::error_code close_sink() noexcept { return {}; }
  // Takes back the last `bytes` written (a torn frame), if the sink can.
  virtual bool unwrite(size_t /*bytes*/) noexcept { return false; }

  // Streams. Asked before a block of `block_bytes` goes to a stream that holds
  // `stream_bytes` and at least one batch: true ends that stream and begins
  // the next one. Never asked without a `make_encoder`.
  virtual bool stream_full(uint64_t /*stream_bytes*/, size_t /*block_bytes*/) noexcept {
    return false;
  }
  // Opens the next stream's sink, after close_sink() of the previous one.
  virtual std::error_code open_sink() noexcept {
    return std::make_error_code(std::errc::not_supported);
  }
  // The new stream's header (if its format has one) has been handed to the
  // sink: a file may now be given its name. An error ends the stream (the
  // sink is closed) and fails the batch.
  virtual std::error_code stream_begun() noexcept { return {}; }

 private:
  void remember(std::error_code ec) noexcept { _pending_error = ec; }
  // Encodes `records` into _buffer (after a resync separator when needed);
  // returns the spans left out.
  size_t encode(std::span<const SpanRecord> records);
  // The current stream's trailer, then close_sink().
  void end_stream();
  // open_sink(), a fresh encoder told the losses so far, and its header.
  bool begin_stream();
  bool deliver();

  std::unique_ptr<RecordEncoder> _encoder;
  std::unique_ptr<RecordEncoder> (*const _make_encoder)();
  std::string _buffer;
  Resource _resource;                      // for the header of each later stream
  std::optional<TracerStats> _last_drops;  // for the drops of each later stream
  uint64_t _stream_bytes = 0;              // written to the current stream
  uint64_t _stream_batches = 0;            // batches written to the current stream
  uint64_t _spans_refused = 0;             // exporter thread only, as spans_failed_after_export()
  std::atomic<uint64_t> _bytes_written{0};
  std::error_code _pending_error;
  bool _stream_open = true;  // false after a failed open_sink(): the next batch retries
  bool _torn_write = false;
  bool _broken = false;
  bool _shut_down = false;
};

// A POSIX file descriptor: a file we opened (owned, closed at shutdown) or stdout.
class FdExporter : public SinkExporter {
 public:
  FdExporter(int fd, bool owned, std::unique_ptr<RecordEncoder> encoder,
             std::unique_ptr<RecordEncoder> (*make_encoder)() = nullptr) noexcept;
  ~FdExporter() override;
  FdExporter(const FdExporter&) = delete;
  FdExporter& operator=(const FdExporter&) = delete;

 protected:
  std::error_code write_all(std::string_view bytes, size_t& written) noexcept override;
  bool unwrite(size_t bytes) noexcept override;
  std::error_code close_sink() noexcept override;
  // Writes to `fd` from now on (owned); the previous one was closed.
  void adopt(int fd) noexcept { _fd = fd; }

 private:
  // stdout may have been made non-blocking by someone else (a terminal shared with
  // an event loop): wait a bounded time rather than drop or busy-loop.
  bool wait_writable() const noexcept;

  int _fd;
  bool _owned;
};

}  // namespace hotspan::detail
