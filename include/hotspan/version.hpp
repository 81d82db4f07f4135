// hotspan — library version.
#pragma once

#define HOTSPAN_VERSION_MAJOR 0
#define HOTSPAN_VERSION_MINOR 1
#define HOTSPAN_VERSION_PATCH 0

namespace hotspan {
inline constexpr const char* version_string = "0.1.0";
}
