// hotspan fuzzing — W3C traceparent parsing and the hex forms of the ids
// (include/hotspan/span_context.hpp, include/hotspan/ids.hpp).
//
// Asserted, for the whole input and for slices of it:
//   * parse_traceparent agrees with a separate statement of its contract: 55
//     characters, "00-", lowercase hex with '-' at 35 and 52, trace id and
//     parent id not all zeros, any flags; the result is remote, with the ids and
//     flags of the text;
//   * when it parses, to_traceparent gives back exactly the input (every
//     accepted input is lowercase and canonical), which parses to the same
//     context;
//   * TraceId::from_hex / SpanId::from_hex accept exactly 32 / 16 hex digits of
//     either case, not all zeros, and to_hex gives back the slice in lowercase.
#include <hotspan/hotspan.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "owned_record.hpp"

namespace {

int hex_value(char c, bool either_case) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (either_case && c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool all_hex(std::string_view s, bool either_case) {
  for (char c : s) {
    if (hex_value(c, either_case) < 0) return false;
  }
  return true;
}

bool all_zeros(std::string_view s) {
  return s.find_first_not_of('0') == std::string_view::npos;
}

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

void check_traceparent(std::string_view text) {
  const std::optional<hotspan::SpanContext> parsed = hotspan::parse_traceparent(text);
  const bool expected = text.size() == 55 && text.starts_with("00-") && text[35] == '-' &&
                        text[52] == '-' && all_hex(text.substr(3, 32), false) &&
                        all_hex(text.substr(36, 16), false) && all_hex(text.substr(53, 2), false) &&
                        !all_zeros(text.substr(3, 32)) && !all_zeros(text.substr(36, 16));
  const std::string shown = hotspan_fuzz::printable(text);
  FUZZ_CHECK(parsed.has_value() == expected,
             shown + (expected ? " was rejected" : " was accepted"));
  if (!parsed) return;

  FUZZ_CHECK(parsed->is_remote, shown);
  FUZZ_CHECK(parsed->valid(), shown);
  FUZZ_CHECK(parsed->trace_id.to_hex() == text.substr(3, 32), shown);
  FUZZ_CHECK(parsed->span_id.to_hex() == text.substr(36, 16), shown);
  const int flags = hex_value(text[53], false) * 16 + hex_value(text[54], false);
  FUZZ_CHECK(parsed->trace_flags == flags, shown);
  FUZZ_CHECK(parsed->sampled() == ((flags & 1) != 0), shown);

  const std::string written = hotspan::to_traceparent(*parsed);
  FUZZ_CHECK(written == text, shown + " written back as " + hotspan_fuzz::printable(written));
  const std::optional<hotspan::SpanContext> again = hotspan::parse_traceparent(written);
  FUZZ_CHECK(again.has_value() && *again == *parsed, shown);
}

void check_trace_id(std::string_view text) {
  const std::optional<hotspan::TraceId> id = hotspan::TraceId::from_hex(text);
  const bool expected = text.size() == 32 && all_hex(text, true) && !all_zeros(text);
  FUZZ_CHECK(id.has_value() == expected, hotspan_fuzz::printable(text));
  if (!id) return;
  FUZZ_CHECK(id->valid(), hotspan_fuzz::printable(text));
  FUZZ_CHECK(id->to_hex() == lowercase(text), hotspan_fuzz::printable(text));
}

void check_span_id(std::string_view text) {
  const std::optional<hotspan::SpanId> id = hotspan::SpanId::from_hex(text);
  const bool expected = text.size() == 16 && all_hex(text, true) && !all_zeros(text);
  FUZZ_CHECK(id.has_value() == expected, hotspan_fuzz::printable(text));
  if (!id) return;
  FUZZ_CHECK(id->valid(), hotspan_fuzz::printable(text));
  FUZZ_CHECK(id->to_hex() == lowercase(text), hotspan_fuzz::printable(text));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check_traceparent(text);
  check_trace_id(text);
  check_span_id(text);
  // A longer input is many candidates: every 55-, 32- and 16-byte window.
  for (size_t i = 1; i + 16 <= size && i < 256; ++i) {
    check_span_id(text.substr(i, 16));
    if (i + 32 <= size) check_trace_id(text.substr(i, 32));
    if (i + 55 <= size) check_traceparent(text.substr(i, 55));
  }
  return 0;
}
