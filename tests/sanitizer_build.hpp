// Test support: which sanitizer, if any, this test binary was built with.
//
// Fault and stress tests scale their loops down under a sanitizer (which makes
// threads and allocations 5-20x slower) and skip the checks a sanitizer makes
// meaningless: heap statistics (the sanitizer's allocator replaces malloc's)
// and threads started in a fork()ed child of a multi-threaded process (which
// ThreadSanitizer does not support). Each test says which it does and why.
#pragma once

namespace hotspan_test {

#if defined(__SANITIZE_THREAD__)
inline constexpr bool kThreadSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
inline constexpr bool kThreadSanitizer = true;
#else
inline constexpr bool kThreadSanitizer = false;
#endif
#else
inline constexpr bool kThreadSanitizer = false;
#endif

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kAddressSanitizer = true;
#else
inline constexpr bool kAddressSanitizer = false;
#endif
#else
inline constexpr bool kAddressSanitizer = false;
#endif

inline constexpr bool kSanitized = kThreadSanitizer || kAddressSanitizer;

// `full` in a plain build, `reduced` under a sanitizer.
template <class T>
constexpr T scaled(T full, T reduced) {
  return kSanitized ? reduced : full;
}

}  // namespace hotspan_test
