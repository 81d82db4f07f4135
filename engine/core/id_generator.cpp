// hotspan — seeding of the per-thread id generator (engine/core/id_generator.hpp).
//
// Runs once per thread and once more after each fork(), never on the steady-state
// hot path, so it can afford a system call (getrandom) and a hash. Every input is
// cheap and none is required to be secret: the hash only has to make two states
// that differ in any input unrelated, and the inputs make sure they differ.
#include "core/id_generator.hpp"

#include <pthread.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

namespace hotspan::detail {

constinit thread_local IdGeneratorState tls_id_generator [[gnu::tls_model("initial-exec")]]{};
constinit std::atomic<uint64_t> id_fork_generation{1};

namespace {

// Distinguishes seeds taken in one process at the same instant, and a thread
// that reuses an exited thread's tid and TLS address. Relaxed: only uniqueness
// of the returned values matters.
constinit std::atomic<uint64_t> seed_counter{0};

void on_fork_child() noexcept {
  id_fork_generation.fetch_add(1, std::memory_order_relaxed);
}

void register_fork_handler() noexcept {
  // On failure (ENOMEM) children would replay ids; nothing better can be done here.
  (void)pthread_atfork(nullptr, nullptr, &on_fork_child);
}

uint64_t clock_ns(clockid_t clock) noexcept {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
}

// Hashed as raw bytes: only uint64_t members, so no padding bytes.
struct SeedMaterial {
  uint64_t realtime_ns;
  uint64_t monotonic_ns;
  uint64_t pid;
  uint64_t tid;
  uint64_t state_address;
  uint64_t counter;
  uint64_t previous_weyl;  // a forked child's inherited state: more bits, free
  uint64_t generation;
  uint64_t os_entropy[2];  // getrandom(); stays zero if it fails (early boot, seccomp)
};

}  // namespace

void reseed_id_generator() noexcept {
  // pthread_once rather than a function-local static: glibc resets a once that
  // another thread was running when fork() happened, where a C++ static guard
  // would stay locked forever in the child.
  static pthread_once_t fork_handler_once = PTHREAD_ONCE_INIT;
  pthread_once(&fork_handler_once, &register_fork_handler);

  SeedMaterial material{};
  material.generation = id_fork_generation.load(std::memory_order_relaxed);
  material.realtime_ns = clock_ns(CLOCK_REALTIME);
  material.monotonic_ns = clock_ns(CLOCK_MONOTONIC);
  material.pid = static_cast<uint64_t>(getpid());
  material.tid = static_cast<uint64_t>(gettid());
  material.state_address = reinterpret_cast<uintptr_t>(&tls_id_generator);
  material.counter = seed_counter.fetch_add(1, std::memory_order_relaxed);
  material.previous_weyl = tls_id_generator.weyl;
  (void)getrandom(material.os_entropy, sizeof(material.os_entropy), GRND_NONBLOCK);

  tls_id_generator.weyl = XXH3_64bits(&material, sizeof(material));
  tls_id_generator.generation = material.generation;
}

}  // namespace hotspan::detail
