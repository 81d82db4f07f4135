/* hotspan — tests of the C API (include/hotspan/hotspan.h), compiled as C99.
 *
 * Every function of the header is called, with valid arguments (and the
 * exported JSON Lines read back) and with bad ones (NULL handles, bad enums,
 * bad lengths, malformed traceparents, out-of-range options), checking the
 * status codes. A tiny harness counts the checks and ends with the line
 * "N passed, M failed"; the exit status is 0 only when nothing failed. */
#define _POSIX_C_SOURCE 200809L

#include <hotspan/hotspan.h>

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int g_passed = 0;
static int g_failed = 0;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (cond) {                                                                \
      ++g_passed;                                                              \
    } else {                                                                   \
      ++g_failed;                                                              \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                          \
  } while (0)

#define CHECK_STATUS(expr, expected) CHECK((expr) == (expected))

static char g_dir[256];

static void path_in_dir(char* out, size_t size, const char* name) {
  snprintf(out, size, "%s/%s", g_dir, name);
}

/* The whole file, NUL-terminated (caller frees), or NULL. */
static char* read_file(const char* path) {
  FILE* f = fopen(path, "rb");
  char* data;
  long size;
  if (f == NULL) return NULL;
  fseek(f, 0, SEEK_END);
  size = ftell(f);
  fseek(f, 0, SEEK_SET);
  data = (char*)malloc((size_t)size + 1);
  if (data != NULL) {
    size_t n = fread(data, 1, (size_t)size, f);
    data[n] = '\0';
  }
  fclose(f);
  return data;
}

static int count_lines(const char* text) {
  int n = 0;
  for (; *text != '\0'; ++text)
    n += *text == '\n';
  return n;
}

/* The line of `text` containing `needle`, copied into out (empty if none). */
static void line_with(const char* text, const char* needle, char* out, size_t size) {
  const char* hit = strstr(text, needle);
  const char* begin;
  const char* end;
  size_t n;
  out[0] = '\0';
  if (hit == NULL) return;
  begin = hit;
  while (begin > text && begin[-1] != '\n')
    --begin;
  end = strchr(hit, '\n');
  if (end == NULL) end = hit + strlen(hit);
  n = (size_t)(end - begin) < size - 1 ? (size_t)(end - begin) : size - 1;
  memcpy(out, begin, n);
  out[n] = '\0';
}

static hotspan_tracer* jsonl_tracer(const char* file_name, hotspan_options* options) {
  static char path[512];
  hotspan_tracer* tracer = NULL;
  path_in_dir(path, sizeof path, file_name);
  options->exporters = HOTSPAN_EXPORT_FILE;
  options->file_path = path;
  options->file_format = HOTSPAN_FORMAT_JSONL;
  CHECK_STATUS(hotspan_tracer_create(options, &tracer), HOTSPAN_OK);
  return tracer;
}

static void test_version_and_status_strings(void) {
  int s;
  CHECK(hotspan_version() == HOTSPAN_VERSION);
  CHECK(strcmp(hotspan_version_string(), HOTSPAN_VERSION_STRING) == 0);
  CHECK(HOTSPAN_VERSION == HOTSPAN_VERSION_ENCODE(HOTSPAN_VERSION_MAJOR, HOTSPAN_VERSION_MINOR,
                                                  HOTSPAN_VERSION_PATCH));
  for (s = HOTSPAN_ERR_INTERNAL; s <= HOTSPAN_OK; ++s) {
    CHECK(strcmp(hotspan_status_string((hotspan_status)s), "unknown status") != 0);
  }
  CHECK(strcmp(hotspan_status_string((hotspan_status)42), "unknown status") == 0);
  CHECK(strcmp(hotspan_status_string(HOTSPAN_ERR_PARSE), "malformed input") == 0);
}

static void test_options_and_creation_errors(void) {
  hotspan_options o;
  hotspan_tracer* tracer = (hotspan_tracer*)&o; /* must be reset to NULL on failure */

  CHECK_STATUS(hotspan_options_init(NULL), HOTSPAN_ERR_NULL_ARGUMENT);
  CHECK_STATUS(hotspan_options_init(&o), HOTSPAN_OK);
  CHECK(o.service_name == NULL && o.resource_attributes == NULL);
  CHECK(o.exporters == 0 && o.file_path == NULL);
  CHECK(o.sampler == HOTSPAN_SAMPLER_ALWAYS_ON && o.sampler_parent_based == 1);
  CHECK(o.slots_per_thread == 4096 && o.queue_capacity == 65536 && o.slot_bytes == 1024);
  CHECK(o.max_attributes_per_span == 32 && o.max_events_per_span == 16);
  CHECK(o.max_string_bytes == 256 && o.export_batch_size == 512);
  CHECK(o.idle_sleep_us == 2000 && o.shutdown_timeout_ms == 10000);

  CHECK_STATUS(hotspan_tracer_create(&o, NULL), HOTSPAN_ERR_NULL_ARGUMENT);
  CHECK_STATUS(hotspan_tracer_create(NULL, &tracer), HOTSPAN_ERR_NULL_ARGUMENT);
  CHECK(tracer == NULL);

  o.slot_bytes = 100;
  tracer = (hotspan_tracer*)&o;
  CHECK_STATUS(hotspan_tracer_create(&o, &tracer), HOTSPAN_ERR_INVALID_ARGUMENT);
  CHECK(tracer == NULL);
  CHECK(strstr(hotspan_last_error(), "slot_bytes") != NULL);
  hotspan_options_init(&o);
  o.slots_per_thread = 0;
  CHECK_STATUS(hotspan_tracer_create(&o, &tracer), HOTSPAN_ERR_INVALID_ARGUMENT);

  hotspan_options_init(&o);
  o.sampler = (hotspan_sampler_kind)9;
  CHECK_STATUS(hotspan_tracer_create(&o, &tracer), HOTSPAN_ERR_INVALID_ARGUMENT);
  hotspan_options_init(&o);
  o.sampler = HOTSPAN_SAMPLER_RATIO;
  o.sampler_arg = nan("");
  CHECK_STATUS(hotspan_tracer_create(&o, &tracer), HOTSPAN_ERR_INVALID_ARGUMENT);
  o.sampler = HOTSPAN_SAMPLER_RATE_LIMITED;
  o.sampler_arg = -1;
  CHECK_STATUS(hotspan_tracer_create(&o, &tracer), HOTSPAN_ERR_INVALID_ARGUMENT);

  hotspan_options_init(&o);
  o.exporters = HOTSPAN_EXPORT_FILE; /* no file_path */
  CHECK_STATUS(hotspan_tracer_create(&o, &tracer), HOTSPAN_ERR_INVALID_ARGUMENT);
  CHECK(strstr(hotspan_last_error(), "file_path") != NULL);
  o.exporters = 64u;
  CHECK_STATUS(hotspan_tracer_create(&o, &tracer), HOTSPAN_ERR_INVALID_ARGUMENT);
  o.exporters = HOTSPAN_EXPORT_FILE;
  o.file_path = "/nonexistent-directory/trace.jsonl";
  CHECK_STATUS(hotspan_tracer_create(&o, &tracer), HOTSPAN_ERR_IO);
  CHECK(strstr(hotspan_last_error(), "/nonexistent-directory/trace.jsonl") != NULL);
  o.file_format = (hotspan_format)7;
  CHECK_STATUS(hotspan_tracer_create(&o, &tracer), HOTSPAN_ERR_INVALID_ARGUMENT);

  hotspan_options_init(&o);
  o.resource_attributes = "region=eu,novalue";
  CHECK_STATUS(hotspan_tracer_create(&o, &tracer), HOTSPAN_ERR_INVALID_ARGUMENT);
  CHECK(strstr(hotspan_last_error(), "novalue") != NULL);
  o.resource_attributes = "bad=%zz";
  CHECK_STATUS(hotspan_tracer_create(&o, &tracer), HOTSPAN_ERR_INVALID_ARGUMENT);
  CHECK(tracer == NULL);

  hotspan_tracer_destroy(NULL); /* a no-op */
  CHECK(1);
}

static unsigned permission_bits(const char* path) {
  struct stat st;
  return lstat(path, &st) == 0 ? (unsigned)(st.st_mode & 07777) : 0u;
}

/* file_mode and file_append; a symbolic link at file_path is refused. */
static void test_file_options(void) {
  hotspan_options o;
  hotspan_tracer* tracer = NULL;
  char path[512], link_path[512];
  char* text;
  int run;
  const mode_t saved_umask = umask(022);

  path_in_dir(path, sizeof path, "options.jsonl");
  hotspan_options_init(&o);
  CHECK(o.file_mode == 0600 && o.file_append == 0);
  o.exporters = HOTSPAN_EXPORT_FILE;
  o.file_path = path;
  o.file_format = HOTSPAN_FORMAT_JSONL;
  o.file_append = 1;
  for (run = 0; run < 2; ++run) {
    hotspan_span span;
    CHECK_STATUS(hotspan_tracer_create(&o, &tracer), HOTSPAN_OK);
    hotspan_span_start(tracer, &span, "appended", HOTSPAN_NUL_TERMINATED, HOTSPAN_KIND_INTERNAL);
    hotspan_span_end(&span);
    hotspan_tracer_destroy(tracer);
  }
  text = read_file(path);
  CHECK(text != NULL && count_lines(text) == 2);
  free(text);
  CHECK(permission_bits(path) == 0600);
  unlink(path);

  o.file_mode = 0; /* a zeroed struct: the default */
  o.file_append = 0;
  CHECK_STATUS(hotspan_tracer_create(&o, &tracer), HOTSPAN_OK);
  hotspan_tracer_destroy(tracer);
  CHECK(permission_bits(path) == 0600);
  unlink(path);
  o.file_mode = 0640;
  CHECK_STATUS(hotspan_tracer_create(&o, &tracer), HOTSPAN_OK);
  hotspan_tracer_destroy(tracer);
  CHECK(permission_bits(path) == 0640);

  o.file_mode = 01777;
  CHECK_STATUS(hotspan_tracer_create(&o, &tracer), HOTSPAN_ERR_INVALID_ARGUMENT);
  CHECK(strstr(hotspan_last_error(), "file_mode") != NULL);
  o.file_mode = 0600;
  o.file_append = 1;
  o.file_format = HOTSPAN_FORMAT_BINARY; /* one stream per file: cannot append */
  CHECK_STATUS(hotspan_tracer_create(&o, &tracer), HOTSPAN_ERR_INVALID_ARGUMENT);

  path_in_dir(link_path, sizeof link_path, "link.jsonl");
  CHECK(symlink(path, link_path) == 0);
  o.file_path = link_path;
  o.file_format = HOTSPAN_FORMAT_JSONL;
  o.file_append = 0;
  CHECK_STATUS(hotspan_tracer_create(&o, &tracer), HOTSPAN_ERR_IO);
  CHECK(strstr(hotspan_last_error(), "symbolic link") != NULL);
  CHECK(tracer == NULL);
  umask(saved_umask);
}

/* Rotation and retention: a file per batch (file_rotate_bytes = 1), the
 * oldest deleted beyond file_max_files, both counted in hotspan_stats;
 * file_append with rotation is refused. */
static void test_file_rotation(void) {
  hotspan_options o;
  hotspan_tracer* tracer = NULL;
  hotspan_stats stats;
  char dir[512], path[512];
  int i, files = 0;
  DIR* listing;
  struct dirent* entry;

  path_in_dir(dir, sizeof dir, "rotated");
  CHECK(mkdir(dir, 0700) == 0);
  path_in_dir(path, sizeof path, "rotated/relay.jsonl");
  hotspan_options_init(&o);
  CHECK(o.file_rotate_bytes == 0 && o.file_rotate_interval_ms == 0);
  CHECK(o.file_max_files == 0 && o.file_max_total_bytes == 0);
  o.exporters = HOTSPAN_EXPORT_FILE;
  o.file_path = path;
  o.file_format = HOTSPAN_FORMAT_JSONL;
  o.file_rotate_bytes = 1;
  o.file_max_files = 2;
  CHECK_STATUS(hotspan_tracer_create(&o, &tracer), HOTSPAN_OK);
  for (i = 0; i < 3; ++i) {
    hotspan_span span;
    hotspan_span_start(tracer, &span, "rotated", HOTSPAN_NUL_TERMINATED, HOTSPAN_KIND_INTERNAL);
    hotspan_span_end(&span);
    CHECK_STATUS(hotspan_tracer_flush(tracer, 10000), HOTSPAN_OK);
  }
  CHECK_STATUS(hotspan_tracer_shutdown(tracer), HOTSPAN_OK);
  CHECK_STATUS(hotspan_tracer_stats(tracer, &stats), HOTSPAN_OK);
  CHECK(stats.files_rotated == 2 && stats.files_deleted == 1);
  CHECK(stats.spans_exported == 3);
  hotspan_tracer_destroy(tracer);
  listing = opendir(dir);
  CHECK(listing != NULL);
  while (listing != NULL && (entry = readdir(listing)) != NULL) {
    if (entry->d_name[0] == '.') continue;
    CHECK(strncmp(entry->d_name, "relay.00000", 11) == 0);
    ++files;
  }
  if (listing != NULL) closedir(listing);
  CHECK(files == 2);

  o.file_append = 1;
  tracer = NULL;
  CHECK_STATUS(hotspan_tracer_create(&o, &tracer), HOTSPAN_ERR_INVALID_ARGUMENT);
  CHECK(tracer == NULL);
  CHECK(strstr(hotspan_last_error(), "append") != NULL);
}

/* An OTLP endpoint that is not an http(s) URL is refused, as the C++
 * otlp_http_exporter() refuses it, rather than OTLP export silently left out. */
static void test_invalid_otlp_endpoints(void) {
  hotspan_options o;
  hotspan_tracer* tracer = NULL;

  hotspan_options_init(&o);
  o.exporters = HOTSPAN_EXPORT_OTLP;
  o.otlp_endpoint = "ftp://collector.example:4318";
  CHECK_STATUS(hotspan_tracer_create(&o, &tracer), HOTSPAN_ERR_INVALID_ARGUMENT);
  CHECK(tracer == NULL);
  CHECK(strstr(hotspan_last_error(), "otlp_endpoint") != NULL);
  CHECK(strstr(hotspan_last_error(), "ftp://collector.example:4318") != NULL);
  hotspan_tracer_destroy(tracer);

  o.otlp_endpoint = NULL;
  o.otlp_traces_endpoint = "collector.example:4318/v1/traces"; /* no scheme */
  CHECK_STATUS(hotspan_tracer_create(&o, &tracer), HOTSPAN_ERR_INVALID_ARGUMENT);
  CHECK(tracer == NULL);
  CHECK(strstr(hotspan_last_error(), "otlp_traces_endpoint") != NULL);
  hotspan_tracer_destroy(tracer);
  tracer = NULL;

  /* Without HOTSPAN_EXPORT_OTLP the endpoints are not used, so not checked. */
  o.exporters = 0;
  CHECK_STATUS(hotspan_tracer_create(&o, &tracer), HOTSPAN_OK);
  hotspan_tracer_destroy(tracer);
}

static void test_null_handles(void) {
  hotspan_span span = HOTSPAN_SPAN_INIT;
  hotspan_span_context ctx;
  hotspan_stats stats;
  hotspan_scope scope;
  hotspan_attribute attr = hotspan_attr_int("k", 1);
  char buffer[HOTSPAN_TRACEPARENT_SIZE];

  memset(&scope, 0, sizeof scope);
  memset(&ctx, 0, sizeof ctx);
  CHECK_STATUS(hotspan_tracer_flush(NULL, 10), HOTSPAN_ERR_NULL_ARGUMENT);
  CHECK_STATUS(hotspan_tracer_shutdown(NULL), HOTSPAN_ERR_NULL_ARGUMENT);
  CHECK_STATUS(hotspan_tracer_stats(NULL, &stats), HOTSPAN_ERR_NULL_ARGUMENT);
  CHECK_STATUS(hotspan_span_start(NULL, &span, "x", 1, HOTSPAN_KIND_INTERNAL),
               HOTSPAN_ERR_NULL_ARGUMENT);
  CHECK(!hotspan_span_is_recording(&span));
  CHECK_STATUS(hotspan_span_start_with_parent(NULL, &span, "x", 1, HOTSPAN_KIND_INTERNAL, NULL),
               HOTSPAN_ERR_NULL_ARGUMENT);
  CHECK(strstr(hotspan_last_error(), "tracer is NULL") != NULL);
  CHECK(hotspan_span_is_recording(NULL) == 0);
  CHECK_STATUS(hotspan_span_get_context(NULL, &ctx), HOTSPAN_ERR_NULL_ARGUMENT);
  CHECK_STATUS(hotspan_span_get_context(&span, NULL), HOTSPAN_ERR_NULL_ARGUMENT);
  CHECK_STATUS(hotspan_span_set_bool(NULL, "k", 1, 1), HOTSPAN_ERR_NULL_ARGUMENT);
  CHECK_STATUS(hotspan_span_set_int(NULL, "k", 1, 1), HOTSPAN_ERR_NULL_ARGUMENT);
  CHECK_STATUS(hotspan_span_set_double(NULL, "k", 1, 1.0), HOTSPAN_ERR_NULL_ARGUMENT);
  CHECK_STATUS(hotspan_span_set_string(NULL, "k", 1, "v", 1), HOTSPAN_ERR_NULL_ARGUMENT);
  CHECK_STATUS(hotspan_span_set_attributes(NULL, &attr, 1), HOTSPAN_ERR_NULL_ARGUMENT);
  CHECK_STATUS(hotspan_span_add_event(NULL, "e", 1, NULL, 0), HOTSPAN_ERR_NULL_ARGUMENT);
  CHECK_STATUS(hotspan_span_record_error(NULL, "m", 1), HOTSPAN_ERR_NULL_ARGUMENT);
  CHECK_STATUS(hotspan_span_record_errno(NULL, EIO), HOTSPAN_ERR_NULL_ARGUMENT);
  CHECK_STATUS(hotspan_span_set_status(NULL, HOTSPAN_STATUS_CODE_OK, NULL, 0),
               HOTSPAN_ERR_NULL_ARGUMENT);
  CHECK_STATUS(hotspan_span_end(NULL), HOTSPAN_ERR_NULL_ARGUMENT);
  CHECK_STATUS(hotspan_scope_push(NULL, &span), HOTSPAN_ERR_NULL_ARGUMENT);
  CHECK_STATUS(hotspan_scope_push(&scope, NULL), HOTSPAN_ERR_NULL_ARGUMENT);
  CHECK_STATUS(hotspan_scope_push_context(&scope, NULL), HOTSPAN_ERR_NULL_ARGUMENT);
  CHECK_STATUS(hotspan_scope_push_context(NULL, &ctx), HOTSPAN_ERR_NULL_ARGUMENT);
  CHECK_STATUS(hotspan_scope_pop(NULL), HOTSPAN_ERR_NULL_ARGUMENT);
  CHECK_STATUS(hotspan_current_context(NULL), HOTSPAN_ERR_NULL_ARGUMENT);
  CHECK_STATUS(hotspan_traceparent_inject(NULL, buffer, sizeof buffer), HOTSPAN_ERR_NULL_ARGUMENT);
  CHECK_STATUS(hotspan_traceparent_inject(&ctx, NULL, 0), HOTSPAN_ERR_NULL_ARGUMENT);
  CHECK_STATUS(hotspan_traceparent_extract("x", 1, NULL), HOTSPAN_ERR_NULL_ARGUMENT);
  CHECK_STATUS(hotspan_traceparent_extract(NULL, 55, &ctx), HOTSPAN_ERR_NULL_ARGUMENT);
  CHECK_STATUS(hotspan_trace_id_to_hex(NULL, buffer, sizeof buffer), HOTSPAN_ERR_NULL_ARGUMENT);
  CHECK_STATUS(hotspan_span_id_to_hex(&ctx, NULL, 17), HOTSPAN_ERR_NULL_ARGUMENT);
  CHECK_STATUS(hotspan_options_from_env(NULL), HOTSPAN_ERR_NULL_ARGUMENT);
  CHECK(hotspan_span_context_is_valid(NULL) == 0);
  CHECK(hotspan_span_context_is_sampled(NULL) == 0);
}

static void test_inert_span(void) {
  hotspan_span span = HOTSPAN_SPAN_INIT;
  hotspan_span_context ctx;
  hotspan_attribute attr = hotspan_attr_bool("b", 1);
  CHECK(!hotspan_span_is_recording(&span));
  CHECK_STATUS(hotspan_span_set_int(&span, "k", HOTSPAN_NUL_TERMINATED, 7), HOTSPAN_OK);
  CHECK_STATUS(hotspan_span_set_attributes(&span, &attr, 1), HOTSPAN_OK);
  CHECK_STATUS(hotspan_span_add_event(&span, "e", 1, &attr, 1), HOTSPAN_OK);
  CHECK_STATUS(hotspan_span_record_error(&span, "m", 1), HOTSPAN_OK);
  CHECK_STATUS(hotspan_span_get_context(&span, &ctx), HOTSPAN_OK);
  CHECK(!hotspan_span_context_is_valid(&ctx));
  CHECK_STATUS(hotspan_span_end(&span), HOTSPAN_OK);
  CHECK_STATUS(hotspan_span_end(&span), HOTSPAN_OK);
}

/* The binary context: a round trip keeps ids and flags and marks the result
 * remote; an invalid context writes zeros, which parse as no parent; wrong
 * sizes, versions and zero ids are refused. */
static void test_binary_context(void) {
  hotspan_span_context in, out, invalid;
  uint8_t field[HOTSPAN_BINARY_CONTEXT_SIZE + 1];
  uint8_t zeros[HOTSPAN_BINARY_CONTEXT_SIZE];
  size_t i;
  memset(&in, 0, sizeof in);
  memset(&invalid, 0, sizeof invalid);
  memset(zeros, 0, sizeof zeros);
  for (i = 0; i < 16; ++i)
    in.trace_id[i] = (uint8_t)(0xa0 + i);
  for (i = 0; i < 8; ++i)
    in.span_id[i] = (uint8_t)(0x10 + i);
  in.trace_flags = 0x03;
  CHECK_STATUS(hotspan_binary_context_write(&in, field, sizeof field), HOTSPAN_OK);
  CHECK(field[0] == 0 && field[1] == 0xa0 && field[17] == 0x10 && field[25] == 0x03);
  CHECK_STATUS(hotspan_binary_context_parse(field, HOTSPAN_BINARY_CONTEXT_SIZE, &out), HOTSPAN_OK);
  CHECK(memcmp(out.trace_id, in.trace_id, 16) == 0 && memcmp(out.span_id, in.span_id, 8) == 0);
  CHECK(out.trace_flags == 0x03 && out.is_remote == 1);
  /* The whole cell instead of the field, a cut field, a later version. */
  CHECK_STATUS(hotspan_binary_context_parse(field, sizeof field, &out), HOTSPAN_ERR_PARSE);
  CHECK(!hotspan_span_context_is_valid(&out));
  CHECK_STATUS(hotspan_binary_context_parse(field, 25, &out), HOTSPAN_ERR_PARSE);
  field[0] = 1;
  CHECK_STATUS(hotspan_binary_context_parse(field, HOTSPAN_BINARY_CONTEXT_SIZE, &out),
               HOTSPAN_ERR_PARSE);
  CHECK_STATUS(hotspan_binary_context_write(&invalid, field, sizeof field), HOTSPAN_OK);
  CHECK(memcmp(field, zeros, sizeof zeros) == 0);
  CHECK_STATUS(hotspan_binary_context_parse(field, HOTSPAN_BINARY_CONTEXT_SIZE, &out),
               HOTSPAN_ERR_PARSE);
  CHECK_STATUS(hotspan_binary_context_write(&in, field, 25), HOTSPAN_ERR_BUFFER_TOO_SMALL);
  CHECK_STATUS(hotspan_binary_context_write(NULL, field, sizeof field), HOTSPAN_ERR_NULL_ARGUMENT);
  CHECK_STATUS(hotspan_binary_context_parse(NULL, 26, &out), HOTSPAN_ERR_NULL_ARGUMENT);
  CHECK_STATUS(hotspan_binary_context_parse(field, 26, NULL), HOTSPAN_ERR_NULL_ARGUMENT);
}

/* hotspan_now() and hotspan_span_set_start_time(): a span started after a
 * 20 ms sleep, moved back to an instant taken before it, covers the sleep; a
 * later instant is refused. */
static void test_start_time(void) {
  hotspan_options options;
  hotspan_tracer* tracer;
  hotspan_span late = HOTSPAN_SPAN_INIT;
  hotspan_span inert = HOTSPAN_SPAN_INIT;
  hotspan_timestamp began;
  char path[512];
  char line[1024];
  char* text;
  const char* duration;
  const struct timespec pause = {0, 20 * 1000 * 1000};
  hotspan_options_init(&options);
  tracer = jsonl_tracer("start_time.jsonl", &options);
  if (tracer == NULL) return;
  began = hotspan_now();
  nanosleep(&pause, NULL);
  CHECK_STATUS(
      hotspan_span_start(tracer, &late, "late", HOTSPAN_NUL_TERMINATED, HOTSPAN_KIND_SERVER),
      HOTSPAN_OK);
  CHECK_STATUS(hotspan_span_set_start_time(&late, hotspan_now()), HOTSPAN_ERR_INVALID_ARGUMENT);
  CHECK(strstr(hotspan_last_error(), "later than the span's start") != NULL);
  CHECK_STATUS(hotspan_span_set_start_time(&late, began), HOTSPAN_OK);
  CHECK_STATUS(hotspan_span_set_start_time(NULL, began), HOTSPAN_ERR_NULL_ARGUMENT);
  CHECK_STATUS(hotspan_span_set_start_time(&inert, began), HOTSPAN_OK);
  CHECK_STATUS(hotspan_span_end(&late), HOTSPAN_OK);
  hotspan_tracer_destroy(tracer);
  path_in_dir(path, sizeof path, "start_time.jsonl");
  text = read_file(path);
  CHECK(text != NULL);
  if (text == NULL) return;
  line_with(text, "\"late\"", line, sizeof line);
  duration = strstr(line, "\"duration_ns\":");
  CHECK(duration != NULL);
  if (duration != NULL) CHECK(strtoull(duration + 14, NULL, 10) >= 20u * 1000u * 1000u);
  free(text);
}

static void test_traceparent(void) {
  const char* header = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  hotspan_span_context ctx;
  char buffer[HOTSPAN_TRACEPARENT_SIZE];
  char trace_hex[HOTSPAN_TRACE_ID_HEX_SIZE];
  char span_hex[HOTSPAN_SPAN_ID_HEX_SIZE];

  CHECK_STATUS(hotspan_traceparent_extract(header, strlen(header), &ctx), HOTSPAN_OK);
  CHECK(hotspan_span_context_is_valid(&ctx) && hotspan_span_context_is_sampled(&ctx));
  CHECK(ctx.is_remote == 1 && ctx.trace_flags == 1);
  CHECK(ctx.trace_id[0] == 0x4b && ctx.trace_id[15] == 0x36);
  CHECK(ctx.span_id[0] == 0x00 && ctx.span_id[1] == 0xf0 && ctx.span_id[7] == 0xb7);
  CHECK_STATUS(hotspan_traceparent_inject(&ctx, buffer, sizeof buffer), HOTSPAN_OK);
  CHECK(strcmp(buffer, header) == 0);
  CHECK_STATUS(hotspan_traceparent_inject(&ctx, buffer, HOTSPAN_TRACEPARENT_SIZE - 1),
               HOTSPAN_ERR_BUFFER_TOO_SMALL);
  CHECK_STATUS(hotspan_trace_id_to_hex(&ctx, trace_hex, sizeof trace_hex), HOTSPAN_OK);
  CHECK(strcmp(trace_hex, "4bf92f3577b34da6a3ce929d0e0e4736") == 0);
  CHECK_STATUS(hotspan_span_id_to_hex(&ctx, span_hex, sizeof span_hex), HOTSPAN_OK);
  CHECK(strcmp(span_hex, "00f067aa0ba902b7") == 0);
  CHECK_STATUS(hotspan_trace_id_to_hex(&ctx, trace_hex, 32), HOTSPAN_ERR_BUFFER_TOO_SMALL);
  CHECK_STATUS(hotspan_span_id_to_hex(&ctx, span_hex, 16), HOTSPAN_ERR_BUFFER_TOO_SMALL);

  CHECK_STATUS(hotspan_traceparent_extract(header, HOTSPAN_NUL_TERMINATED, &ctx), HOTSPAN_OK);
  CHECK_STATUS(hotspan_traceparent_extract(header, 54, &ctx), HOTSPAN_ERR_PARSE);
  CHECK(!hotspan_span_context_is_valid(&ctx));
  CHECK_STATUS(hotspan_traceparent_extract(
                   "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", 55, &ctx),
               HOTSPAN_ERR_PARSE);
  CHECK_STATUS(hotspan_traceparent_extract(
                   "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", 55, &ctx),
               HOTSPAN_ERR_PARSE);
  CHECK_STATUS(hotspan_traceparent_extract(
                   "00-00000000000000000000000000000000-00f067aa0ba902b7-01", 55, &ctx),
               HOTSPAN_ERR_PARSE);
  CHECK_STATUS(hotspan_traceparent_extract("", 0, &ctx), HOTSPAN_ERR_PARSE);
  CHECK_STATUS(hotspan_traceparent_extract(NULL, 0, &ctx), HOTSPAN_ERR_PARSE);
  /* W3C Level 2 versioning: a later version is read for version 00's fields;
   * what is sent back is version 00 without reserved flags. */
  CHECK_STATUS(
      hotspan_traceparent_extract("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-ff-future",
                                  HOTSPAN_NUL_TERMINATED, &ctx),
      HOTSPAN_OK);
  CHECK(ctx.trace_flags == 0xff && ctx.trace_id[0] == 0x4b);
  CHECK_STATUS(hotspan_traceparent_inject(&ctx, buffer, sizeof buffer), HOTSPAN_OK);
  CHECK(strcmp(buffer, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03") == 0);
  CHECK_STATUS(
      hotspan_traceparent_extract("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future",
                                  HOTSPAN_NUL_TERMINATED, &ctx),
      HOTSPAN_ERR_PARSE);

  memset(&ctx, 0, sizeof ctx); /* invalid: no header to send */
  CHECK_STATUS(hotspan_traceparent_inject(&ctx, buffer, sizeof buffer),
               HOTSPAN_ERR_INVALID_ARGUMENT);
}

/* Spans of every kind of content, written as JSON Lines and read back. */
static void test_recording_and_export(void) {
  hotspan_options o;
  hotspan_tracer* tracer;
  hotspan_span root, child, remote, explicit_child, failed;
  hotspan_span_context root_ctx, child_ctx, remote_parent, current;
  hotspan_scope scope;
  hotspan_stats stats;
  hotspan_attribute attrs[3];
  hotspan_attribute bad;
  char path[512], line[4096], root_hex[HOTSPAN_SPAN_ID_HEX_SIZE], code[64];
  char* text;

  hotspan_options_init(&o);
  o.service_name = "c-api-test";
  tracer = jsonl_tracer("export.jsonl", &o);
  if (tracer == NULL) return;

  CHECK_STATUS(
      hotspan_span_start(tracer, &root, "relay.cell", HOTSPAN_NUL_TERMINATED, HOTSPAN_KIND_SERVER),
      HOTSPAN_OK);
  CHECK(hotspan_span_is_recording(&root));
  CHECK_STATUS(hotspan_span_get_context(&root, &root_ctx), HOTSPAN_OK);
  CHECK(hotspan_span_context_is_valid(&root_ctx) && hotspan_span_context_is_sampled(&root_ctx));
  CHECK(root_ctx.is_remote == 0);
  CHECK_STATUS(hotspan_span_set_bool(&root, "cell.early", 10, 1), HOTSPAN_OK);
  CHECK_STATUS(hotspan_span_set_int(&root, "cell.circ_id", HOTSPAN_NUL_TERMINATED, -42),
               HOTSPAN_OK);
  CHECK_STATUS(hotspan_span_set_double(&root, "cell.ratio", HOTSPAN_NUL_TERMINATED, 0.25),
               HOTSPAN_OK);
  CHECK_STATUS(hotspan_span_set_string(&root, "cell.command", HOTSPAN_NUL_TERMINATED,
                                       "RELAY_DATA_and_more", 10),
               HOTSPAN_OK);
  CHECK_STATUS(hotspan_span_set_string(&root, "empty", 5, NULL, 0), HOTSPAN_OK);
  CHECK_STATUS(hotspan_span_set_string(&root, "k", 1, NULL, 3), HOTSPAN_ERR_NULL_ARGUMENT);
  CHECK_STATUS(hotspan_span_set_int(&root, NULL, 3, 1), HOTSPAN_ERR_NULL_ARGUMENT);
  CHECK_STATUS(hotspan_span_set_int(&root, NULL, HOTSPAN_NUL_TERMINATED, 1),
               HOTSPAN_ERR_NULL_ARGUMENT);
  attrs[0] = hotspan_attr_string("stream.target", "example.org:443");
  attrs[1] = hotspan_attr_int("stream.id", 7);
  attrs[2] = hotspan_attr_double("stream.window", 0.5);
  CHECK_STATUS(hotspan_span_set_attributes(&root, attrs, 3), HOTSPAN_OK);
  CHECK_STATUS(hotspan_span_set_attributes(&root, NULL, 0), HOTSPAN_OK);
  CHECK_STATUS(hotspan_span_set_attributes(&root, NULL, 2), HOTSPAN_ERR_NULL_ARGUMENT);
  bad = hotspan_attr_int("not.recorded", 1);
  bad.type = (hotspan_value_type)12;
  CHECK_STATUS(hotspan_span_set_attributes(&root, &bad, 1), HOTSPAN_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(hotspan_span_add_event(&root, "cell.queued", HOTSPAN_NUL_TERMINATED, attrs, 2),
               HOTSPAN_OK);
  CHECK_STATUS(hotspan_span_add_event(&root, "cell.bad", HOTSPAN_NUL_TERMINATED, &bad, 1),
               HOTSPAN_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(hotspan_span_set_status(&root, HOTSPAN_STATUS_CODE_OK, "delivered", 9), HOTSPAN_OK);
  CHECK_STATUS(hotspan_span_set_status(&root, (hotspan_status_code)9, NULL, 0),
               HOTSPAN_ERR_INVALID_ARGUMENT);

  /* Implicit parent through a scope. */
  memset(&scope, 0, sizeof scope);
  CHECK_STATUS(hotspan_current_context(&current), HOTSPAN_OK);
  CHECK(!hotspan_span_context_is_valid(&current));
  CHECK_STATUS(hotspan_scope_pop(&scope), HOTSPAN_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(hotspan_scope_push(&scope, &root), HOTSPAN_OK);
  CHECK_STATUS(hotspan_scope_push(&scope, &root), HOTSPAN_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(hotspan_current_context(&current), HOTSPAN_OK);
  CHECK(memcmp(current.span_id, root_ctx.span_id, 8) == 0);
  CHECK_STATUS(hotspan_span_start(tracer, &child, "relay.decrypt", 13, HOTSPAN_KIND_INTERNAL),
               HOTSPAN_OK);
  CHECK_STATUS(hotspan_span_get_context(&child, &child_ctx), HOTSPAN_OK);
  CHECK(memcmp(child_ctx.trace_id, root_ctx.trace_id, 16) == 0);
  {
    hotspan_scope inner = HOTSPAN_SCOPE_INIT;
    hotspan_span_context inner_current;
    CHECK_STATUS(hotspan_scope_push_context(&inner, &child_ctx), HOTSPAN_OK);
    CHECK_STATUS(hotspan_current_context(&inner_current), HOTSPAN_OK);
    CHECK(memcmp(inner_current.span_id, child_ctx.span_id, 8) == 0);
    CHECK_STATUS(hotspan_scope_pop(&inner), HOTSPAN_OK);
  }
  CHECK_STATUS(hotspan_current_context(&current), HOTSPAN_OK);
  CHECK(memcmp(current.span_id, root_ctx.span_id, 8) == 0);
  CHECK_STATUS(hotspan_scope_pop(&scope), HOTSPAN_OK);
  CHECK_STATUS(hotspan_scope_pop(&scope), HOTSPAN_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(hotspan_current_context(&current), HOTSPAN_OK);
  CHECK(!hotspan_span_context_is_valid(&current));
  CHECK_STATUS(hotspan_span_record_error(&child, "bad MAC", HOTSPAN_NUL_TERMINATED), HOTSPAN_OK);
  CHECK_STATUS(hotspan_span_end(&child), HOTSPAN_OK);
  CHECK(!hotspan_span_is_recording(&child));

  /* Explicit local parent, and a remote parent from a traceparent. */
  CHECK_STATUS(hotspan_span_start_with_parent(tracer, &explicit_child, "relay.forward", 13,
                                              HOTSPAN_KIND_CLIENT, &root_ctx),
               HOTSPAN_OK);
  CHECK_STATUS(hotspan_span_record_errno(&explicit_child, ETIMEDOUT), HOTSPAN_OK);
  CHECK_STATUS(hotspan_span_end(&explicit_child), HOTSPAN_OK);
  CHECK_STATUS(hotspan_traceparent_extract(
                   "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", 55, &remote_parent),
               HOTSPAN_OK);
  CHECK_STATUS(hotspan_span_start_with_parent(tracer, &remote, "relay.remote", 12,
                                              HOTSPAN_KIND_CONSUMER, &remote_parent),
               HOTSPAN_OK);
  CHECK_STATUS(hotspan_span_end(&remote), HOTSPAN_OK);
  /* Bad kind: an error, and an inert span. */
  CHECK_STATUS(hotspan_span_start(tracer, &failed, "x", 1, (hotspan_span_kind)17),
               HOTSPAN_ERR_INVALID_ARGUMENT);
  CHECK(!hotspan_span_is_recording(&failed));
  CHECK_STATUS(hotspan_span_start(tracer, &failed, NULL, 1, HOTSPAN_KIND_INTERNAL),
               HOTSPAN_ERR_NULL_ARGUMENT);
  CHECK_STATUS(hotspan_span_end(&failed), HOTSPAN_OK);
  CHECK_STATUS(hotspan_span_end(&root), HOTSPAN_OK);

  CHECK_STATUS(hotspan_tracer_flush(tracer, 5000), HOTSPAN_OK);
  CHECK_STATUS(hotspan_tracer_stats(tracer, &stats), HOTSPAN_OK);
  CHECK(stats.spans_started == 4 && stats.spans_sampled == 4 && stats.spans_exported == 4);
  CHECK(stats.spans_sampled == stats.spans_exported + stats.dropped_pool_exhausted +
                                   stats.dropped_queue_full + stats.dropped_export_failed);
  CHECK(stats.bytes_written > 0);
  CHECK_STATUS(hotspan_tracer_shutdown(tracer), HOTSPAN_OK);
  CHECK_STATUS(hotspan_tracer_shutdown(tracer), HOTSPAN_OK);
  CHECK_STATUS(hotspan_tracer_flush(tracer, 100), HOTSPAN_ERR_SHUT_DOWN);
  CHECK_STATUS(hotspan_span_start(tracer, &failed, "late", 4, HOTSPAN_KIND_INTERNAL), HOTSPAN_OK);
  CHECK(!hotspan_span_is_recording(&failed));
  hotspan_span_end(&failed);
  hotspan_tracer_destroy(tracer);

  path_in_dir(path, sizeof path, "export.jsonl");
  text = read_file(path);
  CHECK(text != NULL);
  if (text == NULL) return;
  CHECK(count_lines(text) == 4);
  hotspan_span_id_to_hex(&root_ctx, root_hex, sizeof root_hex);
  line_with(text, "\"name\":\"relay.cell\"", line, sizeof line);
  CHECK(strstr(line, "\"kind\":\"server\"") != NULL);
  CHECK(strstr(line, "\"service\":\"c-api-test\"") != NULL);
  CHECK(strstr(line, "\"cell.early\":true") != NULL);
  CHECK(strstr(line, "\"cell.circ_id\":-42") != NULL);
  CHECK(strstr(line, "\"cell.ratio\":0.25") != NULL);
  CHECK(strstr(line, "\"cell.command\":\"RELAY_DATA\"") != NULL);
  CHECK(strstr(line, "\"empty\":\"\"") != NULL);
  CHECK(strstr(line, "\"stream.target\":\"example.org:443\"") != NULL);
  CHECK(strstr(line, "\"stream.id\":7") != NULL);
  CHECK(strstr(line, "\"name\":\"cell.queued\"") != NULL);
  CHECK(strstr(line, "not.recorded") == NULL && strstr(line, "cell.bad") == NULL);
  CHECK(strstr(line, "\"status\":\"ok\"") != NULL);
  CHECK(strstr(line, "\"status_message\":\"delivered\"") != NULL);
  CHECK(strstr(line, "parent_span_id") == NULL);
  line_with(text, "\"name\":\"relay.decrypt\"", line, sizeof line);
  CHECK(strstr(line, root_hex) != NULL); /* parent_span_id = root */
  CHECK(strstr(line, "\"status\":\"error\"") != NULL);
  CHECK(strstr(line, "\"exception.message\":\"bad MAC\"") != NULL);
  line_with(text, "\"name\":\"relay.forward\"", line, sizeof line);
  CHECK(strstr(line, root_hex) != NULL);
  CHECK(strstr(line, "\"kind\":\"client\"") != NULL);
  snprintf(code, sizeof code, "\"exception.code\":%d", ETIMEDOUT);
  CHECK(strstr(line, code) != NULL);
  CHECK(strstr(line, strerror(ETIMEDOUT)) != NULL);
  line_with(text, "\"name\":\"relay.remote\"", line, sizeof line);
  CHECK(strstr(line, "\"trace_id\":\"0af7651916cd43dd8448eb211c80319c\"") != NULL);
  CHECK(strstr(line, "\"parent_span_id\":\"b7ad6b7169203331\"") != NULL);
  free(text);
}

static void test_event_attribute_limit(void) {
  hotspan_options o;
  hotspan_tracer* tracer;
  hotspan_span span;
  hotspan_attribute attrs[HOTSPAN_MAX_EVENT_ATTRIBUTES + 1];
  hotspan_stats stats;
  char path[512];
  char* text;
  int i;
  static char keys[HOTSPAN_MAX_EVENT_ATTRIBUTES + 1][8];

  for (i = 0; i <= HOTSPAN_MAX_EVENT_ATTRIBUTES; ++i) {
    snprintf(keys[i], sizeof keys[i], "a%d", i);
    attrs[i] = hotspan_attr_int(keys[i], i);
  }
  hotspan_options_init(&o);
  o.slot_bytes = 4096;
  tracer = jsonl_tracer("events.jsonl", &o);
  if (tracer == NULL) return;
  hotspan_span_start(tracer, &span, "events", 6, HOTSPAN_KIND_INTERNAL);
  CHECK_STATUS(
      hotspan_span_add_event(&span, "too.many", 8, attrs, HOTSPAN_MAX_EVENT_ATTRIBUTES + 1),
      HOTSPAN_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(hotspan_span_add_event(&span, "all", 3, attrs, HOTSPAN_MAX_EVENT_ATTRIBUTES),
               HOTSPAN_OK);
  CHECK_STATUS(hotspan_span_add_event(&span, "none", 4, NULL, 0), HOTSPAN_OK);
  CHECK_STATUS(hotspan_span_add_event(&span, "null", 4, NULL, 1), HOTSPAN_ERR_NULL_ARGUMENT);
  hotspan_span_end(&span);
  CHECK_STATUS(hotspan_tracer_flush(tracer, 5000), HOTSPAN_OK);
  hotspan_tracer_stats(tracer, &stats);
  CHECK(stats.spans_exported == 1 && stats.attributes_dropped == 0);
  hotspan_tracer_destroy(tracer);
  path_in_dir(path, sizeof path, "events.jsonl");
  text = read_file(path);
  CHECK(text != NULL && strstr(text, "\"a63\":63") != NULL && strstr(text, "\"a64\"") == NULL);
  CHECK(text != NULL && strstr(text, "too.many") == NULL && strstr(text, "\"none\"") != NULL);
  free(text);
}

/* Whether a tracer with these options records a new root span. */
static int records_a_root(const hotspan_options* o) {
  hotspan_tracer* tracer = NULL;
  hotspan_span span;
  int recording;
  CHECK_STATUS(hotspan_tracer_create(o, &tracer), HOTSPAN_OK);
  hotspan_span_start(tracer, &span, "root", 4, HOTSPAN_KIND_INTERNAL);
  recording = hotspan_span_is_recording(&span);
  hotspan_span_end(&span);
  hotspan_tracer_destroy(tracer);
  return recording;
}

static void test_samplers(void) {
  hotspan_options o;
  hotspan_tracer* tracer = NULL;
  hotspan_span span;
  hotspan_span_context ctx, sampled_parent;
  hotspan_stats stats;

  hotspan_options_init(&o);
  o.sampler = HOTSPAN_SAMPLER_ALWAYS_OFF;
  CHECK_STATUS(hotspan_tracer_create(&o, &tracer), HOTSPAN_OK);
  hotspan_span_start(tracer, &span, "off", 3, HOTSPAN_KIND_INTERNAL);
  CHECK(!hotspan_span_is_recording(&span));
  hotspan_span_get_context(&span, &ctx);
  CHECK(hotspan_span_context_is_valid(&ctx) && !hotspan_span_context_is_sampled(&ctx));
  hotspan_span_end(&span);
  /* parent-based: a sampled remote parent wins over always_off. */
  hotspan_traceparent_extract("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", 55,
                              &sampled_parent);
  hotspan_span_start_with_parent(tracer, &span, "child", 5, HOTSPAN_KIND_SERVER, &sampled_parent);
  CHECK(hotspan_span_is_recording(&span));
  hotspan_span_end(&span);
  hotspan_tracer_flush(tracer, 5000);
  hotspan_tracer_stats(tracer, &stats);
  CHECK(stats.spans_started == 2 && stats.spans_sampled == 1);
  hotspan_tracer_destroy(tracer);

  o.sampler_parent_based = 0;
  CHECK_STATUS(hotspan_tracer_create(&o, &tracer), HOTSPAN_OK);
  hotspan_span_start_with_parent(tracer, &span, "child", 5, HOTSPAN_KIND_SERVER, &sampled_parent);
  CHECK(!hotspan_span_is_recording(&span));
  hotspan_span_end(&span);
  hotspan_tracer_destroy(tracer);

  o.sampler = HOTSPAN_SAMPLER_RATIO;
  o.sampler_arg = 0.0;
  CHECK(!records_a_root(&o));
  o.sampler = HOTSPAN_SAMPLER_RATE_LIMITED;
  o.sampler_arg = 1000.0;
  CHECK(records_a_root(&o)); /* the bucket starts with a burst */
}

/* Tail sampling from C: a trace with an error is kept whole, one without is
 * discarded and counted; a malformed rule list is refused. */
static void test_tail_sampling(void) {
  hotspan_options o;
  hotspan_tracer* tracer = NULL;
  hotspan_span root, child;
  hotspan_span_context root_ctx;
  hotspan_stats stats;
  int i;

  hotspan_options_init(&o);
  CHECK(o.tail_sampling == 0 && o.tail_keep_errors == 1 && o.tail_baseline == 0.0);
  CHECK(o.tail_decision_wait_ms == 30000 && o.tail_max_buffered_bytes == 64u << 20);
  o.tail_sampling = 1;
  o.tail_slow_roots = "circuit=60000";
  CHECK_STATUS(hotspan_tracer_create(&o, &tracer), HOTSPAN_OK);
  for (i = 0; i < 2; ++i) {
    hotspan_span_start(tracer, &root, "circuit", 7, HOTSPAN_KIND_CLIENT);
    hotspan_span_get_context(&root, &root_ctx);
    hotspan_span_start_with_parent(tracer, &child, "hop", 3, HOTSPAN_KIND_INTERNAL, &root_ctx);
    if (i == 0) hotspan_span_record_error(&child, "timeout", 7);
    hotspan_span_end(&child);
    hotspan_span_end(&root);
  }
  CHECK_STATUS(hotspan_tracer_flush(tracer, 5000), HOTSPAN_OK);
  hotspan_tracer_stats(tracer, &stats);
  CHECK(stats.spans_sampled == 4 && stats.spans_exported == 2);
  CHECK(stats.spans_discarded_by_tail_sampling == 2);
  CHECK(stats.traces_kept_by_tail_sampling == 1 && stats.traces_discarded_by_tail_sampling == 1);
  CHECK(stats.traces_decided_early == 0);
  CHECK(stats.spans_sampled == stats.spans_exported + stats.dropped_pool_exhausted +
                                   stats.dropped_queue_full + stats.dropped_export_failed +
                                   stats.spans_discarded_by_tail_sampling);
  hotspan_tracer_destroy(tracer);

  o.tail_slow_roots = "circuit=soon";
  tracer = (hotspan_tracer*)&o; /* must become NULL */
  CHECK_STATUS(hotspan_tracer_create(&o, &tracer), HOTSPAN_ERR_INVALID_ARGUMENT);
  CHECK(tracer == NULL);
  CHECK(strstr(hotspan_last_error(), "slow roots") != NULL);
  o.tail_slow_roots = NULL;
  o.tail_baseline = 2.0;
  CHECK_STATUS(hotspan_tracer_create(&o, &tracer), HOTSPAN_ERR_INVALID_ARGUMENT);
  CHECK(strstr(hotspan_last_error(), "baseline") != NULL);
}

static void test_span_outlives_tracer(void) {
  hotspan_options o;
  hotspan_tracer* tracer = NULL;
  hotspan_span span;
  hotspan_options_init(&o);
  CHECK_STATUS(hotspan_tracer_create(&o, &tracer), HOTSPAN_OK);
  hotspan_span_start(tracer, &span, "orphan", 6, HOTSPAN_KIND_INTERNAL);
  CHECK(hotspan_span_is_recording(&span));
  hotspan_tracer_destroy(tracer);
  CHECK_STATUS(hotspan_span_set_int(&span, "k", 1, 1), HOTSPAN_OK);
  CHECK_STATUS(hotspan_span_end(&span), HOTSPAN_OK);
}

struct handoff {
  hotspan_tracer* tracer;
  hotspan_span span;           /* started on the main thread, ended on the worker */
  hotspan_span_context parent; /* the worker's child joins this trace */
  hotspan_span_context worker_ctx;
};

static void* worker(void* arg) {
  struct handoff* h = (struct handoff*)arg;
  hotspan_span child;
  hotspan_span_set_string(&h->span, "handled.by", HOTSPAN_NUL_TERMINATED, "worker",
                          HOTSPAN_NUL_TERMINATED);
  hotspan_span_end(&h->span);
  hotspan_span_start_with_parent(h->tracer, &child, "worker.child", 12, HOTSPAN_KIND_INTERNAL,
                                 &h->parent);
  hotspan_span_get_context(&child, &h->worker_ctx);
  hotspan_span_end(&child);
  return NULL;
}

static void test_threads(void) {
  hotspan_options o;
  struct handoff h;
  pthread_t thread;
  hotspan_stats stats;
  char path[512];
  char* text;

  hotspan_options_init(&o);
  h.tracer = jsonl_tracer("threads.jsonl", &o);
  if (h.tracer == NULL) return;
  hotspan_span_start(h.tracer, &h.span, "handed.over", 11, HOTSPAN_KIND_PRODUCER);
  hotspan_span_get_context(&h.span, &h.parent);
  CHECK(pthread_create(&thread, NULL, worker, &h) == 0);
  pthread_join(thread, NULL);
  CHECK(memcmp(h.worker_ctx.trace_id, h.parent.trace_id, 16) == 0);
  CHECK_STATUS(hotspan_tracer_flush(h.tracer, 5000), HOTSPAN_OK);
  hotspan_tracer_stats(h.tracer, &stats);
  CHECK(stats.spans_exported == 2);
  hotspan_tracer_destroy(h.tracer);
  path_in_dir(path, sizeof path, "threads.jsonl");
  text = read_file(path);
  CHECK(text != NULL && strstr(text, "\"handled.by\":\"worker\"") != NULL);
  free(text);
}

static void test_options_from_env(void) {
  hotspan_options o;
  char path[512];
  hotspan_tracer* tracer = NULL;

  hotspan_options_init(&o);
  path_in_dir(path, sizeof path, "env.jsonl");
  setenv("OTEL_SERVICE_NAME", "env-relay", 1);
  setenv("OTEL_RESOURCE_ATTRIBUTES", "team=relay%2Cops", 1);
  setenv("OTEL_TRACES_SAMPLER", "parentbased_traceidratio", 1);
  setenv("OTEL_TRACES_SAMPLER_ARG", "0.5", 1);
  setenv("HOTSPAN_FILE", path, 1);
  setenv("HOTSPAN_FORMAT", "jsonl", 1);
  setenv("HOTSPAN_SLOTS_PER_THREAD", "128", 1);
  setenv("HOTSPAN_SLOT_BYTES", "12", 1); /* invalid: warns, keeps 1024 */
  setenv("HOTSPAN_FILE_ROTATE_BYTES", "64M", 1);
  setenv("HOTSPAN_FILE_ROTATE_SECONDS", "3600", 1);
  setenv("HOTSPAN_FILE_MAX_FILES", "48", 1);
  setenv("HOTSPAN_FILE_MAX_BYTES", "1G", 1);
  CHECK_STATUS(hotspan_options_from_env(&o), HOTSPAN_OK);
  CHECK(o.file_rotate_bytes == 64u * 1024 * 1024 && o.file_rotate_interval_ms == 3600000u);
  CHECK(o.file_max_files == 48 && o.file_max_total_bytes == 1024u * 1024 * 1024);
  CHECK(o.service_name != NULL && strcmp(o.service_name, "env-relay") == 0);
  CHECK(o.resource_attributes != NULL && strcmp(o.resource_attributes, "team=relay%2Cops") == 0);
  CHECK(o.sampler == HOTSPAN_SAMPLER_RATIO && o.sampler_arg == 0.5 && o.sampler_parent_based == 1);
  CHECK(o.exporters == HOTSPAN_EXPORT_FILE && o.file_format == HOTSPAN_FORMAT_JSONL);
  CHECK(o.file_path != NULL && strcmp(o.file_path, path) == 0);
  CHECK(o.slots_per_thread == 128 && o.slot_bytes == 1024);
  CHECK_STATUS(hotspan_tracer_create(&o, &tracer), HOTSPAN_OK);
  hotspan_tracer_destroy(tracer);
  unsetenv("OTEL_SERVICE_NAME");
  unsetenv("OTEL_RESOURCE_ATTRIBUTES");
  unsetenv("OTEL_TRACES_SAMPLER");
  unsetenv("OTEL_TRACES_SAMPLER_ARG");
  unsetenv("HOTSPAN_FILE");
  unsetenv("HOTSPAN_FORMAT");
  unsetenv("HOTSPAN_SLOTS_PER_THREAD");
  unsetenv("HOTSPAN_SLOT_BYTES");
  unsetenv("HOTSPAN_FILE_ROTATE_BYTES");
  unsetenv("HOTSPAN_FILE_ROTATE_SECONDS");
  unsetenv("HOTSPAN_FILE_MAX_FILES");
  unsetenv("HOTSPAN_FILE_MAX_BYTES");

  o.sampler = (hotspan_sampler_kind)40; /* the fields given must be valid */
  CHECK_STATUS(hotspan_options_from_env(&o), HOTSPAN_ERR_INVALID_ARGUMENT);
}

/* The flight recorder: dump_recent writes a binary trace, request_dump (here
 * from a signal handler) a fresh file after recorder_dump_path; off, shut down
 * and a bad path give their statuses; the counters are filled. */
static hotspan_tracer* g_signal_tracer = NULL;
static void dump_on_signal(int signal_number) {
  (void)signal_number;
  hotspan_tracer_request_dump(g_signal_tracer);
}

static void test_flight_recorder(void) {
  hotspan_options o;
  hotspan_tracer* tracer = NULL;
  hotspan_tracer* off = NULL;
  hotspan_stats stats;
  char path[512];
  char dump_path[512];
  char* data;
  int i;
  struct sigaction action;
  struct sigaction previous;
  CHECK_STATUS(hotspan_options_init(&o), HOTSPAN_OK);
  CHECK(o.recorder_bytes == 0 && o.recorder_dump_path == NULL);
  CHECK_STATUS(hotspan_tracer_create(&o, &off), HOTSPAN_OK);
  path_in_dir(path, sizeof path, "recorder_off.hsp");
  CHECK_STATUS(hotspan_tracer_dump_recent(off, path), HOTSPAN_ERR_INVALID_ARGUMENT);
  CHECK(strstr(hotspan_last_error(), "flight recorder is off") != NULL);
  hotspan_tracer_request_dump(off); /* a no-op */
  hotspan_tracer_destroy(off);

  o.recorder_bytes = 1000; /* too small to hold a chunk */
  CHECK_STATUS(hotspan_tracer_create(&o, &tracer), HOTSPAN_ERR_INVALID_ARGUMENT);
  CHECK(strstr(hotspan_last_error(), "flight_recorder.max_bytes") != NULL);

  o.recorder_bytes = 1u << 20;
  path_in_dir(dump_path, sizeof dump_path, "signalled.hsp");
  o.recorder_dump_path = dump_path;
  o.idle_sleep_us = 200;
  CHECK_STATUS(hotspan_tracer_create(&o, &tracer), HOTSPAN_OK);
  for (i = 0; i < 100; ++i) {
    hotspan_span span;
    CHECK_STATUS(hotspan_span_start(tracer, &span, "c.recorded", HOTSPAN_NUL_TERMINATED,
                                    HOTSPAN_KIND_INTERNAL),
                 HOTSPAN_OK);
    CHECK_STATUS(hotspan_span_end(&span), HOTSPAN_OK);
  }
  path_in_dir(path, sizeof path, "recorder.hsp");
  CHECK_STATUS(hotspan_tracer_dump_recent(tracer, path), HOTSPAN_OK);
  data = read_file(path);
  CHECK(data != NULL && memcmp(data, "\x89HSP", 4) == 0);
  free(data);
  CHECK_STATUS(hotspan_tracer_dump_recent(tracer, NULL), HOTSPAN_ERR_NULL_ARGUMENT);
  path_in_dir(path, sizeof path, "no-such-dir/recorder.hsp");
  CHECK_STATUS(hotspan_tracer_dump_recent(tracer, path), HOTSPAN_ERR_IO);
  CHECK(strstr(hotspan_last_error(), "no-such-dir") != NULL);

  g_signal_tracer = tracer;
  memset(&action, 0, sizeof action);
  action.sa_handler = dump_on_signal;
  sigemptyset(&action.sa_mask);
  CHECK(sigaction(SIGUSR2, &action, &previous) == 0);
  CHECK(raise(SIGUSR2) == 0);
  for (i = 0; i < 5000; ++i) {
    CHECK_STATUS(hotspan_tracer_stats(tracer, &stats), HOTSPAN_OK);
    if (stats.recorder_dumps == 2) break;
    {
      const struct timespec millisecond = {0, 1000000};
      nanosleep(&millisecond, NULL);
    }
  }
  sigaction(SIGUSR2, &previous, NULL);
  g_signal_tracer = NULL;
  CHECK(stats.recorder_dumps == 2);
  CHECK(stats.recorder_dump_failures == 1);
  CHECK(stats.recorder_spans_evicted == 0);
  CHECK_STATUS(hotspan_tracer_shutdown(tracer), HOTSPAN_OK);
  path_in_dir(path, sizeof path, "after_shutdown.hsp");
  CHECK_STATUS(hotspan_tracer_dump_recent(tracer, path), HOTSPAN_ERR_SHUT_DOWN);
  hotspan_tracer_request_dump(NULL); /* a no-op */
  hotspan_tracer_destroy(tracer);
}

static void test_recorder_from_env(void) {
  hotspan_options o;
  CHECK_STATUS(hotspan_options_init(&o), HOTSPAN_OK);
  setenv("HOTSPAN_RECORDER_BYTES", "2097152", 1);
  setenv("HOTSPAN_RECORDER_DUMP_PATH", "/var/tmp/c.hsp", 1);
  CHECK_STATUS(hotspan_options_from_env(&o), HOTSPAN_OK);
  CHECK(o.recorder_bytes == 2097152);
  CHECK(o.recorder_dump_path != NULL && strcmp(o.recorder_dump_path, "/var/tmp/c.hsp") == 0);
  unsetenv("HOTSPAN_RECORDER_BYTES");
  unsetenv("HOTSPAN_RECORDER_DUMP_PATH");
}

int main(void) {
  const char* tmp = getenv("TMPDIR");
  snprintf(g_dir, sizeof g_dir, "%s/hotspan_c_api_test.XXXXXX", tmp != NULL ? tmp : "/tmp");
  if (mkdtemp(g_dir) == NULL) {
    perror("mkdtemp");
    return 1;
  }
  test_version_and_status_strings();
  test_options_and_creation_errors();
  test_invalid_otlp_endpoints();
  test_file_options();
  test_file_rotation();
  test_null_handles();
  test_inert_span();
  test_traceparent();
  test_start_time();
  test_binary_context();
  test_recording_and_export();
  test_event_attribute_limit();
  test_samplers();
  test_tail_sampling();
  test_span_outlives_tracer();
  test_threads();
  test_options_from_env();
  test_flight_recorder();
  test_recorder_from_env();
  {
    char command[512];
    snprintf(command, sizeof command, "rm -rf '%s'", g_dir);
    if (system(command) != 0) fprintf(stderr, "could not remove %s\n", g_dir);
  }
  printf("%d passed, %d failed\n", g_passed, g_failed);
  return g_failed == 0 ? 0 : 1;
}
