"""BENCHMARKS.md from the suite's results (bench/render_benchmarks.py is the
command line), one module per concept.

results: the result files; formatting: figures and tables; stats: arithmetic
on figures that may be missing; machine_record: the `machine` command;
document: the page, put together from one module per section (preamble,
targets, targets_issue16, machine_and_method, hot_path, span_cost_profile,
lttng_peer, backend_throughput, contention, readers, relay_budget,
relay_chain, tor_overhead, comparison), with
program_section and flat_out shared by the sections of the benchmark programs,
and many_producers the paced runs of the contention program with their target.
"""
