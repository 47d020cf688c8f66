"""Warm functions (docs/functions.md): Lambda custom runtimes served through
the Lambda Runtime API (reference 14.3) by `baton run` and `baton serve`.
The runtime under test is warm_fn/bootstrap, a shell script written the way
AWS documents custom runtimes; its handler's behaviour is chosen by the
event's "mode".

Usage: warm.py BATON SOURCE_DIR WORKDIR
"""
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import baton_client  # noqa: E402

BATON, SRC, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
DB = os.path.join(WORK, "db")
CODE = os.path.realpath(os.path.join(SRC, "tests/server/warm_fn"))
FN_ARN = "arn:aws:lambda:us-east-1:123456789012:function:"
CODES = os.path.join(WORK, "codes")
CALLS = os.path.join(WORK, "calls")
ENV_DUMP = os.path.join(WORK, "env")
LOG = os.path.join(WORK, "log")


def check(cond, what):
    if not cond:
        sys.exit("FAILED: " + what)


def register(name, handler, *opts):
    r = subprocess.run([BATON, "function", "create", name, "--runtime",
                        "lambda", "--code", CODE, "--handler", handler,
                        "--db", DB] + list(opts), capture_output=True,
                       text=True)
    check(r.returncode == 0, "function create %s: %s" % (name, r.stderr))


def alive(pid):
    """Whether pid still runs 2 s from now (a killed process takes a moment
    to go; a zombie counts as gone)."""
    for _ in range(40):
        try:
            with open("/proc/%d/stat" % pid) as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return False
        except FileNotFoundError:
            return False
        time.sleep(0.05)
    return True


def starts(log, function):
    cold = re.findall(r'msg="cold start" function=%s worker=(\d+)' % function,
                      log)
    warm = re.findall(r'msg="warm start" function=%s worker=(\d+)' % function,
                      log)
    return [int(p) for p in cold], [int(p) for p in warm]


def codes():
    with open(CODES) as f:
        return f.read().split()


def run_flow(name):
    before = int(time.time() * 1000)
    r = subprocess.run([BATON, "run", os.path.join(SRC, "tests/server", name),
                        "--db", DB], capture_output=True, text=True,
                       timeout=60)
    with open(LOG, "a") as f:
        f.write(r.stderr)
    check(r.returncode == 0, "%s: exit %d: %s" % (name, r.returncode,
                                                  r.stderr))
    return json.loads(r.stdout), r.stderr, before


def workflow_reuses_one_worker():
    out, log, before = run_flow("warm_flow.asl.json")
    after = int(time.time() * 1000)
    pid = out["one"]["pid"]
    check(out["two"] == {"pid": pid, "n": 2}, "lambda:invoke: %s" % out)
    check(out["three"]["pid"] == pid, "third call on another worker")
    cold, warm = starts(log, "multi")
    check(cold == [pid] and warm == [pid, pid],
          "one cold start then two warm ones: %s %s" % (cold, warm))
    one = out["one"]
    check(one["arn"] == FN_ARN + "multi", "invoked function ARN")
    # The deadline is the call's start plus the function's timeout (2 s).
    check(before + 2000 <= one["deadline"] <= after + 2000,
          "deadline %d not in [%d, %d]" % (one["deadline"], before + 2000,
                                           after + 2000))
    check(re.fullmatch(r"Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16}"
                       r";Sampled=0", one["trace"]), "trace id " + one["trace"])
    check(one["event"] == {"mode": "probe", "n": 1}, "event")
    # The first answer is accepted, a second one to the same request is
    # refused (403 InvalidStateTransition), and so is one for an unknown
    # id (400 InvalidRequestID); the next call is answered normally (the
    # last one's code may not be written: baton stops the worker first).
    check(codes()[:4] == ["202", "403", "400", "202"], "codes %s" % codes())
    env = dict(line.split("=", 1) for line in
               open("%s.%d" % (ENV_DUMP, pid)).read().splitlines()
               if "=" in line)
    want = {"AWS_LAMBDA_FUNCTION_NAME": "multi", "_HANDLER": "multi.handler",
            "LAMBDA_TASK_ROOT": CODE, "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
            "AWS_LAMBDA_FUNCTION_TIMEOUT": "2", "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1", "TZ": "UTC",
            "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/multi"}
    for k, v in want.items():
        check(env.get(k) == v, "%s=%r, want %r" % (k, env.get(k), v))
    check(re.fullmatch(r"127\.0\.0\.1:\d+", env["AWS_LAMBDA_RUNTIME_API"]),
          "AWS_LAMBDA_RUNTIME_API")
    check(re.fullmatch(r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}",
                       env["AWS_LAMBDA_LOG_STREAM_NAME"]), "log stream name")
    for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
              "AWS_SESSION_TOKEN"):
        check(env.get(k), k + " is set")
    check(not alive(pid), "the worker outlived baton run")


def failures_are_lambdas():
    os.remove(CODES)
    out, log, _ = run_flow("warm_failures.asl.json")
    hang = out["hang"]
    check(hang["Error"] == "Sandbox.Timedout", "hang: %s" % hang)
    cause = json.loads(hang["Cause"])
    check(cause["errorType"] == "Sandbox.Timedout" and
          cause["errorMessage"].endswith(
              "Error: Task timed out after 2.00 seconds"), "hang cause")
    crash = out["crash"]
    check(crash["Error"] == "Runtime.ExitError" and
          "Runtime exited with error: exit status 3" in crash["Cause"],
          "crash: %s" % crash)
    check(out["big"]["Error"] == "Function.ResponseSizeTooLarge",
          "big: %s" % out["big"])
    fail = out["fail"]
    check(fail["Error"] == "Payment.Declined", "fail: %s" % fail)
    check(json.loads(fail["Cause"])["errorMessage"] == "card declined",
          "fail cause")
    check(out["init"]["Error"] == "Runtime.ImportModuleError",
          "init error: %s" % out["init"])
    check("Cannot load" in json.loads(out["init"]["Cause"])["errorMessage"],
          "init error cause")
    # The hung and the crashed worker were replaced; the one that sent too
    # much was told 413 and served the next calls.
    cold, warm = starts(log, "multi")
    check(len(cold) == 3 and warm == [cold[2], cold[2]],
          "cold %s warm %s" % (cold, warm))
    check(out["works"]["pid"] == cold[2], "works on the third worker")
    check(codes()[:2] == ["413", "202"], "codes %s" % codes())
    check(len(starts(log, "broken")[0]) == 1, "one start of broken")


def start_server():
    return baton_client.start(BATON, WORK)


def invoke(name, payload):
    req = urllib.request.Request(
        baton_client.endpoint() + "/2015-03-31/functions/%s/invocations" % name,
        data=json.dumps(payload).encode(), method="POST")
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status, dict(r.headers), json.loads(r.read())


def invoke_api(seen):
    pids = set()
    for n in range(3):
        status, headers, body = invoke("multi", {"mode": "echo", "n": n})
        check(status == 200 and headers.get("X-Amz-Executed-Version") ==
              "$LATEST", "invoke %d: %s %s" % (n, status, headers))
        check("X-Amz-Function-Error" not in headers, "no function error")
        check(body["event"] == {"mode": "echo", "n": n}, "invoke event")
        pids.add(body["pid"])
    check(len(pids) == 1, "invocations reuse one worker: %s" % pids)
    status, headers, body = invoke("multi", {"mode": "fail"})
    check(status == 200 and headers.get("X-Amz-Function-Error") == "Unhandled",
          "fail: %s %s" % (status, headers))
    check(body == {"errorMessage": "card declined",
                   "errorType": "Payment.Declined", "stackTrace": []},
          "fail body %s" % body)
    status, headers, body = invoke("multi", {"mode": "hang"})
    check(headers.get("X-Amz-Function-Error") == "Unhandled" and
          body["errorType"] == "Sandbox.Timedout", "hang: %s" % body)
    status, headers, body = invoke("multi", {"mode": "echo"})
    check(status == 200 and body["pid"] not in pids, "replaced after hang")
    log = open(LOG).read()[seen:]
    cold, warm = starts(log, "multi")
    check(len(cold) == 2 and len(warm) == 4, "serve: cold %s warm %s" %
          (cold, warm))
    # The same counts in the server's metrics (Prometheus text format).
    with urllib.request.urlopen(baton_client.endpoint() + "/metrics",
                                timeout=10) as r:
        check(r.headers.get("Content-Type", "").startswith("text/plain"),
              "metrics content type")
        text = r.read().decode()
    check('baton_function_cold_starts_total{function="multi"} 2\n' in text and
          'baton_function_warm_starts_total{function="multi"} 4\n' in text,
          "metrics: %s" % text)
    check('baton_function_calls_running{function="multi"} 0\n' in text and
          "baton_calls_queued 0\n" in text, "metrics idle: %s" % text)


def concurrency():
    results = []

    def one():
        results.append(invoke("slow", {"mode": "slow"}))
    threads = [threading.Thread(target=one) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check(len(results) == 6 and all(r[0] == 200 for r in results),
          "six answers")
    pids = {r[2]["pid"] for r in results}
    check(len(pids) == 2, "two workers, reused: %s" % pids)
    events = []
    for line in open(CALLS).read().splitlines():
        kind, _, t = line.split()
        events.append((float(t), 1 if kind == "start" else -1))
    events.sort()
    running = peak = 0
    for _, d in events:
        running += d
        peak = max(peak, running)
    check(len(events) == 12 and peak == 2, "peak %d of %d events" %
          (peak, len(events)))


def idle_reaping(seen):
    _, _, body = invoke("idle", {"mode": "echo"})
    pid = body["pid"]
    time.sleep(2.5)
    log = open(LOG).read()[seen:]
    check(re.search(r'msg="worker reaped \(idle\)" function=idle worker=%d'
                    % pid, log), "idle worker reaped")
    check(not alive(pid), "reaped worker is gone")
    _, _, body = invoke("idle", {"mode": "echo"})
    check(body["pid"] != pid, "a new worker after reaping")
    return body["pid"]


def main():
    register("multi", "multi.handler", "--timeout", "2", "--env",
             "CODES=" + CODES, "--env", "ENV_DUMP=" + ENV_DUMP)
    register("broken", "missing.handler")
    register("slow", "multi.handler", "--concurrency", "2", "--timeout",
             "10", "--env", "CALLS=" + CALLS)
    register("idle", "multi.handler", "--idle-timeout", "1")
    workflow_reuses_one_worker()
    failures_are_lambdas()
    seen = start_server()
    invoke_api(seen)
    concurrency()
    last = idle_reaping(seen)
    baton_client.stop()  # SIGTERM, exit 0
    check(not alive(last), "workers stop with the server")
    print("warm: all checks passed")


main()
