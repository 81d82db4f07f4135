// hotspan — tail-based sampling (see tail_sampler.hpp and
// include/hotspan/tail_sampling.hpp).
#include "backend/tail_sampler.hpp"

#include <utility>

#include "backend/attribute_text.hpp"
#include "core/sampler_mode.hpp"

namespace hotspan::detail {

namespace {

// Decisions remembered for spans that end after their trace was decided.
constexpr size_t kMaxRememberedDecisions = 65536;
// A held trace's own bookkeeping beyond its arena: the list node, the map
// node and its bucket, counted against the budget with the copies.
constexpr size_t kHeldTraceOverhead = 128;

bool attribute_matches(const std::pair<KeyPattern, std::string>& rule,
                       std::span<const AttributeView> attributes) {
  for (const AttributeView& a : attributes) {
    if (!rule.first.matches(a.key)) continue;
    if (rule.second.empty()) return true;
    const auto* text = std::get_if<std::string_view>(&a.value);
    if (text ? *text == rule.second : attribute_text(a.value) == rule.second) return true;
  }
  return false;
}

}  // namespace

TailSampler::TailSampler(const TailSamplingPolicy& policy)
    : _active(policy.enabled),
      _keep_errors(policy.keep_errors),
      _baseline_threshold(ratio_threshold(policy.baseline)),
      _decision_wait(policy.decision_wait),
      _max_buffered_bytes(policy.max_buffered_bytes) {
  for (const SlowRootRule& rule : policy.slow_roots)
    _slow_roots.emplace_back(KeyPattern(rule.name), rule.threshold);
  for (const AttributeMatch& rule : policy.keep_attributes)
    _keep_attributes.emplace_back(KeyPattern(rule.key), rule.value);
}

bool TailSampler::worth_keeping(const SpanRecord& r) const noexcept {
  if (_keep_errors && r.status == StatusCode::error) return true;
  for (const auto& rule : _keep_attributes) {
    try {
      if (attribute_matches(rule, r.attributes)) return true;
      for (const EventView& e : r.events)
        if (attribute_matches(rule, e.attributes)) return true;
    } catch (...) {  // bad_alloc rendering a number: the rule does not match
    }
  }
  return false;
}

bool TailSampler::slow_root(const SpanRecord& root) const noexcept {
  const uint64_t duration =
      root.end_unix_ns > root.start_unix_ns ? root.end_unix_ns - root.start_unix_ns : 0;
  for (const auto& [name, threshold] : _slow_roots) {
    if (name.matches(root.name)) return duration > static_cast<uint64_t>(threshold.count());
  }
  return false;
}

size_t TailSampler::add(std::span<const SpanRecord> records, std::span<const uint8_t> local_roots,
                        Clock::time_point now, std::vector<SpanRecord>& out) noexcept {
  size_t failed = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    const SpanRecord& r = records[i];
    if (const auto decided = _decided.find(r.trace_id); decided != _decided.end()) {
      // A span that ended after its trace was decided follows the decision.
      if (!decided->second.keep) {
        count(_spans_discarded, 1);
      } else if (!push(out, r)) {
        ++failed;
      }
      continue;
    }
    std::list<HeldTrace>::iterator trace;
    try {
      trace = hold(r, now);
    } catch (...) {  // bad_alloc: this span is lost, counted by the caller
      ++failed;
      continue;
    }
    if (!trace->keep) trace->keep = worth_keeping(r);
    // When `out` cannot grow, the trace stays held and is decided later.
    if (local_roots[i] != 0) decide(trace, trace->keep || slow_root(r), /*early=*/false, now, out);
  }
  break_budget(now, out);
  return failed;
}

std::list<TailSampler::HeldTrace>::iterator TailSampler::hold(const SpanRecord& r,
                                                              Clock::time_point now) {
  std::list<HeldTrace>::iterator trace;
  if (const auto held = _held_by_id.find(r.trace_id); held != _held_by_id.end()) {
    trace = held->second;
  } else {
    _held.push_back(HeldTrace{r.trace_id, now, {}, false});
    trace = std::prev(_held.end());
    try {
      _held_by_id.emplace(r.trace_id, trace);
    } catch (...) {
      _held.pop_back();
      throw;
    }
    _buffered_bytes += kHeldTraceOverhead;
  }
  _buffered_bytes += trace->spans.add(r);  // all or nothing
  return trace;
}

void TailSampler::break_budget(Clock::time_point now, std::vector<SpanRecord>& out) noexcept {
  // Over the budget: the oldest traces are decided on what they hold.
  while (_buffered_bytes > _max_buffered_bytes && !_held.empty()) {
    if (!decide(_held.begin(), _held.front().keep, /*early=*/true, now, out)) return;
  }
}

void TailSampler::decide_due(Clock::time_point now, std::vector<SpanRecord>& out) noexcept {
  while (!_held.empty() && now - _held.front().first_arrival >= _decision_wait) {
    if (!decide(_held.begin(), _held.front().keep, /*early=*/true, now, out)) break;
  }
  while (!_decision_order.empty() && (now - _decision_order.front().first >= _decision_wait ||
                                      _decision_order.size() > kMaxRememberedDecisions)) {
    const auto& [made, trace_id] = _decision_order.front();
    // A trace decided again after this decision was forgotten has a newer one.
    if (const auto d = _decided.find(trace_id); d != _decided.end() && d->second.made == made)
      _decided.erase(d);
    _decision_order.pop_front();
  }
}

size_t TailSampler::decide_all(std::vector<SpanRecord>& out) noexcept {
  const Clock::time_point now = Clock::now();
  size_t failed = 0;
  while (!_held.empty()) {
    if (decide(_held.begin(), _held.front().keep, /*early=*/true, now, out)) continue;
    // No memory to hand a kept trace over: its spans are lost, and counted.
    failed += _held.front().spans.records().size();
    _buffered_bytes -= _held.front().spans.bytes() + kHeldTraceOverhead;
    _held_by_id.erase(_held.front().trace_id);
    _held.pop_front();
  }
  return failed;
}

bool TailSampler::push(std::vector<SpanRecord>& out, const SpanRecord& record) noexcept {
  try {
    out.push_back(record);
    return true;
  } catch (...) {
    return false;
  }
}

bool TailSampler::decide(std::list<HeldTrace>::iterator trace, bool keep, bool early,
                         Clock::time_point now, std::vector<SpanRecord>& out) noexcept {
  keep = keep || ratio_samples(trace->trace_id, _baseline_threshold);
  const std::span<const SpanRecord> spans = trace->spans.records();
  if (keep) {
    try {  // the one step that may fail, before anything changes
      out.insert(out.end(), spans.begin(), spans.end());
    } catch (...) {
      return false;
    }
  }
  _buffered_bytes -= trace->spans.bytes() + kHeldTraceOverhead;
  _held_by_id.erase(trace->trace_id);
  remember(trace->trace_id, keep, now);
  if (early) count(_traces_decided_early, 1);
  if (keep) {
    count(_traces_kept, 1);
    _kept.splice(_kept.end(), _held, trace);  // the copies live until release()
  } else {
    count(_spans_discarded, spans.size());
    count(_traces_discarded, 1);
    _held.erase(trace);
  }
  return true;
}

void TailSampler::remember(const TraceId& trace_id, bool keep, Clock::time_point now) noexcept {
  // Best effort: a decision that cannot be remembered leaves later spans of
  // the trace to be decided on their own.
  try {
    _decided.insert_or_assign(trace_id, Decision{keep, now});
    try {
      _decision_order.emplace_back(now, trace_id);
    } catch (...) {
      _decided.erase(trace_id);
    }
  } catch (...) {
  }
}

TailCounters TailSampler::counters() const noexcept {
  return {_spans_discarded.load(std::memory_order_relaxed),
          _traces_kept.load(std::memory_order_relaxed),
          _traces_discarded.load(std::memory_order_relaxed),
          _traces_decided_early.load(std::memory_order_relaxed)};
}

}  // namespace hotspan::detail
