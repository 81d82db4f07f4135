"""Section "For context": what hotspan replaces, figures reported elsewhere
beside this run's."""

from .formatting import fmt_count, fmt_ns, table


def comparison_section(res):
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
                    (f"hotspan, this run", f"{fmt_ns(res.hot('unsampled_always_off'))} ns",
                     f"{fmt_ns(res.hot('sampled_2_attributes'))} ns, "
                     f"{fmt_count(res.hot('sampled_2_attributes', 'allocs/op'))} allocations",
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
