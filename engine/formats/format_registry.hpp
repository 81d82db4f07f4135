// hotspan — the one table of record formats: for each Format its name, a
// one-line description, whether a file of it can be appended to, and the
// factory of its encoder. The sinks (file, fd and ostream exporters), the
// environment (HOTSPAN_FORMAT), the C API and, through the public
// formats() / format_name() / format_from_name() of hotspan/exporter.hpp, the
// command-line tool all read it, so adding a format means an encoder, one
// entry here and a new enumerator (in C too: hotspan_format).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "formats/record_encoder.hpp"
#include "hotspan/exporter.hpp"

namespace hotspan::detail {

struct FormatEntry {
  FormatInfo info;
  std::unique_ptr<RecordEncoder> (*make_encoder)();
  // Why the format cannot hold a span or a resource, or empty; null for a
  // format that holds any (format_refusal() in hotspan/exporter.hpp).
  std::string (*span_refusal)(const SpanRecord&) = nullptr;
  std::string (*resource_refusal)(const Resource&) = nullptr;
};

// Every entry, in the order of the enumerators.
std::span<const FormatEntry> format_registry() noexcept;
// The entry of `format`; null for a value that is no enumerator.
const FormatEntry* find_format(Format format) noexcept;

// The canonical names for a message: "binary, jsonl, otlp_json or chrome_json"
// (`only_appendable`: the formats a file can be appended to).
std::string format_name_list(bool only_appendable = false);

// `format`'s encoder; std::invalid_argument naming `exporter_name` for a value
// that is no format.
std::unique_ptr<RecordEncoder> make_encoder(Format format, std::string_view exporter_name);

}  // namespace hotspan::detail
