/*
 * Tests for the JSONata front end (tokenizer, parser, AST post-processing).
 *
 * Expected ASTs are the trees the reference implementation (jsonata-js
 * 2.2.2, parser.js) builds for examples from the JSONata documentation,
 * written in the sl_jn_dump notation; expected error codes, positions and
 * tokens are the ones the reference raises. Positions are UTF-16 offsets
 * just past the offending token, as the reference reports them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "statelang/sl_jsonata_int.h"

/* ---- Helpers ------------------------------------------------------------- */

static sl_jsonata *must_parse(const char *text)
{
    sl_jsonata *expr = NULL;
    sl_jsonata_error err;
    if (sl_jsonata_parse(text, strlen(text), &expr, &err) != 0) {
        fail_msg("'%s' should parse: %s %s (position %d)", text, err.code,
                 err.message, err.position);
    }
    return expr;
}

static void expect_ast(const char *text, const char *want)
{
    sl_jsonata *expr = must_parse(text);
    char *got = sl_jn_dump(sl_jsonata_root(expr));
    if (strcmp(got, want) != 0)
        fail_msg("'%s'\n  want %s\n  got  %s", text, want, got);
    free(got);
    sl_jsonata_free(expr);
}

/* token NULL: not checked. */
static void expect_error_len(const char *text, size_t len, const char *code,
                             int position, const char *token)
{
    sl_jsonata *expr = NULL;
    sl_jsonata_error err;
    int rc = sl_jsonata_parse(text, len, &expr, &err);
    if (rc == 0) {
        char *got = sl_jn_dump(sl_jsonata_root(expr));
        sl_jsonata_free(expr);
        fail_msg("'%s' should fail with %s, parsed as %s", text, code, got);
    }
    assert_int_equal(rc, BT_EPARSE);
    if (strcmp(err.code, code) != 0 || err.position != position)
        fail_msg("'%s': want %s at %d, got %s at %d (%s)", text, code, position,
                 err.code, err.position, err.message);
    assert_non_null(err.message);
    if (token) {
        assert_non_null(err.token);
        assert_string_equal(err.token, token);
    }
    sl_jsonata_error_fini(&err);
}

static void expect_error(const char *text, const char *code, int position,
                         const char *token)
{
    expect_error_len(text, strlen(text), code, position, token);
}

/* ---- Paths, predicates, grouping, sorting -------------------------------- */

static void test_paths(void **state)
{
    (void)state;
    expect_ast("Address.City", "(path Address City)");
    expect_ast("Account.Order[0].Product",
               "(path Account (name Order :stages (filter 0)) Product)");
    expect_ast("Phone[type='mobile'].number",
               "(path (name Phone :stages (filter (= (path type) "
               "\"mobile\"))) number)");
    expect_ast("$[0]", "(var $ :pred 0)");
    expect_ast("[1,2,3][0]", "(array 1 2 3 :pred 0)");
    expect_ast("$x.y", "(path $x y)");
    expect_ast("$states.input.x", "(path $states input x)");
    expect_ast("Address.*", "(path Address *)");
    expect_ast("**.Postcode", "(path ** Postcode)");
    expect_ast("`Product Name`", "(path `Product Name`)");
    expect_ast("\"a b\".c", "(path `a b` c)");
    expect_ast("Address.(Street & ', ' & City)",
               "(path Address (block (& (& (path Street) \", \") (path "
               "City))))");
    expect_ast("[Address, Other].City",
               "(path (array (path Address) (path Other) :consarray) City)");
    /* and, or, in where a name belongs are field names */
    expect_ast("and.or.in", "(path and or in)");
    expect_ast("a and b or c", "(or (and (path a) (path b)) (path c))");
}

static void test_keep_array(void **state)
{
    (void)state;
    expect_ast("Email[].address",
               "(path (name Email :keep) address :keep :keepsingleton)");
    expect_ast("Phone[0][]",
               "(path (name Phone :keep :stages (filter 0)) :keep "
               ":keepsingleton)");
}

static void test_grouping_and_sorting(void **state)
{
    (void)state;
    expect_ast("Account.Order.Product{`Product Name`: Price}",
               "(path Account Order Product :group (path `Product Name`) "
               "(path Price))");
    expect_ast("[1,2]{\"a\": $}", "(array 1 2 :group \"a\" $)");
    expect_ast("Account.Order.Product^(Price, >Quantity)",
               "(path Account Order Product (sort (< (path Price)) (> (path "
               "Quantity))))");
    expect_ast("$^($)", "(path $ (sort (< $)))");
}

static void test_bindings_and_parent(void **state)
{
    (void)state;
    expect_ast("Account.Order@$o.Product#$i",
               "(path Account (name Order :tuple :focus $o) (name Product "
               ":tuple :index $i))");
    /* # after a predicate is a stage, counted after the filter */
    expect_ast("a[b]#$i",
               "(path (name a :tuple :stages (filter (path b)) (index $i)))");
    expect_ast("a#$i[$i<2]",
               "(path (name a :tuple :index $i :stages (filter (< $i 2))))");
    expect_ast("a.b.%", "(path a (name b :tuple :ancestor !0) (parent !0))");
    expect_ast("Account.Order.Product.{'Order': %.OrderID}",
               "(path Account Order (name Product :tuple :ancestor !0) "
               "(object \"Order\" (path (parent !0) OrderID :seek !0) :seek "
               "!0))");
}

/* ---- Operators, literals, constructors ------------------------------------
 */

static void test_operators(void **state)
{
    (void)state;
    expect_ast("1 + 2 * 3", "(+ 1 (* 2 3))");
    expect_ast("(1 + 2) * 3", "(* (block (+ 1 2)) 3)");
    expect_ast("10 - 3 - 2", "(- (- 10 3) 2)");
    expect_ast("-5", "-5");
    expect_ast("-x", "(neg (path x))");
    expect_ast("\"a\" in [\"a\"]", "(in \"a\" (array \"a\"))");
    expect_ast("a != b and c <= d", "(and (!= (path a) (path b)) (<= (path "
                                    "c) (path d)))");
    expect_ast("a & b", "(& (path a) (path b))");
    expect_ast("[1..5]", "(array (.. 1 5))");
    expect_ast("Price < 50 ? \"Cheap\" : \"Expensive\"",
               "(cond (< (path Price) 50) \"Cheap\" \"Expensive\")");
    expect_ast("a ? b", "(cond (path a) (path b))");
    expect_ast("a ?? b", "(?? (path a) (path b))");
    expect_ast("a ?: b", "(?: (path a) (path b))");
    expect_ast("$x := $y := 5", "(:= $x (:= $y 5))");
    expect_ast("Account.Order.Product.Price ~> $sum()",
               "(~> (path Account Order Product Price) (call $sum))");
}

static void test_literals(void **state)
{
    (void)state;
    expect_ast("1e3", "1000");
    expect_ast("1.5E-7", "1.5e-7");
    expect_ast("0.5", "0.5");
    expect_ast("true", "true");
    expect_ast("null", "null");
    expect_ast("'single'", "\"single\"");
    expect_ast("\"\\u00e9\\n\\\"\\\\\\/\"", "\"\xc3\xa9\\n\\\"\\\\/\"");
    /* a surrogate pair joins into one code point (U+1F600) */
    expect_ast("\"\\ud83d\\ude00\"", "\"\xf0\x9f\x98\x80\"");
    expect_ast("/a(b)/i", "/a(b)/i");
    expect_ast("$", "$");
    expect_ast("$$", "$$");
    expect_ast("/* comment */ 1 + /* another */ 2", "(+ 1 2)");
    expect_ast("{\"a\": $x, \"b\": [1,2,3][0]}",
               "(object \"a\" $x \"b\" (array 1 2 3 :pred 0))");
    expect_ast("()", "(block)");
    expect_ast("[]", "(array)");

    sl_jsonata *expr = must_parse("\"a\\u0000b\"");
    const sl_jn_node *n = sl_jsonata_root(expr);
    assert_int_equal(n->kind, SL_JN_STRING);
    assert_int_equal(n->str_len, 3);
    assert_memory_equal(n->str, "a\0b", 3);
    sl_jsonata_free(expr);
}

/* ---- Functions ----------------------------------------------------------- */

static void test_functions(void **state)
{
    (void)state;
    expect_ast("$sum($states.input.items.price)",
               "(call $sum (path $states input items price))");
    expect_ast("$sum(Account.Order.Product.(Price * Quantity))",
               "(call $sum (path Account Order Product (block (* (path "
               "Price) (path Quantity)))))");
    expect_ast("$substring(?, 0, 5)", "(partial $substring ? 0 5)");
    expect_ast("$match(\"ab\", /a(b)/i)", "(call $match \"ab\" /a(b)/i)");
    expect_ast("function($x){$x*2}", "(lambda ($x) (* $x 2))");
    expect_ast("\xce\xbb($l, $w)<nn:n>{$l * $w}",
               "(lambda ($l $w) <nn:n> (* $l $w))");
    expect_ast("($x := 5; $x + 1)", "(block (:= $x 5) (+ $x 1))");
    expect_ast("$ ~> |Account.Order.Product|{'Price': Price * 1.2}|",
               "(~> $ (transform (path Account Order Product) (object "
               "\"Price\" (* (path Price) 1.2))))");
    expect_ast("| a | {}, [\"b\"] |",
               "(transform (path a) (object) (array \"b\"))");
}

static void test_tail_calls(void **state)
{
    (void)state;
    expect_ast("function($n){$n = 0 ? 1 : $f($n - 1)}",
               "(lambda ($n) (cond (= $n 0) 1 (thunk (call $f (- $n 1)))))");
    /* not a tail call: the product is computed after the call returns */
    expect_ast("function($n){$n <= 1 ? 1 : $n * $f($n - 1)}",
               "(lambda ($n) (cond (<= $n 1) 1 (* $n (call $f (- $n 1)))))");
    expect_ast("function($x){($y := $x; $g($y))}",
               "(lambda ($x) (block (:= $y $x) (thunk (call $g $y))))");
    /* a call with a predicate is not in tail position */
    expect_ast("function($x){$g($x)[0]}", "(lambda ($x) (call $g $x :pred 0))");
}

static void test_signature(void **state)
{
    (void)state;
    sl_jsonata *expr = must_parse("function($a, $f, $s)<a<n>f?s-:n>{1}");
    const sl_jn_node *n = sl_jsonata_root(expr);
    assert_int_equal(n->kind, SL_JN_LAMBDA);
    const sl_jn_sig *sig = n->signature;
    assert_non_null(sig);
    assert_string_equal(sig->definition, "<a<n>f?s-:n>");
    assert_int_equal(sig->n_params, 3);
    assert_int_equal(sig->params[0].type, 'a');
    assert_string_equal(sig->params[0].subtype, "n");
    assert_int_equal(sig->params[1].type, 'f');
    assert_true(sig->params[1].optional);
    assert_int_equal(sig->params[2].type, 's');
    assert_true(sig->params[2].context);
    assert_string_equal(sig->params[2].accept, "sm");
    sl_jsonata_free(expr);

    expr = must_parse("\xce\xbb($v)<(sn)+>{$v}");
    sig = sl_jsonata_root(expr)->signature;
    assert_int_equal(sig->n_params, 1);
    assert_int_equal(sig->params[0].type, '(');
    assert_string_equal(sig->params[0].accept, "snm");
    assert_true(sig->params[0].variadic);
    sl_jsonata_free(expr);
}

/* ---- Errors -------------------------------------------------------------- */

static void test_lexical_errors(void **state)
{
    (void)state;
    expect_error("\"no closing quote", "S0101", 17, NULL);
    expect_error("10e1000", "S0102", 0, "10e1000");
    expect_error("\"\\y\"", "S0103", 2, "y");
    expect_error("\"\\u\"", "S0104", 2, NULL);
    expect_error("\"\\u123t\"", "S0104", 2, NULL);
    expect_error("`no closing backtick", "S0105", 20, NULL);
    expect_error("1 /* no end", "S0106", 2, NULL);
    expect_error("$match(\"a\", //)", "S0301", 13, NULL);
    expect_error("$match(\"a\", /abc)", "S0302", 17, NULL);
}

static void test_syntax_errors(void **state)
{
    (void)state;
    expect_error("Account.Order[0].Product;", "S0201", 25, ";");
    expect_error("10 + * 2", "S0201", 8, "2");
    expect_error("[1,2)", "S0202", 5, ")");
    expect_error("[1:2]", "S0202", 3, ":");
    expect_error("$lowercase(\"Missing close brackets\"", "S0203", 35, "(end)");
    expect_error("[1!2]", "S0204", 3, "!");
    expect_error("1=", "S0207", 2, NULL);
    expect_error("420.", "S0207", 4, NULL);
    expect_error("function(x){$x}(3)", "S0208", 10, "x");
    expect_error("@ bar", "S0211", 1, "@");
    expect_error("$.store.book[?(@.price < 10)].title", "S0211", 14, "?");
    expect_error("[1,]", "S0211", 4, "]");
    expect_error("x:=1", "S0212", 1, "x");
    expect_error("($a := [1,2]; $a[1]:=3; $a)", "S0212", 17, NULL);
    expect_error("$.7", "S0213", 3, NULL);
    expect_error("Account.Order@o.Product", "S0214", 15, "@");
    expect_error("Account.Order@$o#i.Product", "S0214", 18, "#");
}

static void test_structure_errors(void **state)
{
    (void)state;
    expect_error("[1,2,3]{\"num\": $}[true]", "S0209", 18, NULL);
    expect_error("[1,2,3]{\"num\": $}{\"num\": $}", "S0210", 18, NULL);
    expect_error("Account.Order[1]@$o.Product", "S0215", 17, NULL);
    expect_error("Account.Order^(>OrderID)@$o.Product", "S0216", 25, NULL);
    /* the reference gives no position here */
    expect_error("%", "S0217", -1, "parent");
    expect_error("$.%", "S0217", 1, "variable");
    expect_error("\xce\xbb($arg)<n<n>>{$arg}(5)", "S0401", 10, NULL);
    expect_error("\xce\xbb($arr)<(sa<n>)>>{$arr}([[1]])", "S0402", 9, NULL);
}

/* Positions count UTF-16 code units: λ is one, U+1F600 two. */
static void test_positions_in_characters(void **state)
{
    (void)state;
    expect_error("\"\xce\xbb\" +", "S0207", 5, NULL);
    expect_error("\"\xf0\x9f\x98\x80\" +", "S0207", 6, NULL);
    expect_error("`\xce\xbb\xce\xbb` 1", "S0201", 6, "1");
    sl_jsonata *expr = must_parse("\"\xce\xbb\" & x");
    assert_int_equal(sl_jsonata_root(expr)->position, 5);
    sl_jsonata_free(expr);
}

/* ---- Limits -------------------------------------------------------------- */

static void expect_too_deep(const char *unit, size_t times, const char *tail)
{
    size_t ul = strlen(unit), tl = strlen(tail);
    char *text = malloc(ul * times + tl + 1);
    assert_non_null(text);
    for (size_t i = 0; i < times; i++)
        memcpy(text + i * ul, unit, ul);
    memcpy(text + ul * times, tail, tl + 1);
    sl_jsonata *expr = NULL;
    sl_jsonata_error err;
    assert_int_equal(sl_jsonata_parse(text, strlen(text), &expr, &err),
                     BT_EPARSE);
    assert_string_equal(err.code, SL_JSONATA_ELIMIT);
    sl_jsonata_error_fini(&err);
    free(text);
}

static void test_nesting_limit(void **state)
{
    (void)state;
    expect_too_deep("(", 100000, "");
    expect_too_deep("[", 100000, "");
    expect_too_deep("-", 100000, "1");
    expect_too_deep("$f(", 100000, "");
    expect_too_deep("a.", 100000, "a"); /* built without recursion */
    expect_too_deep("1+", 100000, "1");
    /* nesting under the limit is fine */
    char text[2 * 400 + 2];
    memset(text, '(', 400);
    text[400] = '1';
    memset(text + 401, ')', 400);
    text[801] = '\0';
    sl_jsonata_free(must_parse(text));
}

/* ---- Walker -------------------------------------------------------------- */

static bool count_node(const sl_jn_node *n, void *ctx)
{
    (void)n;
    (*(int *)ctx)++;
    return true;
}

static bool stop_at_variable(const sl_jn_node *n, void *ctx)
{
    (*(int *)ctx)++;
    return n->kind != SL_JN_VARIABLE;
}

static void test_walk(void **state)
{
    (void)state;
    /* path, a, b (its stage: filter, its expression $x), c */
    sl_jsonata *expr = must_parse("a.b[$x].c");
    int count = 0;
    assert_true(sl_jn_walk(sl_jsonata_root(expr), count_node, &count));
    assert_int_equal(count, 6);
    count = 0;
    assert_false(sl_jn_walk(sl_jsonata_root(expr), stop_at_variable, &count));
    assert_int_equal(count, 5);
    sl_jsonata_free(expr);
}

static void test_acceptance(void **state)
{
    (void)state;
    const char *good[] = {"$states.input.x", "$sum($states.input.items.price)",
                          "{\"a\": $x, \"b\": [1,2,3][0]}", "$states", "10"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        sl_jsonata_free(must_parse(good[i]));
    /* a length is honoured: text after it is not read */
    sl_jsonata *expr = NULL;
    sl_jsonata_error err;
    assert_int_equal(sl_jsonata_parse("1 + 2 )", 5, &expr, &err), 0);
    sl_jsonata_free(expr);
    expect_error_len("1 +", 3, "S0207", 3, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_keep_array),
        cmocka_unit_test(test_grouping_and_sorting),
        cmocka_unit_test(test_bindings_and_parent),
        cmocka_unit_test(test_operators),
        cmocka_unit_test(test_literals),
        cmocka_unit_test(test_functions),
        cmocka_unit_test(test_tail_calls),
        cmocka_unit_test(test_signature),
        cmocka_unit_test(test_lexical_errors),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_structure_errors),
        cmocka_unit_test(test_positions_in_characters),
        cmocka_unit_test(test_nesting_limit),
        cmocka_unit_test(test_walk),
        cmocka_unit_test(test_acceptance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
