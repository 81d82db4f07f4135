// hotspan — open_trace_file() (include/hotspan/exporter.hpp): the one way a
// file that holds trace data is opened, by file_exporter(), HOTSPAN_FILE, the C
// API and the hotspan tool's -o outputs alike.
//
// Why each flag: trace files hold peer addresses, so the path is written only
// if it is what it says. O_NOFOLLOW keeps a symbolic link planted at the path
// (in a shared directory such as /var/tmp) from redirecting the truncation or
// the creation to a file of the attacker's choosing. O_NONBLOCK keeps a FIFO
// whose reader is not there from blocking open() forever, which happens at
// start-up (file_exporter(), TracerOptions::from_env()) before any tracer
// exists: the application would hang. It is cleared again right after, so that
// the exporter thread waits for a slow reader rather than spin on EAGAIN.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <stdexcept>
#include <string>
#include <system_error>

#include "hotspan/exporter.hpp"

namespace hotspan {
namespace {

constexpr uint32_t kMaxMode = 0777;

std::string octal(uint32_t value) {
  char digits[16] = {'0'};
  const auto end = std::to_chars(digits + 1, digits + sizeof digits, value, 8).ptr;
  return std::string(digits, end);
}

// The error of a failed open: "hotspan: cannot open 'PATH' for writing", then
// why in words for the two refusals that strerror() leaves obscure ("Too many
// levels of symbolic links", "No such device or address").
std::system_error open_error(const std::string& path, int error) {
  std::string what = "hotspan: cannot open '";
  what.append(path).append("' for writing");
  struct stat st {};
  if (error == ELOOP && ::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
    what.append(": it is a symbolic link, never followed for trace data (name its target)");
  } else if (error == ENXIO && ::stat(path.c_str(), &st) == 0 && S_ISFIFO(st.st_mode)) {
    what.append(": it is a FIFO with no reader (start the reader first)");
  }
  return std::system_error(error, std::system_category(), what);
}

}  // namespace

int open_trace_file(const std::string& path, const FileOptions& options) {
  if (options.mode > kMaxMode) {
    throw std::invalid_argument(std::string("hotspan: FileOptions::mode ")
                                    .append(octal(options.mode))
                                    .append(" is not a set of permission bits (at most 0777)"));
  }
  const int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK |
                    (options.append ? O_APPEND : O_TRUNC);
  int fd;
  do {
    fd = ::open(path.c_str(), flags, static_cast<mode_t>(options.mode));
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) throw open_error(path, errno);
  const int status = ::fcntl(fd, F_GETFL);
  if (status < 0 || ::fcntl(fd, F_SETFL, status & ~O_NONBLOCK) < 0) {
    const int error = errno;
    ::close(fd);
    throw open_error(path, error);
  }
  return fd;
}

}  // namespace hotspan
