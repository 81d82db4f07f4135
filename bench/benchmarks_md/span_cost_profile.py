"""Section "Where a span's time goes (caller's thread)": instructions per span
counted by callgrind (RESULTS/span_cost_profile.json, bench/span_cost_profile.sh),
whether hardware counters could be read, and what the counts say about the
hot path table's nanoseconds (RESULTS/hot_path_latency.json)."""

from .formatting import MISSING, NS_STEPS, fmt_ns, fmt_pct, scaled, table
from .stats import div

# The profile's cases, with the hot path case each one repeats.
CASES = [
    ("unsampled_always_off", "unsampled start+end, `always_off()`", "unsampled_always_off"),
    ("unsampled_parent_based",
     "unsampled start+end, `parent_based(always_on())` under an unsampled parent",
     "unsampled_parent_based_unsampled_parent"),
    ("ratio_0.01", "start+end, `trace_id_ratio(0.01)` (1 % sampled)", "unsampled_ratio_0.01"),
    ("sampled_start_end", "sampled start+end", "sampled_start_end"),
    ("sampled_2_attributes", "sampled start + 2 attributes + end", "sampled_2_attributes"),
    ("sampled_5_attributes_1_event", "sampled start + 5 attributes + 1 event + end",
     "sampled_5_attributes_1_event"),
]
BREAKDOWN_ROWS = 8  # functions shown; the rest are added up in one row


def fmt_instructions(v):
    return scaled(v, NS_STEPS)


def span_cost_profile_section(res):
    """The section, or "" when span_cost_profile.json is absent (the profile did not run)."""
    data = res.optional_json("span_cost_profile.json")
    if data is None:
        return ""
    cases = {c["name"]: c for c in data["cases"]}
    hot = res.programs["hot_path_latency"]
    s = ["## Where a span's time goes (caller's thread)\n"]
    spans = {c["spans"] for c in data["cases"]}
    others = sum(c["other_threads_instructions"] for c in data["cases"])
    problems = [f"{c['name']}: {p}" for c in data["cases"] for p in c.get("problems", [])]
    s.append(
        "Instructions executed on the caller's thread per span, counted by callgrind "
        f"({data['tool']}): bench/span_cost_profile.cpp records each case of the hot path "
        "table in a function of its own, with the same tracer options (noop exporter, 16,384 "
        "slots per thread, a flush every 1,024 sampled spans, outside that function), and "
        "bench/span_cost_profile.sh collects only inside that function "
        f"(`--toggle-collect`), over {'/'.join(f'{n:,}' for n in sorted(spans))} spans after a "
        f"{data['warmup_spans']:,}-span warm-up whose costs are zeroed. Everything the function "
        "calls is included; the exporter thread, which never runs it, collected "
        f"{others:,} instructions. Instruction counts are exact and repeatable: load and "
        "placement do not change them, but they say nothing of cache misses (callgrind runs "
        "the threads one at a time on a simulated CPU). `instructions / ns` divides them by the "
        "hot path table's CPU time of the same case.\n"
    )
    if problems:
        s.append("**The profile found problems:** " + "; ".join(problems) + ".\n")
    rows = []
    for name, label, hot_case in CASES:
        c = cases.get(name)
        if c is None:
            continue
        ns = res.hot(hot_case) if hot_case else None
        rows.append([
            label,
            fmt_instructions(c["instructions_per_span"]),
            fmt_pct(div(c["sampled"], c["spans"])),
            fmt_ns(ns),
            MISSING if ns is None else f"{c['instructions_per_span'] / ns:.1f}",
        ])
    s.append(table(["case", "instructions / span", "sampled", "hot path ns", "instructions / ns"],
                   rows))

    breakdown_case = cases.get(data.get("breakdown_case", "sampled_2_attributes"))
    if breakdown_case is not None:
        total = breakdown_case["instructions_per_span"]
        functions = breakdown_case["functions"]
        shown = functions[:BREAKDOWN_ROWS]
        rest = functions[BREAKDOWN_ROWS:]
        rows = [
            [f"`{f['function']}`" if not f["function"].startswith("(") else f["function"],
             fmt_instructions(f["instructions_per_span"]), fmt_pct(div(f["instructions_per_span"], total)),
             f"{f['calls_per_span']:g}"]
            for f in shown
        ]
        if rest:
            v = sum(f["instructions_per_span"] for f in rest)
            rows.append([f"{len(rest)} other functions", fmt_instructions(v), fmt_pct(div(v, total)), ""])
        s.append(
            "\nThe sampled 2-attribute span by function, exclusive instructions (each function's "
            "own, not those of what it calls); *inline in the caller* is what the compiler put "
            "in the case's function itself (the inline `start_span()` checks, the `Span` moves "
            "and the destructor's test):\n"
        )
        s.append(table(["function", "instructions / span", "share", "calls / span"], rows))

    s.append("\n" + perf_paragraph(data.get("perf", {})))
    s.append(relation_paragraph(res, hot, cases, data))
    return "\n".join(s)


def perf_paragraph(perf):
    events = ",".join(perf.get("events", ["cycles", "instructions", "cache-misses"]))
    if not perf.get("works"):
        return (
            f"Hardware counters: not available on this machine (`perf stat -e {events}`: "
            f"{perf.get('message', '?')}), so cache misses per span are not measured here.\n"
        )
    rows = [
        [r["label"], fmt_instructions(r.get("cycles_per_span")),
         fmt_instructions(r.get("instructions_per_span")),
         fmt_instructions(r.get("cache_misses_per_span"))]
        for r in perf.get("runs", [])
    ]
    short, long_ = perf.get("spans", [None, None])
    return "\n".join([
        f"Hardware counters (`perf stat -e {events}`) on the sampled 2-attribute case, "
        "whole process (the caller and the exporter thread): the counts of a "
        f"{short:,}-span run subtracted from those of a {long_:,}-span run, divided by the "
        f"{long_ - short:,} spans between them; "
        + (", ".join(f"{k}={v or '(unset)'}" for k, v in perf.get("placement_variables", {}).items())
           or "placement not recorded") + ".\n",
        table(["placement", "cycles / span", "instructions / span", "cache misses / span"], rows),
        "",
    ])


def relation_paragraph(res, hot, cases, data):
    """What the instruction counts say about the hot path table's nanoseconds."""
    c = cases.get("sampled_2_attributes")
    if c is None:
        return ""
    if not hot.present:
        return ("The hot path's results (hot_path_latency.json) are not in this run: the "
                "counts are not related to nanoseconds here.\n")
    n = c["instructions_per_span"]
    apart = res.hot("sampled_2_attributes")
    together = res.hot("sampled_2_attributes_exporter_on_caller_cpu")
    clock = res.hot("engine_clock_read", tracer="reference")
    line_far = res.hot("line_written_by_exporter_cpu", tracer="reference")
    line_near = res.hot("line_written_by_caller_cpu", tracer="reference")
    mhz = hot.context.get("mhz_per_cpu")
    parts = []
    if together is not None:
        text = (f"With the exporter thread on the caller's CPU a sampled 2-attribute span takes "
                f"{fmt_ns(together)} ns for its {fmt_instructions(n)} instructions, "
                f"{n / together:.1f} instructions per ns")
        if mhz:
            text += (f", about {n / (together * mhz / 1000):.1f} per cycle at the "
                     f"{mhz:,} MHz the benchmark library reports (the nominal clock)")
        parts.append(text + ".")
    if apart is not None and together is not None:
        d = apart - together
        text = (f"With the exporter thread on its own CPU it takes {fmt_ns(apart)} ns, the same "
                f"instructions: the {fmt_ns(d)} ns more ({fmt_pct(div(d, apart))} of the span) are "
                "the cross-core cost, the lines of slots (and of the queue) that the exporter "
                "thread last wrote coming back to the caller's core")
        if line_far is not None and line_near is not None and line_far > line_near:
            text += (f"; a line taken back from the exporter's CPU costs "
                     f"{fmt_ns(line_far - line_near)} ns more than one from the caller's own "
                     f"(the references, one dependent load after another), so this is the "
                     f"time of about {d / (line_far - line_near):.1f} such lines per span "
                     "(more lines if their misses overlap)")
        parts.append(text + ".")
    if clock is not None:
        base = together if together is not None else apart
        text = (f"The span reads the engine's clock twice (start and end): 2 × {fmt_ns(clock)} ns = "
                f"{fmt_ns(2 * clock)} ns, {fmt_pct(div(2 * clock, base))} of the "
                f"{fmt_ns(base)} ns if a read costs inside a span what it costs in the reference "
                "loop (less where it overlaps other work)")
        rest_ns = None if base is None else base - 2 * clock
        both_tsc = (data.get("engine_clock_under_callgrind") == "RDTSC"
                    and "RDTSC" in hot.context.get("engine_clock", ""))
        if both_tsc and rest_ns is not None and rest_ns > 0:
            text += (f", for 2 of the {fmt_instructions(n)} instructions (one `rdtsc` each, in "
                     "the timed run as under callgrind); the other "
                     f"{fmt_instructions(n - 2)} take about {fmt_ns(rest_ns)} ns, "
                     f"{(n - 2) / rest_ns:.1f} per ns")
        elif not both_tsc:
            text += (f" (the engine's clock: {hot.context.get('engine_clock', '?')} in the timed "
                     f"run, {data.get('engine_clock_under_callgrind', '?')} under callgrind, whose "
                     f"reads are among the {fmt_instructions(n)} instructions)")
        parts.append(text + ".")
    return " ".join(parts) + "\n" if parts else ""
