/*
 * Tests for the intrinsic call parser: grammar, names and arities
 * (ASL reference §4.2, §4.3), string escapes, nesting limit, and error
 * messages with offsets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "statelang/sl_path_int.h"

static sl_intrinsic *must_parse(const char *text)
{
    sl_intrinsic *call = NULL;
    char *err = NULL;
    if (sl_intrinsic_parse(text, &call, &err) != 0)
        fail_msg("'%s' should parse: %s", text, err);
    return call;
}

static void expect_error(const char *text, const char *want)
{
    sl_intrinsic *call = NULL;
    char *err = NULL;
    if (sl_intrinsic_parse(text, &call, &err) != BT_EPARSE)
        fail_msg("'%s' should not parse", text);
    assert_null(call);
    if (!strstr(err, want))
        fail_msg("'%s': error '%s' lacks '%s'", text, err, want);
    free(err);
}

static const struct {
    sl_intrinsic_fn fn;
    const char *name;
    int lo, hi;
} FNS[] = {
#define ROW(id, name, lo, hi) {SL_FN_##id, name, lo, hi},
    SL_INTRINSICS(ROW)
#undef ROW
};

/* "States.Name(1, 1, ...)" with n arguments. */
static char *call_text(const char *name, int n)
{
    bt_buf b;
    bt_buf_init(&b);
    bt_buf_printf(&b, "%s(", name);
    for (int i = 0; i < n; i++)
        bt_buf_puts(&b, i ? ", 1" : "1");
    bt_buf_putc(&b, ')');
    return bt_buf_take(&b);
}

static void test_every_name_and_arity(void **state)
{
    (void)state;
    /* §4.2: the 18 names. */
    assert_int_equal(SL_FN_COUNT, 18);
    static const char *names[] = {
        "States.Format",      "States.StringToJson",   "States.JsonToString",
        "States.Array",       "States.ArrayPartition", "States.ArrayContains",
        "States.ArrayRange",  "States.ArrayGetItem",   "States.ArrayLength",
        "States.ArrayUnique", "States.Base64Encode",   "States.Base64Decode",
        "States.Hash",        "States.JsonMerge",      "States.MathRandom",
        "States.MathAdd",     "States.StringSplit",    "States.UUID",
    };
    for (size_t i = 0; i < SL_FN_COUNT; i++)
        assert_string_equal(sl_intrinsic_fn_name(FNS[i].fn), names[i]);

    for (size_t i = 0; i < SL_FN_COUNT; i++) {
        int lo = FNS[i].lo, hi = FNS[i].hi < 0 ? lo + 3 : FNS[i].hi;
        for (int n = lo; n <= hi; n++) {
            char *t = call_text(FNS[i].name, n);
            sl_intrinsic *call = must_parse(t);
            assert_int_equal(call->fn, FNS[i].fn);
            assert_int_equal(call->nargs, (size_t)n);
            sl_intrinsic_free(call);
            free(t);
        }
        if (lo > 0) {
            char *t = call_text(FNS[i].name, lo - 1);
            expect_error(t, "takes");
            free(t);
        }
        if (FNS[i].hi >= 0) {
            char *t = call_text(FNS[i].name, FNS[i].hi + 1);
            expect_error(t, "takes");
            free(t);
        }
    }
}

static void test_arity_messages(void **state)
{
    (void)state;
    expect_error("States.Format()",
                 "States.Format takes at least 1 argument, got 0 at offset 0");
    expect_error("States.UUID(1)",
                 "States.UUID takes 0 arguments, got 1 at offset 0");
    expect_error("States.Hash('a')",
                 "States.Hash takes 2 arguments, got 1 at offset 0");
    expect_error("States.MathRandom(1)",
                 "States.MathRandom takes 2 to 3 arguments, got 1");
    expect_error("States.MathRandom(1, 2, 3, 4)",
                 "States.MathRandom takes 2 to 3 arguments, got 4");
    expect_error("States.Array(States.ArrayLength())",
                 "States.ArrayLength takes 1 argument, got 0 at offset 13");
}

static void test_names(void **state)
{
    (void)state;
    expect_error("States.Xyz()", "unknown intrinsic function 'States.Xyz' "
                                 "at offset 0");
    /* Names are case-sensitive. */
    expect_error("States.array()", "unknown intrinsic function");
    expect_error("states.Array()", "expected an intrinsic function call");
    expect_error("States.Array", "expected '(' after States.Array at "
                                 "offset 12");
    expect_error("States.Array (1)", "expected '(' after States.Array");
    expect_error("Array(1)", "expected an intrinsic function call");
    expect_error("", "expected an intrinsic function call");
    expect_error("$.a", "expected an intrinsic function call");
}

static void test_whole_text_is_one_call(void **state)
{
    (void)state;
    sl_intrinsic_free(must_parse("States.Array(1)"));
    expect_error(" States.Array(1)", "expected an intrinsic function call "
                                     "such as States.Format(...) at offset 0");
    expect_error("States.Array(1) ", "unexpected text after the call at "
                                     "offset 15");
    expect_error("States.Array(1)States.Array(2)", "unexpected text after");
    expect_error("States.Array(1", "missing ')' at end of call");
    expect_error("States.Array(", "unexpected end of text");
    expect_error("States.Array(1,,2)", "expected an argument");
    expect_error("States.Array(1,)", "expected an argument (a 'string', "
                                     "number, true, false, null, path or "
                                     "States.* call) at offset 15");
    expect_error("States.Array(,1)", "expected an argument");
    expect_error("States.Array(1 2)", "expected ',' or ')' after an argument "
                                      "at offset 15");
}

static void test_argument_kinds(void **state)
{
    (void)state;
    sl_intrinsic *c = must_parse("States.Array('a', 1, -2.5, 1e3, true, "
                                 "false, null, $.a, $$.b, $v.c, "
                                 "States.UUID())");
    assert_int_equal(c->nargs, 11);
    assert_int_equal(c->args[0].kind, SL_ARG_STRING);
    assert_string_equal(json_object_get_string(c->args[0].literal), "a");
    assert_int_equal(c->args[1].kind, SL_ARG_NUMBER);
    assert_true(json_object_is_type(c->args[1].literal, json_type_int));
    assert_int_equal(json_object_get_int64(c->args[1].literal), 1);
    assert_int_equal(c->args[2].kind, SL_ARG_NUMBER);
    assert_true(json_object_is_type(c->args[2].literal, json_type_double));
    assert_true(json_object_get_double(c->args[2].literal) == -2.5);
    assert_true(json_object_is_type(c->args[3].literal, json_type_double));
    assert_true(json_object_get_double(c->args[3].literal) == 1000.0);
    assert_int_equal(c->args[4].kind, SL_ARG_BOOL);
    assert_true(json_object_get_boolean(c->args[4].literal));
    assert_int_equal(c->args[5].kind, SL_ARG_BOOL);
    assert_false(json_object_get_boolean(c->args[5].literal));
    assert_int_equal(c->args[6].kind, SL_ARG_NULL);
    assert_null(c->args[6].literal);
    assert_int_equal(c->args[7].kind, SL_ARG_PATH);
    assert_int_equal(sl_path_root_kind(c->args[7].path), SL_ROOT_INPUT);
    assert_string_equal(sl_path_text(c->args[7].path), "$.a");
    assert_int_equal(sl_path_root_kind(c->args[8].path), SL_ROOT_CONTEXT);
    assert_int_equal(sl_path_root_kind(c->args[9].path), SL_ROOT_VAR);
    assert_string_equal(sl_path_var(c->args[9].path), "v");
    assert_int_equal(c->args[10].kind, SL_ARG_CALL);
    assert_int_equal(c->args[10].call->fn, SL_FN_UUID);
    sl_intrinsic_free(c);

    /* Whitespace around arguments; no arguments with blanks. */
    c = must_parse("States.Format(  'x {}' ,\t$.a\n)");
    assert_int_equal(c->nargs, 2);
    sl_intrinsic_free(c);
    c = must_parse("States.Array( )");
    assert_int_equal(c->nargs, 0);
    sl_intrinsic_free(c);
}

static void test_path_arguments(void **state)
{
    (void)state;
    /* Full path syntax is allowed; commas and parentheses inside brackets
     * and quotes do not end the argument. */
    sl_intrinsic *c =
        must_parse("States.Array($.a[?(@.x == 'a, b)')], $..c[0,1], $, $$)");
    assert_int_equal(c->nargs, 4);
    assert_string_equal(sl_path_text(c->args[0].path),
                        "$.a[?(@.x == 'a, b)')]");
    assert_string_equal(sl_path_text(c->args[1].path), "$..c[0,1]");
    assert_false(sl_path_is_definite(c->args[1].path));
    assert_string_equal(sl_path_text(c->args[2].path), "$");
    assert_string_equal(sl_path_text(c->args[3].path), "$$");
    sl_intrinsic_free(c);
    c = must_parse("States.JsonToString($.a\\,b)");
    assert_string_equal(sl_path_text(c->args[0].path), "$.a\\,b");
    sl_intrinsic_free(c);

    /* Path errors point into the whole text. */
    expect_error("States.Array($$23)", "invalid path argument: unexpected "
                                       "'2', expected '.' or '[' after '$$' "
                                       "at offset 15");
    expect_error("States.Array($.a b)", "expected ',' or ')' after an "
                                        "argument at offset 17");
    expect_error("States.Array($.)", "must not end with '.' at offset 14");
    expect_error("States.Array($.a[)", "invalid path argument");
    expect_error("States.Array($1)", "variable name must not start with a "
                                     "digit at offset 14");
}

static void test_numbers(void **state)
{
    (void)state;
    sl_intrinsic *c = must_parse("States.MathAdd(-9, 3)");
    assert_int_equal(json_object_get_int64(c->args[0].literal), -9);
    sl_intrinsic_free(c);
    c = must_parse("States.MathAdd(9007199254740993, 1.5E-2)");
    assert_int_equal(json_object_get_int64(c->args[0].literal),
                     INT64_C(9007199254740993));
    assert_true(json_object_get_double(c->args[1].literal) == 1.5e-2);
    sl_intrinsic_free(c);
    expect_error("States.Array(1.)", "expected a digit after '.'");
    expect_error("States.Array(-)", "expected a digit after '-'");
    expect_error("States.Array(1e)", "expected exponent digits");
    expect_error("States.Array(1a)", "unexpected character after number");
    expect_error("States.Array(99999999999999999999)",
                 "integer out of range at offset 13");
    expect_error("States.Array(truex)", "expected an argument");
    expect_error("States.Array(nul)", "expected an argument");
}

static void test_string_escapes(void **state)
{
    (void)state;
    /* §4.2: \' \{ \} \\ are the only escapes. */
    sl_intrinsic *c = must_parse("States.Format('\\{\\} it\\'s \\\\ {}', 1)");
    assert_string_equal(json_object_get_string(c->args[0].literal),
                        "{} it's \\ {}");
    assert_string_equal(c->args[0].raw, "\\{\\} it\\'s \\\\ {}");
    sl_intrinsic_free(c);
    c = must_parse("States.Format('')");
    assert_string_equal(json_object_get_string(c->args[0].literal), "");
    sl_intrinsic_free(c);
    /* §4.2: JSON \n arrives as a real newline and is allowed. */
    c = must_parse("States.StringSplit('Hello\nWorld', '\n')");
    assert_string_equal(json_object_get_string(c->args[0].literal),
                        "Hello\nWorld");
    assert_string_equal(json_object_get_string(c->args[1].literal), "\n");
    sl_intrinsic_free(c);
    /* Double quotes and non-ASCII text need no escape. */
    c = must_parse("States.StringToJson('{\"a\":\"Ж\"}')");
    assert_string_equal(json_object_get_string(c->args[0].literal),
                        "{\"a\":\"Ж\"}");
    sl_intrinsic_free(c);

    /* §4.2 [AWS]: \" inside the literal is rejected at create time (the
     * recorded definition, after JSON decoding). */
    expect_error("States.StringToJson('{\"text\":\"An \\\"escaped double "
                 "quote\\\" here\"}')",
                 "invalid escape '\\\"' in string literal (only \\' \\{ \\} "
                 "\\\\ are allowed) at offset 33");
    expect_error("States.Format('a\\nb')", "invalid escape '\\n'");
    expect_error("States.Format('a\\", "unterminated string literal");
    expect_error("States.Format('abc)", "unterminated string literal at "
                                        "offset 14");
    expect_error("States.Format(\"abc\")", "expected an argument");
}

static char *nested(int depth)
{
    bt_buf b;
    bt_buf_init(&b);
    for (int i = 0; i < depth; i++)
        bt_buf_puts(&b, "States.Array(");
    for (int i = 0; i < depth; i++)
        bt_buf_putc(&b, ')');
    return bt_buf_take(&b);
}

static void test_nesting_limit(void **state)
{
    (void)state;
    /* §4.2 [DOC]: at most 10 calls nested, counting the outer one. */
    char *t = nested(BT_LIMIT_INTRINSIC_NESTING);
    sl_intrinsic *c = must_parse(t);
    int depth = 1;
    for (sl_intrinsic *k = c; k->nargs; k = k->args[0].call)
        depth++;
    assert_int_equal(depth, 10);
    sl_intrinsic_free(c);
    free(t);
    t = nested(BT_LIMIT_INTRINSIC_NESTING + 1);
    expect_error(t, "intrinsic calls nested more than 10 deep at offset 130");
    free(t);
    t = nested(1000);
    expect_error(t, "nested more than 10 deep");
    free(t);
}

static void test_offsets_count_characters(void **state)
{
    (void)state;
    /* 'Ж' is one character (two bytes); the bad escape is at character 17. */
    expect_error("States.Format('Ж \\x')", "at offset 17");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_name_and_arity),
        cmocka_unit_test(test_arity_messages),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_whole_text_is_one_call),
        cmocka_unit_test(test_argument_kinds),
        cmocka_unit_test(test_path_arguments),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_string_escapes),
        cmocka_unit_test(test_nesting_limit),
        cmocka_unit_test(test_offsets_count_characters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
