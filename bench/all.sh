#!/bin/sh
# Every benchmark of docs/performance.md in one command, one after the
# other on the same machine: the engine workloads (run.sh), Baton side by
# side with the Node engines (peers.sh: chain, one-state process, Map),
# function calls against raw spawn and pipe round trips (calls.sh), 10,000
# waiting executions and one 100,000-transition execution (long.sh), and
# StartExecution over HTTP (http.sh). Each prints its own section; the
# environment variables of each script apply.
# Usage: bench/all.sh
set -eu
cd "$(dirname "$0")"
for s in run.sh peers.sh calls.sh long.sh http.sh; do
    echo "== bench/$s"
    sh "./$s"
done
