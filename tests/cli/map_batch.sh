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
"$baton" run "$tmp/batch.json" --db :memory: \
    --input '{"tag":"t","items":[10,20,30,40,50]}' >"$tmp/out" || {
    echo "FAIL: run"; echo "0 passed, 1 failed"; exit 1; }
python3 - "$tmp/out" <<'P'
import json, sys
got = json.load(open(sys.argv[1]))
want = [{"n": 2, "tag": "t"}, {"n": 2, "tag": "t"}, {"n": 1, "tag": "t"}]
assert got == want, got
P
if [ $? -eq 0 ]; then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed"; exit 1; fi
