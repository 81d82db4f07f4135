// Tests of the W3C tracestate header (Trace Context Level 2, §3.3): the
// specification's examples, each rule of the grammar at and past its limit,
// member counts, duplicates, the kept text, the mutations, and hostile input.
#include <catch2/catch.hpp>
#include <hotspan/trace_state.hpp>

#include <string>
#include <string_view>

using hotspan::TraceState;

namespace {

bool valid(std::string_view header) {
  return TraceState::parse(header).has_value();
}

// "k0=v,k1=v,...": `count` distinct members.
std::string members(size_t count) {
  std::string header;
  for (size_t i = 0; i < count; ++i) {
    if (i > 0) header += ',';
    header += "k" + std::to_string(i) + "=v";
  }
  return header;
}

}  // namespace

TEST_CASE("tracestate: the W3C examples parse and are kept as received", "[tracestate]") {
  for (const std::string_view header :
       {"congo=t61rcWkgMzE", "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE",
        "fw529a3039@dt=d7e3f1e1b0c0a7f0", "vendorname1=opaqueValue1,vendorname2=opaqueValue2"}) {
    const auto state = TraceState::parse(header);
    REQUIRE(state.has_value());
    CHECK(state->header() == header);
  }
  const auto state = TraceState::parse("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
  REQUIRE(state);
  CHECK(state->size() == 2);
  CHECK(state->get("rojo") == std::string_view("00f067aa0ba902b7"));
  CHECK(state->get("congo") == std::string_view("t61rcWkgMzE"));
  CHECK_FALSE(state->get("ro").has_value());
  CHECK_FALSE(state->get("rojo=").has_value());
}

TEST_CASE("tracestate: whitespace around members and empty members are dropped", "[tracestate]") {
  const auto state = TraceState::parse(" \trojo=1 , ,congo=2\t,,  ");
  REQUIRE(state.has_value());
  CHECK(state->header() == "rojo=1,congo=2");
  CHECK(state->size() == 2);

  for (const std::string_view empty : {"", " ", ",", " , \t,"}) {
    const auto nothing = TraceState::parse(empty);
    REQUIRE(nothing.has_value());
    CHECK(nothing->empty());
    CHECK(nothing->header().empty());
  }
}

TEST_CASE("tracestate: keys follow Level 2's grammar", "[tracestate]") {
  // §3.3.1.3.1: key = ( lcalpha / DIGIT ) 0*255( keychar ),
  // keychar = lcalpha / DIGIT / "_" / "-" / "*" / "/" / "@".
  CHECK(valid("a=1"));
  CHECK(valid("a0_-*/=1"));
  CHECK(valid(std::string(256, 'a') + "=1"));
  CHECK_FALSE(valid(std::string(257, 'a') + "=1"));
  CHECK(valid("1abc=1"));  // a digit first
  CHECK(valid("0a=1"));
  CHECK(valid("abcdefghijklmnopqrstuvwxyz0123456789_-*/@a-z0-9_-*/=1"));
  CHECK_FALSE(valid("=1"));    // empty key
  CHECK_FALSE(valid("_a=1"));  // starts with a symbol
  CHECK_FALSE(valid("*a=1"));
  CHECK_FALSE(valid("Abc=1"));  // uppercase
  CHECK_FALSE(valid("aBc=1"));
  CHECK_FALSE(valid("a.b=1"));  // '.' is not a key character
  CHECK_FALSE(valid("a b=1"));  // nor is a space
  CHECK_FALSE(valid("a =1"));   // no whitespace before '='
}

TEST_CASE("tracestate: '@' is a key character; Level 1's tenant@system keys still parse",
          "[tracestate]") {
  CHECK(valid("t@s=1"));
  CHECK(valid("0t@s=1"));
  CHECK(valid(std::string(241, 't') + "@" + std::string(14, 's') + "=1"));
  // Level 2 bounds the whole key at 256 characters, not its parts.
  CHECK(valid(std::string(242, 't') + "@v=1"));
  CHECK(valid("t@" + std::string(15, 'v') + "=1"));
  CHECK(valid("t@" + std::string(254, 'v') + "=1"));  // 256 in all
  CHECK_FALSE(valid("t@" + std::string(255, 'v') + "=1"));
  CHECK(valid("foo@=1,bar=2"));
  CHECK(valid("foo@@bar=1,bar=2"));
  CHECK(valid("foo@bar@baz=1,bar=2"));
  CHECK(valid("t@0s=1"));
  CHECK(TraceState::parse("foo@bar@baz=1,bar=2")->get("foo@bar@baz") == "1");
  CHECK_FALSE(valid("@s=1"));  // '@' is not a first character
  CHECK_FALSE(valid("@foo=1,bar=2"));
  CHECK_FALSE(valid("_t@s=1"));
  CHECK_FALSE(valid("T@s=1"));
  CHECK_FALSE(valid("t@S=1"));
}

TEST_CASE("tracestate: values", "[tracestate]") {
  CHECK(valid("k=" + std::string(256, 'v')));
  CHECK_FALSE(valid("k=" + std::string(257, 'v')));
  CHECK_FALSE(valid("k="));  // empty value
  CHECK(valid("k=a b"));     // inner spaces are fine
  CHECK(valid("k= v"));      // so is a leading one (chr includes 0x20)
  CHECK(valid("k=v "));      // a trailing space is optional whitespace, dropped
  CHECK(TraceState::parse("k=v ")->header() == "k=v");
  CHECK(valid("k=!\"#$%&'()*+-./:;<>?@[\\]^_`{|}~"));
  CHECK_FALSE(valid("k=a=b"));  // '=' in a value
  CHECK_FALSE(valid(std::string("k=a\x7f", 4)));
  CHECK_FALSE(valid(std::string("k=a\x1f", 4)));
  CHECK_FALSE(valid(std::string("k=a\0b", 5)));
  CHECK_FALSE(valid("k=a\tb"));
  CHECK_FALSE(valid("k=\xc3\xa9"));  // non-ASCII
  CHECK_FALSE(valid("k"));           // no '='
  CHECK_FALSE(valid("k=1,garbage"));
}

TEST_CASE("tracestate: at most 32 members", "[tracestate]") {
  const auto full = TraceState::parse(members(32));
  REQUIRE(full.has_value());
  CHECK(full->size() == 32);
  CHECK(full->header() == members(32));

  std::string_view error;
  CHECK_FALSE(TraceState::parse(members(33), &error).has_value());
  CHECK(error == "more than 32 list members");
  CHECK(valid(members(32) + ",,, ,"));  // empty members do not count
}

TEST_CASE("tracestate: a duplicate key drops the duplicate, not the header", "[tracestate]") {
  // §3.3.1.1 lets a receiver drop duplicates rather than the whole header; the
  // W3C test suite (test_tracestate_duplicated_keys) expects the header to be
  // forwarded. The first (leftmost, most recently updated) member is kept.
  const auto same = TraceState::parse("foo=1,foo=1");
  REQUIRE(same.has_value());
  CHECK(same->header() == "foo=1");
  CHECK(same->duplicates_dropped() == 1);
  const auto differ = TraceState::parse("foo=1,bar=2,foo=2");
  REQUIRE(differ.has_value());
  CHECK(differ->header() == "foo=1,bar=2");
  CHECK(differ->size() == 2);
  CHECK(differ->duplicates_dropped() == 1);
  // Two header lines joined with ',' are one list.
  const auto lines = TraceState::parse(std::string("foo=1") + "," + "foo=2");
  REQUIRE(lines.has_value());
  CHECK(lines->get("foo") == "1");
  // Duplicates do not count towards the 32 members...
  const auto full = TraceState::parse(members(32) + ",k0=x,k31=y");
  REQUIRE(full.has_value());
  CHECK(full->size() == 32);
  CHECK(full->duplicates_dropped() == 2);
  CHECK(full->header() == members(32));
  // ...and an invalid duplicate still invalidates the header.
  CHECK_FALSE(valid("foo=1,foo="));
  CHECK_FALSE(valid("foo=1,foo=a=b"));
  CHECK(TraceState::parse("a=1") == TraceState::parse("a=1,a=2"));  // same header to send
}

TEST_CASE("tracestate: every rejection says why", "[tracestate]") {
  for (const std::string_view header : {"k", "K=1", "k=", "k=1,=2", "k=1,@=2"}) {
    std::string_view error;
    CHECK_FALSE(TraceState::parse(header, &error).has_value());
    CHECK_FALSE(error.empty());
  }
}

TEST_CASE("tracestate: set moves the member to the front; erase removes it", "[tracestate]") {
  const auto state = TraceState::parse("rojo=1,congo=2");
  REQUIRE(state);
  const auto updated = state->set("congo", "3");
  REQUIRE(updated);
  CHECK(updated->header() == "congo=3,rojo=1");
  CHECK(updated->size() == 2);
  const auto added = updated->set("hotspan", "x");
  REQUIRE(added);
  CHECK(added->header() == "hotspan=x,congo=3,rojo=1");
  CHECK(added->erase("congo").header() == "hotspan=x,rojo=1");
  CHECK(added->erase("absent") == *added);
  CHECK(added->erase("hotspan").erase("congo").erase("rojo").empty());

  CHECK_FALSE(state->set("Bad", "1").has_value());
  CHECK_FALSE(state->set("k", "a,b").has_value());
  CHECK_FALSE(state->set("k", "").has_value());

  // A 33rd member pushes the last one out.
  const auto full = TraceState::parse(members(32));
  REQUIRE(full);
  const auto pushed = full->set("new", "1");
  REQUIRE(pushed);
  CHECK(pushed->size() == 32);
  CHECK(pushed->get("new") == std::string_view("1"));
  CHECK_FALSE(pushed->get("k31").has_value());
  CHECK(pushed->get("k30").has_value());
  CHECK(TraceState::parse(pushed->header()) == pushed);
}

TEST_CASE("tracestate: the kept header parses back to the same state", "[tracestate]") {
  const auto state = TraceState::parse("  a=1 ,\tb@c=x y z ,, d=~ ");
  REQUIRE(state);
  const auto again = TraceState::parse(state->header());
  REQUIRE(again);
  CHECK(*again == *state);
  CHECK(again->header() == "a=1,b@c=x y z,d=~");
}

TEST_CASE("tracestate: hostile input is rejected without harm", "[tracestate]") {
  CHECK_FALSE(valid(std::string(100000, ',') + "k"));
  CHECK(valid(std::string(100000, ',')));  // only empty members: valid, empty
  CHECK_FALSE(valid(std::string(100000, '=')));
  CHECK_FALSE(valid(std::string(100000, 'a')));
  std::string many;
  for (int i = 0; i < 1000; ++i)
    many += "k" + std::to_string(i) + "=v,";
  CHECK_FALSE(valid(many));
  std::string repeated;  // 100,000 duplicates: one member kept, in linear time
  for (int i = 0; i < 100000; ++i)
    repeated += "k=v,";
  const auto one = TraceState::parse(repeated);
  REQUIRE(one.has_value());
  CHECK(one->size() == 1);
  CHECK(one->duplicates_dropped() == 99999);
  std::string binary;
  for (int c = 0; c < 256; ++c)
    binary += static_cast<char>(c);
  CHECK_FALSE(valid(binary));
}
