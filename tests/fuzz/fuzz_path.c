/*
 * libFuzzer harness for the JSONPath and intrinsic-call parsers
 * (sl_path_parse with and without SL_PATH_REFERENCE, sl_intrinsic_parse).
 * The input, cut at its first NUL, is the expression text.
 *
 * Invariants checked besides ASan/UBSan: a failure is BT_EPARSE with a
 * message; a reference path is also a valid path and is definite; a parsed
 * call has a known function, an argument count within its arity, arguments
 * whose kind matches the member that is set, and at most
 * BT_LIMIT_INTRINSIC_NESTING nested calls.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "statelang/sl_path_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                       \
    do {                                                                       \
        if (!(cond))                                                           \
            abort();                                                           \
    } while (0)

static const struct {
    int lo, hi;
} arity[SL_FN_COUNT] = {
#define ARITY_ROW(id, name, min, max) [SL_FN_##id] = {min, max},
    SL_INTRINSICS(ARITY_ROW)
#undef ARITY_ROW
};

/* Returns true when parsing succeeded; checks the outcome either way. */
static bool parse_path(const char *text, unsigned flags)
{
    sl_path *p = NULL;
    char *err = NULL;
    int rc = sl_path_parse(text, flags, &p, &err);

    if (rc != 0) {
        FUZZ_CHECK(rc == BT_EPARSE);
        FUZZ_CHECK(err != NULL && p == NULL);
        free(err);
        return false;
    }
    FUZZ_CHECK(p != NULL);
    FUZZ_CHECK(sl_path_text(p) != NULL);
    sl_path_root root = sl_path_root_kind(p);
    FUZZ_CHECK((root == SL_ROOT_VAR) == (sl_path_var(p) != NULL));
    if (root == SL_ROOT_VAR)
        FUZZ_CHECK(sl_var_name_valid(sl_path_var(p)));
    if (flags & SL_PATH_REFERENCE)
        FUZZ_CHECK(sl_path_is_definite(p));
    sl_path_free(p);
    return true;
}

static void check_call(const sl_intrinsic *call, int depth)
{
    FUZZ_CHECK(depth <= BT_LIMIT_INTRINSIC_NESTING);
    FUZZ_CHECK((int)call->fn >= 0 && call->fn < SL_FN_COUNT);
    FUZZ_CHECK(sl_intrinsic_fn_name(call->fn) != NULL);
    FUZZ_CHECK(call->nargs >= (size_t)arity[call->fn].lo);
    FUZZ_CHECK(arity[call->fn].hi < 0 ||
               call->nargs <= (size_t)arity[call->fn].hi);
    FUZZ_CHECK(call->nargs == 0 || call->args != NULL);
    for (size_t i = 0; i < call->nargs; i++) {
        const sl_intrinsic_arg *a = &call->args[i];
        switch (a->kind) {
        case SL_ARG_STRING:
        case SL_ARG_NUMBER:
        case SL_ARG_BOOL:
            FUZZ_CHECK(a->literal != NULL);
            break;
        case SL_ARG_NULL:
            break;
        case SL_ARG_PATH:
            FUZZ_CHECK(a->path != NULL);
            break;
        case SL_ARG_CALL:
            FUZZ_CHECK(a->call != NULL);
            check_call(a->call, depth + 1);
            break;
        default:
            abort();
        }
    }
}

static void parse_intrinsic(const char *text)
{
    sl_intrinsic *call = NULL;
    char *err = NULL;
    int rc = sl_intrinsic_parse(text, &call, &err);

    if (rc != 0) {
        FUZZ_CHECK(rc == BT_EPARSE);
        FUZZ_CHECK(err != NULL && call == NULL);
        free(err);
        return;
    }
    FUZZ_CHECK(call != NULL);
    check_call(call, 1);
    sl_intrinsic_free(call);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size copy, so ASan catches a read past the NUL. */
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    bool any = parse_path(text, 0);
    bool ref = parse_path(text, SL_PATH_REFERENCE);
    /* Reference paths are a subset of paths. */
    FUZZ_CHECK(!ref || any);
    parse_intrinsic(text);

    free(text);
    return 0;
}
