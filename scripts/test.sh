#!/usr/bin/env bash
# Sets up, builds and runs every test through ctest:
#   1. Release build of the library, tools, examples and tests, with the
#      tor_network test (the real tor with hotspan's backend in a private
#      Tor network: integrations/tor/README.md; cold about 5 minutes, most
#      of it building tor into ~/.cache/hotspan/tor, reused by later runs);
#   2. the tests again under AddressSanitizer + UndefinedBehaviorSanitizer;
#   3. the tests again under ThreadSanitizer;
#   4. the libFuzzer targets of fuzz/, each for a short time over its corpus.
# Environment:
#   HOTSPAN_TEST_SANITIZERS="asan tsan"   which sanitizer passes to run ("" for none)
#   HOTSPAN_TEST_FUZZ=20                  seconds per fuzz target, "regress" to run
#                                         the corpora only, "" for no fuzz pass
#   HOTSPAN_TEST_TOR=ON                   OFF leaves the tor_network test out
#   BUILD_DIR=build                       directory of the Release build
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

jobs=2
build_dir="${BUILD_DIR:-build}"
sanitizers="${HOTSPAN_TEST_SANITIZERS-asan tsan}"

run_suite() {  # name dir cmake-args...
  local name="$1" dir="$2"
  shift 2
  echo "== hotspan tests: $name ($dir)"
  cmake -S . -B "$dir" -DHOTSPAN_BUILD_TESTS=ON "$@" >/dev/null
  cmake --build "$dir" -j"$jobs"
  ctest --test-dir "$dir" --output-on-failure -j"$jobs"
}

run_suite release "$build_dir" -DCMAKE_BUILD_TYPE=Release \
  -DHOTSPAN_BUILD_EXAMPLES=ON -DHOTSPAN_BUILD_TOOLS=ON -DHOTSPAN_TOR_TESTS="${HOTSPAN_TEST_TOR:-ON}"

for s in $sanitizers; do
  case "$s" in
    asan) run_suite "address+undefined sanitizers" "$build_dir-asan" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
            -DHOTSPAN_SANITIZE=address,undefined -DHOTSPAN_BUILD_EXAMPLES=OFF -DHOTSPAN_BUILD_TOOLS=OFF ;;
    tsan) run_suite "thread sanitizer" "$build_dir-tsan" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
            -DHOTSPAN_SANITIZE=thread -DHOTSPAN_BUILD_EXAMPLES=OFF -DHOTSPAN_BUILD_TOOLS=OFF ;;
    *) echo "unknown sanitizer pass '$s' (expected asan or tsan)" >&2; exit 2 ;;
  esac
done

fuzz="${HOTSPAN_TEST_FUZZ-20}"
case "$fuzz" in
  "") ;;
  regress) FUZZ_BUILD_DIR="$build_dir-fuzz" ./scripts/fuzz.sh --regress ;;
  *) FUZZ_BUILD_DIR="$build_dir-fuzz" ./scripts/fuzz.sh "$fuzz" ;;
esac
