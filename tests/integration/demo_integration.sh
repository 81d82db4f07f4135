#!/usr/bin/env bash
# Integration: the demo program writes JSON Lines, and the hotspan tool reads
# them back into the seed report's tree and a per-name table.
set -euo pipefail
circuit_build="$1"
hotspan="$2"
work="$3"
mkdir -p "$work"
trace="$work/circuit_trace.jsonl"

"$circuit_build" --out "$trace" --format jsonl --circuits 6 --threads 3 >"$work/demo.out"
lines=$(wc -l <"$trace")
[ "$lines" -gt 50 ] || { echo "expected more than 50 spans, got $lines"; exit 1; }

"$hotspan" tree "$trace" --limit 2 >"$work/tree.out"
for name in build-circuit select-guard select-middle select-exit extend-circuit create-hop-1 create-hop-3; do
  grep -q -- "$name" "$work/tree.out" || { echo "tree lacks $name"; cat "$work/tree.out"; exit 1; }
done
grep -q -- "├─\|└─" "$work/tree.out" || { echo "tree is not drawn"; exit 1; }

"$hotspan" stats "$trace" --by name >"$work/stats.out"
grep -q "build-circuit" "$work/stats.out" || { echo "stats lacks build-circuit"; exit 1; }

# Bad input: a clear error and a non-zero exit, never a crash.
printf '{"trace_id": 12}\nnot json\n' >"$work/bad.jsonl"
if "$hotspan" tree "$work/bad.jsonl" >"$work/bad.out" 2>"$work/bad.err"; then
  echo "malformed input was accepted"; exit 1
fi
grep -q "line 1" "$work/bad.err" || { echo "error does not name the line"; cat "$work/bad.err"; exit 1; }
if "$hotspan" stats "$work/missing.jsonl" 2>/dev/null; then echo "missing file accepted"; exit 1; fi
echo "demo integration: $lines spans, tree and stats as expected"
