// A disk that fills up in the middle of a frame and later has room again
// (docs/FORMAT.md, "Frames": the writer truncates the file back to the end of
// its last complete frame). The file size limit RLIMIT_FSIZE stands for the
// full disk: a write() past it is cut short at the limit, the next fails with
// EFBIG, exactly as a disk filling up mid-write. (/dev/full, covered by
// binary_format_test.cpp and exporters_test.cpp, refuses every byte; this is
// the partial write and the recovery after it.) Batches that fail are counted
// in dropped_export_failed; once the limit is lifted, later batches go through
// and the file reads back complete, with exactly the spans counted as exported.
#include <signal.h>
#include <sys/resource.h>
#include <catch2/catch.hpp>
#include <hotspan/hotspan.hpp>
#include <hotspan/reader.hpp>

#include <cstdint>
#include <filesystem>

#include "capture_exporter.hpp"
#include "trace_file.hpp"

using namespace hotspan;

namespace {

// Limits the size of files this process writes, for its lifetime. SIGXFSZ,
// which would kill the process, is ignored meanwhile so that write() fails
// with EFBIG instead.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(uint64_t bytes) {
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &_saved) == 0);
    _saved_handler = ::signal(SIGXFSZ, SIG_IGN);
    rlimit limited = _saved;
    limited.rlim_cur = static_cast<rlim_t>(bytes);
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &limited) == 0);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &_saved);
    ::signal(SIGXFSZ, _saved_handler);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit _saved{};
  sighandler_t _saved_handler = SIG_DFL;
};

void record(Tracer& tracer, int count, int64_t first_seq) {
  for (int i = 0; i < count; ++i)
    tracer.start_span("disk-span").set_attribute("seq", first_seq + i).set_attribute("pad", "x");
}

}  // namespace

TEST_CASE("a disk full in mid-frame, then free again: failed batches counted, file whole",
          "[fault][disk]") {
  constexpr uint64_t kRoom = 1000;
  hotspan_test::ScratchFile file("disk_full.bin");
  TracerOptions o;
  o.exporter = file_exporter(file.path, Format::binary);
  o.export_batch_size = 16;
  Tracer tracer(o);

  record(tracer, 100, 0);
  REQUIRE(tracer.flush());
  const uint64_t size_before = std::filesystem::file_size(file.path);
  REQUIRE(tracer.stats().spans_exported == 100);

  uint64_t size_when_full = 0;
  {
    // Room for about one more frame of 16 spans (~650 bytes): the one after it
    // is cut in the middle.
    FileSizeLimit full(size_before + kRoom);
    record(tracer, 200, 100);
    CHECK_FALSE(tracer.flush());  // the sink failed: flush says so
    size_when_full = std::filesystem::file_size(file.path);
  }
  const TracerStats full = tracer.stats();
  INFO("file " << size_before << " bytes before, " << size_when_full << " when full; exported "
               << full.spans_exported << ", failed " << full.dropped_export_failed);
  CHECK(full.dropped_export_failed > 0);
  CHECK(full.spans_exported + full.dropped_export_failed == 300);
  // Nothing torn left behind: the file ends with its last complete frame.
  CHECK(size_when_full <= size_before + kRoom);
  const auto at_full = hotspan_test::read_binary_trace(file.path);
  CHECK(at_full.status == BinaryTraceReader::Status::unclosed);
  CHECK(at_full.spans == full.spans_exported);

  record(tracer, 100, 300);  // room again
  tracer.shutdown();
  const TracerStats st = tracer.stats();
  hotspan_test::require_invariant(st);
  CHECK(st.spans_exported == full.spans_exported + 100);
  CHECK(st.dropped_export_failed == full.dropped_export_failed);

  const auto back = hotspan_test::read_binary_trace(file.path);
  INFO(back.message);
  CHECK(back.status == BinaryTraceReader::Status::complete);
  CHECK(back.spans == st.spans_exported);
  CHECK(back.duplicate_ids() == 0);
  REQUIRE(back.recorded_losses.has_value());
  CHECK(back.recorded_losses->dropped_export_failed == st.dropped_export_failed);
}
