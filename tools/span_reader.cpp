// hotspan tool — opening span files and loading their spans (see span_reader.hpp).
#include "span_reader.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>

#include "jsonl_span_reader.hpp"

namespace hotspan::tool {
namespace {

// Malformed records beyond this many are counted but not reported one by one.
constexpr uint64_t kReportedErrors = 20;

}  // namespace

std::unique_ptr<SpanReader> open_span_reader(const std::string& path) {
  if (path == "-") return make_jsonl_span_reader(std::make_unique<std::istream>(std::cin.rdbuf()));
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) {
    throw std::runtime_error("cannot read '" + path + "': it is a directory");
  }
  errno = 0;
  auto file = std::make_unique<std::ifstream>(path, std::ios::binary);
  if (!file->is_open()) {
    const int error = errno;
    throw std::runtime_error("cannot open '" + path +
                             "': " + (error != 0 ? std::strerror(error) : "unknown error"));
  }
  // The binary format, when it comes, is recognised here by its magic bytes.
  return make_jsonl_span_reader(std::move(file));
}

LoadedSpans load_spans(const std::string& path) {
  const std::string shown_path = path == "-" ? "stdin" : path;
  LoadedSpans loaded;
  std::unique_ptr<SpanReader> reader = open_span_reader(path);
  OwnedSpan span;
  std::string error;
  try {
    for (;;) {
      const ReadStatus status = reader->next(span, error);
      if (status == ReadStatus::end) break;
      if (status == ReadStatus::span) {
        loaded.spans.push_back(std::move(span));
        continue;
      }
      if (++loaded.malformed <= kReportedErrors) {
        std::cerr << "hotspan: " << shown_path << ": " << error << "\n";
      }
    }
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(shown_path + ": " + e.what());
  }
  if (loaded.malformed > kReportedErrors) {
    std::cerr << "hotspan: " << shown_path << ": " << loaded.malformed - kReportedErrors
              << " more malformed records not shown\n";
  }
  if (loaded.malformed > 0) {
    std::cerr << "hotspan: " << shown_path << ": " << loaded.malformed << " malformed "
              << (loaded.malformed == 1 ? "record" : "records") << " skipped\n";
  }
  if (loaded.spans.empty()) std::cerr << "hotspan: " << shown_path << ": no spans\n";
  return loaded;
}

}  // namespace hotspan::tool
