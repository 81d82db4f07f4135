#!/usr/bin/env bash
# Tail sampling in the relay chain: every span recorded, each process keeping
# a 5 % baseline plus its slow traces, with a slow middle relay (every 10th
# CREATE answered 150 ms late). Checks that
#   * every process accounts for every span: sampled = exported + discarded;
#   * the client kept every slow circuit, whole, and nothing else but the
#     baseline (a trace id test that every process shares);
#   * the baseline traces are kept by all four processes alike;
#   * the middle relay kept each delayed relay.create;
#   * `hotspan stats` on the client's file finds the slow circuits.
#   tail_sampling_chain_test.sh RELAY CLIENT HOTSPAN_TOOL WORK_DIR
set -euo pipefail
relay=$1 client=$2 hotspan=$3 dir=$4
here="$(cd "$(dirname "$0")" && pwd)"
circuits=200 every=10 delay_ms=150

RELAY_ARGS="--tail-baseline 0.05 --tail-slow relay.create=100" \
  MIDDLE_ARGS="--delay-every $every --delay-ms $delay_ms" \
  "$here/../../examples/relay/run_chain.sh" "$relay" "$client" "$dir" \
  --circuits "$circuits" --streams 1 --cells 5 --tail-baseline 0.05 --tail-slow circuit=100

for role in client guard middle exit; do
  "$hotspan" cat "$dir/$role.bin" >"$dir/$role.jsonl"
done
"$hotspan" stats "$dir/client.bin" >"$dir/stats.txt"

PYTHONPATH="$here/../support" python3 - "$dir" "$circuits" "$every" "$delay_ms" <<'PY'
import json, math, sys, collections
from relay_chain_results import Checks, read_counts
d, circuits, every, delay_ms = sys.argv[1], *map(int, sys.argv[2:5])
check = Checks("tail_sampling_chain_test")
counts = read_counts(d)
for role, r in counts.items():
    check(r["spans_sampled"] == r["spans_exported"] + r["spans_discarded_by_tail_sampling"],
          f"{role}: spans not accounted for: {r}")
    check(r["spans_discarded_by_tail_sampling"] > 0, f"{role}: nothing discarded: {r}")
c = counts["client"]
check(c["failed_circuits"] == 0, f"client: {c}")
spans_per_circuit = c["spans_sampled"] // circuits

def baseline(trace_id):  # ratio_samples(): the low 56 bits below ceil(p * 2^56)
    return int(trace_id[18:], 16) < math.ceil(0.05 * 2**56)

def load(role):
    traces = collections.defaultdict(list)
    for line in open(f"{d}/{role}.jsonl"):
        s = json.loads(line)
        traces[s["trace_id"]].append(s)
    return traces

client = load("client")
slow = set()
for trace_id, spans in client.items():
    check(len(spans) == spans_per_circuit, f"client trace {trace_id}: {len(spans)} spans, not whole")
    root = [s for s in spans if s["name"] == "circuit"]
    check(len(root) == 1, f"client trace {trace_id}: no circuit root")
    if root:
        ms = (root[0]["end_unix_ns"] - root[0]["start_unix_ns"]) / 1e6
        if ms >= delay_ms:
            slow.add(trace_id)
        check(ms > 100 or baseline(trace_id), f"client kept a fast, non-baseline trace ({ms:.1f} ms)")
check(len(slow) == circuits // every, f"client kept {len(slow)} circuits of >= {delay_ms} ms, "
      f"expected {circuits // every}")
check(c["traces_kept_by_tail_sampling"] == len(client), f"client kept {len(client)} traces: {c}")

middle = load("middle")
delayed = [s for spans in middle.values() for s in spans
           if s["name"] == "relay.create" and "relay.delay_ms" in s.get("attributes", {})]
check(len(delayed) == circuits // every, f"middle kept {len(delayed)} delayed relay.create spans")
check(slow <= set(middle), "a slow circuit the client kept is missing at the middle relay")

base = {t for t in client if baseline(t)}
for role in ("guard", "middle", "exit"):
    kept = load(role)
    check(base <= set(kept), f"{role} lacks baseline traces {sorted(base - set(kept))[:3]}")

stats = open(f"{d}/stats.txt").read()
check(any(t in stats for t in slow), "hotspan stats does not list a slow circuit")

check.finish(f"client kept {len(client)} of {circuits} circuits ({len(slow)} slow, "
             f"{len(base)} baseline); {c['spans_discarded_by_tail_sampling']} spans discarded "
             "and counted")
PY
