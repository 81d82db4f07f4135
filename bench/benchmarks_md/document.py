"""BENCHMARKS.md, put together from its sections in order."""

from .backend_throughput import backend_section
from .comparison import comparison_section
from .contention import contention_section
from .hot_path import hot_path_section
from .lttng_peer import lttng_peer_section
from .machine_and_method import machine_section
from .preamble import load_warning, preamble
from .readers import readers_section
from .relay_budget import relay_budget_section
from .relay_chain import relay_chain_section
from .results import ResultSet
from .span_cost_profile import span_cost_profile_section
from .targets import closing_section, target_rows, targets_section
from .targets_issue16 import issue16_target_rows, issue16_targets_section
from .tor_overhead import tor_section


def render(results_dir):
    """The text of BENCHMARKS.md from RESULTS_DIR."""
    res = ResultSet(results_dir)
    rows = target_rows(res)  # judged once: the table at the top and the closing note agree
    rows16 = issue16_target_rows(res)
    parts = [
        preamble(res),
        load_warning(res),
        targets_section(rows),
        issue16_targets_section(rows16, res),
        machine_section(res),
        hot_path_section(res),
        span_cost_profile_section(res),
        lttng_peer_section(res),
        backend_section(res),
        contention_section(res),
        readers_section(res),
        relay_budget_section(res),
        relay_chain_section(res),
        tor_section(res),
        comparison_section(res),
        closing_section(rows + rows16),
    ]
    # A section left out ("") still adds its separating line, as the page always had.
    return "\n".join(parts).rstrip() + "\n"
