// hotspan — redaction: what the exporter thread removes or pseudonymises in
// each span before any encoder or sink sees it.
//
// A relay's traces describe other people's traffic. A RedactionPolicy in
// TracerOptions says, per attribute key, what becomes of a value (dropped,
// replaced by a fixed text, or replaced by a keyed pseudonym), and can look
// for network addresses (IPv4, IPv6, host:port) inside every string: attribute
// and event attribute values, span and event names, the status message.
//
// Trade-offs: the caller's thread records values as given (the hot path does
// not change, and a value is still in the slot until the exporter thread has
// read it); redaction costs the exporter thread a pass over each span's
// strings (BENCHMARKS.md). A pseudonym ("h:" and 16 hex digits of
// SipHash-2-4 under a random 128-bit key) maps equal values to equal
// pseudonyms within one key period, so traces stay joinable, and cannot be
// inverted or linked across periods without the key: the key is drawn from
// the kernel (getrandom) when the tracer starts and again every key_rotation,
// and is never written anywhere. A short value space (ports, small integers)
// can still be enumerated by someone who has the key; nobody else has it.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "hotspan/export.h"

namespace hotspan {

enum class RedactionAction : uint8_t {
  drop,     // the attribute is left out (inside a name or message: replaced)
  replace,  // the value becomes RedactionPolicy::replacement
  hash,     // the value becomes its pseudonym, "h:" + 16 lowercase hex digits
};

struct RedactionRule {
  // An exact key, or a glob: '*' stands for any run of bytes (also none),
  // '?' for one byte. "net.peer.*" matches every key under net.peer.
  std::string key;
  RedactionAction action = RedactionAction::hash;
};

struct HOTSPAN_API RedactionPolicy {
  // Span and event attributes, of any value type; the first rule whose key
  // matches decides. A non-string value is hashed or replaced as its text.
  std::vector<RedactionRule> keys;
  // Addresses inside any string: IPv4 ("192.0.2.1", also with ":port"),
  // IPv6 ("2001:db8::1", "[2001:db8::1]:443"), and host:port
  // ("relay.example.org:9001"). Each address found becomes its pseudonym or
  // the replacement; a string attribute that is one address alone is left
  // out under `drop`.
  bool redact_addresses = false;
  RedactionAction address_action = RedactionAction::hash;
  std::string replacement = "[redacted]";
  // How long one key is used for pseudonyms; zero keeps one key for the
  // tracer's life.
  std::chrono::seconds key_rotation = std::chrono::hours(24);

  // Whether the policy changes anything (an empty policy costs nothing).
  bool active() const noexcept { return !keys.empty() || redact_addresses; }

  // The default of TracerOptions::from_env() (turned off with
  // HOTSPAN_REDACTION=off): the OpenTelemetry semantic-convention address
  // keys (client.address, server.address, source.address,
  // destination.address, network.peer.address, network.local.address, the
  // deprecated net.peer.ip, net.host.ip, net.sock.peer.addr,
  // net.sock.host.addr, http.client_ip, and url.full, url.domain) hashed, and
  // every address-looking value hashed.
  static RedactionPolicy relay_default();
};

}  // namespace hotspan
