#!/bin/sh
# Map iterations beyond the first 40 (an inline Map's parallelism) run in
# frames that earlier iterations used. Each must still record its own
# values: with null items and a Pass of Result null, every PassStateEntered
# input and PassStateExited output is the JSON text "null" (reference §11:
# the details carry the state's input/output as JSON text), and the Map's
# output is 100 nulls. Then the same with items of each JSON type.
# Usage: map_reuse.sh BATON SOURCE_DIR
set -u
baton=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/m.json" <<'J'
{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items",
 "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},
 "End":true}}}
J
check() { # NAME ITEMS_JSON
    python3 -c "import json,sys; print(json.dumps({'items': json.loads(sys.argv[1])}))" "$2" >"$tmp/in.json"
    rm -f "$tmp"/db*
    "$baton" run "$tmp/m.json" --db "$tmp/db" --name "$1" \
        --input-file "$tmp/in.json" >"$tmp/out" 2>"$tmp/err" ||
        { echo "FAIL $1: run: $(cat "$tmp/err")"; return 1; }
    "$baton" history "$1" --db "$tmp/db" --json >"$tmp/hist" ||
        { echo "FAIL $1: history"; return 1; }
    python3 - "$tmp/hist" "$tmp/out" "$2" "$1" <<'P'
import json, sys
ev = json.load(open(sys.argv[1]))
ev = ev.get("events", ev) if isinstance(ev, dict) else ev
items = json.loads(sys.argv[3])
want = sorted(json.dumps(i, separators=(",", ":")) for i in items)
ins = sorted(e["stateEnteredEventDetails"]["input"] for e in ev
             if e["type"] == "PassStateEntered")
outs = sorted(e["stateExitedEventDetails"]["output"] for e in ev
              if e["type"] == "PassStateExited")
out = json.loads(open(sys.argv[2]).read())
bad = [w for w, got in (("inputs", ins), ("outputs", outs)) if got != want]
if out != items:
    bad.append("execution output")
if bad:
    print("FAIL %s: %s differ" % (sys.argv[4], ", ".join(bad)))
    sys.exit(1)
print("ok %s" % sys.argv[4])
P
}
rc=0
check nulls "$(python3 -c 'print([None] * 100)' | sed 's/None/null/g')" || rc=1
check mixed "$(python3 -c '
import json
v = [None, 0, -7, 2.5, "", "s\"q", True, False, [], {}, [None], {"a": None}]
print(json.dumps((v * 10)[:110]))')" || rc=1
exit $rc
