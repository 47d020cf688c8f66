#!/bin/sh
# Baton side by side with the Node ASL engines aws-local-stepfunctions and
# @wmfs/statebox (pinned below; installed by npm into bench/peers/, which is
# git-ignored). Runs the workloads of bench/workloads/ on Baton and on each
# peer in the same run, ROUNDS rounds, alternating who goes first, and
# prints the medians, the ratios Baton/peer and the issue's targets
# (bench/peers-runners/report.mjs). See docs/performance.md.
#
# Baton's chain and Map figures come from bench_engine (the engine API in
# one process, as the peers run in one Node process); the one-state figure
# is a whole `baton run` against a whole `node` process, timed from spawn
# to exit by bench_proc.
#
# Usage: bench/peers.sh     (ROUNDS=3 CHAIN=1000 ONE_RUNS=20 by default;
#                            LARGE=0 skips the 100,000-item Map)
set -eu
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-3}
chain=${CHAIN:-1000}
one_runs=${ONE_RUNS:-20}
large=${LARGE:-1}
als_version=3.0.0
statebox_version=1.118.0
peers="aws-local-stepfunctions statebox"

installed() {
    node -p "require('./bench/peers/node_modules/$1/package.json').version" \
        2>/dev/null || true
}
if [ "$(installed aws-local-stepfunctions)" != "$als_version" ] ||
    [ "$(installed @wmfs/statebox)" != "$statebox_version" ]; then
    npm install --silent --no-audit --no-fund --prefix bench/peers \
        "aws-local-stepfunctions@$als_version" \
        "@wmfs/statebox@$statebox_version"
fi

cmake --preset release >/dev/null
cmake --build --preset release -j2 --target baton bench_engine bench_proc \
    >/dev/null
baton=build-release/baton
engine=build-release/bench/bench_engine
proc=build-release/bench/bench_proc
wl=bench/workloads

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo '{"x":1}' >"$work/in.json"
for n in 10000 100000; do
    node -e "process.stdout.write(JSON.stringify(
        {items: Array.from({length: $n}, (_, i) => i)}))" >"$work/items$n.json"
done
out="$work/results.jsonl"

# measure WORKLOAD SIDE COMMAND...: one JSON line per measurement; a
# failing command is recorded as such (the report prints n/a and why).
measure() {
    w=$1 s=$2
    shift 2
    rm -f "$work"/*.db "$work"/*.db-wal "$work"/*.db-shm
    if m=$("$@" 2>"$work/err"); then
        echo "{\"workload\":\"$w\",\"side\":\"$s\",\"m\":$m}" >>"$out"
    else
        why=$(tail -c 200 "$work/err" | tr -d '\n"\\' | tr -c '[:print:]' ' ')
        echo "{\"workload\":\"$w\",\"side\":\"$s\",\"error\":\"$why\"}" >>"$out"
    fi
}

baton_side() {
    measure chain baton-disk "$engine" def $wl/chain100.asl.json \
        "$work/in.json" "$chain" "$work/chain.db"
    measure chain baton-memory "$engine" def $wl/chain100.asl.json \
        "$work/in.json" "$chain" :memory:
    measure one-state baton-disk "$proc" "$one_runs" "$baton" run \
        $wl/one-state.asl.json --db "$work/one.db"
    measure one-state baton-memory "$proc" "$one_runs" "$baton" run \
        $wl/one-state.asl.json --db :memory:
    for n in 10000 100000; do
        [ "$n" = 100000 ] && [ "$large" = 0 ] && continue
        measure "map$n" baton-disk "$engine" def $wl/map.asl.json \
            "$work/items$n.json" 1 "$work/map.db"
        measure "map$n" baton-memory "$engine" def $wl/map.asl.json \
            "$work/items$n.json" 1 :memory:
    done
}

peer_side() {
    run="node bench/peers-runners/$1.mjs bench/peers"
    measure chain "$1" $run $wl/chain100.asl.json "$work/in.json" "$chain"
    # a fifth of Baton's runs: a Node start costs 30 times more
    measure one-state "$1" "$proc" $(((one_runs + 4) / 5)) $run \
        $wl/one-state.asl.json "$work/in.json" 1
    for n in 10000 100000; do
        [ "$n" = 100000 ] && [ "$large" = 0 ] && continue
        measure "map$n" "$1" $run $wl/map.asl.json "$work/items$n.json" 1
    done
}

i=1
while [ "$i" -le "$rounds" ]; do
    if [ $((i % 2)) -eq 1 ]; then
        baton_side
        for p in $peers; do peer_side "$p"; done
    else
        for p in $peers; do peer_side "$p"; done
        baton_side
    fi
    echo "round $i of $rounds done" >&2
    i=$((i + 1))
done

echo "machine: $(nproc) cores, $(uname -m), $(sed -n 's/^model name\t: //p' /proc/cpuinfo | head -1), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "peers: aws-local-stepfunctions $(installed aws-local-stepfunctions), @wmfs/statebox $(installed @wmfs/statebox), node $(node --version); $rounds rounds, chain $chain executions"
node bench/peers-runners/report.mjs "$out"
