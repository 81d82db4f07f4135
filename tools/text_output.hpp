// hotspan tool — text for the terminal: span data made safe to print, display
// widths and aligned tables. Durations are the library's format_duration()
// (hotspan/span_record.hpp), the text of its pretty stdout exporter too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hotspan/span_record.hpp"
#include "owned_span.hpp"

namespace hotspan::tool {

// Bytes from a file made safe for a terminal: control characters (and DEL)
// become \n, \t or \xNN escapes; the text is cut after `max_chars` characters
// with a trailing "…" (0 = no limit).
std::string printable(std::string_view text, size_t max_chars = 0);

// Columns a UTF-8 string takes on a terminal (one per code point; no wide-glyph
// accounting).
size_t display_width(std::string_view text);

// "key=value": strings quoted only when they contain spaces or are empty.
std::string format_attribute(const OwnedAttribute& attribute, size_t max_value_chars);

// A table printed with columns aligned: the first `left_aligned` columns to the
// left, the others (numbers) to the right, two spaces between columns.
class Table {
 public:
  Table(std::vector<std::string> header, size_t left_aligned);
  void add_row(std::vector<std::string> row);
  std::string render() const;

 private:
  std::vector<std::vector<std::string>> _rows;
  size_t _left_aligned;
};

}  // namespace hotspan::tool
