// hotspan relay example — the cell: Tor's fixed 514-byte layout, with the
// sender's span context at a fixed place in the payload.
//
//   offset 0    circuit id        4 bytes, big-endian
//   offset 4    command           1 byte: CREATE, CREATED, RELAY, DESTROY
//   offset 5    payload         509 bytes:
//     +0          span context   26 bytes, hotspan's binary context of the span
//                                that sent the cell on this link (zeros: none);
//                                rewritten by every hop, never layered
//     +26         body          483 bytes:
//       CREATE / CREATED           an 8-byte nonce (the "handshake")
//       RELAY                      onion-layered: relay command (1), stream id (2),
//                                  length (2), data (up to 478 bytes)
//       DESTROY                    a 1-byte reason
//
// NOT CRYPTOGRAPHY. Each hop's "layer" is a fixed 483-byte XOR pad derived from
// the two nonces of its CREATE/CREATED exchange: it gives every hop the same
// kind of per-cell work as a real relay (touch the whole body once per hop, per
// direction) and nothing else. Real Tor uses ntor handshakes, AES-CTR layers and
// running digests.
#pragma once

#include <hotspan/span_context.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

namespace relay {

inline constexpr size_t kCellSize = 514;
inline constexpr size_t kPayloadOffset = 5;
inline constexpr size_t kContextOffset = kPayloadOffset;                             // payload +0
inline constexpr size_t kBodyOffset = kContextOffset + hotspan::kBinaryContextSize;  // 31
inline constexpr size_t kBodySize = kCellSize - kBodyOffset;                         // 483
inline constexpr size_t kRelayHeaderSize = 5;
inline constexpr size_t kMaxRelayData = kBodySize - kRelayHeaderSize;  // 478

enum class Command : uint8_t { create = 1, created = 2, relay = 3, destroy = 4 };
enum class RelayCommand : uint8_t {
  extend = 1,    // data: next hop's port (2 bytes) and the client's nonce for it (8)
  extended = 2,  // data: the new hop's nonce (8)
  begin = 3,
  connected = 4,
  data = 5,  // the exit echoes it
  end = 6,
};

inline std::string_view relay_command_name(RelayCommand command) {
  switch (command) {
    case RelayCommand::extend:
      return "extend";
    case RelayCommand::extended:
      return "extended";
    case RelayCommand::begin:
      return "begin";
    case RelayCommand::connected:
      return "connected";
    case RelayCommand::data:
      return "data";
    case RelayCommand::end:
      return "end";
  }
  return "unknown";
}

using Pad = std::array<uint8_t, kBodySize>;

// The XOR "layer" of one hop (see the header comment: not cryptography).
inline Pad make_pad(uint64_t client_nonce, uint64_t relay_nonce) {
  Pad pad;
  uint64_t state = client_nonce ^ (relay_nonce * 0x9e3779b97f4a7c15ULL);
  for (size_t i = 0; i < pad.size(); i += 8) {
    state += 0x9e3779b97f4a7c15ULL;  // splitmix64
    uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    std::memcpy(pad.data() + i, &z, std::min<size_t>(8, pad.size() - i));
  }
  return pad;
}

struct Cell {
  std::array<uint8_t, kCellSize> bytes{};

  uint32_t circ_id() const {
    return uint32_t{bytes[0]} << 24 | uint32_t{bytes[1]} << 16 | uint32_t{bytes[2]} << 8 |
           uint32_t{bytes[3]};
  }
  void set_circ_id(uint32_t id) {
    for (int i = 0; i < 4; ++i)
      bytes[i] = static_cast<uint8_t>(id >> (24 - 8 * i));
  }
  Command command() const { return static_cast<Command>(bytes[4]); }
  void set_command(Command c) { bytes[4] = static_cast<uint8_t>(c); }

  std::span<std::byte, hotspan::kBinaryContextSize> context_field() {
    return std::span<std::byte, hotspan::kBinaryContextSize>(
        reinterpret_cast<std::byte*>(bytes.data() + kContextOffset), hotspan::kBinaryContextSize);
  }
  // The sender's span, as the parent of the receiver's; invalid when absent.
  hotspan::SpanContext context() const {
    const std::span<const std::byte> field(
        reinterpret_cast<const std::byte*>(bytes.data() + kContextOffset),
        hotspan::kBinaryContextSize);
    return hotspan::parse_binary_context(field).value_or(hotspan::SpanContext{});
  }
  void set_context(const hotspan::SpanContext& context) {
    hotspan::write_binary_context(context, context_field());
  }

  uint8_t* body() { return bytes.data() + kBodyOffset; }
  const uint8_t* body() const { return bytes.data() + kBodyOffset; }
  void apply_layer(const Pad& pad) {
    for (size_t i = 0; i < kBodySize; ++i)
      bytes[kBodyOffset + i] ^= pad[i];
  }

  uint64_t nonce() const {
    uint64_t n;
    std::memcpy(&n, body(), 8);
    return n;
  }
  void set_nonce(uint64_t n) { std::memcpy(body(), &n, 8); }

  // The relay header of a RELAY cell's body (valid once all layers are off).
  RelayCommand relay_command() const { return static_cast<RelayCommand>(body()[0]); }
  uint16_t stream_id() const { return static_cast<uint16_t>(body()[1] << 8 | body()[2]); }
  size_t data_size() const { return std::min<size_t>(body()[3] << 8 | body()[4], kMaxRelayData); }
  const uint8_t* data() const { return body() + kRelayHeaderSize; }
  uint8_t* data() { return body() + kRelayHeaderSize; }
  void set_relay(RelayCommand command, uint16_t stream, std::span<const uint8_t> data) {
    const size_t size = std::min(data.size(), kMaxRelayData);
    uint8_t* b = body();
    b[0] = static_cast<uint8_t>(command);
    b[1] = static_cast<uint8_t>(stream >> 8);
    b[2] = static_cast<uint8_t>(stream);
    b[3] = static_cast<uint8_t>(size >> 8);
    b[4] = static_cast<uint8_t>(size);
    if (size > 0) std::memcpy(b + kRelayHeaderSize, data.data(), size);
  }

  static Cell make(uint32_t circ_id, Command command, const hotspan::SpanContext& context) {
    Cell cell;
    cell.set_circ_id(circ_id);
    cell.set_command(command);
    cell.set_context(context);
    return cell;
  }
};

}  // namespace relay
