"""Nested executions on `baton serve`: Task states with
arn:aws:states:::states:startExecution, .sync, .sync:2 and
.waitForTaskToken, driven over the AWS JSON 1.0 API; stopping a parent
stops its .sync child; a SIGKILL while a .sync parent waits.

Usage: aws_nested.py BATON WORKDIR
Expected values come from the reference (../shared/asl-reference.md): the
result shapes and failure cause of 7.6, the callback sequence of 7.4, the
event details of 11.2 (resourceType "states", resource "startExecution"
plus the suffix), the service error form of 6.6 and the names and
messages of 12.5. Where the reference leaves a choice open, docs/nested.md
records Baton's decision (dates in epoch milliseconds) and the checks
follow it.
"""
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from baton_client import (ARN, UUID, call, describe, executions,  # noqa: E402
                          history, machine, ok, start_exec, stop, types,
                          wait_for, wait_status)
import baton_client  # noqa: E402

BATON, WORK = sys.argv[1], sys.argv[2]
DB = os.path.join(WORK, "db")


def start():
    baton_client.start(BATON, WORK, "--quiet")


def ms(epoch_seconds):
    # DescribeExecution's dates are epoch seconds with milliseconds.
    return int(round(epoch_seconds * 1000))


def gapless(x):
    ids = [e["id"] for e in history(x)]
    assert ids == list(range(1, len(ids) + 1)), (x, ids)


def task(resource, params, **more):
    st = {"Type": "Task", "Resource": "arn:aws:states:::states:" + resource,
          "Parameters": params}
    st.update(more)
    if "Next" not in st:
        st["End"] = True
    return {"StartAt": "Call", "States": {"Call": st}}


def check_task_events(ev, resource, params, submitted):
    """Scheduled, Started (and Submitted) as 11.2 gives them."""
    assert ev[2]["type"] == "TaskScheduled", ev[2]
    sched = ev[2]["taskScheduledEventDetails"]
    assert sched["resourceType"] == "states" and \
        sched["resource"] == resource and sched["region"] == "us-east-1", sched
    assert json.loads(sched["parameters"]) == params, sched
    assert ev[3]["type"] == "TaskStarted" and ev[3]["taskStartedEventDetails"] \
        == {"resourceType": "states", "resource": resource}, ev[3]
    if submitted:
        assert ev[4]["type"] == "TaskSubmitted", ev[4]
        sub = ev[4]["taskSubmittedEventDetails"]
        assert sub["resourceType"] == "states" and \
            sub["resource"] == resource and \
            sub["outputDetails"] == {"truncated": False}, sub
        return json.loads(sub["output"])
    return None


def check_start_response(r, child_arn):
    """The request-response result of 7.6: {ExecutionArn, StartDate,
    SdkHttpMetadata, SdkResponseMetadata}."""
    assert set(r) == {"ExecutionArn", "StartDate", "SdkHttpMetadata",
                      "SdkResponseMetadata"}, r
    assert r["ExecutionArn"] == child_arn, (r, child_arn)
    assert r["StartDate"] == ms(describe(child_arn)["startDate"]), r
    meta = r["SdkHttpMetadata"]
    assert meta["HttpStatusCode"] == 200, meta
    rid = r["SdkResponseMetadata"]["RequestId"]
    assert re.fullmatch(UUID, rid), r
    assert meta["HttpHeaders"]["x-amzn-RequestId"] == rid, meta
    assert meta["AllHttpHeaders"]["x-amzn-RequestId"] == [rid], meta
    assert meta["HttpHeaders"]["Content-Type"] == \
        "application/x-amz-json-1.0", meta


def check_child_description(r, child_arn, parsed):
    """The .sync / .sync:2 result of 7.6, against DescribeExecution."""
    d = describe(child_arn)
    assert list(r) == ["ExecutionArn", "Input", "InputDetails", "Name",
                       "Output", "OutputDetails", "StartDate",
                       "StateMachineArn", "Status", "StopDate"], list(r)
    conv = json.loads if parsed else (lambda s: s)
    assert r["ExecutionArn"] == child_arn, r
    assert r["Input"] == conv(d["input"]), (r["Input"], d["input"])
    assert r["Output"] == conv(d["output"]), (r["Output"], d["output"])
    assert r["InputDetails"] == {"Included": True} == r["OutputDetails"], r
    assert r["Name"] == d["name"] and r["Status"] == "SUCCEEDED", r
    assert r["StateMachineArn"] == d["stateMachineArn"], r
    assert r["StartDate"] == ms(d["startDate"]), r
    assert r["StopDate"] == ms(d["stopDate"]), r


start()

# Child machines.
echo = machine("echo", {"StartAt": "P", "States": {"P": {
    "Type": "Pass", "Parameters": {"got.$": "$"}, "End": True}}})
failing = machine("failing", {"StartAt": "F", "States": {"F": {
    "Type": "Fail", "Error": "Child.Broken", "Cause": "it broke"}}})
slow = machine("slow", {"StartAt": "W", "States": {"W": {
    "Type": "Wait", "SecondsPath": "$.wait", "Next": "P"},
    "P": {"Type": "Pass", "Result": {"slept": True}, "End": True}}})
short_lived = machine("shortlived", {"TimeoutSeconds": 1, "StartAt": "W",
                                     "States": {"W": {"Type": "Wait",
                                                      "Seconds": 30,
                                                      "End": True}}})

# ---- request-response (7.6) --------------------------------------------------
m = machine("rr", task("startExecution", {
    "StateMachineArn": echo, "Name.$": "$.name", "Input.$": "$.in"}))
x = start_exec(m, {"name": "rr-child", "in": {"k": [1, "two"]}})
d = wait_status(x, "SUCCEEDED")
child = ARN + ":execution:echo:rr-child"
out = json.loads(d["output"])
check_start_response(out, child)
ev = history(x)
assert [e["type"] for e in ev] == [
    "ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted",
    "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"], ev
check_task_events(ev, "startExecution", {
    "StateMachineArn": echo, "Name": "rr-child", "Input": {"k": [1, "two"]}},
    False)
succ = ev[4]["taskSucceededEventDetails"]
assert succ["resourceType"] == "states" and \
    succ["resource"] == "startExecution" and \
    json.loads(succ["output"]) == out, succ
# The child runs on its own with the Input given.
cd = wait_status(child, "SUCCEEDED")
assert json.loads(cd["input"]) == {"k": [1, "two"]}, cd
assert json.loads(cd["output"]) == {"got": {"k": [1, "two"]}}, cd
assert cd["stateMachineArn"] == echo, cd
# Input as a string is the child's input text; null or absent is {} (7.6);
# the AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID convention is accepted.
m = machine("rrinputs", {"StartAt": "A", "States": {
    "A": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution",
          "Parameters": {"StateMachineArn": echo, "Input": "{\"s\":1}"},
          "ResultPath": "$.a", "Next": "B"},
    "B": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution",
          "Parameters": {"StateMachineArn": echo, "Input": None},
          "ResultPath": "$.b", "Next": "C"},
    "C": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution",
          "Parameters": {"StateMachineArn": echo, "Input": {
              "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$":
                  "$$.Execution.Id"}},
          "ResultPath": "$.c", "End": True}}})
x = start_exec(m, {})
out = json.loads(wait_status(x, "SUCCEEDED")["output"])
for k in "abc":
    assert re.fullmatch(re.escape(ARN + ":execution:echo:") + UUID,
                        out[k]["ExecutionArn"]), out[k]
assert json.loads(wait_status(out["a"]["ExecutionArn"], "SUCCEEDED")[
    "input"]) == {"s": 1}
assert json.loads(wait_status(out["b"]["ExecutionArn"], "SUCCEEDED")[
    "input"]) == {}
assert json.loads(wait_status(out["c"]["ExecutionArn"], "SUCCEEDED")[
    "input"]) == {"AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID": x}

# ---- .sync and .sync:2 success (7.6) ----------------------------------------
for suffix, parsed in ((".sync", False), (".sync:2", True)):
    res = "startExecution" + suffix
    m = machine("sync" + ("2" if parsed else ""), task(res, {
        "StateMachineArn": slow, "Input": {"wait": 2, "n.$": "$.n"}}))
    x = start_exec(m, {"n": 7})
    # The parent waits for its child.
    wait_for(lambda: "TaskSubmitted" in types(x), "TaskSubmitted")
    assert describe(x)["status"] == "RUNNING"
    d = wait_status(x, "SUCCEEDED")
    out = json.loads(d["output"])
    kids = executions(slow)
    child = out["ExecutionArn"]
    assert child in [k["executionArn"] for k in kids], (child, kids)
    check_child_description(out, child, parsed)
    if parsed:
        assert out["Input"] == {"wait": 2, "n": 7} and \
            out["Output"] == {"slept": True}, out
    else:
        assert json.loads(out["Input"]) == {"wait": 2, "n": 7} and \
            out["Output"] == '{"slept":true}', out
    ev = history(x)
    assert [e["type"] for e in ev] == [
        "ExecutionStarted", "TaskStateEntered", "TaskScheduled",
        "TaskStarted", "TaskSubmitted", "TaskSucceeded", "TaskStateExited",
        "ExecutionSucceeded"], ev
    sub = check_task_events(ev, res, {"StateMachineArn": slow,
                                      "Input": {"wait": 2, "n": 7}}, True)
    check_start_response(sub, child)
    succ = ev[5]["taskSucceededEventDetails"]
    assert succ["resource"] == res and json.loads(succ["output"]) == out
    # TaskSucceeded comes after the child's end.
    assert ev[5]["timestamp"] >= describe(child)["stopDate"], ev[5]
    gapless(x)
    gapless(child)

# ---- .sync failure: States.TaskFailed with the child as the cause (7.6) -----
m = machine("syncfail", task("startExecution.sync", {
    "StateMachineArn": failing, "Name": "fails-once"}))
x = start_exec(m, {})
d = wait_status(x, "FAILED")
child = ARN + ":execution:failing:fails-once"
cd = describe(child)
assert d["error"] == "States.TaskFailed", d
cause = json.loads(d["cause"])
assert list(cause) == ["Error", "Cause", "ExecutionArn", "Input", "Name",
                       "StartDate", "StateMachineArn", "Status",
                       "StopDate"], cause
assert cause == {"Error": "Child.Broken", "Cause": "it broke",
                 "ExecutionArn": child, "Input": "{}", "Name": "fails-once",
                 "StartDate": ms(cd["startDate"]),
                 "StateMachineArn": failing, "Status": "FAILED",
                 "StopDate": ms(cd["stopDate"])}, cause
ev = history(x)
assert [e["type"] for e in ev] == [
    "ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted",
    "TaskSubmitted", "TaskFailed", "ExecutionFailed"], ev
assert ev[5]["taskFailedEventDetails"] == {
    "resourceType": "states", "resource": "startExecution.sync",
    "error": "States.TaskFailed", "cause": d["cause"]}, ev[5]
# The same Name again, once the first child has ended, is refused by
# StartExecution (12.5 ExecutionAlreadyExists) and the task fails with the
# service error form of 6.6; a States.TaskFailed catcher takes it.
m = machine("syncagain", {"StartAt": "Call", "States": {
    "Call": {"Type": "Task",
             "Resource": "arn:aws:states:::states:startExecution.sync",
             "Parameters": {"StateMachineArn": failing, "Name": "fails-once"},
             "Catch": [{"ErrorEquals": ["States.TaskFailed"],
                        "Next": "Caught"}], "End": True},
    "Caught": {"Type": "Pass", "End": True}}})
out = json.loads(wait_status(start_exec(m, {}), "SUCCEEDED")["output"])
assert out["Error"] == "StepFunctions.ExecutionAlreadyExistsException", out
assert re.fullmatch(re.escape(
    "Execution Already Exists: '%s' (Service: AWSStepFunctions; Status "
    "Code: 400; Error Code: ExecutionAlreadyExists; Request ID: " % child) +
    UUID + re.escape("; Proxy: null)"), out["Cause"]), out
# A child that times out or is stopped fails the task the same way; a
# TIMED_OUT child has no error or cause (6.7).
m = machine("synctimeout", task("startExecution.sync:2", {
    "StateMachineArn": short_lived}))
d = wait_status(start_exec(m, {}), "FAILED")
cause = json.loads(d["cause"])
assert d["error"] == "States.TaskFailed" and cause["Status"] == "TIMED_OUT" \
    and "Error" not in cause and "Cause" not in cause and \
    cause["Input"] == {}, cause
m = machine("syncstopped", task("startExecution.sync", {
    "StateMachineArn": slow, "Input": {"wait": 30}, "Name": "to-stop"}))
x = start_exec(m, {})
child = ARN + ":execution:slow:to-stop"
wait_for(lambda: "TaskSubmitted" in types(x), "TaskSubmitted")
ok("StopExecution", {"executionArn": child, "error": "Why", "cause": "test"})
d = wait_status(x, "FAILED")
cause = json.loads(d["cause"])
assert d["error"] == "States.TaskFailed" and cause["Status"] == "ABORTED" \
    and cause["Error"] == "Why" and cause["Cause"] == "test", cause

# ---- an unknown child machine (6.6, 12.5) ------------------------------------
m = machine("nomachine", task("startExecution.sync", {
    "StateMachineArn": ARN + ":stateMachine:absent"}))
d = wait_status(start_exec(m, {}), "FAILED")
assert d["error"] == "StepFunctions.StateMachineDoesNotExistException", d
assert re.fullmatch(re.escape(
    "State Machine Does Not Exist: '%s:stateMachine:absent' (Service: "
    "AWSStepFunctions; Status Code: 400; Error Code: "
    "StateMachineDoesNotExist; Request ID: " % ARN) + UUID +
    re.escape("; Proxy: null)"), d["cause"]), d
assert types(d["executionArn"])[-3:] == ["TaskStarted", "TaskFailed",
                                         "ExecutionFailed"]
m = machine("badarn", task("startExecution", {"StateMachineArn": "nope"}))
d = wait_status(start_exec(m, {}), "FAILED")
assert d["error"] == "StepFunctions.InvalidArnException" and \
    d["cause"].startswith("Invalid Arn: 'Invalid ARN prefix: nope' "), d

# ---- .waitForTaskToken (7.4) ---------------------------------------------------
m = machine("cb", task("startExecution.waitForTaskToken", {
    "StateMachineArn": echo, "Name": "cb-child",
    "Input": {"token.$": "$$.Task.Token", "v.$": "$.v"}},
    HeartbeatSeconds=30))
x = start_exec(m, {"v": 3})
child = ARN + ":execution:echo:cb-child"
# The child ends at once; the parent still waits for the token.
cd = wait_status(child, "SUCCEEDED")
token = json.loads(cd["input"])["token"]
assert re.fullmatch(r"[0-9a-f]{64}", token), cd
assert json.loads(cd["input"])["v"] == 3
time.sleep(0.3)
assert describe(x)["status"] == "RUNNING"
ok("SendTaskSuccess", {"taskToken": token, "output": '{"answer":42}'})
d = wait_status(x, "SUCCEEDED")
assert json.loads(d["output"]) == {"answer": 42}, d
ev = history(x)
assert [e["type"] for e in ev] == [
    "ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted",
    "TaskSubmitted", "TaskSucceeded", "TaskStateExited",
    "ExecutionSucceeded"], ev
res = "startExecution.waitForTaskToken"
sub = check_task_events(ev, res, {"StateMachineArn": echo, "Name": "cb-child",
                                  "Input": {"token": token, "v": 3}}, True)
assert ev[2]["taskScheduledEventDetails"]["heartbeatInSeconds"] == 30
check_start_response(sub, child)
assert ev[5]["taskSucceededEventDetails"] == {
    "resourceType": "states", "resource": res, "output": '{"answer":42}',
    "outputDetails": {"truncated": False}}, ev[5]
st, r = call("SendTaskSuccess", {"taskToken": token, "output": "{}"})
assert st == 400 and r["__type"] == "TaskTimedOut", r
# SendTaskFailure names the error.
m = machine("cbfail", task(res, {"StateMachineArn": echo, "Name": "cb-2",
                                 "Input": {"token.$": "$$.Task.Token"}}))
x = start_exec(m, {})
kid = ARN + ":execution:echo:cb-2"
tok2 = json.loads(wait_status(kid, "SUCCEEDED")["input"])["token"]
assert tok2 != token
ok("SendTaskFailure", {"taskToken": tok2, "error": "Nope", "cause": "no"})
d = wait_status(x, "FAILED")
assert d["error"] == "Nope" and d["cause"] == "no", d
assert history(x)[5]["taskFailedEventDetails"] == {
    "resourceType": "states", "resource": res, "error": "Nope",
    "cause": "no"}

# ---- stopping and timing out a .sync parent stops its child (7.6) -----------
m = machine("stopparent", task("startExecution.sync", {
    "StateMachineArn": slow, "Input": {"wait": 60}, "Name": "orphan"}))
x = start_exec(m, {})
child = ARN + ":execution:slow:orphan"
wait_for(lambda: "TaskSubmitted" in types(x), "TaskSubmitted")
assert describe(child)["status"] == "RUNNING"
ok("StopExecution", {"executionArn": x})
wait_status(x, "ABORTED")
wait_status(child, "ABORTED", limit=5)
assert types(child)[-1] == "ExecutionAborted", types(child)
m = machine("taskto", task("startExecution.sync:2", {
    "StateMachineArn": slow, "Input": {"wait": 60}, "Name": "cut-off"},
    TimeoutSeconds=1))
x = start_exec(m, {})
d = wait_status(x, "FAILED")
assert d["error"] == "States.Timeout", d
ev = history(x)
assert ev[2]["taskScheduledEventDetails"]["timeoutInSeconds"] == 1
assert ev[-2]["type"] == "TaskTimedOut" and \
    ev[-2]["taskTimedOutEventDetails"] == {
        "resourceType": "states", "resource": "startExecution.sync:2",
        "error": "States.Timeout"}, ev[-2]
wait_status(ARN + ":execution:slow:cut-off", "ABORTED", limit=5)
# Nothing can send heartbeats for a .sync task: HeartbeatSeconds bounds the
# wait like a shorter timeout (States.HeartbeatTimeout, 6.2), as it does
# for function tasks (docs/asl-support.md).
m = machine("taskhb", task("startExecution.sync", {
    "StateMachineArn": slow, "Input": {"wait": 60}, "Name": "no-beat"},
    HeartbeatSeconds=1))
d = wait_status(start_exec(m, {}), "FAILED")
assert d["error"] == "States.HeartbeatTimeout", d
assert types(d["executionArn"])[-2] == "TaskTimedOut"
wait_status(ARN + ":execution:slow:no-beat", "ABORTED", limit=5)

# ---- JSONata: Arguments, $states.result, the token in $states.context -------
m = machine("jsonata", {"QueryLanguage": "JSONata", "StartAt": "Call",
                        "States": {"Call": {
    "Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
    "Arguments": {"StateMachineArn": echo, "Input": {"v": "{% $states.input.v * 2 %}"}},
    "Output": "{% $states.result.Output %}", "End": True}}})
d = wait_status(start_exec(m, {"v": 21}), "SUCCEEDED")
assert json.loads(d["output"]) == {"got": {"v": 42}}, d
m = machine("jsonatacb", {"QueryLanguage": "JSONata", "StartAt": "Call",
                          "States": {"Call": {
    "Type": "Task",
    "Resource": "arn:aws:states:::states:startExecution.waitForTaskToken",
    "Arguments": {"StateMachineArn": echo, "Name": "jsonata-cb",
                  "Input": {"t": "{% $states.context.Task.Token %}"}},
    "End": True}}})
x = start_exec(m, {})
tok = json.loads(wait_status(ARN + ":execution:echo:jsonata-cb",
                             "SUCCEEDED")["input"])["t"]
ok("SendTaskSuccess", {"taskToken": tok, "output": '"done"'})
assert wait_status(x, "SUCCEEDED")["output"] == '"done"'

# ---- SIGKILL while .sync parents wait ------------------------------------------
# One child is still waiting when the server comes back; the other is
# stopped while the server is down, and the parent notices at restart.
m = machine("crash", task("startExecution.sync:2", {
    "StateMachineArn": slow, "Input": {"wait": 3, "tag.$": "$.tag"}}))
x1 = start_exec(m, {"tag": "crash-1"})
m2 = machine("crash2", task("startExecution.sync", {
    "StateMachineArn": slow, "Input": {"wait": 600}, "Name": "down"}))
x2 = start_exec(m2, {})
m3 = machine("crash3", task("startExecution.waitForTaskToken", {
    "StateMachineArn": echo, "Name": "crash-cb",
    "Input": {"token.$": "$$.Task.Token"}}))
x3 = start_exec(m3, {})
tok3 = json.loads(wait_status(ARN + ":execution:echo:crash-cb",
                              "SUCCEEDED")["input"])["token"]
wait_for(lambda: "TaskSubmitted" in types(x1) and
         "TaskSubmitted" in types(x2) and "TaskSubmitted" in types(x3),
         "three parents waiting")
stop(crash=True)
r = subprocess.run([BATON, "stop", ARN + ":execution:slow:down", "--db", DB],
                   capture_output=True, text=True, timeout=30)
assert r.returncode == 0, r
start()
d = wait_status(x1, "SUCCEEDED")
out = json.loads(d["output"])
mine = [k["executionArn"] for k in executions(slow)
        if json.loads(describe(k["executionArn"])["input"]).get("tag") ==
        "crash-1"]
assert mine == [out["ExecutionArn"]], (mine, out)
check_child_description(out, mine[0], True)
assert out["Output"] == {"slept": True}, out
for xa in (x1, mine[0]):
    gapless(xa)
assert types(x1).count("TaskScheduled") == 1, types(x1)
d = wait_status(x2, "FAILED")
cause = json.loads(d["cause"])
assert d["error"] == "States.TaskFailed" and cause["Status"] == "ABORTED" \
    and cause["ExecutionArn"] == ARN + ":execution:slow:down", d
gapless(x2)
ok("SendTaskSuccess", {"taskToken": tok3, "output": '{"after":"crash"}'})
assert json.loads(wait_status(x3, "SUCCEEDED")["output"]) == {"after": "crash"}
ev = history(x3)
assert ev[5]["taskSucceededEventDetails"]["resourceType"] == "states" and \
    ev[5]["taskSucceededEventDetails"]["resource"] == \
    "startExecution.waitForTaskToken", ev[5]
assert [k["name"] for k in executions(echo)].count("crash-cb") == 1
gapless(x3)

stop()
print("aws_nested: all checks passed")
