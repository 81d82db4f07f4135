// hotspan — glob matching of rule patterns (see key_pattern.hpp).
#include "backend/key_pattern.hpp"

namespace hotspan::detail {

bool glob_matches(std::string_view pattern, std::string_view text) noexcept {
  size_t p = 0, k = 0, star = std::string_view::npos, resume = 0;
  while (k < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[k])) {
      ++p;
      ++k;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = k;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      k = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*')
    ++p;
  return p == pattern.size();
}

}  // namespace hotspan::detail
