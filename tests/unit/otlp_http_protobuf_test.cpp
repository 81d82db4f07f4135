// hotspan tests — the protobuf side of OTLP/HTTP export, without a network:
// ProtobufWriter against hand-computed bytes (varint edge values, field keys,
// nested lengths), the OTLP protobuf encoder read back field by field with a
// small wire-format reader, UTF-8 repair, and (when built with libcurl) the
// retry rules, gzip and the exporter's argument checks.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "formats/otlp/otlp_protobuf_encoder.hpp"
#include "formats/otlp/protobuf_writer.hpp"
#include "formats/utf8.hpp"
#include "formats/varint.hpp"
#include "hotspan/hotspan.hpp"

#ifdef HOTSPAN_HAS_OTLP_HTTP
#include <zlib.h>

#include "sinks/otlp_http/otlp_http_client.hpp"
#endif

using hotspan::detail::ProtobufWriter;

namespace {

std::string bytes(std::initializer_list<int> list) {
  std::string out;
  for (const int b : list)
    out.push_back(static_cast<char>(b));
  return out;
}

std::string varint_field(uint32_t field, uint64_t v) {
  std::string out;
  ProtobufWriter(out).varint_field(field, v);
  return out;
}

// One field as read from the wire.
struct Field {
  uint32_t number = 0;
  int wire_type = 0;
  uint64_t scalar = 0;     // varint, fixed64
  std::string_view bytes;  // length-delimited
};

// Every field of one message, in order; fails the test on malformed input.
std::vector<Field> parse(std::string_view message) {
  std::vector<Field> fields;
  const auto* begin = reinterpret_cast<const uint8_t*>(message.data());
  hotspan::detail::ByteCursor cursor(begin, begin + message.size());
  while (!cursor.empty()) {
    uint64_t key = 0;
    REQUIRE(cursor.varint(key));
    Field f;
    f.number = static_cast<uint32_t>(key >> 3);
    f.wire_type = static_cast<int>(key & 7);
    switch (f.wire_type) {
      case 0:
        REQUIRE(cursor.varint(f.scalar));
        break;
      case 1:
        REQUIRE(cursor.fixed(f.scalar));
        break;
      case 2:
        REQUIRE(cursor.string(f.bytes));
        break;
      default:
        FAIL("unexpected wire type " << f.wire_type);
    }
    fields.push_back(f);
  }
  return fields;
}

std::vector<Field> all(const std::vector<Field>& fields, uint32_t number) {
  std::vector<Field> out;
  for (const Field& f : fields)
    if (f.number == number) out.push_back(f);
  return out;
}

const Field& one(const std::vector<Field>& fields, uint32_t number) {
  const auto matches = all(fields, number);
  REQUIRE(matches.size() == 1);
  for (const Field& f : fields)
    if (f.number == number) return f;
  throw std::logic_error("unreachable");
}

bool has(const std::vector<Field>& fields, uint32_t number) {
  return !all(fields, number).empty();
}

}  // namespace

TEST_CASE("protobuf writer: varints, keys, fixed, doubles", "[otlp_protobuf]") {
  CHECK(varint_field(1, 0) == bytes({0x08, 0x00}));
  CHECK(varint_field(1, 1) == bytes({0x08, 0x01}));
  CHECK(varint_field(1, 127) == bytes({0x08, 0x7f}));
  CHECK(varint_field(1, 128) == bytes({0x08, 0x80, 0x01}));
  CHECK(varint_field(1, 300) == bytes({0x08, 0xac, 0x02}));
  CHECK(varint_field(1, 16383) == bytes({0x08, 0xff, 0x7f}));
  CHECK(varint_field(1, 16384) == bytes({0x08, 0x80, 0x80, 0x01}));
  CHECK(varint_field(1, UINT64_MAX) ==
        bytes({0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}));
  // int64: two's complement, so every negative value takes ten bytes.
  std::string out;
  ProtobufWriter(out).int64_field(3, -1);
  CHECK(out == bytes({0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}));
  out.clear();
  ProtobufWriter(out).int64_field(3, std::numeric_limits<int64_t>::min());
  CHECK(out == bytes({0x18, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}));
  out.clear();
  ProtobufWriter(out).int64_field(3, std::numeric_limits<int64_t>::max());
  CHECK(out == bytes({0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}));

  // Keys: field << 3 | wire type, itself a varint.
  CHECK(varint_field(15, 1).substr(0, 1) == bytes({0x78}));
  CHECK(varint_field(16, 1).substr(0, 2) == bytes({0x80, 0x01}));
  CHECK(varint_field(536870911, 0) == bytes({0xf8, 0xff, 0xff, 0xff, 0x0f, 0x00}));  // 2^29-1
  out.clear();
  ProtobufWriter(out).bytes_field(15, "ab");
  CHECK(out == bytes({0x7a, 0x02, 'a', 'b'}));
  out.clear();
  ProtobufWriter(out).bool_field(2, false);  // written: the caller decides what to omit
  CHECK(out == bytes({0x10, 0x00}));

  out.clear();
  ProtobufWriter(out).fixed64_field(7, 0x0102030405060708ULL);
  CHECK(out == bytes({0x39, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01}));
  out.clear();
  ProtobufWriter(out).double_field(4, 1.0);
  CHECK(out == bytes({0x21, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf0, 0x3f}));
  out.clear();
  ProtobufWriter(out).double_field(4, -std::numeric_limits<double>::infinity());
  CHECK(out == bytes({0x21, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf0, 0xff}));
}

TEST_CASE("protobuf writer: nested messages get minimal length prefixes", "[otlp_protobuf]") {
  std::string out = "prefix";
  ProtobufWriter w(out);
  const size_t outer = w.open(1);
  const size_t empty = w.open(2);
  w.close(empty);
  const size_t inner = w.open(3);
  w.bytes_field(4, std::string(200, 'x'));  // 0x22, 0xc8 0x01, 200 bytes: 203
  w.close(inner);                           // 0x1a, 0xcb 0x01, 203 bytes: 206
  w.close(outer);                           // 0x0a, 2 + 206 = 208: 0xd0 0x01
  REQUIRE(out.size() == 6 + 3 + 2 + 206);
  CHECK(out.substr(0, 6) == "prefix");
  CHECK(out.substr(6, 5) == bytes({0x0a, 0xd0, 0x01, 0x12, 0x00}));
  CHECK(out.substr(11, 6) == bytes({0x1a, 0xcb, 0x01, 0x22, 0xc8, 0x01}));
  CHECK(out.substr(17) == std::string(200, 'x'));
  const auto top = parse(std::string_view(out).substr(6));
  REQUIRE(top.size() == 1);
  const auto nested = parse(top[0].bytes);
  REQUIRE(nested.size() == 2);
  CHECK(nested[0].bytes.empty());
  CHECK(one(parse(nested[1].bytes), 4).bytes == std::string(200, 'x'));
}

TEST_CASE("utf8: repair replaces each ill-formed subpart with one U+FFFD", "[otlp_protobuf]") {
  using hotspan::detail::append_valid_utf8;
  using hotspan::detail::is_valid_utf8;
  CHECK(is_valid_utf8(""));
  CHECK(is_valid_utf8("plain \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  for (const char* bad : {"\xff", "a\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82"})
    CHECK_FALSE(is_valid_utf8(bad));
  std::string out;
  append_valid_utf8(out, "a\xffz\xe2\x82");  // a stray byte, then a truncated sequence
  CHECK(out == "a\xEF\xBF\xBDz\xEF\xBF\xBD");
  out.clear();
  append_valid_utf8(out, "\xed\xa0\x80");  // a surrogate: three maximal subparts of one byte
  CHECK(out == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST_CASE("otlp protobuf encoder: every field of a span, by field number", "[otlp_protobuf]") {
  hotspan::detail::OtlpProtobufEncoder encoder;
  hotspan::Resource resource;
  resource.service_name = "svc";
  resource.attributes = {{"service.name", "svc"}, {"host.name", "h\xff"}};
  encoder.set_resource(resource);

  const hotspan::AttributeView event_attributes[] = {{"n", int64_t{7}}};
  const hotspan::EventView events[] = {{"ev", 1234, event_attributes}};
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const hotspan::AttributeView attributes[] = {
      {"t", true},
      {"f", false},
      {"min", std::numeric_limits<int64_t>::min()},
      {"nan", nan},
      {"s", std::string_view("x\xfey")},
      {"t", false},  // a repeated key: once, at its first position, with its last value
  };
  hotspan::SpanRecord record;
  record.trace_id = *hotspan::TraceId::from_hex("0102030405060708090a0b0c0d0e0f10");
  record.span_id = *hotspan::SpanId::from_hex("1112131415161718");
  record.parent_span_id = *hotspan::SpanId::from_hex("2122232425262728");
  record.name = "op\xff";
  record.kind = hotspan::SpanKind::consumer;
  record.start_unix_ns = 1'700'000'000'000'000'001ULL;
  record.end_unix_ns = 1'700'000'000'000'000'999ULL;
  record.status = hotspan::StatusCode::cancelled;
  record.status_message = "late";
  record.attributes = attributes;
  record.events = events;
  record.dropped_attributes = 3;
  record.dropped_events = 2;
  hotspan::SpanRecord root;  // defaults everywhere: no parent, unset status
  root.trace_id = record.trace_id;
  root.span_id = *hotspan::SpanId::from_hex("0000000000000001");
  root.name = "root";
  const hotspan::SpanRecord records[] = {record, root};

  std::string out;
  encoder.encode(records, out);
  const auto request = parse(out);
  REQUIRE(request.size() == 1);
  CHECK(request[0].number == 1);  // resource_spans
  const auto resource_spans = parse(request[0].bytes);
  const auto resource_attributes = all(parse(one(resource_spans, 1).bytes), 1);
  REQUIRE(resource_attributes.size() == 2);
  const auto host = parse(resource_attributes[1].bytes);
  CHECK(one(host, 1).bytes == "host.name");
  CHECK(one(parse(one(host, 2).bytes), 1).bytes == "h\xEF\xBF\xBD");
  const auto scope_spans = parse(one(resource_spans, 2).bytes);
  const auto scope = parse(one(scope_spans, 1).bytes);
  CHECK(one(scope, 1).bytes == "hotspan");
  CHECK(one(scope, 2).bytes == hotspan::version_string);
  const auto spans = all(scope_spans, 2);
  REQUIRE(spans.size() == 2);

  const auto span = parse(spans[0].bytes);
  CHECK(one(span, 1).bytes == bytes({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}));
  CHECK(one(span, 2).bytes == bytes({0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18}));
  CHECK(one(span, 4).bytes == bytes({0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28}));
  CHECK(one(span, 5).bytes == "op\xEF\xBF\xBD");
  CHECK(one(span, 6).scalar == 5);  // SPAN_KIND_CONSUMER
  CHECK(one(span, 7).wire_type == 1);
  CHECK(one(span, 7).scalar == record.start_unix_ns);
  CHECK(one(span, 8).scalar == record.end_unix_ns);
  CHECK(one(span, 10).scalar == 3);
  CHECK(one(span, 12).scalar == 2);
  const auto kvs = all(span, 9);
  REQUIRE(kvs.size() == 5);
  const auto value_of = [&](size_t i) { return parse(one(parse(kvs[i].bytes), 2).bytes); };
  CHECK(one(parse(kvs[0].bytes), 1).bytes == "t");
  CHECK(one(value_of(0), 2).scalar == 0);  // bool_value false: the last "t"
  CHECK(one(value_of(1), 2).scalar == 0);  // an explicit false is still sent
  CHECK(one(value_of(2), 3).scalar == 0x8000000000000000ULL);
  double decoded = 0;
  const uint64_t bits = one(value_of(3), 4).scalar;
  std::memcpy(&decoded, &bits, sizeof(decoded));
  CHECK(std::isnan(decoded));
  CHECK(one(value_of(4), 1).bytes == "x\xEF\xBF\xBDy");
  const auto event = parse(one(span, 11).bytes);
  CHECK(one(event, 1).scalar == 1234);
  CHECK(one(event, 2).bytes == "ev");
  CHECK(one(parse(one(parse(one(event, 3).bytes), 2).bytes), 3).scalar == 7);
  const auto status = parse(one(span, 15).bytes);
  CHECK(one(status, 2).bytes == "cancelled: late");
  CHECK(one(status, 3).scalar == 2);  // STATUS_CODE_ERROR

  const auto plain = parse(spans[1].bytes);
  CHECK_FALSE(has(plain, 4));   // no parent
  CHECK_FALSE(has(plain, 10));  // no drops
  CHECK_FALSE(has(plain, 12));
  CHECK_FALSE(has(plain, 15));  // the default Status
  CHECK(one(plain, 6).scalar == 1);

  // Two requests back to back are one request with two ResourceSpans.
  std::string twice;
  encoder.encode(records, twice);
  encoder.encode(std::span(records).first(1), twice);
  const auto merged = parse(twice);
  CHECK(all(merged, 1).size() == 2);
  std::string none;
  encoder.encode({}, none);
  CHECK(none.empty());
}

#ifdef HOTSPAN_HAS_OTLP_HTTP

TEST_CASE("otlp http: Retry-After, backoff and header rules", "[otlp_protobuf]") {
  using hotspan::detail::backoff_delay;
  using hotspan::detail::parse_retry_after;
  using std::chrono::milliseconds;
  const std::time_t now = 1445412450;  // Wed, 21 Oct 2015 07:27:30 GMT
  CHECK(parse_retry_after("120", now) == milliseconds(120'000));
  CHECK(parse_retry_after(" 0 ", now) == milliseconds(0));
  CHECK(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now) == milliseconds(30'000));
  CHECK(parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now) == milliseconds(0));
  CHECK_FALSE(parse_retry_after("", now));
  CHECK_FALSE(parse_retry_after("soon", now));
  CHECK_FALSE(parse_retry_after("5s", now));
  CHECK_FALSE(parse_retry_after("-5", now));

  const milliseconds initial(100), max(1000);
  CHECK(backoff_delay(1, initial, max, 1.0) == milliseconds(100));
  CHECK(backoff_delay(2, initial, max, 1.0) == milliseconds(200));
  CHECK(backoff_delay(3, initial, max, 0.5) == milliseconds(200));
  CHECK(backoff_delay(5, initial, max, 1.0) == milliseconds(1000));  // capped
  CHECK(backoff_delay(200, initial, max, 1.0) == milliseconds(1000));
  CHECK(backoff_delay(1, initial, max, 0.0) == milliseconds(50));  // jitter clamped to [0.5, 1]

  using hotspan::detail::is_retryable_status;
  for (const long status : {429L, 502L, 503L, 504L})
    CHECK(is_retryable_status(status));
  for (const long status : {200L, 400L, 401L, 404L, 413L, 500L})
    CHECK_FALSE(is_retryable_status(status));

  using hotspan::detail::is_valid_http_header;
  CHECK(is_valid_http_header("authorization", "Bearer a=b"));
  CHECK(is_valid_http_header("x-api-key", ""));
  CHECK_FALSE(is_valid_http_header("", "v"));
  CHECK_FALSE(is_valid_http_header("bad name", "v"));
  CHECK_FALSE(is_valid_http_header("x", "a\r\nInjected: 1"));
}

TEST_CASE("otlp http: a partial success's rejected spans are read from the response",
          "[otlp_protobuf]") {
  using hotspan::detail::rejected_spans;
  std::string message;
  // partial_success { rejected_spans: 300, error_message: "old" }
  const std::string protobuf = bytes({0x0a, 0x08, 0x08, 0xac, 0x02, 0x12, 0x03, 'o', 'l', 'd'});
  CHECK(rejected_spans(protobuf, false, message) == 300);
  CHECK(message == "old");
  CHECK(rejected_spans("", false, message) == 0);
  CHECK(rejected_spans(bytes({0x0a, 0x05, 0x08}), false, message) == 0);  // cut short
  CHECK(rejected_spans(R"({"partialSuccess":{"rejectedSpans":"12","errorMessage":"x"}})", true,
                       message) == 12);
  CHECK(rejected_spans(R"({"partialSuccess": {"rejectedSpans" : 7}})", true, message) == 7);
  CHECK(rejected_spans("{}", true, message) == 0);
  CHECK(rejected_spans("not json", true, message) == 0);
}

TEST_CASE("otlp http: a collector's text is escaped and bounded before it reaches stderr",
          "[otlp_protobuf]") {
  using hotspan::detail::printable_excerpt;
  CHECK(printable_excerpt("400: bad request (field 7)", 300) == "400: bad request (field 7)");
  CHECK(printable_excerpt("\x1b[31mred\x07\r\n\t\x7f\xff\\", 300) ==
        "\\x1B[31mred\\x07\\x0D\\x0A\\x09\\x7F\\xFF\\\\");
  CHECK(printable_excerpt("caf\xc3\xa9", 300) == "caf\\xC3\\xA9");  // not assumed UTF-8
  CHECK(printable_excerpt(std::string(1000, 'A'), 300) == std::string(300, 'A') + "...");
  const std::string escapes = printable_excerpt(std::string(1000, '\x1b'), 300);
  CHECK(escapes.size() <= 303);
  CHECK(escapes.ends_with("\\x1B..."));  // cut between escapes, never inside one
  CHECK(printable_excerpt(std::string(300, 'A'), 300) == std::string(300, 'A'));

  // partial_success { rejected_spans: 1, error_message: ESC "[2Jold" }
  std::string message;
  const std::string protobuf =
      bytes({0x0a, 0x0b, 0x08, 0x01, 0x12, 0x07, 0x1b, '[', '2', 'J', 'o', 'l', 'd'});
  CHECK(hotspan::detail::rejected_spans(protobuf, false, message) == 1);
  CHECK(message == "\\x1B[2Jold");
}

TEST_CASE("otlp http: gzip bodies inflate back to the request", "[otlp_protobuf]") {
  std::string body;
  for (int i = 0; i < 2000; ++i)
    body += "span " + std::to_string(i) + ";";
  std::string compressed;
  REQUIRE(hotspan::detail::gzip_compress(body, compressed));
  CHECK(compressed.size() < body.size() / 2);
  REQUIRE(compressed.size() > 10);
  CHECK(static_cast<uint8_t>(compressed[0]) == 0x1f);  // the gzip magic
  CHECK(static_cast<uint8_t>(compressed[1]) == 0x8b);
  z_stream z{};
  REQUIRE(inflateInit2(&z, 15 + 16) == Z_OK);
  std::string inflated(body.size() + 16, '\0');
  z.next_in = reinterpret_cast<Bytef*>(compressed.data());
  z.avail_in = static_cast<uInt>(compressed.size());
  z.next_out = reinterpret_cast<Bytef*>(inflated.data());
  z.avail_out = static_cast<uInt>(inflated.size());
  CHECK(inflate(&z, Z_FINISH) == Z_STREAM_END);
  inflated.resize(inflated.size() - z.avail_out);
  inflateEnd(&z);
  CHECK(inflated == body);
}

TEST_CASE("otlp_http_exporter: invalid options are refused with a message", "[otlp_protobuf]") {
  using hotspan::OtlpHttpOptions;
  const auto refused = [](OtlpHttpOptions o, std::string_view what) {
    try {
      hotspan::otlp_http_exporter(std::move(o));
      FAIL("accepted");
    } catch (const std::invalid_argument& e) {
      INFO(e.what());
      CHECK(std::string_view(e.what()).find(what) != std::string_view::npos);
    }
  };
  OtlpHttpOptions o;
  o.endpoint = "localhost:4318";
  refused(o, "localhost:4318");
  o = {};
  o.traces_endpoint = "ftp://collector/v1/traces";
  refused(o, "ftp://collector");
  o = {};
  o.headers = {{"x-key", "a\nb"}};
  refused(o, "x-key");
  o = {};
  o.max_attempts = 0;
  refused(o, "max_attempts");
  o = {};
  o.timeout = std::chrono::milliseconds(0);
  refused(o, "timeout");

  // Nothing listens: construction and destruction do not touch the network.
  const auto exporter = hotspan::otlp_http_exporter({});
  CHECK(hotspan::otlp_http_stats(*exporter).attempts == 0);
  CHECK(hotspan::otlp_http_stats(*hotspan::noop_exporter()).requests_sent == 0);
}

#endif  // HOTSPAN_HAS_OTLP_HTTP
