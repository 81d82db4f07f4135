// Regression test: with slot_bytes smaller than max_string_bytes, a span name
// longer than the slot used to be copied whole into the slot's storage,
// overwriting the next slot of the arena (or running past the arena for the
// last one): docs/RELIABILITY.md, "Bugs found", 1. The name is now cut to the
// smaller of the two, on a UTF-8 boundary, and counted in strings_truncated;
// the span's other entries, which then find no room, are dropped and counted.
// Neighbouring slots, all open at once, keep their own names and attributes.
#include <catch2/catch.hpp>
#include <hotspan/hotspan.hpp>

#include <string>
#include <vector>

#include "capture_exporter.hpp"

using namespace hotspan;

namespace {

// True when `s` is well-formed UTF-8 (no character cut at either end).
bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    const size_t length = b < 0x80           ? 1
                          : (b >> 5) == 0x6  ? 2
                          : (b >> 4) == 0xe  ? 3
                          : (b >> 3) == 0x1e ? 4
                                             : 0;
    if (length == 0 || i + length > s.size()) return false;
    for (size_t k = 1; k < length; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    i += length;
  }
  return true;
}

}  // namespace

TEST_CASE("a name longer than slot_bytes is cut to the slot, on a UTF-8 boundary, and counted",
          "[fault][limits][regression]") {
  constexpr size_t kSlotBytes = 256;
  auto capture = std::make_shared<hotspan_test::CaptureExporter>();
  TracerOptions o;
  o.exporter = capture;
  o.slot_bytes = kSlotBytes;
  o.max_string_bytes = 1000;  // larger than the slot
  o.slots_per_thread = 4;     // one arena of 4 adjacent slots, the last at its end
  Tracer tracer(o);

  // 300 ASCII bytes; 2-byte characters straddling the budget; 3-byte ones; a
  // name that fits exactly; and a short one beside them.
  std::string ascii(300, 'n');
  std::string two_byte;
  while (two_byte.size() < 400)
    two_byte += "\xc3\xa9";      // é
  std::string three_byte = "x";  // offset so that byte 256 falls inside a character
  while (three_byte.size() < 400)
    three_byte += "\xe2\x82\xac";  // €
  const std::string exact(kSlotBytes, 'e');
  {
    // All four slots out at once: a name written past its slot would land in
    // the next one, which is checked below.
    Span a = tracer.start_span(ascii);
    Span b = tracer.start_span(two_byte);
    Span c = tracer.start_span(three_byte);
    Span d = tracer.start_span("short");
    d.set_attribute("neighbour", "intact").set_attribute("n", 42);
    a.set_attribute("no-room", 1);  // the name filled the slot: dropped
    c.add_event("no-room");
  }
  REQUIRE(tracer.flush());  // the four slots are back
  { Span e = tracer.start_span(exact); }
  REQUIRE(tracer.flush());
  const auto spans = capture->spans();
  REQUIRE(spans.size() == 5);

  auto check_cut = [&](const hotspan_test::OwnedSpan& s, const std::string& original) {
    INFO("name of " << s.name.size() << " bytes cut from " << original.size());
    CHECK(s.name.size() <= kSlotBytes);
    CHECK(s.name.size() > kSlotBytes - 4);  // at most one character short of the budget
    CHECK(original.compare(0, s.name.size(), s.name) == 0);
    CHECK(valid_utf8(s.name));
  };
  check_cut(spans[3], ascii);  // spans end in reverse order: a is the fourth to end
  CHECK(spans[3].name.size() == kSlotBytes);
  CHECK(spans[3].attributes.empty());
  CHECK(spans[3].dropped_attributes == 1);
  check_cut(spans[2], two_byte);
  CHECK(spans[2].name.size() == kSlotBytes);  // 128 whole characters
  check_cut(spans[1], three_byte);
  CHECK(spans[1].name.size() == 1 + 255 / 3 * 3);  // "x" and 85 whole characters
  CHECK(spans[1].events.empty());
  CHECK(spans[1].dropped_events == 1);
  CHECK(spans[0].name == "short");
  REQUIRE(spans[0].attributes.size() == 2);
  CHECK(*spans[0].find("neighbour") == hotspan_test::OwnedValue(std::string("intact")));
  CHECK(*spans[0].find("n") == hotspan_test::OwnedValue(int64_t{42}));
  CHECK(spans[4].name == exact);

  const TracerStats st = tracer.stats();
  CHECK(st.strings_truncated == 3);  // the three long names; the exact one fits
  CHECK(st.attributes_dropped == 1);
  CHECK(st.events_dropped == 1);
  CHECK(st.spans_exported == 5);
  hotspan_test::require_invariant(st);
}
