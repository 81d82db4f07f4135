// Test support: an exporter that holds the exporter thread at a gate.
//
// export_batch() blocks until the test opens the gate, then forwards to an
// inner exporter (every other call is forwarded at once). While it is held,
// nobody drains the tracer's queue: producers run against a full queue and
// exhausted pools, and shutdown() meets an exporter that does not return. The
// wait has a safety limit so that a broken engine fails the test instead of
// hanging it; timed_out() says whether that limit, not the test, let it go.
#pragma once

#include <hotspan/hotspan.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace hotspan_test {

class GatedExporter : public hotspan::Exporter {
 public:
  explicit GatedExporter(std::shared_ptr<hotspan::Exporter> inner,
                         std::chrono::milliseconds safety_limit = std::chrono::seconds(60))
      : _inner(std::move(inner)), _safety_limit(safety_limit) {}

  void start(const hotspan::Resource& r) override { _inner->start(r); }
  bool export_batch(std::span<const hotspan::SpanRecord> batch) override {
    {
      std::unique_lock lock(_mutex);
      ++_held;
      _changed.notify_all();
      if (!_changed.wait_for(lock, _safety_limit, [&] { return _open; })) {
        _timed_out = true;
        _open = true;
      }
      --_held;
    }
    return _inner->export_batch(batch);
  }
  void on_drops(const hotspan::TracerStats& s) override { _inner->on_drops(s); }
  bool flush() override { return _inner->flush(); }
  void shutdown() override {
    _inner->shutdown();
    std::lock_guard lock(_mutex);
    _shut_down = true;
    _changed.notify_all();
  }
  uint64_t bytes_written() const noexcept override { return _inner->bytes_written(); }

  // True once a batch is waiting at the gate (false if none came in `limit`).
  bool wait_until_held(std::chrono::milliseconds limit = std::chrono::seconds(30)) {
    std::unique_lock lock(_mutex);
    return _changed.wait_for(lock, limit, [&] { return _held > 0; });
  }
  // True while a batch is waiting at the gate.
  bool held() const {
    std::lock_guard lock(_mutex);
    return _held > 0;
  }
  void open() {
    std::lock_guard lock(_mutex);
    _open = true;
    _changed.notify_all();
  }
  bool timed_out() const {
    std::lock_guard lock(_mutex);
    return _timed_out;
  }
  // True once the tracer has shut this exporter down (false if not in `limit`).
  bool wait_for_shutdown(std::chrono::milliseconds limit = std::chrono::seconds(30)) {
    std::unique_lock lock(_mutex);
    return _changed.wait_for(lock, limit, [&] { return _shut_down; });
  }

 private:
  std::shared_ptr<hotspan::Exporter> _inner;
  std::chrono::milliseconds _safety_limit;
  mutable std::mutex _mutex;
  std::condition_variable _changed;
  int _held = 0;
  bool _open = false;
  bool _timed_out = false;
  bool _shut_down = false;
};

// Takes the exporter thread to the gate with one span, then runs `threads`
// producers that each start and end `per_thread` spans named `name` as fast as
// they can. Returns how many of those calls returned once every producer has
// been joined, or nothing when no batch reached the gate.
inline std::optional<uint64_t> produce_while_held(hotspan::Tracer& tracer, GatedExporter& gate,
                                                  int threads, int per_thread,
                                                  std::string_view name) {
  { hotspan::Span first = tracer.start_span("first"); }
  if (!gate.wait_until_held()) return std::nullopt;
  std::atomic<uint64_t> calls_returned{0};
  std::vector<std::thread> producers;
  for (int t = 0; t < threads; ++t) {
    producers.emplace_back([&] {
      for (int i = 0; i < per_thread; ++i) {
        tracer.start_span(name).set_attribute("i", i);
        calls_returned.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  for (auto& producer : producers)
    producer.join();
  return calls_returned.load();
}

}  // namespace hotspan_test
