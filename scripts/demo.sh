#!/usr/bin/env bash
# hotspan demo: a relay chain traced across processes. Three hotspan_relay
# processes (guard, middle, exit) and hotspan_relay_client run on loopback TCP,
# passing 514-byte Tor-like cells that carry hotspan's 26-byte binary span
# context; each process writes its own binary trace file. The demo then merges
# the four files and shows one circuit as one trace across the four processes,
# and latency percentiles per operation.
#   scripts/demo.sh             the relay chain (builds in ./build)
#   scripts/demo.sh --circuit   the earlier demo: a simulated Tor-like client
#                               building circuits on 4 threads, in one process
set -euo pipefail
cd "$(dirname "$0")/.."
mode=relay
case "${1:-}" in
  --circuit) mode=circuit ;;
  '') ;;
  *) echo "demo.sh: unknown argument '$1' (use --circuit or nothing)" >&2; exit 2 ;;
esac
./scripts/setup.sh

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
hotspan=build/tools/hotspan
mkdir -p build/demo

if [ "$mode" = relay ]; then
  # hotspan_tool is the target of the `hotspan` executable (`hotspan` is the library).
  cmake --build build -j2 --target hotspan_relay hotspan_relay_client hotspan_tool
  dir=build/demo/relay
  echo
  echo "== 3 relays + 1 client on loopback: examples/relay/run_chain.sh (files in $dir)"
  timeout 300 examples/relay/run_chain.sh build/examples/relay/hotspan_relay \
    build/examples/relay/hotspan_relay_client "$dir" --circuits 20 --streams 3 --cells 100
  cat "$dir/client.out" "$dir/guard.out" "$dir/middle.out" "$dir/exit.out"

  # Each file holds one process's spans; their JSON Lines concatenate into one input.
  merged="$dir/merged.jsonl"
  for role in client guard middle exit; do "$hotspan" cat "$dir/$role.bin"; done >"$merged"
  trace=$(grep -m 1 '"name":"circuit"' "$merged" |
          sed -n 's/.*"trace_id":"\([0-9a-f]\{32\}\)".*/\1/p')
  echo
  echo "== one circuit, one trace across 4 processes (first 60 lines): $hotspan tree $merged --trace $trace"
  "$hotspan" tree "$merged" --trace "$trace" >"$dir/tree.txt"
  head -n 60 "$dir/tree.txt"
  echo "   ... (every stream cell goes client -> guard -> middle -> exit and back)"
  echo
  echo "== latency per operation, all processes: $hotspan stats $merged --by name"
  "$hotspan" stats "$merged" --by name
  echo
  echo "== $hotspan convert $merged --to chrome-json -o $dir/relay.chrome.json"
  "$hotspan" convert "$merged" --to chrome-json -o "$dir/relay.chrome.json"
  echo "wrote $dir/relay.chrome.json: open it in Perfetto UI, chrome://tracing or speedscope"
  echo
  echo "== $hotspan report $dir/{client,guard,middle,exit}.bin -o $dir/report.html"
  "$hotspan" report "$dir"/{client,guard,middle,exit}.bin -o "$dir/report.html"
  echo "wrote $dir/report.html: traces, waterfalls across the 4 processes, latency per operation"
  exit 0
fi

cmake --build build -j2 --target circuit_build hotspan_tool
mkdir -p build/demo
trace_file=build/demo/circuit_trace.bin
chrome_file=build/demo/circuit_trace.chrome.json

echo
./build/examples/circuit_build --out "$trace_file" --format binary --circuits 8 --threads 4

echo
echo "== $hotspan validate $trace_file"
"$hotspan" validate "$trace_file"

# The first trace in which a hop was retried: an error, then the retry. The
# binary file is not greppable; its spans as JSON Lines are.
retried=$("$hotspan" cat "$trace_file" | grep -m 1 '"hop.attempt":2' |
          sed -n 's/.*"trace_id":"\([0-9a-f]\{32\}\)".*/\1/p' || true)
echo
if [ -n "$retried" ]; then
  echo "== one trace, with a timed-out hop and its retry: $hotspan tree $trace_file --trace $retried"
  "$hotspan" tree "$trace_file" --trace "$retried"
else
  echo "== one trace: $hotspan tree $trace_file --limit 1"
  "$hotspan" tree "$trace_file" --limit 1
fi

echo
echo "== spans per name: $hotspan stats $trace_file --by name"
"$hotspan" stats "$trace_file" --by name

echo
echo "== $hotspan convert $trace_file --to chrome-json -o $chrome_file"
"$hotspan" convert "$trace_file" --to chrome-json -o "$chrome_file"
echo "wrote $chrome_file: open it in Perfetto UI, chrome://tracing or speedscope"
