"""The targets (issue 5) judged against this run: the table near the top and
the closing note at the end, both from the same rows."""

from .formatting import fmt_count, fmt_ns, fmt_rate, fmt_ratio, table
from .hot_path import SPAN_CASES
from .stats import div


def status(value, met):
    if value is None:
        return "NOT MEASURED"
    return "MET" if met else "NOT MET"


def skipped_formats(res):
    """The formats backend_throughput could not measure (its `formats_skipped`
    context: "none", or "FORMAT: reason; …")."""
    text = res.programs["backend_throughput"].context.get("formats_skipped", "none")
    return [] if text == "none" else [part.split(":")[0].strip() for part in text.split(";")]


def target_rows(res):
    """Rows: (target, measured, reference/ratio, status)."""
    rows = []
    steady = res.steady

    def latency(label, case, limit_ns, limit_ratio):
        # Met by either bound: the nanoseconds, or the ratio that holds across machines.
        v = res.hot(case)
        ratio = div(v, steady)
        met = v is not None and (v <= limit_ns or (ratio is not None and ratio <= limit_ratio))
        rows.append(
            (
                label,
                f"{fmt_ns(v)} ns",
                f"{fmt_ratio(ratio)} steady_clock::now ({fmt_ns(steady)} ns)",
                status(v, met),
            )
        )

    latency(
        "unsampled start+end ≤ 2 ns or ≤ 0.1× `steady_clock::now()` — `always_off()`",
        "unsampled_always_off", 2.0, 0.1,
    )
    latency(
        "the same with `trace_id_ratio(0.01)` (1 % of the spans sampled)",
        "unsampled_ratio_0.01", 2.0, 0.1,
    )
    latency(
        "sampled start + 2 attributes + end ≤ 60 ns or ≤ 3× `steady_clock::now()`",
        "sampled_2_attributes", 60.0, 3.0,
    )

    allocs = [res.programs["hot_path_latency"].value(f"hotspan/{c}", "allocs/op", "max") for c in SPAN_CASES]
    known = [a for a in allocs if a is not None]
    worst = max(known) if known else None
    rows.append(
        (
            "0 heap allocations per span on the caller's thread after warm-up",
            f"{fmt_count(worst)} allocs/op (worst span case, worst repetition)",
            f"{len(known)} span cases",
            status(worst, worst == 0),
        )
    )

    def throughput(label, fmt, limit):
        v = res.direct(fmt, "devnull", 2)
        ratio = div(v, limit)
        if v is None and fmt in skipped_formats(res):
            rows.append((label, "format not available", "—", "NOT MEASURED"))
            return
        rows.append(
            (label, f"{fmt_rate(v)} spans/s", f"{fmt_ratio(ratio)} the target", status(v, v is not None and v >= limit))
        )

    throughput("exporter ≥ 10 M spans/s, binary, 2 small attributes, one core", "binary", 10e6)
    throughput("exporter ≥ 2 M spans/s, jsonl, 2 small attributes, one core", "jsonl", 2e6)

    # "2 producer threads deliver ≥ 1.6× the spans/s of one" is replaced by the
    # many-producers target (issue 16): many_producers.many_producers_target_row().

    b = res.direct("binary", "devnull", 2, "bytes/span")
    rows.append(
        (
            "≤ 64 bytes per two-attribute span, binary format",
            f"{fmt_count(b)} bytes/span",
            f"{fmt_ratio(div(b, 64))} the limit",
            status(b, b is not None and b <= 64),
        )
    )
    return rows


def targets_section(rows):
    """The targets table and how many were met, under the page's preamble."""
    met = [r for r in rows if r[3] == "MET"]
    return "\n".join([
        "## Targets (issue 5)\n",
        table(["target", "measured (median)", "ratio", "status"], rows, ["l", "r", "r", "l"]),
        "",
        f"{len(met)} of {len(rows)} targets met in this run (details in the closing note at the end).\n",
    ])


def closing_section(rows):
    """The closing note: every target in a sentence, and which were not met."""
    met = [r[0] for r in rows if r[3] == "MET"]
    missed = [r for r in rows if r[3] != "MET"]
    s = ["## Closing note\n"]
    for target, measured, ratio, st in rows:
        s.append(f"- **{st}** — {target}: {measured} ({ratio}).")
    s.append("")
    s.append(
        f"Met: {len(met)} of {len(rows)}."
        + (
            " Not met: " + "; ".join(r[0] for r in missed) + "."
            if missed
            else " All targets are met."
        )
    )
    return "\n".join(s) + "\n"
