// hotspan — exporters that encode batches and write them to a byte stream: a file
// or stdout (POSIX fd) or a std::ostream; plus the no-op exporter.
//
// Each batch is encoded whole into one buffer that is reused from batch to
// batch, then handed to the sink in one write, so a batch of hundreds of spans
// costs one system call. A sink error never escapes: the batch reports failure
// (the tracer counts its spans as dropped_export_failed), the error is kept for
// the next flush(), and the next batch tries again. A write cut short leaves a
// partial record, so the next batch first writes the format's resync separator
// (a newline for line-oriented formats) to keep later records readable.
//
// Which encoder a Format has is formats/format_registry.hpp's table; a span
// that its format cannot hold is left out by the encoder, and counted here.
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <ctime>
#include <memory>
#include <ostream>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "formats/format_registry.hpp"
#include "formats/json/pretty_encoder.hpp"
#include "formats/record_encoder.hpp"
#include "hotspan/exporter.hpp"

namespace hotspan {
namespace detail {
namespace {

// Buffers that grew past this for an unusually large batch are given back.
constexpr size_t kRetainedBufferBytes = size_t{4} << 20;
constexpr size_t kInitialBufferBytes = size_t{64} << 10;

// The batch logic shared by every sink; subclasses only move bytes.
class SinkExporter : public Exporter {
 public:
  explicit SinkExporter(std::unique_ptr<RecordEncoder> encoder) : _encoder(std::move(encoder)) {
    _buffer.reserve(kInitialBufferBytes);
  }

  void start(const Resource& resource) override {
    try {
      _buffer.clear();
      _encoder->begin(resource, _buffer);
      if (!_buffer.empty()) deliver();
    } catch (const std::exception&) {
      remember(std::make_error_code(std::errc::not_enough_memory));
    }
  }

  void on_drops(const TracerStats& stats) override { _encoder->record_drops(stats); }

  bool export_batch(std::span<const SpanRecord> records) override {
    if (_broken) {  // a torn write that could not be undone: nothing more may follow it
      remember(std::make_error_code(std::errc::io_error));
      return false;
    }
    if (_shut_down) {
      remember(std::make_error_code(std::errc::bad_file_descriptor));
      return false;
    }
    try {
      _buffer.clear();
      if (_torn_write && !_encoder->whole_frames_only()) {
        _buffer.append(_encoder->resync_separator());
      }
      const size_t left_out = _encoder->encode(records, _buffer);
      if (!deliver()) return false;  // the whole batch fails, left-out spans included
      _spans_refused += left_out;
      return true;
    } catch (const std::exception&) {  // bad_alloc while encoding: fail this batch only
      remember(std::make_error_code(std::errc::not_enough_memory));
      return false;
    }
  }

  // False when a write failed since the last flush(), or when the sink cannot
  // flush; the pending error is cleared by being reported.
  bool flush() override {
    const std::error_code sink_error = _shut_down ? std::error_code{} : flush_sink();
    const bool ok = !_pending_error && !sink_error;
    _pending_error.clear();
    return ok;
  }

  void shutdown() override {
    if (_shut_down) return;
    try {
      _buffer.clear();
      _encoder->finish(_buffer);
      if (!_buffer.empty() && !_broken) deliver();
    } catch (const std::exception&) {
      remember(std::make_error_code(std::errc::not_enough_memory));
    }
    if (const std::error_code ec = close_sink()) remember(ec);
    _shut_down = true;
  }

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

 private:
  void remember(std::error_code ec) noexcept { _pending_error = ec; }

  bool deliver() {
    size_t written = 0;
    const std::error_code ec = write_all(_buffer, written);
    _torn_write = written != 0 && written != _buffer.size();
    if (_torn_write && _encoder->whole_frames_only()) {
      // A binary file must never hold a torn frame followed by more frames:
      // take the partial block back, or write nothing more.
      if (unwrite(written)) {
        _torn_write = false;
        written = 0;
      } else {
        _broken = true;
      }
    }
    // Read by stats() on other threads; this thread is the only writer.
    _bytes_written.store(_bytes_written.load(std::memory_order_relaxed) + written,
                         std::memory_order_relaxed);
    _encoder->delivered(!ec && written == _buffer.size());
    if (_buffer.capacity() > kRetainedBufferBytes) {
      std::string().swap(_buffer);
      _buffer.reserve(kInitialBufferBytes);
    }
    if (ec) {
      remember(ec);
      return false;
    }
    return true;
  }

  std::unique_ptr<RecordEncoder> _encoder;
  std::string _buffer;
  uint64_t _spans_refused = 0;  // exporter thread only, as spans_failed_after_export()
  std::atomic<uint64_t> _bytes_written{0};
  std::error_code _pending_error;
  bool _torn_write = false;
  bool _broken = false;
  bool _shut_down = false;
};

// Keeps a write to a pipe whose reader has gone from killing the process: SIGPIPE
// is blocked on this thread around the write, and a SIGPIPE the write raised is
// consumed before the mask is restored. The write itself then fails with EPIPE.
class SigpipeSuppressor {
 public:
  SigpipeSuppressor() noexcept {
    sigemptyset(&_sigpipe);
    sigaddset(&_sigpipe, SIGPIPE);
    sigset_t pending;
    sigemptyset(&pending);
    _was_pending = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1;
    _blocked = pthread_sigmask(SIG_BLOCK, &_sigpipe, &_previous) == 0;
  }
  ~SigpipeSuppressor() {
    if (!_blocked) return;
    if (_raised && !_was_pending) {
      const timespec no_wait{};
      while (sigtimedwait(&_sigpipe, nullptr, &no_wait) < 0 && errno == EINTR) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &_previous, nullptr);
  }
  SigpipeSuppressor(const SigpipeSuppressor&) = delete;
  SigpipeSuppressor& operator=(const SigpipeSuppressor&) = delete;

  void note_epipe() noexcept { _raised = true; }

 private:
  sigset_t _sigpipe;
  sigset_t _previous;
  bool _was_pending = false;
  bool _blocked = false;
  bool _raised = false;
};

// A POSIX file descriptor: a file we opened (owned, closed at shutdown) or stdout.
class FdExporter final : public SinkExporter {
 public:
  FdExporter(int fd, bool owned, std::unique_ptr<RecordEncoder> encoder) noexcept
      : SinkExporter(std::move(encoder)), _fd(fd), _owned(owned) {}
  ~FdExporter() override {
    if (_owned && _fd >= 0) ::close(_fd);
  }

 protected:
  std::error_code write_all(std::string_view bytes, size_t& written) noexcept override {
    SigpipeSuppressor sigpipe;
    while (written < bytes.size()) {
      const ssize_t n = ::write(_fd, bytes.data() + written, bytes.size() - written);
      if (n > 0) {
        written += static_cast<size_t>(n);
        continue;
      }
      if (n == 0) return std::make_error_code(std::errc::io_error);  // would spin forever
      const int error = errno;
      if (error == EINTR) continue;
      if ((error == EAGAIN || error == EWOULDBLOCK) && wait_writable()) continue;
      if (error == EPIPE) sigpipe.note_epipe();
      return {error, std::system_category()};
    }
    return {};
  }

  bool unwrite(size_t bytes) noexcept override {
    const off_t end = ::lseek(_fd, 0, SEEK_CUR);
    if (end < 0 || static_cast<size_t>(end) < bytes) return false;  // a pipe: cannot
    const off_t good = end - static_cast<off_t>(bytes);
    return ::ftruncate(_fd, good) == 0 && ::lseek(_fd, good, SEEK_SET) == good;
  }

  std::error_code close_sink() noexcept override {
    if (!_owned || _fd < 0) return {};
    // Not retried on EINTR: on Linux the descriptor is released regardless.
    const int result = ::close(_fd);
    _fd = -1;
    return result == 0 ? std::error_code{} : std::error_code{errno, std::system_category()};
  }

 private:
  // stdout may have been made non-blocking by someone else (a terminal shared with
  // an event loop): wait a bounded time rather than drop or busy-loop.
  bool wait_writable() const noexcept {
    pollfd p{_fd, POLLOUT, 0};
    for (;;) {
      const int ready = ::poll(&p, 1, /*timeout_ms=*/1000);
      if (ready > 0) return true;
      if (ready == 0 || errno != EINTR) return false;
    }
  }

  int _fd;
  bool _owned;
};

class OstreamExporter final : public SinkExporter {
 public:
  OstreamExporter(std::ostream& os, std::unique_ptr<RecordEncoder> encoder) noexcept
      : SinkExporter(std::move(encoder)), _os(os) {}

 protected:
  std::error_code write_all(std::string_view bytes, size_t& written) noexcept override {
    try {
      if (_os.fail()) return std::make_error_code(std::errc::io_error);
      _os.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      if (_os.fail()) return std::make_error_code(std::errc::io_error);
      written = bytes.size();  // a stream cannot tell how much of a failed write got through
      return {};
    } catch (const std::exception&) {  // the stream's exceptions() mask, or its streambuf
      return std::make_error_code(std::errc::io_error);
    }
  }

  std::error_code flush_sink() noexcept override {
    try {
      _os.flush();
      return _os.fail() ? std::make_error_code(std::errc::io_error) : std::error_code{};
    } catch (const std::exception&) {
      return std::make_error_code(std::errc::io_error);
    }
  }

  // The stream is the caller's: flushed, never closed.
  std::error_code close_sink() noexcept override { return flush_sink(); }

 private:
  std::ostream& _os;
};

class NoopExporter final : public Exporter {
 public:
  bool export_batch(std::span<const SpanRecord> /*records*/) override { return true; }
};

}  // namespace

}  // namespace detail

std::shared_ptr<Exporter> noop_exporter() {
  return std::make_shared<detail::NoopExporter>();
}

std::shared_ptr<Exporter> stdout_exporter(bool pretty) {
  std::unique_ptr<detail::RecordEncoder> encoder =
      pretty ? detail::make_pretty_encoder()
             : detail::make_encoder(Format::jsonl, "stdout_exporter");
  return std::make_shared<detail::FdExporter>(STDOUT_FILENO, /*owned=*/false, std::move(encoder));
}

std::shared_ptr<Exporter> file_exporter(const std::string& path, Format format) {
  return file_exporter(path, format, FileOptions{});
}

std::shared_ptr<Exporter> file_exporter(const std::string& path, Format format,
                                        const FileOptions& options) {
  // Both checks before the open, so that a rejected call leaves the file as it was.
  auto encoder = detail::make_encoder(format, "file_exporter");
  if (options.append && !detail::find_format(format)->info.appendable) {
    throw std::invalid_argument("hotspan: file_exporter cannot append " +
                                std::string(format_name(format)) +
                                " to a file (a file holds one such stream), only " +
                                detail::format_name_list(/*only_appendable=*/true));
  }
  const int fd = open_trace_file(path, options);
  try {
    return std::make_shared<detail::FdExporter>(fd, /*owned=*/true, std::move(encoder));
  } catch (...) {
    ::close(fd);
    throw;
  }
}

std::shared_ptr<Exporter> ostream_exporter(std::ostream& os, Format format) {
  return std::make_shared<detail::OstreamExporter>(
      os, detail::make_encoder(format, "ostream_exporter"));
}

}  // namespace hotspan
