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

The work is done by the package bench/benchmarks_md/: results.py loads the
files, document.py puts the page together from one module per section,
machine_record.py is the `machine` command.
"""

import argparse
import sys

# The package is imported from the source tree: leave no __pycache__ in bench/.
sys.dont_write_bytecode = True

from benchmarks_md.document import render  # noqa: E402 (after the line above)
from benchmarks_md.machine_record import record_machine  # noqa: E402


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
    text = render(args.results)
    with open(args.out, "w") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
