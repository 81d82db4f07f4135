"""The targets of issue 16, judged against this run: hotspan's hot path
beside LTTng-UST's tracepoints and the clock read of the same run."""

from .formatting import fmt_ns, fmt_ratio, table
from .stats import div
from .many_producers import COSTS, many_producers_figures, many_producers_target_row
from .targets import status


def lttng_pair_target(res, label, case):
    """hotspan CASE ≤ 1.5× LTTng-UST's disabled begin+end pair."""
    v = res.hot(case)
    pair = res.hot("begin_end_disabled", tracer="lttng")
    ratio = div(v, pair)
    return (
        label,
        f"{fmt_ns(v)} ns",
        f"{fmt_ratio(ratio)} LTTng-UST disabled pair ({fmt_ns(pair)} ns)",
        status(ratio, ratio is not None and ratio <= 1.5),
    )


def many_producers_targets(res):
    """The many-producers target's row (many_producers.py)."""
    return [many_producers_target_row(res)]


def issue16_target_rows(res):
    """Rows: (target, measured, reference/ratio, status)."""
    rows = [
        lttng_pair_target(
            res,
            "unsampled start+end ≤ 1.5× LTTng-UST's disabled begin+end tracepoint pair — "
            "`always_off()`",
            "unsampled_always_off",
        ),
        lttng_pair_target(
            res,
            "the same under `parent_based(always_on())` with an unsampled parent",
            "unsampled_parent_based_unsampled_parent",
        ),
    ]

    v = res.hot("unsampled_ratio_0.01")
    rows.append(
        (
            "`trace_id_ratio(0.01)` start+end ≤ 3 ns",
            f"{fmt_ns(v)} ns",
            f"{fmt_ratio(div(v, 3.0))} the limit",
            status(v, v is not None and v <= 3.0),
        )
    )

    v = res.hot("sampled_2_attributes")
    ratio = div(v, res.steady)
    rows.append(
        (
            "sampled start + 2 attributes + end ≤ 35 ns or ≤ 1.4× `steady_clock::now()`",
            f"{fmt_ns(v)} ns",
            f"{fmt_ratio(ratio)} steady_clock::now ({fmt_ns(res.steady)} ns)",
            status(v, v is not None and (v <= 35.0 or (ratio is not None and ratio <= 1.4))),
        )
    )
    rows += many_producers_targets(res)
    return rows


def profile_instructions(res, case):
    """Instructions per span of a span_cost_profile case, or None."""
    data = res.optional_json("span_cost_profile.json")
    if data is None:
        return None
    for c in data["cases"]:
        if c["name"] == case:
            return c.get("instructions_per_span")
    return None


def fmt_count(v):
    return "?" if v is None else f"{v:.0f}"


def fmt_ratio_plain(v):
    return "?" if v is None else f"{v:.2g}"


def losses_text(figures):
    """Drops and uncounted loss over every N (worst repetition), in words."""
    dropped = {n: f.get("dropped") or 0 for n, f in figures.items()}
    uncounted = max((abs(f.get("uncounted") or 0) for f in figures.values()), default=0)
    lost = ", ".join(f"{v:,.0f} at N = {n}" for n, v in dropped.items() if v)
    text = f"spans dropped (counted): {lost}" if lost else "no span dropped at any N"
    return text + (f", uncounted loss {uncounted:,.0f}" if uncounted else ", no uncounted loss")


def issue16_reasons(res):
    """Why each issue 16 target stands where it does, from this run's figures:
    the instruction counts of the profile, the clock and cross-core references
    of the hot path run and the paced producers' settings."""
    off = res.hot("unsampled_always_off")
    pair = res.hot("begin_end_disabled", tracer="lttng")
    ratio = res.hot("unsampled_ratio_0.01")
    started = res.hot("sampled_start_end")
    apart = res.hot("sampled_2_attributes")
    together = res.hot("sampled_2_attributes_exporter_on_caller_cpu")
    clock = res.hot("engine_clock_read", tracer="reference")
    out = ["Why, measured in this run:\n"]
    out.append(
        f"- **Unsampled against LTTng-UST's disabled pair** ({fmt_ns(off)} ns against "
        f"{fmt_ns(pair)} ns): a disabled tracepoint is one load of its state word and a branch "
        "predicted not taken, twice (the compiled pair, bench/lttng_peer_*_tp.h); an unsampled "
        f"`always_off()` span executes {fmt_count(profile_instructions(res, 'unsampled_always_off'))} "
        "instructions (callgrind, section *Where a span's time goes*), "
        f"{fmt_count(profile_instructions(res, 'unsampled_parent_based'))} under an unsampled "
        "parent. They are what the API promises and a tracepoint does not: the parent's validity "
        "read from the thread's current context (an unsampled span stays in its parent's trace), "
        "the `spans_started` count that every `start_span()` call makes (a load, an add and a "
        "store on the thread's own counter, after a compare that finds it), and a 48-byte `Span` "
        "that carries the context a child or a peer is given. At "
        f"{fmt_ratio_plain(div(profile_instructions(res, 'unsampled_always_off'), off))} "
        "instructions per ns the loop is bound by instruction count, not by a miss or a lock.\n"
    )
    sampled_share = None if started is None else 0.01 * started
    excess = None if ratio is None or off is None else ratio - off
    out.append(
        f"- **`trace_id_ratio(0.01)`** ({fmt_ns(ratio)} ns, "
        f"{fmt_count(profile_instructions(res, 'ratio_0.01'))} instructions a span on average "
        f"against `always_off()`'s {fmt_count(profile_instructions(res, 'unsampled_always_off'))}): "
        "an unsampled root decrements a per-thread countdown instead of drawing a trace id "
        "(engine/core/ratio_countdown.hpp) and leaves the tracer's threshold in the span for "
        "the id it may draw later; the 1 % that are sampled take the slow path, redraw the "
        "countdown and draw a conditioned trace id. Of the "
        f"{fmt_ns(excess)} ns over `always_off()`, the sampled 1 % at the cost of a sampled "
        f"start+end in a loop of them ({fmt_ns(started)} ns) account for {fmt_ns(sampled_share)} ns; "
        "the rest is not measured apart here (a sampled span among 99 unsampled ones meets "
        "colder slot lines and code than one in a loop of sampled spans). With unsampled roots "
        f"at the `always_off()` cost, 3 ns would leave "
        f"{fmt_ns(None if off is None else (3.0 - off) / 0.01)} ns for each sampled root.\n"
    )
    cross = None if apart is None or together is None else apart - together
    clocks = None if clock is None else 2 * clock
    out.append(
        f"- **Sampled, 2 attributes** ({fmt_ns(apart)} ns): two reads of the engine's clock "
        f"take {fmt_ns(clocks)} ns of it (RDTSC costs {fmt_ns(clock)} ns a read on this "
        f"machine); the exporter thread on another CPU adds {fmt_ns(cross)} ns against the "
        f"same work on one CPU ({fmt_ns(together)} ns): the slot's lines, the queue block's and "
        "the free list's, which the exporter read or wrote, come back to the caller's core. "
        "The rest is "
        f"{fmt_count(profile_instructions(res, 'sampled_2_attributes'))} instructions, half of "
        "them in `start_span_slow()` (ids: three SplitMix64 steps; the slot header; the name). "
        f"35 ns would leave {fmt_ns(None if clocks is None else 35.0 - clocks)} ns after the "
        "clock reads for the instructions and the hand-back together, "
        f"{fmt_ratio_plain(div(None if clocks is None else 35.0 - clocks, None if apart is None or clocks is None else apart - clocks))}"
        " of what they take here: it needs a design that writes fewer lines per span and draws "
        "ids in fewer steps, not tuning.\n"
    )
    figures = many_producers_figures(res)
    if figures.get(1) and figures.get(64):
        worst = {field: max((f.get(field + "_ratio") or 0.0) for f in figures.values())
                 for field, _ in COSTS}
        ctx = res.programs["contention"].context
        try:
            period_ms = float(ctx["paced_burst"]) * 64 / float(ctx["paced_total_rate"]) * 1e3
        except (KeyError, TypeError, ValueError, ZeroDivisionError):
            period_ms = None
        out.append(
            f"- **Many producers**: {losses_text(figures)}; the exporter "
            f"thread's CPU per span is at most {fmt_ratio(worst['exporter_ns_per_span'])} one "
            f"producer's, the caller's at most {fmt_ratio(worst['per_span_caller_ns'])}. The "
            "producers share no cache line with one another; what grows with N is (a) on the "
            "exporter thread, every poll that does not fill a batch walks every producer's "
            "queue (moodycamel reads each one's indexes: ~0.27 µs a poll with 64 producers, "
            "~2 ns with one, measured while building this benchmark), and it polls up to 64 "
            "times between yields before it sleeps; (b) on the callers, recording rarely: at "
            f"the same total rate each of 64 threads records a burst every {fmt_ns(period_ms)} "
            "ms and finds its slot lines gone from its caches (one thread recording at that "
            "rate costs as much). Sleeping instead of polling on an empty queue was tried and "
            "undone: it woke the exporter 8 times as often with one producer and made that case "
            "dearer, not the 64-producer one cheaper.\n"
        )
    return "\n".join(out)


def issue16_targets_section(rows, res):
    """The issue 16 table, under issue 5's, and the measured reasons."""
    met = [r for r in rows if r[3] == "MET"]
    return "\n".join([
        "## Targets (issue 16)\n",
        table(["target", "measured (median)", "ratio", "status"], rows, ["l", "r", "r", "l"]),
        "",
        f"{len(met)} of {len(rows)} targets met in this run. The LTTng-UST pair ran in the same "
        "hot_path_latency run (section *LTTng-UST peer*).\n",
        issue16_reasons(res),
    ])
