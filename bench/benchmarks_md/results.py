"""Loading a results directory: one Google Benchmark JSON file per program,
machine.json, commands.txt, and the JSON files other scripts write there."""

import json
import os
import re

TIME_TO_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
PROGRAMS = ["hot_path_latency", "backend_throughput", "contention", "readers"]


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
        """The name without the run options Google Benchmark appends to it."""
        return re.sub(r"/(iterations:\d+|manual_time|real_time)", "", name)

    def has(self, name):
        return name in self.runs

    def value(self, name, field, aggregate="median"):
        """One aggregate of one field, times in ns; None where it was not measured."""
        entry = self.runs.get(name, {}).get(aggregate)
        if entry is None or field not in entry:
            return None
        v = entry[field]
        # The cv of a time is a plain fraction, not in the time unit.
        if field in ("real_time", "cpu_time") and aggregate != "cv":
            v = v * TIME_TO_NS[entry.get("time_unit", "ns")]
        return v

    def spread(self, name, field):
        """(max - min) / median, as a fraction."""
        lo, hi, med = (self.value(name, field, a) for a in ("min", "max", "median"))
        if None in (lo, hi, med) or med == 0:
            return None
        return (hi - lo) / med


class ResultSet:
    """Everything the page is made from: RESULTS/<program>.json for every
    program, RESULTS/machine.json and RESULTS/commands.txt."""

    def __init__(self, results_dir):
        self.dir = results_dir
        self.programs = {p: Results(os.path.join(results_dir, p + ".json")) for p in PROGRAMS}
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
        # The reference every latency is also given as a ratio to.
        self.steady = self.programs["hot_path_latency"].value("reference/steady_clock_now", "cpu_time")

    def optional_json(self, filename):
        """RESULTS/FILENAME written by a script of its own (relay.json,
        tor_overhead.json), or None when it is absent or unreadable: its
        section is then left out rather than failing the page."""
        try:
            with open(os.path.join(self.dir, filename)) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    # ---- figures used in several sections

    def hot(self, case, field="cpu_time", tracer="hotspan"):
        return self.programs["hot_path_latency"].value(f"{tracer}/{case}", field)

    def direct(self, fmt, sink, attrs, field="items_per_second"):
        return self.programs["backend_throughput"].value(f"direct/{fmt}/{sink}/attributes:{attrs}", field)

    def contention(self, exporter, threads, field="spans_per_s", aggregate="median"):
        return self.programs["contention"].value(
            f"contention/{exporter}/threads:{threads}", field, aggregate
        )
