#!/bin/sh
# Map ItemBatcher (reference §8.2 step 3): iteration inputs are batches
# {"Items": [...], "BatchInput": ...} of at most MaxItemsPerBatch items, and
# ItemSelector applies to each item before batching.
# Usage: map_batch.sh BATON SOURCE_DIR
set -u
baton=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/batch.json" <<'J'
{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items",
 "ItemSelector":{"v.$":"$$.Map.Item.Value","i.$":"$$.Map.Item.Index"},
 "ItemBatcher":{"MaxItemsPerBatch":2,"BatchInput":{"tag.$":"$.tag"}},
 "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
  "StartAt":"Count","States":{"Count":{"Type":"Pass",
   "Parameters":{"n.$":"States.ArrayLength($.Items)","tag.$":"$.BatchInput.tag"},"End":true}}},
 "End":true}}}
J
"$baton" run "$tmp/batch.json" --db "$tmp/b.db" --name parent \
    --input '{"tag":"t","items":[10,20,30,40,50]}' >"$tmp/out" || {
    echo "FAIL: run"; echo "0 passed, 1 failed"; exit 1; }
# A DISTRIBUTED Map's batches run as child executions (reference §8.4):
# ARNs <machine>/<label>:<uuid>, each with its own history.
"$baton" list --db "$tmp/b.db" --json >"$tmp/list"
for arn in $(python3 -c 'import json,sys; print(" ".join(x["executionArn"] for x in json.load(open(sys.argv[1]))["executions"] if "/M:" in x["executionArn"]))' "$tmp/list"); do
    "$baton" history "$arn" --db "$tmp/b.db" --json >>"$tmp/children"
    echo >>"$tmp/children"
done
python3 - "$tmp/children" "$tmp/b.db" <<'P' || { echo "0 passed, 1 failed"; exit 1; }
import json, sys
hists = [json.loads(l)["events"] for l in open(sys.argv[1]) if l.strip()]
assert len(hists) == 3, len(hists)
for h in hists:
    types = [e["type"] for e in h]
    assert types == ["ExecutionStarted", "PassStateEntered", "PassStateExited",
                     "ExecutionSucceeded"], types
P
python3 - "$tmp/out" <<'P'
import json, sys
got = json.load(open(sys.argv[1]))
want = [{"n": 2, "tag": "t"}, {"n": 2, "tag": "t"}, {"n": 1, "tag": "t"}]
assert got == want, got
P
if [ $? -eq 0 ]; then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed"; exit 1; fi
