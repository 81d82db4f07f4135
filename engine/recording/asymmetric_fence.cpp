// hotspan — membarrier-based heavy fence, with a full-fence fallback.
#include "recording/asymmetric_fence.hpp"

#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <mutex>

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define HOTSPAN_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define HOTSPAN_TSAN 1
#endif

namespace hotspan::detail {

// Read on the hot path without synchronisation: it is written once, inside
// call_once, before any Tracer exists (Tracer's constructor calls init first,
// and every span is reached through a Tracer constructed after that).
bool g_producer_needs_full_fence = true;

namespace {
std::once_flag g_init_once;

long membarrier(int cmd) noexcept {
  return syscall(__NR_membarrier, cmd, 0, 0);
}
}  // namespace

void init_asymmetric_fences() noexcept {
  std::call_once(g_init_once, [] {
#if defined(HOTSPAN_TSAN)
    // ThreadSanitizer does not model membarrier: keep real fences so that it
    // reasons about the same ordering the code relies on.
    g_producer_needs_full_fence = true;
#else
    const long supported = membarrier(MEMBARRIER_CMD_QUERY);
    g_producer_needs_full_fence =
        supported < 0 || (supported & MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0 ||
        membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) != 0;
#endif
  });
}

void asymmetric_fence_heavy() noexcept {
  if (g_producer_needs_full_fence || membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) != 0) {
    std::atomic_thread_fence(std::memory_order_seq_cst);
  }
}

}  // namespace hotspan::detail
