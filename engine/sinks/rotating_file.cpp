// hotspan — RotatedFileNames and RotatingFileExporter (see rotating_file.hpp).
#include "sinks/rotating_file.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <exception>
#include <stdexcept>
#include <system_error>

namespace hotspan::detail {
namespace {

constexpr int kSequenceDigits = 6;
constexpr std::string_view kTimeShape =
    "dddddddd"
    "T"
    "dddddd"
    "Z";  // d: a digit

bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

}  // namespace

// ------------------------------------------------------------ RotatedFileNames

RotatedFileNames::RotatedFileNames(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  if (name.empty()) {
    throw std::invalid_argument("hotspan: file_exporter needs a file name, not '" + path + "'");
  }
  if (slash != std::string::npos) _directory = path.substr(0, slash + 1);  // with its '/'
  // The extension starts at the last '.' that does not open the name (".trace"
  // is a stem).
  const size_t dot = name.rfind('.');
  const bool has_extension = dot != std::string::npos && dot != 0;
  _stem = (has_extension ? name.substr(0, dot) : name) + ".";
  if (has_extension) _extension = name.substr(dot);
}

std::string RotatedFileNames::path(uint64_t sequence,
                                   std::chrono::system_clock::time_point opened) const {
  char number[24];
  std::snprintf(number, sizeof number, "%0*llu", kSequenceDigits,
                static_cast<unsigned long long>(sequence));
  const std::time_t seconds = std::chrono::system_clock::to_time_t(opened);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char time[32];
  std::strftime(time, sizeof time, "%Y%m%dT%H%M%SZ", &utc);
  return _directory + _stem + number + "." + time + _extension;
}

std::optional<uint64_t> RotatedFileNames::sequence_of(std::string_view name) const {
  // The stem and the extension may not overlap ("relay.bin" has both).
  if (name.size() < _stem.size() + _extension.size() || !name.starts_with(_stem) ||
      !name.ends_with(_extension)) {
    return std::nullopt;
  }
  name.remove_prefix(_stem.size());
  name.remove_suffix(_extension.size());
  // SEQUENCE "." TIME
  const size_t dot = name.find('.');
  if (dot == 0 || dot == std::string_view::npos) return std::nullopt;
  const std::string_view digits = name.substr(0, dot);
  const std::string_view time = name.substr(dot + 1);
  if (time.size() != kTimeShape.size()) return std::nullopt;
  for (size_t i = 0; i < time.size(); ++i) {
    if (kTimeShape[i] == 'd' ? !is_digit(time[i]) : time[i] != kTimeShape[i]) return std::nullopt;
  }
  uint64_t sequence = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), sequence);
  if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return sequence;
}

std::string RotatedFileNames::opening_path(const std::string& path) {
  const size_t slash = path.rfind('/');
  const size_t name = slash == std::string::npos ? 0 : slash + 1;
  return path.substr(0, name) + "." + path.substr(name);
}

std::vector<RotatedFileNames::File> RotatedFileNames::list(bool opening) const {
  std::vector<File> files;
  const std::string directory = _directory.empty() ? "." : _directory;
  DIR* dir = ::opendir(directory.c_str());
  if (dir == nullptr) return files;
  while (const dirent* entry = ::readdir(dir)) {
    std::string_view name = entry->d_name;
    if (opening) {
      if (!name.starts_with('.')) continue;
      name.remove_prefix(1);
    }
    const std::optional<uint64_t> sequence = sequence_of(name);
    if (!sequence) continue;
    File file{*sequence, _directory + entry->d_name, 0};
    struct stat st {};
    // lstat: a symbolic link or a directory of the same shape is not ours.
    if (::lstat(file.path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    file.bytes = static_cast<uint64_t>(st.st_size);
    files.push_back(std::move(file));
  }
  ::closedir(dir);
  std::sort(files.begin(), files.end(),
            [](const File& a, const File& b) { return a.sequence < b.sequence; });
  return files;
}

// -------------------------------------------------------- RotatingFileExporter

RotatingFileExporter::RotatingFileExporter(const std::string& path,
                                           std::unique_ptr<RecordEncoder> encoder,
                                           std::unique_ptr<RecordEncoder> (*make_encoder)(),
                                           const FileOptions& options)
    : FdExporter(-1, /*owned=*/true, std::move(encoder), make_encoder),
      _names(path),
      _options(options) {
  // A hidden file of the pattern was left by a process killed while opening
  // it: it holds a header and no span.
  for (const RotatedFileNames::File& file : _names.list(/*opening=*/true))
    ::unlink(file.path.c_str());
  const std::vector<RotatedFileNames::File> existing = _names.list();
  if (!existing.empty()) _next_sequence = existing.back().sequence + 1;
  apply_retention();
  adopt(open_file(_names.path(_next_sequence, std::chrono::system_clock::now())));
  ++_next_sequence;
}

bool RotatingFileExporter::stream_full(uint64_t stream_bytes, size_t block_bytes) noexcept {
  if (_options.rotate_bytes != 0 && stream_bytes + block_bytes > _options.rotate_bytes) return true;
  return _options.rotate_interval.count() != 0 &&
         std::chrono::steady_clock::now() - _opened_at >= _options.rotate_interval;
}

std::error_code RotatingFileExporter::open_sink() noexcept {
  try {
    apply_retention();
    _opening = _names.path(_next_sequence, std::chrono::system_clock::now());
    adopt(open_file(RotatedFileNames::opening_path(_opening)));
  } catch (const std::system_error& e) {
    return e.code();
  } catch (const std::exception&) {
    return std::make_error_code(std::errc::not_enough_memory);
  }
  return {};
}

std::error_code RotatingFileExporter::stream_begun() noexcept {
  try {
    const std::string hidden = RotatedFileNames::opening_path(_opening);
    if (::rename(hidden.c_str(), _opening.c_str()) != 0) {
      const int error = errno;
      ::unlink(hidden.c_str());  // the batch is counted as failed; no span is in it
      return {error, std::system_category()};
    }
  } catch (const std::exception&) {
    return std::make_error_code(std::errc::not_enough_memory);
  }
  ++_next_sequence;
  ++_files_rotated;
  return {};
}

int RotatingFileExporter::open_file(const std::string& path) {
  FileOptions options;
  options.mode = _options.mode;
  const int fd = open_trace_file(path, options);
  _opened_at = std::chrono::steady_clock::now();
  return fd;
}

void RotatingFileExporter::apply_retention() noexcept {
  if (_options.max_files == 0 && _options.max_total_bytes == 0) return;
  try {
    const std::vector<RotatedFileNames::File> files = _names.list();
    // The file about to be opened counts as one file of rotate_bytes.
    uint64_t count = files.size() + 1;
    uint64_t total = _options.rotate_bytes;
    for (const RotatedFileNames::File& file : files)
      total += file.bytes;
    for (const RotatedFileNames::File& file : files) {
      if ((_options.max_files == 0 || count <= _options.max_files) &&
          (_options.max_total_bytes == 0 || total <= _options.max_total_bytes)) {
        break;
      }
      // A file that is already gone (removed by hand) no longer counts either.
      const bool removed = ::unlink(file.path.c_str()) == 0;
      if (removed) ++_files_deleted;
      if (removed || errno == ENOENT) {
        --count;
        total -= file.bytes;
      }
    }
  } catch (const std::exception&) {  // bad_alloc listing the directory: try at the next file
  }
}

}  // namespace hotspan::detail
