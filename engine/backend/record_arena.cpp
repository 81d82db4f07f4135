// hotspan — deep copies of SpanRecords (see record_arena.hpp).
#include "backend/record_arena.hpp"

#include <algorithm>
#include <cstring>
#include <string_view>
#include <variant>

namespace hotspan::detail {

namespace {

// What glibc's malloc keeps beside each block (its chunk header, rounding).
constexpr size_t kAllocatorOverhead = 16;

// Bytes of strings an attribute views: its key, and its value if a string.
size_t string_bytes(const AttributeView& a) noexcept {
  const auto* text = std::get_if<std::string_view>(&a.value);
  return a.key.size() + (text ? text->size() : 0);
}

// Copies strings into the arena's block, front to back.
class StringCopier {
 public:
  explicit StringCopier(std::byte* at) noexcept : _at(reinterpret_cast<char*>(at)) {}
  std::string_view operator()(std::string_view s) noexcept {
    if (s.empty()) return {};
    std::memcpy(_at, s.data(), s.size());
    const std::string_view copy(_at, s.size());
    _at += s.size();
    return copy;
  }
  void attribute(const AttributeView& from, AttributeView& to) noexcept {
    to.key = (*this)(from.key);
    const auto* text = std::get_if<std::string_view>(&from.value);
    to.value = text ? AttributeValue((*this)(*text)) : from.value;
  }

 private:
  char* _at;
};

}  // namespace

std::byte* RecordArena::allocate(size_t size) {
  _blocks.push_back(std::make_unique_for_overwrite<std::byte[]>(std::max<size_t>(size, 1)));
  _bytes += size + kAllocatorOverhead;
  return _blocks.back().get();
}

size_t RecordArena::add(const SpanRecord& record) {
  const size_t before = bytes();
  size_t event_attributes = 0;
  size_t strings = record.name.size() + record.status_message.size();
  for (const AttributeView& a : record.attributes)
    strings += string_bytes(a);
  for (const EventView& e : record.events) {
    strings += e.name.size();
    event_attributes += e.attributes.size();
    for (const AttributeView& a : e.attributes)
      strings += string_bytes(a);
  }
  const size_t attribute_count = record.attributes.size() + event_attributes;
  // All or nothing: the record's place is made before its block is taken, so
  // that a bad_alloc leaves bytes() as it was (the tail sampler's budget
  // subtracts bytes() of what it added).
  if (_records.size() == _records.capacity())
    _records.reserve(std::max<size_t>(4, 2 * _records.size()));
  std::byte* block = allocate(attribute_count * sizeof(AttributeView) +
                              record.events.size() * sizeof(EventView) + strings);
  // Arrays first (aligned at the block's start), then the strings.
  auto* attributes = reinterpret_cast<AttributeView*>(block);
  auto* events = reinterpret_cast<EventView*>(attributes + attribute_count);
  StringCopier copy(reinterpret_cast<std::byte*>(events + record.events.size()));

  SpanRecord& r = _records.emplace_back(record);
  r.name = copy(record.name);
  r.status_message = copy(record.status_message);
  AttributeView* next_attribute = attributes;
  for (const AttributeView& a : record.attributes)
    copy.attribute(a, *new (next_attribute++) AttributeView{});
  r.attributes = {attributes, record.attributes.size()};
  for (size_t i = 0; i < record.events.size(); ++i) {
    const EventView& from = record.events[i];
    AttributeView* first = next_attribute;
    for (const AttributeView& a : from.attributes)
      copy.attribute(a, *new (next_attribute++) AttributeView{});
    new (events + i) EventView{copy(from.name), from.time_unix_ns, {first, from.attributes.size()}};
  }
  r.events = {events, record.events.size()};
  return bytes() - before;
}

}  // namespace hotspan::detail
