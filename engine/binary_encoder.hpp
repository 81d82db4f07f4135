// hotspan — the binary trace format writer (docs/FORMAT.md), as a RecordEncoder.
//
// Each export batch becomes at most three frames written in one block: a drops
// frame when the tracer's loss counters moved, a strings frame for the names
// and keys first seen in the batch, and the spans frame. Strings are interned
// per file (up to 65,536; then written inline) so a repeated name costs one
// byte. If a block does not reach the file whole, the sink takes it back (or
// stops) and delivered(false) forgets the strings it defined, so indexes in
// the file always refer to strings that are in the file.
#pragma once

#include <memory>

#include "record_encoder.hpp"

namespace hotspan::detail {

std::unique_ptr<RecordEncoder> make_binary_encoder();

}  // namespace hotspan::detail
