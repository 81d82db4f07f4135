// hotspan fuzzing — a libFuzzer mutator for inputs in the binary trace format.
//
// Every frame of the format ends with an XXH3 checksum (docs/FORMAT.md), so
// almost every mutation of a payload would be stopped by the checksum test and
// the decoders behind it would never see hostile payloads. After libFuzzer's
// own mutation, this walks the frames of an input that starts with the magic
// and writes the correct checksum of each complete frame, except for one
// mutation in eight, which keeps bad checksums reachable too.
#pragma once

#include <xxhash.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

namespace hotspan_fuzz {

inline constexpr uint8_t kBinaryMagic[8] = {0x89, 'H', 'S', 'P', '\r', '\n', 0x1a, '\n'};

// Rewrites the checksum of every complete frame of a binary trace.
inline void seal_frames(uint8_t* data, size_t size) {
  constexpr size_t kPreamble = 12, kHeader = 5, kChecksum = 8;
  constexpr uint32_t kMaxPayload = 16u << 20;
  if (size < kPreamble || std::memcmp(data, kBinaryMagic, sizeof(kBinaryMagic)) != 0) return;
  size_t offset = kPreamble;
  while (size - offset >= kHeader + kChecksum) {
    uint32_t length;
    std::memcpy(&length, data + offset + 1, sizeof(length));
    if (length > kMaxPayload || length > size - offset - kHeader - kChecksum) return;
    const uint64_t checksum = XXH3_64bits(data + offset, kHeader + length);
    std::memcpy(data + offset + kHeader + length, &checksum, sizeof(checksum));
    offset += kHeader + length + kChecksum;
  }
}

inline size_t mutate_binary_trace(uint8_t* data, size_t size, size_t max_size, unsigned seed) {
  size = LLVMFuzzerMutate(data, size, max_size);
  if (seed % 8 != 0) seal_frames(data, size);
  return size;
}

}  // namespace hotspan_fuzz
