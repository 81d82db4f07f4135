/* hotspan bench — LTTng-UST provider hotspan_bench_on: the span events that
 * scripts/bench.sh's session enables (`lttng enable-event -u
 * 'hotspan_bench_on:*'`), for lttng/begin_end_2_fields_session.
 *
 * A provider of its own, apart from hotspan_bench_off, because a session
 * enables events by provider and name pattern: with the disabled pair under
 * another provider, no pattern that enables this pair can also enable that
 * one, and both are measured in the same process under the same session. */
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER hotspan_bench_on

#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "lttng_peer_on_tp.h"

#if !defined(HOTSPAN_BENCH_LTTNG_PEER_ON_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define HOTSPAN_BENCH_LTTNG_PEER_ON_TP_H

#include <lttng/tracepoint.h>

#include "lttng_peer_span_events.h"

HOTSPAN_BENCH_SPAN_EVENTS(hotspan_bench_on)

#endif

#include <lttng/tracepoint-event.h>
