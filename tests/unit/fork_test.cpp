// fork() with a running tracer: the child's copy is inert (never hangs, never
// crashes), a new tracer in the child records normally, the parent carries on,
// and the two processes never draw the same ids.
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>
#include <hotspan/hotspan.hpp>
#include <hotspan/reader.hpp>

#include <cstdio>
#include <set>
#include <string>

#include "capture_exporter.hpp"

// ThreadSanitizer cannot follow a thread started in the child of a
// multi-threaded process ("starting new threads after multi-threaded fork is
// not supported"); under it, the child checks only the inherited tracer.
#if defined(__SANITIZE_THREAD__)
constexpr bool kChildMayStartThreads = false;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
constexpr bool kChildMayStartThreads = false;
#else
constexpr bool kChildMayStartThreads = true;
#endif
#else
constexpr bool kChildMayStartThreads = true;
#endif

using namespace hotspan;

TEST_CASE("fork: the child's inherited tracer is inert, a new one works, ids stay distinct",
          "[fork][lifetime]") {
  const std::string child_file = "/tmp/hotspan_fork_child_" + std::to_string(::getpid()) + ".bin";
  auto exporter = std::make_shared<hotspan_test::CaptureExporter>();
  TracerOptions o;
  o.exporter = exporter;
  Tracer tracer(o);
  for (int i = 0; i < 100; ++i)
    Span s = tracer.start_span("before-fork");
  Span open_across_fork = tracer.start_span("open-across-fork");
  REQUIRE(tracer.flush());

  int pipefd[2];
  REQUIRE(::pipe(pipefd) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // Child: plain checks, reported through the exit status (no Catch here).
    ::close(pipefd[0]);
    int failures = 0;
    {
      Span inert = tracer.start_span("in-child");
      failures += inert.is_recording() ? 1 : 0;
      open_across_fork.end();  // discarded: its exporter is the parent's
      failures += tracer.flush(std::chrono::milliseconds(100)) ? 1 : 0;  // returns at once
      tracer.shutdown();  // must not wait for or touch the parent's thread
    }
    if (kChildMayStartThreads) {
      TracerOptions child_options;
      child_options.exporter = file_exporter(child_file);
      Tracer child_tracer(child_options);
      for (int i = 0; i < 200; ++i) {
        Span s = child_tracer.start_span("child-span");
        const uint64_t id = s.context().span_id.value;
        if (::write(pipefd[1], &id, sizeof(id)) != sizeof(id)) ++failures;
      }
      failures += child_tracer.flush() ? 0 : 1;
    }
    ::close(pipefd[1]);
    ::_exit(failures == 0 ? 0 : 10 + failures);
  }
  ::close(pipefd[1]);
  // Parent: keep tracing while the child runs.
  std::set<uint64_t> parent_ids;
  for (int i = 0; i < 200; ++i) {
    Span s = tracer.start_span("parent-after-fork");
    parent_ids.insert(s.context().span_id.value);
  }
  std::set<uint64_t> child_ids;
  uint64_t id;
  while (::read(pipefd[0], &id, sizeof(id)) == sizeof(id))
    child_ids.insert(id);
  ::close(pipefd[0]);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  if (kChildMayStartThreads) {
    CHECK(child_ids.size() == 200);
    for (uint64_t c : child_ids)
      CHECK(parent_ids.count(c) == 0);

    auto reader = BinaryTraceReader::open(child_file);
    uint64_t n = 0;
    while (reader->next())
      ++n;
    CHECK(n == 200);
    CHECK(reader->status() == BinaryTraceReader::Status::complete);
    std::remove(child_file.c_str());
  }

  open_across_fork.end();
  REQUIRE(tracer.flush());
  auto st = tracer.stats();
  CHECK(st.spans_exported == 100 + 1 + 200);
  hotspan_test::require_invariant(st);
}
