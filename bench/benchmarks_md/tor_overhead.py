"""Section "Inside tor": the real tor in a private network, built and traced
several ways (RESULTS/tor_overhead.json, bench/tor_overhead.sh)."""

import statistics

from .formatting import fmt_ratio, table
from .stats import div, percentile

CONFIGURATIONS = {
    "none": "tor without tracing",
    "lttng-idle": "LTTng-UST backend, no session",
    "lttng-session": "LTTng-UST backend, session recording `tor_circuit:*`",
    "hotspan-idle": "hotspan backend, no exporter configured",
    "hotspan-off": "hotspan, `always_off`",
    "hotspan-1%": "hotspan, `traceidratio` 0.01",
    "hotspan-all": "hotspan, every span sampled and written",
}


def per_configuration(runs):
    """{config: {"relay": [ms of CPU per MB, a round], "client": [...],
    "builds": [circuit build ms, all rounds]}} from the runs."""
    per = {}
    for run in runs:
        d = per.setdefault(run["config"], {"relay": [], "client": [], "builds": []})
        mb = run["bytes"] / 1e6
        d["relay"].append(run["relay_ticks"] / run["ticks_per_s"] * 1000 / mb)
        d["client"].append(run["client_ticks"] / run["ticks_per_s"] * 1000 / mb)
        d["builds"] += run["builds_ms"]
    return per


def fmt_ms(v):
    return f"{v:.1f} ms" if v is not None else "–"


def tor_section(res):
    """The section, or "" when tor_overhead.json is absent (bench/tor_overhead.sh did not run)."""
    data = res.optional_json("tor_overhead.json")
    if data is None:
        return ""
    per = per_configuration(data["runs"])
    base = statistics.median(per["none"]["relay"]) if "none" in per else None
    rows = []
    for c in data["configs"]:
        if c not in per:
            continue
        d = per[c]
        r = statistics.median(d["relay"])
        # Apart from no tracing: the ranges over the rounds do not overlap.
        apart = "–"
        if base is not None and c != "none":
            lo, hi = min(per["none"]["relay"]), max(per["none"]["relay"])
            apart = "above" if min(d["relay"]) > hi else "below" if max(d["relay"]) < lo else "overlaps"
        rows.append([CONFIGURATIONS.get(c, c), f"{r:.1f} ms", f"{min(d['relay']):.1f}–{max(d['relay']):.1f}",
                     fmt_ratio(div(r, base)), apart, f"{statistics.median(d['client']):.1f} ms",
                     fmt_ms(percentile(d["builds"], 50)), fmt_ms(percentile(d["builds"], 99)),
                     str(len(d["builds"]))])
    return "\n".join([
        "## Inside tor\n",
        "The real tor (0.4.9.11, Debian's source) in a private network on loopback "
        "(`scripts/tor_network.sh`: 3 authorities, 3 relays, 2 exits, a client), built three "
        "ways by `scripts/tor_build.sh --variant` (no tracing; tor's LTTng-UST backend; "
        "hotspan's backend, integrations/tor/) on the same tracepoints, and traced seven ways. "
        f"Each run fetches {data['circuits']} files of {data['fetch_bytes'] / 2**20:g} MiB, one "
        "per new circuit, 4 at a time; the relays' CPU time (user + system, all relays) during "
        "the fetches is divided by the bytes fetched (each byte crosses 3 relays). Circuit "
        "build time: the client's ControlPort, LAUNCHED to BUILT, 3-hop circuits launched "
        "during the fetches, over all rounds. "
        f"{data['rounds']} interleaved rounds (`{data['command']}` at commit "
        f"{data.get('commit', '?')}, {data['date']}, "
        f"{data['machine']}); CPU figures are the median over the rounds, with their range.\n",
        table(["configuration", "relays' CPU per MB", "range", "vs no tracing",
               "range vs no tracing's", "client's CPU per MB", "circuit build P50", "P99",
               "circuits"], rows, ["l", "r", "r", "r", "l", "r", "r", "r", "r"]),
        "",
        "What is recorded (integrations/tor/README.md at that commit): per circuit a "
        "`relay-circuit` and an `onion-skin` span on each relay, the circuit's spans on the "
        "client, and one `relay-cell` span per 1000 relayed cells per circuit and direction; "
        "LTTng records every event of the same tracepoints instead, `cell_queued` and "
        "`cell_flushed` for every cell included. "
        f"A {data['fetch_bytes'] / 2**20:g} MiB fetch is about "
        f"{data['fetch_bytes'] / 498:,.0f} cells through each relay of its circuit (498 "
        "bytes of data per cell). \"range vs no tracing's\": whether "
        "a configuration's range over the rounds lies above or below the range of tor "
        "without tracing, or overlaps it (a difference the rounds cannot tell from noise).\n",
    ])
