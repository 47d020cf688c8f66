/*
 * Tests for JSONPath Choice rules: compiling and evaluating every operator
 * (reference §5.1-§5.4).
 *
 * Expected values come from the reference: its operator table and type-
 * mismatch rules (§5.2), the observed AWS Is* vectors (§5.2), the timestamp
 * profile (§5.4) and the evaluation order (§5.1). Where a case pins a choice
 * of ours (exact numbers, code point order, error precedence) it says so.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "statelang/sl_choice_int.h"

/* ---- Helpers -------------------------------------------------------------
 */

static json_object *parse_json(const char *text)
{
    json_object *v = NULL;
    bt_json_error e;
    if (bt_json_parse(text, strlen(text), BT_LIMIT_JSON_DEPTH, &v, &e) != 0)
        fail_msg("bad test JSON %s: %s", text, e.message);
    return v;
}

static sl_choice_rule *must_compile(const char *rule)
{
    json_object *j = parse_json(rule);
    sl_choice_rule *r = NULL;
    char *err = NULL;
    if (sl_choice_compile(j, &r, &err) != 0)
        fail_msg("rule %s should compile: %s", rule, err);
    json_object_put(j);
    return r;
}

/* Variables for $name paths: members of one object. */
static bool var_lookup(void *ud, const char *name, json_object **v)
{
    return json_object_object_get_ex(ud, name, v);
}

static const char CONTEXT[] =
    "{\"Execution\":{\"Name\":\"run-1\",\"StartTime\":"
    "\"2024-01-01T00:00:00.000Z\"},\"State\":{\"RetryCount\":2}}";
static const char VARS[] = "{\"limit\":10,\"who\":\"bob\",\"flag\":true}";

/* Evaluates rule over input (with CONTEXT as $$ and VARS as variables).
 * Returns sl_choice_eval's code; *cause is set on failure. */
static int run_env(const char *rule, json_object *input, bool *result,
                   char **cause)
{
    sl_choice_rule *r = must_compile(rule);
    json_object *vars = parse_json(VARS);
    sl_path_env env = {input, parse_json(CONTEXT), var_lookup, vars, NULL};
    *cause = NULL;
    int rc = sl_choice_eval(r, &env, result, cause);
    json_object_put(env.context);
    json_object_put(vars);
    sl_choice_free(r);
    return rc;
}

static void check_obj(const char *rule, json_object *input, bool want)
{
    bool got = !want;
    char *cause = NULL;
    if (run_env(rule, input, &got, &cause) != 0)
        fail_msg("%s on %s: error %s", rule, bt_json_compact(input), cause);
    if (got != want)
        fail_msg("%s on %s: got %s, want %s", rule, bt_json_compact(input),
                 got ? "true" : "false", want ? "true" : "false");
}

static void check(const char *rule, const char *input, bool want)
{
    json_object *in = parse_json(input);
    check_obj(rule, in, want);
    json_object_put(in);
}

/* The rule must fail with code want_rc and a cause holding want_cause. */
static void check_error(const char *rule, const char *input, int want_rc,
                        const char *want_cause)
{
    json_object *in = parse_json(input);
    bool got = false;
    char *cause = NULL;
    int rc = run_env(rule, in, &got, &cause);
    if (rc != want_rc)
        fail_msg("%s on %s: rc %s, want %s (result %d)", rule, input,
                 bt_strerror(rc), bt_strerror(want_rc), got);
    if (!cause || !strstr(cause, want_cause))
        fail_msg("%s on %s: cause '%s' lacks '%s'", rule, input,
                 cause ? cause : "(null)", want_cause);
    free(cause);
    json_object_put(in);
}

static void check_compile_error(const char *rule, const char *want)
{
    json_object *j = parse_json(rule);
    sl_choice_rule *r = NULL;
    char *err = NULL;
    int rc = sl_choice_compile(j, &r, &err);
    if (rc != BT_EPARSE)
        fail_msg("%s should not compile", rule);
    assert_null(r);
    if (!err || !strstr(err, want))
        fail_msg("%s: error '%s' lacks '%s'", rule, err ? err : "(null)", want);
    free(err);
    json_object_put(j);
}

typedef struct vec {
    const char *rule;
    const char *input;
    bool want;
} vec;

static void check_all(const vec *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        check(v[i].rule, v[i].input, v[i].want);
}

#define CHECK_ALL(v) check_all(v, sizeof v / sizeof *v)

/* ---- Strings ---------------------------------------------------------------
 */

static void test_string_compare(void **state)
{
    (void)state;
    static const vec v[] = {
        {"{\"Variable\":\"$.s\",\"StringEquals\":\"abc\"}", "{\"s\":\"abc\"}",
         true},
        {"{\"Variable\":\"$.s\",\"StringEquals\":\"abc\"}", "{\"s\":\"abd\"}",
         false},
        /* No trimming or case folding. */
        {"{\"Variable\":\"$.s\",\"StringEquals\":\"abc\"}", "{\"s\":\"ABC\"}",
         false},
        {"{\"Variable\":\"$.s\",\"StringEquals\":\"abc\"}", "{\"s\":\"abc \"}",
         false},
        {"{\"Variable\":\"$.s\",\"StringEquals\":\"\"}", "{\"s\":\"\"}", true},
        /* No Unicode normalisation: precomposed vs combining e-acute. */
        {"{\"Variable\":\"$.s\",\"StringEquals\":\"\\u00e9\"}",
         "{\"s\":\"e\\u0301\"}", false},
        /* An embedded NUL is part of the string. */
        {"{\"Variable\":\"$.s\",\"StringEquals\":\"a\"}",
         "{\"s\":\"a\\u0000b\"}", false},
        {"{\"Variable\":\"$.s\",\"StringEquals\":\"a\\u0000b\"}",
         "{\"s\":\"a\\u0000b\"}", true},
        /* "A" < "AB" and "" = "" (§5.2). */
        {"{\"Variable\":\"$.s\",\"StringLessThan\":\"AB\"}", "{\"s\":\"A\"}",
         true},
        {"{\"Variable\":\"$.s\",\"StringLessThan\":\"A\"}", "{\"s\":\"AB\"}",
         false},
        {"{\"Variable\":\"$.s\",\"StringLessThan\":\"\"}", "{\"s\":\"\"}",
         false},
        {"{\"Variable\":\"$.s\",\"StringLessThanEquals\":\"\"}", "{\"s\":\"\"}",
         true},
        {"{\"Variable\":\"$.s\",\"StringGreaterThan\":\"A\"}", "{\"s\":\"AB\"}",
         true},
        {"{\"Variable\":\"$.s\",\"StringGreaterThan\":\"AB\"}",
         "{\"s\":\"AB\"}", false},
        {"{\"Variable\":\"$.s\",\"StringGreaterThanEquals\":\"AB\"}",
         "{\"s\":\"AB\"}", true},
        {"{\"Variable\":\"$.s\",\"StringGreaterThanEquals\":\"B\"}",
         "{\"s\":\"AB\"}", false},
        {"{\"Variable\":\"$.s\",\"StringLessThanEquals\":\"AA\"}",
         "{\"s\":\"AB\"}", false},
        /* Uppercase sorts before lowercase by code point. */
        {"{\"Variable\":\"$.s\",\"StringLessThan\":\"a\"}", "{\"s\":\"Z\"}",
         true},
        /* Code point order beyond ASCII: U+00E9 > 'z', and (our choice,
         * per §5.2 "by code point", unlike Java's UTF-16 order)
         * U+1F600 > U+FFFD. */
        {"{\"Variable\":\"$.s\",\"StringGreaterThan\":\"z\"}",
         "{\"s\":\"\\u00e9\"}", true},
        {"{\"Variable\":\"$.s\",\"StringGreaterThan\":\"\\ufffd\"}",
         "{\"s\":\"\\ud83d\\ude00\"}", true},
    };
    CHECK_ALL(v);
}

static void test_string_type_mismatch(void **state)
{
    (void)state;
    /* §5.2: a non-string variable makes every string test false. */
    static const char *const values[] = {"1",  "1.0",     "null", "true",
                                         "[]", "[\"1\"]", "{}"};
    static const char *const rules[] = {
        "{\"Variable\":\"$.v\",\"StringEquals\":\"1\"}",
        "{\"Variable\":\"$.v\",\"StringLessThan\":\"zzz\"}",
        "{\"Variable\":\"$.v\",\"StringGreaterThanEquals\":\"\"}",
        "{\"Variable\":\"$.v\",\"StringMatches\":\"*\"}",
    };
    for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
        for (size_t k = 0; k < sizeof rules / sizeof *rules; k++) {
            char input[64];
            snprintf(input, sizeof input, "{\"v\":%s}", values[i]);
            check(rules[k], input, false);
        }
    }
    /* The mismatch is false, so its negation is true. */
    check("{\"Not\":{\"Variable\":\"$.v\",\"StringEquals\":\"1\"}}",
          "{\"v\":1}", true);
}

static void test_string_matches(void **state)
{
    (void)state;
    static const vec v[] = {
        {"{\"Variable\":\"$.f\",\"StringMatches\":\"log-*.txt\"}",
         "{\"f\":\"log-2024-01-01.txt\"}", true},
        /* '*' matches an empty run. */
        {"{\"Variable\":\"$.f\",\"StringMatches\":\"log-*.txt\"}",
         "{\"f\":\"log-.txt\"}", true},
        /* The whole string must match. */
        {"{\"Variable\":\"$.f\",\"StringMatches\":\"log-*.txt\"}",
         "{\"f\":\"log-1.txt.bak\"}", false},
        {"{\"Variable\":\"$.f\",\"StringMatches\":\"log-*.txt\"}",
         "{\"f\":\"xlog-1.txt\"}", false},
        {"{\"Variable\":\"$.f\",\"StringMatches\":\"log-*.txt\"}",
         "{\"f\":\"log-1.TXT\"}", false},
        /* '.' and '?' are not metacharacters. */
        {"{\"Variable\":\"$.f\",\"StringMatches\":\"log-*.txt\"}",
         "{\"f\":\"log-1xtxt\"}", false},
        {"{\"Variable\":\"$.f\",\"StringMatches\":\"a?c\"}", "{\"f\":\"abc\"}",
         false},
        {"{\"Variable\":\"$.f\",\"StringMatches\":\"a?c\"}", "{\"f\":\"a?c\"}",
         true},
        {"{\"Variable\":\"$.f\",\"StringMatches\":\"*\"}", "{\"f\":\"\"}",
         true},
        {"{\"Variable\":\"$.f\",\"StringMatches\":\"*\"}",
         "{\"f\":\"anything at all\"}", true},
        {"{\"Variable\":\"$.f\",\"StringMatches\":\"\"}", "{\"f\":\"\"}", true},
        {"{\"Variable\":\"$.f\",\"StringMatches\":\"\"}", "{\"f\":\"a\"}",
         false},
        {"{\"Variable\":\"$.f\",\"StringMatches\":\"*a*b*\"}",
         "{\"f\":\"xxaxxbxx\"}", true},
        {"{\"Variable\":\"$.f\",\"StringMatches\":\"*a*b*\"}",
         "{\"f\":\"bxxa\"}", false},
        /* Backtracking past a partial match. */
        {"{\"Variable\":\"$.f\",\"StringMatches\":\"*abc\"}",
         "{\"f\":\"ababc\"}", true},
        {"{\"Variable\":\"$.f\",\"StringMatches\":\"a*b*c\"}",
         "{\"f\":\"abcbc\"}", true},
        {"{\"Variable\":\"$.f\",\"StringMatches\":\"a*b*c\"}",
         "{\"f\":\"abcbcb\"}", false},
        /* \* (JSON "\\*") is a literal star. */
        {"{\"Variable\":\"$.f\",\"StringMatches\":\"a\\\\*b\"}",
         "{\"f\":\"a*b\"}", true},
        {"{\"Variable\":\"$.f\",\"StringMatches\":\"a\\\\*b\"}",
         "{\"f\":\"axb\"}", false},
        {"{\"Variable\":\"$.f\",\"StringMatches\":\"a\\\\*b\"}",
         "{\"f\":\"ab\"}", false},
        /* \* then * : a star, then anything. */
        {"{\"Variable\":\"$.f\",\"StringMatches\":\"\\\\**\"}",
         "{\"f\":\"*rest\"}", true},
        {"{\"Variable\":\"$.f\",\"StringMatches\":\"\\\\**\"}",
         "{\"f\":\"rest\"}", false},
        /* \\ (JSON "\\\\") is a literal backslash. */
        {"{\"Variable\":\"$.f\",\"StringMatches\":\"a\\\\\\\\b\"}",
         "{\"f\":\"a\\\\b\"}", true},
        {"{\"Variable\":\"$.f\",\"StringMatches\":\"a\\\\\\\\b\"}",
         "{\"f\":\"ab\"}", false},
        /* \\ followed by * : a backslash, then any run. */
        {"{\"Variable\":\"$.f\",\"StringMatches\":\"C:\\\\\\\\*\"}",
         "{\"f\":\"C:\\\\Windows\"}", true},
        {"{\"Variable\":\"$.f\",\"StringMatches\":\"C:\\\\\\\\*\"}",
         "{\"f\":\"C:Windows\"}", false},
        /* Multi-byte characters are single characters. */
        {"{\"Variable\":\"$.f\",\"StringMatches\":\"caf\\u00e9-*\"}",
         "{\"f\":\"caf\\u00e9-au-lait\"}", true},
        {"{\"Variable\":\"$.f\",\"StringMatches\":\"*\\u00e9\"}",
         "{\"f\":\"caf\\u00e9\"}", true},
    };
    CHECK_ALL(v);
}

/* A pattern that makes naive recursive matchers exponential must finish at
 * once (there is no timer here: a regression shows up as a hung test). */
static void test_string_matches_pathological(void **state)
{
    (void)state;
    size_t n = 20000;
    char *s = malloc(n + 16);
    assert_non_null(s);
    memcpy(s, "{\"f\":\"", 6);
    memset(s + 6, 'a', n);
    memcpy(s + 6 + n, "\"}", 3);
    check("{\"Variable\":\"$.f\",\"StringMatches\":\"*a*a*a*a*a*a*a*a*a*b\"}",
          s, false);
    check("{\"Variable\":\"$.f\",\"StringMatches\":\"*a*a*a*a*a*a*a*a*a*\"}", s,
          true);
    s[6 + n - 1] = 'b';
    check("{\"Variable\":\"$.f\",\"StringMatches\":\"*a*a*a*a*a*a*a*a*a*b\"}",
          s, true);
    free(s);
}

/* ---- Numbers ---------------------------------------------------------------
 */

static void test_numeric_compare(void **state)
{
    (void)state;
    static const vec v[] = {
        {"{\"Variable\":\"$.n\",\"NumericEquals\":5}", "{\"n\":5}", true},
        {"{\"Variable\":\"$.n\",\"NumericEquals\":5}", "{\"n\":6}", false},
        /* 1 == 1.0, 0 == 0.0 [AWS]; -0 is 0. */
        {"{\"Variable\":\"$.n\",\"NumericEquals\":1}", "{\"n\":1.0}", true},
        {"{\"Variable\":\"$.n\",\"NumericEquals\":1.0}", "{\"n\":1}", true},
        {"{\"Variable\":\"$.n\",\"NumericEquals\":0}", "{\"n\":0.0}", true},
        {"{\"Variable\":\"$.n\",\"NumericEquals\":0.0}", "{\"n\":-0.0}", true},
        {"{\"Variable\":\"$.n\",\"NumericEquals\":0}", "{\"n\":-0}", true},
        {"{\"Variable\":\"$.n\",\"NumericEquals\":1.5}", "{\"n\":1.50}", true},
        {"{\"Variable\":\"$.n\",\"NumericEquals\":100}", "{\"n\":1E+2}", true},
        {"{\"Variable\":\"$.n\",\"NumericEquals\":1e2}", "{\"n\":100.000}",
         true},
        {"{\"Variable\":\"$.n\",\"NumericEquals\":0.0015}", "{\"n\":1.5e-3}",
         true},
        {"{\"Variable\":\"$.n\",\"NumericEquals\":0.0015}", "{\"n\":0.15e-2}",
         true},
        {"{\"Variable\":\"$.n\",\"NumericEquals\":5}", "{\"n\":0.5E1}", true},
        {"{\"Variable\":\"$.n\",\"NumericEquals\":-250}", "{\"n\":-0.025e+4}",
         true},
        {"{\"Variable\":\"$.n\",\"NumericLessThan\":5}", "{\"n\":4.999}", true},
        {"{\"Variable\":\"$.n\",\"NumericLessThan\":5}", "{\"n\":5}", false},
        {"{\"Variable\":\"$.n\",\"NumericLessThan\":-1.25}", "{\"n\":-1.5}",
         true},
        {"{\"Variable\":\"$.n\",\"NumericLessThan\":-2}", "{\"n\":-1}", false},
        {"{\"Variable\":\"$.n\",\"NumericGreaterThan\":5}", "{\"n\":5.001}",
         true},
        {"{\"Variable\":\"$.n\",\"NumericGreaterThan\":5}", "{\"n\":5.0}",
         false},
        {"{\"Variable\":\"$.n\",\"NumericGreaterThan\":-0.5}", "{\"n\":0}",
         true},
        {"{\"Variable\":\"$.n\",\"NumericLessThanEquals\":5}", "{\"n\":5.0}",
         true},
        {"{\"Variable\":\"$.n\",\"NumericLessThanEquals\":5}", "{\"n\":6}",
         false},
        {"{\"Variable\":\"$.n\",\"NumericGreaterThanEquals\":5}", "{\"n\":5}",
         true},
        {"{\"Variable\":\"$.n\",\"NumericGreaterThanEquals\":5}", "{\"n\":4.9}",
         false},
        {"{\"Variable\":\"$.n\",\"NumericGreaterThan\":0.001}", "{\"n\":0.01}",
         true},
        {"{\"Variable\":\"$.n\",\"NumericLessThan\":1e-7}", "{\"n\":1e-8}",
         true},
    };
    CHECK_ALL(v);
}

static void test_numeric_type_mismatch(void **state)
{
    (void)state;
    /* §5.2 [AWS]: NumericEquals with null/""/[]/{}/true -> false; numeric
     * strings are not numbers. */
    static const char *const values[] = {"null", "\"\"",  "[]",  "{}",
                                         "true", "\"0\"", "[0]", "false"};
    static const char *const rules[] = {
        "{\"Variable\":\"$.v\",\"NumericEquals\":0}",
        "{\"Variable\":\"$.v\",\"NumericLessThan\":100}",
        "{\"Variable\":\"$.v\",\"NumericGreaterThanEquals\":-100}",
    };
    for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
        for (size_t k = 0; k < sizeof rules / sizeof *rules; k++) {
            char input[64];
            snprintf(input, sizeof input, "{\"v\":%s}", values[i]);
            check(rules[k], input, false);
        }
    }
}

/* Our choice (pinned): numbers compare exactly, not as doubles. */
static void test_numeric_exact(void **state)
{
    (void)state;
    static const vec v[] = {
        /* 2^53 + 1 is not 2^53, as integers and against a double text. */
        {"{\"Variable\":\"$.n\",\"NumericEquals\":9007199254740992}",
         "{\"n\":9007199254740993}", false},
        {"{\"Variable\":\"$.n\",\"NumericGreaterThan\":9007199254740992.0}",
         "{\"n\":9007199254740993}", true},
        {"{\"Variable\":\"$.n\",\"NumericEquals\":9007199254740992.0}",
         "{\"n\":9007199254740993}", false},
        {"{\"Variable\":\"$.n\",\"NumericEquals\":9007199254740993}",
         "{\"n\":9007199254740993.0}", true},
        {"{\"Variable\":\"$.n\",\"NumericLessThan\":9007199254740993}",
         "{\"n\":9007199254740992.5}", true},
        /* int64 and uint64 edges. */
        {"{\"Variable\":\"$.n\",\"NumericGreaterThan\":9223372036854775806}",
         "{\"n\":9223372036854775807}", true},
        {"{\"Variable\":\"$.n\",\"NumericGreaterThan\":9223372036854775807}",
         "{\"n\":18446744073709551615}", true},
        {"{\"Variable\":\"$.n\",\"NumericLessThan\":18446744073709551615}",
         "{\"n\":18446744073709551614}", true},
        {"{\"Variable\":\"$.n\",\"NumericLessThan\":9223372036854775807}",
         "{\"n\":-9223372036854775808}", true},
        {"{\"Variable\":\"$.n\",\"NumericEquals\":-9223372036854775808}",
         "{\"n\":-9223372036854775808.0}", true},
        {"{\"Variable\":\"$.n\",\"NumericGreaterThan\":12345678901234567890}",
         "{\"n\":12345678901234567890.5}", true},
        /* Decimals: the digits decide, not the nearest double. */
        {"{\"Variable\":\"$.n\",\"NumericEquals\":0.1}", "{\"n\":0.10}", true},
        {"{\"Variable\":\"$.n\",\"NumericLessThan\":0.10000000000000001}",
         "{\"n\":0.1}", true},
        {"{\"Variable\":\"$.n\",\"NumericEquals\":0.10000000000000001}",
         "{\"n\":0.1}", false},
        {"{\"Variable\":\"$.n\",\"NumericGreaterThan\":0.3}",
         "{\"n\":0.30000000000000001}", true},
        {"{\"Variable\":\"$.n\",\"NumericEquals\":1.0000000000000000000001}",
         "{\"n\":1}", false},
        {"{\"Variable\":\"$.n\",\"NumericGreaterThan\":1}",
         "{\"n\":1.0000000000000000000001}", true},
        /* Beyond double range: still ordered by value. */
        {"{\"Variable\":\"$.n\",\"NumericGreaterThan\":1e399}", "{\"n\":1e400}",
         true},
        {"{\"Variable\":\"$.n\",\"NumericEquals\":1e400}", "{\"n\":10e399}",
         true},
        {"{\"Variable\":\"$.n\",\"NumericLessThan\":-1e399}", "{\"n\":-1e400}",
         true},
        {"{\"Variable\":\"$.n\",\"NumericGreaterThan\":0}", "{\"n\":1e-400}",
         true},
    };
    CHECK_ALL(v);
}

/* Doubles made by code, not parsed: compared at the text they serialise
 * as; NaN (never valid JSON) is unordered. */
static void test_numeric_computed(void **state)
{
    (void)state;
    json_object *in = json_object_new_object();
    json_object_object_add(in, "half", json_object_new_double(0.5));
    json_object_object_add(in, "big", json_object_new_int64(INT64_MAX));
    json_object_object_add(in, "nan", json_object_new_double(NAN));
    json_object_object_add(in, "inf", json_object_new_double(INFINITY));
    check_obj("{\"Variable\":\"$.half\",\"NumericEquals\":0.5}", in, true);
    check_obj("{\"Variable\":\"$.half\",\"NumericLessThan\":1}", in, true);
    check_obj("{\"Variable\":\"$.big\",\"NumericEquals\":9223372036854775807}",
              in, true);
    check_obj("{\"Variable\":\"$.inf\",\"NumericGreaterThan\":1e308}", in,
              true);
    check_obj("{\"Variable\":\"$.inf\",\"NumericLessThan\":0}", in, false);
    static const char *const nan_rules[] = {
        "{\"Variable\":\"$.nan\",\"NumericEquals\":0}",
        "{\"Variable\":\"$.nan\",\"NumericLessThan\":0}",
        "{\"Variable\":\"$.nan\",\"NumericGreaterThan\":0}",
        "{\"Variable\":\"$.nan\",\"NumericLessThanEquals\":0}",
        "{\"Variable\":\"$.nan\",\"NumericGreaterThanEquals\":0}",
        "{\"Variable\":\"$.nan\",\"NumericEqualsPath\":\"$.nan\"}",
    };
    for (size_t i = 0; i < sizeof nan_rules / sizeof *nan_rules; i++)
        check_obj(nan_rules[i], in, false);
    check_obj("{\"Variable\":\"$.nan\",\"IsNumeric\":true}", in, true);
    json_object_put(in);
}

/* ---- Booleans --------------------------------------------------------------
 */

static void test_boolean(void **state)
{
    (void)state;
    static const vec v[] = {
        {"{\"Variable\":\"$.b\",\"BooleanEquals\":true}", "{\"b\":true}", true},
        {"{\"Variable\":\"$.b\",\"BooleanEquals\":true}", "{\"b\":false}",
         false},
        {"{\"Variable\":\"$.b\",\"BooleanEquals\":false}", "{\"b\":false}",
         true},
        {"{\"Variable\":\"$.b\",\"BooleanEquals\":false}", "{\"b\":true}",
         false},
        /* §5.2 [AWS]: 0, "", null never match. */
        {"{\"Variable\":\"$.b\",\"BooleanEquals\":false}", "{\"b\":0}", false},
        {"{\"Variable\":\"$.b\",\"BooleanEquals\":false}", "{\"b\":\"\"}",
         false},
        {"{\"Variable\":\"$.b\",\"BooleanEquals\":false}", "{\"b\":null}",
         false},
        {"{\"Variable\":\"$.b\",\"BooleanEquals\":true}", "{\"b\":1}", false},
        {"{\"Variable\":\"$.b\",\"BooleanEquals\":true}", "{\"b\":\"true\"}",
         false},
        {"{\"Variable\":\"$.b\",\"BooleanEquals\":true}", "{\"b\":[true]}",
         false},
    };
    CHECK_ALL(v);
}

/* ---- Timestamps ------------------------------------------------------------
 */

static void test_timestamp(void **state)
{
    (void)state;
    static const vec v[] = {
        {"{\"Variable\":\"$.t\",\"TimestampEquals\":\"2016-03-14T01:59:00Z\"}",
         "{\"t\":\"2016-03-14T01:59:00Z\"}", true},
        /* Compared as instants: offsets move the time (§5.4). */
        {"{\"Variable\":\"$.t\",\"TimestampEquals\":\"2016-03-14T01:59:00Z\"}",
         "{\"t\":\"2016-03-14T02:59:00+01:00\"}", true},
        {"{\"Variable\":\"$.t\",\"TimestampEquals\":\"2016-03-14T01:59:00Z\"}",
         "{\"t\":\"2016-03-13T20:59:00-05:00\"}", true},
        {"{\"Variable\":\"$.t\",\"TimestampEquals\":\"2016-03-14T01:59:00Z\"}",
         "{\"t\":\"2016-03-14T01:59:00+01:00\"}", false},
        /* Any number of fraction digits. */
        {"{\"Variable\":\"$.t\",\"TimestampEquals\":\"2016-03-14T01:59:00Z\"}",
         "{\"t\":\"2016-03-14T01:59:00.000000Z\"}", true},
        {"{\"Variable\":\"$.t\",\"TimestampEquals\":"
         "\"2016-03-14T01:59:00.5Z\"}",
         "{\"t\":\"2016-03-14T01:59:00.500Z\"}", true},
        {"{\"Variable\":\"$.t\",\"TimestampGreaterThan\":"
         "\"2016-03-14T01:59:00Z\"}",
         "{\"t\":\"2016-03-14T01:59:00.000001Z\"}", true},
        /* 01:59 at -05:00 is 06:59Z, later than 05:00Z. */
        {"{\"Variable\":\"$.t\",\"TimestampGreaterThan\":"
         "\"2016-03-14T05:00:00Z\"}",
         "{\"t\":\"2016-03-14T01:59:00-05:00\"}", true},
        {"{\"Variable\":\"$.t\",\"TimestampLessThan\":"
         "\"2016-03-14T05:00:00Z\"}",
         "{\"t\":\"2016-03-14T01:59:00-05:00\"}", false},
        {"{\"Variable\":\"$.t\",\"TimestampLessThan\":"
         "\"2016-03-14T05:00:00Z\"}",
         "{\"t\":\"2016-03-14T05:59:00+01:00\"}", true},
        {"{\"Variable\":\"$.t\",\"TimestampLessThanEquals\":"
         "\"2016-03-14T05:00:00Z\"}",
         "{\"t\":\"2016-03-14T06:00:00+01:00\"}", true},
        {"{\"Variable\":\"$.t\",\"TimestampLessThanEquals\":"
         "\"2016-03-14T05:00:00Z\"}",
         "{\"t\":\"2016-03-14T05:00:01Z\"}", false},
        {"{\"Variable\":\"$.t\",\"TimestampGreaterThanEquals\":"
         "\"2016-03-14T05:00:00Z\"}",
         "{\"t\":\"2016-03-14T05:00:00Z\"}", true},
        {"{\"Variable\":\"$.t\",\"TimestampGreaterThanEquals\":"
         "\"2016-03-14T05:00:00Z\"}",
         "{\"t\":\"2016-03-14T04:59:59.999Z\"}", false},
        /* Across a year boundary and before 1970. */
        {"{\"Variable\":\"$.t\",\"TimestampLessThan\":"
         "\"2017-01-01T00:00:00Z\"}",
         "{\"t\":\"2016-12-31T23:59:59.999999Z\"}", true},
        {"{\"Variable\":\"$.t\",\"TimestampLessThan\":"
         "\"1970-01-01T00:00:00Z\"}",
         "{\"t\":\"1969-12-31T23:59:59Z\"}", true},
    };
    CHECK_ALL(v);
}

static void test_timestamp_invalid(void **state)
{
    (void)state;
    /* §5.4: not timestamps, so every comparison is false. */
    static const char *const values[] = {
        "\"2016-12-05 21:29:29Z\"",
        "\"2016-12-05T21:29:29\"",
        "\"2016-12-05T21:29:29.000000\"",
        "\"2016-13-05T21:29:29Z\"",
        "\"2016-12-05T25:29:29Z\"",
        "\"05-12-2016T21:29:29Z\"",
        "\"2016-12-05t21:29:29z\"",
        "1481000000",
        "null",
        "{}",
    };
    static const char *const rules[] = {
        "{\"Variable\":\"$.v\",\"TimestampEquals\":\"2016-12-05T21:29:29Z\"}",
        "{\"Variable\":\"$.v\",\"TimestampLessThan\":\"2999-01-01T00:00:00Z\"}",
        ("{\"Variable\":\"$.v\",\"TimestampGreaterThanEquals\":"
         "\"1000-01-01T00:00:00Z\"}"),
    };
    for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
        for (size_t k = 0; k < sizeof rules / sizeof *rules; k++) {
            char input[96];
            snprintf(input, sizeof input, "{\"v\":%s}", values[i]);
            check(rules[k], input, false);
        }
    }
    check("{\"Variable\":\"$.v\",\"TimestampEquals\":\"2016-12-05T21:29:29Z\"}",
          "{\"v\":\"2016-12-05T21:29:29Z\\u0000\"}", false);
}

/* ---- *Path operands
 * ----------------------------------------------------------
 */

static void test_path_operands(void **state)
{
    (void)state;
    static const char in[] =
        "{\"s\":\"abc\",\"s2\":\"abc\",\"s3\":\"abd\",\"n\":5,\"n2\":5.0,"
        "\"n3\":7,\"b\":true,\"b2\":true,\"b3\":false,"
        "\"t\":\"2016-03-14T01:59:00Z\",\"t2\":\"2016-03-14T02:59:00+01:00\","
        "\"t3\":\"2016-03-14T03:00:00Z\",\"bad\":\"nope\",\"nul\":null,"
        "\"big\":9007199254740993,\"bigd\":9007199254740992.0,\"s5\":\"5\"}";
    static const vec v[] = {
        {"{\"Variable\":\"$.s\",\"StringEqualsPath\":\"$.s2\"}", in, true},
        {"{\"Variable\":\"$.s\",\"StringEqualsPath\":\"$.s3\"}", in, false},
        {"{\"Variable\":\"$.s\",\"StringLessThanPath\":\"$.s3\"}", in, true},
        {"{\"Variable\":\"$.s3\",\"StringGreaterThanPath\":\"$.s\"}", in, true},
        {"{\"Variable\":\"$.s\",\"StringLessThanEqualsPath\":\"$.s2\"}", in,
         true},
        {"{\"Variable\":\"$.s\",\"StringGreaterThanEqualsPath\":\"$.s3\"}", in,
         false},
        {"{\"Variable\":\"$.n\",\"NumericEqualsPath\":\"$.n2\"}", in, true},
        {"{\"Variable\":\"$.n\",\"NumericLessThanPath\":\"$.n3\"}", in, true},
        {"{\"Variable\":\"$.n\",\"NumericGreaterThanPath\":\"$.n3\"}", in,
         false},
        {"{\"Variable\":\"$.n\",\"NumericLessThanEqualsPath\":\"$.n2\"}", in,
         true},
        {"{\"Variable\":\"$.n3\",\"NumericGreaterThanEqualsPath\":\"$.n\"}", in,
         true},
        {"{\"Variable\":\"$.big\",\"NumericGreaterThanPath\":\"$.bigd\"}", in,
         true},
        {"{\"Variable\":\"$.b\",\"BooleanEqualsPath\":\"$.b2\"}", in, true},
        {"{\"Variable\":\"$.b\",\"BooleanEqualsPath\":\"$.b3\"}", in, false},
        {"{\"Variable\":\"$.t\",\"TimestampEqualsPath\":\"$.t2\"}", in, true},
        {"{\"Variable\":\"$.t\",\"TimestampLessThanPath\":\"$.t3\"}", in, true},
        {"{\"Variable\":\"$.t3\",\"TimestampGreaterThanPath\":\"$.t2\"}", in,
         true},
        {"{\"Variable\":\"$.t\",\"TimestampLessThanEqualsPath\":\"$.t2\"}", in,
         true},
        {"{\"Variable\":\"$.t\",\"TimestampGreaterThanEqualsPath\":\"$.t3\"}",
         in, false},
        /* The operand must have the operator's type too (§5.2). */
        {"{\"Variable\":\"$.s\",\"StringEqualsPath\":\"$.n\"}", in, false},
        {"{\"Variable\":\"$.n\",\"NumericEqualsPath\":\"$.s\"}", in, false},
        {"{\"Variable\":\"$.s5\",\"StringEqualsPath\":\"$.n\"}", in, false},
        {"{\"Variable\":\"$.s5\",\"StringGreaterThanPath\":\"$.n\"}", in,
         false},
        {"{\"Variable\":\"$.s5\",\"StringLessThanPath\":\"$.n\"}", in, false},
        {"{\"Variable\":\"$.n\",\"NumericEqualsPath\":\"$.s5\"}", in, false},
        {"{\"Variable\":\"$.n\",\"NumericEqualsPath\":\"$.nul\"}", in, false},
        {"{\"Variable\":\"$.b\",\"BooleanEqualsPath\":\"$.s\"}", in, false},
        {"{\"Variable\":\"$.t\",\"TimestampEqualsPath\":\"$.bad\"}", in, false},
        {"{\"Variable\":\"$.t\",\"TimestampLessThanPath\":\"$.n\"}", in, false},
        /* ...and so must the variable. */
        {"{\"Variable\":\"$.n\",\"StringEqualsPath\":\"$.s\"}", in, false},
        {"{\"Variable\":\"$.bad\",\"TimestampLessThanPath\":\"$.t\"}", in,
         false},
    };
    CHECK_ALL(v);
}

static void test_other_roots(void **state)
{
    (void)state;
    /* §5.1: Variable and *Path may read $$ (context) and $name
     * (variables). */
    static const vec v[] = {
        {"{\"Variable\":\"$$.Execution.Name\",\"StringEquals\":\"run-1\"}",
         "{}", true},
        {"{\"Variable\":\"$$.State.RetryCount\",\"NumericLessThan\":3}", "{}",
         true},
        {"{\"Variable\":\"$.max\",\"NumericGreaterThanPath\":"
         "\"$$.State.RetryCount\"}",
         "{\"max\":3}", true},
        {"{\"Variable\":\"$limit\",\"NumericEquals\":10}", "{}", true},
        {"{\"Variable\":\"$.n\",\"NumericLessThanPath\":\"$limit\"}",
         "{\"n\":9.5}", true},
        {"{\"Variable\":\"$who\",\"StringEqualsPath\":\"$.name\"}",
         "{\"name\":\"bob\"}", true},
        {"{\"Variable\":\"$flag\",\"BooleanEquals\":true}", "{}", true},
        {"{\"Variable\":\"$$.Execution.StartTime\",\"TimestampLessThan\":"
         "\"2024-01-01T00:00:01Z\"}",
         "{}", true},
        /* The effective input may be any JSON value, here a bare number. */
        {"{\"Variable\":\"$\",\"NumericEquals\":42}", "42", true},
        {"{\"Variable\":\"$[1]\",\"StringEquals\":\"b\"}", "[\"a\",\"b\"]",
         true},
    };
    CHECK_ALL(v);
}

/* ---- Is* operators
 * -----------------------------------------------------------
 */

typedef struct is_vec {
    const char *op;
    const char *value;
    bool want; /* result of op: true */
} is_vec;

static void test_is_vectors(void **state)
{
    (void)state;
    /* The observed AWS vectors of §5.2, value -> IsX: true. */
    static const is_vec v[] = {
        {"IsNull", "null", true},
        {"IsNull", "0", false},
        {"IsNull", "\"\"", false},
        {"IsNull", "[]", false},
        {"IsNull", "{}", false},
        {"IsNull", "false", false},
        {"IsPresent", "null", true},
        {"IsPresent", "0", true},
        {"IsPresent", "\"\"", true},
        {"IsPresent", "[]", true},
        {"IsPresent", "{}", true},
        {"IsPresent", "false", true},
        {"IsNumeric", "0", true},
        {"IsNumeric", "0.0", true},
        {"IsNumeric", "1", true},
        {"IsNumeric", "1.1", true},
        {"IsNumeric", "\"\"", false},
        {"IsNumeric", "\"2023-02-24\"", false},
        {"IsNumeric", "\"1\"", false},
        {"IsNumeric", "[]", false},
        {"IsNumeric", "{}", false},
        {"IsNumeric", "true", false},
        {"IsNumeric", "null", false},
        {"IsString", "\"\"", true},
        {"IsString", "\" \"", true},
        {"IsString", "\"HelloWorld\"", true},
        {"IsString", "\"2012-10-09T19:00:55Z\"", true},
        {"IsString", "\"2023-02-24\"", true},
        {"IsString", "null", false},
        {"IsString", "0", false},
        {"IsString", "1.5", false},
        {"IsString", "[]", false},
        {"IsString", "{}", false},
        {"IsString", "true", false},
        {"IsString", "false", false},
        {"IsBoolean", "true", true},
        {"IsBoolean", "false", true},
        {"IsBoolean", "null", false},
        {"IsBoolean", "0", false},
        {"IsBoolean", "\"true\"", false},
        {"IsBoolean", "[]", false},
        {"IsBoolean", "{}", false},
        /* IsTimestamp: a string that is a valid §5.4 timestamp. */
        {"IsTimestamp", "\"2012-10-09T19:00:55Z\"", true},
        {"IsTimestamp", "\"2012-10-09T19:00:55.123+05:30\"", true},
        {"IsTimestamp", "\"2023-02-24\"", false},
        {"IsTimestamp", "\"2016-12-05 21:29:29Z\"", false},
        {"IsTimestamp", "\"2016-12-05T21:29:29\"", false},
        {"IsTimestamp", "\"HelloWorld\"", false},
        {"IsTimestamp", "1349809255", false},
        {"IsTimestamp", "null", false},
    };
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        char rule[96], input[96];
        snprintf(input, sizeof input, "{\"v\":%s}", v[i].value);
        snprintf(rule, sizeof rule, "{\"Variable\":\"$.v\",\"%s\":true}",
                 v[i].op);
        check(rule, input, v[i].want);
        /* IsX: false is the negation. */
        snprintf(rule, sizeof rule, "{\"Variable\":\"$.v\",\"%s\":false}",
                 v[i].op);
        check(rule, input, !v[i].want);
    }
}

/* ---- Paths that do not resolve -------------------------------------------
 */

static void test_missing_variable(void **state)
{
    (void)state;
    /* §5.1: IsPresent is false for a path that does not resolve. */
    check("{\"Variable\":\"$.missing\",\"IsPresent\":true}", "{\"a\":1}",
          false);
    check("{\"Variable\":\"$.missing\",\"IsPresent\":false}", "{\"a\":1}",
          true);
    check("{\"Variable\":\"$.a.b.c\",\"IsPresent\":true}", "{\"a\":1}", false);
    check("{\"Variable\":\"$.a[3]\",\"IsPresent\":true}", "{\"a\":[1]}", false);
    check("{\"Variable\":\"$nosuchvar\",\"IsPresent\":true}", "{}", false);
    check("{\"Variable\":\"$$.Nope\",\"IsPresent\":true}", "{}", false);
    check("{\"Variable\":\"$.a\",\"IsPresent\":true}", "{\"a\":null}", true);
    /* Every other operator fails with the path's message (Jayway's wording,
     * as sl_path_eval gives it). */
    static const char *const ops[] = {
        "\"StringEquals\":\"x\"",
        "\"StringMatches\":\"*\"",
        "\"NumericEquals\":1",
        "\"BooleanEquals\":true",
        "\"TimestampEquals\":\"2016-03-14T01:59:00Z\"",
        "\"StringEqualsPath\":\"$.a\"",
        "\"IsNull\":true",
        "\"IsNull\":false",
        "\"IsNumeric\":false",
        "\"IsString\":false",
        "\"IsBoolean\":false",
        "\"IsTimestamp\":false",
    };
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
        char rule[128];
        snprintf(rule, sizeof rule, "{\"Variable\":\"$.missing\",%s}", ops[i]);
        check_error(rule, "{\"a\":\"x\"}", BT_ENOENT,
                    "No results for path: $['missing']");
    }
    check_error("{\"Variable\":\"$.a.b\",\"NumericEquals\":1}", "{\"c\":1}",
                BT_ENOENT, "Missing property in path $['a']");
    check_error("{\"Variable\":\"$nosuchvar\",\"IsNull\":false}", "{}",
                BT_ENOENT, "nosuchvar");
}

static void test_missing_operand_path(void **state)
{
    (void)state;
    /* A *Path operand must resolve as well. */
    check_error("{\"Variable\":\"$.a\",\"StringEqualsPath\":\"$.missing\"}",
                "{\"a\":\"x\"}", BT_ENOENT,
                "No results for path: $['missing']");
    check_error("{\"Variable\":\"$.a\",\"NumericLessThanPath\":\"$limitx\"}",
                "{\"a\":1}", BT_ENOENT, "limitx");
    /* Our choice: both paths are read before types are looked at, so a
     * missing operand is an error even when the variable's type would make
     * the test false. */
    check_error("{\"Variable\":\"$.a\",\"NumericEqualsPath\":\"$.missing\"}",
                "{\"a\":\"x\"}", BT_ENOENT,
                "No results for path: $['missing']");
    /* A missing Variable is reported before the operand. */
    check_error("{\"Variable\":\"$.v\",\"NumericEqualsPath\":\"$.w\"}", "{}",
                BT_ENOENT, "No results for path: $['v']");
}

/* ---- And / Or / Not
 * ----------------------------------------------------------
 */

#define T_RULE "{\"Variable\":\"$.a\",\"NumericEquals\":1}"
#define F_RULE "{\"Variable\":\"$.a\",\"NumericEquals\":2}"
#define ERR_RULE "{\"Variable\":\"$.missing\",\"NumericEquals\":1}"

static void test_combinators(void **state)
{
    (void)state;
    static const char in[] = "{\"a\":1}";
    static const vec v[] = {
        {"{\"And\":[" T_RULE "]}", in, true},
        {"{\"And\":[" T_RULE "," T_RULE "," T_RULE "]}", in, true},
        {"{\"And\":[" T_RULE "," F_RULE "]}", in, false},
        {"{\"And\":[" F_RULE "," T_RULE "]}", in, false},
        {"{\"Or\":[" F_RULE "]}", in, false},
        {"{\"Or\":[" F_RULE "," F_RULE "," T_RULE "]}", in, true},
        {"{\"Or\":[" F_RULE "," F_RULE "]}", in, false},
        {"{\"Not\":" T_RULE "}", in, false},
        {"{\"Not\":" F_RULE "}", in, true},
        {"{\"Not\":{\"Not\":" T_RULE "}}", in, true},
        {"{\"And\":[{\"Or\":[" F_RULE "," T_RULE "]},{\"Not\":" F_RULE "}]}",
         in, true},
        {"{\"Or\":[{\"And\":[" T_RULE "," F_RULE "]},{\"Not\":{\"Or\":[" F_RULE
         "]}}]}",
         in, true},
        {"{\"Not\":{\"And\":[" T_RULE ",{\"Not\":" F_RULE "}]}}", in, false},
        /* Short-circuit (§5.1): a rule after the deciding one is never
         * evaluated, so its missing path is no error. */
        {"{\"And\":[" F_RULE "," ERR_RULE "]}", in, false},
        {"{\"Or\":[" T_RULE "," ERR_RULE "]}", in, true},
        {"{\"Not\":{\"Or\":[" T_RULE "," ERR_RULE "]}}", in, false},
        /* A missing path under IsPresent is false, not an error. */
        {"{\"And\":[{\"Variable\":\"$.missing\",\"IsPresent\":false}," T_RULE
         "]}",
         in, true},
        /* The usual guard: present and then compared. */
        {"{\"And\":[{\"Variable\":\"$.n\",\"IsPresent\":true},"
         "{\"Variable\":\"$.n\",\"NumericGreaterThan\":3}]}",
         in, false},
        {"{\"And\":[{\"Variable\":\"$.n\",\"IsPresent\":true},"
         "{\"Variable\":\"$.n\",\"NumericGreaterThan\":3}]}",
         "{\"n\":4}", true},
    };
    CHECK_ALL(v);
    /* Not reached by the short-circuit: the error surfaces. */
    check_error("{\"And\":[" T_RULE "," ERR_RULE "]}", in, BT_ENOENT,
                "No results for path: $['missing']");
    check_error("{\"Or\":[" F_RULE "," ERR_RULE "," T_RULE "]}", in, BT_ENOENT,
                "No results for path: $['missing']");
    check_error("{\"Not\":" ERR_RULE "}", in, BT_ENOENT,
                "No results for path: $['missing']");
}

/* Builds n nested Nots around T_RULE. */
static char *nested_not(int n)
{
    bt_buf b;
    bt_buf_init(&b);
    for (int i = 0; i < n; i++)
        bt_buf_puts(&b, "{\"Not\":");
    bt_buf_puts(&b, T_RULE);
    for (int i = 0; i < n; i++)
        bt_buf_putc(&b, '}');
    return bt_buf_take(&b);
}

static void test_deep_nesting(void **state)
{
    (void)state;
    /* The validator allows 100 levels below a top-level rule. */
    char *ok = nested_not(100);
    check(ok, "{\"a\":1}", true); /* an even number of Nots */
    free(ok);
    char *too_deep = nested_not(101);
    check_compile_error(too_deep, "nest");
    free(too_deep);
}

/* ---- Compiling
 * ---------------------------------------------------------------
 */

static void test_compile_ignores_other_fields(void **state)
{
    (void)state;
    check("{\"Variable\":\"$.a\",\"NumericEquals\":1,\"Next\":\"X\","
          "\"Comment\":\"c\",\"Assign\":{\"x\":1}}",
          "{\"a\":1}", true);
    check("{\"And\":[" T_RULE "],\"Next\":\"X\",\"Comment\":\"c\"}",
          "{\"a\":1}", true);
}

static void test_compile_errors(void **state)
{
    (void)state;
    check_compile_error("[]", "must be an object");
    check_compile_error("{\"Variable\":\"$.a\"}", "no comparison operator");
    check_compile_error("{\"Variable\":\"$.a\",\"IsNull\":true,"
                        "\"IsPresent\":true}",
                        "more than one");
    check_compile_error("{\"NumericEquals\":1}", "Variable");
    check_compile_error("{\"Variable\":\"a.b\",\"NumericEquals\":1}",
                        "Variable");
    check_compile_error("{\"Variable\":\"$.a\",\"NumericEquals\":\"1\"}",
                        "NumericEquals");
    check_compile_error("{\"Variable\":\"$.a\",\"StringEquals\":1}",
                        "StringEquals");
    check_compile_error("{\"Variable\":\"$.a\",\"BooleanEquals\":\"true\"}",
                        "BooleanEquals");
    check_compile_error("{\"Variable\":\"$.a\",\"TimestampEquals\":"
                        "\"2016-03-14 01:59:00Z\"}",
                        "TimestampEquals");
    check_compile_error("{\"Variable\":\"$.a\",\"IsNull\":1}", "IsNull");
    check_compile_error("{\"Variable\":\"$.a\",\"StringEqualsPath\":\"x\"}",
                        "StringEqualsPath");
    /* An unterminated backslash is an error (§5.2). */
    check_compile_error("{\"Variable\":\"$.a\",\"StringMatches\":\"ab\\\\\"}",
                        "backslash");
    check_compile_error("{\"And\":[]}", "And");
    check_compile_error("{\"Or\":{}}", "Or");
    check_compile_error("{\"And\":[" T_RULE ",{\"Variable\":\"$.a\"}]}",
                        "no comparison operator");
    check_compile_error("{\"Not\":[" T_RULE "]}", "must be an object");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_string_compare),
        cmocka_unit_test(test_string_type_mismatch),
        cmocka_unit_test(test_string_matches),
        cmocka_unit_test(test_string_matches_pathological),
        cmocka_unit_test(test_numeric_compare),
        cmocka_unit_test(test_numeric_type_mismatch),
        cmocka_unit_test(test_numeric_exact),
        cmocka_unit_test(test_numeric_computed),
        cmocka_unit_test(test_boolean),
        cmocka_unit_test(test_timestamp),
        cmocka_unit_test(test_timestamp_invalid),
        cmocka_unit_test(test_path_operands),
        cmocka_unit_test(test_other_roots),
        cmocka_unit_test(test_is_vectors),
        cmocka_unit_test(test_missing_variable),
        cmocka_unit_test(test_missing_operand_path),
        cmocka_unit_test(test_combinators),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_compile_ignores_other_fields),
        cmocka_unit_test(test_compile_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
