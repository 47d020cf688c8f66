"""Activities, task tokens and tags on `baton serve` (reference 7.4, 7.5,
12.5, 12.6), driven over HTTP with the AWS JSON 1.0 protocol, including a
restart while a token and an activity task are outstanding.

Usage: aws_tasks.py BATON WORKDIR
Expected values come from the reference: event sequences of 7.4/7.5, the
error codes and messages of 12.5, the shapes of 12.6.
"""
import json
import os
import re
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from baton_client import (ARN, ROLE, endpoint, err, history,  # noqa: E402
                          machine, ok, start_exec, stop, types, wait_for,
                          wait_status)
import baton_client  # noqa: E402

BATON, WORK = sys.argv[1], sys.argv[2]


def start():
    baton_client.start(BATON, WORK, "--quiet", "--poll-timeout", "2",
                       "--function",
                       "keep=sh " + os.path.join(WORK, "keep-token.sh"))


# The callback function: keeps its payload (with the token) in a file.
TOKENS = os.path.join(WORK, "tokens")
os.makedirs(TOKENS)
with open(os.path.join(WORK, "keep-token.sh"), "w") as f:
    f.write('p=$(cat); n=$(date +%%s%%N); printf "%%s" "$p" > %s/$n.tmp; '
            'mv %s/$n.tmp %s/$n.json; echo \'{"accepted":true}\'\n'
            % (TOKENS, TOKENS, TOKENS))


def take_token():
    def one():
        for n in sorted(os.listdir(TOKENS)):
            if n.endswith(".json"):
                p = os.path.join(TOKENS, n)
                body = json.load(open(p))
                os.unlink(p)
                return body
        return None
    return wait_for(one, "the callback function's payload")


start()

# ---- activities: create, describe, list, errors (12.6) ----------------------
r = ok("CreateActivity", {"name": "work"})
assert r["activityArn"] == ARN + ":activity:work" and set(r) == {
    "activityArn", "creationDate"}, r
created = r["creationDate"]
r2 = ok("CreateActivity", {"name": "work", "tags": [{"key": "k", "value": "v"}]})
assert r2 == r, (r2, r)  # idempotent on name, same date
d = ok("DescribeActivity", {"activityArn": ARN + ":activity:work"})
assert d == {"activityArn": ARN + ":activity:work", "name": "work",
             "creationDate": created,
             "encryptionConfiguration": {"type": "AWS_OWNED_KEY"}}, d
ok("CreateActivity", {"name": "other"})
ls = ok("ListActivities", {"maxResults": 1})
assert [a["name"] for a in ls["activities"]] == ["other"] and "nextToken" in ls
ls = ok("ListActivities", {"nextToken": ls["nextToken"]})
assert [a["name"] for a in ls["activities"]] == ["work"], ls
err("CreateActivity", {"name": "bad name"}, "InvalidName",
    "Invalid Name: 'bad name'")
err("CreateActivity", {}, "ValidationException")
err("DescribeActivity", {"activityArn": ARN + ":activity:nope"},
    "ActivityDoesNotExist", "Activity Does Not Exist: '%s:activity:nope'" % ARN)
err("DescribeActivity", {"activityArn": "nope"}, "InvalidArn",
    "Invalid Arn: 'Invalid ARN prefix: nope'")
err("GetActivityTask", {"activityArn": ARN + ":activity:nope"},
    "ActivityDoesNotExist")
err("DescribeActivity", {"activityArn": ARN + ":stateMachine:x"}, "InvalidArn",
    "Invalid Arn: 'Resource type not valid in this context: stateMachine'")
# Deleting an unknown activity succeeds (12.5 note).
ok("DeleteActivity", {"activityArn": ARN + ":activity:never"})
ok("DeleteActivity", {"activityArn": ARN + ":activity:other"})
err("DescribeActivity", {"activityArn": ARN + ":activity:other"},
    "ActivityDoesNotExist")

# An empty long poll answers {} once its time is over (7.5).
t0 = time.time()
r = ok("GetActivityTask", {"activityArn": ARN + ":activity:work"})
assert r == {} and 1.5 < time.time() - t0 < 10, (r, time.time() - t0)

# ---- an activity task end to end (7.5) -------------------------------------
act = ARN + ":activity:work"
m_act = machine("act", {"StartAt": "A", "States": {
    "A": {"Type": "Task", "Resource": act, "HeartbeatSeconds": 30,
          "TimeoutSeconds": 60, "End": True}}})
# A worker already waiting gets the task as soon as it is scheduled.
got = {}
th = threading.Thread(target=lambda: got.update(
    ok("GetActivityTask", {"activityArn": act, "workerName": "w1"})))
th.start()
time.sleep(0.3)
x = start_exec(m_act, {"n": 1})
th.join()
assert set(got) == {"taskToken", "input"} and json.loads(got["input"]) == {
    "n": 1}, got
ok("SendTaskHeartbeat", {"taskToken": got["taskToken"]})
ok("SendTaskSuccess", {"taskToken": got["taskToken"], "output": '{"done":1}'})
d = wait_status(x, "SUCCEEDED")
assert json.loads(d["output"]) == {"done": 1}, d
ev = history(x)
assert [e["type"] for e in ev] == [
    "ExecutionStarted", "TaskStateEntered", "ActivityScheduled",
    "ActivityStarted", "ActivitySucceeded", "TaskStateExited",
    "ExecutionSucceeded"], [e["type"] for e in ev]
sched = ev[2]["activityScheduledEventDetails"]
assert sched == {"resource": act, "input": '{"n":1}',
                 "inputDetails": {"truncated": False},
                 "timeoutInSeconds": 60, "heartbeatInSeconds": 30}, sched
assert ev[3]["activityStartedEventDetails"] == {"workerName": "w1"}, ev[3]
assert json.loads(ev[4]["activitySucceededEventDetails"]["output"]) == {
    "done": 1}, ev[4]
# The token is closed now (7.4: TaskTimedOut), a garbled one is invalid.
err("SendTaskSuccess", {"taskToken": got["taskToken"], "output": "{}"},
    "TaskTimedOut")
err("SendTaskHeartbeat", {"taskToken": got["taskToken"]}, "TaskTimedOut")
err("SendTaskSuccess", {"taskToken": "garbage", "output": "{}"},
    "InvalidToken", "Invalid Token: 'Invalid token'")
err("SendTaskSuccess", {"output": "{}"}, "ValidationException")

# A task queued before any worker polls waits for one (FIFO); a failure
# from the worker is caught by name.
m_catch = machine("actcatch", {"StartAt": "A", "States": {
    "A": {"Type": "Task", "Resource": act, "End": True,
          "Catch": [{"ErrorEquals": ["Boom"], "ResultPath": "$.err",
                     "Next": "C"}]},
    "C": {"Type": "Pass", "End": True}}})
x1 = start_exec(m_catch, {"i": 1})
x2 = start_exec(m_catch, {"i": 2})
wait_for(lambda: "ActivityScheduled" in types(x2), "x2 scheduled")
t1 = ok("GetActivityTask", {"activityArn": act})
t2 = ok("GetActivityTask", {"activityArn": act, "workerName": "w2"})
assert json.loads(t1["input"]) == {"i": 1} and json.loads(t2["input"]) == {
    "i": 2}, (t1, t2)
err("SendTaskSuccess", {"taskToken": t1["taskToken"], "output": "{nope"},
    "InvalidOutput")
ok("SendTaskFailure", {"taskToken": t1["taskToken"], "error": "Boom",
                       "cause": "it broke"})
d = wait_status(x1, "SUCCEEDED")
assert json.loads(d["output"]) == {"i": 1, "err": {
    "Error": "Boom", "Cause": "it broke"}}, d
ev = history(x1)
assert ev[3]["activityStartedEventDetails"] == {}, ev[3]
assert ev[4]["type"] == "ActivityFailed" and \
    ev[4]["activityFailedEventDetails"] == {"error": "Boom",
                                            "cause": "it broke"}, ev[4]
# Without error and cause: {"Error": null, "Cause": null}, not caught by
# the "Boom" catcher (6.1).
ok("SendTaskFailure", {"taskToken": t2["taskToken"]})
d = wait_status(x2, "FAILED")
assert "error" not in d and "cause" not in d, d
assert history(x2)[4]["activityFailedEventDetails"] == {}

# TimeoutSeconds runs from scheduling even when nobody polls (7.5).
m_to = machine("actto", {"StartAt": "A", "States": {
    "A": {"Type": "Task", "Resource": act, "TimeoutSeconds": 1, "End": True}}})
x = start_exec(m_to, {})
d = wait_status(x, "FAILED")
assert d["error"] == "States.Timeout", d
ev = history(x)
assert [e["type"] for e in ev][-3:] == [
    "ActivityScheduled", "ActivityTimedOut", "ExecutionFailed"], ev
assert ev[-2]["activityTimedOutEventDetails"] == {"error": "States.Timeout"}
# A worker's heartbeat keeps a task alive; missing heartbeats time it out.
m_hb = machine("acthb", {"StartAt": "A", "States": {
    "A": {"Type": "Task", "Resource": act, "HeartbeatSeconds": 1,
          "End": True}}})
x = start_exec(m_hb, {})
t = ok("GetActivityTask", {"activityArn": act})
for _ in range(3):
    time.sleep(0.5)
    ok("SendTaskHeartbeat", {"taskToken": t["taskToken"]})
assert ok("DescribeExecution", {"executionArn": x})["status"] == "RUNNING"
d = wait_status(x, "FAILED")
assert d["error"] == "States.HeartbeatTimeout", d
assert types(x)[-2] == "ActivityTimedOut"
# A deleted activity fails the state with States.Runtime (7.5).
ok("CreateActivity", {"name": "gone"})
m_gone = machine("actgone", {"StartAt": "A", "States": {
    "A": {"Type": "Task", "Resource": ARN + ":activity:gone", "End": True}}})
ok("DeleteActivity", {"activityArn": ARN + ":activity:gone"})
d = wait_status(start_exec(m_gone, {}), "FAILED")
assert d["error"] == "States.Runtime" and d["cause"].endswith(
    "The activity %s:activity:gone does not exist." % ARN), d

# ---- the callback pattern: lambda:invoke.waitForTaskToken (7.4) -------------
CB = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
      "Parameters": {"FunctionName": "keep",
                     "Payload": {"token.$": "$$.Task.Token", "in.$": "$"}}}
m_cb = machine("cb", {"StartAt": "T", "States": {
    "T": dict(CB, HeartbeatSeconds=5, End=True)}})
x = start_exec(m_cb, {"a": 1})
p = take_token()
assert p["in"] == {"a": 1} and re.match(r"^[0-9a-f]{64}$", p["token"]), p
wait_for(lambda: "TaskSubmitted" in types(x), "TaskSubmitted")
ok("SendTaskSuccess", {"taskToken": p["token"], "output": '{"r":[1,2]}'})
d = wait_status(x, "SUCCEEDED")
assert json.loads(d["output"]) == {"r": [1, 2]}, d
ev = history(x)
assert [e["type"] for e in ev] == [
    "ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted",
    "TaskSubmitted", "TaskSucceeded", "TaskStateExited",
    "ExecutionSucceeded"], [e["type"] for e in ev]
s = ev[2]["taskScheduledEventDetails"]
assert s["resourceType"] == "lambda" and \
    s["resource"] == "invoke.waitForTaskToken" and \
    s["heartbeatInSeconds"] == 5, s
sub = ev[4]["taskSubmittedEventDetails"]
assert sub["resource"] == "invoke.waitForTaskToken" and \
    json.loads(sub["output"])["Payload"] == {"accepted": True}, sub
assert ev[5]["taskSucceededEventDetails"]["output"] == '{"r":[1,2]}', ev[5]

# A failure sent for the token goes through Retry with a fresh token per
# attempt (7.4), then fails the execution.
m_cbr = machine("cbretry", {"StartAt": "T", "States": {
    "T": dict(CB, End=True, Retry=[{"ErrorEquals": ["Nope"],
                                     "IntervalSeconds": 1, "MaxAttempts": 1}])}})
x = start_exec(m_cbr, {})
p1 = take_token()
wait_for(lambda: "TaskSubmitted" in types(x), "TaskSubmitted")
ok("SendTaskFailure", {"taskToken": p1["token"], "error": "Nope", "cause": "c"})
p2 = take_token()
assert p2["token"] != p1["token"]
err("SendTaskSuccess", {"taskToken": p1["token"], "output": "{}"},
    "TaskTimedOut")
wait_for(lambda: types(x).count("TaskSubmitted") == 2, "second TaskSubmitted")
ok("SendTaskFailure", {"taskToken": p2["token"], "error": "Nope", "cause": "c"})
d = wait_status(x, "FAILED")
assert d["error"] == "Nope" and d["cause"] == "c", d
ev = history(x)
fails = [e["taskFailedEventDetails"] for e in ev if e["type"] == "TaskFailed"]
assert fails == [{"resourceType": "lambda", "resource": "invoke.waitForTaskToken",
                  "error": "Nope", "cause": "c"}] * 2, fails

# `baton task` answers tokens from the command line through the server.
def cli(*args):
    r = subprocess.run([BATON, "task"] + list(args) +
                       ["--endpoint", endpoint()],
                       capture_output=True, text=True, timeout=30)
    return r.returncode, r.stderr


x = start_exec(m_cb, {})
p = take_token()
wait_for(lambda: "TaskSubmitted" in types(x), "TaskSubmitted")
assert cli("heartbeat", p["token"]) == (0, "")
assert cli("success", p["token"], "--output", '{"via":"cli"}') == (0, "")
assert json.loads(wait_status(x, "SUCCEEDED")["output"]) == {"via": "cli"}
rc, e = cli("success", p["token"])
assert rc == 1 and "TaskTimedOut" in e, (rc, e)
rc, e = cli("success", p["token"], "--output", "{nope")
assert rc == 2 and "--output is not JSON" in e, (rc, e)
x = start_exec(m_cb, {})
p = take_token()
wait_for(lambda: "TaskSubmitted" in types(x), "TaskSubmitted")
assert cli("failure", p["token"], "--error", "Cli.Err", "--cause", "why") == (0, "")
d = wait_status(x, "FAILED")
assert d["error"] == "Cli.Err" and d["cause"] == "why", d
rc, e = cli("heartbeat", "not-a-token")
assert rc == 1 and "InvalidToken" in e, (rc, e)

# Stopping the execution closes its token.
x = start_exec(m_cb, {})
p = take_token()
ok("StopExecution", {"executionArn": x})
err("SendTaskSuccess", {"taskToken": p["token"], "output": "{}"},
    "TaskTimedOut")

# ---- a crash with a token and activity tasks outstanding -----------------
x_cb = start_exec(m_cb, {"r": 1})
p = take_token()
wait_for(lambda: "TaskSubmitted" in types(x_cb), "TaskSubmitted")
x_act = start_exec(m_act, {"r": 2})
wait_for(lambda: "ActivityScheduled" in types(x_act), "ActivityScheduled")
x_act2 = start_exec(m_act, {"r": 3})
wait_for(lambda: "ActivityScheduled" in types(x_act2), "ActivityScheduled")
t_started = ok("GetActivityTask", {"activityArn": act, "workerName": "w"})
assert json.loads(t_started["input"]) == {"r": 2}, t_started
stop(crash=True)  # killed: only what was committed survives
start()
ok("SendTaskSuccess", {"taskToken": p["token"], "output": '"cb"'})
assert wait_status(x_cb, "SUCCEEDED")["output"] == '"cb"'
ok("SendTaskSuccess", {"taskToken": t_started["taskToken"], "output": '"a2"'})
assert wait_status(x_act, "SUCCEEDED")["output"] == '"a2"'
# The task nobody had taken is handed out after the restart.
t3 = ok("GetActivityTask", {"activityArn": act})
assert json.loads(t3["input"]) == {"r": 3}, t3
ok("SendTaskSuccess", {"taskToken": t3["taskToken"], "output": '"a3"'})
assert wait_status(x_act2, "SUCCEEDED")["output"] == '"a3"'
for xa in (x_cb, x_act, x_act2):
    ids = [e["id"] for e in history(xa)]
    assert ids == list(range(1, len(ids) + 1)), ids  # nothing twice

# ---- tags (12.6) -------------------------------------------------------------
ok("TagResource", {"resourceArn": m_cb, "tags": [
    {"key": "team", "value": "a"}, {"key": "env", "value": "dev"}]})
ok("TagResource", {"resourceArn": m_cb, "tags": [{"key": "team", "value": "b"}]})
assert ok("ListTagsForResource", {"resourceArn": m_cb}) == {"tags": [
    {"key": "env", "value": "dev"}, {"key": "team", "value": "b"}]}
ok("UntagResource", {"resourceArn": m_cb, "tagKeys": ["env", "absent"]})
assert ok("ListTagsForResource", {"resourceArn": m_cb}) == {"tags": [
    {"key": "team", "value": "b"}]}
# Tags given to a repeated CreateActivity are ignored (12.6).
assert ok("ListTagsForResource", {"resourceArn": act}) == {"tags": []}
tm = ok("CreateStateMachine", {"name": "tagged", "roleArn": ROLE,
                               "definition": json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}),
                               "tags": [{"key": "a", "value": "1"}]})["stateMachineArn"]
assert ok("ListTagsForResource", {"resourceArn": tm}) == {"tags": [
    {"key": "a", "value": "1"}]}
err("ListTagsForResource", {"resourceArn": ARN + ":stateMachine:none"},
    "ResourceNotFound", "Resource not found: '%s:stateMachine:none'" % ARN)
err("TagResource", {"resourceArn": m_cb, "tags": [{"key": "", "value": "x"}]},
    "ValidationException")
err("TagResource", {"resourceArn": m_cb, "tags": [
    {"key": "k%d" % i, "value": "v"} for i in range(50)]}, "TooManyTags")
err("TagResource", {"resourceArn": "x", "tags": []}, "InvalidArn")
ok("DeleteStateMachine", {"stateMachineArn": tm})
err("ListTagsForResource", {"resourceArn": tm}, "ResourceNotFound")

stop()
print("aws_tasks: all checks passed")
