#!/bin/sh
# Installs what is missing, builds Baton with ASan+UBSan and -Werror
# (preset asan, in build-asan/) and runs every test under ctest.
# Exits non-zero on the first failure. Run from anywhere.
#
# The validation corpus (../shared/validation/run) is a measurement, not a
# test, and is deliberately not run here.
set -eu

cd "$(dirname "$0")/.."

jobs=${BATON_JOBS:-2}

sh scripts/install-deps.sh
cmake --preset asan
cmake --build --preset asan -j"$jobs"
ctest --preset asan
echo "test.sh: all tests passed"
