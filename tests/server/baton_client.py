"""Shared by the Python server tests (a module, not a test of its own): one
`baton serve` on a free loopback port, and the AWS JSON 1.0 calls and
waits the tests make against it.

    import baton_client as bc
    bc.start(BATON, WORK, "--quiet")      # database WORK/db, log WORK/log
    m = bc.machine("name", definition)
    x = bc.start_exec(m, {"in": 1})
    bc.wait_status(x, "SUCCEEDED")
    bc.stop()                             # SIGTERM; must exit 0

A server still running when the test ends (a failed check) is killed.
"""
import atexit
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

ACCT = "123456789012"
ARN = "arn:aws:states:us-east-1:" + ACCT
ROLE = "arn:aws:iam::%s:role/test" % ACCT
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

_server = None
_port = None


@atexit.register
def _kill_left_server():
    if _server is not None and _server.poll() is None:
        _server.kill()
        _server.wait()


def start(baton, work, *args):
    """Starts `baton serve` on work/db with args; its stderr goes to
    work/log (appended: a restart's lines follow the first run's). Returns
    where this run's lines start in the log."""
    global _server, _port
    logpath = os.path.join(work, "log")
    seen = len(open(logpath).read()) if os.path.exists(logpath) else 0
    log = open(logpath, "a")
    _server = subprocess.Popen(
        [baton, "serve", "--db", os.path.join(work, "db"),
         "--listen", "127.0.0.1:0"] + list(args),
        stderr=log, stdout=subprocess.DEVNULL)
    for _ in range(200):
        m = re.search(r'msg="serving".* port=(\d+)',
                      open(logpath).read()[seen:])
        if m:
            _port = int(m.group(1))
            return seen
        time.sleep(0.05)
    sys.exit("server did not start")


def stop(crash=False):
    """SIGTERM (must exit 0) or, with crash, SIGKILL."""
    _server.send_signal(signal.SIGKILL if crash else signal.SIGTERM)
    rc = _server.wait(timeout=10)
    assert rc == (-signal.SIGKILL if crash else 0), rc


def endpoint():
    return "http://127.0.0.1:%d" % _port


def call(action, body, timeout=15):
    req = urllib.request.Request(
        endpoint() + "/", data=json.dumps(body).encode(),
        headers={"Content-Type": "application/x-amz-json-1.0",
                 "X-Amz-Target": "AWSStepFunctions." + action})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def ok(action, body, timeout=15):
    st, r = call(action, body, timeout)
    assert st == 200, (action, st, r)
    return r


def err(action, body, code, msg=None):
    st, r = call(action, body)
    assert st == 400 and r["__type"] == code, (action, st, r, code)
    if msg is not None:
        assert r.get("message") == msg, (r.get("message"), msg)
    return r


def history(x):
    return ok("GetExecutionHistory", {"executionArn": x})["events"]


def types(x):
    return [e["type"] for e in history(x)]


def describe(x):
    return ok("DescribeExecution", {"executionArn": x})


def wait_status(x, want, limit=20):
    """Waits for x to end with status want. An execution may not exist yet
    (a nested child is created in a step after its parent's start)."""
    end = time.time() + limit
    while time.time() < end:
        st, d = call("DescribeExecution", {"executionArn": x})
        if st == 400 and d["__type"] == "ExecutionDoesNotExist":
            time.sleep(0.05)
            continue
        assert st == 200, (st, d)
        if d["status"] != "RUNNING":
            assert d["status"] == want, (d, types(x))
            return d
        time.sleep(0.05)
    raise AssertionError("%s still RUNNING or absent" % x)


def wait_for(pred, what, limit=15):
    end = time.time() + limit
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


def machine(name, definition):
    return ok("CreateStateMachine", {"name": name, "roleArn": ROLE,
                                     "definition": json.dumps(definition)}
              )["stateMachineArn"]


def start_exec(m, inp, name=None):
    body = {"stateMachineArn": m, "input": json.dumps(inp)}
    if name:
        body["name"] = name
    return ok("StartExecution", body)["executionArn"]


def executions(m):
    return ok("ListExecutions", {"stateMachineArn": m})["executions"]
