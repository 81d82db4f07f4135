"""Section "Relay overhead": the relay chain of examples/relay/ with tracing
compiled out, off, at 1 % and on (RESULTS/relay.json, bench/relay_chain.cpp)."""

from .formatting import fmt_count, fmt_rate, fmt_ratio, fmt_time, table

CONFIGURATIONS = {
    "compiled_out": "tracing compiled out (baseline)",
    "always_off": "tracer present, `always_off()`",
    "ratio_1pct": "`trace_id_ratio(0.01)` (1 % of circuits)",
    "always_on": "every span sampled",
}


def relay_chain_section(res):
    """The section, or "" when relay.json is absent (the relay chain did not run)."""
    data = res.optional_json("relay.json")
    if data is None:
        return ""
    rows = [
        [CONFIGURATIONS.get(c["name"], c["name"]), fmt_time(c["median_ns"]), fmt_ratio(c["median_ratio"]),
         fmt_time(c["p99_ns"]), fmt_ratio(c["p99_ratio"]), fmt_rate(c["cells_per_second"]),
         fmt_ratio(c["throughput_ratio"]), fmt_count(c["spans_sampled_per_round"])]
        for c in data["configurations"]
    ]
    return "\n".join([
        "## Relay overhead\n",
        "The relay chain of `examples/relay/` in one process (bench/relay_chain.cpp): three "
        "relays on loopback TCP, one thread each, and a client sending one 514-byte DATA cell "
        "at a time through guard, middle and exit and back (6 spans per cell when sampled, on "
        "4 tracers writing the binary format to /dev/null). "
        f"{data['circuits']} circuits of {data['cells_per_circuit']} cells per round; each "
        f"figure is the median of {data['rounds']} interleaved rounds. Ratios are to the "
        "build with tracing compiled out; the round trip is dominated by the kernel's "
        "loopback TCP, so P99 on a shared machine is mostly its noise.\n",
        table(["configuration", "round trip P50", "ratio", "P99", "ratio", "cells/s",
               "ratio", "spans / round"], rows,
              ["l", "r", "r", "r", "r", "r", "r", "r"]),
        "",
    ])
