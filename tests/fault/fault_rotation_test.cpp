// Rotation under stress: several producer threads writing through a file
// exporter that rotates every few dozen kilobytes (every file whole, no span
// lost or written twice across files, the counters exact); a next file that
// cannot be opened (its directory removed, or a file where the directory
// should be): the batch is counted as failed and the exporter recovers once
// the directory is back; and a process killed with SIGKILL while it rotates:
// every file reads back, all but the last complete.
#include <signal.h>
#include <catch2/catch.hpp>
#include <hotspan/hotspan.hpp>
#include <hotspan/reader.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "forked_child.hpp"
#include "sanitizer_build.hpp"
#include "scratch_directory.hpp"
#include "sinks/rotating_file.hpp"
#include "trace_file.hpp"

using namespace hotspan;
using hotspan::detail::RotatedFileNames;
using hotspan_test::ScratchDirectory;
using Status = BinaryTraceReader::Status;

namespace {

uint64_t invariant_gap(const TracerStats& s) {
  return s.spans_sampled - (s.spans_exported + s.dropped_pool_exhausted + s.dropped_queue_full +
                            s.dropped_export_failed);
}

// The child of the kill test: records spans until it is killed, rotating every
// 4 KiB, keeping at most `max_files`.
int record_until_killed(const std::string& path, uint32_t max_files) {
  FileOptions fo;
  fo.rotate_bytes = 4096;
  fo.max_files = max_files;
  TracerOptions o;
  o.service_name = "doomed";
  o.exporter = file_exporter(path, Format::binary, fo);
  o.export_batch_size = 8;
  Tracer tracer(o);
  for (int64_t seq = 0;; ++seq) {
    Span s = tracer.start_span("doomed-span", SpanKind::client);
    s.set_attribute("seq", seq).set_attribute("payload", "some bytes to fill the frames");
  }
}

}  // namespace

TEST_CASE("rotation under load: every file whole, every span in exactly one file",
          "[rotation][fault]") {
  ScratchDirectory dir("rotation_load");
  const std::string path = dir.path + "/relay.bin";
  constexpr int kThreads = 4;
  const int per_thread = hotspan_test::scaled(5000, 1000);
  FileOptions fo;
  fo.rotate_bytes = 32 << 10;
  TracerOptions o;
  o.service_name = "load";
  o.exporter = file_exporter(path, Format::binary, fo);
  o.export_batch_size = 64;
  o.slot_bytes = 256;
  o.slots_per_thread = 8192;  // more than a thread ever holds: no pool drops
  Tracer tracer(o);

  std::mutex ids_mutex;
  std::set<uint64_t> produced;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<uint64_t> mine;
      mine.reserve(static_cast<size_t>(per_thread));
      for (int i = 0; i < per_thread; ++i) {
        Span s = tracer.start_span(i % 2 == 0 ? "even" : "odd");
        s.set_attribute("thread", int64_t{t}).set_attribute("i", int64_t{i});
        mine.push_back(s.context().span_id.value);
      }
      std::lock_guard lock(ids_mutex);
      produced.insert(mine.begin(), mine.end());
    });
  }
  for (auto& thread : threads)
    thread.join();
  tracer.shutdown();

  const TracerStats s = tracer.stats();
  CHECK(invariant_gap(s) == 0);
  CHECK(s.spans_sampled == uint64_t{kThreads} * static_cast<uint64_t>(per_thread));
  CHECK(s.spans_exported == s.spans_sampled);  // nothing dropped, so the sets must match
  const auto files = RotatedFileNames(path).list();
  REQUIRE(files.size() > 3);
  CHECK(s.files_rotated == files.size() - 1 + s.files_deleted);
  CHECK(s.files_deleted == 0);

  std::set<uint64_t> read_back;
  uint64_t spans = 0, bytes = 0;
  for (const auto& f : files) {
    const auto back = hotspan_test::read_binary_trace(f.path);
    INFO(f.path << ": " << back.message);
    CHECK(back.status == Status::complete);
    CHECK(back.declared_span_count == back.spans);
    CHECK(f.bytes <= fo.rotate_bytes + 83);
    spans += back.spans;
    bytes += f.bytes;
    read_back.insert(back.span_ids.begin(), back.span_ids.end());
  }
  CHECK(spans == s.spans_exported);  // no span twice (the set would hide it)
  CHECK(read_back == produced);
  CHECK(bytes == s.bytes_written);
}

TEST_CASE("rotation: a next file that cannot be opened fails its batch, counted, and recovers",
          "[rotation][fault]") {
  // Root ignores permission bits, so the directory is removed or replaced by a
  // file rather than made read-only.
  for (const bool replace_by_file : {false, true}) {
    ScratchDirectory dir(replace_by_file ? "rotation_enotdir" : "rotation_enoent");
    const std::string logs = dir.path + "/logs";
    std::filesystem::create_directory(logs);
    const std::string path = logs + "/relay.bin";
    FileOptions fo;
    fo.rotate_bytes = 1;  // a new file for every batch after the first
    TracerOptions o;
    o.service_name = "unlucky";
    o.exporter = file_exporter(path, Format::binary, fo);
    Tracer tracer(o);
    const auto one_span = [&tracer] {
      tracer.start_span("s").end();
      return tracer.flush();
    };
    REQUIRE(one_span());  // file 1

    std::filesystem::remove_all(logs);
    if (replace_by_file) std::ofstream(logs) << "a file where the directory was";
    CHECK_FALSE(one_span());
    CHECK_FALSE(one_span());
    TracerStats s = tracer.stats();
    CHECK(s.dropped_export_failed == 2);
    CHECK(s.spans_exported == 1);
    CHECK(s.files_rotated == 0);

    std::filesystem::remove_all(logs);
    std::filesystem::create_directory(logs);
    REQUIRE(one_span());  // the same number is tried again
    REQUIRE(one_span());
    tracer.shutdown();
    s = tracer.stats();
    CHECK(s.dropped_export_failed == 2);
    CHECK(s.spans_exported == 3);
    CHECK(s.files_rotated == 2);
    CHECK(invariant_gap(s) == 0);
    const auto files = RotatedFileNames(path).list();
    REQUIRE(files.size() == 2);
    CHECK(files[0].sequence == 2);
    CHECK(files[1].sequence == 3);
    for (const auto& f : files) {
      const auto back = hotspan_test::read_binary_trace(f.path);
      CHECK(back.status == Status::complete);
      CHECK(back.spans == 1);
      // The losses are in the stream of each later file.
      REQUIRE(back.recorded_losses.has_value());
      CHECK(back.recorded_losses->dropped_export_failed == 2);
    }
  }
}

TEST_CASE("a process killed while it rotates leaves every file readable", "[rotation][fault]") {
  if (hotspan_test::kThreadSanitizer) {
    WARN("skipped under ThreadSanitizer: the child would start threads after fork()");
    return;
  }
  // Kills after different numbers of files, one with retention deleting files
  // as it goes.
  struct Kill {
    size_t files;
    uint32_t max_files;
  };
  for (const Kill kill : {Kill{2, 0}, Kill{7, 0}, Kill{20, 0}, Kill{30, 5}}) {
    ScratchDirectory dir("rotation_kill_" + std::to_string(kill.files));
    const std::string path = dir.path + "/relay.bin";
    const pid_t pid =
        hotspan_test::fork_child([&] { return record_until_killed(path, kill.max_files); });
    REQUIRE(pid > 0);
    const RotatedFileNames names(path);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    const auto created = [&] {
      const auto files = names.list();
      return files.empty() ? 0 : files.back().sequence;
    };
    while (created() < kill.files && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    REQUIRE(::kill(pid, SIGKILL) == 0);
    const auto status = hotspan_test::wait_for_child(pid, std::chrono::seconds(30));
    REQUIRE(status.has_value());
    CHECK(WIFSIGNALED(*status));

    const auto files = names.list();
    INFO("killed after " << kill.files << " files; " << files.size() << " on disk");
    if (kill.max_files == 0) {
      REQUIRE(files.size() >= kill.files);
    } else {
      // Retention makes room before a file is opened: killed before the new
      // file has its name, one fewer is left.
      CHECK(files.size() <= kill.max_files);
      REQUIRE(files.size() >= kill.max_files - 1);
    }
    std::set<uint64_t> ids;
    uint64_t spans = 0;
    for (size_t i = 0; i < files.size(); ++i) {
      const auto back = hotspan_test::read_binary_trace(files[i].path);
      INFO(files[i].path << ": " << back.message);
      CHECK(back.status != Status::error);
      if (i + 1 < files.size()) {
        // Finished before the next one was opened: its end frame is there.
        CHECK(back.status == Status::complete);
        CHECK(back.declared_span_count == back.spans);
      } else {
        CHECK((back.status == Status::complete || back.status == Status::unclosed ||
               back.status == Status::truncated));
      }
      spans += back.spans;
      ids.insert(back.span_ids.begin(), back.span_ids.end());
    }
    CHECK(spans > 0);
    CHECK(ids.size() == spans);  // no span in two files
  }
}
