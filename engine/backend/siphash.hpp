// hotspan — SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input
// PRF", 2012): a keyed pseudorandom function with a 128-bit key and a 64-bit
// output, written from the paper. Redaction (redactor.hpp) uses it to turn a
// value into a pseudonym that whoever lacks the key can neither invert nor
// link across key periods; tests/unit/redaction_test.cpp checks it against
// the reference implementation's 64 test vectors.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace hotspan::detail {

using SipHashKey = std::array<uint8_t, 16>;

inline uint64_t siphash24(const SipHashKey& key, std::string_view data) noexcept {
  const auto rotl = [](uint64_t x, int b) { return (x << b) | (x >> (64 - b)); };
  const auto load_le = [](const void* p) {
    uint8_t b[8];
    std::memcpy(b, p, 8);
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i)
      v = (v << 8) | b[i];
    return v;
  };
  const uint64_t k0 = load_le(key.data());
  const uint64_t k1 = load_le(key.data() + 8);
  uint64_t v0 = 0x736f6d6570736575ULL ^ k0;
  uint64_t v1 = 0x646f72616e646f6dULL ^ k1;
  uint64_t v2 = 0x6c7967656e657261ULL ^ k0;
  uint64_t v3 = 0x7465646279746573ULL ^ k1;
  const auto round = [&] {
    v0 += v1;
    v1 = rotl(v1, 13);
    v1 ^= v0;
    v0 = rotl(v0, 32);
    v2 += v3;
    v3 = rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = rotl(v1, 17);
    v1 ^= v2;
    v2 = rotl(v2, 32);
  };
  const size_t n = data.size();
  const char* p = data.data();
  const size_t whole = n - n % 8;
  for (size_t i = 0; i < whole; i += 8) {
    const uint64_t m = load_le(p + i);
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
  // The last block: the remaining bytes, little-endian, and the length's low
  // byte in the top byte.
  uint64_t last = static_cast<uint64_t>(n & 0xff) << 56;
  for (size_t i = 0; i < n % 8; ++i)
    last |= static_cast<uint64_t>(static_cast<uint8_t>(p[whole + i])) << (8 * i);
  v3 ^= last;
  round();
  round();
  v0 ^= last;
  v2 ^= 0xff;
  round();
  round();
  round();
  round();
  return v0 ^ v1 ^ v2 ^ v3;
}

}  // namespace hotspan::detail
