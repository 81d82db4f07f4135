// Tests of the stream exporters (file, stdout, ostream, noop) and multi_exporter:
// what reaches the sink is read back and parsed, and sink failures are reported
// as failed batches without throwing or killing the process.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <simdjson.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <streambuf>
#include <string>
#include <system_error>
#include <vector>

#include "hotspan/exporter.hpp"

using hotspan::AttributeView;
using hotspan::Exporter;
using hotspan::Format;
using hotspan::Resource;
using hotspan::SpanId;
using hotspan::SpanRecord;
namespace fs = std::filesystem;
namespace dom = simdjson::dom;

namespace {

// A small batch of records sharing one attribute array; `first_id` numbers them.
struct Batch {
  explicit Batch(size_t count, uint64_t first_id = 1, std::string_view name = "span") {
    attributes = {{"port", int64_t{9001}}, {"addr", std::string_view("10.0.0.1")}};
    records.resize(count);
    for (size_t i = 0; i < count; ++i) {
      SpanRecord& r = records[i];
      r.trace_id.bytes[15] = 1;
      r.span_id = SpanId{first_id + i};
      r.name = name;
      r.start_unix_ns = 1000;
      r.end_unix_ns = 1500 + i;
      r.attributes = attributes;
    }
  }
  std::vector<AttributeView> attributes;
  std::vector<SpanRecord> records;
};

Resource resource(std::string service) {
  return Resource{std::move(service), {}};
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t begin = 0;
  while (begin < text.size()) {
    const size_t end = text.find('\n', begin);
    if (end == std::string::npos) {
      lines.push_back(text.substr(begin));
      break;
    }
    lines.push_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  return lines;
}

// Checks that `text` is exactly the JSONL of span ids first_id.. in order.
void check_jsonl(const std::string& text, uint64_t first_id, size_t count,
                 std::string_view service) {
  REQUIRE(!text.empty());
  REQUIRE(text.back() == '\n');
  const std::vector<std::string> lines = split_lines(text);
  REQUIRE(lines.size() == count);
  dom::parser parser;
  for (size_t i = 0; i < count; ++i) {
    dom::element doc;
    REQUIRE(parser.parse(lines[i]).get(doc) == simdjson::SUCCESS);
    SpanId expected{first_id + i};
    CHECK(std::string_view(doc["span_id"]) == expected.to_hex());
    CHECK(std::string_view(doc["trace_id"]) == "00000000000000000000000000000001");
    CHECK(std::string_view(doc["service"]) == service);
    CHECK(int64_t(doc["attributes"]["port"]) == 9001);
    CHECK(std::string_view(doc["attributes"]["addr"]) == "10.0.0.1");
  }
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// A fresh directory under the system temp dir, removed with its contents.
struct TempDir {
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "hotspan-exporters-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  fs::path path;
};

// Points fd 1 somewhere else for the lifetime of the object. Catch2 only writes
// to stdout when an assertion fails, so assertions wait until it is restored.
struct StdoutRedirect {
  explicit StdoutRedirect(int target) {
    std::cout.flush();
    std::fflush(stdout);
    saved = ::dup(STDOUT_FILENO);
    REQUIRE(saved >= 0);
    REQUIRE(::dup2(target, STDOUT_FILENO) == STDOUT_FILENO);
  }
  ~StdoutRedirect() {
    ::dup2(saved, STDOUT_FILENO);
    ::close(saved);
  }
  int saved;
};

std::string drain(int fd) {
  std::string out;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n > 0) {
      out.append(buf, static_cast<size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      return out;
    }
  }
}

// A stream buffer that refuses every byte.
struct RefusingBuf : std::streambuf {
  int_type overflow(int_type) override { return traits_type::eof(); }
  std::streamsize xsputn(const char*, std::streamsize) override { return 0; }
};

// A scripted child for multi_exporter.
struct FakeExporter : Exporter {
  enum class Mode { succeed, fail, throw_ };
  explicit FakeExporter(Mode m) : mode(m) {}
  void start(const Resource& r) override {
    service = r.service_name;
    if (throw_on_start) throw std::runtime_error("start failed");
  }
  bool export_batch(std::span<const SpanRecord> records) override {
    ++batches;
    spans += records.size();
    if (mode == Mode::throw_) throw std::runtime_error("export failed");
    return mode == Mode::succeed;
  }
  bool flush() override {
    ++flushes;
    if (mode == Mode::throw_) throw std::runtime_error("flush failed");
    return mode == Mode::succeed;
  }
  void shutdown() override {
    ++shutdowns;
    if (mode == Mode::throw_) throw std::runtime_error("shutdown failed");
  }
  uint64_t bytes_written() const noexcept override { return bytes; }

  Mode mode;
  bool throw_on_start = false;
  std::string service;
  int batches = 0, flushes = 0, shutdowns = 0;
  size_t spans = 0;
  uint64_t bytes = 0;
};

}  // namespace

TEST_CASE("noop_exporter accepts everything", "[exporters]") {
  auto exporter = hotspan::noop_exporter();
  REQUIRE(exporter);
  exporter->start(resource("svc"));
  Batch batch(3);
  CHECK(exporter->export_batch(batch.records));
  CHECK(exporter->export_batch({}));
  CHECK(exporter->flush());
  exporter->shutdown();
  CHECK(exporter->bytes_written() == 0);
}

TEST_CASE("file_exporter writes JSON Lines that read back", "[exporters]") {
  TempDir dir;
  const fs::path path = dir.path / "trace.jsonl";
  {
    std::ofstream old(path);
    old << "previous contents that must disappear\n";
  }
  auto exporter = hotspan::file_exporter(path.string(), Format::jsonl);
  exporter->start(resource("relay"));
  Batch first(3, 1), second(200, 4);
  CHECK(exporter->export_batch(first.records));
  CHECK(exporter->export_batch(second.records));
  CHECK(exporter->export_batch({}));
  CHECK(exporter->flush());
  exporter->shutdown();
  CHECK_FALSE(exporter->export_batch(first.records));  // closed

  const std::string contents = read_file(path);
  check_jsonl(contents, 1, 203, "relay");
  CHECK(exporter->bytes_written() == contents.size());
  CHECK((fs::status(path).permissions() & fs::perms::others_write) == fs::perms::none);
}

TEST_CASE("file_exporter names the path it cannot open", "[exporters]") {
  TempDir dir;
  const std::string path = (dir.path / "no-such-dir" / "trace.jsonl").string();
  try {
    hotspan::file_exporter(path, Format::jsonl);
    FAIL("file_exporter did not throw");
  } catch (const std::system_error& e) {
    CHECK(std::string(e.what()).find(path) != std::string::npos);
    CHECK(e.code() == std::error_code(ENOENT, std::system_category()));
  }
  CHECK_THROWS_AS(hotspan::file_exporter(dir.path.string(), Format::jsonl), std::system_error);
}

TEST_CASE("a Format value this build does not know throws std::invalid_argument",
          "[exporters]") {
  TempDir dir;
  const fs::path path = dir.path / "trace.out";
  const auto unknown = static_cast<Format>(42);
  CHECK_THROWS_WITH(hotspan::file_exporter(path.string(), unknown),
                    Catch::Contains("Format(42)") && Catch::Contains("file_exporter"));
  std::ostringstream os;
  CHECK_THROWS_AS(hotspan::ostream_exporter(os, unknown), std::invalid_argument);
  CHECK_FALSE(fs::exists(path));  // rejected before the file was created
}

TEST_CASE("file_exporter on a full disk fails batches without throwing", "[exporters]") {
  if (::access("/dev/full", W_OK) != 0) {
    WARN("/dev/full is not available; skipped");
    return;
  }
  auto exporter = hotspan::file_exporter("/dev/full", Format::jsonl);
  exporter->start(resource("svc"));
  Batch batch(10);
  CHECK_FALSE(exporter->export_batch(batch.records));
  CHECK_FALSE(exporter->export_batch(batch.records));  // tried again, failed again
  CHECK(exporter->bytes_written() == 0);
  CHECK_FALSE(exporter->flush());  // reports the error...
  CHECK(exporter->flush());        // ...once
  CHECK_FALSE(exporter->export_batch(batch.records));
  exporter->shutdown();
}

TEST_CASE("stdout_exporter writes pretty lines or JSON Lines to fd 1", "[exporters]") {
  TempDir dir;
  const fs::path path = dir.path / "stdout.txt";
  const int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
  REQUIRE(fd >= 0);
  Batch pretty_batch(2, 0x10, "pretty-span");
  Batch json_batch(2, 0x20, "json-span");
  bool pretty_ok = false, json_ok = false, pretty_flush = false;
  {
    StdoutRedirect redirect(fd);
    auto pretty = hotspan::stdout_exporter();
    pretty->start(resource("svc"));
    pretty_ok = pretty->export_batch(pretty_batch.records);
    pretty_flush = pretty->flush();
    pretty->shutdown();
    auto json = hotspan::stdout_exporter(false);
    json->start(resource("svc"));
    json_ok = json->export_batch(json_batch.records);
    json->shutdown();
  }
  ::close(fd);
  CHECK(pretty_ok);
  CHECK(pretty_flush);
  CHECK(json_ok);
  const std::string contents = read_file(path);
  const std::string pretty_text =
      "pretty-span [internal] 500 ns trace=00000000 span=00000000 parent=- status=unset "
      "port=9001 addr=\"10.0.0.1\" events=0\n"
      "pretty-span [internal] 501 ns trace=00000000 span=00000000 parent=- status=unset "
      "port=9001 addr=\"10.0.0.1\" events=0\n";
  REQUIRE(contents.size() > pretty_text.size());
  CHECK(contents.substr(0, pretty_text.size()) == pretty_text);
  check_jsonl(contents.substr(pretty_text.size()), 0x20, 2, "svc");
}

TEST_CASE("stdout_exporter survives a closed pipe (no SIGPIPE)", "[exporters]") {
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  ::close(pipe_fds[0]);  // no reader: writes raise SIGPIPE / EPIPE
  Batch batch(5);
  bool ok = true;
  {
    StdoutRedirect redirect(pipe_fds[1]);
    auto exporter = hotspan::stdout_exporter(false);
    ok = exporter->export_batch(batch.records);
  }
  ::close(pipe_fds[1]);
  CHECK_FALSE(ok);
  sigset_t pending;
  sigemptyset(&pending);
  REQUIRE(sigpending(&pending) == 0);
  CHECK(sigismember(&pending, SIGPIPE) == 0);  // consumed, not left pending
}

TEST_CASE("a write cut short is followed by a newline so later lines stay readable",
          "[exporters]") {
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  // Non-blocking and never read during the first batch: the pipe takes what fits
  // (64 KiB by default) and the exporter gives up after its bounded wait.
  REQUIRE(::fcntl(pipe_fds[1], F_SETFL, O_NONBLOCK) == 0);
  REQUIRE(::fcntl(pipe_fds[0], F_SETFL, O_NONBLOCK) == 0);
  Batch big(2000, 1), small(3, 5000);
  bool big_ok = true, small_ok = false;
  uint64_t bytes_after_big = 0, bytes_after_small = 0;
  std::string received;
  {
    StdoutRedirect redirect(pipe_fds[1]);
    auto exporter = hotspan::stdout_exporter(false);
    exporter->start(resource("svc"));
    big_ok = exporter->export_batch(big.records);
    bytes_after_big = exporter->bytes_written();
    received = drain(pipe_fds[0]);
    small_ok = exporter->export_batch(small.records);
    bytes_after_small = exporter->bytes_written();
  }
  ::close(pipe_fds[1]);
  received += drain(pipe_fds[0]);
  ::close(pipe_fds[0]);

  CHECK_FALSE(big_ok);
  CHECK(small_ok);
  CHECK(bytes_after_big > 0);
  CHECK(bytes_after_small == received.size());
  const std::vector<std::string> lines = split_lines(received);
  REQUIRE(lines.size() >= 4);
  dom::parser parser;
  dom::element doc;
  // Complete lines of the first batch, one torn line, then the whole second batch.
  for (size_t i = 0; i + 4 < lines.size(); ++i) {
    REQUIRE(parser.parse(lines[i]).get(doc) == simdjson::SUCCESS);
    CHECK(uint64_t(SpanId::from_hex(std::string_view(doc["span_id"]))->value) == i + 1);
  }
  CHECK(parser.parse(lines[lines.size() - 4]).error() != simdjson::SUCCESS);
  std::string tail;
  for (size_t i = lines.size() - 3; i < lines.size(); ++i)
    tail += lines[i] + "\n";
  check_jsonl(tail, 5000, 3, "svc");
}

TEST_CASE("ostream_exporter writes JSON Lines and reports stream failures", "[exporters]") {
  std::ostringstream os;
  auto exporter = hotspan::ostream_exporter(os);  // jsonl by default
  exporter->start(resource("svc"));
  Batch batch(4, 100);
  CHECK(exporter->export_batch(batch.records));
  CHECK(exporter->flush());
  check_jsonl(os.str(), 100, 4, "svc");
  CHECK(exporter->bytes_written() == os.str().size());

  const uint64_t bytes_before = exporter->bytes_written();
  os.setstate(std::ios::badbit);
  CHECK_FALSE(exporter->export_batch(batch.records));
  CHECK(exporter->bytes_written() == bytes_before);
  CHECK_FALSE(exporter->flush());

  os.clear();  // the application repaired the stream: later batches go through
  Batch more(1, 200);
  CHECK(exporter->export_batch(more.records));
  CHECK(exporter->flush());
  exporter->shutdown();
  const std::string contents = os.str();
  check_jsonl(contents.substr(0, bytes_before), 100, 4, "svc");
  check_jsonl(contents.substr(bytes_before), 200, 1, "svc");
}

TEST_CASE("ostream_exporter catches exceptions of a stream that throws", "[exporters]") {
  RefusingBuf buf;
  std::ostream os(&buf);
  os.exceptions(std::ios::badbit | std::ios::failbit);
  auto exporter = hotspan::ostream_exporter(os, Format::jsonl);
  exporter->start(resource("svc"));
  Batch batch(2);
  bool ok = true;
  CHECK_NOTHROW(ok = exporter->export_batch(batch.records));
  CHECK_FALSE(ok);
  CHECK(exporter->bytes_written() == 0);
  CHECK_NOTHROW(ok = exporter->flush());
  CHECK_FALSE(ok);
  CHECK_NOTHROW(exporter->shutdown());
}

TEST_CASE("multi_exporter fans out to every child", "[exporters][multi]") {
  std::ostringstream a, b;
  auto multi = hotspan::multi_exporter(
      {hotspan::ostream_exporter(a, Format::jsonl), hotspan::ostream_exporter(b, Format::jsonl)});
  multi->start(resource("fan"));
  Batch batch(6, 1);
  CHECK(multi->export_batch(batch.records));
  CHECK(multi->flush());
  multi->shutdown();
  check_jsonl(a.str(), 1, 6, "fan");
  CHECK(a.str() == b.str());
  CHECK(multi->bytes_written() == a.str().size() + b.str().size());
}

TEST_CASE("multi_exporter: one failing or throwing child fails the batch only", "[multi]") {
  auto good = std::make_shared<FakeExporter>(FakeExporter::Mode::succeed);
  auto failing = std::make_shared<FakeExporter>(FakeExporter::Mode::fail);
  auto throwing = std::make_shared<FakeExporter>(FakeExporter::Mode::throw_);
  auto last = std::make_shared<FakeExporter>(FakeExporter::Mode::succeed);
  good->bytes = 10;
  failing->bytes = 20;
  last->bytes = 5;
  Batch batch(3);

  auto multi = hotspan::multi_exporter({good, failing, throwing, last});
  multi->start(resource("svc"));
  for (const auto& child : {good, failing, throwing, last})
    CHECK(child->service == "svc");

  bool ok = true;
  CHECK_NOTHROW(ok = multi->export_batch(batch.records));
  CHECK_FALSE(ok);
  for (const auto& child : {good, failing, throwing, last}) {
    CHECK(child->batches == 1);  // everyone got the batch despite the failures
    CHECK(child->spans == 3);
  }
  CHECK_NOTHROW(ok = multi->flush());
  CHECK_FALSE(ok);
  CHECK(last->flushes == 1);
  CHECK_NOTHROW(multi->shutdown());
  for (const auto& child : {good, failing, throwing, last})
    CHECK(child->shutdowns == 1);
  CHECK(multi->bytes_written() == 35);

  auto only_good = hotspan::multi_exporter({good, last});
  CHECK(only_good->export_batch(batch.records));
  CHECK(only_good->flush());
  CHECK(good->batches == 2);

  auto only_failing = hotspan::multi_exporter({failing});
  CHECK_FALSE(only_failing->export_batch(batch.records));

  auto empty = hotspan::multi_exporter({});
  CHECK(empty->export_batch(batch.records));
  CHECK(empty->bytes_written() == 0);
}

TEST_CASE("multi_exporter: start reaches every child, then reports a failure", "[multi]") {
  auto first = std::make_shared<FakeExporter>(FakeExporter::Mode::succeed);
  auto second = std::make_shared<FakeExporter>(FakeExporter::Mode::succeed);
  first->throw_on_start = true;
  auto multi = hotspan::multi_exporter({first, second});
  CHECK_THROWS_WITH(multi->start(resource("svc")), "start failed");
  CHECK(second->service == "svc");
}

TEST_CASE("multi_exporter rejects null children", "[multi]") {
  CHECK_THROWS_AS(hotspan::multi_exporter({hotspan::noop_exporter(), nullptr}),
                  std::invalid_argument);
  CHECK_THROWS_WITH(hotspan::multi_exporter({nullptr}), Catch::Contains("null"));
}
