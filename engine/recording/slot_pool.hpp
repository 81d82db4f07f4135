// hotspan — the per-thread arena pool of slots.
//
// One pool per (thread, tracer). The owner thread takes and gives back slots
// through a private free list (no atomics); any other thread — normally the
// exporter — gives slots back by pushing a whole chain onto a lock-free stack
// with one CAS, which the owner takes over with a single exchange when its
// private list runs dry. Because the owner only ever takes the entire shared
// stack, the Treiber stack has no ABA problem.
//
// Free lists link slot *indexes* through a separate array rather than through
// the slots: a returning thread then writes only that dense array, never a
// slot's own cache lines, which the owner is about to write again. (Each slot
// line still moves between the cores once per span — the exporter must read
// it — but it is not dirtied on the far side.)
//
// The arena is one allocation made on the first acquire (so threads that only
// record unsampled spans cost nothing) and carved lazily with a bump index, so
// resident memory grows with the number of slots actually used.
//
// Lifetime: the pool must outlive every slot handed out, even after its thread
// exits. `_balance` settles that without an atomic on the hot path: returners
// subtract what they push, the owner adds what it still has out when it lets
// go; whichever operation brings the sum to zero after the owner let go is the
// last, and its caller destroys the pool's recorder.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>

#include "recording/slot.hpp"

namespace hotspan::detail {

class SlotPool {
 public:
  SlotPool(size_t slot_count, const SlotLimits& limits) noexcept
      : _slot_count(slot_count), _stride(slot_stride(limits.data_bytes)), _limits(limits) {}
  SlotPool(const SlotPool&) = delete;
  SlotPool& operator=(const SlotPool&) = delete;

  // Owner thread only. Null when every slot is out (or the arena could not be
  // allocated). Only the slot's fixed fields (owner, index, limits) are set.
  Slot* acquire(ThreadRecorder* owner) noexcept {
    uint32_t i = _local;
    if (i == kNone) {
      // acquire: pairs with the release CAS in give_back(), so the returner's
      // link writes and its last reads of these slots happen before we reuse them.
      i = _returned.exchange(kNone, std::memory_order_acquire);
      if (i == kNone) return carve(owner);
    }
    _local = _links[i];
    ++_out;
    prefetch_ahead();
    return slot_at(i);
  }

  // Owner thread only: a slot that never left this thread (e.g. the queue was full).
  void release_local(Slot* s) noexcept {
    _links[s->index] = _local;
    _local = s->index;
    --_out;
  }

  // A thread giving slots back chains them first: `from` will be followed by `to`.
  void link(const Slot* from, const Slot* to) noexcept { _links[from->index] = to->index; }

  // Any thread: gives back `count` slots chained first→…→last with link().
  // Returns true when the owner has already let go and these were the last
  // slots out: the caller must then destroy the pool's recorder.
  bool give_back(Slot* first, Slot* last, uint32_t count) noexcept {
    uint32_t head = _returned.load(std::memory_order_relaxed);
    do {
      _links[last->index] = head;
    } while (!_returned.compare_exchange_weak(head, first->index, std::memory_order_release,
                                              std::memory_order_relaxed));
    // acq_rel: the thread that reaches zero must see every other returner's
    // push and the owner's final state before it destroys the pool.
    return _balance.fetch_sub(static_cast<int64_t>(count), std::memory_order_acq_rel) ==
           static_cast<int64_t>(count);
  }

  // Owner thread, once, when it stops using the pool. True when nothing is out:
  // the caller must then destroy the pool's recorder.
  bool release_owner() noexcept {
    const auto out = static_cast<int64_t>(_out);
    return _balance.fetch_add(out, std::memory_order_acq_rel) == -out;
  }

 private:
  static constexpr uint32_t kNone = UINT32_MAX;

  struct ArenaDeleter {
    void operator()(std::byte* p) const noexcept {
      ::operator delete[](p, std::align_val_t{alignof(Slot)});
    }
  };

  // The next span's slot was last read by the exporter thread: ask for its
  // lines in exclusive state now, so that the coherence round trip overlaps the
  // caller's work between spans instead of stalling the next start_span().
  void prefetch_for_write(const Slot* s) const noexcept {
    const auto* p = reinterpret_cast<const char*>(s);
    for (size_t offset = 0; offset < kPrefetchBytes; offset += 64) {
#if defined(__x86_64__)
      // PREFETCHW (exclusive ownership) rather than __builtin_prefetch's read
      // prefetch, which a baseline x86-64 build emits: a line fetched shared
      // still needs an invalidation round trip when written. Processors without
      // PREFETCHW execute the opcode (0F 0D /1) as a no-op.
      asm volatile("prefetchw %0" : : "m"(*(p + offset)));
#else
      __builtin_prefetch(p + offset, 1, 3);
#endif
    }
  }

  // Prefetches the slot kPrefetchDistance places down the free list. One line
  // taken back from the exporter's core costs ~70 ns here, more than a whole
  // span's work, so one slot of lead time is not enough; the walk itself
  // reads the dense links array, which stays in cache.
  void prefetch_ahead() const noexcept {
    uint32_t j = _local;
    for (int k = 1; k < kPrefetchDistance && j != kNone; ++k)
      j = _links[j];
    if (j != kNone) prefetch_for_write(slot_at(j));
  }
  static constexpr int kPrefetchDistance = 4;
  // The lines a span writes first: the header and the start of the log (the
  // name and a few attributes). A constant, so that the loop unrolls; every
  // stride exceeds it (slot_bytes >= 256 plus the header).
  static constexpr size_t kPrefetchBytes = 256;
  static_assert(slot_stride(kMinSlotDataBytes) > kPrefetchBytes);

  Slot* slot_at(uint32_t i) const noexcept {
    return reinterpret_cast<Slot*>(_arena.get() + size_t{i} * _stride);
  }

  Slot* carve(ThreadRecorder* owner) noexcept {
    if (_carved == _slot_count) return nullptr;
    if (_arena == nullptr) {
      auto* raw = static_cast<std::byte*>(
          ::operator new[](_slot_count* _stride, std::align_val_t{alignof(Slot)}, std::nothrow));
      if (raw == nullptr) return nullptr;
      _arena.reset(raw);
      _links.reset(new (std::nothrow) uint32_t[_slot_count]);
      if (_links == nullptr) {
        _arena.reset();
        return nullptr;
      }
    }
    auto* s = new (_arena.get() + _carved * _stride) Slot;
    s->owner = owner;
    s->index = static_cast<uint32_t>(_carved);
    s->limits = _limits;
    ++_carved;
    ++_out;
    return s;
  }

  const size_t _slot_count;
  const size_t _stride;
  const SlotLimits _limits;
  std::unique_ptr<std::byte, ArenaDeleter> _arena;
  std::unique_ptr<uint32_t[]> _links;  // free-list links by slot index
  size_t _carved = 0;
  uint32_t _local = kNone;  // owner-private free list head
  uint64_t _out = 0;        // owner-private: acquired minus released locally

  alignas(64) std::atomic<uint32_t> _returned{kNone};
  std::atomic<int64_t> _balance{0};
};

}  // namespace hotspan::detail
