#!/usr/bin/env bash
# Compiles and links every ```cpp and ```c block of a Markdown guide against
# the built static library, warning-free (-Werror), so that the guide cannot
# drift from the API. A block whose info string is "cpp fragment" or
# "c fragment" holds statements: it is wrapped in a function that has a
# `hotspan::Tracer& tracer` (C++) or `hotspan_tracer* tracer` (C) in scope,
# after the usual includes. Other blocks are whole programs.
#   guide_snippets.sh GUIDE.md SCRATCH_DIR CXX CC INCLUDE_DIR LIBHOTSPAN_A LIBXXHASH [FLAG...]
# Extra FLAGs go to every compile-and-link command (the static library's own
# dependencies and definitions, e.g. -DHOTSPAN_HAS_OTLP_HTTP and libcurl).
set -euo pipefail
guide="$1" work="$2" cxx="$3" cc="$4" include="$5" lib="$6" xxhash="$7"
shift 7
extra=("$@")
rm -rf "$work" && mkdir -p "$work"

# Writes block N to $work/snippet_N.<cpp|c>[.fragment]; prints nothing.
awk -v dir="$work" '
  /^```/ {
    if (in_block) {
      in_block = 0
      if (out != "") { close(out); out = "" }
      next
    }
    in_block = 1
    split(substr($0, 4), field, " ")
    if (field[1] == "cpp" || field[1] == "c") {
      ++count
      out = sprintf("%s/snippet_%02d.%s%s", dir, count, field[1], (field[2] == "fragment") ? ".fragment" : "")
      printf "" > out
    }
    next
  }
  out != "" { print >> out }
' "$guide"

cxx_flags=(-std=c++20 -Wall -Wextra -Wpedantic -Werror -I"$include")
c_flags=(-std=c99 -Wall -Wextra -Wpedantic -Werror -I"$include")
libs=("$lib" "$xxhash" "${extra[@]}" -lstdc++ -lm -pthread)
count=0 failed=0
for block in "$work"/snippet_*; do
  count=$((count + 1))
  name=$(basename "$block")
  case "$name" in
    *.cpp.fragment)
      source="$work/${name%.fragment}"
      { printf '#include <hotspan/hotspan.hpp>\n\n#include <cerrno>\n#include <cstdio>\n'
        printf '#include <functional>\n#include <string>\n#include <system_error>\n'
        printf '#include <thread>\n#include <utility>\n#include <vector>\n\n'
        printf '[[maybe_unused]] static void guide_fragment([[maybe_unused]] hotspan::Tracer& tracer) {\n'
        cat "$block"
        printf '}\n\nint main() { return 0; }\n'; } > "$source"
      compiler=("$cxx" "${cxx_flags[@]}") ;;
    *.c.fragment)
      source="$work/${name%.fragment}"
      { printf '#include <hotspan/hotspan.h>\n\n#include <errno.h>\n#include <stdint.h>\n'
        printf '#include <stdio.h>\n#include <string.h>\n\n'
        printf 'void guide_fragment(hotspan_tracer* tracer);\n'
        printf 'void guide_fragment(hotspan_tracer* tracer) {\n  (void)tracer;\n'
        cat "$block"
        printf '}\n\nint main(void) { return 0; }\n'; } > "$source"
      compiler=("$cc" "${c_flags[@]}") ;;
    *.cpp) source="$block"; compiler=("$cxx" "${cxx_flags[@]}") ;;
    *.c) source="$block"; compiler=("$cc" "${c_flags[@]}") ;;
  esac
  if ! "${compiler[@]}" "$source" -o "$work/${name%%.*}" "${libs[@]}" 2> "$work/${name%%.*}.log"; then
    echo "guide_snippets: block ${name%%.*} of $guide does not build:" >&2
    cat -n "$source" >&2
    cat "$work/${name%%.*}.log" >&2
    failed=$((failed + 1))
  fi
done
if [ "$count" -eq 0 ]; then
  echo "guide_snippets: no cpp or c block found in $guide" >&2
  exit 1
fi
echo "guide_snippets: $((count - failed)) of $count code blocks of $(basename "$guide") build"
[ "$failed" -eq 0 ]
