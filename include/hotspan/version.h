/* hotspan — the library version, as preprocessor macros usable from C and C++.
 *
 * HOTSPAN_VERSION encodes major.minor.patch as major * 10000 + minor * 100 + patch
 * (0.1.0 is 100), for compile-time checks such as
 *   #if HOTSPAN_VERSION >= HOTSPAN_VERSION_ENCODE(0, 2, 0)
 * The version of the library actually linked is hotspan_version() (hotspan.h).
 * CMake checks at configure time that these numbers match the project version. */
#ifndef HOTSPAN_VERSION_H
#define HOTSPAN_VERSION_H

#define HOTSPAN_VERSION_MAJOR 0
#define HOTSPAN_VERSION_MINOR 1
#define HOTSPAN_VERSION_PATCH 0

#define HOTSPAN_VERSION_ENCODE(major, minor, patch) ((major)*10000 + (minor)*100 + (patch))
#define HOTSPAN_VERSION \
  HOTSPAN_VERSION_ENCODE(HOTSPAN_VERSION_MAJOR, HOTSPAN_VERSION_MINOR, HOTSPAN_VERSION_PATCH)

#define HOTSPAN_VERSION_TEXT_(x) #x
#define HOTSPAN_VERSION_TEXT(x) HOTSPAN_VERSION_TEXT_(x)
/* "0.1.0" */
#define HOTSPAN_VERSION_STRING                \
  HOTSPAN_VERSION_TEXT(HOTSPAN_VERSION_MAJOR) \
  "." HOTSPAN_VERSION_TEXT(HOTSPAN_VERSION_MINOR) "." HOTSPAN_VERSION_TEXT(HOTSPAN_VERSION_PATCH)

#endif /* HOTSPAN_VERSION_H */
