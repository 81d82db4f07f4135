// hotspan — slots decoded into SpanRecords (the log itself is read by
// SlotLogReader, slot_log.hpp).
#include "backend/span_record_builder.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <system_error>

namespace hotspan::detail {

void SpanRecordBuilder::clear() noexcept {
  _records.clear();
  _local_roots.clear();
  _ranges.clear();
  _attributes.clear();
  _event_attributes.clear();
  _events.clear();
  _event_ranges.clear();
  _rendered.clear();
}

std::string_view SpanRecordBuilder::keep(std::string s) {
  _rendered.push_back(std::move(s));
  return _rendered.back();
}

std::string_view SpanRecordBuilder::render_error(const void* category, int32_t value) {
  std::string message;
  try {
    message = static_cast<const std::error_category*>(category)->message(value);
  } catch (...) {
    message = "error " + std::to_string(value);
  }
  return keep(std::move(message));
}

std::string_view SpanRecordBuilder::redacted_text(std::string_view text) {
  if (_redactor == nullptr || !_redactor->text(text, _scratch)) return text;
  return keep(std::move(_scratch));
}

bool SpanRecordBuilder::redact_attribute(std::string_view key, AttributeValue& value) {
  if (_redactor == nullptr) return true;
  switch (_redactor->attribute(key, value, _scratch)) {
    case Redactor::Verdict::keep:
      return true;
    case Redactor::Verdict::drop:
      return false;
    case Redactor::Verdict::replaced:
      value = keep(std::move(_scratch));
      return true;
  }
  return true;
}

AttributeValue SpanRecordBuilder::attribute_value(const StoredValue& v) {
  switch (v.type) {
    case ValueType::boolean:
      return v.boolean;
    case ValueType::integer:
      return v.integer;
    case ValueType::floating:
      return v.floating;
    case ValueType::string:
      return v.string;
    case ValueType::type_name: {
      const auto* mangled = static_cast<const char*>(v.pointer);
      int status = 0;
      char* demangled = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
      const std::string_view name = keep(status == 0 && demangled ? demangled : mangled);
      std::free(demangled);
      return name;
    }
    case ValueType::error_code:
      return render_error(v.pointer, static_cast<int32_t>(v.integer));
  }
  return std::string_view("<corrupt slot entry>");
}

void SpanRecordBuilder::add(const Slot& s, const TickConverter& clock) {
  // Built in place: a SpanRecord is ~150 bytes, and so is every copy of it.
  SpanRecord& r = _records.emplace_back();
  _local_roots.push_back(s.local_root ? 1 : 0);
  r.trace_id = s.trace_id;
  r.span_id = s.span_id;
  r.parent_span_id = s.parent_span_id;
  r.kind = s.kind;
  r.start_unix_ns = clock.to_unix_ns(s.start_ticks);
  r.end_unix_ns = clock.to_unix_ns(s.end_ticks);
  r.status = s.status;
  r.dropped_attributes = s.dropped_attributes;
  r.dropped_events = s.dropped_events;
  r.thread_id = s.thread_id;

  r.name = redacted_text(SlotLogReader::name(s));
  if (s.status_message_len != 0) {
    r.status_message = redacted_text(SlotLogReader::status_message(s));
  } else if (s.status_category != nullptr) {
    r.status_message = redacted_text(render_error(s.status_category, s.status_value));
  }

  // One pass over the log. Span attributes and event attributes go to
  // separate vectors, so each span's and each event's are contiguous.
  Ranges ranges{_attributes.size(), 0, _events.size(), 0};
  SlotLogReader log(s);
  SlotEntry e;
  while (log.next(e)) {
    switch (e.tag) {
      case EntryTag::attribute: {
        AttributeValue value = attribute_value(e.value);
        if (!redact_attribute(e.text, value)) break;
        // A key set twice keeps its last value, at the first one's position.
        bool repeated = false;
        for (size_t i = ranges.attributes_begin; i < _attributes.size() && !repeated; ++i) {
          if (_attributes[i].key == e.text) {
            _attributes[i].value = value;
            repeated = true;
          }
        }
        if (!repeated) _attributes.push_back(AttributeView{e.text, value});
        break;
      }
      case EntryTag::event:
        _events.push_back(EventView{redacted_text(e.text), clock.to_unix_ns(e.ticks), {}});
        _event_ranges.push_back(EventRange{_event_attributes.size(), 0});
        break;
      case EntryTag::event_attribute:
        // Only after an event of this span (the writer never writes one first).
        if (_event_ranges.size() > ranges.events_begin) {
          AttributeValue value = attribute_value(e.value);
          if (!redact_attribute(e.text, value)) break;
          _event_attributes.push_back(AttributeView{e.text, value});
          ++_event_ranges.back().attributes_count;
        }
        break;
      case EntryTag::status_message:  // the reader skips these
        break;
    }
  }
  ranges.attributes_count = _attributes.size() - ranges.attributes_begin;
  ranges.events_count = _events.size() - ranges.events_begin;
  _ranges.push_back(ranges);
}

std::span<const SpanRecord> SpanRecordBuilder::records() {
  for (size_t i = 0; i < _records.size(); ++i) {
    const Ranges& r = _ranges[i];
    _records[i].attributes =
        std::span<const AttributeView>(_attributes.data() + r.attributes_begin, r.attributes_count);
    _records[i].events =
        std::span<const EventView>(_events.data() + r.events_begin, r.events_count);
    for (size_t e = r.events_begin; e < r.events_begin + r.events_count; ++e) {
      _events[e].attributes = std::span<const AttributeView>(
          _event_attributes.data() + _event_ranges[e].attributes_begin,
          _event_ranges[e].attributes_count);
    }
  }
  return _records;
}

}  // namespace hotspan::detail
