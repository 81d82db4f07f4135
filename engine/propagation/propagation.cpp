// hotspan — extract_context(): the W3C processing model over both headers
// (contract in include/hotspan/propagation.hpp).
#include "hotspan/propagation.hpp"

#include <optional>
#include <utility>

namespace hotspan {
namespace {

// HTTP's optional whitespace around a field value (RFC 9110 §5.5); a server
// usually strips it, but not every one does.
std::string_view trim_ows(std::string_view s) noexcept {
  const size_t first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

}  // namespace

ExtractedContext extract_context(std::string_view traceparent, std::string_view tracestate) {
  ExtractedContext result;
  traceparent = trim_ows(traceparent);
  if (traceparent.empty()) return result;  // no parent: a new trace, tracestate unused
  const std::optional<SpanContext> parent = parse_traceparent(traceparent);
  if (!parent) {
    result.traceparent_error =
        traceparent.find(',') != std::string_view::npos
            ? "more than one traceparent header"
            : "traceparent is malformed (W3C Trace Context: version, 32 and 16 lowercase hex "
              "digits, flags, non-zero ids)";
    return result;
  }
  result.context = *parent;
  std::string_view error;
  if (std::optional<TraceState> state = TraceState::parse(tracestate, &error)) {
    result.trace_state = std::move(*state);
  } else {
    result.tracestate_error = error;
  }
  return result;
}

}  // namespace hotspan
