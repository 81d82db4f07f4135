#!/usr/bin/env bash
# Builds hotspan, installs it into a scratch prefix and uses it from outside
# projects, the way a relay would:
#   static (default): find_package and pkg-config (C++ and C), add_subdirectory,
#     two shared libraries that each link the static library, loaded in one
#     process, keeping their own thread-local state, and pkg-config once
#     installed into another prefix than the configured one;
#   shared: the shared library through find_package (C++ and C) and pkg-config
#     (C), and its dynamic symbol table: the API, and no internals.
#   run_consumption.sh SOURCE_DIR SCRATCH_DIR [static|shared]
set -euo pipefail
src="$1"          # hotspan source tree
work="$2"         # scratch directory
mode="${3:-static}"
rm -rf "$work" && mkdir -p "$work"
prefix="$work/prefix"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"

shared=OFF
[ "$mode" = shared ] && shared=ON
cmake -S "$src" -B "$work/hotspan" -DCMAKE_BUILD_TYPE=Release -DHOTSPAN_BUILD_TESTS=OFF \
      -DHOTSPAN_BUILD_EXAMPLES=OFF -DHOTSPAN_BUILD_TOOLS=OFF -DHOTSPAN_BUILD_SHARED=$shared \
      -DCMAKE_INSTALL_PREFIX="$prefix" >/dev/null
cmake --build "$work/hotspan" -j2 >/dev/null
cmake --install "$work/hotspan" >/dev/null
pkg-config --exists hotspan

if [ "$mode" = static ]; then
  cmake -S "$src/tests/consumption" -B "$work/installed" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
  cmake --build "$work/installed" >/dev/null
  "$work/installed/consumer" | grep "exported 1" >/dev/null

  # shellcheck disable=SC2046
  c++ -std=c++20 "$src/tests/consumption/consumer.cpp" -o "$work/pc_consumer" \
      $(pkg-config --cflags --libs --static hotspan)
  "$work/pc_consumer" | grep "exported 1" >/dev/null

  # C: a C-only CMake project, and plain cc with pkg-config (the C++ runtime
  # comes from the package: the target's link interface, the .pc's Libs.private).
  cmake -S "$src/tests/consumption/c" -B "$work/c" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
  cmake --build "$work/c" >/dev/null
  "$work/c/c_consumer" | grep "exported 1" >/dev/null
  # shellcheck disable=SC2046
  cc -std=c99 -Wall -Wextra -Wpedantic -Werror "$src/tests/consumption/c/consumer.c" \
     -o "$work/pc_c_consumer" $(pkg-config --cflags --libs --static hotspan)
  "$work/pc_c_consumer" | grep "exported 1" >/dev/null

  # Two shared libraries with hotspan linked in statically: nothing of hotspan
  # is exported from them, and their tracers and thread-locals stay apart.
  cmake -S "$src/tests/consumption/isolation" -B "$work/isolation" -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
  cmake --build "$work/isolation" -j2 >/dev/null
  for plugin in "$work"/isolation/libplugin_*.so; do
    if nm -DC --defined-only "$plugin" | grep -E ' (hotspan::|hotspan_)'; then
      echo "consumption: $plugin exports hotspan's symbols (above)" >&2
      exit 1
    fi
  done
  "$work/isolation/host" "$work/isolation"

  cmake -S "$src/tests/consumption" -B "$work/vendored" -DHOTSPAN_CONSUME=add_subdirectory \
        -DHOTSPAN_SOURCE_DIR="$src" >/dev/null
  cmake --build "$work/vendored" -j2 >/dev/null
  "$work/vendored/consumer" | grep "exported 1" >/dev/null

  # Installed into another prefix than the configured one (cmake --install
  # --prefix), with a libdir one and two levels deep: the .pc must point into
  # where it was installed. The configured prefix is gone, so a .pc that still
  # names it fails to compile or link.
  rm -rf "$prefix"
  for libdir in lib lib/x86_64-linux-gnu; do
    moved="$work/moved/${libdir//\//_}"
    cmake -S "$src" -B "$work/hotspan" -DCMAKE_INSTALL_LIBDIR="$libdir" >/dev/null
    cmake --install "$work/hotspan" --prefix "$moved" >/dev/null
    flags=$(PKG_CONFIG_PATH="$moved/$libdir/pkgconfig" pkg-config --cflags --libs --static hotspan)
    if [[ "$flags" == *"$prefix"* ]]; then
      echo "consumption: the .pc installed into $moved names $prefix: $flags" >&2
      exit 1
    fi
    # shellcheck disable=SC2086
    cc -std=c99 -Wall -Wextra -Wpedantic -Werror "$src/tests/consumption/c/consumer.c" \
       -o "$work/moved_c_consumer" $flags
    "$work/moved_c_consumer" | grep "exported 1" >/dev/null
  done
  echo "consumption: find_package, pkg-config (C++ and C, also installed into another prefix)," \
       "C-only CMake, add_subdirectory and two shared libraries linking hotspan statically all work"
  exit 0
fi

# ---- shared
lib="$prefix/lib/libhotspan.so"
[ -e "$lib" ] && [ -e "$prefix/lib/libhotspan.a" ]
exported=$(nm -DC --defined-only "$lib")
# Internals stay hidden: of hotspan::detail, only what the inline fast paths of
# the headers use is exported — the thread-local variables they read (no
# function of include/hotspan/detail/hot_path.hpp is exported today).
leaked=$(echo "$exported" | grep 'hotspan::detail::' | grep -v -e ' B ' -e ' D ' -e ' V ' || true)
if [ -n "$leaked" ]; then
  echo "consumption: libhotspan.so exports internal functions:" >&2
  echo "$leaked" | head -20 >&2
  exit 1
fi
# Every public function of the static library is exported by the shared one.
public=$(nm -C --defined-only "$prefix/lib/libhotspan.a" 2>/dev/null |
         sed -n 's/^[0-9a-f]* T \(hotspan::.*\)$/\1/p' | grep -v '^hotspan::detail::' |
         grep -v 'anonymous namespace' | sort -u)
missing=$(comm -23 <(echo "$public") <(echo "$exported" | sed -n 's/^[0-9a-f]* [TW] //p' | sort -u))
if [ -n "$missing" ]; then
  echo "consumption: public functions not exported by libhotspan.so (missing HOTSPAN_API?):" >&2
  echo "$missing" | head -20 >&2
  exit 1
fi
echo "$exported" | grep ' T hotspan_span_start$' >/dev/null

cmake -S "$src/tests/consumption" -B "$work/installed" -DCMAKE_PREFIX_PATH="$prefix" \
      -DHOTSPAN_TARGET=hotspan::hotspan_shared >/dev/null
cmake --build "$work/installed" >/dev/null
ldd "$work/installed/consumer" | grep "libhotspan.so.0 => $prefix/lib" >/dev/null
"$work/installed/consumer" | grep "exported 1" >/dev/null

cmake -S "$src/tests/consumption/c" -B "$work/c" -DCMAKE_PREFIX_PATH="$prefix" \
      -DHOTSPAN_TARGET=hotspan::hotspan_shared >/dev/null
cmake --build "$work/c" >/dev/null
ldd "$work/c/c_consumer" | grep "libhotspan.so.0 => $prefix/lib" >/dev/null
"$work/c/c_consumer" | grep "exported 1" >/dev/null

# Without --static, -lhotspan picks libhotspan.so, which brings its own C++ runtime.
# shellcheck disable=SC2046
cc -std=c99 -Wall -Wextra -Wpedantic -Werror "$src/tests/consumption/c/consumer.c" \
   -o "$work/pc_c_consumer" $(pkg-config --cflags --libs hotspan)
LD_LIBRARY_PATH="$prefix/lib" "$work/pc_c_consumer" | grep "exported 1" >/dev/null
echo "consumption: libhotspan.so exports the API only, and links from C and C++" \
     "(find_package, pkg-config)"
