// hotspan — the slot: one recorded span, fixed size, owned by a thread's pool.
//
// A slot is a fixed header followed by `SlotLimits::data_bytes` of inline
// storage that holds the span's log: its name, attributes, events and status
// message (the layout, its writer and its reader: slot_log.hpp). Nothing in a
// slot points to the heap, so recording a span never allocates; the exporter
// thread decodes the log into SpanRecord views.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "hotspan/ids.hpp"
#include "hotspan/span_kind.hpp"

namespace hotspan::detail {

class ThreadRecorder;

struct SlotLimits {
  uint32_t data_bytes = 0;  // inline storage per slot
  uint16_t max_attributes = 0;
  uint16_t max_events = 0;
  uint16_t max_string_bytes = 0;
};

struct alignas(64) Slot {
  // Fixed for the slot's life (set when it is carved from the arena), so that
  // no other thread ever writes this cache line's neighbours on their behalf.
  ThreadRecorder* owner;  // the pool it belongs to
  uint32_t index;         // position in the arena; free lists link indexes
  SlotLimits limits;      // a copy of the tracer's, next to the fields they bound
  TraceId trace_id;
  SpanId span_id;
  SpanId parent_span_id;
  uint64_t start_ticks;
  uint64_t end_ticks;
  uint32_t used;  // bytes of data() in use
  uint32_t thread_id;
  uint32_t dropped_attributes;  // span attributes over the limits
  uint32_t dropped_events;
  uint32_t dropped_event_attributes;
  uint32_t strings_truncated;
  // When set, the status description is status_category->message(status_value),
  // rendered on the exporter thread (record_error(std::error_code)).
  const void* status_category;
  int32_t status_value;
  uint32_t status_message_offset;
  uint16_t status_message_len;
  uint16_t attributes;
  uint16_t events;
  uint16_t name_len;
  SpanKind kind;
  StatusCode status;
  // No parent, or a parent from another process: the span is its trace's
  // local root (tail sampling decides a trace when its local root ends).
  bool local_root;

  std::byte* data() noexcept { return reinterpret_cast<std::byte*>(this + 1); }
  const std::byte* data() const noexcept { return reinterpret_cast<const std::byte*>(this + 1); }
};

// The range of TracerOptions::slot_bytes (a slot's inline storage).
constexpr size_t kMinSlotDataBytes = 256;
constexpr size_t kMaxSlotDataBytes = 65536;

// Bytes between consecutive slots of an arena: header plus inline storage,
// rounded to whole cache lines so that no two slots share a line.
constexpr size_t slot_stride(uint32_t data_bytes) noexcept {
  return (sizeof(Slot) + data_bytes + alignof(Slot) - 1) / alignof(Slot) * alignof(Slot);
}

// Longest prefix of `s` of at most `max` bytes that does not cut a UTF-8
// sequence in two (looks back at most three continuation bytes; input that is
// not UTF-8 anyway is cut at `max`).
inline size_t utf8_prefix_length(std::string_view s, size_t max) noexcept {
  if (s.size() <= max) return s.size();
  size_t n = max;
  for (int back = 0; back < 3 && n > 0; ++back, --n) {
    if ((static_cast<unsigned char>(s[n]) & 0xC0) != 0x80) return n;
  }
  return ((static_cast<unsigned char>(s[n]) & 0xC0) != 0x80) ? n : max;
}

// Adds a finished slot's per-span drop counts to three counters (any type
// with add(uint64_t)): event attributes count as dropped attributes.
template <class Counter>
void add_slot_drops(const Slot& s, Counter& attributes, Counter& events,
                    Counter& strings) noexcept {
  if (s.dropped_attributes + s.dropped_event_attributes != 0)
    attributes.add(s.dropped_attributes + s.dropped_event_attributes);
  if (s.dropped_events != 0) events.add(s.dropped_events);
  if (s.strings_truncated != 0) strings.add(s.strings_truncated);
}

// Copies a string_view's bytes (an empty view may have a null data()).
// Names, keys and short values are mostly under 32 bytes: those are copied
// inline with two overlapping fixed-size moves, which is a few instructions
// where a call to memcpy costs more than the copy itself.
inline void copy_chars(std::byte* dst, std::string_view s) noexcept {
  const char* src = s.data();
  const size_t n = s.size();
  if (n >= 8 && n <= 16) {
    std::memcpy(dst, src, 8);
    std::memcpy(dst + n - 8, src + n - 8, 8);
  } else if (n > 16 && n <= 32) {
    std::memcpy(dst, src, 16);
    std::memcpy(dst + n - 16, src + n - 16, 16);
  } else if (n >= 4 && n < 8) {
    std::memcpy(dst, src, 4);
    std::memcpy(dst + n - 4, src + n - 4, 4);
  } else if (n > 32) {
    std::memcpy(dst, src, n);
  } else {
    for (size_t i = 0; i < n; ++i)
      dst[i] = static_cast<std::byte>(src[i]);
  }
}

template <class T>
inline T load_unaligned(const std::byte* p) noexcept {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

template <class T>
inline void store_unaligned(std::byte* p, const T& v) noexcept {
  std::memcpy(p, &v, sizeof(T));
}

}  // namespace hotspan::detail
