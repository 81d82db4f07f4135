// hotspan tool — reading every span of an input: the loop that every command
// shares.
//
// It opens the reader for the input's format, hands each span to the command,
// shows the progress bar, and reports on stderr, as "hotspan: NAME: ...":
// malformed records (the first 20, then a count), truncation, corruption, a
// binary file without an end frame, and an input without spans — unless the
// command reports some of it itself.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "hotspan/exporter.hpp"
#include "input_file.hpp"
#include "span_reader.hpp"

namespace hotspan::tool {

struct ReadResult {
  uint64_t spans = 0;
  uint64_t malformed = 0;       // records skipped
  std::string first_malformed;  // where and what, for the first one
  InputSummary summary;         // how the input ended
  Resource resource;            // the reader's resource at the end
  uint64_t bytes = 0;           // bytes consumed

  // Adds the result of the next input of a set (input_set.hpp): counts are
  // summed, the worse end is kept, the resource and the recorded losses (which
  // a tracer's counters make cumulative) are the later input's.
  void append(const ReadResult& next);

  // Something was skipped or lost: the exit status of a reading command is 1.
  bool damaged() const noexcept {
    return malformed > 0 || summary.end == InputEnd::truncated || summary.end == InputEnd::corrupt;
  }
};

enum class Reporting {
  full,            // everything, as above
  malformed_only,  // the malformed records; the caller tells how the input ended
  silent,          // nothing: a second pass over an input already reported
};

// Reads `input` from where it stands to its end. Throws std::runtime_error
// (naming the input) when reading fails.
ReadResult read_spans(InputFile& input, const std::function<void(const SpanReader&)>& on_span,
                      Reporting reporting = Reporting::full);

}  // namespace hotspan::tool
