"""The `machine` command: records the machine, compiler, commit and run
parameters in RESULTS/machine.json, after the runs (scripts/bench.sh)."""

import datetime
import json
import os
import platform
import re
import subprocess


def read_first(path, key):
    """The value of the first "KEY: value" line of PATH (/proc/cpuinfo), or None."""
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def run_text(args):
    """A command's standard output, or "" when it cannot be run."""
    try:
        return subprocess.run(args, capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return ""


def cmake_cache(build_dir):
    """BUILD_DIR/CMakeCache.txt as {variable: value}; {} without a build."""
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
    """Writes ARGS.results/machine.json; ARGS are the `machine` command's options."""
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
    # Uncommitted changes to what is measured make the commit alone not say what ran.
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
        # The LTTng-UST peer of hot_path_latency: "" when not installed.
        "lttng_ust": run_text(["dpkg-query", "-W", "-f=${Version}", "liblttng-ust-dev"])
        or run_text(["pkg-config", "--modversion", "lttng-ust"]),
        "lttng_tools": run_text(["dpkg-query", "-W", "-f=${Version}", "lttng-tools"]),
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
