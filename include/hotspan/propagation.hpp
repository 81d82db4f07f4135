// hotspan — receiving a W3C Trace Context (traceparent + tracestate) in one call.
//
// The processing model of https://www.w3.org/TR/trace-context-2/#processing-model
// applied to the two header values a server received, so that every user does
// not write the same glue (and get its corner cases wrong):
//  * each value is as the HTTP layer delivers it: several header lines of the
//    same name joined with ',' (RFC 9110 §5.3), surrounding spaces and tabs
//    allowed; an absent header is an empty value;
//  * traceparent is parsed as parse_traceparent() does (versions above 00 read
//    for version 00's fields). Two traceparent lines (a ',' in the joined value)
//    are invalid. When it is missing or invalid the request starts a new trace
//    and its tracestate is ignored (§4.3.1: tracestate is only meaningful with
//    the traceparent it came with);
//  * tracestate is parsed as TraceState::parse() does; an invalid one is
//    dropped whole (the traceparent still counts), duplicate keys drop only the
//    duplicates.
//
//   const hotspan::ExtractedContext in = hotspan::extract_context(
//       request.header("traceparent"), request.header("tracestate"));
//   hotspan::Span span = tracer.start_span("handle", hotspan::SpanKind::server, in.context);
//   // on the way out, for the next hop:
//   out.set("traceparent", hotspan::to_traceparent(span.context()));
//   if (!in.trace_state.empty()) out.set("tracestate", in.trace_state.header());
#pragma once

#include <string_view>

#include "hotspan/export.h"
#include "hotspan/span_context.hpp"
#include "hotspan/trace_state.hpp"

namespace hotspan {

struct ExtractedContext {
  // The remote parent (is_remote = true), or an invalid context: start a root.
  SpanContext context;
  // What to forward with the next hop's traceparent; empty when there is none
  // to forward (no valid traceparent, or no valid tracestate).
  TraceState trace_state;
  // Why a non-empty header was not used: a static message, or empty.
  std::string_view traceparent_error;
  std::string_view tracestate_error;
};

HOTSPAN_API ExtractedContext extract_context(std::string_view traceparent,
                                             std::string_view tracestate = {});

}  // namespace hotspan
