// hotspan fuzzing — BinaryTraceReader (docs/FORMAT.md) over arbitrary bytes.
//
// The input is read as a trace file: read_header(), then next() until nullptr,
// digesting every field of the resource and of every record (names, keys,
// string values, events and their attributes), so that AddressSanitizer sees
// every byte each view points to. Asserted:
//   * the reader ends in a terminal status (complete, unclosed, truncated,
//     error), stays there (next() keeps returning nullptr), and error and
//     truncated come with a message; complete has none and an end frame count;
//   * every record is one the format allows: valid trace and span ids, a
//     parent that is invalid or valid, kind and status in range;
//   * spans_read() counts the records returned, bytes_read() <= the input;
//   * a cut file reads back as a prefix (FORMAT.md: "a file cut at any byte
//     yields every span of every complete frame before the cut"): the input cut
//     at one point past the preamble (chosen from the input's digest) gives the
//     same first records and never an error, unless the whole input had one at
//     or before the cut.
// Mutations keep the frames' checksums right most of the time
// (binary_frames.hpp), so that hostile payloads reach the decoders.
#include <hotspan/hotspan.hpp>
#include <hotspan/reader.hpp>

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "binary_frames.hpp"
#include "fuzz_check.hpp"

namespace {

using hotspan::BinaryTraceReader;
using hotspan_fuzz::Digest;

constexpr size_t kPreambleBytes = 12;

void digest_attributes(Digest& d, std::span<const hotspan::AttributeView> attributes) {
  d.number(attributes.size());
  for (const hotspan::AttributeView& a : attributes) {
    d.text(a.key);
    d.number(a.value.index());
    switch (a.value.index()) {
      case 0:
        d.number(std::get<0>(a.value));
        break;
      case 1:
        d.number(std::get<1>(a.value));
        break;
      case 2:
        d.number(std::get<2>(a.value));
        break;
      default:
        d.text(std::get<3>(a.value));
        break;
    }
  }
}

uint64_t record_digest(const hotspan::SpanRecord& r) {
  Digest d;
  d.bytes(r.trace_id.bytes.data(), r.trace_id.bytes.size());
  d.number(r.span_id.value);
  d.number(r.parent_span_id.value);
  d.text(r.name);
  d.number(static_cast<uint8_t>(r.kind));
  d.number(r.start_unix_ns);
  d.number(r.end_unix_ns);
  d.number(static_cast<uint8_t>(r.status));
  d.text(r.status_message);
  digest_attributes(d, r.attributes);
  d.number(r.events.size());
  for (const hotspan::EventView& e : r.events) {
    d.text(e.name);
    d.number(e.time_unix_ns);
    digest_attributes(d, e.attributes);
  }
  d.number(r.dropped_attributes);
  d.number(r.dropped_events);
  d.number(r.thread_id);
  return d.value();
}

struct Reading {
  std::vector<uint64_t> records;  // one digest per record
  BinaryTraceReader::Status status = BinaryTraceReader::Status::reading;
  uint64_t error_offset = 0;
};

Reading read_all(std::string_view bytes) {
  std::istringstream in{std::string(bytes)};
  BinaryTraceReader reader(in);
  Reading reading;
  Digest resource;
  if (reader.read_header()) {
    const hotspan::Resource& r = reader.resource();
    resource.text(r.service_name);
    for (const auto& [key, value] : r.attributes) {
      resource.text(key);
      resource.text(value);
    }
    resource.number(r.clock_anchor_unix_ns);
    resource.number(r.clock_anchor_monotonic_ns);
    resource.number(r.process_id);
    resource.number(reader.format_minor_version());
  }
  hotspan_fuzz::consume(resource.value());

  while (const hotspan::SpanRecord* r = reader.next()) {
    FUZZ_CHECK(r->trace_id.valid(), "record " + std::to_string(reading.records.size()));
    FUZZ_CHECK(r->span_id.valid(), "record " + std::to_string(reading.records.size()));
    FUZZ_CHECK(static_cast<uint8_t>(r->kind) <= static_cast<uint8_t>(hotspan::SpanKind::consumer),
               "kind " + std::to_string(static_cast<int>(r->kind)));
    FUZZ_CHECK(
        static_cast<uint8_t>(r->status) <= static_cast<uint8_t>(hotspan::StatusCode::cancelled),
        "status " + std::to_string(static_cast<int>(r->status)));
    reading.records.push_back(record_digest(*r));
  }

  const BinaryTraceReader::Status status = reader.status();
  const std::string state =
      "status " + std::to_string(static_cast<int>(status)) + ", message " + reader.message();
  FUZZ_CHECK(status != BinaryTraceReader::Status::reading, state);
  FUZZ_CHECK(reader.next() == nullptr, state);
  FUZZ_CHECK(reader.status() == status, state);
  if (status == BinaryTraceReader::Status::error ||
      status == BinaryTraceReader::Status::truncated) {
    FUZZ_CHECK(!reader.message().empty(), state);
  }
  if (status == BinaryTraceReader::Status::complete) {
    FUZZ_CHECK(reader.message().empty(), state);
    FUZZ_CHECK(reader.declared_span_count().has_value(), state);
    FUZZ_CHECK(reader.recorded_losses().has_value(), state);
  }
  FUZZ_CHECK(reader.spans_read() == reading.records.size(),
             "spans_read " + std::to_string(reader.spans_read()) + ", records " +
                 std::to_string(reading.records.size()));
  FUZZ_CHECK(
      reader.bytes_read() <= bytes.size(),
      "bytes_read " + std::to_string(reader.bytes_read()) + " of " + std::to_string(bytes.size()));
  reading.status = status;
  reading.error_offset = reader.error_offset();
  return reading;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const Reading whole = read_all(bytes);
  if (size <= kPreambleBytes) return 0;

  Digest choice;
  choice.bytes(data, size);
  const size_t cut = kPreambleBytes + choice.value() % (size - kPreambleBytes);
  const Reading part = read_all(bytes.substr(0, cut));
  const std::string context = "cut at " + std::to_string(cut) + " of " + std::to_string(size) +
                              ": " + std::to_string(part.records.size()) + " of " +
                              std::to_string(whole.records.size()) + " records, status " +
                              std::to_string(static_cast<int>(part.status));
  const bool damage_before_cut =
      whole.status == BinaryTraceReader::Status::error && whole.error_offset < cut;
  if (!damage_before_cut) {
    FUZZ_CHECK(part.status != BinaryTraceReader::Status::error, context);
    FUZZ_CHECK(part.records.size() <= whole.records.size(), context);
  }
  const size_t common = std::min(part.records.size(), whole.records.size());
  for (size_t i = 0; i < common; ++i)
    FUZZ_CHECK(part.records[i] == whole.records[i], context + ", record " + std::to_string(i));
  return 0;
}

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size,
                                          unsigned int seed) {
  return hotspan_fuzz::mutate_binary_trace(data, size, max_size, seed);
}
