// hotspan — attribute values.
//
// An attribute value is a bool, a 64-bit integer, a double or a string. The
// variant holds a string_view: it never owns. On the caller's side values are
// copied into the span's slot immediately (bounded, truncation counted); on the
// exporter's side they are views into the slot, valid during export_batch().
#pragma once

#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

namespace hotspan {

using AttributeValue = std::variant<bool, int64_t, double, std::string_view>;

namespace detail {
// Maps every accepted C++ type onto one AttributeValue alternative, so that
// `set_attribute("port", 443u)` is an integer and `set_attribute("x", "y")` a string
// rather than the bool that a bare `const char*` would otherwise convert to.
template <class T>
concept attribute_integer = std::integral<T> && !std::same_as<T, bool> && !std::same_as<T, char> &&
                            !std::same_as<T, char8_t> && !std::same_as<T, char16_t> &&
                            !std::same_as<T, char32_t> && !std::same_as<T, wchar_t>;

template <class T>
concept attribute_string = std::convertible_to<const T&, std::string_view> &&
    !std::same_as<std::remove_cvref_t<T>, std::nullptr_t>;

template <class T>
concept attribute_type = std::same_as < std::remove_cvref_t<T>,
bool > || attribute_integer<std::remove_cvref_t<T>> ||
    std::floating_point<std::remove_cvref_t<T>> || attribute_string<T>;

template <attribute_type T>
constexpr AttributeValue to_attribute_value(const T& v) noexcept {
  using U = std::remove_cvref_t<T>;
  if constexpr (std::same_as<U, bool>) {
    return AttributeValue(std::in_place_index<0>, v);
  } else if constexpr (attribute_integer<U>) {
    // Unsigned values above INT64_MAX wrap to negative: the documented int64 storage.
    return AttributeValue(std::in_place_index<1>, static_cast<int64_t>(v));
  } else if constexpr (std::floating_point<U>) {
    return AttributeValue(std::in_place_index<2>, static_cast<double>(v));
  } else {
    return AttributeValue(std::in_place_index<3>, std::string_view(v));
  }
}
}  // namespace detail

struct Attribute {
  std::string_view key;
  AttributeValue value;

  template <detail::attribute_type T>
  constexpr Attribute(std::string_view k, const T& v) noexcept
      : key(k), value(detail::to_attribute_value(v)) {}
  constexpr Attribute(std::string_view k, AttributeValue v) noexcept : key(k), value(v) {}
};

// What an exporter sees: the same shape, values pointing into the finished span.
struct AttributeView {
  std::string_view key;
  AttributeValue value;
};

}  // namespace hotspan
