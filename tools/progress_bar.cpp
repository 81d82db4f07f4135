// hotspan tool — the progress bar on stderr (see progress_bar.hpp).
#include "progress_bar.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <utility>

#include "text_output.hpp"

namespace hotspan::tool {
namespace {

constexpr uint64_t kMinimumBytes = uint64_t{8} << 20;
constexpr auto kRedrawInterval = std::chrono::milliseconds(100);

size_t terminal_columns() {
  winsize size{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col >= 40) return size.ws_col;
  return 80;
}

std::string mebibytes(uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.0f", static_cast<double>(bytes) / (1 << 20));
  return text;
}

}  // namespace

ProgressBar::ProgressBar(std::string label, std::optional<uint64_t> total_bytes)
    : _label(std::move(label)) {
  _enabled = total_bytes && *total_bytes > kMinimumBytes && ::isatty(STDERR_FILENO) == 1;
  if (_enabled) _total_bytes = *total_bytes;
}

void ProgressBar::redraw_if_due(uint64_t done_bytes) {
  const auto now = std::chrono::steady_clock::now();
  if (now - _last_draw < kRedrawInterval) return;
  _last_draw = now;
  done_bytes = std::min(done_bytes, _total_bytes);
  const double fraction = static_cast<double>(done_bytes) / static_cast<double>(_total_bytes);
  char numbers[64];
  std::snprintf(numbers, sizeof numbers, " %3.0f%%  %s/%s MiB", fraction * 100,
                mebibytes(done_bytes).c_str(), mebibytes(_total_bytes).c_str());

  // "label [=====>    ]  42%  113/270 MiB", within the terminal's width.
  const size_t columns = terminal_columns() - 1;
  const size_t bar_width = std::min<size_t>(30, columns / 3);
  const size_t used = bar_width + 3 + std::string_view(numbers).size();
  const size_t label_room = columns > used + 8 ? columns - used : 8;
  const std::string label = printable(_label, label_room - 1);
  const auto filled = static_cast<size_t>(fraction * static_cast<double>(bar_width));
  std::string line = "\r";
  line.append(label).append(" [").append(filled, '=');
  if (filled < bar_width) line.append(">").append(bar_width - filled - 1, ' ');
  line.append("]").append(numbers).append("\033[K");
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
  _drawn = true;
}

void ProgressBar::clear() {
  if (!_drawn) return;
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
  _drawn = false;
}

}  // namespace hotspan::tool
