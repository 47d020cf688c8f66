#!/bin/sh
# Runs the activity-worker example: starts `baton serve` on a free loopback
# port with a throwaway database, creates the activity and the state
# machine, starts worker.py (an external activity worker), runs one
# execution and prints its output.
# Usage: run.sh [BATON [INPUT]]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
abs() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
baton=$(abs "${1:-$here/../../build/baton}")
input=$(abs "${2:-$here/input.json}")
T=$(mktemp -d)
SERVER=
cleanup() {
    if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; fi
    rm -rf "$T"
}
trap cleanup EXIT
: >"$T/log"
"$baton" serve --db "$T/db" --listen 127.0.0.1:0 --quiet 2>"$T/log" &
SERVER=$!
PORT=
for _ in $(seq 1 100); do
    PORT=$(sed -n 's/.*msg="serving".* port=\([0-9]*\).*/\1/p' "$T/log")
    [ -n "$PORT" ] && break
    sleep 0.05
done
[ -n "$PORT" ] || { echo "server did not start" >&2; exit 1; }
EP=http://127.0.0.1:$PORT/
python3 - "$EP" "$here" "$input" <<'PY'
import json, subprocess, sys, time, urllib.request
ep, here, input_file = sys.argv[1:]

def call(action, body):
    req = urllib.request.Request(ep, data=json.dumps(body).encode(), headers={
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": "AWSStepFunctions." + action})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())

act = call("CreateActivity", {"name": "review"})["activityArn"]
sm = call("CreateStateMachine", {
    "name": "approval", "roleArn": "arn:aws:iam::123456789012:role/example",
    "definition": open(here + "/approval.asl.json").read()})["stateMachineArn"]
orders = json.load(open(input_file))["orders"]
worker = subprocess.Popen([sys.executable, here + "/worker.py", ep, act,
                           "--max-tasks", str(len(orders))])
x = call("StartExecution", {"stateMachineArn": sm,
                            "input": open(input_file).read()})["executionArn"]
deadline = time.time() + 60
while True:
    d = call("DescribeExecution", {"executionArn": x})
    if d["status"] != "RUNNING" or time.time() > deadline:
        break
    time.sleep(0.1)
worker.wait(timeout=10)
if d["status"] != "SUCCEEDED":
    sys.exit("execution ended %s: %s" % (d["status"], d.get("cause")))
print(d["output"])
PY
