// hotspan fuzzing — what every JSON output of a batch must be, whatever the
// spans: each line of a line format parses, OTLP/JSON holds every span under
// resourceSpans/scopeSpans/spans, and a Chrome trace parses and holds one
// complete ("X") event per span. Shared by the targets that encode.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"

namespace hotspan_fuzz {

// Each line of `text` parsed with simdjson; calls `on_line` with the document.
template <class OnLine>
inline void parse_lines(const std::string& text, std::string_view format, OnLine&& on_line) {
  simdjson::dom::parser parser;
  size_t begin = 0;
  while (begin < text.size()) {
    const size_t end = text.find('\n', begin);
    FUZZ_CHECK(end != std::string::npos, std::string(format) + ": last line without a newline");
    simdjson::dom::element document;
    const auto error =
        parser.parse(simdjson::padded_string(text.substr(begin, end - begin))).get(document);
    FUZZ_CHECK(error == simdjson::SUCCESS, std::string(format) + ": a line does not parse (" +
                                               simdjson::error_message(error) + ")");
    on_line(document);
    begin = end + 1;
  }
}

inline void check_otlp_json(const std::string& text, size_t expected_spans) {
  size_t spans = 0;
  parse_lines(text, "OTLP JSON", [&spans](simdjson::dom::element document) {
    simdjson::dom::array resource_spans;
    FUZZ_CHECK(document["resourceSpans"].get_array().get(resource_spans) == simdjson::SUCCESS,
               "OTLP JSON: no resourceSpans");
    for (simdjson::dom::element resource : resource_spans) {
      simdjson::dom::array scope_spans;
      FUZZ_CHECK(resource["scopeSpans"].get_array().get(scope_spans) == simdjson::SUCCESS,
                 "OTLP JSON: no scopeSpans");
      for (simdjson::dom::element scope : scope_spans) {
        simdjson::dom::array list;
        FUZZ_CHECK(scope["spans"].get_array().get(list) == simdjson::SUCCESS, "OTLP JSON: spans");
        spans += list.size();
      }
    }
  });
  FUZZ_CHECK(spans == expected_spans, "OTLP JSON holds " + std::to_string(spans) + " of " +
                                          std::to_string(expected_spans) + " spans");
}

inline void check_chrome_json(const std::string& text, size_t expected_spans) {
  simdjson::dom::parser parser;
  simdjson::dom::element document;
  const auto error = parser.parse(simdjson::padded_string(text)).get(document);
  FUZZ_CHECK(error == simdjson::SUCCESS,
             std::string("Chrome JSON does not parse: ") + simdjson::error_message(error));
  simdjson::dom::array events;
  FUZZ_CHECK(document["traceEvents"].get_array().get(events) == simdjson::SUCCESS,
             "Chrome JSON: no traceEvents");
  size_t spans = 0;
  for (simdjson::dom::element event : events) {
    std::string_view phase;
    FUZZ_CHECK(event["ph"].get_string().get(phase) == simdjson::SUCCESS, "an event without ph");
    if (phase == "X") ++spans;
  }
  FUZZ_CHECK(spans == expected_spans, "Chrome JSON holds " + std::to_string(spans) + " of " +
                                          std::to_string(expected_spans) + " spans");
}

}  // namespace hotspan_fuzz
