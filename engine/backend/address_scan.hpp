// hotspan — finding network addresses inside text, for redaction.
//
// Recognised: IPv4 dotted quads (each octet 0-255), optionally with ":port";
// IPv6 as inet_pton(3) accepts it, bare or in brackets ("[2001:db8::1]:443");
// and host:port, a DNS-like name with at least one dot (or "localhost")
// followed by a port 0-65535. A match must start and end at a word boundary:
// "v1.2.3.4" or "10.0.0.1.5" are not addresses, "peer=10.0.0.1," holds one.
// The scan leans towards finding too much (a "std::min"-like run of hex and
// colons that inet_pton accepts is an IPv6 address): redaction is the safe
// side. Linear in the text: a match is only tried where a word starts.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace hotspan::detail {

struct AddressMatch {
  size_t begin;
  size_t length;
};

// The first address in `text` that starts at or after `from`.
std::optional<AddressMatch> find_address(std::string_view text, size_t from = 0) noexcept;

}  // namespace hotspan::detail
