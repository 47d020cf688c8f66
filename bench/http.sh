#!/bin/sh
# StartExecution over HTTP against a release build of `baton serve` (see
# docs/performance.md). For each connection count it starts a fresh server
# on a file database in a temporary folder, makes a Pass machine, sends N
# StartExecution calls with bench/http_load on loopback, waits until no
# execution is RUNNING and prints calls/s, latency p50/p99, the time until
# every execution had ended, and the server's RSS.
#
#   bench/http.sh                    # N=10000, CONNS="1 8 32"
#   N=50000 CONNS=16 bench/http.sh
set -eu
cd "$(dirname "$0")/.."
N=${N:-10000}
CONNS=${CONNS:-1 8 32}
cmake --preset release >/dev/null
cmake --build --preset release -j2 --target baton http_load >/dev/null
B=build-release/baton
LOAD=build-release/bench/http_load
T=$(mktemp -d)
PID=
cleanup() {
    if [ -n "$PID" ]; then kill -KILL "$PID" 2>/dev/null || true; fi
    rm -rf "$T"
}
trap cleanup EXIT
ms() { date +%s%3N; }
sfn() {
    curl -sS -m 30 -H "X-Amz-Target: AWSStepFunctions.$1" \
        -H 'Content-Type: application/x-amz-json-1.0' -d "$2" \
        "http://127.0.0.1:$PORT/"
}
kib() { sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$PID/status"; }

echo "machine: $(nproc) cores, $(uname -m), $(sed -n 's/^model name\t: //p' /proc/cpuinfo | head -1)"
echo "calls: $N StartExecution per run, Pass machine, file database"
for c in $CONNS; do
    rm -f "$T"/db*
    : >"$T/log" # exists before the server writes to it
    "$B" serve --db "$T/db" --listen 127.0.0.1:0 --quiet 2>"$T/log" &
    PID=$!
    PORT=
    for _ in $(seq 1 100); do
        PORT=$(sed -n 's/.*msg="serving".* port=\([0-9]*\).*/\1/p' "$T/log")
        [ -n "$PORT" ] && break
        sleep 0.05
    done
    [ -n "$PORT" ] || { cat "$T/log"; exit 1; }
    sfn CreateStateMachine '{"name":"bench","roleArn":"arn:aws:iam::123456789012:role/bench","definition":"{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"End\":true}}}"}' >/dev/null
    idle_kib=$(kib VmRSS)
    t0=$(ms)
    "$LOAD" --port "$PORT" --connections "$c" --requests "$N" \
        --machine arn:aws:states:us-east-1:123456789012:stateMachine:bench \
        --timeout-s 600 | sed 's/^http_load: /  /'
    while ! sfn ListExecutions '{"stateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:bench","statusFilter":"RUNNING","maxResults":1}' |
        grep -q '"executions":\[\]'; do
        sleep 0.02
    done
    t1=$(ms)
    echo "  all $N ended $((t1 - t0)) ms after the first call; server RSS" \
        "idle $((idle_kib / 1024)) MiB, now $(($(kib VmRSS) / 1024)) MiB," \
        "peak $(($(kib VmHWM) / 1024)) MiB; database" \
        "$(du -cm "$T"/db* | tail -1 | cut -f1) MiB"
    kill -TERM "$PID"
    wait "$PID" || true
    PID=
done
