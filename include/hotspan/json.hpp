// hotspan — the JSON text primitives hotspan's JSON formats are written with,
// for programs that put span data into JSON of their own.
//
// Both append to a caller-owned string. The output is strict RFC 8259 whatever
// the input: control characters, '"', '\' and DEL are escaped, invalid UTF-8
// becomes U+FFFD (one per maximal subpart), and non-finite doubles become the
// strings "NaN", "Infinity" and "-Infinity", because JSON has no literal for
// them (docs/FORMATS_JSON.md).
#pragma once

#include <string>
#include <string_view>

#include "hotspan/export.h"

namespace hotspan {

// `text` as a quoted JSON string.
HOTSPAN_API void append_json_string(std::string& out, std::string_view text);
// A finite value in its shortest round-trip form, with ".0" added to an
// integral one so that a reader gets a double back; otherwise the quoted
// "NaN", "Infinity" or "-Infinity".
HOTSPAN_API void append_json_number(std::string& out, double value);

}  // namespace hotspan
