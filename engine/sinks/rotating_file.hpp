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
// * A later file is created under a hidden name (".relay.000002....bin"),
//   given its header, then renamed: a process killed at any point leaves no
//   empty file under the pattern, which a reader would take for no trace at
//   all. (The first file is opened by file_exporter() itself and, as without
//   rotation, is empty until the tracer starts.) A hidden file left by a kill
//   holds a header only; the next exporter of the pattern removes it.
// * Retention runs before a file is opened, counting that file in (as
//   rotate_bytes), so the limits hold even if the process dies right after.
//   It deletes only regular files of this exporter's own pattern in its
//   directory, oldest first; the file being written is not among them (it is
//   closed or not yet opened). It lists the directory each time (no state to
//   go stale when files are moved away by hand); rotations are rare enough.
//   One exporter per pattern and directory: two would number and delete each
//   other's files.
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
  // Where the file at `path` is written until its header is: the same name
  // with a '.' in front, hidden from globs and from list().
  static std::string opening_path(const std::string& path);
  // The regular files of this pattern in the directory, lowest number first;
  // `opening`: those of opening_path()s instead (left by a process killed
  // between creating a file and naming it). Empty when the directory cannot
  // be read.
  std::vector<File> list(bool opening = false) const;

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
  // Opens the next file under its opening_path(); stream_begun() names it.
  std::error_code open_sink() noexcept override;
  std::error_code stream_begun() noexcept override;

 private:
  // Opens `path` with the options' mode (std::system_error when it cannot).
  int open_file(const std::string& path);
  // Deletes the oldest files until they and one more file fit the limits.
  void apply_retention() noexcept;

  const RotatedFileNames _names;
  const FileOptions _options;
  uint64_t _next_sequence = 1;
  std::string _opening;  // the name of the file open_sink() opened
  std::chrono::steady_clock::time_point _opened_at;
  // Exporter thread only, as files_rotated() and files_deleted().
  uint64_t _files_rotated = 0;
  uint64_t _files_deleted = 0;
};

}  // namespace hotspan::detail
