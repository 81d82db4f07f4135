// hotspan — Scope and the thread's current context.
//
// The current context is a plain thread_local value (trivially destructible, so
// no TLS guard); each Scope saves the previous value and restores it, which
// makes nesting correct without a stack allocation.
#include "hotspan/span.hpp"

namespace hotspan {

namespace {
thread_local SpanContext t_current_context;
}

Scope::Scope(const Span& span) noexcept : Scope(span.context()) {}

Scope::Scope(const SpanContext& context) noexcept : _previous(t_current_context) {
  t_current_context = context;
}

Scope::~Scope() {
  t_current_context = _previous;
}

SpanContext current_context() noexcept {
  return t_current_context;
}

}  // namespace hotspan
