/*
 * Tests for intrinsic function evaluation (sl_intrinsic_eval).
 *
 * Expected values come from the ASL reference §4.3 (its [AWS] vectors and
 * function definitions), RFC 4648 §10 (Base64), well-known digests, the
 * SplitMix64 reference output for seed 0, and hand computation from the
 * documented algorithms (UUID byte order, rejection sampling). Cases that
 * pin a choice of ours say so.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "statelang/sl_path_int.h"

/* ---- Helpers ------------------------------------------------------------- */

static json_object *parse_json(const char *text)
{
    json_object *v = NULL;
    bt_json_error e;
    if (bt_json_parse(text, strlen(text), BT_LIMIT_JSON_DEPTH, &v, &e) != 0)
        fail_msg("bad test JSON %s: %s", text, e.message);
    return v;
}

/* Random draws handed out in order; running out fails the test. */
typedef struct stub_rng {
    const uint64_t *draws;
    size_t n, used;
} stub_rng;

static uint64_t stub_next(void *ud)
{
    stub_rng *s = ud;
    if (s->used >= s->n)
        fail_msg("the call drew more random numbers than the test gave");
    return s->draws[s->used++];
}

static bool var_lookup(void *ud, const char *name, json_object **v)
{
    return json_object_object_get_ex(ud, name, v);
}

static const char *const context_doc =
    "{\"Execution\":{\"Id\":\"arn:exec\",\"Input\":{\"k\":1}},"
    "\"State\":{\"Name\":\"S\"}}";
static const char *const vars_doc = "{\"greeting\":\"hi\",\"n\":[4,5]}";

typedef struct run {
    int rc;
    json_object *out;
    char *cause;
    size_t draws_used;
} run;

/* Parses expr and evaluates it over input (JSON text), the fixed context
 * and variables above, and the given random draws. Checks that the input
 * is unchanged and that out/cause are written only as promised. */
static run eval_with(const char *expr, const char *input, const uint64_t *draws,
                     size_t ndraws)
{
    sl_intrinsic *call = NULL;
    char *perr = NULL;
    if (sl_intrinsic_parse(expr, &call, &perr) != 0)
        fail_msg("'%s' should parse: %s", expr, perr);
    json_object *in = parse_json(input ? input : "{}");
    json_object *ctx = parse_json(context_doc), *vars = parse_json(vars_doc);
    char *before = bt_xstrdup(bt_json_compact(in));
    sl_path_env env = {in, ctx, var_lookup, vars, NULL};
    stub_rng s = {draws, ndraws, 0};
    sl_rand rng = {stub_next, &s};
    json_object *sentinel = json_object_new_string("sentinel");
    run r = {0, sentinel, NULL, 0};
    r.rc = sl_intrinsic_eval(call, &env, &rng, &r.out, &r.cause);
    r.draws_used = s.used;
    if (r.rc == 0) {
        assert_null(r.cause);
        json_object_put(sentinel);
    } else {
        assert_ptr_equal(r.out, sentinel);
        json_object_put(sentinel);
        r.out = NULL;
        assert_non_null(r.cause);
    }
    assert_string_equal(before, bt_json_compact(in));
    free(before);
    json_object_put(in);
    json_object_put(ctx);
    json_object_put(vars);
    sl_intrinsic_free(call);
    return r;
}

static run eval(const char *expr, const char *input)
{
    return eval_with(expr, input, NULL, 0);
}

/* Succeeds with a value equal to want (json-c equality: types must match,
 * so 3 is not 3.0; member order does not matter). */
static void check(const char *expr, const char *input, const char *want)
{
    run r = eval(expr, input);
    if (r.rc != 0)
        fail_msg("%s failed: %s", expr, r.cause);
    json_object *w = parse_json(want);
    if (!json_object_equal(r.out, w))
        fail_msg("%s: got %s, want %s", expr, bt_json_compact(r.out), want);
    json_object_put(w);
    json_object_put(r.out);
}

/* Succeeds with a string result equal to want. */
static void check_str(const char *expr, const char *input, const char *want)
{
    run r = eval(expr, input);
    if (r.rc != 0)
        fail_msg("%s failed: %s", expr, r.cause);
    if (!json_object_is_type(r.out, json_type_string))
        fail_msg("%s: got %s, want a string", expr, bt_json_compact(r.out));
    assert_string_equal(json_object_get_string(r.out), want);
    json_object_put(r.out);
}

/* Succeeds and prints exactly as want (number representation checks). */
static void check_text(const char *expr, const char *input, const char *want)
{
    run r = eval(expr, input);
    if (r.rc != 0)
        fail_msg("%s failed: %s", expr, r.cause);
    assert_string_equal(bt_json_compact(r.out), want);
    json_object_put(r.out);
}

/* Fails with code rc and a cause equal to want (or containing it when
 * exact is false). */
static void check_fail_rc(const char *expr, const char *input, int rc,
                          const char *want, bool exact)
{
    run r = eval(expr, input);
    if (r.rc == 0)
        fail_msg("%s should fail, got %s", expr, bt_json_compact(r.out));
    assert_int_equal(r.rc, rc);
    if (exact ? strcmp(r.cause, want) != 0 : !strstr(r.cause, want))
        fail_msg("%s: cause '%s', want %s'%s'", expr, r.cause,
                 exact ? "" : "it to contain ", want);
    free(r.cause);
}

static void check_fail(const char *expr, const char *input, const char *want)
{
    check_fail_rc(expr, input, BT_EINVAL, want, true);
}

static void check_fail_has(const char *expr, const char *input,
                           const char *want)
{
    check_fail_rc(expr, input, BT_EINVAL, want, false);
}

/* A JSON document {"s": "<n copies of unit>"}. */
static char *doc_with_repeated(const char *unit, size_t n)
{
    bt_buf b;
    bt_buf_init(&b);
    bt_buf_puts(&b, "{\"s\":\"");
    for (size_t i = 0; i < n; i++)
        bt_buf_puts(&b, unit);
    bt_buf_puts(&b, "\"}");
    return bt_buf_take(&b);
}

/* ---- Arguments and evaluation ------------------------------------------- */

static void test_argument_sources(void **state)
{
    (void)state;
    check("States.Array($.Id)", "{\"Id\":123456}", "[123456]");
    check("States.Array()", NULL, "[]");
    check("States.Array(1, 'a', null, true, false, 2.5, $.o, States.Array(2))",
          "{\"o\":{\"x\":[]}}", "[1,\"a\",null,true,false,2.5,{\"x\":[]},[2]]");
    check("States.Array($$.Execution.Id, $$.State.Name)", NULL,
          "[\"arn:exec\",\"S\"]");
    check("States.Array($greeting, $n[1])", NULL, "[\"hi\",5]");
    check("States.Array($)", "[1,2]", "[[1,2]]");
    /* An indefinite path yields an array of its matches. */
    check("States.Array($.a[*].b)", "{\"a\":[{\"b\":1},{\"b\":2}]}", "[[1,2]]");
    check("States.ArrayLength(States.ArrayRange(1, 5, 1))", NULL, "5");
    check_str("States.Format('{}', States.MathAdd(1, 2))", NULL, "3");
}

static void test_missing_paths(void **state)
{
    (void)state;
    check_fail_rc("States.Array($.missing)", "{\"a\":1}", BT_ENOENT, "missing",
                  false);
    check_fail_rc("States.Format('{}', States.Array($.a.b))", "{\"a\":{}}",
                  BT_ENOENT, "$['a']['b']", false);
    check_fail_rc("States.Array($$.Nope)", NULL, BT_ENOENT, "Nope", false);
    /* A path to an existing null is a value, not an error. */
    check("States.Array($.a)", "{\"a\":null}", "[null]");
}

static void test_nested_failure_propagates(void **state)
{
    (void)state;
    check_fail("States.Array(States.ArrayGetItem(States.Array(), 0))", NULL,
               "The States.ArrayGetItem function's second argument is out of "
               "range: index 0, array length 0");
}

/* The parsed call may be shared: results never alias its literals. */
static void test_literals_are_copied(void **state)
{
    (void)state;
    sl_intrinsic *call = NULL;
    assert_int_equal(sl_intrinsic_parse("States.Array(1, 'a')", &call, NULL),
                     0);
    sl_path_env env = {NULL, NULL, NULL, NULL, NULL};
    json_object *r1 = NULL, *r2 = NULL;
    assert_int_equal(sl_intrinsic_eval(call, &env, NULL, &r1, NULL), 0);
    json_object_set_int64(json_object_array_get_idx(r1, 0), 99);
    json_object_set_string(json_object_array_get_idx(r1, 1), "changed");
    assert_int_equal(sl_intrinsic_eval(call, &env, NULL, &r2, NULL), 0);
    assert_string_equal(bt_json_compact(r2), "[1,\"a\"]");
    json_object_put(r1);
    json_object_put(r2);
    sl_intrinsic_free(call);
}

/* A NULL cause pointer is allowed and nothing leaks. */
static void test_failure_without_cause_pointer(void **state)
{
    (void)state;
    sl_intrinsic *call = NULL;
    assert_int_equal(sl_intrinsic_parse("States.ArrayLength('x')", &call, NULL),
                     0);
    sl_path_env env = {NULL, NULL, NULL, NULL, NULL};
    json_object *out = NULL;
    assert_int_equal(sl_intrinsic_eval(call, &env, NULL, &out, NULL),
                     BT_EINVAL);
    assert_null(out);
    sl_intrinsic_free(call);
}

/* Values deeper than any parse allows (built here by hand) are refused by
 * the functions that walk them, not recursed into without bound. */
static void test_depth_limit(void **state)
{
    (void)state;
    json_object *deep = json_object_new_int(1);
    for (int i = 0; i < 300; i++) {
        json_object *wrap = json_object_new_array();
        json_object_array_add(wrap, deep);
        deep = wrap;
    }
    json_object *in = json_object_new_object();
    json_object_object_add(in, "d", deep);
    sl_path_env env = {in, NULL, NULL, NULL, NULL};
    const char *exprs[] = {"States.Format('{}', $.d)",
                           "States.ArrayContains(States.Array(1), $.d)",
                           "States.ArrayUnique(States.Array($.d))"};
    for (size_t i = 0; i < sizeof exprs / sizeof exprs[0]; i++) {
        sl_intrinsic *call = NULL;
        assert_int_equal(sl_intrinsic_parse(exprs[i], &call, NULL), 0);
        json_object *out = NULL;
        char *cause = NULL;
        assert_int_equal(sl_intrinsic_eval(call, &env, NULL, &out, &cause),
                         BT_EINVAL);
        assert_non_null(strstr(cause, "cannot process values nested more "
                                      "than 267 levels deep"));
        free(cause);
        sl_intrinsic_free(call);
    }
    json_object_put(in);
}

/* ---- States.Format --------------------------------------------------------
 */

static void test_format_basics(void **state)
{
    (void)state;
    const char *in = "{\"name\":\"Arnav\",\"template\":\"Hello, my name is "
                     "{}.\"}";
    check_str("States.Format('Hello, my name is {}.', $.name)", in,
              "Hello, my name is Arnav.");
    check_str("States.Format($.template, $.name)", in,
              "Hello, my name is Arnav.");
    check_str("States.Format('no placeholders')", NULL, "no placeholders");
    check_str("States.Format('')", NULL, "");
    check_str("States.Format('{}{}', 'a', 'b')", NULL, "ab");
    /* A value that contains {} is not expanded again. */
    check_str("States.Format('{} {}', '{}', 'x')", NULL, "{} x");
    check_str("States.Format('héllo {} ✓', 'wörld')", NULL, "héllo wörld ✓");
}

static void test_format_rendering(void **state)
{
    (void)state;
    check_str("States.Format('{} {} {} {} {} {}', 'str', 1, 1.1, null, true, "
              "false)",
              NULL, "str 1 1.1 null true false");
    check_str("States.Format('{} {}', -5, -0.25)", NULL, "-5 -0.25");
    check_str("States.Format('{}', $.o)", "{\"o\":{\"Arg1\":1,\"Arg2\":[]}}",
              "{Arg1=1, Arg2=[]}");
    check_str("States.Format('{}', $.a)",
              "{\"a\":[1,\"b\",{\"c\":null},[2,3]]}",
              "[1, b, {c=null}, [2, 3]]");
    check_str("States.Format('{}', $.o)",
              "{\"o\":{\"x\":{\"y\":{\"z\":\"w\"}}}}", "{x={y={z=w}}}");
    check_str("States.Format('{} {}', $.e, $.f)", "{\"e\":{},\"f\":[]}",
              "{} []");
    /* Numbers from the input print as the input wrote them. */
    check_str("States.Format('{} {}', $.d, $.big)",
              "{\"d\":1.1,\"big\":12345678901234567890}",
              "1.1 12345678901234567890");
    /* Ours: a literal decimal prints in its shortest form and stays a
     * decimal. */
    check_str("States.Format('{} {} {}', 2.50, 1.0, 1e2)", NULL,
              "2.5 1.0 100.0");
    check_str("States.Format('{} {} {}', 1.5e-5, 0.1, 123456.789)", NULL,
              "0.000015 0.1 123456.789");
    check_str("States.Format('{} {}', 1e21, -2.5e-300)", NULL,
              "1e+21 -2.5e-300");
}

static void test_format_escapes(void **state)
{
    (void)state;
    /* Intrinsic text: '\{\} {} \\ \'q\'' */
    check_str("States.Format('\\{\\} {} \\\\ \\'q\\'', 'x')", NULL,
              "{} x \\ 'q'");
    check_str("States.Format('a\\{}b')", NULL, "a{}b");
    check_str("States.Format('a{\\}b')", NULL, "a{}b");
    check_str("States.Format('\\\\{}', 1)", NULL, "\\1");
    check_fail("States.Format('{ } {', 'x')", NULL,
               "The States.Format function's first argument has 0 "
               "placeholders {} but 1 value was given");
    /* Ours: a template from a path has no escapes; a backslash is a
     * backslash and {} is a placeholder. */
    check_str("States.Format($.t, 1)", "{\"t\":\"a\\\\{}\"}", "a\\1");
}

static void test_format_errors(void **state)
{
    (void)state;
    check_fail("States.Format('{} {}', 1)", NULL,
               "The States.Format function's first argument has 2 "
               "placeholders {} but 1 value was given");
    check_fail("States.Format('{}', 1, 2)", NULL,
               "The States.Format function's first argument has 1 "
               "placeholder {} but 2 values were given");
    check_fail("States.Format('x\\{}', 1)", NULL,
               "The States.Format function's first argument has 0 "
               "placeholders {} but 1 value was given");
    check_fail("States.Format(1)", NULL,
               "The States.Format function's first argument must be a string");
    check_fail("States.Format($.t, 'a')", "{\"t\":null}",
               "The States.Format function's first argument must be a string");
}

/* States.Format('{}{}...', $.s, $.s, ...) with n placeholders. */
static char *format_copies(int n)
{
    bt_buf b;
    bt_buf_init(&b);
    bt_buf_puts(&b, "States.Format('");
    for (int i = 0; i < n; i++)
        bt_buf_puts(&b, "{}");
    bt_buf_puts(&b, "'");
    for (int i = 0; i < n; i++)
        bt_buf_puts(&b, ", $.s");
    bt_buf_puts(&b, ")");
    return bt_buf_take(&b);
}

/* Ours: a template over a large input cannot build more than 16 MiB. */
static void test_format_size_guard(void **state)
{
    (void)state;
    char *doc = doc_with_repeated("a", 1u << 20);
    char *too_big = format_copies(17), *just_fits = format_copies(16);
    check_fail(too_big, doc,
               "The States.Format function would return more than 16777216 "
               "bytes");
    run r = eval(just_fits, doc);
    assert_int_equal(r.rc, 0);
    assert_int_equal(json_object_get_string_len(r.out), 16u << 20);
    json_object_put(r.out);
    free(too_big);
    free(just_fits);
    free(doc);
}

/* ---- StringToJson / JsonToString ----------------------------------------- */

static void test_string_to_json(void **state)
{
    (void)state;
    check("States.StringToJson($.s)", "{\"s\":\"{\\\"foo\\\": \\\"bar\\\"}\"}",
          "{\"foo\":\"bar\"}");
    check("States.StringToJson('')", NULL, "null");
    check("States.StringToJson('   ')", NULL, "null");
    check("States.StringToJson($.s)", "{\"s\":\" \\t\\r\\n \"}", "null");
    check("States.StringToJson('null')", NULL, "null");
    check_text("States.StringToJson('-0')", NULL, "0");
    check("States.StringToJson('-0')", NULL, "0");
    check_text("States.StringToJson('1.1')", NULL, "1.1");
    check("States.StringToJson('\"HelloWorld\"')", NULL, "\"HelloWorld\"");
    check("States.StringToJson('[1, 2, {\"a\": [true]}]')", NULL,
          "[1,2,{\"a\":[true]}]");
    check("States.StringToJson(' 42 ')", NULL, "42");
    /* A number beyond double range keeps its text. */
    check_text("States.StringToJson('[1e400]')", NULL, "[1e400]");
}

static void test_string_to_json_errors(void **state)
{
    (void)state;
    check_fail_has("States.StringToJson('{')", NULL,
                   "The States.StringToJson function's argument must be JSON "
                   "text: ");
    check_fail_has("States.StringToJson('nope')", NULL, "must be JSON text");
    check_fail_has("States.StringToJson('1 2')", NULL, "must be JSON text");
    check_fail_has("States.StringToJson('[1,]')", NULL, "must be JSON text");
    check_fail("States.StringToJson('NaN')", NULL,
               "The States.StringToJson function's argument must be JSON "
               "text: NaN and Infinity are not JSON numbers");
    check_fail_has("States.StringToJson('[-Infinity]')", NULL,
                   "NaN and Infinity");
    check_fail("States.StringToJson(1)", NULL,
               "The States.StringToJson function's argument must be a string");
    check_fail("States.StringToJson($.o)", "{\"o\":{}}",
               "The States.StringToJson function's argument must be a string");
}

static void test_json_to_string(void **state)
{
    (void)state;
    check_str("States.JsonToString($.o)", "{\"o\":{\"Arg1\":1,\"Arg2\":[]}}",
              "{\"Arg1\":1,\"Arg2\":[]}");
    check_str("States.JsonToString($.a)", "{\"a\":[1,2,\"HelloWorld\"]}",
              "[1,2,\"HelloWorld\"]");
    check_str("States.JsonToString($.n)", "{\"n\":null}", "null");
    check_str("States.JsonToString($.s)", "{\"s\":\"HelloWorld\"}",
              "\"HelloWorld\"");
    check_str("States.JsonToString($.u)", "{\"u\":{\"url\":\"a/b\"}}",
              "{\"url\":\"a/b\"}");
    check_str("States.JsonToString($.d)", "{\"d\":1.10}", "1.10");
    check_str("States.JsonToString(States.StringToJson('{\"a\" : [ 1 ]}'))",
              NULL, "{\"a\":[1]}");
    check_fail_rc("States.JsonToString($.missing)", "{}", BT_ENOENT, "missing",
                  false);
}

/* ---- Arrays
 * ------------------------------------------------------------------
 */

static void test_array_partition(void **state)
{
    (void)state;
    check("States.ArrayPartition($.a, 3)", "{\"a\":[0,1,2,3]}",
          "[[0,1,2],[3]]");
    check("States.ArrayPartition($.a, 5)", "{\"a\":[0,1]}", "[[0,1]]");
    check("States.ArrayPartition($.a, 2)", "{\"a\":[]}", "[]");
    check("States.ArrayPartition($.a, 2)", "{\"a\":[1,2,3,4]}",
          "[[1,2],[3,4]]");
    check("States.ArrayPartition($.a, 1)", "{\"a\":[{\"x\":1},null]}",
          "[[{\"x\":1}],[null]]");
    check("States.ArrayPartition($.a, 9223372036854775807)", "{\"a\":[1,2]}",
          "[[1,2]]");
    check_fail("States.ArrayPartition($.a, 0)", "{\"a\":[1]}",
               "The States.ArrayPartition function's second argument must be "
               "greater than 0");
    check_fail("States.ArrayPartition($.a, -1)", "{\"a\":[1]}",
               "The States.ArrayPartition function's second argument must be "
               "greater than 0");
    check_fail("States.ArrayPartition($.a, 2)", "{\"a\":{}}",
               "The States.ArrayPartition function's first argument must be "
               "an array");
    check_fail("States.ArrayPartition($.a, 1.5)", "{\"a\":[1]}",
               "The States.ArrayPartition function's second argument must be "
               "an integer");
    check_fail("States.ArrayPartition($.a, '2')", "{\"a\":[1]}",
               "The States.ArrayPartition function's second argument must be "
               "an integer");
}

static void test_array_contains(void **state)
{
    (void)state;
    const char *in = "{\"a\":[[1,2,3],2],\"v\":[1,2,3],"
                     "\"b\":[{\"1\":2,\"2\":[]}],\"o\":{\"1\":2,\"2\":[]}}";
    check("States.ArrayContains($.a, $.v)", in, "true");
    check("States.ArrayContains($.b, $.o)", in, "true");
    check("States.ArrayContains($.a, 2)", in, "true");
    check("States.ArrayContains($.a, 3)", in, "false");
    check("States.ArrayContains(States.Array(), 1)", NULL, "false");
    check("States.ArrayContains(States.Array(), null)", NULL, "false");
    check("States.ArrayContains($.x, $.y)",
          "{\"x\":[{\"a\":1,\"b\":{\"c\":[1]}}],\"y\":{\"b\":{\"c\":[1]},"
          "\"a\":1}}",
          "true");
    check("States.ArrayContains($.x, $.y)", "{\"x\":[[1,2]],\"y\":[2,1]}",
          "false");
    check("States.ArrayContains($.x, $.y)",
          "{\"x\":[{\"a\":1}],"
          "\"y\":{\"a\":1,\"b\":2}}",
          "false");
    /* Numbers compare by value. */
    check("States.ArrayContains(States.Array(1, 2), 1.0)", NULL, "true");
    check("States.ArrayContains(States.Array(1.5), 1.50)", NULL, "true");
    check("States.ArrayContains(States.Array(1), '1')", NULL, "false");
    check("States.ArrayContains(States.Array(null), null)", NULL, "true");
    check("States.ArrayContains(States.Array(true), false)", NULL, "false");
    /* No clamping: INT64_MAX is not 2^63. */
    check("States.ArrayContains($.a, $.b)",
          "{\"a\":[9223372036854775807],\"b\":9223372036854775808}", "false");
    check("States.ArrayContains($.a, $.b)",
          "{\"a\":[9223372036854775808],\"b\":9223372036854775808.0}", "true");
    check_fail("States.ArrayContains($.a, 1)", "{\"a\":\"[1]\"}",
               "The States.ArrayContains function's first argument must be "
               "an array");
}

static void test_array_range(void **state)
{
    (void)state;
    check("States.ArrayRange(0, 9, 3)", NULL, "[0,3,6,9]");
    check("States.ArrayRange(0, 10, 3)", NULL, "[0,3,6,9]");
    check("States.ArrayRange(1, 9, 9)", NULL, "[1]");
    check("States.ArrayRange(1, 9, 2)", NULL, "[1,3,5,7,9]");
    check("States.ArrayRange(5, 5, 1)", NULL, "[5]");
    check("States.ArrayRange(-3, 3, 3)", NULL, "[-3,0,3]");
    /* Ours: a negative step counts down; a step away from end gives []. */
    check("States.ArrayRange(9, 0, -3)", NULL, "[9,6,3,0]");
    check("States.ArrayRange(5, 1, 1)", NULL, "[]");
    check("States.ArrayRange(1, 5, -1)", NULL, "[]");
    check("States.ArrayRange(-9223372036854775808, 9223372036854775807, "
          "9223372036854775807)",
          NULL, "[-9223372036854775808,-1,9223372036854775806]");
    check("States.ArrayLength(States.ArrayRange(1, 1000, 1))", NULL, "1000");
    check("States.ArrayLength(States.ArrayRange(1000, 1, -1))", NULL, "1000");
    check_fail("States.ArrayRange(1, 1001, 1)", NULL,
               "The States.ArrayRange function would return 1001 elements; "
               "at most 1000 are allowed");
    check_fail_has("States.ArrayRange(0, 9223372036854775807, 1)", NULL,
                   "would return 9223372036854775808 elements");
    check_fail("States.ArrayRange(0, 9, 0)", NULL,
               "The States.ArrayRange function's third argument must not be "
               "0");
    check_fail("States.ArrayRange(0, 9, 1.5)", NULL,
               "The States.ArrayRange function's third argument must be an "
               "integer");
    check_fail("States.ArrayRange(0, '9', 1)", NULL,
               "The States.ArrayRange function's second argument must be an "
               "integer");
    check_fail("States.ArrayRange(null, 9, 1)", NULL,
               "The States.ArrayRange function's first argument must be an "
               "integer");
    check_fail("States.ArrayRange($.n, 9, 1)", "{\"n\":9223372036854775808}",
               "The States.ArrayRange function's first argument must be an "
               "integer between -9223372036854775808 and "
               "9223372036854775807");
}

static void test_array_get_item(void **state)
{
    (void)state;
    const char *in = "{\"a\":[1,2,3,4,5,6,7,8,9],\"o\":[{\"k\":[1]}]}";
    check("States.ArrayGetItem($.a, 5)", in, "6");
    check("States.ArrayGetItem($.a, 0)", in, "1");
    check("States.ArrayGetItem($.a, 8)", in, "9");
    check("States.ArrayGetItem($.o, 0)", in, "{\"k\":[1]}");
    check("States.ArrayGetItem(States.Array(null), 0)", NULL, "null");
    check_fail("States.ArrayGetItem($.a, 9)", in,
               "The States.ArrayGetItem function's second argument is out of "
               "range: index 9, array length 9");
    check_fail("States.ArrayGetItem($.a, -1)", in,
               "The States.ArrayGetItem function's second argument is out of "
               "range: index -1, array length 9");
    check_fail("States.ArrayGetItem($.a, '1')", in,
               "The States.ArrayGetItem function's second argument must be an "
               "integer");
    check_fail("States.ArrayGetItem($.a, 1.0)", in,
               "The States.ArrayGetItem function's second argument must be an "
               "integer");
    check_fail("States.ArrayGetItem('abc', 1)", in,
               "The States.ArrayGetItem function's first argument must be an "
               "array");
}

static void test_array_length(void **state)
{
    (void)state;
    check("States.ArrayLength($.a)", "{\"a\":[]}", "0");
    check("States.ArrayLength($.a)", "{\"a\":[1,[2,3],null]}", "3");
    check_fail("States.ArrayLength($.a)", "{\"a\":{\"x\":1}}",
               "The States.ArrayLength function's argument must be an array");
    check_fail("States.ArrayLength(null)", NULL,
               "The States.ArrayLength function's argument must be an array");
}

static void test_array_unique(void **state)
{
    (void)state;
    check("States.ArrayUnique($.a)", "{\"a\":[1,2,3,3,3,3,3,3,4]}",
          "[1,2,3,4]");
    check("States.ArrayUnique($.a)", "{\"a\":[]}", "[]");
    check("States.ArrayUnique($.a)", "{\"a\":[null,null,false,false]}",
          "[null,false]");
    check("States.ArrayUnique($.a)", "{\"a\":[3,1,3,2,1]}", "[3,1,2]");
    /* Deep equality; the first occurrence is the one kept. */
    check_text("States.ArrayUnique($.a)",
               "{\"a\":[{\"a\":1,\"b\":2},{\"b\":2,\"a\":1},[1],[1],1,1.0,"
               "\"1\",[1,2],[2,1]]}",
               "[{\"a\":1,\"b\":2},[1],1,\"1\",[1,2],[2,1]]");
    check_text("States.ArrayUnique($.a)", "{\"a\":[2.0,2,-0.0,0]}",
               "[2.0,-0.0]");
    check_fail("States.ArrayUnique('x')", NULL,
               "The States.ArrayUnique function's argument must be an array");
}

/* Many values: every distinct one is kept exactly once. */
static void test_array_unique_many(void **state)
{
    (void)state;
    bt_buf b;
    bt_buf_init(&b);
    bt_buf_puts(&b, "{\"a\":[");
    for (int i = 0; i < 3000; i++)
        bt_buf_printf(&b, "%s{\"v\":%d}", i ? "," : "", i % 1000);
    bt_buf_puts(&b, "]}");
    run r = eval("States.ArrayUnique($.a)", b.data);
    assert_int_equal(r.rc, 0);
    assert_int_equal(json_object_array_length(r.out), 1000);
    for (int i = 0; i < 1000; i++) {
        json_object *v;
        assert_true(json_object_object_get_ex(
            json_object_array_get_idx(r.out, (size_t)i), "v", &v));
        assert_int_equal(json_object_get_int(v), i);
    }
    json_object_put(r.out);
    bt_buf_fini(&b);
}

/* ---- Base64
 * ------------------------------------------------------------------
 */

static void test_base64_encode(void **state)
{
    (void)state;
    check_str("States.Base64Encode('Data to encode')", NULL,
              "RGF0YSB0byBlbmNvZGU=");
    check_str("States.Base64Encode('')", NULL, "");
    /* RFC 4648 §10 */
    check_str("States.Base64Encode('f')", NULL, "Zg==");
    check_str("States.Base64Encode('fo')", NULL, "Zm8=");
    check_str("States.Base64Encode('foo')", NULL, "Zm9v");
    check_str("States.Base64Encode('foob')", NULL, "Zm9vYg==");
    check_str("States.Base64Encode('fooba')", NULL, "Zm9vYmE=");
    check_str("States.Base64Encode('foobar')", NULL, "Zm9vYmFy");
    check_str("States.Base64Encode('é')", NULL, "w6k=");          /* C3 A9 */
    check_str("States.Base64Encode('???~~~')", NULL, "Pz8/fn5+"); /* + / */
    check_fail("States.Base64Encode(1)", NULL,
               "The States.Base64Encode function's argument must be a string");
}

static void test_base64_limits(void **state)
{
    (void)state;
    char *ok = doc_with_repeated("a", 10000);
    char *long1 = doc_with_repeated("a", 10001);
    char *wide = doc_with_repeated("é", 10000); /* 20000 bytes */
    run r = eval("States.Base64Encode($.s)", ok);
    assert_int_equal(r.rc, 0);
    json_object_put(r.out);
    r = eval("States.Base64Encode($.s)", wide);
    assert_int_equal(r.rc, 0);
    assert_int_equal(json_object_get_string_len(r.out), 20000 / 3 * 4 + 4);
    json_object_put(r.out);
    check_fail("States.Base64Encode($.s)", long1,
               "The States.Base64Encode function's argument must not be "
               "longer than 10000 characters");
    char *enc_long = doc_with_repeated("QUFB", 2501); /* 10004 chars */
    check_fail("States.Base64Decode($.s)", enc_long,
               "The States.Base64Decode function's argument must not be "
               "longer than 10000 characters");
    char *enc_ok = doc_with_repeated("QUFB", 2500);
    r = eval("States.Base64Decode($.s)", enc_ok);
    assert_int_equal(r.rc, 0);
    assert_int_equal(json_object_get_string_len(r.out), 7500);
    json_object_put(r.out);
    free(ok);
    free(long1);
    free(wide);
    free(enc_long);
    free(enc_ok);
}

static void test_base64_decode(void **state)
{
    (void)state;
    check_str("States.Base64Decode('RGF0YSB0byBlbmNvZGU=')", NULL,
              "Data to encode");
    check_str("States.Base64Decode('')", NULL, "");
    check_str("States.Base64Decode('Zg==')", NULL, "f");
    check_str("States.Base64Decode('Zm8=')", NULL, "fo");
    check_str("States.Base64Decode('Zm9v')", NULL, "foo");
    check_str("States.Base64Decode('Zm9vYmE=')", NULL, "fooba");
    check_str("States.Base64Decode('Zm9vYmFy')", NULL, "foobar");
    check_str("States.Base64Decode('w6k=')", NULL, "é");
    check_str("States.Base64Decode('Pz8/fn5+')", NULL, "???~~~");
    /* Like Java's decoder: padding may be left out. */
    check_str("States.Base64Decode('Zg')", NULL, "f");
    check_str("States.Base64Decode('Zm8')", NULL, "fo");
    check_str("States.Base64Decode(States.Base64Encode('round trip ✓'))", NULL,
              "round trip ✓");
}

static void test_base64_decode_errors(void **state)
{
    (void)state;
    const char *bad[] = {"Zg=",  "Z",     "Zm9v!",    "Zm 9v",   "Zg===",
                         "=Zg=", "Zm9vZ", "Zm8=Zm8=", "Zm9v\\\\"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *expr = bt_xasprintf("States.Base64Decode('%s')", bad[i]);
        check_fail(expr, NULL,
                   "The States.Base64Decode function's argument must be "
                   "Base64 text");
        free(expr);
    }
    check_fail("States.Base64Decode($.s)", "{\"s\":\"Zm9v\\n\"}",
               "The States.Base64Decode function's argument must be Base64 "
               "text");
    /* 0xFF, and an encoded surrogate ED A0 80, are not UTF-8 text. */
    check_fail("States.Base64Decode('/w==')", NULL,
               "The States.Base64Decode function's argument must decode to "
               "UTF-8 text");
    check_fail("States.Base64Decode('7aCA')", NULL,
               "The States.Base64Decode function's argument must decode to "
               "UTF-8 text");
    check_fail("States.Base64Decode($.s)", "{\"s\":[\"Zg==\"]}",
               "The States.Base64Decode function's argument must be a string");
}

/* ---- Hash
 * ---------------------------------------------------------------------
 */

static void test_hash_vectors(void **state)
{
    (void)state;
    const char *in = "{\"Data\":\"input data\"}";
    check_str("States.Hash($.Data, 'MD5')", in,
              "812f45842bc6d66ee14572ce20db8e86");
    check_str("States.Hash($.Data, 'SHA-1')", in,
              "aaff4a450a104cd177d28d18d74485e8cae074b7");
    check_str(
        "States.Hash($.Data, 'SHA-256')", in,
        "b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3");
    check_str("States.Hash($.Data, 'SHA-384')", in,
              "d28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b"
              "87525bdc835ebb27e1fb9e9374a15562");
    check_str(
        "States.Hash($.Data, 'SHA-512')", in,
        "6ce4adb348546d4f449c4d25aad9a7c9cb711d9e91982d3f0b29ca2f3f47d4ce"
        "2deba23bf2954f0f1d593fc50283731a533d30d425402d4f91316d871303aac4");
    check_str("States.Hash('', 'MD5')", NULL,
              "d41d8cd98f00b204e9800998ecf8427e");
}

static void test_hash_errors_and_non_strings(void **state)
{
    (void)state;
    check_fail("States.Hash('x', 'SHA-2')", NULL,
               "The States.Hash function's second argument must be one of "
               "MD5, SHA-1, SHA-256, SHA-384, SHA-512");
    check_fail("States.Hash('x', 'md5')", NULL,
               "The States.Hash function's second argument must be one of "
               "MD5, SHA-1, SHA-256, SHA-384, SHA-512");
    check_fail("States.Hash('x', 5)", NULL,
               "The States.Hash function's second argument must be a string");
    char *ok = doc_with_repeated("ü", 10000);
    char *too_long = doc_with_repeated("a", 10001);
    run r = eval("States.Hash($.s, 'SHA-256')", ok);
    assert_int_equal(r.rc, 0);
    json_object_put(r.out);
    check_fail("States.Hash($.s, 'MD5')", too_long,
               "The States.Hash function's first argument must not be longer "
               "than 10000 characters");
    free(ok);
    free(too_long);
    /* Ours ([AMBIG]): data that is not a string is hashed as its compact
     * JSON text. */
    check_str("States.Hash(1, 'MD5')", NULL,
              "c4ca4238a0b923820dcc509a6f75849b");
    check_str("States.Hash(null, 'MD5')", NULL,
              "37a6259cc0c1dae299a7866489dff0bd");
    check_str("States.Hash($.o, 'MD5')", "{\"o\":{\"a\": 1}}",
              "bb6cb5c68df4652941caf652a366f2d8"); /* MD5 of {"a":1} */
}

/* ---- JsonMerge
 * -----------------------------------------------------------------
 */

static void test_json_merge(void **state)
{
    (void)state;
    const char *in = "{\"a\":{\"a\":{\"a1\":1,\"a2\":2},\"b\":2,\"d\":3},"
                     "\"b\":{\"a\":{\"a3\":1,\"a4\":2},\"c\":3,\"d\":4}}";
    check("States.JsonMerge($.a, $.b, false)", in,
          "{\"a\":{\"a3\":1,\"a4\":2},\"b\":2,\"c\":3,\"d\":4}");
    check("States.JsonMerge($.b, $.a, false)", in,
          "{\"a\":{\"a1\":1,\"a2\":2},\"b\":2,\"c\":3,\"d\":3}");
    check("States.JsonMerge($.e, $.e, false)", "{\"e\":{}}", "{}");
    check("States.JsonMerge($.e, $.a, false)", "{\"e\":{},\"a\":{\"x\":null}}",
          "{\"x\":null}");
    check_fail("States.JsonMerge($.a, $.b, true)", in,
               "The States.JsonMerge function's third argument must be false "
               "(only shallow merges are supported)");
    check_fail("States.JsonMerge($.a, $.b, 'false')", in,
               "The States.JsonMerge function's third argument must be a "
               "boolean");
    check_fail("States.JsonMerge($.a, States.Array(), false)", in,
               "The States.JsonMerge function's second argument must be an "
               "object");
    check_fail("States.JsonMerge(null, $.b, false)", in,
               "The States.JsonMerge function's first argument must be an "
               "object");
}

/* ---- Math
 * ----------------------------------------------------------------------
 */

static void test_math_add(void **state)
{
    (void)state;
    /* The reference's [AWS] vectors. */
    check("States.MathAdd(1.49, 1.5)", NULL, "3");
    check("States.MathAdd(1.5, 1.51)", NULL, "4");
    check("States.MathAdd(-1.49, -1.5)", NULL, "-2");
    check("States.MathAdd(-1.5, -1.51)", NULL, "-3");
    check("States.MathAdd(0.5, 0)", NULL, "1");
    check("States.MathAdd(2.5, 0)", NULL, "3");
    check("States.MathAdd(-0.5, 0)", NULL, "0");
    check("States.MathAdd(-1.5, 0)", NULL, "-1");
    check("States.MathAdd(-2.5, 0)", NULL, "-2");
    check("States.MathAdd(-0.5, 0.5)", NULL, "1");
    check("States.MathAdd(-9, 3)", NULL, "-6");
    /* Java's Math.round(0.49999999999999994) is 0. */
    check("States.MathAdd(0.49999999999999994, 0)", NULL, "0");
    check("States.MathAdd($.a, $.b)", "{\"a\":111,\"b\":-1}", "110");
    check("States.MathAdd(2147483647, 2147483647)", NULL, "4294967294");
    check("States.MathAdd(-2147483648, 2147483647.4)", NULL, "-1");
}

static void test_math_add_errors(void **state)
{
    (void)state;
    check_fail("States.MathAdd(2147483648, 0)", NULL,
               "The States.MathAdd function's first argument must be a number "
               "between -2147483648 and 2147483647");
    check_fail("States.MathAdd(0, -2147483649)", NULL,
               "The States.MathAdd function's second argument must be a "
               "number between -2147483648 and 2147483647");
    check_fail("States.MathAdd(2147483647.5, 0)", NULL,
               "The States.MathAdd function's first argument must be a number "
               "between -2147483648 and 2147483647");
    check_fail("States.MathAdd(1e300, 0)", NULL,
               "The States.MathAdd function's first argument must be a number "
               "between -2147483648 and 2147483647");
    check_fail("States.MathAdd('1', 2)", NULL,
               "The States.MathAdd function's first argument must be a number");
    check_fail("States.MathAdd(1, null)", NULL,
               "The States.MathAdd function's second argument must be a "
               "number");
}

static void check_random(const char *expr, const uint64_t *draws, size_t n,
                         const char *want, size_t want_used)
{
    run r = eval_with(expr, NULL, draws, n);
    if (r.rc != 0)
        fail_msg("%s failed: %s", expr, r.cause);
    assert_true(json_object_is_type(r.out, json_type_int));
    assert_string_equal(bt_json_compact(r.out), want);
    assert_int_equal(r.draws_used, want_used);
    json_object_put(r.out);
}

static void test_math_random_unseeded(void **state)
{
    (void)state;
    /* [1, 10] is 10 values: draws below 2^64 mod 10 = 6 are redrawn, the
     * others map to 1 + draw % 10. */
    const uint64_t d1[] = {5, 27};
    check_random("States.MathRandom(1, 10)", d1, 2, "8", 2);
    const uint64_t lo[] = {10}, hi[] = {19}, edge[] = {6};
    check_random("States.MathRandom(1, 10)", lo, 1, "1", 1);
    check_random("States.MathRandom(1, 10)", hi, 1, "10", 1);
    check_random("States.MathRandom(1, 10)", edge, 1, "7", 1);
    const uint64_t any[] = {123};
    check_random("States.MathRandom(5, 5)", any, 1, "5", 1);
    check_random("States.MathRandom(-3, -3)", any, 1, "-3", 1);
    /* Non-integers are rounded: [1, 1] and [0, 0]. */
    check_random("States.MathRandom(0.5, 1.4)", any, 1, "1", 1);
    check_random("States.MathRandom(-0.5, -0.5)", any, 1, "0", 1);
    /* The whole int64 range takes a draw as it is. */
    const uint64_t zero[] = {0}, ones[] = {UINT64_MAX};
    check_random("States.MathRandom(-9223372036854775808, "
                 "9223372036854775807)",
                 zero, 1, "-9223372036854775808", 1);
    check_random("States.MathRandom(-9223372036854775808, "
                 "9223372036854775807)",
                 ones, 1, "9223372036854775807", 1);
}

static void test_math_random_seeded(void **state)
{
    (void)state;
    /* SplitMix64 from state 0 first returns 0xe220a8397b1dcdaf
     * (16294208416658607535), which is 35 mod 100; 2^64 mod 100 = 16, so
     * it is not redrawn. */
    check_random("States.MathRandom(0, 99, 0)", NULL, 0, "35", 0);
    /* Seed 42: first output 0xbdd732262feb6e95 (13679457532755275413),
     * 13 mod 100. */
    check_random("States.MathRandom(0, 99, 42)", NULL, 0, "13", 0);
    check_random("States.MathRandom(100, 199, 42)", NULL, 0, "113", 0);
    /* A seed is rounded like the bounds. */
    check_random("States.MathRandom(0, 99, 0.4)", NULL, 0, "35", 0);
    /* Same seed, same value; every value in range. */
    for (int seed = -50; seed < 50; seed++) {
        char *expr = bt_xasprintf("States.MathRandom(-2, 2, %d)", seed);
        run a = eval_with(expr, NULL, NULL, 0);
        run b = eval_with(expr, NULL, NULL, 0);
        assert_int_equal(a.rc, 0);
        assert_true(json_object_equal(a.out, b.out));
        int64_t v = json_object_get_int64(a.out);
        assert_true(v >= -2 && v <= 2);
        json_object_put(a.out);
        json_object_put(b.out);
        free(expr);
    }
}

static void test_math_random_errors(void **state)
{
    (void)state;
    check_fail("States.MathRandom(10, 1)", NULL,
               "The States.MathRandom function's first argument must not be "
               "greater than the second (10 > 1)");
    check_fail("States.MathRandom(1.6, 1.4)", NULL,
               "The States.MathRandom function's first argument must not be "
               "greater than the second (2 > 1)");
    check_fail("States.MathRandom('1', 10)", NULL,
               "The States.MathRandom function's first argument must be a "
               "number");
    check_fail("States.MathRandom(1, $.x)", "{\"x\":[10]}",
               "The States.MathRandom function's second argument must be a "
               "number");
    check_fail("States.MathRandom(1, 10, 'seed')", NULL,
               "The States.MathRandom function's third argument must be a "
               "number");
    check_fail("States.MathRandom(1e19, 1e20)", NULL,
               "The States.MathRandom function's first argument must be a "
               "number between -9223372036854775808 and 9223372036854775807");
}

/* ---- StringSplit
 * ---------------------------------------------------------------
 */

static void test_string_split(void **state)
{
    (void)state;
    /* The reference's [AWS] vectors. */
    check("States.StringSplit('1,2,3,4,5', ',')", NULL,
          "[\"1\",\"2\",\"3\",\"4\",\"5\"]");
    check("States.StringSplit(',,,,', ',')", NULL, "[]");
    check("States.StringSplit(', , ,', ',')", NULL, "[\" \",\" \"]");
    check("States.StringSplit(' ', ',')", NULL, "[\" \"]");
    check("States.StringSplit('This.is+a,test=string', '.+,=')", NULL,
          "[\"This\",\"is\",\"a\",\"test\",\"string\"]");
    check("States.StringSplit('Hello\nWorld', '\n')", NULL,
          "[\"Hello\",\"World\"]");
    check("States.StringSplit('', ',')", NULL, "[]");
    check("States.StringSplit('a,b', '')", NULL, "[\"a,b\"]");
    check("States.StringSplit('a,b', ',,,')", NULL, "[\"a\",\"b\"]");
    check("States.StringSplit('aébéc', 'é')", NULL, "[\"a\",\"b\",\"c\"]");
    check("States.StringSplit('x✓y z', ' ✓')", NULL, "[\"x\",\"y\",\"z\"]");
    check("States.StringSplit($.s, $.d)",
          "{\"s\":\"k1=v1&k2=v2\",\"d\":\"&=\"}",
          "[\"k1\",\"v1\",\"k2\",\"v2\"]");
    check_fail("States.StringSplit(1, ',')", NULL,
               "The States.StringSplit function's first argument must be a "
               "string");
    check_fail("States.StringSplit('a', null)", NULL,
               "The States.StringSplit function's second argument must be a "
               "string");
}

/* ---- UUID
 * ------------------------------------------------------------------------
 */

static void test_uuid(void **state)
{
    (void)state;
    const uint64_t d1[] = {0x0123456789abcdefu, 0xfedcba9876543210u};
    run r = eval_with("States.UUID()", NULL, d1, 2);
    assert_int_equal(r.rc, 0);
    assert_string_equal(json_object_get_string(r.out),
                        "01234567-89ab-4def-bedc-ba9876543210");
    json_object_put(r.out);
    const uint64_t zeros[] = {0, 0}, ones[] = {UINT64_MAX, UINT64_MAX};
    r = eval_with("States.UUID()", NULL, zeros, 2);
    assert_string_equal(json_object_get_string(r.out),
                        "00000000-0000-4000-8000-000000000000");
    json_object_put(r.out);
    r = eval_with("States.UUID()", NULL, ones, 2);
    assert_string_equal(json_object_get_string(r.out),
                        "ffffffff-ffff-4fff-bfff-ffffffffffff");
    json_object_put(r.out);
    r = eval_with("States.Format('id-{}', States.UUID())", NULL, d1, 2);
    assert_string_equal(json_object_get_string(r.out),
                        "id-01234567-89ab-4def-bedc-ba9876543210");
    json_object_put(r.out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_argument_sources),
        cmocka_unit_test(test_missing_paths),
        cmocka_unit_test(test_nested_failure_propagates),
        cmocka_unit_test(test_literals_are_copied),
        cmocka_unit_test(test_failure_without_cause_pointer),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_format_basics),
        cmocka_unit_test(test_format_rendering),
        cmocka_unit_test(test_format_escapes),
        cmocka_unit_test(test_format_errors),
        cmocka_unit_test(test_format_size_guard),
        cmocka_unit_test(test_string_to_json),
        cmocka_unit_test(test_string_to_json_errors),
        cmocka_unit_test(test_json_to_string),
        cmocka_unit_test(test_array_partition),
        cmocka_unit_test(test_array_contains),
        cmocka_unit_test(test_array_range),
        cmocka_unit_test(test_array_get_item),
        cmocka_unit_test(test_array_length),
        cmocka_unit_test(test_array_unique),
        cmocka_unit_test(test_array_unique_many),
        cmocka_unit_test(test_base64_encode),
        cmocka_unit_test(test_base64_limits),
        cmocka_unit_test(test_base64_decode),
        cmocka_unit_test(test_base64_decode_errors),
        cmocka_unit_test(test_hash_vectors),
        cmocka_unit_test(test_hash_errors_and_non_strings),
        cmocka_unit_test(test_json_merge),
        cmocka_unit_test(test_math_add),
        cmocka_unit_test(test_math_add_errors),
        cmocka_unit_test(test_math_random_unseeded),
        cmocka_unit_test(test_math_random_seeded),
        cmocka_unit_test(test_math_random_errors),
        cmocka_unit_test(test_string_split),
        cmocka_unit_test(test_uuid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
