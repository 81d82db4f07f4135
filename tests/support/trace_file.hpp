// Test support: a binary trace file written by a test, and reading it back.
//
// ScratchFile names a file under /tmp unique to this process and removes it
// when it goes out of scope. read_binary_trace() reads a file with the public
// BinaryTraceReader and hands every record to a callback, then reports how the
// reading ended: a test asserts on the spans and on the reader's verdict
// (complete, unclosed, truncated or error) together.
#pragma once

#include <unistd.h>
#include <hotspan/reader.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace hotspan_test {

struct ScratchFile {
  explicit ScratchFile(const std::string& name)
      : path("/tmp/hotspan_fault_" + std::to_string(::getpid()) + "_" + name) {
    std::remove(path.c_str());
  }
  ~ScratchFile() { std::remove(path.c_str()); }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;
  std::string path;
};

struct BinaryReadBack {
  uint64_t spans = 0;
  std::vector<uint64_t> span_ids;  // in file order
  hotspan::BinaryTraceReader::Status status = hotspan::BinaryTraceReader::Status::reading;
  std::string message;
  std::optional<uint64_t> declared_span_count;
  std::optional<hotspan::RecordedLosses> recorded_losses;

  // Span ids that occur more than once.
  uint64_t duplicate_ids() const {
    std::vector<uint64_t> sorted = span_ids;
    std::sort(sorted.begin(), sorted.end());
    return static_cast<uint64_t>(sorted.end() - std::unique(sorted.begin(), sorted.end()));
  }
};

inline BinaryReadBack read_binary_trace(
    const std::string& path, const std::function<void(const hotspan::SpanRecord&)>& on_record = {},
    size_t expected_spans = 0) {
  BinaryReadBack out;
  out.span_ids.reserve(expected_spans);
  auto reader = hotspan::BinaryTraceReader::open(path);
  while (const hotspan::SpanRecord* r = reader->next()) {
    out.span_ids.push_back(r->span_id.value);
    if (on_record) on_record(*r);
  }
  out.spans = out.span_ids.size();
  out.status = reader->status();
  out.message = reader->message();
  out.declared_span_count = reader->declared_span_count();
  out.recorded_losses = reader->recorded_losses();
  return out;
}

}  // namespace hotspan_test
