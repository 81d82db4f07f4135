// hotspan tool — streaming the spans of an input into one of the library's
// exporters, so that the tool writes every format with the library's own
// encoders (cat, convert).
//
// Spans are copied into a batch of 1024 owned spans, which is handed to the
// exporter as SpanRecord views (record_views.hpp) and then reused: memory stays
// bounded whatever the input's size. The exporter is started with the input's
// resource (for JSON Lines input: the service of its first span), and is told
// the losses that a binary input recorded, so that a binary output keeps them.
//
// For a binary output, each span is first checked against what the format can
// hold (engine/formats/binary/binary_encoder.hpp): the first span that no frame can hold (a
// JSON Lines input knows no such bound) stops the export with an error naming
// it, after the spans before it have been written and the output closed.
#pragma once

#include <string_view>

#include "hotspan/exporter.hpp"
#include "input_set.hpp"
#include "read_spans.hpp"

namespace hotspan::tool {

// Reads every file of `inputs` into `exporter`, which writes `format`, then
// flushes and shuts it down. Throws std::runtime_error naming `output_name`
// when the exporter fails, or naming the span that `format` cannot hold.
ReadResult export_spans(const InputSet& inputs, Exporter& exporter, Format format,
                        std::string_view output_name);

}  // namespace hotspan::tool
