// hotspan — JSON value writer (see json_writer.hpp for the guarantees).
//
// The string writer copies maximal runs of bytes that need no change with one
// append each; the run is only broken by a byte that must be escaped or by
// ill-formed UTF-8. Pure ASCII is checked a 64-bit word at a time, which keeps
// the common case (identifiers, paths, addresses) close to memcpy speed.
#include "formats/json/json_writer.hpp"

#include "hotspan/json.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <type_traits>
#include <variant>

#include "formats/utf8.hpp"

namespace hotspan::detail {
namespace {

// For each ASCII byte: 0 when it is copied verbatim, otherwise the character
// after the backslash of its escape ('u' for the \u00XX form).
constexpr std::array<char, 128> make_ascii_escapes() {
  std::array<char, 128> table{};
  for (int c = 0; c < 0x20; ++c)
    table[c] = 'u';
  table['\b'] = 'b';
  table['\f'] = 'f';
  table['\n'] = 'n';
  table['\r'] = 'r';
  table['\t'] = 't';
  table['"'] = '"';
  table['\\'] = '\\';
  table[0x7f] = 'u';  // DEL is legal JSON, but escaping keeps terminals safe
  return table;
}
constexpr std::array<char, 128> kAsciiEscapes = make_ascii_escapes();

// Whether any of the eight bytes of `w` is non-ASCII, a control character, '"',
// '\' or DEL. Classic SWAR zero-byte tests: each is exact about whether such a
// byte exists, which is all the caller needs.
constexpr bool word_needs_attention(uint64_t w) noexcept {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  auto has_zero = [](uint64_t x) { return (x - kOnes) & ~x & kHighs; };
  const uint64_t below_space = (w - kOnes * 0x20) & ~w & kHighs;
  return ((w & kHighs) | below_space | has_zero(w ^ (kOnes * '"')) | has_zero(w ^ (kOnes * '\\')) |
          has_zero(w ^ (kOnes * 0x7f))) != 0;
}

void write_ascii_escape(std::string& out, unsigned char c, char kind) {
  if (kind != 'u') {
    const char escape[2] = {'\\', kind};
    out.append(escape, 2);
    return;
  }
  const char escape[6] = {'\\', 'u', '0', '0', kLowerHexDigits[c >> 4], kLowerHexDigits[c & 0xf]};
  out.append(escape, 6);
}

// Shortest round-trip digits of a finite double, with ".0" for integral values.
void write_finite_double(std::string& out, double v) {
  char buf[32];  // the longest shortest form ("-2.2250738585072014e-308") is 24
  const auto result = std::to_chars(buf, buf + sizeof(buf), v);
  const std::string_view digits(buf, static_cast<size_t>(result.ptr - buf));
  out.append(digits);
  if (digits.find_first_of(".e") == std::string_view::npos) out.append(".0");
}

std::string_view non_finite_name(double v) noexcept {
  if (std::isnan(v)) return "NaN";
  return v > 0 ? "Infinity" : "-Infinity";
}

}  // namespace

void write_escaped(std::string& out, std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* const end = p + s.size();
  const auto* run = p;  // start of the bytes still to be copied verbatim
  auto flush_run = [&] {
    out.append(reinterpret_cast<const char*>(run), static_cast<size_t>(p - run));
  };
  while (p < end) {
    while (end - p >= 8) {
      uint64_t word;
      std::memcpy(&word, p, sizeof(word));
      if (word_needs_attention(word)) break;
      p += 8;
    }
    if (p == end) break;
    const unsigned char c = *p;
    if (c < 0x80) {
      if (const char kind = kAsciiEscapes[c]; kind != 0) {
        flush_run();
        write_ascii_escape(out, c, kind);
        run = p + 1;
      }
      ++p;
      continue;
    }
    const Utf8Sequence seq = scan_utf8(p, static_cast<size_t>(end - p));
    if (!seq.valid) {
      flush_run();
      out.append(kReplacementCharacter);
      run = p + seq.length;
    }
    p += seq.length;
  }
  flush_run();
}

namespace {
// True when no byte of `s` needs escaping or UTF-8 checking: checked eight
// bytes at a time, the tail padded with a harmless letter.
bool is_plain_ascii(std::string_view s) noexcept {
  const char* p = s.data();
  size_t n = s.size();
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t word;
    std::memcpy(&word, p, sizeof(word));
    if (word_needs_attention(word)) return false;
  }
  if (n == 0) return true;
  uint64_t word = 0x6161616161616161ULL;  // "aaaaaaaa"
  std::memcpy(&word, p, n);
  return !word_needs_attention(word);
}
}  // namespace

void write_string(std::string& out, std::string_view s) {
  // Names, keys and most values are short and plain: quote them in a stack
  // buffer and append once, instead of three appends.
  constexpr size_t kShort = 126;
  if (s.size() <= kShort && is_plain_ascii(s)) {
    char quoted[kShort + 2];
    quoted[0] = '"';
    if (!s.empty()) std::memcpy(quoted + 1, s.data(), s.size());
    quoted[s.size() + 1] = '"';
    out.append(quoted, s.size() + 2);
    return;
  }
  out.push_back('"');
  write_escaped(out, s);
  out.push_back('"');
}

void write_int(std::string& out, int64_t v) {
  char buf[24];
  const auto result = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, static_cast<size_t>(result.ptr - buf));
}

void write_uint(std::string& out, uint64_t v) {
  char buf[24];
  const auto result = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, static_cast<size_t>(result.ptr - buf));
}

void write_bool(std::string& out, bool v) {
  out.append(v ? "true" : "false");
}

void write_double(std::string& out, double v) {
  if (std::isfinite(v)) {
    write_finite_double(out, v);
  } else {
    out.push_back('"');
    out.append(non_finite_name(v));
    out.push_back('"');
  }
}

void write_double_text(std::string& out, double v) {
  if (std::isfinite(v)) {
    write_finite_double(out, v);
  } else {
    out.append(non_finite_name(v));
  }
}

void write_attribute_value(std::string& out, const AttributeValue& v) {
  std::visit(
      [&out](const auto& value) {
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, bool>) {
          write_bool(out, value);
        } else if constexpr (std::is_same_v<T, int64_t>) {
          write_int(out, value);
        } else if constexpr (std::is_same_v<T, double>) {
          write_double(out, value);
        } else {
          write_string(out, value);
        }
      },
      v);
}

void write_attributes(std::string& out, std::span<const AttributeView> attributes) {
  write_attribute_list(out, '{', '}', attributes,
                       [&out](std::string_view key, const AttributeValue& value) {
                         write_string(out, key);
                         out.push_back(':');
                         write_attribute_value(out, value);
                       });
}

void write_id_members(std::string& out, const SpanRecord& record,
                      const IdMemberPrefixes& prefixes) {
  out.append(prefixes.trace_id);
  append_hex(out, record.trace_id);
  out.append(prefixes.span_id);
  append_hex(out, record.span_id);
  out.push_back('"');
  if (!prefixes.parent_span_id.empty() && record.parent_span_id.valid()) {
    out.append(prefixes.parent_span_id);
    append_hex(out, record.parent_span_id);
    out.push_back('"');
  }
}

void append_hex(std::string& out, const TraceId& id, size_t digits) {
  char hex[kTraceIdHexSize];
  write_hex(id, hex);
  out.append(hex, std::min(digits, kTraceIdHexSize));
}

void append_hex(std::string& out, SpanId id, size_t digits) {
  char hex[kSpanIdHexSize];
  write_hex(id, hex);
  out.append(hex, std::min(digits, kSpanIdHexSize));
}

}  // namespace hotspan::detail

namespace hotspan {

void append_json_string(std::string& out, std::string_view text) {
  detail::write_string(out, text);
}

void append_json_number(std::string& out, double value) {
  detail::write_double(out, value);
}

}  // namespace hotspan
