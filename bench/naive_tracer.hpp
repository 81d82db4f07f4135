// hotspan bench — the naive reference tracer.
//
// What a straightforward C++ tracer does for the same calls as hotspan: a span
// is a heap-allocated record with std::string name, keys and values, a
// std::vector of attributes and of events; ids come from a per-thread
// std::mt19937_64, time from steady_clock; end() takes a mutex and moves the
// record into a shared std::vector<NaiveSpan>. The vector is bounded: when it
// is full it is cleared (the "export" of this tracer, done synchronously under
// the lock, like the system hotspan replaces), so memory stays flat however
// long a benchmark runs.
//
// How to read it: each hot_path_latency case has a naive twin doing the same
// work (same names, keys, values, parent handling and sampling decision); the
// ratio naive / hotspan is what the design buys on the caller's thread.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "hotspan/attribute.hpp"
#include "hotspan/span_kind.hpp"

namespace hotspan_bench::naive {

using Value = std::variant<bool, int64_t, double, std::string>;
using Attributes = std::vector<std::pair<std::string, Value>>;

struct NaiveEvent {
  std::string name;
  uint64_t time_ns = 0;
  Attributes attributes;
};

struct NaiveContext {
  std::array<uint8_t, 16> trace_id{};
  uint64_t span_id = 0;
  bool sampled = false;
  bool valid() const noexcept { return span_id != 0; }
};

struct NaiveSpan {
  NaiveContext context;
  uint64_t parent_span_id = 0;
  std::string name;
  hotspan::SpanKind kind = hotspan::SpanKind::internal;
  uint64_t start_ns = 0, end_ns = 0;
  hotspan::StatusCode status = hotspan::StatusCode::unset;
  std::string status_message;
  Attributes attributes;
  std::vector<NaiveEvent> events;
};

inline uint64_t steady_now_ns() noexcept {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

inline Value to_value(const hotspan::AttributeValue& v) {
  return std::visit(
      [](const auto& x) -> Value {
        if constexpr (std::is_same_v<std::decay_t<decltype(x)>, std::string_view>) {
          return Value(std::in_place_index<3>, std::string(x));
        } else {
          return Value(x);
        }
      },
      v);
}

inline thread_local NaiveContext t_current;  // the innermost scope's span

class NaiveTracer;

class Span {
 public:
  Span() = default;
  Span(NaiveTracer* tracer, std::unique_ptr<NaiveSpan> record, const NaiveContext& context)
      : _tracer(tracer), _record(std::move(record)), _context(context) {}
  Span(Span&&) noexcept = default;
  Span& operator=(Span&&) = delete;
  ~Span() { end(); }

  bool is_recording() const noexcept { return _record != nullptr; }
  const NaiveContext& context() const noexcept { return _context; }

  template <hotspan::detail::attribute_type T>
  Span& set_attribute(std::string_view key, const T& value) {
    if (_record) {
      _record->attributes.emplace_back(std::string(key),
                                       to_value(hotspan::detail::to_attribute_value(value)));
    }
    return *this;
  }

  Span& add_event(std::string_view name,
                  std::initializer_list<hotspan::Attribute> attributes = {}) {
    if (_record) {
      NaiveEvent event{std::string(name), steady_now_ns(), {}};
      event.attributes.reserve(attributes.size());
      for (const hotspan::Attribute& a : attributes) {
        event.attributes.emplace_back(std::string(a.key), to_value(a.value));
      }
      _record->events.push_back(std::move(event));
    }
    return *this;
  }

  Span& record_error(std::string_view message) {
    if (_record) {
      add_event("exception", {{"exception.message", message}});
      _record->status = hotspan::StatusCode::error;
      _record->status_message = std::string(message);
    }
    return *this;
  }

  inline void end();

 private:
  NaiveTracer* _tracer = nullptr;
  std::unique_ptr<NaiveSpan> _record;
  NaiveContext _context;
};

class NaiveTracer {
 public:
  // probability: the ratio sampler's (0 = always off, 1 = always on) for roots;
  // children follow their parent. capacity: spans kept before the vector is cleared.
  explicit NaiveTracer(double probability, size_t capacity = 4096)
      : _capacity(capacity), _threshold(threshold_of(probability)), _always(probability >= 1.0) {
    _spans.reserve(capacity);
  }

  Span start_span(std::string_view name, hotspan::SpanKind kind = hotspan::SpanKind::internal) {
    return start_span(name, kind, t_current);
  }

  Span start_span(std::string_view name, hotspan::SpanKind kind, const NaiveContext& parent) {
    std::mt19937_64& random = generator();
    NaiveContext context;
    if (parent.valid()) {
      context.trace_id = parent.trace_id;
    } else {
      const uint64_t hi = random(), lo = random();
      for (int i = 0; i < 8; ++i) {
        context.trace_id[i] = static_cast<uint8_t>(hi >> (56 - 8 * i));
        context.trace_id[8 + i] = static_cast<uint8_t>(lo >> (56 - 8 * i));
      }
    }
    do {
      context.span_id = random();
    } while (context.span_id == 0);
    context.sampled = parent.valid() ? parent.sampled : sample_root(context.trace_id);
    if (!context.sampled) return Span(this, nullptr, context);

    auto record = std::make_unique<NaiveSpan>();
    record->context = context;
    record->parent_span_id = parent.valid() ? parent.span_id : 0;
    record->name = std::string(name);
    record->kind = kind;
    record->start_ns = steady_now_ns();
    return Span(this, std::move(record), context);
  }

  // Synchronous "export": the record joins the shared vector under the lock.
  void submit(std::unique_ptr<NaiveSpan> record) {
    std::lock_guard<std::mutex> lock(_mutex);
    if (_spans.size() == _capacity) {
      _exported += _spans.size();
      _spans.clear();
    }
    _spans.push_back(std::move(*record));
  }

  uint64_t spans_recorded() {
    std::lock_guard<std::mutex> lock(_mutex);
    return _exported + _spans.size();
  }

 private:
  static uint64_t threshold_of(double probability) {
    if (probability <= 0.0) return 0;
    if (probability >= 1.0) return UINT64_MAX;
    return static_cast<uint64_t>(probability * 18446744073709551616.0);
  }

  bool sample_root(const std::array<uint8_t, 16>& trace_id) const {
    if (_always) return true;
    uint64_t low = 0;
    for (int i = 8; i < 16; ++i)
      low = (low << 8) | trace_id[i];
    return low < _threshold;
  }

  static std::mt19937_64& generator() {
    thread_local std::mt19937_64 random(std::random_device{}());
    return random;
  }

  std::mutex _mutex;
  std::vector<NaiveSpan> _spans;
  size_t _capacity;
  uint64_t _exported = 0;
  uint64_t _threshold;
  bool _always;
};

inline void Span::end() {
  if (_record) {
    _record->end_ns = steady_now_ns();
    _tracer->submit(std::move(_record));
    _record.reset();
  }
}

// Makes a span the thread's current parent until destroyed.
class Scope {
 public:
  explicit Scope(const Span& span) : _previous(t_current) { t_current = span.context(); }
  ~Scope() { t_current = _previous; }
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  NaiveContext _previous;
};

inline NaiveContext current_context() {
  return t_current;
}

template <class F>
decltype(auto) with_span(NaiveTracer& tracer, std::string_view name, hotspan::SpanKind kind,
                         F&& fn) {
  Span span = tracer.start_span(name, kind);
  Scope scope(span);
  try {
    return std::forward<F>(fn)(span);
  } catch (const std::exception& e) {
    span.record_error(e.what());
    throw;
  }
}

// W3C traceparent the straightforward way: snprintf to format, substrings and
// std::stoull to parse.
inline std::string to_traceparent(const NaiveContext& context) {
  char buffer[64];
  int n = std::snprintf(buffer, sizeof buffer, "00-");
  for (uint8_t b : context.trace_id)
    n += std::snprintf(buffer + n, sizeof buffer - n, "%02x", b);
  std::snprintf(buffer + n, sizeof buffer - n, "-%016llx-%02x",
                static_cast<unsigned long long>(context.span_id), context.sampled ? 1 : 0);
  return std::string(buffer);
}

inline std::optional<NaiveContext> parse_traceparent(std::string_view header) {
  if (header.size() != 55 || header[2] != '-' || header[35] != '-' || header[52] != '-') {
    return std::nullopt;
  }
  const std::string text(header);
  try {
    if (std::stoul(text.substr(0, 2), nullptr, 16) != 0) return std::nullopt;
    NaiveContext context;
    for (int i = 0; i < 16; ++i) {
      context.trace_id[i] =
          static_cast<uint8_t>(std::stoul(text.substr(3 + 2 * i, 2), nullptr, 16));
    }
    context.span_id = std::stoull(text.substr(36, 16), nullptr, 16);
    context.sampled = (std::stoul(text.substr(53, 2), nullptr, 16) & 1) != 0;
    if (!context.valid()) return std::nullopt;
    return context;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace hotspan_bench::naive
