// Test support: which sanitizer, if any, this test binary was built with.
//
// Fault and stress tests scale their loops down under a sanitizer (which makes
// threads and allocations 5-20x slower) and skip what a sanitizer does not
// support (threads started in a fork()ed child of a multi-threaded process,
// under ThreadSanitizer). Each test says which it does and why.
// HOTSPAN_TEST_TSAN / HOTSPAN_TEST_ASAN are 1 under that sanitizer, for code
// that must differ at preprocessing time (e.g. which allocator to ask).
#pragma once

#if defined(__SANITIZE_THREAD__)
#define HOTSPAN_TEST_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define HOTSPAN_TEST_TSAN 1
#endif
#endif
#ifndef HOTSPAN_TEST_TSAN
#define HOTSPAN_TEST_TSAN 0
#endif

#if defined(__SANITIZE_ADDRESS__)
#define HOTSPAN_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HOTSPAN_TEST_ASAN 1
#endif
#endif
#ifndef HOTSPAN_TEST_ASAN
#define HOTSPAN_TEST_ASAN 0
#endif

namespace hotspan_test {

inline constexpr bool kThreadSanitizer = HOTSPAN_TEST_TSAN;
inline constexpr bool kAddressSanitizer = HOTSPAN_TEST_ASAN;
inline constexpr bool kSanitized = kThreadSanitizer || kAddressSanitizer;

// `full` in a plain build, `reduced` under a sanitizer.
template <class T>
constexpr T scaled(T full, T reduced) {
  return kSanitized ? reduced : full;
}

}  // namespace hotspan_test
