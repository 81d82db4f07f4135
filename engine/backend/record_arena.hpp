// hotspan — SpanRecords copied out of their slots, with everything they view
// (attributes, events, strings), into memory the arena owns.
//
// A SpanRecord's views point into a slot that goes back to its pool right
// after the batch; a stage that holds spans longer (tail sampling) copies them
// here. Each copy is one allocation of exactly its size: the record's
// attribute and event arrays first, then its strings. (A bump arena of
// growing blocks costs fewer allocations but, for the short traces a relay
// holds, a third more memory per span in half-used blocks; the exporter
// thread can afford one malloc per held span.) Copies never move: the records
// keep pointing into blocks that live as long as the arena. bytes() counts
// what the arena took from the allocator, records and block list included,
// so a byte budget over arenas bounds real memory.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <vector>

#include "hotspan/span_record.hpp"

namespace hotspan::detail {

class RecordArena {
 public:
  // Copies `record`; returns the copy's bytes (the growth of bytes()).
  size_t add(const SpanRecord& record);
  std::span<const SpanRecord> records() const noexcept { return _records; }
  size_t bytes() const noexcept {
    return _bytes + _records.capacity() * sizeof(SpanRecord) +
           _blocks.capacity() * sizeof(_blocks[0]);
  }

 private:
  std::byte* allocate(size_t size);

  std::vector<SpanRecord> _records;
  std::vector<std::unique_ptr<std::byte[]>> _blocks;
  size_t _bytes = 0;  // of the blocks
};

}  // namespace hotspan::detail
