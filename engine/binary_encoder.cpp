// hotspan — binary format writer.
#include "binary_encoder.hpp"

#include <xxhash.h>

#include <array>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

#include "binary_format.hpp"
#include "hotspan/version.hpp"
#include "varint.hpp"

namespace hotspan::detail {
namespace {

using namespace binary;

// Heterogeneous lookup: finding a string_view allocates nothing.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return XXH3_64bits(s.data(), s.size()); }
};

// Appends one frame: header, the payload produced by `fill`, checksum.
template <class Fill>
void append_frame(std::string& out, FrameType type, Fill&& fill) {
  const size_t start = out.size();
  out.push_back(static_cast<char>(type));
  put_fixed<uint32_t>(out, 0);  // length, patched below
  fill(out);
  const size_t payload = out.size() - start - kFrameHeaderBytes;
  const auto length = static_cast<uint32_t>(payload);
  std::memcpy(out.data() + start + 1, &length, sizeof(length));
  put_fixed<uint64_t>(out, XXH3_64bits(out.data() + start, out.size() - start));
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
    _payload.clear();
    _new_strings_begin = _strings.size();
    encode_spans(records);
    if (_strings.size() > _new_strings_begin) write_strings(out);
    if (records.empty()) return;
    // The spans payload was built apart because its new strings must precede it.
    append_frame(out, FrameType::spans, [&](std::string& o) { o.append(_payload); });
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
      // Forget what the lost block defined: it is not in the file.
      while (_strings.size() > _committed_strings) {
        _index.erase(_strings.back());
        _strings.pop_back();
      }
    }
    _header_in_block = _drops_in_block = false;
    _spans_in_block = 0;
  }

  bool whole_frames_only() const noexcept override { return true; }

 private:
  void write_header(std::string& out) {
    out.append(reinterpret_cast<const char*>(kMagic), sizeof(kMagic));
    put_fixed<uint16_t>(out, kMajorVersion);
    put_fixed<uint16_t>(out, kMinorVersion);
    append_frame(out, FrameType::header, [&](std::string& o) {
      put_varint(o, _resource.clock_anchor_unix_ns);
      put_varint(o, _resource.clock_anchor_monotonic_ns);
      put_varint(o, _resource.process_id);
      put_bytes(o, _resource.service_name);
      put_varint(o, _resource.attributes.size());
      for (const auto& [key, value] : _resource.attributes) {
        put_bytes(o, key);
        put_bytes(o, value);
      }
      put_bytes(o, std::string("hotspan ") + version_string);
    });
    _header_in_block = true;
  }

  void write_losses(std::string& out, FrameType type) {
    append_frame(out, type, [&](std::string& o) {
      if (type == FrameType::end) put_varint(o, _spans_total + _spans_in_block);
      for (uint64_t v : _losses)
        put_varint(o, v);
    });
    _drops_in_block = true;
  }

  void write_strings(std::string& out) {
    append_frame(out, FrameType::strings, [&](std::string& o) {
      put_varint(o, _new_strings_begin);
      put_varint(o, _strings.size() - _new_strings_begin);
      for (size_t i = _new_strings_begin; i < _strings.size(); ++i)
        put_bytes(o, _strings[i]);
    });
  }

  // A string reference: even = table index × 2, odd = inline length × 2 + 1.
  void put_strref(std::string_view s) {
    auto it = _index.find(s);
    if (it != _index.end()) {
      put_varint(_payload, uint64_t{it->second} << 1);
      return;
    }
    if (_strings.size() < kMaxInternedStrings) {
      const auto index = static_cast<uint32_t>(_strings.size());
      _strings.emplace_back(s);
      _index.emplace(_strings.back(), index);
      put_varint(_payload, uint64_t{index} << 1);
      return;
    }
    put_varint(_payload, (uint64_t{s.size()} << 1) | 1);
    _payload.append(s);
  }

  void put_attributes(std::span<const AttributeView> attributes) {
    put_varint(_payload, attributes.size());
    for (const AttributeView& a : attributes) {
      put_strref(a.key);
      switch (a.value.index()) {
        case 0:
          _payload.push_back(static_cast<char>(ValueTag::boolean));
          _payload.push_back(std::get<0>(a.value) ? 1 : 0);
          break;
        case 1:
          _payload.push_back(static_cast<char>(ValueTag::integer));
          put_varint(_payload, zigzag_encode(std::get<1>(a.value)));
          break;
        case 2:
          _payload.push_back(static_cast<char>(ValueTag::floating));
          put_fixed<double>(_payload, std::get<2>(a.value));
          break;
        default:
          _payload.push_back(static_cast<char>(ValueTag::string));
          put_bytes(_payload, std::get<3>(a.value));
          break;
      }
    }
  }

  void encode_spans(std::span<const SpanRecord> records) {
    if (records.empty()) return;
    uint64_t previous_start = records.front().start_unix_ns;
    put_varint(_payload, previous_start);
    put_varint(_payload, records.size());
    const TraceId* previous_trace = nullptr;
    for (const SpanRecord& r : records) {
      const bool same_trace = previous_trace != nullptr && *previous_trace == r.trace_id;
      const bool extras = !r.status_message.empty() || r.dropped_attributes != 0 ||
                          r.dropped_events != 0 || !r.events.empty();
      uint8_t flags = static_cast<uint8_t>(static_cast<uint8_t>(r.kind) & kKindMask);
      flags |= static_cast<uint8_t>((static_cast<uint8_t>(r.status) << kStatusShift) & kStatusMask);
      if (r.parent_span_id.valid()) flags |= kHasParent;
      if (same_trace) flags |= kSameTrace;
      if (extras) flags |= kHasExtras;
      _payload.push_back(static_cast<char>(flags));
      if (!same_trace) {
        _payload.append(reinterpret_cast<const char*>(r.trace_id.bytes.data()), 16);
      }
      put_span_id(r.span_id);
      if (r.parent_span_id.valid()) put_span_id(r.parent_span_id);
      put_strref(r.name);
      put_varint(_payload, zigzag_encode(static_cast<int64_t>(r.start_unix_ns - previous_start)));
      put_varint(_payload, zigzag_encode(static_cast<int64_t>(r.end_unix_ns - r.start_unix_ns)));
      put_varint(_payload, r.thread_id);
      put_attributes(r.attributes);
      if (extras) {
        put_bytes(_payload, r.status_message);
        put_varint(_payload, r.dropped_attributes);
        put_varint(_payload, r.dropped_events);
        put_varint(_payload, r.events.size());
        for (const EventView& e : r.events) {
          put_strref(e.name);
          put_varint(_payload,
                     zigzag_encode(static_cast<int64_t>(e.time_unix_ns - r.start_unix_ns)));
          put_attributes(e.attributes);
        }
      }
      previous_start = r.start_unix_ns;
      previous_trace = &r.trace_id;
    }
  }

  void put_span_id(SpanId id) {
    // Big-endian: the byte order of the id's hex form and of the W3C header.
    const uint64_t be = __builtin_bswap64(id.value);
    put_fixed<uint64_t>(_payload, be);
  }

  Resource _resource;
  std::string _payload;
  // index → string, in file order; a deque so that the views in _index stay valid.
  std::deque<std::string> _strings;
  std::unordered_map<std::string_view, uint32_t, StringHash, std::equal_to<>> _index;
  size_t _committed_strings = 0;
  size_t _new_strings_begin = 0;
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
