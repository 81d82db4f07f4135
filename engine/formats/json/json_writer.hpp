// hotspan — JSON value writer shared by every text encoder.
//
// Appends to a caller-owned std::string that is reused across calls, so the only
// allocation is the buffer's own growth. The output is strict RFC 8259 whatever
// the input bytes: control characters, '"', '\' and DEL are escaped, invalid
// UTF-8 becomes U+FFFD (one per maximal subpart, as Unicode and the WHATWG
// decoder do), and non-finite doubles become the strings "NaN", "Infinity" and
// "-Infinity" because JSON has no literal for them. Valid UTF-8 is copied as is;
// ASCII runs are scanned eight bytes at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/hex.hpp"
#include "formats/distinct_attributes.hpp"
#include "hotspan/attribute.hpp"
#include "hotspan/ids.hpp"
#include "hotspan/span_record.hpp"

namespace hotspan::detail {

// `s` as a quoted JSON string.
void write_string(std::string& out, std::string_view s);
// The body of write_string without the quotes: for text that must stay on one
// line and be valid UTF-8 but is not JSON (the pretty encoder's names and keys).
void write_escaped(std::string& out, std::string_view s);

void write_int(std::string& out, int64_t v);
void write_uint(std::string& out, uint64_t v);
void write_bool(std::string& out, bool v);
// Finite values: shortest round-trip form, with ".0" added to integral values so
// that a reader gets a double back, not an integer. Others: "NaN", "Infinity",
// "-Infinity" as JSON strings.
void write_double(std::string& out, double v);
// The same digits as write_double, but non-finite values unquoted (NaN, Infinity,
// -Infinity): for human-readable output, never for JSON.
void write_double_text(std::string& out, double v);

// bool → true/false, int64 → number, double → write_double, string → write_string.
void write_attribute_value(std::string& out, const AttributeValue& v);
// `open`, then member(key, value) for each distinct key of `attributes`, comma
// separated, then `close`: a JSON object or array of attributes, in which a
// key present more than once appears once, at its first position, with its
// last value (formats/distinct_attributes.hpp).
template <class Member>
void write_attribute_list(std::string& out, char open, char close,
                          std::span<const AttributeView> attributes, Member&& member) {
  out.push_back(open);
  bool first = true;
  for_each_distinct_attribute(attributes, [&](std::string_view key, const AttributeValue& value) {
    if (!first) out.push_back(',');
    first = false;
    member(key, value);
  });
  out.push_back(close);
}
// A JSON object: {"key":value,...}.
void write_attributes(std::string& out, std::span<const AttributeView> attributes);

// A record's ids as members of a JSON object that is open, under a format's
// keys; each key is given as the text that precedes its hex value, quotes,
// colon and separator included (R"(,"spanId":")"). The parent is written
// only for a span that has one, and never when its prefix is empty.
struct IdMemberPrefixes {
  std::string_view trace_id;
  std::string_view span_id;
  std::string_view parent_span_id;
};
void write_id_members(std::string& out, const SpanRecord& record, const IdMemberPrefixes& prefixes);

// The first `digits` characters of the id's lowercase hex (engine/core/hex.hpp's
// write_hex; by default the whole id). No allocation beyond the growth of `out`.
void append_hex(std::string& out, const TraceId& id, size_t digits = kTraceIdHexSize);
void append_hex(std::string& out, SpanId id, size_t digits = kSpanIdHexSize);

}  // namespace hotspan::detail
