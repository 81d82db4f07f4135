// hotspan benchmark — the relay chain of examples/relay/ in one process: three
// relays (one thread each, loopback TCP, as in the demo) and a client on the
// main thread sending DATA cells that the exit echoes, one at a time. Measured
// per configuration: per-cell round-trip latency (median, P99) through the
// three hops and back, and cells/s (one cell in flight: 1 / mean latency).
//
//   compiled_out    relays and client built on NoTracer: no tracing code at all
//   always_off      hotspan tracers present, sampler always_off (parent-based)
//   ratio_1pct      trace_id_ratio(0.01): about 1 circuit in 100 traced (a circuit
//                   is a trace, hence many short circuits: 400 of 25 cells a round)
//   always_on       every span recorded (6 spans per cell across the 4 tracers)
//
// Each tracer writes the binary format to /dev/null: encoding is paid, the disk
// is not. Configurations run in interleaved rounds and each figure is the median
// over rounds, to spread the noise of a shared machine. Output: one JSON object
// on stdout (scripts/bench.sh writes it to bench/results/relay.json), with the
// ratios to compiled_out.
//
//   relay_chain [--rounds N] [--circuits N] [--cells N]
#include <hotspan/hotspan.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "../examples/relay/circuit_client.hpp"
#include "../examples/relay/no_tracer.hpp"
#include "../examples/relay/relay_node.hpp"

namespace {

struct Sample {
  double median_ns = 0, p99_ns = 0, cells_per_second = 0;
  uint64_t spans_sampled = 0;
};

// Runs the chain with one tracer per "process" (TracerT each) and returns the
// per-cell figures of this round.
template <class TracerT>
Sample run_chain(std::array<TracerT*, 4> tracers, int circuits, int cells) {
  std::atomic<bool> stop{false};
  std::vector<std::unique_ptr<relay::RelayNode<TracerT>>> nodes;
  std::array<uint16_t, 3> ports{};
  for (int i = 0; i < 3; ++i) {
    nodes.push_back(std::make_unique<relay::RelayNode<TracerT>>(*tracers[i + 1], 0));
    ports[i] = nodes.back()->port();
  }
  std::vector<std::thread> threads;
  for (auto& node : nodes)
    threads.emplace_back([&node, &stop] { node->run(stop); });

  std::vector<double> latencies;
  latencies.reserve(static_cast<size_t>(circuits) * cells);
  std::vector<uint8_t> data(400, 0x5a);
  for (int c = 0; c < circuits; ++c) {
    relay::CircuitClient<TracerT> circuit(*tracers[0], ports, static_cast<uint32_t>(c + 1));
    circuit.build();
    circuit.begin_stream(1);
    for (int i = 0; i < cells; ++i) {
      const auto start = std::chrono::steady_clock::now();
      if (!circuit.send_data(1, data)) std::abort();
      latencies.push_back(
          std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start)
              .count());
    }
    circuit.end_stream(1);
    circuit.destroy();
  }
  // DESTROY is one-way: let the last one travel the chain before the relays
  // stop, or they report the circuit torn down under them.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  stop = true;
  for (auto& thread : threads)
    thread.join();

  std::sort(latencies.begin(), latencies.end());
  Sample sample;
  sample.median_ns = latencies[latencies.size() / 2];
  sample.p99_ns = latencies[latencies.size() * 99 / 100];
  double total = 0;
  for (const double l : latencies)
    total += l;
  sample.cells_per_second = latencies.size() / (total * 1e-9);
  return sample;
}

Sample untraced(int circuits, int cells) {
  relay::NoTracer tracer;
  return run_chain<relay::NoTracer>({&tracer, &tracer, &tracer, &tracer}, circuits, cells);
}

Sample traced(std::shared_ptr<hotspan::Sampler> (*root)(), int circuits, int cells) {
  std::vector<std::unique_ptr<hotspan::Tracer>> tracers;
  for (const char* service : {"client", "relay-guard", "relay-middle", "relay-exit"}) {
    hotspan::TracerOptions options;
    options.service_name = service;
    options.exporter = hotspan::file_exporter("/dev/null", hotspan::Format::binary);
    options.sampler = hotspan::parent_based(root());
    tracers.push_back(std::make_unique<hotspan::Tracer>(std::move(options)));
  }
  Sample sample = run_chain<hotspan::Tracer>(
      {tracers[0].get(), tracers[1].get(), tracers[2].get(), tracers[3].get()}, circuits, cells);
  for (auto& tracer : tracers) {
    tracer->shutdown();
    const hotspan::TracerStats stats = tracer->stats();
    sample.spans_sampled += stats.spans_sampled;
    if (stats.spans_exported != stats.spans_sampled) {
      std::fprintf(stderr, "relay_chain: %s lost spans\n", tracer->service_name().c_str());
    }
  }
  return sample;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

int argument(int argc, char** argv, std::string_view name, int fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == name) return std::max(1, std::atoi(argv[i + 1]));
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argument(argc, argv, "--rounds", 9);
  const int circuits = argument(argc, argv, "--circuits", 400);
  const int cells = argument(argc, argv, "--cells", 25);

  struct Configuration {
    const char* name;
    Sample (*run)(int, int);
    std::vector<Sample> samples;
  };
  std::vector<Configuration> configurations = {
      {"compiled_out", untraced, {}},
      {"always_off", [](int n, int c) { return traced(hotspan::always_off, n, c); }, {}},
      {"ratio_1pct",
       [](int n, int c) { return traced([] { return hotspan::trace_id_ratio(0.01); }, n, c); },
       {}},
      {"always_on", [](int n, int c) { return traced(hotspan::always_on, n, c); }, {}},
  };
  untraced(2, cells);  // warm-up: connections, page faults, caches
  for (int round = 0; round < rounds; ++round) {
    for (auto& configuration : configurations) {
      configuration.samples.push_back(configuration.run(circuits, cells));
    }
  }

  auto figure = [](const Configuration& c, double Sample::*field) {
    std::vector<double> values;
    for (const Sample& s : c.samples)
      values.push_back(s.*field);
    return median(values);
  };
  const Configuration& base = configurations[0];
  std::printf(
      "{\n  \"benchmark\": \"relay_chain\",\n  \"rounds\": %d,\n  \"circuits\": %d,\n"
      "  \"cells_per_circuit\": %d,\n  \"configurations\": [\n",
      rounds, circuits, cells);
  for (size_t i = 0; i < configurations.size(); ++i) {
    const Configuration& c = configurations[i];
    uint64_t sampled = 0;
    for (const Sample& s : c.samples)
      sampled += s.spans_sampled;
    std::printf(
        "    {\"name\": \"%s\", \"median_ns\": %.0f, \"p99_ns\": %.0f, \"cells_per_second\": %.0f, "
        "\"median_ratio\": %.3f, \"p99_ratio\": %.3f, \"throughput_ratio\": %.3f, "
        "\"spans_sampled_per_round\": %llu}%s\n",
        c.name, figure(c, &Sample::median_ns), figure(c, &Sample::p99_ns),
        figure(c, &Sample::cells_per_second),
        figure(c, &Sample::median_ns) / figure(base, &Sample::median_ns),
        figure(c, &Sample::p99_ns) / figure(base, &Sample::p99_ns),
        figure(c, &Sample::cells_per_second) / figure(base, &Sample::cells_per_second),
        static_cast<unsigned long long>(sampled / c.samples.size()),
        i + 1 < configurations.size() ? "," : "");
  }
  std::printf("  ]\n}\n");
  return 0;
}
