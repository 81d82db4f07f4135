#!/usr/bin/env bash
# Set up, configure, build and run every test through ctest.
#   scripts/test.sh               Release build of the library, tools, examples and tests
#   BUILD_DIR=... scripts/test.sh  choose the build directory (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

build_dir="${BUILD_DIR:-build}"
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DHOTSPAN_BUILD_TESTS=ON \
      -DHOTSPAN_BUILD_EXAMPLES=ON -DHOTSPAN_BUILD_TOOLS=ON >/dev/null
cmake --build "$build_dir" -j2
ctest --test-dir "$build_dir" --output-on-failure -j2
