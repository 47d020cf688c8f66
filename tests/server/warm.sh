#!/bin/sh
# Warm functions through the Lambda Runtime API (warm.py has the checks).
# Usage: warm.sh BATON SOURCE_DIR
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
command -v curl >/dev/null 2>&1 || { echo "warm: curl is needed"; exit 77; }
if ! "$PY" "$2/tests/server/warm.py" "$1" "$2" "$T"; then
    echo "--- log"
    tail -n 60 "$T/log"
    exit 1
fi
