// hotspan — the calling thread's map from tracer to its ThreadRecorder.
//
// The hot path is one thread-local compare: the last tracer used on this thread
// is remembered in a trivially destructible thread_local (no TLS guard). Other
// tracers are found in a small per-thread vector; that slow path also creates
// recorders and forgets those of tracers that have shut down. At thread exit
// every recorder is released (see ThreadRecorder::release_owner).
#pragma once

#include <cstdint>

#include "hotspan/detail/hot_path.hpp"

namespace hotspan::detail {

class TracerCore;
class ThreadRecorder;

// Null when the tracer is closed, the thread is exiting, or allocation failed.
ThreadRecorder* find_or_create_recorder(TracerCore& core) noexcept;

}  // namespace hotspan::detail
