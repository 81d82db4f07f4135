// Test support: running part of a test in a fork()ed child.
//
// The child runs a function and leaves with _exit() (no Catch2, no atexit
// handlers, no flushing of the parent's stdio buffers); the parent waits for
// it with a deadline, so that a child that hangs fails the test instead of
// hanging it, and is killed.
#pragma once

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <thread>

namespace hotspan_test {

// Forks; the child runs fn() and exits with its result. The parent gets the pid
// (-1 when fork failed).
template <class F>
pid_t fork_child(F&& fn) {
  std::fflush(nullptr);  // nothing buffered may be written twice
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(static_cast<int>(fn()));
  return pid;
}

// The child's wait status, or nothing if it did not end within `limit` (it is
// then killed and reaped).
inline std::optional<int> wait_for_child(pid_t pid, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0) return std::nullopt;
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace hotspan_test
