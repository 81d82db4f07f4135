#!/usr/bin/env bash
# Runs the relay chain once: three hotspan_relay processes (guard, middle,
# exit) on free loopback ports, then hotspan_relay_client through them, then
# SIGTERM to the relays. Each process writes its spans to DIR/ROLE.bin and what
# it printed to DIR/ROLE.out (stdout) and DIR/ROLE.err (stderr).
#
#   run_chain.sh RELAY_BINARY CLIENT_BINARY DIR [CLIENT_ARGUMENTS...]
#
# RELAY_ARGS (environment): more arguments for every relay; MIDDLE_ARGS: for
# the middle relay only (such as "--delay-every 10": a slow relay).
#
# Exits 0 when the client and all three relays exited 0. Never hangs: every
# wait has a deadline, and leftover processes are killed on any exit.
set -euo pipefail
if [ $# -lt 3 ]; then
  sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
relay=$1 client=$2 dir=$3
shift 3
mkdir -p "$dir"
rm -f "$dir"/*.port "$dir"/*.bin "$dir"/*.out "$dir"/*.err

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

roles=(guard middle exit)
for role in "${roles[@]}"; do
  extra=(${RELAY_ARGS:-})
  if [ "$role" = middle ]; then extra+=(${MIDDLE_ARGS:-}); fi
  "$relay" --role "$role" --port-file "$dir/$role.port" --trace "$dir/$role.bin" "${extra[@]}" \
    >"$dir/$role.out" 2>"$dir/$role.err" &
  pids+=($!)
done

# The port files appear once each relay listens (written by rename: whole or absent).
for role in "${roles[@]}"; do
  for _ in $(seq 100); do
    [ -s "$dir/$role.port" ] && break
    sleep 0.1
  done
  if [ ! -s "$dir/$role.port" ]; then
    echo "run_chain.sh: relay $role did not start within 10 s:" >&2
    cat "$dir/$role.err" >&2
    exit 1
  fi
done

status=0
timeout 120 "$client" --guard "$(cat "$dir/guard.port")" --middle "$(cat "$dir/middle.port")" \
  --exit "$(cat "$dir/exit.port")" --trace "$dir/client.bin" "$@" \
  >"$dir/client.out" 2>"$dir/client.err" || status=$?
if [ "$status" -ne 0 ]; then
  echo "run_chain.sh: the client failed (exit status $status):" >&2
  cat "$dir/client.err" >&2
fi

# Stop the relays; each flushes its tracer and exits within a few seconds. The
# client's last DESTROY is one-way: give it a moment to travel the chain, so
# that the exit does not tear the circuit down itself for stopping first.
sleep 0.3
kill -TERM "${pids[@]}" 2>/dev/null || true
for i in 0 1 2; do
  role=${roles[$i]}
  for _ in $(seq 100); do
    kill -0 "${pids[$i]}" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "${pids[$i]}" 2>/dev/null; then
    echo "run_chain.sh: relay $role did not stop within 10 s of SIGTERM" >&2
    status=1
    continue
  fi
  relay_status=0
  wait "${pids[$i]}" || relay_status=$?
  if [ "$relay_status" -ne 0 ]; then
    echo "run_chain.sh: relay $role exited with status $relay_status:" >&2
    cat "$dir/$role.err" >&2
    status=1
  fi
done
exit "$status"
