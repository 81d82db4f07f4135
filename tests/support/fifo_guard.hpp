// Test support: calling something that opens a FIFO for writing, which could
// block until a reader comes, without letting it hang the test.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <string>
#include <utility>

namespace hotspan_test {

// Runs call() on another thread and returns whether it finished within
// `limit`. If it did not, the FIFO at `fifo` is opened for reading, which
// releases an open() blocked on it, and call() is waited for.
template <class Call>
bool finishes_in_time(Call&& call, const std::string& fifo,
                      std::chrono::milliseconds limit = std::chrono::seconds(5)) {
  auto running = std::async(std::launch::async, std::forward<Call>(call));
  if (running.wait_for(limit) == std::future_status::ready) return true;
  const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  running.wait();
  if (reader >= 0) ::close(reader);
  return false;
}

}  // namespace hotspan_test
