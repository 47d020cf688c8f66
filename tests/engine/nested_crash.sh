#!/bin/sh
# Crash safety of nested executions: a parent that starts one child
# request-response and, after a Wait, waits for another (.sync:2) is killed with SIGKILL
# right after each of its commits (BATON_FAULT_KILL_AFTER_COMMIT, test
# builds only), killed again while resuming, then resumed to the end. Each
# time the parent must succeed with the child's result, its history must
# be the canonical one (reference 7.6, 11.2/11.3) with gapless ids, and
# exactly one child must exist per start: never two, never none.
# Usage: nested_crash.sh BATON SOURCE_DIR
set -u
baton=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/inc" <<'F'
#!/bin/sh
exec python3 -c 'import json,sys; e=json.load(sys.stdin); print(json.dumps({"n": e["n"] + 1}))'
F
chmod +x "$tmp/inc"
fn="inc=$tmp/inc"
child_arn=arn:aws:states:us-east-1:123456789012:stateMachine:child
cat >"$tmp/child.asl.json" <<'F'
{"StartAt": "Inc", "States": {"Inc": {"Type": "Task",
  "Resource": "arn:aws:lambda:us-east-1:123456789012:function:inc",
  "End": true}}}
F
cat >"$tmp/parent.asl.json" <<F
{"StartAt": "Fire", "States": {
  "Fire": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution",
    "Parameters": {"StateMachineArn": "$child_arn", "Input": {"n": 100}},
    "ResultSelector": {"arn.\$": "\$.ExecutionArn"},
    "ResultPath": "\$.fired", "Next": "Pause"},
  "Pause": {"Type": "Wait", "Seconds": 1, "Next": "Call"},
  "Call": {"Type": "Task",
    "Resource": "arn:aws:states:::states:startExecution.sync:2",
    "Parameters": {"StateMachineArn": "$child_arn", "Input": {"n.\$": "\$.n"}},
    "ResultSelector": {"out.\$": "\$.Output", "status.\$": "\$.Status",
                       "arn.\$": "\$.ExecutionArn"},
    "ResultPath": "\$.called", "Next": "Done"},
  "Done": {"Type": "Pass", "End": true}}}
F
# The child machine exists before the parent runs: one run of it, named
# "setup", which the checks leave aside.
"$baton" run "$tmp/child.asl.json" --db "$tmp/setup.db" --name setup \
    --input '{"n": 0}' --function "$fn" >/dev/null ||
    { echo "FAIL: setting up the child machine"; exit 1; }

check() { # label
    "$baton" list --db "$tmp/run.db" --json >"$tmp/list" &&
    "$baton" describe p1 --db "$tmp/run.db" --json >"$tmp/desc" &&
    "$baton" history p1 --db "$tmp/run.db" --json >"$tmp/hist" || return 1
    for a in $(python3 -c '
import json, sys
for x in json.load(open(sys.argv[1]))["executions"]:
    if ":execution:child:" in x["executionArn"] and x["name"] != "setup":
        print(x["executionArn"])' "$tmp/list"); do
        "$baton" history "$a" --db "$tmp/run.db" --json >"$tmp/h.${a##*:}" ||
            return 1
    done
    python3 - "$tmp" "$1" <<'P'
import glob, json, os, sys
tmp, label = sys.argv[1:3]
load = lambda n: json.load(open(os.path.join(tmp, n)))
def gapless(events, what):
    ids = [e["id"] for e in events]
    assert ids == list(range(1, len(ids) + 1)), "%s: %s ids %s" % (label, what, ids)
d = load("desc")
assert d["status"] == "SUCCEEDED", "%s: parent %s" % (label, d["status"])
out = json.loads(d["output"])
kids = [x for x in load("list")["executions"]
        if ":execution:child:" in x["executionArn"] and x["name"] != "setup"]
assert len(kids) == 2, "%s: %d children: %s" % (label, len(kids), kids)
assert all(k["status"] == "SUCCEEDED" for k in kids), "%s: %s" % (label, kids)
arns = sorted(k["executionArn"] for k in kids)
assert sorted([out["fired"]["arn"], out["called"]["arn"]]) == arns, (label, out, arns)
assert out["n"] == 1 and out["called"]["out"] == {"n": 2} and \
    out["called"]["status"] == "SUCCEEDED", "%s: output %s" % (label, out)
evs = load("hist")["events"]
gapless(evs, "parent")
want = ["ExecutionStarted",
        "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded",
        "TaskStateExited", "WaitStateEntered", "WaitStateExited",
        "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted",
        "TaskSucceeded", "TaskStateExited",
        "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]
assert [e["type"] for e in evs] == want, "%s: %s" % (label, [e["type"] for e in evs])
res = [e.get("taskScheduledEventDetails", {}).get("resource") for e in evs]
assert [r for r in res if r] == ["startExecution", "startExecution.sync:2"], (label, res)
for k in kids:
    h = load("h." + k["executionArn"].rsplit(":", 1)[1])["events"]
    gapless(h, "child")
    assert [e["type"] for e in h] == [
        "ExecutionStarted", "TaskStateEntered", "LambdaFunctionScheduled",
        "LambdaFunctionStarted", "LambdaFunctionSucceeded", "TaskStateExited",
        "ExecutionSucceeded"], "%s: child %s" % (label, [e["type"] for e in h])
P
}

crash_run() {
    rm -f "$tmp"/run.db*
    for f in "$tmp"/setup.db*; do cp "$f" "$tmp/run.db${f#"$tmp"/setup.db}"; done
    BATON_FAULT_KILL_AFTER_COMMIT=$1 "$baton" run "$tmp/parent.asl.json" \
        --db "$tmp/run.db" --name p1 --input '{"n": 1}' --function "$fn" \
        >/dev/null 2>&1
}
crash_done() {
    check "no crash" || { echo "FAIL: the run without a crash"; return 1; }
}
crash_recover() {
    BATON_FAULT_KILL_AFTER_COMMIT=2 "$baton" resume --db "$tmp/run.db" \
        --function "$fn" >/dev/null 2>&1
    "$baton" resume --db "$tmp/run.db" --function "$fn" >/dev/null 2>&1
}
crash_check() { check "$1"; }
. "$src/tests/engine/crash_points.inc"
crash_points 100 4
