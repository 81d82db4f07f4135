// hotspan — the C API (include/hotspan/hotspan.h) over the C++ library.
//
// Guarantees: no exception leaves this file (every entry point is noexcept;
// those that can throw catch everything and map it to a hotspan_status, with
// the message kept for hotspan_last_error()). A hotspan_span holds a
// hotspan::Span in place and a hotspan_scope a hotspan::Scope, so the C hot
// path is the C++ one plus a call and argument checks: no allocation, no lock.
// Options go through the same description (env_options.hpp) as
// TracerOptions::from_env(), so nothing about the environment, samplers or
// exporters is implemented twice.
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstring>
#include <new>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "config/env_options.hpp"
#include "core/hex.hpp"
#include "formats/format_registry.hpp"
#include "hotspan/hotspan.h"
#include "hotspan/hotspan.hpp"

struct hotspan_tracer {
  explicit hotspan_tracer(hotspan::TracerOptions options)
      : recorder_on(options.flight_recorder.max_bytes != 0), tracer(std::move(options)) {}
  bool recorder_on;
  hotspan::Tracer tracer;
  std::atomic<bool> shut_down{false};
};

namespace hotspan::detail {
namespace {

static_assert(sizeof(Span) <= HOTSPAN_SPAN_SIZE, "hotspan_span cannot hold a hotspan::Span");
static_assert(alignof(Span) <= alignof(hotspan_span), "hotspan_span is under-aligned");
static_assert(sizeof(hotspan_span_context) == 26);

// A pushed hotspan_scope: the C++ Scope, then a marker telling it is pushed.
struct ScopeStorage {
  alignas(Scope) unsigned char scope[sizeof(Scope)];
  uint64_t marker;
};
static_assert(sizeof(ScopeStorage) <= HOTSPAN_SCOPE_SIZE, "hotspan_scope cannot hold a Scope");
static_assert(alignof(ScopeStorage) <= alignof(hotspan_scope), "hotspan_scope is under-aligned");
constexpr uint64_t kScopePushed = 0x68737370'75736865;  // "hsspushe"

static_assert(static_cast<int>(SpanKind::consumer) == HOTSPAN_KIND_CONSUMER);
static_assert(static_cast<int>(StatusCode::cancelled) == HOTSPAN_STATUS_CODE_CANCELLED);
static_assert(static_cast<int>(Format::chrome_json) == HOTSPAN_FORMAT_CHROME_JSON);
static_assert(static_cast<int>(SamplerKind::rate_limited) == HOTSPAN_SAMPLER_RATE_LIMITED);

// The value of an enum that C code passed, read without assuming that it is
// one of the enumerators (C may pass any int; C++ may not load such a value
// as the enum type).
template <class E>
int64_t raw(const E& value) noexcept {
  std::underlying_type_t<E> v;
  std::memcpy(&v, &value, sizeof v);
  return static_cast<int64_t>(v);
}

// The registry's entry of a format that C code passed; null for a value that
// is none.
// By reference: C may pass any int, and a copy would load it as the enum
// (undefined for values no enumerator has).
const FormatEntry* entry_of(const hotspan_format& format) noexcept {
  const int64_t value = raw(format);
  if (value < 0 || value >= static_cast<int64_t>(format_registry().size())) return nullptr;
  return &format_registry()[static_cast<size_t>(value)];
}

// Trivially destructible: no TLS destructor, usable until the thread's end.
thread_local char t_last_error[512];

hotspan_status fail(hotspan_status status, std::string_view message) noexcept {
  const size_t n = std::min(message.size(), sizeof(t_last_error) - 1);
  std::memcpy(t_last_error, message.data(), n);
  t_last_error[n] = '\0';
  return status;
}

// Maps the exception being handled to a status (inside a catch block only).
hotspan_status fail_with_current_exception() noexcept {
  try {
    throw;
  } catch (const std::invalid_argument& e) {
    return fail(HOTSPAN_ERR_INVALID_ARGUMENT, e.what());
  } catch (const std::system_error& e) {
    return fail(HOTSPAN_ERR_IO, e.what());
  } catch (const std::bad_alloc&) {
    return fail(HOTSPAN_ERR_NO_MEMORY, "out of memory");
  } catch (const std::exception& e) {
    return fail(HOTSPAN_ERR_INTERNAL, e.what());
  } catch (...) {
    return fail(HOTSPAN_ERR_INTERNAL, "unknown exception");
  }
}

// A C string argument: NULL only with length 0; HOTSPAN_NUL_TERMINATED = strlen.
bool to_view(const char* text, size_t len, std::string_view& out) noexcept {
  if (text == nullptr) {
    out = std::string_view("");  // empty, but not null: the engine memcpy()s from it
    return len == 0;
  }
  out = len == HOTSPAN_NUL_TERMINATED ? std::string_view(text) : std::string_view(text, len);
  return true;
}

Span& span_of(hotspan_span* span) noexcept {
  return *std::launder(reinterpret_cast<Span*>(span->opaque.bytes));
}
const Span& span_of(const hotspan_span* span) noexcept {
  return *std::launder(reinterpret_cast<const Span*>(span->opaque.bytes));
}

SpanContext to_cpp(const hotspan_span_context& c) noexcept {
  SpanContext out;
  std::memcpy(out.trace_id.bytes.data(), c.trace_id, sizeof(c.trace_id));
  for (const uint8_t byte : c.span_id)
    out.span_id.value = (out.span_id.value << 8) | byte;
  out.trace_flags = c.trace_flags;
  out.is_remote = c.is_remote != 0;
  return out;
}

hotspan_span_context to_c(const SpanContext& c) noexcept {
  hotspan_span_context out;
  std::memcpy(out.trace_id, c.trace_id.bytes.data(), sizeof(out.trace_id));
  for (int i = 0; i < 8; ++i)
    out.span_id[i] = static_cast<uint8_t>(c.span_id.value >> (56 - 8 * i));
  out.trace_flags = c.trace_flags;
  out.is_remote = c.is_remote ? 1 : 0;
  return out;
}

template <class Start>
hotspan_status start_span(hotspan_tracer* tracer, hotspan_span* span, const char* name,
                          size_t name_len, int64_t kind, Start&& start) noexcept {
  if (span == nullptr) return fail(HOTSPAN_ERR_NULL_ARGUMENT, "hotspan_span_start: span is NULL");
  std::string_view n;
  hotspan_status status = HOTSPAN_OK;
  if (tracer == nullptr) {
    status = fail(HOTSPAN_ERR_NULL_ARGUMENT, "hotspan_span_start: tracer is NULL");
  } else if (!to_view(name, name_len, n)) {
    status = fail(HOTSPAN_ERR_NULL_ARGUMENT, "hotspan_span_start: name is NULL");
  } else if (kind < 0 || kind > HOTSPAN_KIND_CONSUMER) {
    status = fail(HOTSPAN_ERR_INVALID_ARGUMENT, "hotspan_span_start: unknown span kind");
  }
  if (status != HOTSPAN_OK) {
    new (span->opaque.bytes) Span();
    return status;
  }
  new (span->opaque.bytes) Span(start(tracer->tracer, n, static_cast<SpanKind>(kind)));
  return HOTSPAN_OK;
}

// The body of hotspan_span_set_bool/int/double/string.
template <class T>
hotspan_status set_attribute(hotspan_span* span, const char* key, size_t key_len, const T& value,
                             std::string_view null_message) noexcept {
  std::string_view k;
  if (span == nullptr || !to_view(key, key_len, k)) {
    return fail(HOTSPAN_ERR_NULL_ARGUMENT, null_message);
  }
  span_of(span).set_attribute(k, value);
  return HOTSPAN_OK;
}

hotspan_status check_attribute(const hotspan_attribute& a, std::string_view& key) noexcept {
  if (!to_view(a.key, a.key_len, key))
    return fail(HOTSPAN_ERR_NULL_ARGUMENT, "attribute key is NULL");
  if (raw(a.type) > HOTSPAN_VALUE_STRING) {
    return fail(HOTSPAN_ERR_INVALID_ARGUMENT, "unknown attribute value type");
  }
  std::string_view value;
  if (a.type == HOTSPAN_VALUE_STRING && !to_view(a.value.string.data, a.value.string.len, value)) {
    return fail(HOTSPAN_ERR_NULL_ARGUMENT, "attribute string value is NULL");
  }
  return HOTSPAN_OK;
}

hotspan_status check_attributes(const hotspan_attribute* attributes, size_t count) noexcept {
  if (attributes == nullptr && count != 0) {
    return fail(HOTSPAN_ERR_NULL_ARGUMENT, "attributes is NULL");
  }
  std::string_view key;
  for (size_t i = 0; i < count; ++i) {
    if (const hotspan_status s = check_attribute(attributes[i], key); s != HOTSPAN_OK) return s;
  }
  return HOTSPAN_OK;
}

// A checked C attribute as the C++ one (views into the caller's strings).
Attribute to_cpp(const hotspan_attribute& a) noexcept {
  std::string_view key;
  to_view(a.key, a.key_len, key);
  switch (a.type) {
    case HOTSPAN_VALUE_BOOL:
      return Attribute(key, AttributeValue(std::in_place_index<0>, a.value.boolean != 0));
    case HOTSPAN_VALUE_INT:
      return Attribute(key, AttributeValue(std::in_place_index<1>, a.value.integer));
    case HOTSPAN_VALUE_DOUBLE:
      return Attribute(key, AttributeValue(std::in_place_index<2>, a.value.floating));
    case HOTSPAN_VALUE_STRING:
      break;
  }
  std::string_view value;
  to_view(a.value.string.data, a.value.string.len, value);
  return Attribute(key, AttributeValue(std::in_place_index<3>, value));
}

// Span::add_event takes an initializer_list: one instantiation per attribute
// count builds it on the stack, without allocating.
using AddEvent = void (*)(Span&, std::string_view, const hotspan_attribute*) noexcept;

template <size_t N>
void add_event_with(Span& span, std::string_view name, const hotspan_attribute* a) noexcept {
  [&]<size_t... I>(std::index_sequence<I...>) {
    span.add_event(name, {to_cpp(a[I])...});
  }
  (std::make_index_sequence<N>{});
}

template <size_t... N>
constexpr std::array<AddEvent, sizeof...(N)> make_add_event_table(std::index_sequence<N...>) {
  return {&add_event_with<N>...};
}

constexpr auto kAddEvent =
    make_add_event_table(std::make_index_sequence<HOTSPAN_MAX_EVENT_ATTRIBUTES + 1>{});

// hotspan_options <-> the shared description.
OptionsSpec spec_of(const hotspan_options& o) {
  if (raw(o.sampler) > HOTSPAN_SAMPLER_RATE_LIMITED) {
    throw std::invalid_argument("hotspan_options: unknown sampler");
  }
  if (entry_of(o.file_format) == nullptr) {
    throw std::invalid_argument("hotspan_options: unknown file_format " +
                                std::to_string(raw(o.file_format)));
  }
  constexpr unsigned kKnownExporters =
      HOTSPAN_EXPORT_FILE | HOTSPAN_EXPORT_STDOUT | HOTSPAN_EXPORT_OTLP;
  if ((o.exporters & ~kKnownExporters) != 0) {
    throw std::invalid_argument("hotspan_options: unknown bits in exporters");
  }
  if ((o.exporters & HOTSPAN_EXPORT_FILE) != 0 &&
      (o.file_path == nullptr || *o.file_path == '\0')) {
    throw std::invalid_argument("hotspan_options: HOTSPAN_EXPORT_FILE needs a file_path");
  }
  if (o.file_rotate_interval_ms > uint64_t{INT64_MAX}) {
    throw std::invalid_argument("hotspan_options: file_rotate_interval_ms is out of range");
  }
  if (o.file_mode > 0777) {
    throw std::invalid_argument("hotspan_options: file_mode holds bits beyond 0777");
  }
  // Checked here rather than where the exporter is made, so that a bad URL is
  // refused whether or not this build has OTLP/HTTP (without it, OTLP is left
  // out with a warning).
  if ((o.exporters & HOTSPAN_EXPORT_OTLP) != 0) {
    for (const auto& [name, url] : {std::pair{"otlp_endpoint", o.otlp_endpoint},
                                    std::pair{"otlp_traces_endpoint", o.otlp_traces_endpoint}}) {
      if (url != nullptr && !is_valid_otlp_url(url)) {
        throw std::invalid_argument(std::string("hotspan_options: ") + name + " '" + url +
                                    "' is not an http:// or https:// URL with a host");
      }
    }
  }
  OptionsSpec s;
  s.service_name = o.service_name;
  s.resource_attributes = o.resource_attributes;
  s.sampler = {static_cast<SamplerKind>(o.sampler), o.sampler_arg, o.sampler_parent_based != 0};
  s.exporter.file_path = (o.exporters & HOTSPAN_EXPORT_FILE) != 0 ? o.file_path : nullptr;
  s.exporter.file_format = static_cast<Format>(o.file_format);
  if (o.file_mode != 0) s.exporter.file_options.mode = o.file_mode;  // 0: a zeroed struct
  s.exporter.file_options.append = o.file_append != 0;
  s.exporter.file_options.rotate_bytes = o.file_rotate_bytes;
  s.exporter.file_options.rotate_interval = std::chrono::milliseconds(o.file_rotate_interval_ms);
  s.exporter.file_options.max_files = o.file_max_files;
  s.exporter.file_options.max_total_bytes = o.file_max_total_bytes;
  s.exporter.console = (o.exporters & HOTSPAN_EXPORT_STDOUT) != 0;
  s.exporter.console_pretty = o.stdout_pretty != 0;
  s.exporter.otlp = (o.exporters & HOTSPAN_EXPORT_OTLP) != 0;
  s.exporter.otlp_endpoint = o.otlp_endpoint;
  s.exporter.otlp_traces_endpoint = o.otlp_traces_endpoint;
  s.slots_per_thread = o.slots_per_thread;
  s.queue_capacity = o.queue_capacity;
  s.slot_bytes = o.slot_bytes;
  s.max_attributes_per_span = o.max_attributes_per_span;
  s.max_events_per_span = o.max_events_per_span;
  s.max_string_bytes = o.max_string_bytes;
  s.export_batch_size = o.export_batch_size;
  s.idle_sleep = std::chrono::microseconds(o.idle_sleep_us);
  s.shutdown_timeout = std::chrono::milliseconds(o.shutdown_timeout_ms);
  s.redact_for_relay = o.redaction == HOTSPAN_REDACTION_RELAY;
  s.tail = {o.tail_sampling != 0,     o.tail_keep_errors != 0, o.tail_baseline,
            o.tail_slow_roots,        o.tail_keep_attributes,  o.tail_decision_wait_ms,
            o.tail_max_buffered_bytes};
  s.recorder_bytes = o.recorder_bytes;
  s.recorder_dump_path = o.recorder_dump_path;
  return s;
}

void write_options(const OptionsSpec& s, hotspan_options& o) noexcept {
  o.service_name = s.service_name;
  o.resource_attributes = s.resource_attributes;
  o.exporters = (s.exporter.file_path != nullptr ? HOTSPAN_EXPORT_FILE : 0u) |
                (s.exporter.console ? HOTSPAN_EXPORT_STDOUT : 0u) |
                (s.exporter.otlp ? HOTSPAN_EXPORT_OTLP : 0u);
  o.file_path = s.exporter.file_path;
  o.file_format = static_cast<hotspan_format>(s.exporter.file_format);
  o.file_mode = s.exporter.file_options.mode;
  o.file_append = s.exporter.file_options.append ? 1 : 0;
  o.file_rotate_bytes = s.exporter.file_options.rotate_bytes;
  o.file_rotate_interval_ms =
      static_cast<uint64_t>(s.exporter.file_options.rotate_interval.count());
  o.file_max_files = s.exporter.file_options.max_files;
  o.file_max_total_bytes = s.exporter.file_options.max_total_bytes;
  o.stdout_pretty = s.exporter.console_pretty ? 1 : 0;
  o.otlp_endpoint = s.exporter.otlp_endpoint;
  o.otlp_traces_endpoint = s.exporter.otlp_traces_endpoint;
  o.sampler = static_cast<hotspan_sampler_kind>(s.sampler.kind);
  o.sampler_arg = s.sampler.argument;
  o.sampler_parent_based = s.sampler.parent_based ? 1 : 0;
  o.slots_per_thread = s.slots_per_thread;
  o.queue_capacity = s.queue_capacity;
  o.slot_bytes = s.slot_bytes;
  o.max_attributes_per_span = s.max_attributes_per_span;
  o.max_events_per_span = s.max_events_per_span;
  o.max_string_bytes = s.max_string_bytes;
  o.export_batch_size = s.export_batch_size;
  o.idle_sleep_us = static_cast<uint32_t>(s.idle_sleep.count());
  o.shutdown_timeout_ms = static_cast<uint32_t>(s.shutdown_timeout.count());
  o.redaction = s.redact_for_relay ? HOTSPAN_REDACTION_RELAY : HOTSPAN_REDACTION_NONE;
  o.tail_sampling = s.tail.enabled ? 1 : 0;
  o.tail_keep_errors = s.tail.keep_errors ? 1 : 0;
  o.tail_baseline = s.tail.baseline;
  o.tail_slow_roots = s.tail.slow_roots;
  o.tail_keep_attributes = s.tail.keep_attributes;
  o.tail_decision_wait_ms = static_cast<uint32_t>(s.tail.decision_wait_ms);
  o.tail_max_buffered_bytes = s.tail.max_buffered_bytes;
  o.recorder_bytes = s.recorder_bytes;
  o.recorder_dump_path = s.recorder_dump_path;
}

template <size_t HexSize, class Write>
hotspan_status write_id_hex(const hotspan_span_context* context, char* buffer, size_t size,
                            Write&& write) noexcept {
  if (context == nullptr || buffer == nullptr) {
    return fail(HOTSPAN_ERR_NULL_ARGUMENT, "context or buffer is NULL");
  }
  if (size < HexSize + 1) return fail(HOTSPAN_ERR_BUFFER_TOO_SMALL, "buffer too small for the id");
  *write(to_cpp(*context), buffer) = '\0';
  return HOTSPAN_OK;
}

}  // namespace
}  // namespace hotspan::detail

using hotspan::detail::fail;
using hotspan::detail::span_of;
using hotspan::detail::to_view;

extern "C" {

const char* hotspan_status_string(hotspan_status status) noexcept {
  switch (hotspan::detail::raw(status)) {
    case HOTSPAN_OK:
      return "ok";
    case HOTSPAN_ERR_NULL_ARGUMENT:
      return "null argument";
    case HOTSPAN_ERR_INVALID_ARGUMENT:
      return "invalid argument";
    case HOTSPAN_ERR_PARSE:
      return "malformed input";
    case HOTSPAN_ERR_BUFFER_TOO_SMALL:
      return "buffer too small";
    case HOTSPAN_ERR_IO:
      return "input/output error";
    case HOTSPAN_ERR_NO_MEMORY:
      return "out of memory";
    case HOTSPAN_ERR_FLUSH_FAILED:
      return "flush failed";
    case HOTSPAN_ERR_SHUT_DOWN:
      return "tracer shut down";
    case HOTSPAN_ERR_INTERNAL:
      return "internal error";
  }
  return "unknown status";
}

const char* hotspan_last_error(void) noexcept {
  return hotspan::detail::t_last_error;
}

int hotspan_version(void) noexcept {
  return HOTSPAN_VERSION;
}

const char* hotspan_version_string(void) noexcept {
  return HOTSPAN_VERSION_STRING;
}

// ------------------------------------------------------------------ options

const char* hotspan_format_name(hotspan_format format) noexcept {
  const hotspan::detail::FormatEntry* entry = hotspan::detail::entry_of(format);
  return entry != nullptr ? entry->info.name.data() : nullptr;  // literals: NUL-terminated
}

hotspan_status hotspan_format_from_name(const char* name, hotspan_format* format) noexcept {
  if (name == nullptr || format == nullptr) {
    return fail(HOTSPAN_ERR_NULL_ARGUMENT, "hotspan_format_from_name: NULL argument");
  }
  if (const std::optional<hotspan::Format> found = hotspan::format_from_name(name)) {
    *format = static_cast<hotspan_format>(*found);
    return HOTSPAN_OK;
  }
  try {
    return fail(HOTSPAN_ERR_PARSE, "hotspan_format_from_name: no format is named '" +
                                       std::string(name) + "' (expected " +
                                       hotspan::detail::format_name_list() + ")");
  } catch (...) {  // bad_alloc
    return fail(HOTSPAN_ERR_PARSE, "hotspan_format_from_name: no format has that name");
  }
}

hotspan_status hotspan_options_init(hotspan_options* options) noexcept {
  if (options == nullptr) return fail(HOTSPAN_ERR_NULL_ARGUMENT, "hotspan_options_init: NULL");
  *options = hotspan_options{};
  hotspan::detail::write_options(hotspan::detail::OptionsSpec{}, *options);
  return HOTSPAN_OK;
}

hotspan_status hotspan_options_from_env(hotspan_options* options) noexcept {
  if (options == nullptr) return fail(HOTSPAN_ERR_NULL_ARGUMENT, "hotspan_options_from_env: NULL");
  try {
    hotspan::detail::OptionsSpec spec = hotspan::detail::spec_of(*options);
    hotspan::detail::read_env(spec);
    hotspan::detail::write_options(spec, *options);
    return HOTSPAN_OK;
  } catch (...) {
    return hotspan::detail::fail_with_current_exception();
  }
}

// ------------------------------------------------------------------- tracer

hotspan_status hotspan_tracer_create(const hotspan_options* options,
                                     hotspan_tracer** out) noexcept {
  if (out == nullptr) return fail(HOTSPAN_ERR_NULL_ARGUMENT, "hotspan_tracer_create: out is NULL");
  *out = nullptr;
  if (options == nullptr) {
    return fail(HOTSPAN_ERR_NULL_ARGUMENT, "hotspan_tracer_create: options is NULL");
  }
  try {
    const hotspan::detail::OptionsSpec spec = hotspan::detail::spec_of(*options);
    *out = new hotspan_tracer(
        hotspan::detail::build_options(spec, hotspan::detail::OnOpenError::fail));
    return HOTSPAN_OK;
  } catch (...) {
    return hotspan::detail::fail_with_current_exception();
  }
}

void hotspan_tracer_destroy(hotspan_tracer* tracer) noexcept {
  delete tracer;
}

hotspan_status hotspan_tracer_flush(hotspan_tracer* tracer, uint32_t timeout_ms) noexcept {
  if (tracer == nullptr) return fail(HOTSPAN_ERR_NULL_ARGUMENT, "hotspan_tracer_flush: NULL");
  if (tracer->tracer.flush(std::chrono::milliseconds(timeout_ms))) return HOTSPAN_OK;
  if (tracer->shut_down.load(std::memory_order_acquire)) {
    return fail(HOTSPAN_ERR_SHUT_DOWN, "hotspan_tracer_flush: the tracer is shut down");
  }
  return fail(HOTSPAN_ERR_FLUSH_FAILED, "hotspan_tracer_flush: timed out or the exporter failed");
}

hotspan_status hotspan_tracer_dump_recent(hotspan_tracer* tracer, const char* path) noexcept {
  if (tracer == nullptr || path == nullptr) {
    return fail(HOTSPAN_ERR_NULL_ARGUMENT, "hotspan_tracer_dump_recent: NULL argument");
  }
  try {
    std::string error;
    if (tracer->tracer.dump_recent(path, &error)) return HOTSPAN_OK;
    if (!tracer->recorder_on) return fail(HOTSPAN_ERR_INVALID_ARGUMENT, error);
    if (tracer->shut_down.load(std::memory_order_acquire))
      return fail(HOTSPAN_ERR_SHUT_DOWN, error);
    return fail(HOTSPAN_ERR_IO, error);
  } catch (...) {
    return hotspan::detail::fail_with_current_exception();
  }
}

void hotspan_tracer_request_dump(hotspan_tracer* tracer) noexcept {
  if (tracer != nullptr) tracer->tracer.request_dump();
}

hotspan_status hotspan_tracer_shutdown(hotspan_tracer* tracer) noexcept {
  if (tracer == nullptr) return fail(HOTSPAN_ERR_NULL_ARGUMENT, "hotspan_tracer_shutdown: NULL");
  tracer->shut_down.store(true, std::memory_order_release);
  tracer->tracer.shutdown();
  return HOTSPAN_OK;
}

hotspan_status hotspan_tracer_stats(const hotspan_tracer* tracer, hotspan_stats* out) noexcept {
  if (tracer == nullptr || out == nullptr) {
    return fail(HOTSPAN_ERR_NULL_ARGUMENT, "hotspan_tracer_stats: NULL argument");
  }
  const hotspan::TracerStats s = tracer->tracer.stats();
  *out = hotspan_stats{s.spans_started,
                       s.spans_sampled,
                       s.spans_exported,
                       s.dropped_pool_exhausted,
                       s.dropped_queue_full,
                       s.dropped_export_failed,
                       s.attributes_dropped,
                       s.events_dropped,
                       s.strings_truncated,
                       s.bytes_written,
                       s.values_redacted,
                       s.files_rotated,
                       s.files_deleted,
                       s.spans_discarded_by_tail_sampling,
                       s.traces_kept_by_tail_sampling,
                       s.traces_discarded_by_tail_sampling,
                       s.traces_decided_early,
                       s.recorder_dumps,
                       s.recorder_dump_failures,
                       s.recorder_spans_evicted};
  return HOTSPAN_OK;
}

// -------------------------------------------------------------- span context

int hotspan_span_context_is_valid(const hotspan_span_context* context) noexcept {
  return context != nullptr && hotspan::detail::to_cpp(*context).valid() ? 1 : 0;
}

int hotspan_span_context_is_sampled(const hotspan_span_context* context) noexcept {
  return context != nullptr && (context->trace_flags & 0x01) != 0 ? 1 : 0;
}

hotspan_status hotspan_traceparent_inject(const hotspan_span_context* context, char* buffer,
                                          size_t buffer_size) noexcept {
  if (context == nullptr || buffer == nullptr) {
    return fail(HOTSPAN_ERR_NULL_ARGUMENT, "hotspan_traceparent_inject: NULL argument");
  }
  if (buffer_size < HOTSPAN_TRACEPARENT_SIZE) {
    return fail(HOTSPAN_ERR_BUFFER_TOO_SMALL, "hotspan_traceparent_inject: buffer too small");
  }
  try {
    const std::string text = hotspan::to_traceparent(hotspan::detail::to_cpp(*context));
    if (text.empty()) {
      return fail(HOTSPAN_ERR_INVALID_ARGUMENT, "hotspan_traceparent_inject: invalid context");
    }
    std::memcpy(buffer, text.c_str(), text.size() + 1);
    return HOTSPAN_OK;
  } catch (...) {
    return hotspan::detail::fail_with_current_exception();
  }
}

hotspan_status hotspan_traceparent_extract(const char* text, size_t text_len,
                                           hotspan_span_context* out) noexcept {
  if (out == nullptr) return fail(HOTSPAN_ERR_NULL_ARGUMENT, "hotspan_traceparent_extract: NULL");
  *out = hotspan::detail::to_c(hotspan::SpanContext{});
  std::string_view view;
  if (!to_view(text, text_len, view)) {
    return fail(HOTSPAN_ERR_NULL_ARGUMENT, "hotspan_traceparent_extract: text is NULL");
  }
  const std::optional<hotspan::SpanContext> context = hotspan::parse_traceparent(view);
  if (!context)
    return fail(HOTSPAN_ERR_PARSE, "hotspan_traceparent_extract: malformed traceparent");
  *out = hotspan::detail::to_c(*context);
  return HOTSPAN_OK;
}

hotspan_status hotspan_binary_context_write(const hotspan_span_context* context, uint8_t* buffer,
                                            size_t buffer_size) noexcept {
  if (context == nullptr || buffer == nullptr) {
    return fail(HOTSPAN_ERR_NULL_ARGUMENT, "hotspan_binary_context_write: NULL argument");
  }
  if (buffer_size < HOTSPAN_BINARY_CONTEXT_SIZE) {
    return fail(HOTSPAN_ERR_BUFFER_TOO_SMALL, "hotspan_binary_context_write: buffer too small");
  }
  hotspan::write_binary_context(
      hotspan::detail::to_cpp(*context),
      std::span<std::byte, hotspan::kBinaryContextSize>(reinterpret_cast<std::byte*>(buffer),
                                                        hotspan::kBinaryContextSize));
  return HOTSPAN_OK;
}

hotspan_status hotspan_binary_context_parse(const uint8_t* data, size_t size,
                                            hotspan_span_context* out) noexcept {
  if (out == nullptr) return fail(HOTSPAN_ERR_NULL_ARGUMENT, "hotspan_binary_context_parse: NULL");
  *out = hotspan::detail::to_c(hotspan::SpanContext{});
  if (data == nullptr && size != 0) {
    return fail(HOTSPAN_ERR_NULL_ARGUMENT, "hotspan_binary_context_parse: data is NULL");
  }
  const std::optional<hotspan::SpanContext> context =
      hotspan::parse_binary_context(std::span(reinterpret_cast<const std::byte*>(data), size));
  if (!context) {
    return fail(HOTSPAN_ERR_PARSE,
                "hotspan_binary_context_parse: not a 26-byte version 0 context with non-zero ids");
  }
  *out = hotspan::detail::to_c(*context);
  return HOTSPAN_OK;
}

hotspan_status hotspan_trace_id_to_hex(const hotspan_span_context* context, char* buffer,
                                       size_t buffer_size) noexcept {
  return hotspan::detail::write_id_hex<hotspan::detail::kTraceIdHexSize>(
      context, buffer, buffer_size, [](const hotspan::SpanContext& c, char* out) {
        return hotspan::detail::write_hex(c.trace_id, out);
      });
}

hotspan_status hotspan_span_id_to_hex(const hotspan_span_context* context, char* buffer,
                                      size_t buffer_size) noexcept {
  return hotspan::detail::write_id_hex<hotspan::detail::kSpanIdHexSize>(
      context, buffer, buffer_size, [](const hotspan::SpanContext& c, char* out) {
        return hotspan::detail::write_hex(c.span_id, out);
      });
}

hotspan_status hotspan_current_context(hotspan_span_context* out) noexcept {
  if (out == nullptr) return fail(HOTSPAN_ERR_NULL_ARGUMENT, "hotspan_current_context: NULL");
  *out = hotspan::detail::to_c(hotspan::current_context());
  return HOTSPAN_OK;
}

// -------------------------------------------------------------------- spans

hotspan_status hotspan_span_start(hotspan_tracer* tracer, hotspan_span* span, const char* name,
                                  size_t name_len, hotspan_span_kind kind) noexcept {
  return hotspan::detail::start_span(tracer, span, name, name_len, hotspan::detail::raw(kind),
                                     [](hotspan::Tracer& t, std::string_view n,
                                        hotspan::SpanKind k) { return t.start_span(n, k); });
}

hotspan_status hotspan_span_start_with_parent(hotspan_tracer* tracer, hotspan_span* span,
                                              const char* name, size_t name_len,
                                              hotspan_span_kind kind,
                                              const hotspan_span_context* parent) noexcept {
  const hotspan::SpanContext p =
      parent != nullptr ? hotspan::detail::to_cpp(*parent) : hotspan::SpanContext{};
  return hotspan::detail::start_span(tracer, span, name, name_len, hotspan::detail::raw(kind),
                                     [&p](hotspan::Tracer& t, std::string_view n,
                                          hotspan::SpanKind k) { return t.start_span(n, k, p); });
}

int hotspan_span_is_recording(const hotspan_span* span) noexcept {
  return span != nullptr && span_of(span).is_recording() ? 1 : 0;
}

hotspan_status hotspan_span_get_context(const hotspan_span* span,
                                        hotspan_span_context* out) noexcept {
  if (span == nullptr || out == nullptr) {
    return fail(HOTSPAN_ERR_NULL_ARGUMENT, "hotspan_span_get_context: NULL argument");
  }
  *out = hotspan::detail::to_c(span_of(span).context());
  return HOTSPAN_OK;
}

hotspan_status hotspan_span_set_bool(hotspan_span* span, const char* key, size_t key_len,
                                     int value) noexcept {
  return hotspan::detail::set_attribute(span, key, key_len, value != 0,
                                        "hotspan_span_set_bool: NULL argument");
}

hotspan_status hotspan_span_set_int(hotspan_span* span, const char* key, size_t key_len,
                                    int64_t value) noexcept {
  return hotspan::detail::set_attribute(span, key, key_len, value,
                                        "hotspan_span_set_int: NULL argument");
}

hotspan_status hotspan_span_set_double(hotspan_span* span, const char* key, size_t key_len,
                                       double value) noexcept {
  return hotspan::detail::set_attribute(span, key, key_len, value,
                                        "hotspan_span_set_double: NULL argument");
}

hotspan_status hotspan_span_set_string(hotspan_span* span, const char* key, size_t key_len,
                                       const char* value, size_t value_len) noexcept {
  std::string_view v;
  if (!to_view(value, value_len, v)) {
    return fail(HOTSPAN_ERR_NULL_ARGUMENT, "hotspan_span_set_string: value is NULL");
  }
  return hotspan::detail::set_attribute(span, key, key_len, v,
                                        "hotspan_span_set_string: NULL argument");
}

hotspan_status hotspan_span_set_attributes(hotspan_span* span, const hotspan_attribute* attributes,
                                           size_t count) noexcept {
  if (span == nullptr) return fail(HOTSPAN_ERR_NULL_ARGUMENT, "hotspan_span_set_attributes: NULL");
  if (const hotspan_status s = hotspan::detail::check_attributes(attributes, count);
      s != HOTSPAN_OK) {
    return s;
  }
  hotspan::Span& s = span_of(span);
  if (!s.is_recording()) return HOTSPAN_OK;
  for (size_t i = 0; i < count; ++i) {
    const hotspan::Attribute a = hotspan::detail::to_cpp(attributes[i]);
    s.set_attribute(a.key, a.value);
  }
  return HOTSPAN_OK;
}

hotspan_status hotspan_span_add_event(hotspan_span* span, const char* name, size_t name_len,
                                      const hotspan_attribute* attributes, size_t count) noexcept {
  std::string_view n;
  if (span == nullptr || !to_view(name, name_len, n)) {
    return fail(HOTSPAN_ERR_NULL_ARGUMENT, "hotspan_span_add_event: NULL argument");
  }
  if (count > HOTSPAN_MAX_EVENT_ATTRIBUTES) {
    return fail(HOTSPAN_ERR_INVALID_ARGUMENT,
                "hotspan_span_add_event: more than HOTSPAN_MAX_EVENT_ATTRIBUTES attributes");
  }
  if (const hotspan_status s = hotspan::detail::check_attributes(attributes, count);
      s != HOTSPAN_OK) {
    return s;
  }
  hotspan::Span& s = span_of(span);
  if (s.is_recording()) hotspan::detail::kAddEvent[count](s, n, attributes);
  return HOTSPAN_OK;
}

hotspan_status hotspan_span_record_error(hotspan_span* span, const char* message,
                                         size_t message_len) noexcept {
  std::string_view m;
  if (span == nullptr || !to_view(message, message_len, m)) {
    return fail(HOTSPAN_ERR_NULL_ARGUMENT, "hotspan_span_record_error: NULL argument");
  }
  span_of(span).record_error(m);
  return HOTSPAN_OK;
}

hotspan_status hotspan_span_record_errno(hotspan_span* span, int errnum) noexcept {
  if (span == nullptr) return fail(HOTSPAN_ERR_NULL_ARGUMENT, "hotspan_span_record_errno: NULL");
  span_of(span).record_error(std::error_code(errnum, std::generic_category()));
  return HOTSPAN_OK;
}

hotspan_status hotspan_span_set_status(hotspan_span* span, hotspan_status_code code,
                                       const char* description, size_t description_len) noexcept {
  std::string_view d;
  if (span == nullptr || !to_view(description, description_len, d)) {
    return fail(HOTSPAN_ERR_NULL_ARGUMENT, "hotspan_span_set_status: NULL argument");
  }
  if (hotspan::detail::raw(code) > HOTSPAN_STATUS_CODE_CANCELLED) {
    return fail(HOTSPAN_ERR_INVALID_ARGUMENT, "hotspan_span_set_status: unknown status code");
  }
  span_of(span).set_status(static_cast<hotspan::StatusCode>(code), d);
  return HOTSPAN_OK;
}

hotspan_timestamp hotspan_now(void) noexcept {
  return hotspan::now().ticks;
}

hotspan_status hotspan_span_set_start_time(hotspan_span* span, hotspan_timestamp start) noexcept {
  if (span == nullptr) {
    return fail(HOTSPAN_ERR_NULL_ARGUMENT, "hotspan_span_set_start_time: span is NULL");
  }
  if (!span_of(span).set_start_time(hotspan::Timestamp{start})) {
    return fail(HOTSPAN_ERR_INVALID_ARGUMENT,
                "hotspan_span_set_start_time: start is later than the span's start");
  }
  return HOTSPAN_OK;
}

hotspan_status hotspan_span_end(hotspan_span* span) noexcept {
  if (span == nullptr) return fail(HOTSPAN_ERR_NULL_ARGUMENT, "hotspan_span_end: span is NULL");
  span_of(span).end();
  return HOTSPAN_OK;
}

// ------------------------------------------------------------------- scopes

hotspan_status hotspan_scope_push_context(hotspan_scope* scope,
                                          const hotspan_span_context* context) noexcept {
  if (scope == nullptr || context == nullptr) {
    return fail(HOTSPAN_ERR_NULL_ARGUMENT, "hotspan_scope_push: NULL argument");
  }
  auto& storage = *reinterpret_cast<hotspan::detail::ScopeStorage*>(scope->opaque.bytes);
  if (storage.marker == hotspan::detail::kScopePushed) {
    return fail(HOTSPAN_ERR_INVALID_ARGUMENT, "hotspan_scope_push: this scope is already pushed");
  }
  new (storage.scope) hotspan::Scope(hotspan::detail::to_cpp(*context));
  storage.marker = hotspan::detail::kScopePushed;
  return HOTSPAN_OK;
}

hotspan_status hotspan_scope_push(hotspan_scope* scope, const hotspan_span* span) noexcept {
  if (span == nullptr) return fail(HOTSPAN_ERR_NULL_ARGUMENT, "hotspan_scope_push: span is NULL");
  const hotspan_span_context context = hotspan::detail::to_c(span_of(span).context());
  return hotspan_scope_push_context(scope, &context);
}

hotspan_status hotspan_scope_pop(hotspan_scope* scope) noexcept {
  if (scope == nullptr) return fail(HOTSPAN_ERR_NULL_ARGUMENT, "hotspan_scope_pop: scope is NULL");
  auto& storage = *reinterpret_cast<hotspan::detail::ScopeStorage*>(scope->opaque.bytes);
  if (storage.marker != hotspan::detail::kScopePushed) {
    return fail(HOTSPAN_ERR_INVALID_ARGUMENT, "hotspan_scope_pop: this scope is not pushed");
  }
  std::launder(reinterpret_cast<hotspan::Scope*>(storage.scope))->~Scope();
  storage.marker = 0;
  return HOTSPAN_OK;
}

}  // extern "C"
