#!/bin/sh
# Runs the fan-out example and prints its output.
# Usage: run.sh [BATON [INPUT [ARGS...]]]
# BATON defaults to build/baton of this repository, INPUT to this folder's
# input.json; both are relative to the current directory when given. ARGS
# go on to `baton run` (e.g. --result-json).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
abs() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
baton=$(abs "${1:-$here/../../build/baton}")
input=$(abs "${2:-$here/input.json}")
[ $# -gt 0 ] && shift
[ $# -gt 0 ] && shift
cd "$here"
exec "$baton" run fan-out.asl.json --input-file "$input" \
    --db :memory: \
    --function fetch-account=functions/fetch-account \
    --function fetch-orders=functions/fetch-orders \
    --function score-order=functions/score-order "$@"
