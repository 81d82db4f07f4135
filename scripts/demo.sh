#!/usr/bin/env bash
# hotspan demo: a relay chain traced across processes. Three hotspan_relay
# processes (guard, middle, exit) and hotspan_relay_client run on loopback TCP,
# passing 514-byte Tor-like cells that carry hotspan's 26-byte binary span
# context; each process writes its own binary trace file. The demo then merges
# the four files and shows one circuit as one trace across the four processes,
# and latency percentiles per operation.
#   scripts/demo.sh             the relay chain (builds in ./build)
#   scripts/demo.sh --tail      the relay chain with tail sampling: every span
#                               recorded, each process keeping 1 % of its
#                               traces plus every slow one (the middle relay
#                               answers every 25th CREATE 150 ms late), and
#                               `hotspan stats` still finding the slow circuits
#   scripts/demo.sh --circuit   the earlier demo: a simulated Tor-like client
#                               building circuits on 4 threads, in one process
#   scripts/demo.sh --tor       the real tor: builds it with hotspan's backend
#                               (scripts/tor_build.sh: root or password-less
#                               sudo, about 5 minutes the first time), runs a
#                               private Tor network on loopback with every node
#                               tracing and sending span contexts in the ntor
#                               v3 handshake (HotspanTraceContext 1), and shows
#                               one real circuit as one trace across the client
#                               and its 3 relays, the client's circuit build
#                               times and an HTML report
set -euo pipefail
cd "$(dirname "$0")/.."
mode=relay
case "${1:-}" in
  --circuit) mode=circuit ;;
  --tor) mode=tor ;;
  --tail) mode=tail ;;
  '') ;;
  *) echo "demo.sh: unknown argument '$1' (use --circuit, --tail, --tor or nothing)" >&2; exit 2 ;;
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

if [ "$mode" = tail ]; then
  cmake --build build -j2 --target hotspan_relay hotspan_relay_client hotspan_tool
  dir=build/demo/tail
  echo
  echo "== 300 circuits through 3 relays, tail sampling in every process (files in $dir):"
  echo "   every span recorded; kept: traces with an error, slow roots (client: circuit > 100 ms,"
  echo "   relays: relay.create > 100 ms) and a 1 % baseline by trace id; the middle relay"
  echo "   answers every 25th CREATE 150 ms late"
  RELAY_ARGS="--tail-baseline 0.01 --tail-slow relay.create=100" \
    MIDDLE_ARGS="--delay-every 25 --delay-ms 150" \
    timeout 300 examples/relay/run_chain.sh build/examples/relay/hotspan_relay \
    build/examples/relay/hotspan_relay_client "$dir" --circuits 300 --streams 1 --cells 5 \
    --tail-baseline 0.01 --tail-slow circuit=100
  cat "$dir/client.out" "$dir/guard.out" "$dir/middle.out" "$dir/exit.out"
  echo
  echo "== what the client kept: $hotspan stats $dir/client.bin"
  "$hotspan" stats "$dir/client.bin"
  merged="$dir/merged.jsonl"
  for role in client guard middle exit; do "$hotspan" cat "$dir/$role.bin" 2>/dev/null; done >"$merged"
  trace=$("$hotspan" stats "$dir/client.bin" | awk '/^slowest/ { getline; getline; print $1; exit }')
  echo
  echo "== the slowest circuit, as the client and the middle relay kept it: $hotspan tree $merged --trace $trace"
  "$hotspan" tree "$merged" --trace "$trace" | head -n 40
  echo "   The guard and the exit saw nothing slow and discarded their part of this circuit:"
  echo "   tail decisions are local to each process (docs/GUIDE.md, Tail-based sampling). The"
  echo "   1 % baseline, a function of the trace id, is the one decision all four share."
  exit 0
fi

if [ "$mode" = tor ]; then
  cmake --build build -j2 --target hotspan_tool
  dir=$PWD/build/demo/tor
  echo
  echo "== scripts/tor_build.sh: tor $(sed -n 's/^pinned_version=//p' scripts/tor_build.sh) from Debian's source, with hotspan's backend"
  mkdir -p build/demo
  build_log=build/demo/tor_build.log
  if ! scripts/tor_build.sh >"$build_log" 2>&1; then
    tail -n 25 "$build_log" >&2
    echo "demo.sh: scripts/tor_build.sh failed (log: $build_log)" >&2
    exit 1
  fi
  grep -E '^tor_build.sh +[0-9.]+s +total' "$build_log" || true
  tor_bin=$(sed -n 's/^tor: *//p' "$build_log" | tail -n 1)
  echo "tor: $tor_bin"

  echo
  echo "== a private Tor network on loopback, every node tracing: scripts/tor_network.sh --trace --torrc-extra \"all:HotspanTraceContext 1\" (files in $dir)"
  scripts/tor_network.sh --tor "$tor_bin" --trace --dir "$dir" --circuits 20 \
    --torrc-extra "all:HotspanTraceContext 1"

  # One circuit of the traffic: a client circuit that opened through 3 relays
  # (a GENERAL one if there is one; the others are mostly conflux legs).
  client=$dir/client.trace
  "$hotspan" cat "$client" >"$dir/client.jsonl"
  # Every node's spans in one file: the relays' spans of a circuit are in the
  # client's trace (their parent is the client's create-hop span).
  merged=$dir/merged.jsonl
  for f in "$dir"/*.trace; do "$hotspan" cat "$f"; done >"$merged"
  opened=$(grep '"name":"build-circuit"' "$dir/client.jsonl" | grep '"status":"ok"' |
           grep '"circuit.hops":3' || true)
  line=$(grep -m 1 '"circuit.purpose":"GENERAL"' <<<"$opened" || head -n 1 <<<"$opened")
  trace=$(sed -n 's/.*"trace_id":"\([0-9a-f]\{32\}\)".*/\1/p' <<<"$line")
  circuit=$(sed -n 's/.*"circuit.id":\([0-9]*\).*/\1/p' <<<"$line")
  echo
  if [ -n "$trace" ]; then
    echo "== one real circuit, one trace across the client and its 3 relays: $hotspan tree $merged --trace $trace --attributes 4"
    "$hotspan" tree "$merged" --trace "$trace" --attributes 4
    echo "   the client's ControlPort on circuit $circuit:"
    grep "^$circuit BUILT " "$dir/traffic/circuit-status.txt" | cut -d ' ' -f 1-3 | sed 's/^/   /' || true
  else
    echo "== the client's first traces: $hotspan tree $client --limit 3"
    "$hotspan" tree "$client" --limit 3
  fi
  echo "   (@relayN: the spans recorded by that tor; relay-circuit lasts until the relay frees the circuit, onion-skin is its handshake on a cpuworker thread)"
  echo
  echo "== the client's circuit build times: $hotspan stats $client --by name"
  "$hotspan" stats "$client" --by name
  echo
  files=()
  for f in "$dir"/*.trace; do files+=("$f"); done
  echo "== $hotspan report $dir/*.trace -o $dir/tor_report.html"
  "$hotspan" report "${files[@]}" -o "$dir/tor_report.html"
  echo "wrote $dir/tor_report.html: every node's circuits (${#files[@]} tor processes), waterfalls, P50/P95/P99 per span name"
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
