// hotspan — Span: writing a span's fields and log entries into its slot.
//
// Everything here runs on the caller's thread. Each write is bounded by the
// slot's inline storage and the per-span limits; anything that does not fit is
// dropped or truncated and counted in the slot, and the counts reach stats()
// when the span ends. No allocation, no lock, no system call.
#include <algorithm>
#include <cstring>
#include <type_traits>
#include <typeinfo>
#include <variant>

#include "core/clock.hpp"
#include "core/defined_enums.hpp"
#include "core/id_generator.hpp"
#include "core/ratio_countdown.hpp"
#include "core/tracer_core.hpp"
#include "hotspan/span.hpp"
#include "recording/slot.hpp"
#include "recording/slot_log.hpp"
#include "recording/thread_recorder.hpp"

namespace hotspan {

namespace detail {
namespace {

// stored() takes an AttributeValue's index as its ValueType: the first four
// of each are in the same order.
template <ValueType Type, class T>
constexpr bool stored_as =
    std::is_same_v<std::variant_alternative_t<static_cast<size_t>(Type), AttributeValue>, T>;
static_assert(stored_as<ValueType::boolean, bool> && stored_as<ValueType::integer, int64_t> &&
                  stored_as<ValueType::floating, double> &&
                  stored_as<ValueType::string, std::string_view> &&
                  std::variant_size_v<AttributeValue> == 4,
              "AttributeValue's alternatives and ValueType must be in the same order");

StoredValue stored(Slot& s, const AttributeValue& v) noexcept {
  StoredValue out(static_cast<ValueType>(v.index()));
  switch (v.index()) {
    case 0:
      out.boolean = *std::get_if<0>(&v);
      break;
    case 1:
      out.integer = *std::get_if<1>(&v);
      break;
    case 2:
      out.floating = *std::get_if<2>(&v);
      break;
    default:
      out.string = clamp(s, *std::get_if<3>(&v));
      break;
  }
  return out;
}

// A span attribute, counted or dropped. The count limit is checked before
// `append` runs, so that a dropped value is not also counted as truncated.
template <class Append>
void add_span_attribute(Slot& s, Append append) noexcept {
  if (s.attributes >= s.limits.max_attributes || !append()) {
    ++s.dropped_attributes;
    return;
  }
  ++s.attributes;
}

// Appends an event header; its attributes follow with add_event_attribute().
bool begin_event(Slot& s, std::string_view name) noexcept {
  if (s.events >= s.limits.max_events || !append_event(s, clamp(s, name), now_ticks())) {
    ++s.dropped_events;
    return false;
  }
  ++s.events;
  return true;
}

void add_event_attribute(Slot& s, std::string_view key, const StoredValue& v) noexcept {
  if (!append_attribute(s, EntryTag::event_attribute, key, v)) ++s.dropped_event_attributes;
}

void set_status(Slot& s, StatusCode code, std::string_view description) noexcept {
  s.status = code;
  s.status_message_len = 0;
  s.status_category = nullptr;
  if (description.empty()) return;
  if (!append_status_message(s, clamp(s, description))) {
    ++s.strings_truncated;  // the description is lost entirely; the code is kept
  }
}

StoredValue string_value(Slot& s, std::string_view v) noexcept {
  StoredValue out(ValueType::string);
  out.string = clamp(s, v);
  return out;
}

}  // namespace
}  // namespace detail

using detail::StoredValue;
using detail::ValueType;

Span& Span::operator=(Span&& other) noexcept {
  if (this != &other) {
    end();
    _slot = other._slot;
    _context = other._context;
    _pending = other._pending;
    other._slot = nullptr;
  }
  return *this;
}

void Span::add_attribute(std::string_view key, const AttributeValue& value) noexcept {
  detail::Slot& s = *_slot;
  detail::add_span_attribute(s, [&] {
    return detail::append_attribute(s, detail::EntryTag::attribute, key, detail::stored(s, value));
  });
}

// The typed entry points of set_attribute<T>(): no variant, no StoredValue.
void Span::add_boolean(std::string_view key, bool value) noexcept {
  detail::Slot& s = *_slot;
  detail::add_span_attribute(s, [&] {
    return detail::append_fixed<ValueType::boolean>(s, detail::EntryTag::attribute, key,
                                                    static_cast<uint8_t>(value));
  });
}

void Span::add_integer(std::string_view key, int64_t value) noexcept {
  detail::Slot& s = *_slot;
  detail::add_span_attribute(s, [&] {
    return detail::append_fixed<ValueType::integer>(s, detail::EntryTag::attribute, key, value);
  });
}

void Span::add_floating(std::string_view key, double value) noexcept {
  detail::Slot& s = *_slot;
  detail::add_span_attribute(s, [&] {
    return detail::append_fixed<ValueType::floating>(s, detail::EntryTag::attribute, key, value);
  });
}

void Span::add_string(std::string_view key, std::string_view value) noexcept {
  detail::Slot& s = *_slot;
  detail::add_span_attribute(s, [&] {
    return detail::append_string(s, detail::EntryTag::attribute, key, detail::clamp(s, value));
  });
}

Span& Span::set_attributes(std::initializer_list<Attribute> attributes) noexcept {
  if (_slot != nullptr) {
    for (const Attribute& a : attributes)
      add_attribute(a.key, a.value);
  }
  return *this;
}

Span& Span::add_event(std::string_view name, std::initializer_list<Attribute> attributes) noexcept {
  if (_slot == nullptr) return *this;
  if (!detail::begin_event(*_slot, name)) return *this;
  for (const Attribute& a : attributes) {
    detail::add_event_attribute(*_slot, a.key, detail::stored(*_slot, a.value));
  }
  return *this;
}

Span& Span::record_error(std::string_view message) noexcept {
  if (_slot == nullptr) return *this;
  detail::Slot& s = *_slot;
  if (detail::begin_event(s, "exception")) {
    detail::add_event_attribute(s, "exception.type", detail::string_value(s, "error"));
    detail::add_event_attribute(s, "exception.message", detail::string_value(s, message));
  }
  detail::set_status(s, StatusCode::error, message);
  return *this;
}

Span& Span::record_error(const std::exception& error) noexcept {
  if (_slot == nullptr) return *this;
  detail::Slot& s = *_slot;
  const char* what = error.what();
  const std::string_view message = what != nullptr ? std::string_view(what) : std::string_view();
  if (detail::begin_event(s, "exception")) {
    StoredValue type(ValueType::type_name);
    type.pointer = typeid(error).name();  // static storage; demangled at export
    detail::add_event_attribute(s, "exception.type", type);
    detail::add_event_attribute(s, "exception.message", detail::string_value(s, message));
  }
  detail::set_status(s, StatusCode::error, message);
  return *this;
}

Span& Span::record_error(std::error_code code) noexcept {
  if (_slot == nullptr) return *this;
  detail::Slot& s = *_slot;
  const char* category = code.category().name();
  if (detail::begin_event(s, "exception")) {
    detail::add_event_attribute(s, "exception.type", detail::string_value(s, category));
    StoredValue message(ValueType::error_code);
    message.pointer = &code.category();  // categories are static; message() runs at export
    message.integer = code.value();
    detail::add_event_attribute(s, "exception.message", message);
    StoredValue number(ValueType::integer);
    number.integer = code.value();
    detail::add_event_attribute(s, "exception.code", number);
  }
  // The description is the code's message, rendered at export like the event's.
  detail::set_status(s, StatusCode::error, {});
  s.status_category = &code.category();
  s.status_value = code.value();
  return *this;
}

Span& Span::set_status(StatusCode code, std::string_view description) noexcept {
  if (_slot != nullptr) detail::set_status(*_slot, detail::defined_status(code), description);
  return *this;
}

Timestamp now() noexcept {
  // The tick source is chosen once per process, by the first tracer or here:
  // an instant taken before any tracer exists must use the ticks spans will.
  detail::init_clock();
  return Timestamp{detail::now_ticks()};
}

bool Span::set_start_time(Timestamp start) noexcept {
  if (_slot == nullptr) return true;
  if (start.ticks > _slot->start_ticks) return false;
  _slot->start_ticks = start.ticks;
  return true;
}

void Span::finish() noexcept {
  detail::Slot* s = _slot;
  _slot = nullptr;
  s->end_ticks = detail::now_ticks();
  s->owner->core().submit(s);
}

void Span::draw_ids() const noexcept {
  switch (_pending) {
    case Pending::span_and_trace_id:
      _context.trace_id = detail::new_trace_id();
      break;
    case Pending::span_and_ratio_trace_id: {
      uint64_t threshold;  // where unsampled_ratio_root() left it
      std::memcpy(&threshold, _context.trace_id.bytes.data(), sizeof(threshold));
      _context.trace_id = detail::ratio_trace_id(threshold, /*sampled=*/false);
      break;
    }
    case Pending::span_id:
    case Pending::none:
      break;
  }
  _context.span_id = detail::new_span_id();
  _pending = Pending::none;
}

}  // namespace hotspan
