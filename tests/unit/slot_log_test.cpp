// The slot log's writer and reader (engine/recording/slot_log.hpp) agree:
// what the caller's thread writes is what the exporter thread reads back, for
// every entry and value type, and an entry that does not fit is not written.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <memory>
#include <string>
#include <system_error>
#include <typeinfo>
#include <vector>

#include "recording/slot_log.hpp"

using namespace hotspan::detail;

namespace {

// A slot with `data_bytes` of storage, as an arena carves one.
struct SlotBuffer {
  explicit SlotBuffer(uint32_t data_bytes, uint16_t max_string = 1000)
      : storage(static_cast<std::byte*>(std::aligned_alloc(alignof(Slot), slot_stride(data_bytes))),
                &std::free) {
    slot = new (storage.get()) Slot{};
    slot->limits = SlotLimits{data_bytes, 64, 64, max_string};
  }
  std::unique_ptr<std::byte, decltype(&std::free)> storage;
  Slot* slot;
};

std::vector<SlotEntry> read_all(const Slot& s) {
  std::vector<SlotEntry> out;
  SlotLogReader reader(s);
  SlotEntry e;
  while (reader.next(e))
    out.push_back(e);
  return out;
}

StoredValue string_value(std::string_view v) {
  StoredValue out(ValueType::string);
  out.string = v;
  return out;
}

}  // namespace

TEST_CASE("slot log: every entry and value type reads back as written", "[slot_log]") {
  SlotBuffer buf(1024);
  Slot& s = *buf.slot;
  write_name(s, "build-circuit");

  StoredValue b(ValueType::boolean);
  b.boolean = true;
  StoredValue i(ValueType::integer);
  i.integer = -1234567890123;
  StoredValue f(ValueType::floating);
  f.floating = 2.5;
  StoredValue t(ValueType::type_name);
  t.pointer = typeid(std::string).name();
  StoredValue ec(ValueType::error_code);
  ec.pointer = &std::generic_category();
  ec.integer = 113;

  REQUIRE(append_attribute(s, EntryTag::attribute, "b", b));
  REQUIRE(append_attribute(s, EntryTag::attribute, "i", i));
  REQUIRE(append_attribute(s, EntryTag::attribute, "f", f));
  REQUIRE(append_attribute(s, EntryTag::attribute, "s", string_value("relay")));
  REQUIRE(append_status_message(s, "timed out"));
  REQUIRE(append_event(s, "retry", 987654321));
  REQUIRE(append_attribute(s, EntryTag::event_attribute, "type", t));
  REQUIRE(append_attribute(s, EntryTag::event_attribute, "code", ec));

  CHECK(SlotLogReader::name(s) == "build-circuit");
  CHECK(SlotLogReader::status_message(s) == "timed out");
  const auto entries = read_all(s);  // the status message entry is skipped
  REQUIRE(entries.size() == 7);
  CHECK(entries[0].tag == EntryTag::attribute);
  CHECK(entries[0].text == "b");
  CHECK(entries[0].value.type == ValueType::boolean);
  CHECK(entries[0].value.boolean);
  CHECK(entries[1].value.type == ValueType::integer);
  CHECK(entries[1].value.integer == -1234567890123);
  CHECK(entries[2].value.type == ValueType::floating);
  CHECK(entries[2].value.floating == 2.5);
  CHECK(entries[3].text == "s");
  CHECK(entries[3].value.type == ValueType::string);
  CHECK(entries[3].value.string == "relay");
  CHECK(entries[4].tag == EntryTag::event);
  CHECK(entries[4].text == "retry");
  CHECK(entries[4].ticks == 987654321);
  CHECK(entries[5].tag == EntryTag::event_attribute);
  CHECK(entries[5].value.type == ValueType::type_name);
  CHECK(entries[5].value.pointer == typeid(std::string).name());
  CHECK(entries[6].text == "code");
  CHECK(entries[6].value.type == ValueType::error_code);
  CHECK(entries[6].value.pointer == &std::generic_category());
  CHECK(entries[6].value.integer == 113);
  CHECK(s.strings_truncated == 0);
}

TEST_CASE("slot log: an entry that does not fit is not written at all", "[slot_log]") {
  SlotBuffer buf(256);
  Slot& s = *buf.slot;
  write_name(s, "n");
  const std::string big(200, 'x');
  REQUIRE(append_attribute(s, EntryTag::attribute, "k", string_value(big)));
  const uint32_t used = s.used;
  CHECK_FALSE(append_attribute(s, EntryTag::attribute, "k2", string_value(big)));
  CHECK_FALSE(append_event(s, big, 1));
  CHECK_FALSE(append_status_message(s, big));
  CHECK(s.used == used);
  CHECK(s.status_message_len == 0);
  const auto entries = read_all(s);
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].value.string == big);
}

TEST_CASE("slot log: names and keys are cut to max_string_bytes on a UTF-8 boundary",
          "[slot_log]") {
  SlotBuffer buf(512, 5);
  Slot& s = *buf.slot;
  write_name(s, "ab\xc3\xa9\xc3\xa9");  // "abéé": 6 bytes, cut to 4 ("abé")
  CHECK(SlotLogReader::name(s) == "ab\xc3\xa9");
  REQUIRE(append_attribute(s, EntryTag::attribute, "key-longer-than-five", string_value("v")));
  const auto entries = read_all(s);
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].text == "key-l");
  CHECK(s.strings_truncated == 2);
}

TEST_CASE("slot log: decoding stops at an entry the writer never writes", "[slot_log]") {
  SlotBuffer buf(256);
  Slot& s = *buf.slot;
  write_name(s, "n");
  REQUIRE(append_attribute(s, EntryTag::attribute, "a", string_value("1")));
  const uint32_t bad_at = s.used;
  REQUIRE(append_attribute(s, EntryTag::attribute, "b", string_value("2")));
  s.data()[bad_at] = std::byte{0x7f};  // not an EntryTag
  const auto entries = read_all(s);
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].text == "a");
}
