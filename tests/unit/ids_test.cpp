// Tests of trace and span ids: hex forms (engine/core/hex.hpp, ids.cpp) and the
// per-thread generator (engine/core/id_generator.hpp): never zero, unique across
// threads, not replayed by a fork()ed child, uniformly random bits.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/hex.hpp"
#include "core/id_generator.hpp"
#include "hotspan/ids.hpp"

using hotspan::SpanId;
using hotspan::TraceId;
namespace detail = hotspan::detail;

namespace {

constexpr std::string_view kW3cTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr std::string_view kW3cSpanId = "00f067aa0ba902b7";

template <class T, class Key = std::identity>
bool all_distinct(std::vector<T> values, Key key = {}) {
  std::ranges::sort(values, {}, key);
  return std::ranges::adjacent_find(values, {}, key) == values.end();
}

}  // namespace

TEST_CASE("TraceId hex round trip", "[ids]") {
  const auto id = TraceId::from_hex(kW3cTraceId);
  REQUIRE(id.has_value());
  CHECK(id->valid());
  CHECK(id->bytes[0] == 0x4b);
  CHECK(id->bytes[1] == 0xf9);
  CHECK(id->bytes[15] == 0x36);
  CHECK(id->to_hex() == kW3cTraceId);

  for (int i = 0; i < 1000; ++i) {
    const TraceId random = detail::new_trace_id();
    const std::string hex = random.to_hex();
    REQUIRE(hex.size() == 32);
    REQUIRE(TraceId::from_hex(hex) == random);
  }
}

TEST_CASE("SpanId hex is big-endian of value", "[ids]") {
  const auto id = SpanId::from_hex(kW3cSpanId);
  REQUIRE(id.has_value());
  CHECK(id->value == 0x00f067aa0ba902b7u);
  CHECK(id->to_hex() == kW3cSpanId);
  CHECK(SpanId{1}.to_hex() == "0000000000000001");
  CHECK(SpanId{0xfedcba9876543210u}.to_hex() == "fedcba9876543210");

  for (int i = 0; i < 1000; ++i) {
    const SpanId random = detail::new_span_id();
    REQUIRE(SpanId::from_hex(random.to_hex()) == random);
  }
}

TEST_CASE("from_hex accepts uppercase and mixed case, to_hex writes lowercase", "[ids]") {
  const auto upper = TraceId::from_hex("4BF92F3577B34DA6A3CE929D0E0E4736");
  REQUIRE(upper.has_value());
  CHECK(upper->to_hex() == kW3cTraceId);
  CHECK(TraceId::from_hex("4bF92f3577B34da6A3ce929D0e0E4736") == upper);
  const auto span = SpanId::from_hex("00F067AA0BA902B7");
  REQUIRE(span.has_value());
  CHECK(span->to_hex() == kW3cSpanId);
}

TEST_CASE("validity of ids", "[ids]") {
  CHECK_FALSE(TraceId{}.valid());
  CHECK_FALSE(SpanId{}.valid());
  CHECK(SpanId{1}.valid());
  for (size_t byte = 0; byte < 16; ++byte) {
    TraceId id;
    id.bytes[byte] = 0x80;
    CHECK(id.valid());
  }
}

TEST_CASE("from_hex rejects malformed text", "[ids]") {
  const std::string_view bad_trace_ids[] = {
      "",
      "4bf92f3577b34da6a3ce929d0e0e473",    // 31
      "4bf92f3577b34da6a3ce929d0e0e47360",  // 33
      "4bf92f3577b34da6a3ce929d0e0e473g",   // non-hex
      "4bf92f3577b34da6a3ce929d0e0e473 ",   // space
      " 4bf92f3577b34da6a3ce929d0e0e4736",  // leading space
      "0x4bf92f3577b34da6a3ce929d0e0e47",   // prefix
      "-bf92f3577b34da6a3ce929d0e0e4736",   // sign
      "4bf92f3577b34da6-3ce929d0e0e4736",   // dash
      "00000000000000000000000000000000",   // all zero
      std::string_view("4bf92f3577b34da6\0"
                       "3ce929d0e0e4736",
                       32),  // embedded NUL
  };
  for (const auto text : bad_trace_ids) {
    INFO("trace id text: \"" << std::string(text) << '"');
    CHECK_FALSE(TraceId::from_hex(text).has_value());
  }
  const std::string_view bad_span_ids[] = {
      "",
      "00f067aa0ba902b",    // 15
      "00f067aa0ba902b70",  // 17
      "00f067aa0ba902bz",   // non-hex
      "00f067aa0ba902b:",   // just after '9'
      "00f067aa0ba902b@",   // just before 'A'
      "00f067aa0ba902bG",   // just after 'F'
      "00f067aa0ba902b`",   // just before 'a'
      "0x00f067aa0ba902",   // prefix
      "+0f067aa0ba902b7",   // sign
      "0000000000000000",   // all zero
      kW3cTraceId,          // a trace id is not a span id
  };
  for (const auto text : bad_span_ids) {
    INFO("span id text: \"" << std::string(text) << '"');
    CHECK_FALSE(SpanId::from_hex(text).has_value());
  }
}

TEST_CASE("hex digit values in both case modes", "[ids][hex]") {
  for (int c = -128; c < 128; ++c) {
    const char ch = static_cast<char>(c);
    int expected = -1;
    if (ch >= '0' && ch <= '9') expected = ch - '0';
    if (ch >= 'a' && ch <= 'f') expected = ch - 'a' + 10;
    const int expected_either = (ch >= 'A' && ch <= 'F') ? ch - 'A' + 10 : expected;
    INFO("character code " << c);
    REQUIRE(detail::hex_digit_value(ch, detail::HexCase::lower_only) == expected);
    REQUIRE(detail::hex_digit_value(ch, detail::HexCase::either) == expected_either);
  }
}

TEST_CASE("hex writers fill exactly their characters and chain", "[ids][hex]") {
  char buffer[64];
  std::memset(buffer, '#', sizeof(buffer));
  const auto trace_id = TraceId::from_hex(kW3cTraceId).value();
  char* p = detail::write_hex(trace_id, buffer);
  REQUIRE(p == buffer + detail::kTraceIdHexSize);
  *p++ = '-';
  p = detail::write_hex(SpanId{0x00f067aa0ba902b7u}, p);
  REQUIRE(p == buffer + detail::kTraceIdHexSize + 1 + detail::kSpanIdHexSize);
  CHECK(std::string_view(buffer, static_cast<size_t>(p - buffer)) ==
        "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7");
  CHECK(*p == '#');

  const uint8_t bytes[] = {0x00, 0x0f, 0xa0, 0xff};
  p = detail::write_hex(bytes, buffer);
  CHECK(std::string_view(buffer, static_cast<size_t>(p - buffer)) == "000fa0ff");
  p = detail::write_hex_u64(0, buffer);
  CHECK(std::string_view(buffer, static_cast<size_t>(p - buffer)) == "0000000000000000");
  p = detail::write_hex(std::span<const uint8_t>{}, buffer);
  CHECK(p == buffer);
}

TEST_CASE("hex decoders are strict about length and case", "[ids][hex]") {
  using detail::HexCase;
  std::array<uint8_t, 2> out{};
  CHECK(detail::decode_hex("a0Ff", out, HexCase::either));
  CHECK(out == std::array<uint8_t, 2>{0xa0, 0xff});
  CHECK_FALSE(detail::decode_hex("a0Ff", out, HexCase::lower_only));
  CHECK(detail::decode_hex("a0ff", out, HexCase::lower_only));
  CHECK_FALSE(detail::decode_hex("a0f", out, HexCase::either));
  CHECK_FALSE(detail::decode_hex("a0fff", out, HexCase::either));
  CHECK(detail::decode_hex("", std::span<uint8_t>{}, HexCase::either));

  CHECK(detail::decode_hex_u64("FFFFFFFFFFFFFFFF", HexCase::either) == UINT64_MAX);
  CHECK_FALSE(detail::decode_hex_u64("FFFFFFFFFFFFFFFF", HexCase::lower_only).has_value());
  CHECK(detail::decode_hex_u64("0000000000000000", HexCase::lower_only) == 0u);  // zero is a value
  CHECK_FALSE(detail::decode_span_id("0000000000000000", HexCase::lower_only).has_value());
  CHECK_FALSE(detail::decode_trace_id("4BF92F3577B34DA6A3CE929D0E0E4736", HexCase::lower_only));
  CHECK(detail::decode_trace_id(kW3cTraceId, HexCase::lower_only).has_value());
}

TEST_CASE("generated ids are never zero and unique across threads", "[ids][generator]") {
  constexpr int kThreads = 4;
  constexpr size_t kSpanIdsPerThread = 1'000'000 / kThreads;
  constexpr size_t kTraceIdsPerThread = 100'000 / kThreads;
  std::vector<std::vector<SpanId>> span_ids(kThreads);
  std::vector<std::vector<TraceId>> trace_ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      span_ids[t].reserve(kSpanIdsPerThread);
      trace_ids[t].reserve(kTraceIdsPerThread);
      for (size_t i = 0; i < kSpanIdsPerThread; ++i) {
        span_ids[t].push_back(detail::new_span_id());
        if (i % (kSpanIdsPerThread / kTraceIdsPerThread) == 0) {
          trace_ids[t].push_back(detail::new_trace_id());
        }
      }
    });
  }
  for (auto& thread : threads)
    thread.join();

  std::vector<uint64_t> all_span_ids;
  std::vector<TraceId> all_trace_ids;
  for (int t = 0; t < kThreads; ++t) {
    for (const SpanId id : span_ids[t])
      all_span_ids.push_back(id.value);
    all_trace_ids.insert(all_trace_ids.end(), trace_ids[t].begin(), trace_ids[t].end());
  }
  REQUIRE(all_span_ids.size() == 1'000'000);
  REQUIRE(all_trace_ids.size() == 100'000);
  CHECK(std::count(all_span_ids.begin(), all_span_ids.end(), 0u) == 0);
  CHECK(std::none_of(all_trace_ids.begin(), all_trace_ids.end(),
                     [](const TraceId& id) { return !id.valid(); }));
  CHECK(all_distinct(all_span_ids));
  CHECK(all_distinct(all_trace_ids, &TraceId::bytes));
}

TEST_CASE("every bit of generated trace ids is balanced", "[ids][generator]") {
  // Each bit is set with probability 1/2: over 100,000 ids the observed share has
  // a standard deviation of 0.0016, so +-0.02 is beyond 12 sigma: it cannot flake,
  // yet catches stuck, constant or strongly biased bits (the low 56 are what
  // trace_id_ratio samples on).
  constexpr int kIds = 100'000;
  std::array<int, 128> set_counts{};
  for (int i = 0; i < kIds; ++i) {
    const TraceId id = detail::new_trace_id();
    for (size_t bit = 0; bit < 128; ++bit)
      set_counts[bit] += (id.bytes[bit / 8] >> (bit % 8)) & 1;
  }
  for (size_t bit = 0; bit < 128; ++bit) {
    INFO("bit " << bit);
    CHECK(std::abs(set_counts[bit] / double{kIds} - 0.5) < 0.02);
  }
}

namespace {

struct ForkSample {
  std::array<uint64_t, 16> span_ids;
  std::array<TraceId, 8> trace_ids;
};

ForkSample draw_fork_sample() {
  ForkSample sample{};
  for (auto& id : sample.span_ids)
    id = detail::new_span_id().value;
  for (auto& id : sample.trace_ids)
    id = detail::new_trace_id();
  return sample;
}

bool read_all(int fd, void* data, size_t size) {
  auto* p = static_cast<char*>(data);
  while (size > 0) {
    const ssize_t n = read(fd, p, size);
    if (n <= 0) return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

TEST_CASE("a fork()ed child does not replay its parent's ids", "[ids][generator]") {
  (void)detail::new_span_id();  // the parent's state is seeded: the child inherits it
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // Child: only async-signal-safe calls, and no Catch2.
    close(fds[0]);
    const ForkSample sample = draw_fork_sample();
    const auto* p = reinterpret_cast<const char*>(&sample);
    size_t left = sizeof(sample);
    while (left > 0) {
      const ssize_t n = write(fds[1], p, left);
      if (n <= 0) _exit(1);
      p += n;
      left -= static_cast<size_t>(n);
    }
    _exit(0);
  }
  close(fds[1]);
  const ForkSample parent = draw_fork_sample();
  ForkSample from_child{};
  const bool complete = read_all(fds[0], &from_child, sizeof(from_child));
  close(fds[0]);
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  REQUIRE(complete);

  std::vector<uint64_t> span_ids(parent.span_ids.begin(), parent.span_ids.end());
  span_ids.insert(span_ids.end(), from_child.span_ids.begin(), from_child.span_ids.end());
  CHECK(all_distinct(span_ids));
  std::vector<TraceId> trace_ids(parent.trace_ids.begin(), parent.trace_ids.end());
  trace_ids.insert(trace_ids.end(), from_child.trace_ids.begin(), from_child.trace_ids.end());
  CHECK(all_distinct(trace_ids, &TraceId::bytes));
}
