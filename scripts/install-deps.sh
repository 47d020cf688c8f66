#!/bin/sh
# Installs the Debian 12 packages Baton needs to build and test, and only
# those that are missing: running it twice does nothing the second time.
# apt-get update runs only when something has to be installed. Must run as
# root, or as a user with sudo.
#
# Recommended packages are not installed, so anything needed is listed:
# libclang-rt-14-dev holds clang's sanitizer and libFuzzer runtimes (only a
# Recommends of clang on Debian 12), which the fuzz preset links against.
# autoconf, automake and libtool build the native part of the npm package
# aws-lambda-ric (the warm Node.js function test).
#
# Node.js and npm run the AWS SDK for JavaScript test. A Node.js package
# from outside Debian (NodeSource) already bundles npm and conflicts with
# Debian's npm package, so each of the two is wanted only when its command
# is missing.
set -eu

PACKAGES="
build-essential
cmake
pkg-config
clang
libclang-rt-14-dev
clang-format
libjson-c-dev
libsqlite3-dev
sqlite3
libxml2-dev
libuv1-dev
libmicrohttpd-dev
libcurl4-openssl-dev
libssl-dev
uuid-dev
libcmocka-dev
libpcre2-dev
python3
awscli
autoconf
automake
libtool
"
# command:package pairs, installed when the command is not on PATH
COMMANDS="
node:nodejs
npm:npm
"

missing=""
for pkg in $PACKAGES; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    case "$status" in
    *" installed") ;;
    *) missing="$missing $pkg" ;;
    esac
done
for pair in $COMMANDS; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing="$missing ${pair#*:}"
done

if [ -z "$missing" ]; then
    echo "install-deps: all build and test packages are installed"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=""
elif command -v sudo >/dev/null 2>&1; then
    as_root="sudo"
else
    echo "install-deps: missing packages:$missing" >&2
    echo "install-deps: run this script as root (sudo is not available)" >&2
    exit 1
fi

echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# $as_root and $missing are deliberately split into words.
# shellcheck disable=SC2086
$as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
# shellcheck disable=SC2086
$as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends $missing </dev/null
echo "install-deps: done"
