// hotspan — the W3C `tracestate` header, validated and carried beside a SpanContext
// (https://www.w3.org/TR/trace-context/#tracestate-header).
//
// Why beside the context and not inside it: SpanContext is 32 bytes and
// trivially copyable, because it is copied on the hot path (every start_span,
// every Scope, every unsampled span). tracestate is up to 32 members of up to
// 256 + 256 characters: holding it in SpanContext would make every one of those
// copies an allocation, for a header that most relays only pass on. So a
// TraceState is its own value type: the code that receives a request parses
// both headers, keeps the TraceState next to the context it got, and sends it on
// with the next hop's traceparent. Spans never look at it.
//
// Parsing validates the whole header against Trace Context Level 2
// (https://www.w3.org/TR/trace-context-2/#tracestate-header): at most 32 list
// members; keys are 1 to 256 characters, a lowercase letter or digit first,
// then [a-z0-9_\-*/@] (Level 1's `tenant@system` keys are a special case);
// values are 1 to 256 printable ASCII characters (0x20-0x7E) other than ',' and
// '=', not ending in a space; optional spaces and tabs around members; empty
// members are allowed (and dropped). Anything else invalidates the whole header,
// as the specification asks: a receiver then forwards no tracestate at all
// rather than part of one. The one exception is a key that appears twice
// (also across two header lines): the specification lets a receiver drop the
// duplicates instead of the header, so the first member of each key is kept,
// the later ones dropped (duplicates_dropped() counts them).
//
// What is kept and forwarded is the header as received, member by member, in
// its order: only the optional whitespace and the empty members are dropped, so
// a canonical header (`k1=v1,k2=v2`) comes back byte for byte. set() and erase()
// are the specification's mutations: a vendor updating its own member moves it
// to the front.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "hotspan/export.h"

namespace hotspan {

class HOTSPAN_API TraceState {
 public:
  static constexpr size_t kMaxMembers = 32;
  static constexpr size_t kMaxKeySize = 256;
  static constexpr size_t kMaxValueSize = 256;

  TraceState() = default;  // empty: no header to send

  // The header value as received (several tracestate header lines joined with
  // ','). std::nullopt when it breaks any rule above; then `*error`, when given,
  // points to a static message saying which rule.
  static std::optional<TraceState> parse(std::string_view header,
                                         std::string_view* error = nullptr);

  // The header to send: "" when empty (send no tracestate header then).
  std::string_view header() const noexcept { return _header; }
  size_t size() const noexcept { return _size; }  // list members
  bool empty() const noexcept { return _size == 0; }

  // The value of `key`, if present.
  std::optional<std::string_view> get(std::string_view key) const noexcept;

  // A copy with key=value as its first member (an earlier member with that key
  // is removed; when that would make 33 members, the last one is dropped).
  // std::nullopt when the key or the value is invalid.
  std::optional<TraceState> set(std::string_view key, std::string_view value) const;
  // A copy without `key` (the same state when it is absent).
  TraceState erase(std::string_view key) const;

  // Members parse() dropped because their key appeared earlier in the header.
  size_t duplicates_dropped() const noexcept { return _duplicates_dropped; }

  // Equal when they send the same header.
  friend bool operator==(const TraceState& a, const TraceState& b) noexcept {
    return a._header == b._header;
  }

 private:
  std::string _header;  // canonical: members joined by ',', no whitespace
  size_t _size = 0;
  size_t _duplicates_dropped = 0;
};

}  // namespace hotspan
