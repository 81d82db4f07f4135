"""Section "What this means for a relay": the medians above turned into how
many spans 1 % of a core pays for, on the relay's threads and the exporter's."""

from .formatting import fmt_ns, fmt_pct, fmt_rate, table
from .stats import div

CASES = [
    ("unsampled_always_off", "unsampled span (tracing compiled in, sampler off)"),
    ("unsampled_ratio_0.01", "span under `trace_id_ratio(0.01)`"),
    ("sampled_start_end", "sampled span, no attributes"),
    ("sampled_2_attributes", "sampled span + 2 attributes"),
    ("sampled_5_attributes_1_event", "sampled span + 5 attributes + 1 event"),
]


def spans_at_one_percent(seconds_per_span):
    """Spans per second that 1 % of a core (10 ms a second) pays for."""
    return fmt_rate(div(0.01, seconds_per_span))


def relay_budget_section(res):
    s = ["## What this means for a relay\n"]
    s.append(
        "A core spending 1 % of its time on tracing has 10 ms per second to spend; at a cost "
        "*c* per span it can afford 0.01 s / *c* spans per second. From the medians above:\n"
    )
    rows = []
    for case, label in CASES:
        hv, nv = res.hot(case), res.hot(case, tracer="naive")
        # `x and …` keeps a missing (None) or zero cost out of the division.
        rows.append((label, f"{fmt_ns(hv)} ns", spans_at_one_percent(hv and hv * 1e-9),
                     f"{fmt_ns(nv)} ns", spans_at_one_percent(nv and nv * 1e-9)))
    s.append(table(["caller's thread", "hotspan cost", "hotspan spans/s at 1 %",
                    "naive cost", "naive spans/s at 1 %"], rows))
    # The exporter's throughputs, spans/s: a span costs it 1 / that.
    b = res.direct("binary", "devnull", 2)
    j = res.direct("jsonl", "devnull", 2)
    s.append(
        "\nThe exporter thread pays separately, off the relay's critical path: encoding a "
        f"two-attribute span costs {fmt_ns(div(1e9, b))} ns in binary and {fmt_ns(div(1e9, j))} ns in JSON Lines "
        f"(so 1 % of the exporter's core covers {spans_at_one_percent(b and 1 / b)} resp. "
        f"{spans_at_one_percent(j and 1 / j)} spans/s). For example, a relay recording "
        "100,000 sampled two-attribute spans per second spends "
        f"{fmt_pct(div(1e5 * (res.hot('sampled_2_attributes') or 0), 1e9))} of a core on its "
        f"own threads with hotspan (naive: {fmt_pct(div(1e5 * (res.hot('sampled_2_attributes', tracer='naive') or 0), 1e9))}) "
        f"and {fmt_pct(div(1e5, b))} of the exporter's core writing binary. Unsampled spans, the "
        "common case under ratio sampling, cost the relay next to nothing and the exporter "
        "nothing at all.\n"
    )
    return "\n".join(s)
