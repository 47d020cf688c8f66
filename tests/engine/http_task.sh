#!/bin/sh
# HTTP tasks (arn:aws:states:::http:invoke) against a local HTTP server:
# query parameters and array formats, JSON and URL-encoded bodies,
# headers, JSON and text responses, a caught 404, a refused connection,
# TimeoutSeconds, an execution timeout, Retry, bad parameters, the history
# events, and recovery sending a request again (http_task.py has the
# checks).
# Usage: http_task.sh BATON SOURCE_DIR
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# libcurl honours proxy variables; the test server is on loopback.
no_proxy=127.0.0.1,localhost
NO_PROXY=$no_proxy
export no_proxy NO_PROXY
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
"$PY" "$2/tests/engine/http_task.py" "$1" "$T"
