#!/bin/sh
# A Node.js handler run unchanged through the AWS Lambda Runtime Interface
# Client (npm aws-lambda-ric, pinned), installed into a cache folder outside
# the tree. Skipped (77) when node/npm are missing or the package (which
# builds native code with autotools) does not install.
# Usage: warm_node.sh BATON SOURCE_DIR
set -eu
BATON=$1
SRC=$2
RIC_VERSION=3.3.0
CACHE=${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/baton-tests/lambda-ric-$RIC_VERSION
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "warm_node: node and npm are needed"
    exit 77
fi
if [ ! -f "$CACHE/node_modules/aws-lambda-ric/bin/index.mjs" ]; then
    tmp="$CACHE.tmp.$$"
    rm -rf "$tmp"
    mkdir -p "$tmp"
    echo "warm_node: npm install aws-lambda-ric@$RIC_VERSION"
    if ! (cd "$tmp" && timeout 900 npm install --no-audit --no-fund \
        --loglevel=error "aws-lambda-ric@$RIC_VERSION" >"$tmp/npm.log" 2>&1); then
        tail -n 20 "$tmp/npm.log"
        rm -rf "$tmp"
        echo "warm_node: aws-lambda-ric does not install here (it needs autoconf, automake, libtool, make, g++, cmake)"
        exit 77
    fi
    rm -rf "$CACHE"
    mv "$tmp" "$CACHE"
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$BATON" function create node --runtime lambda --code "$SRC/tests/server/warm_node" \
    --handler index.handler --timeout 10 --env "RIC_DIR=$CACHE" --db "$T/db"
if ! "$BATON" run "$SRC/tests/server/warm_node/flow.asl.json" --db "$T/db" \
    --input '{"x":1}' >"$T/out" 2>"$T/log"; then
    cat "$T/log"
    exit 1
fi
node - "$T/out" "$T/log" <<'JS'
const fs = require("fs");
const out = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const log = fs.readFileSync(process.argv[3], "utf8");
const fail = (m) => { console.log("FAILED: " + m); console.log(log); process.exit(1); };
const a = out.a;
if (!/^[0-9a-f-]{36}$/.test(a.requestId)) fail("request id " + a.requestId);
if (a.arn !== "arn:aws:lambda:us-east-1:123456789012:function:node") fail("arn " + a.arn);
if (!(a.remaining > 0 && a.remaining <= 10000)) fail("remaining time " + a.remaining);
if (JSON.stringify(a.event) !== '{"x":1}') fail("event");
if (out.b.Error !== "Order.Missing") fail("error " + JSON.stringify(out.b));
if (JSON.parse(out.b.Cause).errorMessage !== "no such order") fail("cause");
if (out.c.pid !== a.pid || out.c.event.n !== 3) fail("third call " + JSON.stringify(out.c));
const cold = log.match(/msg="cold start" function=node worker=\d+/g) || [];
const warm = log.match(/msg="warm start" function=node worker=\d+/g) || [];
if (cold.length !== 1 || warm.length !== 2) fail("starts: " + cold + " / " + warm);
if (!cold[0].endsWith("worker=" + a.pid)) fail("worker pid");
console.log("warm_node: all checks passed");
JS
