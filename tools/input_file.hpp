// hotspan tool — the input a command reads spans from: a file, or standard input
// for "-".
//
// The bytes come through a std::istream over the file descriptor with a large
// buffer of its own, which lets a command look at the first bytes before any
// reader consumes them (to tell the record formats apart, even on a pipe), count
// the bytes consumed (for the progress bar), and start over on a regular file
// (for commands that read twice).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace hotspan::tool {

class InputFile {
 public:
  // Throws std::runtime_error naming the path when it cannot be opened or is a
  // directory.
  explicit InputFile(const std::string& path);
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  // The path as given, or "stdin" for "-": for messages.
  const std::string& name() const noexcept { return _name; }
  std::istream& stream() noexcept { return *_stream; }

  // Up to `n` bytes from the current start of the input, without consuming them
  // (fewer at the end of the input). Only before anything has been read.
  std::string_view prefix(size_t n);
  // Bytes handed to the reader so far.
  uint64_t consumed() const noexcept;
  // The bytes of a regular file (also when it is stdin) from where reading
  // started; nullopt for pipes, terminals and devices.
  std::optional<uint64_t> regular_size() const noexcept { return _regular_size; }
  // Goes back to where reading started; false when the input cannot seek (a pipe).
  bool rewind();
  // Throws std::runtime_error when reading failed (EIO, ...) rather than ended:
  // readers see a failed read as the end of the input.
  void check_read_error() const;

 private:
  class Buffer;

  std::string _name;
  int _fd = -1;
  bool _owned = false;
  std::optional<uint64_t> _regular_size;
  off_t _start_offset = 0;
  std::unique_ptr<Buffer> _buffer;
  std::unique_ptr<std::istream> _stream;
};

}  // namespace hotspan::tool
