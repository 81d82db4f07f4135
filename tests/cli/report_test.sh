#!/usr/bin/env bash
# `hotspan report` end to end: pages built from circuit_build's spans split
# into four processes' files (client, guard, middle, exit; binary, JSON Lines
# and stdin), loaded in headless Chromium, and their rendered DOM checked: no
# page or console errors, one trace list row per trace, the waterfall of a
# chosen trace with every span and the services of every input, the
# per-operation P50/P95/P99 table equal to `hotspan stats`, the truncation note
# of --max-spans, and a page of hostile span strings that injects nothing.
# Also a screenshot (report.png in WORK_DIR) and the CLI's errors.
#   tests/cli/report_test.sh HOTSPAN CIRCUIT_BUILD HOSTILE_SPAN_WRITER WORK_DIR
# Exits 77 (skipped) when chromium is not installed (scripts/setup.sh installs it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
hotspan="$1"
circuit_build="$2"
hostile_writer="$3"
work="$4"
rm -rf "$work"
mkdir -p "$work"
cd "$work"

chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
  echo "SKIP: chromium is not installed (scripts/setup.sh installs it)"
  exit 77
fi

. "$here/../support/shell_checks.sh"  # fail, pass, expect, contains, same

# render PAGE [FRAGMENT]: PAGE's DOM after its scripts ran, into PAGE.dom;
# Chromium's log into PAGE.log. Runs as root in CI, hence --no-sandbox; a
# profile of its own keeps runs apart.
render() {
  local page="$1" fragment="${2:-}"
  timeout 60 "$chromium" --headless --no-sandbox --disable-gpu --no-first-run \
    --user-data-dir="$work/chromium-profile" --enable-logging=stderr --v=0 \
    --virtual-time-budget=5000 --dump-dom "file://$work/$page$fragment" \
    >"$page.dom" 2>"$page.log" || fail "chromium failed on $page: $(tail -5 "$page.log")"
  # Console errors and uncaught exceptions, as Chromium logs them.
  if grep -E "Uncaught|ERROR:CONSOLE|CONSOLE\([0-9]+\).*[Ee]rror" "$page.log" >&2; then
    fail "$page logged a console error"
  fi
  pass
}

# ---- four processes' files: one trace spans all of them ------------------------
"$circuit_build" --out all.jsonl --format jsonl --circuits 6 --threads 3 --seed 5 >/dev/null
service() {  # service NAME REGEX: the spans whose name matches, as service NAME
  grep -E "\"name\":\"($2)\"" all.jsonl | sed "s/\"service\":\"circuit_build\"/\"service\":\"$1\"/"
}
service client 'build-circuit|select-guard|select-middle|select-exit|open-stream' >client.jsonl
service guard 'extend-circuit|create-hop-1' >guard.jsonl
service middle 'create-hop-2' >middle.jsonl
service exit 'create-hop-3' >exit.jsonl
[ "$(cat client.jsonl guard.jsonl middle.jsonl exit.jsonl | wc -l)" -eq "$(wc -l <all.jsonl)" ] ||
  fail "the split lost spans"
expect 0 out err "$hotspan" convert guard.jsonl --to binary -o guard.bin
expect 0 out err "$hotspan" convert exit.jsonl --to binary -o exit.bin
expect 0 out report.err "$hotspan" report client.jsonl guard.bin - exit.bin -o report.html <middle.jsonl
size=$(wc -c <report.html)
echo "report.html: $size bytes for $(wc -l <all.jsonl) spans"
# Self-contained: nothing is fetched from anywhere.
if grep -Eiq '(src|href)="(https?:)?//' report.html; then fail "report.html loads something"; fi
pass
# A trace with all four processes, and its exit hop (whose parent is in the
# guard's file), shown through the page's #trace=ID&span=ID fragment.
hop3=$(grep -m 1 '"name":"create-hop-3"' all.jsonl)
trace_id=$(sed -n 's/.*"trace_id":"\([0-9a-f]\{32\}\)".*/\1/p' <<<"$hop3")
hop3_id=$(sed -n 's/.*"span_id":"\([0-9a-f]\{16\}\)".*/\1/p' <<<"$hop3")
hop3_parent=$(sed -n 's/.*"parent_span_id":"\([0-9a-f]\{16\}\)".*/\1/p' <<<"$hop3")
render report.html "#trace=$trace_id&span=$hop3_id"
contains report.html.dom "<th>span id</th><td class=\"mono\">$hop3_id</td>"
contains report.html.dom "<th>parent span id</th><td class=\"mono\">$hop3_parent</td>"
contains report.html.dom "<th>service</th><td class=\"name\">exit</td>"
"$hotspan" stats all.jsonl >stats.out
python3 - report.html.dom all.jsonl "$trace_id" stats.out <<'EOF'
import json, sys
from html.parser import HTMLParser

class Dom(HTMLParser):
    """Text of the elements whose class lists one of WATCHED, by class."""
    WATCHED = {"trace-row", "wf-row", "op-row", "wf-name", "wf-service", "op-name", "op-min",
               "op-p50", "op-p95", "op-p99", "op-max"}
    VOID = {"meta", "link", "input", "br", "img", "hr"}
    def __init__(self):
        super().__init__()
        self.found = {c: [] for c in self.WATCHED}
        self.open = []  # (tag, classes collected into) for each open element
        self.errors, self.state, self.in_errors = "", None, False
    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id") == "hotspan-status": self.state = attrs.get("data-state")
        if tag in self.VOID: return
        classes = [c for c in (attrs.get("class") or "").split() if c in self.WATCHED]
        for c in classes: self.found[c].append("")
        self.open.append((tag, classes, attrs.get("id") == "hotspan-errors"))
    def handle_endtag(self, tag):
        while self.open and self.open.pop()[0] != tag: pass
    def handle_data(self, text):
        for _, classes, errors in self.open:
            for c in classes: self.found[c][-1] += text
            if errors: self.errors += text

dom = Dom()
dom.feed(open(sys.argv[1], encoding="utf-8").read())
spans = [json.loads(line) for line in open(sys.argv[2])]
trace_id = sys.argv[3]
assert dom.state == "rendered", dom.state
assert dom.errors.strip() == "", dom.errors
traces = {s["trace_id"] for s in spans}
assert len(dom.found["trace-row"]) == len(traces), (len(dom.found["trace-row"]), len(traces))
# The waterfall: every span of the chosen trace, with the services of every input.
mine = [s for s in spans if s["trace_id"] == trace_id]
assert len(dom.found["wf-row"]) == len(mine), (len(dom.found["wf-row"]), len(mine))
assert sorted(n.strip() for n in dom.found["wf-name"]) == sorted(s["name"] for s in mine)
assert set(dom.found["wf-service"]) == {"client", "guard", "middle", "exit"}, set(dom.found["wf-service"])
# Per operation: the same count and percentiles as `hotspan stats`.
stats = {}
for line in open(sys.argv[4]):
    if line.startswith(("name ", "(all)")) or len(line.split()) != 15:
        continue
    cols = line.split()
    stats[cols[0]] = [" ".join(cols[i:i + 2]) for i in range(3, 13, 2)]
page = {}
for i, name in enumerate(dom.found["op-name"]):
    page[name] = [dom.found[c][i] for c in ("op-min", "op-p50", "op-p95", "op-p99", "op-max")]
assert set(page) == {s["name"] for s in spans}, set(page)
assert page == {k: v for k, v in stats.items() if k in page} and len(stats) == len(page), (page, stats)
print("report page: %d traces, waterfall of %d spans, %d operations" % (len(traces), len(mine), len(page)))
EOF
pass

# One process's file alone: its spans' parents are elsewhere, so they are orphans.
expect 0 exit_only.html err "$hotspan" report exit.bin -o -
render exit_only.html
contains exit_only.html.dom '<span class="note">(orphan: parent not in the inputs)</span>'
[ "$(grep -o 'class="wf-row[ "]' exit_only.html.dom | wc -l)" -eq 1 ] || fail "exit.bin: not one span a trace"
pass

# ---- the screenshot --------------------------------------------------------------
timeout 60 "$chromium" --headless --no-sandbox --disable-gpu --no-first-run \
  --user-data-dir="$work/chromium-profile" --virtual-time-budget=5000 \
  --screenshot="$work/report.png" --window-size=1400,1000 "file://$work/report.html" \
  >screenshot.log 2>&1 || fail "chromium could not take a screenshot: $(tail -5 screenshot.log)"
python3 - report.png <<'EOF'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
width, height = struct.unpack(">II", data[16:24])
assert (width, height) == (1400, 1000), (width, height)
# A page, not a blank: the compressed image data is far larger than a blank one's.
idat = b"".join(data[i + 8:i + 8 + struct.unpack(">I", data[i:i + 4])[0]]
                for i in range(8, len(data) - 12) if data[i + 4:i + 8] == b"IDAT")
assert len(idat) > 20000, len(idat)
assert len(set(zlib.decompress(idat))) > 16, "too few distinct bytes for a rendered page"
EOF
pass

# ---- hostile strings: shown as text, never as markup -----------------------------
"$hostile_writer" hostile_client.bin hostile_relay.bin
expect 0 out err "$hotspan" report hostile_client.bin hostile_relay.bin -o hostile.html
hostile_root=$("$hotspan" cat hostile_client.bin | grep -v '"parent_span_id":"[0-9a-f]')
hostile_trace=$(sed -n 's/.*"trace_id":"\([0-9a-f]\{32\}\)".*/\1/p' <<<"$hostile_root")
hostile_root_id=$(sed -n 's/.*"span_id":"\([0-9a-f]\{16\}\)".*/\1/p' <<<"$hostile_root")
render hostile.html "#trace=$hostile_trace&span=$hostile_root_id"
python3 - hostile.html hostile.html.dom <<'EOF'
import re, sys
raw = open(sys.argv[1], encoding="utf-8").read()
dom = open(sys.argv[2], encoding="utf-8").read()
# The written page: only its own three scripts, no markup from the data.
assert len(re.findall(r"<script\b", raw, re.I)) == 3, re.findall(r"<script\b[^>]*>", raw, re.I)
assert len(re.findall(r"</script", raw, re.I)) == 3
assert "\u2028" not in raw and "\u2029" not in raw
# The rendered page: still three scripts, no element from the data, its own title.
assert len(re.findall(r"<script\b", dom, re.I)) == 3
for tag in ("img", "b", "i"):
    assert not re.search(r"<%s[\s>]" % tag, dom), "a <%s> element was injected" % tag
assert "PWNED" not in re.search(r"<title>(.*?)</title>", dom, re.S).group(1)
assert 'data-state="rendered"' in dom
assert re.search(r'<pre id="hotspan-errors" hidden="">\s*</pre>', dom), "the page reported errors"
# The strings are there, as text: waterfall rows, services, the trace list.
for text in ("&lt;script&gt;document.title='PWNED1'&lt;/script&gt;",
             "&lt;/script&gt;&lt;script&gt;document.title='PWNED2'&lt;/script&gt;",
             "\"&gt;&lt;img src=x onerror=\"document.title='PWNED3'\"&gt;",
             "bad\ufffd\ufffd utf8 \ufffd",
             "line\u2028separator\u2029paragraph",
             "&amp;lt;already escaped&amp;gt; &amp; &lt;!-- comment --&gt; ]]&gt;",
             "client&lt;b&gt;bold&lt;/b&gt;", "relay\"'&lt;i&gt;",
             # the root span's details: attribute key and value, event and its attribute
             "<th>&lt;img src=x onerror=\"document.title='PWNED4'\"&gt;</th><td class=\"name\">&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;</td>",
             "&lt;script&gt;document.title='PWNED5'&lt;/script&gt; k&lt;=v&gt;"):
    assert text in dom, "missing as text: " + text
rows = re.findall(r'class="wf-row[ "]', dom)
assert len(rows) == 8, len(rows)  # the root, six children, the relay's span
EOF
pass

# ---- a report larger than --max-spans: whole traces, and the page says so --------
"$circuit_build" --out big.jsonl --format jsonl --circuits 100 --threads 4 --seed 6 >/dev/null
big_spans=$(wc -l <big.jsonl)
big_traces=$(sed -n 's/.*"trace_id":"\([0-9a-f]\{32\}\)".*/\1/p' big.jsonl | sort -u | wc -l)
expect 0 out err "$hotspan" report big.jsonl --max-spans 1000 -o big.html --title "big <run>"
render big.html
python3 - big.html.dom "$big_spans" "$big_traces" <<'EOF'
import re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
spans, traces = int(sys.argv[2]), int(sys.argv[3])
assert 'data-state="rendered"' in dom
assert "<title>big &lt;run&gt;</title>" in dom
note = re.search(r'<li class="truncated">(.*?)</li>', dom, re.S)
assert note, "no truncation note"
m = re.search(r"The page holds ([\d,]+) of ([\d,]+) traces \(([\d,]+) of ([\d,]+) spans; at most 1,000", note.group(1))
assert m, note.group(1)
held, total, held_spans, total_spans = (int(g.replace(",", "")) for g in m.groups())
assert total == traces and total_spans == spans and 0 < held < traces and 900 < held_spans <= 1000, m.groups()
rows = len(re.findall(r'class="trace-row[ "]', dom))
assert rows == min(held, 100), (rows, held)  # one page of the list
ops = len(re.findall(r'class="op-row"', dom))
assert ops == 9, ops  # statistics cover every span
EOF
pass

# ---- errors --------------------------------------------------------------------------
expect 2 out err "$hotspan" report client.jsonl
contains err "missing -o OUT.html"
expect 2 out err "$hotspan" report -o x.html
contains err "missing FILE"
expect 2 out err "$hotspan" report client.jsonl -o client.jsonl
contains err "is the input"
expect 2 out err "$hotspan" report - - -o x.html
expect 2 out err "$hotspan" report client.jsonl --max-spans many -o x.html
expect 1 out err "$hotspan" report client.jsonl missing.bin -o never.html
contains err "hotspan report: cannot open 'missing.bin'"
[ ! -e never.html ] || fail "a missing input created the output"
pass
expect 1 out err "$hotspan" report client.jsonl -o no/such/dir/report.html
contains err "hotspan report: cannot create 'no/such/dir/report.html'"
echo kept >victim.html
ln -s victim.html link.html
expect 1 out err "$hotspan" report client.jsonl -o link.html
contains err "hotspan report: cannot create 'link.html': it is a symbolic link"
contains victim.html kept
(umask 022 && expect 0 out err "$hotspan" report client.jsonl -o private.html)
[ "$(stat -c %a private.html)" = 600 ] || fail "report created private.html $(stat -c %a private.html)"
pass
if [ "$(id -u)" -ne 0 ]; then  # root writes anywhere
  mkdir -p readonly && chmod 555 readonly
  expect 1 out err "$hotspan" report client.jsonl -o readonly/report.html
  contains err "Permission denied"
fi
if [ -c /dev/full ]; then
  expect 1 out err "$hotspan" report client.jsonl -o /dev/full
  contains err "writing '/dev/full' failed"
  # A failed report removes its partial file, never a device it wrote to.
  [ -c /dev/full ] || fail "/dev/full is no longer a character device"
fi
# Corrupt input: reported as `hotspan cat` reports it; the rest still makes a page.
cp guard.bin flipped.bin
python3 -c "
import sys; d = bytearray(open('flipped.bin','rb').read()); d[len(d)//2] ^= 0x10
open('flipped.bin','wb').write(d)"
expect 1 out cat.err "$hotspan" cat flipped.bin
expect 1 out report.err "$hotspan" report client.jsonl flipped.bin -o damaged.html
diff <(grep flipped.bin cat.err) <(grep flipped.bin report.err) || fail "report and cat report damage differently"
pass
contains report.err "offset"
render damaged.html
contains damaged.html.dom 'class="damage">flipped.bin: '
printf 'hello, world\n' >text.txt
expect 1 out text.err "$hotspan" report text.txt -o text.html
contains text.err "line 1 (offset 0)"
render text.html
contains text.html.dom "No traces."
expect 0 out err "$hotspan" report --help
contains out "usage: hotspan report"
expect 0 out err "$hotspan" --help
contains out "  report "

echo "hotspan report: $checks checks passed"
