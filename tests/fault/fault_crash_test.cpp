// A process killed with SIGKILL while it writes a binary trace: the file it
// leaves reads back with every complete frame, each span well-formed and in
// the order it was written, and the reader says how the file ends — truncated
// (the kill fell inside a frame: "truncated after N spans") or unclosed (it
// fell between frames: no end frame) — never complete, never an error
// (docs/FORMAT.md, "Frames").
#include <signal.h>
#include <sys/stat.h>
#include <catch2/catch.hpp>
#include <hotspan/hotspan.hpp>
#include <hotspan/reader.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <variant>

#include "forked_child.hpp"
#include "sanitizer_build.hpp"
#include "trace_file.hpp"

using namespace hotspan;
using Status = BinaryTraceReader::Status;

namespace {

// The child: records spans into `path` as fast as it can until it is killed.
// Small batches, so that frames reach the file all the time.
int record_until_killed(const std::string& path) {
  TracerOptions o;
  o.service_name = "doomed";
  o.exporter = file_exporter(path, Format::binary);
  o.export_batch_size = 8;
  Tracer tracer(o);
  for (int64_t seq = 0;; ++seq) {
    Span s = tracer.start_span("doomed-span", SpanKind::client);
    s.set_attribute("seq", seq).set_attribute("payload", "some bytes to fill the frames");
    if (seq % 4 == 0) s.add_event("tick", {{"seq", seq}});
  }
}

uint64_t file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

}  // namespace

TEST_CASE("a process killed mid-write leaves a file whose complete frames all read back",
          "[fault][crash]") {
  // The child starts the tracer's exporter thread, which ThreadSanitizer does
  // not support in the child of a multi-threaded process (see fork_test.cpp).
  if (hotspan_test::kThreadSanitizer) {
    WARN("skipped under ThreadSanitizer: the child would start threads after fork()");
    return;
  }
  // Three kills at different points of the stream.
  for (const uint64_t kill_after : {16u << 10, 200u << 10, 1u << 20}) {
    hotspan_test::ScratchFile file("crash_" + std::to_string(kill_after) + ".bin");
    const pid_t pid = hotspan_test::fork_child([&] { return record_until_killed(file.path); });
    REQUIRE(pid > 0);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (file_size(file.path) < kill_after && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    const uint64_t size_at_kill = file_size(file.path);
    REQUIRE(::kill(pid, SIGKILL) == 0);
    const auto status = hotspan_test::wait_for_child(pid, std::chrono::seconds(30));
    REQUIRE(status.has_value());
    CHECK(WIFSIGNALED(*status));
    REQUIRE(size_at_kill >= kill_after);

    int64_t last_seq = -1;
    uint64_t malformed = 0, out_of_order = 0;
    const auto back = hotspan_test::read_binary_trace(file.path, [&](const SpanRecord& r) {
      const bool ids = r.trace_id.valid() && r.span_id.valid() && !r.parent_span_id.valid();
      const bool shape = r.name == "doomed-span" && r.kind == SpanKind::client &&
                         r.attributes.size() == 2 && r.attributes[0].key == "seq" &&
                         std::holds_alternative<int64_t>(r.attributes[0].value) &&
                         r.end_unix_ns >= r.start_unix_ns;
      if (!ids || !shape) {
        ++malformed;
        return;
      }
      // One producer thread: spans reach the file in the order they ended
      // (with gaps only where a span was dropped for want of a slot).
      const int64_t seq = std::get<int64_t>(r.attributes[0].value);
      if (seq <= last_seq) ++out_of_order;
      last_seq = seq;
      if (r.events.size() != (seq % 4 == 0 ? 1u : 0u)) ++malformed;
    });
    INFO("killed at " << size_at_kill << " bytes; " << file_size(file.path)
                      << " bytes on disk; reader: " << back.message);
    CHECK(back.spans > 0);
    CHECK(malformed == 0);
    CHECK(out_of_order == 0);
    CHECK(back.duplicate_ids() == 0);
    CHECK(!back.declared_span_count.has_value());
    if (back.status == Status::truncated) {
      CHECK(back.message.find("truncated after " + std::to_string(back.spans) + " spans") !=
            std::string::npos);
    } else {
      CHECK(back.status == Status::unclosed);
      CHECK(back.message.find("without an end frame") != std::string::npos);
    }
  }
}
