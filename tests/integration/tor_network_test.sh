#!/usr/bin/env bash
# The real tor with hotspan's tracing backend, end to end: builds it
# (scripts/tor_build.sh; warm cache: seconds, cold: about 5 minutes), runs a
# private Tor network on loopback with every node tracing
# (scripts/tor_network.sh --trace: 3 authorities, 6 relays (3 exits), a client, HTTP
# fetches over CIRCUITS circuits), then checks that
#   * every node's trace file is complete and clean (`hotspan validate
#     --strict`: end frame, no orphan, no recorded loss), and its tor logged
#     at exit "N spans written, 0 dropped" with N the spans in the file, and
#     its accounting line "Sampled S = exported E + ..." with S the sum;
#   * the client's traces: one per circuit, rooted in build-circuit, in the
#     seed report's shape: select-exit/-guard/-middle children (internal,
#     the relay chosen, which is in the path; the guard is hop 1) and an
#     extend-circuit child; each circuit that opened (status ok) has
#     create-hop-1..N children of its extend-circuit, one per hop of
#     circuit.path, in order, with the backend's attributes; every traffic
#     circuit has select-guard, select-middle, extend-circuit and 3 hops; every circuit the client's ControlPort lists as
#     BUILT (among them a 3-hop circuit for each SOCKS username of the
#     traffic) is such a trace, through the same relays in the same order;
#   * streams: create-stream spans, children of build-circuit in their
#     circuit's trace, with stream.id, stream.target_port, stream.begin_dir
#     and circuit.id, status ok, or error with stream.end_reason, or
#     cancelled; at least one ok create-stream to the HTTP server's port per
#     successful fetch, and one in each fetch circuit's trace;
#   * the relays' files hold relay-circuit spans (server), at least one per
#     hop that any node's trace says the relay opened; their own circuits
#     obey the client's rules;
#   * the span context crosses processes (HotspanTraceContext 1 on every
#     node but exit2, which keeps the default 0): every ntor v3 hop of a
#     node with the option carries its create-hop span's context
#     (tor.trace_context.sent), none of a node without; a relay with the
#     option answers it with a relay-circuit span that is a child of that
#     create-hop span, in its trace, within it (tor.trace_context
#     "joined"), exit2 with a root ("not joined"); every other
#     relay-circuit is a root; the files of all nodes together have no
#     orphan (`hotspan validate --strict` of the merged spans); every
#     client circuit whose relays all have the option is one trace across
#     the client and its relays, and there is such a circuit unless every
#     circuit went through exit2 (then the test says so);
#   * relay-cell spans (one relayed cell in 1000 per circuit and direction,
#     its time in the circuit's queue): each a child of a relay-circuit of
#     its node, within it, on the main thread, with cell.direction and
#     circuit.queue.cells, status ok (or cancelled: freed before it left);
#     the relays have some;
#   * onion-skin spans (the handshakes on tor's cpuworker threads): each the
#     child of a relay-circuit of its node, both recorded on a cpuworker
#     thread (not the one of the node's build-circuit spans), within it,
#     with tor.handshake; every relay has some;
#   * the client and relay0 run with Sandbox 1 (tor's seccomp filter) when
#     the kernel has seccomp filters, and pass all of the above;
#   * no address anywhere: no attribute key of the address kind (except
#     stream.target_port, an integer) and no IPv4 or IPv6 literal in any
#     string of any file's `hotspan cat` output.
#   tests/integration/tor_network_test.sh HOTSPAN_TOOL WORK_DIR [CIRCUITS]
# Exits 77 (skipped), saying why, when tor cannot be built here: not root
# and no password-less sudo for apt-get, or no network to the Debian archive;
# or when curl or python3 is missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
hotspan=$1
work=$2
circuits=${3:-10}
mkdir -p "$work"
work=$(cd "$work" && pwd)
net=$work/network
checks_dir=$work/checks
rm -rf "$checks_dir"
mkdir -p "$checks_dir"
t0=$SECONDS

# shellcheck source=tests/support/shell_checks.sh
. "$here/../support/shell_checks.sh"  # fail, pass, expect, contains, same

skip() {
  echo "SKIP: $*"
  exit 77
}
for t in curl python3; do
  command -v "$t" >/dev/null || skip "$t is not installed (scripts/setup.sh installs it)"
done

# --- tor, built with the backend ----------------------------------------------
build_log=$checks_dir/tor_build.log
echo "== scripts/tor_build.sh (log: $build_log)"
if ! "$repo/scripts/tor_build.sh" >"$build_log" 2>&1; then
  tail -n 25 "$build_log" >&2
  if grep -q "needs root (or password-less sudo)" "$build_log"; then
    skip "cannot build tor: not root and no password-less sudo for apt-get (see $build_log)"
  fi
  # apt cannot reach the archive: apt-get update leaves no tor source record
  # at all ("it has: none"), or a download fails.
  if grep -qE "Temporary failure resolving|Could not resolve|Could not connect|Unable to connect|Network is unreachable|Failed to fetch|Unable to fetch|it has: none\)" "$build_log"; then
    skip "cannot build tor: no network to the Debian archive (see $build_log)"
  fi
  fail "scripts/tor_build.sh failed (log: $build_log)"
fi
tor_bin=$(sed -n 's/^tor: *//p' "$build_log" | tail -n 1)
gencert_bin=$(sed -n 's/^tor-gencert: *//p' "$build_log" | tail -n 1)
if [ ! -x "$tor_bin" ] || [ ! -x "$gencert_bin" ]; then
  fail "scripts/tor_build.sh printed no tor and tor-gencert paths (log: $build_log)"
fi
pass
grep -E '^tor_build.sh +[0-9.]+s +total' "$build_log" || true
build_s=$((SECONDS - t0))

# --- the network -------------------------------------------------------------
# The client and relay0 run with tor's seccomp sandbox (Sandbox 1) when the
# kernel has seccomp filters (HOTSPAN_TOR_SANDBOX=0: never): every check
# below then covers the backend under the sandbox too (integrations/tor/
# README.md, "Sandbox").
# Bounded here, with SIGTERM, so that tor_network.sh stops every tor itself
# before ctest's own timeout would kill this script.
net_log=$checks_dir/tor_network.log
sandbox_args=()
sandboxed=""
if [ "${HOTSPAN_TOR_SANDBOX:-1}" != 0 ] &&
   grep -qw errno /proc/sys/kernel/seccomp/actions_avail 2>/dev/null; then
  sandbox_args=(--torrc-extra "client:Sandbox 1" --torrc-extra "relay0:Sandbox 1")
  sandboxed="client relay0"
fi
# The span context crosses processes on every node but exit2, which keeps
# the default (off): both behaviours in one network. Three exits, so that
# about half of the circuits avoid exit2 (it is no guard: the guards are
# relay0..2; it can be a middle).
context_nodes="auth0 auth1 auth2 relay0 relay1 relay2 exit0 exit1 client"
context_args=()
for node in $context_nodes; do context_args+=(--torrc-extra "$node:HotspanTraceContext 1"); done
echo "== scripts/tor_network.sh --trace --circuits $circuits${sandboxed:+ (Sandbox 1: $sandboxed)}, HotspanTraceContext 1 on $context_nodes (log: $net_log)"
t_net=$SECONDS
rc=0
timeout --signal=TERM 600 "$repo/scripts/tor_network.sh" --tor "$tor_bin" --tor-gencert "$gencert_bin" \
  --trace --dir "$net" --circuits "$circuits" --relays 6 --exits 3 ${sandbox_args[@]+"${sandbox_args[@]}"} \
  "${context_args[@]}" >"$net_log" 2>&1 || rc=$?
if [ "$rc" -ne 0 ]; then
  tail -n 40 "$net_log" >&2
  fail "scripts/tor_network.sh exited with $rc (files in $net)"
fi
pass
sed -n '/^== hotspan test Tor network: summary/,/^time so far/p' "$net_log"
# A tor that needed more than SIGINT to exit: show what it was doing.
for hang in "$net"/*/hang.txt; do
  [ -f "$hang" ] || continue
  echo "== $hang"
  head -n 120 "$hang"
done
net_s=$((SECONDS - t_net))
http_port=$(sed -n 's/^socks: .*HTTP 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$net_log" | tail -n 1)
[ -n "$http_port" ] || fail "no HTTP port in the summary of $net_log"

# --- per node: the file, and tor's own account at exit -----------------------
nodes=()
for torrc in "$net"/*/torrc; do nodes+=("$(basename "$(dirname "$torrc")")"); done
[ ${#nodes[@]} -eq 10 ] || fail "expected 10 tor nodes in $net, found ${#nodes[@]}: ${nodes[*]}"
pass
for node in $sandboxed; do
  contains "$net/$node/torrc" "Sandbox 1"
  # A tor without libseccomp runs on without the sandbox, and says so.
  if grep -q "built without support for sandboxing" "$net/$node/notice.log"; then
    echo "note: this tor has no sandbox support (no libseccomp): $node ran unsandboxed"
  fi
done
for node in "${nodes[@]}"; do
  trace=$net/$node.trace
  [ -s "$trace" ] || fail "$node wrote no trace file $trace"
  # Not --strict: a relay-circuit joined to a client's trace has its parent
  # in the client's file (the merged spans are checked for orphans below).
  out=$checks_dir/$node.validate
  expect 0 "$out" "$checks_dir/$node.validate.err" "$hotspan" validate "$trace"
  contains "$out" "end       complete (end frame present)"
  contains "$out" "losses    none"
  contains "$out" "$trace: valid"
  declared=$(sed -n 's/^  spans *\([0-9]*\) (the end frame declares \([0-9]*\)).*/\1 \2/p' "$out")
  expect 0 "$checks_dir/$node.jsonl" "$checks_dir/$node.cat.err" "$hotspan" cat "$trace"
  in_file=$(wc -l <"$checks_dir/$node.jsonl")
  [ "$declared" = "$in_file $in_file" ] ||
    fail "$node: validate counts '$declared' (spans, declared), hotspan cat $in_file"
  pass

  log=$net/$node/notice.log
  contains "$log" "hotspan tracing: circuits are traced to $trace, as service $node."
  exit_lines=$(grep -c 'hotspan tracing: [0-9]* spans written, [0-9]* dropped\.' "$log" || true)
  [ "$exit_lines" = 1 ] || fail "$node: $exit_lines exit lines of the tracer in $log, expected 1"
  read -r written dropped < <(sed -n 's/.*hotspan tracing: \([0-9]*\) spans written, \([0-9]*\) dropped\..*/\1 \2/p' "$log")
  [ "$dropped" = 0 ] || fail "$node: its tracer dropped $dropped spans ($log)"
  [ "$written" = "$in_file" ] || fail "$node: tor says $written spans written, the file holds $in_file"
  read -r sampled exported pool queue failed discarded < <(sed -n 's/.*Sampled \([0-9]*\) = exported \([0-9]*\) + pool exhausted \([0-9]*\) + queue full \([0-9]*\) + export failed \([0-9]*\) + discarded by tail sampling \([0-9]*\)\..*/\1 \2 \3 \4 \5 \6/p' "$log")
  [ -n "$sampled" ] || fail "$node: no accounting line of the tracer in $log"
  [ "$discarded" = 0 ] || fail "$node: tail sampling is off, yet $discarded spans were discarded"
  [ "$sampled" = $((exported + pool + queue + failed + discarded)) ] ||
    fail "$node: the invariant is broken: sampled $sampled != $exported + $pool + $queue + $failed + $discarded"
  pass
done

# --- all nodes' spans together: no orphan ------------------------------------
for node in "${nodes[@]}"; do cat "$checks_dir/$node.jsonl"; done >"$checks_dir/merged.jsonl"
out=$checks_dir/merged.validate
expect 0 "$out" "$checks_dir/merged.validate.err" "$hotspan" validate --strict "$checks_dir/merged.jsonl"
contains "$out" ", 0 orphans"

# --- traces: structure, circuits, relays, context, privacy -------------------
python3 - "$net" "$checks_dir" "$circuits" "$http_port" "$context_nodes" "${nodes[@]}" <<'PY'
import collections, ipaddress, json, re, sys

net, checks_dir, n_circuits, http_port, context_nodes, nodes = (
    sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), set(sys.argv[5].split()), sys.argv[6:])
failures = []
def check(ok, what):
    if not ok:
        failures.append(what)
    return ok

spans = {n: [json.loads(l) for l in open(f"{checks_dir}/{n}.jsonl")] for n in nodes}
fingerprint = {}  # relay fingerprint -> node
for n in nodes:
    if n != "client":
        nick, fp = open(f"{net}/{n}/fingerprint").read().split()
        fingerprint[fp] = n

HANDSHAKES = {"fast", "ntor", "ntor_v3"}
sent_hops = []  # every create-hop span whose cell was sent, of every node
HOP_NAME = re.compile(r"^create-hop-([1-9][0-9]*)$")

def origin_trace(node, members):
    """Checks one trace of a circuit this node built; returns its root."""
    by_id = {s["span_id"]: s for s in members}
    roots = [s for s in members if "parent_span_id" not in s]
    if not check(len(roots) == 1, f"{node}: trace {members[0]['trace_id']} has {len(roots)} roots"):
        return None
    root = roots[0]
    a = root["attributes"]
    where = f"{node}: circuit {a.get('circuit.id')} (trace {root['trace_id']})"
    check(root["name"] == "build-circuit" and root["kind"] == "client",
          f"{where}: root is {root['kind']} {root['name']}, not client build-circuit")
    check(isinstance(a.get("circuit.id"), int), f"{where}: no integer circuit.id")
    for s in members:
        if s is root:
            continue
        handshake = s["attributes"].get("tor.handshake")
        if HOP_NAME.match(s["name"]) and handshake is not None:
            # Sent: its context went with it exactly when ntor v3 carried it.
            sent_hops.append(s)
            check(s["attributes"].get("tor.trace_context.sent") == (node in context_nodes and handshake == "ntor_v3"),
                  f"{where}: {s['name']} ({handshake}) tor.trace_context.sent "
                  f"{s['attributes'].get('tor.trace_context.sent')}, HotspanTraceContext "
                  f"{int(node in context_nodes)}")
        parent = by_id.get(s["parent_span_id"])
        if not check(parent is not None, f"{where}: {s['name']} has no parent in its trace"):
            continue
        if s["name"] == "extend-circuit":
            check(parent is root and s["kind"] == "client",
                  f"{where}: extend-circuit is not a client child of build-circuit")
        elif s["name"] == "create-stream":
            check_stream(where, root, s, parent)
        elif s["name"] in SELECTS:
            check_select(where, root, s, parent)
            continue
        else:
            check(HOP_NAME.match(s["name"]) is not None, f"{where}: unexpected span {s['name']}")
            check(parent["name"] == "extend-circuit",
                  f"{where}: {s['name']} is a child of {parent['name']}, not of extend-circuit")
        check(s["attributes"].get("circuit.id") == a.get("circuit.id"),
              f"{where}: {s['name']} has circuit.id {s['attributes'].get('circuit.id')}")
    if root["status"] != "ok":
        return root
    # An opened circuit: build-circuit with one create-hop-K per hop, in order.
    for key in ("circuit.purpose", "circuit.path", "circuit.path.length", "circuit.hops"):
        check(key in a, f"{where}: opened, without {key}")
    path = a.get("circuit.path", "").split(",")
    check(a.get("circuit.hops") == a.get("circuit.path.length") == len(path),
          f"{where}: circuit.hops {a.get('circuit.hops')}, circuit.path.length "
          f"{a.get('circuit.path.length')}, {len(path)} relays in circuit.path")
    # The build's extend-circuit (the first; a cannibalized circuit has one
    # more, for its new last hop) holds one create-hop-K per hop, in order.
    extends = sorted((s for s in members if s["name"] == "extend-circuit"), key=lambda s: s["start_unix_ns"])
    if not check(extends and extends[0]["status"] == "ok", f"{where}: opened without an ok extend-circuit"):
        return root
    check(root["start_unix_ns"] <= extends[0]["start_unix_ns"] and extends[0]["end_unix_ns"] <= root["end_unix_ns"],
          f"{where}: its extend-circuit is not within build-circuit")
    hops = sorted((s for s in members if s.get("parent_span_id") == extends[0]["span_id"]
                   and HOP_NAME.match(s["name"])), key=lambda s: s["start_unix_ns"])
    names = [s["name"] for s in hops]
    check(names == [f"create-hop-{k}" for k in range(1, len(path) + 1)],
          f"{where}: opened with {len(path)} hops, extend-circuit's children {names}")
    # Each relay chosen by a select-* span is in the path (the guard first).
    for s in members:
        if s["name"] in SELECTS and s["status"] == "ok":
            fp = s["attributes"].get("relay.fingerprint")
            check(fp in path, f"{where}: {s['name']} chose {fp}, not in circuit.path")
            check(s["name"] != "select-guard" or fp == path[0], f"{where}: select-guard chose {fp}, not hop 1")
    for k, s in enumerate(hops, 1):
        h = s["attributes"]
        check(s["status"] == "ok" and s["kind"] == "client", f"{where}: {s['name']} {s['kind']} {s['status']}")
        check(s["trace_id"] == root["trace_id"], f"{where}: {s['name']} in another trace")
        check(h.get("circuit.hop") == k, f"{where}: {s['name']} has circuit.hop {h.get('circuit.hop')}")
        check(h.get("tor.handshake") in HANDSHAKES, f"{where}: {s['name']} tor.handshake {h.get('tor.handshake')}")
        check(k <= len(path) and h.get("relay.fingerprint") == path[k - 1],
              f"{where}: {s['name']} relay.fingerprint {h.get('relay.fingerprint')} is not hop {k} of circuit.path")
        check(h.get("relay.fingerprint") in fingerprint,
              f"{where}: {s['name']} goes to an unknown relay {h.get('relay.fingerprint')}")
        check(root["start_unix_ns"] <= s["start_unix_ns"] and s["end_unix_ns"] <= root["end_unix_ns"],
              f"{where}: {s['name']} is not within build-circuit")
    return root

SELECTS = {"select-exit", "select-guard", "select-middle"}
def check_select(where, root, s, parent):
    """A path selection span: an internal child of build-circuit, within it."""
    a = s["attributes"]
    where = f"{where}: {s['name']}"
    check(parent is root and s["kind"] == "internal", f"{where}: {s['kind']}, a child of {parent['name']}")
    check(s["status"] in ("ok", "error", "cancelled"), f"{where}: status {s['status']}")
    if s["status"] == "ok":
        check(a.get("relay.fingerprint") in fingerprint, f"{where}: relay.fingerprint {a.get('relay.fingerprint')}")
        check(a.get("relay.nickname") == fingerprint.get(a.get("relay.fingerprint")),
              f"{where}: relay.nickname {a.get('relay.nickname')}")
    check(root["start_unix_ns"] <= s["start_unix_ns"], f"{where}: starts before build-circuit")

STREAM_STATUS = {"ok", "error", "cancelled"}
def check_stream(where, root, s, parent):
    """A create-stream span: a child of build-circuit, in its trace."""
    a = s["attributes"]
    where = f"{where}: create-stream {a.get('stream.id')}"
    check(parent is root and s["kind"] == "client",
          f"{where}: {s['kind']}, a child of {parent['name']}, not a client child of build-circuit")
    check(isinstance(a.get("stream.id"), int) and 0 < a["stream.id"] < 65536, f"{where}: stream.id {a.get('stream.id')}")
    check(isinstance(a.get("stream.target_port"), int) and 0 <= a["stream.target_port"] < 65536,
          f"{where}: stream.target_port {a.get('stream.target_port')}")
    check(isinstance(a.get("stream.begin_dir"), bool), f"{where}: no stream.begin_dir")
    check(s["status"] in STREAM_STATUS, f"{where}: status {s['status']}")
    if s["status"] == "error":
        check(isinstance(a.get("stream.end_reason"), str), f"{where}: error without stream.end_reason")
    check(s["start_unix_ns"] >= root["start_unix_ns"], f"{where}: starts before its circuit")

# Clocks of different processes agree to CLOCK_MONOTONIC plus each tracer's
# offset to the wall clock, taken at its start: allow for that.
CLOCK_SLACK_NS = 5_000_000
by_span_id = {s["span_id"]: s for n in nodes for s in spans[n]}
node_fingerprint = {n: fp for fp, n in fingerprint.items()}
joined_children = collections.Counter()  # create-hop span id -> relay-circuits joined to it
# The thread ids of each node's cpuworkers (where onion skins are recorded) and
# of its main thread (where its origin circuits are recorded). A relay that
# built no circuit of its own has its main thread named by its relay-cell
# spans instead: then they must all be on one thread, and not a cpuworker.
worker_threads = {n: {s["thread_id"] for s in spans[n] if s["name"] == "onion-skin"} for n in nodes}
def main_thread_ids(n):
    ids = {s["thread_id"] for s in spans[n] if s["name"] == "build-circuit"}
    if ids:
        return ids
    cell_threads = {s["thread_id"] for s in spans[n] if s["name"] == "relay-cell"}
    check(len(cell_threads) <= 1, f"{n}: built no circuit, and its relay-cell spans are on {len(cell_threads)} threads")
    return cell_threads - worker_threads[n]
main_threads = {n: main_thread_ids(n) for n in nodes}
OUTCOMES = {"joined", "not joined", "none", "malformed"}
def check_relay_circuit(n, s):
    """A relay-circuit span: joined to the sender's create-hop span, or a root."""
    a = s["attributes"]
    outcome = a.get("tor.trace_context")
    where = f"{n}: relay-circuit {s['span_id']} ({outcome})"
    check(s["kind"] == "server", f"{where}: kind {s['kind']}")
    check(a.get("circuit.purpose") is not None, f"{where}: no circuit.purpose")
    check(outcome in OUTCOMES and outcome != "malformed", f"{where}: tor.trace_context {outcome}")
    if outcome != "joined":
        check("parent_span_id" not in s, f"{where}: has a parent")
        check(outcome != "not joined" or n not in context_nodes,
              f"{where}: not joined, though {n} has HotspanTraceContext 1")
        return
    check(n in context_nodes, f"{where}: joined, though {n} keeps HotspanTraceContext 0")
    hop = by_span_id.get(s.get("parent_span_id"))
    if not check(hop is not None, f"{where}: its parent is in no node's file"):
        return
    h = hop["attributes"]
    check(HOP_NAME.match(hop["name"]) and hop["kind"] == "client" and hop["trace_id"] == s["trace_id"],
          f"{where}: its parent is {hop['kind']} {hop['name']} of trace {hop['trace_id']}, not a create-hop of its trace")
    check(h.get("relay.fingerprint") == node_fingerprint.get(n),
          f"{where}: its parent {hop['name']} of {hop['service']} went to {h.get('relay.fingerprint')}")
    check(h.get("tor.trace_context.sent") is True and hop["service"] in context_nodes,
          f"{where}: its parent {hop['name']} of {hop['service']} did not send its context")
    check(hop["start_unix_ns"] - CLOCK_SLACK_NS <= s["start_unix_ns"] <= hop["end_unix_ns"] + CLOCK_SLACK_NS,
          f"{where}: starts outside its parent {hop['name']} of {hop['service']}")
    joined_children[hop["span_id"]] += 1

def check_relay_cell(n, where, s, rc, main_thread_ids):
    """A sampled relayed cell: its time in its circuit's queue, on the main thread."""
    a = s["attributes"]
    check(rc is not None and s.get("parent_span_id") == rc["span_id"], f"{where}: not a child of relay-circuit")
    check(s["kind"] == "internal" and s["status"] in ("ok", "cancelled"), f"{where}: {s['kind']} {s['status']}")
    check(a.get("cell.direction") in ("exitward", "clientward"), f"{where}: cell.direction {a.get('cell.direction')}")
    check(isinstance(a.get("circuit.queue.cells"), int) and a["circuit.queue.cells"] >= 1,
          f"{where}: circuit.queue.cells {a.get('circuit.queue.cells')}")
    check(s["thread_id"] in main_thread_ids and s["thread_id"] not in worker_threads[n],
          f"{where}: not recorded on the main thread")
    check(rc is not None and rc["start_unix_ns"] <= s["start_unix_ns"] and s["end_unix_ns"] <= rc["end_unix_ns"],
          f"{where}: not within its relay-circuit")
cells_per_node = {}

# Every node's own circuits, and the hops every node opened through each relay.
opened_hops = collections.Counter()
client_roots = {}
stats = {}
for n in nodes:
    traces = collections.defaultdict(list)
    for s in spans[n]:
        check(s["service"] == n, f"{n}: a span of service {s['service']}")
        check(s["dropped_attributes"] == 0 and s["dropped_events"] == 0,
              f"{n}: {s['name']} dropped attributes or events")
        traces[s["trace_id"]].append(s)
    relay_circuits = onion_skins = relay_cells = 0
    origin = opened = 0
    for trace_id, members in traces.items():
        if any(s["name"] in ("relay-circuit", "onion-skin", "relay-cell") for s in members):
            # An OR circuit: its relay-circuit span (a root, or a child of the
            # sender's create-hop span in its trace) and the onion-skin span of
            # its handshake, from a cpuworker.
            circuits = [s for s in members if s["name"] == "relay-circuit"]
            ok = check(len(circuits) == 1, f"{n}: trace {trace_id} has {len(circuits)} relay-circuit spans")
            for s in members:
                if s["name"] == "relay-circuit":
                    check_relay_circuit(n, s)
                    relay_circuits += 1
                    continue
                where = f"{n}: {s['name']} in relay-circuit trace {trace_id}"
                if s["name"] == "relay-cell":
                    relay_cells += 1
                    check_relay_cell(n, where, s, circuits[0] if ok else None, main_threads[n])
                    continue
                if not check(s["name"] == "onion-skin", f"{where}: unexpected span"):
                    continue
                onion_skins += 1
                rc = circuits[0] if ok else None
                check(ok and s.get("parent_span_id") == rc["span_id"], f"{where}: not a child of relay-circuit")
                check(s["kind"] == "internal" and s["status"] in ("ok", "error"), f"{where}: {s['kind']} {s['status']}")
                check(s["attributes"].get("tor.handshake") in HANDSHAKES, f"{where}: tor.handshake {s['attributes'].get('tor.handshake')}")
                # The worker records both: relay-circuit (it reads the client's
                # context) and onion-skin; tor's main thread records the rest.
                check(ok and s["thread_id"] == rc["thread_id"] and s["thread_id"] not in main_threads[n],
                      f"{where}: not recorded on a cpuworker thread")
                check(ok and rc["start_unix_ns"] <= s["start_unix_ns"] and s["end_unix_ns"] <= rc["end_unix_ns"],
                      f"{where}: not within its relay-circuit")
            continue
        root = origin_trace(n, members)
        origin += 1
        if root is None:
            continue
        if n == "client":
            cid = root["attributes"].get("circuit.id")
            check(cid not in client_roots, f"client: circuit {cid} in two traces")
            client_roots[cid] = (root, members)
        if root["status"] == "ok":
            opened += 1
        for s in members:
            if HOP_NAME.match(s["name"]) and s["status"] == "ok":
                opened_hops[fingerprint.get(s["attributes"].get("relay.fingerprint"))] += 1
    stats[n] = (len(spans[n]), origin, opened, relay_circuits, onion_skins)
    cells_per_node[n] = relay_cells
    if n.startswith(("relay", "exit")):
        check(relay_circuits > 0, f"{n}: no relay-circuit span")
        check(onion_skins > 0, f"{n}: no onion-skin span")

# A relay records a relay-circuit for every CREATE it answers.
for n in nodes:
    if n != "client":
        check(stats[n][3] >= opened_hops[n],
              f"{n}: {stats[n][3]} relay-circuit spans, but {opened_hops[n]} hops opened through it")

# The context: every hop that carried it and opened has its relay's
# relay-circuit joined to it when the relay has the option, none otherwise.
joined_hops = 0
for hop in sent_hops:
    relay = fingerprint.get(hop["attributes"].get("relay.fingerprint"))
    want = int(hop["status"] == "ok" and hop["attributes"].get("tor.trace_context.sent") is True
               and relay in context_nodes)
    # A hop that failed may still have been answered: at most one then.
    check(joined_children[hop["span_id"]] == want or (hop["status"] != "ok" and joined_children[hop["span_id"]] <= 1),
          f"{hop['service']}: {hop['name']} to {relay} ({hop['status']}) has "
          f"{joined_children[hop['span_id']]} relay-circuit spans joined to it, expected {want}")
    joined_hops += joined_children[hop["span_id"]]
check(joined_hops > 0, "no relay-circuit span joined a sender's trace")
# The 1 MiB fetches take over 2000 cells through each relay of their circuit.
check(sum(cells_per_node.values()) > 0, "no relay-cell span on any relay")

# The client's ControlPort: every BUILT circuit is an opened trace through the same relays.
built = []
for line in open(f"{net}/traffic/circuit-status.txt"):
    f = line.split()
    if len(f) >= 3 and f[0].isdigit() and f[1] == "BUILT":
        m = re.search(r'SOCKS_USERNAME="([^"]*)"', line)
        hops = [h.lstrip("$").split("~") for h in f[2].split(",")]
        built.append((int(f[0]), hops, m.group(1) if m else None))
check(built, "the client's ControlPort lists no BUILT circuit")
hex_nicknames = 0
for cid, hops, user in built:
    where = f"client: BUILT circuit {cid}"
    if not check(cid in client_roots, f"{where} has no trace"):
        continue
    root, members = client_roots[cid]
    check(root["status"] == "ok", f"{where}: build-circuit status {root['status']}")
    done = sorted((s for s in members if HOP_NAME.match(s["name"]) and s["status"] == "ok"),
                  key=lambda s: s["attributes"].get("circuit.hop", 0))
    traced = [(s["attributes"].get("relay.fingerprint"), s["attributes"].get("relay.nickname")) for s in done]
    check([fp for fp, _ in traced] == [fp for fp, _ in hops],
          f"{where}: path {[nick for _, nick in hops]}, trace's hops {[nick for _, nick in traced]}")
    for (fp, nick), (_, traced_nick) in zip(hops, traced):
        # One-hop directory circuits carry the fingerprint as the nickname.
        check(traced_nick in (nick, fp), f"{where}: relay.nickname {traced_nick}, tor says {nick}")
        hex_nicknames += traced_nick == fp
# The traffic: every circuit number fetched its files, over a 3-hop circuit.
fetched = set()
for line in open(f"{net}/traffic/fetches.txt"):
    c, _, _, want, code, got = line.split()[:6]
    if code == "200" and got == want:
        fetched.add(int(c))
check(fetched >= set(range(1, n_circuits + 1)),
      f"no successful fetch over circuits {sorted(set(range(1, n_circuits + 1)) - fetched)}")
users = {u: cid for cid, hops, u in built if u and len(hops) == 3}
def fetch_streams(members):
    return [s for s in members if s["name"] == "create-stream" and s["status"] == "ok"
            and not s["attributes"].get("stream.begin_dir") and s["attributes"].get("stream.target_port") == http_port]
for c in range(1, n_circuits + 1):
    cid = users.get(f"circuit{c}")
    if check(cid is not None, f"client: no 3-hop BUILT circuit for SOCKS username circuit{c}"):
        members = client_roots.get(cid, (None, []))[1]
        # The seed report's shape; the exit is chosen by tor (select-exit) unless
        # the circuit was asked for one (a conflux leg takes its set's exit).
        names = sorted(s["name"] for s in members if s["name"] not in ("create-stream", "select-exit"))
        check(names == ["build-circuit", "create-hop-1", "create-hop-2", "create-hop-3", "extend-circuit",
                        "select-guard", "select-middle"],
              f"client: circuit{c} (circuit {cid}): spans {names}")
        check(c not in fetched or fetch_streams(members),
              f"client: circuit{c} (circuit {cid}): a fetch succeeded, but its trace has no ok create-stream to port {http_port}")
# One circuit, one trace: each 3-hop circuit of the traffic whose relays all
# have the option holds a relay-circuit of each of its relays.
full_traces, through_off = [], 0
for c in range(1, n_circuits + 1):
    cid = users.get(f"circuit{c}")
    if cid is None or cid not in client_roots:
        continue
    root, members = client_roots[cid]
    hops = [s for s in members if HOP_NAME.match(s["name"]) and s["status"] == "ok"]
    relays = [fingerprint.get(s["attributes"].get("relay.fingerprint")) for s in hops]
    if not all(r in context_nodes for r in relays):
        through_off += 1
        continue
    joined = [n for n in nodes if any(x["trace_id"] == root["trace_id"] and x["name"] == "relay-circuit"
                                      for x in spans[n])]
    check(sorted(joined) == sorted(relays),
          f"client: circuit{c} (circuit {cid}) through {relays}: relay-circuit spans of its trace in {joined}")
    full_traces.append(root["trace_id"])
check(full_traces or through_off == n_circuits, "no client circuit is one trace across its relays")
if not full_traces:
    print(f"note: all {n_circuits} circuits went through exit2 (HotspanTraceContext 0): no full trace to check")
with open(f"{checks_dir}/full_trace.txt", "w") as f:
    f.write("\n".join(full_traces) + "\n")

# Streams: at least one ok create-stream to the HTTP server per successful fetch.
n_ok_fetches = sum(1 for line in open(f"{net}/traffic/fetches.txt")
                   if line.split()[4] == "200" and line.split()[5] == line.split()[3])
client_streams = [s for s in spans["client"] if s["name"] == "create-stream"]
fetch_ok = sum(len(fetch_streams(m)) for _, m in client_roots.values())
check(fetch_ok >= n_ok_fetches,
      f"client: {fetch_ok} ok create-stream spans to port {http_port}, {n_ok_fetches} successful fetches")
stream_status = collections.Counter(s["status"] for s in client_streams)

# Privacy: no address-kind key, no IP literal in any string (keys, values, events).
ADDRESS_KEY = re.compile(r"addr|(^|[._])ip(v[46])?([._]|$)|port|peer|host|socket", re.I)
IPV4 = re.compile(r"(?<![0-9.])(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?!\.?[0-9])")
IPV6_CANDIDATE = re.compile(r"[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")
def strings(v):
    if isinstance(v, dict):
        for k, x in v.items():
            yield ("key", k)
            yield from strings(x)
    elif isinstance(v, list):
        for x in v:
            yield from strings(x)
    elif isinstance(v, str):
        yield ("value", v)
def addresses(text):
    found = IPV4.findall(text)
    for token in IPV6_CANDIDATE.findall(text):
        for candidate in (token, token.rstrip("."), token.rsplit(":", 1)[0]):
            try:
                ipaddress.IPv6Address(candidate)
            except ValueError:
                continue
            found.append(candidate)
            break
    return found
leaks = []
for n in nodes:
    for s in spans[n]:
        for attrs in [s["attributes"]] + [e["attributes"] for e in s["events"]]:
            for k in attrs:
                if ADDRESS_KEY.search(k) and not (k == "stream.target_port" and isinstance(attrs[k], int)):
                    leaks.append(f"{n}: {s['name']}: attribute key {k}")
        for kind, text in strings(s):
            for address in addresses(text):
                leaks.append(f"{n}: {s['name']}: {kind} {text!r} holds the address {address}")
check(not leaks, "addresses in the traces: " + "; ".join(leaks[:5]))

if failures:
    print("tor_network_test: FAILED", *failures[:25], sep="\n  ")
    if len(failures) > 25:
        print(f"  ... and {len(failures) - 25} more")
    sys.exit(1)

client_opened = [r for r, _ in client_roots.values() if r["status"] == "ok"]
by_hops = collections.Counter(r["attributes"]["circuit.hops"] for r in client_opened)
print("== traces")
print(f"{'node':8} {'spans':>6} {'own circuits':>13} {'opened':>7} {'relay-circuit':>14} {'onion-skin':>11}")
for n in nodes:
    total, origin, opened, rc, skins = stats[n]
    print(f"{n:8} {total:6} {origin:13} {opened:7} {rc:14} {skins:11}")
print(f"client: {len(client_roots)} circuits traced, {len(client_opened)} opened "
      f"({', '.join(f'{v} of {k} hops' for k, v in sorted(by_hops.items()))}); "
      f"all {len(built)} BUILT circuits of its ControlPort match their trace "
      f"({hex_nicknames} hops named by fingerprint)")
print(f"client streams: {len(client_streams)} create-stream spans "
      f"({', '.join(f'{v} {k}' for k, v in sorted(stream_status.items()))}), "
      f"{fetch_ok} ok to the HTTP server for {n_ok_fetches} successful fetches; "
      f"relays' own: {sum(1 for n in nodes if n != 'client' for s in spans[n] if s['name'] == 'create-stream')}")
print(f"relays: {sum(stats[n][4] for n in nodes)} onion-skin spans from cpuworker threads, "
      f"{sum(cells_per_node.values())} relay-cell spans (one cell in 1000 per circuit and direction)")
print(f"context: {len(sent_hops)} hops sent, {sum(1 for h in sent_hops if h['attributes'].get('tor.trace_context.sent'))} "
      f"with their span context, {joined_hops} relay-circuit spans joined to them; "
      f"{len(full_traces)} of {n_circuits} traffic circuits are one trace across the client and its 3 relays "
      f"({through_off} went through exit2)")
print(f"relays: {sum(stats[n][3] for n in nodes)} relay-circuit spans, "
      f"{sum(opened_hops.values())} hops opened through them; no address in any file")
PY
pass

echo "== client: $hotspan stats $net/client.trace --by name --top 0"
"$hotspan" stats "$net/client.trace" --by name --top 0
echo "tor_network_test: $checks checks passed; tor build ${build_s}s, network ${net_s}s, total $((SECONDS - t0))s"
