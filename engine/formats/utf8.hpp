// hotspan — UTF-8 well-formedness (Unicode Table 3-7) and U+FFFD replacement.
//
// One definition of "valid UTF-8" for every encoder: the JSON writer escapes
// around it, the OTLP protobuf encoder needs it because protobuf `string`
// fields must be UTF-8 (Go-based collectors reject a request otherwise). An
// ill-formed sequence consumes its maximal subpart (the longest prefix that
// could still have been well-formed, at least one byte) and becomes one
// U+FFFD, as Unicode and the WHATWG decoder do; this rejects overlongs,
// surrogates, code points above U+10FFFF, stray continuation bytes and
// sequences cut short by the end of the input or by a non-continuation byte.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace hotspan::detail {

inline constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD

struct Utf8Sequence {
  size_t length;  // bytes consumed: the whole sequence, or its maximal subpart
  bool valid;
};

// The sequence starting at p[0], a byte >= 0x80; `available` >= 1.
constexpr Utf8Sequence scan_utf8(const unsigned char* p, size_t available) noexcept {
  const unsigned char lead = p[0];
  size_t length = 0;
  unsigned char second_min = 0x80, second_max = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) second_min = 0xA0;  // overlong
    if (lead == 0xED) second_max = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) second_min = 0x90;  // overlong
    if (lead == 0xF4) second_max = 0x8F;  // above U+10FFFF
  } else {
    return {1, false};  // continuation byte, C0/C1 (always overlong) or F5..FF
  }
  size_t i = 1;
  if (i < available && p[i] >= second_min && p[i] <= second_max) {
    ++i;
    while (i < length && i < available && (p[i] & 0xC0) == 0x80)
      ++i;
  }
  return {i, i == length};
}

inline bool is_valid_utf8(std::string_view s) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* const end = p + s.size();
  while (p < end) {
    if (*p < 0x80) {
      ++p;
      continue;
    }
    const Utf8Sequence seq = scan_utf8(p, static_cast<size_t>(end - p));
    if (!seq.valid) return false;
    p += seq.length;
  }
  return true;
}

// `s` with every ill-formed subpart replaced by U+FFFD; nothing else changes.
inline void append_valid_utf8(std::string& out, std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* const end = p + s.size();
  const auto* run = p;
  while (p < end) {
    if (*p < 0x80) {
      ++p;
      continue;
    }
    const Utf8Sequence seq = scan_utf8(p, static_cast<size_t>(end - p));
    if (!seq.valid) {
      out.append(reinterpret_cast<const char*>(run), static_cast<size_t>(p - run));
      out.append(kReplacementCharacter);
      run = p + seq.length;
    }
    p += seq.length;
  }
  out.append(reinterpret_cast<const char*>(run), static_cast<size_t>(p - run));
}

}  // namespace hotspan::detail
