// Redaction (hotspan/redaction.hpp): the keyed PRF against its reference
// vectors, the key globs, the address scan, and policies applied by a real
// tracer before its exporter sees a span, counted in stats().
#include <catch2/catch.hpp>

#include <hotspan/hotspan.h>

#include <cstdlib>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "backend/address_scan.hpp"
#include "backend/redactor.hpp"
#include "backend/siphash.hpp"
#include "capture_exporter.hpp"
#include "hotspan/hotspan.hpp"
#include "stderr_capture.hpp"

using namespace hotspan;
using hotspan::detail::find_address;
using hotspan::detail::glob_matches;
using hotspan_test::CaptureExporter;
using hotspan_test::OwnedSpan;
using hotspan_test::OwnedValue;

namespace {

// SipHash-2-4 of the bytes 00 01 02 ... (n bytes, n = 0..63) under the key
// 00 01 .. 0f: the test vectors of the reference implementation (vectors.h).
constexpr uint64_t kSipHashVectors[64] = {
    0x726fdb47dd0e0e31, 0x74f839c593dc67fd, 0x0d6c8009d9a94f5a, 0x85676696d7fb7e2d,
    0xcf2794e0277187b7, 0x18765564cd99a68d, 0xcbc9466e58fee3ce, 0xab0200f58b01d137,
    0x93f5f5799a932462, 0x9e0082df0ba9e4b0, 0x7a5dbbc594ddb9f3, 0xf4b32f46226bada7,
    0x751e8fbc860ee5fb, 0x14ea5627c0843d90, 0xf723ca908e7af2ee, 0xa129ca6149be45e5,
    0x3f2acc7f57c29bdb, 0x699ae9f52cbe4794, 0x4bc1b3f0968dd39c, 0xbb6dc91da77961bd,
    0xbed65cf21aa2ee98, 0xd0f2cbb02e3b67c7, 0x93536795e3a33e88, 0xa80c038ccd5ccec8,
    0xb8ad50c6f649af94, 0xbce192de8a85b8ea, 0x17d835b85bbb15f3, 0x2f2e6163076bcfad,
    0xde4daaaca71dc9a5, 0xa6a2506687956571, 0xad87a3535c49ef28, 0x32d892fad841c342,
    0x7127512f72f27cce, 0xa7f32346f95978e3, 0x12e0b01abb051238, 0x15e034d40fa197ae,
    0x314dffbe0815a3b4, 0x027990f029623981, 0xcadcd4e59ef40c4d, 0x9abfd8766a33735c,
    0x0e3ea96b5304a7d0, 0xad0c42d6fc585992, 0x187306c89bc215a9, 0xd4a60abcf3792b95,
    0xf935451de4f21df2, 0xa9538f0419755787, 0xdb9acddff56ca510, 0xd06c98cd5c0975eb,
    0xe612a3cb9ecba951, 0xc766e62cfcadaf96, 0xee64435a9752fe72, 0xa192d576b245165a,
    0x0a8787bf8ecb74b2, 0x81b3e73d20b49b6f, 0x7fa8220ba3b2ecea, 0x245731c13ca42499,
    0xb78dbfaf3a8d83bd, 0xea1ad565322a1a0b, 0x60e61c23a3795013, 0x6606d7e446282b93,
    0x6ca4ecb15c5f91e1, 0x9f626da15c9625f3, 0xe51b38608ef25f57, 0x958a324ceb064572,
};

// The addresses find_address() finds in `text`, in order.
std::vector<std::string> addresses_in(std::string_view text) {
  std::vector<std::string> out;
  size_t from = 0;
  while (const auto m = find_address(text, from)) {
    out.emplace_back(text.substr(m->begin, m->length));
    from = m->begin + m->length;
  }
  return out;
}

const std::regex kPseudonym("h:[0-9a-f]{16}");

std::string string_of(const OwnedValue* v) {
  return v != nullptr && v->index() == 3 ? std::get<3>(*v) : std::string("<not a string>");
}

// Spans recorded with `policy` and exported to a capturing exporter.
struct Traced {
  explicit Traced(RedactionPolicy policy) {
    TracerOptions options;
    options.exporter = capture;
    options.redaction = std::move(policy);
    tracer = std::make_unique<Tracer>(std::move(options));
  }
  std::vector<OwnedSpan> flushed() {
    REQUIRE(tracer->flush());
    return capture->spans();
  }
  std::shared_ptr<CaptureExporter> capture = std::make_shared<CaptureExporter>();
  std::unique_ptr<Tracer> tracer;
};

}  // namespace

TEST_CASE("redaction: SipHash-2-4 gives the reference implementation's 64 vectors", "[redaction]") {
  detail::SipHashKey key;
  for (size_t i = 0; i < key.size(); ++i)
    key[i] = static_cast<uint8_t>(i);
  std::string message;
  for (size_t n = 0; n < 64; ++n) {
    INFO("length " << n);
    CHECK(detail::siphash24(key, message) == kSipHashVectors[n]);
    message.push_back(static_cast<char>(n));
  }
}

TEST_CASE("redaction: key globs", "[redaction]") {
  CHECK(glob_matches("client.address", "client.address"));
  CHECK_FALSE(glob_matches("client.address", "client.address2"));
  CHECK_FALSE(glob_matches("client.address", "client.addres"));
  CHECK(glob_matches("net.peer.*", "net.peer.ip"));
  CHECK(glob_matches("net.peer.*", "net.peer."));
  CHECK_FALSE(glob_matches("net.peer.*", "net.host.ip"));
  CHECK(glob_matches("*.address", "network.peer.address"));
  CHECK(glob_matches("*", ""));
  CHECK(glob_matches("a*b*c", "a-x-b-y-c"));
  CHECK_FALSE(glob_matches("a*b*c", "a-x-c-y-b"));
  CHECK(glob_matches("user.?d", "user.id"));
  CHECK_FALSE(glob_matches("user.?d", "user.idd"));
  CHECK(glob_matches("**x", "yyx"));
}

TEST_CASE("redaction: addresses found in text, and what is not one", "[redaction]") {
  CHECK(addresses_in("peer 192.0.2.1 closed") == std::vector<std::string>{"192.0.2.1"});
  CHECK(addresses_in("to 203.0.113.9:9001, then 10.0.0.1.") ==
        std::vector<std::string>{"203.0.113.9:9001", "10.0.0.1"});
  CHECK(addresses_in("v6 2001:db8::1 and [2001:db8::2]:443 and ::1") ==
        std::vector<std::string>{"2001:db8::1", "[2001:db8::2]:443", "::1"});
  CHECK(addresses_in("fe80::1:2:3:4 up") == std::vector<std::string>{"fe80::1:2:3:4"});
  CHECK(addresses_in("connect relay.example.org:9001 now") ==
        std::vector<std::string>{"relay.example.org:9001"});
  CHECK(addresses_in("localhost:8080") == std::vector<std::string>{"localhost:8080"});
  CHECK(addresses_in("ip=198.51.100.7,port=5") == std::vector<std::string>{"198.51.100.7"});

  // Not addresses.
  CHECK(addresses_in("v1.2.3.4").empty());             // part of a word
  CHECK(addresses_in("1.2.3.4.5").empty());            // a longer dotted run
  CHECK(addresses_in("256.1.1.1 and 1.2.3").empty());  // octet out of range, 3 parts
  CHECK(addresses_in("12:30:45 elapsed").empty());     // a time
  CHECK(addresses_in("circuit 42 extended").empty());
  CHECK(addresses_in("A1B2C3D4E5F60718293A4B5C6D7E8F9012345678").empty());  // a fingerprint
  CHECK(addresses_in("relay.example.org without a port").empty());
  CHECK(addresses_in("host.example:70000").empty());  // port out of range
  CHECK(addresses_in("").empty());
}

TEST_CASE("redaction: a policy drops, replaces and hashes by key, counted", "[redaction]") {
  RedactionPolicy policy;
  policy.keys = {{"user.id", RedactionAction::drop},
                 {"net.peer.*", RedactionAction::replace},
                 {"*.secret", RedactionAction::hash}};
  Traced t(policy);
  for (int i = 0; i < 2; ++i) {
    Span s = t.tracer->start_span("request");
    s.set_attribute("user.id", "alice");
    s.set_attribute("net.peer.ip", "192.0.2.1");
    s.set_attribute("net.peer.port", int64_t{443});
    s.set_attribute("db.secret", "hunter2");
    s.set_attribute("kept", "value");
    s.add_event("login", {{"user.id", "alice"}, {"app.secret", int64_t{7}}});
  }
  const auto spans = t.flushed();
  REQUIRE(spans.size() == 2);
  for (const OwnedSpan& s : spans) {
    CHECK(s.find("user.id") == nullptr);
    CHECK(string_of(s.find("net.peer.ip")) == "[redacted]");
    CHECK(string_of(s.find("net.peer.port")) == "[redacted]");  // an integer, as text
    CHECK(std::regex_match(string_of(s.find("db.secret")), kPseudonym));
    CHECK(string_of(s.find("kept")) == "value");
    REQUIRE(s.events.size() == 1);
    CHECK(s.events[0].find("user.id") == nullptr);
    CHECK(std::regex_match(string_of(s.events[0].find("app.secret")), kPseudonym));
  }
  // One key for the tracer's life (the default period is a day): equal values,
  // equal pseudonyms, so traces stay joinable.
  CHECK(string_of(spans[0].find("db.secret")) == string_of(spans[1].find("db.secret")));
  CHECK(string_of(spans[0].find("db.secret")) != string_of(spans[0].events[0].find("app.secret")));
  // 6 values a span: four attributes, two event attributes.
  CHECK(t.tracer->stats().values_redacted == 12);
}

TEST_CASE("redaction: addresses in names, messages, values and events never reach the exporter",
          "[redaction]") {
  Traced t(RedactionPolicy::relay_default());
  {
    Span s = t.tracer->start_span("connect 192.0.2.10:9001");
    s.set_attribute("client.address", "relay-7");  // a key of the default: hashed whatever it is
    s.set_attribute("note", "from 2001:db8::7 via [2001:db8::8]:443 ok");
    s.set_attribute("only", "198.51.100.3");
    s.set_attribute("count", int64_t{3});
    s.add_event("redirect", {{"to", "relay.example.org:443"}});
    s.set_status(StatusCode::error, "refused by 203.0.113.5");
  }
  const auto spans = t.flushed();
  REQUIRE(spans.size() == 1);
  const OwnedSpan& s = spans[0];
  std::string all = s.name + "|" + s.status_message;
  for (const auto& [key, value] : s.attributes)
    all += "|" + key + "=" + (value.index() == 3 ? std::get<3>(value) : std::string("#"));
  for (const auto& e : s.events)
    for (const auto& [key, value] : e.attributes)
      all += "|" + key + "=" + std::get<3>(value);
  for (const char* raw : {"192.0.2.10", "2001:db8::7", "2001:db8::8", "198.51.100.3",
                          "relay.example.org", "203.0.113.5", "relay-7"}) {
    INFO(all);
    CHECK(all.find(raw) == std::string::npos);
  }
  CHECK(std::regex_match(s.name, std::regex("connect h:[0-9a-f]{16}")));
  CHECK(std::regex_match(s.status_message, std::regex("refused by h:[0-9a-f]{16}")));
  CHECK(std::regex_match(string_of(s.find("note")),
                         std::regex("from h:[0-9a-f]{16} via h:[0-9a-f]{16} ok")));
  CHECK(std::regex_match(string_of(s.find("only")), kPseudonym));
  CHECK(std::regex_match(string_of(s.find("client.address")), kPseudonym));
  REQUIRE(s.find("count") != nullptr);
  CHECK(std::get<1>(*s.find("count")) == 3);
  // name, status message, client.address, note, only, the event's "to".
  CHECK(t.tracer->stats().values_redacted == 6);
}

TEST_CASE("redaction: drop leaves out a value that is one address, and cuts it out of text",
          "[redaction]") {
  RedactionPolicy policy;
  policy.redact_addresses = true;
  policy.address_action = RedactionAction::drop;
  policy.replacement = "<addr>";
  Traced t(policy);
  {
    Span s = t.tracer->start_span("span");
    s.set_attribute("peer", "192.0.2.1:443");
    s.set_attribute("text", "peer 192.0.2.1:443 gone");
  }
  const auto spans = t.flushed();
  REQUIRE(spans.size() == 1);
  CHECK(spans[0].find("peer") == nullptr);
  CHECK(string_of(spans[0].find("text")) == "peer <addr> gone");
  CHECK(t.tracer->stats().values_redacted == 2);
}

TEST_CASE("redaction: pseudonyms change with the key period and between tracers", "[redaction]") {
  RedactionPolicy policy;
  policy.keys = {{"k", RedactionAction::hash}};
  policy.key_rotation = std::chrono::seconds(60);
  detail::Redactor a(policy), b(policy);
  std::string first, second, other;
  REQUIRE(a.attribute("k", std::string_view("value"), first) ==
          detail::Redactor::Verdict::replaced);
  REQUIRE(a.attribute("k", std::string_view("value"), second) ==
          detail::Redactor::Verdict::replaced);
  CHECK(first == second);
  REQUIRE(b.attribute("k", std::string_view("value"), other) ==
          detail::Redactor::Verdict::replaced);
  CHECK(first != other);  // another tracer, another key
  a.begin_batch(std::chrono::steady_clock::now() + std::chrono::seconds(30));
  a.attribute("k", std::string_view("value"), second);
  CHECK(first == second);  // still the same period
  a.begin_batch(std::chrono::steady_clock::now() + std::chrono::seconds(61));
  a.attribute("k", std::string_view("value"), second);
  CHECK(first != second);  // a new period, a new key
  CHECK(a.values_redacted() == 4);
}

TEST_CASE("redaction: an empty policy changes nothing and costs no pass", "[redaction]") {
  Traced t(RedactionPolicy{});
  { Span s = t.tracer->start_span("to 192.0.2.1"); }
  const auto spans = t.flushed();
  REQUIRE(spans.size() == 1);
  CHECK(spans[0].name == "to 192.0.2.1");
  CHECK(t.tracer->stats().values_redacted == 0);
  CHECK_FALSE(RedactionPolicy{}.active());
  CHECK(RedactionPolicy::relay_default().active());
}

TEST_CASE("redaction: from_env() turns the relay default on unless HOTSPAN_REDACTION=off",
          "[redaction][env]") {
  ::unsetenv("HOTSPAN_REDACTION");
  CHECK(TracerOptions::from_env().redaction.redact_addresses);
  CHECK_FALSE(TracerOptions{}.redaction.active());
  ::setenv("HOTSPAN_REDACTION", "off", 1);
  CHECK_FALSE(TracerOptions::from_env().redaction.active());
  ::setenv("HOTSPAN_REDACTION", "OFF", 1);
  CHECK_FALSE(TracerOptions::from_env().redaction.active());
  {
    ::setenv("HOTSPAN_REDACTION", "of", 1);  // a typo keeps redaction on, and says so
    hotspan_test::StderrCapture capture;
    CHECK(TracerOptions::from_env().redaction.active());
    CHECK(capture.text().find("HOTSPAN_REDACTION") != std::string::npos);
  }
  ::unsetenv("HOTSPAN_REDACTION");

  hotspan_options c;
  REQUIRE(hotspan_options_init(&c) == HOTSPAN_OK);
  CHECK(c.redaction == HOTSPAN_REDACTION_NONE);
  REQUIRE(hotspan_options_from_env(&c) == HOTSPAN_OK);
  CHECK(c.redaction == HOTSPAN_REDACTION_RELAY);
  ::setenv("HOTSPAN_REDACTION", "off", 1);
  REQUIRE(hotspan_options_from_env(&c) == HOTSPAN_OK);
  CHECK(c.redaction == HOTSPAN_REDACTION_NONE);
  ::unsetenv("HOTSPAN_REDACTION");
}
