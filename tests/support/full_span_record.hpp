// Test support shared by the encoder tests: one span record with every field
// set (ids, parent, status error with a message, attributes of each type, an
// integral double, events with and without attributes, drop counts and a
// thread id), owning the storage its views point into.
#pragma once

#include <hotspan/span_record.hpp>

#include <cstdint>
#include <string_view>
#include <vector>

#include "json_output_checks.hpp"

namespace hotspan_test {

struct FullSpan {
  FullSpan() {
    using namespace hotspan;
    attributes = {{"circuit.id", int64_t{42}},
                  {"path", std::string_view("guard>middle>exit")},
                  {"exit", true},
                  {"ratio", 0.75},
                  {"whole", 3.0}};
    event_attributes = {{"cell", int64_t{3}}, {"cmd", std::string_view("EXTEND2")}};
    events = {{"extend", 1'700'000'000'000'000'500, event_attributes},
              {"done", 1'700'000'000'000'000'900, {}}};
    record.trace_id = example_trace_id();
    record.span_id = SpanId{0x00f067aa0ba902b7};
    record.parent_span_id = SpanId{0xfedcba9876543210};
    record.name = "build-circuit";
    record.kind = SpanKind::client;
    record.start_unix_ns = 1'700'000'000'000'000'000;
    record.end_unix_ns = 1'700'000'000'012'410'000;
    record.status = StatusCode::error;
    record.status_message = "timeout";
    record.attributes = attributes;
    record.events = events;
    record.dropped_attributes = 2;
    record.dropped_events = 1;
    record.thread_id = 31337;
  }
  // Copies would point into the original's vectors.
  FullSpan(const FullSpan&) = delete;
  FullSpan& operator=(const FullSpan&) = delete;

  std::vector<hotspan::AttributeView> attributes, event_attributes;
  std::vector<hotspan::EventView> events;
  hotspan::SpanRecord record;
};

}  // namespace hotspan_test
