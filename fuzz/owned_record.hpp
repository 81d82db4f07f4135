// hotspan fuzzing — owned copies of SpanRecords, compared field by field, and an
// independent statement of what the JSON encoders promise to do to a record
// (docs: engine/formats/json/json_writer.hpp, DESIGN.md "Record formats"):
//   * strings: invalid UTF-8 becomes U+FFFD, one per maximal subpart (here the
//     WHATWG decoder's formulation, written separately from the encoder's);
//   * attributes: a key present more than once appears once, at its first
//     position, with its last value (span and event attributes alike);
//   * doubles: NaN, Infinity and -Infinity become those strings; finite values
//     read back bit for bit (shortest round-trip form, ".0" on integral ones).
// Doubles compare by their bits, so NaN equals the same NaN and 0.0 differs
// from -0.0.
#pragma once

#include <hotspan/hotspan.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace hotspan_fuzz {

using OwnedValue = std::variant<bool, int64_t, double, std::string>;

struct OwnedAttribute {
  std::string key;
  OwnedValue value;
};

struct OwnedEvent {
  std::string name;
  uint64_t time_unix_ns = 0;
  std::vector<OwnedAttribute> attributes;
};

struct OwnedRecord {
  hotspan::TraceId trace_id;
  hotspan::SpanId span_id;
  hotspan::SpanId parent_span_id;
  std::string name;
  hotspan::SpanKind kind = hotspan::SpanKind::internal;
  uint64_t start_unix_ns = 0;
  uint64_t end_unix_ns = 0;
  hotspan::StatusCode status = hotspan::StatusCode::unset;
  std::string status_message;
  std::vector<OwnedAttribute> attributes;
  std::vector<OwnedEvent> events;
  uint32_t dropped_attributes = 0;
  uint32_t dropped_events = 0;
  uint32_t thread_id = 0;
};

inline OwnedValue own(const hotspan::AttributeValue& value) {
  switch (value.index()) {
    case 0:
      return std::get<0>(value);
    case 1:
      return std::get<1>(value);
    case 2:
      return std::get<2>(value);
    default:
      return std::string(std::get<3>(value));
  }
}

inline std::vector<OwnedAttribute> own(std::span<const hotspan::AttributeView> attributes) {
  std::vector<OwnedAttribute> owned;
  owned.reserve(attributes.size());
  for (const hotspan::AttributeView& a : attributes)
    owned.push_back({std::string(a.key), own(a.value)});
  return owned;
}

inline OwnedRecord own(const hotspan::SpanRecord& r) {
  OwnedRecord o;
  o.trace_id = r.trace_id;
  o.span_id = r.span_id;
  o.parent_span_id = r.parent_span_id;
  o.name = std::string(r.name);
  o.kind = r.kind;
  o.start_unix_ns = r.start_unix_ns;
  o.end_unix_ns = r.end_unix_ns;
  o.status = r.status;
  o.status_message = std::string(r.status_message);
  o.attributes = own(r.attributes);
  for (const hotspan::EventView& e : r.events)
    o.events.push_back({std::string(e.name), e.time_unix_ns, own(e.attributes)});
  o.dropped_attributes = r.dropped_attributes;
  o.dropped_events = r.dropped_events;
  o.thread_id = r.thread_id;
  return o;
}

// Printable and bounded, for failure messages.
inline std::string printable(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size() && i < 160; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"') {
      out.push_back(static_cast<char>(c));
    } else {
      constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  if (s.size() > 160) out += "...";
  return out + "\" (" + std::to_string(s.size()) + " bytes)";
}

inline std::string printable_value(const OwnedValue& v) {
  switch (v.index()) {
    case 0:
      return std::get<0>(v) ? "bool true" : "bool false";
    case 1:
      return "int " + std::to_string(std::get<1>(v));
    case 2: {
      uint64_t bits;
      const double d = std::get<2>(v);
      std::memcpy(&bits, &d, sizeof(bits));
      return "double " + std::to_string(d) + " (bits " + std::to_string(bits) + ")";
    }
    default:
      return "string " + printable(std::get<3>(v));
  }
}

inline bool same_value(const OwnedValue& a, const OwnedValue& b) {
  if (a.index() != b.index()) return false;
  if (a.index() == 2) {
    const double x = std::get<2>(a), y = std::get<2>(b);
    return std::memcmp(&x, &y, sizeof(double)) == 0;
  }
  return a == b;
}

inline std::string attributes_difference(std::string_view where,
                                         const std::vector<OwnedAttribute>& expected,
                                         const std::vector<OwnedAttribute>& actual) {
  if (expected.size() != actual.size()) {
    return std::string(where) + ": expected " + std::to_string(expected.size()) +
           " attributes, got " + std::to_string(actual.size());
  }
  for (size_t i = 0; i < expected.size(); ++i) {
    const std::string at = std::string(where) + "[" + std::to_string(i) + "]";
    if (expected[i].key != actual[i].key) {
      return at + ".key: expected " + printable(expected[i].key) + ", got " +
             printable(actual[i].key);
    }
    if (!same_value(expected[i].value, actual[i].value)) {
      return at + " " + printable(expected[i].key) + ": expected " +
             printable_value(expected[i].value) + ", got " + printable_value(actual[i].value);
    }
  }
  return {};
}

// Empty when equal, else the first field that differs.
inline std::string difference(const OwnedRecord& e, const OwnedRecord& a) {
  const auto field = [](std::string_view name, const std::string& expected,
                        const std::string& actual) {
    return std::string(name) + ": expected " + expected + ", got " + actual;
  };
  if (e.trace_id != a.trace_id) return field("trace_id", e.trace_id.to_hex(), a.trace_id.to_hex());
  if (e.span_id != a.span_id) return field("span_id", e.span_id.to_hex(), a.span_id.to_hex());
  if (e.parent_span_id != a.parent_span_id) {
    return field("parent_span_id", e.parent_span_id.to_hex(), a.parent_span_id.to_hex());
  }
  if (e.name != a.name) return field("name", printable(e.name), printable(a.name));
  if (e.kind != a.kind) {
    return field("kind", std::string(to_string(e.kind)), std::string(to_string(a.kind)));
  }
  if (e.start_unix_ns != a.start_unix_ns) {
    return field("start", std::to_string(e.start_unix_ns), std::to_string(a.start_unix_ns));
  }
  if (e.end_unix_ns != a.end_unix_ns) {
    return field("end", std::to_string(e.end_unix_ns), std::to_string(a.end_unix_ns));
  }
  if (e.status != a.status) {
    return field("status", std::string(to_string(e.status)), std::string(to_string(a.status)));
  }
  if (e.status_message != a.status_message) {
    return field("status_message", printable(e.status_message), printable(a.status_message));
  }
  if (std::string d = attributes_difference("attributes", e.attributes, a.attributes); !d.empty()) {
    return d;
  }
  if (e.events.size() != a.events.size()) {
    return field("event count", std::to_string(e.events.size()), std::to_string(a.events.size()));
  }
  for (size_t i = 0; i < e.events.size(); ++i) {
    const std::string at = "events[" + std::to_string(i) + "]";
    if (e.events[i].name != a.events[i].name) {
      return field(at + ".name", printable(e.events[i].name), printable(a.events[i].name));
    }
    if (e.events[i].time_unix_ns != a.events[i].time_unix_ns) {
      return field(at + ".time", std::to_string(e.events[i].time_unix_ns),
                   std::to_string(a.events[i].time_unix_ns));
    }
    if (std::string d = attributes_difference(at + ".attributes", e.events[i].attributes,
                                              a.events[i].attributes);
        !d.empty()) {
      return d;
    }
  }
  if (e.dropped_attributes != a.dropped_attributes) {
    return field("dropped_attributes", std::to_string(e.dropped_attributes),
                 std::to_string(a.dropped_attributes));
  }
  if (e.dropped_events != a.dropped_events) {
    return field("dropped_events", std::to_string(e.dropped_events),
                 std::to_string(a.dropped_events));
  }
  if (e.thread_id != a.thread_id) {
    return field("thread_id", std::to_string(e.thread_id), std::to_string(a.thread_id));
  }
  return {};
}

// `s` with every ill-formed UTF-8 subsequence replaced by U+FFFD, following the
// WHATWG UTF-8 decoder: a byte that cannot continue the current sequence ends
// it (one U+FFFD) and is then looked at again as the start of the next.
inline std::string repaired_utf8(std::string_view s) {
  constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const auto lead = static_cast<unsigned char>(s[i]);
    if (lead < 0x80) {
      out.push_back(static_cast<char>(lead));
      ++i;
      continue;
    }
    size_t needed = 0;
    unsigned char lower = 0x80, upper = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      needed = 1;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      needed = 2;
      if (lead == 0xE0) lower = 0xA0;
      if (lead == 0xED) upper = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      needed = 3;
      if (lead == 0xF0) lower = 0x90;
      if (lead == 0xF4) upper = 0x8F;
    } else {
      out.append(kReplacement);
      ++i;
      continue;
    }
    size_t j = i + 1;
    bool complete = true;
    for (size_t seen = 0; seen < needed; ++seen, ++j) {
      if (j == s.size()) {
        complete = false;
        break;
      }
      const auto c = static_cast<unsigned char>(s[j]);
      if (c < lower || c > upper) {
        complete = false;
        break;
      }
      lower = 0x80;
      upper = 0xBF;
    }
    if (complete) {
      out.append(s.substr(i, j - i));
    } else {
      out.append(kReplacement);
    }
    i = j;
  }
  return out;
}

inline OwnedValue as_json_reads_it(const OwnedValue& v) {
  if (const auto* d = std::get_if<double>(&v); d != nullptr && !std::isfinite(*d)) {
    return std::string(std::isnan(*d) ? "NaN" : (*d > 0 ? "Infinity" : "-Infinity"));
  }
  if (const auto* s = std::get_if<std::string>(&v)) return repaired_utf8(*s);
  return v;
}

// Duplicate keys folded (first position, last value), then JSON's view of each.
inline std::vector<OwnedAttribute> as_json_reads_it(const std::vector<OwnedAttribute>& in) {
  std::vector<OwnedAttribute> out;
  for (size_t i = 0; i < in.size(); ++i) {
    bool seen = false;
    for (size_t j = 0; j < i && !seen; ++j)
      seen = in[j].key == in[i].key;
    if (seen) continue;
    size_t source = i;
    for (size_t j = i + 1; j < in.size(); ++j) {
      if (in[j].key == in[i].key) source = j;
    }
    out.push_back({repaired_utf8(in[i].key), as_json_reads_it(in[source].value)});
  }
  return out;
}

inline OwnedRecord as_json_reads_it(const OwnedRecord& r) {
  OwnedRecord o = r;
  o.name = repaired_utf8(r.name);
  o.status_message = repaired_utf8(r.status_message);
  o.attributes = as_json_reads_it(r.attributes);
  for (OwnedEvent& e : o.events) {
    e.name = repaired_utf8(e.name);
    e.attributes = as_json_reads_it(e.attributes);
  }
  return o;
}

}  // namespace hotspan_fuzz
