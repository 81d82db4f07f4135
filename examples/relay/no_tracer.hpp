// hotspan relay example — tracing compiled out: a tracer and a span with the
// calls the relay makes, as empty inline functions. The relay and the client are
// templates on their tracer type; with NoTracer the compiler removes every
// tracing call, which is the baseline of bench/relay_chain.cpp. (The cell's
// context field is still written, as zeros: the cell layout does not change.)
#pragma once

#include <hotspan/span_context.hpp>
#include <hotspan/span_kind.hpp>

#include <string_view>
#include <system_error>

namespace relay {

struct NoSpan {
  hotspan::SpanContext context() const noexcept { return {}; }
  template <class T>
  NoSpan& set_attribute(std::string_view, const T&) noexcept {
    return *this;
  }
  NoSpan& add_event(std::string_view) noexcept { return *this; }
  NoSpan& record_error(std::string_view) noexcept { return *this; }
  NoSpan& record_error(std::error_code) noexcept { return *this; }
  void end() noexcept {}
};

struct NoTracer {
  NoSpan start_span(std::string_view, hotspan::SpanKind = hotspan::SpanKind::internal) noexcept {
    return {};
  }
  NoSpan start_span(std::string_view, hotspan::SpanKind, const hotspan::SpanContext&) noexcept {
    return {};
  }
};

}  // namespace relay
