// hotspan bench — CPU time of the calling thread, and of a tracer's exporter thread.
//
// thread_cpu_ns() is the calling thread's own CPU time (CLOCK_THREAD_CPUTIME_ID).
//
// The exporter thread is internal to the Tracer: the bench has no pthread_t
// for it, so pthread_getcpuclockid() is out of reach. What it can get is the
// thread's kernel id: ExporterThreadWatch lists /proc/self/task before and
// after the Tracer is constructed, and the one new entry is the exporter
// thread (the Tracer starts no other thread, and the bench starts none while
// the Tracer is being made). Its CPU time is then read from
// /proc/self/task/<tid>/schedstat, whose first field is the nanoseconds the
// thread has run on a CPU. /proc/self/task/<tid>/stat (utime + stime) would do
// too, but counts in clock ticks of 10 ms: too coarse for runs of a second.
// The watch reads stat only where schedstat is missing (a kernel without
// CONFIG_SCHED_INFO), and says so through precise().
#pragma once

#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <utility>

namespace hotspan_bench {

inline uint64_t thread_cpu_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
}

// The kernel ids of this process's threads.
inline std::set<long> task_ids() {
  std::set<long> ids;
  if (DIR* dir = opendir("/proc/self/task")) {
    while (const dirent* entry = readdir(dir)) {
      char* end = nullptr;
      const long id = std::strtol(entry->d_name, &end, 10);
      if (end != entry->d_name && *end == '\0') ids.insert(id);
    }
    closedir(dir);
  }
  return ids;
}

// Finds a Tracer's exporter thread as the Tracer is made, then reads its CPU time.
class ExporterThreadWatch {
 public:
  // Calls make_tracer(), which constructs the Tracer; the thread that appeared
  // meanwhile is its exporter thread. found() is false when not exactly one did.
  template <typename MakeTracer>
  explicit ExporterThreadWatch(MakeTracer&& make_tracer) {
    const std::set<long> before = task_ids();
    std::forward<MakeTracer>(make_tracer)();
    int appeared = 0;
    for (const long id : task_ids()) {
      if (before.count(id) == 0) {
        _tid = id;
        ++appeared;
      }
    }
    if (appeared != 1) _tid = -1;
    if (_tid >= 0) {
      std::ifstream probe(path("schedstat"));
      _precise = static_cast<bool>(probe);
    }
  }

  bool found() const noexcept { return _tid >= 0; }
  long tid() const noexcept { return _tid; }
  // Whether cpu_ns() reads nanoseconds (schedstat) rather than 10 ms ticks (stat).
  bool precise() const noexcept { return _precise; }

  // What the exporter thread's schedstat says so far: the nanoseconds it
  // ran, waited on a run queue, and how many times it was put on a CPU
  // (about once per wake-up). Zeros if it was not found; from stat (run time
  // only, in ticks) where schedstat is missing.
  struct Sample {
    uint64_t run_ns = 0;
    uint64_t wait_ns = 0;
    uint64_t slices = 0;
  };
  Sample sample() const {
    Sample s;
    if (_tid < 0) return s;
    if (_precise) {
      std::ifstream in(path("schedstat"));
      in >> s.run_ns >> s.wait_ns >> s.slices;
      return s;
    }
    // utime and stime: fields 14 and 15 of stat, after the parenthesised name.
    std::ifstream in(path("stat"));
    std::string line;
    std::getline(in, line);
    const size_t paren = line.rfind(')');
    if (paren == std::string::npos) return s;
    std::istringstream fields(line.substr(paren + 2));
    std::string field;
    uint64_t ticks = 0;
    for (int index = 3; index <= 15 && fields >> field; ++index) {
      if (index >= 14) ticks += std::stoull(field);
    }
    s.run_ns = ticks * (1'000'000'000u / static_cast<uint64_t>(sysconf(_SC_CLK_TCK)));
    return s;
  }
  // The exporter thread's CPU time so far, in nanoseconds.
  uint64_t cpu_ns() const { return sample().run_ns; }

 private:
  std::string path(const char* file) const {
    return "/proc/self/task/" + std::to_string(_tid) + "/" + file;
  }

  long _tid = -1;
  bool _precise = false;
};

}  // namespace hotspan_bench
