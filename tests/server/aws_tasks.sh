#!/bin/sh
# Activities, task tokens (callbacks), tags and a restart with tasks
# outstanding, over the AWS JSON 1.0 API (aws_tasks.py has the checks).
# Usage: aws_tasks.sh BATON SOURCE_DIR
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
if ! "$PY" "$2/tests/server/aws_tasks.py" "$1" "$T"; then
    echo "--- server log"
    tail -n 40 "$T/log"
    exit 1
fi
