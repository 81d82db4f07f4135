"""Section "Hot path latency": the cost of each span operation on the
caller's thread (hotspan, the naive tracer, the C API) and the references
measured beside them."""

from .formatting import fmt_count, fmt_ns, fmt_pct, fmt_ratio, table
from .program_section import program_section
from .stats import div

C_API_CASES = [
    ("unsampled_always_off", "unsampled start+end, always_off"),
    ("sampled_start_end", "sampled start+end"),
    ("sampled_2_attributes", "sampled start + 2 attributes + end"),
]

HOT_CASES = [
    ("unsampled_always_off", "unsampled start+end, `always_off()`"),
    ("unsampled_ratio_0.01", "unsampled start+end, `trace_id_ratio(0.01)` (1 % sampled)"),
    ("unsampled_parent_based_unsampled_parent",
     "unsampled start+end, `parent_based(always_on())` under an unsampled parent"),
    ("sampled_start_end", "sampled start+end"),
    ("sampled_2_attributes", "sampled start + 2 attributes + end"),
    ("sampled_2_attributes_exporter_on_caller_cpu",
     "the same, exporter thread on the caller's CPU"),
    ("sampled_5_attributes_1_event", "sampled start + 5 attributes + 1 event + end"),
    ("nested_parent_child_scope", "parent + `Scope` + child (2 spans)"),
    ("with_span", "`with_span` (span + scope + call)"),
    ("current_context", "`current_context()` inside a scope"),
    ("to_traceparent", "`to_traceparent` (returns a std::string)"),
    ("parse_traceparent", "`parse_traceparent`"),
]
# The cases that record a span (the allocation target counts only these).
SPAN_CASES = [c for c, _ in HOT_CASES if c not in ("to_traceparent", "parse_traceparent")]

REFERENCES = [
    ("steady_clock_now", "`std::chrono::steady_clock::now()`"),
    ("clock_gettime_monotonic", "`clock_gettime(CLOCK_MONOTONIC)`"),
    ("engine_clock_read", "the engine's clock read"),
    ("new_delete_256", "`new` + `delete` of 256 bytes"),
    ("xxh3_16_bytes", "XXH3-64 of 16 bytes"),
    ("moodycamel_enqueue_token", "moodycamel `try_enqueue` with a token (+ bulk dequeue / 256)"),
    ("line_written_by_exporter_cpu",
     "take back one cache line last written on the exporter thread's CPU (load + store)"),
    ("line_written_by_caller_cpu", "the same, line last written on the caller's own CPU"),
]


def cpu_time_cells(r, name):
    """A case's CPU time, and the two cells every table here opens with: its ns and spread."""
    v = r.value(name, "cpu_time")
    return v, [fmt_ns(v), fmt_pct(r.spread(name, "cpu_time"))]


@program_section("hot_path_latency", "## Hot path latency (caller's thread)\n")
def hot_path_section(res, r):
    pace = r.context.get("pace_spans", "1024")
    s = [
        "Noop exporter; 16,384 slots per thread; the exporter thread sleeps 50 µs when idle. "
        f"Every {pace} sampled spans the timed loop pauses the timer and calls `flush()`, so "
        "that the caller never outruns the exporter thread on a loaded machine (`dropped` shows it "
        "held: a case that drops measures the drop path); cases under `always_off()` are not "
        "paced. `allocs/op` counts operator new "
        "on the caller's thread (tests/support/allocation_counter.cpp). The naive tracer "
        "(bench/naive_tracer.hpp: mutex + `std::vector<NaiveSpan>` with `std::string` fields, "
        "export synchronous under the lock) does the same work for each case. "
        f"Placement: {r.context.get('placement', '?')}; the row *exporter thread on the "
        "caller's CPU* is the same case with both threads sharing one CPU, i.e. without the "
        "cross-core hand-back of every slot: the difference is what that hand-back costs.\n"
    ]
    rows = []
    for case, label in HOT_CASES:
        h = f"hotspan/{case}"
        n = f"naive/{case}"
        hv, cells = cpu_time_cells(r, h)
        nv = r.value(n, "cpu_time")
        rows.append(
            [label] + cells + [
                fmt_ns(r.value(h, "real_time")),
                fmt_count(r.value(h, "allocs/op")),
                fmt_count(r.value(h, "dropped", "max")),
                fmt_ratio(div(hv, res.steady)),
                fmt_ns(nv),
                fmt_count(r.value(n, "allocs/op")),
                fmt_ratio(div(nv, hv)),
            ]
        )
    s.append(
        table(
            [
                "operation",
                "hotspan ns",
                "spread",
                "real ns",
                "allocs/op",
                "dropped (max)",
                "÷ steady_clock::now",
                "naive ns",
                "naive allocs/op",
                "naive ÷ hotspan",
            ],
            rows,
        )
    )
    s.append(
        "\nThe C API (include/hotspan/hotspan.h), same cases, same run, beside the C++ API:\n"
    )
    rows = []
    for case, label in C_API_CASES:
        c = f"c_api/{case}"
        cv, cells = cpu_time_cells(r, c)
        hv = r.value(f"hotspan/{case}", "cpu_time")
        rows.append(
            [label] + cells + [
                fmt_count(r.value(c, "allocs/op")),
                fmt_count(r.value(c, "dropped", "max")),
                fmt_ns(hv),
                fmt_ratio(div(cv, hv)),
            ]
        )
    s.append(
        table(
            ["operation", "C ns", "spread", "allocs/op", "dropped (max)", "C++ ns", "C ÷ C++"],
            rows,
        )
    )
    s.append("\nReferences, same program, same run:\n")
    rows = []
    for ref, label in REFERENCES:
        name = f"reference/{ref}"
        v, cells = cpu_time_cells(r, name)
        rows.append(
            [label] + cells + [
                fmt_ns(r.value(name, "real_time")),
                fmt_count(r.value(name, "allocs/op")),
                fmt_ratio(div(v, res.steady)),
            ]
        )
    s.append(table(["reference", "ns", "spread", "real ns", "allocs/op", "÷ steady_clock::now"], rows))
    s.append(
        "\nThe two cache-line references (bench/cross_core_handoff.hpp) follow a free list "
        "through 64-byte lines that a helper thread rewrote, on the exporter's CPU or on the "
        "caller's: the first is the latency every recycled slot line pays when the exporter "
        "thread runs on another core. "
        "The 256-byte `new`+`delete` goes through the counting operator new "
        "(one thread-local increment more than plain malloc). "
        f"Engine clock: {r.context.get('engine_clock', '?')}.\n"
    )
    return s
