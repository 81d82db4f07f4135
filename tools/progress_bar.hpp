// hotspan tool — a progress bar on stderr while a large input is read.
//
// Shown only when stderr is a terminal and the input is a regular file of more
// than 8 MiB; based on the bytes consumed; redrawn at most ten times a second
// with '\r'; cleared when reading ends. update() is cheap enough to call once
// per span: it looks at the clock only every few hundred calls.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace hotspan::tool {

class ProgressBar {
 public:
  ProgressBar(std::string label, std::optional<uint64_t> total_bytes);
  ~ProgressBar() { clear(); }
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void update(uint64_t done_bytes) {
    if (_enabled && ++_calls % kCallsPerClockRead == 0) redraw_if_due(done_bytes);
  }
  // Erases the bar (idempotent).
  void clear();

 private:
  static constexpr uint64_t kCallsPerClockRead = 512;

  void redraw_if_due(uint64_t done_bytes);

  std::string _label;
  uint64_t _total_bytes = 0;
  bool _enabled = false;
  bool _drawn = false;
  uint64_t _calls = 0;
  std::chrono::steady_clock::time_point _last_draw{};
};

}  // namespace hotspan::tool
