// hotspan fuzzing — the W3C tracestate parser (include/hotspan/trace_state.hpp)
// and the 26-byte binary context (include/hotspan/span_context.hpp).
//
// Asserted for the input and, for the binary context, for every 26-byte window:
//   * TraceState::parse agrees with a separate statement of the grammar (split
//     on ',', trim spaces and tabs, skip empty pieces, key '=' value with each
//     rule checked by character class and length (Level 2 keys: a lowercase
//     letter or digit, then up to 255 of [a-z0-9_-*/@]), ≤ 32 members; a
//     repeated key keeps its first member and counts the others as dropped);
//     a rejection always comes with a message;
//   * an accepted header is kept as its members joined by ',': that text parses
//     back to an equal state, size() is the member count, get() finds each
//     member's value; set() puts its member first, replacing one of the same
//     key or else adding one and keeping ≤ 32 members, and erase() of it gives
//     the state without it;
//   * parse_binary_context accepts exactly 26 bytes with version 0 and non-zero
//     ids, marks the result remote, and to_binary_context gives back the bytes.
#include <hotspan/hotspan.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz_check.hpp"
#include "owned_record.hpp"

namespace {

constexpr std::string_view kLower = "abcdefghijklmnopqrstuvwxyz";
constexpr std::string_view kDigits = "0123456789";
constexpr std::string_view kKeySymbols = "_-*/@";

bool only(std::string_view s, std::string_view allowed) {
  return s.find_first_not_of(allowed) == std::string_view::npos;
}

bool expected_key(std::string_view key) {
  const std::string first = std::string(kLower) + std::string(kDigits);
  const std::string rest = first + std::string(kKeySymbols);
  return !key.empty() && key.size() <= 256 && first.find(key[0]) != std::string::npos &&
         only(key.substr(1), rest);
}

bool expected_value(std::string_view value) {
  if (value.empty() || value.size() > 256 || value.back() == ' ') return false;
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7e || c == ',' || c == '=') return false;
  }
  return true;
}

using Members = std::vector<std::pair<std::string, std::string>>;

// The members of a valid header, trimmed, in order, without repeated keys;
// nullopt when invalid. `duplicates` counts the repeats.
std::optional<Members> expected_members(std::string_view header, size_t& duplicates) {
  duplicates = 0;
  Members members;
  size_t start = 0;
  while (start <= header.size()) {
    size_t end = header.find(',', start);
    if (end == std::string_view::npos) end = header.size();
    std::string_view piece = header.substr(start, end - start);
    const size_t first = piece.find_first_not_of(" \t");
    if (first != std::string_view::npos) {
      piece = piece.substr(first, piece.find_last_not_of(" \t") - first + 1);
      const size_t equals = piece.find('=');
      if (equals == std::string_view::npos) return std::nullopt;
      const std::string_view key = piece.substr(0, equals);
      const std::string_view value = piece.substr(equals + 1);
      if (!expected_key(key) || !expected_value(value)) return std::nullopt;
      if (std::any_of(members.begin(), members.end(),
                      [&](const auto& member) { return member.first == key; })) {
        ++duplicates;
      } else {
        members.emplace_back(key, value);
        if (members.size() > 32) return std::nullopt;
      }
    }
    start = end + 1;
  }
  return members;
}

// The header of `members` without the member whose key is `skip`.
std::string joined(const Members& members, std::string_view skip = {}) {
  std::string header;
  for (const auto& [key, value] : members) {
    if (key == skip) continue;
    if (!header.empty()) header += ',';
    header += key + "=" + value;
  }
  return header;
}

void check_trace_state(std::string_view header) {
  std::string_view error;
  const std::optional<hotspan::TraceState> state = hotspan::TraceState::parse(header, &error);
  size_t duplicates = 0;
  const auto expected = expected_members(header, duplicates);
  const std::string shown = hotspan_fuzz::printable(header);
  FUZZ_CHECK(state.has_value() == expected.has_value(),
             shown + (expected ? " was rejected: " + std::string(error) : " was accepted"));
  if (!state) {
    FUZZ_CHECK(!error.empty(), shown);
    return;
  }
  for (const auto& [key, value] : *expected)
    FUZZ_CHECK(state->get(key) == std::string_view(value), shown + " key " + key);
  FUZZ_CHECK(state->header() == joined(*expected), shown);
  FUZZ_CHECK(state->size() == expected->size(), shown);
  FUZZ_CHECK(state->duplicates_dropped() == duplicates, shown);
  const auto again = hotspan::TraceState::parse(state->header());
  FUZZ_CHECK(again.has_value() && *again == *state, shown);

  // The input may hold this key itself: set() then replaces that member
  // instead of adding one.
  constexpr std::string_view kKey = "fuzz@hotspan";
  const bool present = std::any_of(expected->begin(), expected->end(),
                                   [&](const auto& member) { return member.first == kKey; });
  const auto added = state->set(kKey, "1");
  FUZZ_CHECK(added.has_value(), shown);
  FUZZ_CHECK(added->header().starts_with("fuzz@hotspan=1"), shown);
  const size_t size = present ? expected->size() : std::min<size_t>(expected->size() + 1, 32);
  FUZZ_CHECK(added->size() == size, shown);
  if (present || expected->size() < 32) {
    FUZZ_CHECK(added->erase(kKey).header() == joined(*expected, kKey), shown);
  }
}

void check_binary_context(std::span<const std::byte> bytes) {
  const std::optional<hotspan::SpanContext> parsed = hotspan::parse_binary_context(bytes);
  bool trace_set = false, span_set = false;
  for (size_t i = 1; i < bytes.size() && i < 25; ++i) {
    (i < 17 ? trace_set : span_set) |= bytes[i] != std::byte{0};
  }
  const bool expected = bytes.size() == 26 && bytes[0] == std::byte{0} && trace_set && span_set;
  FUZZ_CHECK(parsed.has_value() == expected,
             "binary context of " + std::to_string(bytes.size()) +
                 (expected ? " bytes rejected" : " bytes accepted"));
  if (!parsed) return;
  FUZZ_CHECK(parsed->is_remote && parsed->valid(), "binary context");
  const auto written = hotspan::to_binary_context(*parsed);
  FUZZ_CHECK(std::equal(written.begin(), written.end(), bytes.begin()), "binary round trip");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  check_trace_state(std::string_view(reinterpret_cast<const char*>(data), size));
  const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  check_binary_context(bytes);
  for (size_t i = 1; i + 26 <= size && i < 64; ++i)
    check_binary_context(bytes.subspan(i, 26));
  return 0;
}
