#!/usr/bin/env bash
# Starts a private Tor network on 127.0.0.1 and drives HTTP traffic through it:
# 3 directory authorities, relays (some of them exits), one client with a
# SocksPort, and a local HTTP server that the client fetches from with curl,
# one SOCKS username per circuit so that every circuit is a new one. Every tor
# process is stopped on exit (also on error and Ctrl-C); each node's directory
# stays behind with its torrc, notice.log and, with tracing on, its trace file.
#
#   scripts/tor_network.sh [OPTIONS]
#
# Options (environment variable in brackets):
#   --tor PATH            tor binary [TOR; default: tor on PATH]
#   --tor-gencert PATH    tor-gencert binary [TOR_GENCERT; default: beside
#                         --tor, else on PATH]
#   --dir DIR             work directory; must be empty, new, or one this
#                         script made before (then it is wiped)
#                         [default: a new /tmp/hotspan-tor-network.XXXXXX]
#   --base-port N         first of the consecutive loopback ports used
#                         (2 per tor node + 1 for HTTP) [TOR_NETWORK_BASE_PORT;
#                         default 17000, moved up by 100 while any is taken]
#   --relays N            relays besides the authorities (default 5, min 3)
#   --exits N             how many of those relays are exits (default 2)
#   --circuits N          circuits to drive, one SOCKS username each (default 20)
#   --streams N           HTTP fetches per circuit (default 2)
#   --parallel N          fetches in flight at once (default 4)
#   --bootstrap-timeout S seconds to wait for the network (default 150)
#   --fetch-timeout S     curl --max-time of one fetch (default 60)
#   --fetch-size BYTES    every fetch gets one file of this size (default: files
#                         of 1 KiB, 64 KiB and 1 MiB in turn)
#   --measure FILE        write what the traffic cost to FILE: each tor's CPU
#                         time (user + system, from /proc) during the traffic,
#                         the bytes fetched, and the build time of each circuit
#                         the client launched and built meanwhile (from its
#                         ControlPort's CIRC events); see bench/tor_overhead.sh
#   --trace-dir DIR       tracing on: each node gets HOTSPAN_FILE=DIR/NODE.trace
#                         and OTEL_SERVICE_NAME=NODE
#   --trace               the same as --trace-dir WORKDIR
#   --node-env NAME=VAL   set NAME for every tor process; in VAL, {node} is
#                         the node's name, {dir} its directory, {role} one of
#                         authority, relay, exit, client (repeatable)
#   --env-hook PROG       run "PROG NODE NODEDIR ROLE" before each tor starts;
#                         each NAME=VALUE line it prints is set for that node
#   --torrc-extra WHO:LINE  add LINE to the torrc of the nodes WHO names: a
#                         node (client, relay0, exit1, auth2), a role
#                         (authority, relay, exit, client) or all; e.g.
#                         --torrc-extra "client:Sandbox 1" (repeatable)
#   --tor-log LEVEL       also log at LEVEL (info or debug) to NODEDIR/LEVEL.log
#   --foreground          tor processes do not daemonize (RunAsDaemon 0),
#                         for debugging; the default is RunAsDaemon 1
#   --keep-running        after the traffic, keep the network up until Ctrl-C
#   -h, --help            this text
#
# HOTSPAN_* and OTEL_* variables of the caller reach every tor process; a
# {node}, {dir} or {role} in their values is replaced per node, so
# HOTSPAN_FILE=/tmp/t/{node}.trace also gives one file per process.
# Exits 0 when the network bootstrapped and at least one fetch succeeded.
set -euo pipefail

prog=tor_network.sh
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
die() { echo "$prog: error: $*" >&2; exit 1; }
log() { printf '%s [%5.1fs] %s\n' "$prog" "$(elapsed)" "$*"; }
now_ms() { date +%s%3N; }
t_start=$(now_ms)
elapsed() { local t; t=$(now_ms); awk -v d=$((t - t_start)) 'BEGIN { printf "%.1f", d / 1000 }'; }
# Sleeps in the background and waits for it: a signal sent to this script alone
# (not to its process group, as Ctrl-C does) then runs its trap at once; bash
# drops a SIGINT that arrives during a foreground command that survives it.
nap() { sleep "$1" & wait $! || true; }
secs_since() { local t; t=$(now_ms); awk -v d=$((t - $1)) 'BEGIN { printf "%.1f", d / 1000 }'; }

tor_bin=${TOR:-}
gencert_bin=${TOR_GENCERT:-}
work_dir=
base_port=${TOR_NETWORK_BASE_PORT:-}
n_relays=5
n_exits=2
n_circuits=20
n_streams=2
parallel=4
boot_timeout=150
fetch_timeout=60
fetch_size=
measure_file=
trace_dir=
trace_in_work=0
node_env=() torrc_extra=()
env_hook=
foreground=0
keep_running=0
extra_log=

need_arg() { [ $# -ge 2 ] || die "$1 needs a value (see --help)"; }
is_uint() { [[ $1 =~ ^[0-9]+$ ]] || die "$2 must be a whole number, not '$1'"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --tor) need_arg "$@"; tor_bin=$2; shift ;;
    --tor-gencert) need_arg "$@"; gencert_bin=$2; shift ;;
    --dir) need_arg "$@"; work_dir=$2; shift ;;
    --base-port) need_arg "$@"; base_port=$2; shift ;;
    --relays) need_arg "$@"; n_relays=$2; shift ;;
    --exits) need_arg "$@"; n_exits=$2; shift ;;
    --circuits) need_arg "$@"; n_circuits=$2; shift ;;
    --streams) need_arg "$@"; n_streams=$2; shift ;;
    --parallel) need_arg "$@"; parallel=$2; shift ;;
    --bootstrap-timeout) need_arg "$@"; boot_timeout=$2; shift ;;
    --fetch-timeout) need_arg "$@"; fetch_timeout=$2; shift ;;
    --fetch-size) need_arg "$@"; fetch_size=$2; shift ;;
    --measure) need_arg "$@"; measure_file=$2; shift ;;
    --trace-dir) need_arg "$@"; trace_dir=$2; shift ;;
    --trace) trace_in_work=1 ;;
    --node-env) need_arg "$@"; [[ $2 =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] ||
                  die "--node-env wants NAME=VALUE, not '$2'"; node_env+=("$2"); shift ;;
    --env-hook) need_arg "$@"; env_hook=$2; shift ;;
    --torrc-extra) need_arg "$@"; [[ $2 =~ ^[A-Za-z0-9_]+:.+ ]] ||
                  die "--torrc-extra wants WHO:LINE, not '$2'"; torrc_extra+=("$2"); shift ;;
    --tor-log) need_arg "$@"; extra_log=$2; shift
               [[ $extra_log =~ ^(debug|info|notice|warn|err)$ ]] || die "--tor-log wants info or debug, not '$extra_log'" ;;
    --foreground) foreground=1 ;;
    --keep-running) keep_running=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "$prog: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

for v in relays:n_relays exits:n_exits circuits:n_circuits streams:n_streams parallel:parallel \
         bootstrap-timeout:boot_timeout fetch-timeout:fetch_timeout; do
  var=${v#*:}
  is_uint "${!var}" "--${v%%:*}"
done
[ -z "$base_port" ] || is_uint "$base_port" --base-port
[ -z "$fetch_size" ] || is_uint "$fetch_size" --fetch-size
if [ -n "$measure_file" ]; then
  touch "$measure_file" 2>/dev/null || die "--measure: cannot write '$measure_file'"
  measure_file=$(cd "$(dirname "$measure_file")" && pwd)/$(basename "$measure_file")
fi
((n_relays >= 3)) || die "--relays must be at least 3 (a circuit has 3 hops)"
((n_exits >= 1 && n_exits <= n_relays - 2)) ||
  die "--exits must be between 1 and relays-2 ($((n_relays - 2))) so that guards and middles remain"
((n_circuits >= 1 && n_streams >= 1 && parallel >= 1)) ||
  die "--circuits, --streams and --parallel must be at least 1"

# --- tools -----------------------------------------------------------------
resolve_bin() {  # name path -> absolute path of an executable
  local p
  p=$(command -v -- "$2" 2>/dev/null) || die "$1 not found: '$2' (use --$1 PATH)"
  [ -x "$p" ] || die "$1 is not executable: $p"
  case "$p" in /*) ;; *) p="$PWD/$p" ;; esac
  echo "$p"
}
tor_bin=$(resolve_bin tor "${tor_bin:-tor}")
if [ -z "$gencert_bin" ]; then
  if [ -x "$(dirname "$tor_bin")/tor-gencert" ]; then
    gencert_bin="$(dirname "$tor_bin")/tor-gencert"
  else
    gencert_bin=tor-gencert
  fi
fi
gencert_bin=$(resolve_bin tor-gencert "$gencert_bin")
for t in curl python3 awk; do command -v "$t" >/dev/null || die "$t is needed but not on PATH"; done
[ -z "$env_hook" ] || env_hook=$(resolve_bin env-hook "$env_hook")
version_text=$("$tor_bin" --version 2>&1) || { echo "$version_text" >&2; die "$tor_bin --version failed"; }
tor_version=$(grep -m 1 '^Tor version' <<<"$version_text" || true)
tor_version=${tor_version:-unknown version}

# --- nodes and ports -----------------------------------------------------------
# Node i uses ports base+2i (ORPort, or the client's SocksPort) and base+2i+1
# (an authority's DirPort, or the client's ControlPort); HTTP is the port after.
names=() roles=()
for i in 0 1 2; do names+=("auth$i"); roles+=(authority); done
for ((i = 0; i < n_relays - n_exits; i++)); do names+=("relay$i"); roles+=(relay); done
for ((i = 0; i < n_exits; i++)); do names+=("exit$i"); roles+=(exit); done
names+=(client); roles+=(client)
n_nodes=${#names[@]}
n_ports=$((2 * n_nodes + 1))

busy_ports() {  # base count -> the ports of [base, base+count) that cannot be bound
  python3 - "$1" "$2" <<'EOF'
import socket, sys
base, count = int(sys.argv[1]), int(sys.argv[2])
busy = []
for port in range(base, base + count):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as tor's listeners do
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        busy.append(str(port))
    finally:
        s.close()
print(" ".join(busy))
EOF
}
if [ -n "$base_port" ]; then
  ((base_port >= 1024 && base_port + n_ports <= 65536)) || die "--base-port $base_port is out of range"
  busy=$(busy_ports "$base_port" "$n_ports")
  [ -z "$busy" ] || die "ports in use in $base_port..$((base_port + n_ports - 1)): $busy (pick another --base-port)"
else
  base_port=17000
  for ((try = 0; ; try++)); do
    busy=$(busy_ports "$base_port" "$n_ports")
    [ -n "$busy" ] || break
    ((try < 40)) || die "no free range of $n_ports ports found from 17000 up (use --base-port)"
    base_port=$((base_port + 100))
  done
fi
http_port=$((base_port + 2 * n_nodes))
port_a() { echo $((base_port + 2 * $1)); }
port_b() { echo $((base_port + 2 * $1 + 1)); }
client_i=$((n_nodes - 1))
socks_port=$(port_a "$client_i")
control_port=$(port_b "$client_i")

# --- work directory ----------------------------------------------------------
marker=.hotspan-tor-network
if [ -z "$work_dir" ]; then
  work_dir=$(mktemp -d /tmp/hotspan-tor-network.XXXXXX)
else
  mkdir -p "$work_dir"
  work_dir=$(cd "$work_dir" && pwd)
  if [ -e "$work_dir/$marker" ]; then
    for pf in "$work_dir"/*/pid; do
      [ -f "$pf" ] || continue
      pid=$(cat "$pf" 2>/dev/null || true)
      if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null &&
         tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$(dirname "$pf")/torrc"; then
        die "tor from an earlier run still runs there (pid $pid, $pf); stop it first"
      fi
    done
    find "$work_dir" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
  elif [ -n "$(ls -A "$work_dir")" ]; then
    die "--dir $work_dir is not empty and was not made by this script"
  fi
fi
touch "$work_dir/$marker"
((trace_in_work == 0)) || trace_dir=${trace_dir:-$work_dir}
if [ -n "$trace_dir" ]; then
  mkdir -p "$trace_dir"
  trace_dir=$(cd "$trace_dir" && pwd)  # tor chdirs to / when it daemonizes
fi

# --- cleanup ---------------------------------------------------------------------
tor_pids=()     # pid of node i, once known
http_pid=
fg_pids=()      # --foreground: the tor processes are children of this script
cleaned=0

node_pid() {  # i -> pid of node i's tor when it is alive and really that tor
  local i=$1 pid=${tor_pids[$1]:-} d="$work_dir/${names[$1]}"
  if [ -z "$pid" ] && [ -f "$d/pid" ]; then pid=$(cat "$d/pid" 2>/dev/null || true); fi
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$d/torrc" || return 1
  echo "$pid"
}

# What a tor that does not exit after SIGINT is doing: its threads' names,
# kernel wait points and system calls, and, where gdb is installed, their
# stacks; written to <node>/hang.txt before it is sent SIGTERM.
describe_hang() {  # i pid
  local i=$1 pid=$2 out="$work_dir/${names[$1]}/hang.txt" t
  {
    echo "${names[$i]} (pid $pid) still runs after SIGINT; its threads:"
    for t in /proc/"$pid"/task/*; do
      echo "-- $(cat "$t/comm" 2>/dev/null) (tid ${t##*/}): wchan $(cat "$t/wchan" 2>/dev/null), syscall $(cut -d' ' -f1 "$t/syscall" 2>/dev/null)"
      cat "$t/stack" 2>/dev/null || true
    done
    if command -v gdb >/dev/null 2>&1; then
      timeout 20 gdb -p "$pid" -batch -ex 'thread apply all bt' 2>&1 || true
    fi
  } >"$out" 2>&1
  echo "$prog: ${names[$i]} (pid $pid) did not exit after SIGINT; its threads: $out" >&2
}

stop_tors() {
  # SIGINT (a relay then exits after ShutdownWaitLength), then SIGTERM, then SIGKILL.
  local sig i pid alive deadline
  for sig in INT TERM KILL; do
    alive=()
    for ((i = n_nodes - 1; i >= 0; i--)); do
      if pid=$(node_pid "$i"); then
        [ "$sig" != TERM ] || describe_hang "$i" "$pid"
        alive+=("$pid")
        kill -s "$sig" "$pid" 2>/dev/null || true
      fi
    done
    ((${#alive[@]})) || return 0
    [ "$sig" = INT ] || echo "$prog: sent SIG$sig to tor pids ${alive[*]}" >&2
    case $sig in INT) deadline=$((SECONDS + 15)) ;; TERM) deadline=$((SECONDS + 5)) ;; KILL) deadline=$((SECONDS + 3)) ;; esac
    while ((SECONDS < deadline)); do
      local left=0
      for pid in "${alive[@]}"; do kill -0 "$pid" 2>/dev/null && left=1; done
      ((left)) || return 0
      sleep 0.2
    done
  done
}

cleanup() {
  local rc=$?
  ((cleaned == 0)) || return 0
  cleaned=1
  trap '' INT TERM
  if [ -n "$http_pid" ]; then
    kill "$http_pid" 2>/dev/null || true
    wait "$http_pid" 2>/dev/null || true
  fi
  stop_tors
  local pid
  for pid in "${fg_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  local i left=()
  for ((i = 0; i < n_nodes; i++)); do node_pid "$i" >/dev/null && left+=("${names[$i]}"); done
  if ((${#left[@]})); then
    echo "$prog: error: tor still running for: ${left[*]}" >&2
    rc=1
  fi
  if [ "$rc" = 0 ]; then
    log "all tor processes and the HTTP server stopped; total ${SECONDS}s; files in $work_dir"
  else
    echo "$prog: stopped everything that was started; files are in $work_dir" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
# shellcheck disable=SC2034  # read in the traps
keeping=0  # --keep-running: Ctrl-C is the normal way to stop
trap 'echo "$prog: interrupted" >&2; exit $((keeping ? 0 : 130))' INT
trap 'echo "$prog: terminated" >&2; exit $((keeping ? 0 : 143))' TERM

tail_logs() {  # i... -> the last lines of those nodes' notice logs
  local i f
  for i in "$@"; do
    f="$work_dir/${names[$i]}/notice.log"
    echo "--- ${names[$i]} (${roles[$i]}): last lines of $f" >&2
    if [ -s "$f" ]; then tail -n 6 "$f" >&2
    elif [ -s "$work_dir/${names[$i]}/stdout.log" ]; then tail -n 6 "$work_dir/${names[$i]}/stdout.log" >&2
    else echo "(empty)" >&2; fi
  done
}

# --- keys and torrc files ------------------------------------------------------
# Helper runs of tor (fingerprints) must not write to any node's trace file.
helper_env=()
while IFS= read -r v; do helper_env+=(-u "$v"); done < <(compgen -e | grep -E '^(HOTSPAN|OTEL)_' || true)

make_keys() {  # i -> the node's keys in its directory; "ok" in keys.status when done
  local i=$1 d="$work_dir/${names[$1]}"
  if [ "${roles[$i]}" = authority ]; then
    mkdir -m 700 "$d/keys"
    # An empty passphrase: the authority identity key of a test network is not secret.
    (cd "$d/keys" && echo "" | "$gencert_bin" --create-identity-key -m 12 \
      -a "127.0.0.1:$(port_b "$i")" --passphrase-fd 0 >"$d/keys.log" 2>&1) ||
      { echo "tor-gencert failed" >"$d/keys.status"; return; }
  fi
  # The relay identity keys, and DataDirectory/fingerprint.
  env "${helper_env[@]}" "$tor_bin" --quiet --ignore-missing-torrc -f /dev/null \
    --list-fingerprint --ORPort 1 --DataDirectory "$d" >/dev/null 2>>"$d/keys.log" ||
    { echo "tor --list-fingerprint failed" >"$d/keys.status"; return; }
  echo ok >"$d/keys.status"
}

log "tor: $tor_bin ($tor_version)"
if [ -z "$trace_dir" ] && [ -n "${HOTSPAN_FILE:-}" ] && [[ $HOTSPAN_FILE != *\{node\}* ]]; then
  log "warning: every tor process writes HOTSPAN_FILE=$HOTSPAN_FILE; use --trace, --trace-dir or {node} in it"
fi
log "work directory: $work_dir; ports $base_port..$((base_port + n_ports - 1))"
keygen_pids=()
for ((i = 0; i < n_nodes; i++)); do
  mkdir -m 700 "$work_dir/${names[$i]}"
  [ "${roles[$i]}" = client ] && continue
  make_keys "$i" &
  keygen_pids+=($!)
done
for pid in "${keygen_pids[@]}"; do wait "$pid" || true; done
fps=()
dirauth_lines=
exit_fps=
guard_fps=
for ((i = 0; i < n_nodes; i++)); do
  d="$work_dir/${names[$i]}"
  [ "${roles[$i]}" != client ] || { fps+=(""); continue; }
  status=$(cat "$d/keys.status" 2>/dev/null || echo "key generation did not finish")
  [ "$status" = ok ] || { cat "$d/keys.log" >&2 2>/dev/null; die "${names[$i]}: $status"; }
  fps+=("$(awk '{ print $2 }' "$d/fingerprint")")
  [ -n "${fps[$i]}" ] || die "no fingerprint in $d/fingerprint"
  if [ "${roles[$i]}" = authority ]; then
    v3ident=$(awk '$1 == "fingerprint" { print $2 }' "$d/keys/authority_certificate")
    [ -n "$v3ident" ] || die "no fingerprint in $d/keys/authority_certificate"
    dirauth_lines+="DirAuthority ${names[$i]} orport=$(port_a "$i") no-v2 v3ident=$v3ident 127.0.0.1:$(port_b "$i") ${fps[$i]}"$'\n'
  fi
  [ "${roles[$i]}" != exit ] || exit_fps+="${exit_fps:+,}\$${fps[$i]}"
  [ "${roles[$i]}" != relay ] || guard_fps+="${guard_fps:+,}\$${fps[$i]}"
done

: >"$work_dir/geoip-empty"
echo "nameserver 127.0.0.1" >"$work_dir/resolv.conf"
{
  date +%s
  for ((i = 0; i < n_nodes; i++)); do
    [ -z "${fps[$i]}" ] || echo "node_id=\$${fps[$i]} bw=1000"
  done
} >"$work_dir/bandwidths"

write_torrc() {  # i
  local i=$1 name=${names[$1]} role=${roles[$1]} d="$work_dir/${names[$1]}"
  {
    echo "# ${name} (${role}) of the hotspan test network, made by scripts/tor_network.sh"
    echo "TestingTorNetwork 1"
    echo "Nickname $name"
    echo "DataDirectory $d"
    echo "PidFile $d/pid"
    echo "Log notice file $d/notice.log"
    [ -z "$extra_log" ] || echo "Log $extra_log file $d/$extra_log.log"
    echo "RunAsDaemon $((1 - foreground))"
    echo "SafeLogging 0"
    echo "ShutdownWaitLength 2"
    echo "Address 127.0.0.1"
    echo "AssumeReachable 1"
    echo "ClientUseIPv6 0"
    echo "ContactInfo hotspan-test-network@localhost"
    # No GeoIP database: reading it takes a second per process and nothing
    # here needs countries.
    echo "GeoIPFile $work_dir/geoip-empty"
    echo "GeoIPv6File $work_dir/geoip-empty"
    # Voting every 10 seconds from the start: the first consensus comes a few
    # seconds after the authorities start; relays are in the next ones.
    echo "TestingV3AuthInitialVotingInterval 10"
    echo "TestingV3AuthInitialVoteDelay 2"
    echo "TestingV3AuthInitialDistDelay 2"
    echo "V3AuthVotingInterval 10"
    echo "V3AuthVoteDelay 2"
    echo "V3AuthDistDelay 2"
    echo "TestingMinExitFlagThreshold 0"
    echo "TestingMinFastFlagThreshold 0"
    printf '%s' "$dirauth_lines"
    case $role in
      authority)
        echo "AuthoritativeDirectory 1"
        echo "V3AuthoritativeDirectory 1"
        echo "ORPort 127.0.0.1:$(port_a "$i")"
        echo "DirPort 127.0.0.1:$(port_b "$i")"
        echo "SocksPort 0"
        echo "ExitRelay 0"
        # Guards are the relays that are not exits: with an exit as its guard,
        # a client could only ever use the other exits.
        echo "TestingDirAuthVoteGuard $guard_fps"
        echo "TestingDirAuthVoteGuardIsStrict 1"
        # Every relay Stable from the start: a client takes only Stable relays
        # as guards, and a new relay would wait for days of uptime.
        echo "AuthDirVoteStableGuaranteeMinUptime 0"
        echo "AuthDirVoteStableGuaranteeMTBF 0"
        echo "TestingDirAuthVoteHSDir 127.0.0.1"
        echo "TestingDirAuthVoteExit $exit_fps"
        echo "TestingDirAuthVoteExitIsStrict 1"
        # Equal measured bandwidth for every relay, so that the client spreads
        # its circuits over all guards, middles and exits (a new relay's own
        # bandwidth estimate is close to 0 and differs between relays).
        echo "V3BandwidthsFile $work_dir/bandwidths"
        ;;
      relay)
        echo "ORPort 127.0.0.1:$(port_a "$i")"
        echo "SocksPort 0"
        echo "ExitRelay 0"
        ;;
      exit)
        echo "ORPort 127.0.0.1:$(port_a "$i")"
        echo "SocksPort 0"
        echo "ExitRelay 1"
        echo "IPv6Exit 0"
        echo "ExitPolicyRejectPrivate 0"
        # Clients use microdescriptors, whose exit policy summary leaves out
        # rules for single or private addresses such as 127.0.0.1: without
        # "accept *:PORT" no client would see an exit for the HTTP port.
        # Connections to other hosts than 127.0.0.1 still cannot leave the
        # machine: they would have to start from 127.0.0.1, which
        # OutboundBindAddressExit sets.
        echo "ExitPolicy accept 127.0.0.1:$http_port"
        echo "ExitPolicy accept *:$http_port"
        echo "ExitPolicy reject *:*"
        echo "OutboundBindAddressExit 127.0.0.1"
        # No DNS beyond this machine: a nameserver on loopback (there is none,
        # and the fetches name 127.0.0.1 itself) and no hijacking tests, which
        # would look up well-known public host names.
        echo "ServerDNSResolvConfFile $work_dir/resolv.conf"
        echo "ServerDNSDetectHijacking 0"
        ;;
      client)
        echo "SocksPort 127.0.0.1:$socks_port"
        echo "ControlPort 127.0.0.1:$control_port"
        echo "CookieAuthentication 1"
        ;;
    esac
    local x
    for x in ${torrc_extra[@]+"${torrc_extra[@]}"}; do
      case ${x%%:*} in all|"$name"|"$role") echo "${x#*:}" ;; esac
    done
  } >"$d/torrc"
}
for ((i = 0; i < n_nodes; i++)); do write_torrc "$i"; done

# --- starting tor ----------------------------------------------------------------
subst() {  # value node dir role -> value with {node} {dir} {role} replaced
  local v=$1
  v=${v//\{node\}/$2}; v=${v//\{dir\}/$3}; v=${v//\{role\}/$4}
  printf '%s' "$v"
}

node_environment() {  # i -> NAME=VALUE lines for node i
  local i=$1 name=${names[$1]} role=${roles[$1]} d="$work_dir/${names[$1]}" v line
  while IFS= read -r v; do
    [[ ${!v} == *\{* ]] && printf '%s=%s\n' "$v" "$(subst "${!v}" "$name" "$d" "$role")"
  done < <(compgen -e | grep -E '^(HOTSPAN|OTEL)_' || true)
  if [ -n "$trace_dir" ]; then
    printf 'HOTSPAN_FILE=%s\nOTEL_SERVICE_NAME=%s\n' "$trace_dir/$name.trace" "$name"
  fi
  for line in "${node_env[@]}"; do subst "$line" "$name" "$d" "$role"; echo; done
  if [ -n "$env_hook" ]; then
    "$env_hook" "$name" "$d" "$role" >"$d/env-hook.out" 2>"$d/env-hook.err" ||
      { echo "$prog: error: --env-hook failed for $name:" >&2; cat "$d/env-hook.err" >&2; return 1; }
    grep -E '^[A-Za-z_][A-Za-z0-9_]*=' "$d/env-hook.out" || true
  fi
}

start_group() {  # roles -> starts the tor processes of all nodes of those roles at once
  local wanted=" $* " i d line envs launchers=() pid rc deadline
  for ((i = 0; i < n_nodes; i++)); do
    [[ $wanted == *" ${roles[$i]} "* ]] || continue
    d="$work_dir/${names[$i]}"
    node_environment "$i" >"$d/env" || exit 1
    envs=()
    while IFS= read -r line; do envs+=("$line"); done <"$d/env"
    if ((foreground)); then
      env "${envs[@]}" "$tor_bin" -f "$d/torrc" >"$d/stdout.log" 2>&1 &
      fg_pids+=($!)
      tor_pids[i]=$!
    else
      # The parent returns once the daemon has started; the daemon writes PidFile.
      (
        rc=0
        env "${envs[@]}" "$tor_bin" -f "$d/torrc" >"$d/stdout.log" 2>&1 || rc=$?
        echo "$rc" >"$d/launch.rc"
      ) &
      launchers+=($!)
    fi
  done
  for pid in "${launchers[@]}"; do wait "$pid" || true; done
  ((foreground == 0)) || return 0
  for ((i = 0; i < n_nodes; i++)); do
    [[ $wanted == *" ${roles[$i]} "* ]] || continue
    d="$work_dir/${names[$i]}"
    rc=$(cat "$d/launch.rc" 2>/dev/null || echo "?")
    [ "$rc" = 0 ] || { tail_logs "$i"; die "tor for ${names[$i]} failed to start (exit $rc)"; }
    deadline=$((SECONDS + 10))
    until [ -s "$d/pid" ]; do
      ((SECONDS < deadline)) || { tail_logs "$i"; die "tor for ${names[$i]} wrote no PidFile ($d/pid)"; }
      nap 0.1
    done
    tor_pids[i]=$(cat "$d/pid")
  done
}

check_alive() {  # fails with logs when a started tor has gone
  local i
  for ((i = 0; i < n_nodes; i++)); do
    [ -n "${tor_pids[$i]:-}" ] || continue
    node_pid "$i" >/dev/null && continue
    tail_logs "$i"
    die "tor for ${names[$i]} exited early (pid ${tor_pids[$i]})"
  done
}

t_net=$(now_ms)
start_group authority
start_group relay exit
start_group client
nap 0.5
check_alive
log "started ${#names[@]} tor processes: ${names[*]}"

# --- the HTTP server -----------------------------------------------------------
www="$work_dir/http/www"
mkdir -p "$www"
file_names=(1k.bin 64k.bin 1m.bin)
file_sizes=(1024 65536 1048576)
if [ -n "$fetch_size" ]; then
  file_names=(data.bin)
  file_sizes=("$fetch_size")
fi
for ((k = 0; k < ${#file_names[@]}; k++)); do
  head -c "${file_sizes[$k]}" /dev/urandom >"$www/${file_names[$k]}"
done
python3 -m http.server "$http_port" --bind 127.0.0.1 --directory "$www" \
  >"$work_dir/http/server.log" 2>&1 &
http_pid=$!
deadline=$((SECONDS + 10))
until curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$http_port/1k.bin"; do
  kill -0 "$http_pid" 2>/dev/null || { cat "$work_dir/http/server.log" >&2; die "the HTTP server exited"; }
  ((SECONDS < deadline)) || die "the HTTP server on 127.0.0.1:$http_port does not answer"
  nap 0.2
done

# --- waiting for the network ---------------------------------------------------------
client_dir="$work_dir/client"
n_routers=$((n_nodes - 1))
n_guards=$((n_relays - n_exits))
consensus_state() {  # -> "routers exits guards" in the client's consensus
  local f="$client_dir/cached-microdesc-consensus"
  [ -s "$f" ] || { echo "0 0 0"; return; }
  # An exit needs Exit; a guard Guard and Stable (a client's rule); both Running.
  awk '$1 == "r" { n++; nick = $2 }
       $1 == "s" && / Running( |$)/ && nick ~ /^exit/ && / Exit( |$)/ { e++ }
       $1 == "s" && / Running( |$)/ && nick ~ /^relay/ && / Guard( |$)/ && / Stable( |$)/ { g++ }
       END { printf "%d %d %d\n", n, e, g }' "$f"
}

# An exit refuses streams from a previous hop missing in its own consensus
# ("unknown relay"), so every relay must have a consensus listing all relays,
# not only the client. -> the names of the relays whose consensus lacks some.
lagging_relays() {
  local i f
  for ((i = 0; i < n_nodes; i++)); do
    [[ ${roles[$i]} == relay || ${roles[$i]} == exit ]] || continue
    f="$work_dir/${names[$i]}/cached-consensus"  # a relay uses the full consensus
    if [ ! -s "$f" ] || (($(grep -c '^r ' "$f") < n_routers)); then printf '%s ' "${names[$i]}"; fi
  done
}

log "waiting for the client to bootstrap and for consensuses with all $n_routers relays (timeout ${boot_timeout}s)"
deadline=$((SECONDS + boot_timeout))
boot_s=
while :; do
  check_alive
  if [ -z "$boot_s" ] && grep -q "Bootstrapped 100%" "$client_dir/notice.log" 2>/dev/null; then
    boot_s=$(secs_since "$t_net")
    log "client: Bootstrapped 100% after ${boot_s}s"
  fi
  read -r routers exits_ok guards_ok < <(consensus_state)
  lagging=$(lagging_relays)
  if [ -n "$boot_s" ] && [ -z "$lagging" ] &&
     ((routers >= n_routers && exits_ok >= n_exits && guards_ok >= n_guards)); then
    break
  fi
  if ((SECONDS >= deadline)); then
    echo "$prog: error: the network did not come up in ${boot_timeout}s:" \
      "client bootstrapped: ${boot_s:-no}; its consensus lists $routers of $n_routers relays," \
      "$exits_ok of $n_exits exits with the Exit flag, $guards_ok of $n_guards guards with Guard and Stable;" \
      "relays whose own consensus lacks some: ${lagging:-none}" >&2
    grep -o "Bootstrapped [0-9]*%[^\"]*" "$client_dir/notice.log" 2>/dev/null | tail -n 1 | sed 's/^/client: /' >&2 || true
    # The stuck nodes: the client, every relay its consensus does not list,
    # and every relay whose own consensus is behind.
    listed=" $(awk '$1 == "r" { printf "%s ", $2 }' "$client_dir/cached-microdesc-consensus" 2>/dev/null || true)"
    stuck=()
    for ((i = 0; i < n_nodes; i++)); do
      if [[ ${roles[$i]} == client || $listed != *" ${names[$i]} "* || " $lagging" == *" ${names[$i]} "* ]]; then
        stuck+=("$i")
      fi
    done
    tail_logs "${stuck[@]}"
    exit 1
  fi
  nap 0.5
done
net_s=$(secs_since "$t_net")
log "network ready after ${net_s}s: $routers relays in the client's and every relay's consensus, $exits_ok exits, $guards_ok guards"

# --- traffic ---------------------------------------------------------------------
fetch() {  # circuit stream [max-time] -> one line: circuit stream file expected http size seconds curl-rc
  local c=$1 s=$2 k=$(( ($1 + $2) % ${#file_names[@]} )) out rc=0
  out=$(curl -sS --max-time "${3:-$fetch_timeout}" --socks5-hostname "127.0.0.1:$socks_port" \
    --proxy-user "circuit$c:x" -o /dev/null -w '%{http_code} %{size_download} %{time_total}' \
    "http://127.0.0.1:$http_port/${file_names[$k]}" 2>>"$work_dir/traffic/curl.err") || rc=$?
  echo "$c $s ${file_names[$k]} ${file_sizes[$k]} ${out:-000 0 0} $rc"
}

# The first circuit waits until the client has the relays' descriptors.
mkdir -p "$work_dir/traffic"
: >"$work_dir/traffic/curl.err"
t_first=$(now_ms)
deadline=$((SECONDS + 60))
while :; do
  check_alive
  line=$(fetch 0 0 10)
  read -r _ _ _ want code got _ _ <<<"$line"
  [ "$code" = 200 ] && [ "$got" = "$want" ] && break
  ((SECONDS < deadline)) || { tail_logs "$client_i"; die "no fetch through the client succeeded within 60s of bootstrap (last: $line)"; }
  nap 1
done
first_s=$(secs_since "$t_first")
log "first fetch through the network succeeded (${first_s}s after the network was ready)"

# --measure: CPU time of every tor (user + system, in clock ticks, fields 14
# and 15 of /proc/PID/stat) before and after the traffic, and the client's
# CIRC events meanwhile, each with the time it was read.
cpu_ticks() {  # -> "name ticks" per node
  local i
  for ((i = 0; i < n_nodes; i++)); do
    echo "${names[$i]} ${roles[$i]} $(awk '{ print $14 + $15 }' "/proc/${tor_pids[$i]}/stat" 2>/dev/null || echo -1)"
  done
}
circ_logger=
if [ -n "$measure_file" ]; then
  cpu_before=$(cpu_ticks)
  python3 - "$control_port" "$client_dir/control_auth_cookie" "$work_dir/traffic/circ-events.txt" <<'PY' &
import socket, sys, time
port, cookie_file, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"AUTHENTICATE " + open(cookie_file, "rb").read().hex().encode() + b"\r\nSETEVENTS CIRC\r\n")
f = s.makefile("rb")
with open(out, "w", buffering=1) as o:
    for line in f:
        o.write(f"{time.monotonic() * 1000:.3f} {line.decode(errors='replace').rstrip()}\n")
PY
  circ_logger=$!
  nap 0.5  # subscribed before the first circuit of the traffic
fi

log "driving $n_circuits circuits x $n_streams fetches, $parallel at a time"
results="$work_dir/traffic/fetches.txt"
: >"$results"
t_traffic=$(now_ms)
fetch_pids=()
for ((c = 1; c <= n_circuits; c++)); do
  for ((s = 0; s < n_streams; s++)); do
    while ((${#fetch_pids[@]} >= parallel)); do
      wait -n "${fetch_pids[@]}" || true
      live=()
      for pid in "${fetch_pids[@]}"; do kill -0 "$pid" 2>/dev/null && live+=("$pid"); done
      fetch_pids=("${live[@]}")
    done
    fetch "$c" "$s" >>"$results" &
    fetch_pids+=($!)
  done
done
for pid in "${fetch_pids[@]}"; do wait "$pid" || true; done
traffic_s=$(secs_since "$t_traffic")
if [ -n "$measure_file" ]; then
  cpu_after=$(cpu_ticks)
  kill "$circ_logger" 2>/dev/null || true
  wait "$circ_logger" 2>/dev/null || true
  {
    echo "# tor_network.sh --measure: $n_circuits circuits x $n_streams fetches of ${fetch_size:-mixed} bytes"
    echo "traffic_s $traffic_s"
    echo "clock_ticks_per_s $(getconf CLK_TCK)"
    awk '$5 == 200 && $6 == $4 { b += $6 } END { printf "bytes %d\n", b }' "$work_dir/traffic/fetches.txt"
    # cpu NODE ROLE TICKS: used during the traffic
    join <(sort <<<"$cpu_before") <(sort <<<"$cpu_after") | awk '{ print "cpu", $1, $2, $5 - $3 }'
    # build_ms ID HOPS MS: LAUNCHED to BUILT, for the circuits launched during the traffic
    awk '$2 == "650" && $3 == "CIRC" {
           if ($5 == "LAUNCHED") launched[$4] = $1
           else if ($5 == "BUILT" && ($4 in launched)) {
             printf "build_ms %s %d %.3f\n", $4, split($6, hop, ","), $1 - launched[$4]
             delete launched[$4]
           }
         }' "$work_dir/traffic/circ-events.txt"
  } >"$measure_file"
fi

n_fetches=$((n_circuits * n_streams))
read -r ok bytes circuits_ok < <(awk '$5 == 200 && $6 == $4 { ok++; b += $6; c[$1] = 1 }
  END { printf "%d %d %d\n", ok, b, length(c) }' "$results")

# The client's view: its circuits, per SOCKS username, and their exits.
control() {  # commands... -> replies of the client's ControlPort
  local cookie
  cookie=$(od -An -tx1 "$client_dir/control_auth_cookie" | tr -d ' \n')
  # shellcheck disable=SC2016  # expanded by the inner bash
  timeout 10 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    shift; printf "%s\r\n" "$@" >&3; cat <&3' _ "$control_port" "AUTHENTICATE $cookie" "$@" QUIT 2>/dev/null || true
}
control "GETINFO circuit-status" | tr -d '\r' >"$work_dir/traffic/circuit-status.txt"
# A fetch circuit's line: ID BUILT $FP~guard,...,$FP~exit ... SOCKS_USERNAME="circuitN" ...
read -r circ_built circ_users exits_used < <(grep ' BUILT .*SOCKS_USERNAME="circuit[1-9]' \
  "$work_dir/traffic/circuit-status.txt" |
  awk '{ n = split($3, hop, ","); sub(/.*~/, "", hop[n]); x[hop[n]]++; c++
         match($0, /SOCKS_USERNAME="[^"]*"/); u[substr($0, RSTART, RLENGTH)] = 1 }
       END { printf "%d %d ", c, length(u)
             k = 0; for (e in x) printf "%s%s=%d", (k++ ? "," : ""), e, x[e]
             if (!k) printf "none"; printf "\n" }')

total_s=$(secs_since "$t_start")
echo
echo "== hotspan test Tor network: summary"
echo "tor:                $tor_bin ($tor_version)"
echo "nodes:              3 authorities, $((n_relays - n_exits)) relays, $n_exits exits, 1 client ($( ((foreground)) && echo foreground || echo daemons))"
echo "bootstrap:          ${boot_s}s to the client's \"Bootstrapped 100%\", ${net_s}s to a consensus with all relays (from the first tor's start); first fetch ${first_s}s later"
echo "fetches:            $ok of $n_fetches succeeded ($bytes bytes) in ${traffic_s}s, $parallel in flight"
echo "circuits:           $circuits_ok of $n_circuits had a successful fetch; the client holds $circ_built built circuits for $circ_users of them (exits: $exits_used)"
echo "files:              $work_dir/<node>/{torrc,notice.log}; fetches in $work_dir/traffic/fetches.txt"
[ -z "$trace_dir" ] || echo "traces:             $trace_dir/<node>.trace"
echo "socks:              127.0.0.1:$socks_port (client), HTTP 127.0.0.1:$http_port"
echo "time so far:        ${total_s}s"

if ((ok == 0)); then
  echo "$prog: error: none of the $n_fetches fetches succeeded; curl errors in $work_dir/traffic/curl.err:" >&2
  tail -n 5 "$work_dir/traffic/curl.err" >&2
  tail_logs "$client_i"
  exit 1
fi

if ((keep_running)); then
  echo "keeping the network up; Ctrl-C stops it (e.g. curl --socks5-hostname 127.0.0.1:$socks_port http://127.0.0.1:$http_port/1k.bin)"
  # shellcheck disable=SC2034  # read in the traps
  keeping=1
  while :; do check_alive; nap 1; done
fi
log "stopping the network"
