#!/bin/sh
# Crash safety: kill baton with SIGKILL right after each of its commits
# (BATON_FAULT_KILL_AFTER_COMMIT, test builds only), resume, and check that
# the execution ends with the same output and the same history as a run
# that was never killed, with gapless event ids and no event twice.
# Usage: crash_recovery.sh BATON SOURCE_DIR
set -u
baton=$1
src=$2
flow="$src/tests/engine/crash_flow.asl.json"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/inc" <<'F'
#!/bin/sh
exec python3 -c 'import json,sys; e=json.load(sys.stdin); print(json.dumps({"n": e["n"] + 1}))'
F
chmod +x "$tmp/inc"
input='{"n": 1, "list": [5, 150, 7]}'
fn="inc=$tmp/inc"

"$baton" run "$flow" --db "$tmp/ref.db" --name e1 --input "$input" \
    --function "$fn" >"$tmp/ref.out" || { echo "FAIL: reference run"; exit 1; }
"$baton" history e1 --db "$tmp/ref.db" --json >"$tmp/ref.hist"

compare() { # db label
    "$baton" history e1 --db "$1" --json >"$tmp/got.hist" &&
    "$baton" describe e1 --db "$1" --json >"$tmp/got.desc" &&
    python3 - "$tmp/ref.hist" "$tmp/got.hist" "$tmp/got.desc" "$tmp/ref.out" "$2" <<'P'
import json, re, sys
ref, got, desc, ref_out, label = sys.argv[1:6]
# Request ids and dates differ between any two runs, crashed or not.
VARYING = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
                     r"|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
def events(path):
    evs = json.load(open(path))["events"]
    ids = [e["id"] for e in evs]
    assert ids == list(range(1, len(ids) + 1)), "%s: ids not gapless: %s" % (label, ids)
    for e in evs:
        assert 0 <= e["previousEventId"] < e["id"], "%s: bad previousEventId %s" % (label, e)
    out = []
    for e in evs:
        det = {k: v for k, v in e.items() if k.endswith("EventDetails")}
        det = VARYING.sub("*", json.dumps(det, sort_keys=True))
        out.append((e["type"], det))
    return sorted(out)
from collections import Counter
r, g = Counter(events(ref)), Counter(events(got))
assert r == g, "%s: history differs:\n missing after crash: %s\n extra after crash: %s" % (
    label, list((r - g).elements())[:5], list((g - r).elements())[:5])
d = json.load(open(desc))
assert d["status"] == "SUCCEEDED", "%s: status %s" % (label, d["status"])
assert json.loads(d["output"]) == json.loads(open(ref_out).read()), "%s: output differs" % label
P
}

crash_run() {
    rm -f "$tmp"/run.db*
    BATON_FAULT_KILL_AFTER_COMMIT=$1 "$baton" run "$flow" --db "$tmp/run.db" \
        --name e1 --input "$input" --function "$fn" >/dev/null 2>&1
}
crash_recover() {
    # A second crash while recovering, then a clean resume.
    BATON_FAULT_KILL_AFTER_COMMIT=2 "$baton" resume --db "$tmp/run.db" \
        --function "$fn" >/dev/null 2>&1
    "$baton" resume --db "$tmp/run.db" --function "$fn" >/dev/null 2>&1
}
crash_check() { compare "$tmp/run.db" "$1"; }
. "$src/tests/engine/crash_points.inc"
crash_points 200 5
