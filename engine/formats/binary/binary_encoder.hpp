// hotspan — the binary trace format writer (docs/FORMAT.md), as a RecordEncoder.
//
// Each export batch becomes one block of frames written together: a drops
// frame when the tracer's loss counters moved, strings frames for the names
// and keys first seen in the batch, and spans frames, as many of each as keep
// every payload within the format's 16 MiB. Strings are interned per file (up
// to 65,536 of at most 65,535 bytes and 64 MiB in all; others are written
// inline) so a repeated name costs one byte. If a block does not reach the
// file whole, the sink takes it back (or stops) and delivered(false) forgets
// the strings it defined, so indexes in the file always refer to strings that
// are in the file.
//
// A span that no frame can hold is left out: encode() writes the rest of its
// batch and returns how many it left out, which the sink counts as failed
// (binary_span_refusal() says why a span cannot be written). A resource too
// large for the header frame makes begin(), encode() and finish() throw
// std::length_error before they write anything.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "formats/binary/binary_format.hpp"
#include "formats/record_encoder.hpp"

namespace hotspan::detail {

// How many strings the encoder interns, and how many bytes they may take in
// all; further strings are written inline. The defaults are the format's
// (what a reader accepts); the flight recorder lowers them to stay within
// its memory budget.
struct BinaryStringLimits {
  size_t max_strings = binary::kMaxInternedStrings;
  size_t max_bytes = binary::kMaxTableBytes;
};

std::unique_ptr<RecordEncoder> make_binary_encoder();
std::unique_ptr<RecordEncoder> make_binary_encoder(const BinaryStringLimits& limits);

// Appends an end frame declaring `spans` spans and `losses`: for writers that
// assemble a file from frames an encoder wrote earlier (the flight recorder's
// dump), whose span count is not the encoder's.
void append_binary_end_frame(uint64_t spans, const RecordedLosses& losses, std::string& out);

// The most bytes span `r` can take in a spans frame: its encoding with every
// varint counted at 10 bytes, every name and key written inline, and the
// trace and parent span ids present.
size_t binary_span_bound(const SpanRecord& r) noexcept;
// A frame holds spans whose bounds add up to at most this.
inline constexpr size_t kMaxBinarySpanBytes = binary::kMaxFrameItemBytes;
// Why `r` cannot be written in the binary format (its bound is over
// kMaxBinarySpanBytes, or it has more events or attributes than a reader
// accepts); empty when it can.
std::string binary_span_refusal(const SpanRecord& r);
// The header frame's payload for `resource`; over binary::kMaxPayloadBytes, it
// cannot be written.
size_t binary_header_payload_bytes(const Resource& resource);
// Why `resource` cannot be written in the binary format (its header frame
// would be over binary::kMaxPayloadBytes); empty when it can.
std::string binary_resource_refusal(const Resource& resource);

}  // namespace hotspan::detail
