// hotspan — finding network addresses inside text (see address_scan.hpp).
#include "backend/address_scan.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace hotspan::detail {
namespace {

bool is_alnum(char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}
bool is_hex(char c) noexcept {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
// A character that continues a word, a number, a name or an address.
bool joins(char c) noexcept {
  return is_alnum(c) || c == '_' || c == '.' || c == ':' || c == '-';
}

// The end of ":port" at `i` (1-5 digits, at most 65535, not followed by a
// word character), or `i` when there is none.
size_t after_port(std::string_view t, size_t i) noexcept {
  if (i >= t.size() || t[i] != ':') return i;
  size_t j = i + 1;
  unsigned value = 0;
  while (j < t.size() && is_digit(t[j]) && j - i <= 5) {
    value = value * 10 + static_cast<unsigned>(t[j] - '0');
    ++j;
  }
  const size_t digits = j - i - 1;
  if (digits == 0 || digits > 5 || value > 65535) return i;
  if (j < t.size() && is_alnum(t[j])) return i;
  return j;
}

// The end of an IPv4 dotted quad at `i`, or 0.
size_t ipv4_end(std::string_view t, size_t i) noexcept {
  size_t j = i;
  for (int octet = 0; octet < 4; ++octet) {
    if (octet > 0) {
      if (j >= t.size() || t[j] != '.') return 0;
      ++j;
    }
    const size_t start = j;
    unsigned value = 0;
    while (j < t.size() && is_digit(t[j]) && j - start < 3) {
      value = value * 10 + static_cast<unsigned>(t[j] - '0');
      ++j;
    }
    if (j == start || value > 255) return 0;
  }
  // Not part of a longer number or dotted run ("1.2.3.4.5", "1.2.3.45x").
  if (j < t.size() && (is_alnum(t[j]) || (t[j] == '.' && j + 1 < t.size() && is_alnum(t[j + 1]))))
    return 0;
  return j;
}

bool valid_ipv6(std::string_view candidate) noexcept {
  char buffer[INET6_ADDRSTRLEN + 1];
  if (candidate.size() < 2 || candidate.size() > INET6_ADDRSTRLEN) return false;
  std::memcpy(buffer, candidate.data(), candidate.size());
  buffer[candidate.size()] = '\0';
  unsigned char out[16];
  return ::inet_pton(AF_INET6, buffer, out) == 1;
}

// The end of an IPv6 address at `i` (bare, or "[...]" with an optional
// port), or 0.
size_t ipv6_end(std::string_view t, size_t i) noexcept {
  if (t[i] == '[') {
    const size_t close = t.find(']', i + 1);
    if (close == std::string_view::npos || close - i - 1 > INET6_ADDRSTRLEN) return 0;
    if (!valid_ipv6(t.substr(i + 1, close - i - 1))) return 0;
    return after_port(t, close + 1);
  }
  size_t j = i;
  int colons = 0;
  while (j < t.size() && (is_hex(t[j]) || t[j] == ':' || t[j] == '.') &&
         j - i <= INET6_ADDRSTRLEN) {
    colons += t[j] == ':';
    ++j;
  }
  // A trailing '.' or ':' ends a sentence, not the address.
  while (j > i && (t[j - 1] == '.' || (t[j - 1] == ':' && !(j - i >= 2 && t[j - 2] == ':'))))
    --j;
  if (colons < 2 || (j < t.size() && is_alnum(t[j]))) return 0;
  return valid_ipv6(t.substr(i, j - i)) ? j : 0;
}

// The end of "host:port" at `i`, or 0.
size_t host_port_end(std::string_view t, size_t i) noexcept {
  size_t j = i;
  bool dot = false, letter = false;
  while (j < t.size() && (is_alnum(t[j]) || t[j] == '.' || t[j] == '-')) {
    dot = dot || t[j] == '.';
    letter = letter || (!is_digit(t[j]) && t[j] != '.' && t[j] != '-');
    ++j;
  }
  const std::string_view host = t.substr(i, j - i);
  const bool named =
      (dot && letter && host.back() != '.' && host.back() != '-') || host == "localhost";
  if (!named) return 0;
  const size_t end = after_port(t, j);
  return end != j ? end : 0;
}

}  // namespace

std::optional<AddressMatch> find_address(std::string_view text, size_t from) noexcept {
  // Most strings hold no address: with no ':' and fewer than three '.', none
  // can (memchr and a count, vectorised by the C library and the compiler).
  const std::string_view rest = text.substr(std::min(from, text.size()));
  if (rest.find(':') == std::string_view::npos && std::count(rest.begin(), rest.end(), '.') < 3) {
    return std::nullopt;
  }
  for (size_t i = from; i < text.size(); ++i) {
    const char c = text[i];
    if (i > 0 && joins(text[i - 1]) && c != '[') continue;
    if (!(is_alnum(c) || c == ':' || c == '[')) continue;
    // Every address has a ':' (IPv6, a port) or three '.' (IPv4) in its
    // token: most words of a text have neither and are passed in one look.
    size_t token_end = i + 1, colons = 0, dots = 0;
    while (token_end < text.size() && (joins(text[token_end]) || text[token_end] == ']')) {
      colons += text[token_end] == ':';
      dots += text[token_end] == '.';
      ++token_end;
    }
    if (colons == 0 && c != ':' && dots < 3) {
      i = token_end - 1;
      continue;
    }
    size_t end = 0;
    if (c == '[' || c == ':' || is_hex(c)) end = ipv6_end(text, i);
    if (end == 0 && is_digit(c)) {
      if (const size_t v4 = ipv4_end(text, i); v4 != 0) end = after_port(text, v4);
    }
    if (end == 0 && is_alnum(c)) end = host_port_end(text, i);
    if (end != 0) return AddressMatch{i, end - i};
  }
  return std::nullopt;
}

}  // namespace hotspan::detail
