#!/bin/sh
# Builds the release preset and runs the engine benchmarks, printing one
# line per workload (see docs/performance.md). Usage: bench/run.sh
set -eu
cd "$(dirname "$0")/.."
cmake --preset release >/dev/null
cmake --build --preset release -j2 --target bench_engine >/dev/null
b=build-release/bench/bench_engine
db=$(mktemp -d)/bench.db
echo "machine: $(nproc) cores, $(uname -m), $(sed -n 's/^model name\t: //p' /proc/cpuinfo | head -1)"
"$b" chain 200 :memory:
"$b" chain 200 "$db"
"$b" map 10000 :memory:
"$b" map 10000 "$db"
"$b" map 100000 :memory:
rm -rf "$(dirname "$db")"
