// hotspan tests — how trace files are opened (open_trace_file, file_exporter):
// a symbolic link at the path is refused, dangling or not, and nothing is
// created or truncated through it; a new file is 0600 unless FileOptions say
// otherwise; append keeps what is there; a FIFO with no reader is refused at
// once instead of blocking the caller; devices are written as before.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "fifo_guard.hpp"
#include "hotspan/exporter.hpp"
#include "trace_file.hpp"

using hotspan::Format;
using hotspan_test::ScratchFile;

namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_all(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

unsigned permissions(const std::string& path) {
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

// Sets the umask for the lifetime of the object.
struct Umask {
  explicit Umask(mode_t mask) : saved(::umask(mask)) {}
  ~Umask() { ::umask(saved); }
  mode_t saved;
};

// One span to `exporter`, flushed and shut down.
void write_one_span(hotspan::Exporter& exporter, uint64_t id) {
  hotspan::SpanRecord record;
  record.trace_id.bytes[15] = 1;
  record.span_id = hotspan::SpanId{id};
  record.name = "opened";
  exporter.start(hotspan::Resource{"svc", {}});
  REQUIRE(exporter.export_batch(std::span<const hotspan::SpanRecord>(&record, 1)));
  REQUIRE(exporter.flush());
  exporter.shutdown();
}

size_t count_lines(const std::string& text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

}  // namespace

TEST_CASE("file_exporter refuses a symbolic link at the path (dangling or not)", "[exporters]") {
  ScratchFile victim("victim.txt"), link("link.jsonl"), dangling("dangling.jsonl"),
      target("created_through_link.txt");
  write_all(victim.path, "must survive\n");
  std::filesystem::create_symlink(victim.path, link.path);
  std::filesystem::create_symlink(target.path, dangling.path);
  for (const std::string* path : {&link.path, &dangling.path}) {
    INFO(*path);
    try {
      hotspan::file_exporter(*path, Format::jsonl);
      FAIL("file_exporter opened a symbolic link");
    } catch (const std::system_error& e) {
      CHECK(e.code() == std::error_code(ELOOP, std::system_category()));
      CHECK_THAT(e.what(), Catch::Contains(*path) && Catch::Contains("symbolic link"));
    }
  }
  CHECK(read_all(victim.path) == "must survive\n");   // not truncated
  CHECK_FALSE(std::filesystem::exists(target.path));  // not created
}

TEST_CASE("file_exporter creates a new file 0600 and leaves an existing file's mode",
          "[exporters]") {
  const Umask umask(022);  // the usual one, under which 0644 would be world-readable
  ScratchFile created("created.jsonl"), existing("existing.jsonl");
  write_one_span(*hotspan::file_exporter(created.path, Format::jsonl), 1);
  CHECK(permissions(created.path) == 0600);
  CHECK(count_lines(read_all(created.path)) == 1);

  write_all(existing.path, "old contents\nold contents\n");
  ::chmod(existing.path.c_str(), 0640);
  write_one_span(*hotspan::file_exporter(existing.path, Format::jsonl), 2);
  CHECK(permissions(existing.path) == 0640);
  const std::string text = read_all(existing.path);
  CHECK(count_lines(text) == 1);  // truncated, as before
  CHECK(text.find("old contents") == std::string::npos);
}

TEST_CASE("file_exporter on a FIFO with no reader fails at once (ENXIO) instead of hanging",
          "[exporters]") {
  ScratchFile fifo("no_reader.fifo");
  REQUIRE(::mkfifo(fifo.path.c_str(), 0600) == 0);
  std::optional<std::system_error> error;
  CHECK(hotspan_test::finishes_in_time(
      [&] {
        try {
          hotspan::file_exporter(fifo.path, Format::jsonl);
        } catch (const std::system_error& e) {
          error = e;
        }
      },
      fifo.path));
  REQUIRE(error.has_value());
  CHECK(error->code() == std::error_code(ENXIO, std::system_category()));
  CHECK_THAT(error->what(), Catch::Contains(fifo.path) && Catch::Contains("FIFO"));
}

TEST_CASE("open_trace_file: a FIFO with a reader is written with blocking writes", "[exporters]") {
  ScratchFile fifo("with_reader.fifo");
  REQUIRE(::mkfifo(fifo.path.c_str(), 0600) == 0);
  const int reader = ::open(fifo.path.c_str(), O_RDONLY | O_NONBLOCK);
  REQUIRE(reader >= 0);
  const int fd = hotspan::open_trace_file(fifo.path);
  CHECK((::fcntl(fd, F_GETFL) & O_NONBLOCK) == 0);
  CHECK((::fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
  CHECK(::write(fd, "x\n", 2) == 2);
  char got[4] = {};
  CHECK(::read(reader, got, sizeof got) == 2);
  ::close(fd);
  ::close(reader);
}

TEST_CASE("file_exporter: FileOptions choose the mode of a new file and append", "[exporters]") {
  const Umask umask(022);
  ScratchFile path("options.jsonl");
  SECTION("mode") {
    write_one_span(*hotspan::file_exporter(path.path, Format::jsonl, {.mode = 0640}), 1);
    CHECK(permissions(path.path) == 0640);
    CHECK_THROWS_WITH(hotspan::open_trace_file(path.path, {.mode = 01777}),
                      Catch::Contains("mode") && Catch::Contains("01777"));
  }
  SECTION("append keeps the lines already there, for the line formats") {
    for (const Format format : {Format::jsonl, Format::otlp_json}) {
      write_all(path.path, "");
      write_one_span(*hotspan::file_exporter(path.path, format, {.append = true}), 1);
      write_one_span(*hotspan::file_exporter(path.path, format, {.append = true}), 2);
      CHECK(count_lines(read_all(path.path)) == 2);
    }
  }
  SECTION("append to a binary or Chrome JSON file is refused before the file is touched") {
    write_all(path.path, "kept\n");
    for (const Format format : {Format::binary, Format::chrome_json}) {
      CHECK_THROWS_AS(hotspan::file_exporter(path.path, format, {.append = true}),
                      std::invalid_argument);
    }
    CHECK(read_all(path.path) == "kept\n");
  }
}

TEST_CASE("file_exporter still writes to a character device such as /dev/null", "[exporters]") {
  if (::access("/dev/null", W_OK) != 0) {
    WARN("/dev/null is not writable; skipped");
    return;
  }
  write_one_span(*hotspan::file_exporter("/dev/null", Format::jsonl), 1);
  write_one_span(*hotspan::file_exporter("/dev/null", Format::jsonl, {.append = true}), 2);
  CHECK(permissions("/dev/null") == 0666);  // untouched
}
