// hotspan — exporters: where finished spans go.
//
// Exporters run only on the tracer's exporter thread, one call at a time, so an
// implementation needs no locking of its own. export_batch() returning false or
// throwing counts the whole batch as dropped_export_failed; the engine carries on.
// An exporter instance belongs to one Tracer.
#pragma once

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hotspan/export.h"
#include "hotspan/span_record.hpp"
#include "hotspan/stats.hpp"

namespace hotspan {

// Who produced the spans: given to the exporter once, before the first batch.
struct Resource {
  std::string service_name;
  // Every resource attribute, "service.name" first, then TracerOptions::resource.
  std::vector<std::pair<std::string, std::string>> attributes;
  // The tracer's clock anchor: one Unix-epoch time and the CLOCK_MONOTONIC
  // time read together when the tracer started.
  uint64_t clock_anchor_unix_ns = 0;
  uint64_t clock_anchor_monotonic_ns = 0;
  uint32_t process_id = 0;
};

class HOTSPAN_API Exporter {
 public:
  virtual ~Exporter() = default;
  virtual void start(const Resource&) {}
  virtual bool export_batch(std::span<const SpanRecord>) = 0;  // false = failed (counted)
  // The tracer's counters, before a batch when any loss counter changed since
  // the last call, and once more before shutdown(): lets a format record
  // losses in its stream.
  virtual void on_drops(const TracerStats&) {}
  virtual bool flush() { return true; }
  virtual void shutdown() {}
  // Bytes handed to the sink so far (reported in TracerStats::bytes_written).
  virtual uint64_t bytes_written() const noexcept { return 0; }
  // Spans of batches export_batch() accepted that were lost afterwards (an
  // exporter that sends from a thread of its own and gives a request up):
  // TracerStats moves them from spans_exported to dropped_export_failed.
  // Monotonic. Like bytes_written(), read on the exporter thread only.
  virtual uint64_t spans_failed_after_export() const noexcept { return 0; }
  // Files finished and replaced by a new one, and files deleted by retention
  // limits (FileOptions), so far (TracerStats::files_rotated, files_deleted).
  // Monotonic; read on the exporter thread only.
  virtual uint64_t files_rotated() const noexcept { return 0; }
  virtual uint64_t files_deleted() const noexcept { return 0; }
};

enum class Format : uint8_t { binary, jsonl, otlp_json, chrome_json };

// What the library knows of each record format.
struct FormatInfo {
  Format format = Format::binary;
  // The canonical name: the enumerator's spelling ("otlp_json").
  std::string_view name;
  // One line for help texts.
  std::string_view description;
  // Whether FileOptions::append may write after an existing file's end (a
  // line format), or a file holds one stream of it.
  bool appendable = false;
};

// Every format, in the order of the enumerators (formats()[i].format is
// Format(i)).
HOTSPAN_API std::span<const FormatInfo> formats() noexcept;
// The canonical name of `format` ("binary", "jsonl", "otlp_json",
// "chrome_json"); empty for a value that is no enumerator.
HOTSPAN_API std::string_view format_name(Format format) noexcept;
// The format named `name`: its canonical name, or that name with hyphens for
// its underscores ("otlp-json", "chrome-json"). Case-sensitive; nullopt for
// anything else.
HOTSPAN_API std::optional<Format> format_from_name(std::string_view name) noexcept;
// Why `format` cannot hold `record` (the binary format's frame and reader
// limits), or an empty string when it can; every JSON format holds any span.
// A file exporter leaves such a span out and counts it as failed.
HOTSPAN_API std::string format_refusal(Format format, const SpanRecord& record);
// Why `format` cannot write `resource` at the start of its output (the binary
// header frame's limit), or an empty string when it can.
HOTSPAN_API std::string format_refusal(Format format, const Resource& resource);

// Discards everything (and reports success).
HOTSPAN_API std::shared_ptr<Exporter> noop_exporter();
// pretty: one human-readable line per span; otherwise JSON Lines. To stdout.
HOTSPAN_API std::shared_ptr<Exporter> stdout_exporter(bool pretty = true);
// How a trace file is opened (file_exporter, open_trace_file). Trace files hold
// peer addresses, so a new one is readable by its owner only by default.
struct FileOptions {
  // Permission bits of a file that open creates, at most 0777; the umask still
  // applies. An existing file keeps its own.
  uint32_t mode = 0600;
  // Write after the end of an existing file instead of truncating it. Only the
  // line formats (Format::jsonl, Format::otlp_json) can be appended to: a
  // binary or Chrome JSON file holds one stream.
  bool append = false;

  // Rotation and retention (file_exporter only; all off by default). With any
  // of the four set, the exporter never writes `path` itself but a series of
  // files next to it, named STEM.SEQUENCE.TIME.EXT: "relay.bin" becomes
  // "relay.000001.20261207T051900Z.bin" (a sequence number of at least six
  // digits, then the UTC time the file was opened). Numbering continues after
  // the highest sequence number of existing files of that pattern, so a
  // restart never overwrites one. Each file is a whole trace of its own (the
  // binary format's header, string table and end frame; a Chrome JSON
  // document; whole lines). A new file is begun only between batches, on the
  // exporter thread, and is written under a hidden name (".relay.000002...")
  // until it holds its header. Not combinable with `append`
  // (std::invalid_argument).
  //
  // A new file when the next batch would take the current one past this many
  // bytes (a file holds at least one batch, so a larger batch makes a larger
  // file; the format's closing, at most 83 bytes for the binary end frame,
  // comes on top). 0 = never.
  uint64_t rotate_bytes = 0;
  // A new file with the first batch after the current one has been open this
  // long (an idle tracer makes no empty files). 0 = never.
  std::chrono::milliseconds rotate_interval{0};
  // Before each file is opened, the oldest files of this exporter's pattern
  // in that directory (lowest sequence first) are deleted until, with the new
  // one, at most max_files remain, and their sizes, counting the new one as
  // rotate_bytes, add up to at most max_total_bytes. The file being written is
  // never deleted. 0 = unlimited.
  uint32_t max_files = 0;
  uint64_t max_total_bytes = 0;

  // Whether any of the rotation and retention options is set.
  bool rotates() const noexcept {
    return rotate_bytes != 0 || rotate_interval.count() != 0 || max_files != 0 ||
           max_total_bytes != 0;
  }
};

// Opens `path` for writing without ever following a symbolic link or waiting:
// a symbolic link at the path (even a dangling one) is refused, not followed,
// so nothing is created or truncated through it (ELOOP); a FIFO without a
// reader is refused at once (ENXIO) rather than blocking until one opens it;
// a file that does not exist is created with options.mode; an existing regular
// file is truncated unless options.append. A device (/dev/null) or a FIFO with
// a reader is written as it is. Throws std::system_error naming the path (and
// saying "symbolic link" or "FIFO with no reader" for those two cases), or
// std::invalid_argument for a mode over 0777. Returns a descriptor the caller
// owns: close-on-exec, its writes blocking.
HOTSPAN_API int open_trace_file(const std::string& path, const FileOptions& options = {});

// Writes spans to `path`, opened by open_trace_file() (created 0600, or
// truncated). Write errors (disk full, ...) fail the batch and are counted.
// With rotation (FileOptions::rotates()), a file that cannot be opened (disk
// full, directory removed) fails the batch, counted, and the next batch tries
// again; the first file is opened before file_exporter() returns, and its
// failure throws.
HOTSPAN_API std::shared_ptr<Exporter> file_exporter(const std::string& path,
                                                    Format = Format::binary);
// The same with other FileOptions; std::invalid_argument for `append` with a
// format that cannot be appended to, before the file is opened.
HOTSPAN_API std::shared_ptr<Exporter> file_exporter(const std::string& path, Format,
                                                    const FileOptions& options);
// The stream must outlive the Tracer's shutdown(), or, if that timed out, last
// until Tracer::exporter_stopped() is true.
HOTSPAN_API std::shared_ptr<Exporter> ostream_exporter(std::ostream&, Format = Format::jsonl);
// Forwards every call to each exporter in order; a batch succeeds only if it
// succeeded everywhere. Null entries throw std::invalid_argument.
HOTSPAN_API std::shared_ptr<Exporter> multi_exporter(std::vector<std::shared_ptr<Exporter>>);

}  // namespace hotspan
