// hotspan — raw, bounds-reserved appends to a std::string, for encoders.
//
// std::string::push_back/append check capacity and update the size on every
// call; an encoder writing a dozen small fields per span pays for that more
// than for the encoding. ByteWriter instead reserves a worst-case bound once
// per record (reserve()), writes through a raw pointer, and gives the string
// its final size when it goes out of scope. The string's spare capacity is
// zero-filled by resize() only when it grows, so the cost is amortised.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace hotspan::detail {

// Longest LEB128 encoding of a 64-bit value.
inline constexpr size_t kMaxVarintBytes = 10;

// Writes v as an LEB128 varint at `out` (room for kMaxVarintBytes); returns
// its length. The one varint encoder: ByteWriter, the one-off appends of
// varint.hpp and the protobuf writer all call it.
inline size_t encode_varint(uint64_t v, char* out) noexcept {
  size_t n = 0;
  for (; v >= 0x80; v >>= 7)
    out[n++] = static_cast<char>(v | 0x80);
  out[n++] = static_cast<char>(v);
  return n;
}

class ByteWriter {
 public:
  explicit ByteWriter(std::string& out) noexcept : _out(out), _pos(out.size()) {}
  ~ByteWriter() { _out.resize(_pos); }
  ByteWriter(const ByteWriter&) = delete;
  ByteWriter& operator=(const ByteWriter&) = delete;

  // Makes room for at least n more bytes.
  void reserve(size_t n) {
    if (_out.size() - _pos < n) _out.resize(std::max(_out.size() * 2, _pos + n + 4096));
  }

  size_t position() const noexcept { return _pos; }
  char* at(size_t pos) noexcept { return _out.data() + pos; }

  void byte(uint8_t b) noexcept { _out[_pos++] = static_cast<char>(b); }
  void bytes(const void* p, size_t n) noexcept {
    if (n == 0) return;  // an empty string_view may carry a null pointer
    std::memcpy(_out.data() + _pos, p, n);
    _pos += n;
  }
  void varint(uint64_t v) noexcept { _pos += encode_varint(v, _out.data() + _pos); }
  void string(std::string_view s) noexcept {  // varint length + bytes
    varint(s.size());
    bytes(s.data(), s.size());
  }
  template <class T>
  void fixed(T v) noexcept {
    bytes(&v, sizeof(T));
  }

  // Worst-case sizes, for reserve().
  static constexpr size_t kMaxVarint = kMaxVarintBytes;

 private:
  std::string& _out;
  size_t _pos;
};

}  // namespace hotspan::detail
