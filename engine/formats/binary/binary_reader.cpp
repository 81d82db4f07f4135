// hotspan — binary format reader (docs/FORMAT.md).
//
// Frame by frame: the 5-byte header is read and its length checked against the
// format's bound before anything is allocated; the payload and checksum are
// read and verified before the payload is interpreted. Spans are decoded one
// at a time from the current spans frame into reused vectors, so memory is
// bounded by one frame, one span's views and the string table.
#include <xxhash.h>

#include <cstring>
#include <deque>
#include <fstream>
#include <istream>
#include <system_error>
#include <vector>

#include "formats/binary/binary_format.hpp"
#include "formats/varint.hpp"
#include "hotspan/reader.hpp"

namespace hotspan {

using namespace detail::binary;
using detail::ByteCursor;

struct BinaryTraceReader::State {
  std::unique_ptr<std::ifstream> owned;
  std::istream* in = nullptr;

  Status status = Status::reading;
  std::string message;
  uint64_t error_offset = 0;
  bool header_read = false;
  uint16_t minor = 0;
  Resource resource;

  uint64_t offset = 0;  // bytes consumed
  uint64_t frame_offset = 0;
  uint64_t frames = 0;
  uint64_t spans = 0;
  std::optional<RecordedLosses> losses;
  std::optional<uint64_t> declared_spans;
  bool end_seen = false;

  std::vector<uint8_t> frame;  // header + payload + checksum of the current frame
  std::deque<std::string> strings;
  size_t string_bytes = 0;

  // Decoding position inside the current spans frame.
  ByteCursor cursor{nullptr, nullptr};
  uint64_t spans_left = 0;
  uint64_t previous_start = 0;
  TraceId previous_trace;
  bool has_previous_trace = false;

  SpanRecord record;
  std::vector<AttributeView> attributes;  // span attributes, then each event's
  std::vector<EventView> events;
  std::vector<std::pair<size_t, size_t>> event_ranges;

  bool fail(Status s, std::string what) {
    status = s;
    error_offset = frame_offset;
    message = std::move(what);
    return false;
  }
  bool corrupt(const std::string& what) {
    return fail(Status::error,
                "corrupt " + what + " (frame at offset " + std::to_string(frame_offset) + ")");
  }

  // Reads exactly n bytes; returns how many were available.
  size_t read(uint8_t* out, size_t n) {
    in->read(reinterpret_cast<char*>(out), static_cast<std::streamsize>(n));
    const auto got = static_cast<size_t>(in->gcount());
    offset += got;
    return got;
  }

  bool read_preamble() {
    uint8_t pre[kPreambleBytes];
    const size_t got = read(pre, sizeof(pre));
    if (got < sizeof(kMagic) || std::memcmp(pre, kMagic, sizeof(kMagic)) != 0) {
      if (got == 0) return fail(Status::error, "empty input: not a hotspan binary trace");
      return fail(Status::error, "not a hotspan binary trace (bad magic at offset 0)");
    }
    if (got < sizeof(pre)) {
      return fail(Status::truncated, "truncated after 0 spans: the file ends inside its preamble");
    }
    uint16_t major, minor_version;
    std::memcpy(&major, pre + 8, 2);
    std::memcpy(&minor_version, pre + 10, 2);
    if (major != kMajorVersion) {
      return fail(Status::error, "unsupported format version " + std::to_string(major) + "." +
                                     std::to_string(minor_version) + " (this reader reads " +
                                     std::to_string(kMajorVersion) + ".x) at offset 8");
    }
    minor = minor_version;
    return true;
  }

  // Reads the next frame into `frame`. False at the end of the data or on error.
  bool read_frame() {
    frame_offset = offset;
    frame.resize(kFrameHeaderBytes);
    const size_t got = read(frame.data(), kFrameHeaderBytes);
    if (got == 0 && in->eof()) {
      status = end_seen ? Status::complete : Status::unclosed;
      if (!end_seen) {
        message = "the file ends after " + std::to_string(spans) +
                  " spans without an end frame (the writer did not shut down cleanly)";
      }
      return false;
    }
    if (got < kFrameHeaderBytes) return truncated(kFrameHeaderBytes, got);
    uint32_t length;
    std::memcpy(&length, frame.data() + 1, sizeof(length));
    if (length > kMaxPayloadBytes) {
      return corrupt("frame: impossible payload length " + std::to_string(length) +
                     " (the limit is " + std::to_string(kMaxPayloadBytes) + ")");
    }
    const size_t rest = size_t{length} + kChecksumBytes;
    frame.resize(kFrameHeaderBytes + rest);
    const size_t body = read(frame.data() + kFrameHeaderBytes, rest);
    if (body < rest) return truncated(kFrameHeaderBytes + rest, kFrameHeaderBytes + body);
    uint64_t checksum;
    std::memcpy(&checksum, frame.data() + kFrameHeaderBytes + length, sizeof(checksum));
    if (checksum != XXH3_64bits(frame.data(), kFrameHeaderBytes + length)) {
      return corrupt("frame: checksum mismatch");
    }
    if (end_seen) return corrupt("file: data after the end frame");
    ++frames;
    return true;
  }

  bool truncated(size_t needed, size_t got) {
    return fail(Status::truncated,
                "truncated after " + std::to_string(spans) + " spans: the frame at offset " +
                    std::to_string(frame_offset) + " needs " + std::to_string(needed) +
                    " bytes but the file ends after " + std::to_string(got));
  }

  ByteCursor payload() const {
    return ByteCursor(frame.data() + kFrameHeaderBytes,
                      frame.data() + frame.size() - kChecksumBytes);
  }
  FrameType frame_type() const { return static_cast<FrameType>(frame[0]); }

  bool read_header_frame() {
    if (!read_frame()) {
      if (status == Status::unclosed || status == Status::complete) {
        return fail(Status::truncated,
                    "truncated after 0 spans: the file ends before its header frame");
      }
      return false;
    }
    if (frame_type() != FrameType::header) return corrupt("file: the first frame is not a header");
    ByteCursor c = payload();
    uint64_t anchor_unix, anchor_mono, pid, count;
    std::string_view service, writer;
    if (!c.varint(anchor_unix) || !c.varint(anchor_mono) || !c.varint(pid) || !c.string(service) ||
        !c.varint(count)) {
      return corrupt("header frame");
    }
    resource.clock_anchor_unix_ns = anchor_unix;
    resource.clock_anchor_monotonic_ns = anchor_mono;
    resource.process_id = static_cast<uint32_t>(pid);
    resource.service_name = std::string(service);
    if (count > c.remaining() / 2) return corrupt("header frame: impossible attribute count");
    for (uint64_t i = 0; i < count; ++i) {
      std::string_view k, v;
      if (!c.string(k) || !c.string(v)) return corrupt("header frame attribute");
      resource.attributes.emplace_back(std::string(k), std::string(v));
    }
    if (!c.string(writer)) return corrupt("header frame: no writer name");
    // Fields added by later minor versions follow; they are ignored.
    header_read = true;
    return true;
  }

  bool read_strings_frame() {
    ByteCursor c = payload();
    uint64_t first, count;
    if (!c.varint(first) || !c.varint(count)) return corrupt("strings frame");
    if (first != strings.size()) {
      return corrupt("strings frame: defines index " + std::to_string(first) +
                     " but the table has " + std::to_string(strings.size()) + " strings");
    }
    if (count > c.remaining() || strings.size() + count > kMaxTableStrings) {
      return corrupt("strings frame: impossible string count " + std::to_string(count));
    }
    for (uint64_t i = 0; i < count; ++i) {
      std::string_view s;
      if (!c.string(s)) return corrupt("strings frame: string " + std::to_string(first + i));
      string_bytes += s.size();
      if (string_bytes > kMaxTableBytes) return corrupt("strings frame: string table over 64 MiB");
      strings.emplace_back(s);
    }
    if (!c.empty()) return corrupt("strings frame: trailing bytes");
    return true;
  }

  // A drops frame, or the end frame, which also carries the total span count.
  bool read_losses(FrameType type) {
    const bool with_count = type == FrameType::end;
    ByteCursor c = payload();
    uint64_t total = 0;
    if (with_count && !c.varint(total)) return corrupt("end frame");
    RecordedLosses read;
    for (uint64_t RecordedLosses::*counter : kLossCounterOrder) {
      if (!c.varint(read.*counter)) return corrupt(with_count ? "end frame" : "drops frame");
    }
    if (!c.empty())
      return corrupt(with_count ? "end frame: trailing bytes" : "drops frame: trailing bytes");
    losses = read;
    if (with_count) {
      declared_spans = total;
      end_seen = true;
    }
    return true;
  }

  bool begin_spans_frame() {
    cursor = payload();
    if (!cursor.varint(previous_start) || !cursor.varint(spans_left)) return corrupt("spans frame");
    if (spans_left == 0 || spans_left > cursor.remaining()) {
      return corrupt("spans frame: impossible span count " + std::to_string(spans_left));
    }
    has_previous_trace = false;
    return true;
  }

  bool strref(std::string_view& out) {
    uint64_t v;
    if (!cursor.varint(v)) return false;
    if (v & 1) {
      const uint64_t n = v >> 1;
      const uint8_t* p;
      if (n > cursor.remaining() || !cursor.bytes(static_cast<size_t>(n), p)) return false;
      out = std::string_view(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
      return true;
    }
    const uint64_t index = v >> 1;
    if (index >= strings.size()) {
      corrupt("span: string index " + std::to_string(index) + " out of range (table has " +
              std::to_string(strings.size()) + ")");
      return false;
    }
    out = strings[static_cast<size_t>(index)];
    return true;
  }

  bool read_attributes(size_t& count_out) {
    uint64_t n;
    if (!cursor.varint(n) || n > kMaxAttributesPerSpan - attributes.size() ||
        n > cursor.remaining()) {
      return false;
    }
    for (uint64_t i = 0; i < n; ++i) {
      AttributeView a;
      uint8_t tag;
      if (!strref(a.key) || !cursor.byte(tag)) return false;
      switch (static_cast<ValueTag>(tag)) {
        case ValueTag::boolean: {
          uint8_t b;
          if (!cursor.byte(b) || b > 1) return false;
          a.value = AttributeValue(std::in_place_index<0>, b == 1);
          break;
        }
        case ValueTag::integer: {
          int64_t v;
          if (!cursor.zigzag(v)) return false;
          a.value = AttributeValue(std::in_place_index<1>, v);
          break;
        }
        case ValueTag::floating: {
          double d;
          if (!cursor.fixed(d)) return false;
          a.value = AttributeValue(std::in_place_index<2>, d);
          break;
        }
        case ValueTag::string: {
          std::string_view s;
          if (!cursor.string(s)) return false;
          a.value = AttributeValue(std::in_place_index<3>, s);
          break;
        }
        default:
          return false;
      }
      attributes.push_back(a);
    }
    count_out = static_cast<size_t>(n);
    return true;
  }

  bool read_span_id(SpanId& out) {
    uint64_t be;
    if (!cursor.fixed(be)) return false;
    out.value = __builtin_bswap64(be);
    return out.valid();
  }

  // Decodes the next span of the current frame into `record`.
  bool decode_span() {
    const auto malformed = [&] {
      if (status == Status::error) return false;  // a more precise message is set
      return corrupt("span " + std::to_string(spans + 1) + " in spans frame");
    };
    attributes.clear();
    events.clear();
    event_ranges.clear();
    SpanRecord r;
    uint8_t flags;
    if (!cursor.byte(flags)) return malformed();
    const uint8_t kind = flags & kKindMask;
    if (kind > static_cast<uint8_t>(SpanKind::consumer)) return malformed();
    r.kind = static_cast<SpanKind>(kind);
    r.status = static_cast<StatusCode>((flags & kStatusMask) >> kStatusShift);
    if (flags & kSameTrace) {
      if (!has_previous_trace) return malformed();
      r.trace_id = previous_trace;
    } else {
      const uint8_t* p;
      if (!cursor.bytes(16, p)) return malformed();
      std::memcpy(r.trace_id.bytes.data(), p, 16);
      if (!r.trace_id.valid()) return malformed();
    }
    if (!read_span_id(r.span_id)) return malformed();
    if ((flags & kHasParent) && !read_span_id(r.parent_span_id)) return malformed();
    int64_t start_delta, duration;
    uint64_t thread_id;
    if (!strref(r.name) || !cursor.zigzag(start_delta) || !cursor.zigzag(duration) ||
        !cursor.varint(thread_id)) {
      return malformed();
    }
    r.start_unix_ns = previous_start + static_cast<uint64_t>(start_delta);
    r.end_unix_ns = r.start_unix_ns + static_cast<uint64_t>(duration);
    r.thread_id = static_cast<uint32_t>(thread_id);
    size_t span_attributes;
    if (!read_attributes(span_attributes)) return malformed();
    if (flags & kHasExtras) {
      uint64_t dropped_attributes, dropped_events, event_count;
      if (!cursor.string(r.status_message) || !cursor.varint(dropped_attributes) ||
          !cursor.varint(dropped_events) || !cursor.varint(event_count) ||
          event_count > kMaxEventsPerSpan || event_count > cursor.remaining()) {
        return malformed();
      }
      r.dropped_attributes = static_cast<uint32_t>(dropped_attributes);
      r.dropped_events = static_cast<uint32_t>(dropped_events);
      for (uint64_t i = 0; i < event_count; ++i) {
        EventView e;
        int64_t offset_ns;
        if (!strref(e.name) || !cursor.zigzag(offset_ns)) return malformed();
        e.time_unix_ns = r.start_unix_ns + static_cast<uint64_t>(offset_ns);
        const size_t begin = attributes.size();
        size_t n;
        if (!read_attributes(n)) return malformed();
        events.push_back(e);
        event_ranges.emplace_back(begin, n);
      }
    }
    // Views are set once the vectors have stopped growing.
    r.attributes = std::span<const AttributeView>(attributes.data(), span_attributes);
    for (size_t i = 0; i < events.size(); ++i) {
      events[i].attributes = std::span<const AttributeView>(
          attributes.data() + event_ranges[i].first, event_ranges[i].second);
    }
    r.events = events;
    record = r;
    previous_start = r.start_unix_ns;
    previous_trace = r.trace_id;
    has_previous_trace = true;
    return true;
  }
};

BinaryTraceReader::BinaryTraceReader(std::istream& in) : _state(std::make_unique<State>()) {
  _state->in = &in;
}

std::unique_ptr<BinaryTraceReader> BinaryTraceReader::open(const std::string& path) {
  auto file = std::make_unique<std::ifstream>(path, std::ios::binary);
  if (!file->is_open()) {
    throw std::system_error(errno, std::system_category(),
                            "hotspan: cannot open trace file '" + path + "'");
  }
  auto reader = std::make_unique<BinaryTraceReader>(*file);
  reader->_state->owned = std::move(file);
  return reader;
}

BinaryTraceReader::~BinaryTraceReader() = default;

bool BinaryTraceReader::read_header() {
  State& s = *_state;
  if (s.header_read) return true;
  if (s.status != Status::reading) return false;
  return s.read_preamble() && s.read_header_frame();
}

const SpanRecord* BinaryTraceReader::next() {
  State& s = *_state;
  if (!read_header()) return nullptr;
  // An error ends the reading, also inside a frame (a rejected span count is
  // left in spans_left).
  if (s.status != Status::reading) return nullptr;
  while (s.spans_left == 0) {
    if (s.status != Status::reading || !s.read_frame()) return nullptr;
    bool ok = true;
    switch (s.frame_type()) {
      case FrameType::spans:
        ok = s.begin_spans_frame();
        break;
      case FrameType::strings:
        ok = s.read_strings_frame();
        break;
      case FrameType::drops:
        ok = s.read_losses(FrameType::drops);
        break;
      case FrameType::end:
        ok = s.read_losses(FrameType::end);
        break;
      case FrameType::header:
        ok = s.corrupt("file: a second header frame");
        break;
      default:
        break;  // unknown frame type with a valid checksum: skipped
    }
    if (!ok) return nullptr;
  }
  if (!s.decode_span()) {
    s.spans_left = 0;
    return nullptr;
  }
  --s.spans_left;
  if (s.spans_left == 0 && !s.cursor.empty()) {
    s.corrupt("spans frame: trailing bytes after its last span");
    return nullptr;
  }
  ++s.spans;
  return &s.record;
}

const Resource& BinaryTraceReader::resource() const noexcept {
  return _state->resource;
}
uint16_t BinaryTraceReader::format_minor_version() const noexcept {
  return _state->minor;
}
BinaryTraceReader::Status BinaryTraceReader::status() const noexcept {
  return _state->status;
}
const std::string& BinaryTraceReader::message() const noexcept {
  return _state->message;
}
uint64_t BinaryTraceReader::error_offset() const noexcept {
  return _state->error_offset;
}
uint64_t BinaryTraceReader::spans_read() const noexcept {
  return _state->spans;
}
uint64_t BinaryTraceReader::frames_read() const noexcept {
  return _state->frames;
}
uint64_t BinaryTraceReader::bytes_read() const noexcept {
  return _state->offset;
}
const std::optional<RecordedLosses>& BinaryTraceReader::recorded_losses() const noexcept {
  return _state->losses;
}
std::optional<uint64_t> BinaryTraceReader::declared_span_count() const noexcept {
  return _state->declared_spans;
}

bool BinaryTraceReader::has_magic(std::string_view prefix) noexcept {
  return prefix.size() >= sizeof(kMagic) && std::memcmp(prefix.data(), kMagic, sizeof(kMagic)) == 0;
}

}  // namespace hotspan
