// hotspan relay example — the client side of a circuit: CREATE to the guard,
// EXTEND through it to the middle and the exit, streams of DATA cells echoed by
// the exit, END, DESTROY. Blocking I/O on one connection, every wait bounded by
// a timeout; a failure throws std::system_error after recording it on the span
// in progress.
//
// Spans (one trace per circuit, joined by the relays through the cells):
//
//   circuit                    (client) circuit.id; the whole life of the circuit
//   ├─ circuit.build           (client)
//   │  ├─ circuit.create       (client) hop 1: CREATE → CREATED
//   │  ├─ circuit.extend       (client) hop 2: EXTEND → EXTENDED, through the guard
//   │  └─ circuit.extend       (client) hop 3
//   ├─ stream.begin            (client) BEGIN → CONNECTED
//   ├─ stream.data             (client) one DATA cell and its echo, checked
//   ├─ stream.end              (client) END → END
//   └─ circuit.destroy         (client)
//
// TracerT is hotspan::Tracer or NoTracer (tracing compiled out).
#pragma once

#include <hotspan/span_kind.hpp>

#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <optional>
#include <random>
#include <span>
#include <system_error>
#include <utility>
#include <vector>

#include "cell.hpp"
#include "socket.hpp"

namespace relay {

template <class TracerT>
class CircuitClient {
 public:
  using SpanT = decltype(std::declval<TracerT&>().start_span("", hotspan::SpanKind::internal,
                                                             hotspan::SpanContext{}));

  // ports: guard, middle, exit.
  CircuitClient(TracerT& tracer, std::array<uint16_t, 3> ports, uint32_t circ_id,
                std::chrono::milliseconds timeout = std::chrono::seconds(5))
      : _tracer(tracer),
        _ports(ports),
        _circ_id(circ_id),
        _timeout(timeout),
        _nonces(std::random_device{}()),
        _circuit(tracer.start_span("circuit", hotspan::SpanKind::client, hotspan::SpanContext{})) {
    _circuit.set_attribute("circuit.id", circ_id);
  }
  ~CircuitClient() {
    if (_fd >= 0) close(_fd);
  }
  CircuitClient(const CircuitClient&) = delete;
  CircuitClient& operator=(const CircuitClient&) = delete;

  void build() {
    SpanT build = start("circuit.build", _circuit.context());
    guarded(build, [&] {
      {
        SpanT create = start("circuit.create", build.context());
        create.set_attribute("hop", 1).set_attribute("next.port", _ports[0]);
        guarded(create, [&] {
          _fd = connect_loopback(_ports[0]);
          const uint64_t nonce = _nonces();
          Cell cell = Cell::make(_circ_id, Command::create, create.context());
          cell.set_nonce(nonce);
          write_all(_fd, cell.bytes.data(), kCellSize);
          const Cell created = receive(Command::created);
          _pads.push_back(make_pad(nonce, created.nonce()));
        });
      }
      for (size_t hop = 1; hop < _ports.size(); ++hop) {
        SpanT extend = start("circuit.extend", build.context());
        extend.set_attribute("hop", static_cast<int64_t>(hop + 1))
            .set_attribute("next.port", _ports[hop]);
        guarded(extend, [&] {
          const uint64_t nonce = _nonces();
          uint8_t data[10] = {static_cast<uint8_t>(_ports[hop] >> 8),
                              static_cast<uint8_t>(_ports[hop])};
          std::memcpy(data + 2, &nonce, 8);
          const Cell extended =
              round_trip(extend, RelayCommand::extend, 0, data, RelayCommand::extended);
          uint64_t relay_nonce;
          std::memcpy(&relay_nonce, extended.data(), 8);
          _pads.push_back(make_pad(nonce, relay_nonce));
        });
      }
    });
  }

  void begin_stream(uint16_t stream) {
    SpanT span = start("stream.begin", _circuit.context());
    span.set_attribute("stream.id", stream);
    guarded(span,
            [&] { round_trip(span, RelayCommand::begin, stream, {}, RelayCommand::connected); });
  }

  // One DATA cell and its echo; false (and an error on the span) when the echo differs.
  bool send_data(uint16_t stream, std::span<const uint8_t> data) {
    SpanT span = start("stream.data", _circuit.context());
    span.set_attribute("stream.id", stream).set_attribute("data.bytes", data.size());
    bool same = false;
    guarded(span, [&] {
      const Cell echo = round_trip(span, RelayCommand::data, stream, data, RelayCommand::data);
      same = echo.stream_id() == stream && echo.data_size() == data.size() &&
             std::memcmp(echo.data(), data.data(), data.size()) == 0;
    });
    if (!same) span.record_error("the echo differs from the data sent");
    return same;
  }

  void end_stream(uint16_t stream) {
    SpanT span = start("stream.end", _circuit.context());
    span.set_attribute("stream.id", stream);
    guarded(span, [&] { round_trip(span, RelayCommand::end, stream, {}, RelayCommand::end); });
  }

  // Tears the circuit down along its hops and ends the circuit span.
  void destroy() {
    {
      SpanT span = start("circuit.destroy", _circuit.context());
      guarded(span, [&] {
        const Cell cell = Cell::make(_circ_id, Command::destroy, span.context());
        write_all(_fd, cell.bytes.data(), kCellSize);
      });
    }
    close(_fd);
    _fd = -1;
    _circuit.end();
  }

  // After a failure: the circuit span records it and ends; the connection closes.
  void abandon(const std::system_error& error) {
    _circuit.record_error(error.code());
    _circuit.end();
    if (_fd >= 0) close(_fd);
    _fd = -1;
  }

 private:
  SpanT start(std::string_view name, const hotspan::SpanContext& parent) {
    return _tracer.start_span(name, hotspan::SpanKind::client, parent);
  }

  // Runs fn; an exception is recorded on `span` and rethrown.
  template <class F>
  void guarded(SpanT& span, F&& fn) {
    try {
      fn();
    } catch (const std::system_error& e) {
      span.record_error(e.code());
      throw;
    }
  }

  // Sends a RELAY cell to the last hop (all layers on) and waits for `expected`.
  Cell round_trip(SpanT& span, RelayCommand command, uint16_t stream, std::span<const uint8_t> data,
                  RelayCommand expected) {
    Cell cell = Cell::make(_circ_id, Command::relay, span.context());
    cell.set_relay(command, stream, data);
    for (const Pad& pad : _pads)
      cell.apply_layer(pad);
    write_all(_fd, cell.bytes.data(), kCellSize);
    Cell answer = receive(Command::relay);
    for (const Pad& pad : _pads)
      answer.apply_layer(pad);
    if (answer.relay_command() != expected) {
      throw std::system_error(EPROTO, std::generic_category(),
                              "expected a " + std::string(relay_command_name(expected)) +
                                  " cell, got " +
                                  std::string(relay_command_name(answer.relay_command())));
    }
    return answer;
  }

  Cell receive(Command expected) {
    Cell cell;
    read_exactly(_fd, cell.bytes.data(), kCellSize, _timeout);
    if (cell.command() == Command::destroy) {
      throw std::system_error(ECONNABORTED, std::generic_category(),
                              "a relay destroyed the circuit");
    }
    if (cell.command() != expected || cell.circ_id() != _circ_id) {
      throw std::system_error(EPROTO, std::generic_category(), "unexpected cell");
    }
    return cell;
  }

  TracerT& _tracer;
  std::array<uint16_t, 3> _ports;
  uint32_t _circ_id;
  std::chrono::milliseconds _timeout;
  std::mt19937_64 _nonces;
  SpanT _circuit;
  std::vector<Pad> _pads;
  int _fd = -1;
};

}  // namespace relay
