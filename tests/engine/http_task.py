"""HTTP tasks (arn:aws:states:::http:invoke) end to end, run by http_task.sh.

A small HTTP server on loopback (a thread of this process) records every
request it receives; `baton run` executes machines against it. Expected
values come from the reference (asl-reference.md section 7.8 for the task,
11.2 for the events, 6 for errors) and from the request each machine
describes, never from baton's own output.

Usage: http_task.py BATON TMPDIR
"""
import http.server
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

BATON, TMP = sys.argv[1], sys.argv[2]
FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print("FAIL:", what)


# ---- the server ------------------------------------------------------------

RECEIVED = []  # one dict per request, in arrival order
LOCK = threading.Lock()
FLAKY = {}  # key -> calls seen
HANG_ONCE = {"n": 0}
HOLD = {}  # key -> time at which the client closed the connection


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, code, ctype, body):
        data = body.encode() if isinstance(body, str) else body
        try:
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
        except OSError:
            pass  # the client went away (a timeout or a cancelled task)

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode("utf-8", "replace") if n else ""
        url = urllib.parse.urlsplit(self.path)
        rec = {"method": self.command, "path": url.path, "query": url.query,
               "headers": [(k.lower(), v) for k, v in self.headers.items()],
               "body": body}
        with LOCK:
            RECEIVED.append(rec)
        route = url.path
        if route == "/json":
            self.reply(200, "application/json",
                       '{"greeting": "hello", "items": [1, 2, 3]}')
        elif route == "/text":
            self.reply(200, "text/plain; charset=utf-8", "plain words")
        elif route == "/echo":
            self.reply(200, "application/json", json.dumps(rec))
        elif route == "/missing":
            self.reply(404, "application/json", '{"message": "no such thing"}')
        elif route == "/slow":
            time.sleep(5)
            self.reply(200, "application/json", "{}")
        elif route == "/flaky":
            with LOCK:
                FLAKY[url.query] = FLAKY.get(url.query, 0) + 1
                first = FLAKY[url.query] == 1
            if first:
                self.reply(503, "text/plain", "busy")
            else:
                self.reply(200, "application/json", '{"ok": true}')
        elif route == "/hold":
            # No answer for 10 s; notes when the client hangs up.
            end = time.time() + 10
            while time.time() < end:
                r, _, _ = select.select([self.connection], [], [], 0.05)
                if r and self.connection.recv(1, socket.MSG_PEEK) == b"":
                    with LOCK:
                        HOLD[url.query] = time.time()
                    self.close_connection = True
                    return
            self.reply(200, "application/json", "{}")
        elif route == "/hang-once":
            with LOCK:
                HANG_ONCE["n"] += 1
                first = HANG_ONCE["n"] == 1
            if first:
                time.sleep(30)
            self.reply(200, "application/json", '{"second": true}')
        else:
            self.reply(500, "text/plain", "unknown route")

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = handle_any
    do_OPTIONS = do_HEAD = handle_any


# A deep accept queue: with Python's default of 5, a burst of connections
# can stall in the kernel (the client sees a connection the server never
# accepts) for longer than the test runs.
http.server.ThreadingHTTPServer.request_queue_size = 1024
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
PORT = server.server_address[1]
threading.Thread(target=server.serve_forever, daemon=True).start()


def received(path):
    with LOCK:
        return [r for r in RECEIVED if r["path"] == path]


def header(rec, name):
    vals = [v for k, v in rec["headers"] if k == name.lower()]
    return vals[0] if len(vals) == 1 else vals


# ---- running machines ------------------------------------------------------

RESOURCE = "arn:aws:states:::http:invoke"
COUNTER = {"n": 0}


def task(params, **extra):
    st = {"Type": "Task", "Resource": RESOURCE, "Parameters": params}
    st.update(extra)
    if "Next" not in st:
        st["End"] = True
    return st


def machine(states, start="Call", **top):
    m = {"StartAt": start, "States": states}
    m.update(top)
    return m


def run(defn, inp=None, db=":memory:", env=None, check_rc=True):
    COUNTER["n"] += 1
    path = os.path.join(TMP, "m%d.asl.json" % COUNTER["n"])
    with open(path, "w") as f:
        json.dump(defn, f)
    args = [BATON, "run", path, "--db", db, "--result-json", "--name", "e1",
            "--input", json.dumps(inp if inp is not None else {"port": PORT})]
    p = subprocess.run(args, capture_output=True, text=True, timeout=90,
                       env=env)
    if not p.stdout.strip():
        return {"status": "NO OUTPUT", "rc": p.returncode,
                "stderr": p.stderr, "history": []}
    res = json.loads(p.stdout)
    res["rc"] = p.returncode
    if check_rc:
        want = 0 if res["status"] == "SUCCEEDED" else 1
        check(p.returncode == want, "exit status %d for %s" %
              (p.returncode, res["status"]))
    return res


def details(ev):
    d = [v for k, v in ev.items() if k.endswith("EventDetails")]
    return d[0] if d else None


def events(res, typ):
    return [e for e in res["history"] if e["type"] == typ]


def types(res):
    return [e["type"] for e in res["history"]]


ENDPOINT = "States.Format('http://127.0.0.1:{}%s', $.port)"

# ---- GET with query parameters: the four array formats ---------------------

QUERY = {"q": "a b&c", "n": 5, "list": ["x", "y,z"]}
FORMATS = {
    None: [("fixed", "1"), ("q", "a b&c"), ("n", "5"), ("list[0]", "x"),
           ("list[1]", "y,z")],
    "INDICES": [("fixed", "1"), ("q", "a b&c"), ("n", "5"), ("list[0]", "x"),
                ("list[1]", "y,z")],
    "BRACKETS": [("fixed", "1"), ("q", "a b&c"), ("n", "5"), ("list[]", "x"),
                 ("list[]", "y,z")],
    "REPEAT": [("fixed", "1"), ("q", "a b&c"), ("n", "5"), ("list", "x"),
               ("list", "y,z")],
    # Joined by literal commas; a comma inside a value stays escaped.
    "COMMAS": [("fixed", "1"), ("q", "a b&c"), ("n", "5"),
               ("list", "x,y,z")],
}
for fmt, want_pairs in FORMATS.items():
    params = {"ApiEndpoint.$": ENDPOINT % "/json?fixed=1", "Method": "GET",
              "QueryParameters": QUERY}
    if fmt:
        params["Transform"] = {"RequestEncodingOptions": {"ArrayFormat": fmt}}
    before = len(received("/json"))
    res = run(machine({"Call": task(params)}))
    label = "GET /json (%s)" % (fmt or "default format")
    check(res["status"] == "SUCCEEDED", "%s: %s" % (label, res))
    got = received("/json")[before:]
    check(len(got) == 1, "%s: server saw %d requests" % (label, len(got)))
    if not got:
        continue
    rec = got[0]
    check(rec["method"] == "GET", "%s: method %s" % (label, rec["method"]))
    pairs = urllib.parse.parse_qsl(rec["query"], keep_blank_values=True)
    check(pairs == want_pairs, "%s: query %r" % (label, rec["query"]))
    if fmt == "COMMAS":
        check(rec["query"].endswith("&list=x,y%2Cz"),
              "COMMAS: raw query %r" % rec["query"])
    check(rec["body"] == "", "%s: body %r" % (label, rec["body"]))
    out = res.get("output", {})
    check(out.get("StatusCode") == 200 and out.get("StatusText") == "OK",
          "%s: status fields %r" % (label, out))
    check(out.get("ResponseBody") == {"greeting": "hello", "items": [1, 2, 3]},
          "%s: JSON ResponseBody parsed: %r" % (label, out.get("ResponseBody")))
    check(out.get("Headers", {}).get("Content-Type") == ["application/json"],
          "%s: Headers %r" % (label, out.get("Headers")))
    check(sorted(out) == ["Headers", "ResponseBody", "StatusCode",
                          "StatusText"], "%s: result keys %r" % (label, out))
    if fmt is not None:
        continue
    # The history of this run, field by field (reference 11.2, 11.3).
    check(types(res) == ["ExecutionStarted", "TaskStateEntered",
                         "TaskScheduled", "TaskStarted", "TaskSucceeded",
                         "TaskStateExited", "ExecutionSucceeded"],
          "history types %r" % types(res))
    check([e["id"] for e in res["history"]] == list(range(1, 8)), "ids")
    check([e["previousEventId"] for e in res["history"]] ==
          [0, 0, 2, 3, 4, 5, 6], "previousEventIds")
    sched = details(events(res, "TaskScheduled")[0])
    check(sorted(sched) == ["parameters", "region", "resource",
                            "resourceType"], "TaskScheduled keys %r" % sched)
    check(sched["resourceType"] == "http" and sched["resource"] == "invoke",
          "TaskScheduled resource %r" % sched)
    check(sched["region"] == "us-east-1", "TaskScheduled region")
    check(isinstance(sched["parameters"], str) and
          json.loads(sched["parameters"]) ==
          {"ApiEndpoint": "http://127.0.0.1:%d/json?fixed=1" % PORT,
           "Method": "GET", "QueryParameters": QUERY},
          "TaskScheduled parameters %r" % sched["parameters"])
    started = details(events(res, "TaskStarted")[0])
    check(started == {"resourceType": "http", "resource": "invoke"},
          "TaskStarted details %r" % started)
    done = details(events(res, "TaskSucceeded")[0])
    check(sorted(done) == ["output", "outputDetails", "resource",
                           "resourceType"], "TaskSucceeded keys %r" % done)
    check(done["resourceType"] == "http" and done["resource"] == "invoke",
          "TaskSucceeded resource")
    check(done["outputDetails"] == {"truncated": False}, "outputDetails")
    check(json.loads(done["output"]) == out, "TaskSucceeded output")

# ---- POST with a JSON body and headers -------------------------------------

BODY = {"a": 1, "nested": {"b": [True, None]}, "s": "\u00e9/x"}
params = {"ApiEndpoint.$": ENDPOINT % "/echo", "Method": "POST",
          "Headers": {"X-Trace": "t-1", "Authorization": "Bearer tok"},
          "RequestBody": BODY,
          "Authentication": {"ConnectionArn": "arn:aws:events:us-east-1:"
                             "123456789012:connection/c/x"}}
res = run(machine({"Call": task(params, ResultSelector={
    "code.$": "$.StatusCode", "echo.$": "$.ResponseBody"})}))
check(res["status"] == "SUCCEEDED", "POST: %s" % res)
rec = received("/echo")[-1]
check(rec["method"] == "POST", "POST: method %s" % rec["method"])
check(header(rec, "Content-Type") == "application/json",
      "POST: content-type %r" % header(rec, "Content-Type"))
check(header(rec, "X-Trace") == "t-1", "POST: X-Trace header")
check(header(rec, "Authorization") == "Bearer tok", "POST: Authorization")
check(json.loads(rec["body"]) == BODY, "POST: body %r" % rec["body"])
check(res.get("output", {}).get("code") == 200, "POST: ResultSelector code")
check(res.get("output", {}).get("echo", {}).get("body") == rec["body"],
      "POST: the echoed request is the result's parsed body")

# A POST without RequestBody sends an empty body and no Content-Type.
res = run(machine({"Call": task({"ApiEndpoint.$": ENDPOINT % "/echo",
                                 "Method": "POST"})}))
rec = received("/echo")[-1]
check(rec["method"] == "POST" and rec["body"] == "" and
      header(rec, "Content-Length") == "0" and
      header(rec, "Content-Type") == [],
      "POST without a body: %r" % rec)

# ---- URL-encoded body ------------------------------------------------------

params = {"ApiEndpoint.$": ENDPOINT % "/echo", "Method": "PUT",
          "RequestBody": {"name": "J D", "tags": ["a", "b"], "n": 2},
          "Transform": {"RequestBodyEncoding": "URL_ENCODED",
                        "RequestEncodingOptions": {"ArrayFormat": "BRACKETS"}}}
res = run(machine({"Call": task(params)}))
check(res["status"] == "SUCCEEDED", "URL_ENCODED: %s" % res)
rec = received("/echo")[-1]
check(rec["method"] == "PUT", "URL_ENCODED: method %s" % rec["method"])
check(header(rec, "Content-Type") == "application/x-www-form-urlencoded",
      "URL_ENCODED: content-type %r" % header(rec, "Content-Type"))
check(urllib.parse.parse_qsl(rec["body"]) ==
      [("name", "J D"), ("tags[]", "a"), ("tags[]", "b"), ("n", "2")],
      "URL_ENCODED: body %r" % rec["body"])

# ---- a text response stays a string ----------------------------------------

res = run(machine({"Call": task({"ApiEndpoint.$": ENDPOINT % "/text",
                                 "Method": "GET"})}))
out = res.get("output", {})
check(out.get("ResponseBody") == "plain words",
      "text: ResponseBody %r" % out.get("ResponseBody"))
check(out.get("Headers", {}).get("Content-Type") ==
      ["text/plain; charset=utf-8"], "text: Headers")

# ---- JSONata: Arguments and $states.result ---------------------------------

res = run({"QueryLanguage": "JSONata", "StartAt": "Call", "States": {"Call": {
    "Type": "Task", "Resource": RESOURCE, "End": True,
    "Arguments": {"ApiEndpoint":
                  "{% 'http://127.0.0.1:' & $states.input.port & '/json' %}",
                  "Method": "GET"},
    "Output": "{% $states.result.ResponseBody.greeting %}"}}})
check(res.get("output") == "hello", "JSONata: %r" % res.get("output"))

# ---- many transfers at once: a Map of 40 concurrent HTTP tasks -------------

before = len(received("/echo"))
res = run({"StartAt": "Each", "States": {"Each": {
    "Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 0, "End": True,
    "ItemSelector": {"port.$": "$.port", "i.$": "$$.Map.Item.Value"},
    "ItemProcessor": {"StartAt": "Call", "States": {"Call": task(
        {"ApiEndpoint.$": ENDPOINT % "/echo", "Method": "GET",
         "QueryParameters": {"i.$": "$.i"}},
        ResultSelector={"q.$": "$.ResponseBody.query"})}}}}},
    inp={"port": PORT, "items": list(range(40))})
check(res["status"] == "SUCCEEDED", "Map: %s" % res.get("status"))
check(res.get("output") == [{"q": "i=%d" % i} for i in range(40)],
      "Map: results in order %r" % res.get("output"))
check(sorted(r["query"] for r in received("/echo")[before:]) ==
      sorted("i=%d" % i for i in range(40)), "Map: 40 requests received")

# ---- a 404 caught by a Catch -----------------------------------------------

res = run(machine({
    "Call": task({"ApiEndpoint.$": ENDPOINT % "/missing", "Method": "GET"},
                 Catch=[{"ErrorEquals": ["States.Http.StatusCode.404"],
                         "ResultPath": "$.err", "Next": "Handled"}],
                 Next="After"),
    "After": {"Type": "Succeed"},
    "Handled": {"Type": "Pass", "End": True}}))
check(res["status"] == "SUCCEEDED", "404: %s" % res)
err = res.get("output", {}).get("err", {})
check(err.get("Error") == "States.Http.StatusCode.404", "404: error %r" % err)
cause = json.loads(err.get("Cause", "null"))
check(isinstance(cause, dict) and cause.get("StatusCode") == 404 and
      cause.get("StatusText") == "Not Found" and
      cause.get("ResponseBody") == {"message": "no such thing"},
      "404: the cause holds the response: %r" % err.get("Cause"))
check(types(res)[2:8] == ["TaskScheduled", "TaskStarted", "TaskFailed",
                          "TaskStateExited", "PassStateEntered",
                          "PassStateExited"], "404: history %r" % types(res))
failed = details(events(res, "TaskFailed")[0])
check(failed == {"resourceType": "http", "resource": "invoke",
                 "error": "States.Http.StatusCode.404",
                 "cause": err.get("Cause")}, "404: TaskFailed %r" % failed)

# States.TaskFailed matches the HTTP task's errors too (reference 6.2).
res = run(machine({
    "Call": task({"ApiEndpoint.$": ENDPOINT % "/missing", "Method": "GET"},
                 Catch=[{"ErrorEquals": ["States.TaskFailed"],
                         "Next": "Handled"}]),
    "Handled": {"Type": "Pass", "End": True}}))
check(res["status"] == "SUCCEEDED" and res.get("output", {}).get("Error") ==
      "States.Http.StatusCode.404", "404 and States.TaskFailed: %s" % res)

# ---- a refused connection: States.Http.Socket ------------------------------

s = socket.socket()
s.bind(("127.0.0.1", 0))
closed_port = s.getsockname()[1]
s.close()
res = run(machine({"Call": task({"ApiEndpoint.$": ENDPOINT % "/x",
                                 "Method": "GET"})}),
          inp={"port": closed_port})
check(res["status"] == "FAILED" and res.get("error") == "States.Http.Socket",
      "refused: %s" % res)
check(bool(res.get("cause")), "refused: a cause says why")
failed = events(res, "TaskFailed")
check(len(failed) == 1 and details(failed[0])["error"] ==
      "States.Http.Socket", "refused: TaskFailed event")
check(types(res)[-1] == "ExecutionFailed", "refused: ends FAILED")

# ---- a slow server and TimeoutSeconds: States.Timeout ----------------------

t0 = time.time()
res = run(machine({"Call": task({"ApiEndpoint.$": ENDPOINT % "/hold?timeout",
                                 "Method": "GET"}, TimeoutSeconds=1)}))
elapsed = time.time() - t0
time.sleep(0.2)
check("timeout" in HOLD and HOLD["timeout"] - t0 < 3,
      "timeout: the connection was closed (%r)" % HOLD)
check(res["status"] == "FAILED" and res.get("error") == "States.Timeout",
      "timeout: %s" % res)
check(elapsed < 4, "timeout: took %.1f s (the server answers after 10)" %
      elapsed)
sched = details(events(res, "TaskScheduled")[0])
check(sched.get("timeoutInSeconds") == 1, "timeout: timeoutInSeconds")
timed = events(res, "TaskTimedOut")
check(len(timed) == 1 and details(timed[0]) ==
      {"resourceType": "http", "resource": "invoke",
       "error": "States.Timeout"}, "timeout: TaskTimedOut %r" % timed)

# HeartbeatSeconds: a server cannot send heartbeats, so it bounds the call
# (reference 6.2 [IMPL]: States.HeartbeatTimeout, which States.Timeout
# catchers also match).
res = run(machine({
    "Call": task({"ApiEndpoint.$": ENDPOINT % "/hold?beat", "Method": "GET"},
                 TimeoutSeconds=30, HeartbeatSeconds=1,
                 Catch=[{"ErrorEquals": ["States.Timeout"], "Next": "Late"}]),
    "Late": {"Type": "Pass", "End": True}}))
check(res.get("output") == {"Error": "States.HeartbeatTimeout", "Cause": ""},
      "heartbeat: %s" % res.get("output"))
sched = details(events(res, "TaskScheduled")[0])
check(sched.get("timeoutInSeconds") == 30 and
      sched.get("heartbeatInSeconds") == 1, "heartbeat: TaskScheduled %r" %
      sched)
check([details(e) for e in events(res, "TaskTimedOut")] ==
      [{"resourceType": "http", "resource": "invoke",
        "error": "States.HeartbeatTimeout"}], "heartbeat: TaskTimedOut")

# ---- the execution's own timeout aborts the transfer -----------------------

t0 = time.time()
res = run(machine({"Call": task({"ApiEndpoint.$": ENDPOINT % "/hold?exec",
                                 "Method": "GET"})}, TimeoutSeconds=1))
elapsed = time.time() - t0
check(res["status"] == "TIMED_OUT", "execution timeout: %s" % res["status"])
check(elapsed < 4, "execution timeout: took %.1f s" % elapsed)
time.sleep(0.2)
check("exec" in HOLD and HOLD["exec"] - t0 < 3,
      "execution timeout: the connection was closed (%r)" % HOLD)

# ---- StopExecution through baton serve aborts the transfer -----------------


def aws(port, action, body):
    req = urllib.request.Request(
        "http://127.0.0.1:%d/" % port, data=json.dumps(body).encode(),
        headers={"X-Amz-Target": "AWSStepFunctions." + action,
                 "Content-Type": "application/x-amz-json-1.0"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


serve = subprocess.Popen([BATON, "serve", "--db", os.path.join(TMP, "s.db"),
                          "--listen", "127.0.0.1:0", "--quiet"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         text=True)
line = serve.stderr.readline()
sport = int(line.split("port=")[1].split()[0]) if "port=" in line else 0
check(sport > 0, "serve: listening (%r)" % line)
if sport:
    defn = machine({"Call": task({"ApiEndpoint.$": ENDPOINT % "/hold?stop",
                                  "Method": "GET"})})
    sm = aws(sport, "CreateStateMachine", {
        "name": "stopper", "definition": json.dumps(defn),
        "roleArn": "arn:aws:iam::123456789012:role/r"})["stateMachineArn"]
    ex = aws(sport, "StartExecution", {
        "stateMachineArn": sm, "input": json.dumps({"port": PORT})})
    deadline = time.time() + 10
    while time.time() < deadline and not [
            r for r in received("/hold") if r["query"] == "stop"]:
        time.sleep(0.05)
    stop_at = time.time()
    aws(sport, "StopExecution", {"executionArn": ex["executionArn"]})
    desc = aws(sport, "DescribeExecution",
               {"executionArn": ex["executionArn"]})
    check(desc["status"] == "ABORTED", "stop: status %s" % desc["status"])
    time.sleep(0.5)
    check("stop" in HOLD and HOLD["stop"] - stop_at < 1,
          "stop: the connection was closed (%r)" % HOLD)
serve.send_signal(signal.SIGINT)
rest = serve.communicate(timeout=30)[1]
check(serve.returncode == 0 and "ERROR" not in rest,
      "serve: clean exit %r %s" % (serve.returncode, rest[-2000:]))

# ---- Retry on 503 ----------------------------------------------------------

res = run(machine({"Call": task(
    {"ApiEndpoint.$": ENDPOINT % "/flaky?k=retry", "Method": "GET"},
    Retry=[{"ErrorEquals": ["States.Http.StatusCode.503"],
            "IntervalSeconds": 1, "MaxAttempts": 2}])}))
check(res["status"] == "SUCCEEDED", "retry: %s" % res)
check(types(res)[2:8] == ["TaskScheduled", "TaskStarted", "TaskFailed",
                          "TaskScheduled", "TaskStarted", "TaskSucceeded"],
      "retry: history %r" % types(res))
check(FLAKY.get("k=retry") == 2, "retry: server saw %r" % FLAKY)

# ---- invalid parameters: States.Runtime, nothing sent ----------------------

before = len(RECEIVED)
res = run(machine({"Call": task({"ApiEndpoint.$": ENDPOINT % "/json",
                                 "Method": "FETCH"},
                                Catch=[{"ErrorEquals": ["States.ALL"],
                                        "Next": "Caught"}]),
                   "Caught": {"Type": "Succeed"}}))
check(res["status"] == "FAILED" and res.get("error") == "States.Runtime" and
      "Method" in res.get("cause", ""), "bad Method: %s" % res)
check("TaskScheduled" not in types(res), "bad Method: no task events")
check(len(RECEIVED) == before, "bad Method: nothing was sent")

# ---- recovery: a request in flight is sent again ---------------------------

db = os.path.join(TMP, "crash.db")
defn = machine({"Call": task({"ApiEndpoint.$": ENDPOINT % "/hang-once",
                              "Method": "GET"})})
path = os.path.join(TMP, "crash.asl.json")
with open(path, "w") as f:
    json.dump(defn, f)
p = subprocess.Popen([BATON, "run", path, "--db", db, "--name", "c1",
                      "--input", json.dumps({"port": PORT})],
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
deadline = time.time() + 20
while time.time() < deadline and not received("/hang-once"):
    time.sleep(0.05)
check(len(received("/hang-once")) == 1, "crash: the first request arrived")
p.send_signal(signal.SIGKILL)
p.wait()
r = subprocess.run([BATON, "resume", "--db", db], capture_output=True,
                   text=True, timeout=60)
check(r.returncode == 0, "crash: resume exit %d %s" % (r.returncode, r.stderr))
check(len(received("/hang-once")) == 2, "crash: the request was sent again")
hist = json.loads(subprocess.run(
    [BATON, "history", "c1", "--db", db, "--json"], capture_output=True,
    text=True).stdout)["events"]
kinds = [e["type"] for e in hist]
check(kinds == ["ExecutionStarted", "TaskStateEntered", "TaskScheduled",
                "TaskStarted", "TaskSucceeded", "TaskStateExited",
                "ExecutionSucceeded"], "crash: history %r" % kinds)
check([e["id"] for e in hist] == list(range(1, len(hist) + 1)),
      "crash: ids gapless")
out = json.loads(details(hist[-1])["output"])
check(out.get("ResponseBody") == {"second": True}, "crash: output %r" % out)

# A crash right after the commit that records TaskScheduled: nothing was
# sent yet; resuming sends it once.
db2 = os.path.join(TMP, "crash2.db")
before = len(received("/json"))
env = dict(os.environ, BATON_FAULT_KILL_AFTER_COMMIT="1")
defn = machine({"Call": task({"ApiEndpoint.$": ENDPOINT % "/json",
                              "Method": "GET"})})
res = run(defn, db=db2, env=env, check_rc=False)
check(res["rc"] == -signal.SIGKILL, "crash 2: killed after the first "
      "commit (rc %r)" % res["rc"])
check(len(received("/json")) == before, "crash 2: nothing sent before commit")
r = subprocess.run([BATON, "resume", "--db", db2], capture_output=True,
                   text=True, timeout=60)
check(r.returncode == 0, "crash 2: resume")
check(len(received("/json")) == before + 1, "crash 2: sent once on resume")
hist = json.loads(subprocess.run(
    [BATON, "history", "e1", "--db", db2, "--json"], capture_output=True,
    text=True).stdout)["events"]
check([e["type"] for e in hist].count("TaskScheduled") == 1,
      "crash 2: one TaskScheduled")
check(hist[-1]["type"] == "ExecutionSucceeded", "crash 2: succeeded")

server.shutdown()
if FAILURES:
    print("%d checks failed" % len(FAILURES))
    sys.exit(1)
print("http_task: all checks passed")
