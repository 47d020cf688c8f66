#!/bin/sh
# The web console of `baton serve`, driven in headless Chromium: a state
# machine and four executions are created over the AWS API with curl (one
# succeeds, one waits in a Wait state, one has its Task failure caught, one
# ends in a Fail state); then the pages are loaded the way a browser loads
# them (--dump-dom gives the DOM after loading) and python3 checks what a
# person sees: the machine listed with its counts, each execution listed
# with its status, and each execution's graph with the states it went
# through coloured by status. Expected statuses follow from the definition
# and each execution's input. Chromium is installed with apt-get when
# missing (as root); without it and without root the test is skipped
# (exit 77). Usage: console.sh BATON SOURCE_DIR
set -eu

BATON=$1
SRC=$2
. "$SRC/tests/server/serve.inc"
serve_workdir

PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "console: chromium is missing and installing it needs root; skipped"
        exit 77
    fi
    echo "console: installing chromium"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends chromium </dev/null >/dev/null
fi

# ---- the server -------------------------------------------------------------
printf '#!/bin/sh\ncat >/dev/null\necho "card declined" >&2\nexit 1\n' \
    >"$T/boom.sh"
chmod +x "$T/boom.sh"
"$BATON" serve --db "$T/db" --listen 127.0.0.1:0 \
    --function "charge=$T/boom.sh" 2>"$T/log" &
PID=$!
serve_port "$T/log"
BASE=http://127.0.0.1:$PORT

# api ACTION JSON-BODY: prints the response body
api() {
    curl -sS -m 10 -H 'Content-Type: application/x-amz-json-1.0' \
        -H "X-Amz-Target: AWSStepFunctions.$1" --data-binary "$2" "$BASE/"
}

# Prepare -> Decide: mode "wait" -> Hold (Wait 600 s); "charge" -> Charge
# (a Task whose function fails; Catch -> Recover); "explode" -> Explode
# (Fail); anything else -> Finish (Succeed).
cat >"$T/def.json" <<'J'
{"Comment": "console test", "StartAt": "Prepare", "States": {
  "Prepare": {"Type": "Pass", "Next": "Decide"},
  "Decide": {"Type": "Choice", "Choices": [
      {"Variable": "$.mode", "StringEquals": "wait", "Next": "Hold"},
      {"Variable": "$.mode", "StringEquals": "charge", "Next": "Charge"},
      {"Variable": "$.mode", "StringEquals": "explode", "Next": "Explode"}],
    "Default": "Finish"},
  "Hold": {"Type": "Wait", "Seconds": 600, "Next": "Finish"},
  "Charge": {"Type": "Task",
    "Resource": "arn:aws:lambda:us-east-1:123456789012:function:charge",
    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Recover"}],
    "Next": "Finish"},
  "Recover": {"Type": "Pass", "Next": "Finish"},
  "Explode": {"Type": "Fail", "Error": "Exploded", "Cause": "asked to"},
  "Finish": {"Type": "Succeed"}}}
J
SM=arn:aws:states:us-east-1:123456789012:stateMachine:orders
$PY - "$T/def.json" >"$T/create.json" <<'P'
import json, sys
print(json.dumps({"name": "orders", "definition": open(sys.argv[1]).read(),
                  "roleArn": "arn:aws:iam::123456789012:role/r"}))
P
api CreateStateMachine "@$T/create.json" | grep -q "$SM" ||
    { echo "CreateStateMachine failed"; exit 1; }

# start NAME INPUT-JSON
start() {
    $PY -c 'import json,sys; print(json.dumps({"stateMachineArn": sys.argv[1],
        "name": sys.argv[2], "input": sys.argv[3]}))' "$SM" "$1" "$2" \
        >"$T/start.json"
    api StartExecution "@$T/start.json" >"$T/started.json"
    grep -q executionArn "$T/started.json" ||
        { echo "StartExecution $1 failed:"; cat "$T/started.json"; exit 1; }
}
# The name "prüfung-1" needs percent-encoding in the console's links.
start "prüfung-1" '{"mode": "ok", "note": "<script>alert(1)</script>"}'
start hold-1 '{"mode": "wait"}'
start charge-1 '{"mode": "charge"}'
start explode-1 '{"mode": "explode"}'

# settle NAME WANT: waits until DescribeExecution says WANT (and, for a
# running one, until its Wait state has been entered).
settle() {
    arn="arn:aws:states:us-east-1:123456789012:execution:orders:$1"
    for _ in $(seq 1 100); do
        api DescribeExecution "{\"executionArn\": \"$arn\"}" >"$T/d.json"
        api GetExecutionHistory "{\"executionArn\": \"$arn\"}" >"$T/h.json"
        if $PY - "$T/d.json" "$T/h.json" "$2" <<'P'; then return 0; fi
import json, sys
d = json.load(open(sys.argv[1]))
h = json.load(open(sys.argv[2]))["events"]
entered = any(e["type"] == "WaitStateEntered" for e in h)
ok = d.get("status") == sys.argv[3] and (sys.argv[3] != "RUNNING" or entered)
sys.exit(0 if ok else 1)
P
        sleep 0.1
    done
    echo "execution $1 never became $2:"
    cat "$T/d.json"
    exit 1
}
settle "prüfung-1" SUCCEEDED
settle hold-1 RUNNING
settle charge-1 SUCCEEDED
settle explode-1 FAILED

# ---- what a browser shows -----------------------------------------------------
# page NAME URL: the DOM Chromium builds for URL, in $T/NAME.html
page() {
    timeout 90 chromium --headless --no-sandbox --disable-gpu \
        --user-data-dir="$T/chrome" --no-first-run --dump-dom "$2" \
        >"$T/$1.html" 2>"$T/chrome.log" ||
        { echo "chromium failed on $2"; tail -5 "$T/chrome.log"; exit 1; }
    [ -s "$T/$1.html" ] || { echo "empty DOM for $2"; exit 1; }
}

# The DOM as a tree, and assertions over it (python3). check.py FILE CODE
cat >"$T/check.py" <<'P'
import sys
from html.parser import HTMLParser

VOID = {"meta", "link", "br", "hr", "img", "input", "area", "base", "col",
        "source", "wbr"}

class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.kids, self.parts = [], []
    def text(self):
        return "".join(p if isinstance(p, str) else p.text()
                       for p in self.parts)
    def all(self):
        for k in self.kids:
            yield k
            yield from k.all()
    def find(self, tag=None, **attrs):
        return [n for n in self.all() if (tag is None or n.tag == tag) and
                all(n.attrs.get(k.replace("_", "-")) == v
                    for k, v in attrs.items())]
    def one(self, tag=None, **attrs):
        found = self.find(tag, **attrs)
        assert len(found) == 1, ("want one", tag, attrs, len(found))
        return found[0]
    def classes(self):
        return set((self.attrs.get("class") or "").split())

class Tree(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.cur = Node("#root", [], None)
    def handle_starttag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.kids.append(n)
        self.cur.parts.append(n)
        if tag not in VOID:
            self.cur = n
    def handle_startendtag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.kids.append(n)
        self.cur.parts.append(n)
    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.cur = n.parent
    def handle_data(self, data):
        self.cur.parts.append(data)

t = Tree()
t.feed(open(sys.argv[1], encoding="utf-8").read())
DOM = t.root

def row_of(table, first_cell):
    for tr in table.find("tr"):
        cells = tr.find("td")
        if cells and cells[0].text().strip() == first_cell:
            return [c.text().strip() for c in cells], tr
    raise AssertionError("no row %r in table %s" % (first_cell,
                         table.attrs.get("id")))

def state(name):
    """The graph's element for a state: (status class, rect fill)."""
    g = DOM.one("g", data_state=name)
    assert "state" in g.classes(), g.attrs
    st = [c[7:] for c in g.classes() if c.startswith("status-")]
    rect = [k for k in g.kids if k.tag == "rect"][0]
    assert g.attrs.get("data-status") == st[0], g.attrs
    return st[0], rect.attrs.get("fill")

FILL = {"not-started": "#f4f4f5", "running": "#dbeafe",
        "succeeded": "#dcfce7", "caught": "#ffedd5", "failed": "#fee2e2",
        "aborted": "#e4e4e7"}

def expect_states(**want):
    for name, status in want.items():
        got = state(name)
        assert got == (status, FILL[status]), (name, got, status)

try:
    exec(sys.argv[2])
except AssertionError as e:
    print("FAILED on %s: %s" % (sys.argv[3], e), file=sys.stderr)
    sys.exit(1)
P
check() { $PY "$T/check.py" "$T/$1.html" "$2" "$1"; }

# GET / from a browser (Accept: text/html) is the console's home page.
page home "$BASE/"
check home '
assert DOM.one("title").text().startswith("State machines")
cells, tr = row_of(DOM.one("table", id="machines"), "orders")
assert cells[1:2] == ["STANDARD"], cells
assert cells[3:] == ["1", "2", "1", "0", "4"], cells  # running succeeded failed other total
recent = DOM.one("table", id="recent")
for name, status in [("prüfung-1", "SUCCEEDED"), ("hold-1", "RUNNING"),
                     ("charge-1", "SUCCEEDED"), ("explode-1", "FAILED")]:
    cells, tr = row_of(recent, name)
    assert cells[1] == "orders" and cells[2] == status, cells
'
# ... while other clients still get the JSON health answer there
curl -sS -m 5 "$BASE/" | grep -qx '{"status":"ok"}' ||
    { echo "GET / without Accept: text/html is no longer the health check"; exit 1; }

# The machine page, reached through the home page's link.
$PY "$T/check.py" "$T/home.html" '
print([a.attrs["href"] for a in DOM.find("a") if a.text() == "orders"][0])
' home >"$T/machine.url"
page machine "$BASE$(cat "$T/machine.url")"
check machine '
assert DOM.one("h1").text() == "orders"
table = DOM.one("table", id="executions")
for name, status in [("prüfung-1", "SUCCEEDED"), ("hold-1", "RUNNING"),
                     ("charge-1", "SUCCEEDED"), ("explode-1", "FAILED")]:
    cells, tr = row_of(table, name)
    assert cells[1] == status, (name, cells)
    badge = tr.one("span")
    assert "status-" + status.lower() in badge.classes(), badge.attrs
    if status == "RUNNING":
        assert cells[3] == "" and cells[4].endswith("so far"), cells
# the definition drawn, nothing coloured
for n in ["Prepare", "Decide", "Hold", "Charge", "Recover", "Explode", "Finish"]:
    assert state(n) == ("not-started", FILL["not-started"]), n
'

# Each execution's page, reached through the machine page's links (the
# link to prüfung-1 carries percent-encoded UTF-8).
exec_page() { # NAME
    $PY "$T/check.py" "$T/machine.html" "
print([a.attrs['href'] for a in DOM.find('a') if a.text() == '$1'][0])
" machine >"$T/exec.url"
    page "$1" "$BASE$(cat "$T/exec.url")"
}
exec_page "prüfung-1"
grep -q '%C3%BC' "$T/exec.url" || { echo "the link is not percent-encoded"; exit 1; }
check "prüfung-1" '
assert DOM.one("h1").text() == "prüfung-1"
assert DOM.one("dd", id="status").text().strip() == "SUCCEEDED"
expect_states(Prepare="succeeded", Decide="succeeded", Finish="succeeded",
              Hold="not-started", Charge="not-started", Recover="not-started",
              Explode="not-started")
# the input is shown as text, never run
assert "<script>alert(1)</script>" in DOM.one("pre", id="input").text()
assert not DOM.find("script")
types = [tr.find("td")[2].text() for tr in DOM.one("table", id="history").find("tr")[1:]]
assert types[0] == "ExecutionStarted" and types[-1] == "ExecutionSucceeded", types
'

exec_page hold-1
check hold-1 '
assert DOM.one("dd", id="status").text().strip() == "RUNNING"
expect_states(Prepare="succeeded", Decide="succeeded", Hold="running",
              Finish="not-started", Charge="not-started")
rows = {tr.attrs["data-state"]: [c.text().strip() for c in tr.find("td")]
        for tr in DOM.one("table", id="states").find("tr") if "data-state" in tr.attrs}
assert rows["Hold"][2:] == ["running", "1"], rows["Hold"]
'

exec_page charge-1
check charge-1 '
assert DOM.one("dd", id="status").text().strip() == "SUCCEEDED"
expect_states(Prepare="succeeded", Decide="succeeded", Charge="caught",
              Recover="succeeded", Finish="succeeded", Hold="not-started",
              Explode="not-started")
'

exec_page explode-1
check explode-1 '
assert DOM.one("dd", id="status").text().strip() == "FAILED"
dts = [d.text() for d in DOM.find("dt")]
dds = [d.text().strip() for d in DOM.find("dd")]
assert dds[dts.index("Error")] == "Exploded" and dds[dts.index("Cause")] == "asked to"
expect_states(Prepare="succeeded", Decide="succeeded", Explode="failed",
              Finish="not-started", Charge="not-started")
'

# Unknown things are a 404 page, not a JSON error.
code=$(curl -sS -m 5 -o "$T/404.html" -w '%{http_code} %{content_type}' \
    "$BASE/console/executions/arn%3Anope")
[ "$code" = "404 text/html; charset=utf-8" ] ||
    { echo "unknown execution gave $code"; exit 1; }
grep -q "Execution 'arn:nope' does not exist" "$T/404.html" ||
    { echo "the 404 page does not name what is missing"; exit 1; }

kill -TERM "$PID"
wait "$PID" || { echo "server exited with $?"; exit 1; }
PID=
echo "console: all checks passed"
