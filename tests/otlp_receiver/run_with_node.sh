#!/usr/bin/env bash
# Runs a test that needs Node.js and the npm packages of tests/otlp_decoder,
# or reports it skipped (exit 77, ctest's SKIP_RETURN_CODE) with the reason
# when they are missing. scripts/setup.sh installs both, so in CI it runs.
#   run_with_node.sh COMMAND [ARGS...]   (HOTSPAN_NODE names the node binary)
set -euo pipefail
node="${HOTSPAN_NODE:-node}"
modules="$(cd "$(dirname "$0")/../otlp_decoder" && pwd)/node_modules"
if ! "$node" --version >/dev/null 2>&1; then
  echo "SKIPPED: Node.js ($node) not found; run scripts/setup.sh to install it" >&2
  exit 77
fi
if [ ! -d "$modules/protobufjs" ] || [ ! -d "$modules/@elastic/mockotlpserver" ]; then
  echo "SKIPPED: $modules lacks protobufjs or @elastic/mockotlpserver; run scripts/setup.sh" >&2
  exit 77
fi
exec "$@"
