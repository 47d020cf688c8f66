#!/bin/sh
# The plain REST front of `baton serve` (/v1/..., docs/rest-api.md), driven
# with curl on 127.0.0.1: every route, the status codes, every error case
# the document lists (malformed bodies, invalid definitions, unknown
# machines and executions, bad names, wrong methods, unknown routes and
# query arguments, oversized bodies), stopping a waiting execution,
# histories, and a clean shutdown and restart. Each response is checked
# field by field (python3) against the documented behaviour and ASL's
# semantics. Usage: rest_api.sh BATON SOURCE_DIR
set -eu

BATON=$1
SRC=$2
. "$SRC/tests/server/serve.inc"
serve_workdir

ARN=arn:aws:states:us-east-1:123456789012

# ---- helpers -----------------------------------------------------------------
cat >"$T/h.py" <<'PY'
import json, re, sys
ARN = "arn:aws:states:us-east-1:123456789012"
ROLE = "arn:aws:iam::123456789012:role/baton"
PASS = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
PASS2 = json.dumps({"Comment": "v2", "StartAt": "P",
                    "States": {"P": {"Type": "Pass", "Result": {"v": 2}, "End": True}}})
WAIT = json.dumps({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 60, "End": True}}})
BAD = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "Next": "X"}}})
DMAP = json.dumps({"StartAt": "M", "States": {"M": {
    "Type": "Map", "ItemsPath": "$.items", "End": True,
    "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                      "StartAt": "Double", "States": {"Double": {
                          "Type": "Pass", "Parameters": {"n.$": "States.MathAdd($, $)"},
                          "End": True}}}}}})
true, false = True, False
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
EXEC_KEYS = {"executionArn", "stateMachineArn", "name", "status", "startDate", "redriveCount"}
ERROR_KEYS = {"error", "message", "diagnostics", "truncated"}

def q(s):
    return "'" + s + "'"

def is_ts(v):
    # epoch seconds with at most a millisecond fraction (reference 12.1)
    return isinstance(v, (int, float)) and not isinstance(v, bool) and \
        1.5e9 < v < 4e9 and abs(round(v * 1000) - v * 1000) < 1e-3

def common():
    assert HDR.get("content-type") == "application/json", HDR
    assert UUID.match(HDR.get("x-amzn-requestid", "")), HDR
    assert RAW.endswith(b"\n") and RAW.count(b"\n") == 1, RAW[-80:]

def ok(status=200):
    assert ST == status, (ST, R)
    common()
    assert not ("error" in R and "message" in R), R  # not an error body

def err(code, status=400, msg=None):
    assert ST == status, (ST, R)
    common()
    assert R["error"] == code, R
    assert isinstance(R["message"], str) and R["message"], R
    assert set(R) <= ERROR_KEYS, R
    if msg is not None:
        assert R["message"] == msg, (R["message"], msg)

def machine(name, definition, type="STANDARD"):
    assert R["stateMachineArn"] == ARN + ":stateMachine:" + name, R
    assert R["name"] == name and R["status"] == "ACTIVE" and R["type"] == type, R
    assert R["definition"] == json.loads(definition), R["definition"]
    assert R["roleArn"] == ROLE and is_ts(R["creationDate"]), R

def execution(status):
    assert EXEC_KEYS <= set(R), R
    assert R["status"] == status and is_ts(R["startDate"]), R
    assert "inputDetails" not in R and "outputDetails" not in R, R
    assert ("stopDate" in R) == (status != "RUNNING"), R

mode = sys.argv[1]
if mode == "body":
    v = eval(sys.argv[2])
    sys.stdout.buffer.write((v if isinstance(v, str) else json.dumps(v)).encode())
elif mode == "get":
    print(eval(sys.argv[3], globals(), {"R": json.load(open(sys.argv[2]))}))
else:
    ST = int(open(sys.argv[2]).read())
    RAW = open(sys.argv[3], "rb").read()
    R = json.loads(RAW) if RAW else None
    HDR = {}
    for line in open(sys.argv[4]).read().splitlines()[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            HDR[k.strip().lower()] = v.strip()
    try:
        exec(sys.argv[5])
    except AssertionError as e:
        print("FAILED:", sys.argv[6], "\n  check:", sys.argv[5], "\n  got:",
              ST, RAW.decode(errors="replace")[:800], "\n ", e, file=sys.stderr)
        sys.exit(1)
PY

PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3  # pyenv shims cost 50 ms a call
N=0
# req METHOD PATH [BODY-FILE]
req() {
    if [ $# -ge 3 ]; then
        set -- "$1" "$2" --data-binary "@$3"
    fi
    m=$1
    p=$2
    shift 2
    if [ "$m" = HEAD ]; then
        : >"$T/resp"
        curl -sS -g -m 10 -I -o /dev/null -D "$T/hdr" -w '%{http_code}' \
            "http://127.0.0.1:$PORT$p" >"$T/status"
    else
        curl -sS -g -m 10 -o "$T/resp" -D "$T/hdr" -w '%{http_code}' \
            -X "$m" "$@" "http://127.0.0.1:$PORT$p" >"$T/status"
    fi
    LAST="$m $p"
}
# send METHOD PATH PYTHON-EXPRESSION: the body is the string, or the value
# as JSON
send() {
    $PY "$T/h.py" body "$3" >"$T/req"
    req "$1" "$2" "$T/req"
}
# check PYTHON-ASSERTIONS (on ST, R, RAW, HDR of the last request)
check() {
    N=$((N + 1))
    $PY "$T/h.py" check "$T/status" "$T/resp" "$T/hdr" "$1" \
        "check $N after $LAST"
}
get() { $PY "$T/h.py" get "$T/resp" "$1"; }
# poll ID STATUS: until GET /v1/executions/ID shows STATUS (5 s at most)
poll() {
    for _ in $(seq 1 100); do
        req GET "/v1/executions/$1"
        [ "$(get 'R.get("status")')" = "$2" ] && return 0
        sleep 0.05
    done
    return 0 # the check that follows reports the status
}

start_server

# ---- routing -----------------------------------------------------------------
req GET /v1
check 'err("UnknownOperationException", 404); assert "/v1" in R["message"], R'
req GET /v1/nope
check 'err("UnknownOperationException", 404); assert "GET /v1/nope" in R["message"], R'
req POST /v1/executions
check 'err("UnknownOperationException", 404)'
req GET /v1/state-machines
check 'ok(); assert R == {"stateMachines": []}, R'
req DELETE /v1/state-machines
check 'err("UnknownOperationException", 405); assert HDR["allow"] == "GET, HEAD", HDR'
req PATCH /v1/state-machines/pass
check 'err("UnknownOperationException", 405); assert HDR["allow"] == "GET, HEAD, PUT, DELETE", HDR; assert "PATCH" in R["message"], R'
req GET /v1/executions/pass:e1/stop
check 'err("UnknownOperationException", 405); assert HDR["allow"] == "POST", HDR'
req DELETE /v1/state-machines/pass/executions
check 'err("UnknownOperationException", 405); assert HDR["allow"] == "GET, HEAD, POST", HDR'
req GET '/v1/state-machines?foo=1'
check 'err("ValidationException"); assert q("foo") in R["message"], R'
req GET '/v1/state-machines?maxResults=1&maxResults=2'
check 'err("ValidationException"); assert q("maxResults") in R["message"] and "more than once" in R["message"], R'
head -c 3145728 /dev/zero | tr '\0' ' ' >"$T/big"
req PUT /v1/state-machines/big "$T/big"
check 'err("RequestEntityTooLargeException", 413); assert "2097152" in R["message"], R'
req GET /health
check 'assert ST == 200'

# ---- state machines ----------------------------------------------------------
send PUT /v1/state-machines/pass PASS
check 'ok(201); machine("pass", PASS); assert "revisionId" not in R, R'
CREATED=$(get 'R["creationDate"]')
send PUT /v1/state-machines/pass PASS
check "ok(200); machine('pass', PASS); assert R['creationDate'] == $CREATED and 'revisionId' not in R, R"
send PUT /v1/state-machines/pass PASS2
check "ok(200); machine('pass', PASS2); assert R['creationDate'] == $CREATED and UUID.match(R['revisionId']), R"
REV=$(get 'R["revisionId"]')
req GET /v1/state-machines/pass
check "ok(); machine('pass', PASS2); assert R['revisionId'] == '$REV', R"
req GET /v1/state-machines/pass/
check "ok(); machine('pass', PASS2)"
req HEAD /v1/state-machines/pass
check 'assert ST == 200 and R is None and HDR["content-type"] == "application/json", (ST, HDR)'
send PUT '/v1/state-machines/pass?type=EXPRESS' PASS
check 'err("StateMachineAlreadyExists", 409); assert R["message"].startswith("State Machine Already Exists: " + q(ARN + ":stateMachine:pass")), R'
send PUT '/v1/state-machines/pass?type=STANDARD' PASS2
check "ok(200); assert R['revisionId'] == '$REV', R"

send PUT /v1/state-machines/bad BAD
check 'err("InvalidDefinition"); m = R["message"]; assert m.startswith("Invalid State Machine Definition: '"'"'") and m.endswith("'"'"'"), m; assert "MISSING_TRANSITION_TARGET: Missing '"'"'Next'"'"' target: X at /States/P/Next" in m, m; d = [g for g in R["diagnostics"] if g["code"] == "MISSING_TRANSITION_TARGET"]; assert len(d) == 1 and d[0]["severity"] == "ERROR" and d[0]["location"] == "/States/P/Next", R; assert d[0]["line"] == 1 and d[0]["column"] >= 1, d; assert R["truncated"] is False'
req GET /v1/state-machines/bad
check 'err("StateMachineDoesNotExist", 404)'
send PUT /v1/state-machines/bad '"{\"StartAt\": \"P\",\n \"States\": "'
check 'err("InvalidDefinition"); d = R["diagnostics"]; assert len(d) == 1 and d[0]["severity"] == "ERROR" and d[0]["line"] == 2, d'
req PUT /v1/state-machines/bad
check 'err("InvalidDefinition"); assert "empty" in R["message"], R'
send PUT /v1/state-machines/bad '"{\"StartAt\": \"P\"}\0{}"'
check 'err("InvalidDefinition"); assert "NUL" in R["message"], R'
send PUT /v1/state-machines/huge '"{" + " " * 1100000 + "}"'
check 'err("ValidationException"); assert "1100002" in R["message"] and "1048576" in R["message"], R'
send PUT '/v1/state-machines/bad%20name' PASS
check 'err("InvalidName", msg="Invalid Name: " + q("bad name"))'
send PUT '/v1/state-machines/a/b' PASS
check 'err("InvalidName", msg="Invalid Name: " + q("a/b"))'
send PUT '/v1/state-machines/typed?type=FAST' PASS
check 'err("ValidationException"); assert "FAST" in R["message"] and "[STANDARD, EXPRESS]" in R["message"], R'
send PUT '/v1/state-machines/typed?role=x' PASS
check 'err("ValidationException"); assert q("role") in R["message"], R'

send PUT /v1/state-machines/wait WAIT
check 'ok(201); machine("wait", WAIT)'
send PUT '/v1/state-machines/fast?type=EXPRESS' PASS
check 'ok(201); machine("fast", PASS, "EXPRESS")'

req GET /v1/state-machines
check 'ok(); assert [m["name"] for m in R["stateMachines"]] == ["fast", "pass", "wait"], R; assert "nextToken" not in R; m = R["stateMachines"][1]; assert set(m) == {"stateMachineArn", "name", "type", "creationDate"} and m["stateMachineArn"] == ARN + ":stateMachine:pass" and m["type"] == "STANDARD", m'
req GET '/v1/state-machines?maxResults=2'
check 'ok(); assert [m["name"] for m in R["stateMachines"]] == ["fast", "pass"] and R["nextToken"], R'
TOKEN=$(get 'R["nextToken"]')
req GET "/v1/state-machines?maxResults=2&nextToken=$TOKEN"
check 'ok(); assert [m["name"] for m in R["stateMachines"]] == ["wait"] and "nextToken" not in R, R'
req GET '/v1/state-machines?nextToken=garbage'
check 'err("InvalidToken", msg="Invalid Token: " + q("Invalid token"))'
req GET '/v1/state-machines?maxResults=ten'
check 'err("ValidationException"); assert q("maxResults") in R["message"] and q("ten") in R["message"], R'
req GET '/v1/state-machines?maxResults=1001'
check 'err("ValidationException"); assert "1000" in R["message"], R'
req GET /v1/state-machines/nope
check 'err("StateMachineDoesNotExist", 404, "State Machine Does Not Exist: " + q(ARN + ":stateMachine:nope"))'

# ---- starting executions -----------------------------------------------------
send POST '/v1/state-machines/pass/executions?name=e1' '{"x": 1}'
check 'ok(201); execution("RUNNING"); assert R["executionArn"] == ARN + ":execution:pass:e1" and R["stateMachineArn"] == ARN + ":stateMachine:pass" and R["name"] == "e1"; assert R["input"] == {"x": 1} and "output" not in R and R["redriveCount"] == 0, R'
req POST /v1/state-machines/pass/executions
check 'ok(201); execution("RUNNING"); name = R["name"]; assert UUID.match(name) and R["executionArn"] == ARN + ":execution:pass:" + name and R["input"] == {}, R'
send POST /v1/state-machines/pass/executions '"[1, \"two\", null]"'
check 'ok(201); assert R["input"] == [1, "two", None], R'
send POST /v1/state-machines/pass/executions '"{\"x\":"'
check 'err("InvalidExecutionInput"); m = R["message"]; assert m.startswith("Invalid State Machine Execution Input: '"'"'") and "line 1" in m, m'
send POST /v1/state-machines/pass/executions '"{\"x\": \"\0\"}"'
check 'err("InvalidExecutionInput"); assert "NUL" in R["message"], R'
send POST /v1/state-machines/pass/executions '"\"" + "a" * 262144 + "\""'
check 'err("ValidationException"); assert "262146" in R["message"] and "262144" in R["message"], R'
send POST '/v1/state-machines/pass/executions?name=a%2Fb' '{}'
check 'err("InvalidName", msg="Invalid Name: " + q("a/b"))'
send POST '/v1/state-machines/pass/executions?name=' '{}'
check 'err("InvalidName", msg="Invalid Name: " + q(""))'
send POST '/v1/state-machines/pass/executions?nam=e9' '{}'
check 'err("ValidationException"); assert q("nam") in R["message"], R'
send POST /v1/state-machines/nope/executions '{}'
check 'err("StateMachineDoesNotExist", 404, "State Machine Does Not Exist: " + q(ARN + ":stateMachine:nope"))'

send POST '/v1/state-machines/wait/executions?name=w1' '{"a": 1}'
check 'ok(201); execution("RUNNING")'
W1_START=$(get 'R["startDate"]')
send POST '/v1/state-machines/wait/executions?name=w1' '{"a": 1}'
check "ok(200); execution('RUNNING'); assert R['executionArn'] == ARN + ':execution:wait:w1' and R['startDate'] == $W1_START, R"
send POST '/v1/state-machines/wait/executions?name=w1' '{"a": 2}'
check 'err("ExecutionAlreadyExists", 409, "Execution Already Exists: " + q(ARN + ":execution:wait:w1"))'
send POST '/v1/state-machines/wait/executions?name=w2' '{}'
check 'ok(201)'

# ---- reading executions ------------------------------------------------------
poll pass:e1 SUCCEEDED
check 'ok(); execution("SUCCEEDED"); assert set(R) == EXEC_KEYS | {"stopDate", "input", "output"}, R; assert R["executionArn"] == ARN + ":execution:pass:e1" and R["name"] == "e1"; assert R["input"] == {"x": 1} and R["output"] == {"v": 2}, R; assert R["stopDate"] >= R["startDate"]'
E1=$(cat "$T/resp")
req GET "/v1/executions/$ARN:execution:pass:e1"
check "ok(); assert R == json.loads('''$E1'''), R"
req GET /v1/executions/arn%3Aaws%3Astates%3Aus-east-1%3A123456789012%3Aexecution%3Apass%3Ae1
check "ok(); assert R == json.loads('''$E1'''), R"
req GET /v1/executions/wait:w1
check 'ok(); execution("RUNNING"); assert R["input"] == {"a": 1} and "output" not in R, R'
req GET /v1/executions/pass:nope
check 'err("ExecutionDoesNotExist", 404); assert "pass:nope" in R["message"], R'
req GET "/v1/executions/$ARN:execution:pass:nope"
check 'err("ExecutionDoesNotExist", 404, "Execution Does Not Exist: " + q(ARN + ":execution:pass:nope"))'
req GET /v1/executions/e1
check 'err("InvalidArn"); assert q("e1") in R["message"] and "<stateMachineName>:<executionName>" in R["message"], R'
req GET "/v1/executions/$ARN:stateMachine:pass"
check 'err("InvalidArn", msg="Invalid Arn: " + q("Resource type not valid in this context: stateMachine"))'
req GET '/v1/executions/pass:bad%20name'
check 'err("InvalidName", msg="Invalid Name: " + q("bad name"))'

req GET /v1/executions/pass:e1/history
check 'ok(); ev = R["events"]; assert [e["type"] for e in ev] == ["ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"], ev; assert [e["id"] for e in ev] == [1, 2, 3, 4] and [e["previousEventId"] for e in ev] == [0, 0, 2, 3]; assert all(is_ts(e["timestamp"]) for e in ev); assert ev[0]["executionStartedEventDetails"]["input"] == {"x": 1}; assert ev[1]["stateEnteredEventDetails"] == {"name": "P", "input": {"x": 1}, "inputDetails": {"truncated": False}}; assert ev[2]["stateExitedEventDetails"]["output"] == {"v": 2}; assert ev[3]["executionSucceededEventDetails"]["output"] == {"v": 2}; assert "nextToken" not in R'
req GET '/v1/executions/pass:e1/history?reverseOrder=true&maxResults=3'
check 'ok(); assert [e["id"] for e in R["events"]] == [4, 3, 2] and R["nextToken"], R'
TOKEN=$(get 'R["nextToken"]')
req GET "/v1/executions/pass:e1/history?reverseOrder=true&maxResults=3&nextToken=$TOKEN"
check 'ok(); assert [e["id"] for e in R["events"]] == [1] and "nextToken" not in R, R'
req GET "/v1/executions/pass:e1/history?nextToken=$TOKEN"
check 'err("InvalidToken")'
req GET '/v1/executions/pass:e1/history?reverseOrder=yes'
check 'err("ValidationException"); assert q("reverseOrder") in R["message"] and q("yes") in R["message"], R'
req GET /v1/executions/pass:nope/history
check 'err("ExecutionDoesNotExist", 404)'

req GET /v1/state-machines/wait/executions
check 'ok(); assert [x["name"] for x in R["executions"]] == ["w2", "w1"], R; x = R["executions"][1]; assert set(x) == EXEC_KEYS and x["executionArn"] == ARN + ":execution:wait:w1" and x["status"] == "RUNNING", x'
req GET '/v1/state-machines/wait/executions?status=RUNNING&maxResults=1'
check 'ok(); assert [x["name"] for x in R["executions"]] == ["w2"] and R["nextToken"], R'
TOKEN=$(get 'R["nextToken"]')
req GET "/v1/state-machines/wait/executions?status=RUNNING&maxResults=1&nextToken=$TOKEN"
check 'ok(); assert [x["name"] for x in R["executions"]] == ["w1"] and "nextToken" not in R, R'
req GET "/v1/state-machines/wait/executions?nextToken=$TOKEN"
check 'err("InvalidToken")'
req GET '/v1/state-machines/pass/executions?status=RUNNING'
check 'ok(); assert R == {"executions": []}, R'
req GET '/v1/state-machines/wait/executions?status=running'
check 'err("ValidationException"); assert q("running") in R["message"] and "RUNNING" in R["message"], R'
req GET /v1/state-machines/nope/executions
check 'err("StateMachineDoesNotExist", 404)'

# ---- stopping ----------------------------------------------------------------
send POST /v1/executions/wait:w1/stop '"[1]"'
check 'err("SerializationException")'
send POST /v1/executions/wait:w1/stop '"{\"error\":"'
check 'err("SerializationException"); assert "line 1" in R["message"], R'
send POST /v1/executions/wait:w1/stop '{"error": 1}'
check 'err("SerializationException"); assert q("error") in R["message"], R'
send POST /v1/executions/wait:w1/stop '{"reason": "x"}'
check 'err("ValidationException"); assert q("reason") in R["message"], R'
send POST /v1/executions/wait:nope/stop '{}'
check 'err("ExecutionDoesNotExist", 404)'
req GET /v1/executions/wait:w1
check 'ok(); execution("RUNNING")'
send POST /v1/executions/wait:w1/stop '{"error": "Bored", "cause": "test over"}'
check 'ok(); execution("ABORTED"); assert R["error"] == "Bored" and R["cause"] == "test over" and "output" not in R and R["stopDate"] >= R["startDate"], R'
req GET '/v1/executions/wait:w1/history?reverseOrder=true&maxResults=1'
check 'ok(); e = R["events"][0]; assert e["type"] == "ExecutionAborted" and e["executionAbortedEventDetails"] == {"error": "Bored", "cause": "test over"}, e'
req POST "/v1/executions/$ARN:execution:wait:w2/stop"
check 'ok(); execution("ABORTED"); assert "error" not in R and "cause" not in R, R'
send POST /v1/executions/pass:e1/stop '{"error": "Late"}'
check "ok(); assert R == json.loads('''$E1'''), R"

# ---- express and distributed Map children ------------------------------------
send POST '/v1/state-machines/fast/executions?name=x1' '{"k": "v"}'
check 'ok(201); a = R["executionArn"]; assert a.startswith(ARN + ":express:fast:x1:") and UUID.match(a.split(":")[-1]), a'
XARN=$(get 'R["executionArn"]')
poll fast:x1 SUCCEEDED
check "ok(); execution('SUCCEEDED'); assert R['executionArn'] == '$XARN' and R['output'] == {'k': 'v'}, R"
req GET "/v1/executions/$XARN/history"
check 'ok(); assert [e["type"] for e in R["events"]][0] == "ExecutionStarted" and R["events"][-1]["type"] == "ExecutionSucceeded", R'
req GET /v1/state-machines/fast/executions
check "ok(); assert [x['executionArn'] for x in R['executions']] == ['$XARN'], R"

send PUT /v1/state-machines/dm DMAP
check 'ok(201)'
send POST '/v1/state-machines/dm/executions?name=d1' '{"items": [1, 2, 3]}'
check 'ok(201)'
poll dm:d1 SUCCEEDED
check 'ok(); execution("SUCCEEDED"); assert R["output"] == [{"n": 2}, {"n": 4}, {"n": 6}], R'

# ---- restart: executions are durable; Map children by ARN --------------------
grep -q 'msg=request .*method=PUT path="/v1/state-machines/pass" action=PutStateMachine status=201 error=-' \
    "$T/log" || { echo "no request log line"; cat "$T/log"; exit 1; }
stop_server
grep -q 'msg="stopped"' "$T/log" || { echo "no clean stop"; cat "$T/log"; exit 1; }
"$BATON" list --db "$T/db" --json >"$T/list"
# A DISTRIBUTED Map's child: ARN <machine>/<label>:<uuid>, '/' in {id}.
CHILD=$($PY -c 'import json, sys
print([x["executionArn"] for x in json.load(open(sys.argv[1]))["executions"]
       if ":execution:dm/M:" in x["executionArn"]][0])' "$T/list")
start_server
req GET /v1/executions/wait:w1
LAST="GET /v1/executions/wait:w1 after restart"
check 'ok(); execution("ABORTED"); assert R["error"] == "Bored", R'
req GET /v1/executions/pass:e1
check "ok(); assert R == json.loads('''$E1'''), R"
req GET "/v1/executions/$CHILD"
check "ok(); execution('SUCCEEDED'); assert R['executionArn'] == '$CHILD' and R['output'] in ({'n': 2}, {'n': 4}, {'n': 6}), R"
req GET "/v1/executions/$CHILD/history"
check 'ok(); assert [e["type"] for e in R["events"]] == ["ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"], R'

# ---- delete ------------------------------------------------------------------
send POST '/v1/state-machines/wait/executions?name=w3' '{}'
check 'ok(201)'
req DELETE /v1/state-machines/wait
check 'ok(); assert R == {}, R'
req GET /v1/executions/wait:w3
check 'ok(); execution("ABORTED")'
req GET /v1/state-machines/wait
check 'err("StateMachineDoesNotExist", 404)'
req DELETE /v1/state-machines/wait
check 'err("StateMachineDoesNotExist", 404)'
req GET /v1/state-machines
check 'ok(); assert [m["name"] for m in R["stateMachines"]] == ["dm", "fast", "pass"], R'

# The log line of a failed request names the error code.
grep -q 'msg=request .*method=DELETE path="/v1/state-machines/wait" action=DeleteStateMachine status=404 error=StateMachineDoesNotExist' \
    "$T/log" || { echo "no request log line"; cat "$T/log"; exit 1; }
stop_server
echo "rest_api: $N checks passed"
