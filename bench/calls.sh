#!/bin/sh
# Function calls against the machine's raw limits, in one run (see
# docs/performance.md): a raw posix_spawn + pipe round trip of /bin/cat, a
# raw pipe round trip to a running /bin/cat, Baton's process-per-call Task
# (a Map calling /bin/cat one item at a time, durable on disk) and the same
# Map calling a warm function (bench/warm/bootstrap.c, a C custom runtime
# on one keep-alive connection), each ROUNDS times alternating; prints the
# medians and the ratios. With the process calls, two lines that take them
# apart: raw-spawn-full (the raw spawn as Baton starts a function: stderr
# pipe, own session, signal defaults; like for like, not the target's
# reference) and proc (Baton's process layer alone, no workflow). Then the parts of a warm call: the same runtime
# called through the Invoke API (no workflow), the runtime against a
# trivial Runtime API (http), and the floor: a raw-socket client against
# it (http-raw, bench/warm/bootstrap_raw.c).
# The machine's own figures drift by 10-30 % within a run, so each target
# ratio is also taken per round, between a measurement and its reference
# measured back to back (their order alternating by round), and the
# median of those paired ratios is the figure held against the target.
#   bench/calls.sh            # N=2000 calls, ROUNDS=5
set -eu
cd "$(dirname "$0")/.."
N=${N:-2000}
ROUNDS=${ROUNDS:-5}
cmake --preset release >/dev/null
cmake --build --preset release -j2 --target bench_calls bench_warm_bootstrap \
    bench_warm_bootstrap_raw >/dev/null
b=build-release/bench/bench_calls
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
echo "machine: $(nproc) cores, $(uname -m), $(sed -n 's/^model name\t: //p' /proc/cpuinfo | head -1)"
warm_bootstrap=$PWD/build-release/bench/bench_warm_bootstrap
for r in $(seq 1 "$ROUNDS"); do
    if [ $((r % 2)) = 1 ]; then
        "$b" raw-spawn "$N"
        "$b" task "$N" "$T/calls.db"
    else
        "$b" task "$N" "$T/calls.db"
        "$b" raw-spawn "$N"
    fi
    "$b" raw-spawn-full "$N"
    "$b" proc "$N"
    if [ $((r % 2)) = 1 ]; then
        "$b" raw-pipe $((N * 10))
        "$b" warm "$N" "$T/warm.db" "$warm_bootstrap"
    else
        "$b" warm "$N" "$T/warm.db" "$warm_bootstrap"
        "$b" raw-pipe $((N * 10))
    fi
    "$b" invoke "$N" "$warm_bootstrap"
    "$b" http "$N" "$warm_bootstrap"
    "$b" http "$N" "$PWD/build-release/bench/bench_warm_bootstrap_raw" |
        sed 's/^http:/http-raw:/'
done | tee "$T/out"
python3 - "$T/out" <<'PY'
import re, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    m = re.match(r"(\S+): .* ([0-9.]+) us per call", line)
    if m:
        runs.setdefault(m.group(1), []).append(float(m.group(2)))
med = {k: statistics.median(v) for k, v in runs.items()}
for k in ("raw-pipe", "raw-spawn", "raw-spawn-full", "proc", "task", "warm",
          "invoke", "http", "http-raw"):
    print("median %-14s %8.1f us per call" % (k, med[k]))
def paired(a, b):
    rs = [x / y for x, y in zip(runs[a], runs[b])]
    return statistics.median(rs), " ".join("%.2f" % r for r in rs)
for a, b, what, target in (("task", "raw-spawn", "process per call / raw posix_spawn", "1.2x"),
                           ("warm", "raw-pipe", "warm call / raw pipe round trip", "2x")):
    p, each = paired(a, b)
    print("%s: %.2fx, median of the rounds' paired ratios (%s); %.2fx "
          "between the medians (target %s)"
          % (what, p, each, med[a] / med[b], target))
PY
