#!/usr/bin/env bash
# Builds and runs the consumer both ways: against an installed hotspan
# (find_package, and pkg-config for the .pc file) and through add_subdirectory.
set -euo pipefail
src="$1"      # hotspan source tree
work="$2"     # scratch directory
rm -rf "$work" && mkdir -p "$work"

cmake -S "$src" -B "$work/hotspan" -DCMAKE_BUILD_TYPE=Release -DHOTSPAN_BUILD_TESTS=OFF \
      -DHOTSPAN_BUILD_EXAMPLES=OFF -DHOTSPAN_BUILD_TOOLS=OFF -DCMAKE_INSTALL_PREFIX="$work/prefix" >/dev/null
cmake --build "$work/hotspan" -j2 >/dev/null
cmake --install "$work/hotspan" >/dev/null

cmake -S "$src/tests/consumption" -B "$work/installed" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/installed" >/dev/null
"$work/installed/consumer" | grep -q "exported 1"

PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig" pkg-config --exists hotspan
flags=$(PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig" pkg-config --cflags --libs --static hotspan)
# shellcheck disable=SC2086
c++ -std=c++20 "$src/tests/consumption/consumer.cpp" -o "$work/pc_consumer" $flags
"$work/pc_consumer" | grep -q "exported 1"

cmake -S "$src/tests/consumption" -B "$work/vendored" -DHOTSPAN_CONSUME=add_subdirectory \
      -DHOTSPAN_SOURCE_DIR="$src" >/dev/null
cmake --build "$work/vendored" -j2 >/dev/null
"$work/vendored/consumer" | grep -q "exported 1"
echo "consumption: find_package, pkg-config and add_subdirectory all work"
