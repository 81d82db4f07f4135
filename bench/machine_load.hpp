// hotspan bench — how busy the rest of the machine was during a measurement.
//
// A benchmark on a shared 2-core machine measures the other processes too:
// when they keep the cores busy, the tracer's exporter thread waits on the
// run queue and producers lose their time slices. OtherLoad reads the
// machine's busy time (/proc/stat) and this process's CPU time
// (/proc/self/stat, with its waited-for children) at construction; others_busy_cores() then says
// how many cores, on average, processes other than this one kept busy since.
//
// How to read the `others_busy_cores` counter: 0 = the machine was ours;
// 1.0 on a 2-core machine = another process took a whole core. The kernel
// counts in 10 ms ticks, so runs shorter than ~1 s read to within a few
// hundredths of a core.
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

namespace hotspan_bench {

class OtherLoad {
 public:
  OtherLoad() : _machine(machine_busy_ticks()), _process(process_ticks()), _start(now()) {}

  double others_busy_cores() const {
    const double seconds = std::chrono::duration<double>(now() - _start).count();
    const uint64_t machine = machine_busy_ticks() - _machine;
    const uint64_t process = process_ticks() - _process;
    if (seconds <= 0 || machine < process) return 0;
    return static_cast<double>(machine - process) / static_cast<double>(sysconf(_SC_CLK_TCK)) /
           seconds;
  }

 private:
  static std::chrono::steady_clock::time_point now() { return std::chrono::steady_clock::now(); }

  // user + nice + system + irq + softirq + steal of the "cpu" line.
  static uint64_t machine_busy_ticks() {
    std::ifstream in("/proc/stat");
    std::string label;
    uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
    in >> label >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
    return user + nice + system + irq + softirq + steal;
  }

  // utime + stime + cutime + cstime (fields 14 to 17): the whole process,
  // exited threads and waited-for child processes included.
  static uint64_t process_ticks() {
    std::ifstream in("/proc/self/stat");
    std::string line;
    std::getline(in, line);
    const size_t paren = line.rfind(')');
    if (paren == std::string::npos) return 0;
    std::istringstream fields(line.substr(paren + 2));
    std::string field;
    uint64_t ticks = 0;
    for (int index = 3; index <= 17 && fields >> field; ++index) {
      if (index >= 14) ticks += std::stoull(field);
    }
    return ticks;
  }

  uint64_t _machine;
  uint64_t _process;
  std::chrono::steady_clock::time_point _start;
};

}  // namespace hotspan_bench
