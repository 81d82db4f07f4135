"""How figures are written on the page, and its Markdown tables. A missing
figure (None) is written "—" everywhere."""

import math

MISSING = "—"

# Ladders for scaled(): (at least, divided by, format), largest first; the
# last step is taken by whatever the steps above did not (NaN included).
NS_STEPS = [(100, None, "{:,.0f}"), (10, None, "{:.1f}"), (None, None, "{:.2f}")]
TIME_STEPS = [(1e9, 1e9, "{:.2f} s"), (1e6, 1e6, "{:.0f} ms"), (1e3, 1e3, "{:.1f} µs")] + [
    (at_least, by, spec + " ns") for at_least, by, spec in NS_STEPS
]
RATE_STEPS = [(1e9, 1e9, "{:.2f} G"), (1e6, 1e6, "{:.2f} M"), (1e3, 1e3, "{:.0f} k"), (None, None, "{:.0f}")]
RATIO_STEPS = [(100, None, "{:,.0f}×"), (10, None, "{:.1f}×"), (None, None, "{:.2f}×")]


def scaled(v, steps):
    """V written by the first of STEPS it reaches. A divisor of None leaves V
    as it is, so that an integer is formatted as the integer it is."""
    if v is None:
        return MISSING
    for at_least, by, spec in steps:
        if at_least is None or v >= at_least:
            return spec.format(v if by is None else v / by)


def fmt_ns(v):
    return scaled(v, NS_STEPS)


def fmt_time(ns):
    return scaled(ns, TIME_STEPS)


def fmt_rate(v):
    """Spans (or operations) per second."""
    return scaled(v, RATE_STEPS)


def fmt_ratio(v):
    if v is not None and math.isnan(v):
        return MISSING
    return scaled(v, RATIO_STEPS)


def fmt_pct(v):
    if v is None:
        return MISSING
    return f"{100 * v:.1f} %" if abs(v) < 0.1 else f"{100 * v:.0f} %"


def fmt_count(v):
    if v is None:
        return MISSING
    if v == 0:
        return "0"
    if abs(v) < 0.01:
        return f"{v:.2g}"
    if abs(v) < 100:
        return f"{v:.2f}".rstrip("0").rstrip(".")
    return f"{v:,.0f}"


def fmt_cores(v):
    return MISSING if v is None else f"{v:.2f}"


def fmt_mb_per_s(bytes_per_second):
    return MISSING if bytes_per_second is None else f"{bytes_per_second / 1e6:,.0f}"


def seconds(text):
    """A duration recorded as a string in a benchmark context, shortly."""
    try:
        return f"{float(text):g}"
    except (TypeError, ValueError):
        return "?"


def table(headers, rows, align=None):
    """A Markdown table; ALIGN is "l" or "r" per column, by default the first
    column left and the figures right."""
    align = align or ["l"] + ["r"] * (len(headers) - 1)
    sep = ["---:" if a == "r" else "---" for a in align]
    out = ["| " + " | ".join(headers) + " |", "| " + " | ".join(sep) + " |"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)
