#!/usr/bin/env bash
# Runs the official W3C Trace Context test suite (https://github.com/w3c/trace-context,
# its test/ directory) against hotspan's propagation: builds examples/w3c_service,
# starts it on 127.0.0.1, runs the suite's test.py with STRICT_LEVEL=2 SPEC_LEVEL=2
# (every test, Trace Context Level 2), stops the service and exits with the
# suite's status.
#
#   scripts/w3c_suite.sh [TRACE_CONTEXT_DIR] [TEST ...]
#
# TRACE_CONTEXT_DIR (or $W3C_TRACE_CONTEXT_DIR) is a checkout of w3c/trace-context
# (a bare clone works too: its test/ is read from HEAD). The suite is not part of
# this repository, and CI cannot fetch it, so it is not a ctest test: without a
# checkout the script says how to get one and exits 77 (skipped). TEST names
# select tests as test.py does (e.g. TraceContextTest AdvancedTest.test_...).
#
# The suite needs Python 3 with aiohttp: the Debian package python3-aiohttp is
# installed when missing (as root, or through password-less sudo), and the
# suite runs under /usr/bin/python3 (override: W3C_SUITE_PYTHON). The service
# is built in build-w3c (W3C_SUITE_BUILD_DIR) and logs every request it handles
# (headers received, extracted context, headers sent) to w3c_service.log there.
# The harness listens on 127.0.0.1:7777 (HARNESS_PORT moves it).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"

suite="${1:-${W3C_TRACE_CONTEXT_DIR:-}}"
[ $# -gt 0 ] && shift
if [ -z "$suite" ] || [ ! -d "$suite" ]; then
  [ -n "$suite" ] && echo "w3c_suite: $suite is not a directory" >&2
  cat >&2 <<'EOF'
w3c_suite: skipped: no checkout of the W3C Trace Context test suite. Get one with
    git clone --depth 1 https://github.com/w3c/trace-context.git /tmp/trace-context
and run
    scripts/w3c_suite.sh /tmp/trace-context
(or set W3C_TRACE_CONTEXT_DIR=/tmp/trace-context).
EOF
  exit 77
fi

workdir="$(mktemp -d "${TMPDIR:-/tmp}/hotspan-w3c.XXXXXX")"
service_pid=
# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
  if [ -n "$service_pid" ]; then
    kill "$service_pid" 2>/dev/null || true
    wait "$service_pid" 2>/dev/null || true
  fi
  rm -rf "$workdir"
}
trap cleanup EXIT

# The suite's test/ directory: in the work tree of a checkout, or from HEAD of
# a bare clone.
if [ -f "$suite/test/test.py" ]; then
  test_dir="$(cd "$suite/test" && pwd)"
elif git --git-dir="$suite" cat-file -e HEAD:test/test.py 2>/dev/null; then
  git --git-dir="$suite" archive HEAD test | tar -x -C "$workdir"
  test_dir="$workdir/test"
else
  echo "w3c_suite: $suite is not a checkout of w3c/trace-context (no test/test.py)" >&2
  exit 77
fi
[ -f "$test_dir/test.py" ] || { echo "w3c_suite: no test/test.py in $suite" >&2; exit 77; }

python="${W3C_SUITE_PYTHON:-/usr/bin/python3}"
if ! "$python" -c 'import aiohttp' 2>/dev/null; then
  "$repo/scripts/setup.sh" python3-aiohttp  # Debian's package, for /usr/bin/python3
  "$python" -c 'import aiohttp' || { echo "w3c_suite: $python still lacks aiohttp" >&2; exit 1; }
fi

build="${W3C_SUITE_BUILD_DIR:-$repo/build-w3c}"
cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release -DHOTSPAN_BUILD_TESTS=OFF \
  -DHOTSPAN_BUILD_TOOLS=OFF -DHOTSPAN_BUILD_EXAMPLES=ON >/dev/null
if ! cmake --build "$build" -j2 --target w3c_service; then
  echo "w3c_suite: cannot build w3c_service (it needs libcurl and simdjson: scripts/setup.sh" \
       "installs them)" >&2
  exit 1
fi
service="$build/examples/w3c_service/w3c_service"
log="$build/w3c_service.log"

# Port 0: the service binds a free port and prints it once it listens.
"$service" 0 >"$workdir/service.out" 2>"$log" &
service_pid=$!
endpoint=
for _ in $(seq 100); do
  endpoint="$(sed -n 's/^w3c_service: listening on \(http:[^ ]*\)$/\1/p' "$workdir/service.out")"
  [ -n "$endpoint" ] && break
  kill -0 "$service_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$endpoint" ]; then
  echo "w3c_suite: w3c_service did not start:" >&2
  cat "$log" >&2
  exit 1
fi

echo "w3c_suite: STRICT_LEVEL=2 SPEC_LEVEL=2 $python test.py $endpoint${*:+ $*} (in $test_dir)"
status=0
(cd "$test_dir" && STRICT_LEVEL=2 SPEC_LEVEL=2 "$python" test.py "$endpoint" "$@") || status=$?
if [ "$status" -ne 0 ]; then
  echo "w3c_suite: FAILED (status $status); what the service received and sent: $log" >&2
fi
exit "$status"
