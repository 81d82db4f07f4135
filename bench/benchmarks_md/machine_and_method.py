"""Section "Machine and method": the machine, build and run parameters from
machine.json, and the commands exactly as scripts/bench.sh ran them."""

from .formatting import seconds, table
from .lttng_peer import lttng_versions


def pinning_text(machine):
    cpu = machine.get("pinned_cpu")
    if not cpu:
        return "nothing was pinned"
    exporter = machine.get("exporter_cpu")
    return (
        f"the timed thread of the single-threaded loops (hot path, direct exporter calls) "
        f"on CPU {cpu}; in the hot path the tracer's exporter thread on CPU {exporter}, "
        f"as a relay would run them (bench/cpu_placement.hpp); the readers program and the "
        f"`hotspan` tool under `taskset -c {cpu}`; contention and end-to-end tracer runs "
        f"not pinned (the scheduler places their threads)"
    )


def machine_section(res):
    m = res.machine
    # The CPU's clock, caches and the engine's clock are in the hot path program's context.
    hot = res.programs["hot_path_latency"].context
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
        ("LTTng-UST", lttng_versions(res)),
        ("engine clock", hot.get("engine_clock", "?")),
        ("commit", f"{m.get('git_commit', '?')}"
         + (" plus uncommitted changes in " + ", ".join(f"`{x}`" for x in m["engine_tree_modified"][:12])
            + (" …" if len(m["engine_tree_modified"]) > 12 else "")
            if m.get("engine_tree_modified") else "")),
        ("repetitions", f"{m.get('repetitions', '?')}, `--benchmark_min_time={m.get('min_time', '?')}` "
         "for the fast cases; fixed-duration runs (contention, tracer end to end, "
         f"{seconds(res.programs['contention'].context.get('run_seconds'))} s; many paced producers, "
         f"{seconds(res.programs['contention'].context.get('paced_run_seconds'))} s per N) are one iteration each"),
        ("pinning", pinning_text(m)),
        ("duration", f"{m.get('seconds', '?')} s for the whole of `scripts/bench.sh`"
         + (" (" + ", ".join(f"{n} {v} s" for n, v in m["stages"]) + ")" if m.get("stages") else "")),
    ]
    lines.append(table(["", ""], rows, ["l", "l"]))
    lines.append("\nCommands, exactly as run (from the repository root):\n")
    lines.append("```sh\n./scripts/bench.sh\n# which ran:\n" + "\n".join(res.commands) + "\n```\n")
    return "\n".join(lines)
