// hotspan — flight recorder: slices of batches encoded by one binary encoder,
// strings frames set apart, spans frames into a ring of chunks, dumps written
// with writev(2). See flight_recorder.hpp for the design.
#include "backend/flight_recorder.hpp"

#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <system_error>
#include <vector>

#include "formats/binary/binary_encoder.hpp"
#include "formats/binary/binary_format.hpp"

namespace hotspan::detail {

namespace {

constexpr size_t kMaxChunkBytes = size_t{1} << 20;

// Small enough that eviction drops a sixteenth of the ring at a time, large
// enough that the frames' own bytes (13 of framing, a base time and a count)
// are nothing next to the spans.
size_t chunk_target(size_t max_bytes) noexcept {
  return std::min(max_bytes / 16, kMaxChunkBytes);
}

// An eighth of the budget, and a string per 256 bytes of it: a strings frame
// per string at worst (a new name in each batch) costs 20 bytes of framing
// and 3 of length, so the frames stay within about a quarter of max_bytes.
BinaryStringLimits string_limits(size_t max_bytes) noexcept {
  return {std::min(binary::kMaxInternedStrings, max_bytes / 256), max_bytes / 8};
}

// Where the strings frames at the start of `frames` end: the encoder writes a
// block's strings frames before its spans frames (binary_encoder.cpp).
size_t strings_frames_end(const std::string& frames) noexcept {
  size_t at = 0;
  while (at + binary::kFrameHeaderBytes <= frames.size() &&
         static_cast<uint8_t>(frames[at]) == static_cast<uint8_t>(binary::FrameType::strings)) {
    uint32_t length;
    std::memcpy(&length, frames.data() + at + 1, sizeof(length));
    at += binary::kFrameHeaderBytes + length + binary::kChecksumBytes;
  }
  return at;
}

// Closes the descriptor on every path out of dump().
struct FileDescriptor {
  int fd;
  ~FileDescriptor() {
    if (fd >= 0) ::close(fd);
  }
};

// Writes every buffer whole, in order: writev(2) in a loop, as many buffers
// per call as the kernel takes, resuming after a partial write or EINTR.
void write_buffers(int fd, std::vector<iovec>& buffers) {
  size_t first = 0;
  while (first < buffers.size()) {
    const int count = static_cast<int>(std::min<size_t>(buffers.size() - first, IOV_MAX));
    const ssize_t n = ::writev(fd, buffers.data() + first, count);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::system_category(), "write");
    }
    for (auto left = static_cast<size_t>(n); left != 0;) {
      iovec& b = buffers[first];
      const size_t taken = std::min(left, b.iov_len);
      b.iov_base = static_cast<char*>(b.iov_base) + taken;
      b.iov_len -= taken;
      left -= taken;
      if (b.iov_len == 0) ++first;
    }
    while (first < buffers.size() && buffers[first].iov_len == 0)
      ++first;
  }
}

void add_buffer(std::vector<iovec>& buffers, const std::string& bytes) {
  if (!bytes.empty()) buffers.push_back({const_cast<char*>(bytes.data()), bytes.size()});
}

}  // namespace

FlightRecorder::FlightRecorder(const FlightRecorderOptions& options)
    : _max_bytes(options.max_bytes),
      _chunk_target(chunk_target(options.max_bytes)),
      _dump_path(options.dump_path) {
  if (_max_bytes != 0) _encoder = make_binary_encoder(string_limits(_max_bytes));
}

FlightRecorder::~FlightRecorder() = default;

void FlightRecorder::begin(const Resource& resource) {
  if (_encoder == nullptr) return;
  _encoder->begin(resource, _head);
  // The header is the dump's, written by each dump: the encoder must not
  // write it again in front of the first spans.
  _encoder->delivered(true);
}

void FlightRecorder::append(std::span<const SpanRecord> records) noexcept {
  size_t first = 0;
  try {
    while (first < records.size()) {
      // Spans whose bounds add up to a chunk (one span at least): a slice is
      // one spans frame, which fits the open chunk or starts the next one.
      size_t count = 1;
      for (size_t bytes = binary_span_bound(records[first]); first + count < records.size();
           ++count) {
        const size_t bound = binary_span_bound(records[first + count]);
        if (bound > _chunk_target - std::min(bytes, _chunk_target)) break;
        bytes += bound;
      }
      record_slice(records.subspan(first, count));
      first += count;
    }
  } catch (...) {  // out of memory: what the ring holds stays whole
    count_evicted(records.size() - first);
  }
}

void FlightRecorder::record_slice(std::span<const SpanRecord> slice) {
  _scratch.clear();
  size_t left_out;
  try {
    left_out = _encoder->encode(slice, _scratch);
  } catch (...) {
    // encode() forgot the strings it defined; the slice is lost, not the ring.
    count_evicted(slice.size());
    return;
  }
  const size_t spans_at = strings_frames_end(_scratch);
  const uint64_t spans = slice.size() - left_out;
  const size_t bytes = _scratch.size() - spans_at;
  try {  // every allocation before anything is kept: all of the slice or none
    _strings_frames.reserve(_strings_frames.size() + spans_at);
    if (spans != 0 && (_chunks.empty() || _chunks.back().frames.size() + bytes > _chunk_target)) {
      Chunk chunk;
      chunk.frames.swap(_spare);
      chunk.frames.clear();
      chunk.frames.reserve(std::max(bytes, _chunk_target));
      _chunks.push_back(std::move(chunk));
    }
  } catch (...) {
    // The strings the encoder defined for this slice are not kept: it must
    // forget them, or later frames would name strings no dump holds.
    _encoder->delivered(false);
    count_evicted(slice.size());
    return;
  }
  _strings_frames.append(_scratch, 0, spans_at);  // reserved: cannot throw
  _encoder->delivered(true);                      // its strings are in _strings_frames from now on
  // Spans a binary frame cannot hold (a string rendered at export over 16 MiB)
  // are not recorded.
  count_evicted(left_out);
  if (spans == 0) return;
  Chunk& open = _chunks.back();
  open.frames.append(_scratch, spans_at);  // reserved: cannot throw
  open.spans += spans;
  _chunk_bytes_held += bytes;
  _spans_held += spans;
  evict_beyond_budget();
}

void FlightRecorder::evict_beyond_budget() noexcept {
  while (held_bytes() > _max_bytes && !_chunks.empty()) {
    Chunk& oldest = _chunks.front();
    _chunk_bytes_held -= oldest.frames.size();
    _spans_held -= oldest.spans;
    count_evicted(oldest.spans);
    // Keep one buffer of the usual size for the next chunk: the steady state
    // allocates nothing.
    if (oldest.frames.capacity() <= _chunk_target) _spare.swap(oldest.frames);
    _chunks.pop_front();
  }
}

bool FlightRecorder::dump(const std::string& path, const RecordedLosses& losses,
                          std::string& error) noexcept {
  if (_encoder == nullptr) {
    try {
      error = kOffError;
    } catch (...) {  // out of memory for the message: the false still says it
    }
    return false;
  }
  try {
    const FileDescriptor file{open_trace_file(path)};
    std::string end;
    append_binary_end_frame(_spans_held, losses, end);
    std::vector<iovec> buffers;
    buffers.reserve(_chunks.size() + 3);
    add_buffer(buffers, _head);
    add_buffer(buffers, _strings_frames);
    for (const Chunk& chunk : _chunks)
      add_buffer(buffers, chunk.frames);
    add_buffer(buffers, end);
    try {
      write_buffers(file.fd, buffers);
    } catch (const std::system_error& e) {
      throw std::system_error(e.code(),
                              "hotspan: cannot write the flight recorder's dump to '" + path + "'");
    }
    _dumps.store(dumps() + 1, std::memory_order_relaxed);
    return true;
  } catch (const std::exception& e) {
    try {
      error = e.what();
    } catch (...) {
    }
  } catch (...) {
  }
  _dump_failures.store(dump_failures() + 1, std::memory_order_relaxed);
  return false;
}

std::string FlightRecorder::next_dump_path() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  ::gmtime_r(&now, &utc);
  char time[32];
  const size_t n = std::strftime(time, sizeof time, "%Y%m%dT%H%M%SZ", &utc);
  return _dump_path + "." + std::string(time, n) + "." + std::to_string(::getpid()) + "." +
         std::to_string(++_dump_sequence);
}

}  // namespace hotspan::detail
