// hotspan tool — terminal text: safe strings, aligned tables (see
// text_output.hpp).
#include "text_output.hpp"

#include <algorithm>
#include <cstdio>
#include <type_traits>
#include <utility>
#include <variant>

namespace hotspan::tool {
std::string printable(std::string_view text, size_t max_chars) {
  std::string out;
  out.reserve(text.size());
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    const bool starts_char = (byte & 0xC0) != 0x80;
    if (starts_char && max_chars != 0 && chars == max_chars) {
      out += "…";
      return out;
    }
    if (starts_char) ++chars;
    char escape[8];
    if (byte == '\n') {
      out += "\\n";
    } else if (byte == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7F) {
      std::snprintf(escape, sizeof escape, "\\x%02X", byte);
      out += escape;
    } else if (byte == 0xC2 && i + 1 < text.size() &&
               static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
      // C1 control characters (U+0080..U+009F), which some terminals obey.
      std::snprintf(escape, sizeof escape, "\\u%04X", static_cast<unsigned char>(text[i + 1]));
      out += escape;
      ++i;
    } else {
      out.push_back(static_cast<char>(byte));
    }
  }
  return out;
}

size_t display_width(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::string format_attribute(const OwnedAttribute& attribute, size_t max_value_chars) {
  std::string value = std::visit(
      [max_value_chars](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool>) {
          return v ? "true" : "false";
        } else if constexpr (std::is_same_v<T, int64_t>) {
          return std::to_string(v);
        } else if constexpr (std::is_same_v<T, double>) {
          char text[32];
          std::snprintf(text, sizeof text, "%.6g", v);
          return text;
        } else {
          std::string shown = printable(v, max_value_chars);
          if (shown.empty() || shown.find(' ') != std::string::npos) return '"' + shown + '"';
          return shown;
        }
      },
      attribute.value);
  return printable(attribute.key, 48) + "=" + value;
}

Table::Table(std::vector<std::string> header, size_t left_aligned) : _left_aligned(left_aligned) {
  _rows.push_back(std::move(header));
}

void Table::add_row(std::vector<std::string> row) {
  _rows.push_back(std::move(row));
}

std::string Table::render() const {
  std::vector<size_t> widths;
  for (const auto& row : _rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t c = 0; c < row.size(); ++c) {
      widths[c] = std::max(widths[c], display_width(row[c]));
    }
  }
  std::string out;
  for (const auto& row : _rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      const size_t pad = widths[c] - display_width(row[c]);
      if (c != 0) line += "  ";
      if (c < _left_aligned) {
        line += row[c];
        line.append(pad, ' ');
      } else {
        line.append(pad, ' ');
        line += row[c];
      }
    }
    while (!line.empty() && line.back() == ' ')
      line.pop_back();
    out += line;
    out += '\n';
  }
  return out;
}

}  // namespace hotspan::tool
