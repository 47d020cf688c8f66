#!/bin/sh
# End-to-end checks of `baton graph`: the SVG of a definition (states,
# transitions, nesting), colours from stored executions (--execution, with
# and without FILE), determinism, and the errors that name what is wrong.
# Expected statuses follow from the definition and the input each run gets.
# Usage: graph.sh BATON SOURCE_DIR
set -u
baton=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
passes=0

check() { # name, condition result
    if [ "$2" -eq 0 ]; then
        passes=$((passes + 1))
    else
        echo "FAIL: $1"
        failures=$((failures + 1))
    fi
}

PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

# Check (charge) catches every error into Refund; Route sends kind "split"
# to Split (a Parallel with a Map inside), anything else to Reject (Fail).
cat >"$tmp/flow.json" <<'J'
{"StartAt": "Charge", "States": {
  "Charge": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:charge",
             "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Refund"}],
             "Next": "Route"},
  "Refund": {"Type": "Pass", "Next": "Route"},
  "Route": {"Type": "Choice",
            "Choices": [{"Variable": "$.kind", "StringEquals": "split", "Next": "Split"}],
            "Default": "Reject"},
  "Split": {"Type": "Parallel", "End": true, "Branches": [
    {"StartAt": "Note", "States": {"Note": {"Type": "Pass", "End": true}}},
    {"StartAt": "Each", "States": {"Each": {"Type": "Map", "ItemsPath": "$.items", "End": true,
      "ItemProcessor": {"StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": true}}}}}}]},
  "Reject": {"Type": "Fail", "Error": "Rejected"}}}
J

# svg.py FILE PYTHON: runs assertions on the parsed SVG; S maps state name
# to its element, E is the set of "from>to:kind" edges.
cat >"$tmp/svg.py" <<'P'
import sys, xml.etree.ElementTree as ET
NS = "{http://www.w3.org/2000/svg}"
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == NS + "svg", root.tag
S = {g.get("data-state"): g for g in root.iter(NS + "g") if g.get("data-state")}
E = set()
for g in root.iter(NS + "g"):
    cls = (g.get("class") or "").split()
    if "edge" in cls:
        kind = [c[5:] for c in cls if c.startswith("edge-")][0]
        E.add("%s>%s:%s" % (g.get("data-from", "(start)"), g.get("data-to", "(end)"), kind))
def status(n): return S[n].get("data-status")
def fill(n): return S[n].find(NS + "rect").get("fill")
try:
    exec(sys.argv[2])
except AssertionError as e:
    print("assertion failed:", sys.argv[2][:200], e, file=sys.stderr)
    sys.exit(1)
P
svg() { $PY "$tmp/svg.py" "$@"; }

# ---- a definition alone -------------------------------------------------------
"$baton" graph "$tmp/flow.json" >"$tmp/flow.svg" 2>"$tmp/err"
check "graph FILE exits 0" $?
[ ! -s "$tmp/err" ]
check "graph FILE prints nothing on stderr" $?
head -c 5 "$tmp/flow.svg" | grep -q '<?xml'
check "an XML document" $?
svg "$tmp/flow.svg" '
assert set(S) == {"Charge", "Refund", "Route", "Split", "Note", "Each", "Item", "Reject"}, sorted(S)
assert all(status(n) == "not-started" for n in S)
assert S["Split"].get("data-type") == "Parallel" and S["Each"].get("data-type") == "Map"
inside = {g.get("data-state") for g in S["Split"].iter(NS + "g") if g.get("data-state")}
assert inside == {"Split", "Note", "Each", "Item"}, inside
for e in ["(start)>Charge:start", "Charge>Route:next", "Charge>Refund:catch",
          "Refund>Route:next", "Route>Split:choice", "Route>Reject:default",
          "Split>(end):end", "Reject>(end):end", "(start)>Note:start",
          "(start)>Item:start", "Item>(end):end"]:
    assert e in E, (e, sorted(E))
assert "Route>(end):end" not in E and "Charge>(end):end" not in E
'
check "states, nesting and transitions of the definition" $?

"$baton" graph "$tmp/flow.json" >"$tmp/again.svg" 2>/dev/null
cmp -s "$tmp/flow.svg" "$tmp/again.svg"
check "the same definition gives the same bytes" $?

"$baton" graph - <"$tmp/flow.json" >"$tmp/stdin.svg" 2>/dev/null
cmp -s "$tmp/flow.svg" "$tmp/stdin.svg"
check "FILE - reads standard input" $?

# ---- coloured by executions ---------------------------------------------------
# Functions read their event first: one that exits without reading it can
# make the writer in baton see a closed pipe.
printf '#!/bin/sh\ncat >/dev/null\nexit 1\n' >"$tmp/fail.sh"
printf '#!/bin/sh\ncat >/dev/null\necho "{\\"kind\\": \\"other\\"}"\n' \
    >"$tmp/ok.sh"
chmod +x "$tmp/fail.sh" "$tmp/ok.sh"

# charge fails: Catch -> Refund -> Route -> Split (the Map runs twice).
"$baton" run "$tmp/flow.json" --db "$tmp/db" --name split-run \
    --function charge="$tmp/fail.sh" \
    --input '{"kind": "split", "items": [1, 2]}' >/dev/null 2>&1
check "the split run succeeds" $?
"$baton" graph --execution split-run --db "$tmp/db" >"$tmp/split.svg" 2>"$tmp/err"
check "graph --execution exits 0" $?
svg "$tmp/split.svg" '
assert status("Charge") == "caught", status("Charge")
assert fill("Charge") == "#ffedd5", fill("Charge")
for n in ["Refund", "Route", "Split", "Note", "Each", "Item"]:
    assert status(n) == "succeeded", (n, status(n))
    assert fill(n) == "#dcfce7", (n, fill(n))
assert status("Reject") == "not-started" and fill("Reject") == "#f4f4f5"
assert S["Item"].get("data-visits") == "2", S["Item"].get("data-visits")
'
check "statuses of a run whose Task was caught" $?

# charge returns {"kind": "other"}: Route -> Reject.
"$baton" run "$tmp/flow.json" --db "$tmp/db" --name reject-run \
    --function charge="$tmp/ok.sh" >/dev/null 2>&1
check "the reject run fails (exit 1)" $(($? != 1))
"$baton" graph "$tmp/flow.json" --execution reject-run --db "$tmp/db" \
    >"$tmp/reject.svg" 2>"$tmp/err"
check "graph FILE --execution exits 0" $?
svg "$tmp/reject.svg" '
assert status("Charge") == "succeeded", status("Charge")
assert status("Route") == "succeeded", status("Route")
assert status("Reject") == "failed" and fill("Reject") == "#fee2e2", status("Reject")
for n in ["Refund", "Split", "Note", "Each", "Item"]:
    assert status(n) == "not-started", (n, status(n))
'
check "statuses of a run that ended in a Fail state" $?

# the execution's ARN works as well as its name
arn=$("$baton" describe split-run --db "$tmp/db" --json |
    $PY -c 'import json,sys; print(json.load(sys.stdin)["executionArn"])')
"$baton" graph --execution "$arn" --db "$tmp/db" >"$tmp/byarn.svg" 2>/dev/null
cmp -s "$tmp/split.svg" "$tmp/byarn.svg"
check "--execution takes an ARN" $?

# a file that lacks states the execution entered: drawn, with a warning
cat >"$tmp/other.json" <<'J'
{"StartAt": "Charge", "States": {"Charge": {"Type": "Pass", "End": true}}}
J
"$baton" graph "$tmp/other.json" --execution split-run --db "$tmp/db" \
    >"$tmp/other.svg" 2>"$tmp/err"
check "a different FILE still draws" $?
grep -q "warning: the execution entered state 'Refund', which .*other.json does not define" "$tmp/err"
check "the warning names the missing state and the file" $?

# ---- errors ---------------------------------------------------------------------
"$baton" graph "$tmp/missing.json" >"$tmp/out" 2>"$tmp/err"
check "missing file exits 2" $(($? != 2))
grep -q "cannot read .*missing.json: no such file" "$tmp/err"
check "missing file is named" $?
[ ! -s "$tmp/out" ]
check "nothing on stdout after an error" $?

printf '{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}\n' \
    >"$tmp/bad.json"
"$baton" graph "$tmp/bad.json" >/dev/null 2>"$tmp/err"
check "invalid definition exits 1" $(($? != 1))
grep -q "bad.json:1:.*MISSING_TRANSITION_TARGET: .* at /States/A/Next" "$tmp/err"
check "invalid definition prints its diagnostics" $?

"$baton" graph --execution nope --db "$tmp/db" >/dev/null 2>"$tmp/err"
check "unknown execution exits 1" $(($? != 1))
grep -q "Execution Does Not Exist: 'nope'" "$tmp/err"
check "unknown execution is named" $?

"$baton" graph --execution split-run --db "$tmp/no.db" >/dev/null 2>"$tmp/err"
check "missing database exits 2" $(($? != 2))
grep -q "database '.*no.db' does not exist" "$tmp/err"
check "missing database is named" $?
[ ! -e "$tmp/no.db" ]
check "no database is created" $?

"$baton" graph >/dev/null 2>"$tmp/err"
check "no FILE exits 2" $(($? != 2))
"$baton" graph "$tmp/flow.json" --colour >/dev/null 2>"$tmp/err"
check "unknown option exits 2" $(($? != 2))
grep -q "unknown or incomplete option '--colour'" "$tmp/err"
check "unknown option is named" $?

echo "graph: $passes passed, $failures failed"
[ "$failures" -eq 0 ]
