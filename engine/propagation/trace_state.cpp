// hotspan — W3C tracestate: validation, lookup and the two mutations
// (include/hotspan/trace_state.hpp states the rules).
//
// The header is split on ',' and each member checked against the grammar of
// https://www.w3.org/TR/trace-context-2/#tracestate-header. The kept form is the
// members joined by ',' (no whitespace, no empty members), so get(), set() and
// erase() walk it with a plain split: a valid member contains no ','. At most 32
// members, so the duplicate check is a quadratic scan that never allocates.
#include "hotspan/trace_state.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace hotspan {
namespace {

bool is_lcalpha(char c) noexcept {
  return c >= 'a' && c <= 'z';
}
bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}
bool is_key_char(char c) noexcept {
  return is_lcalpha(c) || is_digit(c) || c == '_' || c == '-' || c == '*' || c == '/' || c == '@';
}
bool is_ows(char c) noexcept {
  return c == ' ' || c == '\t';
}

// Level 2's grammar (§3.3.1.3.1): key = ( lcalpha / DIGIT ) 0*255( keychar ).
// It replaces Level 1's tenant@system form, whose keys all still match: '@' is
// a key character like any other, so "foo@", "foo@@bar" and a 242-character
// tenant are keys, and the 256-character bound is on the whole key.
bool valid_key(std::string_view key) noexcept {
  if (key.empty() || key.size() > TraceState::kMaxKeySize) return false;
  if (!is_lcalpha(key[0]) && !is_digit(key[0])) return false;
  for (const char c : key.substr(1)) {
    if (!is_key_char(c)) return false;
  }
  return true;
}

bool valid_value(std::string_view value) noexcept {
  if (value.empty() || value.size() > TraceState::kMaxValueSize || value.back() == ' ') {
    return false;
  }
  for (const char c : value) {
    if (c < 0x20 || c > 0x7e || c == ',' || c == '=') return false;
  }
  return true;
}

std::string_view trim_ows(std::string_view s) noexcept {
  while (!s.empty() && is_ows(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back()))
    s.remove_suffix(1);
  return s;
}

// Calls fn(member) for each ','-separated piece of `list` (pieces may be empty
// or padded in a received header; never in the kept form); stops when fn
// returns false.
template <class F>
void for_each_piece(std::string_view list, F&& fn) {
  while (true) {
    const size_t comma = list.find(',');
    if (!fn(list.substr(0, comma)) || comma == std::string_view::npos) return;
    list.remove_prefix(comma + 1);
  }
}

std::string_view key_of(std::string_view member) noexcept {
  return member.substr(0, member.find('='));
}

}  // namespace

std::optional<TraceState> TraceState::parse(std::string_view header, std::string_view* error) {
  TraceState state;
  const char* problem = nullptr;
  for_each_piece(header, [&](std::string_view piece) {
    const std::string_view member = trim_ows(piece);
    if (member.empty()) return true;  // allowed, carries nothing
    const size_t equals = member.find('=');
    if (equals == std::string_view::npos) {
      problem = "a list member has no '='";
    } else if (!valid_key(member.substr(0, equals))) {
      problem =
          "a key breaks the key grammar (lowercase letter first, [a-z0-9_-*/], "
          "at most 256 characters, or tenant@system)";
    } else if (!valid_value(member.substr(equals + 1))) {
      problem =
          "a value is empty, longer than 256 characters, ends in a space or has a "
          "character outside 0x20-0x7E, ',' or '='";
    } else if (state.get(member.substr(0, equals))) {
      // §3.3.1.1: duplicates break the header, but a receiver may drop them
      // rather than the whole header. The first (leftmost: most recently
      // updated) member of a key is kept.
      ++state._duplicates_dropped;
      return true;
    } else if (state._size == kMaxMembers) {
      problem = "more than 32 list members";
    } else {
      if (!state._header.empty()) state._header += ',';
      state._header += member;
      ++state._size;
      return true;
    }
    return false;
  });
  if (problem != nullptr) {
    if (error != nullptr) *error = problem;
    return std::nullopt;
  }
  return state;
}

std::optional<std::string_view> TraceState::get(std::string_view key) const noexcept {
  std::optional<std::string_view> found;
  if (_header.empty()) return found;
  for_each_piece(_header, [&](std::string_view member) {
    if (key_of(member) != key) return true;
    found = member.substr(key.size() + 1);
    return false;
  });
  return found;
}

std::optional<TraceState> TraceState::set(std::string_view key, std::string_view value) const {
  if (!valid_key(key) || !valid_value(value)) return std::nullopt;
  TraceState updated = erase(key);
  if (updated._size == kMaxMembers) {  // the new member pushes the last one out
    updated._header.resize(updated._header.rfind(','));
    --updated._size;
  }
  std::string header;
  header.reserve(key.size() + 1 + value.size() + 1 + updated._header.size());
  header.append(key).append(1, '=').append(value);
  if (!updated._header.empty()) header.append(1, ',').append(updated._header);
  updated._header = std::move(header);
  ++updated._size;
  return updated;
}

TraceState TraceState::erase(std::string_view key) const {
  TraceState kept;
  if (_header.empty()) return kept;
  for_each_piece(_header, [&](std::string_view member) {
    if (key_of(member) != key) {
      if (!kept._header.empty()) kept._header += ',';
      kept._header += member;
      ++kept._size;
    }
    return true;
  });
  return kept;
}

}  // namespace hotspan
