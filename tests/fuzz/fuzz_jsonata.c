/*
 * libFuzzer harness for the JSONata parser (sl_jsonata_parse): any bytes
 * are an expression (the text between {% and %}).
 *
 * Invariants checked besides ASan/UBSan: success gives an expression;
 * failure is BT_EPARSE with a NUL-terminated code, a message and a position
 * inside (or just past) the text, or -1 when there is none.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "statelang/sl_jsonata_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Characters in text when every byte belongs to a valid UTF-8 sequence;
 * (size_t)-1 otherwise. */
static size_t utf8_chars_strict(const char *text, size_t size)
{
    size_t i = 0, n = 0;
    while (i < size) {
        uint32_t cp;
        size_t used = bt_utf8_decode(text + i, size - i, &cp);
        if (used == 0)
            return (size_t)-1;
        i += used;
        n++;
    }
    return n;
}

#define FUZZ_CHECK(cond)                                                       \
    do {                                                                       \
        if (!(cond))                                                           \
            abort();                                                           \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* libFuzzer's buffer is exactly size bytes: ASan reports any read past
     * len, which the parser must not rely on being a NUL. */
    const char *text = (const char *)data;
    sl_jsonata *expr = NULL;
    sl_jsonata_error err;

    memset(&err, 0, sizeof err);
    int rc = sl_jsonata_parse(text, size, &expr, &err);
    if (rc == 0) {
        FUZZ_CHECK(expr != NULL);
        sl_jsonata_free(expr);
        return 0;
    }
    FUZZ_CHECK(rc == BT_EPARSE);
    FUZZ_CHECK(expr == NULL);
    FUZZ_CHECK(memchr(err.code, '\0', sizeof err.code) != NULL);
    FUZZ_CHECK(err.message != NULL);
    /* Positions count characters, so never more than bytes (+1 at EOF);
     * -1 means no position, as for S0217 on "%.parent". */
    FUZZ_CHECK(err.position >= -1);
    /* Expressions reach the parser from JSON strings, which are valid
     * UTF-8; for other bytes the position is only approximate. */
    FUZZ_CHECK(err.position < 0 || (size_t)err.position <= size + 1 ||
               bt_utf8_length(text, size) != utf8_chars_strict(text, size));
    sl_jsonata_error_fini(&err);
    return 0;
}
