/* A C99 program using the installed hotspan.h: records one span with an
 * attribute, an event and a remote parent, flushes, and prints the count. */
#include <hotspan/hotspan.h>
#include <stdio.h>

#if HOTSPAN_VERSION < HOTSPAN_VERSION_ENCODE(0, 1, 0)
#error "hotspan.h too old"
#endif

int main(void) {
  hotspan_options options;
  hotspan_tracer* tracer = NULL;
  hotspan_span span;
  hotspan_span_context parent;
  hotspan_attribute attribute = hotspan_attr_int("answer", 42);
  hotspan_stats stats;
  const char* header = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

  hotspan_options_init(&options);
  options.service_name = "c-consumer";
  options.exporters = HOTSPAN_EXPORT_STDOUT;
  if (hotspan_tracer_create(&options, &tracer) != HOTSPAN_OK) {
    fprintf(stderr, "c_consumer: %s\n", hotspan_last_error());
    return 1;
  }
  if (hotspan_traceparent_extract(header, HOTSPAN_NUL_TERMINATED, &parent) != HOTSPAN_OK) return 1;
  hotspan_span_start_with_parent(tracer, &span, "c-consumer-span", HOTSPAN_NUL_TERMINATED,
                                 HOTSPAN_KIND_SERVER, &parent);
  hotspan_span_add_event(&span, "event", HOTSPAN_NUL_TERMINATED, &attribute, 1);
  hotspan_span_set_int(&span, "answer", HOTSPAN_NUL_TERMINATED, 42);
  hotspan_span_end(&span);
  if (hotspan_tracer_flush(tracer, 5000) != HOTSPAN_OK) return 1;
  hotspan_tracer_stats(tracer, &stats);
  hotspan_tracer_destroy(tracer);
  printf("hotspan %s: exported %llu\n", hotspan_version_string(),
         (unsigned long long)stats.spans_exported);
  return stats.spans_exported == 1 ? 0 : 1;
}
