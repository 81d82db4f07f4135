// hotspan — choosing the tick source once per process.
#include "core/clock.hpp"

#include <cstdlib>
#include <cstring>
#include <mutex>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

namespace hotspan::detail {

bool g_clock_is_tsc = false;

namespace {
std::once_flag g_clock_once;

bool invariant_tsc() noexcept {
#if defined(__x86_64__)
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid(0x80000000u, &eax, &ebx, &ecx, &edx) == 0 || eax < 0x80000007u) return false;
  if (__get_cpuid(0x80000007u, &eax, &ebx, &ecx, &edx) == 0) return false;
  return (edx & (1u << 8)) != 0;
#else
  return false;
#endif
}
}  // namespace

void init_clock() noexcept {
  std::call_once(g_clock_once, [] {
    const char* forced = std::getenv("HOTSPAN_CLOCK");
    const bool monotonic_forced = forced != nullptr && std::strcmp(forced, "monotonic") == 0;
    g_clock_is_tsc = !monotonic_forced && invariant_tsc();
  });
}

}  // namespace hotspan::detail
