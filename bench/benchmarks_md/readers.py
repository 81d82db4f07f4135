"""Section "Readers and the `hotspan` tool": reading trace files back, by
the library's reader and by the built tool."""

from .formatting import fmt_cores, fmt_pct, fmt_rate, fmt_time, table
from .program_section import program_section

READERS = [
    ("reader/binary_trace_reader", "`BinaryTraceReader`, binary"),
    ("reader/simdjson_jsonl_floor", "simdjson On-Demand floor, JSON Lines"),
    ("cli/hotspan_stats_binary", "`hotspan stats FILE`, binary"),
    ("cli/hotspan_stats_jsonl", "`hotspan stats FILE`, JSON Lines"),
    ("cli/hotspan_cat_binary", "`hotspan cat FILE`, binary"),
    ("cli/hotspan_cat_jsonl", "`hotspan cat FILE`, JSON Lines"),
]


@program_section("readers", "## Readers and the `hotspan` tool\n")
def readers_section(res, r):
    spans = r.context.get("spans_per_file", "?")
    s = [
        f"Files of {int(spans):,} spans (traces of a root and 4 children, 2 attributes each) "
        "written once by `make_trace_files` through a Tracer: binary "
        f"{int(r.context.get('binary_file_bytes', 0)) / 1e6:.1f} MB, JSON Lines "
        f"{int(r.context.get('jsonl_file_bytes', 0)) / 1e6:.1f} MB, read from the page cache. "
        "`cli/…` is the built tool run as a child process (output to /dev/null), wall time "
        "per run; `simdjson_jsonl_floor` parses the JSON Lines file already in memory and "
        "reads 4 fields per span — the floor any JSON Lines reader pays.\n"
        if spans != "?"
        else ""
    ]
    rows = []
    for name, label in READERS:
        # A reader that failed (e.g. the tool was not built) keeps its row, with the reason.
        if name in r.errors:
            rows.append((label, "—", "—", "—", "—", f"not measured: {r.errors[name]}"))
            continue
        if not r.has(name):
            continue
        rows.append(
            (
                label,
                fmt_time(r.value(name, "real_time")),
                fmt_pct(r.spread(name, "real_time")),
                fmt_rate(r.value(name, "items_per_second")),
                f"{r.value(name, 'bytes_per_second') / 1e6:,.0f}",
                fmt_cores(r.value(name, "others_busy_cores")),
            )
        )
    s.append(
        table(
            ["reader", "time per file", "spread", "spans/s", "MB/s", "others busy cores"],
            rows,
        )
    )
    s.append("")
    return s
