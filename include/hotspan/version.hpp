// hotspan — library version: the HOTSPAN_VERSION* macros (version.h) and the
// version string as a C++ constant.
#pragma once

#include "hotspan/version.h"

namespace hotspan {
inline constexpr const char* version_string = HOTSPAN_VERSION_STRING;
}
