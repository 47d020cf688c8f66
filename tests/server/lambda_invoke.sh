#!/bin/sh
# The Lambda Invoke API of `baton serve` (lambda_invoke.py has the checks).
# Usage: lambda_invoke.sh BATON SOURCE_DIR
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
if ! "$PY" "$2/tests/server/lambda_invoke.py" "$1" "$T"; then
    echo "--- server log"
    tail -n 40 "$T/log"
    exit 1
fi
