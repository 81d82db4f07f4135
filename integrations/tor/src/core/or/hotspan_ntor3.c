/* hotspan tracing backend for tor: a span context in the ntor v3 handshake. */

/**
 * \file hotspan_ntor3.c
 * \brief The trace context extension of the ntor v3 client message.
 *
 * Client: onion_skin_create() calls hotspan_ntor3_client_message_add_context()
 * with the message tor built (its congestion control and subprotocol
 * requests) and the hop's 32-byte trace_context buffer, which the hop_start
 * probe filled with the create-hop span's binary context (26 bytes: version,
 * trace id, span id, flags) when HotspanTraceContext is set, and with zeros
 * otherwise. A non-zero field is appended as one more extension field of type
 * HOTSPAN_NTOR3_EXT_TYPE_TRACE_CONTEXT; the message is then encrypted to the
 * hop with the rest of the handshake, so no other relay sees it. Fields stay
 * in increasing type order (ours is the largest), as tor writes them.
 *
 * Relay: onion_skin_server_handshake() calls
 * hotspan_ntor3_server_message_read_context() on the cpuworker thread with
 * the decrypted client message, before tor negotiates its parameters from
 * it. The result is kept in a thread-local: that function has no output of
 * its own for it, and the onion_skin_done probe that uses it runs next on
 * the same thread, for the same job (onion_skin_start clears it first, so a
 * job never sees the previous job's context).
 *
 * Failure never fails the handshake: a message that cannot be re-encoded is
 * sent as tor built it, a field that does not parse is reported as
 * malformed and the relay's spans start a trace of their own.
 **/

#include "orconfig.h"

#include "core/or/or.h"
#include "core/or/hotspan_ntor3.h"
#include "core/crypto/onion_crypto.h"
#include "trunnel/extension.h"

/** The last client message's context read on this (cpuworker) thread. */
static __thread hotspan_span_context received_context;
/** What that message carried. */
static __thread hotspan_ntor3_received_t received_state =
  HOTSPAN_NTOR3_NO_CONTEXT;

/** Return true iff the first HOTSPAN_BINARY_CONTEXT_SIZE bytes of
 * <b>field</b> (a hop's trace_context) are all zero: no context to send. */
int
hotspan_ntor3_context_field_is_empty(const uint8_t *field)
{
  uint8_t any = 0;
  for (size_t i = 0; i < HOTSPAN_BINARY_CONTEXT_SIZE; ++i)
    any |= field[i];
  return any == 0;
}

/** Client: append the context in <b>context_field</b> (if any) to the ntor
 * v3 client message *<b>msg</b> of *<b>msg_len</b> bytes, replacing both. On
 * any failure the message is left as it was. */
void
hotspan_ntor3_client_message_add_context(uint8_t **msg, size_t *msg_len,
                                         const uint8_t *context_field)
{
  trn_extension_t *ext = NULL;
  trn_extension_field_t *field;
  uint8_t *out = NULL;
  ssize_t out_len;

  if (!context_field || hotspan_ntor3_context_field_is_empty(context_field))
    return;
  if (trn_extension_parse(&ext, *msg, *msg_len) < 0)
    goto done;
  field = trn_extension_field_new();
  trn_extension_field_set_field_type(field,
                                     HOTSPAN_NTOR3_EXT_TYPE_TRACE_CONTEXT);
  trn_extension_field_set_field_len(field, HOTSPAN_BINARY_CONTEXT_SIZE);
  trn_extension_field_setlen_field(field, HOTSPAN_BINARY_CONTEXT_SIZE);
  memcpy(trn_extension_field_getarray_field(field), context_field,
         HOTSPAN_BINARY_CONTEXT_SIZE);
  trn_extension_add_fields(ext, field);
  trn_extension_set_num(ext, trn_extension_getlen_fields(ext));

  out_len = trn_extension_encoded_len(ext);
  if (out_len < 0)
    goto done;
  out = tor_malloc_zero(out_len);
  if (trn_extension_encode(out, out_len, ext) < 0) {
    tor_free(out);
    goto done;
  }
  tor_free(*msg);
  *msg = out;
  *msg_len = (size_t) out_len;
 done:
  trn_extension_free(ext);
}

/** Relay, on a cpuworker thread: read the context field, if any, of the
 * decrypted ntor v3 client message <b>msg</b> of <b>msg_len</b> bytes. */
void
hotspan_ntor3_server_message_read_context(const uint8_t *msg, size_t msg_len)
{
  trn_extension_t *ext = NULL;
  const trn_extension_field_t *field;

  received_state = HOTSPAN_NTOR3_NO_CONTEXT;
  memset(&received_context, 0, sizeof(received_context));
  /* A message tor cannot parse fails the handshake in tor's own code next. */
  if (trn_extension_parse(&ext, msg, msg_len) < 0)
    return;
  field = trn_extension_find(ext, HOTSPAN_NTOR3_EXT_TYPE_TRACE_CONTEXT);
  if (field) {
    received_state =
      hotspan_binary_context_parse(
          trn_extension_field_getconstarray_field(field),
          trn_extension_field_getlen_field(field),
          &received_context) == HOTSPAN_OK
        ? HOTSPAN_NTOR3_CONTEXT : HOTSPAN_NTOR3_MALFORMED;
  }
  trn_extension_free(ext);
}

/** Return what the last client message read on this thread carried, with
 * its context in *<b>out</b> (invalid unless HOTSPAN_NTOR3_CONTEXT), and
 * forget it. */
hotspan_ntor3_received_t
hotspan_ntor3_take_received_context(hotspan_span_context *out)
{
  const hotspan_ntor3_received_t state = received_state;
  *out = received_context;
  received_state = HOTSPAN_NTOR3_NO_CONTEXT;
  memset(&received_context, 0, sizeof(received_context));
  return state;
}
