// hotspan bench — where the timed thread and the tracer's exporter thread run.
//
// A sampled span's cost on the caller depends on where the exporter thread
// runs: slots come back to the caller after the exporter thread has read and
// relinked them, so on another core every reused slot is a cross-core cache
// transfer, on the same core it is not. Left to the scheduler, a benchmark
// flips between the two from run to run. The single-threaded programs
// therefore place both threads explicitly, as a relay would run them: the
// caller on one core, the exporter thread on another.
//
//   HOTSPAN_BENCH_CPU=1           CallerPin pins the calling thread to CPU 1
//   HOTSPAN_BENCH_EXPORTER_CPU=0  make_placed_tracer() creates the Tracer while
//                                 its thread runs on CPU 0, so the exporter
//                                 thread (which inherits the mask) stays there
//
// Unset, empty or unusable: nothing is pinned. Both restore the previous mask
// when they end.
#pragma once

#include <pthread.h>
#include <sched.h>

#include <cstdlib>
#include <string>
#include <utility>

#include "hotspan/tracer.hpp"

namespace hotspan_bench {

// Runs the calling thread on the CPU named by an environment variable while alive.
class CpuPin {
 public:
  explicit CpuPin(const char* variable) noexcept {
    const int cpu = cpu_of(variable);
    if (cpu < 0 || pthread_getaffinity_np(pthread_self(), sizeof _previous, &_previous) != 0) {
      return;
    }
    if (!CPU_ISSET(cpu, &_previous)) return;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    _pinned = pthread_setaffinity_np(pthread_self(), sizeof one, &one) == 0;
  }
  ~CpuPin() {
    if (_pinned) pthread_setaffinity_np(pthread_self(), sizeof _previous, &_previous);
  }
  CpuPin(const CpuPin&) = delete;
  CpuPin& operator=(const CpuPin&) = delete;

  bool pinned() const noexcept { return _pinned; }

  static int cpu_of(const char* variable) noexcept {
    const char* value = std::getenv(variable);
    if (value == nullptr || *value == '\0') return -1;
    const int cpu = std::atoi(value);
    return cpu >= 0 && cpu < CPU_SETSIZE ? cpu : -1;
  }

 private:
  cpu_set_t _previous{};
  bool _pinned = false;
};

// The timed thread: made after the tracer, so that it does not move the exporter thread.
class CallerPin : public CpuPin {
 public:
  CallerPin() noexcept : CpuPin("HOTSPAN_BENCH_CPU") {}
};

// A Tracer whose exporter thread runs on HOTSPAN_BENCH_EXPORTER_CPU.
inline hotspan::Tracer make_placed_tracer(hotspan::TracerOptions options) {
  CpuPin exporter_cpu("HOTSPAN_BENCH_EXPORTER_CPU");
  return hotspan::Tracer(std::move(options));
}

// What the programs record in their JSON context.
inline std::string placement_description() {
  const int caller = CpuPin::cpu_of("HOTSPAN_BENCH_CPU");
  const int exporter = CpuPin::cpu_of("HOTSPAN_BENCH_EXPORTER_CPU");
  return "caller " + (caller < 0 ? std::string("unpinned") : "on CPU " + std::to_string(caller)) +
         ", exporter thread " +
         (exporter < 0 ? std::string("unpinned") : "on CPU " + std::to_string(exporter));
}

}  // namespace hotspan_bench
