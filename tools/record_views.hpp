// hotspan tool — SpanRecord views of spans the tool owns, so that they can be
// handed to the library's exporters (and encoders): the one place that maps an
// OwnedSpan onto a SpanRecord.
#pragma once

#include <span>
#include <vector>

#include "hotspan/span_record.hpp"
#include "owned_span.hpp"

namespace hotspan::tool {

class RecordViews {
 public:
  // Views of `spans`, valid until the next call and while `spans` are unchanged.
  std::span<const SpanRecord> build(std::span<const OwnedSpan> spans);

 private:
  std::vector<SpanRecord> _records;
  std::vector<AttributeView> _attributes;  // of the spans and of their events
  std::vector<EventView> _events;
};

}  // namespace hotspan::tool
