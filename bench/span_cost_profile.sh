#!/usr/bin/env bash
# Where a span's time goes on its caller's thread, counted in instructions:
# runs bench/span_cost_profile under callgrind once per case, collecting only
# inside the case's function (--toggle-collect, after the warm-up's costs are
# zeroed by --zero-before), and writes RESULTS_DIR/span_cost_profile.json
# (bench/span_cost_profile.py reads the callgrind files). Also records
# whether `perf stat` can count cycles, instructions and cache misses here;
# when it can, counts them for the sampled 2-attribute case with the exporter
# thread on its own CPU and on the caller's. About 10 s.
#
#   bench/span_cost_profile.sh [BUILD_DIR [RESULTS_DIR]]   (build-bench, bench/results)
#
# The program must be built (scripts/bench.sh builds it). valgrind, and perf
# (Debian: linux-perf), are installed by scripts/setup.sh when missing.
# HOTSPAN_BENCH_CPU and HOTSPAN_BENCH_EXPORTER_CPU place the threads of the
# perf runs as in hot_path_latency. Raw outputs stay in BUILD_DIR/span-cost-profile/.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir="${1:-build-bench}"
results="${2:-bench/results}"
program="$build_dir/bench/span_cost_profile"
work="$build_dir/span-cost-profile"
spans=100000

missing=()
command -v valgrind >/dev/null 2>&1 || missing+=(valgrind)
command -v perf >/dev/null 2>&1 || missing+=(linux-perf)
# perf is optional (its absence is recorded); valgrind is not.
[ ${#missing[@]} -eq 0 ] || ./scripts/setup.sh "${missing[@]}" || true
if ! command -v valgrind >/dev/null 2>&1; then
  echo "span_cost_profile: valgrind is needed" >&2
  exit 1
fi
if [ ! -x "$program" ]; then
  echo "span_cost_profile: $program is missing: configure with -DHOTSPAN_BUILD_BENCHMARKS=ON and build it" >&2
  exit 1
fi

rm -rf "$work"
mkdir -p "$work" "$results"
commands="$work/commands.txt"
: >"$commands"
run() {  # logs the exact command line, then runs it
  printf '%s\n' "$*" >>"$commands"
  "$@"
}

valgrind --version >"$work/valgrind.version"
"$program" --list >"$work/cases.txt"
while IFS=$'\t' read -r name function; do
  if ! run valgrind --tool=callgrind --separate-threads=yes --collect-atstart=no \
         --toggle-collect="$function(*" --zero-before='span_cost::measurement_starts(*' \
         --callgrind-out-file="$work/$name.callgrind.%p" \
         "$program" --spans "$spans" "$name" >"$work/$name.out" 2>"$work/$name.valgrind"; then
    cat "$work/$name.valgrind" >&2
    exit 1
  fi
done <"$work/cases.txt"

# perf stat: can it count these events here? (On many VMs: "<not supported>".)
perf_events=cycles,instructions,cache-misses
if command -v perf >/dev/null 2>&1; then
  perf stat -x, -e "$perf_events" -o "$work/perf-check.txt" -- true >/dev/null 2>"$work/perf-check.err" || true
  if python3 bench/span_cost_profile.py --perf-works "$work"; then
    # Counted over the whole process: the counts of a short and a long run
    # differ by the measured spans alone (same start-up, warm-up and shutdown).
    for placement in own_cpu caller_cpu; do
      option=()
      [ "$placement" = caller_cpu ] && option=(--exporter-on-caller-cpu)
      for n in 200000 1000000; do
        run perf stat -x, -e "$perf_events" -o "$work/perf-$placement-$n.txt" -- \
          "$program" --spans "$n" "${option[@]}" sampled_2_attributes >"$work/perf-$placement-$n.out"
      done
    done
  fi
else
  echo "perf: command not found" >"$work/perf-check.err"
fi

python3 bench/span_cost_profile.py "$work" "$results/span_cost_profile.json"
