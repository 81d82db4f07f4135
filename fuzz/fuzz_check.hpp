// hotspan fuzzing — how a target reports a broken property: FUZZ_CHECK prints
// the condition, where it is and what was seen, then aborts, which libFuzzer
// reports as a crash and saves the input. Also an FNV-1a digest that reads
// every byte itself (not through libstdc++, which is not instrumented), so that
// AddressSanitizer checks every byte of every view a target digests.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace hotspan_fuzz {

[[noreturn]] inline void check_failed(const char* file, int line, const char* condition,
                                      const std::string& detail) {
  std::fprintf(stderr, "%s:%d: check failed: %s\n", file, line, condition);
  if (!detail.empty()) std::fprintf(stderr, "  %s\n", detail.c_str());
  std::fflush(stderr);
  std::abort();
}

#define FUZZ_CHECK(condition, detail)                                         \
  do {                                                                        \
    if (!(condition)) {                                                       \
      ::hotspan_fuzz::check_failed(__FILE__, __LINE__, #condition, (detail)); \
    }                                                                         \
  } while (0)

// FNV-1a over everything fed to it.
class Digest {
 public:
  void bytes(const void* data, size_t size) noexcept {
    const auto* p = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < size; ++i) {
      _value ^= p[i];
      _value *= 0x100000001b3ULL;
    }
  }
  void text(std::string_view s) noexcept {
    number(s.size());
    bytes(s.data(), s.size());
  }
  template <class T>
  void number(T v) noexcept {
    unsigned char raw[sizeof(T)];
    std::memcpy(raw, &v, sizeof(T));
    bytes(raw, sizeof(T));
  }
  uint64_t value() const noexcept { return _value; }

 private:
  uint64_t _value = 0xcbf29ce484222325ULL;
};

// Keeps a digest observable, so that the reads that made it are not optimized away.
inline void consume(uint64_t digest) noexcept {
  static volatile uint64_t sink;
  sink = sink ^ digest;
}

}  // namespace hotspan_fuzz
