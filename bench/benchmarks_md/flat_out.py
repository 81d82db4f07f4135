"""The columns of a run that records flat out through a Tracer for a fixed
time (bench/flat_out_run.hpp): the tracer end-to-end runs of backend
throughput and the contention runs share them."""

from .formatting import fmt_cores, fmt_count, fmt_pct, fmt_rate

FLAT_OUT_HEADERS = [
    "delivered spans/s",
    "spread",
    "attempted spans/s",
    "dropped: pool exhausted",
    "dropped: queue full",
    "dropped: export failed",
    "uncounted (max)",
    "others busy cores",
]


def flat_out_row(r, name, lead):
    """LEAD (the cells naming the run) followed by the FLAT_OUT_HEADERS cells."""
    return lead + [
        fmt_rate(r.value(name, "spans_per_s")),
        fmt_pct(r.spread(name, "spans_per_s")),
        fmt_rate(r.value(name, "started_per_s")),
        fmt_count(r.value(name, "dropped_pool_exhausted")),
        fmt_count(r.value(name, "dropped_queue_full")),
        fmt_count(r.value(name, "dropped_export_failed")),
        # The worst repetition: uncounted must be 0 in every one, not in the median.
        fmt_count(r.value(name, "uncounted", "max")),
        fmt_cores(r.value(name, "others_busy_cores")),
    ]
