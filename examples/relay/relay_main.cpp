// hotspan relay example — hotspan_relay: one onion relay (run three: guard,
// middle, exit), traced to its own file under the service name relay-ROLE.
//
//   hotspan_relay --role guard|middle|exit [--port N] [--port-file FILE]
//                 [--trace FILE] [--format binary|jsonl] [--sample-ratio P]
//                 [--tail-baseline P] [--tail-slow NAME=MS,...]
//                 [--delay-every N] [--delay-ms MS]
//
// --port 0 (the default) binds a free port; --port-file receives it once the
// relay listens (written whole, by rename), for a script to read. SIGTERM or
// SIGINT stops the relay: it closes its circuits, flushes the tracer, prints
// what it relayed and the tracer's counters, and exits 0 when no span was lost.
// --tail-baseline turns tail sampling on (command_line.hpp); --delay-every N
// makes every Nth CREATE wait --delay-ms (default 150): a slow relay.
#include <hotspan/hotspan.hpp>

#include <signal.h>

#include <atomic>
#include <cstdio>
#include <exception>
#include <fstream>
#include <string>
#include <system_error>

#include "command_line.hpp"
#include "relay_node.hpp"

namespace {

std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free);  // set from a signal handler

void request_stop(int) {
  g_stop.store(true, std::memory_order_relaxed);
}

constexpr const char* kUsage =
    "usage: hotspan_relay --role guard|middle|exit [--port N] [--port-file FILE]\n"
    "                     [--trace FILE] [--format binary|jsonl] [--sample-ratio P]\n"
    "                     [--tail-baseline P] [--tail-slow NAME=MS,...]\n"
    "                     [--delay-every N] [--delay-ms MS]\n";

void write_port_file(const std::string& path, uint16_t port) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary);
    out << port << '\n';
    if (!out.flush()) throw std::runtime_error("cannot write " + temporary);
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    throw std::system_error(errno, std::generic_category(), "rename to " + path);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string service = "relay";
  try {
    const relay::CommandLine args(
        argc, argv,
        {"--role", "--port", "--port-file", "--trace", "--format", "--sample-ratio",
         "--tail-baseline", "--tail-slow", "--delay-every", "--delay-ms"});
    if (args.help()) {
      std::fputs(kUsage, stdout);
      return 0;
    }
    const std::string role = args.text("--role");
    if (role != "guard" && role != "middle" && role != "exit") {
      throw relay::UsageError("--role: expected guard, middle or exit");
    }
    service = "relay-" + role;
    const auto port = static_cast<uint16_t>(args.number("--port", 0, 0, 65535));

    struct sigaction action {};
    action.sa_handler = request_stop;  // no SA_RESTART: poll() returns EINTR at once
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);

    hotspan::Tracer tracer(args.tracer_options(service));
    relay::RelayCounters counters;
    {
      relay::RelayNode<hotspan::Tracer> node(tracer, port, service);
      node.delay_creates(args.number("--delay-every", 0, 0, 1'000'000),
                         std::chrono::milliseconds(args.number("--delay-ms", 150, 0, 60'000)));
      if (args.has("--port-file")) write_port_file(args.text("--port-file"), node.port());
      std::fprintf(stderr, "%s: listening on 127.0.0.1:%u\n", service.c_str(), node.port());
      node.run(g_stop);
      counters = node.counters();
    }  // every connection closed, every span ended
    tracer.shutdown();
    const hotspan::TracerStats stats = tracer.stats();
    // Discarded by tail sampling is a decision, not a loss.
    const uint64_t lost =
        stats.spans_sampled - stats.spans_exported - stats.spans_discarded_by_tail_sampling;
    std::printf(
        "%s: circuits=%llu forward_in=%llu forwarded=%llu handled=%llu backward_in=%llu "
        "backward_out=%llu errors=%llu spans_sampled=%llu spans_exported=%llu "
        "spans_discarded_by_tail_sampling=%llu spans_lost=%llu\n",
        service.c_str(), static_cast<unsigned long long>(counters.circuits),
        static_cast<unsigned long long>(counters.forward_in),
        static_cast<unsigned long long>(counters.forwarded),
        static_cast<unsigned long long>(counters.handled),
        static_cast<unsigned long long>(counters.backward_in),
        static_cast<unsigned long long>(counters.backward_out),
        static_cast<unsigned long long>(counters.errors),
        static_cast<unsigned long long>(stats.spans_sampled),
        static_cast<unsigned long long>(stats.spans_exported),
        static_cast<unsigned long long>(stats.spans_discarded_by_tail_sampling),
        static_cast<unsigned long long>(lost));
    return lost == 0 ? 0 : 1;
  } catch (const relay::UsageError& e) {
    std::fprintf(stderr, "hotspan_relay: %s\n%s", e.what(), kUsage);
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", service.c_str(), e.what());
    return 1;
  }
}
