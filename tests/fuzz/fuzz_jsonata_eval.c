/*
 * libFuzzer harness for the JSONata evaluator (sl_jsonata_eval_fn): any
 * bytes are an expression; when it parses, it is evaluated against a fixed
 * small document (objects, arrays, numbers, strings, booleans, null) with
 * the AWS functions on and bounded limits (depth, wall time on
 * CLOCK_MONOTONIC, heap), a fixed clock and a deterministic random source.
 *
 * Invariants checked besides ASan/UBSan (and libFuzzer's -timeout and
 * -rss_limit_mb, which catch a limit the evaluator does not enforce):
 * success gives either undefined with no value or a value that serialises
 * to JSON which parses back (when the expression is UTF-8); failure is
 * SL_JSONATA_EEVAL with a code of the form [A-Z][0-9]{4}, a message and no
 * value; the input document is not modified.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "statelang/sl_jsonata_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                       \
    do {                                                                       \
        if (!(cond))                                                           \
            abort();                                                           \
    } while (0)

enum {
    FUZZ_MAX_DEPTH = 200,
    FUZZ_TIME_LIMIT_MS = 200,
};
#define FUZZ_HEAP_BYTES ((size_t)64 << 20)

/* dataset0 of the JSONata test suite, a small invoice and values of every
 * other JSON type. */
static const char document[] =
    "{\"foo\":{\"bar\":42,\"blah\":[{\"baz\":{\"fud\":\"hello\"}},"
    "{\"baz\":{\"fud\":\"world\"}},{\"bazz\":\"gotcha\"}],"
    "\"blah.baz\":\"here\"},\"bar\":98,"
    "\"Account\":{\"Account Name\":\"Firefly\",\"Order\":["
    "{\"OrderID\":\"order103\",\"Product\":["
    "{\"Product Name\":\"Bowler Hat\",\"ProductID\":858383,"
    "\"Price\":34.45,\"Quantity\":2},"
    "{\"Product Name\":\"Trilby hat\",\"ProductID\":858236,"
    "\"Price\":21.67,\"Quantity\":1}]},"
    "{\"OrderID\":\"order104\",\"Product\":["
    "{\"Product Name\":\"Cloak\",\"ProductID\":345664,"
    "\"Price\":107.99,\"Quantity\":1}]}]},"
    "\"nums\":[1,-2.5,3e3,0,7],\"strs\":[\"a\",\"B\",\"\\u00e9t\\u00e9\","
    "\"\"],\"nested\":[[1,2],[3,[4,5]],[]],\"t\":true,\"f\":false,"
    "\"n\":null,\"when\":\"2018-03-23T10:33:36.617Z\",\"7\":\"seven\"}";

typedef struct clock_state {
    struct timespec started;
} clock_state;

static int64_t elapsed_ms(void *ctx)
{
    const clock_state *c = ctx;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)(now.tv_sec - c->started.tv_sec) * 1000 +
           (now.tv_nsec - c->started.tv_nsec) / 1000000;
}

/* splitmix64 from a fixed seed: the same input evaluates the same way. */
static double fuzz_random(void *ctx)
{
    uint64_t *state = ctx;
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0;
}

static json_object *document_json(void)
{
    json_object *j = NULL;
    bt_json_error jerr;
    FUZZ_CHECK(bt_json_parse(document, sizeof document - 1, 64, &j, &jerr) ==
               0);
    return j;
}

static bool error_code_ok(const char *code)
{
    if (memchr(code, '\0', 8) == NULL || strlen(code) != 5)
        return false;
    if (code[0] < 'A' || code[0] > 'Z')
        return false;
    for (int i = 1; i < 5; i++)
        if (code[i] < '0' || code[i] > '9')
            return false;
    return true;
}

/* Deepest bracket nesting of JSON text (strings skipped): results nest as
 * deep as the heap allows, and the re-parse below only proves that the
 * serialisation is JSON, so it gets the depth it needs. */
static int nesting(const char *text)
{
    int depth = 0, deepest = 0;
    bool in_string = false;
    for (const char *p = text; *p; p++) {
        if (in_string) {
            if (*p == '\\' && p[1])
                p++;
            else if (*p == '"')
                in_string = false;
        } else if (*p == '"') {
            in_string = true;
        } else if (*p == '[' || *p == '{') {
            if (++depth > deepest)
                deepest = depth;
        } else if (*p == ']' || *p == '}') {
            depth--;
        }
    }
    return deepest;
}

/* Whether every byte of text belongs to a UTF-8 sequence as the decoder
 * reads it (encoded surrogates, WTF-8, included). */
static bool utf8_ok(const char *text, size_t size)
{
    size_t i = 0;
    while (i < size) {
        uint32_t cp;
        size_t used = bt_utf8_decode(text + i, size - i, &cp);
        if (used == 0)
            return false;
        i += used;
    }
    return true;
}

/* strict: the expression was UTF-8, so the result must be JSON. Other
 * bytes pass through string literals into the result, and expressions
 * reach the evaluator from JSON strings, so then only serialising is
 * checked. */
static void check_result(json_object *out, bool undefined, bool function,
                         bool strict)
{
    if (undefined) {
        FUZZ_CHECK(out == NULL && !function);
        return;
    }
    /* A function converts to "" (as $string prints it). */
    FUZZ_CHECK(!function || (json_object_is_type(out, json_type_string) &&
                             json_object_get_string_len(out) == 0));
    /* NULL is JSON null; anything else must serialise to strict JSON. */
    const char *text = out ? bt_json_compact(out) : "null";
    FUZZ_CHECK(text != NULL);
    if (!strict)
        return;
    json_object *back = NULL;
    bt_json_error jerr;
    FUZZ_CHECK(bt_json_parse(text, strlen(text), nesting(text) + 1, &back,
                             &jerr) == 0);
    json_object_put(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The document is parsed once; every evaluation borrows it, and the
     * check below proves that none of them writes to it. */
    static json_object *input;
    static char *input_text;
    if (!input) {
        input = document_json();
        input_text = bt_xstrdup(bt_json_compact(input));
    }

    sl_jsonata *expr = NULL;
    sl_jsonata_error err;
    memset(&err, 0, sizeof err);
    if (sl_jsonata_parse((const char *)data, size, &expr, &err) != 0) {
        FUZZ_CHECK(expr == NULL && err.message != NULL);
        sl_jsonata_error_fini(&err);
        return 0;
    }

    uint64_t seed = 42;
    clock_state clk;
    sl_jsonata_env env = {
        .input = input,
        .has_input = true,
        .now_ms = 1521801216617, /* 2018-03-23T10:33:36.617Z */
        .random = fuzz_random,
        .random_ctx = &seed,
        .aws_functions = true,
        .max_depth = FUZZ_MAX_DEPTH,
        .time_limit_ms = FUZZ_TIME_LIMIT_MS,
        .elapsed_ms = elapsed_ms,
        .clock_ctx = &clk,
        .heap_bytes = FUZZ_HEAP_BYTES,
    };
    json_object *out = NULL;
    bool undefined = false, function = false;
    clock_gettime(CLOCK_MONOTONIC, &clk.started);
    int rc = sl_jsonata_eval_fn(expr, &env, &out, &undefined, &function, &err);
    if (rc == 0) {
        check_result(out, undefined, function,
                     utf8_ok((const char *)data, size));
        json_object_put(out);
    } else {
        FUZZ_CHECK(rc == SL_JSONATA_EEVAL);
        FUZZ_CHECK(out == NULL);
        FUZZ_CHECK(error_code_ok(err.code));
        FUZZ_CHECK(err.message != NULL && err.message[0] != '\0');
        sl_jsonata_error_fini(&err);
    }
    sl_jsonata_free(expr);
    FUZZ_CHECK(strcmp(bt_json_compact(input), input_text) == 0);
    return 0;
}
