// hotspan — binary format writer.
//
// Throughput matters here: this runs on the exporter thread for every span, so
// spans are written straight into the output block through a ByteWriter (one
// bound reserved per span, raw stores), strings are interned in a flat hash
// table, and the spans frames are never copied: when a batch defines new
// strings, their (small) strings frames are inserted in front of them
// afterwards.
//
// The same bound decides where a batch is split into frames: a frame takes
// spans while the sum of their bounds stays within the payload limit that
// readers enforce, so every frame written is one a reader accepts, and a span
// whose bound alone is over it is left out of its batch (and counted by the
// sink) in the same pass.
#include "formats/binary/binary_encoder.hpp"

#include "formats/binary/string_interner.hpp"  // brings XXH3, inlined

#include <algorithm>
#include <array>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "formats/binary/binary_format.hpp"
#include "formats/byte_writer.hpp"
#include "formats/varint.hpp"
#include "hotspan/version.hpp"

namespace hotspan::detail {
namespace {

using namespace binary;

// Frame framing around a payload written in place: begin() leaves room for
// the header, end() patches the length and appends the checksum.
size_t begin_frame(ByteWriter& w, FrameType type) {
  w.reserve(kFrameHeaderBytes);
  const size_t start = w.position();
  w.byte(static_cast<uint8_t>(type));
  w.fixed<uint32_t>(0);
  return start;
}

void end_frame(ByteWriter& w, size_t start) {
  const auto length = static_cast<uint32_t>(w.position() - start - kFrameHeaderBytes);
  std::memcpy(w.at(start + 1), &length, sizeof(length));
  const uint64_t checksum = XXH3_64bits(w.at(start), w.position() - start);
  w.reserve(kChecksumBytes);
  w.fixed<uint64_t>(checksum);
}

std::string writer_name() {
  return std::string("hotspan ") + version_string;
}

size_t varint_bytes(uint64_t v) noexcept {
  return static_cast<size_t>(70 - __builtin_clzll(v | 1)) / 7;
}

size_t string_bytes(std::string_view s) noexcept {  // varint length + bytes
  return varint_bytes(s.size()) + s.size();
}

// The bounds count every varint at its longest and every string reference as
// an inline string: cheap to add up (this runs for every span), and above
// the real size by a few bytes per field only.
constexpr size_t kVarint = ByteWriter::kMaxVarint;

size_t attributes_bound(std::span<const AttributeView> attributes) noexcept {
  size_t n = kVarint;
  for (const AttributeView& a : attributes) {
    n += kVarint + a.key.size() + 1 + kVarint;  // key, type, the longest value but a string
    if (const auto* s = std::get_if<3>(&a.value)) n += s->size();
  }
  return n;
}

bool has_extras(const SpanRecord& r) noexcept {
  return !r.status_message.empty() || r.dropped_attributes != 0 || r.dropped_events != 0 ||
         !r.events.empty();
}

inline size_t span_bound(const SpanRecord& r) noexcept {
  // flags, trace id, span id, parent span id; name, start, duration, thread id
  size_t n = 1 + 16 + 8 + 8 + kVarint + r.name.size() + 3 * kVarint;
  n += attributes_bound(r.attributes);
  if (has_extras(r)) {
    n += kVarint + r.status_message.size() + 3 * kVarint;  // with the dropped and event counts
    for (const EventView& e : r.events)
      n += kVarint + e.name.size() + kVarint + attributes_bound(e.attributes);
  }
  return n;
}

bool within_reader_limits(const SpanRecord& r) noexcept {
  if (r.events.size() > kMaxEventsPerSpan) return false;
  uint64_t attributes = r.attributes.size();
  for (const EventView& e : r.events)
    attributes += e.attributes.size();
  return attributes <= kMaxAttributesPerSpan;
}

// A drops frame, or the end frame, which also carries the total span count.
void write_losses_frame(std::string& out, FrameType type, uint64_t spans,
                        const RecordedLosses& losses) {
  ByteWriter w(out);
  w.reserve((kLossCounters + 1) * ByteWriter::kMaxVarint);
  const size_t start = begin_frame(w, type);
  if (type == FrameType::end) w.varint(spans);
  for (uint64_t RecordedLosses::*counter : kLossCounterOrder)
    w.varint(losses.*counter);
  end_frame(w, start);
}

class BinaryRecordEncoder final : public RecordEncoder {
 public:
  explicit BinaryRecordEncoder(const BinaryStringLimits& limits)
      : _strings(limits.max_strings, limits.max_bytes, kMaxInternedStringBytes) {}

  void begin(const Resource& resource, std::string& out) override {
    _resource = resource;
    write_header(out);
  }

  size_t encode(std::span<const SpanRecord> records, std::string& out) override {
    try {
      return encode_block(records, out);
    } catch (...) {
      // The sink drops a block whose encoding threw: forget what it defined.
      delivered(false);
      throw;
    }
  }

  void finish(std::string& out) override {
    if (!_header_in_file) write_header(out);
    write_losses(out, FrameType::end);
  }

  void record_drops(const TracerStats& s) override {
    _losses = s.losses();
    _drops_pending = true;
  }

  void delivered(bool whole) override {
    if (whole) {
      _header_in_file = _header_in_file || _header_in_block;
      if (_drops_in_block) _drops_pending = false;
      _spans_total += _spans_in_block;
      _committed_strings = _strings.size();
    } else {
      _strings.rollback(_committed_strings);  // the lost block defined them: not in the file
    }
    _header_in_block = _drops_in_block = false;
    _spans_in_block = 0;
  }

  bool whole_frames_only() const noexcept override { return true; }

 private:
  // The spans of `records` that a frame can hold, with their bounds in
  // _bounds: `records` itself, or, when some cannot be held, the others
  // copied to _kept. Each bound is computed once.
  std::span<const SpanRecord> holdable(std::span<const SpanRecord> records, size_t& left_out) {
    _bounds.clear();
    left_out = 0;
    for (size_t i = 0; i < records.size(); ++i) {
      const size_t bound = span_bound(records[i]);
      if (bound <= kMaxBinarySpanBytes && within_reader_limits(records[i])) {
        _bounds.push_back(bound);
        if (left_out != 0) _kept.push_back(records[i]);
      } else if (left_out++ == 0) {
        _kept.assign(records.begin(), records.begin() + static_cast<std::ptrdiff_t>(i));
      }
    }
    return left_out == 0 ? records : std::span<const SpanRecord>(_kept);
  }

  size_t encode_block(std::span<const SpanRecord> batch, std::string& out) {
    size_t left_out = 0;
    const std::span<const SpanRecord> records = holdable(batch, left_out);
    if (!_header_in_file) write_header(out);
    if (_drops_pending) write_losses(out, FrameType::drops);
    if (records.empty()) return left_out;
    const size_t new_strings_begin = _strings.size();
    const size_t spans_begin = out.size();
    for (size_t first = 0; first < records.size();) {
      size_t count = 0;
      for (size_t bytes = 0; first + count < records.size() &&
                             _bounds[first + count] <= kMaxFrameItemBytes - bytes;) {
        bytes += _bounds[first + count++];
      }
      ByteWriter w(out);
      const size_t start = begin_frame(w, FrameType::spans);
      encode_spans(w, records.subspan(first, count), std::span(_bounds).subspan(first, count));
      end_frame(w, start);
      first += count;
    }
    // Rare (a batch with names or keys not seen before in this file): the
    // strings frames must precede the spans that use them.
    if (_strings.size() > new_strings_begin) {
      out.insert(spans_begin, strings_frames(new_strings_begin));
    }
    _spans_in_block = records.size();
    return left_out;
  }

  // Strings frames defining the table's strings from index `first` on.
  std::string strings_frames(size_t first) const {
    std::string frames;
    ByteWriter w(frames);
    while (first < _strings.size()) {
      size_t count = 0;
      size_t bytes = 0;
      while (first + count < _strings.size() &&
             string_bytes(_strings[first + count]) <= kMaxFrameItemBytes - bytes) {
        bytes += string_bytes(_strings[first + count++]);
      }
      w.reserve(kFrameHeaderBytes + 2 * ByteWriter::kMaxVarint + bytes + kChecksumBytes);
      const size_t start = begin_frame(w, FrameType::strings);
      w.varint(first);
      w.varint(count);
      for (size_t i = first; i < first + count; ++i)
        w.string(_strings[i]);
      end_frame(w, start);
      first += count;
    }
    return frames;
  }

  void write_header(std::string& out) {
    const size_t payload = binary_header_payload_bytes(_resource);
    if (payload > kMaxPayloadBytes) {
      throw std::length_error("hotspan: the resource takes " + std::to_string(payload) +
                              " bytes, more than a binary header frame holds (" +
                              std::to_string(kMaxPayloadBytes) + ")");
    }
    ByteWriter w(out);
    w.reserve(kPreambleBytes + kFrameHeaderBytes + payload + kChecksumBytes);
    w.bytes(kMagic, sizeof(kMagic));
    w.fixed<uint16_t>(kMajorVersion);
    w.fixed<uint16_t>(kMinorVersion);
    const size_t start = begin_frame(w, FrameType::header);
    w.varint(_resource.clock_anchor_unix_ns);
    w.varint(_resource.clock_anchor_monotonic_ns);
    w.varint(_resource.process_id);
    w.string(_resource.service_name);
    w.varint(_resource.attributes.size());
    for (const auto& [key, value] : _resource.attributes) {
      w.string(key);
      w.string(value);
    }
    w.string(writer_name());
    end_frame(w, start);
    _header_in_block = true;
  }

  void write_losses(std::string& out, FrameType type) {
    write_losses_frame(out, type, _spans_total + _spans_in_block, _losses);
    _drops_in_block = true;
  }

  // A string reference: even = table index × 2, odd = inline length × 2 + 1.
  // `hint` remembers the index last written at the same position (span name,
  // i-th key, ...), the likely one for this span too.
  void put_strref(ByteWriter& w, std::string_view s, uint32_t& hint) {
    if (const auto index = _strings.intern(s, hint)) {
      hint = *index;
      w.varint(uint64_t{*index} << 1);
    } else {  // the table is full: inline
      w.varint((uint64_t{s.size()} << 1) | 1);
      w.bytes(s.data(), s.size());
    }
  }

  void put_attributes(ByteWriter& w, std::span<const AttributeView> attributes) {
    w.varint(attributes.size());
    for (size_t i = 0; i < attributes.size(); ++i) {
      const AttributeView& a = attributes[i];
      put_strref(w, a.key, _key_hints[std::min(i, _key_hints.size() - 1)]);
      switch (a.value.index()) {
        case 0:
          w.byte(static_cast<uint8_t>(ValueTag::boolean));
          w.byte(*std::get_if<0>(&a.value) ? 1 : 0);
          break;
        case 1:
          w.byte(static_cast<uint8_t>(ValueTag::integer));
          w.varint(zigzag_encode(*std::get_if<1>(&a.value)));
          break;
        case 2:
          w.byte(static_cast<uint8_t>(ValueTag::floating));
          w.fixed<double>(*std::get_if<2>(&a.value));
          break;
        default:
          w.byte(static_cast<uint8_t>(ValueTag::string));
          w.string(*std::get_if<3>(&a.value));
          break;
      }
    }
  }

  // One frame's spans, with their binary_span_bound()s.
  void encode_spans(ByteWriter& w, std::span<const SpanRecord> records,
                    std::span<const size_t> bounds) {
    uint64_t previous_start = records.front().start_unix_ns;
    w.reserve(2 * ByteWriter::kMaxVarint);
    w.varint(previous_start);
    w.varint(records.size());
    const TraceId* previous_trace = nullptr;
    for (size_t i = 0; i < records.size(); ++i) {
      const SpanRecord& r = records[i];
      const bool extras = has_extras(r);
      w.reserve(bounds[i]);

      const bool same_trace = previous_trace != nullptr && *previous_trace == r.trace_id;
      uint8_t flags = static_cast<uint8_t>(static_cast<uint8_t>(r.kind) & kKindMask);
      flags |= static_cast<uint8_t>((static_cast<uint8_t>(r.status) << kStatusShift) & kStatusMask);
      if (r.parent_span_id.valid()) flags |= kHasParent;
      if (same_trace) flags |= kSameTrace;
      if (extras) flags |= kHasExtras;
      w.byte(flags);
      if (!same_trace) w.bytes(r.trace_id.bytes.data(), 16);
      // Span ids big-endian: the byte order of their hex form and of the W3C header.
      w.fixed<uint64_t>(__builtin_bswap64(r.span_id.value));
      if (r.parent_span_id.valid()) w.fixed<uint64_t>(__builtin_bswap64(r.parent_span_id.value));
      put_strref(w, r.name, _name_hint);
      w.varint(zigzag_encode(static_cast<int64_t>(r.start_unix_ns - previous_start)));
      w.varint(zigzag_encode(static_cast<int64_t>(r.end_unix_ns - r.start_unix_ns)));
      w.varint(r.thread_id);
      put_attributes(w, r.attributes);
      if (extras) {
        w.string(r.status_message);
        w.varint(r.dropped_attributes);
        w.varint(r.dropped_events);
        w.varint(r.events.size());
        for (const EventView& e : r.events) {
          put_strref(w, e.name, _event_hint);
          w.varint(zigzag_encode(static_cast<int64_t>(e.time_unix_ns - r.start_unix_ns)));
          put_attributes(w, e.attributes);
        }
      }
      previous_start = r.start_unix_ns;
      previous_trace = &r.trace_id;
    }
  }

  Resource _resource;
  StringInterner _strings;
  std::vector<size_t> _bounds;    // of the spans of the batch that are encoded
  std::vector<SpanRecord> _kept;  // those spans, when some of the batch were left out
  uint32_t _name_hint = 0;
  uint32_t _event_hint = 0;
  std::array<uint32_t, 16> _key_hints{};
  size_t _committed_strings = 0;
  RecordedLosses _losses;
  uint64_t _spans_total = 0;
  size_t _spans_in_block = 0;
  bool _drops_pending = false;
  bool _drops_in_block = false;
  bool _header_in_file = false;
  bool _header_in_block = false;
};

}  // namespace

size_t binary_span_bound(const SpanRecord& r) noexcept {
  return span_bound(r);
}

std::string binary_span_refusal(const SpanRecord& r) {
  const std::string span = "span " + r.span_id.to_hex() + " of trace " + r.trace_id.to_hex();
  if (!within_reader_limits(r)) {
    return span + " has more than " + std::to_string(kMaxEventsPerSpan) + " events or " +
           std::to_string(kMaxAttributesPerSpan) +
           " attributes (its events' included), more than a binary reader accepts";
  }
  const size_t bound = binary_span_bound(r);
  if (bound > kMaxBinarySpanBytes) {
    return span + " takes up to " + std::to_string(bound) +
           " bytes encoded, more than a binary spans frame holds (" +
           std::to_string(kMaxBinarySpanBytes) + ")";
  }
  return {};
}

size_t binary_header_payload_bytes(const Resource& resource) {
  size_t n = varint_bytes(resource.clock_anchor_unix_ns) +
             varint_bytes(resource.clock_anchor_monotonic_ns) + varint_bytes(resource.process_id) +
             string_bytes(resource.service_name) + varint_bytes(resource.attributes.size()) +
             string_bytes(writer_name());
  for (const auto& [key, value] : resource.attributes)
    n += string_bytes(key) + string_bytes(value);
  return n;
}

std::unique_ptr<RecordEncoder> make_binary_encoder() {
  return make_binary_encoder(BinaryStringLimits{});
}

std::unique_ptr<RecordEncoder> make_binary_encoder(const BinaryStringLimits& limits) {
  return std::make_unique<BinaryRecordEncoder>(limits);
}

void append_binary_end_frame(uint64_t spans, const RecordedLosses& losses, std::string& out) {
  write_losses_frame(out, FrameType::end, spans, losses);
}

std::string binary_resource_refusal(const Resource& resource) {
  const size_t bytes = binary_header_payload_bytes(resource);
  if (bytes <= binary::kMaxPayloadBytes) return {};
  return "the resource (service name and attributes) takes " + std::to_string(bytes) +
         " bytes, more than the binary format's header frame holds (" +
         std::to_string(binary::kMaxPayloadBytes) + ")";
}

}  // namespace hotspan::detail
