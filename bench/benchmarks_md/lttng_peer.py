"""Section "LTTng-UST peer": LTTng-UST tracepoints carrying a span's payload
(bench/lttng_peer_*), measured in hot_path_latency's run beside the hotspan
cases they stand in for, and the LTTng-UST versions for "Machine and method"."""

from .formatting import fmt_count, fmt_ns, fmt_pct, fmt_ratio, table
from .program_section import program_section
from .stats import div

LTTNG_CASES = {
    "begin_end_disabled": "begin + end tracepoints that no session enables",
    "begin_end_2_fields_session": "begin + end, 2 fields each, recorded by an active session",
}

# (LTTng-UST case, hotspan case, what the hotspan case does)
PAIRS = [
    ("begin_end_disabled", "unsampled_always_off", "unsampled start+end, `always_off()`"),
    ("begin_end_disabled", "unsampled_parent_based_unsampled_parent",
     "unsampled start+end, `parent_based(always_on())` under an unsampled parent"),
    ("begin_end_disabled", "unsampled_ratio_0.01",
     "unsampled start+end, `trace_id_ratio(0.01)` (1 % sampled)"),
    ("begin_end_2_fields_session", "sampled_2_attributes", "sampled start + 2 attributes + end"),
]


def lttng_versions(res):
    """The "LTTng-UST" row of "Machine and method": the packages installed
    (machine.json) and the version hot_path_latency was built with."""

    def installed(key):
        v = res.machine.get(key)
        return "not recorded" if v is None else (v or "not installed")

    built = res.programs["hot_path_latency"].context.get("lttng_ust")
    if built is None:
        built_text = "hot_path_latency's results do not say whether it was built in"
    elif built == "not built in":
        built_text = "hot_path_latency built without it"
    else:
        built_text = f"hot_path_latency built with LTTng-UST {built}"
    return (
        f"liblttng-ust-dev {installed('lttng_ust')}, lttng-tools {installed('lttng_tools')} "
        f"(Debian packages); {built_text}"
    )


def session_text(res):
    """How the session case's events were recorded, from
    RESULTS/lttng_session.json (written by scripts/bench.sh)."""
    s = res.optional_json("lttng_session.json")
    if s is None:
        return "No session record (bench/results/lttng_session.json) was written for this run."
    if not s.get("session"):
        return f"No LTTng session in this run: {s.get('reason', 'reason not recorded')}."
    trace = s.get("trace_bytes")
    return (
        f"The session (`{s['session']}`, LTTng's defaults: per-user buffers, one channel in "
        f"{s.get('mode', '?')} mode) wrote its trace to a temporary directory under the build "
        f"directory ({fmt_count(trace / 1e6) if trace is not None else '—'} MB) and "
        f"discarded {fmt_count(s.get('discarded_events'))} events (`lttng list` after the run)."
    )


@program_section("hot_path_latency", "### LTTng-UST peer (same program, same run)\n")
def lttng_peer_section(res, r):
    if not any(f"lttng/{c}" in r.runs or f"lttng/{c}" in r.errors for c in LTTNG_CASES):
        return [
            "hot_path_latency was built without LTTng-UST (pkg-config found no lttng-ust, or "
            "`-DHOTSPAN_BENCH_LTTNG=OFF`): no figures.\n"
        ]
    s = [
        "A span as LTTng-UST would record it in the relay: a `span_begin` and a `span_end` "
        "tracepoint (bench/lttng_peer_span_events.h) carrying the span's name and its two "
        "attributes, emitted inline on the caller's thread, pinned as the hotspan cases are. "
        "Two providers: `hotspan_bench_off`, which nothing enables (what tracepoints cost "
        "compiled in and off), and `hotspan_bench_on`, which the session enables. "
        "hotspan ÷ LTTng-UST above 1 means hotspan costs more.\n"
    ]
    rows = []
    for lttng, hot, label in PAIRS:
        name = f"lttng/{lttng}"
        lv = r.value(name, "cpu_time")
        hv = r.value(f"hotspan/{hot}", "cpu_time")
        lttng_cells = (
            ["skipped", "—", "—"]
            if name in r.errors
            else [fmt_ns(lv), fmt_pct(r.spread(name, "cpu_time")), fmt_count(r.value(name, "allocs/op"))]
        )
        rows.append(
            [f"`{name}`: {LTTNG_CASES[lttng]}"] + lttng_cells + [label, fmt_ns(hv), fmt_ratio(div(hv, lv))]
        )
    s.append(
        table(
            ["LTTng-UST case", "ns", "spread", "allocs/op", "hotspan case", "hotspan ns",
             "hotspan ÷ LTTng-UST"],
            rows,
            ["l", "r", "r", "r", "l", "r", "r"],
        )
    )
    notes = [session_text(res)]
    for c in LTTNG_CASES:
        if f"lttng/{c}" in r.errors:
            notes.append(f"`lttng/{c}`: {r.errors[f'lttng/{c}']}.")
    s.append("\n" + " ".join(notes) + "\n")
    return s
