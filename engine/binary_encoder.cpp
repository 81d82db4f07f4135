// hotspan — binary format writer.
//
// Throughput matters here: this runs on the exporter thread for every span, so
// spans are written straight into the output block through a ByteWriter (one
// bound reserved per span, raw stores), strings are interned in a flat hash
// table, and the spans frame is never copied: when a batch defines new
// strings, their (small) strings frame is inserted in front of it afterwards.
#include "binary_encoder.hpp"

#include "string_interner.hpp"  // brings XXH3, inlined

#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "binary_format.hpp"
#include "byte_writer.hpp"
#include "hotspan/version.hpp"
#include "varint.hpp"

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

size_t attributes_bound(std::span<const AttributeView> attributes) noexcept {
  size_t n = ByteWriter::kMaxVarint;
  for (const AttributeView& a : attributes) {
    n += 2 * ByteWriter::kMaxVarint + a.key.size() + 1 + 8;
    if (const auto* s = std::get_if<3>(&a.value)) n += s->size();
  }
  return n;
}

class BinaryRecordEncoder final : public RecordEncoder {
 public:
  void begin(const Resource& resource, std::string& out) override {
    _resource = resource;
    write_header(out);
  }

  void encode(std::span<const SpanRecord> records, std::string& out) override {
    if (!_header_in_file) write_header(out);
    if (_drops_pending) write_losses(out, FrameType::drops);
    if (records.empty()) return;
    const size_t new_strings_begin = _strings.size();
    size_t frame_start;
    {
      ByteWriter w(out);
      frame_start = begin_frame(w, FrameType::spans);
      encode_spans(w, records);
      end_frame(w, frame_start);
    }
    if (_strings.size() > new_strings_begin) {
      // Rare (a batch with names or keys not seen before in this file): the
      // strings frame must precede the spans that use it.
      std::string strings;
      {
        ByteWriter w(strings);
        const size_t start = begin_frame(w, FrameType::strings);
        size_t bound = 2 * ByteWriter::kMaxVarint;
        for (size_t i = new_strings_begin; i < _strings.size(); ++i) {
          bound += ByteWriter::kMaxVarint + _strings[i].size();
        }
        w.reserve(bound);
        w.varint(new_strings_begin);
        w.varint(_strings.size() - new_strings_begin);
        for (size_t i = new_strings_begin; i < _strings.size(); ++i)
          w.string(_strings[i]);
        end_frame(w, start);
      }
      out.insert(frame_start, strings);
    }
    _spans_in_block = records.size();
  }

  void finish(std::string& out) override {
    if (!_header_in_file) write_header(out);
    write_losses(out, FrameType::end);
  }

  void record_drops(const TracerStats& s) override {
    _losses = {s.dropped_pool_exhausted, s.dropped_queue_full, s.dropped_export_failed,
               s.attributes_dropped,     s.events_dropped,     s.strings_truncated};
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
  void write_header(std::string& out) {
    ByteWriter w(out);
    size_t bound =
        sizeof(kMagic) + 4 + 5 * ByteWriter::kMaxVarint + _resource.service_name.size() + 32;
    for (const auto& [k, v] : _resource.attributes)
      bound += 2 * ByteWriter::kMaxVarint + k.size() + v.size();
    w.reserve(bound);
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
    w.string(std::string("hotspan ") + version_string);
    end_frame(w, start);
    _header_in_block = true;
  }

  // A drops frame, or the end frame, which also carries the total span count.
  void write_losses(std::string& out, FrameType type) {
    ByteWriter w(out);
    w.reserve((kLossCounters + 1) * ByteWriter::kMaxVarint);
    const size_t start = begin_frame(w, type);
    if (type == FrameType::end) w.varint(_spans_total + _spans_in_block);
    for (uint64_t v : _losses)
      w.varint(v);
    end_frame(w, start);
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

  void encode_spans(ByteWriter& w, std::span<const SpanRecord> records) {
    uint64_t previous_start = records.front().start_unix_ns;
    w.reserve(2 * ByteWriter::kMaxVarint);
    w.varint(previous_start);
    w.varint(records.size());
    const TraceId* previous_trace = nullptr;
    for (const SpanRecord& r : records) {
      const bool extras = !r.status_message.empty() || r.dropped_attributes != 0 ||
                          r.dropped_events != 0 || !r.events.empty();
      size_t bound =
          64 + 6 * ByteWriter::kMaxVarint + r.name.size() + attributes_bound(r.attributes);
      if (extras) {
        bound += 4 * ByteWriter::kMaxVarint + r.status_message.size();
        for (const EventView& e : r.events) {
          bound += 2 * ByteWriter::kMaxVarint + e.name.size() + attributes_bound(e.attributes);
        }
      }
      w.reserve(bound);

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
  StringInterner _strings{kMaxInternedStrings};
  uint32_t _name_hint = 0;
  uint32_t _event_hint = 0;
  std::array<uint32_t, 16> _key_hints{};
  size_t _committed_strings = 0;
  std::array<uint64_t, kLossCounters> _losses{};
  uint64_t _spans_total = 0;
  size_t _spans_in_block = 0;
  bool _drops_pending = false;
  bool _drops_in_block = false;
  bool _header_in_file = false;
  bool _header_in_block = false;
};

}  // namespace

std::unique_ptr<RecordEncoder> make_binary_encoder() {
  return std::make_unique<BinaryRecordEncoder>();
}

}  // namespace hotspan::detail
