#!/bin/sh
# `baton serve` driven by the real AWS CLI v2 (Debian's awscli package,
# /usr/bin/aws — another `aws` may come first on PATH) with dummy
# credentials: create, start, describe, list, history, stop,
# update, delete, activities, task tokens, tags and AWS's errors, checked
# field by field. Skipped (exit 0 with a note) when /usr/bin/aws is missing.
# Usage: aws_cli.sh BATON SOURCE_DIR
set -eu

BATON=$1
SRC=$2
. "$SRC/tests/server/serve.inc"
AWS=/usr/bin/aws
if [ ! -x "$AWS" ]; then
    echo "aws_cli: skipped, $AWS not installed (apt-get install awscli)"
    exit 0
fi
serve_workdir
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

# The callback function: keeps its payload (with the task token).
printf '%s\n' "cat >$T/payload.tmp && mv $T/payload.tmp $T/payload && echo '{}'" \
    >"$T/keep.sh"
: >"$T/log"
"$BATON" serve --db "$T/db" --listen 127.0.0.1:0 --quiet --poll-timeout 2 \
    --function "keep=sh $T/keep.sh" 2>"$T/log" &
PID=$!
serve_port "$T/log"

export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
export AWS_DEFAULT_REGION=us-east-1 AWS_PAGER= AWS_CONFIG_FILE=/dev/null
export AWS_SHARED_CREDENTIALS_FILE=/dev/null
ARN=arn:aws:states:us-east-1:123456789012
ROLE=arn:aws:iam::123456789012:role/test
printf '%s' '{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}' \
    >"$T/pass.json"
printf '%s' '{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":30,"End":true}}}' \
    >"$T/wait.json"
printf '%s' '{"StartAt":"P","States":{"P":{"Type":"Pass","Next":"X"}}}' \
    >"$T/bad.json"

N=0
# sfn ARGS...: runs the CLI; stdout to $T/out, stderr to $T/err, exit in RC
sfn() {
    RC=0
    timeout 30 "$AWS" --endpoint-url "http://127.0.0.1:$PORT" --output json \
        --cli-read-timeout 20 --cli-connect-timeout 5 stepfunctions "$@" \
        >"$T/out" 2>"$T/err" || RC=$?
    LAST=$1
}
# check PYTHON: R = parsed stdout (or None), E = stderr text, RC = exit code
check() {
    N=$((N + 1))
    $PY - "$T/out" "$T/err" "$RC" "$1" "check $N after $LAST" <<'PY'
import json, sys
raw = open(sys.argv[1]).read()
R = json.loads(raw) if raw.strip() else None
E = open(sys.argv[2]).read()
RC = int(sys.argv[3])
ARN = "arn:aws:states:us-east-1:123456789012"
PASS = '{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}'
def ok():
    assert RC == 0, (RC, E)
def err(code, op):
    # what CLI v2 prints for a 400 with __type (exit 254)
    assert RC == 254, (RC, E)
    assert "An error occurred (%s) when calling the %s operation" % (code, op) in E, E
try:
    exec(sys.argv[4])
except (AssertionError, KeyError, TypeError) as e:
    print("FAILED:", sys.argv[5], "\n  check:", sys.argv[4], "\n  out:",
          raw[:500], "\n  err:", E[:500], "\n ", e, file=sys.stderr)
    sys.exit(1)
PY
}
get() { $PY -c "import json,sys; R=json.load(open(sys.argv[1])); print($1)" "$T/out"; }

sfn create-state-machine --name pass --definition "file://$T/pass.json" \
    --role-arn "$ROLE"
check 'ok(); assert R["stateMachineArn"] == ARN + ":stateMachine:pass" and R["creationDate"].endswith("+00:00"), R'
sfn create-state-machine --name wait --definition "file://$T/wait.json" \
    --role-arn "$ROLE"
check 'ok()'
sfn create-state-machine --name bad --definition "file://$T/bad.json" \
    --role-arn "$ROLE"
check 'err("InvalidDefinition", "CreateStateMachine"); assert "MISSING_TRANSITION_TARGET" in E'
# (awscli 2.9.19 predates validate-state-machine-definition: aws_api.sh
# covers it.)
sfn describe-state-machine --state-machine-arn "$ARN:stateMachine:pass"
check 'ok(); assert R["definition"] == PASS and R["status"] == "ACTIVE" and R["type"] == "STANDARD" and R["roleArn"].endswith(":role/test"), R'
sfn list-state-machines
check 'ok(); assert [m["name"] for m in R["stateMachines"]] == ["pass", "wait"], R'

sfn start-execution --state-machine-arn "$ARN:stateMachine:pass" --name e1 \
    --input '{"x":1}'
check 'ok(); assert R["executionArn"] == ARN + ":execution:pass:e1" and R["startDate"].endswith("+00:00"), R'
sleep 0.3
sfn describe-execution --execution-arn "$ARN:execution:pass:e1"
check 'ok(); assert R["status"] == "SUCCEEDED" and json.loads(R["output"]) == {"x": 1} and R["name"] == "e1", R'
sfn start-execution --state-machine-arn "$ARN:stateMachine:wait" --name w1
check 'ok()'
sfn list-executions --state-machine-arn "$ARN:stateMachine:wait" \
    --status-filter RUNNING
check 'ok(); assert [x["name"] for x in R["executions"]] == ["w1"], R'
sfn get-execution-history --execution-arn "$ARN:execution:pass:e1" \
    --max-items 100 --page-size 2
check 'ok(); assert [e["type"] for e in R["events"]] == ["ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"], R'
sfn get-execution-history --execution-arn "$ARN:execution:pass:e1" \
    --reverse-order --no-include-execution-data
check 'ok(); assert R["events"][0]["type"] == "ExecutionSucceeded" and "output" not in R["events"][0]["executionSucceededEventDetails"], R'
sfn stop-execution --execution-arn "$ARN:execution:wait:w1" --error E \
    --cause C
check 'ok(); assert "stopDate" in R'
sfn describe-execution --execution-arn "$ARN:execution:wait:w1"
check 'ok(); assert R["status"] == "ABORTED" and R["error"] == "E" and R["cause"] == "C", R'
sfn describe-execution --execution-arn "$ARN:execution:pass:nope"
check 'err("ExecutionDoesNotExist", "DescribeExecution")'
sfn start-execution --state-machine-arn "$ARN:stateMachine:pass" \
    --input 'not json'
check 'err("InvalidExecutionInput", "StartExecution")'

sfn update-state-machine --state-machine-arn "$ARN:stateMachine:pass" \
    --definition "file://$T/wait.json"
check 'ok(); assert R["updateDate"].endswith("+00:00"), R  # 2.9.19 drops revisionId'
sfn describe-state-machine-for-execution --execution-arn "$ARN:execution:pass:e1"
check 'ok(); assert R["definition"] == PASS, R'

sfn create-state-machine --name fast --type EXPRESS \
    --definition "file://$T/pass.json" --role-arn "$ROLE"
check 'ok()'
# start-sync-execution: the CLI sends it to host "sync-<endpoint host>"
# (AWS's host prefix, not configurable in the CLI), which does not resolve
# for 127.0.0.1; aws_api.sh covers StartSyncExecution.

# ---- activities (reference 7.5) ----------------------------------------------
sfn create-activity --name work
check 'ok(); assert R["activityArn"] == ARN + ":activity:work" and R["creationDate"].endswith("+00:00"), R'
sfn describe-activity --activity-arn "$ARN:activity:work"
check 'ok(); assert R["name"] == "work" and R["activityArn"] == ARN + ":activity:work", R'
sfn list-activities
check 'ok(); assert [a["name"] for a in R["activities"]] == ["work"], R'
sfn get-activity-task --activity-arn "$ARN:activity:work"
check 'ok(); assert not R or "taskToken" not in R, R  # nothing within the poll time'
printf '%s' "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Task\",\"Resource\":\"$ARN:activity:work\",\"End\":true}}}" \
    >"$T/act.json"
sfn create-state-machine --name act --definition "file://$T/act.json" \
    --role-arn "$ROLE"
check 'ok()'
sfn start-execution --state-machine-arn "$ARN:stateMachine:act" --name a1 \
    --input '{"job":7}'
check 'ok()'
sfn get-activity-task --activity-arn "$ARN:activity:work" --worker-name cli
check 'ok(); assert json.loads(R["input"]) == {"job": 7} and len(R["taskToken"]) == 64, R'
TOKEN=$(get 'R["taskToken"]')
sfn send-task-heartbeat --task-token "$TOKEN"
check 'ok()'
sfn send-task-success --task-token "$TOKEN" --task-output '{"done":true}'
check 'ok()'
sleep 0.3
sfn describe-execution --execution-arn "$ARN:execution:act:a1"
check 'ok(); assert R["status"] == "SUCCEEDED" and json.loads(R["output"]) == {"done": True}, R'
sfn get-execution-history --execution-arn "$ARN:execution:act:a1"
check 'ok(); assert [e["type"] for e in R["events"]] == ["ExecutionStarted", "TaskStateEntered", "ActivityScheduled", "ActivityStarted", "ActivitySucceeded", "TaskStateExited", "ExecutionSucceeded"], R; assert R["events"][3]["activityStartedEventDetails"] == {"workerName": "cli"}'
sfn send-task-failure --task-token "$TOKEN" --error E
check 'err("TaskTimedOut", "SendTaskFailure")'
sfn send-task-success --task-token nonsense --task-output '{}'
check 'err("InvalidToken", "SendTaskSuccess")'
sfn describe-activity --activity-arn "$ARN:activity:nope"
check 'err("ActivityDoesNotExist", "DescribeActivity")'

# ---- task tokens: lambda:invoke.waitForTaskToken (reference 7.4) -------------
printf '%s' '{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken","Parameters":{"FunctionName":"keep","Payload":{"token.$":"$$.Task.Token"}},"Catch":[{"ErrorEquals":["Denied"],"Next":"Caught"}],"End":true},"Caught":{"Type":"Pass","End":true}}}' \
    >"$T/cb.json"
sfn create-state-machine --name cb --definition "file://$T/cb.json" \
    --role-arn "$ROLE"
check 'ok()'
sfn start-execution --state-machine-arn "$ARN:stateMachine:cb" --name c1
check 'ok()'
for _ in $(seq 1 100); do [ -f "$T/payload" ] && break; sleep 0.05; done
TOKEN=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$T/payload")
sleep 0.2
sfn send-task-failure --task-token "$TOKEN" --error Denied --cause no
check 'ok()'
sleep 0.3
sfn describe-execution --execution-arn "$ARN:execution:cb:c1"
check 'ok(); assert R["status"] == "SUCCEEDED" and json.loads(R["output"]) == {"Error": "Denied", "Cause": "no"}, R'
sfn get-execution-history --execution-arn "$ARN:execution:cb:c1"
check 'ok(); t = [e["type"] for e in R["events"]]; assert t[:6] == ["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskFailed"], t'

# ---- tags ---------------------------------------------------------------------
sfn tag-resource --resource-arn "$ARN:stateMachine:cb" \
    --tags key=team,value=data key=env,value=dev
check 'ok()'
sfn untag-resource --resource-arn "$ARN:stateMachine:cb" --tag-keys env
check 'ok()'
sfn list-tags-for-resource --resource-arn "$ARN:stateMachine:cb"
check 'ok(); assert R["tags"] == [{"key": "team", "value": "data"}], R'
sfn list-tags-for-resource --resource-arn "$ARN:stateMachine:none"
check 'err("ResourceNotFound", "ListTagsForResource")'
sfn delete-activity --activity-arn "$ARN:activity:work"
check 'ok()'

sfn delete-state-machine --state-machine-arn "$ARN:stateMachine:wait"
check 'ok()'
sfn describe-state-machine --state-machine-arn "$ARN:stateMachine:wait"
check 'err("StateMachineDoesNotExist", "DescribeStateMachine")'

kill -TERM "$PID"
wait "$PID"
PID=
echo "aws_cli: $N checks passed"
