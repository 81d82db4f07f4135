// hotspan tool — the files that a command's FILE arguments name (see
// input_set.hpp).
#include "input_set.hpp"

#include <dirent.h>
#include <glob.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "command.hpp"
#include "input_file.hpp"

namespace hotspan::tool {
namespace {

bool is_directory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

// Every regular file of `directory` but the hidden ones (a rotating exporter's
// file being opened is hidden), in natural order.
std::vector<std::string> directory_files(const std::string& directory) {
  DIR* dir = ::opendir(directory.c_str());
  if (dir == nullptr) {
    throw std::runtime_error("cannot read the directory '" + directory +
                             "': " + std::strerror(errno));
  }
  const std::string prefix = directory.ends_with('/') ? directory : directory + "/";
  std::vector<std::string> files;
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    const std::string path = prefix + entry->d_name;
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) files.push_back(path);
  }
  ::closedir(dir);
  if (files.empty()) throw std::runtime_error("the directory '" + directory + "' holds no files");
  std::sort(files.begin(), files.end(), natural_less);
  return files;
}

std::vector<std::string> glob_files(const std::string& pattern) {
  glob_t found{};
  const int status = ::glob(pattern.c_str(), 0, nullptr, &found);
  std::vector<std::string> files;
  if (status == 0) {
    for (size_t i = 0; i < found.gl_pathc; ++i) {
      if (!is_directory(found.gl_pathv[i])) files.emplace_back(found.gl_pathv[i]);
    }
  }
  ::globfree(&found);
  if (files.empty()) throw std::runtime_error("no file matches '" + pattern + "'");
  std::sort(files.begin(), files.end(), natural_less);
  return files;
}

}  // namespace

bool natural_less(const std::string& a, const std::string& b) noexcept {
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (digit(a[i]) && digit(b[j])) {
      size_t i_end = i, j_end = j;
      while (i_end < a.size() && digit(a[i_end]))
        ++i_end;
      while (j_end < b.size() && digit(b[j_end]))
        ++j_end;
      // Leading zeros aside, the longer run is the larger number.
      size_t i_start = i, j_start = j;
      while (i_start + 1 < i_end && a[i_start] == '0')
        ++i_start;
      while (j_start + 1 < j_end && b[j_start] == '0')
        ++j_start;
      const std::string_view x(a.data() + i_start, i_end - i_start);
      const std::string_view y(b.data() + j_start, j_end - j_start);
      if (x.size() != y.size()) return x.size() < y.size();
      if (x != y) return x < y;
      i = i_end;
      j = j_end;
      continue;
    }
    if (a[i] != b[j]) return a[i] < b[j];
    ++i;
    ++j;
  }
  return a.size() - i < b.size() - j;
}

InputSet::InputSet(std::span<const std::string> arguments) {
  if (arguments.empty()) throw UsageError("missing FILE");
  for (const std::string& argument : arguments) {
    if (argument == "-") {
      if (std::find(_paths.begin(), _paths.end(), "-") != _paths.end()) {
        throw UsageError("stdin ('-') can be read only once");
      }
      _paths.push_back(argument);
    } else if (is_directory(argument)) {
      const std::vector<std::string> files = directory_files(argument);
      _paths.insert(_paths.end(), files.begin(), files.end());
    } else if (!exists(argument) && argument.find_first_of("*?[") != std::string::npos) {
      const std::vector<std::string> files = glob_files(argument);
      _paths.insert(_paths.end(), files.begin(), files.end());
    } else {
      _paths.push_back(argument);
    }
  }
  for (const std::string& path : _paths) {
    if (path != "-") InputFile probe(path);  // throws naming the path
  }
}

ReadResult InputSet::read(const std::function<void(const SpanReader&)>& on_span,
                          Reporting reporting) const {
  ReadResult total;
  for (const std::string& path : _paths) {
    InputFile input(path);
    total.append(read_spans(input, on_span, reporting));
  }
  return total;
}

std::string InputSet::name() const {
  if (_paths.size() != 1) return std::to_string(_paths.size()) + " files";
  return _paths.front() == "-" ? "stdin" : _paths.front();
}

bool InputSet::rereadable() const noexcept {
  return std::find(_paths.begin(), _paths.end(), "-") == _paths.end();
}

}  // namespace hotspan::tool
