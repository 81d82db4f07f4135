// hotspan — the key and name patterns of redaction and tail-sampling rules:
// an exact text, or a glob in which '*' stands for any run of bytes (also
// none) and '?' for one byte.
//
// Most rules name one exact key, so a pattern without a wildcard is compared
// as a string (one length compare rejects nearly every other key); a glob is
// matched iteratively with one backtrack point: linear for one '*', at most
// pattern × text steps otherwise (keys and names are at most
// max_string_bytes).
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace hotspan::detail {

// Whether `text` matches the glob `pattern`.
bool glob_matches(std::string_view pattern, std::string_view text) noexcept;

class KeyPattern {
 public:
  explicit KeyPattern(std::string pattern)
      : _pattern(std::move(pattern)), _exact(_pattern.find_first_of("*?") == std::string::npos) {}

  bool matches(std::string_view text) const noexcept {
    return _exact ? _pattern == text : glob_matches(_pattern, text);
  }

 private:
  std::string _pattern;
  bool _exact;
};

}  // namespace hotspan::detail
