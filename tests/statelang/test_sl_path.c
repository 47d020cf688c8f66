/*
 * Tests for the JSONPath parser, evaluator and ResultPath assignment.
 *
 * Expected values come from the ASL reference (docs §3.2, §3.5), the Jayway
 * JsonPath README (its "store" document and path table, its filter
 * operator table) and Jayway's documented error texts; where a case pins a
 * choice of ours it says so.
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
    /* bt_json_parse reports a top-level null as an error (see report). */
    if (strcmp(text, "null") == 0)
        return NULL;
    if (bt_json_parse(text, strlen(text), BT_LIMIT_JSON_DEPTH, &v, &e) != 0)
        fail_msg("bad test JSON %s: %s", text, e.message);
    return v;
}

static sl_path *must_parse(const char *text, unsigned flags)
{
    sl_path *p = NULL;
    char *err = NULL;
    int rc = sl_path_parse(text, flags, &p, &err);
    if (rc != 0)
        fail_msg("'%s' should parse: %s", text, err);
    return p;
}

static void expect_parse_error(const char *text, unsigned flags,
                               const char *want)
{
    sl_path *p = NULL;
    char *err = NULL;
    int rc = sl_path_parse(text, flags, &p, &err);
    if (rc != BT_EPARSE)
        fail_msg("'%s' should not parse", text);
    assert_null(p);
    assert_non_null(err);
    if (!strstr(err, want))
        fail_msg("'%s': error '%s' lacks '%s'", text, err, want);
    free(err);
}

typedef struct test_vars {
    json_object *obj;
} test_vars;

static bool var_lookup(void *ud, const char *name, json_object **v)
{
    test_vars *tv = ud;
    return json_object_object_get_ex(tv->obj, name, v);
}

/* Evaluates path over input (and ctx as $$, vars as variables) and checks
 * the compact result. */
static void check_eval_env(const char *path, const char *input, const char *ctx,
                           const char *vars, const char *want)
{
    sl_path *p = must_parse(path, 0);
    test_vars tv = {vars ? parse_json(vars) : NULL};
    sl_path_env env = {parse_json(input), ctx ? parse_json(ctx) : NULL,
                       var_lookup, &tv, NULL};
    json_object *out = NULL, *expect = parse_json(want);
    char *err = NULL;
    int rc = sl_path_eval(p, &env, &out, &err);
    if (rc != 0)
        fail_msg("%s on %s: %s", path, input, err);
    char *got = bt_xstrdup(bt_json_compact(out));
    if (strcmp(got, bt_json_compact(expect)) != 0)
        fail_msg("%s on %s: got %s, want %s", path, input, got, want);
    free(got);
    json_object_put(out);
    json_object_put(expect);
    json_object_put(env.input);
    json_object_put(env.context);
    json_object_put(tv.obj);
    sl_path_free(p);
}

static void check_eval(const char *path, const char *input, const char *want)
{
    check_eval_env(path, input, NULL, NULL, want);
}

static void check_eval_error(const char *path, const char *input,
                             const char *want)
{
    sl_path *p = must_parse(path, 0);
    test_vars tv = {NULL};
    sl_path_env env = {parse_json(input), NULL, var_lookup, &tv, NULL};
    json_object *out = NULL;
    char *err = NULL;
    int rc = sl_path_eval(p, &env, &out, &err);
    if (rc != BT_ENOENT)
        fail_msg("%s on %s should fail, got %s", path, input,
                 rc == 0 ? bt_json_compact(out) : bt_strerror(rc));
    if (strcmp(err, want) != 0 && strncmp(err, want, strlen(want)) != 0)
        fail_msg("%s on %s: error '%s', want '%s'", path, input, err, want);
    free(err);
    json_object_put(env.input);
    sl_path_free(p);
}

/* ---- Parsing --------------------------------------------------------------
 */

static const struct {
    const char *text;
    sl_path_root root;
    bool definite;
} PARSE_VALID[] = {
    {"$", SL_ROOT_INPUT, true},
    {"$.a.b", SL_ROOT_INPUT, true},
    {"$['a']", SL_ROOT_INPUT, true},
    {"$[\"a\"]", SL_ROOT_INPUT, true},
    {"$['a b']['c']", SL_ROOT_INPUT, true},
    {"$[0]", SL_ROOT_INPUT, true},
    {"$.a[-1]", SL_ROOT_INPUT, true},
    {"$.store\\.book", SL_ROOT_INPUT, true},
    {"$.foo\\@bar.baz\\[\\[.\\?pretty", SL_ROOT_INPUT, true},
    {"$.&Ж中", SL_ROOT_INPUT, true},
    {"$$", SL_ROOT_CONTEXT, true},
    {"$$.Execution.Input", SL_ROOT_CONTEXT, true},
    {"$$['Map']['Item']", SL_ROOT_CONTEXT, true},
    {"$foo", SL_ROOT_VAR, true},
    {"$foo.bar[0]", SL_ROOT_VAR, true},
    {"$_x['y']", SL_ROOT_VAR, true},
    {"$Ж", SL_ROOT_VAR, true},
    /* Jayway: a final name union merges into one object (definite). */
    {"$['a','b']", SL_ROOT_INPUT, true},
    {"$[ 'a' , \"b\" ]", SL_ROOT_INPUT, true},
    {"$['a','b'].c", SL_ROOT_INPUT, false},
    {"$[*]", SL_ROOT_INPUT, false},
    {"$[ * ]", SL_ROOT_INPUT, false},
    {"$.*", SL_ROOT_INPUT, false},
    {"$.a.*.b", SL_ROOT_INPUT, false},
    {"$.a[1:]", SL_ROOT_INPUT, false},
    {"$[:2]", SL_ROOT_INPUT, false},
    {"$[-3:]", SL_ROOT_INPUT, false},
    {"$[1:5]", SL_ROOT_INPUT, false},
    {"$[0,1]", SL_ROOT_INPUT, false},
    {"$[ 0 , -1 ]", SL_ROOT_INPUT, false},
    {"$..a", SL_ROOT_INPUT, false},
    {"$..*", SL_ROOT_INPUT, false},
    {"$..[0]", SL_ROOT_INPUT, false},
    {"$..['a']", SL_ROOT_INPUT, false},
    {"$$..a", SL_ROOT_CONTEXT, false},
    {"$v[*]", SL_ROOT_VAR, false},
    {"$.users[?(@.status == 0)]", SL_ROOT_INPUT, false},
    {"$[?(@.x)]", SL_ROOT_INPUT, false},
    {"$[?(!@.x)]", SL_ROOT_INPUT, false},
    {"$[?(!(@.x == 1))]", SL_ROOT_INPUT, false},
    {"$[?(@.a == 'x' && (@.b < 3 || @.c >= 1.5e3))]", SL_ROOT_INPUT, false},
    {"$[?(@.a=='x'&&@.b!=-2||@.c<=0.5)]", SL_ROOT_INPUT, false},
    {"$[?(@.a > 1 && @.a < 2)]", SL_ROOT_INPUT, false},
    {"$[?(@.a == \"x\")]", SL_ROOT_INPUT, false},
    {"$[?(@.a == true || @.a == false || @.a == null)]", SL_ROOT_INPUT, false},
    {"$[?(@.a =~ /ab.*/i)]", SL_ROOT_INPUT, false},
    {"$[?(@.a =~ /a\\/b/)]", SL_ROOT_INPUT, false},
    {"$[?(@.a in ['x', 'y'])]", SL_ROOT_INPUT, false},
    {"$[?(@.a nin [1, 2, [3]])]", SL_ROOT_INPUT, false},
    {"$[?(@.a subsetof ['x'])]", SL_ROOT_INPUT, false},
    {"$[?(@.a anyof [1])]", SL_ROOT_INPUT, false},
    {"$[?(@.a noneof [])]", SL_ROOT_INPUT, false},
    {"$[?(@.a size 2)]", SL_ROOT_INPUT, false},
    {"$[?(@.a empty true)]", SL_ROOT_INPUT, false},
    {"$[?(@.a contains 'x')]", SL_ROOT_INPUT, false},
    {"$[?(@ > 2)]", SL_ROOT_INPUT, false},
    {"$[?(@.a == $.b)]", SL_ROOT_INPUT, false},
    {"$[?(@.a == $$.b)]", SL_ROOT_INPUT, false},
    {"$[?(@.a == $v)]", SL_ROOT_INPUT, false},
    {"$[?(@['a b'] == 1)]", SL_ROOT_INPUT, false},
    {"$[?(@.a[?(@.b)])]", SL_ROOT_INPUT, false},
    {"$[?(@..b)]", SL_ROOT_INPUT, false},
    {"$[?( @.a )]", SL_ROOT_INPUT, false},
    {"$..book[?(@.price <= $['expensive'])]", SL_ROOT_INPUT, false},
};

static void test_parse_valid(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof PARSE_VALID / sizeof PARSE_VALID[0]; i++) {
        sl_path *p = must_parse(PARSE_VALID[i].text, 0);
        if (sl_path_root_kind(p) != PARSE_VALID[i].root ||
            sl_path_is_definite(p) != PARSE_VALID[i].definite)
            fail_msg("'%s': root %d definite %d", PARSE_VALID[i].text,
                     sl_path_root_kind(p), sl_path_is_definite(p));
        assert_string_equal(sl_path_text(p), PARSE_VALID[i].text);
        sl_path_free(p);
    }
}

static void test_parse_accessors(void **state)
{
    (void)state;
    sl_path *p = must_parse("$myVar.a[0]", 0);
    assert_int_equal(sl_path_root_kind(p), SL_ROOT_VAR);
    assert_string_equal(sl_path_var(p), "myVar");
    sl_path_free(p);
    p = must_parse("$.myVar", 0);
    assert_null(sl_path_var(p));
    sl_path_free(p);
    p = must_parse("$$.x", 0);
    assert_null(sl_path_var(p));
    sl_path_free(p);
    sl_path_free(NULL);
}

static const struct {
    const char *text;
    const char *want;
} PARSE_INVALID[] = {
    {"", "empty path at offset 0"},
    {"Cause", "must start with '$' at offset 0"},
    {".guid", "must start with '$' at offset 0"},
    {"bug$.library", "must start with '$' at offset 0"},
    {"()", "must start with '$' at offset 0"},
    {"..guid", "must start with '$' at offset 0"},
    {" $.a", "must start with '$' at offset 0"},
    {"@.a", "'@' is only allowed inside a filter at offset 0"},
    {"$...", "at offset 3"},
    {"$..", "'..' must be followed"},
    {"$$23", "after '$$' at offset 2"},
    {"$$$", "after '$$' at offset 2"},
    {"$$a", "after '$$' at offset 2"},
    {"$1x", "must not start with a digit at offset 1"},
    {"$a$", "unexpected '$', expected '.' or '[' at offset 2"},
    {"$a-b", "at offset 2"},
    {"$.", "must not end with '.' at offset 1"},
    {"$.a.", "must not end with '.' at offset 3"},
    {"$.a..", "'..' must be followed"},
    {"$.a[", "unterminated '[' at offset 3"},
    {"$['a", "unterminated string at offset 2"},
    {"$['a'", "expected ']' at offset 5"},
    {"$['a' 'b']", "expected ']' at offset 6"},
    {"$[0", "expected ']' at offset 3"},
    {"$.a]", "unbalanced bracket"},
    {"$.a)", "unbalanced bracket"},
    {"$.a b", "bracket notation ['my name'] at offset 3"},
    {"$.a ", "bracket notation"},
    {"$.a.length()", "not supported at offset 10"},
    {"$[1:5:2]", "slice steps [a:b:c] are not supported at offset 5"},
    {"$[:]", "slice needs a start or an end at offset 2"},
    {"$[a]", "expected a quoted name, an index"},
    {"$[]", "expected a quoted name, an index"},
    {"$[-]", "expected a digit at offset 3"},
    {"$[1,]", "expected a digit"},
    {"$['a',]", "expected a quoted name"},
    {"$[0,'a']", "expected a digit"},
    {"$[99999999999999999999]", "index out of range at offset 2"},
    {"$['\\u12']", "invalid \\u escape"},
    {"$['\\ud800']", "unpaired surrogate"},
    {"$['\\u0000']", "NUL character"},
    {"$.a\\", "backslash at end of path at offset 3"},
    {"$.*a", "unexpected 'a', expected '.' or '[' after '*' at offset 3"},
    {"$?", "at offset 1"},
    {"$[?(@.x == 1)", "expected ']' at offset 13"},
    {"$[?(@.x == 1]", "expected ')' closing the filter"},
    {"$[?@.x]", "expected '(' after '[?'"},
    {"$[?()]", "unexpected ')'"},
    {"$[?(true)]", "a literal alone is not a condition"},
    {"$[?(@.a ==)]", "unexpected ')', expected a path"},
    {"$[?(@.a == )]", "at offset 11"},
    {"$[?(@.a == 'x' &&)]", "unexpected ')'"},
    {"$[?(@.a || )]", "unexpected ')'"},
    {"$[?((@.a)]", "expected ')'"},
    {"$[?(@.a == 'x)]", "unterminated string"},
    {"$[?(@.a =~ 'x')]", "needs a /regular expression/"},
    {"$[?(@.a == /x/)]", "only allowed after '=~'"},
    {"$[?(@.a =~ /x/g)]", "unsupported regex flag 'g'"},
    {"$[?(@.a =~ /(/)]", "invalid regular expression"},
    {"$[?(@.a =~ /x)]", "unterminated regular expression"},
    {"$[?(@.a === 1)]", "'===' is not supported"},
    {"$[?(@.a in [1,)]", "unexpected ')'"},
    {"$[?(@.a == 1e)]", "exponent digits"},
    {"$[?(@.a == tru)]", "expected a path, a string"},
    {"$[?(@.)]", "empty name after '.'"},
};

static void test_parse_invalid(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof PARSE_INVALID / sizeof PARSE_INVALID[0]; i++)
        expect_parse_error(PARSE_INVALID[i].text, 0, PARSE_INVALID[i].want);
}

static void test_parse_offsets_count_characters(void **state)
{
    (void)state;
    /* "Ж中" are two characters (five bytes): the blank is character 4. */
    expect_parse_error("$.Ж中 x", 0, "at offset 4");
}

static void test_parse_limits(void **state)
{
    (void)state;
    /* A variable name is at most 80 characters (ASL §10.7). */
    char name[90] = "$";
    memset(name + 1, 'v', 80);
    name[81] = '\0';
    sl_path_free(must_parse(name, 0));
    name[81] = 'v';
    name[82] = '\0';
    expect_parse_error(name, 0, "longer than 80 characters");

    /* Filter nesting is bounded, so hostile input cannot exhaust the stack. */
    bt_buf b;
    bt_buf_init(&b);
    bt_buf_puts(&b, "$[?(");
    for (int i = 0; i < 300; i++)
        bt_buf_putc(&b, '(');
    bt_buf_puts(&b, "@.a");
    for (int i = 0; i < 300; i++)
        bt_buf_putc(&b, ')');
    bt_buf_puts(&b, ")]");
    expect_parse_error(b.data, 0, "nested more than");
    bt_buf_fini(&b);

    bt_buf_init(&b);
    bt_buf_puts(&b, "$.");
    for (int i = 0; i < BT_LIMIT_PATH_BYTES; i++)
        bt_buf_putc(&b, 'a');
    expect_parse_error(b.data, 0, "longer than");
    bt_buf_fini(&b);
}

static void test_reference_paths(void **state)
{
    (void)state;
    static const char *valid[] = {
        "$",    "$.a",     "$['a'][0].b",  "$[-1]", "$$.Execution",
        "$v.x", "$.a\\*b", "$.error-info",
    };
    for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++)
        sl_path_free(must_parse(valid[i], SL_PATH_REFERENCE));
    static const struct {
        const char *text;
        const char *want;
    } invalid[] = {
        {"$[*]", "'[*]' is not allowed in a reference path at offset 1"},
        {"$.*", "'*' is not allowed in a reference path at offset 2"},
        {"$..a", "deep scan '..' is not allowed in a reference path"},
        {"$.a[1:2]", "a slice is not allowed in a reference path at "
                     "offset 3"},
        {"$[:2]", "a slice is not allowed"},
        {"$[0,1]", "a union is not allowed"},
        {"$['a','b']", "a union is not allowed"},
        {"$[?(@.a)]", "a filter is not allowed"},
        {"$.a*b", "not allowed in a reference path name at offset 3"},
        {"$.a@b", "not allowed in a reference path name"},
        {"$.a:b", "not allowed in a reference path name"},
        {"$.a?b", "not allowed in a reference path name"},
        {"$.a,b", "not allowed in a reference path name"},
    };
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++)
        expect_parse_error(invalid[i].text, SL_PATH_REFERENCE, invalid[i].want);
    /* The same texts are fine as ordinary paths. */
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++)
        sl_path_free(must_parse(invalid[i].text, 0));
}

static void test_var_names(void **state)
{
    (void)state;
    static const char *valid[] = {"a", "_x",   "x1", "camelCase",
                                  "Ж", "名前", "é_1"};
    for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++)
        assert_true(sl_var_name_valid(valid[i]));
    static const char *invalid[] = {"",    "1a", "a-b",  "a b",
                                    "a.b", "$a", "a\xff"};
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++)
        if (sl_var_name_valid(invalid[i]))
            fail_msg("'%s' should be invalid", invalid[i]);
    char name[90];
    memset(name, 'n', 80);
    name[80] = '\0';
    assert_true(sl_var_name_valid(name));
    name[80] = 'n';
    name[81] = '\0';
    assert_false(sl_var_name_valid(name));
}

/* ---- Evaluation: ASL reference cases ----------------------------------------
 */

static void test_eval_reference_cases(void **state)
{
    (void)state;
    check_eval("$", "{\"a\":1}", "{\"a\":1}");
    check_eval("$", "\"foo\"", "\"foo\"");
    /* §3.5: $.vals[-3:] on [0,10,20,30,40,50] -> [30,40,50]. */
    check_eval("$.vals[-3:]", "{\"vals\":[0,10,20,30,40,50]}", "[30,40,50]");
    /* §3.2: indefinite paths on missing input give []. */
    check_eval("$.items[*]", "{}", "[]");
    check_eval("$[*]", "{}", "[]");
    check_eval("$.items[1:]", "{}", "[]");
    check_eval("$.item.items[1:5].itemValue", "{}", "[]");
    /* §3.2: filter observed on AWS. */
    check_eval("$.users[?(@.status == 0)]",
               "{\"users\":[{\"id\":1,\"status\":0},{\"id\":2,\"status\":1},"
               "{\"id\":3,\"status\":0}]}",
               "[{\"id\":1,\"status\":0},{\"id\":3,\"status\":0}]");
    /* §3.5: a path to an existing null yields null. */
    check_eval("$.a", "{\"a\":null}", "null");
    /* §3.2: escaped and Unicode names. */
    check_eval("$.store\\.book", "{\"store.book\":1,\"store\":{\"book\":2}}",
               "1");
    check_eval("$.foo\\@bar.baz\\[\\[.\\?pretty",
               "{\"foo@bar\":{\"baz[[\":{\"?pretty\":true}}}", "true");
    check_eval("$.&Ж中", "{\"&Ж中\":[1]}", "[1]");
    check_eval("$['a\\'b']", "{\"a'b\":3}", "3");
    check_eval("$[\"a b\"].c", "{\"a b\":{\"c\":4}}", "4");
}

static void test_eval_definite_errors(void **state)
{
    (void)state;
    /* §3.1: wording of AWS (Jayway) for definite paths. */
    check_eval_error("$.field", "{}", "No results for path: $['field']");
    check_eval_error("$.no.x", "{}", "Missing property in path $['no']");
    check_eval_error("$.a.b.c", "{\"a\":{}}",
                     "Missing property in path $['a']['b']");
    check_eval_error("$.a.b", "{\"a\":{}}", "No results for path: $['a']['b']");
    check_eval_error("$[5]", "[1]", "No results for path: $[5]");
    check_eval_error("$.a[-3]", "{\"a\":[1,2]}",
                     "No results for path: $['a'][-3]");
    /* Jayway's text for a non-object, without its Java class names. */
    check_eval_error("$.a.b", "{\"a\":5}",
                     "Expected to find an object with property ['b'] in path "
                     "$['a'] but found 'number'");
    check_eval_error("$.a.b", "{\"a\":null}",
                     "Expected to find an object with property ['b'] in path "
                     "$['a'] but found 'null'");
    check_eval_error("$.x", "\"foo\"",
                     "Expected to find an object with property ['x'] in path "
                     "$ but found 'string'");
    /* Our wording for an index on a non-array. */
    check_eval_error("$.a[0]", "{\"a\":{}}",
                     "Expected to find an array with index [0] in path "
                     "$['a'] but found 'object'");
}

/* The document of the Jayway README. */
static const char STORE[] =
    "{\"store\":{\"book\":["
    "{\"category\":\"reference\",\"author\":\"Nigel Rees\","
    "\"title\":\"Sayings of the Century\",\"price\":8.95},"
    "{\"category\":\"fiction\",\"author\":\"Evelyn Waugh\","
    "\"title\":\"Sword of Honour\",\"price\":12.99},"
    "{\"category\":\"fiction\",\"author\":\"Herman Melville\","
    "\"title\":\"Moby Dick\",\"isbn\":\"0-553-21311-3\",\"price\":8.99},"
    "{\"category\":\"fiction\",\"author\":\"J. R. R. Tolkien\","
    "\"title\":\"The Lord of the Rings\",\"isbn\":\"0-395-19395-8\","
    "\"price\":22.99}],"
    "\"bicycle\":{\"color\":\"red\",\"price\":19.95}},"
    "\"expensive\":10}";

#define BOOK0                                                                  \
    "{\"category\":\"reference\",\"author\":\"Nigel Rees\","                   \
    "\"title\":\"Sayings of the Century\",\"price\":8.95}"
#define BOOK1                                                                  \
    "{\"category\":\"fiction\",\"author\":\"Evelyn Waugh\","                   \
    "\"title\":\"Sword of Honour\",\"price\":12.99}"
#define BOOK2                                                                  \
    "{\"category\":\"fiction\",\"author\":\"Herman Melville\","                \
    "\"title\":\"Moby Dick\",\"isbn\":\"0-553-21311-3\",\"price\":8.99}"
#define BOOK3                                                                  \
    "{\"category\":\"fiction\",\"author\":\"J. R. R. Tolkien\","               \
    "\"title\":\"The Lord of the Rings\",\"isbn\":\"0-395-19395-8\","          \
    "\"price\":22.99}"
#define BICYCLE "{\"color\":\"red\",\"price\":19.95}"
#define AUTHORS                                                                \
    "[\"Nigel Rees\",\"Evelyn Waugh\",\"Herman Melville\","                    \
    "\"J. R. R. Tolkien\"]"

static void test_eval_jayway_readme(void **state)
{
    (void)state;
    check_eval("$.store.book[0].title", STORE, "\"Sayings of the Century\"");
    check_eval("$['store']['book'][0]['title']", STORE,
               "\"Sayings of the Century\"");
    check_eval("$.store.book[*].author", STORE, AUTHORS);
    check_eval("$..author", STORE, AUTHORS);
    check_eval("$.store.*", STORE,
               "[[" BOOK0 "," BOOK1 "," BOOK2 "," BOOK3 "]," BICYCLE "]");
    check_eval("$.store..price", STORE, "[8.95,12.99,8.99,22.99,19.95]");
    check_eval("$..book[2]", STORE, "[" BOOK2 "]");
    check_eval("$..book[-2]", STORE, "[" BOOK2 "]");
    check_eval("$..book[0,1]", STORE, "[" BOOK0 "," BOOK1 "]");
    check_eval("$..book[:2]", STORE, "[" BOOK0 "," BOOK1 "]");
    check_eval("$..book[1:2]", STORE, "[" BOOK1 "]");
    check_eval("$..book[-2:]", STORE, "[" BOOK2 "," BOOK3 "]");
    check_eval("$..book[2:]", STORE, "[" BOOK2 "," BOOK3 "]");
    check_eval("$..book[?(@.isbn)]", STORE, "[" BOOK2 "," BOOK3 "]");
    check_eval("$.store.book[?(@.price < 10)]", STORE, "[" BOOK0 "," BOOK2 "]");
    check_eval("$.store.book[?(@.price<10)]", STORE, "[" BOOK0 "," BOOK2 "]");
    check_eval("$..book[?(@.price <= $['expensive'])]", STORE,
               "[" BOOK0 "," BOOK2 "]");
    check_eval("$..book[?(@.author =~ /.*REES/i)]", STORE, "[" BOOK0 "]");
    check_eval("$.store.book[?(@.isbn)].author", STORE,
               "[\"Herman Melville\",\"J. R. R. Tolkien\"]");
    check_eval("$.store.book[?(@.price > 10)]", STORE, "[" BOOK1 "," BOOK3 "]");
    check_eval_error("$.store.book.length", STORE,
                     "Expected to find an object with property ['length'] in "
                     "path $['store']['book'] but found 'array'");
}

static void test_eval_indices_and_slices(void **state)
{
    (void)state;
    check_eval("$[-1]", "[1,2,3]", "3");
    check_eval("$[0]", "[[1]]", "[1]");
    check_eval("$[0,5,-1]", "[7,8]", "[7,8]");
    /* Slices clamp like Python: out-of-range bounds are cut to the array. */
    check_eval("$[1:3]", "[0,1,2,3]", "[1,2]");
    check_eval("$[:2]", "[0,1,2,3]", "[0,1]");
    check_eval("$[:-1]", "[0,1,2,3]", "[0,1,2]");
    check_eval("$[-10:]", "[0,1,2]", "[0,1,2]");
    check_eval("$[1:100]", "[0,1,2]", "[1,2]");
    check_eval("$[2:1]", "[0,1,2]", "[]");
    check_eval("$[10:]", "[0,1,2]", "[]");
    check_eval("$[:-10]", "[0,1,2]", "[]");
    check_eval("$[*]", "[1,[2],{\"a\":3}]", "[1,[2],{\"a\":3}]");
    check_eval("$.*", "{\"a\":1,\"b\":[2]}", "[1,[2]]");
    check_eval("$[*]", "\"text\"", "[]");
    check_eval("$[1:]", "{\"a\":1}", "[]");
    check_eval("$.a[*].b", "{\"a\":[{\"b\":1},{\"c\":2},5,{\"b\":null}]}",
               "[1,null]");
}

static void test_eval_unions_and_deep_scan(void **state)
{
    (void)state;
    /* Jayway merges a final name union into one object of what exists. */
    check_eval("$['a','b']", "{\"a\":1,\"b\":2,\"c\":3}", "{\"a\":1,\"b\":2}");
    check_eval("$['a','x']", "{\"a\":1}", "{\"a\":1}");
    check_eval("$[*]['a','b']", "[{\"a\":1},{\"b\":2,\"c\":3}]",
               "[{\"a\":1},{\"b\":2}]");
    check_eval("$['a','b'].c", "{\"a\":{\"c\":1},\"b\":{\"c\":2}}", "[1,2]");
    /* Deep scan applies the step at every container in document order,
     * starting at the node itself (Jayway's ScanPathToken walk). */
    check_eval("$..a", "{\"a\":1,\"b\":{\"a\":2,\"c\":[{\"a\":3}]}}",
               "[1,2,3]");
    check_eval("$..[0]", "{\"x\":[1,[2]],\"y\":[3]}", "[1,2,3]");
    check_eval("$..*", "{\"a\":{\"b\":1},\"c\":[2]}", "[{\"b\":1},[2],1,2]");
    check_eval("$..a", "5", "[]");
    check_eval("$..[?(@.k == 1)]", "{\"k\":1,\"l\":[{\"k\":1},{\"k\":2}]}",
               "[{\"k\":1,\"l\":[{\"k\":1},{\"k\":2}]},{\"k\":1}]");
}

static void test_eval_filters(void **state)
{
    (void)state;
    /* Numbers compare by value; different types never compare equal. */
    check_eval("$[?(@.a == 1)]", "[{\"a\":1.0},{\"a\":1},{\"a\":\"1\"}]",
               "[{\"a\":1.0},{\"a\":1}]");
    check_eval("$[?(@.a == '1')]", "[{\"a\":1},{\"a\":\"1\"}]",
               "[{\"a\":\"1\"}]");
    check_eval("$[?(@.a < 'b')]", "[{\"a\":1},{\"a\":\"a\"},{\"a\":\"c\"}]",
               "[{\"a\":\"a\"}]");
    check_eval("$[?(@.a >= 2)]", "[{\"a\":1},{\"a\":2},{\"a\":2.5}]",
               "[{\"a\":2},{\"a\":2.5}]");
    check_eval("$[?(@.a == null)]", "[{\"a\":null},{\"b\":1}]",
               "[{\"a\":null}]");
    check_eval("$[?(@.a == true)]", "[{\"a\":true},{\"a\":1}]",
               "[{\"a\":true}]");
    check_eval("$[?(@.a == [1,2])]", "[{\"a\":[1,2]},{\"a\":[2,1]}]",
               "[{\"a\":[1,2]}]");
    /* != negates == (Jayway), so a missing member counts as different. */
    check_eval("$[?(@.a != 1)]", "[{\"a\":1},{\"a\":2},{\"b\":1}]",
               "[{\"a\":2},{\"b\":1}]");
    /* Existence: the member exists, whatever its value. */
    check_eval("$[?(@.a)]", "[{\"a\":null},{\"a\":false},{\"b\":1}]",
               "[{\"a\":null},{\"a\":false}]");
    check_eval("$[?(!@.a)]", "[{\"a\":null},{\"b\":1}]", "[{\"b\":1}]");
    check_eval("$[?(@.a > 1 && @.a < 3)]", "[{\"a\":1},{\"a\":2},{\"a\":3}]",
               "[{\"a\":2}]");
    check_eval("$[?(@.a == 1 || @.b == 1)]", "[{\"a\":1},{\"b\":1},{\"c\":1}]",
               "[{\"a\":1},{\"b\":1}]");
    check_eval("$[?(!(@.a == 1 || @.b == 1))]",
               "[{\"a\":1},{\"b\":1},{\"c\":1}]", "[{\"c\":1}]");
    check_eval("$[?(@ > 2)]", "[1,2,3,4]", "[3,4]");
    check_eval("$.a[?(@.x == $.want)]",
               "{\"want\":\"y\",\"a\":[{\"x\":\"y\"},{\"x\":\"z\"}]}",
               "[{\"x\":\"y\"}]");
    check_eval("$[?(@.a[?(@ == 2)])]", "[{\"a\":[1,2]},{\"a\":[3]}]",
               "[{\"a\":[1,2]}]");
    check_eval("$[?(@.a[*] == [2])]", "[{\"a\":[2]},{\"a\":[3]}]",
               "[{\"a\":[2]}]");
    /* Jayway applies a filter on an object to the object itself. */
    check_eval("$.o[?(@.k == 1)]", "{\"o\":{\"k\":1}}", "[{\"k\":1}]");
    check_eval("$.o[?(@.k == 2)]", "{\"o\":{\"k\":1}}", "[]");
}

static void test_eval_filter_operators(void **state)
{
    (void)state;
    /* The operators of Jayway's filter table. */
    const char *doc = "[{\"size\":\"S\",\"sizes\":[\"S\",\"M\"]},"
                      "{\"size\":\"L\",\"sizes\":[\"L\"]},"
                      "{\"size\":\"\",\"sizes\":[]}]";
    check_eval("$[?(@.size in ['S', 'M'])].size", doc, "[\"S\"]");
    check_eval("$[?(@.size nin ['S', 'M'])].size", doc, "[\"L\",\"\"]");
    check_eval("$[?(@.sizes subsetof ['S', 'M', 'L'])].size", doc,
               "[\"S\",\"L\",\"\"]");
    check_eval("$[?(@.sizes anyof ['M', 'L'])].size", doc, "[\"S\",\"L\"]");
    check_eval("$[?(@.sizes noneof ['M', 'L'])].size", doc, "[\"\"]");
    check_eval("$[?(@.sizes size 2)].size", doc, "[\"S\"]");
    check_eval("$[?(@.size size 1)].size", doc, "[\"S\",\"L\"]");
    check_eval("$[?(@.sizes empty true)].size", doc, "[\"\"]");
    check_eval("$[?(@.size empty false)].size", doc, "[\"S\",\"L\"]");
    check_eval("$[?(@.sizes contains 'M')].size", doc, "[\"S\"]");
    check_eval("$[?(@.size =~ /[SM]/)].size", doc, "[\"S\"]");
    check_eval("$[?(@.size =~ /s/i)].size", doc, "[\"S\"]");
    check_eval("$[?(@.size in $.nothing)]", doc, "[]");
}

static void test_eval_roots(void **state)
{
    (void)state;
    const char *ctx = "{\"Execution\":{\"Id\":\"arn:x\",\"Input\":{\"k\":1}},"
                      "\"Map\":{\"Item\":{\"Index\":2}}}";
    check_eval_env("$$", "{}", ctx, NULL,
                   "{\"Execution\":{\"Id\":\"arn:x\",\"Input\":{\"k\":1}},"
                   "\"Map\":{\"Item\":{\"Index\":2}}}");
    check_eval_env("$$.Execution.Id", "{}", ctx, NULL, "\"arn:x\"");
    check_eval_env("$$.Map.Item.Index", "{}", ctx, NULL, "2");
    check_eval_env("$$..Index", "{}", ctx, NULL, "[2]");
    check_eval_env("$v", "{}", NULL, "{\"v\":{\"a\":[1,2]}}", "{\"a\":[1,2]}");
    check_eval_env("$v.a[1]", "{}", NULL, "{\"v\":{\"a\":[1,2]}}", "2");
    check_eval_env("$v.a[*]", "{}", NULL, "{\"v\":{\"a\":[1,2]}}", "[1,2]");
    check_eval_env("$.a[?(@ == $v)]", "{\"a\":[1,2,3]}", NULL, "{\"v\":2}",
                   "[2]");
    check_eval_env("$.a[?(@ == $$.Map.Item.Index)]", "{\"a\":[1,2,3]}", ctx,
                   NULL, "[2]");

    sl_path *p = must_parse("$unset.x", 0);
    test_vars tv = {NULL};
    sl_path_env env = {NULL, NULL, var_lookup, &tv, NULL};
    json_object *out = NULL;
    char *err = NULL;
    assert_int_equal(sl_path_eval(p, &env, &out, &err), BT_ENOENT);
    assert_string_equal(err, "The variable '$unset' is not defined");
    free(err);
    sl_path_free(p);
}

/* ---- Assignment (ResultPath)
 * ------------------------------------------------- */

static void check_assign(const char *path, const char *root, const char *value,
                         const char *want)
{
    sl_path *p = must_parse(path, SL_PATH_REFERENCE);
    json_object *r = parse_json(root), *out = NULL;
    char *before = bt_xstrdup(bt_json_compact(r));
    char *err = NULL;
    int rc = sl_path_assign(p, r, parse_json(value), &out, &err);
    if (rc != 0)
        fail_msg("assign %s into %s: %s", path, root, err);
    assert_string_equal(bt_json_compact(out), want);
    /* The root itself is left alone. */
    assert_string_equal(bt_json_compact(r), before);
    free(before);
    json_object_put(out);
    json_object_put(r);
    sl_path_free(p);
}

static void check_assign_error(const char *path, unsigned flags,
                               const char *root, const char *want)
{
    sl_path *p = must_parse(path, flags);
    json_object *r = parse_json(root), *out = NULL;
    char *err = NULL;
    int rc = sl_path_assign(p, r, json_object_new_int(6), &out, &err);
    assert_int_equal(rc, BT_EINVAL);
    assert_null(out);
    if (!strstr(err, want))
        fail_msg("assign %s into %s: error '%s' lacks '%s'", path, root, err,
                 want);
    free(err);
    json_object_put(r);
    sl_path_free(p);
}

static void test_assign(void **state)
{
    (void)state;
    /* §3.1 step 7 / §3.5. */
    check_assign("$", "{\"a\":1}", "6", "6");
    check_assign("$", "\"foo\"", "{\"x\":1}", "{\"x\":1}");
    check_assign("$.master.result.sum", "{\"master\":{\"detail\":[1,2,3]}}",
                 "6",
                 "{\"master\":{\"detail\":[1,2,3],\"result\":{\"sum\":6}}}");
    check_assign("$.error-info", "{\"a\":1}",
                 "{\"Error\":\"E\",\"Cause\":\"c\"}",
                 "{\"a\":1,\"error-info\":{\"Error\":\"E\",\"Cause\":\"c\"}}");
    check_assign("$.a", "{\"a\":1,\"b\":2}", "3", "{\"a\":3,\"b\":2}");
    check_assign("$.a", "{\"a\":{\"deep\":1}}", "null", "{\"a\":null}");
    check_assign("$['x y'].z", "{}", "[1]", "{\"x y\":{\"z\":[1]}}");
    check_assign("$.a[1]", "{\"a\":[1,2]}", "9", "{\"a\":[1,9]}");
    check_assign("$.a[-1].b", "{\"a\":[{},{}]}", "9", "{\"a\":[{},{\"b\":9}]}");
}

static void test_assign_errors(void **state)
{
    (void)state;
    /* §3.5: ResultPath $.x on a string input fails. */
    check_assign_error("$.x", SL_PATH_REFERENCE, "\"foo\"",
                       "Unable to write to $['x']: $ is string, not an "
                       "object");
    check_assign_error("$.a.b", SL_PATH_REFERENCE, "{\"a\":5}",
                       "$['a'] is number, not an object");
    check_assign_error("$.a.b", SL_PATH_REFERENCE, "{\"a\":null}",
                       "$['a'] is null, not an object");
    check_assign_error("$.a", SL_PATH_REFERENCE, "null",
                       "$ is null, not an object");
    check_assign_error("$.a[0]", SL_PATH_REFERENCE, "{\"a\":{}}",
                       "$['a'] is object, not an array");
    check_assign_error("$.a[5]", SL_PATH_REFERENCE, "{\"a\":[1]}",
                       "$['a'] has no element [5]");
    check_assign_error("$.a[0]", SL_PATH_REFERENCE, "{}",
                       "$['a'] is object, not an array");
    check_assign_error("$[*]", 0, "[1]", "is not a reference path into $");
    check_assign_error("$$.a", SL_PATH_REFERENCE, "{}",
                       "is not a reference path into $");
    check_assign_error("$v.a", SL_PATH_REFERENCE, "{}",
                       "is not a reference path into $");
}

static json_object *count_make(void *ud)
{
    *(int *)ud += 1;
    return parse_json("{\"Execution\":{\"Id\":\"x1\"}}");
}

/* A lazy context object is made only when a path reads $$, and once. */
static void test_lazy_context(void **state)
{
    (void)state;
    int made = 0;
    sl_lazy lazy = {count_make, &made, NULL};
    sl_path_env env = {parse_json("{\"a\":1}"), NULL, NULL, NULL, &lazy};
    const char *paths[] = {"$.a", "$", "$$.Execution.Id", "$$.Execution"};
    const char *want[] = {"1", "{\"a\":1}", "\"x1\"", "{\"Id\":\"x1\"}"};
    const int made_after[] = {0, 0, 1, 1};
    for (size_t i = 0; i < 4; i++) {
        sl_path *p = must_parse(paths[i], 0);
        json_object *out = NULL;
        char *err = NULL;
        assert_int_equal(sl_path_eval(p, &env, &out, &err), 0);
        assert_string_equal(bt_json_compact(out), want[i]);
        assert_int_equal(made, made_after[i]);
        json_object_put(out);
        sl_path_free(p);
    }
    json_object_put(lazy.made);
    json_object_put(env.input);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_valid),
        cmocka_unit_test(test_parse_accessors),
        cmocka_unit_test(test_parse_invalid),
        cmocka_unit_test(test_parse_offsets_count_characters),
        cmocka_unit_test(test_parse_limits),
        cmocka_unit_test(test_reference_paths),
        cmocka_unit_test(test_var_names),
        cmocka_unit_test(test_eval_reference_cases),
        cmocka_unit_test(test_eval_definite_errors),
        cmocka_unit_test(test_eval_jayway_readme),
        cmocka_unit_test(test_eval_indices_and_slices),
        cmocka_unit_test(test_eval_unions_and_deep_scan),
        cmocka_unit_test(test_eval_filters),
        cmocka_unit_test(test_eval_filter_operators),
        cmocka_unit_test(test_eval_roots),
        cmocka_unit_test(test_assign),
        cmocka_unit_test(test_assign_errors),
        cmocka_unit_test(test_lazy_context),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
