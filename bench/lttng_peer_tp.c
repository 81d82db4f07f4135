/* hotspan bench — the LTTng-UST probes and tracepoint definitions of both
 * providers of the LTTng-UST peer, linked into hot_path_latency.
 *
 * This is the only file that defines LTTNG_UST_TRACEPOINT_CREATE_PROBES and
 * LTTNG_UST_TRACEPOINT_DEFINE: the probes and the tracepoints' state must
 * exist once in the program. Compiled as C, as LTTng-UST's providers
 * usually are; hot_path_latency.cpp includes the same headers without either
 * macro and only calls the tracepoints. */
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#define LTTNG_UST_TRACEPOINT_DEFINE

#include "lttng_peer_off_tp.h"
#include "lttng_peer_on_tp.h"
