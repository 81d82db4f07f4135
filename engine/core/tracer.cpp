// hotspan — Tracer: span start, and the public face of the core.
//
// The inline start_span() in tracer.hpp decides the unsampled spans of
// hotspan's own samplers without calling in. What comes here: the thread's
// recorder (one thread-local compare when it used this tracer last), the
// decision of the tracer's SamplerMode (mode_decision(), hot_path.hpp; a
// virtual Sampler call only for samplers it does not know), then for a
// sampled span a slot from the thread's pool (a pointer pop), its header,
// its name (slot_log.hpp) and one clock read.
#include "hotspan/tracer.hpp"

#include <algorithm>
#include <cstring>

#include "core/clock.hpp"
#include "core/defined_enums.hpp"
#include "core/id_generator.hpp"
#include "core/ratio_countdown.hpp"
#include "core/tracer_core.hpp"
#include "recording/slot_log.hpp"
#include "recording/thread_recorder.hpp"

namespace hotspan {

Tracer::Tracer(TracerOptions options)
    : _core(new detail::TracerCore(std::move(options))), _hot(_core) {}

Tracer::~Tracer() {
  _core->shutdown();
  _core->release_ref();
}

void Tracer::count_start_slow() noexcept {
  detail::TracerCore& core = *_core;
  if (core.forked()) {
    core.count_unrecorded_start();
    return;
  }
  detail::ThreadRecorder* recorder = detail::recorder_for(core);
  if (recorder != nullptr) {
    recorder->counters().spans_started.add(1);
  } else {
    core.count_unrecorded_start();
  }
}

Span Tracer::start_span_slow(std::string_view name, SpanKind kind, const SpanContext& parent,
                             bool sampled_root) noexcept {
  detail::TracerCore& core = *_core;
  if (core.closed() || core.forked()) {
    core.count_unrecorded_start();
    return Span();
  }
  detail::ThreadRecorder* recorder = detail::recorder_for(core);
  if (recorder == nullptr) {
    core.count_unrecorded_start();
    return Span();
  }
  detail::RecorderCounters& counters = recorder->counters();
  counters.spans_started.add(1);
  kind = detail::defined_kind(kind);

  const bool has_parent = !sampled_root && parent.valid();
  SpanContext context;
  context.trace_id = has_parent || sampled_root ? parent.trace_id : detail::new_trace_id();
  const SpanContext* parent_context = has_parent ? &parent : nullptr;
  bool sample = true;  // a root the inline path decided to sample
  if (!sampled_root) {
    switch (
        detail::mode_decision(core.mode, core.ratio_threshold, parent_context, context.trace_id)) {
      case detail::ModeDecision::sample:
        break;
      case detail::ModeDecision::drop:
        sample = false;
        break;
      case detail::ModeDecision::ask_sampler:
        sample = core.sampler().should_sample(
            SamplingInput{parent_context, context.trace_id, name, kind});
        break;
    }
  }
  if (!sample) {
    // The sampler saw this trace id: keep it.
    return has_parent ? Span::unsampled_child(parent) : Span::unsampled_root(context.trace_id);
  }
  context.span_id = detail::new_span_id();
  context.trace_flags =
      kTraceFlagSampled |
      (has_parent ? parent.trace_flags & kTraceFlagRandomTraceId : kTraceFlagRandomTraceId);
  counters.spans_sampled.add(1);
  detail::Slot* s = recorder->pool().acquire(recorder);
  if (s == nullptr) {
    counters.dropped_pool_exhausted.add(1);
    return Span(nullptr, context);  // ids still propagate; children stay sampled
  }
  s->trace_id = context.trace_id;
  s->span_id = context.span_id;
  s->parent_span_id = has_parent ? parent.span_id : SpanId{};
  s->local_root = !has_parent || parent.is_remote;
  s->thread_id = recorder->thread_id();
  s->dropped_attributes = 0;
  s->dropped_events = 0;
  s->dropped_event_attributes = 0;
  s->strings_truncated = 0;
  s->status_message_len = 0;
  s->status_message_offset = 0;
  s->status_category = nullptr;
  s->attributes = 0;
  s->events = 0;
  s->kind = kind;
  s->status = StatusCode::unset;
  detail::write_name(*s, name);
  s->end_ticks = 0;
  s->start_ticks = detail::now_ticks();
  return Span(s, context);
}

Span Tracer::start_ratio_root_slow(std::string_view name, SpanKind kind) noexcept {
  detail::TracerCore& core = *_core;
  detail::ThreadRecorder* recorder =
      core.closed() || core.forked() ? nullptr : detail::recorder_for(core);
  if (recorder == nullptr) {  // counted as unrecorded there
    return start_span_slow(name, kind, SpanContext{}, /*sampled_root=*/false);
  }
  uint64_t& countdown = recorder->ratio_countdown();
  if (countdown != 0) {  // this thread used another tracer last
    --countdown;
    recorder->counters().spans_started.add(1);
    return Span::unsampled_ratio_root(core.ratio_threshold);
  }
  countdown = core.ratio_countdown().draw();
  if (core.ratio_threshold == 0) {  // never sampled; not reached before 2^64 roots
    recorder->counters().spans_started.add(1);
    return Span::unsampled_ratio_root(0);
  }
  SpanContext root;
  root.trace_id = detail::ratio_trace_id(core.ratio_threshold, /*sampled=*/true);
  return start_span_slow(name, kind, root, /*sampled_root=*/true);
}

bool Tracer::flush(std::chrono::milliseconds timeout) noexcept {
  return _core->flush(timeout);
}

void Tracer::shutdown() noexcept {
  _core->shutdown();
}

bool Tracer::exporter_stopped() const noexcept {
  return _core->exporter_stopped();
}

TracerStats Tracer::stats() const noexcept {
  return _core->stats();
}

bool Tracer::dump_recent(const std::string& path, std::string* error,
                         std::chrono::milliseconds timeout) noexcept {
  std::string reason;
  const bool ok = _core->dump_recent(path, reason, timeout);
  if (!ok && error != nullptr) {
    try {
      *error = std::move(reason);
    } catch (...) {
    }
  }
  return ok;
}

void Tracer::request_dump() noexcept {
  _core->request_dump();
}

const std::string& Tracer::service_name() const noexcept {
  return _core->service_name();
}

}  // namespace hotspan
