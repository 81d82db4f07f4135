#!/usr/bin/env bash
# The relay chain end to end: three hotspan_relay processes and the client on
# loopback (examples/relay/run_chain.sh), then checks that
#   * every process exited 0 (the relays on SIGTERM) and lost no span;
#   * every cell was relayed: each hop passed on what the previous one sent,
#     in both directions, and every DATA cell came back intact;
#   * each circuit is one trace holding spans of all four services, with no
#     orphan, linked across processes client→guard→middle→exit and back.
#   relay_chain_test.sh RELAY CLIENT HOTSPAN_TOOL WORK_DIR
set -euo pipefail
relay=$1 client=$2 hotspan=$3 dir=$4
here="$(cd "$(dirname "$0")" && pwd)"
circuits=3 streams=2 cells=25

"$here/../../examples/relay/run_chain.sh" "$relay" "$client" "$dir" \
  --circuits "$circuits" --streams "$streams" --cells "$cells"

for role in client guard middle exit; do
  "$hotspan" cat "$dir/$role.bin" >"$dir/$role.jsonl"
done
cat "$dir"/{client,guard,middle,exit}.jsonl >"$dir/merged.jsonl"
"$hotspan" validate "$dir/merged.jsonl" >/dev/null

# `hotspan tree` names the service wherever the trace crosses into another
# process: each relay's first span of a circuit build.
trace=$(grep -m 1 -o '"trace_id":"[0-9a-f]*"' "$dir/client.jsonl" | cut -d'"' -f4)
"$hotspan" tree "$dir/merged.jsonl" --trace "$trace" >"$dir/tree.txt"
for service in relay-guard relay-middle relay-exit; do
  grep -q "relay.create .*  @$service\$" "$dir/tree.txt" || {
    echo "relay_chain_test: hotspan tree does not show the hop into $service" >&2
    exit 1
  }
done

PYTHONPATH="$here/../support" python3 - "$dir" "$circuits" "$streams" "$cells" <<'PY'
import json, sys, collections
from relay_chain_results import ROLES, Checks, read_counts
d, circuits, streams, cells = sys.argv[1], *map(int, sys.argv[2:5])
check = Checks("relay_chain_test")
counts = read_counts(d)
c, g, m, e = (counts[r] for r in ("client", "guard", "middle", "exit"))
data_cells = circuits * streams * cells
check(c["data_cells_sent"] == data_cells and c["data_cells_echoed"] == data_cells,
      f"client: {c}")
check(c["failed_circuits"] == 0, "client: failed circuits")
for role in ROLES:
    r = counts[role]
    check(r["spans_sampled"] == r["spans_exported"] and r["spans_sampled"] > 0,
          f"{role} lost spans: {r}")
for role, r in (("guard", g), ("middle", m), ("exit", e)):
    check(r["errors"] == 0, f"{role}: errors {r}")
    check(r["circuits"] == circuits, f"{role}: circuits {r}")
    check(r["forward_in"] == r["forwarded"] + r["handled"], f"{role}: forward {r}")
    check(r["backward_out"] == r["backward_in"] + r["handled"], f"{role}: backward {r}")
check(g["forwarded"] == m["forward_in"] and m["forwarded"] == e["forward_in"],
      "cells lost going forward")
check(e["backward_out"] == m["backward_in"] and m["backward_out"] == g["backward_in"],
      "cells lost coming back")
# Per circuit: 2 EXTENDs, and per stream BEGIN, the DATA cells, END.
check(e["handled"] == circuits * streams * (cells + 2), f"exit handled {e['handled']}")
check(g["handled"] == circuits and m["handled"] == circuits, "extends")

spans = [json.loads(l) for l in open(f"{d}/merged.jsonl")]
traces = collections.defaultdict(list)
for s in spans:
    traces[s["trace_id"]].append(s)
roots = [s for s in spans if s["name"] == "circuit"]
check(len(roots) == circuits and len(traces) == circuits,
      f"{len(roots)} circuit roots, {len(traces)} traces")
expected_links = {("client", "relay-guard"), ("relay-guard", "relay-middle"),
                  ("relay-middle", "relay-exit"), ("relay-exit", "relay-middle"),
                  ("relay-middle", "relay-guard")}
for trace_id, members in traces.items():
    by_id = {s["span_id"]: s for s in members}
    services = {s["service"] for s in members}
    check(services == {"client", "relay-guard", "relay-middle", "relay-exit"},
          f"trace {trace_id}: services {services}")
    links = set()
    for s in members:
        parent = s.get("parent_span_id")
        if parent is None:
            check(s["name"] == "circuit" and s["service"] == "client", f"root {s['name']}")
            continue
        check(parent in by_id, f"trace {trace_id}: orphan {s['service']} {s['name']}")
        if parent in by_id and by_id[parent]["service"] != s["service"]:
            links.add((by_id[parent]["service"], s["service"]))
    check(links == expected_links, f"trace {trace_id}: cross-process links {sorted(links)}")
    names = collections.Counter((s["service"], s["name"]) for s in members)
    check(names[("relay-exit", "exit.data")] == streams * cells, f"exit.data {names}")
    check(names[("relay-guard", "relay.create")] == 1 and names[("relay-middle", "relay.create")] == 1
          and names[("relay-exit", "relay.create")] == 1, "one relay.create per hop")

check.finish(f"{circuits} circuits, {len(spans)} spans in {len(traces)} traces across 4 processes")
PY
