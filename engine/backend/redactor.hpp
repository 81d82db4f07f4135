// hotspan — applying a RedactionPolicy (hotspan/redaction.hpp) on the
// exporter thread, while SpanRecordBuilder decodes each slot: before any
// encoder or sink sees the record. Exporter thread only, except
// values_redacted(), which any thread may read.
//
// The pseudonym key is 16 bytes from getrandom(2), drawn when the redactor is
// made and again when begin_batch() finds the period over; it lives in this
// object only (never written, never logged) and is overwritten when replaced.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "backend/address_scan.hpp"
#include "backend/key_pattern.hpp"
#include "backend/siphash.hpp"
#include "hotspan/attribute.hpp"
#include "hotspan/redaction.hpp"

namespace hotspan::detail {

class Redactor {
 public:
  explicit Redactor(RedactionPolicy policy);
  ~Redactor();
  Redactor(const Redactor&) = delete;
  Redactor& operator=(const Redactor&) = delete;

  bool active() const noexcept { return _active; }
  // Before a batch: a new key when the key period is over.
  void begin_batch(std::chrono::steady_clock::time_point now);

  enum class Verdict : uint8_t { keep, drop, replaced };
  // An attribute: kept as is, left out, or replaced by `out` (a string value).
  Verdict attribute(std::string_view key, const AttributeValue& value, std::string& out);
  // A name, message or string value with each address in it redacted: true
  // and the new text in `out` when something changed.
  bool text(std::string_view text, std::string& out);

  // The pseudonym of `text` under the current key.
  void append_pseudonym(std::string& out, std::string_view text) const;

  uint64_t values_redacted() const noexcept {
    return _values_redacted.load(std::memory_order_relaxed);
  }

 private:
  void count() noexcept {
    _values_redacted.store(_values_redacted.load(std::memory_order_relaxed) + 1,
                           std::memory_order_relaxed);
  }
  void draw_key();
  // `s` with each address from `first` on replaced by what the address
  // action makes of it, into `out`.
  void replace_addresses(std::string_view s, AddressMatch first, std::string& out) const;
  // What `action` makes of `text` (drop: the replacement text).
  void apply(RedactionAction action, std::string_view text, std::string& out) const;

  RedactionPolicy _policy;
  std::vector<KeyPattern> _patterns;  // the keys of _policy.keys
  bool _active;
  SipHashKey _key{};
  std::chrono::steady_clock::time_point _next_rotation;
  std::atomic<uint64_t> _values_redacted{0};  // one writer: the exporter thread
};

}  // namespace hotspan::detail
