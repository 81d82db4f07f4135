// hotspan — the one rule every text and OTLP encoder follows for a key that a
// span or event holds more than once (set_attribute() on a key already set
// appends a second entry to the slot): the key is written once, at the
// position of its first entry, with the value of its last entry (later calls
// overwrite earlier ones). The binary format keeps every entry; its readers
// apply the same rule.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

#include "hotspan/attribute.hpp"

namespace hotspan::detail {

// Calls visit(key, value) once per distinct key of `attributes`, in the
// order of their first entries, with the last value given for the key.
// Quadratic in the number of attributes, which the per-span limits keep
// small; allocates nothing.
template <class Visit>
void for_each_distinct_attribute(std::span<const AttributeView> attributes, Visit&& visit) {
  for (size_t i = 0; i < attributes.size(); ++i) {
    const std::string_view key = attributes[i].key;
    bool seen = false;
    for (size_t j = 0; j < i && !seen; ++j)
      seen = attributes[j].key == key;
    if (seen) continue;  // written at its first position
    const AttributeValue* value = &attributes[i].value;
    for (size_t j = i + 1; j < attributes.size(); ++j) {
      if (attributes[j].key == key) value = &attributes[j].value;
    }
    visit(key, *value);
  }
}

}  // namespace hotspan::detail
