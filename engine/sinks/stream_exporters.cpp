// hotspan — exporters that encode batches and write them to a byte stream: a file
// or stdout (POSIX fd) or a std::ostream; plus the no-op exporter. The batch
// logic they share is sink_exporter.hpp's; a file with rotation or retention
// options is rotating_file.hpp's.
//
// Which encoder a Format has is formats/format_registry.hpp's table; a span
// that its format cannot hold is left out by the encoder, and counted by the sink.
#include <unistd.h>

#include <memory>
#include <ostream>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "formats/format_registry.hpp"
#include "formats/json/pretty_encoder.hpp"
#include "formats/record_encoder.hpp"
#include "hotspan/exporter.hpp"
#include "sinks/rotating_file.hpp"
#include "sinks/sink_exporter.hpp"

namespace hotspan {
namespace detail {
namespace {

class OstreamExporter final : public SinkExporter {
 public:
  OstreamExporter(std::ostream& os, std::unique_ptr<RecordEncoder> encoder) noexcept
      : SinkExporter(std::move(encoder)), _os(os) {}

 protected:
  std::error_code write_all(std::string_view bytes, size_t& written) noexcept override {
    try {
      if (_os.fail()) return std::make_error_code(std::errc::io_error);
      _os.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      if (_os.fail()) return std::make_error_code(std::errc::io_error);
      written = bytes.size();  // a stream cannot tell how much of a failed write got through
      return {};
    } catch (const std::exception&) {  // the stream's exceptions() mask, or its streambuf
      return std::make_error_code(std::errc::io_error);
    }
  }

  std::error_code flush_sink() noexcept override {
    try {
      _os.flush();
      return _os.fail() ? std::make_error_code(std::errc::io_error) : std::error_code{};
    } catch (const std::exception&) {
      return std::make_error_code(std::errc::io_error);
    }
  }

  // The stream is the caller's: flushed, never closed.
  std::error_code close_sink() noexcept override { return flush_sink(); }

 private:
  std::ostream& _os;
};

class NoopExporter final : public Exporter {
 public:
  bool export_batch(std::span<const SpanRecord> /*records*/) override { return true; }
};

}  // namespace

}  // namespace detail

std::shared_ptr<Exporter> noop_exporter() {
  return std::make_shared<detail::NoopExporter>();
}

std::shared_ptr<Exporter> stdout_exporter(bool pretty) {
  std::unique_ptr<detail::RecordEncoder> encoder =
      pretty ? detail::make_pretty_encoder()
             : detail::make_encoder(Format::jsonl, "stdout_exporter");
  return std::make_shared<detail::FdExporter>(STDOUT_FILENO, /*owned=*/false, std::move(encoder));
}

std::shared_ptr<Exporter> file_exporter(const std::string& path, Format format) {
  return file_exporter(path, format, FileOptions{});
}

std::shared_ptr<Exporter> file_exporter(const std::string& path, Format format,
                                        const FileOptions& options) {
  // Every check before the open, so that a rejected call leaves the file as it was.
  auto encoder = detail::make_encoder(format, "file_exporter");
  if (options.rotates()) {
    if (options.rotate_interval.count() < 0) {
      throw std::invalid_argument("hotspan: FileOptions::rotate_interval is negative");
    }
    if (options.append) {
      throw std::invalid_argument(
          "hotspan: file_exporter cannot append with rotation or retention options (each "
          "file is a new one; numbering continues after the existing files instead)");
    }
    return std::make_shared<detail::RotatingFileExporter>(
        path, std::move(encoder), detail::find_format(format)->make_encoder, options);
  }
  if (options.append && !detail::find_format(format)->info.appendable) {
    throw std::invalid_argument("hotspan: file_exporter cannot append " +
                                std::string(format_name(format)) +
                                " to a file (a file holds one such stream), only " +
                                detail::format_name_list(/*only_appendable=*/true));
  }
  const int fd = open_trace_file(path, options);
  try {
    return std::make_shared<detail::FdExporter>(fd, /*owned=*/true, std::move(encoder));
  } catch (...) {
    ::close(fd);
    throw;
  }
}

std::shared_ptr<Exporter> ostream_exporter(std::ostream& os, Format format) {
  return std::make_shared<detail::OstreamExporter>(
      os, detail::make_encoder(format, "ostream_exporter"));
}

}  // namespace hotspan
