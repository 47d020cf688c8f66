#!/bin/sh
# Crash safety of a DISTRIBUTED Map, whose iterations are child executions
# with their own rows and histories (reference §8.4): kill baton right
# after each of its commits (BATON_FAULT_KILL_AFTER_COMMIT, test builds
# only), resume, and check that the parent and every child execution end
# SUCCEEDED, that each child's history is its own (gapless ids, one Task,
# ExecutionStarted first and ExecutionSucceeded last) and that the parent's
# history holds none of the children's events.
# Usage: crash_distributed.sh BATON SOURCE_DIR
set -u
baton=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/flow.json" <<'J'
{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items",
 "MaxConcurrency":2,
 "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
  "StartAt":"T","States":{"T":{"Type":"Task",
   "Resource":"arn:aws:lambda:us-east-1:123456789012:function:echo","End":true}}},
 "End":true}}}
J
input='{"items":[1,2,3,4]}'
fn="echo=/bin/cat"

check() { # label
    "$baton" list --db "$tmp/run.db" --json >"$tmp/list" || return 1
    : >"$tmp/hists"
    for arn in $(python3 -c 'import json,sys; print(" ".join(x["executionArn"] for x in json.load(open(sys.argv[1]))["executions"]))' "$tmp/list"); do
        printf '%s ' "$arn" >>"$tmp/hists"
        "$baton" history "$arn" --db "$tmp/run.db" --json | tr -d '\n' >>"$tmp/hists"
        echo >>"$tmp/hists"
    done
    python3 - "$tmp/list" "$tmp/hists" "$1" <<'P'
import json, sys
lst, hists, label = sys.argv[1:4]
execs = json.load(open(lst))["executions"]
kids = [x for x in execs if "/M:" in x["executionArn"]]
assert len(execs) == 5 and len(kids) == 4, "%s: executions %s" % (
    label, [(x["executionArn"], x["status"]) for x in execs])
for x in execs:
    assert x["status"] == "SUCCEEDED", "%s: %s is %s" % (label, x["executionArn"], x["status"])
for line in open(hists):
    arn, h = line.split(" ", 1)
    evs = json.loads(h)["events"]
    ids = [e["id"] for e in evs]
    assert ids == list(range(1, len(ids) + 1)), "%s: %s ids %s" % (label, arn, ids)
    types = [e["type"] for e in evs]
    if "/M:" in arn:
        assert types[0] == "ExecutionStarted" and types[-1] == "ExecutionSucceeded", (label, arn, types)
        assert types.count("TaskStateEntered") == 1 and types.count("TaskStateExited") == 1, (label, arn, types)
    else:
        assert not [t for t in types if t.startswith("Task") or t.startswith("Lambda")], (label, arn, types)
        assert types[-1] == "ExecutionSucceeded", (label, arn, types)
P
}

crash_run() {
    rm -f "$tmp"/run.db*
    BATON_FAULT_KILL_AFTER_COMMIT=$1 "$baton" run "$tmp/flow.json" \
        --db "$tmp/run.db" --name p --input "$input" --function "$fn" \
        >/dev/null 2>&1
}
crash_recover() {
    "$baton" resume --db "$tmp/run.db" --function "$fn" >"$tmp/resume" 2>&1 ||
        { cat "$tmp/resume"; return 1; }
}
crash_check() { check "$1"; }
. "$src/tests/engine/crash_points.inc"
crash_points 100 3
