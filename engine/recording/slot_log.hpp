// hotspan — the slot log: how a span's name, attributes, events and status
// message are laid out in a slot's inline storage. The writer (the span's own
// thread, on the hot path) and the reader (the exporter thread) are side by
// side here, so that a layout change is made, and tested
// (tests/unit/slot_log_test.cpp), in one place.
//
// The log is append-only: the name at offset 0 (Slot::name_len bytes, no
// header), then entries in the order they were recorded. Each entry (native
// byte order, unaligned; read and written with memcpy):
//   attribute / event attribute: tag:u8 type:u8 key_len:u16 key[key_len] value
//     value by type: boolean u8 | integer i64 | floating f64 |
//                    string len:u16 bytes[len] |
//                    type_name  const char* (a typeid name: static storage)
//                    error_code const std::error_category* + i32 value
//   event:          tag:u8 0:u8 name_len:u16 time_ticks:u64 name[name_len]
//   status message: tag:u8 0:u8 len:u16 bytes[len]  (found through
//                   Slot::status_message_offset; the last one set wins)
// An event's attributes follow it. The last two value types defer work that
// would allocate on the caller's thread (demangling, error_code::message())
// to the exporter thread.
//
// Writers never write past Slot::limits.data_bytes: an entry that does not
// fit is not written at all (the caller counts it as dropped), so the reader
// never sees a partial entry.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "recording/slot.hpp"

namespace hotspan::detail {

enum class EntryTag : uint8_t { attribute = 1, event = 2, event_attribute = 3, status_message = 4 };
enum class ValueType : uint8_t { boolean, integer, floating, string, type_name, error_code };

constexpr size_t kEntryHeaderBytes = 4;  // tag, type/0, u16 length

// A value as a slot stores it: the public AttributeValue's four kinds plus
// the deferred ones (type_name: `pointer` is the mangled name; error_code:
// `pointer` is the category, `integer` the value).
struct StoredValue {
  explicit StoredValue(ValueType t = ValueType::boolean) noexcept : type(t) {}
  ValueType type;
  bool boolean = false;
  int64_t integer = 0;
  double floating = 0;
  std::string_view string;
  const void* pointer = nullptr;
};

// Bytes of a value of a fixed-size type in the log (strings: 2 + length).
constexpr size_t fixed_value_bytes(ValueType type) noexcept {
  switch (type) {
    case ValueType::boolean:
      return 1;
    case ValueType::integer:
    case ValueType::floating:
      return 8;
    case ValueType::type_name:
      return sizeof(const char*);
    case ValueType::error_code:
      return sizeof(void*) + sizeof(int32_t);
    case ValueType::string:
      break;
  }
  return 0;
}

// ================================================================ writer
// The span's owning thread only. No allocation, no lock.

// Clamps a name, key or string value to max_string_bytes (UTF-8 aware),
// counting the cut.
inline std::string_view clamp(Slot& s, std::string_view text) noexcept {
  const size_t max = s.limits.max_string_bytes;
  if (text.size() <= max) return text;
  ++s.strings_truncated;
  return text.substr(0, utf8_prefix_length(text, max));
}

// Starts the log with the span's name: cut to max_string_bytes, and to the
// slot's storage when that is smaller.
inline void write_name(Slot& s, std::string_view name) noexcept {
  const size_t max_name = std::min<size_t>(s.limits.max_string_bytes, s.limits.data_bytes);
  size_t len = name.size();
  if (len > max_name) {
    len = utf8_prefix_length(name, max_name);
    ++s.strings_truncated;
  }
  copy_chars(s.data(), name.substr(0, len));
  s.name_len = static_cast<uint16_t>(len);
  s.used = static_cast<uint32_t>(len);
}

// Appends an entry header and its (clamped) key, reserving `value_size` bytes
// for the value, which the caller writes at the returned address. Null (and
// nothing written) when the entry does not fit in the slot.
inline std::byte* append_entry(Slot& s, EntryTag tag, ValueType type, std::string_view key,
                               size_t value_size) noexcept {
  key = clamp(s, key);
  const size_t need = kEntryHeaderBytes + key.size() + value_size;
  if (s.used + need > s.limits.data_bytes) return nullptr;
  std::byte* p = s.data() + s.used;
  p[0] = static_cast<std::byte>(tag);
  p[1] = static_cast<std::byte>(type);
  store_unaligned(p + 2, static_cast<uint16_t>(key.size()));
  copy_chars(p + kEntryHeaderBytes, key);
  s.used += static_cast<uint32_t>(need);
  return p + kEntryHeaderBytes + key.size();
}

// One attribute of a fixed-size type; `T` is stored as its bytes.
template <ValueType Type, class T>
bool append_fixed(Slot& s, EntryTag tag, std::string_view key, const T& value) noexcept {
  static_assert(sizeof(T) == fixed_value_bytes(Type));
  std::byte* p = append_entry(s, tag, Type, key, sizeof(T));
  if (p == nullptr) return false;
  store_unaligned(p, value);
  return true;
}

// A string attribute: the value must already be clamped.
inline bool append_string(Slot& s, EntryTag tag, std::string_view key,
                          std::string_view value) noexcept {
  std::byte* p = append_entry(s, tag, ValueType::string, key, 2 + value.size());
  if (p == nullptr) return false;
  store_unaligned(p, static_cast<uint16_t>(value.size()));
  copy_chars(p + 2, value);
  return true;
}

// One attribute entry (strings already clamped); false (nothing written) when
// it does not fit.
inline bool append_attribute(Slot& s, EntryTag tag, std::string_view key,
                             const StoredValue& v) noexcept {
  switch (v.type) {
    case ValueType::boolean:
      return append_fixed<ValueType::boolean>(s, tag, key, static_cast<uint8_t>(v.boolean));
    case ValueType::integer:
      return append_fixed<ValueType::integer>(s, tag, key, v.integer);
    case ValueType::floating:
      return append_fixed<ValueType::floating>(s, tag, key, v.floating);
    case ValueType::string:
      return append_string(s, tag, key, v.string);
    case ValueType::type_name:
      return append_fixed<ValueType::type_name>(s, tag, key, static_cast<const char*>(v.pointer));
    case ValueType::error_code: {
      std::byte* p = append_entry(s, tag, v.type, key, fixed_value_bytes(v.type));
      if (p == nullptr) return false;
      store_unaligned(p, v.pointer);
      store_unaligned(p + sizeof(void*), static_cast<int32_t>(v.integer));
      return true;
    }
  }
  return false;
}

// An event header (name already clamped); its attributes follow as
// event_attribute entries. False (nothing written) when it does not fit.
inline bool append_event(Slot& s, std::string_view name, uint64_t ticks) noexcept {
  const size_t need = kEntryHeaderBytes + 8 + name.size();
  if (s.used + need > s.limits.data_bytes) return false;
  std::byte* p = s.data() + s.used;
  p[0] = static_cast<std::byte>(EntryTag::event);
  p[1] = std::byte{0};
  store_unaligned(p + 2, static_cast<uint16_t>(name.size()));
  store_unaligned(p + kEntryHeaderBytes, ticks);
  copy_chars(p + kEntryHeaderBytes + 8, name);
  s.used += static_cast<uint32_t>(need);
  return true;
}

// The status message (already clamped), pointed to by the slot's header.
// False (nothing written) when it does not fit.
inline bool append_status_message(Slot& s, std::string_view message) noexcept {
  const size_t need = kEntryHeaderBytes + message.size();
  if (s.used + need > s.limits.data_bytes) return false;
  std::byte* p = s.data() + s.used;
  p[0] = static_cast<std::byte>(EntryTag::status_message);
  p[1] = std::byte{0};
  store_unaligned(p + 2, static_cast<uint16_t>(message.size()));
  copy_chars(p + kEntryHeaderBytes, message);
  s.status_message_offset = s.used + static_cast<uint32_t>(kEntryHeaderBytes);
  s.status_message_len = static_cast<uint16_t>(message.size());
  s.used += static_cast<uint32_t>(need);
  return true;
}

// ================================================================ reader
// The exporter thread, once the slot was handed over (the queue's release /
// acquire makes every write above visible). Views point into the slot.

// An attribute (`text` its key, `value` its value), an event (`text` its
// name, `ticks` its time) or an event attribute.
struct SlotEntry {
  EntryTag tag = EntryTag::attribute;
  std::string_view text;
  StoredValue value;
  uint64_t ticks = 0;
};

class SlotLogReader {
 public:
  explicit SlotLogReader(const Slot& s) noexcept
      : _p(s.data() + s.name_len), _end(s.data() + s.used) {}

  static std::string_view name(const Slot& s) noexcept {
    return {reinterpret_cast<const char*>(s.data()), s.name_len};
  }
  // Empty when no message was set (an error_code status renders its own).
  static std::string_view status_message(const Slot& s) noexcept {
    return {reinterpret_cast<const char*>(s.data() + s.status_message_offset),
            s.status_message_len};
  }

  // The next attribute, event or event attribute, in recording order (status
  // message entries are skipped). False at the end of the log, and at an entry
  // the writer above never writes: decoding of this slot stops there.
  bool next(SlotEntry& e) noexcept {
    while (_p != nullptr && _p < _end) {
      const auto tag = static_cast<EntryTag>(_p[0]);
      const auto len = load_unaligned<uint16_t>(_p + 2);
      const std::byte* body = _p + kEntryHeaderBytes;
      switch (tag) {
        case EntryTag::attribute:
        case EntryTag::event_attribute:
          e.tag = tag;
          e.text = {reinterpret_cast<const char*>(body), len};
          _p = read_value(static_cast<ValueType>(_p[1]), body + len, e.value);
          return _p != nullptr;
        case EntryTag::event:
          e.tag = tag;
          e.ticks = load_unaligned<uint64_t>(body);
          e.text = {reinterpret_cast<const char*>(body + 8), len};
          _p = body + 8 + len;
          return true;
        case EntryTag::status_message:
          _p = body + len;
          continue;
      }
      _p = nullptr;
    }
    return false;
  }

 private:
  // Decodes a value at `p`; the position after it, or null for a type the
  // writer never writes.
  static const std::byte* read_value(ValueType type, const std::byte* p,
                                     StoredValue& out) noexcept {
    out = StoredValue(type);
    switch (type) {
      case ValueType::boolean:
        out.boolean = *p != std::byte{0};
        return p + 1;
      case ValueType::integer:
        out.integer = load_unaligned<int64_t>(p);
        return p + 8;
      case ValueType::floating:
        out.floating = load_unaligned<double>(p);
        return p + 8;
      case ValueType::string: {
        const auto len = load_unaligned<uint16_t>(p);
        out.string = {reinterpret_cast<const char*>(p + 2), len};
        return p + 2 + len;
      }
      case ValueType::type_name:
        out.pointer = load_unaligned<const char*>(p);
        return p + sizeof(const char*);
      case ValueType::error_code:
        out.pointer = load_unaligned<const void*>(p);
        out.integer = load_unaligned<int32_t>(p + sizeof(void*));
        return p + sizeof(void*) + sizeof(int32_t);
    }
    return nullptr;
  }

  const std::byte* _p;
  const std::byte* _end;
};

}  // namespace hotspan::detail
