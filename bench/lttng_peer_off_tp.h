/* hotspan bench — LTTng-UST provider hotspan_bench_off: the same span events
 * as hotspan_bench_on, which no session ever enables, for
 * lttng/begin_end_disabled: what a relay pays for LTTng-UST tracepoints
 * compiled in while tracing is off. */
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER hotspan_bench_off

#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "lttng_peer_off_tp.h"

#if !defined(HOTSPAN_BENCH_LTTNG_PEER_OFF_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define HOTSPAN_BENCH_LTTNG_PEER_OFF_TP_H

#include <lttng/tracepoint.h>

#include "lttng_peer_span_events.h"

HOTSPAN_BENCH_SPAN_EVENTS(hotspan_bench_off)

#endif

#include <lttng/tracepoint-event.h>
