// hotspan — an attribute value as text, the way rules compare and hash it:
// true/false, decimal integers, and a double in the digits the JSON formats
// write (so that a rule written against a trace file matches the value).
#pragma once

#include <string>
#include <variant>

#include "formats/json/json_writer.hpp"
#include "hotspan/attribute.hpp"

namespace hotspan::detail {

inline std::string attribute_text(const AttributeValue& value) {
  switch (value.index()) {
    case 0:
      return std::get<0>(value) ? "true" : "false";
    case 1:
      return std::to_string(std::get<1>(value));
    case 2: {
      std::string text;
      write_double_text(text, std::get<2>(value));
      return text;
    }
    default:
      return std::string(std::get<3>(value));
  }
}

}  // namespace hotspan::detail
