// hotspan — slot log decoding (see slot.hpp for the entry layout).
#include "backend/span_record_builder.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <system_error>

namespace hotspan::detail {

void SpanRecordBuilder::clear() noexcept {
  _records.clear();
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

const std::byte* SpanRecordBuilder::read_attribute(const std::byte* p, AttributeView& out) {
  const auto type = static_cast<ValueType>(p[1]);
  const auto key_len = load_unaligned<uint16_t>(p + 2);
  p += kEntryHeaderBytes;
  out.key = std::string_view(reinterpret_cast<const char*>(p), key_len);
  p += key_len;
  switch (type) {
    case ValueType::boolean:
      out.value.emplace<0>(*p != std::byte{0});
      return p + 1;
    case ValueType::integer:
      out.value.emplace<1>(load_unaligned<int64_t>(p));
      return p + 8;
    case ValueType::floating:
      out.value.emplace<2>(load_unaligned<double>(p));
      return p + 8;
    case ValueType::string: {
      const auto len = load_unaligned<uint16_t>(p);
      out.value.emplace<3>(reinterpret_cast<const char*>(p + 2), len);
      return p + 2 + len;
    }
    case ValueType::type_name: {
      const auto* mangled = load_unaligned<const char*>(p);
      int status = 0;
      char* demangled = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
      out.value = AttributeValue(std::in_place_index<3>,
                                 keep(status == 0 && demangled ? demangled : mangled));
      std::free(demangled);
      return p + sizeof(const char*);
    }
    case ValueType::error_code: {
      const auto* category = load_unaligned<const std::error_category*>(p);
      const auto value = load_unaligned<int32_t>(p + sizeof(category));
      std::string message;
      try {
        message = category->message(value);
      } catch (...) {
        message = "error " + std::to_string(value);
      }
      out.value = AttributeValue(std::in_place_index<3>, keep(std::move(message)));
      return p + sizeof(category) + sizeof(int32_t);
    }
  }
  out.value = AttributeValue(std::in_place_index<3>, std::string_view("<corrupt slot entry>"));
  return nullptr;
}

void SpanRecordBuilder::add(const Slot& s, const TickConverter& clock) {
  // Built in place: a SpanRecord is ~150 bytes, and so is every copy of it.
  SpanRecord& r = _records.emplace_back();
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

  const std::byte* data = s.data();
  r.name = std::string_view(reinterpret_cast<const char*>(data), s.name_len);
  if (s.status_message_len != 0) {
    r.status_message = std::string_view(
        reinterpret_cast<const char*>(data + s.status_message_offset), s.status_message_len);
  } else if (s.status_category != nullptr) {
    r.status_message = render_error(s.status_category, s.status_value);
  }

  // One pass over the log. Span attributes and event attributes go to
  // separate vectors, so each span's and each event's are contiguous.
  Ranges ranges{_attributes.size(), 0, _events.size(), 0};
  const std::byte* p = data + s.name_len;
  const std::byte* const end = data + s.used;
  while (p != nullptr && p < end) {
    switch (static_cast<EntryTag>(p[0])) {
      case EntryTag::attribute: {
        AttributeView& a = _attributes.emplace_back();
        p = read_attribute(p, a);
        // A key set twice keeps its last value, at the first one's position.
        for (size_t i = ranges.attributes_begin; i + 1 < _attributes.size(); ++i) {
          if (_attributes[i].key == a.key) {
            _attributes[i].value = a.value;
            _attributes.pop_back();
            break;
          }
        }
        break;
      }
      case EntryTag::event: {
        const auto name_len = load_unaligned<uint16_t>(p + 2);
        const auto ticks = load_unaligned<uint64_t>(p + kEntryHeaderBytes);
        const auto* name = reinterpret_cast<const char*>(p + kEntryHeaderBytes + 8);
        _events.push_back(EventView{std::string_view(name, name_len), clock.to_unix_ns(ticks), {}});
        _event_ranges.push_back(EventRange{_event_attributes.size(), 0});
        p += kEntryHeaderBytes + 8 + name_len;
        break;
      }
      case EntryTag::event_attribute: {
        AttributeView& a = _event_attributes.emplace_back();
        p = read_attribute(p, a);
        if (_event_ranges.size() > ranges.events_begin) {  // an event of this span precedes it
          ++_event_ranges.back().attributes_count;
        } else {
          _event_attributes.pop_back();
        }
        break;
      }
      case EntryTag::status_message:  // found through the header's offset instead
        p += kEntryHeaderBytes + load_unaligned<uint16_t>(p + 2);
        break;
      default:
        p = nullptr;  // never written by the engine: stop decoding this slot
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
