/* hotspan tracing backend for tor: the process's tracer. */

/**
 * \file trace_hotspan.c
 * \brief The one hotspan tracer of the tor process, created on the first
 *        traced event and shut down with the tracing subsystem.
 *
 * The tracer is created lazily, by the first probe that needs it, rather
 * than when the tracing subsystem initializes: the subsystems initialize
 * before tor parses its options and before RunAsDaemon forks, and a tracer
 * inherited through fork() is inert in the child (its exporter thread stays
 * in the parent). The first circuit event comes from the main loop, after
 * the fork. With Sandbox 1, tor's main() makes it earlier, after the fork
 * and before the seccomp filter is installed (see the README's "Sandbox"):
 * the filter would refuse to open the trace file, and it does not apply to
 * the exporter thread started before it.
 *
 * Configuration comes from the environment only (hotspan_options_from_env:
 * HOTSPAN_FILE, HOTSPAN_FORMAT, OTEL_SERVICE_NAME, OTEL_TRACES_SAMPLER, ...).
 * Without an exporter (no HOTSPAN_FILE, no OTEL_TRACES_EXPORTER) no tracer
 * is created and every probe returns at once.
 *
 * tor_trace_hotspan_free_all() runs from tor_trace_free_all(), when the
 * tracing subsystem shuts down: tor_free_all() has freed every circuit by
 * then, so every span has ended, and the shutdown writes them all and closes
 * the trace file with its end frame.
 *
 * Every probe runs on tor's main thread; so do these functions.
 **/

#include "orconfig.h"

#include "lib/log/log.h"
#include "lib/trace/hotspan/trace_hotspan.h"

#include <hotspan/hotspan.h>

#include <inttypes.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

/** The tracer, or NULL when tracing is off or not started yet. */
static hotspan_tracer *hotspan_tracer_ptr = NULL;
/** True once the tracer has been created or found unwanted: it is never
 * created twice, nor again after the shutdown. */
static int hotspan_tracer_decided = 0;
/** The process that created the tracer: a forked child must not shut down
 * its parent's tracer. */
static pid_t hotspan_tracer_pid = 0;

/** Worker threads (tor's cpuworkers) between tor_trace_hotspan_worker_enter
 * and _leave: they hold the tracer. */
static atomic_int hotspan_workers_in = 0;
/** Set when the tracer shuts down: workers no longer enter. */
static atomic_int hotspan_closing = 0;

/** On a thread other than the main one: return the tracer, to record a
 * span until tor_trace_hotspan_worker_leave(), or NULL (tracing off or
 * shutting down: record nothing and do not call _leave). The tracer was
 * decided on the main thread before the work was handed over. */
struct hotspan_tracer *
tor_trace_hotspan_worker_enter(void)
{
  atomic_fetch_add(&hotspan_workers_in, 1);
  if (atomic_load(&hotspan_closing) || !hotspan_tracer_ptr) {
    atomic_fetch_sub(&hotspan_workers_in, 1);
    return NULL;
  }
  return hotspan_tracer_ptr;
}

/** The end of tor_trace_hotspan_worker_enter()'s use of the tracer. */
void
tor_trace_hotspan_worker_leave(void)
{
  atomic_fetch_sub(&hotspan_workers_in, 1);
}

/** Return the process's tracer, creating it on the first call; NULL when
 * tracing is off (no exporter configured) or the tracer cannot be made. */
struct hotspan_tracer *
tor_trace_hotspan_tracer(void)
{
  hotspan_options options;
  hotspan_status status;

  if (hotspan_tracer_decided)
    return hotspan_tracer_ptr;
  hotspan_tracer_decided = 1;

  hotspan_options_init(&options);
  options.service_name = "tor";
  hotspan_options_from_env(&options);
  if (options.exporters == 0) {
    log_notice(LD_GENERAL, "hotspan tracing is built in but has no "
               "exporter (set HOTSPAN_FILE): circuits are not traced.");
    return NULL;
  }

  status = hotspan_tracer_create(&options, &hotspan_tracer_ptr);
  if (status != HOTSPAN_OK) {
    log_warn(LD_GENERAL, "Cannot start hotspan tracing: %s: %s",
             hotspan_status_string(status), hotspan_last_error());
    hotspan_tracer_ptr = NULL;
    return NULL;
  }
  hotspan_tracer_pid = getpid();
  if (options.exporters & HOTSPAN_EXPORT_FILE) {
    log_notice(LD_GENERAL, "hotspan tracing: circuits are traced to %s, "
               "as service %s.", options.file_path,
               options.service_name ? options.service_name : "tor");
  } else {
    log_notice(LD_GENERAL, "hotspan tracing: circuits are traced, as "
               "service %s.",
               options.service_name ? options.service_name : "tor");
  }
  return hotspan_tracer_ptr;
}

/** Write every ended span, close the exporter and free the tracer. */
void
tor_trace_hotspan_free_all(void)
{
  hotspan_stats stats;
  hotspan_tracer *tracer;
  struct timespec start, now;

  /* tor does not stop its cpuworker threads at exit: let a span in
   * progress there end (a handshake takes well under a millisecond), and
   * keep the others from starting. The 2 s limit is measured rather than
   * counted in sleeps: under Sandbox 1, usleep() fails at once (glibc sleeps
   * with clock_nanosleep, which tor's seccomp filter refuses). */
  atomic_store(&hotspan_closing, 1);
  clock_gettime(CLOCK_MONOTONIC, &start);
  while (atomic_load(&hotspan_workers_in) > 0) {
    clock_gettime(CLOCK_MONOTONIC, &now);
    if ((now.tv_sec - start.tv_sec) * 1000 +
        (now.tv_nsec - start.tv_nsec) / 1000000 >= 2000)
      break;
    usleep(1000);
  }
  tracer = hotspan_tracer_ptr;
  if (atomic_load(&hotspan_workers_in) > 0) {
    log_warn(LD_GENERAL, "hotspan tracing: a worker thread still records "
             "a span; the tracer is left as it is.");
    return;
  }
  hotspan_tracer_ptr = NULL;
  hotspan_tracer_decided = 1;
  if (!tracer || hotspan_tracer_pid != getpid())
    return;

  hotspan_tracer_shutdown(tracer);
  if (hotspan_tracer_stats(tracer, &stats) == HOTSPAN_OK) {
    /* The accounting in full, so that a reader of the log can check that
     * every sampled span is written or counted: sampled = exported + drops
     * + discarded by tail sampling (HOTSPAN_TAIL_SAMPLING). */
    log_notice(LD_GENERAL, "hotspan tracing: %" PRIu64 " spans written, "
               "%" PRIu64 " dropped. Sampled %" PRIu64 " = exported %" PRIu64
               " + pool exhausted %" PRIu64 " + queue full %" PRIu64
               " + export failed %" PRIu64 " + discarded by tail sampling %"
               PRIu64 ".", stats.spans_exported,
               stats.dropped_pool_exhausted + stats.dropped_queue_full +
               stats.dropped_export_failed, stats.spans_sampled,
               stats.spans_exported, stats.dropped_pool_exhausted,
               stats.dropped_queue_full, stats.dropped_export_failed,
               stats.spans_discarded_by_tail_sampling);
  }
  hotspan_tracer_destroy(tracer);
}
