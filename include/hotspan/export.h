/* hotspan — HOTSPAN_API, the symbol visibility of the public API (C and C++).
 *
 * The library is compiled with -fvisibility=hidden and -fvisibility-inlines-hidden.
 * libhotspan.so exports exactly the declarations marked HOTSPAN_API: the public
 * API, plus the few internals that the inline fast paths of the C++ headers read.
 *
 * libhotspan.a is compiled with HOTSPAN_STATIC defined, which makes HOTSPAN_API
 * empty: every symbol of the static library is hidden. A shared library that
 * links hotspan statically therefore exports none of it and keeps its own
 * private copy (its own thread-local state, its own tracers), even when another
 * shared library in the same process does the same.
 *
 * Consumers need not define anything: on a declaration the macro is harmless. */
#ifndef HOTSPAN_EXPORT_H
#define HOTSPAN_EXPORT_H

#if defined(HOTSPAN_STATIC)
#define HOTSPAN_API
#elif defined(__GNUC__) || defined(__clang__)
#define HOTSPAN_API __attribute__((visibility("default")))
#else
#define HOTSPAN_API
#endif

#endif /* HOTSPAN_EXPORT_H */
