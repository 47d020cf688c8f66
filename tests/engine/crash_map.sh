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
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/flow.json" <<'J'
{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items",
 "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass",
  "Parameters":{"v.$":"$"},"End":true}}},"End":true}}}
J
python3 -c 'import json; print(json.dumps({"items": list(range(10000))}))' \
    >"$tmp/in.json"
run() { # db, then extra arguments
    db=$1
    shift
    "$baton" run "$tmp/flow.json" --db "$db" --name e1 \
        --input-file "$tmp/in.json" --max-history-events 0 "$@" \
        >"$tmp/out" 2>/dev/null
}
run "$tmp/ref.db" || { echo "FAIL: reference run"; exit 1; }
"$baton" history e1 --db "$tmp/ref.db" --json >"$tmp/ref.hist"
"$baton" describe e1 --db "$tmp/ref.db" --json >"$tmp/ref.desc"

crashes=0
n=1
while [ "$n" -le 50 ]; do
    rm -f "$tmp"/run.db*
    BATON_FAULT_KILL_AFTER_COMMIT=$n run "$tmp/run.db"
    rc=$?
    [ "$rc" -eq 0 ] && break
    if [ "$rc" -ne 137 ]; then
        echo "FAIL: run with a crash after commit $n exited $rc"
        exit 1
    fi
    crashes=$((crashes + 1))
    "$baton" resume --db "$tmp/run.db" --max-history-events 0 >/dev/null 2>&1 ||
        { echo "FAIL: resume after crash $n"; exit 1; }
    "$baton" history e1 --db "$tmp/run.db" --json >"$tmp/got.hist"
    "$baton" describe e1 --db "$tmp/run.db" --json >"$tmp/got.desc"
    python3 - "$tmp/ref.hist" "$tmp/got.hist" "$tmp/ref.desc" "$tmp/got.desc" "$n" <<'P' || exit 1
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
    n=$((n + 1))
done
if [ "$crashes" -lt 2 ]; then
    echo "FAIL: only $crashes crash points were exercised"
    exit 1
fi
echo "$crashes crash points recovered"
