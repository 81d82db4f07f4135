#!/usr/bin/env bash
# Builds the benchmark suite in Release (build-bench/), runs it with
# repetitions, writes the JSON results to bench/results/ and regenerates
# BENCHMARKS.md from them (bench/render_benchmarks.py). About 6 minutes on a
# 2-core machine, build included.
#
# Pinning: single-threaded timed loops (hot path, direct exporter calls) pin
# their own thread to CPU $BENCH_CPU and, in the hot path, the tracer's
# exporter thread to CPU $BENCH_EXPORTER_CPU (bench/cpu_placement.hpp); the
# readers program runs under `taskset -c $BENCH_CPU`. Multi-threaded runs
# (contention, end-to-end tracer runs) are not pinned.
#
# Environment:
#   BENCH_REPETITIONS=5   repetitions of every benchmark (median and spread reported)
#   BENCH_MIN_TIME=0.2    seconds per repetition of the fast benchmarks
#   BENCH_CPU=1           CPU of the timed thread ("" = pin nothing)
#   BENCH_EXPORTER_CPU=0  CPU of the hot path's exporter thread
#   BENCH_SPANS=1000000   spans in the files the readers read
#   BUILD_DIR=build-bench
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
./scripts/setup.sh

repetitions="${BENCH_REPETITIONS:-5}"
min_time="${BENCH_MIN_TIME:-0.2}"
spans="${BENCH_SPANS:-1000000}"
build_dir="${BUILD_DIR:-build-bench}"
results=bench/results
data="$build_dir/bench-data"
cpu="${BENCH_CPU-1}"
exporter_cpu="${BENCH_EXPORTER_CPU-0}"
if [ -n "$cpu" ] && { ! command -v taskset >/dev/null 2>&1 || [ "$(nproc)" -le "$cpu" ] ||
                      [ "$(nproc)" -le "${exporter_cpu:-0}" ] || [ "$cpu" = "$exporter_cpu" ]; }; then
  echo "hotspan bench: taskset missing or fewer than 2 usable CPUs: nothing is pinned" >&2
  cpu=""
fi
[ -z "$cpu" ] && exporter_cpu=""
taskset_prefix=()
[ -n "$cpu" ] && taskset_prefix=(taskset -c "$cpu")

echo "== hotspan bench: configure and build ($build_dir, Release)"
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DHOTSPAN_SANITIZE= \
  -DHOTSPAN_BUILD_BENCHMARKS=ON -DHOTSPAN_BUILD_TOOLS=ON \
  -DHOTSPAN_BUILD_TESTS=OFF -DHOTSPAN_BUILD_EXAMPLES=OFF -DHOTSPAN_BUILD_FUZZERS=OFF >/dev/null
cmake --build "$build_dir" -j2

mkdir -p "$results" "$data"
commands="$results/commands.txt"
: >"$commands"
common=(--benchmark_repetitions="$repetitions" --benchmark_report_aggregates_only=true
        --benchmark_out_format=json)

run() {  # logs the exact command line, then runs it
  printf '%s\n' "$*" >>"$commands"
  "$@"
}

stages=()
stage_start=$started  # the first stage is set-up and the build
stage_done() {  # NAME: records how long the stage that just ended took
  local now
  now=$(date +%s)
  stages+=(--stage "$1=$((now - stage_start))")
  echo "   ($1: $((now - stage_start)) s)"
  stage_start=$now
}

stage_done "setup and build"

echo "== hotspan bench: hot path latency"
run env HOTSPAN_BENCH_CPU="$cpu" HOTSPAN_BENCH_EXPORTER_CPU="$exporter_cpu" \
  "$build_dir/bench/hot_path_latency" "${common[@]}" \
  --benchmark_min_time="$min_time" --benchmark_out="$results/hot_path_latency.json"

stage_done "hot path latency"

echo "== hotspan bench: backend throughput"
run env HOTSPAN_BENCH_CPU="$cpu" "$build_dir/bench/backend_throughput" "${common[@]}" \
  --benchmark_min_time="$min_time" --benchmark_out="$results/backend_throughput.json"

stage_done "backend throughput"

echo "== hotspan bench: contention"
run "$build_dir/bench/contention" "${common[@]}" --benchmark_out="$results/contention.json"

stage_done "contention"

echo "== hotspan bench: the relay chain, tracing compiled out / off / 1 % / on"
run "$build_dir/bench/relay_chain" >"$results/relay.json"

stage_done "relay chain"

echo "== hotspan bench: readers and the hotspan tool on $spans spans"
binary_file="$data/spans.hsb"
jsonl_file="$data/spans.jsonl"
stamp="$data/spans.count"
# Written once, again only when the generator was rebuilt or the size changed.
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$spans" ] ||
   [ "$build_dir/bench/make_trace_files" -nt "$stamp" ]; then
  run "$build_dir/bench/make_trace_files" "$spans" "$binary_file" "$jsonl_file"
  echo "$spans" >"$stamp"
else
  printf '%s\n' "$build_dir/bench/make_trace_files $spans $binary_file $jsonl_file  # (files reused)" >>"$commands"
fi
run "${taskset_prefix[@]}" "$build_dir/bench/readers" "${common[@]}" \
  --benchmark_min_time="$min_time" --benchmark_out="$results/readers.json" \
  "$binary_file" "$jsonl_file" "$build_dir/tools/hotspan"

stage_done "readers and tool"
finished=$(date +%s)
echo "== hotspan bench: BENCHMARKS.md"
python3 bench/render_benchmarks.py machine --build-dir "$build_dir" --results "$results" \
  --seconds "$((finished - started))" --repetitions "$repetitions" --min-time "$min_time" \
  --pinned-cpu "$cpu" --exporter-cpu "$exporter_cpu" "${stages[@]}"
python3 bench/render_benchmarks.py render --results "$results" --out BENCHMARKS.md
echo "hotspan bench: done in $((finished - started)) s; results in $results/, tables in BENCHMARKS.md"
