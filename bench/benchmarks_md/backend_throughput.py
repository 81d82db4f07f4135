"""Section "Backend throughput": the exporter thread's side, encoder and sink
called directly, then end to end through a Tracer."""

from .flat_out import FLAT_OUT_HEADERS, flat_out_row
from .formatting import fmt_count, fmt_mb_per_s, fmt_ns, fmt_pct, fmt_rate, fmt_time, seconds, table
from .program_section import program_section
from .stats import div

SINKS = {"devnull": "/dev/null", "file": "file"}  # name in the benchmark -> as shown


def formats(r):
    """The formats the runs name ("<kind>/<format>/<sink>/..."), in the order the
    benchmark registered them: that of the library's formats()."""
    found = []
    for name in r.runs:
        parts = name.split("/")
        if len(parts) > 2 and parts[0] in ("direct", "tracer") and parts[1] not in found:
            found.append(parts[1])
    return found


def runs(r, kind):
    """(name, format, sink as shown, attributes) of the KIND runs ("direct" or
    "tracer") that are in the results, in the tables' order."""
    for fmt in formats(r):
        for sink, shown in SINKS.items():
            for attrs in (0, 2, 8):
                name = f"{kind}/{fmt}/{sink}/attributes:{attrs}"
                if r.has(name):
                    yield name, fmt, shown, attrs


@program_section("backend_throughput", "## Backend throughput (exporter thread)\n")
def backend_section(res, r):
    skipped = r.context.get("formats_skipped", "none")
    s = [
        f"**Encoder and sink alone** (`direct/…`): batches of {r.context.get('batch_size', '512')} "
        "pre-built `SpanRecord`s (bench/record_batches.hpp) handed to "
        "`file_exporter(path, format)->export_batch()` on one pinned thread; /dev/null, or a "
        "file in /tmp removed after the run. Spans have 0, 2 or 8 small attributes "
        "(bench/span_workload.hpp). Formats that `file_exporter` rejected at run time: "
        f"{skipped}.\n"
    ]
    rows = [
        (
            fmt,
            sink,
            attrs,
            fmt_rate(r.value(name, "items_per_second")),
            fmt_pct(r.spread(name, "items_per_second")),
            fmt_mb_per_s(r.value(name, "bytes_per_second")),
            fmt_count(r.value(name, "bytes/span")),
            fmt_ns(div(1e9, r.value(name, "items_per_second"))),
        )
        for name, fmt, sink, attrs in runs(r, "direct")
    ]
    s.append(
        table(
            ["format", "sink", "attributes", "spans/s", "spread", "MB/s", "bytes/span", "ns/span"],
            rows,
            ["l", "l", "r", "r", "r", "r", "r", "r"],
        )
    )
    s.append(
        "\n**End to end through a Tracer** (`tracer/…`): one producer thread records flat out "
        f"for {seconds(r.context.get('tracer_run_seconds'))} s with default `TracerOptions` "
        "(4096 slots, 2 ms idle sleep); *delivered* = `spans_exported` per second of wall "
        "time until `flush()` returned, *attempted* = `spans_started` per second. Spans the "
        "pool or queue could not take are counted, not lost.\n"
    )
    rows = [flat_out_row(r, name, [fmt, sink, attrs]) for name, fmt, sink, attrs in runs(r, "tracer")]
    s.append(
        table(
            ["format", "sink", "attributes"] + FLAT_OUT_HEADERS,
            rows,
            ["l", "l", "r"] + ["r"] * len(FLAT_OUT_HEADERS),
        )
    )
    s.extend(redaction_table(r))
    s.extend(tail_sampling_table(r))
    s.extend(recorder_table(r))
    s.append("")
    return s


REDACTION_RUNS = (("decode/redaction:none", "none"), ("decode/redaction:relay", "`RedactionPolicy::relay_default()`"))


def redaction_table(r):
    """The exporter thread's decoding of slots into records, without and with
    the relay redaction policy: what redaction costs per span. Empty when the
    results predate the decode cases."""
    if not all(r.has(name) for name, _ in REDACTION_RUNS):
        return []
    base = div(1e9, r.value(REDACTION_RUNS[0][0], "items_per_second"))
    rows = []
    for name, shown in REDACTION_RUNS:
        ns = div(1e9, r.value(name, "items_per_second"))
        rows.append(
            (
                shown,
                fmt_ns(ns),
                fmt_pct(r.spread(name, "items_per_second")),
                fmt_rate(r.value(name, "items_per_second")),
                f"{r.value(name, 'values_redacted/span'):.1f}",
                fmt_ns(ns - base) if ns is not None and base is not None else "—",
            )
        )
    return [
        "\n**Redaction on the exporter thread** (`decode/…`): a batch of 512 slots decoded into "
        "`SpanRecord`s by the exporter thread's record builder, on one pinned thread, without "
        "redaction and with the relay default (the OpenTelemetry address keys and every "
        "address-looking value hashed). Each span is a relay's: a name, a status message, two "
        "integer attributes, one address-keyed and one free-text string attribute (every other "
        "span with an address in it) and an event with one attribute; 1.5 values a span are "
        "redacted.\n",
        table(
            ["policy", "ns/span", "spread", "spans/s", "values redacted/span", "added ns/span"],
            rows,
            ["l", "r", "r", "r", "r", "r"],
        ),
    ]


TAIL_RUNS = (("tail/discard", "every trace discarded (baseline 0)"), ("tail/keep", "every trace kept (baseline 1)"))


def tail_sampling_table(r):
    """Tail sampling's stage on the exporter thread: cost per span and memory
    per held span. Empty when the results predate the tail cases."""
    if not all(r.has(name) for name, _ in TAIL_RUNS):
        return []
    rows = [
        (
            shown,
            fmt_ns(div(1e9, r.value(name, "items_per_second"))),
            fmt_pct(r.spread(name, "items_per_second")),
            fmt_rate(r.value(name, "items_per_second")),
            fmt_count(r.value(name, "held_bytes/span")),
        )
        for name, shown in TAIL_RUNS
    ]
    return [
        "\n**Tail sampling on the exporter thread** (`tail/…`): the spans above, decoded, "
        "handed to the tail-sampling stage in batches of 512 as traces of 4 spans whose local "
        "root ends last, so that each trace is held, then decided within its batch: copied "
        "out of its slots, matched against the rules, and discarded (counted) or handed on "
        "for export (the export itself not included). *held bytes/span*: the memory a span "
        "takes while its trace waits for its root (its copy, its record and its share of the "
        "trace's bookkeeping), what `TailSamplingPolicy::max_buffered_bytes` is spent on.\n",
        table(
            ["traces", "ns/span", "spread", "spans/s", "held bytes/span"],
            rows,
            ["l", "r", "r", "r", "r"],
        ),
    ]


RECORDER_RUNS = ("decode/redaction:none", "decode/recorder:16MiB", "recorder/record/attributes:2", "recorder/dump:16MiB")


def recorder_table(r):
    """The flight recorder on the exporter thread: its cost per span (the
    decode cases with and without it, and record() alone), the ring's bytes
    per span, and the time to dump a full 16 MiB ring. Empty when the results
    predate the recorder cases."""
    if not all(r.has(name) for name in RECORDER_RUNS):
        return []
    off, on, record, dump = RECORDER_RUNS
    off_ns = div(1e9, r.value(off, "items_per_second"))
    on_ns = div(1e9, r.value(on, "items_per_second"))
    record_ns = div(1e9, r.value(record, "items_per_second"))
    rows = [
        ("decode, recorder off", fmt_ns(off_ns), fmt_pct(r.spread(off, "items_per_second")), "—"),
        (
            "decode, 16 MiB recorder on",
            fmt_ns(on_ns),
            fmt_pct(r.spread(on, "items_per_second")),
            fmt_ns(on_ns - off_ns) if None not in (on_ns, off_ns) else "—",
        ),
        ("`record()` alone, 2 attributes", fmt_ns(record_ns), fmt_pct(r.spread(record, "items_per_second")), "—"),
    ]
    bytes_per_span = r.value(record, "ring_bytes/span")
    return [
        "\n**Flight recorder on the exporter thread** (`decode/recorder:16MiB`, `recorder/…`): the relay "
        "spans of the redaction cases decoded and then recorded by a 16 MiB recorder, against decoding "
        "alone; `record()` alone on pre-built two-attribute spans, the ring wrapping. A recorded "
        f"two-attribute span takes {fmt_count(bytes_per_span)} bytes of the ring; writing a full 16 MiB ring "
        f"({fmt_count(r.value(dump, 'spans'))} spans) to a file in /tmp takes "
        f"{fmt_time(r.value(dump, 'real_time'))} (page cache, no fsync).\n",
        table(["case", "ns/span", "spread", "added ns/span"], rows, ["l", "r", "r", "r"]),
    ]
