// hotspan — the file exporter with rotation and retention (FileOptions'
// rotate_bytes, rotate_interval, max_files, max_total_bytes).
//
// It writes a series of files next to the configured path, STEM.SEQUENCE.TIME.EXT
// ("relay.bin" -> "relay.000001.20261207T051900Z.bin"): the sequence number
// orders them (at least six digits, so that names also sort as text up to
// 999,999 files) and the UTC opening time tells a person which file to read.
// Numbering continues after the highest existing number, so a restarted
// process never truncates an earlier file.
//
// Guarantees, and what they cost:
// * Each file is a whole trace: SinkExporter ends it with the format's trailer
//   and begins the next with a fresh encoder (binary: header, its own string
//   table, end frame), so any one file can be read, copied or deleted alone.
//   The price is the header and the strings again in every file.
// * Rotation is decided between batches on the exporter thread: a producer
//   never waits for it, and no frame or line is split across files. So a file
//   may exceed rotate_bytes by a batch that did not fit an empty file.
// * Retention runs when a file is opened, and deletes only regular files of
//   this exporter's own pattern in its directory, oldest first, never the file
//   being written. It lists the directory each time (no state to go stale when
//   files are moved away by hand); rotations are rare enough for that.
// * A file that cannot be opened fails the batch (counted by the tracer as
//   dropped_export_failed); the next batch tries again with the same number.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hotspan/exporter.hpp"
#include "sinks/sink_exporter.hpp"

namespace hotspan::detail {

// The names of one rotating exporter's files.
class RotatedFileNames {
 public:
  // std::invalid_argument when `path` has no file name (ends with '/').
  explicit RotatedFileNames(const std::string& path);

  struct File {
    uint64_t sequence = 0;
    std::string path;
    uint64_t bytes = 0;
  };

  // The path of the file numbered `sequence`, opened at `opened`.
  std::string path(uint64_t sequence, std::chrono::system_clock::time_point opened) const;
  // The sequence number of a directory entry named `name` if it is of this
  // pattern.
  std::optional<uint64_t> sequence_of(std::string_view name) const;
  // The regular files of this pattern in the directory, lowest number first.
  // Empty when the directory cannot be read.
  std::vector<File> list() const;

 private:
  std::string _directory;  // "" for the working directory
  std::string _stem;       // "relay."
  std::string _extension;  // ".bin", or ""
};

class RotatingFileExporter final : public FdExporter {
 public:
  // Opens the first file (std::system_error when it cannot) and applies the
  // retention limits. `encoder` writes the first file, `make_encoder` gives
  // the encoder of each later one. `options.append` must be false.
  RotatingFileExporter(const std::string& path, std::unique_ptr<RecordEncoder> encoder,
                       std::unique_ptr<RecordEncoder> (*make_encoder)(),
                       const FileOptions& options);

  uint64_t files_rotated() const noexcept override { return _files_rotated; }
  uint64_t files_deleted() const noexcept override { return _files_deleted; }

 protected:
  bool stream_full(uint64_t stream_bytes, size_t block_bytes) noexcept override;
  std::error_code open_sink() noexcept override;

 private:
  // Opens the file numbered _next_sequence (std::system_error when it cannot).
  int open_next();
  void apply_retention() noexcept;

  const RotatedFileNames _names;
  const FileOptions _options;
  uint64_t _next_sequence;
  uint64_t _current_sequence = 0;
  std::chrono::steady_clock::time_point _opened_at;
  // Exporter thread only, as files_rotated() and files_deleted().
  uint64_t _files_rotated = 0;
  uint64_t _files_deleted = 0;
};

}  // namespace hotspan::detail
