#!/bin/sh
# Crash safety of a large inline Map of Pass iterations, whose finished
# iterations are recorded many to a row: kill baton right after each of its
# commits (BATON_FAULT_KILL_AFTER_COMMIT, test builds only), resume, and
# check that the execution ends with the output of a run never killed and
# the same number of events of each type, with gapless ids: no iteration
# lost and none run twice.
# Usage: crash_map.sh BATON SOURCE_DIR
set -u
baton=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/flow.json" <<'J'
{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items",
 "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass",
  "Parameters":{"v.$":"$"},"End":true}}},"End":true}}}
J
python3 -c 'import json; print(json.dumps({"items": list(range(10000))}))' \
    >"$tmp/in.json"
"$baton" run "$tmp/flow.json" --db "$tmp/ref.db" --name e1 \
    --input-file "$tmp/in.json" --max-history-events 0 >/dev/null 2>&1 ||
    { echo "FAIL: reference run"; exit 1; }
"$baton" history e1 --db "$tmp/ref.db" --json >"$tmp/ref.hist"
"$baton" describe e1 --db "$tmp/ref.db" --json >"$tmp/ref.desc"

crash_run() {
    rm -f "$tmp"/run.db*
    BATON_FAULT_KILL_AFTER_COMMIT=$1 "$baton" run "$tmp/flow.json" \
        --db "$tmp/run.db" --name e1 --input-file "$tmp/in.json" \
        --max-history-events 0 >/dev/null 2>&1
}
crash_recover() {
    "$baton" resume --db "$tmp/run.db" --max-history-events 0 >/dev/null 2>&1
}
crash_check() {
    "$baton" history e1 --db "$tmp/run.db" --json >"$tmp/got.hist"
    "$baton" describe e1 --db "$tmp/run.db" --json >"$tmp/got.desc"
    python3 - "$tmp/ref.hist" "$tmp/got.hist" "$tmp/ref.desc" "$tmp/got.desc" "$1" <<'P'
import json, sys
from collections import Counter
rh, gh, rd, gd, n = sys.argv[1:6]
ref, got = json.load(open(rh))["events"], json.load(open(gh))["events"]
ids = [e["id"] for e in got]
assert ids == list(range(1, len(ids) + 1)), "crash %s: ids not gapless" % n
r, g = Counter(e["type"] for e in ref), Counter(e["type"] for e in got)
assert r == g, "crash %s: event counts differ: %s vs %s" % (n, r, g)
idx = sorted(e["mapIterationSucceededEventDetails"]["index"] for e in got
             if e["type"] == "MapIterationSucceeded")
assert idx == list(range(10000)), "crash %s: iterations lost or repeated" % n
rd, gd = json.load(open(rd)), json.load(open(gd))
assert gd["status"] == "SUCCEEDED", "crash %s: %s" % (n, gd["status"])
assert json.loads(gd["output"]) == json.loads(rd["output"]), "crash %s: output differs" % n
P
}
. "$src/tests/engine/crash_points.inc"
crash_points 50 2
