// hotspan tests — file_exporter with rotation and retention (FileOptions'
// rotate_bytes, rotate_interval, max_files, max_total_bytes): the names of the
// files, that each file is a whole trace in every format, the interval,
// retention limits with exact counts, a restart that continues the numbering,
// and the options rejected before any file is touched.
#include <simdjson.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "hotspan/hotspan.hpp"
#include "hotspan/reader.hpp"
#include "scratch_directory.hpp"
#include "sinks/rotating_file.hpp"
#include "trace_file.hpp"

using namespace hotspan;
using hotspan::detail::RotatedFileNames;
using hotspan_test::ScratchDirectory;
using Status = BinaryTraceReader::Status;

namespace {

// One span per batch: the span ends before flush(), which returns once it is
// exported, so each call is exactly one export_batch().
void export_one_batch(Tracer& tracer, int64_t n) {
  Span s = tracer.start_span("batch-span");
  s.set_attribute("n", n);
  s.end();
  REQUIRE(tracer.flush());
}

TracerOptions options_for(std::shared_ptr<Exporter> exporter) {
  TracerOptions o;
  o.service_name = "rotating";
  o.exporter = std::move(exporter);
  return o;
}

// `batches` batches of one span each through a binary file_exporter(path, fo),
// then shutdown(); the tracer's counters.
TracerStats export_batches(const std::string& path, const FileOptions& fo, int64_t batches) {
  Tracer tracer(options_for(file_exporter(path, Format::binary, fo)));
  for (int64_t n = 0; n < batches; ++n)
    export_one_batch(tracer, n);
  tracer.shutdown();
  return tracer.stats();
}

std::vector<RotatedFileNames::File> files_of(const std::string& path) {
  return RotatedFileNames(path).list();
}

std::string contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace

TEST_CASE("rotated file names: STEM.SEQUENCE.TIME.EXT, parsed back", "[rotation]") {
  const RotatedFileNames names("/var/log/relay.bin");
  const auto opened = std::chrono::sys_days{std::chrono::year{2026} / 12 / 7} +
                      std::chrono::hours{5} + std::chrono::minutes{19};
  CHECK(names.path(1, opened) == "/var/log/relay.000001.20261207T051900Z.bin");
  CHECK(names.path(1234567, opened) == "/var/log/relay.1234567.20261207T051900Z.bin");
  CHECK(names.sequence_of("relay.000001.20261207T051900Z.bin") == 1u);
  CHECK(names.sequence_of("relay.1234567.20261207T051900Z.bin") == 1234567u);
  CHECK_FALSE(names.sequence_of("relay.bin"));
  CHECK_FALSE(names.sequence_of("relay.000001.20261207T051900Z.jsonl"));
  CHECK_FALSE(names.sequence_of("relay.000001.20261207T0519Z.bin"));
  CHECK_FALSE(names.sequence_of("relay.x00001.20261207T051900Z.bin"));
  CHECK_FALSE(names.sequence_of("relay..20261207T051900Z.bin"));
  CHECK_FALSE(names.sequence_of("other.000001.20261207T051900Z.bin"));
  CHECK_FALSE(names.sequence_of("relay.000001.20261207T051900Z.bin.tmp"));
  // No extension, and a name that starts with a dot (a stem, not an extension).
  CHECK(RotatedFileNames("trace").path(2, opened) == "trace.000002.20261207T051900Z");
  CHECK(RotatedFileNames("dir/.trace").path(3, opened) == "dir/.trace.000003.20261207T051900Z");
  CHECK(RotatedFileNames("a.b.jsonl").path(4, opened) == "a.b.000004.20261207T051900Z.jsonl");
  CHECK_THROWS_AS(RotatedFileNames("dir/"), std::invalid_argument);
}

TEST_CASE("rotate_bytes: each binary file is a whole trace with its own strings", "[rotation]") {
  ScratchDirectory dir("rotate_bytes");
  const std::string path = dir.path + "/relay.bin";
  FileOptions fo;
  fo.rotate_bytes = 1;  // every batch after a file's first goes to a new file
  Tracer tracer(options_for(file_exporter(path, Format::binary, fo)));
  // The constructor opened the first file; `path` itself is never written.
  REQUIRE(dir.names().size() == 1);
  const std::regex shape(R"(relay\.\d{6}\.\d{8}T\d{6}Z\.bin)");
  CHECK(std::regex_match(dir.names()[0], shape));
  for (int64_t n = 0; n < 5; ++n)
    export_one_batch(tracer, n);
  tracer.shutdown();

  const auto files = files_of(path);
  REQUIRE(files.size() == 5);
  for (size_t i = 0; i < files.size(); ++i) {
    CHECK(files[i].sequence == i + 1);
    CHECK(std::regex_match(files[i].path.substr(dir.path.size() + 1), shape));
    // Each file alone: header, its own string table (the name is defined in
    // each, or the reader would fail on an undefined index), the span, end frame.
    std::vector<int64_t> seen;
    const auto back = hotspan_test::read_binary_trace(files[i].path, [&](const SpanRecord& r) {
      CHECK(r.name == "batch-span");
      seen.push_back(std::get<int64_t>(r.attributes[0].value));
    });
    CHECK(back.status == Status::complete);
    CHECK(back.declared_span_count == 1u);
    CHECK(seen == std::vector<int64_t>{static_cast<int64_t>(i)});
    auto reader = BinaryTraceReader::open(files[i].path);
    REQUIRE(reader->read_header());
    CHECK(reader->resource().service_name == "rotating");
  }
  const TracerStats s = tracer.stats();
  CHECK(s.files_rotated == 4);
  CHECK(s.files_deleted == 0);
  CHECK(s.spans_exported == 5);
  uint64_t total = 0;
  for (const auto& f : files)
    total += f.bytes;
  CHECK(s.bytes_written == total);
}

TEST_CASE("rotate_bytes: a file holds the batches that fit", "[rotation]") {
  ScratchDirectory dir("rotate_fit");
  const std::string path = dir.path + "/relay.bin";
  FileOptions fo;
  fo.rotate_bytes = 1000;
  const TracerStats s = export_batches(path, fo, 60);
  const auto files = files_of(path);
  REQUIRE(files.size() > 2);
  uint64_t spans = 0;
  for (const auto& f : files) {
    CHECK(f.bytes <= fo.rotate_bytes + 83);  // the end frame comes on top
    const auto back = hotspan_test::read_binary_trace(f.path);
    CHECK(back.status == Status::complete);
    CHECK(back.spans > 1);  // several batches fit in 1000 bytes
    spans += back.spans;
  }
  CHECK(spans == 60);
  CHECK(s.files_rotated == files.size() - 1);
}

TEST_CASE("rotation: JSON Lines files hold whole lines, Chrome JSON files whole documents",
          "[rotation]") {
  for (const Format format : {Format::jsonl, Format::otlp_json, Format::chrome_json}) {
    ScratchDirectory dir("rotate_json_" + std::string(format_name(format)));
    const std::string path = dir.path + "/relay.json";
    FileOptions fo;
    fo.rotate_bytes = 1;
    Tracer tracer(options_for(file_exporter(path, format, fo)));
    for (int64_t n = 0; n < 3; ++n)
      export_one_batch(tracer, n);
    tracer.shutdown();
    const auto files = files_of(path);
    REQUIRE(files.size() == 3);
    CHECK(tracer.stats().files_rotated == 2);
    simdjson::dom::parser parser;
    for (const auto& f : files) {
      const std::string text = contents(f.path);
      REQUIRE(!text.empty());
      if (format == Format::chrome_json) {
        simdjson::dom::element doc;
        CHECK(parser.parse(text).get(doc) == simdjson::SUCCESS);
        continue;
      }
      CHECK(text.back() == '\n');
      std::istringstream lines(text);
      size_t count = 0;
      for (std::string line; std::getline(lines, line); ++count) {
        simdjson::dom::element doc;
        CHECK(parser.parse(line).get(doc) == simdjson::SUCCESS);
      }
      CHECK(count == 1);
    }
  }
}

TEST_CASE("rotate_interval: a new file with the first batch after the interval", "[rotation]") {
  ScratchDirectory dir("rotate_interval");
  const std::string path = dir.path + "/relay.bin";
  FileOptions fo;
  fo.rotate_interval = std::chrono::milliseconds(1);
  Tracer tracer(options_for(file_exporter(path, Format::binary, fo)));
  for (int64_t n = 0; n < 4; ++n) {
    export_one_batch(tracer, n);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // Idle: no batch, no new file, however long it waits.
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  REQUIRE(tracer.flush());
  tracer.shutdown();
  const auto files = files_of(path);
  REQUIRE(files.size() == 4);
  for (const auto& f : files) {
    const auto back = hotspan_test::read_binary_trace(f.path);
    CHECK(back.status == Status::complete);
    CHECK(back.spans == 1);
  }
  CHECK(tracer.stats().files_rotated == 3);
}

TEST_CASE("retention: max_files keeps the newest files and counts the others", "[rotation]") {
  ScratchDirectory dir("max_files");
  const std::string path = dir.path + "/relay.bin";
  // Files of other names in the same directory are never touched.
  std::ofstream(dir.path + "/relay.bin") << "not ours";
  std::ofstream(dir.path + "/other.000001.20261207T051900Z.bin") << "not ours";
  FileOptions fo;
  fo.rotate_bytes = 1;
  fo.max_files = 3;
  const TracerStats s = export_batches(path, fo, 7);
  const auto files = files_of(path);
  REQUIRE(files.size() == 3);
  CHECK(files[0].sequence == 5);  // the oldest went first
  CHECK(files[2].sequence == 7);
  for (const auto& f : files)
    CHECK(hotspan_test::read_binary_trace(f.path).status == Status::complete);
  CHECK(s.files_rotated == 6);
  CHECK(s.files_deleted == 4);
  CHECK(s.files_rotated + 1 == files.size() + s.files_deleted);
  CHECK(contents(dir.path + "/relay.bin") == "not ours");
  CHECK(contents(dir.path + "/other.000001.20261207T051900Z.bin") == "not ours");
}

TEST_CASE("retention: max_total_bytes deletes the oldest files until the set fits", "[rotation]") {
  ScratchDirectory dir("max_total_bytes");
  const std::string path = dir.path + "/relay.bin";
  FileOptions fo;
  fo.rotate_bytes = 1;
  fo.max_total_bytes = 1000;
  const TracerStats s = export_batches(path, fo, 12);
  const auto files = files_of(path);
  REQUIRE(files.size() >= 2);
  REQUIRE(files.size() < 12);
  // Every file is about the same size; the ones left are the newest, and all
  // but the last (which grew after its opening applied the limit) fit.
  uint64_t before_last = 0;
  for (size_t i = 0; i + 1 < files.size(); ++i)
    before_last += files[i].bytes;
  CHECK(before_last <= fo.max_total_bytes);
  CHECK(before_last + files.back().bytes > fo.max_total_bytes - files.back().bytes);
  CHECK(files.back().sequence == 12);
  CHECK(files.front().sequence == 12 - files.size() + 1);
  CHECK(s.files_deleted == 12 - files.size());
  CHECK(s.files_rotated == 11);
}

TEST_CASE("rotation: a restart continues after the highest sequence number", "[rotation]") {
  ScratchDirectory dir("restart");
  const std::string path = dir.path + "/relay.bin";
  FileOptions fo;
  fo.rotate_bytes = 1;
  export_batches(path, fo, 2);
  auto before = files_of(path);
  REQUIRE(before.size() == 2);
  const std::string first = contents(before[0].path);
  // A gap in the numbers (a file removed by hand): numbering still continues
  // after the highest.
  std::filesystem::remove(before[0].path);
  // A file a killed process left under its opening name: removed.
  const std::string left_over = dir.path + "/.relay.000003.20261207T051900Z.bin";
  std::ofstream(left_over) << "header only";
  export_batches(path, fo, 1);
  const auto after = files_of(path);
  REQUIRE(after.size() == 2);
  CHECK(after[0].sequence == 2);
  CHECK(after[0].bytes == before[1].bytes);  // not overwritten
  CHECK(after[1].sequence == 3);
  CHECK(hotspan_test::read_binary_trace(after[1].path).spans == 1);
  CHECK(!first.empty());
  CHECK_FALSE(std::filesystem::exists(left_over));
  CHECK(dir.names().size() == 2);
}

TEST_CASE("rotation: retention also applies to the files of an earlier run", "[rotation]") {
  ScratchDirectory dir("restart_retention");
  const std::string path = dir.path + "/relay.bin";
  FileOptions fo;
  fo.max_files = 2;  // retention alone: one file per run, the last two runs kept
  for (int run = 0; run < 4; ++run) {
    const TracerStats s = export_batches(path, fo, 1);
    CHECK(s.files_deleted == (run >= 2 ? 1u : 0u));
    CHECK(s.files_rotated == 0);
  }
  const auto files = files_of(path);
  REQUIRE(files.size() == 2);
  CHECK(files[0].sequence == 3);
  CHECK(files[1].sequence == 4);
}

TEST_CASE("rotation: append is rejected, before any file is created", "[rotation]") {
  ScratchDirectory dir("append");
  FileOptions fo;
  fo.rotate_bytes = 1 << 20;
  fo.append = true;
  CHECK_THROWS_AS(file_exporter(dir.path + "/relay.jsonl", Format::jsonl, fo),
                  std::invalid_argument);
  CHECK(dir.names().empty());
  // The first file that cannot be opened throws, as without rotation.
  fo.append = false;
  CHECK_THROWS_AS(file_exporter(dir.path + "/missing/relay.bin", Format::binary, fo),
                  std::system_error);
  // Files are created with FileOptions::mode.
  fo.mode = 0640;
  const mode_t old_umask = ::umask(022);
  { auto exporter = file_exporter(dir.path + "/relay.bin", Format::binary, fo); }
  ::umask(old_umask);
  const auto files = files_of(dir.path + "/relay.bin");
  REQUIRE(files.size() == 1);
  struct stat st {};
  REQUIRE(::stat(files[0].path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0640);
}
