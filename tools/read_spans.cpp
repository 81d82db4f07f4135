// hotspan tool — the reading loop shared by the commands (see read_spans.hpp).
#include "read_spans.hpp"

#include <iostream>
#include <stdexcept>

#include "progress_bar.hpp"

namespace hotspan::tool {
namespace {

// Malformed records beyond this many are counted but not reported one by one.
constexpr uint64_t kReportedErrors = 20;

void report_end(const std::string& name, const ReadResult& result) {
  std::ostream& err = std::cerr;
  if (result.malformed > kReportedErrors) {
    err << "hotspan: " << name << ": " << result.malformed - kReportedErrors
        << " more malformed records not shown\n";
  }
  if (result.malformed > 0) {
    err << "hotspan: " << name << ": " << result.malformed << " malformed "
        << (result.malformed == 1 ? "record" : "records") << " skipped\n";
  }
  switch (result.summary.end) {
    case InputEnd::complete:
      break;
    case InputEnd::unclosed:
      err << "hotspan: " << name
          << ": note: no end frame (the writer did not shut down cleanly, or is still writing)\n";
      break;
    case InputEnd::truncated:
    case InputEnd::corrupt:
      err << "hotspan: " << name << ": " << result.summary.problem << "\n";
      break;
  }
  if (result.spans == 0) err << "hotspan: " << name << ": no spans\n";
}

}  // namespace

void ReadResult::append(const ReadResult& next) {
  const bool first = summary.format.empty();  // every reader names its format
  spans += next.spans;
  if (malformed == 0) first_malformed = next.first_malformed;
  malformed += next.malformed;
  bytes += next.bytes;
  if (first || next.summary.end > summary.end) {
    summary.end = next.summary.end;
    summary.problem = next.summary.problem;
  }
  summary.format = next.summary.format;
  summary.frames += next.summary.frames;
  if (first) {
    summary.declared_spans = next.summary.declared_spans;
  } else if (summary.declared_spans && next.summary.declared_spans) {
    *summary.declared_spans += *next.summary.declared_spans;
  } else {
    summary.declared_spans.reset();
  }
  if (next.summary.recorded_losses) summary.recorded_losses = next.summary.recorded_losses;
  resource = next.resource;
}

ReadResult read_spans(InputFile& input, const std::function<void(const SpanReader&)>& on_span,
                      Reporting reporting) {
  ReadResult result;
  ProgressBar progress(input.name(), input.regular_size());
  // Errors of the reader, not of the command's handler, are named after the input.
  const auto naming_input = [&input](const auto& step) {
    try {
      return step();
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(input.name() + ": " + e.what());
    }
  };
  const std::unique_ptr<SpanReader> reader =
      naming_input([&input] { return open_span_reader(input); });
  std::string error;
  for (;;) {
    const ReadStatus status = naming_input([&] { return reader->next(error); });
    if (status == ReadStatus::end) break;
    progress.update(input.consumed());
    if (status == ReadStatus::span) {
      ++result.spans;
      on_span(*reader);
      continue;
    }
    if (result.malformed++ == 0) result.first_malformed = error;
    if (result.malformed <= kReportedErrors && reporting != Reporting::silent) {
      progress.clear();
      std::cerr << "hotspan: " << input.name() << ": " << error << "\n";
    }
  }
  input.check_read_error();
  result.summary = reader->summary();
  result.resource = reader->resource();
  result.bytes = input.consumed();
  progress.clear();
  if (reporting == Reporting::full) report_end(input.name(), result);
  return result;
}

}  // namespace hotspan::tool
