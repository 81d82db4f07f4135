"""The targets of issue 16, judged against this run: hotspan's hot path
beside LTTng-UST's tracepoints and the clock read of the same run."""

from .formatting import fmt_ns, fmt_ratio, table
from .stats import div
from .many_producers import many_producers_target_row
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


def issue16_targets_section(rows):
    """The issue 16 table, under issue 5's."""
    met = [r for r in rows if r[3] == "MET"]
    return "\n".join([
        "## Targets (issue 16)\n",
        table(["target", "measured (median)", "ratio", "status"], rows, ["l", "r", "r", "l"]),
        "",
        f"{len(met)} of {len(rows)} targets met in this run. The LTTng-UST pair ran in the same "
        "hot_path_latency run (section *LTTng-UST peer*).\n",
    ])
