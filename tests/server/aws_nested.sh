#!/bin/sh
# Nested executions (states:startExecution, .sync, .sync:2,
# .waitForTaskToken) over the AWS JSON 1.0 API, with a stop and a crash
# (aws_nested.py has the checks).
# Usage: aws_nested.sh BATON SOURCE_DIR
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
if ! "$PY" "$2/tests/server/aws_nested.py" "$1" "$T"; then
    echo "--- server log"
    tail -n 40 "$T/log"
    exit 1
fi
