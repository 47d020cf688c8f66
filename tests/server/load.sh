#!/bin/sh
# Load test of `baton serve`: 10,000 StartExecution calls over HTTP on
# loopback (bench/http_load, 8 keep-alive connections) against a Pass
# machine on a file database; every call must be answered 200 with its
# executionArn, and every execution must then show SUCCEEDED, first through
# ListExecutions (all pages) and then, after the server is killed, in the
# database itself (`baton list --db`). Bounded: 10,000 calls, at most 60 s
# for the calls and 60 s for the executions to finish.
# Usage: load.sh BATON SOURCE_DIR (HTTP_LOAD names the client; by default
# bench/http_load next to BATON's build tree).
set -eu

BATON=$1
SRC=$2
. "$SRC/tests/server/serve.inc"
HTTP_LOAD=${HTTP_LOAD:-$(dirname "$BATON")/bench/http_load}
N=${LOAD_EXECUTIONS:-10000}
[ -x "$HTTP_LOAD" ] || { echo "load: no client at $HTTP_LOAD"; exit 1; }
T=$(mktemp -d)
PID=
cleanup() {
    if [ -n "$PID" ]; then kill -KILL "$PID" 2>/dev/null || true; fi
    rm -rf "$T"
}
trap cleanup EXIT
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
ms() { date +%s%3N; }

: >"$T/log" # exists before the server writes to it
"$BATON" serve --db "$T/db" --listen 127.0.0.1:0 --quiet 2>"$T/log" &
PID=$!
serve_port "$T/log"

MACHINE=arn:aws:states:us-east-1:123456789012:stateMachine:load
curl -sS -m 10 -o "$T/out" -w '%{http_code}' \
    -H 'X-Amz-Target: AWSStepFunctions.CreateStateMachine' \
    -H 'Content-Type: application/x-amz-json-1.0' \
    -d '{"name":"load","roleArn":"arn:aws:iam::123456789012:role/load",
         "definition":"{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"Result\":{\"ok\":true},\"ResultPath\":\"$.r\",\"End\":true}}}"}' \
    "http://127.0.0.1:$PORT/" >"$T/status"
[ "$(cat "$T/status")" = 200 ] || { echo "create: $(cat "$T/out")"; exit 1; }

# ---- the calls -----------------------------------------------------------
t0=$(ms)
"$HTTP_LOAD" --port "$PORT" --machine "$MACHINE" --requests "$N" \
    --connections 8 --prefix load --input '{"n":1}' --timeout-s 60 ||
    { echo "load: some StartExecution calls failed"; exit 1; }
t1=$(ms)

# ---- every execution SUCCEEDED, through the API --------------------------
# "running": prints how many executions are still RUNNING (one page of up
# to 1,000 is enough to tell zero from not zero). "all": pages through
# ListExecutions (1,000 a page) and prints how many of the load-<i>
# executions are SUCCEEDED, how many are listed and the pages; exits 1 on
# anything unexpected (a name twice, a name not asked for, a FAILED or
# ABORTED execution).
cat >"$T/count.py" <<'PY'
import json, sys, urllib.request
mode, port, machine, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def call(body):
    req = urllib.request.Request(
        "http://127.0.0.1:%s/" % port, data=json.dumps(body).encode(),
        headers={"X-Amz-Target": "AWSStepFunctions.ListExecutions",
                 "Content-Type": "application/x-amz-json-1.0"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)
if mode == "running":
    r = call({"stateMachineArn": machine, "statusFilter": "RUNNING",
              "maxResults": 1000})
    print(len(r["executions"]))
    sys.exit(0)
want = {"load-%d" % i for i in range(n)}
seen, status, token, pages = set(), {}, None, 0
while True:
    body = {"stateMachineArn": machine, "maxResults": 1000}
    if token:
        body["nextToken"] = token
    r = call(body)
    pages += 1
    for x in r["executions"]:
        assert x["name"] not in seen, "listed twice: " + x["name"]
        seen.add(x["name"])
        status[x["status"]] = status.get(x["status"], 0) + 1
        if x["status"] == "SUCCEEDED":
            assert "stopDate" in x, x
    token = r.get("nextToken")
    if not token:
        break
assert seen <= want, "unexpected executions: %s" % sorted(seen - want)[:5]
bad = {k: v for k, v in status.items() if k not in ("SUCCEEDED", "RUNNING")}
assert not bad, "executions ended badly: %s" % bad
print(status.get("SUCCEEDED", 0), len(seen), pages)
PY
# Every call was answered 200, so every execution exists: none RUNNING
# means all have ended.
deadline=$(($(ms) + 60000))
while [ "$($PY "$T/count.py" running "$PORT" "$MACHINE" "$N")" -ne 0 ]; do
    if [ "$(ms)" -gt "$deadline" ]; then
        echo "load: executions still RUNNING 60 s after the calls"
        exit 1
    fi
    sleep 0.1
done
t2=$(ms)
counts=$($PY "$T/count.py" all "$PORT" "$MACHINE" "$N")
set -- $counts
if [ "$1" -ne "$N" ] || [ "$2" -ne "$N" ]; then
    echo "load: $1 SUCCEEDED of $2 listed, expected $N"
    exit 1
fi
echo "load: ListExecutions: $1 SUCCEEDED of $2 listed, in $3 pages"
echo "load: $N calls in $((t1 - t0)) ms; none RUNNING $((t2 - t0)) ms after the first call"

# ---- and in the database: kill the server, read the file -----------------
# SIGKILL, not a clean stop: what ListExecutions showed must already be on
# disk.
kill -KILL "$PID"
wait "$PID" 2>/dev/null || true
PID=
"$BATON" list --db "$T/db" --json >"$T/list.json"
$PY - "$T/list.json" "$N" <<'PY'
import json, sys
items = json.load(open(sys.argv[1]))["executions"]
n = int(sys.argv[2])
ok = {x["name"] for x in items
      if x["status"] == "SUCCEEDED" and x["stateMachineArn"].endswith(":load")}
assert ok == {"load-%d" % i for i in range(n)}, \
    "baton list: %d SUCCEEDED of %d" % (len(ok), n)
assert len(items) == n, "baton list: %d executions" % len(items)
PY
"$BATON" describe load-0 --db "$T/db" --json >"$T/d.json"
$PY -c "import json,sys; d=json.load(open(sys.argv[1])); assert json.loads(d['output']) == {'n': 1, 'r': {'ok': True}}, d" "$T/d.json"
echo "load: $N executions SUCCEEDED in the database"
