#!/usr/bin/env bash
# CLI tests: the built `hotspan` tool run on files that circuit_build writes in
# each format, checking output and exit statuses of cat, tree, stats, convert
# and validate: the same spans read the same from binary and JSON Lines, format
# round trips, valid OTLP and Chrome JSON, damaged and non-trace inputs, stdin,
# usage errors, the progress bar, spans too large for a binary frame, a very
# deep trace, and output to a full disk.
#   tests/cli/cli_test.sh HOTSPAN CIRCUIT_BUILD WORK_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
hotspan="$1"
circuit_build="$2"
work="$3"
rm -rf "$work"
mkdir -p "$work"
cd "$work"

. "$here/../support/shell_checks.sh"  # fail, pass, expect, contains, same

"$circuit_build" --out trace.bin --format binary --circuits 6 --threads 3 --seed 3 >/dev/null
"$circuit_build" --out trace.jsonl --format jsonl --circuits 6 --threads 3 --seed 4 >/dev/null
spans=$(wc -l <trace.jsonl)
[ "$spans" -gt 50 ] || fail "circuit_build wrote only $spans spans"

# ---- cat: the same spans read the same from either format -------------------
expect 0 from_jsonl.out err "$hotspan" convert trace.jsonl --to binary -o from_jsonl.bin
expect 0 cat_jsonl.out err "$hotspan" cat trace.jsonl
expect 0 cat_bin.out err "$hotspan" cat from_jsonl.bin
sort cat_jsonl.out >cat_jsonl.sorted
sort cat_bin.out >cat_bin.sorted
same cat_jsonl.sorted cat_bin.sorted
sort trace.jsonl >trace.sorted
same trace.sorted cat_jsonl.sorted  # cat rewrites JSON Lines unchanged
expect 0 cat_native.out err "$hotspan" cat trace.bin
python3 - cat_native.out <<'EOF'
import json, sys
spans = [json.loads(line) for line in open(sys.argv[1])]
assert len(spans) > 50, len(spans)
assert all(s["service"] == "circuit_build" and len(s["span_id"]) == 16 for s in spans)
EOF
pass

# ---- convert: round trip binary -> jsonl -> binary -> jsonl -----------------
expect 0 out err "$hotspan" convert trace.bin --to jsonl -o rt1.jsonl
expect 0 out err "$hotspan" convert rt1.jsonl --to binary -o rt2.bin
expect 0 out err "$hotspan" convert rt2.bin --to jsonl --output=rt3.jsonl
same rt1.jsonl rt3.jsonl
same cat_native.out rt1.jsonl
expect 0 validate_rt2.out err "$hotspan" validate rt2.bin
native_spans=$(wc -l <rt1.jsonl)

# ---- convert: OTLP/JSON and Chrome JSON are valid JSON with every span ------
expect 0 out err "$hotspan" convert trace.bin --to otlp-json -o trace.otlp.json
expect 0 out err "$hotspan" convert trace.bin --to chrome-json -o trace.chrome.json
python3 - trace.otlp.json trace.chrome.json "$native_spans" <<'EOF'
import json, sys
otlp, chrome, want = sys.argv[1], sys.argv[2], int(sys.argv[3])
spans = 0
for line in open(otlp):
    for resource in json.loads(line)["resourceSpans"]:
        names = [a["value"]["stringValue"] for a in resource["resource"]["attributes"]
                 if a["key"] == "service.name"]
        assert names == ["circuit_build"], names
        for scope in resource["scopeSpans"]:
            spans += len(scope["spans"])
assert spans == want, (spans, want)
document = json.load(open(chrome))
events = document["traceEvents"] if isinstance(document, dict) else document
complete = [e for e in events if e.get("ph") == "X"]
assert len(complete) == want, (len(complete), want)
EOF
pass
# stdout as the output, and JSON Lines input into every format
expect 0 stdout.jsonl err "$hotspan" convert trace.bin --to jsonl -o -
same rt1.jsonl stdout.jsonl
expect 0 out err "$hotspan" convert trace.jsonl --to chrome-json -o jsonl.chrome.json
python3 -m json.tool jsonl.chrome.json >/dev/null
pass

# ---- tree and stats: the same for either format ------------------------------
expect 0 tree_jsonl.out err "$hotspan" tree trace.jsonl --limit 3
expect 0 tree_bin.out err "$hotspan" tree from_jsonl.bin --limit 3
same tree_jsonl.out tree_bin.out
contains tree_bin.out "build-circuit"
contains tree_bin.out "└─ "
contains tree_bin.out "more traces (--limit 0 shows all)"
expect 0 tree_all.out err "$hotspan" tree from_jsonl.bin --limit 0
[ "$(grep -c '^trace ' tree_all.out)" -eq "$(grep -c '^build-circuit' tree_all.out)" ] ||
  fail "tree --limit 0 does not show one build-circuit per trace"
pass
trace_id=$(grep -m 1 '"name":"build-circuit"' cat_native.out |
  sed -n 's/.*"trace_id":"\([0-9a-f]\{32\}\)".*/\1/p')
expect 0 tree_one.out err "$hotspan" tree trace.bin --trace "$trace_id"
contains tree_one.out "trace $trace_id"
[ "$(grep -c '^trace ' tree_one.out)" -eq 1 ] || fail "tree --trace shows more than one trace"
pass
expect 1 out tree_missing.err "$hotspan" tree trace.bin --trace 0123456789abcdef0123456789abcdef
contains tree_missing.err "is not in trace.bin"

for by in name kind status; do
  expect 0 "stats_$by.jsonl.out" err "$hotspan" stats trace.jsonl --by "$by"
  expect 0 "stats_$by.bin.out" err "$hotspan" stats from_jsonl.bin --by "$by"
  same "stats_$by.jsonl.out" "stats_$by.bin.out"
done
contains stats_name.bin.out "build-circuit"
contains stats_name.bin.out "(all)"
contains stats_name.bin.out "slowest 5 traces of"
contains stats_kind.bin.out "client"
# Exact nearest-rank percentiles of all durations
python3 - trace.jsonl stats_name.jsonl.out <<'EOF'
import json, math, sys
durations = sorted(s["end_unix_ns"] - s["start_unix_ns"] for s in map(json.loads, open(sys.argv[1])))
rank = lambda p: durations[max(1, math.ceil(p * len(durations) / 100)) - 1]
def shown(ns):  # format_duration for values of 1 µs and more
    for unit, scale in (("µs", 1e3), ("ms", 1e6), ("s", 1e9)):
        v = ns / scale
        if v < 999.5 or unit == "s":
            return "%.*f %s" % (2 if v < 9.995 else 1 if v < 99.95 else 0, v, unit)
row = next(l for l in open(sys.argv[2]) if l.startswith("(all)")).split()
assert int(row[1]) == len(durations), row
want = [shown(d) for d in (durations[0], rank(50), rank(95), rank(99), durations[-1])]
got = [" ".join(row[i:i + 2]) for i in range(3, 13, 2)]
assert got == want, (got, want)
EOF
pass

# ---- stdin -------------------------------------------------------------------
expect 0 stats_stdin.out err "$hotspan" stats - <from_jsonl.bin
same stats_name.bin.out stats_stdin.out
cat trace.bin | "$hotspan" cat - >cat_pipe.out
same cat_native.out cat_pipe.out
cat trace.jsonl | "$hotspan" tree - --limit 3 >tree_pipe.out
same tree_jsonl.out tree_pipe.out
expect 0 validate_stdin.out err "$hotspan" validate - <trace.bin
contains validate_stdin.out "stdin: valid"

# ---- validate ----------------------------------------------------------------
expect 0 validate.out err "$hotspan" validate trace.bin
contains validate.out "trace.bin: valid"
contains validate.out "complete (end frame present)"
contains validate.out "(the end frame declares $native_spans)"
contains validate.out "losses    none"
expect 0 validate_jsonl.out err "$hotspan" validate trace.jsonl
contains validate_jsonl.out "trace.jsonl: valid"

size=$(wc -c <trace.bin)
for cut in 13 40 200 $((size / 3)) $((size / 2)) $((size - 1)); do
  head -c "$cut" trace.bin >cut.bin
  expect 1 cut.out cut.err "$hotspan" validate cut.bin
  contains cut.out "invalid: truncated after"
  # what the other commands make of it: every span before the cut, then exit 1
  expect 1 cut_cat.out cut_cat.err "$hotspan" cat cut.bin
  contains cut_cat.err "truncated after"
done
[ "$(wc -l <cut_cat.out)" -gt 0 ] || fail "nothing was recovered from a cut file"
pass
for cut in 1 5; do
  head -c "$cut" trace.bin >tiny.bin
  expect 1 tiny.out tiny.err "$hotspan" validate tiny.bin
  contains tiny.out "tiny.bin: invalid"
done
# Cut exactly before the end frame: complete frames, but the writer never closed it.
last_frame=$(grep -o 'offset [0-9]*' cut.out | head -1 | cut -d' ' -f2)
head -c "$last_frame" trace.bin >unclosed.bin
expect 1 unclosed.out err "$hotspan" validate unclosed.bin
contains unclosed.out "no end frame"
expect 0 out unclosed_cat.err "$hotspan" cat unclosed.bin
contains unclosed_cat.err "no end frame"

python3 - trace.bin flipped.bin <<'EOF'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
data[len(data) // 2] ^= 0x10
open(sys.argv[2], "wb").write(data)
EOF
expect 1 flipped.out err "$hotspan" validate flipped.bin
contains flipped.out "flipped.bin: invalid:"
contains flipped.out "offset"
expect 1 out flipped_stats.err "$hotspan" stats flipped.bin
contains flipped_stats.err "offset"

: >empty.jsonl
expect 1 empty.out err "$hotspan" validate empty.jsonl
contains empty.out "empty input"
printf 'hello, world\nnot a trace\n' >text.txt
expect 1 text.out text.err "$hotspan" validate text.txt
contains text.out "not a hotspan trace"
contains text.err "line 1 (offset 0)"
expect 1 out missing.err "$hotspan" validate missing.bin
contains missing.err "cannot open 'missing.bin'"

head -c 20000 trace.jsonl >cut.jsonl
expect 1 cut_jsonl.out err "$hotspan" validate cut.jsonl
contains cut_jsonl.out "invalid: truncated after"
{ head -n 3 trace.jsonl; echo '{"trace_id": 12}'; tail -n +4 trace.jsonl; } >bad_line.jsonl
expect 1 bad_line.out bad_line.err "$hotspan" validate bad_line.jsonl
contains bad_line.out "line 4 (offset"
contains bad_line.err "line 4 (offset"
expect 1 out err "$hotspan" tree bad_line.jsonl
{ cat trace.jsonl; tail -n 1 trace.jsonl; } >duplicate.jsonl
expect 1 duplicate.out err "$hotspan" validate duplicate.jsonl
contains duplicate.out "occurs more than once"
grep -v '"name":"build-circuit"' trace.jsonl >part.jsonl  # no roots: orphans
expect 0 part.out err "$hotspan" validate part.jsonl
contains part.out "warning"
contains part.out "a parent that is not in the file"
expect 1 part_strict.out err "$hotspan" validate part.jsonl --strict
contains part_strict.out "(--strict)"

# ---- usage errors and help ---------------------------------------------------
expect 2 out err "$hotspan"
expect 2 out err "$hotspan" frobnicate
expect 2 out err "$hotspan" cat
expect 2 out err "$hotspan" cat - -
expect 2 out err "$hotspan" cat trace.bin --bogus
expect 2 out err "$hotspan" stats trace.bin --by color
contains err "must be one of name, kind, status"
expect 2 out err "$hotspan" tree trace.bin --limit lots
expect 2 out err "$hotspan" tree trace.bin --trace xyz
expect 2 out err "$hotspan" validate trace.bin -x
expect 2 out err "$hotspan" convert trace.bin -o out.json
contains err "missing --to"
expect 2 out err "$hotspan" convert trace.bin --to xml -o out.xml
expect 2 out err "$hotspan" convert trace.bin --to jsonl
expect 2 out err "$hotspan" convert trace.bin --to jsonl -o trace.bin
contains err "is the input"
expect 0 validate_after.out err "$hotspan" validate trace.bin  # still intact
expect 1 out err "$hotspan" convert missing.bin --to jsonl -o never.jsonl
[ ! -e never.jsonl ] || fail "a missing input created the output"
pass
expect 1 out err "$hotspan" convert trace.bin --to jsonl -o no/such/dir/out.jsonl
contains err "cannot create"
# The output holds the spans: created 0600, a symbolic link refused (dangling
# or not), never followed to truncate or create its target.
echo kept >victim.txt
cp victim.txt victim.expected
ln -s victim.txt link.jsonl
ln -s never_created.jsonl dangling.jsonl
for link in link.jsonl dangling.jsonl; do
  expect 1 out err "$hotspan" convert trace.bin --to jsonl -o "$link"
  contains err "cannot create '$link': it is a symbolic link"
done
same victim.txt victim.expected
[ ! -e never_created.jsonl ] || fail "convert created the target of a dangling symbolic link"
(umask 022 && expect 0 out err "$hotspan" convert trace.bin --to jsonl -o fresh.jsonl)
[ "$(stat -c %a fresh.jsonl)" = 600 ] || fail "convert created fresh.jsonl $(stat -c %a fresh.jsonl)"
pass
expect 0 help.out err "$hotspan" --help
for command in cat tree stats convert validate; do
  contains help.out "  $command "
  expect 0 out err "$hotspan" "$command" --help
  contains out "usage: hotspan $command"
done
contains help.out "Exit status:"

# ---- progress bar: on a terminal only, for inputs over 8 MiB -----------------
"$circuit_build" --out big.jsonl --format jsonl --circuits 200 --threads 8 >/dev/null
[ "$(wc -c <big.jsonl)" -gt $((9 << 20)) ] || fail "big.jsonl is under 9 MiB"
expect 0 out no_tty.err "$hotspan" stats big.jsonl
grep -q "MiB" no_tty.err && fail "progress bar drawn on a non-terminal"
pass
if command -v script >/dev/null 2>&1; then
  script -qec "'$hotspan' stats big.jsonl >/dev/null" /dev/null </dev/null >tty.out
  contains tty.out "MiB"
  contains tty.out "%"
fi

# ---- convert --to binary: more than a frame's 16 MiB --------------------------
# 40 spans of 1 MiB values (one batch, one trace): split into frames that all
# read back. A 17 MiB value fits no frame: an error naming its span, exit 1,
# the spans before it written and the output closed. A 17 MiB service name
# fits no header frame: an error before anything is written.
python3 - large_values.jsonl too_large.jsonl <<'EOF'
import json, sys
def span(i, value_bytes):
    return json.dumps({"trace_id": "%032x" % 1, "span_id": "%016x" % (i + 1), "name": "big",
                       "start_unix_ns": 1700000000000000000 + i,
                       "end_unix_ns": 1700000000000001000 + i,
                       "attributes": {"v": chr(ord("a") + i % 26) * value_bytes}}) + "\n"
with open(sys.argv[1], "w") as f:
    for i in range(40):
        f.write(span(i, 1 << 20))
with open(sys.argv[2], "w") as f:
    for i in range(3):
        f.write(span(i, 17 << 20 if i == 2 else 1 << 20))
EOF
expect 0 out err "$hotspan" convert large_values.jsonl --to binary -o large_values.bin
expect 0 large_validate.out err "$hotspan" validate large_values.bin
contains large_validate.out "large_values.bin: valid"
expect 0 large_back.jsonl err "$hotspan" cat large_values.bin
python3 - large_back.jsonl <<'EOF'
import json, sys
spans = [json.loads(line) for line in open(sys.argv[1])]
assert len(spans) == 40, len(spans)
for i, s in enumerate(spans):
    assert s["attributes"]["v"] == chr(ord("a") + i % 26) * (1 << 20), i
EOF
pass
expect 1 out too_large.err "$hotspan" convert too_large.jsonl --to binary -o too_large.bin
contains too_large.err "span 3 of the input: span 0000000000000003"
contains too_large.err "the binary format cannot hold it"
expect 0 too_large_validate.out err "$hotspan" validate too_large.bin
contains too_large_validate.out "too_large.bin: valid"
expect 0 too_large_back.jsonl err "$hotspan" cat too_large.bin
[ "$(wc -l <too_large_back.jsonl)" -eq 2 ] || fail "too_large.bin does not hold the 2 spans before"
pass
python3 -c 'import json; print(json.dumps({"trace_id": "%032x" % 1, "span_id": "%016x" % 1,
  "name": "s", "start_unix_ns": 1, "end_unix_ns": 2, "service": "s" * (17 << 20)}))' >huge_service.jsonl
expect 1 out huge_service.err "$hotspan" convert huge_service.jsonl --to binary -o huge_service.bin
contains huge_service.err "more than the binary format's header frame holds"

# ---- tree: a 200,000-deep chain -----------------------------------------------
# Output linear in the spans (past a depth, a line shows the depth as a number
# instead of one guide per ancestor), and no recursion as deep as the chain.
# Read through head, so that output growing with the square of the depth
# fails the test at once instead of filling the disk.
deep_spans=200000
python3 - deep.jsonl "$deep_spans" <<'EOF'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(int(sys.argv[2])):
        parent = ',"parent_span_id":"%016x"' % i if i else ""
        f.write('{"trace_id":"%032x","span_id":"%016x"%s,"name":"hop",'
                '"start_unix_ns":%d,"end_unix_ns":%d}\n' % (7, i + 1, parent, 10**18 + i, 2 * 10**18 - i))
EOF
deep_limit=$((deep_spans * 120))
"$hotspan" tree deep.jsonl 2>deep_tree.err | head -c $((deep_limit + 1)) >deep_tree.out ||
  fail "tree of a $deep_spans-deep chain failed or wrote over $deep_limit bytes: $(head -c 300 deep_tree.err)"
[ "$(wc -c <deep_tree.out)" -le "$deep_limit" ] || fail "tree of a $deep_spans-deep chain wrote over $deep_limit bytes"
[ "$(wc -l <deep_tree.out)" -eq $((deep_spans + 1)) ] || fail "tree of the deep chain lacks lines"
contains deep_tree.out "[depth 199999] └─ hop"
pass

# ---- a rotated set read as one input: a glob, a directory, several files ----
# circuit_build rotates every 4 KiB: traces of concurrent threads cross files.
mkdir rotated
"$circuit_build" --out rotated/relay.bin --format binary --circuits 6 --threads 3 --seed 5 \
  --rotate-bytes 4096 >/dev/null
rotated_files=$(find rotated -type f | wc -l)
[ "$rotated_files" -ge 3 ] || fail "circuit_build --rotate-bytes 4096 wrote $rotated_files files"
for f in rotated/*; do
  [[ "$(basename "$f")" =~ ^relay\.[0-9]{6}\.[0-9]{8}T[0-9]{6}Z\.bin$ ]] || fail "rotated file name $f"
done
pass
# The set, converted to one file: the reference.
expect 0 out err "$hotspan" convert 'rotated/relay.*.bin' --to jsonl -o rotated.jsonl
expect 0 rotated_cat.out err "$hotspan" cat rotated/relay.*.bin # expanded by the shell
same rotated.jsonl rotated_cat.out
# A hidden file (one a killed exporter left while opening it) is not read.
printf 'not a trace' >rotated/.relay.000099.20261207T051900Z.bin
expect 0 rotated_dir_cat.out err "$hotspan" cat rotated
same rotated.jsonl rotated_dir_cat.out
# In sequence order: the files one by one, concatenated.
for f in rotated/*; do "$hotspan" cat "$f"; done >rotated_each.out
same rotated.jsonl rotated_each.out
# A trace crosses two files, and tree joins it: the same trees as from the one
# file, with no orphan.
for f in rotated/*; do
  "$hotspan" cat "$f" | python3 -c 'import json,sys; print(" ".join(sorted({json.loads(l)["trace_id"] for l in sys.stdin})))'
done >rotated_traces.out
python3 - rotated_traces.out <<'EOF'
import sys
files = [set(line.split()) for line in open(sys.argv[1])]
assert any(a & b for a, b in zip(files, files[1:])), "no trace spans two files"
EOF
pass
expect 0 tree_joined.out err "$hotspan" tree rotated.jsonl --limit 0
expect 0 tree_glob.out err "$hotspan" tree 'rotated/relay.*.bin' --limit 0
same tree_joined.out tree_glob.out
expect 0 tree_dir.out err "$hotspan" tree rotated --limit 3
expect 0 tree_joined3.out err "$hotspan" tree rotated.jsonl --limit 3
same tree_joined3.out tree_dir.out
if grep -q orphan tree_glob.out; then fail "tree of the rotated set has orphans"; fi
pass
expect 0 stats_joined.out err "$hotspan" stats rotated.jsonl
expect 0 stats_glob.out err "$hotspan" stats 'rotated/relay.*.bin'
same stats_joined.out stats_glob.out
# validate: one report per file, each valid (every file has its end frame).
expect 0 validate_set.out err "$hotspan" validate 'rotated/relay.*.bin'
[ "$(grep -c ': valid$' validate_set.out)" -eq "$rotated_files" ] || fail "validate: not one verdict per file"
pass
expect 0 out err "$hotspan" report rotated -o rotated.html
# A pattern that matches nothing, an empty directory, stdin twice.
expect 1 out err "$hotspan" stats 'rotated/nothing.*.bin'
contains err "no file matches 'rotated/nothing.*.bin'"
mkdir empty_dir
expect 1 out err "$hotspan" cat empty_dir
contains err "holds no files"
expect 2 out err "$hotspan" stats - - </dev/null
contains err "only once"

# ---- every command: output that cannot be written (a full disk) -------------
# Exit status 1 and a message, never 0 with the output lost.
for command in "tree trace.bin" "stats trace.bin" "validate trace.bin" "cat trace.bin" \
  "convert trace.bin --to jsonl -o -" "report trace.bin -o -" "tree --help" "--help"; do
  status=0
  # shellcheck disable=SC2086  # the words of $command are the arguments
  "$hotspan" $command >/dev/full 2>full.err || status=$?
  [ "$status" -eq 1 ] || fail "'hotspan $command >/dev/full' exited with $status, expected 1"
  contains full.err "writing stdout failed"
done

echo "hotspan CLI: $checks checks passed"
