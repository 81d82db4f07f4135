/* hotspan tracing backend for tor: circuit events become spans. */

/**
 * \file hotspan_circuit.c
 * \brief hotspan probes of the circuit subsystem: the circuit tracepoints
 *        (see hotspan_circuit.inc) start, annotate and end spans, with
 *        hotspan's C API only.
 *
 * Origin circuits (built by this tor, client or relay): one trace each, in
 * the shape of the seed report's.
 *
 *   build-circuit     new_origin .. opened; status error, with tor's close
 *                     reason, when the circuit is marked for close before it
 *                     opened; cancelled when tor exits before it opened.
 *     select-exit     path selection: the exit (chosen first), the guard
 *     select-guard    and each middle (path_select_start ..
 *     select-middle   path_select_done), with the relay chosen; status
 *                     error when tor found none.
 *     extend-circuit  the first hop's onion skin about to be made .. every
 *                     hop open (opened).
 *       create-hop-N  hop N's onion skin about to be made (hop_start) .. its
 *                     CREATED/EXTENDED reply processed (hop_opened); an
 *                     event when the CREATE/EXTEND is sent (first_onion_skin,
 *                     intermediate_onion_skin). With HotspanTraceContext,
 *                     its context goes to the hop in the ntor v3 handshake
 *                     (hotspan_ntor3.c).
 *   extend-circuit    an open circuit extended again (cannibalized): from
 *                     its change from OPEN back to BUILDING .. opened; a
 *                     child of build-circuit (which has ended by then),
 *                     parent of its create-hop-N.
 *
 *   create-stream     a child of build-circuit: a stream of the client,
 *                     from its BEGIN (or BEGIN_DIR) sent on this circuit
 *                     (stream_begin) .. its CONNECTED accepted
 *                     (stream_connected), status ok; an END from the exit
 *                     or a timeout first (stream_end): status error with
 *                     tor's end reason; closed first: status error with the
 *                     connection's end reason, or cancelled when tor exits
 *                     (stream_free). A stream retried on another circuit
 *                     has one create-stream span per attempt, each in the
 *                     trace of its circuit.
 *
 * OR circuits (relays): one relay-circuit span each, new_or .. free; a
 * child of the client's create-hop-N when the client sent its context and
 * this relay has HotspanTraceContext set, else the root of its own trace.
 *
 *   onion-skin        a child of relay-circuit, recorded on a cpuworker
 *                     thread: the server side of the circuit's handshake
 *                     (onion_skin_start .. onion_skin_done), status ok, or
 *                     error when the handshake failed.
 *   relay-cell        a child of relay-circuit: one cell in
 *                     HotspanRelayCellSpans (default 1000) per direction
 *                     that the relay queues on the circuit, from its
 *                     append to the circuit's queue (cell_queued) to its
 *                     leaving the queue for the channel (cell_flushed): its
 *                     queue time. One sampled cell per direction is in
 *                     flight at a time; the queue is FIFO, so the probe
 *                     counts the cells flushed until it is its turn.
 *
 * The client's context is inside the ntor v3 message, which only the
 * cpuworker decrypts, after the circuit exists and its onion skin waited in
 * tor's queue. So a circuit answered by a cpuworker gets its relay-circuit
 * span there, after the handshake: started with the client's context as
 * parent and moved back to new_or (hotspan_span_set_start_time() with the
 * instant new_or took), with its onion-skin child moved back to the
 * handshake's start; the worker hands the started relay-circuit span back
 * to the main thread in the job (onion_skin_answered), which ends it at
 * free. What the worker needs travels in the job (onion_skin_queued): it
 * reads nothing of the circuit, which tor may free meanwhile. A circuit
 * that never reaches a cpuworker (CREATE_FAST, or closed while its onion
 * skin waited) gets its relay-circuit span on the main thread at its first
 * later event, moved back to new_or the same way.
 *
 * State changes, purpose changes, timeouts and cannibalization are events
 * of the span in progress.
 *
 * Where the span state lives: a pointer in circuit_t (hotspan_state, present
 * only in this build). The alternative, a map keyed by the circuit's global
 * identifier, would cost a hash lookup on every event and a table to keep
 * in step with circuit lifetimes, and OR circuits have no global identifier.
 * With the pointer, a probe reaches its state in one load, the state lives
 * exactly as long as the circuit (allocated at new_origin/new_or, released
 * at free), and the circuit types grow by one pointer in this build only.
 * The common base circuit_t holds it because the events of both kinds
 * (change_state, mark_for_close, free) receive a circuit_t.
 *
 * A stream's span lives in the same way in a pointer of edge_connection_t,
 * allocated at its first stream_begin and released at stream_free.
 *
 * Privacy: nothing from a connection is recorded (no address, no port, no
 * link circuit ID), except the target port of a client's stream
 * (stream.target_port: never its address or hostname). Origin circuits carry the relays' identity fingerprints
 * and nicknames, which are public; OR circuits carry only their purpose,
 * states and close reason. Every probe runs on tor's main thread, except
 * onion_skin_start and onion_skin_done, which run on a cpuworker thread and
 * touch only the job's data and that thread's own span.
 **/

#include "orconfig.h"

#include "app/config/config.h"
#include "app/config/or_options_st.h"
#include "core/or/or.h"
#include "core/or/circuit_st.h"
#include "core/or/circuitlist.h"
#include "core/or/cpath_build_state_st.h"
#include "core/or/crypt_path_st.h"
#include "core/or/edge_connection_st.h"
#include "core/or/entry_connection_st.h"
#include "core/or/extend_info_st.h"
#include "core/or/hotspan_ntor3.h"
#include "core/or/or_circuit_st.h"
#include "core/or/origin_circuit_st.h"
#include "core/or/reasons.h"
#include "feature/nodelist/node_st.h"
#include "feature/nodelist/nodelist.h"
#include "core/or/socks_request_st.h"
#include "core/or/trace_probes_circuit.h"
#include "lib/cc/ctassert.h"
#include "lib/encoding/binascii.h"
#include "lib/trace/hotspan/trace_hotspan.h"

#include <hotspan/hotspan.h>

#include <stdio.h>

/** A relay-cell span in flight in one direction of an OR circuit. */
typedef struct hotspan_cell_sample_t {
  /** relay-cell: from the cell's append to the circuit's queue until it
   * leaves it. */
  hotspan_span span;
  /** Cells queued in this direction since the circuit began. */
  uint64_t queued;
  /** Cells still to leave the queue before the sampled one, itself
   * included: it leaves when this reaches 0. */
  int ahead;
  /** True while span is started and not ended. */
  unsigned int active : 1;
} hotspan_cell_sample_t;

/** The spans of one circuit in progress. */
typedef struct hotspan_circ_state_t {
  /** Origin circuit: build-circuit, later an extend-circuit; OR circuit:
   * relay-circuit. */
  hotspan_span span;
  /** Origin circuit: the create-hop-N span of the hop awaiting its reply.
   * Tor extends a circuit one hop at a time, so there is at most one. */
  hotspan_span hop;
  /** Origin circuit: extend-circuit, parent of the create-hop-N spans. */
  hotspan_span extend;
  /** Origin circuit: the select-POSITION span of a path choice in progress. */
  hotspan_span select;
  /** The context of build-circuit, parent of later extend-circuit spans
   * (build-circuit itself has ended by then). */
  hotspan_span_context root;
  /** OR circuit: when new_or made it, the start of its relay-circuit span,
   * which starts later (see the file comment). */
  hotspan_timestamp created;
  /** OR circuit: the sampled cell of each direction (0: towards the client,
   * 1: exitward). */
  hotspan_cell_sample_t cells[2];
  /** True while span, hop, extend, respectively select, is started and not
   * ended. */
  unsigned int span_active : 1;
  unsigned int hop_active : 1;
  unsigned int extend_active : 1;
  unsigned int select_active : 1;
} hotspan_circ_state_t;

/** The span of one client stream in progress. */
typedef struct hotspan_stream_state_t {
  /** create-stream, from the BEGIN sent to the CONNECTED accepted. */
  hotspan_span span;
  /** True while span is started and not ended. */
  unsigned int active : 1;
} hotspan_stream_state_t;

/** What a cpuworker job carries for the backend, in the job's
 * trace_context buffer: written when the job is queued (main thread), then
 * by the worker, read with the reply (main thread). */
typedef struct hotspan_onion_job_t {
  /** Started by the worker, handed to the main thread; inert until then. */
  hotspan_span relay_circuit;
  /** When new_or made the circuit. */
  hotspan_timestamp created;
  /** The circuit is traced: the worker records its spans. */
  uint8_t traced;
  /** HotspanTraceContext was set: a client's context becomes the parent. */
  uint8_t join_client_trace;
} hotspan_onion_job_t;

#define NUL_TERM HOTSPAN_NUL_TERMINATED

/** Return the name of a circuit state, as short as the controller's. */
static const char *
state_name(int state)
{
  switch (state) {
    case CIRCUIT_STATE_BUILDING: return "BUILDING";
    case CIRCUIT_STATE_ONIONSKIN_PENDING: return "ONIONSKIN_PENDING";
    case CIRCUIT_STATE_CHAN_WAIT: return "CHAN_WAIT";
    case CIRCUIT_STATE_GUARD_WAIT: return "GUARD_WAIT";
    case CIRCUIT_STATE_OPEN: return "OPEN";
    default: return "UNKNOWN";
  }
}

/** Return the name of an onion handshake type. */
static const char *
handshake_name(uint16_t type)
{
  switch (type) {
    case ONION_HANDSHAKE_TYPE_TAP: return "tap";
    case ONION_HANDSHAKE_TYPE_FAST: return "fast";
    case ONION_HANDSHAKE_TYPE_NTOR: return "ntor";
    case ONION_HANDSHAKE_TYPE_NTOR_V3: return "ntor_v3";
    default: return "unknown";
  }
}

/** Return the 1-based position of <b>hop</b> in the path of <b>circ</b>, or
 * 0 when it is not there. */
static int
hop_index(const origin_circuit_t *circ, const crypt_path_t *hop)
{
  const crypt_path_t *cp = circ->cpath;
  int i = 1;
  if (!cp)
    return 0;
  do {
    if (cp == hop)
      return i;
    cp = cp->next;
    ++i;
  } while (cp && cp != circ->cpath);
  return 0;
}

/** Return the number of hops in the path of <b>circ</b>. */
static int
path_length(const origin_circuit_t *circ)
{
  const crypt_path_t *cp = circ->cpath;
  int n = 0;
  if (!cp)
    return 0;
  do {
    ++n;
    cp = cp->next;
  } while (cp && cp != circ->cpath);
  return n;
}

/** Set circuit.purpose on <b>span</b>: the controller's name of the
 * circuit's purpose now. Origin circuits get theirs after new_origin, and
 * cannibalization changes it: build and extend spans set it again when they
 * end (the last value wins). */
static void
set_purpose(hotspan_span *span, const circuit_t *circ)
{
  hotspan_span_set_string(span, "circuit.purpose", NUL_TERM,
                          circuit_purpose_to_controller_string(circ->purpose),
                          NUL_TERM);
}

/** Set tor's close reason of <b>circ</b> on <b>span</b>: circuit.close_reason
 * (the controller's name) and circuit.close_reason.remote. Return the name. */
static const char *
set_close_reason(hotspan_span *span, const circuit_t *circ)
{
  /* The original reason keeps the remote flag, and the reason an origin
   * circuit was closed for (its marked_for_close_reason is always NONE:
   * origins send no reason). */
  const int reason = circ->marked_for_close_orig_reason;
  const int remote = reason >= 0 && (reason & END_CIRC_REASON_FLAG_REMOTE);
  const char *name = circuit_end_reason_to_control_string(reason);
  hotspan_attribute attrs[2];
  attrs[0] = hotspan_attr_string("circuit.close_reason", name);
  attrs[1] = hotspan_attr_bool("circuit.close_reason.remote", remote);
  hotspan_span_set_attributes(span, attrs, 2);
  return name;
}

/** End <b>span</b> with status error and "<b>what</b>: <b>reason</b>". */
static void
end_with_error(hotspan_span *span, const char *what, const char *reason)
{
  char description[128];
  tor_snprintf(description, sizeof(description), "%s: %s", what, reason);
  hotspan_span_set_status(span, HOTSPAN_STATUS_CODE_ERROR, description,
                          NUL_TERM);
  hotspan_span_end(span);
}

/** End <b>span</b> with status ok. */
static void
end_ok(hotspan_span *span)
{
  hotspan_span_set_status(span, HOTSPAN_STATUS_CODE_OK, NULL, 0);
  hotspan_span_end(span);
}

/** End <b>span</b> with status cancelled: the circuit is freed without
 * having been marked for close, which tor does when it exits. */
static void
end_cancelled(hotspan_span *span)
{
  hotspan_span_set_status(span, HOTSPAN_STATUS_CODE_CANCELLED,
                          "circuit freed (tor exiting)", NUL_TERM);
  hotspan_span_end(span);
}

/** The parent of an origin circuit's spans: build-circuit while it runs,
 * else its context kept in root (a cannibalized circuit). */
static hotspan_span_context
build_context(const hotspan_circ_state_t *st)
{
  hotspan_span_context parent = st->root;
  if (st->span_active)
    hotspan_span_get_context(&st->span, &parent);
  return parent;
}

/** Start an extend-circuit span of <b>circ</b>, a child of build-circuit. */
static void
start_extend(const origin_circuit_t *circ, hotspan_circ_state_t *st,
             hotspan_tracer *tracer)
{
  const hotspan_span_context parent = build_context(st);

  hotspan_span_start_with_parent(tracer, &st->extend, "extend-circuit",
                                 NUL_TERM, HOTSPAN_KIND_CLIENT, &parent);
  st->extend_active = 1;
  hotspan_span_set_int(&st->extend, "circuit.id", NUL_TERM,
                       circ->global_identifier);
}

/** The span that a circuit's events go to: its span in progress
 * (build-circuit, relay-circuit), else an origin circuit's extend-circuit in
 * progress; NULL when none. */
static hotspan_span *
event_span(hotspan_circ_state_t *st)
{
  if (st->span_active)
    return &st->span;
  return st->extend_active ? &st->extend : NULL;
}

/** Start the create-hop-N span of <b>hop</b>, whose onion skin is about to
 * be made, as a child of extend-circuit. */
static void
start_hop(const origin_circuit_t *circ, const crypt_path_t *hop)
{
  hotspan_circ_state_t *st = TO_CIRCUIT(circ)->hotspan_state;
  hotspan_tracer *tracer = tor_trace_hotspan_tracer();
  hotspan_span_context parent = st->root;
  char name[32];
  char fingerprint[HEX_DIGEST_LEN + 1];
  hotspan_attribute attrs[4];
  size_t n = 0;
  const int index = hop_index(circ, hop);

  if (!tracer)
    return;
  if (st->hop_active) {
    /* Not expected: a hop's reply always comes before the next skin. */
    hotspan_span_end(&st->hop);
    st->hop_active = 0;
  }
  if (st->extend_active)
    hotspan_span_get_context(&st->extend, &parent);

  tor_snprintf(name, sizeof(name), "create-hop-%d", index);
  hotspan_span_start_with_parent(tracer, &st->hop, name, NUL_TERM,
                                 HOTSPAN_KIND_CLIENT, &parent);
  st->hop_active = 1;
  if (!hotspan_span_is_recording(&st->hop))
    return;

  attrs[n++] = hotspan_attr_int("circuit.id", circ->global_identifier);
  attrs[n++] = hotspan_attr_int("circuit.hop", index);
  if (hop->extend_info) {
    const extend_info_t *ei = hop->extend_info;
    base16_encode(fingerprint, sizeof(fingerprint), ei->identity_digest,
                  DIGEST_LEN);
    attrs[n++] = hotspan_attr_string("relay.fingerprint", fingerprint);
    /* A nickname of "$<hex>" only repeats the fingerprint. */
    if (ei->nickname[0] && ei->nickname[0] != '$')
      attrs[n++] = hotspan_attr_string("relay.nickname", ei->nickname);
  }
  hotspan_span_set_attributes(&st->hop, attrs, n);
}

/** Gives a new circuit its state, with `name` started as its root span (the
 * circuit's trace); NULL when tracing is off. */
static hotspan_circ_state_t *
circ_state_start(circuit_t *circ, const char *name, hotspan_span_kind kind)
{
  hotspan_tracer *tracer = tor_trace_hotspan_tracer();
  hotspan_circ_state_t *st;

  if (!tracer)
    return NULL;
  st = tor_malloc_zero(sizeof(*st));
  circ->hotspan_state = st;
  hotspan_span_start_with_parent(tracer, &st->span, name, NUL_TERM, kind,
                                 NULL);
  st->span_active = 1;
  return st;
}

/* ------------------------------------------------------ origin circuits */

/** A new origin circuit: start its trace, rooted in build-circuit. */
void
hotspan_tp_tor_circuit_new_origin(origin_circuit_t *circ)
{
  hotspan_circ_state_t *st =
    circ_state_start(TO_CIRCUIT(circ), "build-circuit", HOTSPAN_KIND_CLIENT);

  if (!st)
    return;
  hotspan_span_get_context(&st->span, &st->root);
  hotspan_span_set_int(&st->span, "circuit.id", NUL_TERM,
                       circ->global_identifier);
}

/** The path is chosen and the first hop is under way: record the path. */
void
hotspan_tp_tor_circuit_establish(const origin_circuit_t *circ)
{
  hotspan_circ_state_t *st = TO_CIRCUIT(circ)->hotspan_state;
  char path[(HEX_DIGEST_LEN + 1) * 8];
  size_t used = 0;
  const crypt_path_t *cp = circ->cpath;

  if (!st || !st->span_active || !hotspan_span_is_recording(&st->span))
    return;
  set_purpose(&st->span, TO_CIRCUIT(circ));
  hotspan_span_set_int(&st->span, "circuit.path.length", NUL_TERM,
                       path_length(circ));
  /* circuit.path: the relays' fingerprints, comma-separated (the first
   * eight hops; tor builds three or four). */
  path[0] = '\0';
  if (cp) {
    do {
      if (cp->extend_info && used + HEX_DIGEST_LEN + 1 < sizeof(path)) {
        if (used)
          path[used++] = ',';
        base16_encode(path + used, sizeof(path) - used,
                      cp->extend_info->identity_digest, DIGEST_LEN);
        used += HEX_DIGEST_LEN;
      }
      cp = cp->next;
    } while (cp && cp != circ->cpath);
  }
  hotspan_span_set_string(&st->span, "circuit.path", NUL_TERM, path, used);
}

/** The onion skin of <b>hop</b> is about to be made: start its create-hop
 * span, and fill the hop's 32-byte <b>context</b> buffer, which ntor v3
 * carries to the hop (hotspan_ntor3.c): the span's binary context when
 * HotspanTraceContext is set, zeros (nothing sent) otherwise. */
void
hotspan_tp_tor_circuit_hop_start(const origin_circuit_t *circ,
                                 const crypt_path_t *hop, uint8_t *context)
{
  hotspan_circ_state_t *st = TO_CIRCUIT(circ)->hotspan_state;
  hotspan_tracer *tracer = tor_trace_hotspan_tracer();
  hotspan_span_context hop_context;

  memset(context, 0, 32);
  if (!st || !tracer)
    return;
  /* The first hop of a build: the extension through every hop begins. */
  if (!st->extend_active)
    start_extend(circ, st, tracer);
  start_hop(circ, hop);
  if (st->hop_active && get_options()->HotspanTraceContext &&
      hotspan_span_get_context(&st->hop, &hop_context) == HOTSPAN_OK &&
      hotspan_span_context_is_valid(&hop_context))
    hotspan_binary_context_write(&hop_context, context, 32);
}

/** The CREATE (first hop) or EXTEND cell of <b>hop</b>, with its onion skin,
 * has been sent: an event on its create-hop span, which gets the handshake
 * made and whether it carries the span's context. */
static void
hop_sent(const origin_circuit_t *circ, const crypt_path_t *hop,
         const char *cell)
{
  hotspan_circ_state_t *st = TO_CIRCUIT(circ)->hotspan_state;
  hotspan_attribute attrs[2];
  hotspan_attribute event_attr;
  const uint16_t type = hop->handshake_state.tag;
  const int sent = type == ONION_HANDSHAKE_TYPE_NTOR_V3 &&
    !hotspan_ntor3_context_field_is_empty(hop->handshake_state.trace_context);

  if (!st || !st->hop_active || !hotspan_span_is_recording(&st->hop))
    return;
  attrs[0] = hotspan_attr_string("tor.handshake", handshake_name(type));
  attrs[1] = hotspan_attr_bool("tor.trace_context.sent", sent);
  hotspan_span_set_attributes(&st->hop, attrs, 2);
  event_attr = hotspan_attr_string("tor.cell", cell);
  hotspan_span_add_event(&st->hop, "onion-skin-sent", NUL_TERM, &event_attr,
                         1);
}

/** The CREATE cell for the first hop has been sent. */
void
hotspan_tp_tor_circuit_first_onion_skin(const origin_circuit_t *circ,
                                        const crypt_path_t *hop)
{
  hop_sent(circ, hop, "CREATE");
}

/** The EXTEND cell for a further hop has been sent. */
void
hotspan_tp_tor_circuit_intermediate_onion_skin(const origin_circuit_t *circ,
                                               const crypt_path_t *hop)
{
  hop_sent(circ, hop, "EXTEND");
}

/** The CREATED/EXTENDED reply of a hop has been processed: the hop is
 * open. */
void
hotspan_tp_tor_circuit_hop_opened(const origin_circuit_t *circ,
                                  const crypt_path_t *hop)
{
  hotspan_circ_state_t *st = TO_CIRCUIT(circ)->hotspan_state;
  (void) hop;

  if (!st || !st->hop_active)
    return;
  end_ok(&st->hop);
  st->hop_active = 0;
}

/** Every hop is open: the build (or extension) is done. */
void
hotspan_tp_tor_circuit_opened(const origin_circuit_t *circ)
{
  hotspan_circ_state_t *st = TO_CIRCUIT(circ)->hotspan_state;

  if (!st)
    return;
  if (st->hop_active) {
    hotspan_span_end(&st->hop);
    st->hop_active = 0;
  }
  if (st->extend_active) {
    set_purpose(&st->extend, TO_CIRCUIT(circ));
    end_ok(&st->extend);
    st->extend_active = 0;
  }
  if (!st->span_active)
    return;
  set_purpose(&st->span, TO_CIRCUIT(circ));
  hotspan_span_set_int(&st->span, "circuit.hops", NUL_TERM,
                       path_length(circ));
  end_ok(&st->span);
  st->span_active = 0;
}

/** tor chooses a relay for <b>position</b> ("exit", "guard", "middle") of
 * the path of <b>circ</b>: a select-POSITION span, a child of
 * build-circuit. */
void
hotspan_tp_tor_circuit_path_select_start(const origin_circuit_t *circ,
                                         const char *position)
{
  hotspan_circ_state_t *st = TO_CIRCUIT(circ)->hotspan_state;
  hotspan_tracer *tracer = tor_trace_hotspan_tracer();
  hotspan_span_context parent;
  char name[32];

  if (!st || !tracer)
    return;
  if (st->select_active) /* Not expected: one choice at a time. */
    hotspan_span_end(&st->select);
  parent = build_context(st);
  tor_snprintf(name, sizeof(name), "select-%s", position);
  hotspan_span_start_with_parent(tracer, &st->select, name, NUL_TERM,
                                 HOTSPAN_KIND_INTERNAL, &parent);
  st->select_active = 1;
}

/** The choice is made: <b>node</b> (NULL when tor found none). */
void
hotspan_tp_tor_circuit_path_select_done(const origin_circuit_t *circ,
                                        const node_t *node)
{
  hotspan_circ_state_t *st = TO_CIRCUIT(circ)->hotspan_state;
  char fingerprint[HEX_DIGEST_LEN + 1];
  hotspan_attribute attrs[2];
  const char *nickname;

  if (!st || !st->select_active)
    return;
  st->select_active = 0;
  if (!node) {
    hotspan_span_set_status(&st->select, HOTSPAN_STATUS_CODE_ERROR,
                            "no relay fits this position", NUL_TERM);
    hotspan_span_end(&st->select);
    return;
  }
  base16_encode(fingerprint, sizeof(fingerprint), node->identity,
                DIGEST_LEN);
  attrs[0] = hotspan_attr_string("relay.fingerprint", fingerprint);
  nickname = node_get_nickname(node);
  attrs[1] = hotspan_attr_string("relay.nickname", nickname ? nickname : "");
  hotspan_span_set_attributes(&st->select, attrs, nickname ? 2 : 1);
  end_ok(&st->select);
}

/** An open circuit was taken for another purpose (and possibly extended). */
void
hotspan_tp_tor_circuit_cannibalized(const origin_circuit_t *circ)
{
  hotspan_circ_state_t *st = TO_CIRCUIT(circ)->hotspan_state;
  hotspan_span *target = st ? event_span(st) : NULL;
  hotspan_attribute attr;

  if (!target)
    return;
  attr = hotspan_attr_string("circuit.purpose",
           circuit_purpose_to_controller_string(TO_CIRCUIT(circ)->purpose));
  hotspan_span_add_event(target, "cannibalized", NUL_TERM, &attr, 1);
}

/** The circuit took too long to build; it is about to be closed (or kept
 * to measure the build time: its purpose changes then). */
void
hotspan_tp_tor_circuit_timeout(const origin_circuit_t *circ)
{
  hotspan_circ_state_t *st = TO_CIRCUIT(circ)->hotspan_state;
  hotspan_span *target = st ? event_span(st) : NULL;

  if (!target)
    return;
  hotspan_span_add_event(target, "timeout", NUL_TERM, NULL, 0);
}

/* --------------------------------------------------------- client streams */

/** Set tor's stream end reason <b>reason</b> on <b>span</b>:
 * stream.end_reason (the controller's name) and stream.end_reason.remote
 * (the exit sent it). Return the name. */
static const char *
set_stream_end_reason(hotspan_span *span, int reason)
{
  const char *name = stream_end_reason_to_control_string(reason);
  hotspan_attribute attrs[2];
  attrs[0] = hotspan_attr_string("stream.end_reason", name);
  attrs[1] = hotspan_attr_bool("stream.end_reason.remote",
                               (reason & END_STREAM_REASON_FLAG_REMOTE) != 0);
  hotspan_span_set_attributes(span, attrs, 2);
  return name;
}

/** A BEGIN (or BEGIN_DIR) cell of <b>conn</b> was sent on <b>circ</b>: start
 * its create-stream span in the circuit's trace. A span still in progress
 * belongs to an earlier attempt on another circuit: it ends in error. */
void
hotspan_tp_tor_circuit_stream_begin(const origin_circuit_t *circ,
                                    entry_connection_t *conn)
{
  const hotspan_circ_state_t *cst = TO_CIRCUIT(circ)->hotspan_state;
  edge_connection_t *edge = ENTRY_TO_EDGE_CONN(conn);
  hotspan_stream_state_t *st = edge->hotspan_state;
  hotspan_tracer *tracer = tor_trace_hotspan_tracer();
  hotspan_attribute attrs[4];
  size_t n = 0;

  if (!tracer)
    return;
  if (!st) {
    st = tor_malloc_zero(sizeof(*st));
    edge->hotspan_state = st;
  }
  if (st->active) {
    hotspan_span_set_status(&st->span, HOTSPAN_STATUS_CODE_ERROR,
                            "stream detached before it connected",
                            NUL_TERM);
    hotspan_span_end(&st->span);
    st->active = 0;
  }
  /* A circuit without state (made before tracing started) gives a root. */
  hotspan_span_start_with_parent(tracer, &st->span, "create-stream", NUL_TERM,
                                 HOTSPAN_KIND_CLIENT,
                                 cst ? &cst->root : NULL);
  st->active = 1;
  if (!hotspan_span_is_recording(&st->span))
    return;
  attrs[n++] = hotspan_attr_int("stream.id", edge->stream_id);
  if (conn->socks_request)
    attrs[n++] = hotspan_attr_int("stream.target_port",
                                  conn->socks_request->port);
  attrs[n++] = hotspan_attr_bool("stream.begin_dir", conn->use_begindir);
  attrs[n++] = hotspan_attr_int("circuit.id", circ->global_identifier);
  hotspan_span_set_attributes(&st->span, attrs, n);
}

/** The exit's CONNECTED for <b>conn</b> was accepted: the stream is open. */
void
hotspan_tp_tor_circuit_stream_connected(const origin_circuit_t *circ,
                                        entry_connection_t *conn)
{
  hotspan_stream_state_t *st = ENTRY_TO_EDGE_CONN(conn)->hotspan_state;
  (void) circ;

  if (!st || !st->active)
    return;
  end_ok(&st->span);
  st->active = 0;
}

/** The stream of <b>conn</b> ended before it connected, for
 * <b>reason</b>: an END cell from the exit (tor may retry on another
 * circuit), or tor's timeout before a retry. */
void
hotspan_tp_tor_circuit_stream_end(entry_connection_t *conn, int reason)
{
  hotspan_stream_state_t *st = ENTRY_TO_EDGE_CONN(conn)->hotspan_state;

  if (!st || !st->active)
    return;
  end_with_error(&st->span, "stream ended before it connected",
                 set_stream_end_reason(&st->span, reason));
  st->active = 0;
}

/** An edge connection is freed: end its span if still in progress (closed
 * before it connected: the connection's end reason; none when tor exits)
 * and release the state. */
void
hotspan_tp_tor_circuit_stream_free(edge_connection_t *conn)
{
  hotspan_stream_state_t *st = conn->hotspan_state;

  if (!st)
    return;
  if (st->active) {
    if (conn->end_reason) {
      end_with_error(&st->span, "stream closed before it connected",
                     set_stream_end_reason(&st->span, conn->end_reason));
    } else {
      hotspan_span_set_status(&st->span, HOTSPAN_STATUS_CODE_CANCELLED,
                              "stream freed (tor exiting)", NUL_TERM);
      hotspan_span_end(&st->span);
    }
  }
  tor_free(st);
  conn->hotspan_state = NULL;
}

/* ---------------------------------------------------------- OR circuits */

/** A circuit created by a CREATE cell from another tor: give it its state,
 * with the instant its relay-circuit span will start from. */
void
hotspan_tp_tor_circuit_new_or(or_circuit_t *circ)
{
  hotspan_circ_state_t *st;

  if (!tor_trace_hotspan_tracer())
    return;
  st = tor_malloc_zero(sizeof(*st));
  st->created = hotspan_now();
  TO_CIRCUIT(circ)->hotspan_state = st;
}

/** Start a circuit's relay-circuit span into <b>span</b>, moved back to
 * <b>created</b> (its new_or), with <b>parent</b> (NULL: a root) and how
 * the parent was chosen (tor.trace_context). */
static void
start_relay_circuit(hotspan_tracer *tracer, hotspan_span *span,
                    const hotspan_span_context *parent,
                    hotspan_timestamp created, const char *outcome)
{
  hotspan_span_start_with_parent(tracer, span, "relay-circuit", NUL_TERM,
                                 HOTSPAN_KIND_SERVER, parent);
  hotspan_span_set_start_time(span, created);
  hotspan_span_set_string(span, "tor.trace_context", NUL_TERM, outcome,
                          NUL_TERM);
}

/** Main thread: start the relay-circuit span of <b>circ</b> here, as the
 * root of its own trace, moved back to new_or, unless it is started already
 * or a cpuworker will start it (its job is queued or running: the reply
 * brings the span). For a circuit that never reaches a cpuworker: called
 * when a CREATE_FAST circuit opens, and when a circuit is marked for close
 * or freed (a circuit closed while its onion skin waited in tor's queue).
 * Events before then (the change to ONIONSKIN_PENDING right after new_or)
 * have no span to go to. */
static void
relay_circuit_start_here(const circuit_t *circ, hotspan_circ_state_t *st)
{
  hotspan_tracer *tracer;

  if (st->span_active || CONST_TO_OR_CIRCUIT(circ)->workqueue_entry)
    return;
  tracer = tor_trace_hotspan_tracer();
  if (!tracer)
    return;
  start_relay_circuit(tracer, &st->span, NULL, st->created, "none");
  st->span_active = 1;
}

/** The job buffer holds the backend's data. */
CTASSERT(sizeof(hotspan_onion_job_t) <= 96);

/** A CREATE's onion skin is queued for a cpuworker thread: put in the job
 * what the worker needs to record the circuit's spans. */
void
hotspan_tp_tor_circuit_onion_skin_queued(const or_circuit_t *circ,
                                         uint8_t *context)
{
  const hotspan_circ_state_t *st = circ->base_.hotspan_state;
  hotspan_onion_job_t job;

  memset(&job, 0, sizeof(job));
  if (st && !st->span_active) {
    job.created = st->created;
    job.traced = 1;
    job.join_client_trace = get_options()->HotspanTraceContext != 0;
  }
  memcpy(context, &job, sizeof(job));
}

/** The tracer, from onion_skin_start to onion_skin_done of this cpuworker
 * thread's job (one job at a time per thread), while it records one. */
static __thread hotspan_tracer *onion_skin_tracer = NULL;
/** When that job's handshake started. */
static __thread hotspan_timestamp onion_skin_started;

/** On a cpuworker thread: the handshake of a job starts. */
void
hotspan_tp_tor_circuit_onion_skin_start(const uint8_t *context,
                                        int handshake_type)
{
  hotspan_onion_job_t job;
  hotspan_span_context unused;
  (void) handshake_type;

  /* Forget any context a handshake outside a job left on this thread. */
  (void) hotspan_ntor3_take_received_context(&unused);
  memcpy(&job, context, sizeof(job));
  if (!job.traced)
    return;
  onion_skin_tracer = tor_trace_hotspan_worker_enter();
  onion_skin_started = hotspan_now();
}

/** The relay-circuit's tor.trace_context: how its parent was chosen. */
static const char *
trace_context_outcome(hotspan_ntor3_received_t received, int join)
{
  switch (received) {
    case HOTSPAN_NTOR3_CONTEXT: return join ? "joined" : "not joined";
    case HOTSPAN_NTOR3_MALFORMED: return "malformed";
    case HOTSPAN_NTOR3_NO_CONTEXT:
    default: return "none";
  }
}

/** On a cpuworker thread: the handshake of the job is done. Start the
 * circuit's relay-circuit span (the client's context, read from the
 * handshake, as parent when allowed), record the onion-skin span under it,
 * both moved back to when they began, and hand relay-circuit to the main
 * thread in the job. */
void
hotspan_tp_tor_circuit_onion_skin_done(uint8_t *context, int handshake_type,
                                       int success)
{
  hotspan_tracer *tracer = onion_skin_tracer;
  hotspan_onion_job_t job;
  hotspan_span_context client, relay_circuit;
  hotspan_span onion_skin;
  hotspan_ntor3_received_t received;
  int joined;

  if (!tracer)
    return;
  onion_skin_tracer = NULL;
  memcpy(&job, context, sizeof(job));
  received = hotspan_ntor3_take_received_context(&client);
  joined = job.join_client_trace && received == HOTSPAN_NTOR3_CONTEXT;

  start_relay_circuit(tracer, &job.relay_circuit, joined ? &client : NULL,
                      job.created,
                      trace_context_outcome(received, job.join_client_trace));
  hotspan_span_get_context(&job.relay_circuit, &relay_circuit);

  hotspan_span_start_with_parent(tracer, &onion_skin, "onion-skin", NUL_TERM,
                                 HOTSPAN_KIND_INTERNAL, &relay_circuit);
  hotspan_span_set_start_time(&onion_skin, onion_skin_started);
  hotspan_span_set_string(&onion_skin, "tor.handshake", NUL_TERM,
                          handshake_name((uint16_t) handshake_type), NUL_TERM);
  if (success) {
    hotspan_span_set_status(&onion_skin, HOTSPAN_STATUS_CODE_OK, NULL, 0);
  } else {
    hotspan_span_set_status(&onion_skin, HOTSPAN_STATUS_CODE_ERROR,
                            "onion skin handshake failed", NUL_TERM);
  }
  hotspan_span_end(&onion_skin);

  memcpy(context, &job, sizeof(job));
  tor_trace_hotspan_worker_leave();
}

/** Main thread: a cpuworker's answer came back for <b>circ</b> (NULL when
 * the circuit was freed meanwhile): its relay-circuit span, started by the
 * worker, is the circuit's span from now on. */
void
hotspan_tp_tor_circuit_onion_skin_answered(or_circuit_t *circ,
                                           uint8_t *context)
{
  hotspan_circ_state_t *st = circ ? circ->base_.hotspan_state : NULL;
  hotspan_onion_job_t job;

  memcpy(&job, context, sizeof(job));
  if (!st || st->span_active) {
    /* Freed while the worker ran (or, not expected, a span already). */
    hotspan_span_set_status(&job.relay_circuit, HOTSPAN_STATUS_CODE_ERROR,
                            "circuit freed before its onion skin was "
                            "answered", NUL_TERM);
    hotspan_span_end(&job.relay_circuit);
    return;
  }
  st->span = job.relay_circuit;
  st->span_active = 1;
}

/** A cell was appended to the queue of <b>circ</b> in direction
 * <b>exitward</b>, which now holds <b>queue_len</b> cells: every
 * HotspanRelayCellSpans-th one starts a relay-cell span, unless one is in
 * flight in that direction. */
void
hotspan_tp_tor_circuit_cell_queued(const circuit_t *circ, int queue_len,
                                   int exitward)
{
  hotspan_circ_state_t *st = circ->hotspan_state;
  hotspan_cell_sample_t *sample;
  hotspan_tracer *tracer;
  hotspan_span_context parent;
  hotspan_attribute attrs[2];
  int every;

  if (!st || CIRCUIT_IS_ORIGIN(circ) || !st->span_active)
    return;
  sample = &st->cells[exitward ? 1 : 0];
  ++sample->queued;
  every = get_options()->HotspanRelayCellSpans;
  if (sample->active || every <= 0 || sample->queued % (uint64_t) every != 0)
    return;
  if (!hotspan_span_is_recording(&st->span) ||
      (tracer = tor_trace_hotspan_tracer()) == NULL)
    return;
  hotspan_span_get_context(&st->span, &parent);
  hotspan_span_start_with_parent(tracer, &sample->span, "relay-cell",
                                 NUL_TERM, HOTSPAN_KIND_INTERNAL, &parent);
  attrs[0] = hotspan_attr_string("cell.direction",
                                 exitward ? "exitward" : "clientward");
  attrs[1] = hotspan_attr_int("circuit.queue.cells", queue_len);
  hotspan_span_set_attributes(&sample->span, attrs, 2);
  sample->ahead = queue_len;
  sample->active = 1;
}

/** A cell left the queue of <b>circ</b> in direction <b>exitward</b> for
 * its channel: the sampled one, when its turn has come. */
void
hotspan_tp_tor_circuit_cell_flushed(const circuit_t *circ, int exitward)
{
  hotspan_circ_state_t *st = circ->hotspan_state;
  hotspan_cell_sample_t *sample;

  if (!st || CIRCUIT_IS_ORIGIN(circ))
    return;
  sample = &st->cells[exitward ? 1 : 0];
  if (!sample->active || --sample->ahead > 0)
    return;
  end_ok(&sample->span);
  sample->active = 0;
}

/** End the relay-cell spans of <b>st</b> still in flight: the circuit is
 * freed and its queues with it. */
static void
end_cell_samples(hotspan_circ_state_t *st)
{
  for (int i = 0; i < 2; ++i) {
    if (!st->cells[i].active)
      continue;
    hotspan_span_set_status(&st->cells[i].span, HOTSPAN_STATUS_CODE_CANCELLED,
                            "circuit freed before the cell was sent",
                            NUL_TERM);
    hotspan_span_end(&st->cells[i].span);
    st->cells[i].active = 0;
  }
}

/* ------------------------------------------------------------ both kinds */

/** The circuit changes state. An origin circuit that leaves OPEN is being
 * extended again: an extend-circuit span covers that. */
void
hotspan_tp_tor_circuit_change_state(const circuit_t *circ, int old_state,
                                    int new_state)
{
  hotspan_circ_state_t *st = circ->hotspan_state;
  hotspan_tracer *tracer;
  hotspan_span *target;
  hotspan_attribute attrs[2];

  if (!st)
    return;
  /* A CREATE_FAST is answered on the main thread: the circuit opens. */
  if (!CIRCUIT_IS_ORIGIN(circ) && new_state == CIRCUIT_STATE_OPEN)
    relay_circuit_start_here(circ, st);
  if (CIRCUIT_IS_ORIGIN(circ) && !st->span_active && !st->extend_active &&
      old_state == CIRCUIT_STATE_OPEN && new_state != CIRCUIT_STATE_OPEN &&
      (tracer = tor_trace_hotspan_tracer()) != NULL) {
    start_extend(CONST_TO_ORIGIN_CIRCUIT(circ), st, tracer);
    set_purpose(&st->extend, circ);
  }
  target = event_span(st);
  if (!target)
    return;
  attrs[0] = hotspan_attr_string("circuit.state.from", state_name(old_state));
  attrs[1] = hotspan_attr_string("circuit.state.to", state_name(new_state));
  hotspan_span_add_event(target, "change-state", NUL_TERM, attrs, 2);
}

/** The circuit changes purpose. */
void
hotspan_tp_tor_circuit_change_purpose(const circuit_t *circ, int old_purpose,
                                      int new_purpose)
{
  hotspan_circ_state_t *st = circ->hotspan_state;
  hotspan_span *target = st ? event_span(st) : NULL;
  hotspan_attribute attrs[2];

  if (!target)
    return;
  attrs[0] = hotspan_attr_string("circuit.purpose.from",
               circuit_purpose_to_controller_string((uint8_t) old_purpose));
  attrs[1] = hotspan_attr_string("circuit.purpose.to",
               circuit_purpose_to_controller_string((uint8_t) new_purpose));
  hotspan_span_add_event(target, "change-purpose", NUL_TERM, attrs, 2);
}

/** The circuit is marked for close. An origin circuit still building ends
 * its spans in error with tor's reason; a relay-circuit span records the
 * reason and ends when the circuit is freed. */
void
hotspan_tp_tor_circuit_mark_for_close(const circuit_t *circ)
{
  hotspan_circ_state_t *st = circ->hotspan_state;
  const char *reason;

  if (!st)
    return;
  if (!CIRCUIT_IS_ORIGIN(circ)) {
    relay_circuit_start_here(circ, st);
    if (st->span_active) {
      set_close_reason(&st->span, circ);
      hotspan_span_add_event(&st->span, "mark-for-close", NUL_TERM, NULL, 0);
    }
    return;
  }
  if (st->select_active) {
    reason = set_close_reason(&st->select, circ);
    end_with_error(&st->select, "circuit closed while choosing its path",
                   reason);
    st->select_active = 0;
  }
  if (st->hop_active) {
    reason = set_close_reason(&st->hop, circ);
    end_with_error(&st->hop, "circuit closed before the hop opened", reason);
    st->hop_active = 0;
  }
  if (st->extend_active) {
    set_purpose(&st->extend, circ);
    reason = set_close_reason(&st->extend, circ);
    end_with_error(&st->extend, "circuit closed before it opened", reason);
    st->extend_active = 0;
  }
  if (st->span_active) {
    set_purpose(&st->span, circ);
    reason = set_close_reason(&st->span, circ);
    end_with_error(&st->span, "circuit closed before it opened", reason);
    st->span_active = 0;
  }
}

/** The circuit is freed: end what is still open (at exit, tor frees its
 * circuits without marking them) and release the state. */
void
hotspan_tp_tor_circuit_free(circuit_t *circ)
{
  hotspan_circ_state_t *st = circ->hotspan_state;

  if (!st)
    return;
  if (CIRCUIT_IS_ORIGIN(circ)) {
    if (st->select_active)
      end_cancelled(&st->select);
    if (st->hop_active)
      end_cancelled(&st->hop);
    if (st->extend_active) {
      set_purpose(&st->extend, circ);
      end_cancelled(&st->extend);
    }
    if (st->span_active) {
      set_purpose(&st->span, circ);
      end_cancelled(&st->span);
    }
  } else {
    /* With its onion skin still on a cpuworker, the reply ends the span. */
    end_cell_samples(st);
    relay_circuit_start_here(circ, st);
    if (st->span_active) {
      set_purpose(&st->span, circ);
      hotspan_span_end(&st->span);
    }
  }
  tor_free(st);
  circ->hotspan_state = NULL;
}
