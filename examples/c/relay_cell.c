/* hotspan example — a relay written in C, traced with the C API.
 *
 * The main thread plays the network reader: for each incoming cell it joins
 * the trace of the previous hop (a W3C traceparent carried with the cell),
 * starts a server span and hands the cell, span included, to a pool of worker
 * threads. A worker makes the cell's span its current parent (a scope),
 * records decrypt and forward steps as child spans, writes the traceparent for
 * the next hop, and ends the cell's span. Some cells fail (a reset connection,
 * a bad digest) and are recorded as errors.
 *
 *   relay_cell [--out FILE] [--format binary|jsonl|otlp_json|chrome_json]
 *              [--cells N] [--threads N]
 * The environment (OTEL_SERVICE_NAME, OTEL_TRACES_SAMPLER, HOTSPAN_FILE, ...)
 * is read first; the command line wins. Exits 0 when every sampled span is
 * accounted for (exported or counted as dropped). */
#define _POSIX_C_SOURCE 200809L

#include <hotspan/hotspan.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QUEUE_SIZE 64

typedef struct cell {
  uint32_t circ_id;
  uint32_t seq;
  hotspan_span span; /* handed from the reader to a worker, which ends it */
} cell;

typedef struct cell_queue {
  cell cells[QUEUE_SIZE];
  size_t head, count;
  int closed;
  pthread_mutex_t mutex;
  pthread_cond_t changed;
} cell_queue;

static hotspan_tracer* g_tracer;
static cell_queue g_queue = {.mutex = PTHREAD_MUTEX_INITIALIZER,
                             .changed = PTHREAD_COND_INITIALIZER};

static void queue_push(const cell* c) {
  pthread_mutex_lock(&g_queue.mutex);
  while (g_queue.count == QUEUE_SIZE)
    pthread_cond_wait(&g_queue.changed, &g_queue.mutex);
  g_queue.cells[(g_queue.head + g_queue.count) % QUEUE_SIZE] = *c; /* the span moves with it */
  ++g_queue.count;
  pthread_cond_broadcast(&g_queue.changed);
  pthread_mutex_unlock(&g_queue.mutex);
}

/* 0 when the queue is closed and empty. */
static int queue_pop(cell* out) {
  int got = 0;
  pthread_mutex_lock(&g_queue.mutex);
  while (g_queue.count == 0 && !g_queue.closed)
    pthread_cond_wait(&g_queue.changed, &g_queue.mutex);
  if (g_queue.count > 0) {
    *out = g_queue.cells[g_queue.head];
    g_queue.head = (g_queue.head + 1) % QUEUE_SIZE;
    --g_queue.count;
    got = 1;
    pthread_cond_broadcast(&g_queue.changed);
  }
  pthread_mutex_unlock(&g_queue.mutex);
  return got;
}

static void queue_close(void) {
  pthread_mutex_lock(&g_queue.mutex);
  g_queue.closed = 1;
  pthread_cond_broadcast(&g_queue.changed);
  pthread_mutex_unlock(&g_queue.mutex);
}

/* Pretend work: a checksum over the cell payload. */
static uint32_t digest(uint32_t seed) {
  uint32_t h = seed * 2654435761u;
  int i;
  for (i = 0; i < 200; ++i)
    h = (h ^ (h >> 13)) * 1274126177u;
  return h;
}

static void process_cell(cell* c) {
  hotspan_scope scope;
  hotspan_span decrypt, forward;
  hotspan_span_context forward_ctx;
  char next_hop[HOTSPAN_TRACEPARENT_SIZE];

  memset(&scope, 0, sizeof scope);
  hotspan_scope_push(&scope, &c->span); /* children below default to the cell's span */

  hotspan_span_start(g_tracer, &decrypt, "relay.decrypt", HOTSPAN_NUL_TERMINATED,
                     HOTSPAN_KIND_INTERNAL);
  hotspan_span_set_int(&decrypt, "relay.layer", HOTSPAN_NUL_TERMINATED, 1);
  if (digest(c->seq) % 29 == 0) {
    hotspan_span_record_error(&decrypt, "relay digest mismatch", HOTSPAN_NUL_TERMINATED);
    hotspan_span_set_status(&c->span, HOTSPAN_STATUS_CODE_ERROR, "cell dropped",
                            HOTSPAN_NUL_TERMINATED);
    hotspan_span_end(&decrypt);
    hotspan_scope_pop(&scope);
    hotspan_span_end(&c->span);
    return;
  }
  hotspan_span_end(&decrypt);

  hotspan_span_start(g_tracer, &forward, "relay.forward", HOTSPAN_NUL_TERMINATED,
                     HOTSPAN_KIND_CLIENT);
  hotspan_span_get_context(&forward, &forward_ctx);
  /* The next hop joins this trace: the header travels with the cell. */
  if (hotspan_traceparent_inject(&forward_ctx, next_hop, sizeof next_hop) == HOTSPAN_OK) {
    hotspan_span_set_string(&forward, "relay.next_hop.traceparent", HOTSPAN_NUL_TERMINATED,
                            next_hop, HOTSPAN_NUL_TERMINATED);
  }
  {
    hotspan_attribute queued[2];
    queued[0] = hotspan_attr_int("queue.depth", (int64_t)(c->seq % 7));
    queued[1] = hotspan_attr_string("queue.name", "outbuf");
    hotspan_span_add_event(&forward, "cell.queued", HOTSPAN_NUL_TERMINATED, queued, 2);
  }
  if (c->seq % 41 == 40) {
    hotspan_span_record_errno(&forward, ECONNRESET);
  } else {
    hotspan_span_set_status(&forward, HOTSPAN_STATUS_CODE_OK, NULL, 0);
  }
  hotspan_span_end(&forward);

  hotspan_scope_pop(&scope);
  hotspan_span_end(&c->span);
}

static void* worker_main(void* arg) {
  cell c;
  (void)arg;
  while (queue_pop(&c))
    process_cell(&c);
  return NULL;
}

/* The previous hop's traceparent for a circuit (a real relay reads it from the cell). */
static void upstream_traceparent(uint32_t circ_id, char* out, size_t size) {
  snprintf(out, size, "00-%08x%08x%08x%08x-%08x%08x-01", 0x5eed0000u + circ_id, digest(circ_id),
           digest(circ_id + 1), digest(circ_id + 2), 0x0a0b0000u + circ_id, digest(circ_id + 3));
}

int main(int argc, char** argv) {
  hotspan_options options;
  hotspan_status status;
  hotspan_stats stats;
  long cells = 2000, threads = 4;
  pthread_t workers[16];
  long i;
  int ok;

  hotspan_options_init(&options);
  options.service_name = "relay_cell";
  hotspan_options_from_env(&options); /* OTEL_* and HOTSPAN_* override the defaults */
  for (i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--out") == 0) {
      options.exporters |= HOTSPAN_EXPORT_FILE;
      options.file_path = argv[i + 1];
    } else if (strcmp(argv[i], "--format") == 0) {
      hotspan_format_from_name(argv[i + 1], &options.file_format); /* unknown: left as it was */
    } else if (strcmp(argv[i], "--cells") == 0) {
      cells = strtol(argv[i + 1], NULL, 10);
    } else if (strcmp(argv[i], "--threads") == 0) {
      threads = strtol(argv[i + 1], NULL, 10);
    } else {
      break;
    }
  }
  if (i < argc || cells < 0 || threads < 1 || threads > 16) {
    fprintf(stderr,
            "usage: relay_cell [--out FILE] [--format binary|jsonl|otlp_json|chrome_json] "
            "[--cells N] [--threads 1..16]\n");
    return 2;
  }
  status = hotspan_tracer_create(&options, &g_tracer);
  if (status != HOTSPAN_OK) {
    fprintf(stderr, "relay_cell: %s: %s\n", hotspan_status_string(status), hotspan_last_error());
    return 1;
  }

  for (i = 0; i < threads; ++i)
    pthread_create(&workers[i], NULL, worker_main, NULL);
  for (i = 0; i < cells; ++i) {
    cell c;
    char header[HOTSPAN_TRACEPARENT_SIZE];
    hotspan_span_context upstream;
    c.circ_id = (uint32_t)(i % 5) + 1;
    c.seq = (uint32_t)i;
    upstream_traceparent(c.circ_id, header, sizeof header);
    /* A malformed header starts a new trace: the parent is then invalid. */
    hotspan_traceparent_extract(header, HOTSPAN_NUL_TERMINATED, &upstream);
    hotspan_span_start_with_parent(g_tracer, &c.span, "relay.cell", HOTSPAN_NUL_TERMINATED,
                                   HOTSPAN_KIND_SERVER, &upstream);
    hotspan_span_set_int(&c.span, "relay.circ_id", HOTSPAN_NUL_TERMINATED, c.circ_id);
    hotspan_span_set_string(&c.span, "relay.command", HOTSPAN_NUL_TERMINATED,
                            i % 10 == 0 ? "RELAY_BEGIN" : "RELAY_DATA", HOTSPAN_NUL_TERMINATED);
    hotspan_span_set_bool(&c.span, "relay.early", HOTSPAN_NUL_TERMINATED, i % 3 == 0);
    hotspan_span_set_double(&c.span, "relay.window", HOTSPAN_NUL_TERMINATED, 1000.0 / (i + 1));
    queue_push(&c); /* the worker ends the span */
  }
  queue_close();
  for (i = 0; i < threads; ++i)
    pthread_join(workers[i], NULL);

  status = hotspan_tracer_flush(g_tracer, 10000);
  hotspan_tracer_stats(g_tracer, &stats);
  hotspan_tracer_destroy(g_tracer);
  printf("relay_cell: %ld cells, spans started %llu, sampled %llu, exported %llu, dropped %llu\n",
         cells, (unsigned long long)stats.spans_started, (unsigned long long)stats.spans_sampled,
         (unsigned long long)stats.spans_exported,
         (unsigned long long)(stats.dropped_pool_exhausted + stats.dropped_queue_full +
                              stats.dropped_export_failed));
  ok = status == HOTSPAN_OK &&
       stats.spans_sampled == stats.spans_exported + stats.dropped_pool_exhausted +
                                  stats.dropped_queue_full + stats.dropped_export_failed;
  return ok ? 0 : 1;
}
