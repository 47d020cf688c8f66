#!/bin/sh
# End-to-end checks of `baton validate`: exit codes, the human line format,
# the --json shape (AWS's ValidateStateMachineDefinition result), stdin,
# Express rules and usage errors. Usage: validate.sh BATON SOURCE_DIR
set -u
baton=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
passes=0

check() { # name, condition result
    if [ "$2" -eq 0 ]; then
        passes=$((passes + 1))
    else
        echo "FAIL: $1"
        failures=$((failures + 1))
    fi
}

cat >"$tmp/ok.json" <<'J'
{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}
J
cat >"$tmp/bad.json" <<'J'
{
  "StartAt": "Charge",
  "States": {
    "Charge": {
      "Type": "Pass",
      "Next": "Shipp"
    },
    "Ship": {"Type": "Succeed"}
  }
}
J
cat >"$tmp/activity.json" <<'J'
{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:123456789012:activity:a", "End": true}}}
J
printf '{"StartAt": ' >"$tmp/syntax.json"

"$baton" validate "$tmp/ok.json" >"$tmp/out" 2>"$tmp/err"
check "valid file exits 0" $?
grep -q "ok.json: OK" "$tmp/out"
check "valid file says OK" $?

"$baton" validate "$tmp/bad.json" >"$tmp/out" 2>"$tmp/err"
check "invalid file exits 1" $(($? != 1))
grep -q "bad.json:6:7: MISSING_TRANSITION_TARGET: Missing 'Next' target: Shipp at /States/Charge/Next" "$tmp/err"
check "missing target line, column, code, message and location" $?
grep -q "bad.json:8:5: MISSING_TRANSITION_TARGET: State \"Ship\" is not reachable. at /States/Ship" "$tmp/err"
check "unreachable state reported too" $?

"$baton" validate "$tmp/ok.json" "$tmp/bad.json" >/dev/null 2>&1
check "any invalid file makes exit 1" $(($? != 1))

"$baton" validate --json "$tmp/bad.json" >"$tmp/out" 2>/dev/null
check "--json on an invalid file exits 1" $(($? != 1))
python3 - "$tmp/out" <<'P'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["result"] == "FAIL", r
assert r["truncated"] is False, r
d = r["diagnostics"]
assert {"severity": "ERROR", "code": "MISSING_TRANSITION_TARGET",
        "message": "Missing 'Next' target: Shipp",
        "location": "/States/Charge/Next"} in d, d
P
check "--json FAIL shape" $?
"$baton" validate --json "$tmp/ok.json" >"$tmp/out"
python3 -c 'import json,sys; assert json.load(open(sys.argv[1])) == {"result":"OK","diagnostics":[],"truncated":False}' "$tmp/out"
check "--json OK shape" $?

"$baton" validate - <"$tmp/ok.json" >/dev/null 2>&1
check "stdin" $?

"$baton" validate "$tmp/syntax.json" >/dev/null 2>"$tmp/err"
check "syntax error exits 1" $(($? != 1))
grep -q "syntax.json:1:13: INVALID_JSON_DESCRIPTION" "$tmp/err"
check "syntax error has line and column" $?

"$baton" validate "$tmp/activity.json" >/dev/null 2>&1
check "activity valid for STANDARD" $?
"$baton" validate --type EXPRESS "$tmp/activity.json" >/dev/null 2>"$tmp/err"
check "activity invalid for EXPRESS" $(($? != 1))
grep -q "Express state machine does not support Activity ARN" "$tmp/err"
check "EXPRESS message" $?

"$baton" validate "$tmp/missing.json" >/dev/null 2>&1
check "unreadable file exits 2" $(($? != 2))
"$baton" validate >/dev/null 2>&1
check "no FILE exits 2" $(($? != 2))
"$baton" validate --type BOTH "$tmp/ok.json" >/dev/null 2>&1
check "bad --type exits 2" $(($? != 2))
"$baton" frobnicate >/dev/null 2>&1
check "unknown command exits 2" $(($? != 2))
"$baton" --help | grep -q "validate"
check "--help lists validate" $?
"$baton" validate --help | grep -q -- "--json"
check "validate --help lists --json" $?
"$baton" --version | grep -q "^baton [0-9]"
check "--version" $?

for f in "$src"/examples/*/*.asl.json; do
    "$baton" validate "$f" >/dev/null 2>"$tmp/err"
    check "example $f is valid" $?
done

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
