#!/usr/bin/env bash
# Builds the benchmark suite in Release (build-bench/), runs it with
# repetitions, writes the JSON results to bench/results/ and regenerates
# BENCHMARKS.md from them (bench/render_benchmarks.py). About 7 minutes on a
# 2-core machine, build included.
#
# Pinning: single-threaded timed loops (hot path, direct exporter calls) pin
# their own thread to CPU $BENCH_CPU and, in the hot path, the tracer's
# exporter thread to CPU $BENCH_EXPORTER_CPU (bench/cpu_placement.hpp); the
# readers program runs under `taskset -c $BENCH_CPU`. Multi-threaded runs
# (contention, end-to-end tracer runs) are not pinned.
#
# LTTng-UST peer: hot_path_latency runs while an LTTng recording session
# enables hotspan_bench_on:* (bench/lttng_peer_on_tp.h), so that its case
# lttng/begin_end_2_fields_session records events; lttng/begin_end_disabled
# needs no session. A session daemon is started when none answers (as root
# the system-wide one, otherwise the user's own under ~/.lttng: applications
# register with both) and stopped afterwards only if this script started it.
# The session has LTTng's defaults: per-user buffers, one channel in discard
# mode. Its trace goes to a temporary directory under the build directory,
# deleted after the run; the discarded-event count is kept in
# bench/results/lttng_session.json. When the LTTng packages cannot be
# installed or the session cannot be made, the hot path runs without a
# session and the session case reports itself skipped.
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
# The LTTng-UST peer's packages (provider headers and library, session daemon)
# are optional: without them the suite runs without that peer.
if ! ./scripts/setup.sh liblttng-ust-dev lttng-tools; then
  echo "hotspan bench: LTTng-UST packages not installed: the hot path runs without its LTTng-UST peer" >&2
  ./scripts/setup.sh
fi

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

run() {  # logs the exact command line (quoted where a shell needs it), then runs it
  local line
  line=$(printf '%q ' "$@")
  printf '%s\n' "${line% }" >>"$commands"
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

lttng_session="hotspan-bench-$$"
lttng_trace=""     # the session's output directory while the session exists
lttng_sessiond=""  # pid of the session daemon this script started, if it did
lttng_summary="$results/lttng_session.json"

lttng_skip() {  # REASON: one line in the log and in the commands file; undoes what was made
  echo "hotspan bench: no LTTng session ($1): lttng/begin_end_2_fields_session will report skipped" >&2
  printf '# no LTTng session (%s): lttng/begin_end_2_fields_session skipped\n' "$1" >>"$commands"
  printf '{"session": null, "reason": "%s"}\n' "$1" >"$lttng_summary"
  lttng_session_end
}

lttng_session_begin() {
  if ! command -v lttng >/dev/null 2>&1 || ! command -v lttng-sessiond >/dev/null 2>&1; then
    lttng_skip "lttng-tools not installed"
    return
  fi
  if ! lttng list >/dev/null 2>&1; then
    # The daemon writes its pid in its run directory: the system's as root, ~/.lttng otherwise.
    local rundir=/var/run/lttng
    [ "$(id -u)" -ne 0 ] && rundir="${LTTNG_HOME:-$HOME}/.lttng"
    if ! run lttng-sessiond --daemonize --no-kernel >/dev/null 2>&1 ||
       ! lttng_sessiond=$(cat "$rundir/lttng-sessiond.pid" 2>/dev/null) || [ -z "$lttng_sessiond" ]; then
      lttng_skip "lttng-sessiond did not start"
      return
    fi
  fi
  lttng_trace=$(mktemp -d "$build_dir/lttng-trace.XXXXXX")
  if ! run lttng create "$lttng_session" --output="$lttng_trace" >/dev/null ||
     ! run lttng enable-event -u --session="$lttng_session" 'hotspan_bench_on:*' >/dev/null ||
     ! run lttng start "$lttng_session" >/dev/null; then
    lttng_skip "the session could not be created and started"
  fi
}

lttng_session_end() {  # idempotent; also right when nothing was made
  if [ -n "$lttng_trace" ]; then
    if lttng list "$lttng_session" >/dev/null 2>&1; then
      run lttng stop "$lttng_session" >/dev/null || true
      if [ ! -s "$lttng_summary" ]; then
        # Discard mode: an event that finds its ring buffer full is dropped, and counted.
        local discarded
        discarded=$(lttng list "$lttng_session" |
                    awk '/Discarded events:/ { n += $3; seen = 1 } END { print seen ? n : "null" }') ||
          discarded=null
        printf '{"session": "%s", "mode": "discard", "discarded_events": %s, "trace_bytes": %s}\n' \
          "$lttng_session" "$discarded" "$(du -sb "$lttng_trace" | cut -f1)" >"$lttng_summary"
      fi
      run lttng destroy "$lttng_session" >/dev/null || true
    fi
    rm -rf "$lttng_trace"
    lttng_trace=""
  fi
  if [ -n "$lttng_sessiond" ]; then
    kill "$lttng_sessiond" 2>/dev/null || true
    for _ in $(seq 50); do  # its consumer daemons leave with it
      kill -0 "$lttng_sessiond" 2>/dev/null || break
      sleep 0.1
    done
    lttng_sessiond=""
  fi
}

echo "== hotspan bench: hot path latency"
rm -f "$lttng_summary"
trap lttng_session_end EXIT
lttng_session_begin
run env HOTSPAN_BENCH_CPU="$cpu" HOTSPAN_BENCH_EXPORTER_CPU="$exporter_cpu" \
  "$build_dir/bench/hot_path_latency" "${common[@]}" \
  --benchmark_min_time="$min_time" --benchmark_out="$results/hot_path_latency.json"
lttng_session_end
trap - EXIT

stage_done "hot path latency"

echo "== hotspan bench: instruction profile (callgrind), where a span's time goes"
run env HOTSPAN_BENCH_CPU="$cpu" HOTSPAN_BENCH_EXPORTER_CPU="$exporter_cpu" \
  bench/span_cost_profile.sh "$build_dir" "$results"

stage_done "instruction profile"

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
