// hotspan — human-readable one-line-per-span encoding (see pretty_encoder.hpp).
//
// Reuses json_writer for every byte that comes from the application (escaping,
// UTF-8 repair, numbers, ids) and the repeated-key rule of every format
// (distinct_attributes.hpp), so the pretty and JSON outputs never disagree
// about what a span holds.
#include "formats/json/pretty_encoder.hpp"

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

void write_duration(std::string& out, uint64_t nanoseconds) {
  if (nanoseconds < 1000) {
    write_uint(out, nanoseconds);
    out.append("ns");
    return;
  }
  struct Unit {
    uint64_t nanoseconds;
    std::string_view suffix;
  };
  static constexpr Unit kUnits[] = {{1'000, "\xC2\xB5s"}, {1'000'000, "ms"}, {1'000'000'000, "s"}};
  for (const Unit& unit : kUnits) {
    const uint64_t step = unit.nanoseconds / 100;  // one hundredth of the unit
    const uint64_t hundredths = nanoseconds / step + ((nanoseconds % step) * 2 >= step ? 1 : 0);
    // Rounding may carry into the next unit (999.996µs is 1.00ms, not 1000.00µs).
    if (hundredths >= 100'000 && &unit != &kUnits[std::size(kUnits) - 1]) continue;
    write_uint(out, hundredths / 100);
    const uint64_t fraction = hundredths % 100;
    const char decimals[3] = {'.', static_cast<char>('0' + fraction / 10),
                              static_cast<char>('0' + fraction % 10)};
    out.append(decimals, 3);
    out.append(unit.suffix);
    return;
  }
}

void encode_pretty(const SpanRecord& record, std::string& out) {
  if (record.name.empty()) {
    out.append("\"\"");
  } else {
    write_escaped(out, record.name);
  }
  out.append(" [");
  out.append(to_string(record.kind));
  out.append("] ");
  write_duration(out, duration_ns(record));
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
