#!/bin/sh
# Installs what is missing, builds an optimised `baton` (preset release, in
# build-release/), checks every bundled example with `baton validate` and
# runs the order-pipeline example (examples/order-pipeline/run.sh), printing
# its output. Run from anywhere.
set -eu

cd "$(dirname "$0")/.."

sh scripts/install-deps.sh
cmake --preset release
cmake --build --preset release -j"${BATON_JOBS:-2}"

# The binary is expected at the top of the build tree; fall back to cli/.
baton=build-release/baton
[ -x "$baton" ] || baton=build-release/cli/baton

"$baton" validate examples/*/*.asl.json
n=$(find examples -mindepth 2 -maxdepth 2 -name '*.asl.json' | wc -l)
echo
echo "Running examples/order-pipeline (its output follows):"
sh examples/order-pipeline/run.sh "$baton"
echo
echo "Baton is built: $baton. All $n example workflows in examples/ are valid;"
echo "the order-pipeline example ran to its end."
echo "Try: sh examples/fan-out/run.sh $baton"
echo " or: $baton validate --json examples/order-pipeline/order-pipeline.asl.json"
