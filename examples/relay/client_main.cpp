// hotspan relay example — hotspan_relay_client: builds circuits through three
// hotspan_relay processes, opens streams on them and sends DATA cells that the
// exit echoes; traced to its own file under the service name "client".
//
//   hotspan_relay_client --guard PORT --middle PORT --exit PORT [--trace FILE]
//                        [--format binary|jsonl] [--sample-ratio P] [--circuits N]
//                        [--streams N] [--cells N] [--bytes N] [--timeout-ms N]
//                        [--tail-baseline P] [--tail-slow NAME=MS,...]
//
// Circuits are built one after another; each carries --streams streams of
// --cells DATA cells of --bytes bytes. A circuit that fails (a relay gone, a
// timeout) is counted and the next one is tried. Prints what was sent and
// echoed and the tracer's counters; exits 0 when every cell came back intact.
#include <hotspan/hotspan.hpp>

#include <cstdio>
#include <exception>
#include <string>
#include <system_error>
#include <vector>

#include "circuit_client.hpp"
#include "command_line.hpp"

namespace {

constexpr const char* kUsage =
    "usage: hotspan_relay_client --guard PORT --middle PORT --exit PORT [--trace FILE]\n"
    "                            [--format binary|jsonl] [--sample-ratio P] [--circuits N]\n"
    "                            [--streams N] [--cells N] [--bytes N] [--timeout-ms N]\n"
    "                            [--tail-baseline P] [--tail-slow NAME=MS,...]\n";

}  // namespace

int main(int argc, char** argv) {
  try {
    const relay::CommandLine args(
        argc, argv,
        {"--guard", "--middle", "--exit", "--trace", "--format", "--sample-ratio", "--circuits",
         "--streams", "--cells", "--bytes", "--timeout-ms", "--tail-baseline", "--tail-slow"});
    if (args.help()) {
      std::fputs(kUsage, stdout);
      return 0;
    }
    for (const char* hop : {"--guard", "--middle", "--exit"}) {
      if (!args.has(hop)) throw relay::UsageError(std::string(hop) + " PORT is required");
    }
    const std::array<uint16_t, 3> ports = {
        static_cast<uint16_t>(args.number("--guard", 0, 1, 65535)),
        static_cast<uint16_t>(args.number("--middle", 0, 1, 65535)),
        static_cast<uint16_t>(args.number("--exit", 0, 1, 65535))};
    const uint64_t circuits = args.number("--circuits", 4, 1, 1'000'000);
    const uint64_t streams = args.number("--streams", 2, 0, 65535);
    const uint64_t cells = args.number("--cells", 20, 0, 1'000'000'000);
    const uint64_t bytes = args.number("--bytes", 400, 1, relay::kMaxRelayData);
    const std::chrono::milliseconds timeout(args.number("--timeout-ms", 5000, 1, 600'000));

    hotspan::Tracer tracer(args.tracer_options("client"));
    std::vector<uint8_t> data(bytes);
    uint64_t sent = 0, echoed = 0, failed_circuits = 0;
    for (uint64_t c = 0; c < circuits; ++c) {
      relay::CircuitClient<hotspan::Tracer> circuit(tracer, ports, static_cast<uint32_t>(c + 1),
                                                    timeout);
      try {
        circuit.build();
        for (uint16_t s = 1; s <= streams; ++s) {
          circuit.begin_stream(s);
          for (uint64_t i = 0; i < cells; ++i) {
            for (size_t b = 0; b < data.size(); ++b)
              data[b] = static_cast<uint8_t>(c + s + i + b);
            ++sent;
            echoed += circuit.send_data(s, data) ? 1 : 0;
          }
          circuit.end_stream(s);
        }
        circuit.destroy();
      } catch (const std::system_error& e) {
        std::fprintf(stderr, "client: circuit %llu: %s\n", static_cast<unsigned long long>(c + 1),
                     e.what());
        circuit.abandon(e);
        ++failed_circuits;
      }
    }
    tracer.shutdown();
    const hotspan::TracerStats stats = tracer.stats();
    std::printf(
        "client: circuits=%llu failed_circuits=%llu data_cells_sent=%llu data_cells_echoed=%llu "
        "spans_sampled=%llu spans_exported=%llu spans_discarded_by_tail_sampling=%llu "
        "traces_kept_by_tail_sampling=%llu traces_discarded_by_tail_sampling=%llu\n",
        static_cast<unsigned long long>(circuits), static_cast<unsigned long long>(failed_circuits),
        static_cast<unsigned long long>(sent), static_cast<unsigned long long>(echoed),
        static_cast<unsigned long long>(stats.spans_sampled),
        static_cast<unsigned long long>(stats.spans_exported),
        static_cast<unsigned long long>(stats.spans_discarded_by_tail_sampling),
        static_cast<unsigned long long>(stats.traces_kept_by_tail_sampling),
        static_cast<unsigned long long>(stats.traces_discarded_by_tail_sampling));
    const bool clean =
        failed_circuits == 0 && echoed == sent &&
        stats.spans_sampled == stats.spans_exported + stats.spans_discarded_by_tail_sampling;
    return clean ? 0 : 1;
  } catch (const relay::UsageError& e) {
    std::fprintf(stderr, "hotspan_relay_client: %s\n%s", e.what(), kUsage);
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "client: %s\n", e.what());
    return 1;
  }
}
