#!/bin/sh
# End-to-end run of every example workflow: for each examples/<name>/ that
# has an expected-output.json, runs examples/<name>/run.sh with the baton
# under test and compares what it prints with expected-output.json as JSON
# (numbers by value, true and 1 distinct, object member order ignored).
# Examples without expected-output.json are skipped.
# Usage: examples.sh BATON SOURCE_DIR
set -u
case $1 in /*) baton=$1 ;; *) baton=$PWD/$1 ;; esac
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
passes=0
limit=${BATON_EXAMPLE_TIMEOUT:-120}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

for dir in "$src"/examples/*/; do
    name=$(basename "$dir")
    if [ ! -f "$dir/expected-output.json" ]; then
        echo "skip: $name (no expected-output.json)"
        continue
    fi
    start=$(now_ms)
    timeout "$limit" sh "$dir/run.sh" "$baton" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    ms=$(($(now_ms) - start))
    if [ "$rc" -ne 0 ]; then
        echo "FAIL: $name: run.sh exited with $rc after ${ms} ms"
        sed 's/^/    /' "$tmp/err" | tail -n 20
        sed 's/^/    out: /' "$tmp/out" | cut -c1-300
        failures=$((failures + 1))
        continue
    fi
    if python3 - "$dir/expected-output.json" "$tmp/out" >"$tmp/diff" <<'P'; then
import json, sys

def same(a, b):
    # JSON equality: 1 == 1.0, but true != 1 and member order is ignored.
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b

expected = json.load(open(sys.argv[1]))
try:
    actual = json.load(open(sys.argv[2]))
except ValueError as e:
    print("    output is not JSON: %s" % e)
    sys.exit(1)
if not same(expected, actual):
    print("    expected: %s" % json.dumps(expected, sort_keys=True))
    print("    actual:   %s" % json.dumps(actual, sort_keys=True))
    sys.exit(1)
P
        echo "ok: $name (${ms} ms)"
        passes=$((passes + 1))
    else
        echo "FAIL: $name: output differs from expected-output.json"
        cat "$tmp/diff"
        failures=$((failures + 1))
    fi
done

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
