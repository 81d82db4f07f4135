// hotspan — redaction on the exporter thread (see redactor.hpp).
#include "backend/redactor.hpp"

#include <sys/random.h>

#include <cerrno>
#include <random>
#include <utility>
#include <variant>

#include "backend/attribute_text.hpp"
#include "core/hex.hpp"

namespace hotspan::detail {

Redactor::Redactor(RedactionPolicy policy) : _policy(std::move(policy)), _active(_policy.active()) {
  for (const RedactionRule& rule : _policy.keys)
    _patterns.emplace_back(rule.key);
  if (_active) draw_key();
}

Redactor::~Redactor() {
  // The key goes with the redactor; a volatile write the compiler keeps.
  volatile uint8_t* k = _key.data();
  for (size_t i = 0; i < _key.size(); ++i)
    k[i] = 0;
}

void Redactor::draw_key() {
  size_t got = 0;
  while (got < _key.size()) {
    const ssize_t n = ::getrandom(_key.data() + got, _key.size() - got, 0);
    if (n > 0) {
      got += static_cast<size_t>(n);
    } else if (n < 0 && errno != EINTR) {
      break;  // no getrandom (or refused): the C++ library's source instead
    }
  }
  if (got < _key.size()) {
    std::random_device device;
    for (auto& byte : _key)
      byte = static_cast<uint8_t>(device());
  }
  if (_policy.key_rotation.count() > 0)
    _next_rotation = std::chrono::steady_clock::now() + _policy.key_rotation;
}

void Redactor::begin_batch(std::chrono::steady_clock::time_point now) {
  if (_active && _policy.key_rotation.count() > 0 && now >= _next_rotation) draw_key();
}

void Redactor::append_pseudonym(std::string& out, std::string_view text) const {
  char digits[16];
  write_hex_u64(siphash24(_key, text), digits);
  out.append("h:").append(digits, sizeof(digits));
}

void Redactor::apply(RedactionAction action, std::string_view text, std::string& out) const {
  if (action == RedactionAction::hash) {
    append_pseudonym(out, text);
  } else {
    out.append(_policy.replacement);
  }
}

Redactor::Verdict Redactor::attribute(std::string_view key, const AttributeValue& value,
                                      std::string& out) {
  for (size_t i = 0; i < _policy.keys.size(); ++i) {
    const RedactionRule& rule = _policy.keys[i];
    if (!_patterns[i].matches(key)) continue;
    count();
    if (rule.action == RedactionAction::drop) return Verdict::drop;
    out.clear();
    apply(rule.action, attribute_text(value), out);
    return Verdict::replaced;
  }
  if (!_policy.redact_addresses || value.index() != 3) return Verdict::keep;
  const std::string_view s = std::get<3>(value);
  const std::optional<AddressMatch> first = find_address(s);
  if (!first) return Verdict::keep;
  count();
  if (_policy.address_action == RedactionAction::drop && first->begin == 0 &&
      first->length == s.size()) {
    return Verdict::drop;  // the value is one address: nothing else to keep
  }
  replace_addresses(s, *first, out);
  return Verdict::replaced;
}

bool Redactor::text(std::string_view s, std::string& out) {
  if (!_policy.redact_addresses) return false;
  const std::optional<AddressMatch> first = find_address(s);
  if (!first) return false;
  count();
  replace_addresses(s, *first, out);
  return true;
}

void Redactor::replace_addresses(std::string_view s, AddressMatch first, std::string& out) const {
  out.clear();
  size_t done = 0;
  for (std::optional<AddressMatch> match = first; match; match = find_address(s, done)) {
    out.append(s.substr(done, match->begin - done));
    apply(_policy.address_action, s.substr(match->begin, match->length), out);
    done = match->begin + match->length;
  }
  out.append(s.substr(done));
}

}  // namespace hotspan::detail

namespace hotspan {

RedactionPolicy RedactionPolicy::relay_default() {
  RedactionPolicy policy;
  for (const char* key :
       {"client.address", "server.address", "source.address", "destination.address",
        "network.peer.address", "network.local.address", "net.peer.ip", "net.host.ip",
        "net.sock.peer.addr", "net.sock.host.addr", "http.client_ip", "url.full", "url.domain"}) {
    policy.keys.push_back(RedactionRule{key, RedactionAction::hash});
  }
  policy.redact_addresses = true;
  policy.address_action = RedactionAction::hash;
  return policy;
}

}  // namespace hotspan
