/* hotspan tracing backend for tor: a span context in the ntor v3 handshake. */

/**
 * \file hotspan_ntor3.h
 * \brief The client puts the span context of a hop's create-hop span in an
 *        extension field of the ntor v3 client message (encrypted to that hop
 *        alone); the hop's cpuworker reads it back, so that the relay's
 *        spans of the circuit join the client's trace. Only with
 *        HotspanTraceContext 1 (see integrations/tor/README.md).
 **/

#ifndef TOR_CORE_OR_HOTSPAN_NTOR3_H
#define TOR_CORE_OR_HOTSPAN_NTOR3_H

#include "lib/cc/torint.h"

#include <hotspan/hotspan.h>

/** The extension type: no tor specification assigns it (they use 1 to 3). A
 * tor without this backend ignores it, as it ignores every extension type it
 * does not know. */
#define HOTSPAN_NTOR3_EXT_TYPE_TRACE_CONTEXT 0xf0

/** What the last ntor v3 client message read on this thread carried. */
typedef enum hotspan_ntor3_received_t {
  HOTSPAN_NTOR3_NO_CONTEXT = 0, /**< no field of our type (or not ntor v3) */
  HOTSPAN_NTOR3_CONTEXT = 1,    /**< a well-formed context */
  HOTSPAN_NTOR3_MALFORMED = 2,  /**< a field of our type that did not parse */
} hotspan_ntor3_received_t;

int hotspan_ntor3_context_field_is_empty(const uint8_t *field);
void hotspan_ntor3_client_message_add_context(uint8_t **msg, size_t *msg_len,
                                              const uint8_t *context_field);
void hotspan_ntor3_server_message_read_context(const uint8_t *msg,
                                               size_t msg_len);
hotspan_ntor3_received_t hotspan_ntor3_take_received_context(
                                              hotspan_span_context *out);

#endif /* !defined(TOR_CORE_OR_HOTSPAN_NTOR3_H) */
