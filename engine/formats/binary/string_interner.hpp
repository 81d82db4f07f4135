// hotspan — the binary writer's per-file string table: string → index.
//
// Open addressing with linear probing over a power-of-two array of (hash,
// index) pairs; the strings themselves live in a vector in index order. The
// table is bounded in strings, in bytes and in the length of one string: a
// string beyond any bound is not interned (the caller writes it inline). A lookup is one XXH3 of
// the string (inlined: names and keys are short), usually one probe, and one compare; no allocation
// unless the string is new. Entries can be removed from the end only (a batch that did not reach
// the file forgets the strings it defined), which is what rollback() does.
#pragma once

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hotspan::detail {

class StringInterner {
 public:
  StringInterner(size_t max_strings, size_t max_bytes, size_t max_length)
      : _max(max_strings), _max_bytes(max_bytes), _max_length(max_length) {
    _slots.resize(1024);
  }

  // The index of `s`, adding it when new; nullopt when `s` is longer than
  // max_length or the table has no room for it.
  // `hint` is an index the caller expects (the one `s`'s position had in the
  // previous span): checking it first costs one short compare, and spans of a
  // batch mostly repeat their names and keys in the same order.
  std::optional<uint32_t> intern(std::string_view s, uint32_t hint) {
    if (hint < _strings.size() && equal(_strings[hint], s)) return hint;
    return intern(s);
  }

  std::optional<uint32_t> intern(std::string_view s) {
    if (s.size() > _max_length) return std::nullopt;
    const uint64_t h = XXH3_64bits(s.data(), s.size());
    const size_t mask = _slots.size() - 1;
    size_t i = h & mask;
    for (;; i = (i + 1) & mask) {
      const Entry& e = _slots[i];
      if (e.index == kEmpty) break;
      // The 64-bit hash all but decides; the bytes are still compared.
      if (e.hash == h && equal(_strings[e.index], s)) return e.index;
    }
    if (_strings.size() >= _max || s.size() > _max_bytes - _bytes) return std::nullopt;
    const auto index = static_cast<uint32_t>(_strings.size());
    _strings.emplace_back(s);
    _bytes += s.size();
    _hashes.push_back(h);
    _slots[i] = Entry{h, index};
    if (_strings.size() * 2 > _slots.size()) rehash(_slots.size() * 2);
    return index;
  }

  size_t size() const noexcept { return _strings.size(); }
  const std::string& operator[](size_t i) const noexcept { return _strings[i]; }

  // Forgets the strings with index >= `size`.
  void rollback(size_t size) {
    if (size >= _strings.size()) return;
    for (size_t i = size; i < _strings.size(); ++i)
      _bytes -= _strings[i].size();
    _strings.resize(size);
    _hashes.resize(size);
    rehash(_slots.size());
  }

 private:
  static constexpr uint32_t kEmpty = UINT32_MAX;

  // Byte equality without a libc call for the short strings names and keys are.
  static bool equal(const std::string& a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    const size_t n = b.size();
    if (n >= 8 && n <= 16) {
      uint64_t x0, x1, y0, y1;  // two overlapping words cover 8..16 bytes
      std::memcpy(&x0, a.data(), 8);
      std::memcpy(&y0, b.data(), 8);
      std::memcpy(&x1, a.data() + n - 8, 8);
      std::memcpy(&y1, b.data() + n - 8, 8);
      return ((x0 ^ y0) | (x1 ^ y1)) == 0;
    }
    return n == 0 || std::memcmp(a.data(), b.data(), n) == 0;
  }
  struct Entry {
    uint64_t hash = 0;
    uint32_t index = kEmpty;
  };

  void rehash(size_t capacity) {
    _slots.assign(capacity, Entry{});
    for (uint32_t index = 0; index < _strings.size(); ++index) {
      size_t i = _hashes[index] & (capacity - 1);
      while (_slots[i].index != kEmpty)
        i = (i + 1) & (capacity - 1);
      _slots[i] = Entry{_hashes[index], index};
    }
  }

  size_t _max;
  size_t _max_bytes;
  size_t _max_length;
  size_t _bytes = 0;  // of the strings in the table
  std::vector<Entry> _slots;
  std::vector<std::string> _strings;
  std::vector<uint64_t> _hashes;
};

}  // namespace hotspan::detail
