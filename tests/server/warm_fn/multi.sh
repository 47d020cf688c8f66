# The handler: what it does depends on the event's "mode".
# $1 is the event file; the result goes to stdout; exit 2 reports an error.
handler() {
    mode=$(sed -n 's/.*"mode": *"\([a-z]*\)".*/\1/p' "$1")
    if [ -n "${CALLS:-}" ]; then
        echo "start $$ $(date +%s.%N)" >> "$CALLS"
    fi
    case $mode in
    hang) sleep 30 ;;
    crash) exit 3 ;;
    slow) sleep 1 ;;
    big) printf '"'; head -c 7000000 /dev/zero | tr '\0' a; printf '"'
         return 0 ;;
    fail) printf '{"errorMessage":"card declined","errorType":"Payment.Declined","stackTrace":[]}'
          return 2 ;;
    esac
    if [ -n "${CALLS:-}" ]; then
        echo "end $$ $(date +%s.%N)" >> "$CALLS"
    fi
    printf '{"pid":%s,"arn":"%s","deadline":%s,"trace":"%s","event":%s}' \
        "$$" "$FUNCTION_ARN" "$DEADLINE_MS" "$TRACE_ID" "$(cat "$1")"
}
