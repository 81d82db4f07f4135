// Test support: everything written to stderr (fd 2, by any thread) while a
// StderrCapture lives, for the tests of warning lines.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <string>

namespace hotspan_test {

class StderrCapture {
 public:
  StderrCapture() {
    std::fflush(stderr);
    _saved = ::dup(2);
    _file = std::tmpfile();
    ::dup2(::fileno(_file), 2);
  }
  ~StderrCapture() {
    restore();
    if (_file != nullptr) std::fclose(_file);
  }
  StderrCapture(const StderrCapture&) = delete;
  StderrCapture& operator=(const StderrCapture&) = delete;

  // What was written; stderr is restored first.
  std::string text() {
    restore();
    std::rewind(_file);
    std::string out;
    for (int c = std::fgetc(_file); c != EOF; c = std::fgetc(_file))
      out.push_back(static_cast<char>(c));
    return out;
  }

 private:
  void restore() {
    if (_saved < 0) return;
    std::fflush(stderr);
    ::dup2(_saved, 2);
    ::close(_saved);
    _saved = -1;
  }
  int _saved = -1;
  std::FILE* _file = nullptr;
};

}  // namespace hotspan_test
