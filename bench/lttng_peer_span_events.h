/* hotspan bench — the payload of one span as LTTng-UST events, for the
 * LTTng-UST peer of hot_path_latency.
 *
 * A span is two events: span_begin carries the span's name and its integer
 * attribute, span_end its string attribute and the integer again, which is
 * what lets a reader pair the end with its begin. Together that is what
 * hotspan/sampled_2_attributes records ("build-circuit", circuit.id = i,
 * circuit.purpose = "general"); each event's header also holds its timestamp,
 * so the pair records the start and end times as a span does.
 *
 * Both providers (lttng_peer_on_tp.h, lttng_peer_off_tp.h) expand this one
 * macro, so that the pair a session enables and the pair nothing enables
 * carry the same payload. The macro is expanded where each provider header
 * is read, so every pass of LTTng-UST's tracepoint-event.h sees it with its
 * own definition of LTTNG_UST_TRACEPOINT_EVENT. */
#ifndef HOTSPAN_BENCH_LTTNG_PEER_SPAN_EVENTS_H
#define HOTSPAN_BENCH_LTTNG_PEER_SPAN_EVENTS_H

#include <stdint.h>

#define HOTSPAN_BENCH_SPAN_EVENTS(provider)                                              \
  LTTNG_UST_TRACEPOINT_EVENT(                                                            \
      provider, span_begin, LTTNG_UST_TP_ARGS(const char*, name, int64_t, circuit_id),   \
      LTTNG_UST_TP_FIELDS(lttng_ust_field_string(name, name)                             \
                              lttng_ust_field_integer(int64_t, circuit_id, circuit_id))) \
  LTTNG_UST_TRACEPOINT_EVENT(                                                            \
      provider, span_end, LTTNG_UST_TP_ARGS(const char*, purpose, int64_t, circuit_id),  \
      LTTNG_UST_TP_FIELDS(lttng_ust_field_string(circuit_purpose, purpose)               \
                              lttng_ust_field_integer(int64_t, circuit_id, circuit_id)))

#endif
