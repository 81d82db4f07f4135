# hotspan tests — the checks the shell tests share (sourced, not run):
#   fail MESSAGE               stop the test with MESSAGE
#   pass                       count one check that held
#   expect STATUS OUT ERR CMD  run CMD with stdout to OUT and stderr to ERR and
#                              check its exit status
#   contains FILE TEXT         FILE has TEXT (a fixed string)
#   same A B                   files A and B are identical
# $checks counts the checks that held, for the test's closing line.

checks=0

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

pass() { checks=$((checks + 1)); }

expect() {
  local want="$1" out="$2" err="$3"
  shift 3
  local got=0
  "$@" >"$out" 2>"$err" || got=$?
  [ "$got" -eq "$want" ] || {
    cat "$out" "$err" >&2
    fail "'$*' exited with $got, expected $want"
  }
  pass
}

contains() {
  grep -qF -- "$2" "$1" || {
    head -c 2000 "$1" >&2
    fail "$1 lacks '$2'"
  }
  pass
}

same() {
  cmp -s "$1" "$2" || {
    diff "$1" "$2" | head -20 >&2
    fail "$1 and $2 differ"
  }
  pass
}
