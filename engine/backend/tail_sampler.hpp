// hotspan — tail-based sampling on the exporter thread (the policy and its
// limits: include/hotspan/tail_sampling.hpp).
//
// Between the record builder and the exporter: each batch of records goes in,
// and what comes out for the exporter is the records of traces decided "keep"
// (held copies, and later spans of kept traces as they are). A held trace
// lives in a RecordArena; traces are kept in arrival order (a list), so the
// oldest is found at once for decision_wait and for the byte budget, and are
// found by trace id through a hash map. Decisions are remembered in a second
// map, expired in the order they were made.
//
// Everything here runs on the exporter thread; counters() is the one read
// from other threads (relaxed atomics, each a monotonic count that publishes
// nothing else, as the exporter thread's own counters).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <list>
#include <span>
#include <unordered_map>
#include <vector>

#include "backend/key_pattern.hpp"
#include "backend/record_arena.hpp"
#include "hotspan/span_record.hpp"
#include "hotspan/tail_sampling.hpp"

namespace hotspan::detail {

struct TailCounters {
  uint64_t spans_discarded = 0;
  uint64_t traces_kept = 0;
  uint64_t traces_discarded = 0;
  uint64_t traces_decided_early = 0;
};

class TailSampler {
 public:
  using Clock = std::chrono::steady_clock;

  explicit TailSampler(const TailSamplingPolicy& policy);
  bool active() const noexcept { return _active; }

  // Takes one batch (`local_roots[i]`: records[i] is its trace's local root).
  // Appends to `out` what the exporter gets now: views into `records` for
  // spans of traces already kept, copies for traces decided by this batch.
  // Everything appended stays valid until release(). Returns how many spans
  // were lost for want of memory (the caller counts them as failed); a kept
  // trace that cannot be handed over for want of memory stays held instead.
  size_t add(std::span<const SpanRecord> records, std::span<const uint8_t> local_roots,
             Clock::time_point now, std::vector<SpanRecord>& out) noexcept;
  // Decides the traces held past decision_wait; forgets old decisions.
  void decide_due(Clock::time_point now, std::vector<SpanRecord>& out) noexcept;
  // Decides every held trace (flush, shutdown); returns the spans lost for
  // want of memory.
  size_t decide_all(std::vector<SpanRecord>& out) noexcept;
  // Frees the copies of kept traces once the exporter has returned.
  void release() noexcept { _kept.clear(); }

  size_t buffered_bytes() const noexcept { return _buffered_bytes; }
  size_t held_traces() const noexcept { return _held.size(); }
  TailCounters counters() const noexcept;

 private:
  struct HeldTrace {
    TraceId trace_id;
    Clock::time_point first_arrival;
    RecordArena spans;
    bool keep = false;  // an error or a matching attribute seen so far
  };
  struct Decision {
    bool keep;
    Clock::time_point made;
  };

  bool worth_keeping(const SpanRecord& record) const noexcept;
  bool slow_root(const SpanRecord& root) const noexcept;
  // Copies `record` into its trace, held from now on if new. Throws
  // bad_alloc with nothing changed.
  std::list<HeldTrace>::iterator hold(const SpanRecord& record, Clock::time_point now);
  // Decides `trace` (keep when `keep` or the baseline says so) and drops it from
  // the held list; kept spans go to `out`. False, with nothing changed, when
  // `out` cannot grow.
  bool decide(std::list<HeldTrace>::iterator trace, bool keep, bool early, Clock::time_point now,
              std::vector<SpanRecord>& out) noexcept;
  // Decides the oldest traces while the held copies are over the budget.
  void break_budget(Clock::time_point now, std::vector<SpanRecord>& out) noexcept;
  void remember(const TraceId& trace_id, bool keep, Clock::time_point now) noexcept;
  static bool push(std::vector<SpanRecord>& out, const SpanRecord& record) noexcept;
  static void count(std::atomic<uint64_t>& counter, uint64_t n) noexcept {
    counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }

  const bool _active;
  const bool _keep_errors;
  std::vector<std::pair<KeyPattern, std::chrono::nanoseconds>> _slow_roots;
  std::vector<std::pair<KeyPattern, std::string>> _keep_attributes;  // value "": any
  const uint64_t _baseline_threshold;                                // ratio_samples() threshold
  const Clock::duration _decision_wait;
  const size_t _max_buffered_bytes;

  std::list<HeldTrace> _held;  // oldest first arrival first
  std::unordered_map<TraceId, std::list<HeldTrace>::iterator> _held_by_id;
  std::list<HeldTrace> _kept;  // decided "keep", copies in use until release()
  size_t _buffered_bytes = 0;
  std::unordered_map<TraceId, Decision> _decided;
  std::deque<std::pair<Clock::time_point, TraceId>> _decision_order;  // oldest first

  std::atomic<uint64_t> _spans_discarded{0};
  std::atomic<uint64_t> _traces_kept{0};
  std::atomic<uint64_t> _traces_discarded{0};
  std::atomic<uint64_t> _traces_decided_early{0};
};

}  // namespace hotspan::detail
