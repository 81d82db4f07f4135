// hotspan — human-readable one-line-per-span encoding (see pretty_encoder.hpp).
//
// Reuses json_writer for every byte that comes from the application (escaping,
// UTF-8 repair, numbers, ids) and the repeated-key rule of every format
// (distinct_attributes.hpp), so the pretty and JSON outputs never disagree
// about what a span holds.
#include "formats/json/pretty_encoder.hpp"

#include <charconv>
#include <cstdint>
#include <iterator>
#include <string_view>
#include <variant>

#include "formats/distinct_attributes.hpp"
#include "formats/json/json_writer.hpp"
#include "formats/json/jsonl_encoder.hpp"

namespace hotspan::detail {
namespace {

constexpr size_t kShortIdDigits = 8;

void write_pretty_value(std::string& out, const AttributeValue& value) {
  if (const double* d = std::get_if<double>(&value)) {
    write_double_text(out, *d);  // NaN reads better unquoted here
  } else {
    write_attribute_value(out, value);
  }
}

}  // namespace

void encode_pretty(const SpanRecord& record, std::string& out) {
  if (record.name.empty()) {
    out.append("\"\"");
  } else {
    write_escaped(out, record.name);
  }
  out.append(" [");
  out.append(to_string(record.kind));
  out.append("] ");
  append_duration(out, duration_ns(record));
  out.append(" trace=");
  append_hex(out, record.trace_id, kShortIdDigits);
  out.append(" span=");
  append_hex(out, record.span_id, kShortIdDigits);
  out.append(" parent=");
  if (record.parent_span_id.valid()) {
    append_hex(out, record.parent_span_id, kShortIdDigits);
  } else {
    out.push_back('-');
  }
  out.append(" status=");
  out.append(to_string(record.status));
  if (!record.status_message.empty()) {
    out.push_back('(');
    write_string(out, record.status_message);
    out.push_back(')');
  }
  for_each_distinct_attribute(record.attributes,
                              [&out](std::string_view key, const AttributeValue& value) {
                                out.push_back(' ');
                                write_escaped(out, key);
                                out.push_back('=');
                                write_pretty_value(out, value);
                              });
  out.append(" events=");
  write_uint(out, record.events.size());
  if (record.dropped_attributes != 0) {
    out.append(" dropped_attributes=");
    write_uint(out, record.dropped_attributes);
  }
  if (record.dropped_events != 0) {
    out.append(" dropped_events=");
    write_uint(out, record.dropped_events);
  }
  out.push_back('\n');
}

namespace {

class PrettyEncoder final : public RecordEncoder {
 public:
  void begin(const Resource& /*resource*/, std::string& /*out*/) override {}
  size_t encode(std::span<const SpanRecord> records, std::string& out) override {
    for (const SpanRecord& record : records)
      encode_pretty(record, out);
    return 0;
  }
};

}  // namespace

std::unique_ptr<RecordEncoder> make_pretty_encoder() {
  return std::make_unique<PrettyEncoder>();
}

}  // namespace hotspan::detail

namespace hotspan {

void append_duration(std::string& out, uint64_t nanoseconds) {
  if (nanoseconds < 1000) {
    detail::write_uint(out, nanoseconds);
    out.append(" ns");
    return;
  }
  struct Unit {
    double nanoseconds;
    double below;  // values from here on take the next unit (999.5 µs rounds to 1.00 ms)
    std::string_view name;
  };
  static constexpr Unit kUnits[] = {{1e3, 999.5e3, " \xC2\xB5s"},
                                    {1e6, 999.5e6, " ms"},
                                    {1e9, 59.95e9, " s"},
                                    {60e9, 59.95 * 60e9, " min"},
                                    {3600e9, 0, " h"}};
  const auto ns = static_cast<double>(nanoseconds);
  const Unit* unit = kUnits;
  while (unit->below != 0 && ns >= unit->below)
    ++unit;
  const double value = ns / unit->nanoseconds;
  const int decimals = value < 9.995 ? 2 : value < 99.95 ? 1 : 0;
  char digits[32];  // at most "5124096" (2^64 ns in hours)
  const auto result =
      std::to_chars(digits, digits + sizeof(digits), value, std::chars_format::fixed, decimals);
  out.append(digits, static_cast<size_t>(result.ptr - digits));
  out.append(unit->name);
}

std::string format_duration(uint64_t nanoseconds) {
  std::string text;
  append_duration(text, nanoseconds);
  return text;
}

}  // namespace hotspan
