#!/bin/sh
# GetExecutionHistory (AWS API) and the REST history, page by page, of an
# execution whose history spans many stored rows (a Map over 3,000 items:
# 12,006 events). Every page size and both orders must give back exactly
# the events `baton history` prints, in order, with nextToken on every page
# but the last (reference §12.7); a page may start in the middle of a
# stored row. Usage: history_pages.sh BATON SOURCE_DIR
set -eu
BATON=$1
SRC=$2
. "$SRC/tests/server/serve.inc"
serve_workdir
cat >"$T/m.json" <<'J'
{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items",
 "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},
 "End":true}}}
J
python3 -c 'import json; print(json.dumps({"items": list(range(3000))}))' >"$T/in.json"
"$BATON" run "$T/m.json" --db "$T/db" --name big --input-file "$T/in.json" \
    >/dev/null
"$BATON" history big --db "$T/db" --json >"$T/all.json"
"$BATON" list --db "$T/db" --json >"$T/list.json"
start_server
python3 - "$PORT" "$T/all.json" "$T/list.json" <<'P'
import json, sys, urllib.parse, urllib.request, urllib.error
port, whole = sys.argv[1], json.load(open(sys.argv[2]))
whole = whole.get("events", whole) if isinstance(whole, dict) else whole
assert len(whole) == 12006, len(whole)
ids = [e["id"] for e in whole]
assert ids == list(range(1, 12007)), "history ids"

def aws(body):
    req = urllib.request.Request(
        "http://127.0.0.1:%s/" % port, json.dumps(body).encode(),
        {"Content-Type": "application/x-amz-json-1.0",
         "X-Amz-Target": "AWSStepFunctions.GetExecutionHistory"})
    try:
        return 200, json.load(urllib.request.urlopen(req))
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)

arn = [x["executionArn"] for x in json.load(open(sys.argv[3]))["executions"]
       if x["name"] == "big"][0]

def walk(size, reverse, most=None):
    got, token, pages = [], None, 0
    while most is None or pages < most:
        body = {"executionArn": arn, "reverseOrder": reverse}
        if size:
            body["maxResults"] = size
        if token:
            body["nextToken"] = token
        st, r = aws(body)
        assert st == 200, (st, r)
        pages += 1
        assert len(r["events"]) == min(size or 100, 12006 - len(got)), \
            (size, reverse, pages, len(r["events"]))
        got += r["events"]
        token = r.get("nextToken")
        assert token or len(got) == 12006, (size, reverse, pages)
        if not token:
            return got, pages
    return got, pages

for size in (0, 7, 333, 1000):
    for reverse in (False, True):
        got, pages = walk(size, reverse)
        want = list(reversed(whole)) if reverse else whole
        assert got == want, (size, reverse)
        assert pages == -(-12006 // (size or 100)), (size, reverse, pages)
    print("ok maxResults=%d" % size)
for reverse in (False, True):  # one event a page: the first 50 pages
    got, pages = walk(1, reverse, 50)
    assert got == (list(reversed(whole)) if reverse else whole)[:50], reverse

# The REST history pages the same way (payloads embedded, so ids and
# types are compared).
mname = arn.split(":")[-2]
def rest_walk(size, reverse):
    got, token = [], None
    while True:
        q = "maxResults=%d&reverseOrder=%s" % (size, "true" if reverse else "false")
        if token:
            q += "&nextToken=" + urllib.parse.quote(token)
        r = json.load(urllib.request.urlopen(
            "http://127.0.0.1:%s/v1/executions/%s:big/history?%s" % (port, mname, q)))
        got += [(e["id"], e["type"]) for e in r["events"]]
        token = r.get("nextToken")
        if not token:
            return got
for size, reverse in ((1000, False), (333, True)):
    want = [(e["id"], e["type"]) for e in whole]
    assert rest_walk(size, reverse) == (want[::-1] if reverse else want), (size, reverse)
print("ok rest")

# A token is bound to its order: reused the other way it is refused.
st, r = aws({"executionArn": arn, "maxResults": 5})
st, r = aws({"executionArn": arn, "maxResults": 5, "reverseOrder": True,
             "nextToken": r["nextToken"]})
assert st == 400 and r["__type"] == "InvalidToken", (st, r)
# Unknown execution: its error comes before the token's.
st, r = aws({"executionArn": arn + "x", "nextToken": "1.2"})
assert st == 400 and r["__type"] == "ExecutionDoesNotExist", (st, r)
print("ok")
P
stop_server
