// hotspan — ThreadRecorder lifetime and slot return.
#include "recording/thread_recorder.hpp"

#include "core/tracer_core.hpp"

namespace hotspan::detail {

ThreadRecorder::ThreadRecorder(TracerCore& core, uint32_t thread_id)
    : _core(core),
      _queue(core.queue()),
      _thread_id(thread_id),
      _pool(core.slots_per_thread(), core.limits()),
      // A fresh draw, never 0: a count that started at 0 would sample every
      // thread's first root.
      _ratio_countdown((core.rules & inline_rules::ratio_roots) != 0 ? core.ratio_countdown().draw()
                                                                     : 0) {
  // A new producer gets a queue block now, while allocating is allowed: a
  // producer keeps the blocks it claims (span_queue.hpp), so with more
  // recording threads than free blocks a new thread's try_enqueue would fail
  // on an empty queue. Enqueueing a null marker (which the exporter discards)
  // claims one, from the pool or, once that is used up, from the heap. A
  // recycled producer holds blocks already and must not claim more: claims
  // would then grow with the number of threads that have come and gone.
  if (core.open_producer(_token)) core.queue().enqueue(*_token, nullptr);
  core.add_ref();
  try {
    core.register_recorder(this);
  } catch (...) {
    core.close_producer(_token);
    core.release_ref();
    throw;
  }
}

ThreadRecorder::~ThreadRecorder() {
  _core.close_producer(_token);
  TracerCore& core = _core;
  core.unregister_recorder(this);
  core.release_ref();  // last: may delete the core
}

void ThreadRecorder::release_owner() noexcept {
  // The producer becomes inactive and reusable by the next thread's token; its
  // queued spans are still dequeued normally.
  _core.close_producer(_token);
  if (_pool.release_owner()) delete this;
}

void give_back_slot(Slot* s) noexcept {
  ThreadRecorder* owner = s->owner;
  if (owner->pool().give_back(s, s, 1)) delete owner;
}

void give_back_slots(Slot* const* slots, size_t count) noexcept {
  size_t i = 0;
  while (i < count) {
    Slot* first = slots[i];
    Slot* last = first;
    uint32_t n = 1;
    ThreadRecorder* owner = first->owner;
    while (i + n < count && slots[i + n]->owner == owner) {
      owner->pool().link(last, slots[i + n]);
      last = slots[i + n];
      ++n;
    }
    if (owner->pool().give_back(first, last, n)) delete owner;
    i += n;
  }
}

}  // namespace hotspan::detail
