/* hotspan — the C API: a plain C99 interface to the tracer, for relays written
 * in C. It is a thin layer over the C++ library (same engine, same hot path,
 * same guarantees); no C++ exception ever crosses it.
 *
 *   #include <hotspan/hotspan.h>
 *   Link: CMake `hotspan::hotspan`, or `pkg-config --cflags --libs --static hotspan`.
 *   The library is C++: linking the static library from C needs the C++
 *   runtime, which the CMake target and the .pc file (Libs.private) add.
 *
 * ERRORS. Every function that can fail returns a hotspan_status: HOTSPAN_OK (0)
 * or a negative error code. hotspan_status_string() names a code, and
 * hotspan_last_error() describes the last failure on the calling thread (e.g.
 * which option is out of range). Sampling decisions and drops are not errors:
 * an unsampled span is started with HOTSPAN_OK and simply does not record.
 *
 * STRINGS are (pointer, length) pairs and are copied before the call returns:
 * they need not outlive it. A length of HOTSPAN_NUL_TERMINATED means "up to the
 * NUL". A NULL pointer is accepted only with length 0. Strings longer than the
 * tracer's max_string_bytes are truncated (and counted), never rejected.
 *
 * HANDLES AND OWNERSHIP.
 *  - hotspan_tracer* is opaque: created by hotspan_tracer_create(), freed by
 *    hotspan_tracer_destroy() (which shuts it down first). Every other tracer
 *    function may be called from any thread at the same time; destroy must be
 *    the last call, made once.
 *  - hotspan_span is a caller-owned struct of fixed size (no allocation per
 *    span): declare it on the stack or inside your own objects, start it with
 *    hotspan_span_start*() and end it with hotspan_span_end(). A span that is
 *    started must be ended, or its slot is lost to the thread's pool (the C
 *    struct has no destructor). One thread at a time uses a span; it may be
 *    handed to another thread (copy the struct and stop using the original) and
 *    ended there. Never end two copies of one started span. Ending is idempotent
 *    on the same struct. A zero-initialised span (HOTSPAN_SPAN_INIT) is inert:
 *    every span function accepts it and does nothing. A span may outlive its
 *    tracer: ending it then is safe (counted as dropped).
 *  - hotspan_scope is a caller-owned struct too, initialised with
 *    HOTSPAN_SCOPE_INIT (or zeroed): hotspan_scope_push() makes a span the
 *    calling thread's current parent, hotspan_scope_pop() restores the previous
 *    one. Scopes must be popped on the thread that pushed them, in reverse order
 *    of pushing.
 *  - hotspan_span_context is a plain value (26 bytes): copy it freely, send it to
 *    other threads, write it as a W3C traceparent for other processes.
 *
 * COST. hotspan_span_start, _set_* and _end do what the C++ Span does, plus one
 * function call and argument checks: no lock, no allocation, no system call
 * besides the clock reads of a sampled span. */
#ifndef HOTSPAN_HOTSPAN_H
#define HOTSPAN_HOTSPAN_H

#include <stddef.h>
#include <stdint.h>

#include "hotspan/export.h"
#include "hotspan/version.h"

#ifdef __cplusplus
#define HOTSPAN_NOEXCEPT noexcept
extern "C" {
#else
#define HOTSPAN_NOEXCEPT
#endif

/* ------------------------------------------------------------------ errors */

typedef enum hotspan_status {
  HOTSPAN_OK = 0,
  HOTSPAN_ERR_NULL_ARGUMENT = -1,    /* a required pointer was NULL */
  HOTSPAN_ERR_INVALID_ARGUMENT = -2, /* out-of-range option or enum, bad length, wrong state */
  HOTSPAN_ERR_PARSE = -3,            /* malformed input text (e.g. a traceparent) */
  HOTSPAN_ERR_BUFFER_TOO_SMALL = -4, /* the output buffer cannot hold the result */
  HOTSPAN_ERR_IO = -5,               /* a file could not be opened */
  HOTSPAN_ERR_NO_MEMORY = -6,
  HOTSPAN_ERR_FLUSH_FAILED = -7, /* flush timed out, or the exporter failed */
  HOTSPAN_ERR_SHUT_DOWN = -8,    /* the tracer has been shut down */
  HOTSPAN_ERR_INTERNAL = -9      /* an unexpected failure: see hotspan_last_error() */
} hotspan_status;

/* A static, human-readable name of a status ("invalid argument", ...). */
HOTSPAN_API const char* hotspan_status_string(hotspan_status status) HOTSPAN_NOEXCEPT;
/* What the last failing call on this thread reported, or "" when none failed.
 * Valid until the next failing call on this thread. */
HOTSPAN_API const char* hotspan_last_error(void) HOTSPAN_NOEXCEPT;

/* The version of the library linked (HOTSPAN_VERSION is that of the header). */
HOTSPAN_API int hotspan_version(void) HOTSPAN_NOEXCEPT;
HOTSPAN_API const char* hotspan_version_string(void) HOTSPAN_NOEXCEPT;

/* ---------------------------------------------------------------- options */

typedef enum hotspan_sampler_kind {
  HOTSPAN_SAMPLER_ALWAYS_ON = 0,
  HOTSPAN_SAMPLER_ALWAYS_OFF = 1,
  HOTSPAN_SAMPLER_RATIO = 2,       /* sampler_arg: probability in [0, 1], by trace id */
  HOTSPAN_SAMPLER_RATE_LIMITED = 3 /* sampler_arg: spans per second (token bucket) */
} hotspan_sampler_kind;

typedef enum hotspan_format {
  HOTSPAN_FORMAT_BINARY = 0, /* docs/FORMAT.md */
  HOTSPAN_FORMAT_JSONL = 1,
  HOTSPAN_FORMAT_OTLP_JSON = 2,
  HOTSPAN_FORMAT_CHROME_JSON = 3
} hotspan_format;

/* The canonical name of a format ("binary", "jsonl", "otlp_json",
 * "chrome_json": hotspan::format_name()), a static string; NULL for a value
 * that is no format. */
HOTSPAN_API const char* hotspan_format_name(hotspan_format format) HOTSPAN_NOEXCEPT;
/* The format named `name` (its canonical name, or that name with '-' for each
 * '_', case-sensitive) in *format: HOTSPAN_OK, HOTSPAN_ERR_PARSE for any other
 * name (*format untouched), HOTSPAN_ERR_NULL_ARGUMENT for a NULL argument. */
HOTSPAN_API hotspan_status hotspan_format_from_name(const char* name,
                                                    hotspan_format* format) HOTSPAN_NOEXCEPT;

/* Bits of hotspan_options.exporters; 0 discards every span. */
#define HOTSPAN_EXPORT_FILE 1u   /* file_path, in file_format */
#define HOTSPAN_EXPORT_STDOUT 2u /* one line per span on stdout (stdout_pretty) */
#define HOTSPAN_EXPORT_OTLP 4u   /* OTLP/HTTP (built with libcurl; otherwise warns, ignored) */

/* What the exporter thread redacts before any exporter sees a span
 * (C++: hotspan/redaction.hpp). */
#define HOTSPAN_REDACTION_NONE 0 /* nothing */
#define HOTSPAN_REDACTION_RELAY \
  1 /* RedactionPolicy::relay_default(): address keys and values hashed */

typedef struct hotspan_options {
  /* service.name; NULL: the service.name of resource_attributes, else "unknown_service". */
  const char* service_name;
  /* Extra resource attributes, "key=value,key2=value2" with percent-encoded
   * values: the syntax of OTEL_RESOURCE_ATTRIBUTES. NULL: none. */
  const char* resource_attributes;

  unsigned exporters; /* HOTSPAN_EXPORT_* bits */
  const char* file_path;
  hotspan_format file_format;
  /* Permission bits of a file_path that is created, at most 0777 (the umask
   * applies); 0: the default, 0600 (trace files hold peer addresses). */
  unsigned file_mode;
  /* 1: append to an existing file_path (HOTSPAN_FORMAT_JSONL and
   * HOTSPAN_FORMAT_OTLP_JSON only); 0: truncate it. A symbolic link at
   * file_path is refused, and so is a FIFO with no reader (HOTSPAN_ERR_IO). */
  int file_append;
  int stdout_pretty;                /* 1: human-readable lines; 0: JSON Lines */
  const char* otlp_endpoint;        /* base URL ("/v1/traces" appended); NULL: default */
  const char* otlp_traces_endpoint; /* full traces URL, used as is; NULL: from otlp_endpoint */

  hotspan_sampler_kind sampler;
  double sampler_arg;
  int sampler_parent_based; /* 1: a valid parent's decision wins, the sampler decides roots */

  size_t slots_per_thread; /* spans in flight per thread: 1 .. 130944 */
  size_t queue_capacity;   /* spans queued for export, all threads: 1 .. 2^32 */
  size_t slot_bytes;       /* inline bytes per span: 256 .. 65536 */
  size_t max_attributes_per_span;
  size_t max_events_per_span;
  size_t max_string_bytes; /* 1 .. 65535 */
  size_t export_batch_size;
  uint32_t idle_sleep_us;       /* exporter thread's sleep when idle */
  uint32_t shutdown_timeout_ms; /* how long shutdown waits for the exporter thread */
  /* HOTSPAN_REDACTION_*: hotspan_options_init() sets NONE,
   * hotspan_options_from_env() RELAY unless HOTSPAN_REDACTION=off. */
  int redaction;
  /* Rotation and retention of file_path (C++: FileOptions), 0 = off; with any
   * set, files STEM.SEQUENCE.TIME.EXT are written next to file_path
   * ("relay.000001.20261207T051900Z.bin") and file_append must be 0. */
  uint64_t file_rotate_bytes;       /* a new file before one would grow past this */
  uint64_t file_rotate_interval_ms; /* a new file with the first batch after this long */
  uint32_t file_max_files;          /* the oldest files deleted beyond this many */
  uint64_t file_max_total_bytes;    /* the oldest files deleted beyond this many bytes */
  /* Tail-based sampling (hotspan/tail_sampling.hpp); off while tail_sampling
   * is 0. hotspan_options_init() sets it off, keep errors, baseline 0, no
   * rules, a 30000 ms decision wait and a 64 MiB budget;
   * hotspan_options_from_env() reads the HOTSPAN_TAIL_* variables. */
  int tail_sampling;
  int tail_keep_errors;        /* 1: a trace with an error span is kept */
  double tail_baseline;        /* share of the other traces kept, by trace id: 0 .. 1 */
  const char* tail_slow_roots; /* "name=ms,..." (glob names); NULL: none */
  /* "key=value,..." (glob keys, percent-encoded values; an empty value matches
   * any); NULL: none */
  const char* tail_keep_attributes;
  uint32_t tail_decision_wait_ms; /* at least 1 */
  size_t tail_max_buffered_bytes; /* at least 65536 */
  /* Flight recorder (C++: hotspan/flight_recorder.hpp): bytes of the most
   * recent spans kept in memory for hotspan_tracer_dump_recent() and
   * hotspan_tracer_request_dump(); 0: off. Otherwise at least 65536 and
   * 16 x slot_bytes. */
  size_t recorder_bytes;
  /* Where hotspan_tracer_request_dump() writes: "<path>.<UTC time>.<pid>.<n>".
   * NULL: "hotspan-recorder.hsp" (in the working directory). */
  const char* recorder_dump_path;
} hotspan_options;

/* Fills every field with the defaults of the C++ TracerOptions: no exporter,
 * parent-based always-on sampling, the default sizes. */
HOTSPAN_API hotspan_status hotspan_options_init(hotspan_options* options) HOTSPAN_NOEXCEPT;

/* Overrides the fields that the environment sets: OTEL_SERVICE_NAME,
 * OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER(_ARG), OTEL_TRACES_EXPORTER,
 * OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, HOTSPAN_FILE, HOTSPAN_FORMAT,
 * HOTSPAN_FILE_MODE, HOTSPAN_FILE_APPEND, HOTSPAN_RECORDER_BYTES, HOTSPAN_RECORDER_DUMP_PATH
 * and the HOTSPAN_* sizes (docs/GUIDE.md lists them).
 * Invalid values print one warning line on stderr and leave the field as it was. The string fields
 * it sets point into the environment (getenv): they stay valid while those variables are not
 * changed. Not thread-safe against concurrent setenv(). */
HOTSPAN_API hotspan_status hotspan_options_from_env(hotspan_options* options) HOTSPAN_NOEXCEPT;

/* ----------------------------------------------------------------- tracer */

typedef struct hotspan_tracer hotspan_tracer;

/* Creates a tracer and its exporter thread. *out is NULL on failure:
 * HOTSPAN_ERR_INVALID_ARGUMENT (an option out of range, a malformed
 * resource_attributes, with HOTSPAN_EXPORT_OTLP an otlp_endpoint or
 * otlp_traces_endpoint that is not an http:// or https:// URL, an unknown
 * enum), HOTSPAN_ERR_IO (file_path cannot be opened), HOTSPAN_ERR_NO_MEMORY. */
HOTSPAN_API hotspan_status hotspan_tracer_create(const hotspan_options* options,
                                                 hotspan_tracer** out) HOTSPAN_NOEXCEPT;
/* Shuts down (flushes, joins the exporter thread) and frees. NULL is a no-op. */
HOTSPAN_API void hotspan_tracer_destroy(hotspan_tracer* tracer) HOTSPAN_NOEXCEPT;
/* Waits until every span ended before the call is written and the sink flushed.
 * HOTSPAN_ERR_FLUSH_FAILED on timeout or exporter failure,
 * HOTSPAN_ERR_SHUT_DOWN after shutdown. */
HOTSPAN_API hotspan_status hotspan_tracer_flush(hotspan_tracer* tracer,
                                                uint32_t timeout_ms) HOTSPAN_NOEXCEPT;
/* Flight recorder (hotspan_options.recorder_bytes). Waits (up to 5 s) until
 * the spans ended before the call are recorded, then writes the recorder's
 * spans to `path` as one binary trace file (created 0600; a symbolic link is
 * refused). The recorder keeps them. HOTSPAN_ERR_INVALID_ARGUMENT when the
 * recorder is off, HOTSPAN_ERR_SHUT_DOWN after shutdown, HOTSPAN_ERR_IO when
 * the file cannot be written or the exporter thread did not get to it in
 * time: hotspan_last_error() says which. */
HOTSPAN_API hotspan_status hotspan_tracer_dump_recent(hotspan_tracer* tracer,
                                                      const char* path) HOTSPAN_NOEXCEPT;
/* Async-signal-safe (call it from a signal handler): asks the exporter thread
 * to write the recorder's spans to the next file named after
 * recorder_dump_path, within idle_sleep_us. No-op when the recorder is off,
 * after shutdown or for NULL. Counted in hotspan_stats.recorder_dumps. */
HOTSPAN_API void hotspan_tracer_request_dump(hotspan_tracer* tracer) HOTSPAN_NOEXCEPT;
/* Idempotent: drains, flushes and stops the exporter. Later spans are inert. */
HOTSPAN_API hotspan_status hotspan_tracer_shutdown(hotspan_tracer* tracer) HOTSPAN_NOEXCEPT;

typedef struct hotspan_stats { /* monotonically increasing counters */
  uint64_t spans_started;
  uint64_t spans_sampled;
  uint64_t spans_exported;
  uint64_t dropped_pool_exhausted;
  uint64_t dropped_queue_full;
  uint64_t dropped_export_failed;
  uint64_t attributes_dropped;
  uint64_t events_dropped;
  uint64_t strings_truncated;
  uint64_t bytes_written;
  uint64_t values_redacted; /* attributes, names and messages redacted */
  uint64_t files_rotated;   /* trace files a file exporter finished and replaced by a new one */
  uint64_t files_deleted;   /* trace files removed by retention limits */
  uint64_t spans_discarded_by_tail_sampling;
  uint64_t traces_kept_by_tail_sampling;
  uint64_t traces_discarded_by_tail_sampling;
  uint64_t traces_decided_early;   /* before their local root ended */
  uint64_t recorder_dumps;         /* flight-recorder files written */
  uint64_t recorder_dump_failures; /* flight-recorder files that could not be written */
  uint64_t recorder_spans_evicted; /* spans that left the recorder's ring (not losses) */
} hotspan_stats;
/* Once flushed: spans_sampled == spans_exported + dropped_pool_exhausted
 *                               + dropped_queue_full + dropped_export_failed
 *                               + spans_discarded_by_tail_sampling */
HOTSPAN_API hotspan_status hotspan_tracer_stats(const hotspan_tracer* tracer,
                                                hotspan_stats* out) HOTSPAN_NOEXCEPT;

/* ------------------------------------------------------------ span context */

typedef struct hotspan_span_context {
  uint8_t trace_id[16];
  uint8_t span_id[8];  /* big-endian: span_id[0] is the first byte of the hex form */
  uint8_t trace_flags; /* bit 0: sampled */
  uint8_t is_remote;   /* 1 when it came from another process (traceparent) */
} hotspan_span_context;

/* 1 when both ids are non-zero. */
HOTSPAN_API int hotspan_span_context_is_valid(const hotspan_span_context* context) HOTSPAN_NOEXCEPT;
HOTSPAN_API int hotspan_span_context_is_sampled(const hotspan_span_context* context)
    HOTSPAN_NOEXCEPT;

/* Bytes needed for a traceparent ("00-<32 hex>-<16 hex>-<2 hex>") and its NUL. */
#define HOTSPAN_TRACEPARENT_SIZE 56
/* Writes the W3C traceparent (version 00, with only the sampled and
 * random-trace-id flags) of a valid context and a NUL into buffer.
 * HOTSPAN_ERR_INVALID_ARGUMENT for an invalid context (send no header then),
 * HOTSPAN_ERR_BUFFER_TOO_SMALL below HOTSPAN_TRACEPARENT_SIZE bytes. */
HOTSPAN_API hotspan_status hotspan_traceparent_inject(const hotspan_span_context* context,
                                                      char* buffer,
                                                      size_t buffer_size) HOTSPAN_NOEXCEPT;
/* Parse as W3C Trace Context Level 2 asks (parse_traceparent() in C++): version
 * 00 is exactly 55 characters, a later version (01..fe) is read for version
 * 00's fields; lowercase hex, non-zero ids, no surrounding whitespace; the
 * result has is_remote = 1. HOTSPAN_ERR_PARSE (and an invalid *out) when
 * malformed, and for version ff. */
HOTSPAN_API hotspan_status hotspan_traceparent_extract(const char* text, size_t text_len,
                                                       hotspan_span_context* out) HOTSPAN_NOEXCEPT;
/* The binary context (write_binary_context() in C++), for a cell or frame
 * header: version 0 (1 byte), trace id (16), span id (8, big-endian), flags (1). */
#define HOTSPAN_BINARY_CONTEXT_SIZE 26
/* Writes the 26 bytes of a context into buffer; an invalid context is written
 * as 26 zeros, which the receiver reads as "no parent".
 * HOTSPAN_ERR_BUFFER_TOO_SMALL below HOTSPAN_BINARY_CONTEXT_SIZE bytes. */
HOTSPAN_API hotspan_status hotspan_binary_context_write(const hotspan_span_context* context,
                                                        uint8_t* buffer,
                                                        size_t buffer_size) HOTSPAN_NOEXCEPT;
/* Strict parse: exactly HOTSPAN_BINARY_CONTEXT_SIZE bytes (pass the field, not
 * the whole cell), version 0, non-zero ids; the result has is_remote = 1.
 * HOTSPAN_ERR_PARSE (and an invalid *out) otherwise, 26 zeros included. */
HOTSPAN_API hotspan_status hotspan_binary_context_parse(const uint8_t* data, size_t size,
                                                        hotspan_span_context* out) HOTSPAN_NOEXCEPT;
/* Lowercase hex ids with a NUL: 33 and 17 bytes. */
#define HOTSPAN_TRACE_ID_HEX_SIZE 33
#define HOTSPAN_SPAN_ID_HEX_SIZE 17
HOTSPAN_API hotspan_status hotspan_trace_id_to_hex(const hotspan_span_context* context,
                                                   char* buffer,
                                                   size_t buffer_size) HOTSPAN_NOEXCEPT;
HOTSPAN_API hotspan_status hotspan_span_id_to_hex(const hotspan_span_context* context, char* buffer,
                                                  size_t buffer_size) HOTSPAN_NOEXCEPT;

/* The calling thread's current parent: the innermost pushed scope, or an
 * invalid context. */
HOTSPAN_API hotspan_status hotspan_current_context(hotspan_span_context* out) HOTSPAN_NOEXCEPT;

/* ------------------------------------------------------------------- spans */

typedef enum hotspan_span_kind {
  HOTSPAN_KIND_INTERNAL = 0,
  HOTSPAN_KIND_SERVER = 1,
  HOTSPAN_KIND_CLIENT = 2,
  HOTSPAN_KIND_PRODUCER = 3,
  HOTSPAN_KIND_CONSUMER = 4
} hotspan_span_kind;

typedef enum hotspan_status_code {
  HOTSPAN_STATUS_CODE_UNSET = 0,
  HOTSPAN_STATUS_CODE_OK = 1,
  HOTSPAN_STATUS_CODE_ERROR = 2,
  HOTSPAN_STATUS_CODE_CANCELLED = 3
} hotspan_status_code;

#define HOTSPAN_NUL_TERMINATED ((size_t)-1)

#define HOTSPAN_SPAN_SIZE 64
typedef struct hotspan_span {
  union {
    unsigned char bytes[HOTSPAN_SPAN_SIZE];
    uint64_t align_u64;
    void* align_pointer;
    double align_double;
  } opaque;
} hotspan_span;
/* An inert span: `hotspan_span span = HOTSPAN_SPAN_INIT;` */
/* clang-format off */
#define HOTSPAN_SPAN_INIT {{{0}}}
/* clang-format on */

/* Starts a span whose parent is the thread's current context (a new trace when
 * there is none). *span is overwritten: end a span before reusing its struct.
 * On error *span is inert (ending it is still fine). */
HOTSPAN_API hotspan_status hotspan_span_start(hotspan_tracer* tracer, hotspan_span* span,
                                              const char* name, size_t name_len,
                                              hotspan_span_kind kind) HOTSPAN_NOEXCEPT;
/* Explicit parent: a local span's context, or a remote one from
 * hotspan_traceparent_extract(). NULL or an invalid parent starts a new trace. */
HOTSPAN_API hotspan_status hotspan_span_start_with_parent(
    hotspan_tracer* tracer, hotspan_span* span, const char* name, size_t name_len,
    hotspan_span_kind kind, const hotspan_span_context* parent) HOTSPAN_NOEXCEPT;

/* 0 for unsampled, dropped, ended and inert spans (every call on them is cheap
 * and does nothing). */
HOTSPAN_API int hotspan_span_is_recording(const hotspan_span* span) HOTSPAN_NOEXCEPT;
/* Valid even when unsampled: ids still propagate. */
HOTSPAN_API hotspan_status hotspan_span_get_context(const hotspan_span* span,
                                                    hotspan_span_context* out) HOTSPAN_NOEXCEPT;

HOTSPAN_API hotspan_status hotspan_span_set_bool(hotspan_span* span, const char* key,
                                                 size_t key_len, int value) HOTSPAN_NOEXCEPT;
HOTSPAN_API hotspan_status hotspan_span_set_int(hotspan_span* span, const char* key, size_t key_len,
                                                int64_t value) HOTSPAN_NOEXCEPT;
HOTSPAN_API hotspan_status hotspan_span_set_double(hotspan_span* span, const char* key,
                                                   size_t key_len, double value) HOTSPAN_NOEXCEPT;
HOTSPAN_API hotspan_status hotspan_span_set_string(hotspan_span* span, const char* key,
                                                   size_t key_len, const char* value,
                                                   size_t value_len) HOTSPAN_NOEXCEPT;

typedef enum hotspan_value_type {
  HOTSPAN_VALUE_BOOL = 0,
  HOTSPAN_VALUE_INT = 1,
  HOTSPAN_VALUE_DOUBLE = 2,
  HOTSPAN_VALUE_STRING = 3
} hotspan_value_type;

/* One attribute for hotspan_span_set_attributes() and hotspan_span_add_event().
 * The hotspan_attr_*() functions below build one from a NUL-terminated key. */
typedef struct hotspan_attribute {
  const char* key;
  size_t key_len;
  hotspan_value_type type;
  union {
    int boolean;
    int64_t integer;
    double floating;
    struct {
      const char* data;
      size_t len;
    } string;
  } value;
} hotspan_attribute;

/* All attributes are checked first: on an error nothing is recorded. */
HOTSPAN_API hotspan_status hotspan_span_set_attributes(hotspan_span* span,
                                                       const hotspan_attribute* attributes,
                                                       size_t count) HOTSPAN_NOEXCEPT;
/* Most attributes one event can carry in one call. */
#define HOTSPAN_MAX_EVENT_ATTRIBUTES 64
/* A timestamped event; attributes may be NULL when count is 0. */
HOTSPAN_API hotspan_status hotspan_span_add_event(hotspan_span* span, const char* name,
                                                  size_t name_len,
                                                  const hotspan_attribute* attributes,
                                                  size_t count) HOTSPAN_NOEXCEPT;

/* An "exception" event (exception.type "error", exception.message) and status
 * error with the message as description. */
HOTSPAN_API hotspan_status hotspan_span_record_error(hotspan_span* span, const char* message,
                                                     size_t message_len) HOTSPAN_NOEXCEPT;
/* The same for an errno value: exception.type "generic", exception.code, and the
 * strerror() text as message and description (rendered on the exporter thread). */
HOTSPAN_API hotspan_status hotspan_span_record_errno(hotspan_span* span,
                                                     int errnum) HOTSPAN_NOEXCEPT;
HOTSPAN_API hotspan_status hotspan_span_set_status(hotspan_span* span, hotspan_status_code code,
                                                   const char* description,
                                                   size_t description_len) HOTSPAN_NOEXCEPT;

/* An instant of the span clock (TSC ticks or CLOCK_MONOTONIC nanoseconds):
 * opaque, meaningful only within this process, for hotspan_span_set_start_time(). */
typedef uint64_t hotspan_timestamp;
/* The span clock now: one clock read (no system call with the TSC). */
HOTSPAN_API hotspan_timestamp hotspan_now(void) HOTSPAN_NOEXCEPT;
/* Moves the span's start back to `start`, an earlier hotspan_now(): for a span
 * whose parent is known only after its work began (a context decrypted from the
 * request it answers), started late and given the instant the work began.
 * HOTSPAN_ERR_INVALID_ARGUMENT, and nothing changes, when `start` is later than
 * the span's start; HOTSPAN_OK otherwise (an inert span ignores it). */
HOTSPAN_API hotspan_status hotspan_span_set_start_time(hotspan_span* span,
                                                       hotspan_timestamp start) HOTSPAN_NOEXCEPT;

/* Takes the end time and hands the span to the exporter thread (never blocks).
 * Idempotent; the struct is inert afterwards. */
HOTSPAN_API hotspan_status hotspan_span_end(hotspan_span* span) HOTSPAN_NOEXCEPT;

/* ------------------------------------------------------------------ scopes */

#define HOTSPAN_SCOPE_SIZE 48
typedef struct hotspan_scope {
  union {
    unsigned char bytes[HOTSPAN_SCOPE_SIZE];
    uint64_t align_u64;
    void* align_pointer;
  } opaque;
} hotspan_scope;
/* A scope that is not pushed: `hotspan_scope scope = HOTSPAN_SCOPE_INIT;`.
 * Initialise a scope (this, or zero it) before its first push. */
/* clang-format off */
#define HOTSPAN_SCOPE_INIT {{{0}}}
/* clang-format on */

/* Makes the span (or context) the current parent of spans started on this
 * thread with hotspan_span_start(), until hotspan_scope_pop(scope). The scope
 * must be initialised or popped. HOTSPAN_ERR_INVALID_ARGUMENT when this scope
 * struct is already pushed. */
HOTSPAN_API hotspan_status hotspan_scope_push(hotspan_scope* scope,
                                              const hotspan_span* span) HOTSPAN_NOEXCEPT;
HOTSPAN_API hotspan_status hotspan_scope_push_context(
    hotspan_scope* scope, const hotspan_span_context* context) HOTSPAN_NOEXCEPT;
/* Restores the parent saved by the push. HOTSPAN_ERR_INVALID_ARGUMENT when the
 * scope is not pushed (never pushed, or popped already). */
HOTSPAN_API hotspan_status hotspan_scope_pop(hotspan_scope* scope) HOTSPAN_NOEXCEPT;

/* ------------------------------------------------------ attribute builders */

static inline hotspan_attribute hotspan_attr_bool(const char* key, int value) {
  hotspan_attribute a;
  a.key = key;
  a.key_len = HOTSPAN_NUL_TERMINATED;
  a.type = HOTSPAN_VALUE_BOOL;
  a.value.boolean = value;
  return a;
}

static inline hotspan_attribute hotspan_attr_int(const char* key, int64_t value) {
  hotspan_attribute a;
  a.key = key;
  a.key_len = HOTSPAN_NUL_TERMINATED;
  a.type = HOTSPAN_VALUE_INT;
  a.value.integer = value;
  return a;
}

static inline hotspan_attribute hotspan_attr_double(const char* key, double value) {
  hotspan_attribute a;
  a.key = key;
  a.key_len = HOTSPAN_NUL_TERMINATED;
  a.type = HOTSPAN_VALUE_DOUBLE;
  a.value.floating = value;
  return a;
}

/* value is NUL-terminated. */
static inline hotspan_attribute hotspan_attr_string(const char* key, const char* value) {
  hotspan_attribute a;
  a.key = key;
  a.key_len = HOTSPAN_NUL_TERMINATED;
  a.type = HOTSPAN_VALUE_STRING;
  a.value.string.data = value;
  a.value.string.len = HOTSPAN_NUL_TERMINATED;
  return a;
}

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* HOTSPAN_HOTSPAN_H */
