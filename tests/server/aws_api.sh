#!/bin/sh
# The AWS Step Functions API of `baton serve`, driven with curl on
# 127.0.0.1: the life of state machines and executions and every error case
# of reference §12, each response checked field by field (python3) against
# the values the reference gives. Usage: aws_api.sh BATON SOURCE_DIR
set -eu

BATON=$1
SRC=$2
. "$SRC/tests/server/serve.inc"
serve_workdir

ACCT=123456789012
ARN=arn:aws:states:us-east-1:$ACCT
ROLE=arn:aws:iam::$ACCT:role/test

# ---- helpers ----------------------------------------------------------------
cat >"$T/h.py" <<'PY'
import json, re, sys
ARN = "arn:aws:states:us-east-1:123456789012"
ROLE = "arn:aws:iam::123456789012:role/test"
PASS = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
PASS2 = json.dumps({"Comment": "v2", "StartAt": "P",
                    "States": {"P": {"Type": "Pass", "Result": {"v": 2}, "End": True}}})
WAIT = json.dumps({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 30, "End": True}}})
BAD = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "Next": "X"}}})
true, false = True, False
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")

def is_ts(v):
    # epoch seconds with at most a millisecond fraction (reference 12.1)
    return isinstance(v, (int, float)) and not isinstance(v, bool) and \
        1.5e9 < v < 4e9 and abs(round(v * 1000) - v * 1000) < 1e-3

def err(code, msg=None, status=400):
    assert ST == status, (ST, R)
    assert R["__type"] == code, R
    assert HDR.get("x-amzn-errortype") == code, HDR
    if msg is not None:
        assert R.get("message") == msg, (R.get("message"), msg)

def ok():
    assert ST == 200, (ST, R)
    assert HDR.get("content-type") == "application/x-amz-json-1.0", HDR
    assert UUID.match(HDR.get("x-amzn-requestid", "")), HDR

mode = sys.argv[1]
if mode == "body":
    print(json.dumps(eval(sys.argv[2])))
elif mode == "get":
    print(eval(sys.argv[3], globals(), {"R": json.load(open(sys.argv[2]))}))
else:
    ST = int(open(sys.argv[2]).read())
    raw = open(sys.argv[3], "rb").read()
    R = json.loads(raw) if raw else None
    HDR = {}
    for line in open(sys.argv[4]).read().splitlines()[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            HDR[k.strip().lower()] = v.strip()
    try:
        exec(sys.argv[5])
    except AssertionError as e:
        print("FAILED:", sys.argv[6], "\n  check:", sys.argv[5], "\n  got:",
              ST, raw.decode()[:600], "\n ", e, file=sys.stderr)
        sys.exit(1)
PY

PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3  # pyenv shims cost 50 ms a call
N=0
# call ACTION PYTHON-BODY-EXPRESSION
call() {
    $PY "$T/h.py" body "$2" >"$T/req"
    raw "$1" "$T/req"
}
# raw ACTION FILE: posts FILE as is
raw() {
    curl -sS -m 10 -o "$T/resp" -D "$T/hdr" -w '%{http_code}' \
        -H 'Content-Type: application/x-amz-json-1.0' \
        -H "X-Amz-Target: AWSStepFunctions.$1" \
        --data-binary "@$2" "http://127.0.0.1:$PORT/" >"$T/status"
    LAST=$1
}
# check PYTHON-ASSERTIONS (on ST, R, HDR of the last call)
check() {
    N=$((N + 1))
    $PY "$T/h.py" check "$T/status" "$T/resp" "$T/hdr" "$1" \
        "check $N after $LAST"
}
get() { $PY "$T/h.py" get "$T/resp" "$1"; }

start_server

# ---- protocol -----------------------------------------------------------------
curl -sS -m 5 -o "$T/resp" -D "$T/hdr" -w '%{http_code}' \
    "http://127.0.0.1:$PORT/" >"$T/status"
LAST=health
check 'assert ST == 200'
printf '{"name": ' >"$T/f"
raw ListStateMachines "$T/f"
check 'err("SerializationException")'
printf '[1]' >"$T/f"
raw ListStateMachines "$T/f"
check 'err("SerializationException")'
printf '{}' >"$T/f"
raw NoSuchAction "$T/f"
check 'err("UnknownOperationException")'
curl -sS -m 5 -o "$T/resp" -D "$T/hdr" -w '%{http_code}' -d '{}' \
    -H 'Content-Type: application/x-amz-json-1.0' \
    "http://127.0.0.1:$PORT/" >"$T/status"
check 'err("UnknownOperationException")'
head -c 3145728 /dev/zero | tr '\0' 'a' >"$T/big"
raw ListStateMachines "$T/big"
check 'err("RequestEntityTooLargeException", status=413)'

# ---- state machines -------------------------------------------------------------
call CreateStateMachine '{"name":"pass","definition":PASS,"roleArn":ROLE}'
check 'ok(); assert R["stateMachineArn"] == ARN + ":stateMachine:pass"; assert is_ts(R["creationDate"]); assert set(R) == {"stateMachineArn", "creationDate"}'
CREATED=$(get 'R["creationDate"]')
call CreateStateMachine '{"name":"pass","definition":PASS,"roleArn":ROLE}'
check "ok(); assert R['stateMachineArn'] == ARN + ':stateMachine:pass' and R['creationDate'] == $CREATED"
call CreateStateMachine '{"name":"pass","definition":PASS2,"roleArn":ROLE}'
check 'err("StateMachineAlreadyExists", "State Machine Already Exists: '"'"'" + ARN + ":stateMachine:pass'"'"'")'
call CreateStateMachine '{"name":"bad","definition":BAD,"roleArn":ROLE}'
check 'err("InvalidDefinition"); m = R["message"]; assert m.startswith("Invalid State Machine Definition: '"'"'") and m.endswith("'"'"'"), m; assert "MISSING_TRANSITION_TARGET: Missing '"'"'Next'"'"' target: X at /States/P/Next" in m, m'
call CreateStateMachine '{"name":"bad name","definition":PASS,"roleArn":ROLE}'
check 'err("InvalidName", "Invalid Name: '"'"'bad name'"'"'")'
call CreateStateMachine '{"name":"norole","definition":PASS}'
check 'err("ValidationException", "1 validation error detected: Value null at '"'"'roleArn'"'"' failed to satisfy constraint: Member must not be null")'
call CreateStateMachine '{"definition":PASS,"roleArn":ROLE}'
check 'err("ValidationException"); assert "'"'"'name'"'"'" in R["message"]'
call CreateStateMachine '{"name":"huge","definition":"{" + " " * 1100000 + "}","roleArn":ROLE}'
check 'err("ValidationException"); assert "definition" in R["message"] and "1048576" in R["message"]'
call CreateStateMachine '{"name":"typed","definition":PASS,"roleArn":ROLE,"type":"FAST"}'
check 'err("ValidationException", "1 validation error detected: Value '"'"'FAST'"'"' at '"'"'type'"'"' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]")'
call CreateStateMachine '{"name":"a-first","definition":PASS,"roleArn":ROLE}'
check 'ok()'
call CreateStateMachine '{"name":"wait","definition":WAIT,"roleArn":ROLE}'
check 'ok()'

call ValidateStateMachineDefinition '{"definition":PASS}'
check 'ok(); assert R == {"result": "OK", "diagnostics": [], "truncated": False}, R'
call ValidateStateMachineDefinition '{"definition":"{}"}'
check 'ok(); assert R["result"] == "FAIL" and R["truncated"] is False; assert R["diagnostics"] == [{"severity": "ERROR", "code": "SCHEMA_VALIDATION_FAILED", "message": "These fields are required: [States, StartAt]", "location": "/"}], R'
call ValidateStateMachineDefinition '{"definition":" "}'
check 'ok(); assert R["diagnostics"] == [{"severity": "ERROR", "code": "SCHEMA_VALIDATION_FAILED", "message": "Definition must be a valid JSON object"}], R'
call ValidateStateMachineDefinition '{"definition":json.dumps({"StartAt":"A","States":{"A":{"Type":"Pass","Next":"X"},"B":{"Type":"Pass","Next":"Y"}}}),"maxResults":1}'
check 'ok(); assert R["result"] == "FAIL" and len(R["diagnostics"]) == 1 and R["truncated"] is True, R'
call ValidateStateMachineDefinition '{"definition":PASS,"maxResults":101}'
check 'err("ValidationException", "1 validation error detected: Value '"'"'101'"'"' at '"'"'maxResults'"'"' failed to satisfy constraint: Member must have value less than or equal to 100")'
call ValidateStateMachineDefinition '{}'
check 'err("ValidationException")'

call DescribeStateMachine '{"stateMachineArn":ARN + ":stateMachine:pass"}'
check "ok(); assert R == {'stateMachineArn': ARN + ':stateMachine:pass', 'name': 'pass', 'status': 'ACTIVE', 'definition': PASS, 'roleArn': ROLE, 'type': 'STANDARD', 'creationDate': $CREATED, 'loggingConfiguration': {'level': 'OFF', 'includeExecutionData': False}, 'tracingConfiguration': {'enabled': False}}, R"
call DescribeStateMachine '{"stateMachineArn":ARN + ":stateMachine:nope"}'
check 'err("StateMachineDoesNotExist", "State Machine Does Not Exist: '"'"'" + ARN + ":stateMachine:nope'"'"'")'
call DescribeStateMachine '{"stateMachineArn":"nope"}'
check 'err("InvalidArn", "Invalid Arn: '"'"'Invalid ARN prefix: nope'"'"'")'

call ListStateMachines '{}'
check 'ok(); assert [m["name"] for m in R["stateMachines"]] == ["a-first", "pass", "wait"], R; assert "nextToken" not in R; m = R["stateMachines"][1]; assert set(m) == {"stateMachineArn", "name", "type", "creationDate"} and m["type"] == "STANDARD" and is_ts(m["creationDate"])'
call ListStateMachines '{"maxResults":2}'
check 'ok(); assert [m["name"] for m in R["stateMachines"]] == ["a-first", "pass"] and R["nextToken"]'
TOKEN=$(get 'R["nextToken"]')
call ListStateMachines "{\"maxResults\":2,\"nextToken\":\"$TOKEN\"}"
check 'ok(); assert [m["name"] for m in R["stateMachines"]] == ["wait"] and "nextToken" not in R, R'
call ListStateMachines '{"nextToken":"garbage"}'
check 'err("InvalidToken", "Invalid Token: '"'"'Invalid token'"'"'")'
call ListStateMachines '{"maxResults":1001}'
check 'err("ValidationException", "1 validation error detected: Value '"'"'1001'"'"' at '"'"'maxResults'"'"' failed to satisfy constraint: Member must have value less than or equal to 1000")'

# ---- executions ----------------------------------------------------------------
call StartExecution '{"stateMachineArn":ARN + ":stateMachine:pass","name":"e1","input":"{\"x\":1}"}'
check 'ok(); assert R["executionArn"] == ARN + ":execution:pass:e1" and is_ts(R["startDate"]) and set(R) == {"executionArn", "startDate"}, R'
call StartExecution '{"stateMachineArn":ARN + ":stateMachine:pass"}'
check 'ok(); name = R["executionArn"].split(":")[-1]; assert UUID.match(name) and R["executionArn"] == ARN + ":execution:pass:" + name, R'
call StartExecution '{"stateMachineArn":ARN + ":stateMachine:wait","name":"w1","input":"{\"a\":1}"}'
check 'ok()'
W1_START=$(get 'R["startDate"]')
call StartExecution '{"stateMachineArn":ARN + ":stateMachine:wait","name":"w1","input":"{\"a\":1}"}'
check "ok(); assert R == {'executionArn': ARN + ':execution:wait:w1', 'startDate': $W1_START}, R"
call StartExecution '{"stateMachineArn":ARN + ":stateMachine:wait","name":"w1","input":"{\"a\":2}"}'
check 'err("ExecutionAlreadyExists", "Execution Already Exists: '"'"'" + ARN + ":execution:wait:w1'"'"'")'
call StartExecution '{"stateMachineArn":ARN + ":stateMachine:wait","name":"w2"}'
check 'ok()'
call StartExecution '{"stateMachineArn":ARN + ":stateMachine:pass","input":""}'
check 'err("InvalidExecutionInput", "Invalid State Machine Execution Input: '"'"'Invalid execution input.'"'"'")'
call StartExecution '{"stateMachineArn":ARN + ":stateMachine:pass","input":"{nope"}'
check 'err("InvalidExecutionInput"); assert R["message"].startswith("Invalid State Machine Execution Input: '"'"'")'
call StartExecution '{"stateMachineArn":ARN + ":stateMachine:pass","name":"a/b"}'
check 'err("InvalidName", "Invalid Name: '"'"'a/b'"'"'")'
call StartExecution '{"stateMachineArn":ARN + ":stateMachine:nope"}'
check 'err("StateMachineDoesNotExist", "State Machine Does Not Exist: '"'"'" + ARN + ":stateMachine:nope'"'"'")'
call StartExecution '{"stateMachineArn":"nope"}'
check 'err("InvalidArn", "Invalid Arn: '"'"'Invalid ARN prefix: nope'"'"'")'
call StartExecution '{"stateMachineArn":ARN + ":stateMachine:pass","input":"1" * 262145}'
check 'err("ValidationException")'
call StartExecution '{}'
check 'err("ValidationException", "1 validation error detected: Value null at '"'"'stateMachineArn'"'"' failed to satisfy constraint: Member must not be null")'

for _ in $(seq 1 50); do
    call DescribeExecution '{"executionArn":ARN + ":execution:pass:e1"}'
    [ "$(get 'R.get("status")')" = SUCCEEDED ] && break
    sleep 0.05
done
check 'ok(); assert set(R) == {"executionArn", "stateMachineArn", "name", "status", "startDate", "stopDate", "input", "inputDetails", "output", "outputDetails", "redriveCount", "redriveStatus", "redriveStatusReason"}, R; assert R["executionArn"] == ARN + ":execution:pass:e1" and R["stateMachineArn"] == ARN + ":stateMachine:pass" and R["name"] == "e1" and R["status"] == "SUCCEEDED"; assert json.loads(R["input"]) == {"x": 1} and json.loads(R["output"]) == {"x": 1}; assert R["inputDetails"] == {"included": True} == R["outputDetails"]; assert is_ts(R["startDate"]) and is_ts(R["stopDate"]) and R["stopDate"] >= R["startDate"]; assert R["redriveCount"] == 0 and R["redriveStatus"] == "NOT_REDRIVABLE" and R["redriveStatusReason"] == "Execution is SUCCEEDED and cannot be redriven"'
call DescribeExecution '{"executionArn":ARN + ":execution:wait:w1"}'
check 'ok(); assert R["status"] == "RUNNING" and "stopDate" not in R and "output" not in R and R["redriveStatusReason"] == "Execution is RUNNING and cannot be redriven", R'
call DescribeExecution '{"executionArn":ARN + ":execution:pass:nope"}'
check 'err("ExecutionDoesNotExist", "Execution Does Not Exist: '"'"'" + ARN + ":execution:pass:nope'"'"'")'
call DescribeExecution '{"executionArn":"x"}'
check 'err("InvalidArn", "Invalid Arn: '"'"'Invalid ARN prefix: x'"'"'")'
call StartExecution '{"stateMachineArn":ARN + ":stateMachine:pass","name":"e1","input":"{\"x\":1}"}'
check 'err("ExecutionAlreadyExists")'

call ListExecutions '{"stateMachineArn":ARN + ":stateMachine:wait"}'
check 'ok(); assert [x["name"] for x in R["executions"]] == ["w2", "w1"], R; x = R["executions"][1]; assert set(x) == {"executionArn", "stateMachineArn", "name", "status", "startDate", "redriveCount"} and x["status"] == "RUNNING" and x["redriveCount"] == 0, x'
call ListExecutions '{"stateMachineArn":ARN + ":stateMachine:pass","statusFilter":"RUNNING"}'
check 'ok(); assert R["executions"] == [], R'
call ListExecutions '{"stateMachineArn":ARN + ":stateMachine:wait","maxResults":1}'
check 'ok(); assert [x["name"] for x in R["executions"]] == ["w2"] and R["nextToken"]'
TOKEN=$(get 'R["nextToken"]')
call ListExecutions "{\"stateMachineArn\":ARN + \":stateMachine:wait\",\"maxResults\":1,\"nextToken\":\"$TOKEN\"}"
check 'ok(); assert [x["name"] for x in R["executions"]] == ["w1"] and "nextToken" not in R, R'
call ListExecutions '{"stateMachineArn":ARN + ":stateMachine:wait","statusFilter":"succeeded"}'
check 'err("ValidationException", "1 validation error detected: Value '"'"'succeeded'"'"' at '"'"'statusFilter'"'"' failed to satisfy constraint: Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]")'
call ListExecutions '{"stateMachineArn":ARN + ":stateMachine:nope"}'
check 'err("StateMachineDoesNotExist")'

call GetExecutionHistory '{"executionArn":ARN + ":execution:pass:e1"}'
check 'ok(); ev = R["events"]; assert [e["type"] for e in ev] == ["ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"], ev; assert [e["id"] for e in ev] == [1, 2, 3, 4] and [e["previousEventId"] for e in ev] == [0, 0, 2, 3]; assert all(is_ts(e["timestamp"]) for e in ev); d = ev[0]["executionStartedEventDetails"]; assert json.loads(d["input"]) == {"x": 1} and d["inputDetails"] == {"truncated": False}; assert ev[1]["stateEnteredEventDetails"]["name"] == "P"; assert json.loads(ev[3]["executionSucceededEventDetails"]["output"]) == {"x": 1}; assert "nextToken" not in R'
call GetExecutionHistory '{"executionArn":ARN + ":execution:pass:e1","reverseOrder":true,"maxResults":3}'
check 'ok(); assert [e["id"] for e in R["events"]] == [4, 3, 2] and R["nextToken"], R'
TOKEN=$(get 'R["nextToken"]')
call GetExecutionHistory "{\"executionArn\":ARN + \":execution:pass:e1\",\"reverseOrder\":True,\"maxResults\":3,\"nextToken\":\"$TOKEN\"}"
check 'ok(); assert [e["id"] for e in R["events"]] == [1] and "nextToken" not in R, R'
call GetExecutionHistory "{\"executionArn\":ARN + \":execution:pass:e1\",\"nextToken\":\"$TOKEN\"}"
check 'err("InvalidToken", "Invalid Token: '"'"'Invalid token'"'"'")'
call GetExecutionHistory '{"executionArn":ARN + ":execution:pass:e1","includeExecutionData":False}'
check 'ok(); ev = R["events"]; assert ev[0]["executionStartedEventDetails"] == {"roleArn": ev[0]["executionStartedEventDetails"]["roleArn"]}, ev[0]; assert ev[1]["stateEnteredEventDetails"] == {"name": "P"}; assert ev[3]["executionSucceededEventDetails"] == {}, ev[3]'
call GetExecutionHistory '{"executionArn":ARN + ":execution:pass:nope"}'
check 'err("ExecutionDoesNotExist")'
call GetExecutionHistory '{"executionArn":ARN + ":execution:pass:e1","reverseOrder":"yes"}'
check 'err("SerializationException")'

call StopExecution '{"executionArn":ARN + ":execution:wait:w1","error":"Bored","cause":"test over"}'
check 'ok(); assert set(R) == {"stopDate"} and is_ts(R["stopDate"]), R'
call DescribeExecution '{"executionArn":ARN + ":execution:wait:w1"}'
check 'ok(); assert R["status"] == "ABORTED" and R["error"] == "Bored" and R["cause"] == "test over" and is_ts(R["stopDate"]) and R["redriveStatus"] == "REDRIVABLE" and "redriveStatusReason" not in R and "output" not in R, R'
call GetExecutionHistory '{"executionArn":ARN + ":execution:wait:w1","reverseOrder":True,"maxResults":1}'
check 'ok(); e = R["events"][0]; assert e["type"] == "ExecutionAborted" and e["previousEventId"] == 0 and e["executionAbortedEventDetails"] == {"error": "Bored", "cause": "test over"}, e'
call StopExecution '{"executionArn":ARN + ":execution:wait:nope"}'
check 'err("ExecutionDoesNotExist", "Execution Does Not Exist: '"'"'" + ARN + ":execution:wait:nope'"'"'")'

call DescribeStateMachineForExecution '{"executionArn":ARN + ":execution:pass:e1"}'
check 'ok(); assert R["stateMachineArn"] == ARN + ":stateMachine:pass" and R["name"] == "pass" and R["definition"] == PASS and R["roleArn"] == ROLE and is_ts(R["updateDate"]) and "revisionId" not in R, R'

# ---- updates -----------------------------------------------------------------
call UpdateStateMachine '{"stateMachineArn":ARN + ":stateMachine:pass","definition":PASS2}'
check 'ok(); assert is_ts(R["updateDate"]) and UUID.match(R["revisionId"]), R'
REV=$(get 'R["revisionId"]')
call UpdateStateMachine '{"stateMachineArn":ARN + ":stateMachine:pass","definition":PASS2}'
check "ok(); assert R['revisionId'] == '$REV', R"
call DescribeStateMachine '{"stateMachineArn":ARN + ":stateMachine:pass"}'
check "ok(); assert R['definition'] == PASS2 and R['revisionId'] == '$REV' and R['creationDate'] == $CREATED, R"
call DescribeStateMachineForExecution '{"executionArn":ARN + ":execution:pass:e1"}'
check 'ok(); assert R["definition"] == PASS and "revisionId" not in R, R'
call StartExecution '{"stateMachineArn":ARN + ":stateMachine:pass","name":"e2"}'
check 'ok()'
call DescribeStateMachineForExecution '{"executionArn":ARN + ":execution:pass:e2"}'
check "ok(); assert R['definition'] == PASS2 and R['revisionId'] == '$REV', R"
call UpdateStateMachine '{"stateMachineArn":ARN + ":stateMachine:pass"}'
check 'err("MissingRequiredParameter", "Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified")'
call UpdateStateMachine '{"stateMachineArn":ARN + ":stateMachine:pass","definition":BAD}'
check 'err("InvalidDefinition")'
call UpdateStateMachine '{"stateMachineArn":ARN + ":stateMachine:nope","definition":PASS}'
check 'err("StateMachineDoesNotExist", "State Machine Does Not Exist: '"'"'" + ARN + ":stateMachine:nope'"'"'")'

# ---- express -------------------------------------------------------------------
call CreateStateMachine '{"name":"fast","type":"EXPRESS","definition":PASS,"roleArn":ROLE}'
check 'ok()'
call StartSyncExecution '{"stateMachineArn":ARN + ":stateMachine:fast","name":"s1","input":"{\"k\":\"v\"}"}'
check 'ok(); a = R["executionArn"]; assert a.startswith(ARN + ":express:fast:s1:") and UUID.match(a.split(":")[-1]), a; assert R["stateMachineArn"] == ARN + ":stateMachine:fast" and R["name"] == "s1" and R["status"] == "SUCCEEDED"; assert json.loads(R["output"]) == {"k": "v"} and json.loads(R["input"]) == {"k": "v"}; assert R["inputDetails"] == {"included": True} and R["outputDetails"] == {"included": True}; assert is_ts(R["startDate"]) and is_ts(R["stopDate"]); assert set(R["billingDetails"]) == {"billedMemoryUsedInMB", "billedDurationInMilliseconds"}; assert "redriveCount" not in R'
EXPRESS=$(get 'R["executionArn"]')
call StartSyncExecution '{"stateMachineArn":ARN + ":stateMachine:pass"}'
check 'err("StateMachineTypeNotSupported", "This operation is not supported by this type of state machine")'
for action in DescribeExecution GetExecutionHistory StopExecution; do
    call $action "{\"executionArn\":\"$EXPRESS\"}"
    check 'err("InvalidArn", "Invalid Arn: '"'"'Resource type not valid in this context: express'"'"'")'
done
call ListExecutions '{"stateMachineArn":ARN + ":stateMachine:fast"}'
check 'err("StateMachineTypeNotSupported")'
call DescribeStateMachineForExecution "{\"executionArn\":\"$EXPRESS\"}"
check 'ok(); assert R["name"] == "fast" and R["definition"] == PASS'

# ---- restart: executions are durable ---------------------------------------------
stop_server
grep -q 'msg="stopped"' "$T/log" || { echo "no clean stop"; exit 1; }
start_server
call DescribeExecution '{"executionArn":ARN + ":execution:wait:w2"}'
LAST="DescribeExecution after restart"
check 'ok(); assert R["status"] == "RUNNING", R'
call DescribeExecution '{"executionArn":ARN + ":execution:pass:e1"}'
check 'ok(); assert R["status"] == "SUCCEEDED"'

# ---- delete ------------------------------------------------------------------------
call DeleteStateMachine '{"stateMachineArn":ARN + ":stateMachine:wait"}'
check 'ok(); assert R == {}, R'
call DescribeExecution '{"executionArn":ARN + ":execution:wait:w2"}'
check 'ok(); assert R["status"] == "ABORTED", R'
call DescribeStateMachine '{"stateMachineArn":ARN + ":stateMachine:wait"}'
check 'err("StateMachineDoesNotExist")'
call DeleteStateMachine '{"stateMachineArn":ARN + ":stateMachine:never"}'
check 'ok(); assert R == {}, R'
call DeleteStateMachine '{"stateMachineArn":"never"}'
check 'err("InvalidArn")'
call ListStateMachines '{}'
check 'ok(); assert [m["name"] for m in R["stateMachines"]] == ["a-first", "fast", "pass"], R'

# One log line per request, in logfmt.
grep -q 'msg=request .*method=POST path="/" action=ListStateMachines status=200' \
    "$T/log" || { echo "no request log line"; cat "$T/log"; exit 1; }
stop_server
echo "aws_api: $N checks passed"
