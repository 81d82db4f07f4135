// hotspan tool — a file or stdin as a peekable, counted std::istream (see
// input_file.hpp).
#include "input_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <streambuf>
#include <vector>

namespace hotspan::tool {
namespace {

constexpr size_t kBufferBytes = size_t{1} << 20;

std::string system_message(int error) {
  return error != 0 ? std::strerror(error) : "unknown error";
}

}  // namespace

// A read-only std::streambuf over a file descriptor.
class InputFile::Buffer final : public std::streambuf {
 public:
  explicit Buffer(int fd) : _fd(fd), _data(kBufferBytes) { reset(); }

  std::string_view prefix(size_t n) {
    while (static_cast<size_t>(egptr() - eback()) < n && gptr() == eback()) {
      const size_t held = static_cast<size_t>(egptr() - eback());
      const ssize_t got = read_some(_data.data() + held, _data.size() - held);
      if (got <= 0) break;
      setg(_data.data(), _data.data(), _data.data() + held + got);
    }
    return {gptr(), std::min(n, static_cast<size_t>(egptr() - gptr()))};
  }

  uint64_t consumed() const noexcept {
    return _bytes_from_fd - static_cast<uint64_t>(egptr() - gptr());
  }

  void reset() noexcept {
    setg(_data.data(), _data.data(), _data.data());
    _bytes_from_fd = 0;
    _error = 0;
  }

  int error() const noexcept { return _error; }

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    const ssize_t got = read_some(_data.data(), _data.size());
    if (got <= 0) return traits_type::eof();
    setg(_data.data(), _data.data(), _data.data() + got);
    return traits_type::to_int_type(*gptr());
  }

 private:
  ssize_t read_some(char* to, size_t size) {
    ssize_t got;
    do {
      got = ::read(_fd, to, size);
    } while (got < 0 && errno == EINTR);
    if (got < 0) {
      _error = errno;
      return got;
    }
    _bytes_from_fd += static_cast<uint64_t>(got);
    return got;
  }

  int _fd;
  std::vector<char> _data;
  uint64_t _bytes_from_fd = 0;
  int _error = 0;
};

InputFile::InputFile(const std::string& path) : _name(path == "-" ? "stdin" : path) {
  if (path == "-") {
    _fd = STDIN_FILENO;
  } else {
    do {
      _fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    } while (_fd < 0 && errno == EINTR);
    if (_fd < 0) throw std::runtime_error("cannot open '" + path + "': " + system_message(errno));
    _owned = true;
  }
  struct stat info {};
  if (::fstat(_fd, &info) == 0) {
    if (S_ISDIR(info.st_mode)) {
      if (_owned) ::close(_fd);
      throw std::runtime_error("cannot read '" + _name + "': it is a directory");
    }
    if (S_ISREG(info.st_mode)) {
      _start_offset = std::max<off_t>(0, ::lseek(_fd, 0, SEEK_CUR));
      _regular_size = static_cast<uint64_t>(std::max<off_t>(0, info.st_size - _start_offset));
    }
  }
  _buffer = std::make_unique<Buffer>(_fd);
  _stream = std::make_unique<std::istream>(_buffer.get());
}

InputFile::~InputFile() {
  if (_owned) ::close(_fd);
}

std::string_view InputFile::prefix(size_t n) {
  return _buffer->prefix(n);
}

uint64_t InputFile::consumed() const noexcept {
  return _buffer->consumed();
}

bool InputFile::rewind() {
  if (!_regular_size || ::lseek(_fd, _start_offset, SEEK_SET) != _start_offset) return false;
  _buffer->reset();
  _stream->clear();
  return true;
}

void InputFile::check_read_error() const {
  if (const int error = _buffer->error(); error != 0) {
    throw std::runtime_error("cannot read '" + _name + "': " + system_message(error));
  }
}

}  // namespace hotspan::tool
