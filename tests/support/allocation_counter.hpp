// hotspan tests and benchmarks — counts the heap allocations of the calling thread.
//
// allocation_counter.cpp replaces every form of the global operator new with
// one that bumps a thread-local counter before calling malloc. The programs
// that link it — the allocation test and the hot_path_latency benchmark — can
// then say how many allocations an operation costs on the caller's thread (the
// exporter thread's allocations are its own and not counted here).
//
// How to read `allocs/op`: 0 means no operator new on the caller's thread
// during the timed loop; 1 means one allocation per operation (e.g. the
// std::string returned by to_traceparent). Allocations made by malloc()
// directly (not through operator new) are not seen.
#pragma once

#include <cstdint>

namespace hotspan_test {

// operator new calls made by the calling thread since it started.
uint64_t thread_allocations() noexcept;

}  // namespace hotspan_test
