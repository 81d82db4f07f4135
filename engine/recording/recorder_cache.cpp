// hotspan — per-thread recorder lookup, creation and release at thread exit.
#include "recording/recorder_cache.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "core/tracer_core.hpp"
#include "recording/thread_recorder.hpp"

namespace hotspan::detail {

constinit thread_local LastRecorder t_last_recorder [[gnu::tls_model("initial-exec")]];

namespace {

// Set when this thread's RecorderCache has been destroyed (thread exit), so
// that spans ended by later thread_local destructors do not resurrect it.
thread_local bool t_cache_gone = false;

uint32_t current_thread_id() noexcept {
  return static_cast<uint32_t>(::syscall(SYS_gettid));
}

class RecorderCache {
 public:
  ~RecorderCache() {
    t_cache_gone = true;
    t_last_recorder = LastRecorder{};
    for (const Entry& e : _entries)
      e.recorder->release_owner();
  }

  ThreadRecorder* find_or_create(TracerCore& core) {
    forget_closed();
    for (const Entry& e : _entries) {
      if (e.core_id == core.id()) return remember(e);
    }
    if (core.closed()) return nullptr;
    _entries.reserve(_entries.size() + 1);  // cannot fail after the recorder exists
    auto* recorder = new ThreadRecorder(core, thread_id());
    _entries.push_back(Entry{core.id(), &core, recorder});
    return remember(_entries.back());
  }

 private:
  struct Entry {
    uint64_t core_id;
    TracerCore* core;  // alive: the recorder holds a reference
    ThreadRecorder* recorder;
  };

  ThreadRecorder* remember(const Entry& e) noexcept {
    t_last_recorder = LastRecorder{e.core_id, e.recorder, &e.recorder->counters().spans_started,
                                   &e.recorder->ratio_countdown()};
    return e.recorder;
  }

  // Recorders of tracers that have shut down are of no further use to this
  // thread; releasing them lets their memory go once their slots are back.
  void forget_closed() noexcept {
    auto closed = [](const Entry& e) { return e.core->closed(); };
    if (std::none_of(_entries.begin(), _entries.end(), closed)) return;
    t_last_recorder = LastRecorder{};
    std::erase_if(_entries, [&](const Entry& e) {
      if (!closed(e)) return false;
      e.recorder->release_owner();
      return true;
    });
  }

  uint32_t thread_id() noexcept {
    if (_thread_id == 0) _thread_id = current_thread_id();
    return _thread_id;
  }

  std::vector<Entry> _entries;
  uint32_t _thread_id = 0;
};

}  // namespace

ThreadRecorder* find_or_create_recorder(TracerCore& core) noexcept {
  if (t_cache_gone) return nullptr;
  thread_local RecorderCache cache;
  try {
    return cache.find_or_create(core);
  } catch (...) {  // allocation failure: the span goes unrecorded, counted by the caller
    return nullptr;
  }
}

}  // namespace hotspan::detail
