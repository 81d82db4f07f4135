// hotspan example — a Tor-like client building circuits, traced with hotspan.
//
// Worker threads each build circuits. One circuit is one trace:
//
//   build-circuit                  (client) circuit.id, circuit.purpose, ...
//   ├─ select-guard                (internal) relay.nickname, relay.fingerprint, ...
//   ├─ select-middle
//   ├─ select-exit
//   └─ extend-circuit              (internal)
//      ├─ create-hop-1             (client) events cell-sent, created2-received
//      ├─ create-hop-2             a timed-out attempt: status error, then a retry
//      ├─ create-hop-2
//      └─ create-hop-3
//   open-stream ...                (client) children of build-circuit, started
//                                  after the circuit is built, with an explicit parent
//
// Relays, delays and failures are simulated (sleeps of tens to hundreds of µs,
// seeded per thread). A hop that does not answer is recorded with its
// std::error_code (ETIMEDOUT) and retried once; a hop that fails twice throws
// out of with_span(), failing extend-circuit and the circuit.
//
//   circuit_build [--out FILE] [--format jsonl|otlp_json|chrome_json|binary]
//                 [--circuits N] [--threads T] [--seed S] [--rotate-bytes B]
#include <hotspan/hotspan.hpp>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <iostream>
#include <iterator>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

namespace {

using hotspan::Scope;
using hotspan::Span;
using hotspan::SpanContext;
using hotspan::SpanKind;
using hotspan::Tracer;

constexpr std::string_view kUsage =
    R"(usage: circuit_build [--out FILE] [--format FORMAT] [--circuits N] [--threads T] [--seed S]
                     [--rotate-bytes B]

Simulates a Tor-like client building circuits on T threads (N circuits each)
and traces it with hotspan.

options:
  --out FILE       where the spans go (default circuit_trace.jsonl)
  --format FORMAT  jsonl (default), binary, otlp_json or chrome_json (or
                   otlp-json, chrome-json)
  --circuits N     circuits built by each thread (default 8)
  --threads T      worker threads (default 4)
  --seed S         seed of the simulation (default 1)
  --rotate-bytes B a new file whenever the next batch would take one past B
                   bytes: FILE.000001.TIME.EXT, ... (FileOptions::rotate_bytes)
  -h, --help       show this help
)";

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Options {
  std::string out = "circuit_trace.jsonl";
  hotspan::Format format = hotspan::Format::jsonl;
  uint64_t circuits = 8;
  uint64_t threads = 4;
  uint64_t seed = 1;
  uint64_t rotate_bytes = 0;
};

uint64_t parse_count(std::string_view option, std::string_view text, uint64_t min, uint64_t max) {
  uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    throw UsageError(std::string(option) + " needs a number from " + std::to_string(min) + " to " +
                     std::to_string(max) + ", not '" + std::string(text) + "'");
  }
  return value;
}

// nullopt after --help.
std::optional<Options> parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "-h" || arg == "--help") return std::nullopt;
    if (arg != "--out" && arg != "--format" && arg != "--circuits" && arg != "--threads" &&
        arg != "--seed" && arg != "--rotate-bytes") {
      throw UsageError("unknown argument '" + std::string(arg) + "'");
    }
    if (i + 1 >= argc) throw UsageError(std::string(arg) + " needs a value");
    const std::string_view value = argv[++i];
    if (arg == "--out") {
      options.out = value;
    } else if (arg == "--format") {
      const std::optional<hotspan::Format> format = hotspan::format_from_name(value);
      if (!format) {
        std::string names;
        for (const hotspan::FormatInfo& f : hotspan::formats())
          names.append(names.empty() ? "" : ", ").append(f.name);
        throw UsageError("--format must be one of " + names + ", not '" + std::string(value) + "'");
      }
      options.format = *format;
    } else if (arg == "--circuits") {
      options.circuits = parse_count(arg, value, 1, 1'000'000);
    } else if (arg == "--threads") {
      options.threads = parse_count(arg, value, 1, 256);
    } else if (arg == "--rotate-bytes") {
      options.rotate_bytes = parse_count(arg, value, 1, UINT64_MAX);
    } else {
      options.seed = parse_count(arg, value, 0, UINT64_MAX);
    }
  }
  return options;
}

// ---- the simulated network --------------------------------------------------

struct Relay {
  std::string nickname;
  std::string fingerprint;  // 40 uppercase hex digits, as in a Tor consensus
  double bandwidth_mbps;
  bool guard;
  bool exit;
};

// A fixed consensus of invented relays: the first third may be guards, the last
// third exits, bandwidths spread over two orders of magnitude.
std::vector<Relay> make_consensus() {
  static constexpr std::string_view kAdjectives[] = {"quiet", "amber",  "north", "lucid",
                                                     "brisk", "hollow", "cedar", "ivory"};
  static constexpr std::string_view kNouns[] = {"fox", "moth", "lark", "heron", "otter", "wren"};
  std::mt19937_64 random(0x7f3a9c11u);
  std::uniform_real_distribution<double> log_bandwidth(0.0, 2.0);
  std::vector<Relay> relays;
  const size_t count = std::size(kAdjectives) * std::size(kNouns);
  for (size_t i = 0; i < count; ++i) {
    char fingerprint[41];
    std::snprintf(fingerprint, sizeof fingerprint, "%016llX%016llX%08X",
                  static_cast<unsigned long long>(random()),
                  static_cast<unsigned long long>(random()), static_cast<unsigned>(random()));
    relays.push_back({std::string(kAdjectives[i % std::size(kAdjectives)]) +
                          std::string(kNouns[i / std::size(kAdjectives)]),
                      fingerprint, std::round(std::pow(10.0, log_bandwidth(random)) * 10) / 10,
                      i < count / 3, i >= count * 2 / 3});
  }
  return relays;
}

struct Target {
  std::string_view host;
  int64_t port;
};
constexpr Target kTargets[] = {{"www.example.com", 443},  {"check.example.org", 443},
                               {"mail.example.net", 993}, {"git.example.com", 22},
                               {"irc.example.org", 6697}, {"news.example.net", 80}};

enum class Role { guard, middle, exit };

struct Counters {
  std::atomic<uint64_t> circuits_built{0};
  std::atomic<uint64_t> circuits_failed{0};
  std::atomic<uint64_t> hop_timeouts{0};
  std::atomic<uint64_t> streams_opened{0};
  std::atomic<uint64_t> streams_failed{0};
};

// What a client keeps about a built circuit; trace_context lets later work on
// the circuit (streams) join its trace.
struct Circuit {
  int64_t id;
  uint32_t circ_id;  // the link-level circuit id of the first hop
  const Relay* path[3];
  SpanContext trace_context;
};

class CircuitBuilder {
 public:
  CircuitBuilder(Tracer& tracer, const std::vector<Relay>& consensus, uint64_t seed,
                 Counters& counters)
      : _tracer(tracer), _consensus(consensus), _random(seed), _counters(counters) {}

  void build(int64_t circuit_id) {
    Circuit circuit{circuit_id, static_cast<uint32_t>(_random()) | 0x80000000u, {}, {}};
    const bool built = build_circuit(circuit);
    if (!built) return;
    const int streams = uniform(1, 3);
    for (int s = 0; s < streams; ++s)
      open_stream(circuit, circuit_id * 10 + s);
  }

 private:
  static constexpr int kMaxAttempts = 2;
  static constexpr double kTimeoutProbability = 0.12;
  static constexpr double kStreamFailureProbability = 0.1;

  int uniform(int low, int high) { return std::uniform_int_distribution<int>(low, high)(_random); }
  bool chance(double p) { return std::bernoulli_distribution(p)(_random); }
  void pause(int low_us, int high_us) {
    std::this_thread::sleep_for(std::chrono::microseconds(uniform(low_us, high_us)));
  }

  bool build_circuit(Circuit& circuit) {
    Span span = _tracer.start_span("build-circuit", SpanKind::client);
    Scope scope(span);
    circuit.trace_context = span.context();
    const bool internal = chance(0.25);
    span.set_attributes({{"circuit.id", circuit.id},
                         {"circuit.purpose", internal ? "hs_client_intro" : "general"},
                         {"circuit.hops", 3},
                         {"circuit.is_internal", internal}});

    circuit.path[0] = &select_relay("select-guard", Role::guard, circuit);
    circuit.path[1] = &select_relay("select-middle", Role::middle, circuit);
    circuit.path[2] = &select_relay("select-exit", Role::exit, circuit);
    span.add_event("path-selected", {{"path.guard", circuit.path[0]->nickname},
                                     {"path.middle", circuit.path[1]->nickname},
                                     {"path.exit", circuit.path[2]->nickname}});
    try {
      hotspan::with_span(_tracer, "extend-circuit", SpanKind::internal, [&](Span& extend) {
        extend.set_attribute("circuit.circ_id", circuit.circ_id);
        int retries = 0;
        for (int hop = 1; hop <= 3; ++hop)
          retries += create_hop(circuit, hop);
        extend.set_attribute("circuit.retries", retries);
      });
    } catch (const std::runtime_error& e) {
      // with_span() already marked extend-circuit; the circuit failed with it.
      span.record_error(e).set_attribute("circuit.state", "failed");
      _counters.circuits_failed.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    span.set_attribute("circuit.state", "open").set_status(hotspan::StatusCode::ok);
    _counters.circuits_built.fetch_add(1, std::memory_order_relaxed);
    return true;
  }

  // Bandwidth-weighted choice among the relays allowed for `role`, never one
  // already on the path.
  const Relay& select_relay(std::string_view name, Role role, const Circuit& circuit) {
    return hotspan::with_span(_tracer, name, SpanKind::internal, [&](Span& span) -> const Relay& {
      std::vector<const Relay*> candidates;
      std::vector<double> weights;
      for (const Relay& relay : _consensus) {
        if (role == Role::guard && !relay.guard) continue;
        if (role == Role::exit && !relay.exit) continue;
        if (role == Role::middle && (relay.guard || relay.exit)) continue;
        bool on_path = false;
        for (const Relay* used : circuit.path)
          on_path = on_path || used == &relay;
        if (on_path) continue;
        candidates.push_back(&relay);
        weights.push_back(relay.bandwidth_mbps);
      }
      pause(20, 120);
      std::discrete_distribution<size_t> pick(weights.begin(), weights.end());
      const Relay& relay = *candidates[pick(_random)];
      span.set_attributes({{"relay.nickname", relay.nickname},
                           {"relay.bandwidth_mbps", relay.bandwidth_mbps},
                           {"selection.candidates", candidates.size()},
                           {"relay.fingerprint", relay.fingerprint}});
      if (role == Role::guard) {
        span.add_event("guard-selected",
                       {{"guard.confirmed", chance(0.8)}, {"guard.sampled_set_size", 20}});
      }
      return relay;
    });
  }

  // Returns the number of retries; throws when every attempt timed out.
  int create_hop(const Circuit& circuit, int hop) {
    static constexpr std::string_view kNames[] = {"create-hop-1", "create-hop-2", "create-hop-3"};
    const Relay& relay = *circuit.path[hop - 1];
    for (int attempt = 1; attempt <= kMaxAttempts; ++attempt) {
      Span span = _tracer.start_span(kNames[hop - 1], SpanKind::client);
      span.set_attributes({{"hop.index", hop},
                           {"hop.attempt", attempt},
                           {"relay.nickname", relay.nickname},
                           {"relay.fingerprint", relay.fingerprint}});
      span.add_event("cell-sent", {{"cell.command", hop == 1 ? "CREATE2" : "RELAY_EARLY/EXTEND2"},
                                   {"cell.circ_id", circuit.circ_id},
                                   {"handshake.type", "ntor"}});
      if (chance(kTimeoutProbability)) {
        pause(600, 900);  // the (scaled down) circuit build timeout
        _counters.hop_timeouts.fetch_add(1, std::memory_order_relaxed);
        span.record_error(std::error_code(ETIMEDOUT, std::generic_category()));
        span.set_attribute("hop.will_retry", attempt < kMaxAttempts);
        continue;
      }
      pause(80, 400);  // one round trip through the circuit so far, plus crypto
      span.add_event(hop == 1 ? "created2-received" : "extended2-received",
                     {{"cell.payload_bytes", 509}, {"handshake.ok", true}});
      return attempt - 1;
    }
    throw std::runtime_error("hop " + std::to_string(hop) + " (" + relay.nickname +
                             ") did not answer after " + std::to_string(kMaxAttempts) +
                             " attempts");
  }

  // A stream attached to a built circuit: a child of build-circuit through the
  // context the circuit kept, wherever and whenever the stream is opened.
  void open_stream(const Circuit& circuit, int64_t stream_id) {
    const Target& target =
        kTargets[static_cast<size_t>(uniform(0, static_cast<int>(std::size(kTargets)) - 1))];
    Span span = _tracer.start_span("open-stream", SpanKind::client, circuit.trace_context);
    span.set_attributes({{"stream.id", stream_id},
                         {"stream.target.host", target.host},
                         {"stream.target.port", target.port},
                         {"circuit.id", circuit.id},
                         {"exit.nickname", circuit.path[2]->nickname}});
    span.add_event("relay-begin-sent", {{"cell.command", "RELAY_BEGIN"}});
    pause(50, 300);
    if (chance(kStreamFailureProbability)) {
      span.add_event("relay-end-received", {{"end.reason", "RESOLVEFAILED"}});
      span.record_error("exit could not resolve " + std::string(target.host));
      _counters.streams_failed.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    span.add_event("relay-connected-received", {{"stream.ttl_s", 300}});
    _counters.streams_opened.fetch_add(1, std::memory_order_relaxed);
  }

  Tracer& _tracer;
  const std::vector<Relay>& _consensus;
  std::mt19937_64 _random;
  Counters& _counters;
};

void print_stats(const hotspan::TracerStats& s) {
  std::cout << "tracer stats:\n"
            << "  spans started          " << s.spans_started << "\n"
            << "  spans sampled          " << s.spans_sampled << "\n"
            << "  spans exported         " << s.spans_exported << "\n"
            << "  dropped pool exhausted " << s.dropped_pool_exhausted << "\n"
            << "  dropped queue full     " << s.dropped_queue_full << "\n"
            << "  dropped export failed  " << s.dropped_export_failed << "\n"
            << "  attributes dropped     " << s.attributes_dropped << "\n"
            << "  events dropped         " << s.events_dropped << "\n"
            << "  strings truncated      " << s.strings_truncated << "\n"
            << "  bytes written          " << s.bytes_written << "\n";
}

int run(const Options& options) {
  hotspan::TracerOptions tracer_options;
  tracer_options.service_name = "circuit_build";
  hotspan::FileOptions file_options;
  file_options.rotate_bytes = options.rotate_bytes;
  tracer_options.exporter = hotspan::file_exporter(options.out, options.format, file_options);
  tracer_options.resource = {{"service.version", hotspan::version_string}};
  Tracer tracer(std::move(tracer_options));

  const std::vector<Relay> consensus = make_consensus();
  Counters counters;
  std::atomic<int64_t> next_circuit_id{1};
  std::mutex failure_mutex;
  std::string failure;
  std::vector<std::thread> workers;
  for (uint64_t t = 0; t < options.threads; ++t) {
    workers.emplace_back([&, t] {
      try {
        CircuitBuilder builder(tracer, consensus, options.seed * 1000 + t, counters);
        for (uint64_t c = 0; c < options.circuits; ++c) {
          builder.build(next_circuit_id.fetch_add(1, std::memory_order_relaxed));
        }
      } catch (const std::exception& e) {
        std::lock_guard lock(failure_mutex);
        failure = e.what();
      }
    });
  }
  for (std::thread& worker : workers)
    worker.join();
  if (!failure.empty()) throw std::runtime_error("a worker thread failed: " + failure);

  const bool flushed = tracer.flush();
  const hotspan::TracerStats stats = tracer.stats();
  std::cout << "circuit_build: " << options.threads * options.circuits << " circuits on "
            << options.threads << " threads: " << counters.circuits_built << " built, "
            << counters.circuits_failed << " failed, " << counters.hop_timeouts << " hop timeouts; "
            << counters.streams_opened << " streams opened, " << counters.streams_failed
            << " failed\n"
            << "wrote " << stats.spans_exported << " spans to " << options.out << " ("
            << hotspan::format_name(options.format) << ")\n";
  print_stats(stats);

  if (!flushed) {
    std::cerr << "circuit_build: flushing the tracer failed (timeout or exporter error)\n";
    return 1;
  }
  const uint64_t accounted = stats.spans_exported + stats.dropped_pool_exhausted +
                             stats.dropped_queue_full + stats.dropped_export_failed;
  if (accounted != stats.spans_sampled) {
    std::cerr << "circuit_build: span accounting is off: " << stats.spans_sampled << " sampled, "
              << accounted << " exported or dropped\n";
    return 1;
  }
  if (stats.dropped_export_failed > 0) {
    std::cerr << "circuit_build: " << stats.dropped_export_failed
              << " spans could not be written to " << options.out << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::optional<Options> options;
  try {
    options = parse_options(argc, argv);
  } catch (const UsageError& e) {
    std::cerr << "circuit_build: " << e.what() << "\n\n" << kUsage;
    return 2;
  }
  if (!options) {
    std::cout << kUsage;
    return 0;
  }
  try {
    return run(*options);
  } catch (const std::exception& e) {
    std::cerr << "circuit_build: " << e.what() << "\n";
    return 1;
  }
}
