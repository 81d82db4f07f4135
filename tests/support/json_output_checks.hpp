// Test support shared by the JSON writer and encoder tests: the example trace
// id they all encode, U+FFFD as the encoders write it, and small accessors over
// simdjson DOM values.
#pragma once

#include <simdjson.h>
#include <hotspan/ids.hpp>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace hotspan_test {

// U+FFFD, what the encoders put in place of ill-formed UTF-8.
inline const std::string kFffd = "\xEF\xBF\xBD";

// The trace id of the W3C Trace Context examples: 4bf92f3577b34da6a3ce929d0e0e4736.
inline hotspan::TraceId example_trace_id() {
  hotspan::TraceId id;
  const uint8_t bytes[16] = {0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6,
                             0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36};
  std::memcpy(id.bytes.data(), bytes, sizeof(bytes));
  return id;
}

// An object's keys, in document order.
inline std::vector<std::string> keys_of(simdjson::dom::object object) {
  std::vector<std::string> keys;
  for (const simdjson::dom::key_value_pair field : object)
    keys.emplace_back(field.key);
  return keys;
}

// A string element's text (throws simdjson_error when it is not a string).
inline std::string str(simdjson::dom::element e) {
  return std::string(std::string_view(e));
}

}  // namespace hotspan_test
