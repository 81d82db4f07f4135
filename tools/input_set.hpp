// hotspan tool — the inputs of a command: every file its FILE arguments name,
// read one after the other as one input.
//
// An argument is "-" (stdin, at most once), a file, a directory (every regular
// file in it whose name does not start with '.'), or a glob(3) pattern the
// shell left alone (quoted: 'relay.*.bin') that names no file itself. The files
// of a directory or a pattern are taken in natural order — digit runs compared
// as numbers — so that the files of a rotating file_exporter
// (STEM.SEQUENCE.TIME.EXT) come in sequence order, which is time order, also
// past 999,999. A trace that spans two files is therefore read whole, in order.
//
// Files are opened one at a time while reading (a set of rotated files may be
// thousands long; each open input holds a 1 MiB buffer), but each is opened
// once by the constructor, so that a missing or unreadable input is reported
// before a command creates its output.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "read_spans.hpp"

namespace hotspan::tool {

class InputSet {
 public:
  // Throws UsageError when there is no argument or "-" is given twice, and
  // std::runtime_error naming an input that cannot be opened, an empty
  // directory or a pattern that matches nothing.
  explicit InputSet(std::span<const std::string> arguments);

  // The files, in reading order ("-" for stdin).
  const std::vector<std::string>& paths() const noexcept { return _paths; }
  // Reads every file in order with read_spans() (which reports on each by its
  // name) and sums the results: the spans, the malformed records, the bytes;
  // how the input ended is the worst of the files' ends, the resource and the
  // recorded losses are the last file's.
  ReadResult read(const std::function<void(const SpanReader&)>& on_span,
                  Reporting reporting = Reporting::full) const;
  // For messages: the one file's name ("stdin" for "-"), or "N files".
  std::string name() const;
  // Whether read() can run twice: stdin is not among the files.
  bool rereadable() const noexcept;

 private:
  std::vector<std::string> _paths;
};

// `a` before `b` in natural order: digit runs compare as numbers.
bool natural_less(const std::string& a, const std::string& b) noexcept;

}  // namespace hotspan::tool
