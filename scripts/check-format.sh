#!/bin/sh
# Checks that every C source and header (tracked or not yet added) in the
# code folders matches .clang-format. Build trees (build*/) are skipped.
# Exits 1 and lists the files that need `clang-format -i`; exits 0 when all
# are clean. Run from anywhere.
set -eu

cd "$(dirname "$0")/.."

DIRS="base statelang store engine server cli tests bench"

command -v clang-format >/dev/null 2>&1 || {
    echo "check-format: clang-format not found (run scripts/install-deps.sh)" >&2
    exit 2
}

list_files() {
    if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        # shellcheck disable=SC2086
        git ls-files --cached --others --exclude-standard -- $DIRS
    else
        for d in $DIRS; do
            [ -d "$d" ] && find "$d" -type f
        done
    fi
}

files=$(list_files | grep -E '\.[ch]$' | grep -Ev '(^|/)build[^/]*/' |
    sort -u || true)

checked=0
bad=""
for f in $files; do
    [ -f "$f" ] || continue # deleted in the work tree but still tracked
    checked=$((checked + 1))
    if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
        bad="$bad $f"
    fi
done

if [ -n "$bad" ]; then
    echo "check-format: these files need clang-format -i:" >&2
    for f in $bad; do
        echo "  $f" >&2
    done
    exit 1
fi
echo "check-format: $checked files clean"
