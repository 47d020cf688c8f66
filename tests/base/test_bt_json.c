/*
 * base/: strict JSON parsing with positions, pointer-to-position lookup,
 * buffers and UTF-8 counting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

static int parse(const char *text, json_object **out, bt_json_error *err)
{
    return bt_json_parse(text, strlen(text), 32, out, err);
}

static void test_parse_values(void **state)
{
    (void)state;
    json_object *o = NULL;
    bt_json_error err;
    /* A top-level number must parse although json-c waits for digits. */
    assert_int_equal(parse("42", &o, &err), 0);
    assert_int_equal(json_object_get_int(o), 42);
    json_object_put(o);
    assert_int_equal(parse("  {\"a\": [1, 2]}\n", &o, &err), 0);
    assert_string_equal(bt_json_compact(o), "{\"a\":[1,2]}");
    json_object_put(o);
    /* json-c represents a top-level null as NULL; it still parses. */
    o = (json_object *)&o;
    assert_int_equal(parse(" null ", &o, &err), 0);
    assert_null(o);
    assert_int_equal(parse("nul", &o, &err), BT_EPARSE);
    assert_int_equal(parse("null x", &o, &err), BT_EPARSE);
    /* Slashes are not escaped in output. */
    assert_int_equal(parse("\"a/b\"", &o, &err), 0);
    assert_string_equal(bt_json_compact(o), "\"a/b\"");
    json_object_put(o);
}

static void test_parse_errors(void **state)
{
    (void)state;
    json_object *o = NULL;
    bt_json_error err;
    assert_int_equal(parse("{\"a\": 1,}", &o, &err), BT_EPARSE);
    assert_int_equal(parse("[1, 2,]", &o, &err), BT_EPARSE);
    assert_int_equal(parse("{\"a\": 1} x", &o, &err), BT_EPARSE);
    assert_int_equal(err.line, 1);
    assert_int_equal(err.column, 10);
    assert_int_equal(parse("{\n  \"a\": tru\n}", &o, &err), BT_EPARSE);
    assert_int_equal(err.line, 2);
    assert_int_equal(parse("", &o, &err), BT_EPARSE);
    /* Text must be UTF-8. */
    assert_int_equal(parse("\"a\xff\"", &o, &err), BT_EPARSE);
    assert_int_equal(err.column, 3);
    assert_int_equal(parse("\"\xed\xa0\x80\"", &o, &err), BT_EPARSE);
    assert_int_equal(parse("{\"a\": ", &o, &err), BT_EPARSE);
    /* Deeper than the bound is an error, not a crash. */
    char deep[200];
    memset(deep, '[', 100);
    memset(deep + 100, ']', 99);
    deep[199] = '\0';
    assert_int_equal(bt_json_parse(deep, strlen(deep), 32, &o, &err),
                     BT_EPARSE);
}

static void test_locate(void **state)
{
    (void)state;
    const char *t = "{\n"
                    "  \"States\": {\n"
                    "    \"Fetch\": {\"Next\": \"x\",\n"
                    "      \"Catch\": [ {\"A\": 1}, {\"Next\": \"y\"} ]},\n"
                    "    \"a/b~c\": 1\n"
                    "  }\n"
                    "}\n";
    int line, col;
    assert_true(
        bt_json_locate(t, strlen(t), "/States/Fetch/Next", &line, &col));
    assert_int_equal(line, 3);
    assert_int_equal(col, 15);
    /* AWS's "Catch[1]" form and the JSON Pointer "/Catch/1" form. */
    assert_true(bt_json_locate(t, strlen(t), "/States/Fetch/Catch[1]/Next",
                               &line, &col));
    assert_int_equal(line, 4);
    assert_int_equal(col, 29);
    assert_true(bt_json_locate(t, strlen(t), "/States/Fetch/Catch/1/Next",
                               &line, &col));
    assert_int_equal(line, 4);
    assert_int_equal(col, 29);
    /* Escaped pointer segments. */
    assert_true(bt_json_locate(t, strlen(t), "/States/a~1b~0c", &line, &col));
    assert_int_equal(line, 5);
    assert_int_equal(col, 5);
    /* A missing member falls back to the deepest prefix found. */
    assert_true(bt_json_locate(t, strlen(t), "/States/Nope", &line, &col));
    assert_int_equal(line, 2);
    assert_true(bt_json_locate(t, strlen(t), "/", &line, &col));
    assert_int_equal(line, 1);
    assert_int_equal(col, 1);
}

static void test_locate_unicode_column(void **state)
{
    (void)state;
    /* Columns count characters, not bytes: "Ж" is two bytes. */
    const char *t = "{\"Ж\": {\"b\": 1}}";
    int line, col;
    assert_true(bt_json_locate(t, strlen(t), "/Ж/b", &line, &col));
    assert_int_equal(line, 1);
    assert_int_equal(col, 8);
}

static void test_buf_and_utf8(void **state)
{
    (void)state;
    bt_buf b;
    bt_buf_init(&b);
    for (int i = 0; i < 100; i++)
        bt_buf_printf(&b, "%d,", i);
    assert_int_equal(b.len, 290);
    bt_pointer_push(&b, "a/b~");
    assert_string_equal(b.data + 290, "/a~1b~0");
    char *s = bt_buf_take(&b);
    assert_null(b.data);
    free(s);
    assert_int_equal(bt_utf8_length("a\xd0\x96\xe4\xb8\xad", 6), 3);
    uint32_t cp;
    assert_int_equal(bt_utf8_decode("\xf0\x9f\x98\x80", 4, &cp), 4);
    assert_int_equal(cp, 0x1F600);
    /* Overlong encodings are invalid. */
    assert_int_equal(bt_utf8_decode("\xc0\xaf", 2, &cp), 0);
}

/* bt_buf_json_str must write strings exactly as json-c's compact
 * serialisation does (history events mix both): every byte value, alone
 * and between other text. */
static void test_buf_json_str_matches_json_c(void **state)
{
    (void)state;
    for (int c = 1; c < 256; c++) {
        char s[8] = {'a', (char)c, 'b', (char)c, 0};
        json_object *o = json_object_new_string(s);
        bt_buf b;
        bt_buf_init(&b);
        bt_buf_json_str(&b, s, strlen(s));
        assert_string_equal(b.data, bt_json_compact(o));
        bt_buf_fini(&b);
        json_object_put(o);
    }
    bt_buf b;
    bt_buf_init(&b);
    bt_buf_json_str(&b, "", 0);
    assert_string_equal(b.data, "\"\"");
    bt_buf_reset(&b);
    bt_buf_json_str(&b, "x\0y", 3); /* embedded NUL */
    assert_string_equal(b.data, "\"x\\u0000y\"");
    /* Long text, escapes on each side of 1 KiB boundaries, after text
     * already in the buffer. */
    char big[5000];
    for (size_t i = 0; i < sizeof big - 1; i++)
        big[i] =
            (char)(i % 97 == 0 || (i % 1024) >= 1022 ? (i % 3 ? '"' : 1)
                                                     : 'a' + (int)(i % 26));
    big[sizeof big - 1] = '\0';
    json_object *o = json_object_new_string(big);
    bt_buf_reset(&b);
    bt_buf_lit(&b, "before");
    bt_buf_json_str(&b, big, strlen(big));
    assert_string_equal(b.data + 6, bt_json_compact(o));
    json_object_put(o);
    bt_buf_fini(&b);
}

static void test_buf_int(void **state)
{
    (void)state;
    const struct {
        int64_t v;
        const char *text;
    } cases[] = {{0, "0"},
                 {7, "7"},
                 {-1, "-1"},
                 {1234567890123, "1234567890123"},
                 {INT64_MAX, "9223372036854775807"},
                 {INT64_MIN, "-9223372036854775808"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bt_buf b;
        bt_buf_init(&b);
        bt_buf_puts(&b, "n=");
        bt_buf_int(&b, cases[i].v);
        assert_string_equal(b.data + 2, cases[i].text);
        bt_buf_fini(&b);
    }
    /* Every digit count, both signs, each side of a power of ten, against
     * printf. */
    for (int64_t p = 1; p <= INT64_MAX / 10; p *= 10)
        for (int64_t d = -1; d <= 1; d++)
            for (int sign = -1; sign <= 1; sign += 2) {
                int64_t v = sign * (p + d);
                char want[32];
                snprintf(want, sizeof want, "%lld", (long long)v);
                bt_buf b;
                bt_buf_init(&b);
                bt_buf_int(&b, v);
                assert_string_equal(b.data, want);
                bt_buf_fini(&b);
            }
}

/* bt_buf_json writes what json-c's compact serialisation writes (the
 * history mixes both), for every type, nesting, and numbers at json-c's
 * edges; a few texts are also checked literally. */
static void test_buf_json_matches_json_c(void **state)
{
    (void)state;
    static const char *const docs[] = {
        "{}",
        "[]",
        "null",
        "{\"a\":[1,true,false,null,\"x\"],\"b\":{},\"c\":[[],[{}]]}",
        "{\"k/\\\"\\u0001\":\"v\\n\\t\\u00e9/\",\"\":\"\"}",
        "[0,-1,9223372036854775807,-9223372036854775808,18446744073709551615]",
        "[1.5,0.1,-0.0,1e300,2.5e-7,100.0,3.0E2,123456789012345678901234]",
        "{\"deep\":{\"deeper\":{\"deepest\":[1,{\"x\":[2,[3]]}]}}}",
        "\"\\ud83d\\ude00 and \\u2028\"",
    };
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++) {
        json_object *o = NULL;
        assert_int_equal(bt_json_parse(docs[i], strlen(docs[i]), 64, &o, NULL),
                         0);
        bt_buf b;
        bt_buf_init(&b);
        bt_buf_lit(&b, "<");
        bt_buf_json(&b, o);
        bt_buf_lit(&b, ">");
        char *want = bt_xasprintf("<%s>", o ? bt_json_compact(o) : "null");
        assert_string_equal(b.data, want);
        free(want);
        bt_buf_fini(&b);
        json_object_put(o);
    }
    /* Built values: an embedded NUL, json-c's unsigned range, a double
     * with its own text, NULL members and array slots. */
    json_object *o = json_object_new_object();
    json_object_object_add(o, "nul", json_object_new_string_len("a\0b", 3));
    json_object_object_add(o, "u", json_object_new_uint64(UINT64_MAX));
    json_object_object_add(o, "i", json_object_new_int64(INT64_MAX));
    json_object_object_add(o, "d", json_object_new_double_s(1.0, "1.000"));
    json_object_object_add(o, "n", NULL);
    json_object *a = json_object_new_array();
    json_object_array_put_idx(a, 2, json_object_new_int(7));
    json_object_object_add(o, "a", a);
    bt_buf b;
    bt_buf_init(&b);
    bt_buf_json(&b, o);
    assert_string_equal(b.data, bt_json_compact(o));
    assert_string_equal(b.data, "{\"nul\":\"a\\u0000b\",\"u\":"
                                "18446744073709551615,\"i\":"
                                "9223372036854775807,\"d\":1.000,\"n\":null,"
                                "\"a\":[null,null,7]}");
    bt_buf_fini(&b);
    json_object_put(o);
}

/* RFC 4122 version 4: 8-4-4-4-12 lowercase hex digits, the version
 * nibble 4, the variant bits 10. */
static void test_uuid_v4_format(void **state)
{
    (void)state;
    unsigned char r[16];
    for (int i = 0; i < 16; i++)
        r[i] = (unsigned char)i;
    char out[37];
    bt_uuid_v4_format(r, out);
    assert_string_equal(out, "00010203-0405-4607-8809-0a0b0c0d0e0f");
    memset(r, 0xff, sizeof r);
    bt_uuid_v4_format(r, out);
    assert_string_equal(out, "ffffffff-ffff-4fff-bfff-ffffffffffff");
}

static void test_grow_and_compact_len(void **state)
{
    (void)state;
    size_t cap = 0;
    int *v = bt_grow(NULL, 0, &cap, sizeof *v);
    assert_int_equal(cap, 16);
    for (size_t n = 0; n < 40; n++) {
        v = bt_grow(v, n, &cap, sizeof *v);
        assert_true(n < cap);
        v[n] = (int)n;
    }
    assert_int_equal(cap, 64); /* 16 -> 32 -> 64: doubled only when full */
    for (size_t n = 0; n < 40; n++)
        assert_int_equal(v[n], (int)n);
    free(v);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "a/b", json_object_new_string("x/y"));
    size_t len = 0;
    const char *t = bt_json_compact_len(o, &len);
    assert_string_equal(t, "{\"a/b\":\"x/y\"}");
    assert_int_equal(len, strlen(t));
    json_object_put(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_values),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_locate),
        cmocka_unit_test(test_locate_unicode_column),
        cmocka_unit_test(test_buf_and_utf8),
        cmocka_unit_test(test_buf_json_str_matches_json_c),
        cmocka_unit_test(test_buf_int),
        cmocka_unit_test(test_buf_json_matches_json_c),
        cmocka_unit_test(test_uuid_v4_format),
        cmocka_unit_test(test_grow_and_compact_len),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
