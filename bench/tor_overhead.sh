#!/usr/bin/env bash
# What tracing costs inside the real tor: the same private Tor network on
# loopback (scripts/tor_network.sh), the same traffic, with tor built three
# ways (scripts/tor_build.sh --variant) and traced seven ways:
#
#   none            tor without tracing (every tracepoint compiles to nothing)
#   lttng-idle      tor's LTTng-UST backend, no session (tracepoints disabled)
#   lttng-session   the same, with a user-space session recording every
#                   tor_circuit event to a trace directory (lttng-sessiond)
#   hotspan-idle    hotspan's backend compiled in, no exporter configured
#   hotspan-off     hotspan tracing to a file, OTEL_TRACES_SAMPLER=always_off
#   hotspan-1%      ... traceidratio 0.01
#   hotspan-all     ... always_on: every span recorded and written
#
# The rounds are interleaved (round 1 runs every configuration, then round
# 2, ...; the order rotates each round), so that the machine's drift touches
# every configuration alike. The tors run in the foreground (RunAsDaemon 0):
# LTTng-UST does not follow a fork() without its preloaded fork wrapper, and
# every configuration runs alike. Per run it records (tor_network.sh --measure)
# the CPU time of every tor during the traffic, the bytes fetched and the
# build time of each circuit the client built meanwhile (its ControlPort's
# LAUNCHED to BUILT). Reported per configuration: the relays' CPU time per
# MB fetched (each byte crosses 3 relays), the client's, and the circuit
# build time P50/P99 over all rounds (3-hop circuits).
#
#   bench/tor_overhead.sh [ROUNDS]      (default 3)
#
# Environment: TOR_BENCH_CIRCUITS (default 48), TOR_BENCH_FETCH_BYTES (default
# 16777216: one 16 MiB fetch per circuit, 805 MB per run, about a minute), TOR_BENCH_CONFIGS (a subset, space
# separated), TOR_BENCH_WORK (default build/tor-overhead: each run's network
# and log), TOR_BENCH_RESULT (default bench/results/tor_overhead.json).
# Writes the runs to the result file and regenerates BENCHMARKS.md (its
# section "Inside tor", bench/render_benchmarks.py), which it prints.
# Needs root or password-less sudo (apt-get for the tor builds, lttng-tools).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
rounds=${1:-3}
circuits=${TOR_BENCH_CIRCUITS:-48}
fetch_bytes=${TOR_BENCH_FETCH_BYTES:-16777216}
configs=(${TOR_BENCH_CONFIGS:-none lttng-idle lttng-session hotspan-idle hotspan-off hotspan-1% hotspan-all})
out=${TOR_BENCH_WORK:-build/tor-overhead}
result=${TOR_BENCH_RESULT:-bench/results/tor_overhead.json}
prog=tor_overhead.sh
log() { printf '%s [%s] %s\n' "$prog" "$(date +%H:%M:%S)" "$*"; }
die() { echo "$prog: error: $*" >&2; exit 1; }
[[ $rounds =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive number, not '$rounds'"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi
}

# --- the three builds ---------------------------------------------------------
declare -A tor_of
for variant in none lttng hotspan; do
  log "scripts/tor_build.sh --variant $variant"
  build_log=$(mktemp)
  ./scripts/tor_build.sh --variant "$variant" >"$build_log" 2>&1 ||
    { tail -20 "$build_log" >&2; die "tor_build.sh --variant $variant failed"; }
  tor_of[$variant]=$(sed -n 's/^tor: *//p' "$build_log" | tail -n 1)
  gencert=$(sed -n 's/^tor-gencert: *//p' "$build_log" | tail -n 1)
  rm -f "$build_log"
done
hotspan_tool=$repo/build/tools/hotspan
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j2 --target hotspan_tool >/dev/null

# --- LTTng: a session daemon for the user-space session -----------------------
lttng_ok=0
if [[ " ${configs[*]} " == *" lttng-session "* ]]; then
  if ! command -v lttng >/dev/null; then
    log "installing lttng-tools"
    as_root apt-get install -y -qq --no-install-recommends lttng-tools >/dev/null
  fi
  if lttng list >/dev/null 2>&1 || lttng-sessiond --daemonize --no-kernel >/dev/null 2>&1; then
    sleep 1
    lttng list >/dev/null 2>&1 && lttng_ok=1
  fi
  ((lttng_ok)) || log "lttng-sessiond does not run here: lttng-session is left out"
fi

# --- the runs -----------------------------------------------------------------
mkdir -p "$out/runs"
runs=$out/runs.txt
: >"$runs"
run_one() {  # config round
  local config=$1 round=$2 variant dir=$out/runs/$1-$2 env=() extra=() measure
  case "$config" in
    none) variant=none ;;
    lttng-*) variant=lttng ;;
    hotspan-*) variant=hotspan ;;
  esac
  case "$config" in
    hotspan-off) env=(OTEL_TRACES_SAMPLER=always_off) ;;
    hotspan-1%) env=(OTEL_TRACES_SAMPLER=traceidratio OTEL_TRACES_SAMPLER_ARG=0.01) ;;
    hotspan-all) env=(OTEL_TRACES_SAMPLER=always_on) ;;
  esac
  [[ $config == hotspan-idle || $variant != hotspan ]] || extra=(--trace)
  rm -rf "$dir"
  measure=$out/runs/$config-$round.measure
  if [ "$config" = lttng-session ]; then
    lttng create "hotspan-bench-$round" --output="$dir-lttng" >/dev/null
    lttng enable-event --userspace 'tor_circuit:*' >/dev/null
    lttng start >/dev/null
  fi
  local rc=0
  env ${env[@]+"${env[@]}"} "$repo/scripts/tor_network.sh" --tor "${tor_of[$variant]}" --tor-gencert "$gencert" \
    --dir "$dir" --circuits "$circuits" --streams 1 --parallel 4 --fetch-size "$fetch_bytes" --foreground \
    --measure "$measure" ${extra[@]+"${extra[@]}"} >"$out/runs/$config-$round.log" 2>&1 || rc=$?
  if [ "$config" = lttng-session ]; then
    lttng stop >/dev/null
    lttng destroy >/dev/null
    # The session must have recorded: its data streams hold the events.
    local recorded
    recorded=$(find "$dir-lttng" -type f -name 'channel*' -printf '%s\n' 2>/dev/null | awk '{ s += $1 } END { print s + 0 }')
    ((recorded > 0)) || die "$config, round $round: the LTTng session recorded nothing in $dir-lttng"
    log "$config round $round: the LTTng session wrote $recorded bytes of events"
  fi
  [ "$rc" -eq 0 ] || { tail -20 "$out/runs/$config-$round.log" >&2; die "the network of $config, round $round, failed"; }
  # One line: config round bytes relays_ticks client_ticks ticks_per_s build_ms...
  awk -v c="$config" -v r="$round" '
    $1 == "bytes" { bytes = $2 } $1 == "clock_ticks_per_s" { hz = $2 }
    $1 == "cpu" && ($3 == "relay" || $3 == "exit") { relays += $4 }
    $1 == "cpu" && $3 == "client" { client += $4 }
    $1 == "build_ms" && $3 == 3 { builds = builds " " $4 }
    END { printf "%s %s %d %d %d %d%s\n", c, r, bytes, relays, client, hz, builds }' "$measure" >>"$runs"
  if [ "$config" = hotspan-all ]; then
    # Every span written: the exit line of each tor says so.
    ! grep -h "hotspan tracing: [0-9]* spans written, [1-9][0-9]* dropped" "$dir"/*/notice.log ||
      die "$config, round $round: a tor dropped spans"
  fi
  log "$config round $round: $(tail -n 1 "$runs" | awk '{ printf "%.1f MB, relays %.2f s CPU, client %.2f s, %d circuits built", $3 / 1e6, $4 / $6, $5 / $6, NF - 6 }')"
}

for ((round = 1; round <= rounds; round++)); do
  n=${#configs[@]}
  for ((k = 0; k < n; k++)); do
    config=${configs[$(((k + round - 1) % n))]}
    [ "$config" != lttng-session ] || ((lttng_ok)) || continue
    run_one "$config" "$round"
  done
done

# --- the result ---------------------------------------------------------------
python3 - "$runs" "$result" "$rounds" "$circuits" "$fetch_bytes" "${configs[@]}" <<'PY'
import json, os, platform, subprocess, sys, time
runs_file, result, rounds, circuits, fetch_bytes, configs = (sys.argv[1], sys.argv[2], int(sys.argv[3]),
                                                             int(sys.argv[4]), int(sys.argv[5]), sys.argv[6:])
runs = []
for line in open(runs_file):
    f = line.split()
    runs.append({"config": f[0], "round": int(f[1]), "bytes": int(f[2]), "relay_ticks": int(f[3]),
                 "client_ticks": int(f[4]), "ticks_per_s": int(f[5]), "builds_ms": [float(x) for x in f[6:]]})
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
json.dump({"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "commit": commit,
           "command": f"bench/tor_overhead.sh {rounds}", "rounds": rounds, "circuits": circuits,
           "fetch_bytes": fetch_bytes, "configs": configs,
           "machine": f"{cpu}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}",
           "runs": runs}, open(result, "w"), indent=1)
PY
python3 bench/render_benchmarks.py render
sed -n '/^## Inside tor/,/^## /p' BENCHMARKS.md | sed '$d'
log "wrote $result and BENCHMARKS.md"
