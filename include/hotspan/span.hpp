// hotspan — Span, the RAII handle of one timed operation, and Scope.
//
// A Span is either recording (it owns a slot of its thread's arena pool) or inert
// (unsampled, dropped, ended, or default-constructed). Every annotating call on
// an inert span is a single branch. A recording span writes into its slot only:
// no allocation, no lock, no system call. Values are copied immediately, so the
// caller's strings need not outlive the call.
//
// Bounds (see TracerOptions): names, keys and string values longer than
// max_string_bytes are truncated on a UTF-8 character boundary (counted in
// strings_truncated); attributes or events beyond the per-span limits or beyond
// the slot's byte budget are dropped (counted per span and in stats()). Setting a
// key twice keeps the last value.
//
// Threads: a Span is used by one thread at a time (it may be moved to and
// ended on another thread). An unsampled span draws its ids only when its
// context() is first asked for, so an unsampled span nobody propagates costs
// no random numbers.
//
// Lifetime: a span may be moved to and ended on another thread. A span that
// outlives its Tracer (or is ended after shutdown()) is discarded safely and
// counted as dropped_queue_full: the engine keeps the slot's memory alive until
// the slot is back, so there is never a use-after-free.
#pragma once

#include <concepts>
#include <cstdint>
#include <cstring>
#include <exception>
#include <initializer_list>
#include <string_view>
#include <system_error>
#include <type_traits>

#include "hotspan/attribute.hpp"
#include "hotspan/detail/hot_path.hpp"
#include "hotspan/export.h"
#include "hotspan/span_context.hpp"
#include "hotspan/span_kind.hpp"

namespace hotspan {

class Tracer;
namespace detail {
struct Slot;
}

// An instant of the span clock: the clock spans read at start and end (TSC
// ticks or CLOCK_MONOTONIC nanoseconds, see docs/ENGINE.md). Opaque; meaningful
// only within this process, and only for Span::set_start_time().
struct Timestamp {
  uint64_t ticks = 0;
};

// The span clock now: one clock read (no system call with the TSC).
HOTSPAN_API Timestamp now() noexcept;

class HOTSPAN_API Span {
 public:
  Span() noexcept = default;  // inert
  Span(Span&& other) noexcept
      : _slot(other._slot), _context(other._context), _pending(other._pending) {
    other._slot = nullptr;
  }
  Span& operator=(Span&& other) noexcept;  // ends the span this one held
  Span(const Span&) = delete;
  Span& operator=(const Span&) = delete;
  ~Span() {
    if (_slot != nullptr) finish();
  }

  // False for unsampled, dropped, ended and default-constructed spans.
  bool is_recording() const noexcept { return _slot != nullptr; }
  // Valid even when unsampled, so that ids still propagate to children and peers.
  SpanContext context() const noexcept {
    if (_pending != Pending::none) [[unlikely]]
      draw_ids();
    return _context;
  }

  template <detail::attribute_type T>
  Span& set_attribute(std::string_view key, const T& value) noexcept {
    if (_slot != nullptr) {
      // The type is known here: call its own writer rather than build a variant.
      using U = std::remove_cvref_t<T>;
      if constexpr (std::same_as<U, bool>) {
        add_boolean(key, value);
      } else if constexpr (detail::attribute_integer<U>) {
        add_integer(key, static_cast<int64_t>(value));  // as to_attribute_value(): int64 storage
      } else if constexpr (std::floating_point<U>) {
        add_floating(key, static_cast<double>(value));
      } else {
        add_string(key, std::string_view(value));
      }
    }
    return *this;
  }
  Span& set_attribute(std::string_view key, AttributeValue value) noexcept {
    if (_slot != nullptr) add_attribute(key, value);
    return *this;
  }
  Span& set_attributes(std::initializer_list<Attribute> attributes) noexcept;
  Span& add_event(std::string_view name, std::initializer_list<Attribute> attributes = {}) noexcept;

  // Each adds an "exception" event with exception.type and exception.message and
  // sets the status to error with the message as its description.
  Span& record_error(std::string_view message) noexcept;
  Span& record_error(const std::exception& error) noexcept;  // type demangled at export
  Span& record_error(std::error_code code) noexcept;  // message rendered at export, no allocation

  Span& set_status(StatusCode code, std::string_view description = {}) noexcept;

  // Moves the span's start back to `start`, an earlier now(): for a span whose
  // parent is known only after its work began (a context decrypted from the
  // request it answers), started late and given the instant the work began.
  // False, and nothing changes, when `start` is later than the span's start (a
  // span never starts after it was started); true otherwise, inert spans included.
  bool set_start_time(Timestamp start) noexcept;

  // Idempotent; no effect on an inert span. Takes the end time and hands the
  // slot to the exporter thread (never blocks; a full queue drops and counts).
  void end() noexcept {
    if (_slot != nullptr) finish();
  }

 private:
  friend class Tracer;
  Span(detail::Slot* slot, const SpanContext& context) noexcept : _slot(slot), _context(context) {}
  // Which ids an unsampled span draws when its context() is first asked for.
  enum class Pending : uint8_t {
    none,
    span_id,                 // the trace id is known (the parent's, or one the sampler saw)
    span_and_trace_id,       // a root nobody has looked at yet
    span_and_ratio_trace_id  // an unsampled trace_id_ratio root (see below)
  };
  // An unsampled child of a valid `parent`: in its trace, with its W3C Level 2
  // random-trace-id flag (reserved flag bits are not propagated).
  static Span unsampled_child(const SpanContext& parent) noexcept {
    Span s;
    s._context.trace_id = parent.trace_id;
    s._context.trace_flags = parent.trace_flags & kTraceFlagRandomTraceId;
    s._pending = Pending::span_id;
    return s;
  }
  // An unsampled root of trace `trace_id`, or of a trace id drawn later when
  // it is invalid. hotspan's trace ids are random.
  static Span unsampled_root(const TraceId& trace_id) noexcept {
    Span s;
    s._context.trace_id = trace_id;
    s._context.trace_flags = kTraceFlagRandomTraceId;
    s._pending = trace_id.valid() ? Pending::span_id : Pending::span_and_trace_id;
    return s;
  }
  // An unsampled trace_id_ratio root of a tracer with this ratio threshold.
  // Its trace id, drawn when context() is first asked for, gets a random tail
  // at or above the threshold, so that it agrees with the decision; until
  // then the threshold waits in the id's bytes (core/ratio_countdown.hpp).
  static Span unsampled_ratio_root(uint64_t ratio_threshold) noexcept {
    Span s;
    std::memcpy(s._context.trace_id.bytes.data(), &ratio_threshold, sizeof(ratio_threshold));
    s._context.trace_flags = kTraceFlagRandomTraceId;
    s._pending = Pending::span_and_ratio_trace_id;
    return s;
  }
  void add_attribute(std::string_view key, const AttributeValue& value) noexcept;
  void add_boolean(std::string_view key, bool value) noexcept;
  void add_integer(std::string_view key, int64_t value) noexcept;
  void add_floating(std::string_view key, double value) noexcept;
  void add_string(std::string_view key, std::string_view value) noexcept;
  void finish() noexcept;
  void draw_ids() const noexcept;

  detail::Slot* _slot = nullptr;
  mutable SpanContext _context;
  mutable Pending _pending = Pending::none;
};

// Makes a span the calling thread's current parent for start_span() until the
// Scope is destroyed, then restores the previous one. Scopes must nest (destroy
// in reverse order of creation, on the thread that created them).
class HOTSPAN_API Scope {
 public:
  explicit Scope(const Span& span) noexcept : Scope(span.context()) {}
  explicit Scope(const SpanContext& context) noexcept : _previous(detail::t_current_context) {
    detail::t_current_context = context;
  }
  ~Scope() { detail::t_current_context = _previous; }
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  SpanContext _previous;
};

// The context of the innermost Scope on this thread, or an invalid context.
inline SpanContext current_context() noexcept {
  return detail::t_current_context;
}

}  // namespace hotspan
