// hotspan — fan-out exporter: every call goes to each child exporter, in order.
//
// A batch counts as exported only if every child took it. One child failing or
// throwing does not stop the others from getting the batch (a full disk must not
// also silence the stdout exporter); its exception is swallowed and counted as
// that child's failure, as the tracer would have done for a lone exporter.
#include <cstdint>
#include <exception>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "hotspan/exporter.hpp"

namespace hotspan {
namespace detail {
namespace {

class MultiExporter final : public Exporter {
 public:
  explicit MultiExporter(std::vector<std::shared_ptr<Exporter>> children)
      : _children(std::move(children)) {
    for (size_t i = 0; i < _children.size(); ++i) {
      if (!_children[i]) {
        throw std::invalid_argument("hotspan: multi_exporter: exporter #" + std::to_string(i) +
                                    " is null");
      }
    }
  }

  // Every child is started even if one throws; the first exception is then
  // rethrown, since a child that could not start is a configuration error.
  void start(const Resource& resource) override {
    std::exception_ptr first_error;
    for (const auto& child : _children) {
      try {
        child->start(resource);
      } catch (...) {
        if (!first_error) first_error = std::current_exception();
      }
    }
    if (first_error) std::rethrow_exception(first_error);
  }

  bool export_batch(std::span<const SpanRecord> records) override {
    bool ok = true;
    for (const auto& child : _children) {
      try {
        ok = child->export_batch(records) && ok;
      } catch (...) {
        ok = false;
      }
    }
    return ok;
  }

  void on_drops(const TracerStats& stats) override {
    for (const auto& child : _children) {
      try {
        child->on_drops(stats);
      } catch (...) {  // informational: a child that cannot record losses loses nothing else
      }
    }
  }

  bool flush() override {
    bool ok = true;
    for (const auto& child : _children) {
      try {
        ok = child->flush() && ok;
      } catch (...) {
        ok = false;
      }
    }
    return ok;
  }

  // Called from the tracer's shutdown, which cannot report errors: every child
  // gets its chance to close regardless.
  void shutdown() override {
    for (const auto& child : _children) {
      try {
        child->shutdown();
      } catch (...) {
      }
    }
  }

  uint64_t bytes_written() const noexcept override { return sum(&Exporter::bytes_written); }

  // A span lost by two children counts twice here; TracerStats caps the total
  // at the spans exported.
  uint64_t spans_failed_after_export() const noexcept override {
    return sum(&Exporter::spans_failed_after_export);
  }

  uint64_t files_rotated() const noexcept override { return sum(&Exporter::files_rotated); }
  uint64_t files_deleted() const noexcept override { return sum(&Exporter::files_deleted); }

 private:
  // One of the children's counters, summed.
  uint64_t sum(uint64_t (Exporter::*counter)() const noexcept) const noexcept {
    uint64_t total = 0;
    for (const auto& child : _children)
      total += (*child.*counter)();
    return total;
  }

  std::vector<std::shared_ptr<Exporter>> _children;
};

}  // namespace
}  // namespace detail

std::shared_ptr<Exporter> multi_exporter(std::vector<std::shared_ptr<Exporter>> exporters) {
  return std::make_shared<detail::MultiExporter>(std::move(exporters));
}

}  // namespace hotspan
