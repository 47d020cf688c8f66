#!/bin/sh
# JSONata evaluations per second, Baton against the reference implementation
# (npm jsonata 2.0.6, the version AWS Step Functions names), side by side.
# Installs the package into bench/peers/ (git-ignored), builds the release
# preset, writes a 10 000-item dataset, then runs ROUNDS rounds that
# alternate the two drivers (bench_jsonata.c and bench_jsonata.mjs) over
# the cases in cases.json and prints the medians and the ratio per case.
#
# Usage: bench/jsonata/run.sh            (ROUNDS=5 CASE_SECONDS=0.3 by default)
# dataset5.json is the JSONata test suite's dataset5 (jsonata-js, MIT).
set -eu
cd "$(dirname "$0")/../.."
here=bench/jsonata
rounds=${ROUNDS:-5}
case_seconds=${CASE_SECONDS:-0.3}

if ! node -e "process.exit(require('./bench/peers/node_modules/jsonata/package.json').version.startsWith('2.') ? 0 : 1)" 2>/dev/null; then
    npm install --silent --no-audit --no-fund --prefix bench/peers jsonata@2.0.6 ||
        npm install --silent --no-audit --no-fund --prefix bench/peers 'jsonata@^2'
fi
version=$(node -p "require('./bench/peers/node_modules/jsonata/package.json').version")

cmake --preset release >/dev/null
cmake --build --preset release -j2 --target bench_jsonata >/dev/null
driver=build-release/bench/bench_jsonata

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$here/dataset5.json" "$work/dataset5.json"
node "$here/bench_jsonata.mjs" gen "$work/items.json" 10000

echo "machine: $(nproc) cores, $(uname -m), $(sed -n 's/^model name\t: //p' /proc/cpuinfo | head -1)"
echo "reference: jsonata $version on node $(node --version); $rounds rounds, ${case_seconds} s per case and side"
i=1
while [ "$i" -le "$rounds" ]; do
    # alternate which side goes first, so neither always runs on a cooler
    # (or busier) machine
    if [ $((i % 2)) -eq 1 ]; then
        "$driver" "$here/cases.json" "$work" "$case_seconds" >"$work/baton.$i"
        node "$here/bench_jsonata.mjs" run bench/peers "$here/cases.json" "$work" "$case_seconds" >"$work/ref.$i"
    else
        node "$here/bench_jsonata.mjs" run bench/peers "$here/cases.json" "$work" "$case_seconds" >"$work/ref.$i"
        "$driver" "$here/cases.json" "$work" "$case_seconds" >"$work/baton.$i"
    fi
    echo "round $i of $rounds done" >&2
    i=$((i + 1))
done
node "$here/bench_jsonata.mjs" report "$here/cases.json" "$work"/baton.* -- "$work"/ref.*
