"""The Lambda Invoke API of `baton serve` (reference 14.1, 14.2): the three
invocation types, function errors, service errors, asynchronous retries,
and the per-function and global concurrency limits, over HTTP and with the
AWS CLI (`aws lambda invoke`) when /usr/bin/aws is installed.

Usage: lambda_invoke.py BATON WORKDIR
"""
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import baton_client  # noqa: E402
from baton_client import stop  # noqa: E402

BATON, WORK = sys.argv[1], sys.argv[2]
DB = os.path.join(WORK, "db")
FN_ARN = "arn:aws:lambda:us-east-1:123456789012:function:"

def sh(name, body):
    path = os.path.join(WORK, name + ".sh")
    with open(path, "w") as f:
        f.write(body)
    return "sh " + path


def register(name, command, *opts):
    r = subprocess.run([BATON, "function", "create", name, "--command",
                        command, "--db", DB] + list(opts),
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def start(*opts):
    baton_client.start(BATON, WORK, *opts)


def invoke(name, payload=b'{}', itype=None):
    headers = {}
    if itype:
        headers["X-Amz-Invocation-Type"] = itype
    req = urllib.request.Request(
        baton_client.endpoint() + "/2015-03-31/functions/%s/invocations" % name,
        data=payload, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def error(resp, status, code, message=None):
    st, h, body = resp
    assert st == status, resp
    assert h.get("X-Amzn-Errortype") == code, h
    b = json.loads(body)
    assert b["Type"] == "User", b
    if message is not None:
        assert b["message"] == message, (b, message)


# Functions (docs/functions.md: event on stdin, result on stdout).
register("echo", sh("echo", 'read -r p; printf \'{"got":%s}\' "$p"\n'))
register("boom", sh("boom", 'cat >/dev/null; echo \'{"errorType":"Boom",'
                    '"errorMessage":"it broke"}\'; exit 1\n'))
register("crash", sh("crash", "cat >/dev/null; exit 3\n"))
register("sleepy", sh("sleepy", "cat >/dev/null; sleep 5\n"), "--timeout", "1")
COUNT = os.path.join(WORK, "count")
register("flaky", sh("flaky", "cat >/dev/null; echo x >> %s; exit 1\n" % COUNT))
EVENT = os.path.join(WORK, "event.json")
register("keep", sh("keep", "cat > %s.tmp; mv %s.tmp %s\n" % (EVENT, EVENT, EVENT)))
SPANS = os.path.join(WORK, "spans")
os.makedirs(SPANS)
span = sh("span", 'cat >/dev/null; s=$(date +%%s%%N); sleep 0.4; '
          'echo "$s $(date +%%s%%N)" > %s/$s.$$; echo "{}"\n' % SPANS)
register("limited", span, "--concurrency", "2")
register("open", span)

start("--quiet")

# ---- RequestResponse (14.1) -------------------------------------------------
st, h, body = invoke("echo", b'{"a":1}')
assert st == 200 and json.loads(body) == {"got": {"a": 1}}, (st, body)
assert h.get("X-Amz-Executed-Version") == "$LATEST", h
assert "X-Amz-Function-Error" not in h, h
assert h.get("Content-Type") == "application/json", h
# Qualified names and ARNs name the same function.
assert json.loads(invoke("echo:prod", b"[1]")[2]) == {"got": [1]}
assert json.loads(invoke(FN_ARN + "echo", b"2")[2]) == {"got": 2}

# Function errors still answer 200; only the header tells (14.1).
st, h, body = invoke("boom")
assert st == 200 and h.get("X-Amz-Function-Error") == "Unhandled", (st, h)
assert json.loads(body) == {"errorType": "Boom", "errorMessage": "it broke"}
st, h, body = invoke("crash")
assert st == 200 and h.get("X-Amz-Function-Error") == "Unhandled"
b = json.loads(body)
assert b["errorType"] == "Runtime.ExitError" and b["errorMessage"].endswith(
    "Error: Runtime exited with error: exit status 3"), b
t0 = time.time()
st, h, body = invoke("sleepy")
assert st == 200 and h.get("X-Amz-Function-Error") == "Unhandled"
b = json.loads(body)
assert b["errorType"] == "Sandbox.Timedout" and b["errorMessage"].endswith(
    "Error: Task timed out after 1.00 seconds"), b
assert time.time() - t0 < 4, time.time() - t0

# ---- Event and DryRun --------------------------------------------------------
st, h, body = invoke("keep", b'{"ev":1}', "Event")
assert st == 202 and body == b"", (st, body)
for _ in range(100):
    if os.path.exists(EVENT):
        break
    time.sleep(0.05)
assert json.load(open(EVENT)) == {"ev": 1}
# A failing asynchronous call is tried twice more, as Lambda does.
assert invoke("flaky", b"{}", "Event")[0] == 202
time.sleep(4.5)
assert open(COUNT).read().count("x") == 3, open(COUNT).read()
st, h, body = invoke("echo", b"{}", "DryRun")
assert st == 204 and body == b"", (st, body)

# ---- service errors (14.1) -----------------------------------------------------
error(invoke("nope"), 404, "ResourceNotFoundException",
      "Function not found: " + FN_ARN + "nope")
error(invoke("nope", b"{}", "DryRun"), 404, "ResourceNotFoundException")
r = invoke("echo", b"{not json")
error(r, 400, "InvalidRequestContentException")
assert json.loads(r[2])["message"].startswith(
    "Could not parse request body into json: "), r
error(invoke("echo", b"{}", "Sometimes"), 400, "ValidationException")
error(invoke("echo", b'"' + b"x" * (300 * 1024) + b'"', "Event"), 413,
      "RequestTooLargeException")


# ---- concurrency: excess calls queue, the limits hold ------------------------
def max_overlap():
    spans = []
    for n in os.listdir(SPANS):
        a, b = open(os.path.join(SPANS, n)).read().split()
        spans.append((int(a), int(b)))
    events = sorted([(a, 1) for a, _ in spans] + [(b, -1) for _, b in spans])
    cur = best = 0
    for _, d in events:
        cur += d
        best = max(best, cur)
    for n in os.listdir(SPANS):
        os.unlink(os.path.join(SPANS, n))
    return best, len(spans)


def burst(name, n):
    results = []
    threads = [threading.Thread(target=lambda: results.append(invoke(name)))
               for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r[0] for r in results] == [200] * n, results
    assert all("X-Amz-Function-Error" not in r[1] for r in results), results


burst("limited", 8)  # reserved concurrency 2
assert max_overlap() == (2, 8)
burst("open", 6)  # no per-function limit: they overlap
best, n = max_overlap()
assert n == 6 and best >= 3, (best, n)
stop()

start("--quiet", "--max-concurrency", "3")
burst("open", 9)  # the global limit
assert max_overlap() == (3, 9)
with urllib.request.urlopen(baton_client.endpoint() + "/metrics") as r:
    metrics = r.read().decode()
assert "baton_calls_limit 3\n" in metrics and "baton_calls_running 0\n" in \
    metrics and 'baton_function_calls_running{function="open"} 0\n' in \
    metrics, metrics

# ---- the AWS CLI (aws lambda invoke) ---------------------------------------------
AWS = "/usr/bin/aws"
if os.path.exists(AWS):
    env = dict(os.environ, AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x",
               AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="",
               AWS_CONFIG_FILE="/dev/null",
               AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    out = os.path.join(WORK, "out.json")

    def cli(*args):
        r = subprocess.run([AWS, "--endpoint-url", baton_client.endpoint(),
                            "lambda", "invoke"] + list(args) + [out],
                           capture_output=True, text=True, env=env, timeout=60)
        return r.returncode, (json.loads(r.stdout) if r.stdout.strip() else None), r.stderr

    rc, meta, err = cli("--function-name", "echo", "--cli-binary-format",
                        "raw-in-base64-out", "--payload", '{"cli":true}')
    assert rc == 0 and meta == {"StatusCode": 200, "ExecutedVersion": "$LATEST"}, (rc, meta, err)
    assert json.load(open(out)) == {"got": {"cli": True}}
    rc, meta, err = cli("--function-name", "boom")
    assert rc == 0 and meta["FunctionError"] == "Unhandled", (rc, meta, err)
    rc, meta, err = cli("--function-name", "echo", "--invocation-type", "Event")
    assert rc == 0 and meta["StatusCode"] == 202, (rc, meta, err)
    rc, meta, err = cli("--function-name", "missing")
    assert rc == 254 and "ResourceNotFoundException" in err, (rc, err)
else:
    print("lambda_invoke: /usr/bin/aws not installed; AWS CLI checks skipped")
stop()
print("lambda_invoke: all checks passed")
