// hotspan fuzzing — W3C traceparent parsing, the binary context and the hex
// forms of the ids (include/hotspan/span_context.hpp, include/hotspan/ids.hpp).
//
// Asserted, for the whole input and for slices of it:
//   * parse_traceparent agrees with a separate statement of its contract: a
//     two-digit lowercase hex version other than "ff", '-' at 2, 35 and 52,
//     lowercase hex fields, trace id and parent id not all zeros, any flags;
//     version 00 exactly 55 characters, a later version 55 or more with '-' at
//     55 when longer; the result is remote, with the ids and flags of the text;
//   * when it parses, to_traceparent gives back the input's first 55
//     characters with version 00 and only the defined flags (sampled, random),
//     which parses to the same context with those flags;
//   * extract_context() takes the same decision on the text with spaces and
//     tabs around it, and never keeps a tracestate without a context;
//   * TraceId::from_hex / SpanId::from_hex accept exactly 32 / 16 hex digits of
//     either case, not all zeros, and to_hex gives back the slice in lowercase;
//   * parse_binary_context accepts exactly 26 bytes of version 0 with non-zero
//     ids, remote, and write_binary_context gives the bytes back.
#include <hotspan/hotspan.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <span>
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
  const bool version_ok =
      text.size() >= 55 && all_hex(text.substr(0, 2), false) && !text.starts_with("ff") &&
      (text.starts_with("00") ? text.size() == 55 : text.size() == 55 || text[55] == '-');
  const bool expected = version_ok && text[2] == '-' && text[35] == '-' && text[52] == '-' &&
                        all_hex(text.substr(3, 32), false) && all_hex(text.substr(36, 16), false) &&
                        all_hex(text.substr(53, 2), false) && !all_zeros(text.substr(3, 32)) &&
                        !all_zeros(text.substr(36, 16));
  const std::string shown = hotspan_fuzz::printable(text);
  FUZZ_CHECK(parsed.has_value() == expected,
             shown + (expected ? " was rejected" : " was accepted"));
  // (Text that starts or ends with whitespace itself would be trimmed too.)
  const bool padded = !text.empty() && (text.find_first_of(" \t") == 0 ||
                                        text.find_last_of(" \t") == text.size() - 1);
  const hotspan::ExtractedContext extracted =
      hotspan::extract_context(" \t" + std::string(text) + "\t ", "k=v");
  FUZZ_CHECK(padded || extracted.context.valid() == expected, shown + " (extract_context)");
  FUZZ_CHECK(extracted.context.valid() || extracted.trace_state.empty(),
             shown + " (tracestate without parent)");
  if (!parsed) return;
  FUZZ_CHECK(extracted.context == *parsed, shown + " (extract_context)");

  FUZZ_CHECK(parsed->is_remote, shown);
  FUZZ_CHECK(parsed->valid(), shown);
  FUZZ_CHECK(parsed->trace_id.to_hex() == text.substr(3, 32), shown);
  FUZZ_CHECK(parsed->span_id.to_hex() == text.substr(36, 16), shown);
  const int flags = hex_value(text[53], false) * 16 + hex_value(text[54], false);
  FUZZ_CHECK(parsed->trace_flags == flags, shown);
  FUZZ_CHECK(parsed->sampled() == ((flags & 1) != 0), shown);

  const std::string written = hotspan::to_traceparent(*parsed);
  char defined_flags[3];
  std::snprintf(defined_flags, sizeof defined_flags, "%02x", flags & hotspan::kTraceFlagsDefined);
  const std::string canonical = "00" + std::string(text.substr(2, 51)) + defined_flags;
  FUZZ_CHECK(written == canonical, shown + " written back as " + hotspan_fuzz::printable(written));
  const std::optional<hotspan::SpanContext> again = hotspan::parse_traceparent(written);
  hotspan::SpanContext expected_again = *parsed;
  expected_again.trace_flags = static_cast<uint8_t>(flags & hotspan::kTraceFlagsDefined);
  FUZZ_CHECK(again.has_value() && *again == expected_again, shown);
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

void check_binary_context(std::string_view bytes) {
  const std::span<const std::byte> field(reinterpret_cast<const std::byte*>(bytes.data()),
                                         bytes.size());
  const std::optional<hotspan::SpanContext> parsed = hotspan::parse_binary_context(field);
  const bool expected = bytes.size() == hotspan::kBinaryContextSize && bytes[0] == 0 &&
                        bytes.substr(1, 16).find_first_not_of('\0') != std::string_view::npos &&
                        bytes.substr(17, 8).find_first_not_of('\0') != std::string_view::npos;
  const std::string shown = hotspan_fuzz::printable(bytes);
  FUZZ_CHECK(parsed.has_value() == expected,
             "binary context " + shown + (expected ? " was rejected" : " was accepted"));
  if (!parsed) return;
  FUZZ_CHECK(parsed->is_remote && parsed->valid(), "binary context " + shown);
  const auto written = hotspan::to_binary_context(*parsed);
  FUZZ_CHECK(std::memcmp(written.data(), bytes.data(), written.size()) == 0,
             "binary context " + shown + " written back differently");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check_traceparent(text);
  check_trace_id(text);
  check_span_id(text);
  check_binary_context(text);
  // A longer input is many candidates: every 55-, 32- and 16-byte window.
  for (size_t i = 1; i + 16 <= size && i < 256; ++i) {
    check_span_id(text.substr(i, 16));
    if (i + 32 <= size) check_trace_id(text.substr(i, 32));
    if (i + 26 <= size) check_binary_context(text.substr(i, 26));
    if (i + 55 <= size) check_traceparent(text.substr(i, 55));
    if (i + 55 < size) check_traceparent(text.substr(i));  // a later version's extra fields
  }
  return 0;
}
