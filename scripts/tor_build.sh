#!/usr/bin/env bash
# Builds the real tor, from Debian's source package of the pinned version,
# with hotspan's tracing backend (integrations/tor/: the patch to tor's own
# files plus the backend's sources), linked against hotspan built from this
# checkout. Everything goes to a cache outside the repository; a second run
# reuses the unpacked, patched, configured and built tree, and rebuilds only
# what changed.
#
#   scripts/tor_build.sh [--variant NAME] [--check] [-h]
#
#   --variant NAME  which tracing the tor is built with, for comparing their
#             costs (bench/tor_overhead.sh): hotspan (the default), lttng
#             (tor's LTTng-UST backend, on the same tracepoints: the patch
#             is applied, configure --enable-tracing-instrumentation-lttng;
#             installs liblttng-ust-dev) or none (the same patched sources,
#             no tracing: every tracepoint compiles to nothing). Each
#             variant has its own tree; CACHE/bin/tor is hotspan's,
#             CACHE/bin/tor-lttng and CACHE/bin/tor-none the others.
#   --check   also build tor's unit tests (src/test/test) and run them
#             twice: with tracing idle, then with the probes recording
#             (HOTSPAN_FILE set)
#   -h        this text
#
# Environment:
#   HOTSPAN_TOR_CACHE    cache directory [default ~/.cache/hotspan/tor]
#   HOTSPAN_TOR_VERSION  Debian version of the tor source package
#                        [default: the pinned one, below]
#   HOTSPAN_TOR_JOBS     make -j for tor [default 2]
#
# Steps: a deb-src entry for the archive the machine uses
# (/etc/apt/sources.list.d/hotspan-deb-src.sources), tor's build
# dependencies without its documentation tools (plus autoconf, automake,
# libtool), `apt-get source tor=VERSION`, hotspan built (Release) and
# installed into the cache, the patch applied and `autoreconf -fi`,
# configure --enable-tracing-instrumentation-hotspan, and make of src/app/tor
# and src/tools/tor-gencert. Installs Debian packages as root or with
# password-less sudo, as scripts/setup.sh does. Prints the binaries' paths
# (also linked from CACHE/bin/) and the time of each step.
set -euo pipefail

prog=tor_build.sh
# The tor of Debian 12 (bookworm, and bookworm-security), that the patch is
# made for.
pinned_version=0.4.9.11-0+deb12u1

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
die() { echo "$prog: error: $*" >&2; exit 1; }
now_ms() { date +%s%3N; }
t_start=$(now_ms)
secs() { awk -v d="$1" 'BEGIN { printf "%.1f", d / 1000 }'; }
log() { printf '%s [%6ss] %s\n' "$prog" "$(secs $(($(now_ms) - t_start)))" "$*"; }

# step NAME: starts timing a step; step_done: records its time.
step_names=()
step_times=()
step_name=
step_t0=0
step() { step_name=$1; step_t0=$(now_ms); log "== $1"; }
step_done() {
  step_names+=("$step_name")
  step_times+=("$(secs $(($(now_ms) - step_t0)))")
}

run_check=0
variant=hotspan
while [ $# -gt 0 ]; do
  case "$1" in
    --check) run_check=1 ;;
    --variant)
      [ $# -ge 2 ] || die "--variant needs a value: hotspan, lttng or none"
      variant=$2
      case "$variant" in hotspan|lttng|none) ;; *) die "--variant must be hotspan, lttng or none, not '$variant'" ;; esac
      shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
  shift
done

repo=$(cd "$(dirname "$0")/.." && pwd)
integration=$repo/integrations/tor
version=${HOTSPAN_TOR_VERSION:-$pinned_version}
upstream=${version#*:}
upstream=${upstream%-*}
cache=${HOTSPAN_TOR_CACHE:-$HOME/.cache/hotspan/tor}
jobs=${HOTSPAN_TOR_JOBS:-2}
[[ $jobs =~ ^[1-9][0-9]*$ ]] || die "HOTSPAN_TOR_JOBS must be a positive number, not '$jobs'"
[ -f "$integration/hotspan-backend.patch" ] || die "$integration/hotspan-backend.patch is missing"
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
# One run at a time per cache: two checkouts (or a test and a demo) building
# into the same trees would interleave their configure and make steps.
exec 9>"$cache/.lock"
if ! flock -n 9; then
  echo "tor_build.sh: waiting for another tor_build.sh using $cache" >&2
  flock 9
fi

if [ "$(id -u)" -eq 0 ]; then
  sudo_cmd=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo_cmd=(sudo -n)
else
  sudo_cmd=(needs-root)
fi
as_root() {
  if [ "${sudo_cmd[0]:-}" = needs-root ]; then
    die "this step needs root (or password-less sudo): $*"
  fi
  "${sudo_cmd[@]}" "$@"
}
export DEBIAN_FRONTEND=noninteractive

# ---------------------------------------------------------------- deb-src
step "deb-src entry for the machine's Debian archive"
src_list=
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
  # deb822: every stanza of Types: deb (that has no deb-src yet), again with
  # Types: deb-src.
  src_list=/etc/apt/sources.list.d/hotspan-deb-src.sources
  wanted=$(awk 'BEGIN { RS = ""; ORS = "\n\n" }
                /(^|\n)Types:[ \t]*deb([ \t]|\n|$)/ && !/(^|\n)Types:[^\n]*deb-src/ {
                  gsub(/(^|\n)Types:[^\n]*/, "\nTypes: deb-src"); sub(/^\n/, ""); print
                }' /etc/apt/sources.list.d/debian.sources)
elif [ -f /etc/apt/sources.list ]; then
  # One-line format: every "deb" line, again as "deb-src".
  src_list=/etc/apt/sources.list.d/hotspan-deb-src.list
  wanted=$(sed -n 's/^[ \t]*deb[ \t]/deb-src /p' /etc/apt/sources.list)
fi
[ -n "$src_list" ] ||
  die "found no Debian archive in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list"
need_update=0
if [ -z "$wanted" ]; then
  log "the machine's entries have deb-src already"
elif [ ! -f "$src_list" ] || [ "$(cat "$src_list")" != "$wanted" ]; then
  log "writing $src_list (the URIs, suites, components and keys of the deb entries, as deb-src)"
  printf '%s\n' "$wanted" | as_root tee "$src_list" >/dev/null
  need_update=1
else
  log "$src_list is in place"
fi
# (apt-cache showsrc takes no version: the records are filtered below.)
has_version() { apt-cache showsrc tor 2>/dev/null | grep -Fx "Version: $version" >/dev/null; }
if [ $need_update -eq 1 ] || ! has_version; then
  log "apt-get update"
  as_root apt-get update -qq
fi
if ! has_version; then
  available=$(apt-cache showsrc tor 2>/dev/null | sed -n 's/^Version: //p' | sort -u | tr '\n' ' ')
  die "the archive has no tor source package $version (it has: ${available:-none}).
Debian replaces a version when it publishes a fix: pin the new one (pinned_version in
scripts/tor_build.sh, or HOTSPAN_TOR_VERSION) and check that integrations/tor/hotspan-backend.patch applies."
fi
log "tor source package $version is in the archive"
step_done

# ------------------------------------------------------------- packages
step "build dependencies"
arch=$(dpkg --print-architecture)
# tor's Build-Depends, less the documentation and Debian packaging tools
# (the manual pages are not built: --disable-asciidoc): first alternatives,
# with the architecture restrictions applied.
skip=" debhelper quilt asciidoc docbook-xml docbook-xsl xmlto dh-apparmor dh-autoreconf dh-runit "
showsrc=$(apt-cache showsrc tor)
build_depends=$(awk -v v="$version" '/^Version:/ { ok = ($2 == v) }
                                     ok && /^Build-Depends:/ { sub(/^Build-Depends: */, ""); print; exit }' <<<"$showsrc")
[ -n "$build_depends" ] || die "found no Build-Depends of tor $version in apt-cache showsrc tor"
packages=()
IFS=',' read -ra items <<<"$build_depends"
for item in "${items[@]}"; do
  item=${item%%|*}
  archs=
  [[ $item =~ \[([^]]*)\] ]] && archs=" ${BASH_REMATCH[1]} "
  name=$(sed -e 's/([^)]*)//g; s/\[[^]]*\]//g; s/<[^>]*>//g; s/:[a-z]*//' <<<"$item" | tr -d ' \t')
  [ -n "$name" ] || continue
  if [ -n "$archs" ] && [[ $archs != *" $arch "* && $archs != *" linux-any "* && $archs != *" any "* ]]; then
    continue
  fi
  [[ $skip == *" $name "* ]] && continue
  packages+=("$name")
done
# autoreconf (the patch changes configure.ac and include.am), dpkg-source,
# and what hotspan needs to build.
packages+=(autoconf automake libtool dpkg-dev pkg-config build-essential cmake
           libconcurrentqueue-dev libxxhash-dev)
[ "$variant" != lttng ] || packages+=(liblttng-ust-dev)
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep "install ok installed" >/dev/null; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -ne 0 ]; then
  log "installing ${missing[*]}"
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  log "all present: ${packages[*]}"
fi
step_done

# ----------------------------------------------------------- tor source
step "tor source package"
downloads=$cache/downloads
mkdir -p "$downloads"
dsc=$downloads/tor_${version#*:}.dsc
if [ -f "$dsc" ]; then
  log "cached: $dsc"
else
  log "apt-get source --download-only tor=$version into $downloads"
  # apt downloads as the _apt user when it can write there.
  chmod 0755 "$downloads"
  (cd "$downloads" && apt-get source -qq --download-only "tor=$version" >/dev/null 2>&1) ||
    (cd "$downloads" && apt-get source --download-only "tor=$version")
  [ -f "$dsc" ] || die "apt-get source gave no $dsc"
fi
step_done

# ---------------------------------------------------------------- hotspan
step "hotspan (Release) installed into the cache"
hs_build=$cache/hotspan-build
hs_prefix=$cache/hotspan-prefix
log "cmake configure, build (-j$jobs) and install: $repo -> $hs_prefix"
# The cache outlives checkouts: a build directory configured from another
# checkout's path is started afresh (cmake refuses to reuse it).
if [ -f "$hs_build/CMakeCache.txt" ] &&
  ! grep -qxF "CMAKE_HOME_DIRECTORY:INTERNAL=$repo" "$hs_build/CMakeCache.txt"; then
  log "removing $hs_build (configured from another checkout)"
  rm -rf "$hs_build"
fi
cmake -S "$repo" -B "$hs_build" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_INSTALL_PREFIX="$hs_prefix" -DCMAKE_INSTALL_LIBDIR=lib \
  -DHOTSPAN_INSTALL=ON -DHOTSPAN_BUILD_TESTS=OFF -DHOTSPAN_BUILD_EXAMPLES=OFF \
  -DHOTSPAN_BUILD_TOOLS=OFF -DHOTSPAN_BUILD_BENCHMARKS=OFF -DHOTSPAN_BUILD_FUZZERS=OFF \
  -DHOTSPAN_BUILD_SHARED=OFF -DHOTSPAN_OTLP_HTTP=OFF >"$cache/hotspan-cmake.log" 2>&1 ||
  { tail -30 "$cache/hotspan-cmake.log" >&2; die "cmake configure of hotspan failed (log: $cache/hotspan-cmake.log)"; }
cmake --build "$hs_build" -j "$jobs" >"$cache/hotspan-build.log" 2>&1 ||
  { tail -30 "$cache/hotspan-build.log" >&2; die "hotspan build failed (log: $cache/hotspan-build.log)"; }
# Files that are unchanged keep their times, so that tor relinks only when
# the library changed.
cmake --install "$hs_build" >"$cache/hotspan-install.log" 2>&1 ||
  { tail -30 "$cache/hotspan-install.log" >&2; die "hotspan install failed"; }
export PKG_CONFIG_PATH=$hs_prefix/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
pkg-config --exists hotspan || die "pkg-config does not find hotspan in $hs_prefix/lib/pkgconfig"
hotspan_hash=$(cd "$hs_prefix" && find . -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)
log "hotspan $(pkg-config --modversion hotspan), installed files' hash $hotspan_hash"
log "pkg-config --static --libs hotspan: $(pkg-config --static --libs hotspan)"
step_done

# -------------------------------------------------------------- tor tree
case "$variant" in
  hotspan) configure_args=(--enable-tracing-instrumentation-hotspan) ;;
  lttng) configure_args=(--enable-tracing-instrumentation-lttng) ;;
  none) configure_args=() ;;
esac
configure_args+=(--disable-asciidoc --disable-html-manual --disable-manpage)
# The tree is keyed on what needs a new unpack, autoreconf and configure: the
# tor version, the patch, the backend's include.am files, the configure
# arguments and the hotspan prefix (its path is baked into the Makefiles).
# The backend's sources are copied into the tree on every run when they
# differ (make then recompiles what they touch), and a new hotspan relinks.
tree_key=$( {
  echo "$version"
  printf '%s\n' "${configure_args[@]}"
  echo "$hs_prefix"
  (cd "$integration" && find hotspan-backend.patch src -type f -name '*.patch' -o -type f -name '*.am' |
     LC_ALL=C sort | xargs sha256sum)
} | sha256sum | cut -c1-12)
tree_root=$cache/tree-$variant-$tree_key
tor_dir=$tree_root/tor-$upstream

step "tor tree (unpack, patch, autoreconf, configure)"
# Trees of this variant for another key go; an unprefixed tree-KEY is a
# hotspan tree from before variants existed.
for old in "$cache"/tree-"$variant"-* $([ "$variant" = hotspan ] && echo "$cache"/tree-????????????); do
  if [ -d "$old" ] && [ "$old" != "$tree_root" ]; then
    log "removing $old (a tree of another version, patch or configuration)"
    rm -rf "$old"
  fi
done
if [ -f "$tree_root/.patched" ]; then
  log "reusing the patched tree $tor_dir"
else
  rm -rf "$tree_root"
  mkdir -p "$tree_root"
  log "dpkg-source -x $(basename "$dsc")"
  dpkg-source -q -x "$dsc" "$tor_dir" >/dev/null 2>&1 ||
    { dpkg-source -x "$dsc" "$tor_dir" || die "dpkg-source -x failed"; }
  log "copying the backend's sources: integrations/tor/src/ into the tree's src/"
  cp -R "$integration/src/." "$tor_dir/src/"
  log "applying integrations/tor/hotspan-backend.patch"
  (cd "$tor_dir" && patch -p1 --forward --quiet --dry-run <"$integration/hotspan-backend.patch" >/dev/null) ||
    die "integrations/tor/hotspan-backend.patch does not apply to tor $version:
$(cd "$tor_dir" && patch -p1 --forward --dry-run <"$integration/hotspan-backend.patch" 2>&1 | grep -iE 'fail|reject|offset|fuzz' | head -20)"
  (cd "$tor_dir" && patch -p1 --forward --quiet <"$integration/hotspan-backend.patch")
  log "autoreconf -fi"
  (cd "$tor_dir" && autoreconf -fi >"$tree_root/autoreconf.log" 2>&1) ||
    { tail -30 "$tree_root/autoreconf.log" >&2; die "autoreconf failed (log: $tree_root/autoreconf.log)"; }
  touch "$tree_root/.patched"
fi
# The backend's sources, again when they changed since the last run.
updated=()
while IFS= read -r -d '' f; do
  if ! cmp -s "$integration/src/$f" "$tor_dir/src/$f"; then
    mkdir -p "$(dirname "$tor_dir/src/$f")"
    cp "$integration/src/$f" "$tor_dir/src/$f"
    updated+=("src/$f")
  fi
done < <(cd "$integration/src" && find . -type f -printf '%P\0')
[ ${#updated[@]} -eq 0 ] || log "updated from integrations/tor/src/: ${updated[*]}"
if [ -f "$tree_root/.configured" ]; then
  log "reusing the configured tree"
else
  log "./configure ${configure_args[*]}"
  (cd "$tor_dir" && ./configure "${configure_args[@]}" >"$tree_root/configure.log" 2>&1) ||
    { tail -30 "$tree_root/configure.log" >&2; die "configure failed (log: $tree_root/configure.log)"; }
  case "$variant" in
    hotspan) want="#define USE_TRACING_INSTRUMENTATION_HOTSPAN 1" ;;
    lttng) want="#define USE_TRACING_INSTRUMENTATION_LTTNG 1" ;;
    none) want="" ;;
  esac
  if [ -n "$want" ]; then
    grep -qx "$want" "$tor_dir/orconfig.h" ||
      die "configure did not enable the $variant backend (log: $tree_root/configure.log)"
  elif grep -q "^#define HAVE_TRACING 1" "$tor_dir/orconfig.h"; then
    die "configure enabled tracing in the variant without it (log: $tree_root/configure.log)"
  fi
  touch "$tree_root/.configured"
fi
step_done

# ------------------------------------------------------------------ build
step "make -j$jobs src/app/tor src/tools/tor-gencert"
if [ "$(cat "$tree_root/.hotspan-hash" 2>/dev/null)" != "$hotspan_hash" ]; then
  if [ -f "$tree_root/.hotspan-hash" ]; then
    log "hotspan changed since the last build: relinking"
  fi
  # The library is not a make dependency of tor (it comes as -l flags):
  # removing the binaries makes them link again.
  rm -f "$tor_dir/src/app/tor" "$tor_dir/src/test/test"
fi
(cd "$tor_dir" && make -j"$jobs" src/app/tor src/tools/tor-gencert >"$tree_root/make.log" 2>&1) ||
  { grep -E 'error|Error' "$tree_root/make.log" | head -30 >&2; die "make failed (log: $tree_root/make.log)"; }
echo "$hotspan_hash" >"$tree_root/.hotspan-hash"
warnings=$(grep -c 'warning:' "$tree_root/make.log" || true)
log "built ($warnings compiler warnings in $tree_root/make.log)"
grep -E '(hotspan|trace_hotspan)[^ ]*: .*warning:' "$tree_root/make.log" >&2 || true
tor_version=$("$tor_dir/src/app/tor" --version 2>&1) || die "src/app/tor --version failed: $tor_version"
log "src/app/tor --version: $(grep -m1 '^Tor version' <<<"$tor_version")"
step_done

# ------------------------------------------------------------------ tests
if [ $run_check -eq 1 ]; then
  step "make -j$jobs src/test/test src/test/test-process"
  (cd "$tor_dir" && make -j"$jobs" src/test/test src/test/test-process >"$tree_root/make-test.log" 2>&1) ||
    { grep -E 'error|Error' "$tree_root/make-test.log" | head -30 >&2; die "make of the unit tests failed (log: $tree_root/make-test.log)"; }
  step_done
  step "unit tests: src/test/test (tracing idle)"
  (cd "$tor_dir" && ./src/test/test >"$tree_root/test.log" 2>&1) ||
    { tail -40 "$tree_root/test.log" >&2; die "unit tests failed (log: $tree_root/test.log)"; }
  tail -1 "$tree_root/test.log" | sed "s/^/$prog: /"
  step_done
  step "unit tests: src/test/test (the probes recording)"
  trace_dir=$(mktemp -d)
  (cd "$tor_dir" && HOTSPAN_FILE=$trace_dir/unit.trace ./src/test/test >"$tree_root/test-traced.log" 2>&1) ||
    { tail -40 "$tree_root/test-traced.log" >&2; die "unit tests with tracing failed (log: $tree_root/test-traced.log)"; }
  tail -1 "$tree_root/test-traced.log" | sed "s/^/$prog: /"
  rm -rf "$trace_dir"
  step_done
fi

# ----------------------------------------------------------------- result
mkdir -p "$cache/bin"
suffix=$([ "$variant" = hotspan ] || echo "-$variant")
ln -sfn "$tor_dir/src/app/tor" "$cache/bin/tor$suffix"
ln -sfn "$tor_dir/src/tools/tor-gencert" "$cache/bin/tor-gencert$suffix"
log "time per step:"
for i in "${!step_names[@]}"; do
  printf '%s   %7ss  %s\n' "$prog" "${step_times[$i]}" "${step_names[$i]}"
done
printf '%s   %7ss  total\n' "$prog" "$(secs $(($(now_ms) - t_start)))"
echo "tor:         $tor_dir/src/app/tor"
echo "tor-gencert: $tor_dir/src/tools/tor-gencert"
echo "(also linked from $cache/bin/)"
