// hotspan relay example — one onion relay: a single-threaded poll() loop that
// accepts circuits, extends them to the next relay, and passes RELAY cells
// along, removing or adding its XOR layer (cell.hpp). The last hop of a circuit
// answers the client's stream cells itself: BEGIN gets CONNECTED, DATA is
// echoed, END gets END.
//
// Simplified against Tor, on purpose: one circuit per TCP connection (no
// multiplexing of circuits on a channel, so a connection's circuit id only has
// to match), the next hop is a loopback port named in EXTEND, and a RELAY cell
// is for the last hop of the circuit only (a relay with a next hop forwards,
// one without handles; Tor uses "recognized" and a digest instead).
//
// Tracing: every cell that arrives starts a span whose parent is the context in
// the cell, and every cell sent carries the context of the span that sent it,
// so one circuit is one trace across all processes. Spans: relay.create,
// relay.extend (from EXTEND until the next hop's CREATED), relay.forward and
// relay.backward (a cell passed on), exit.begin / exit.data / exit.end (the last
// hop answering), relay.destroy. TracerT is hotspan::Tracer or NoTracer
// (tracing compiled out, for the benchmark).
//
// A peer that goes away (EOF, reset), a protocol error or the relay stopping
// tears the circuit down: a relay.teardown span (child of the circuit's
// relay.create, so it stays in the circuit's trace) sends DESTROY to the other
// side, and an extend in progress ends with an error status.
#pragma once

#include <hotspan/span_kind.hpp>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "cell.hpp"
#include "socket.hpp"

namespace relay {

// What one relay did, to check that nothing was lost between hops:
// forward_in == forwarded + handled and backward_out == backward_in + answered
// (+ extended, the EXTENDED cells this relay makes from a next hop's CREATED).
struct RelayCounters {
  uint64_t circuits = 0;      // CREATE accepted
  uint64_t forward_in = 0;    // RELAY cells from the previous hop
  uint64_t forwarded = 0;     // ... passed to the next hop
  uint64_t handled = 0;       // ... answered here (this relay was the last hop)
  uint64_t backward_in = 0;   // RELAY cells from the next hop
  uint64_t backward_out = 0;  // RELAY cells sent to the previous hop
  uint64_t errors = 0;        // circuits torn down by a failure
};

template <class TracerT>
class RelayNode {
 public:
  // Throws std::system_error when the port cannot be bound; `port` 0 picks one.
  RelayNode(TracerT& tracer, uint16_t port, std::string role = "relay")
      : _tracer(tracer), _role(std::move(role)), _nonces(std::random_device{}()) {
    _port = port;
    _listen_fd = listen_loopback(_port);
    set_nonblocking(_listen_fd);
  }
  ~RelayNode() {
    while (!_links.empty())
      close_link(*_links.back());
    close(_listen_fd);
  }
  RelayNode(const RelayNode&) = delete;
  RelayNode& operator=(const RelayNode&) = delete;

  uint16_t port() const { return _port; }
  const RelayCounters& counters() const { return _counters; }
  // Makes this a slow relay: every `every`-th CREATE is answered `delay` late
  // (the whole relay waits, as a relay whose CPU is saturated would), inside
  // its relay.create span. 0 turns it off.
  void delay_creates(uint64_t every, std::chrono::milliseconds delay) {
    _delay_every = every;
    _delay = delay;
  }

  // Serves until `stop` is set (checked at least every 100 ms), then closes
  // every connection (spans in progress end).
  void run(const std::atomic<bool>& stop) {
    std::vector<pollfd> fds;
    while (!stop.load(std::memory_order_relaxed)) {
      fds.clear();
      fds.push_back({_listen_fd, POLLIN, 0});
      for (const auto& link : _links) {
        fds.push_back(
            {link->fd, static_cast<short>(POLLIN | (link->out.empty() ? 0 : POLLOUT)), 0});
      }
      const int ready = poll(fds.data(), fds.size(), 100);
      if (ready < 0 && errno != EINTR) throw_errno("poll");
      if (ready <= 0) continue;
      if (fds[0].revents & POLLIN) accept_links();
      // Links may close while we walk: act on fds, find the link by descriptor.
      // Links only close in close_broken_links(), so every descriptor of
      // `fds` still names its link here.
      for (size_t i = 1; i < fds.size(); ++i) {
        if (fds[i].revents == 0) continue;
        Link& link = *find_link(fds[i].fd);
        if (fds[i].revents & POLLOUT) write_some(link);
        if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) read_cells(link);
      }
      close_broken_links();
    }
    while (!_links.empty())
      close_link(*_links.back());
  }

 private:
  using SpanT = decltype(std::declval<TracerT&>().start_span("", hotspan::SpanKind::internal,
                                                             hotspan::SpanContext{}));
  struct Link;
  struct Circuit {
    uint32_t circ_id = 0;
    Link* previous = nullptr;  // toward the client
    Link* next = nullptr;      // toward the exit, once extended
    Pad pad{};
    hotspan::SpanContext created;    // relay.create: the parent of a teardown span
    std::optional<SpanT> extending;  // relay.extend, until the next hop's CREATED
  };
  struct Link {
    int fd = -1;
    bool toward_client = true;  // accepted (previous hop) or connected (next hop)
    std::shared_ptr<Circuit> circuit;
    std::vector<uint8_t> in, out;
    // Closed at the end of this loop iteration, its circuit torn down; the
    // DESTROY sent to the other side carries `destroy_context`, or else the
    // context of a relay.teardown span that records `close_reason`.
    bool broken = false;
    hotspan::SpanContext destroy_context;
    const char* close_reason = "the relay is stopping";
  };

  void accept_links() {
    while (true) {
      const int fd = accept4(_listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;  // EAGAIN, or a connection reset before we took it
      set_nodelay(fd);
      auto link = std::make_unique<Link>();
      link->fd = fd;
      _links.push_back(std::move(link));
    }
  }

  Link* find_link(int fd) {
    for (auto& link : _links)
      if (link->fd == fd) return link.get();
    return nullptr;
  }

  void read_cells(Link& link) {
    uint8_t buffer[16 * kCellSize];
    const ssize_t n = recv(link.fd, buffer, sizeof buffer, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) {  // EOF or reset: the peer is gone
      if (link.circuit) {
        if (n < 0) ++_counters.errors;
        std::fprintf(stderr, "%s: circuit %u: the %s hop closed the connection%s%s\n",
                     _role.c_str(), link.circuit->circ_id, link.toward_client ? "previous" : "next",
                     n < 0 ? ": " : "", n < 0 ? std::strerror(errno) : "");
      }
      link.broken = true;
      link.close_reason = "a neighbouring hop closed the connection";
      return;
    }
    link.in.insert(link.in.end(), buffer, buffer + n);
    size_t used = 0;
    while (!link.broken && link.in.size() - used >= kCellSize) {
      Cell cell;
      std::copy_n(link.in.begin() + static_cast<ptrdiff_t>(used), kCellSize, cell.bytes.begin());
      used += kCellSize;
      if (link.toward_client) {
        from_previous(link, cell);
      } else {
        from_next(link, cell);
      }
    }
    link.in.erase(link.in.begin(), link.in.begin() + static_cast<ptrdiff_t>(used));
  }

  // A cell from the client's side.
  void from_previous(Link& link, Cell& cell) {
    const hotspan::SpanContext parent = cell.context();
    Circuit* circuit = link.circuit.get();
    if (cell.command() == Command::create) {
      SpanT span = _tracer.start_span("relay.create", hotspan::SpanKind::server, parent);
      span.set_attribute("circuit.id", cell.circ_id()).set_attribute("relay.role", _role);
      if (circuit != nullptr) {
        span.record_error("CREATE on a connection that has a circuit");
        return fail(link);
      }
      link.circuit = std::make_shared<Circuit>();
      link.circuit->circ_id = cell.circ_id();
      link.circuit->previous = &link;
      const uint64_t nonce = _nonces();
      link.circuit->pad = make_pad(cell.nonce(), nonce);
      link.circuit->created = span.context();
      ++_counters.circuits;
      if (_delay_every != 0 && _counters.circuits % _delay_every == 0) {
        span.set_attribute("relay.delay_ms", static_cast<int64_t>(_delay.count()));
        std::this_thread::sleep_for(_delay);
      }
      Cell created = Cell::make(cell.circ_id(), Command::created, span.context());
      created.set_nonce(nonce);
      send(link, created);
      return;
    }
    if (circuit == nullptr || cell.circ_id() != circuit->circ_id) {
      SpanT span = _tracer.start_span("relay.unknown_circuit", hotspan::SpanKind::server, parent);
      span.set_attribute("circuit.id", cell.circ_id()).record_error("cell for an unknown circuit");
      return fail(link, span.context());
    }
    if (cell.command() == Command::destroy) {
      SpanT span = _tracer.start_span("relay.destroy", hotspan::SpanKind::server, parent);
      span.set_attribute("circuit.id", circuit->circ_id);
      link.broken = true;  // the next hop gets a DESTROY that is this span's child
      link.destroy_context = span.context();
      return;
    }
    if (cell.command() != Command::relay) return fail(link);
    ++_counters.forward_in;
    cell.apply_layer(circuit->pad);
    if (circuit->next != nullptr) {
      SpanT span = _tracer.start_span("relay.forward", hotspan::SpanKind::internal, parent);
      span.set_attribute("circuit.id", circuit->circ_id);
      cell.set_context(span.context());
      ++_counters.forwarded;
      send(*circuit->next, cell);
      return;
    }
    ++_counters.handled;
    handle(*circuit, cell, parent);
  }

  // A RELAY cell for this hop, its layer off: the relay header is readable.
  void handle(Circuit& circuit, const Cell& cell, const hotspan::SpanContext& parent) {
    const RelayCommand command = cell.relay_command();
    if (command == RelayCommand::extend) return extend(circuit, cell, parent);
    const char* name = command == RelayCommand::begin  ? "exit.begin"
                       : command == RelayCommand::data ? "exit.data"
                       : command == RelayCommand::end  ? "exit.end"
                                                       : "exit.unknown";
    SpanT span = _tracer.start_span(name, hotspan::SpanKind::server, parent);
    span.set_attribute("circuit.id", circuit.circ_id).set_attribute("stream.id", cell.stream_id());
    Cell answer = Cell::make(circuit.circ_id, Command::relay, span.context());
    switch (command) {
      case RelayCommand::begin:
        answer.set_relay(RelayCommand::connected, cell.stream_id(), {});
        break;
      case RelayCommand::data:
        span.set_attribute("data.bytes", cell.data_size());
        answer.set_relay(RelayCommand::data, cell.stream_id(), {cell.data(), cell.data_size()});
        break;
      case RelayCommand::end:
        answer.set_relay(RelayCommand::end, cell.stream_id(), {});
        break;
      default:
        span.record_error("unexpected relay command");
        return fail(*circuit.previous, span.context());
    }
    send_backward(circuit, answer);
  }

  void extend(Circuit& circuit, const Cell& cell, const hotspan::SpanContext& parent) {
    SpanT span = _tracer.start_span("relay.extend", hotspan::SpanKind::client, parent);
    const uint16_t port = static_cast<uint16_t>(cell.data()[0] << 8 | cell.data()[1]);
    uint64_t client_nonce;
    std::memcpy(&client_nonce, cell.data() + 2, 8);
    span.set_attribute("circuit.id", circuit.circ_id).set_attribute("next.port", port);
    int fd = -1;
    try {
      fd = connect_loopback(port);
      set_nonblocking(fd);
    } catch (const std::system_error& e) {
      if (fd >= 0) close(fd);
      span.record_error(e.code());
      std::fprintf(stderr, "%s: extend circuit %u: %s\n", _role.c_str(), circuit.circ_id, e.what());
      return fail(*circuit.previous, span.context());
    }
    auto link = std::make_unique<Link>();
    link->fd = fd;
    link->toward_client = false;
    link->circuit = circuit.previous->circuit;
    circuit.next = link.get();
    _links.push_back(std::move(link));
    Cell create = Cell::make(circuit.circ_id, Command::create, span.context());
    create.set_nonce(client_nonce);
    send(*circuit.next, create);
    circuit.extending = std::move(span);  // ends when CREATED comes back
  }

  // A cell from the exit's side.
  void from_next(Link& link, Cell& cell) {
    Circuit& circuit = *link.circuit;
    const hotspan::SpanContext parent = cell.context();
    if (cell.command() == Command::created && circuit.extending) {
      SpanT& span = *circuit.extending;
      span.add_event("created");
      Cell extended = Cell::make(circuit.circ_id, Command::relay, span.context());
      const uint64_t nonce = cell.nonce();
      uint8_t data[8];
      std::memcpy(data, &nonce, 8);
      extended.set_relay(RelayCommand::extended, 0, data);
      circuit.extending.reset();
      send_backward(circuit, extended);
      return;
    }
    if (cell.command() == Command::destroy) {
      SpanT span = _tracer.start_span("relay.destroy", hotspan::SpanKind::server, parent);
      span.set_attribute("circuit.id", circuit.circ_id).add_event("from next hop");
      link.broken = true;
      link.destroy_context = span.context();
      return;
    }
    if (cell.command() != Command::relay) return fail(link);
    ++_counters.backward_in;
    SpanT span = _tracer.start_span("relay.backward", hotspan::SpanKind::internal, parent);
    span.set_attribute("circuit.id", circuit.circ_id);
    cell.set_context(span.context());
    send_backward(circuit, cell);
  }

  void send_backward(Circuit& circuit, Cell& cell) {
    cell.apply_layer(circuit.pad);
    ++_counters.backward_out;
    send(*circuit.previous, cell);
  }

  void send(Link& link, const Cell& cell) {
    if (link.broken) return;
    link.out.insert(link.out.end(), cell.bytes.begin(), cell.bytes.end());
    write_some(link);
  }

  // Writes what the socket takes now; a failed link is marked broken.
  void write_some(Link& link) {
    size_t done = 0;
    while (done < link.out.size()) {
      const ssize_t n =
          ::send(link.fd, link.out.data() + done, link.out.size() - done, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) break;
      if (n < 0) {
        if (!link.broken) ++_counters.errors;
        link.broken = true;
        link.close_reason = "a write to a neighbouring hop failed";
        link.out.clear();
        return;
      }
      done += static_cast<size_t>(n);
    }
    link.out.erase(link.out.begin(), link.out.begin() + static_cast<ptrdiff_t>(done));
  }

  // Tears the circuit down for an error on `link`: the peer on that link gets
  // a DESTROY too (a child of `context`, the span that saw the error), then
  // close_link() tells the other side.
  void fail(Link& link, const hotspan::SpanContext& context = {}) {
    ++_counters.errors;
    if (link.circuit) send(link, Cell::make(link.circuit->circ_id, Command::destroy, context));
    link.broken = true;
    link.close_reason = "a protocol error";
  }

  void close_broken_links() {
    for (size_t i = 0; i < _links.size();) {
      if (_links[i]->broken) {
        close_link(*_links[i]);  // removes one or two links: look again from the start
        i = 0;
      } else {
        ++i;
      }
    }
  }

  // Closes `link` and the other side of its circuit, which first gets a
  // DESTROY (best effort: it may be gone too, and we do not wait).
  void close_link(Link& link) {
    std::shared_ptr<Circuit> circuit = std::move(link.circuit);
    if (circuit) {
      if (circuit->extending) {
        circuit->extending->record_error("the circuit closed during the extend");
        circuit->extending.reset();
      }
      Link* other = &link == circuit->previous ? circuit->next : circuit->previous;
      if (other != nullptr) {
        other->circuit.reset();
        if (link.destroy_context.valid()) {
          send(*other, Cell::make(circuit->circ_id, Command::destroy, link.destroy_context));
        } else {  // not a DESTROY passed on: a teardown of our own, in the circuit's trace
          SpanT span =
              _tracer.start_span("relay.teardown", hotspan::SpanKind::internal, circuit->created);
          span.set_attribute("circuit.id", circuit->circ_id).add_event(link.close_reason);
          send(*other, Cell::make(circuit->circ_id, Command::destroy, span.context()));
        }
        remove_link(*other);
      }
    }
    remove_link(link);
  }

  void remove_link(Link& link) {
    close(link.fd);
    for (auto it = _links.begin(); it != _links.end(); ++it) {
      if (it->get() == &link) {
        _links.erase(it);
        return;
      }
    }
  }

  TracerT& _tracer;
  std::string _role;
  uint16_t _port = 0;
  int _listen_fd = -1;
  std::vector<std::unique_ptr<Link>> _links;
  std::mt19937_64 _nonces;
  RelayCounters _counters;
  uint64_t _delay_every = 0;
  std::chrono::milliseconds _delay{0};
};

}  // namespace relay
