// Test support: an exporter that keeps owned copies of every span it is given,
// and can be told to fail, throw or stall.
#pragma once

#include <hotspan/hotspan.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <variant>
#include <vector>

namespace hotspan_test {

using OwnedValue = std::variant<bool, int64_t, double, std::string>;

inline OwnedValue own(const hotspan::AttributeValue& v) {
  switch (v.index()) {
    case 0:
      return std::get<0>(v);
    case 1:
      return std::get<1>(v);
    case 2:
      return std::get<2>(v);
    default:
      return std::string(std::get<3>(v));
  }
}

// What an encoder writes of `attributes`: a key recorded twice once, at its
// first position, with its last value.
inline std::vector<std::pair<std::string, OwnedValue>> deduplicated(
    const std::vector<std::pair<std::string, OwnedValue>>& attributes) {
  std::vector<std::pair<std::string, OwnedValue>> out;
  for (const auto& [key, value] : attributes) {
    bool seen = false;
    for (auto& kept : out) {
      if (kept.first == key) {
        kept.second = value;
        seen = true;
      }
    }
    if (!seen) out.emplace_back(key, value);
  }
  return out;
}

struct OwnedEvent {
  std::string name;
  uint64_t time_unix_ns;
  std::vector<std::pair<std::string, OwnedValue>> attributes;

  const OwnedValue* find(std::string_view key) const {
    for (auto& [k, v] : attributes)
      if (k == key) return &v;
    return nullptr;
  }
};

struct OwnedSpan {
  hotspan::TraceId trace_id;
  hotspan::SpanId span_id, parent_span_id;
  std::string name;
  hotspan::SpanKind kind;
  uint64_t start_unix_ns, end_unix_ns;
  hotspan::StatusCode status;
  std::string status_message;
  std::vector<std::pair<std::string, OwnedValue>> attributes;
  std::vector<OwnedEvent> events;
  uint32_t dropped_attributes, dropped_events, thread_id;

  const OwnedValue* find(std::string_view key) const {
    for (auto& [k, v] : attributes)
      if (k == key) return &v;
    return nullptr;
  }
};

inline OwnedSpan own(const hotspan::SpanRecord& r) {
  OwnedSpan s{r.trace_id,
              r.span_id,
              r.parent_span_id,
              std::string(r.name),
              r.kind,
              r.start_unix_ns,
              r.end_unix_ns,
              r.status,
              std::string(r.status_message),
              {},
              {},
              r.dropped_attributes,
              r.dropped_events,
              r.thread_id};
  for (const auto& a : r.attributes)
    s.attributes.emplace_back(std::string(a.key), own(a.value));
  for (const auto& e : r.events) {
    OwnedEvent oe{std::string(e.name), e.time_unix_ns, {}};
    for (const auto& a : e.attributes)
      oe.attributes.emplace_back(std::string(a.key), own(a.value));
    s.events.push_back(std::move(oe));
  }
  return s;
}

class CaptureExporter : public hotspan::Exporter {
 public:
  enum class Mode { keep, fail, throw_error };

  void start(const hotspan::Resource& r) override {
    std::lock_guard lock(_mutex);
    _resource = r;
  }
  bool export_batch(std::span<const hotspan::SpanRecord> batch) override {
    if (_stall_ms.load() > 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(_stall_ms.load()));
    _batches.fetch_add(1);
    switch (_mode.load()) {
      case Mode::fail:
        return false;
      case Mode::throw_error:
        throw std::runtime_error("exporter exploded");
      case Mode::keep:
        break;
    }
    if (_count_only) {
      _count.fetch_add(batch.size());
      return true;
    }
    std::lock_guard lock(_mutex);
    for (const auto& r : batch)
      _spans.push_back(own(r));
    _count.fetch_add(batch.size());
    return true;
  }
  bool flush() override {
    _flushes.fetch_add(1);
    return true;
  }
  void shutdown() override { _shutdowns.fetch_add(1); }

  void set_mode(Mode m) { _mode.store(m); }
  void set_stall(int ms) { _stall_ms.store(ms); }
  void count_only() { _count_only = true; }

  std::vector<OwnedSpan> spans() const {
    std::lock_guard lock(_mutex);
    return _spans;
  }
  hotspan::Resource resource() const {
    std::lock_guard lock(_mutex);
    return _resource;
  }
  uint64_t count() const { return _count.load(); }
  int flushes() const { return _flushes.load(); }
  int shutdowns() const { return _shutdowns.load(); }
  int batches() const { return _batches.load(); }

 private:
  mutable std::mutex _mutex;
  hotspan::Resource _resource;
  std::vector<OwnedSpan> _spans;
  std::atomic<Mode> _mode{Mode::keep};
  std::atomic<int> _stall_ms{0};
  std::atomic<uint64_t> _count{0};
  std::atomic<int> _flushes{0}, _shutdowns{0}, _batches{0};
  bool _count_only = false;
};

inline void require_invariant(const hotspan::TracerStats& s) {
  if (s.spans_sampled != s.spans_exported + s.dropped_pool_exhausted + s.dropped_queue_full +
                             s.dropped_export_failed + s.spans_discarded_by_tail_sampling) {
    throw std::logic_error("stats invariant broken: sampled=" + std::to_string(s.spans_sampled) +
                           " exported=" + std::to_string(s.spans_exported) +
                           " pool=" + std::to_string(s.dropped_pool_exhausted) +
                           " queue=" + std::to_string(s.dropped_queue_full) +
                           " failed=" + std::to_string(s.dropped_export_failed) +
                           " tail_discarded=" + std::to_string(s.spans_discarded_by_tail_sampling));
  }
}

}  // namespace hotspan_test
