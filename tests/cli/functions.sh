#!/bin/sh
# Functions end to end: the registry (create/update/delete/list), the
# process protocol's outcomes (docs/functions.md: success, error objects,
# non-JSON output, crash by signal, oversized output, timeouts, memory
# limit, working directory and environment) and the concurrency limit.
# Usage: functions.sh BATON SOURCE_DIR
set -u
baton=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db="$tmp/f.db"
passes=0
failures=0
check() {
    if [ "$2" -eq 0 ]; then passes=$((passes + 1)); else
        echo "FAIL: $1"; failures=$((failures + 1)); fi
}
fn() { # name body
    printf '#!/bin/sh\n%s\n' "$2" >"$tmp/$1"
    chmod +x "$tmp/$1"
}
task() { # file function-name
    printf '{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:%s","End":true}}}\n' "$2" >"$tmp/$1"
}
field() { # json-file key
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2]))' "$1" "$2"
}
run() { # definition [run args...] -> result JSON in $tmp/out
    def=$1
    shift
    "$baton" run "$tmp/$def" --db "$db" --result-json "$@" >"$tmp/out" 2>"$tmp/err"
}

fn echo 'cat'
fn envfn 'cat >/dev/null; printf "{\"foo\":\"%s\",\"dir\":\"%s\",\"name\":\"%s\"}" "$FOO" "$(pwd)" "$AWS_LAMBDA_FUNCTION_NAME"'
fn boom 'cat >/dev/null; echo "{\"errorType\":\"Custom.Boom\",\"errorMessage\":\"no\"}"; exit 1'
fn notjson 'cat >/dev/null; echo "hello"'
fn crash 'cat >/dev/null; kill -9 $$'
fn huge 'cat >/dev/null; head -c 7000000 /dev/zero | tr "\0" "a" | sed "s/^/\"/;s/$/\"/"'
fn slow 'cat >/dev/null; sleep 5; echo 1'
fn hog 'cat >/dev/null; exec python3 -c "x = bytearray(400 * 1024 * 1024); print(1)"'
for f in echo envfn boom notjson crash huge slow hog; do task "$f.json" "$f"; done

"$baton" function create echo --command "$tmp/echo" --db "$db"
check "create" $?
"$baton" function create echo --command "$tmp/echo" --db "$db" 2>/dev/null
check "create twice fails" $(($? != 1))
"$baton" function create envfn --command "$tmp/envfn" --cwd /usr --env FOO=bar --db "$db"
"$baton" function list --json --db "$db" >"$tmp/list"
python3 -c 'import json,sys; fs={f["name"]: f for f in json.load(open(sys.argv[1]))["functions"]}; assert set(fs) == {"echo","envfn"}, fs; assert fs["echo"]["timeout"] == 3' "$tmp/list"
check "list" $?
"$baton" function create bad --command x --timeout 901 --db "$db" 2>/dev/null
check "timeout over 900 refused" $(($? != 1))

run echo.json --input '{"a":1}'
[ "$(field "$tmp/out" status)" = SUCCEEDED ] && [ "$(field "$tmp/out" output)" = "{'a': 1}" ]
check "registered function runs" $?
run envfn.json
python3 -c 'import json,sys; o=json.load(open(sys.argv[1]))["output"]; assert o == {"foo":"bar","dir":"/usr","name":"envfn"}, o' "$tmp/out"
check "cwd, env and Lambda variables" $?

for f in boom notjson crash huge slow; do
    "$baton" function create "$f" --command "$tmp/$f" --timeout 1 --db "$db"
done
run boom.json
[ "$(field "$tmp/out" error)" = Custom.Boom ]
check "errorType becomes the error" $?
run notjson.json
[ "$(field "$tmp/out" error)" = Lambda.Unknown ]
check "non-JSON output" $?
run crash.json
[ "$(field "$tmp/out" error)" = Runtime.ExitError ] && grep -q signal "$tmp/out"
check "crash by signal" $?
run huge.json
[ "$(field "$tmp/out" error)" = Function.ResponseSizeTooLarge ]
check "oversized output" $?
start=$(date +%s)
run slow.json
[ "$(field "$tmp/out" error)" = Sandbox.Timedout ] && [ $(($(date +%s) - start)) -lt 4 ]
check "function timeout kills the call" $?
"$baton" function create hog --command "$tmp/hog" --memory 128 --db "$db"
run hog.json
[ "$(field "$tmp/out" status)" = FAILED ]
check "memory limit" $?
"$baton" function update hog --memory 0 --db "$db"
run hog.json
[ "$(field "$tmp/out" status)" = SUCCEEDED ]
check "update lifts the memory limit" $?

# A program that cannot start fails the Task with Lambda.ServiceException
# (and takes nothing down): missing, then not executable.
task missing.json missing
"$baton" function create missing --command "$tmp/does-not-exist" --db "$db"
run missing.json
[ "$(field "$tmp/out" error)" = Lambda.ServiceException ] &&
    grep -q "cannot start $tmp/does-not-exist: no such file" "$tmp/out"
check "missing program" $?
printf 'echo 1\n' >"$tmp/noexec"
task noexec.json noexec
"$baton" function create noexec --command "$tmp/noexec" --db "$db"
run noexec.json
[ "$(field "$tmp/out" error)" = Lambda.ServiceException ] &&
    grep -q "cannot start $tmp/noexec: permission denied" "$tmp/out"
check "program not executable" $?

# The process starts clean although baton ignores SIGPIPE: no signal
# ignored or blocked, so `yes | head -1` ends by SIGPIPE, quietly; stderr
# lines go to the log.
fn sigs 'cat >/dev/null; yes | head -1 >/dev/null; echo to-the-log >&2; s=$(grep -E "^Sig(Blk|Ign):" /proc/$$/status | tr -d "\t\n"); echo "\"$s\""'
task sigs.json sigs
"$baton" function create sigs --command "$tmp/sigs" --db "$db"
run sigs.json
[ "$(field "$tmp/out" output)" = SigBlk:0000000000000000SigIgn:0000000000000000 ]
check "default signal dispositions and mask" $?
grep -q 'msg="to-the-log"' "$tmp/err" && ! grep -q "Broken pipe" "$tmp/err"
check "stderr lines logged, no EPIPE from yes" $?

# The timeout kills the process group, grandchildren included; so does
# the function's exit (a grandchild holding stdout cannot keep the call).
dead() { # pid: gone or a zombie
    st=$(sed -n 's/^State:\t\(.\).*/\1/p' "/proc/$1/status" 2>/dev/null)
    [ -z "$st" ] || [ "$st" = Z ]
}
fn grandkid "cat >/dev/null; sleep 30 & echo \$! >$tmp/grandkid.pid; wait"
fn orphan "cat >/dev/null; sleep 30 & echo \$! >$tmp/orphan.pid; echo 1"
for f in grandkid orphan; do
    task "$f.json" "$f"
    "$baton" function create "$f" --command "$tmp/$f" --timeout 10 --db "$db"
done
"$baton" function update grandkid --timeout 1 --db "$db"
start=$(date +%s)
run grandkid.json
[ "$(field "$tmp/out" error)" = Sandbox.Timedout ] &&
    [ $(($(date +%s) - start)) -lt 5 ] && dead "$(cat "$tmp/grandkid.pid")"
check "timeout kills a grandchild" $?
start=$(date +%s)
run orphan.json
[ "$(field "$tmp/out" output)" = 1 ] && [ $(($(date +%s) - start)) -lt 5 ] &&
    dead "$(cat "$tmp/orphan.pid")"
check "exit kills the group" $?

# Concurrency 1: four items of 0.3 s each cannot overlap.
fn nap 'cat >/dev/null; sleep 0.3; echo 1'
"$baton" function create nap --command "$tmp/nap" --concurrency 1 --db "$db"
printf '{"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:nap","End":true}}},"End":true}}}\n' >"$tmp/map.json"
start=$(python3 -c 'import time; print(time.time())')
run map.json --input '[1,2,3,4]'
python3 -c 'import sys,time; assert time.time() - float(sys.argv[1]) >= 1.2' "$start"
check "per-function concurrency" $?

"$baton" function delete nap --db "$db"
check "delete" $?
"$baton" function delete nap --db "$db" 2>/dev/null
check "delete unknown fails" $(($? != 1))

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
