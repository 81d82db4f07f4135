// hotspan tool — reader of hotspan's JSON Lines format (see jsonl_span_reader.hpp).
#include "jsonl_span_reader.hpp"

#include <simdjson.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "record_views.hpp"

namespace hotspan::tool {
namespace {

namespace od = simdjson::ondemand;

// Thrown while parsing one line; caught in next() and turned into "line N: what".
struct LineError {
  std::string message;
};

[[noreturn]] void fail(std::string message) {
  throw LineError{std::move(message)};
}

std::string quoted(std::string_view field) {
  return "field \"" + std::string(field) + "\"";
}

// simdjson's own wording for syntax errors, ours for type errors.
// `where` is empty for the line as a whole.
[[noreturn]] void fail_json(simdjson::error_code error, std::string_view where,
                            std::string_view expected) {
  const std::string prefix = where.empty() ? std::string() : std::string(where) + ": ";
  if (error == simdjson::INCORRECT_TYPE) fail(prefix + "expected " + std::string(expected));
  if (error == simdjson::NUMBER_OUT_OF_RANGE) {
    fail(prefix + "number out of range for " + std::string(expected));
  }
  if (error == simdjson::INCOMPLETE_ARRAY_OR_OBJECT) {
    fail(prefix + "invalid JSON (an object or array is not closed, or text follows the object)");
  }
  std::string_view message = simdjson::error_message(error);
  if (message.ends_with('.')) message.remove_suffix(1);
  fail(prefix + "invalid JSON (" + std::string(message) + ")");
}

std::string_view get_string(od::value& value, std::string_view where) {
  std::string_view text;
  if (auto error = value.get_string().get(text)) fail_json(error, where, "a string");
  return text;
}

uint64_t get_uint64(od::value& value, std::string_view where) {
  uint64_t number = 0;
  if (auto error = value.get_uint64().get(number)) {
    fail_json(error, where, "an unsigned integer");
  }
  return number;
}

bool is_hex(std::string_view text) {
  for (char c : text) {
    const bool digit = c >= '0' && c <= '9';
    const bool lower = c >= 'a' && c <= 'f';
    const bool upper = c >= 'A' && c <= 'F';
    if (!digit && !lower && !upper) return false;
  }
  return true;
}

// Exactly `digits` hex digits, not all zero; returned in lowercase.
std::string get_hex_id(od::value& value, std::string_view field, size_t digits) {
  const std::string where = quoted(field);
  std::string_view text = get_string(value, where);
  if (text.size() != digits || !is_hex(text)) {
    fail(where + ": expected " + std::to_string(digits) + " hex digits");
  }
  if (text.find_first_not_of('0') == std::string_view::npos) {
    fail(where + ": all-zero id is invalid");
  }
  std::string id(text);
  for (char& c : id) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  return id;
}

// Parent ids: absent, null, "" or all zeros all mean "root".
std::string get_parent_id(od::value& value) {
  bool is_null = false;
  if (!value.is_null().get(is_null) && is_null) return {};
  const std::string where = quoted("parent_span_id");
  std::string_view text = get_string(value, where);
  if (text.empty() ||
      (text.size() == 16 && text.find_first_not_of('0') == std::string_view::npos)) {
    return {};
  }
  if (text.size() != 16 || !is_hex(text)) fail(where + ": expected 16 hex digits");
  std::string id(text);
  for (char& c : id) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  return id;
}

SpanKind get_kind(od::value& value) {
  std::string_view text = get_string(value, quoted("kind"));
  for (uint8_t k = 0; k <= static_cast<uint8_t>(SpanKind::consumer); ++k) {
    if (text == to_string(static_cast<SpanKind>(k))) return static_cast<SpanKind>(k);
  }
  fail(quoted("kind") + ": unknown kind \"" + std::string(text.substr(0, 32)) + "\"");
}

StatusCode get_status(od::value& value) {
  std::string_view text = get_string(value, quoted("status"));
  for (uint8_t s = 0; s <= static_cast<uint8_t>(StatusCode::cancelled); ++s) {
    if (text == to_string(static_cast<StatusCode>(s))) return static_cast<StatusCode>(s);
  }
  fail(quoted("status") + ": unknown status \"" + std::string(text.substr(0, 32)) + "\"");
}

OwnedAttributeValue get_attribute_value(od::value& value, const std::string& where) {
  od::json_type type;
  if (auto error = value.type().get(type)) fail_json(error, where, "a value");
  switch (type) {
    case od::json_type::boolean: {
      bool flag = false;
      if (auto error = value.get_bool().get(flag)) fail_json(error, where, "true or false");
      return flag;
    }
    case od::json_type::number: {
      // Integers that fit int64 are integers; anything else is a double. Not
      // get_number(): simdjson before 3.6.4 makes it give 0 for a number with
      // a fraction and 19 or more significant digits (simdjson issue #2099).
      od::number_type number_type;
      if (auto error = value.get_number_type().get(number_type)) {
        fail_json(error, where, "a number");
      }
      int64_t integer = 0;
      if (number_type == od::number_type::signed_integer && !value.get_int64().get(integer)) {
        return integer;
      }
      double number = 0;
      if (auto error = value.get_double().get(number)) fail_json(error, where, "a number");
      return number;
    }
    case od::json_type::string:
      return std::string(get_string(value, where));
    case od::json_type::null:
      fail(where + ": null is not an attribute value");
    case od::json_type::array:
    case od::json_type::object:
      fail(where + ": arrays and objects are not attribute values");
  }
  fail(where + ": unknown JSON value");
}

std::vector<OwnedAttribute> get_attributes(od::value& value, std::string_view where) {
  od::object object;
  if (auto error = value.get_object().get(object)) fail_json(error, where, "an object");
  std::vector<OwnedAttribute> attributes;
  for (auto field_result : object) {
    od::field field;
    if (auto error = std::move(field_result).get(field)) fail_json(error, where, "an object");
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) fail_json(error, where, "a string key");
    const std::string attribute_where =
        std::string(where) + ": attribute \"" + std::string(key.substr(0, 64)) + "\"";
    std::string owned_key(key);  // the next unescaped string may reuse the buffer
    attributes.push_back(
        {std::move(owned_key), get_attribute_value(field.value(), attribute_where)});
  }
  return attributes;
}

std::vector<OwnedEvent> get_events(od::value& value) {
  const std::string where = quoted("events");
  od::array array;
  if (auto error = value.get_array().get(array)) fail_json(error, where, "an array");
  std::vector<OwnedEvent> events;
  for (auto element_result : array) {
    const std::string event_where = where + "[" + std::to_string(events.size()) + "]";
    od::value element;
    if (auto error = std::move(element_result).get(element)) {
      fail_json(error, event_where, "an object");
    }
    od::object object;
    if (auto error = element.get_object().get(object)) fail_json(error, event_where, "an object");
    OwnedEvent event;
    bool has_name = false;
    for (auto field_result : object) {
      od::field field;
      if (auto error = std::move(field_result).get(field)) {
        fail_json(error, event_where, "an object");
      }
      std::string_view key;
      if (auto error = field.unescaped_key().get(key)) {
        fail_json(error, event_where, "a string key");
      }
      if (key == "name") {
        event.name = std::string(get_string(field.value(), event_where + ".name"));
        has_name = true;
      } else if (key == "time_unix_ns") {
        event.time_unix_ns = get_uint64(field.value(), event_where + ".time_unix_ns");
      } else if (key == "attributes") {
        event.attributes = get_attributes(field.value(), event_where + ".attributes");
      }
    }
    if (!has_name) fail(event_where + ": missing \"name\"");
    events.push_back(std::move(event));
  }
  return events;
}

// Lines longer than this are reported and skipped without being kept whole.
constexpr size_t kMaxLineBytes = size_t{64} << 20;
constexpr size_t kChunkBytes = size_t{64} << 10;

class JsonlSpanReader final : public SpanReader {
 public:
  explicit JsonlSpanReader(std::istream& in) : _in(in), _chunk(kChunkBytes) {}

  ReadStatus next(std::string& error) override {
    if (!read_line()) return ReadStatus::end;
    ++_line_number;
    if (!_line.empty() && _line.back() == '\r') _line.pop_back();
    if (_line_too_long) {
      error = where() + ": longer than " + std::to_string(kMaxLineBytes >> 20) + " MiB";
      return ReadStatus::malformed;
    }
    try {
      parse_line(_span);
    } catch (const LineError& e) {
      if (!_line_terminated && _line.starts_with('{')) {
        // The writer was cut off in the middle of this line.
        _truncation = "truncated after " + std::to_string(_spans) + " spans (" + where() +
                      " is cut off: " + e.message + ")";
        return ReadStatus::end;
      }
      error = where() + ": " + e.message;
      return ReadStatus::malformed;
    }
    if (_spans++ == 0) {
      _resource.service_name = _span.service;
      _resource.attributes = {{"service.name", _span.service}};
    }
    _record = &_views.build({&_span, 1}).front();
    return ReadStatus::span;
  }

  const SpanRecord& record() const noexcept override { return *_record; }
  std::string_view service() const noexcept override { return _span.service; }
  const Resource& resource() const noexcept override { return _resource; }

  InputSummary summary() const override {
    InputSummary summary;
    summary.format = "JSON Lines";
    if (!_truncation.empty()) {
      summary.end = InputEnd::truncated;
      summary.problem = _truncation;
    }
    return summary;
  }

 private:
  // "line N (offset B)" of the current line.
  std::string where() const {
    return "line " + std::to_string(_line_number) + " (offset " + std::to_string(_line_offset) +
           ")";
  }

  // The next line, without its '\n', into _line; false at the end of the input.
  bool read_line() {
    _line.clear();
    _line_offset = _offset;
    _line_too_long = false;
    _line_terminated = false;
    bool got_any = false;
    for (;;) {
      _in.getline(_chunk.data(), static_cast<std::streamsize>(_chunk.size()));
      const auto extracted = static_cast<size_t>(_in.gcount());
      _offset += extracted;
      got_any = got_any || extracted > 0;
      const bool chunk_full = _in.fail() && !_in.eof() && extracted > 0;
      const bool delimited = !_in.fail() && !_in.eof();
      const size_t stored = delimited ? extracted - 1 : extracted;
      if (_line.size() + stored > kMaxLineBytes) {
        _line_too_long = true;
      } else {
        _line.append(_chunk.data(), stored);
      }
      if (chunk_full) {
        _in.clear();
        continue;
      }
      _line_terminated = delimited;
      if (_in.bad()) throw std::runtime_error("read error");
      return got_any;
    }
  }

  void parse_line(OwnedSpan& out) {
    if (_line.find_first_not_of(" \t") == std::string::npos) fail("empty line");
    const size_t length = _line.size();
    _line.append(simdjson::SIMDJSON_PADDING, ' ');
    od::document document;
    if (auto error = _parser.iterate(_line.data(), length, _line.size()).get(document)) {
      fail_json(error, "", "a JSON object");
    }
    od::object object;
    if (auto error = document.get_object().get(object)) {
      fail_json(error, "", "a JSON object");
    }

    out = OwnedSpan{};
    bool has_trace_id = false, has_span_id = false, has_name = false, has_start = false,
         has_end = false;
    for (auto field_result : object) {
      od::field field;
      if (auto error = std::move(field_result).get(field)) fail_json(error, "", "an object");
      std::string_view key;
      if (auto error = field.unescaped_key().get(key)) fail_json(error, "", "a string key");
      od::value& value = field.value();
      if (key == "trace_id") {
        out.trace_id = get_hex_id(value, key, 32);
        has_trace_id = true;
      } else if (key == "span_id") {
        out.span_id = get_hex_id(value, key, 16);
        has_span_id = true;
      } else if (key == "parent_span_id") {
        out.parent_span_id = get_parent_id(value);
      } else if (key == "name") {
        out.name = std::string(get_string(value, quoted(key)));
        has_name = true;
      } else if (key == "kind") {
        out.kind = get_kind(value);
      } else if (key == "start_unix_ns") {
        out.start_unix_ns = get_uint64(value, quoted(key));
        has_start = true;
      } else if (key == "end_unix_ns") {
        out.end_unix_ns = get_uint64(value, quoted(key));
        has_end = true;
      } else if (key == "duration_ns") {
        get_uint64(value, quoted(key));  // checked, then recomputed from start and end
      } else if (key == "status") {
        out.status = get_status(value);
      } else if (key == "status_message") {
        out.status_message = std::string(get_string(value, quoted(key)));
      } else if (key == "service") {
        out.service = std::string(get_string(value, quoted(key)));
      } else if (key == "thread_id") {
        out.thread_id = get_uint64(value, quoted(key));
      } else if (key == "attributes") {
        out.attributes = get_attributes(value, quoted(key));
      } else if (key == "events") {
        out.events = get_events(value);
      } else if (key == "dropped_attributes") {
        out.dropped_attributes = get_uint64(value, quoted(key));
      } else if (key == "dropped_events") {
        out.dropped_events = get_uint64(value, quoted(key));
      }
    }
    const char* trailing = nullptr;
    if (document.current_location().get(trailing) != simdjson::OUT_OF_BOUNDS) {
      fail("unexpected content after the JSON object");
    }

    if (!has_trace_id) fail("missing \"trace_id\"");
    if (!has_span_id) fail("missing \"span_id\"");
    if (!has_name) fail("missing \"name\"");
    if (!has_start) fail("missing \"start_unix_ns\"");
    if (!has_end) fail("missing \"end_unix_ns\"");
  }

  std::istream& _in;
  std::vector<char> _chunk;
  std::string _line;
  uint64_t _line_number = 0;
  uint64_t _line_offset = 0;  // of the current line's first byte
  uint64_t _offset = 0;       // bytes consumed
  bool _line_too_long = false;
  bool _line_terminated = false;
  od::parser _parser;
  OwnedSpan _span;
  RecordViews _views;
  const SpanRecord* _record = nullptr;
  Resource _resource;
  uint64_t _spans = 0;
  std::string _truncation;
};

}  // namespace

std::unique_ptr<SpanReader> make_jsonl_span_reader(std::istream& in) {
  return std::make_unique<JsonlSpanReader>(in);
}

}  // namespace hotspan::tool
