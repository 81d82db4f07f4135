#!/usr/bin/env python3
"""Regenerates BENCHMARKS.md from the suite's results (python3 stdlib only).

    render_benchmarks.py machine --build-dir DIR --results DIR --seconds N ...
        records the machine, compiler, commit and run parameters in
        RESULTS/machine.json (scripts/bench.sh calls it after the runs);
    render_benchmarks.py render --results DIR --out BENCHMARKS.md
        writes BENCHMARKS.md from RESULTS/*.json and RESULTS/commands.txt.

Inputs are Google Benchmark JSON files written with
--benchmark_report_aggregates_only=true: for every benchmark the mean, median,
stddev, cv, min and max over the repetitions (min and max come from
bench/spread_statistics.hpp). Every figure in BENCHMARKS.md is a median; the
spread is (max - min) / median. Targets are evaluated from the same medians.
"""

import argparse
import datetime
import json
import statistics
import math
import os
import platform
import re
import subprocess
import sys

TIME_TO_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
PROGRAMS = ["hot_path_latency", "backend_throughput", "contention", "readers"]
FORMATS = ["binary", "jsonl", "otlp_json", "chrome_json"]


# --------------------------------------------------------------------------- results


class Results:
    """The aggregates of one program's JSON output, by benchmark name."""

    def __init__(self, path):
        self.present = os.path.exists(path)
        self.context = {}
        self.runs = {}  # name -> {aggregate: entry}
        self.errors = {}  # name -> message
        if not self.present:
            return
        with open(path) as f:
            data = json.load(f)
        self.context = data.get("context", {})
        for b in data.get("benchmarks", []):
            name = self.short(b.get("run_name", b["name"]))
            if b.get("error_occurred"):
                self.errors[name] = b.get("error_message", "error")
                continue
            if b.get("run_type") == "aggregate":
                self.runs.setdefault(name, {})[b["aggregate_name"]] = b

    @staticmethod
    def short(name):
        return re.sub(r"/(iterations:\d+|manual_time|real_time)", "", name)

    def has(self, name):
        return name in self.runs

    def value(self, name, field, aggregate="median"):
        entry = self.runs.get(name, {}).get(aggregate)
        if entry is None or field not in entry:
            return None
        v = entry[field]
        if field in ("real_time", "cpu_time") and aggregate != "cv":
            v = v * TIME_TO_NS[entry.get("time_unit", "ns")]
        return v

    def spread(self, name, field):
        """(max - min) / median, as a fraction."""
        lo, hi, med = (self.value(name, field, a) for a in ("min", "max", "median"))
        if None in (lo, hi, med) or med == 0:
            return None
        return (hi - lo) / med

    def names(self, prefix):
        return [n for n in self.runs if n.startswith(prefix)]


# --------------------------------------------------------------------------- formatting


def fmt_ns(v):
    if v is None:
        return "—"
    if v < 10:
        return f"{v:.2f}"
    if v < 100:
        return f"{v:.1f}"
    return f"{v:,.0f}"


def fmt_time(ns):
    if ns is None:
        return "—"
    if ns >= 1e9:
        return f"{ns / 1e9:.2f} s"
    if ns >= 1e6:
        return f"{ns / 1e6:.0f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.1f} µs"
    return f"{fmt_ns(ns)} ns"


def fmt_rate(v):
    """Spans (or operations) per second."""
    if v is None:
        return "—"
    if v >= 1e9:
        return f"{v / 1e9:.2f} G"
    if v >= 1e6:
        return f"{v / 1e6:.2f} M"
    if v >= 1e3:
        return f"{v / 1e3:.0f} k"
    return f"{v:.0f}"


def fmt_pct(v):
    if v is None:
        return "—"
    return f"{100 * v:.1f} %" if abs(v) < 0.1 else f"{100 * v:.0f} %"


def fmt_ratio(v):
    if v is None or math.isnan(v):
        return "—"
    if v >= 100:
        return f"{v:,.0f}×"
    if v >= 10:
        return f"{v:.1f}×"
    return f"{v:.2f}×"


def fmt_count(v):
    if v is None:
        return "—"
    if v == 0:
        return "0"
    if abs(v) < 0.01:
        return f"{v:.2g}"
    if abs(v) < 100:
        return f"{v:.2f}".rstrip("0").rstrip(".")
    return f"{v:,.0f}"


def seconds(text):
    """A duration recorded as a string in a benchmark context, shortly."""
    try:
        return f"{float(text):g}"
    except (TypeError, ValueError):
        return "?"


def fmt_cores(v):
    return "—" if v is None else f"{v:.2f}"


def table(headers, rows, align=None):
    align = align or ["l"] + ["r"] * (len(headers) - 1)
    sep = ["---:" if a == "r" else "---" for a in align]
    out = ["| " + " | ".join(headers) + " |", "| " + " | ".join(sep) + " |"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def div(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


# --------------------------------------------------------------------------- machine


def read_first(path, key):
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def run_text(args):
    try:
        return subprocess.run(args, capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return ""


def cmake_cache(build_dir):
    cache = {}
    try:
        with open(os.path.join(build_dir, "CMakeCache.txt")) as f:
            for line in f:
                m = re.match(r"^([A-Za-z_0-9]+):[A-Z]+=(.*)$", line.rstrip("\n"))
                if m:
                    cache[m.group(1)] = m.group(2)
    except OSError:
        pass
    return cache


def record_machine(args):
    cache = cmake_cache(args.build_dir)
    compiler = cache.get("CMAKE_CXX_COMPILER", "c++")
    flags = " ".join(
        x
        for x in (
            cache.get("CMAKE_CXX_FLAGS", ""),
            cache.get("CMAKE_CXX_FLAGS_" + cache.get("CMAKE_BUILD_TYPE", "Release").upper(), ""),
        )
        if x.strip()
    )
    cpu_flags = (read_first("/proc/cpuinfo", "flags") or "").split()
    try:
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "engine", "include", "tools"],
            capture_output=True, text=True, check=False,
        ).stdout
    except OSError:
        dirty = ""
    machine = {
        "date_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu_model": read_first("/proc/cpuinfo", "model name") or platform.processor(),
        "cpus": os.cpu_count(),
        "invariant_tsc": "constant_tsc" in cpu_flags and "nonstop_tsc" in cpu_flags,
        "kernel": " ".join(platform.uname()[i] for i in (0, 2, 4)),
        "compiler": run_text([compiler, "--version"]).splitlines()[0:1] or [compiler],
        "cxx_flags": (flags + " -std=c++20 -Wall -Wextra -Wpedantic").strip(),
        "build_type": cache.get("CMAKE_BUILD_TYPE", ""),
        "benchmark_library": run_text(["dpkg-query", "-W", "-f=${Version}", "libbenchmark-dev"]),
        "git_commit": run_text(["git", "rev-parse", "--short", "HEAD"]),
        "engine_tree_modified": [l[3:] for l in dirty.splitlines()],
        "seconds": args.seconds,
        "repetitions": args.repetitions,
        "min_time": args.min_time,
        "pinned_cpu": args.pinned_cpu,
        "exporter_cpu": args.exporter_cpu,
        "stages": [[n, int(v)] for n, v in (x.rsplit("=", 1) for x in args.stage)],
    }
    machine["compiler"] = machine["compiler"][0]
    with open(os.path.join(args.results, "machine.json"), "w") as f:
        json.dump(machine, f, indent=2)
        f.write("\n")


# --------------------------------------------------------------------------- sections

C_API_CASES = [
    ("unsampled_always_off", "unsampled start+end, always_off"),
    ("sampled_start_end", "sampled start+end"),
    ("sampled_2_attributes", "sampled start + 2 attributes + end"),
]

HOT_CASES = [
    ("unsampled_always_off", "unsampled start+end, `always_off()`"),
    ("unsampled_ratio_0.01", "unsampled start+end, `trace_id_ratio(0.01)` (1 % sampled)"),
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


class Report:
    def __init__(self, results_dir):
        self.dir = results_dir
        self.r = {p: Results(os.path.join(results_dir, p + ".json")) for p in PROGRAMS}
        try:
            with open(os.path.join(results_dir, "machine.json")) as f:
                self.machine = json.load(f)
        except OSError:
            self.machine = {}
        try:
            with open(os.path.join(results_dir, "commands.txt")) as f:
                self.commands = [l.rstrip("\n") for l in f if l.strip()]
        except OSError:
            self.commands = []
        hot = self.r["hot_path_latency"]
        self.steady = hot.value("reference/steady_clock_now", "cpu_time")

    # ---- figures used in several places

    def hot(self, case, field="cpu_time", tracer="hotspan"):
        return self.r["hot_path_latency"].value(f"{tracer}/{case}", field)

    def direct(self, fmt, sink, attrs, field="items_per_second"):
        return self.r["backend_throughput"].value(f"direct/{fmt}/{sink}/attributes:{attrs}", field)

    def contention(self, exporter, threads, field="spans_per_s", aggregate="median"):
        return self.r["contention"].value(
            f"contention/{exporter}/threads:{threads}", field, aggregate
        )

    # ---- targets

    def targets(self):
        """Rows: (target, measured, reference/ratio, status)."""
        rows = []
        steady = self.steady

        def latency(label, case, limit_ns, limit_ratio):
            v = self.hot(case)
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

        allocs = [self.r["hot_path_latency"].value(f"hotspan/{c}", "allocs/op", "max") for c in SPAN_CASES]
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
            v = self.direct(fmt, "devnull", 2)
            ratio = div(v, limit)
            if v is None and fmt in self.skipped_formats():
                rows.append((label, "format not available", "—", "NOT MEASURED"))
                return
            rows.append(
                (label, f"{fmt_rate(v)} spans/s", f"{fmt_ratio(ratio)} the target", status(v, v is not None and v >= limit))
            )

        throughput("exporter ≥ 10 M spans/s, binary, 2 small attributes, one core", "binary", 10e6)
        throughput("exporter ≥ 2 M spans/s, jsonl, 2 small attributes, one core", "jsonl", 2e6)

        one, two = self.contention("noop", 1), self.contention("noop", 2)
        ratio = div(two, one)
        uncounted = self.max_uncounted()
        met = ratio is not None and ratio >= 1.6 and uncounted == 0
        rows.append(
            (
                "2 producer threads deliver ≥ 1.6× the spans/s of one, zero uncounted loss",
                f"{fmt_rate(two)} vs {fmt_rate(one)} spans/s; uncounted {fmt_count(uncounted)}",
                f"{fmt_ratio(ratio)}",
                status(ratio, met),
            )
        )

        b = self.direct("binary", "devnull", 2, "bytes/span")
        rows.append(
            (
                "≤ 64 bytes per two-attribute span, binary format",
                f"{fmt_count(b)} bytes/span",
                f"{fmt_ratio(div(b, 64))} the limit",
                status(b, b is not None and b <= 64),
            )
        )
        return rows

    def max_uncounted(self):
        c = self.r["contention"]
        vals = [c.value(n, "uncounted", a) for n in c.runs for a in ("min", "max")]
        vals = [abs(v) for v in vals if v is not None]
        return max(vals) if vals else None

    def skipped_formats(self):
        text = self.r["backend_throughput"].context.get("formats_skipped", "none")
        return [] if text == "none" else [part.split(":")[0].strip() for part in text.split(";")]

    # ---- document

    def render(self):
        out = []
        w = out.append
        m = self.machine
        w("# hotspan benchmarks\n")
        w(
            "<!-- Generated by bench/render_benchmarks.py from bench/results/*.json "
            "(scripts/bench.sh). Do not edit by hand: run ./scripts/bench.sh. -->\n"
        )
        w(
            "Every figure is the **median** of "
            f"{m.get('repetitions', '?')} repetitions measured by `scripts/bench.sh` on "
            f"{m.get('date_utc', 'an unrecorded date')}; *spread* is (max − min) / median over "
            "the repetitions. Latencies are the CPU time of the calling thread per operation "
            "(the real time is shown beside it). The references ran in the same program, in "
            "the same run, so ratios to them hold better across machines than the nanoseconds do.\n"
        )
        w(self.load_warning())
        w("## Targets (issue 5)\n")
        rows = self.targets()
        w(table(["target", "measured (median)", "ratio", "status"], rows, ["l", "r", "r", "l"]))
        w("")
        w(self.closing_line(rows))
        w(self.machine_section())
        w(self.hot_path_section())
        w(self.backend_section())
        w(self.contention_section())
        w(self.readers_section())
        w(self.relay_section())
        w(self.relay_chain_section())
        w(self.tor_section())
        w(self.context_section())
        w(self.closing_section(rows))
        return "\n".join(out).rstrip() + "\n"

    def load_warning(self):
        loads = []
        for p in PROGRAMS:
            la = self.r[p].context.get("load_avg")
            if la:
                loads.append((p, la[0]))
        busy = self.others_busy()
        if not loads:
            return ""
        worst = max(l for _, l in loads)
        cpus = self.machine.get("cpus") or 2
        text = (
            "Load average (1 min) when each program started: "
            + ", ".join(f"{p} {l:.2f}" for p, l in loads)
            + f"; median share of the machine taken by other processes during the measurements: "
            + ", ".join(f"{p} {fmt_cores(v)} cores" for p, v in busy)
            + f" (of {cpus}; counter `others_busy_cores`, bench/machine_load.hpp).\n"
        )
        # The load average counts the suite's own earlier stages too, so it
        # decides only where the programs did not measure the others' share.
        measured = [v for _, v in busy if v is not None]
        shared = any(v > 0.25 for v in measured) if measured else worst > 0.5 * cpus
        if shared:
            text = (
                "> **The machine was shared while this ran.** Other processes kept part of its "
                f"{cpus} cores busy, so the exporter thread and the producers waited on the run "
                "queue: the multi-threaded figures (contention, end-to-end tracer runs) are lower "
                "than on an idle machine, and real times are above CPU times. "
                + text.replace("\n", "")
                + "\n"
            )
        return text

    def others_busy(self):
        out = []
        for p in PROGRAMS:
            r = self.r[p]
            vals = [r.value(n, "others_busy_cores") for n in r.runs]
            vals = sorted(v for v in vals if v is not None)
            if vals:
                out.append((p, vals[len(vals) // 2]))
        return out

    def closing_line(self, rows):
        met = [r for r in rows if r[3] == "MET"]
        return f"{len(met)} of {len(rows)} targets met in this run (details in the closing note at the end).\n"

    def machine_section(self):
        m = self.machine
        hot = self.r["hot_path_latency"].context
        lines = ["## Machine and method\n"]
        rows = [
            ("CPU", f"{m.get('cpu_model', '?')}, {m.get('cpus', '?')} logical CPUs"
             + (f", {hot.get('mhz_per_cpu')} MHz" if hot.get("mhz_per_cpu") else "")
             + (", invariant TSC" if m.get("invariant_tsc") else "")),
            ("caches", ", ".join(
                f"L{c['level']} {c['type'].lower()} {c['size'] // 1024} KiB" for c in hot.get("caches", [])
            ) or "?"),
            ("kernel", m.get("kernel", "?")),
            ("compiler", m.get("compiler", "?")),
            ("flags", f"`{m.get('cxx_flags', '?')}` ({m.get('build_type', '?')})"),
            ("Google Benchmark", f"{m.get('benchmark_library', '?')} (Debian package; it reports "
             "itself as built without optimisation — that concerns the library's own timing "
             "loop, not the code measured)"),
            ("engine clock", hot.get("engine_clock", "?")),
            ("commit", f"{m.get('git_commit', '?')}"
             + (" plus uncommitted changes in " + ", ".join(f"`{x}`" for x in m["engine_tree_modified"][:12])
                + (" …" if len(m["engine_tree_modified"]) > 12 else "")
                if m.get("engine_tree_modified") else "")),
            ("repetitions", f"{m.get('repetitions', '?')}, `--benchmark_min_time={m.get('min_time', '?')}` "
             "for the fast cases; fixed-duration runs (contention, tracer end to end, "
             f"{seconds(self.r['contention'].context.get('run_seconds'))} s) are one iteration each"),
            ("pinning", self.pinning_text()),
            ("duration", f"{m.get('seconds', '?')} s for the whole of `scripts/bench.sh`"
             + (" (" + ", ".join(f"{n} {v} s" for n, v in m["stages"]) + ")" if m.get("stages") else "")),
        ]
        lines.append(table(["", ""], rows, ["l", "l"]))
        lines.append("\nCommands, exactly as run (from the repository root):\n")
        lines.append("```sh\n./scripts/bench.sh\n# which ran:\n" + "\n".join(self.commands) + "\n```\n")
        return "\n".join(lines)

    def pinning_text(self):
        cpu = self.machine.get("pinned_cpu")
        if not cpu:
            return "nothing was pinned"
        exporter = self.machine.get("exporter_cpu")
        return (
            f"the timed thread of the single-threaded loops (hot path, direct exporter calls) "
            f"on CPU {cpu}; in the hot path the tracer's exporter thread on CPU {exporter}, "
            f"as a relay would run them (bench/cpu_placement.hpp); the readers program and the "
            f"`hotspan` tool under `taskset -c {cpu}`; contention and end-to-end tracer runs "
            f"not pinned (the scheduler places their threads)"
        )

    def hot_path_section(self):
        r = self.r["hot_path_latency"]
        s = ["## Hot path latency (caller's thread)\n"]
        if not r.present:
            return s[0] + "Not run.\n"
        pace = r.context.get("pace_spans", "1024")
        s.append(
            "Noop exporter; 16,384 slots per thread; the exporter thread sleeps 50 µs when idle. "
            f"Every {pace} sampled spans the timed loop pauses the timer and calls `flush()`, so "
            "that the caller never outruns the exporter thread on a loaded machine (`dropped` shows it "
            "held: a case that drops measures the drop path); cases under `always_off()` are not "
            "paced. `allocs/op` counts operator new "
            "on the caller's thread (tests/allocation_counter.cpp). The naive tracer "
            "(bench/naive_tracer.hpp: mutex + `std::vector<NaiveSpan>` with `std::string` fields, "
            "export synchronous under the lock) does the same work for each case. "
            f"Placement: {r.context.get('placement', '?')}; the row *exporter thread on the "
            "caller's CPU* is the same case with both threads sharing one CPU, i.e. without the "
            "cross-core hand-back of every slot: the difference is what that hand-back costs.\n"
        )
        rows = []
        for case, label in HOT_CASES:
            h = f"hotspan/{case}"
            n = f"naive/{case}"
            hv, nv = r.value(h, "cpu_time"), r.value(n, "cpu_time")
            rows.append(
                (
                    label,
                    fmt_ns(hv),
                    fmt_pct(r.spread(h, "cpu_time")),
                    fmt_ns(r.value(h, "real_time")),
                    fmt_count(r.value(h, "allocs/op")),
                    fmt_count(r.value(h, "dropped", "max")),
                    fmt_ratio(div(hv, self.steady)),
                    fmt_ns(nv),
                    fmt_count(r.value(n, "allocs/op")),
                    fmt_ratio(div(nv, hv)),
                )
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
            c, h = f"c_api/{case}", f"hotspan/{case}"
            cv, hv = r.value(c, "cpu_time"), r.value(h, "cpu_time")
            rows.append(
                (
                    label,
                    fmt_ns(cv),
                    fmt_pct(r.spread(c, "cpu_time")),
                    fmt_count(r.value(c, "allocs/op")),
                    fmt_count(r.value(c, "dropped", "max")),
                    fmt_ns(hv),
                    fmt_ratio(div(cv, hv)),
                )
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
            v = r.value(name, "cpu_time")
            rows.append(
                (
                    label,
                    fmt_ns(v),
                    fmt_pct(r.spread(name, "cpu_time")),
                    fmt_ns(r.value(name, "real_time")),
                    fmt_count(r.value(name, "allocs/op")),
                    fmt_ratio(div(v, self.steady)),
                )
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
        return "\n".join(s)

    def backend_section(self):
        r = self.r["backend_throughput"]
        s = ["## Backend throughput (exporter thread)\n"]
        if not r.present:
            return s[0] + "Not run.\n"
        skipped = r.context.get("formats_skipped", "none")
        s.append(
            f"**Encoder and sink alone** (`direct/…`): batches of {r.context.get('batch_size', '512')} "
            "pre-built `SpanRecord`s (bench/record_batches.hpp) handed to "
            "`file_exporter(path, format)->export_batch()` on one pinned thread; /dev/null, or a "
            "file in /tmp removed after the run. Spans have 0, 2 or 8 small attributes "
            "(bench/span_workload.hpp). Formats that `file_exporter` rejected at run time: "
            f"{skipped}.\n"
        )
        rows = []
        for fmt in FORMATS:
            for sink in ("devnull", "file"):
                for attrs in (0, 2, 8):
                    name = f"direct/{fmt}/{sink}/attributes:{attrs}"
                    if not r.has(name):
                        continue
                    rows.append(
                        (
                            fmt,
                            "/dev/null" if sink == "devnull" else "file",
                            attrs,
                            fmt_rate(r.value(name, "items_per_second")),
                            fmt_pct(r.spread(name, "items_per_second")),
                            f"{r.value(name, 'bytes_per_second') / 1e6:,.0f}"
                            if r.value(name, "bytes_per_second") is not None
                            else "—",
                            fmt_count(r.value(name, "bytes/span")),
                            fmt_ns(div(1e9, r.value(name, "items_per_second"))),
                        )
                    )
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
        rows = []
        for fmt in FORMATS:
            for sink in ("devnull", "file"):
                for attrs in (0, 2, 8):
                    name = f"tracer/{fmt}/{sink}/attributes:{attrs}"
                    if not r.has(name):
                        continue
                    rows.append(self.flat_out_row(r, name, [fmt, "/dev/null" if sink == "devnull" else "file", attrs]))
        s.append(
            table(
                ["format", "sink", "attributes"] + FLAT_OUT_HEADERS,
                rows,
                ["l", "l", "r"] + ["r"] * len(FLAT_OUT_HEADERS),
            )
        )
        s.append("")
        return "\n".join(s)

    @staticmethod
    def flat_out_row(r, name, lead):
        delivered = r.value(name, "spans_per_s")
        return lead + [
            fmt_rate(delivered),
            fmt_pct(r.spread(name, "spans_per_s")),
            fmt_rate(r.value(name, "started_per_s")),
            fmt_count(r.value(name, "dropped_pool_exhausted")),
            fmt_count(r.value(name, "dropped_queue_full")),
            fmt_count(r.value(name, "dropped_export_failed")),
            fmt_count(r.value(name, "uncounted", "max")),
            fmt_cores(r.value(name, "others_busy_cores")),
        ]

    def contention_section(self):
        r = self.r["contention"]
        s = ["## Contention: producer threads end to end\n"]
        if not r.present:
            return s[0] + "Not run.\n"
        s.append(
            "Each producer thread records sampled spans with 2 attributes flat out for "
            f"{seconds(r.context.get('run_seconds'))} s through one Tracer (default options), with the "
            "noop exporter and with the binary format to /dev/null. The machine has "
            f"{self.machine.get('cpus', '?')} logical CPUs and the tracer adds its exporter thread, "
            "so from 2 producers on the threads outnumber the cores: the figures show what "
            "oversubscription does. Loss counters are medians per run; *uncounted* "
            "(sampled − exported − drops, must be 0) is the worst repetition.\n"
        )
        rows = []
        for exporter in ("noop", "binary_devnull"):
            base = self.contention(exporter, 1)
            for threads in (1, 2, 4, 8):
                name = f"contention/{exporter}/threads:{threads}"
                if not r.has(name):
                    continue
                row = self.flat_out_row(r, name, [exporter.replace("_devnull", " → /dev/null"), threads])
                row.insert(4, fmt_ratio(div(self.contention(exporter, threads), base)))
                rows.append(row)
        headers = ["exporter", "threads"] + FLAT_OUT_HEADERS
        headers.insert(4, "× 1 thread")
        s.append(table(headers, rows, ["l"] + ["r"] * (len(headers) - 1)))
        s.append("")
        return "\n".join(s)

    def readers_section(self):
        r = self.r["readers"]
        s = ["## Readers and the `hotspan` tool\n"]
        if not r.present:
            return s[0] + "Not run.\n"
        spans = r.context.get("spans_per_file", "?")
        s.append(
            f"Files of {int(spans):,} spans (traces of a root and 4 children, 2 attributes each) "
            "written once by `make_trace_files` through a Tracer: binary "
            f"{int(r.context.get('binary_file_bytes', 0)) / 1e6:.1f} MB, JSON Lines "
            f"{int(r.context.get('jsonl_file_bytes', 0)) / 1e6:.1f} MB, read from the page cache. "
            "`cli/…` is the built tool run as a child process (output to /dev/null), wall time "
            "per run; `simdjson_jsonl_floor` parses the JSON Lines file already in memory and "
            "reads 4 fields per span — the floor any JSON Lines reader pays.\n"
            if spans != "?"
            else ""
        )
        labels = [
            ("reader/binary_trace_reader", "`BinaryTraceReader`, binary"),
            ("reader/simdjson_jsonl_floor", "simdjson On-Demand floor, JSON Lines"),
            ("cli/hotspan_stats_binary", "`hotspan stats FILE`, binary"),
            ("cli/hotspan_stats_jsonl", "`hotspan stats FILE`, JSON Lines"),
            ("cli/hotspan_cat_binary", "`hotspan cat FILE`, binary"),
            ("cli/hotspan_cat_jsonl", "`hotspan cat FILE`, JSON Lines"),
        ]
        rows = []
        for name, label in labels:
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
        return "\n".join(s)

    def relay_chain_section(self):
        """Relay overhead: bench/results/relay.json, written by bench/relay_chain.cpp."""
        try:
            with open(os.path.join(self.dir, "relay.json")) as f:
                data = json.load(f)
        except (OSError, ValueError):
            return ""
        names = {
            "compiled_out": "tracing compiled out (baseline)",
            "always_off": "tracer present, `always_off()`",
            "ratio_1pct": "`trace_id_ratio(0.01)` (1 % of circuits)",
            "always_on": "every span sampled",
        }
        rows = [
            [names.get(c["name"], c["name"]), fmt_time(c["median_ns"]), fmt_ratio(c["median_ratio"]),
             fmt_time(c["p99_ns"]), fmt_ratio(c["p99_ratio"]), fmt_rate(c["cells_per_second"]),
             fmt_ratio(c["throughput_ratio"]), fmt_count(c["spans_sampled_per_round"])]
            for c in data["configurations"]
        ]
        return "\n".join([
            "## Relay overhead\n",
            "The relay chain of `examples/relay/` in one process (bench/relay_chain.cpp): three "
            "relays on loopback TCP, one thread each, and a client sending one 514-byte DATA cell "
            "at a time through guard, middle and exit and back (6 spans per cell when sampled, on "
            "4 tracers writing the binary format to /dev/null). "
            f"{data['circuits']} circuits of {data['cells_per_circuit']} cells per round; each "
            f"figure is the median of {data['rounds']} interleaved rounds. Ratios are to the "
            "build with tracing compiled out; the round trip is dominated by the kernel's "
            "loopback TCP, so P99 on a shared machine is mostly its noise.\n",
            table(["configuration", "round trip P50", "ratio", "P99", "ratio", "cells/s",
                   "ratio", "spans / round"], rows,
                  ["l", "r", "r", "r", "r", "r", "r", "r"]),
            "",
        ])

    def tor_section(self):
        """Inside tor: bench/results/tor_overhead.json, written by bench/tor_overhead.sh."""
        try:
            with open(os.path.join(self.dir, "tor_overhead.json")) as f:
                data = json.load(f)
        except (OSError, ValueError):
            return ""
        per = {}
        for run in data["runs"]:
            d = per.setdefault(run["config"], {"relay": [], "client": [], "builds": []})
            mb = run["bytes"] / 1e6
            d["relay"].append(run["relay_ticks"] / run["ticks_per_s"] * 1000 / mb)
            d["client"].append(run["client_ticks"] / run["ticks_per_s"] * 1000 / mb)
            d["builds"] += run["builds_ms"]

        def pct(xs, p):
            xs = sorted(xs)
            return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] if xs else None

        base = statistics.median(per["none"]["relay"]) if "none" in per else None
        names = {
            "none": "tor without tracing",
            "lttng-idle": "LTTng-UST backend, no session",
            "lttng-session": "LTTng-UST backend, session recording `tor_circuit:*`",
            "hotspan-idle": "hotspan backend, no exporter configured",
            "hotspan-off": "hotspan, `always_off`",
            "hotspan-1%": "hotspan, `traceidratio` 0.01",
            "hotspan-all": "hotspan, every span sampled and written",
        }
        rows = []
        for c in data["configs"]:
            if c not in per:
                continue
            d = per[c]
            r = statistics.median(d["relay"])
            p50, p99 = pct(d["builds"], 50), pct(d["builds"], 99)
            # Apart from no tracing: the ranges over the rounds do not overlap.
            apart = "–"
            if base is not None and c != "none":
                lo, hi = min(per["none"]["relay"]), max(per["none"]["relay"])
                apart = "above" if min(d["relay"]) > hi else "below" if max(d["relay"]) < lo else "overlaps"
            rows.append([names.get(c, c), f"{r:.1f} ms", f"{min(d['relay']):.1f}–{max(d['relay']):.1f}",
                         fmt_ratio(div(r, base)), apart, f"{statistics.median(d['client']):.1f} ms",
                         f"{p50:.1f} ms" if p50 is not None else "–",
                         f"{p99:.1f} ms" if p99 is not None else "–", str(len(d["builds"]))])
        return "\n".join([
            "## Inside tor\n",
            "The real tor (0.4.9.11, Debian's source) in a private network on loopback "
            "(`scripts/tor_network.sh`: 3 authorities, 3 relays, 2 exits, a client), built three "
            "ways by `scripts/tor_build.sh --variant` (no tracing; tor's LTTng-UST backend; "
            "hotspan's backend, integrations/tor/) on the same tracepoints, and traced seven ways. "
            f"Each run fetches {data['circuits']} files of {data['fetch_bytes'] / 2**20:g} MiB, one "
            "per new circuit, 4 at a time; the relays' CPU time (user + system, all relays) during "
            "the fetches is divided by the bytes fetched (each byte crosses 3 relays). Circuit "
            "build time: the client's ControlPort, LAUNCHED to BUILT, 3-hop circuits launched "
            "during the fetches, over all rounds. "
            f"{data['rounds']} interleaved rounds (`{data['command']}` at commit "
            f"{data.get('commit', '?')}, {data['date']}, "
            f"{data['machine']}); CPU figures are the median over the rounds, with their range.\n",
            table(["configuration", "relays' CPU per MB", "range", "vs no tracing",
                   "range vs no tracing's", "client's CPU per MB", "circuit build P50", "P99",
                   "circuits"], rows, ["l", "r", "r", "r", "l", "r", "r", "r", "r"]),
            "",
            "What is recorded (integrations/tor/README.md at that commit): per circuit a "
            "`relay-circuit` and an `onion-skin` span on each relay, the circuit's spans on the "
            "client, and one `relay-cell` span per 1000 relayed cells per circuit and direction; "
            "LTTng records every event of the same tracepoints instead, `cell_queued` and "
            "`cell_flushed` for every cell included. "
            f"A {data['fetch_bytes'] / 2**20:g} MiB fetch is about "
            f"{data['fetch_bytes'] / 498:,.0f} cells through each relay of its circuit (498 "
            "bytes of data per cell). \"range vs no tracing's\": whether "
            "a configuration's range over the rounds lies above or below the range of tor "
            "without tracing, or overlaps it (a difference the rounds cannot tell from noise).\n",
        ])

    def relay_section(self):
        s = ["## What this means for a relay\n"]
        s.append(
            "A core spending 1 % of its time on tracing has 10 ms per second to spend; at a cost "
            "*c* per span it can afford 0.01 s / *c* spans per second. From the medians above:\n"
        )
        rows = []
        for case, label in [
            ("unsampled_always_off", "unsampled span (tracing compiled in, sampler off)"),
            ("unsampled_ratio_0.01", "span under `trace_id_ratio(0.01)`"),
            ("sampled_start_end", "sampled span, no attributes"),
            ("sampled_2_attributes", "sampled span + 2 attributes"),
            ("sampled_5_attributes_1_event", "sampled span + 5 attributes + 1 event"),
        ]:
            hv, nv = self.hot(case), self.hot(case, tracer="naive")
            rows.append((label, f"{fmt_ns(hv)} ns", fmt_rate(div(0.01, hv and hv * 1e-9)),
                         f"{fmt_ns(nv)} ns", fmt_rate(div(0.01, nv and nv * 1e-9))))
        s.append(table(["caller's thread", "hotspan cost", "hotspan spans/s at 1 %",
                        "naive cost", "naive spans/s at 1 %"], rows))
        b = self.direct("binary", "devnull", 2)
        j = self.direct("jsonl", "devnull", 2)
        s.append(
            "\nThe exporter thread pays separately, off the relay's critical path: encoding a "
            f"two-attribute span costs {fmt_ns(div(1e9, b))} ns in binary and {fmt_ns(div(1e9, j))} ns in JSON Lines "
            f"(so 1 % of the exporter's core covers {fmt_rate(div(0.01, b and 1 / b))} resp. "
            f"{fmt_rate(div(0.01, j and 1 / j))} spans/s). For example, a relay recording "
            "100,000 sampled two-attribute spans per second spends "
            f"{fmt_pct(div(1e5 * (self.hot('sampled_2_attributes') or 0), 1e9))} of a core on its "
            f"own threads with hotspan (naive: {fmt_pct(div(1e5 * (self.hot('sampled_2_attributes', tracer='naive') or 0), 1e9))}) "
            f"and {fmt_pct(div(1e5, b))} of the exporter's core writing binary. Unsampled spans, the "
            "common case under ratio sampling, cost the relay next to nothing and the exporter "
            "nothing at all.\n"
        )
        return "\n".join(s)

    def context_section(self):
        return "\n".join(
            [
                "## For context: what hotspan replaces (measured elsewhere, not re-run here)\n",
                table(
                    ["system", "unsampled", "sampled, 2 attributes", "notes"],
                    [
                        ("the relay's own tracing package (go-tor `pkg/trace`, the system hotspan replaces)",
                         "~5 ns", "~900 ns, 9 allocations", "export synchronous under a lock"),
                        ("opentelemetry-cpp", "~70 ns", "~450–880 ns",
                         "drops spans under load without counting them"),
                        (f"hotspan, this run", f"{fmt_ns(self.hot('unsampled_always_off'))} ns",
                         f"{fmt_ns(self.hot('sampled_2_attributes'))} ns, "
                         f"{fmt_count(self.hot('sampled_2_attributes', 'allocs/op'))} allocations",
                         "export on its own thread; every loss counted"),
                    ],
                    ["l", "r", "r", "l"],
                ),
                "\nThe first two rows are figures reported for those systems on this kind of machine "
                "(docs: /work/shared/DESIGN.md, \"Where this is measured against\"); they were not "
                "measured by this suite. The fast in-process recorders for comparison: Tracy ~2 ns "
                "per zone, Quill and NanoLog ~7–8 ns per log call, LTTng-UST ~90–110 ns per event.\n",
            ]
        )

    def closing_section(self, rows):
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


def status(value, met):
    if value is None:
        return "NOT MEASURED"
    return "MET" if met else "NOT MET"


# --------------------------------------------------------------------------- main


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("machine", help="record the machine and run parameters")
    m.add_argument("--build-dir", default="build-bench")
    m.add_argument("--results", default="bench/results")
    m.add_argument("--seconds", type=int, default=None)
    m.add_argument("--repetitions", type=int, default=None)
    m.add_argument("--min-time", default=None)
    m.add_argument("--pinned-cpu", default="")
    m.add_argument("--exporter-cpu", default="")
    m.add_argument("--stage", action="append", default=[], help="NAME=SECONDS, in order")
    r = sub.add_parser("render", help="write BENCHMARKS.md")
    r.add_argument("--results", default="bench/results")
    r.add_argument("--out", default="BENCHMARKS.md")
    args = parser.parse_args()
    if args.command == "machine":
        record_machine(args)
        return 0
    text = Report(args.results).render()
    with open(args.out, "w") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
