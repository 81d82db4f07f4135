// hotspan — human-readable one-line-per-span encoding (stdout_exporter(true)).
//
//   build-circuit [internal] 12.4 ms trace=4bf92f35 span=00f067aa parent=- status=ok
//       circuit.id=42 path="guard>middle>exit" events=1          (all on one line)
//
// Meant for eyes and grep, not for parsing back: ids are shortened to their first
// 8 hex digits and durations rounded to 3 significant digits (hotspan's
// append_duration(), as the hotspan tool prints them). Every line is
// valid UTF-8 and stays one line whatever the recorded bytes: names, keys and
// values go through json_writer's escaping, and string values are quoted.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "formats/record_encoder.hpp"
#include "hotspan/span_record.hpp"

namespace hotspan::detail {

// Appends one line, '\n' included.
void encode_pretty(const SpanRecord& record, std::string& out);

// stdout_exporter(true)'s encoder: encode_pretty for each record.
std::unique_ptr<RecordEncoder> make_pretty_encoder();

}  // namespace hotspan::detail
