/*
 * Pathological JSONata expressions (after cmark's pathological tests): deep
 * and endless recursion, huge ranges, catastrophic regular expressions,
 * deeply nested literals and expressions that explode memory. Each must end
 * in a bounded time with the reference's error code (D2014 for a range over
 * 10^7 items, as in the suite's range-operator cases) or with the limit code
 * U1001 (SL_JSONATA_ELIMIT), never crash or hang; every check measures that
 * it finished within CHECK_BUDGET_MS on the monotonic clock.
 *
 * Evaluations run with a real clock and a small heap (LIMIT_HEAP_BYTES),
 * as an engine would run a user's expression.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "statelang/sl_jsonata_int.h"

enum {
    CHECK_BUDGET_MS = 5000, /* "a few seconds", also under ASan */
    LIMIT_TIME_MS = 200,
    LIMIT_DEPTH = 1000,
    NEST = 100000, /* nesting of the deep literals */
};
#define LIMIT_HEAP_BYTES ((size_t)64 << 20)

/* ---- Helpers ------------------------------------------------------------- */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t elapsed_ms(void *ctx)
{
    return now_ms() - *(const int64_t *)ctx;
}

typedef struct limits {
    int max_depth;         /* 0: none */
    int64_t time_limit_ms; /* 0: none */
    size_t heap_bytes;     /* 0: the evaluator's default (1 GiB) */
    size_t stack_bytes;    /* 0: the evaluator's default (4 MiB) */
    json_object *input;    /* borrowed, may be NULL (no input) */
    bool aws;              /* the AWS functions (and no $eval) */
} limits;

/* What every check runs with unless it says otherwise. */
static const limits standard = {
    .max_depth = LIMIT_DEPTH,
    .time_limit_ms = LIMIT_TIME_MS,
    .heap_bytes = LIMIT_HEAP_BYTES,
    .aws = true,
};

/* Parses and evaluates text of len bytes. Returns a new string: "error
 * CODE (message)", "undefined" or "value", after checking that it took less
 * than CHECK_BUDGET_MS and that an error has a non-empty message. */
static char *run_len(const limits *l, const char *text, size_t len)
{
    int64_t started = now_ms();
    sl_jsonata *expr = NULL;
    sl_jsonata_error err;
    char *r;
    if (sl_jsonata_parse(text, len, &expr, &err) != 0) {
        r = bt_xasprintf("error %s (%s)", err.code, err.message);
    } else {
        sl_jsonata_env env = {
            .input = l->input,
            .has_input = l->input != NULL,
            .aws_functions = l->aws,
            .max_depth = l->max_depth,
            .time_limit_ms = l->time_limit_ms,
            .elapsed_ms = elapsed_ms,
            .clock_ctx = &started,
            .heap_bytes = l->heap_bytes,
            .stack_bytes = l->stack_bytes,
        };
        json_object *out = NULL;
        bool undefined = false;
        if (sl_jsonata_eval(expr, &env, &out, &undefined, &err) != 0)
            r = bt_xasprintf("error %s (%s)", err.code, err.message);
        else
            r = bt_xstrdup(undefined ? "undefined" : "value");
        json_object_put(out);
        sl_jsonata_free(expr);
    }
    int64_t took = now_ms() - started;
    if (strncmp(r, "error ", 6) == 0) {
        if (!err.message || !err.message[0])
            fail_msg("'%.60s': %s without a message", text, r);
        sl_jsonata_error_fini(&err);
    }
    if (took >= CHECK_BUDGET_MS)
        fail_msg("'%.60s' took %lld ms (%s)", text, (long long)took, r);
    return r;
}

/* want: "error CODE", "undefined", "value", or "any" (any outcome, as
 * long as it comes in time). */
static void expect_len(const limits *l, const char *text, size_t len,
                       const char *want)
{
    char *got = run_len(l, text, len);
    size_t n = strlen(want);
    bool same = strncmp(got, want, n) == 0 && (got[n] == '\0' || got[n] == ' ');
    if (strcmp(want, "any") != 0 && !same)
        fail_msg("'%.60s'\n  want %s\n  got  %s", text, want, got);
    free(got);
}

static void expect_l(const limits *l, const char *text, const char *want)
{
    expect_len(l, text, strlen(text), want);
}

static void expect(const char *text, const char *want)
{
    expect_l(&standard, text, want);
}

/* A new string: open repeated n times, then middle, then close n times. */
static char *nested(const char *open, const char *middle, const char *close,
                    size_t n)
{
    bt_buf b;
    bt_buf_init(&b);
    for (size_t i = 0; i < n; i++)
        bt_buf_puts(&b, open);
    bt_buf_puts(&b, middle);
    for (size_t i = 0; close[0] && i < n; i++)
        bt_buf_puts(&b, close);
    return bt_buf_take(&b);
}

static void expect_nested(const char *open, const char *middle,
                          const char *close, size_t n, const char *want)
{
    char *text = nested(open, middle, close, n);
    expect(text, want);
    free(text);
}

/* ---- Recursion ----------------------------------------------------------- */

#define COUNT_DOWN(call)                                                       \
    "($f := function($n){$n = 0 ? 0 : 1 + " call "}; $f(100000))"

static void test_deep_recursion(void **state)
{
    (void)state;
    /* the depth limit stops it */
    expect(COUNT_DOWN("$f($n - 1)"), "error U1001");
    /* without one, the C stack budget does, both the default 4 MiB and a
     * small one */
    limits no_depth = standard;
    no_depth.max_depth = 0;
    expect_l(&no_depth, COUNT_DOWN("$f($n - 1)"), "error U1001");
    no_depth.stack_bytes = 256u << 10;
    expect_l(&no_depth, COUNT_DOWN("$f($n - 1)"), "error U1001");
    /* recursion through built-ins that call back (C frames in between) */
    no_depth.stack_bytes = 0;
    expect_l(&no_depth,
             COUNT_DOWN("$sum($map([$n - 1], function($m){$f($m)}))"),
             "error U1001");
    expect_l(&no_depth,
             COUNT_DOWN("$reduce([$n - 1, 0], function($a, $b){$f($a)})"),
             "error U1001");
    expect_l(&no_depth,
             COUNT_DOWN("$count($sort([$n - 1, $n], function($a, $b)"
                        "{$f($a) > 0}))"),
             "error U1001");
    /* a bound small enough to finish is not in the way */
    expect("($f := function($n){$n = 0 ? 0 : 1 + $f($n - 1)}; $f(300))",
           "value");
}

static void test_endless_loops(void **state)
{
    (void)state;
    /* tail calls run without depth: only the time limit stops them */
    expect("($inf := function(){$inf()}; $inf())", "error U1001");
    expect("($f := function($n){$f($n + 1)}; $f(0))", "error U1001");
    expect("($a := function(){$b()}; $b := function(){$a()}; $a())",
           "error U1001");
    /* long but finite work: the time or the heap limit stops it */
    expect("$sum([1..10000].$sum([1..10000]))", "error U1001");
    expect("$count([1..3000].([1..3000].($ * 2)))", "error U1001");
    expect("$reduce([1..1000000], function($a, $b){$a + $b}) + "
           "$reduce([1..1000000], function($a, $b){$a + $b}) + "
           "$reduce([1..1000000], function($a, $b){$a + $b}) + "
           "$reduce([1..1000000], function($a, $b){$a + $b})",
           "error U1001");
}

/* ---- Ranges -------------------------------------------------------------- */

static void test_huge_ranges(void **state)
{
    (void)state;
    /* the reference refuses ranges over 10^7 items (range-operator
     * case022, case023) */
    expect("[1..100000000]", "error D2014");
    expect("[0..10000000] ~> $count()", "error D2014");
    expect("[1..10000001] ~> $count()", "error D2014");
    expect("[-1e15..1e15]", "error D2014");
    /* 10^7 items are allowed but do not fit in the heap limit */
    expect("[1..10000000] ~> $count()", "error U1001");
    expect("[1..5000000, 1..5000000] ~> $count()", "error U1001");
    /* nor do many ranges that are each allowed */
    expect("$count([1..100].[1..1000000])", "error U1001");
    /* $range (AWS) must not build what the operator refuses */
    expect("$count($range(0, 1e9, 1))", "any");
    expect("$count($range(0, 1e15, 1))", "any");
    expect("$count($range(0, 1, 1e-300))", "any");
}

/* ---- Regular expressions ------------------------------------------------- */

#define EVIL_SUBJECT "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!\""

static void test_catastrophic_regex(void **state)
{
    (void)state;
    /* exponential backtracking: PCRE2's match limit ends it with or
     * without a result; the reference would hang */
    limits l = standard;
    l.time_limit_ms = 1000;
    expect_l(&l, "$match(" EVIL_SUBJECT ", /(a+)+$/)", "any");
    expect_l(&l, "$match(" EVIL_SUBJECT ", /(a|a)+$/)", "any");
    expect_l(&l, "$match(" EVIL_SUBJECT ", /^(a|a?)+$/)", "any");
    expect_l(&l, "$contains(" EVIL_SUBJECT ", /(a+)+$/)", "any");
    expect_l(&l, "$replace(" EVIL_SUBJECT ", /(a+)+$/, 'x')", "any");
    expect_l(&l, "$split(" EVIL_SUBJECT ", /(a+)+$/)", "any");
    expect_l(&l, "$match($join([1..2000].('a')) & '!', /(a+)+$/)", "any");
    /* a match limit is an error, not "no match" */
    expect_l(&l, "$contains(" EVIL_SUBJECT ", /(a+)+$/)", "error U1001");
    /* ordinary backtracking stays well inside it */
    expect_l(&l, "$contains('aaaab', /(a+)+b$/)", "value");
}

static void test_catastrophic_regex_repeated(void **state)
{
    (void)state;
    /* many catastrophic matches: the first to reach PCRE2's match limit
     * ends the evaluation (U1001), and the clock is read after every
     * match, so the time limit holds too */
    expect("[1..1000].$match(" EVIL_SUBJECT ", /(a+)+$/)", "error U1001");
    expect("$string([1..1000].$contains(" EVIL_SUBJECT ", /(a+)+$/))",
           "error U1001");
}

/* ---- Deeply nested expressions ------------------------------------------- */

static void test_deep_literals(void **state)
{
    (void)state;
    /* every nesting fails at parse, not with a crash */
    expect_nested("[", "1", "]", NEST, "error U1001");
    expect_nested("(", "1", ")", NEST, "error U1001");
    expect_nested("{\"a\":", "1", "}", NEST, "error U1001");
    expect_nested("-", "1", "", NEST, "error U1001");
    expect_nested("$string(", "1", ")", NEST, "error U1001");
    expect_nested("function($x){", "1", "}", NEST, "error U1001");
    expect_nested("true ? ", "1", " : 0", NEST, "error U1001");
    expect_nested("$x := ", "1", "", NEST, "error U1001");
    expect_nested("a[", "1", "]", NEST, "error U1001");
    /* left-deep trees come out of a loop in the parser, not recursion */
    expect_nested("", "1", " + 1", NEST, "error U1001");
    expect_nested("", "a", ".a", NEST, "error U1001");
    expect_nested("", "a", "[0]", NEST, "error U1001");
    expect_nested("", "1", " ~> $string()", NEST, "error U1001");
    /* a nesting within the limit is fine */
    expect_nested("[", "1", "]", 100, "value");
    /* text over SL_JSONATA_MAX_BYTES */
    size_t len = SL_JSONATA_MAX_BYTES + 1;
    char *text = bt_xmalloc(len);
    memset(text, ' ', len);
    text[0] = '1';
    expect_len(&standard, text, len, "error U1001");
    free(text);
    /* the same text handed to $eval at run time */
    char *inner = nested("[", "1", "]", NEST);
    char *outer = bt_xasprintf("$eval('%s')", inner);
    limits no_aws = standard;
    no_aws.aws = false; /* AWS has no $eval */
    /* the reference's code for any syntax error inside $eval */
    expect_l(&no_aws, outer, "error D3120");
    free(outer);
    free(inner);
}

static void test_deep_input(void **state)
{
    (void)state;
    /* $parse (AWS) of deeply nested JSON text */
    char *json = nested("[", "1", "]", NEST);
    char *expr = bt_xasprintf("$parse('%s')", json);
    expect(expr, "any");
    free(expr);
    free(json);
}

/* ---- Memory -------------------------------------------------------------- */

static void test_memory_explosion(void **state)
{
    (void)state;
    expect("$join($map([1..10000000], function($x){\"xxxxxxxxxx\"}))",
           "error U1001");
    expect("$join($map([1..1000000], function($x){"
           "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
           "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}))",
           "error U1001");
    /* doubling strings, arrays and objects */
    expect("$reduce([1..64], function($a, $b){$a & $a}, 'x')", "error U1001");
    expect("$count($reduce([1..64], function($a, $b){$append($a, $a)}, "
           "[1]))",
           "error U1001");
    expect("$reduce([1..64], function($a, $b){$merge([$a, {$string($b): "
           "$a}])}, {}) ~> $count()",
           "any");
    /* repetition inside one built-in call */
    expect("$length($join([1..10000].$string($)))", "value");
}

static void test_memory_in_one_call(void **state)
{
    (void)state;
    /* a built-in that builds a large value in one call: the heap limit is
     * checked again when it returns ($split of 5 * 10^6 strings), and
     * $pad checks before it builds (it could otherwise make gigabytes, or
     * a string longer than 32 bits can count) */
    expect("$count($split($join([1..100000].("
           "'abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmn')), ''))",
           "error U1001");
    expect("$length($pad('x', 1e8))", "error U1001");
    expect("$length($pad('x', 1e9))", "error U1001");
    expect("$length($pad('x', -1e9))", "error U1001");
    expect("$length($pad('x', 5e9))", "error U1001");
}

/* A value that shares itself: 2^64 leaves in 64 objects. */
#define SHARED_TREE "$reduce([1..64], function($a, $b){{'l': $a, 'r': $a}}, 1)"
#define SHARED_TREE2 "$reduce([1..64], function($a, $b){{'l': $a, 'r': $a}}, 2)"

/* Values nested 300 000 deep (built in a loop, not by recursion). */
#define DEEP_VALUE "$reduce([1..300000], function($a, $b){{'a': $a}}, {})"
#define DEEP_VALUE2                                                            \
    "$reduce([1..300000], function($a, $b){{'a': $a}}, {'x': 1})"

static void test_shared_and_deep_values(void **state)
{
    (void)state;
    /* walks that stay on the surface */
    expect("$count($keys(" SHARED_TREE "))", "value");
    expect("$boolean(" SHARED_TREE ")", "value");
    expect("$each(" SHARED_TREE ", function($v){1})", "value");
    expect("(" SHARED_TREE ") = " SHARED_TREE2, "value");
    /* deep values over the heap limit */
    expect("$count($reduce([1..1000000], function($a, $b){{'a': $a}}, {}))",
           "error U1001");
}

static void test_walks_over_values(void **state)
{
    (void)state;
    /* walks over a value (conversion to JSON, $string, =, $distinct,
     * $clone, .**, transforms) are bounded like evaluation steps: shared
     * parts cannot expand into gigabytes or hours, deep values cannot
     * overflow the C stack, and every such error has a message */
    expect(SHARED_TREE, "error U1001");
    expect("$string(" SHARED_TREE ")", "error U1001");
    expect("(" SHARED_TREE ") = " SHARED_TREE, "error U1001");
    expect("$count($distinct([" SHARED_TREE ", " SHARED_TREE "]))",
           "error U1001");
    expect("$count($clone(" SHARED_TREE "))", "error U1001");
    expect("$count((" SHARED_TREE ").**)", "error U1001");
    expect("$count(" SHARED_TREE " ~> | ** | {'x': 1} |)", "error U1001");
    limits big = {.heap_bytes = 0, .aws = true};
    expect_l(&big, "$count((" DEEP_VALUE ").**)", "error U1001");
    expect_l(&big, "(" DEEP_VALUE ") = " DEEP_VALUE2, "error U1001");
    expect_l(&big, "$count($distinct([" DEEP_VALUE ", " DEEP_VALUE2 "]))",
             "error U1001");
    expect("$reduce([1..5000], function($a, $b){{'a': $a}}, {})",
           "error U1001");
    expect("$string($reduce([1..5000], function($a, $b){{'a': $a}}, {}))",
           "error U1001");
    /* a document nested deeper than the evaluator converts */
    json_object *doc = json_object_new_int(1);
    for (int i = 0; i < 5000; i++) {
        json_object *a = json_object_new_array();
        json_object_array_add(a, doc);
        doc = a;
    }
    limits l = standard;
    l.input = doc;
    expect_l(&l, "$count($)", "error U1001");
    json_object_put(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deep_recursion),
        cmocka_unit_test(test_endless_loops),
        cmocka_unit_test(test_huge_ranges),
        cmocka_unit_test(test_catastrophic_regex),
        cmocka_unit_test(test_catastrophic_regex_repeated),
        cmocka_unit_test(test_deep_literals),
        cmocka_unit_test(test_deep_input),
        cmocka_unit_test(test_memory_explosion),
        cmocka_unit_test(test_memory_in_one_call),
        cmocka_unit_test(test_shared_and_deep_values),
        cmocka_unit_test(test_walks_over_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
