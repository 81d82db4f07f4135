// hotspan — decodes slots into SpanRecords on the exporter thread.
//
// Records, attribute views and event views of a whole batch are gathered in
// vectors reused from batch to batch (no allocation once they have grown), and
// the std::span members are pointed into them only after the batch is complete,
// when the vectors no longer move. Views point into the slots themselves, so the
// slots must stay untouched until the exporter has returned.
//
// Work deferred from the caller's thread happens here: typeid names are
// demangled, error_code messages rendered, and a key set twice on a span keeps
// its last value (at the position of its first).
#pragma once

#include <cstddef>
#include <deque>
#include <span>
#include <string>
#include <vector>

#include "backend/redactor.hpp"
#include "backend/tick_converter.hpp"
#include "hotspan/span_record.hpp"
#include "recording/slot.hpp"
#include "recording/slot_log.hpp"

namespace hotspan::detail {

class SpanRecordBuilder {
 public:
  // Redaction applied while decoding (null: none). The redactor outlives the builder's use.
  void set_redactor(Redactor* redactor) noexcept { _redactor = redactor; }
  void clear() noexcept;
  void add(const Slot& slot, const TickConverter& clock);
  // Valid until the next clear() / add().
  std::span<const SpanRecord> records();
  // Per record: 1 when its span is its trace's local root (Slot::local_root).
  std::span<const uint8_t> local_roots() const noexcept { return _local_roots; }

 private:
  struct Ranges {
    size_t attributes_begin, attributes_count, events_begin, events_count;
  };
  struct EventRange {
    size_t attributes_begin, attributes_count;
  };

  // A stored value as the public variant: demangles type names and renders
  // error codes (kept for the batch).
  AttributeValue attribute_value(const StoredValue& v);
  // With the redactor (if any) applied: the text as it is, or its redacted
  // copy kept for the batch.
  std::string_view redacted_text(std::string_view text);
  // False when the attribute is left out; `value` may become a kept string.
  bool redact_attribute(std::string_view key, AttributeValue& value);
  std::string_view keep(std::string s);
  // error_category::message(value), kept for the batch.
  std::string_view render_error(const void* category, int32_t value);

  std::vector<SpanRecord> _records;
  std::vector<uint8_t> _local_roots;
  std::vector<Ranges> _ranges;
  std::vector<AttributeView> _attributes;        // span attributes, span after span
  std::vector<AttributeView> _event_attributes;  // event attributes, event after event
  std::vector<EventView> _events;
  std::vector<EventRange> _event_ranges;
  std::deque<std::string> _rendered;  // demangled names, error messages: stable addresses
  Redactor* _redactor = nullptr;
  std::string _scratch;  // a redacted text before it is kept
};

}  // namespace hotspan::detail
