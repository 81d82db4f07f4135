"""Section "Contention": 1 to 8 producer threads recording flat out through
one Tracer, and what each added thread delivers; then 1 to 64 producers paced
below the exporter's capacity (many_producers.py)."""

from .flat_out import FLAT_OUT_HEADERS, flat_out_row
from .formatting import fmt_ratio, seconds, table
from .many_producers import many_producers_paragraphs
from .program_section import program_section
from .stats import div


@program_section("contention", "## Contention: producer threads end to end\n")
def contention_section(res, r):
    s = [
        "Each producer thread records sampled spans with 2 attributes flat out for "
        f"{seconds(r.context.get('run_seconds'))} s through one Tracer (default options), with the "
        "noop exporter and with the binary format to /dev/null. The machine has "
        f"{res.machine.get('cpus', '?')} logical CPUs and the tracer adds its exporter thread, "
        "so from 2 producers on the threads outnumber the cores: the figures show what "
        "oversubscription does. Loss counters are medians per run; *uncounted* "
        "(sampled − exported − drops, must be 0) is the worst repetition.\n"
    ]
    rows = []
    for exporter in ("noop", "binary_devnull"):
        base = res.contention(exporter, 1)
        for threads in (1, 2, 4, 8):
            name = f"contention/{exporter}/threads:{threads}"
            if not r.has(name):
                continue
            row = flat_out_row(r, name, [exporter.replace("_devnull", " → /dev/null"), threads])
            # "× 1 thread" follows the delivered spans/s (and its spread) it is the ratio of.
            row.insert(4, fmt_ratio(div(res.contention(exporter, threads), base)))
            rows.append(row)
    headers = ["exporter", "threads"] + FLAT_OUT_HEADERS
    headers.insert(4, "× 1 thread")
    s.append(table(headers, rows, ["l"] + ["r"] * (len(headers) - 1)))
    s.append("")
    s += many_producers_paragraphs(res, r)
    return s
