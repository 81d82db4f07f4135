#!/usr/bin/env bash
# hotspan demo: builds the circuit_build example and the hotspan tool, traces a
# simulated Tor-like client building circuits on 4 threads into a binary trace
# file, then shows the result with the tool: the file validated, one trace as a
# tree (one where a hop timed out and was retried, when there is one),
# statistics per span name, and the trace converted for Perfetto UI.
#   scripts/demo.sh    (from anywhere; builds in ./build)
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
# hotspan_tool is the target of the `hotspan` executable (`hotspan` is the library).
cmake --build build -j2 --target circuit_build hotspan_tool

mkdir -p build/demo
trace_file=build/demo/circuit_trace.bin
chrome_file=build/demo/circuit_trace.chrome.json
hotspan=build/tools/hotspan

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
