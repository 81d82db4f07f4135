// hotspan — LEB128 varints and zigzag, for the binary format (docs/FORMAT.md).
//
// Writers append through ByteWriter (byte_writer.hpp); readers take a bounded cursor and fail
// (return false) instead of reading past its end, so hostile input can never
// make them read out of bounds.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "formats/byte_writer.hpp"

namespace hotspan::detail {

constexpr uint64_t zigzag_encode(int64_t v) noexcept {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
constexpr int64_t zigzag_decode(uint64_t v) noexcept {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

// Appends to a string through std::string::append (amortised growth, cheap
// for any number of calls); the encoders write through a ByteWriter, and both
// share encode_varint().
inline void put_varint(std::string& out, uint64_t v) {
  char bytes[kMaxVarintBytes];
  out.append(bytes, encode_varint(v, bytes));
}

inline void put_bytes(std::string& out, std::string_view bytes) {
  put_varint(out, bytes.size());
  out.append(bytes);
}

template <class T>
inline void put_fixed(std::string& out, T v) {  // little-endian hosts only (x86-64, aarch64)
  out.append(reinterpret_cast<const char*>(&v), sizeof(T));
}

// A bounded read cursor over one frame's payload.
class ByteCursor {
 public:
  ByteCursor(const uint8_t* begin, const uint8_t* end) noexcept : _p(begin), _end(end) {}

  size_t remaining() const noexcept { return static_cast<size_t>(_end - _p); }
  bool empty() const noexcept { return _p == _end; }
  const uint8_t* position() const noexcept { return _p; }

  bool varint(uint64_t& out) noexcept {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (_p == _end) return false;
      const uint8_t byte = *_p++;
      if (shift == 63 && byte > 1) return false;  // more than 64 bits
      v |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) {
        out = v;
        return true;
      }
    }
    return false;
  }

  bool zigzag(int64_t& out) noexcept {
    uint64_t v;
    if (!varint(v)) return false;
    out = zigzag_decode(v);
    return true;
  }

  bool byte(uint8_t& out) noexcept {
    if (_p == _end) return false;
    out = *_p++;
    return true;
  }

  bool bytes(size_t n, const uint8_t*& out) noexcept {
    if (remaining() < n) return false;
    out = _p;
    _p += n;
    return true;
  }

  // A varint length followed by that many bytes.
  bool string(std::string_view& out) noexcept {
    uint64_t n;
    const uint8_t* p;
    if (!varint(n) || n > remaining() || !bytes(static_cast<size_t>(n), p)) return false;
    out = std::string_view(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
    return true;
  }

  template <class T>
  bool fixed(T& out) noexcept {
    const uint8_t* p;
    if (!bytes(sizeof(T), p)) return false;
    std::memcpy(&out, p, sizeof(T));
    return true;
  }

 private:
  const uint8_t* _p;
  const uint8_t* _end;
};

}  // namespace hotspan::detail
