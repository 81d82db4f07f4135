#!/usr/bin/env python3
"""Writes span_cost_profile.json from the raw outputs of bench/span_cost_profile.sh
(python3 stdlib only).

    span_cost_profile.py WORK_DIR OUT_JSON   the JSON, from WORK_DIR's files
    span_cost_profile.py --perf-works WORK_DIR
                                             exit status 0 when WORK_DIR/perf-check.txt
                                             shows perf stat counting every event

WORK_DIR holds, per case (cases.txt: name and function, tab-separated):
NAME.out, the program's output (spans measured, sampled, dropped), and
NAME.callgrind.PID-TT, callgrind's file for each thread TT (--separate-threads).
Collection was on only inside the case's function, so thread 01's total is
the measured spans' instructions and every other thread's total must be 0.
Per case the JSON has the instructions per span (the function's inclusive
cost: its own instructions and everything it called) and the exclusive
instructions per span of each function that ran, the case's own function
being "inline in the caller".
"""

import glob
import json
import os
import re
import sys

PERF_EVENTS = ["cycles", "instructions", "cache-misses"]
PERF_SPANS = (200000, 1000000)  # the short and long perf runs of the script
PERF_PLACEMENTS = [
    ("own_cpu", "exporter thread on its own CPU"),
    ("caller_cpu", "exporter thread on the caller's CPU"),
]


def parse_callgrind(path):
    """A callgrind output file (format of valgrind 3.x) as (total, functions):
    total is the thread's collected instructions (the summary line), functions
    maps a name to {"self": instructions, "calls": {callee: [count, inclusive
    instructions]}}. Only the first event (Ir) is read. The self costs may add
    up to a little more than the summary, which is what the case's function's
    inclusive cost agrees with (by 0.01 % in the trace_id_ratio case, in the
    callers of libm's log and ldexp)."""
    names = {}  # "(id)" -> name, for fn= cfn= (name compression)
    functions = {}
    total = None
    fn = None
    called = None  # the function named by the last cfn=
    callee = None  # set by calls=: the next cost line is that call's cost
    call_count = 0
    positions = 1

    def name_of(value):
        m = re.match(r"(\(\d+\))(?: (.*))?$", value)
        if not m:
            return value
        if m.group(2) is not None:
            names[m.group(1)] = m.group(2)
        return names.get(m.group(1), value)

    def entry(name):
        return functions.setdefault(name, {"self": 0, "calls": {}})

    with open(path) as f:
        for raw in f:
            line = raw.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            if line[0].isdigit() or line[0] in "+-*":
                fields = line.split()
                cost = int(fields[positions]) if len(fields) > positions else 0
                if callee is not None:
                    c = entry(fn)["calls"].setdefault(callee, [0, 0])
                    c[0] += call_count
                    c[1] += cost
                    callee = None
                elif fn is not None:
                    entry(fn)["self"] += cost
                continue
            key, _, value = line.partition("=")
            if key == "fn":
                fn = re.sub(r"'\d+$", "", name_of(value))  # recursion levels: one function
                entry(fn)
            elif key == "cfn":
                called = re.sub(r"'\d+$", "", name_of(value))
            elif key == "calls":
                callee, call_count = called, int(value.split()[0])
            elif line.startswith("positions:"):
                positions = len(line.split(":", 1)[1].split())
            elif line.startswith("summary:"):
                total = int(line.split(":", 1)[1].split()[0])
            elif line.startswith("totals:") and total is None:
                total = int(line.split(":", 1)[1].split()[0])
            # Other lines (ob=, fl=, fi=, fe=, cob=, cfi=, headers) do not change the costs.
    return total or 0, functions


def short_name(name):
    """hotspan::Tracer::start_span_slow(std::basic_string_view<...>, ...) ->
    hotspan::Tracer::start_span_slow: the name without its arguments, clone
    suffix and anonymous namespaces; a name without arguments stays."""
    name = name.replace("(anonymous namespace)::", "")
    depth = 0
    i = 0
    while i < len(name):
        ch = name[i]
        if ch == "<":
            depth += 1
        elif ch == ">":
            depth -= 1
        elif ch == "(" and depth == 0 and i > 0:
            if name.endswith("operator", 0, i) and name.startswith("()", i):
                i += 2
                continue
            return name[:i]
        i += 1
    return name


def program_output(path):
    """The program's output: its one case row and the trailing key/value lines."""
    row, extra = None, {}
    with open(path) as f:
        lines = [l.rstrip("\n").split("\t") for l in f if l.strip()]
    for fields in lines[1:]:
        if len(fields) == 4:
            row = {"spans": int(fields[1]), "sampled": int(fields[2]), "dropped": int(fields[3])}
        elif len(fields) == 2:
            extra[fields[0]] = fields[1]
    return row, extra


def profile_case(work, name, function):
    row, extra = program_output(os.path.join(work, name + ".out"))
    files = sorted(glob.glob(os.path.join(work, glob.escape(name) + ".callgrind.*-[0-9]*")))
    if row is None or not files:
        raise SystemExit(f"span_cost_profile: no output for the case {name} in {work}")
    caller_total, functions = parse_callgrind(files[0])  # thread 01: main, the caller
    others = sum(parse_callgrind(p)[0] for p in files[1:])
    spans = row["spans"]
    # The case's function by its name without arguments (span_cost::NAME).
    full = next((n for n in functions if short_name(n) == function), function)
    own = functions.get(full, {"self": 0, "calls": {}})
    calls = sum(c[0] for f in functions.values() for callee, c in f["calls"].items()
                if callee == full)
    inclusive = own["self"] + sum(c[1] for c in own["calls"].values())
    breakdown = {}  # by short name: a function's cold part (a clone) counts with it
    for fname, f in functions.items():
        if f["self"] == 0:
            continue
        shown = "(inline in the caller)" if fname == full else short_name(fname)
        b = breakdown.setdefault(shown, {"function": shown, "full_name": fname,
                                         "instructions_per_span": 0.0, "calls_per_span": 0.0})
        b["instructions_per_span"] += f["self"] / spans
        b["calls_per_span"] += sum(c[0] for g in functions.values()
                                   for callee, c in g["calls"].items() if callee == fname) / spans
    breakdown = sorted(breakdown.values(), key=lambda b: -b["instructions_per_span"])
    problems = []
    if calls != spans:
        problems.append(f"{function} was called {calls} times in the measured part, not {spans}")
    if others != 0:
        problems.append(f"threads other than the caller's collected {others} instructions")
    if abs(inclusive - caller_total) > 0.001 * caller_total:
        problems.append(f"the function's inclusive cost {inclusive} is not the thread's "
                        f"total {caller_total}")
    for p in problems:
        print(f"span_cost_profile: {name}: {p}", file=sys.stderr)
    return {
        "name": name,
        "function": function,
        "spans": spans,
        "sampled": row["sampled"],
        "dropped": row["dropped"],
        "function_calls": calls,
        "instructions": caller_total,
        "instructions_per_span": caller_total / spans,
        "other_threads_instructions": others,
        "threads": len(files),
        "engine_clock": extra.get("engine_clock"),
        "warmup_spans": int(extra.get("warmup_spans", 0)),
        "problems": problems,
        "functions": breakdown,
    }, extra


def perf_counts(path):
    """perf stat -x, output: {event: count or None (not supported / not counted)},
    and the lines that were not counts (errors)."""
    counts, other = {}, []
    try:
        with open(path) as f:
            lines = [l.strip() for l in f]
    except OSError:
        return counts, ["no output"]
    for line in lines:
        if not line or line.startswith("#"):
            continue
        fields = line.split(",")
        if len(fields) >= 3:
            event = next((e for e in PERF_EVENTS if fields[2] == e or fields[2].startswith(e + ":")
                          or f"/{e}/" in fields[2]), None)
            if event is not None:
                try:
                    counts[event] = counts.get(event) or 0
                    counts[event] += int(float(fields[0]))
                except ValueError:  # <not supported>, <not counted>
                    counts[event] = None
                    other.append(f"{event}: {fields[0]}")
                continue
        other.append(line)
    return counts, other


def perf_check(work):
    """(works, message) from the script's `perf stat -e cycles,instructions,cache-misses true`."""
    counts, other = perf_counts(os.path.join(work, "perf-check.txt"))
    try:
        with open(os.path.join(work, "perf-check.err")) as f:
            other += [l.strip() for l in f if l.strip()]
    except OSError:
        pass
    works = all(counts.get(e) is not None for e in PERF_EVENTS)
    if works:
        return True, "perf stat counts " + ", ".join(PERF_EVENTS)
    return False, "; ".join(other) if other else "perf stat printed no counts"


def perf_runs(work):
    """Per placement, each event's count per span: (long run - short run) /
    (the spans the long run measured more)."""
    runs = []
    for placement, label in PERF_PLACEMENTS:
        short, long_ = (perf_counts(os.path.join(work, f"perf-{placement}-{n}.txt"))[0]
                        for n in PERF_SPANS)
        per_span = {}
        for e in PERF_EVENTS:
            a, b = short.get(e), long_.get(e)
            per_span[e.replace("-", "_") + "_per_span"] = (
                None if a is None or b is None else (b - a) / (PERF_SPANS[1] - PERF_SPANS[0]))
        runs.append({"placement": placement, "label": label, **per_span})
    return runs


def write_json(work, out):
    with open(os.path.join(work, "cases.txt")) as f:
        cases = [l.rstrip("\n").split("\t") for l in f if l.strip()]
    profiled, extra = [], {}
    for name, function in cases:
        case, extra = profile_case(work, name, function)
        profiled.append(case)
    with open(os.path.join(work, "valgrind.version")) as f:
        valgrind = f.read().strip()
    with open(os.path.join(work, "commands.txt")) as f:
        commands = [l.rstrip("\n") for l in f if l.strip()]
    works, message = perf_check(work)
    perf = {"works": works, "message": message, "events": PERF_EVENTS}
    if works:
        perf["whole_process"] = True  # caller and exporter thread together
        perf["spans"] = list(PERF_SPANS)
        perf["placement_variables"] = {
            v: os.environ.get(v, "") for v in ("HOTSPAN_BENCH_CPU", "HOTSPAN_BENCH_EXPORTER_CPU")}
        perf["runs"] = perf_runs(work)
    else:
        perf["cache_misses_per_span"] = "not supported"
    data = {
        "tool": f"{valgrind} --tool=callgrind",
        "program": "bench/span_cost_profile.cpp",
        "warmup_spans": int(extra.get("warmup_spans", 0)),
        "engine_clock_under_callgrind": extra.get("engine_clock"),
        "commands": commands,
        "cases": profiled,
        "breakdown_case": "sampled_2_attributes",
        "perf": perf,
    }
    with open(out, "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")
    problems = [p for c in profiled for p in c["problems"]]
    return 1 if problems else 0


def main(argv):
    if len(argv) == 3 and argv[1] == "--perf-works":
        return 0 if perf_check(argv[2])[0] else 1
    if len(argv) != 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    return write_json(argv[1], argv[2])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
