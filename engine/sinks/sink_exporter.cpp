// hotspan — SinkExporter and FdExporter (see sink_exporter.hpp).
#include "sinks/sink_exporter.hpp"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <exception>
#include <utility>

namespace hotspan::detail {
namespace {

// Buffers that grew past this for an unusually large batch are given back.
constexpr size_t kRetainedBufferBytes = size_t{4} << 20;
constexpr size_t kInitialBufferBytes = size_t{64} << 10;

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

}  // namespace

// ------------------------------------------------------------------ SinkExporter

SinkExporter::SinkExporter(std::unique_ptr<RecordEncoder> encoder,
                           std::unique_ptr<RecordEncoder> (*make_encoder)())
    : _encoder(std::move(encoder)), _make_encoder(make_encoder) {
  _buffer.reserve(kInitialBufferBytes);
}

void SinkExporter::start(const Resource& resource) {
  try {
    if (_make_encoder != nullptr) _resource = resource;
    _buffer.clear();
    _encoder->begin(resource, _buffer);
    if (!_buffer.empty()) deliver();
  } catch (const std::exception&) {
    remember(std::make_error_code(std::errc::not_enough_memory));
  }
}

void SinkExporter::on_drops(const TracerStats& stats) {
  if (_make_encoder != nullptr) _last_drops = stats;
  _encoder->record_drops(stats);
}

size_t SinkExporter::encode(std::span<const SpanRecord> records) {
  _buffer.clear();
  if (_torn_write && !_encoder->whole_frames_only()) {
    _buffer.append(_encoder->resync_separator());
  }
  return _encoder->encode(records, _buffer);
}

bool SinkExporter::export_batch(std::span<const SpanRecord> records) {
  if (_broken) {  // a torn write that could not be undone: nothing more may follow it
    remember(std::make_error_code(std::errc::io_error));
    return false;
  }
  if (_shut_down) {
    remember(std::make_error_code(std::errc::bad_file_descriptor));
    return false;
  }
  try {
    if (!_stream_open && !begin_stream()) return false;  // the last open failed: try again
    size_t left_out = encode(records);
    if (_make_encoder != nullptr && _stream_batches > 0 && !records.empty() &&
        stream_full(_stream_bytes, _buffer.size())) {
      // The block was encoded against this stream's string table: undo it and
      // encode the batch again for the next stream.
      _encoder->delivered(false);
      end_stream();
      if (!begin_stream()) return false;
      left_out = encode(records);
    }
    if (!deliver()) return false;  // the whole batch fails, left-out spans included
    ++_stream_batches;
    _spans_refused += left_out;
    return true;
  } catch (const std::exception&) {  // bad_alloc while encoding: fail this batch only
    remember(std::make_error_code(std::errc::not_enough_memory));
    return false;
  }
}

bool SinkExporter::flush() {
  const std::error_code sink_error = _shut_down || !_stream_open ? std::error_code{} : flush_sink();
  const bool ok = !_pending_error && !sink_error;
  _pending_error.clear();
  return ok;
}

void SinkExporter::shutdown() {
  if (_shut_down) return;
  if (_stream_open) end_stream();
  _shut_down = true;
}

void SinkExporter::end_stream() {
  try {
    _buffer.clear();
    _encoder->finish(_buffer);
    if (!_buffer.empty() && !_broken) deliver();
  } catch (const std::exception&) {
    remember(std::make_error_code(std::errc::not_enough_memory));
  }
  if (const std::error_code ec = close_sink()) remember(ec);
  _stream_open = false;
}

bool SinkExporter::begin_stream() {
  std::unique_ptr<RecordEncoder> encoder = _make_encoder();  // bad_alloc: before the open
  if (const std::error_code ec = open_sink()) {
    remember(ec);
    return false;
  }
  _stream_open = true;
  _stream_bytes = 0;
  _stream_batches = 0;
  _torn_write = false;
  _broken = false;
  _encoder = std::move(encoder);
  if (_last_drops) _encoder->record_drops(*_last_drops);
  _buffer.clear();
  _encoder->begin(_resource, _buffer);
  // A header that does not get through is written again with the first block
  // by the formats that have one; the batch's own write tells the outcome.
  if (!_buffer.empty()) deliver();
  if (const std::error_code ec = stream_begun()) {
    remember(ec);
    close_sink();
    _stream_open = false;
    return false;
  }
  return true;
}

bool SinkExporter::deliver() {
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
  _stream_bytes += written;
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

// ------------------------------------------------------------------ FdExporter

FdExporter::FdExporter(int fd, bool owned, std::unique_ptr<RecordEncoder> encoder,
                       std::unique_ptr<RecordEncoder> (*make_encoder)()) noexcept
    : SinkExporter(std::move(encoder), make_encoder), _fd(fd), _owned(owned) {}

FdExporter::~FdExporter() {
  if (_owned && _fd >= 0) ::close(_fd);
}

std::error_code FdExporter::write_all(std::string_view bytes, size_t& written) noexcept {
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

bool FdExporter::unwrite(size_t bytes) noexcept {
  const off_t end = ::lseek(_fd, 0, SEEK_CUR);
  if (end < 0 || static_cast<size_t>(end) < bytes) return false;  // a pipe: cannot
  const off_t good = end - static_cast<off_t>(bytes);
  return ::ftruncate(_fd, good) == 0 && ::lseek(_fd, good, SEEK_SET) == good;
}

std::error_code FdExporter::close_sink() noexcept {
  if (!_owned || _fd < 0) return {};
  // Not retried on EINTR: on Linux the descriptor is released regardless.
  const int result = ::close(_fd);
  _fd = -1;
  return result == 0 ? std::error_code{} : std::error_code{errno, std::system_category()};
}

bool FdExporter::wait_writable() const noexcept {
  pollfd p{_fd, POLLOUT, 0};
  for (;;) {
    const int ready = ::poll(&p, 1, /*timeout_ms=*/1000);
    if (ready > 0) return true;
    if (ready == 0 || errno != EINTR) return false;
  }
}

}  // namespace hotspan::detail
