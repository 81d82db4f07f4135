"""The many-producers runs of the contention program (bench/paced_run.hpp):
1 to 64 producer threads offering together one fixed rate, below the exporter
thread's capacity. Their table in the contention section, and the target
(issue 16) judged from the same medians."""

from .formatting import (
    MISSING, fmt_cores, fmt_count, fmt_ns, fmt_pct, fmt_rate, fmt_ratio, seconds, table,
)
from .stats import div

PRODUCERS = (1, 2, 4, 8, 64)
RATIO_LIMIT = 1.2
# The two per-span costs the target compares with the one-producer case.
COSTS = (("per_span_caller_ns", "caller"), ("exporter_ns_per_span", "exporter"))


def run_name(n):
    return f"many_producers/producers:{n}"


def many_producers_figures(res):
    """Per N measured: {n: {field: value}}, medians except the losses, which
    are the worst repetition (a span lost in any repetition is a loss)."""
    c = res.programs["contention"]
    out = {}
    for n in PRODUCERS:
        name = run_name(n)
        if not c.has(name):
            continue
        f = {
            "offered": c.value(name, "offered_per_s"),
            "dropped": c.value(name, "dropped", "max"),
            "uncounted": c.value(name, "uncounted", "max"),
            "uncounted_min": c.value(name, "uncounted", "min"),
            "thread": c.value(name, "thread_cpu_ns_per_span"),
            "skipped": c.value(name, "skipped", "max"),
            "others": c.value(name, "others_busy_cores"),
        }
        for field, _ in COSTS:
            f[field] = c.value(name, field)
            f[field + "_spread"] = c.spread(name, field)
        out[n] = f
    base = out.get(1)
    for f in out.values():
        for field, _ in COSTS:
            f[field + "_ratio"] = div(f[field], base[field]) if base else None
    return out


def many_producers_target_row(res):
    """The target row (target, measured, ratio, status), in the form of the
    rows of targets.target_rows()."""
    label = (
        "N = 1, 2, 4, 8, 64 producers paced below the exporter's capacity: per-span caller "
        f"cost and exporter CPU per span within {RATIO_LIMIT}× of the one-producer case, "
        "zero drops, zero uncounted loss"
    )
    figs = many_producers_figures(res)
    if any(n not in figs for n in PRODUCERS):
        return (label, "not run", MISSING, "NOT MEASURED")
    worst_ratio, worst_at = None, None
    for n in PRODUCERS[1:]:
        for field, what in COSTS:
            ratio = figs[n][field + "_ratio"]
            if ratio is None:
                return (label, f"{what} cost missing at N = {n}", MISSING, "NOT MEASURED")
            if worst_ratio is None or ratio > worst_ratio:
                worst_ratio, worst_at = ratio, (n, what)
    dropped = max(f["dropped"] for f in figs.values() if f["dropped"] is not None)
    uncounted = max(
        max(abs(f["uncounted"] or 0), abs(f["uncounted_min"] or 0)) for f in figs.values()
    )
    met = worst_ratio <= RATIO_LIMIT and dropped == 0 and uncounted == 0
    one = figs[1]
    measured = (
        f"N = 1: caller {fmt_ns(one['per_span_caller_ns'])} ns/span, exporter "
        f"{fmt_ns(one['exporter_ns_per_span'])} ns/span; worst: {worst_at[1]} at "
        f"N = {worst_at[0]}; drops {fmt_count(dropped)}, uncounted {fmt_count(uncounted)} "
        "(worst repetition)"
    )
    return (label, measured, f"{fmt_ratio(worst_ratio)} (worst)", "MET" if met else "NOT MET")


def many_producers_paragraphs(res, r):
    """The many-producers table and its target, for the contention section;
    [] when the program did not run these cases."""
    figs = many_producers_figures(res)
    if not figs:
        return []
    ctx = r.context
    try:
        rate = float(ctx.get("paced_total_rate"))
    except (TypeError, ValueError):
        rate = None
    s = [
        "**Many producers, paced** (`many_producers/producers:N`, bench/paced_run.hpp): N "
        f"producer threads offer together {fmt_rate(rate)} spans/s for "
        f"{seconds(ctx.get('paced_run_seconds'))} s, the same total for every N and well below "
        "what the exporter thread can export (binary format to /dev/null, spans with 2 "
        "attributes; the exporter's CPU share is in the JSON as `exporter_cpu_share`). Each "
        f"producer records its share in bursts of {ctx.get('paced_burst', '?')} spans and sleeps "
        "until its next absolute deadline in `clock_nanosleep()`. *caller ns/span*: the "
        "producers' thread CPU time (`CLOCK_THREAD_CPUTIME_ID`) inside their bursts, per span "
        "recorded; *exporter ns/span*: the exporter thread's run time "
        "(`/proc/self/task/<tid>/schedstat`, bench/thread_cpu.hpp) from the start until "
        "`flush()` returned, per span exported, its polling and waking included. Drops and "
        "uncounted (sampled − exported − drops) are the worst repetition.\n",
    ]
    rows = []
    for n in PRODUCERS:
        f = figs.get(n)
        if f is None:
            continue
        rows.append([
            n,
            # Three figures: 999,936 spans/s is "1.00 M", not "1000 k".
            fmt_rate(None if f["offered"] is None else float(f"{f['offered']:.3g}")),
            fmt_ns(f["per_span_caller_ns"]),
            fmt_pct(f["per_span_caller_ns_spread"]),
            fmt_ratio(f["per_span_caller_ns_ratio"]),
            fmt_ns(f["exporter_ns_per_span"]),
            fmt_pct(f["exporter_ns_per_span_spread"]),
            fmt_ratio(f["exporter_ns_per_span_ratio"]),
            fmt_count(f["dropped"]),
            fmt_count(f["uncounted"]),
            fmt_cores(f["others"]),
        ])
    headers = ["producers", "spans/s offered", "caller ns/span", "spread", "÷ N=1",
               "exporter ns/span", "spread", "÷ N=1", "drops (max)", "uncounted (max)",
               "others busy cores"]
    s.append(table(headers, rows))
    s.append("")
    one = figs.get(1)
    if one and one["thread"] is not None:
        s.append(
            "The producers' whole thread CPU time, sleeps included, was "
            f"{fmt_ns(one['thread'])} ns/span at N = 1: the difference from the caller's cost is "
            "the kernel putting the thread to sleep and waking it once per burst, the pacing's "
            "cost rather than the tracer's.\n"
        )
    skipped = [(n, f["skipped"]) for n, f in figs.items() if f["skipped"]]
    if skipped:
        s.append(
            "Producers woken more than a period (and 1 ms) late skip the bursts they missed "
            "rather than catch up flat out; spans skipped so (worst repetition): "
            + ", ".join(f"{fmt_count(v)} at N = {n}" for n, v in skipped)
            + ". The offered rate above is what was recorded.\n"
        )
    target, measured, ratio, status = many_producers_target_row(res)
    s.append(
        "Target (issue 16; it replaces issue 5's “2 producer threads deliver ≥ 1.6× the spans/s "
        "of one”, which a 2-CPU machine whose exporter thread needs a CPU cannot meet):\n"
    )
    s.append(table(["target", "measured (median)", "ratio", "status"],
                   [[target, measured, ratio, status]], ["l", "l", "r", "l"]))
    s.append("")
    return s
