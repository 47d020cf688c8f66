#!/bin/sh
# `baton serve` driven by the AWS SDK for JavaScript v3: installs
# @aws-sdk/client-sfn (pinned) with npm into a cache folder outside the
# repository, starts the server on a free port and runs aws_sdk.mjs, which
# checks every answer field by field. Installs Node.js and npm with apt-get
# when they are missing and this runs as root (CI); fails otherwise.
# Usage: aws_sdk_js.sh BATON SOURCE_DIR
set -eu

BATON=$1
SRC=$2
. "$SRC/tests/server/serve.inc"
SDK_VERSION=3.1164.0
CACHE=${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/baton-tests/sdk-js
SDK_DIR=$CACHE/$SDK_VERSION

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "aws_sdk_js: node and npm are needed (scripts/install-deps.sh)"
        exit 1
    fi
    echo "aws_sdk_js: installing nodejs and npm"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    pkgs=""
    command -v node >/dev/null 2>&1 || pkgs="nodejs"
    command -v npm >/dev/null 2>&1 || pkgs="$pkgs npm"
    # shellcheck disable=SC2086
    apt-get install -y -q --no-install-recommends $pkgs </dev/null >/dev/null
fi

# The SDK is installed once per version. A half-done install never becomes
# SDK_DIR: it is built in a private folder and renamed into place.
if [ ! -f "$SDK_DIR/node_modules/@aws-sdk/client-sfn/package.json" ]; then
    mkdir -p "$CACHE"
    tmp=$(mktemp -d "$CACHE/install.XXXXXX")
    printf '{"private":true,"dependencies":{"@aws-sdk/client-sfn":"%s"}}\n' \
        "$SDK_VERSION" >"$tmp/package.json"
    echo "aws_sdk_js: npm install @aws-sdk/client-sfn@$SDK_VERSION"
    if ! (cd "$tmp" && timeout 300 npm install --no-audit --no-fund \
        --loglevel=error >"$tmp/npm.log" 2>&1); then
        cat "$tmp/npm.log"
        rm -rf "$tmp"
        echo "aws_sdk_js: npm install failed"
        exit 1
    fi
    mv "$tmp" "$SDK_DIR" 2>/dev/null || rm -rf "$tmp" # lost a race: fine
fi

serve_workdir

# The callback function of the task-token steps keeps its payload.
printf '%s\n' "cat >$T/token.tmp && mv $T/token.tmp $T/token.json && echo '{}'" \
    >"$T/keep.sh"
: >"$T/log" # exists before the server writes to it
"$BATON" serve --db "$T/db" --listen 127.0.0.1:0 --quiet --poll-timeout 1 \
    --function "keep=sh $T/keep.sh" 2>"$T/log" &
PID=$!
serve_port "$T/log"

# NODE_EXTRA_CA_CERTS only slows node's start here (plain HTTP); the SDK's
# notice about future Node.js versions is noise in a test log.
RC=0
env -u NODE_EXTRA_CA_CERTS PORT="$PORT" SDK_DIR="$SDK_DIR" \
    TOKEN_FILE="$T/token.json" \
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true \
    AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
    timeout 120 node --test-reporter=spec "$SRC/tests/server/aws_sdk.mjs" ||
    RC=$?

kill -TERM "$PID"
wait "$PID" || { echo "server exited with $?"; cat "$T/log"; exit 1; }
PID=
if [ "$RC" -ne 0 ]; then
    echo "aws_sdk_js: failed (node exit $RC); server log:"
    tail -20 "$T/log"
    exit 1
fi
echo "aws_sdk_js: passed"
