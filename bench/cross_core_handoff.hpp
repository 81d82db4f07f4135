// hotspan bench — the cost of taking back a cache line another core wrote.
//
// A sampled span's slot comes back to the caller after the exporter thread,
// on another core, has read it and relinked it into the free list. The caller
// then follows the free-list link stored in the slot and writes the slot: each
// such line must first travel back from the other core. LineHandoff measures
// that floor on its own: a ring of 64-byte lines linked in a shuffled order; a
// helper thread on HOTSPAN_BENCH_EXPORTER_CPU rewrites every line (as the
// exporter relinks returned slots); the timed thread then follows the links
// and writes each line it reaches (as acquire + fill does). One operation =
// one line taken back; the dependent loads serialise, as they do in a free
// list. With the helper on the timed thread's own CPU (helper_cpu_variable =
// "HOTSPAN_BENCH_CPU") the same loop costs what an L2 hit costs.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <random>
#include <thread>
#include <vector>

#include "cpu_placement.hpp"

namespace hotspan_bench {

class LineHandoff {
 public:
  struct alignas(64) Line {
    uint32_t next;
    uint32_t payload[15];
  };

  // helper_cpu_variable names the environment variable with the helper's CPU.
  LineHandoff(uint32_t lines, const char* helper_cpu_variable)
      : _lines(lines), _helper_cpu_variable(helper_cpu_variable) {
    std::vector<uint32_t> order(lines);
    for (uint32_t i = 0; i < lines; ++i)
      order[i] = i;
    std::shuffle(order.begin() + 1, order.end(), std::mt19937(42));
    for (uint32_t i = 0; i < lines; ++i)
      _lines[order[i]].next = order[(i + 1) % lines];
    _helper = std::thread([this] { helper_main(); });
  }
  ~LineHandoff() {
    _stop.store(true, std::memory_order_release);
    _request.fetch_add(1, std::memory_order_release);
    _helper.join();
  }
  LineHandoff(const LineHandoff&) = delete;
  LineHandoff& operator=(const LineHandoff&) = delete;

  uint32_t size() const noexcept { return static_cast<uint32_t>(_lines.size()); }

  // The helper rewrites every line on its CPU; returns once it has.
  void rewrite_all_elsewhere() noexcept {
    const uint64_t ticket = _request.fetch_add(1, std::memory_order_acq_rel) + 1;
    while (_done.load(std::memory_order_acquire) != ticket)
      std::this_thread::yield();
  }

  // Takes back the line `at` links to: one dependent load, one store.
  uint32_t take(uint32_t at) noexcept {
    Line& line = _lines[at];
    const uint32_t next = line.next;
    line.payload[0] = at;
    return next;
  }

 private:
  void helper_main() {
    CpuPin pin(_helper_cpu_variable);
    uint64_t seen = 0;
    for (;;) {
      uint64_t wanted;
      while ((wanted = _request.load(std::memory_order_acquire)) == seen) {
        std::this_thread::yield();
      }
      if (_stop.load(std::memory_order_acquire)) return;
      // A store into every line: each is now modified in this core's cache.
      for (Line& line : _lines)
        line.payload[1] = static_cast<uint32_t>(wanted);
      seen = wanted;
      _done.store(wanted, std::memory_order_release);
    }
  }

  std::vector<Line> _lines;
  const char* _helper_cpu_variable;
  alignas(64) std::atomic<uint64_t> _request{0};
  alignas(64) std::atomic<uint64_t> _done{0};
  std::atomic<bool> _stop{false};
  std::thread _helper;
};

}  // namespace hotspan_bench
