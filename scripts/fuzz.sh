#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer (in build-fuzz), and runs each over its corpus.
#
#   scripts/fuzz.sh [SECONDS]          fuzz each target for SECONDS (default 60); new
#                                      inputs go to build-fuzz/scratch/TARGET, never
#                                      into the committed corpus
#   scripts/fuzz.sh --merge [SECONDS]  the same, then add the new inputs that reach new
#                                      code, minimized, to fuzz/corpus/TARGET
#   scripts/fuzz.sh --regress          run each target once over its corpus only (CI)
#   --target NAME                      only this target (repeatable)
#
# Fuzzers run one at a time, one process each (-jobs=1 -workers=1), under nice.
# Exits non-zero if any target crashes, leaks, times out (10 s per input) or
# exceeds 2 GB, printing the path of the input that did it and how to replay it.
# Environment: FUZZ_BUILD_DIR (default build-fuzz).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

seconds=60
mode=fuzz
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --regress) mode=regress ;;
    --merge) mode=merge ;;
    --target) targets+=("$2"); shift ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *[!0-9]*|'') echo "fuzz.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    *) seconds="$1" ;;
  esac
  shift
done
if [ ${#targets[@]} -eq 0 ]; then
  targets=(fuzz_binary_reader fuzz_jsonl_reader fuzz_traceparent fuzz_cli_inputs fuzz_span_api
           fuzz_trace_state)
fi

./scripts/setup.sh clang libclang-rt-14-dev

build_dir="${FUZZ_BUILD_DIR:-build-fuzz}"
case "$build_dir" in /*) ;; *) build_dir="$root/$build_dir" ;; esac
echo "== hotspan fuzz targets: build ($build_dir)"
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DHOTSPAN_SANITIZE=address,undefined -DHOTSPAN_BUILD_FUZZERS=ON \
  -DHOTSPAN_BUILD_TESTS=OFF -DHOTSPAN_BUILD_EXAMPLES=OFF -DHOTSPAN_BUILD_TOOLS=OFF \
  -DHOTSPAN_INSTALL=OFF >/dev/null
nice -n 10 cmake --build "$build_dir" -j2 --target "${targets[@]}"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

failed=0
for target in "${targets[@]}"; do
  binary="$build_dir/fuzz/$target"
  corpus="$root/fuzz/corpus/$target"
  scratch="$build_dir/scratch/$target"
  artifacts="$build_dir/artifacts/$target"
  logs="$build_dir/logs/$target"
  mkdir -p "$corpus" "$scratch" "$artifacts" "$logs"
  options=(-timeout=10 -rss_limit_mb=2048 -artifact_prefix="$artifacts/")
  if [ -f "$root/fuzz/$target.dict" ]; then options+=(-dict="$root/fuzz/$target.dict"); fi
  before="$(ls "$artifacts")"

  status=0
  if [ "$mode" = regress ]; then
    echo "== $target: the corpus once"
    nice -n 10 "$binary" "${options[@]}" -runs=0 "$corpus" >"$logs/regress.log" 2>&1 || status=$?
    log="$logs/regress.log"
  else
    echo "== $target: ${seconds} s"
    # -jobs writes the fuzzer's output to fuzz-0.log in the working directory.
    rm -f "$logs/fuzz-0.log"
    (cd "$logs" && nice -n 10 "$binary" "${options[@]}" -jobs=1 -workers=1 \
      -max_total_time="$seconds" "$scratch" "$corpus" >"$logs/driver.log" 2>&1) || status=$?
    log="$logs/fuzz-0.log"
  fi
  # The last statistics line libFuzzer printed: runs, coverage, corpus, speed.
  grep -E '^#[0-9]+' "$log" | tail -n 1 || true
  grep -E '^Done [0-9]+ runs' "$log" || true

  new_artifacts="$(comm -13 <(echo "$before") <(ls "$artifacts"))"
  if [ "$status" -ne 0 ] || [ -n "$new_artifacts" ]; then
    failed=1
    grep -E 'ERROR|check failed|SUMMARY|runtime error' "$log" | head -n 20 >&2 || true
    echo "fuzz.sh: $target FAILED (exit status $status); log: $log" >&2
    for artifact in $new_artifacts; do
      echo "fuzz.sh: input: $artifacts/$artifact" >&2
      echo "fuzz.sh: replay: $binary $artifacts/$artifact" >&2
    done
    continue
  fi

  if [ "$mode" = merge ]; then
    echo "== $target: merging new inputs into fuzz/corpus/$target"
    nice -n 10 "$binary" -merge=1 -timeout=10 -rss_limit_mb=2048 "$corpus" "$scratch" \
      >"$logs/merge.log" 2>&1
    grep -E 'MERGE-OUTER: [0-9]+ new files' "$logs/merge.log" || true
  fi
done

if [ "$failed" -ne 0 ]; then
  echo "fuzz.sh: a fuzz target failed (see above)" >&2
  exit 1
fi
echo "fuzz.sh: all targets passed"
