// hotspan — the per-thread arena pool of slots.
//
// One pool per (thread, tracer). The owner thread takes and gives back slots
// through a private stack (no atomics); any other thread — normally the exporter
// — gives slots back by pushing a whole chain onto a lock-free stack with one
// CAS, which the owner takes over with a single exchange when its private stack
// runs dry. Because the owner only ever takes the entire shared stack, the
// Treiber stack has no ABA problem.
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

#include "slot.hpp"

namespace hotspan::detail {

class SlotPool {
 public:
  SlotPool(size_t slot_count, uint32_t data_bytes) noexcept
      : _slot_count(slot_count), _stride(slot_stride(data_bytes)) {}
  SlotPool(const SlotPool&) = delete;
  SlotPool& operator=(const SlotPool&) = delete;

  // Owner thread only. Null when every slot is out (or the arena could not be
  // allocated). The slot's header is uninitialised except `owner`.
  Slot* acquire(ThreadRecorder* owner) noexcept {
    Slot* s = _local;
    if (s == nullptr) {
      // acquire: pairs with the release CAS in give_back(), so the returner's
      // last reads of these slots happen before we overwrite them.
      s = _returned.exchange(nullptr, std::memory_order_acquire);
      if (s == nullptr) return carve(owner);
    }
    _local = s->next;
    ++_out;
    return s;
  }

  // Owner thread only: a slot that never left this thread (e.g. the queue was full).
  void release_local(Slot* s) noexcept {
    s->next = _local;
    _local = s;
    --_out;
  }

  // Any thread: gives back `count` slots chained first→…→last through `next`.
  // Returns true when the owner has already let go and these were the last
  // slots out: the caller must then destroy the pool's recorder.
  bool give_back(Slot* first, Slot* last, uint32_t count) noexcept {
    Slot* head = _returned.load(std::memory_order_relaxed);
    do {
      last->next = head;
    } while (!_returned.compare_exchange_weak(head, first, std::memory_order_release,
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

  size_t slot_count() const noexcept { return _slot_count; }
  bool arena_allocated() const noexcept { return _arena != nullptr; }

 private:
  struct ArenaDeleter {
    void operator()(std::byte* p) const noexcept {
      ::operator delete[](p, std::align_val_t{alignof(Slot)});
    }
  };

  Slot* carve(ThreadRecorder* owner) noexcept {
    if (_carved == _slot_count) return nullptr;
    if (_arena == nullptr) {
      auto* raw = static_cast<std::byte*>(
          ::operator new[](_slot_count* _stride, std::align_val_t{alignof(Slot)}, std::nothrow));
      if (raw == nullptr) return nullptr;
      _arena.reset(raw);
    }
    auto* s = new (_arena.get() + _carved * _stride) Slot;
    s->owner = owner;
    ++_carved;
    ++_out;
    return s;
  }

  const size_t _slot_count;
  const size_t _stride;
  std::unique_ptr<std::byte, ArenaDeleter> _arena;
  size_t _carved = 0;
  Slot* _local = nullptr;  // owner-private free stack
  uint64_t _out = 0;       // owner-private: acquired minus released locally

  alignas(64) std::atomic<Slot*> _returned{nullptr};
  std::atomic<int64_t> _balance{0};
};

}  // namespace hotspan::detail
