#!/bin/sh
# Map failure tolerance (reference §8.2 "Failure handling"): with
# ToleratedFailureCount N the Map fails with States.ExceedToleratedFailureThreshold
# only when more than N iterations failed; otherwise it goes on and
# succeeds. MaxConcurrency 1 fixes the order, so the cases cover a
# tolerated failure that is not the last iteration (its slot must go to
# the next item) and one that is (the Map must still end).
# Usage: map_tolerance.sh BATON SOURCE_DIR
set -u
baton=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
# run NAME TOLERATED ITEMS WANT_STATUS [WANT_ERROR]
run() {
    cat >"$tmp/m.json" <<J
{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"\$.items",
 "MaxConcurrency":1,"ToleratedFailureCount":$2,
 "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},
  "StartAt":"Check","States":{
   "Check":{"Type":"Choice","Choices":[{"Variable":"\$","NumericGreaterThan":100,
     "Next":"Bad"}],"Default":"Good"},
   "Bad":{"Type":"Fail","Error":"Item.Bad","Cause":"too big"},
   "Good":{"Type":"Pass","End":true}}},
 "End":true}}}
J
    # A hang is a failure too: the run is bounded.
    timeout 60 "$baton" run "$tmp/m.json" --db :memory: \
        --input "{\"items\":$3}" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    status=SUCCEEDED
    [ $rc -ne 0 ] && status=FAILED
    [ $rc -eq 124 ] && status=HUNG
    if [ "$status" = "$4" ] &&
        { [ -z "${5:-}" ] || grep -q "$5" "$tmp/err"; }; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL: $1: status $status (want $4 ${5:-}): $(cat "$tmp/err")"
    fi
}
run "first of three fails, one tolerated" 1 '[500,2,3]' SUCCEEDED
run "last of three fails, one tolerated" 1 '[1,2,300]' SUCCEEDED
run "two fail, one tolerated" 1 '[1,200,300]' FAILED \
    States.ExceedToleratedFailureThreshold
run "one fails, none tolerated" 0 '[1,2,300]' FAILED \
    States.ExceedToleratedFailureThreshold
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
