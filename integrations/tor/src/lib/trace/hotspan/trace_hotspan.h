/* hotspan tracing backend for tor: the dispatch of tracepoints to hotspan
 * probes, and the tracer that the probes record into. */

/**
 * \file trace_hotspan.h
 * \brief Map tor_trace() events to hotspan probe functions.
 *
 * tor_trace(TR_SUBSYS(circuit), TR_EV(opened), circ) expands, among the
 * other backends, to TOR_TRACE_HOTSPAN(tor_circuit, opened, circ), which
 * calls hotspan_tp_tor_circuit_opened(circ). Each subsystem declares its
 * hotspan_tp_<subsystem>_<event> names in core/or/hotspan_<subsystem>.inc,
 * included by its trace_probes_<subsystem>.h as the LTTng declarations are:
 * a function for an event that becomes spans, an empty macro otherwise.
 **/

#ifndef TOR_TRACE_HOTSPAN_TRACE_HOTSPAN_H
#define TOR_TRACE_HOTSPAN_TRACE_HOTSPAN_H

#ifdef USE_TRACING_INSTRUMENTATION_HOTSPAN

struct hotspan_tracer;

#define TOR_TRACE_HOTSPAN(subsystem, event_name, ...) \
  hotspan_tp_ ## subsystem ## _ ## event_name(__VA_ARGS__)

struct hotspan_tracer *tor_trace_hotspan_tracer(void);
struct hotspan_tracer *tor_trace_hotspan_worker_enter(void);
void tor_trace_hotspan_worker_leave(void);
void tor_trace_hotspan_free_all(void);

#else /* !defined(USE_TRACING_INSTRUMENTATION_HOTSPAN) */

/* NOP event. */
#define TOR_TRACE_HOTSPAN(subsystem, event_name, ...)
#define tor_trace_hotspan_free_all() ((void) 0)

#endif /* defined(USE_TRACING_INSTRUMENTATION_HOTSPAN) */

#endif /* !defined(TOR_TRACE_HOTSPAN_TRACE_HOTSPAN_H) */
