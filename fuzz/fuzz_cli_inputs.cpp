// hotspan fuzzing — every input path of the `hotspan` tool, in process: the
// bytes become a file (a memfd, named by its /proc/self/fd path), which the
// commands read as the tool's main() would run them, and which is read again
// here to check what the commands build on.
//
// Asserted:
//   * validate, tree (--limit 10, reading a regular file twice, or --limit 0,
//     or --trace ID) and one of stats (--by name, kind or status), cat and
//     convert (to each format), chosen by the input's digest, return 0 or 1
//     and throw nothing but std::runtime_error (which main() reports as exit
//     status 1): no usage error, no logic_error, no bad_alloc, no sanitizer
//     report;
//   * the format is told apart by the first byte (0x89: binary), and read_spans
//     counts what it handed over;
//   * TraceForest places every span exactly once, under its parent when the
//     parent is in the trace, with children and entry points in start order;
//   * the spans read, written by the library's binary encoder and read back by
//     BinaryTraceReader, are exactly the same (the file is complete and
//     declares their number); written as JSON Lines and read by the tool, they
//     are what JSON keeps of them (owned_record.hpp); written as OTLP JSON and
//     Chrome JSON, every line / the document parses with simdjson and holds
//     one span object per span.
// Mutations keep the frames' checksums right most of the time
// (binary_frames.hpp), so that hostile payloads reach the decoders.
#include <simdjson.h>
#include <sys/mman.h>
#include <unistd.h>

#include <hotspan/hotspan.hpp>
#include <hotspan/reader.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <new>
#include <sstream>
#include <stdexcept>
#include <streambuf>
#include <string>
#include <string_view>
#include <vector>

#include "binary_frames.hpp"
#include "command.hpp"
#include "encoded_output_checks.hpp"
#include "fuzz_check.hpp"
#include "input_file.hpp"
#include "jsonl_span_reader.hpp"
#include "owned_record.hpp"
#include "owned_span.hpp"
#include "read_spans.hpp"
#include "record_views.hpp"
#include "trace_forest.hpp"

namespace {

namespace tool = hotspan::tool;
using hotspan_fuzz::OwnedRecord;

// A file in memory, reachable by path.
class MemoryFile {
 public:
  explicit MemoryFile(const char* name) : _fd(::memfd_create(name, MFD_CLOEXEC)) {
    FUZZ_CHECK(_fd >= 0, "memfd_create failed");
    _path = "/proc/self/fd/" + std::to_string(_fd);
  }
  ~MemoryFile() { ::close(_fd); }
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;

  void assign(std::string_view bytes) {
    FUZZ_CHECK(::ftruncate(_fd, 0) == 0, "ftruncate failed");
    size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n =
          ::pwrite(_fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
      FUZZ_CHECK(n > 0, "pwrite failed");
      done += static_cast<size_t>(n);
    }
  }
  const std::string& path() const noexcept { return _path; }

 private:
  int _fd;
  std::string _path;
};

// The output of convert: a regular file, since the tool opens its outputs with
// open_trace_file(), which refuses a symbolic link such as /proc/self/fd/N.
class ScratchPath {
 public:
  explicit ScratchPath(const std::string& name)
      : _path((std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid())))
                  .string()) {}
  ~ScratchPath() { std::remove(_path.c_str()); }
  ScratchPath(const ScratchPath&) = delete;
  ScratchPath& operator=(const ScratchPath&) = delete;

  const std::string& path() const noexcept { return _path; }

 private:
  std::string _path;
};

// Swallows what the commands print.
class NullBuffer final : public std::streambuf {
 protected:
  int_type overflow(int_type c) override { return traits_type::not_eof(c); }
  std::streamsize xsputn(const char* /*s*/, std::streamsize n) override { return n; }
};

// Runs a command as main() would, with std::cout and std::cerr silenced.
int run(const tool::Command& command, std::vector<std::string_view> args) {
  static NullBuffer null;
  std::streambuf* const out = std::cout.rdbuf(&null);
  std::streambuf* const err = std::cerr.rdbuf(&null);
  const auto restore = [&] {
    std::cout.rdbuf(out);
    std::cerr.rdbuf(err);
    std::cout.clear();
    std::cerr.clear();
  };
  std::string what = std::string(command.name);
  for (std::string_view arg : args)
    what += " " + std::string(arg);
  int status = 1;
  try {
    status = command.run(args);
  } catch (const tool::UsageError& e) {
    restore();
    FUZZ_CHECK(false, what + ": usage error: " + e.what());
  } catch (const std::runtime_error&) {
    status = 1;  // main(): "hotspan COMMAND: what", exit status 1
  } catch (const std::exception& e) {
    restore();
    FUZZ_CHECK(false, what + ": unexpected exception: " + e.what());
  }
  restore();
  FUZZ_CHECK(status == 0 || status == 1, what + ": exit status " + std::to_string(status));
  return status;
}

struct Reading {
  std::vector<tool::OwnedSpan> spans;
  std::vector<OwnedRecord> records;
  tool::ReadResult result;
};

Reading read_input(const std::string& path, size_t size) {
  Reading reading;
  tool::InputFile input(path);
  reading.result = tool::read_spans(
      input,
      [&reading](const tool::SpanReader& reader) {
        reading.spans.emplace_back().assign(reader.record(), reader.service());
        reading.records.push_back(hotspan_fuzz::own(reader.record()));
      },
      tool::Reporting::silent);
  FUZZ_CHECK(reading.result.spans == reading.spans.size(), "read_spans miscounted");
  FUZZ_CHECK(reading.result.bytes <= size, "consumed " + std::to_string(reading.result.bytes) +
                                               " of " + std::to_string(size) + " bytes");
  return reading;
}

void check_forest(const std::vector<tool::OwnedSpan>& spans) {
  const tool::TraceForest forest(spans);
  std::vector<int> placed(spans.size(), 0);
  uint64_t previous_trace_start = 0;
  for (const tool::Trace& trace : forest.traces()) {
    FUZZ_CHECK(trace.start_unix_ns >= previous_trace_start, "traces out of start order");
    previous_trace_start = trace.start_unix_ns;
    FUZZ_CHECK(forest.find(trace.trace_id) == &trace, std::string(trace.trace_id));
    size_t reached = 0;
    bool main_is_entry = false;
    for (size_t e = 0; e < trace.entries.size(); ++e) {
      const tool::TraceEntry& entry = trace.entries[e];
      main_is_entry = main_is_entry || entry.span == trace.main_span;
      if (e > 0) {
        FUZZ_CHECK(
            spans[trace.entries[e - 1].span].start_unix_ns <= spans[entry.span].start_unix_ns,
            "entries out of start order");
      }
      if (entry.kind == tool::EntryKind::root) {
        FUZZ_CHECK(spans[entry.span].is_root(), "a root entry has a parent");
      } else {
        FUZZ_CHECK(!spans[entry.span].is_root(), "an orphan or cycle entry without a parent");
      }
      std::vector<size_t> pending{entry.span};
      while (!pending.empty()) {
        const size_t span = pending.back();
        pending.pop_back();
        FUZZ_CHECK(span < spans.size(), "span index out of range");
        FUZZ_CHECK(spans[span].trace_id == trace.trace_id, "a span in another trace's tree");
        FUZZ_CHECK(++placed[span] == 1, "span " + std::to_string(span) + " placed twice");
        ++reached;
        uint64_t previous_child_start = 0;
        for (size_t child : forest.children(span)) {
          FUZZ_CHECK(spans[child].parent_span_id == spans[span].span_id,
                     "a child under a span that is not its parent");
          FUZZ_CHECK(spans[child].start_unix_ns >= previous_child_start,
                     "children out of start order");
          previous_child_start = spans[child].start_unix_ns;
          pending.push_back(child);
        }
      }
    }
    FUZZ_CHECK(main_is_entry, "the main span is not an entry point");
    FUZZ_CHECK(reached == trace.spans.size(), std::to_string(reached) + " of " +
                                                  std::to_string(trace.spans.size()) +
                                                  " spans reached from the entry points");
  }
  for (size_t i = 0; i < spans.size(); ++i)
    FUZZ_CHECK(placed[i] == 1, "span " + std::to_string(i) + " not placed");
}

// The spans written by ostream_exporter(format) as one batch.
std::string encoded(const Reading& reading, hotspan::Format format) {
  tool::RecordViews views;
  const std::span<const hotspan::SpanRecord> records = views.build(reading.spans);
  std::ostringstream out;
  const auto exporter = hotspan::ostream_exporter(out, format);
  exporter->start(reading.result.resource);
  FUZZ_CHECK(exporter->export_batch(records), "export_batch failed");
  FUZZ_CHECK(exporter->flush(), "flush failed");
  exporter->shutdown();
  return out.str();
}

void check_binary_round_trip(const Reading& reading) {
  const std::string bytes = encoded(reading, hotspan::Format::binary);
  std::istringstream in(bytes);
  hotspan::BinaryTraceReader reader(in);
  tool::RecordViews views;
  const std::span<const hotspan::SpanRecord> written = views.build(reading.spans);
  size_t i = 0;
  while (const hotspan::SpanRecord* r = reader.next()) {
    FUZZ_CHECK(i < written.size(), "more spans read back than written");
    const std::string d =
        hotspan_fuzz::difference(hotspan_fuzz::own(written[i]), hotspan_fuzz::own(*r));
    FUZZ_CHECK(d.empty(), "binary round trip, span " + std::to_string(i) + ": " + d);
    ++i;
  }
  FUZZ_CHECK(reader.status() == hotspan::BinaryTraceReader::Status::complete, reader.message());
  FUZZ_CHECK(i == written.size(), std::to_string(written.size()) + " spans written, " +
                                      std::to_string(i) + " read back");
  FUZZ_CHECK(reader.declared_span_count() == written.size(), "declared span count");
  FUZZ_CHECK(reader.resource().service_name == reading.result.resource.service_name,
             hotspan_fuzz::printable(reader.resource().service_name));
}

void check_jsonl_round_trip(const Reading& reading) {
  const std::string text = encoded(reading, hotspan::Format::jsonl);
  std::istringstream in(text);
  const auto reader = tool::make_jsonl_span_reader(in);
  tool::RecordViews views;
  const std::span<const hotspan::SpanRecord> written = views.build(reading.spans);
  const std::string service = hotspan_fuzz::repaired_utf8(reading.result.resource.service_name);
  size_t i = 0;
  std::string error;
  for (;;) {
    const tool::ReadStatus status = reader->next(error);
    if (status == tool::ReadStatus::end) break;
    FUZZ_CHECK(status == tool::ReadStatus::span, "JSON Lines written, rejected: " + error);
    FUZZ_CHECK(i < written.size(), "more spans read back than written");
    const std::string d =
        hotspan_fuzz::difference(hotspan_fuzz::as_json_reads_it(hotspan_fuzz::own(written[i])),
                                 hotspan_fuzz::own(reader->record()));
    FUZZ_CHECK(d.empty(), "JSON Lines round trip, span " + std::to_string(i) + ": " + d);
    FUZZ_CHECK(reader->service() == service, hotspan_fuzz::printable(reader->service()));
    ++i;
  }
  FUZZ_CHECK(i == written.size(), std::to_string(written.size()) + " spans written, " +
                                      std::to_string(i) + " read back");
  FUZZ_CHECK(reader->summary().end == tool::InputEnd::complete, reader->summary().problem);
}

void check_otlp_json(const Reading& reading) {
  hotspan_fuzz::check_otlp_json(encoded(reading, hotspan::Format::otlp_json), reading.spans.size());
}

void check_chrome_json(const Reading& reading) {
  hotspan_fuzz::check_chrome_json(encoded(reading, hotspan::Format::chrome_json),
                                  reading.spans.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static MemoryFile input("hotspan-fuzz-input");
  static ScratchPath output("hotspan-fuzz-output");
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  input.assign(bytes);
  const std::string& path = input.path();
  hotspan_fuzz::Digest digest;
  digest.bytes(data, size);
  const uint64_t choice = digest.value();

  // The commands, as `hotspan COMMAND ARGS` would run them: validate, one of
  // stats, cat and convert (chosen by the input's digest), and tree below.
  run(tool::validate_command(), {path});
  constexpr std::string_view kGroupings[] = {"name", "kind", "status"};
  int converted = -1;
  switch (choice % 3) {
    case 0:
      run(tool::stats_command(), {path, "--by", kGroupings[(choice >> 8) % 3]});
      break;
    case 1:
      run(tool::cat_command(), {path});
      break;
    default: {
      const hotspan::FormatInfo& format =
          hotspan::formats()[(choice >> 8) % hotspan::formats().size()];
      std::string name(format.name);  // or with hyphens: "otlp-json"
      if ((choice >> 12) % 2 == 1) std::replace(name.begin(), name.end(), '_', '-');
      converted = run(tool::convert_command(), {path, "--to", name, "-o", output.path()});
      if (format.format == hotspan::Format::binary) {
        run(tool::validate_command(), {output.path(), "--strict"});
      }
      break;
    }
  }

  // What the commands build on.
  const Reading reading = read_input(path, size);
  if (size > 0) {
    const bool binary = data[0] == 0x89;
    FUZZ_CHECK(reading.result.summary.format == (binary ? "binary" : "JSON Lines"),
               std::string(reading.result.summary.format));
  }
  // An input read without damage converts: convert once failed on every
  // input (it could not open its output) and nothing here noticed.
  FUZZ_CHECK(converted != 1 || reading.result.damaged(), "convert failed on an undamaged input");
  check_forest(reading.spans);
  if ((choice >> 16) % 2 == 0 || reading.spans.empty()) {
    run(tool::tree_command(), {path});
  } else if ((choice >> 17) % 2 == 0) {
    run(tool::tree_command(), {path, "--limit", "0", "--attributes", "100"});
  } else {
    const std::string trace_id = reading.spans[(choice >> 18) % reading.spans.size()].trace_id;
    run(tool::tree_command(), {path, "--trace", trace_id});
  }
  if (reading.spans.empty()) return 0;

  check_binary_round_trip(reading);
  check_jsonl_round_trip(reading);
  check_otlp_json(reading);
  check_chrome_json(reading);
  return 0;
}

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size,
                                          unsigned int seed) {
  return hotspan_fuzz::mutate_binary_trace(data, size, max_size, seed);
}
