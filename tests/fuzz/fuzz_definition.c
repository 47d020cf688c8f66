/*
 * libFuzzer harness for sl_machine_compile: any bytes are a definition.
 *
 * Invariant checked: compiling never crashes, leaks or reads outside the
 * input (ASan/UBSan), and the result agrees with the diagnostics: 0 with a
 * machine and no errors, or BT_EINVALID with at least one error and a code
 * and message on every diagnostic.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "statelang/statelang.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* assert() is compiled out in RelWithDebInfo, so checks abort by hand. */
#define FUZZ_CHECK(cond)                                                       \
    do {                                                                       \
        if (!(cond))                                                           \
            abort();                                                           \
    } while (0)

static void check_diags(const sl_diags *d)
{
    FUZZ_CHECK(d->len <= d->cap);
    for (size_t i = 0; i < d->len; i++) {
        FUZZ_CHECK(d->items[i].code != NULL);
        FUZZ_CHECK(d->items[i].message != NULL);
        FUZZ_CHECK(d->items[i].line >= 0 && d->items[i].column >= 0);
    }
}

static void compile_one(const char *text, size_t len, sl_machine_type type,
                        bool want_machine)
{
    sl_compile_opts opts = {.type = type};
    sl_machine *m = NULL;
    sl_diags diags;

    sl_diags_init(&diags);
    int rc =
        sl_machine_compile(text, len, &opts, want_machine ? &m : NULL, &diags);
    check_diags(&diags);
    if (rc == 0) {
        FUZZ_CHECK(sl_diags_errors(&diags) == 0);
        FUZZ_CHECK(!want_machine || m != NULL);
    } else {
        FUZZ_CHECK(rc == BT_EINVALID);
        FUZZ_CHECK(sl_diags_errors(&diags) > 0);
        FUZZ_CHECK(m == NULL);
    }
    sl_machine_free(m);
    sl_diags_fini(&diags);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* libFuzzer's buffer is exactly size bytes with no NUL after it, so
     * ASan reports any read past len. */
    const char *text = (const char *)data;

    compile_one(text, size, SL_MACHINE_STANDARD, true);
    /* Validate-only, with the EXPRESS rule set (V25). */
    compile_one(text, size, SL_MACHINE_EXPRESS, false);
    return 0;
}
