/*
 * Evaluation of intrinsic function calls (ASL reference §4.3): arguments,
 * dispatch, the helpers every function shares, and the string and JSON
 * functions (Format, StringToJson, JsonToString, Array, JsonMerge,
 * StringSplit). Array functions are in sl_intrinsic_array.c; Base64, Hash,
 * the Math functions and UUID in sl_intrinsic_fn.c.
 *
 * Invariant: evaluation never changes the call, the input, the context or
 * a variable. Results may share unchanged sub-trees with them (as
 * sl_path_eval's results do) and are always new references; literals are
 * copied, never handed out, because a parsed call may be shared.
 *
 * Failure causes. AWS's wording for intrinsic failures is unknown, so ours
 * follows one pattern, built only by sl_ifn__fail and sl_ifn__fail_arg:
 *   wrong type   The States.ArrayGetItem function's second argument must
 *                be an integer
 *   bad value    The States.ArrayPartition function's second argument must
 *                be greater than 0
 *                The States.Hash function's second argument must be one of
 *                MD5, SHA-1, SHA-256, SHA-384, SHA-512
 *   other        The States.ArrayRange function would return 1001 elements;
 *                at most 1000 are allowed
 *                The States.Format function would return more than 16777216
 *                bytes
 * One-argument functions say "argument" instead of "first argument".
 * Type nouns: a string, a number, an integer, a boolean, an array, an
 * object. A path argument that does not resolve keeps sl_path_eval's
 * message and code (BT_ENOENT).
 */
#include "statelang/sl_intrinsic_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Failures and argument checks ----------------------------------------
 */

static const char *ordinal(size_t i)
{
    static const char *const words[] = {"first", "second", "third",   "fourth",
                                        "fifth", "sixth",  "seventh", "eighth",
                                        "ninth", "tenth"};
    return i < sizeof words / sizeof words[0] ? words[i] : "next";
}

/* Functions that take exactly one argument, from the SL_INTRINSICS table. */
static bool takes_one_argument(sl_intrinsic_fn fn)
{
    static const struct {
        signed char lo, hi;
    } arity[] = {
#define SL_IFN_ARITY(id, name, lo, hi) {lo, hi},
        SL_INTRINSICS(SL_IFN_ARITY)
#undef SL_IFN_ARITY
    };
    return (unsigned)fn < SL_FN_COUNT && arity[fn].lo == 1 && arity[fn].hi == 1;
}

__attribute__((format(printf, 3, 0))) static int
set_cause(sl_ifn *f, bt_buf *b, const char *fmt, va_list ap)
{
    bt_buf_vprintf(b, fmt, ap);
    if (!f->cause)
        f->cause = bt_buf_take(b);
    bt_buf_fini(b);
    return BT_EINVAL;
}

int sl_ifn__fail(sl_ifn *f, const char *fmt, ...)
{
    bt_buf b;
    bt_buf_init(&b);
    bt_buf_printf(&b, "The %s function ", sl_intrinsic_fn_name(f->fn));
    va_list ap;
    va_start(ap, fmt);
    int rc = set_cause(f, &b, fmt, ap);
    va_end(ap);
    return rc;
}

int sl_ifn__fail_arg(sl_ifn *f, size_t i, const char *fmt, ...)
{
    bt_buf b;
    bt_buf_init(&b);
    if (takes_one_argument(f->fn))
        bt_buf_printf(&b, "The %s function's argument ",
                      sl_intrinsic_fn_name(f->fn));
    else
        bt_buf_printf(&b, "The %s function's %s argument ",
                      sl_intrinsic_fn_name(f->fn), ordinal(i));
    va_list ap;
    va_start(ap, fmt);
    int rc = set_cause(f, &b, fmt, ap);
    va_end(ap);
    return rc;
}

static const char *type_noun(json_type t)
{
    switch (t) {
    case json_type_null:
        return "null";
    case json_type_boolean:
        return "a boolean";
    case json_type_double:
        return "a number";
    case json_type_int:
        return "an integer";
    case json_type_object:
        return "an object";
    case json_type_array:
        return "an array";
    case json_type_string:
        return "a string";
    }
    return "a JSON value";
}

int sl_ifn__want(sl_ifn *f, size_t i, json_type t)
{
    if (json_object_is_type(f->args[i], t))
        return 0;
    return sl_ifn__fail_arg(f, i, "must be %s", type_noun(t));
}

int sl_ifn__int(sl_ifn *f, size_t i, int64_t *out)
{
    json_object *v = f->args[i];
    if (!json_object_is_type(v, json_type_int))
        return sl_ifn__fail_arg(f, i, "must be an integer");
    int64_t x = json_object_get_int64(v);
    /* json-c keeps integers above INT64_MAX as uint64 and clamps here. */
    if (x == INT64_MAX && json_object_get_uint64(v) != (uint64_t)INT64_MAX)
        return sl_ifn__fail_arg(f, i,
                                "must be an integer between %lld and %lld",
                                (long long)INT64_MIN, (long long)INT64_MAX);
    *out = x;
    return 0;
}

/* Java's Math.round: floor(d + 0.5) computed exactly (adding 0.5 first
 * would round 0.49999999999999994 up). False when the result does not fit
 * int64_t or d is not finite. */
static bool java_round(double d, int64_t *out)
{
    double r = floor(d);
    if (d - r >= 0.5)
        r += 1.0;
    if (!(r >= -9223372036854775808.0 && r < 9223372036854775808.0))
        return false;
    *out = (int64_t)r;
    return true;
}

int sl_ifn__rounded(sl_ifn *f, size_t i, int64_t lo, int64_t hi, int64_t *out)
{
    json_object *v = f->args[i];
    int64_t x = 0;
    bool ok;
    if (json_object_is_type(v, json_type_int)) {
        x = json_object_get_int64(v);
        ok = !(x == INT64_MAX &&
               json_object_get_uint64(v) != (uint64_t)INT64_MAX);
    } else if (json_object_is_type(v, json_type_double)) {
        ok = java_round(json_object_get_double(v), &x);
    } else {
        return sl_ifn__fail_arg(f, i, "must be a number");
    }
    if (!ok || x < lo || x > hi)
        return sl_ifn__fail_arg(f, i, "must be a number between %lld and %lld",
                                (long long)lo, (long long)hi);
    *out = x;
    return 0;
}

int sl_ifn__capped_string(sl_ifn *f, size_t i, const char **s, size_t *len)
{
    if (sl_ifn__want(f, i, json_type_string))
        return BT_EINVAL;
    *s = json_object_get_string(f->args[i]);
    *len = (size_t)json_object_get_string_len(f->args[i]);
    if (bt_utf8_length(*s, *len) > SL_IFN_MAX_CHARS)
        return sl_ifn__fail_arg(f, i, "must not be longer than %d characters",
                                SL_IFN_MAX_CHARS);
    return 0;
}

/* Recursion is bounded by budget. */
static bool depth_within(json_object *v, int budget)
{
    if (budget < 0)
        return false;
    if (json_object_is_type(v, json_type_array)) {
        size_t n = json_object_array_length(v);
        for (size_t i = 0; i < n; i++)
            if (!depth_within(json_object_array_get_idx(v, i), budget - 1))
                return false;
    } else if (json_object_is_type(v, json_type_object)) {
        json_object_object_foreach(v, key, member)
        {
            (void)key;
            if (!depth_within(member, budget - 1))
                return false;
        }
    }
    return true;
}

bool sl_ifn__depth_ok(sl_ifn *f, json_object *v)
{
    if (depth_within(v, SL_IFN_MAX_DEPTH))
        return true;
    sl_ifn__fail(f, "cannot process values nested more than %d levels deep",
                 SL_IFN_MAX_DEPTH);
    return false;
}

void sl_ifn__push(json_object *arr, json_object *v)
{
    if (json_object_array_add(arr, v) != 0)
        bt_oom();
}

static void obj_set(json_object *obj, const char *key, json_object *v)
{
    if (json_object_object_add(obj, key, v) != 0)
        bt_oom();
}

/* ---- String and JSON functions -------------------------------------------
 */

/* States.Format's rendering of a value as AWS prints it: strings raw,
 * numbers and booleans as JSON, objects Java-map style {k=v, k2=v2},
 * arrays [a, b], nested values the same way. */
static void render(bt_buf *b, json_object *v)
{
    switch (json_object_get_type(v)) {
    case json_type_string:
        bt_buf_append(b, json_object_get_string(v),
                      (size_t)json_object_get_string_len(v));
        break;
    case json_type_array: {
        size_t n = json_object_array_length(v);
        bt_buf_putc(b, '[');
        for (size_t i = 0; i < n; i++) {
            if (i)
                bt_buf_puts(b, ", ");
            render(b, json_object_array_get_idx(v, i));
        }
        bt_buf_putc(b, ']');
        break;
    }
    case json_type_object: {
        const char *sep = "";
        bt_buf_putc(b, '{');
        json_object_object_foreach(v, key, member)
        {
            bt_buf_printf(b, "%s%s=", sep, key);
            render(b, member);
            sep = ", ";
        }
        bt_buf_putc(b, '}');
        break;
    }
    default: /* null, booleans, numbers (json-c keeps a parsed number's
                text, and literals get their shortest form) */
        bt_buf_puts(b, bt_json_compact(v));
        break;
    }
}

/* Walks a Format template: counts its placeholders and, when b is given,
 * writes the template with values[k] rendered in place of the k-th {}.
 * With escapes (a literal's undecoded text) \{ \} \' \\ stand for
 * themselves, so "\{}" is a brace and "}" rather than a placeholder. Stops
 * early once b holds more than SL_IFN_MAX_TEXT_BYTES. */
static size_t fill_template(const char *t, size_t len, bool escapes,
                            json_object **values, bt_buf *b)
{
    size_t holes = 0;
    for (size_t i = 0; i < len; i++) {
        if (escapes && t[i] == '\\' && i + 1 < len) {
            i++;
            if (b)
                bt_buf_putc(b, t[i]);
        } else if (t[i] == '{' && i + 1 < len && t[i + 1] == '}') {
            if (b)
                render(b, values[holes]);
            holes++;
            i++;
        } else if (b) {
            bt_buf_putc(b, t[i]);
        }
        if (b && b->len > SL_IFN_MAX_TEXT_BYTES)
            break;
    }
    return holes;
}

/* A template from a path or a nested call has no escapes. */
static int fn_format(sl_ifn *f, json_object **out)
{
    if (sl_ifn__want(f, 0, json_type_string))
        return BT_EINVAL;
    const char *t = f->raw0 ? f->raw0 : json_object_get_string(f->args[0]);
    size_t len = f->raw0 ? strlen(f->raw0)
                         : (size_t)json_object_get_string_len(f->args[0]);
    size_t nvalues = f->nargs - 1;
    size_t holes = fill_template(t, len, f->raw0 != NULL, NULL, NULL);
    if (holes != nvalues)
        return sl_ifn__fail_arg(
            f, 0, "has %zu placeholder%s {} but %zu value%s %s given", holes,
            holes == 1 ? "" : "s", nvalues, nvalues == 1 ? "" : "s",
            nvalues == 1 ? "was" : "were");
    for (size_t i = 1; i < f->nargs; i++)
        if (!sl_ifn__depth_ok(f, f->args[i]))
            return BT_EINVAL;
    bt_buf b;
    bt_buf_init(&b);
    bt_buf_puts(&b, "");
    fill_template(t, len, f->raw0 != NULL, f->args + 1, &b);
    int rc = 0;
    if (b.len > SL_IFN_MAX_TEXT_BYTES)
        rc = sl_ifn__fail(f, "would return more than %u bytes",
                          SL_IFN_MAX_TEXT_BYTES);
    else
        *out = json_object_new_string_len(b.data, (int)b.len);
    bt_buf_fini(&b);
    return rc;
}

/* json-c accepts NaN and Infinity even in strict mode; JSON does not. A
 * number too large for a double (1e400) is JSON and keeps its text. */
static bool only_json_numbers(json_object *v)
{
    switch (json_object_get_type(v)) {
    case json_type_double: {
        if (isfinite(json_object_get_double(v)))
            return true;
        const char *txt = json_object_to_json_string(v);
        return txt[txt[0] == '-'] >= '0' && txt[txt[0] == '-'] <= '9';
    }
    case json_type_array: {
        size_t n = json_object_array_length(v);
        for (size_t i = 0; i < n; i++)
            if (!only_json_numbers(json_object_array_get_idx(v, i)))
                return false;
        return true;
    }
    case json_type_object: {
        json_object_object_foreach(v, key, member)
        {
            (void)key;
            if (!only_json_numbers(member))
                return false;
        }
        return true;
    }
    default:
        return true;
    }
}

static int fn_string_to_json(sl_ifn *f, json_object **out)
{
    if (sl_ifn__want(f, 0, json_type_string))
        return BT_EINVAL;
    const char *s = json_object_get_string(f->args[0]);
    size_t len = (size_t)json_object_get_string_len(f->args[0]);
    if (strspn(s, " \t\r\n") == len) { /* "" and blanks parse to null [AWS] */
        *out = NULL;
        return 0;
    }
    json_object *v = NULL;
    bt_json_error e;
    if (bt_json_parse(s, len, BT_LIMIT_JSON_DEPTH, &v, &e) != 0)
        return sl_ifn__fail_arg(f, 0,
                                "must be JSON text: %s at line %d, column %d",
                                e.message, e.line, e.column);
    if (!only_json_numbers(v)) { /* depth bounded by the parse */
        json_object_put(v);
        return sl_ifn__fail_arg(f, 0,
                                "must be JSON text: NaN and Infinity "
                                "are not JSON numbers");
    }
    *out = v;
    return 0;
}

static int fn_json_to_string(sl_ifn *f, json_object **out)
{
    *out = json_object_new_string(bt_json_compact(f->args[0]));
    return 0;
}

static int fn_array(sl_ifn *f, json_object **out)
{
    json_object *arr = json_object_new_array_ext((int)f->nargs);
    for (size_t i = 0; i < f->nargs; i++)
        sl_ifn__push(arr, json_object_get(f->args[i]));
    *out = arr;
    return 0;
}

/* Shallow: members of the second object replace the first's whole. */
static int fn_json_merge(sl_ifn *f, json_object **out)
{
    if (sl_ifn__want(f, 0, json_type_object) ||
        sl_ifn__want(f, 1, json_type_object) ||
        sl_ifn__want(f, 2, json_type_boolean))
        return BT_EINVAL;
    if (json_object_get_boolean(f->args[2]))
        return sl_ifn__fail_arg(f, 2,
                                "must be false (only shallow merges are "
                                "supported)");
    json_object *merged = json_object_new_object();
    for (size_t i = 0; i < 2; i++) {
        json_object_object_foreach(f->args[i], key, member)
        {
            obj_set(merged, key, json_object_get(member));
        }
    }
    *out = merged;
    return 0;
}

/* One character of s: a code point, or a stray byte as a value no code
 * point has, so malformed text still splits consistently. */
static size_t next_char(const char *s, size_t n, uint32_t *cp)
{
    size_t used = bt_utf8_decode(s, n, cp);
    if (used)
        return used;
    *cp = 0x110000u + (unsigned char)s[0];
    return 1;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Every character of the second argument separates; empty tokens are
 * dropped [AWS]. Separators are sorted so long inputs stay O(n log m). */
static int fn_string_split(sl_ifn *f, json_object **out)
{
    if (sl_ifn__want(f, 0, json_type_string) ||
        sl_ifn__want(f, 1, json_type_string))
        return BT_EINVAL;
    const char *s = json_object_get_string(f->args[0]);
    const char *d = json_object_get_string(f->args[1]);
    size_t slen = (size_t)json_object_get_string_len(f->args[0]);
    size_t dlen = (size_t)json_object_get_string_len(f->args[1]);
    uint32_t *seps = bt_xmalloc((dlen + 1) * sizeof *seps);
    size_t nseps = 0;
    for (size_t i = 0; i < dlen;)
        i += next_char(d + i, dlen - i, &seps[nseps++]);
    qsort(seps, nseps, sizeof *seps, cmp_u32);
    json_object *arr = json_object_new_array();
    size_t start = 0;
    for (size_t i = 0; i <= slen;) {
        uint32_t cp = 0;
        size_t used = i < slen ? next_char(s + i, slen - i, &cp) : 1;
        if (i == slen || bsearch(&cp, seps, nseps, sizeof *seps, cmp_u32)) {
            if (i > start)
                sl_ifn__push(arr, json_object_new_string_len(s + start,
                                                             (int)(i - start)));
            start = i + used;
        }
        i += used;
    }
    free(seps);
    *out = arr;
    return 0;
}

/* ---- Evaluation -------------------------------------------------------------
 */

static int apply(sl_ifn *f, json_object **out)
{
    switch (f->fn) {
    case SL_FN_FORMAT:
        return fn_format(f, out);
    case SL_FN_STRING_TO_JSON:
        return fn_string_to_json(f, out);
    case SL_FN_JSON_TO_STRING:
        return fn_json_to_string(f, out);
    case SL_FN_ARRAY:
        return fn_array(f, out);
    case SL_FN_ARRAY_PARTITION:
        return sl_ifn__array_partition(f, out);
    case SL_FN_ARRAY_CONTAINS:
        return sl_ifn__array_contains(f, out);
    case SL_FN_ARRAY_RANGE:
        return sl_ifn__array_range(f, out);
    case SL_FN_ARRAY_GET_ITEM:
        return sl_ifn__array_get_item(f, out);
    case SL_FN_ARRAY_LENGTH:
        return sl_ifn__array_length(f, out);
    case SL_FN_ARRAY_UNIQUE:
        return sl_ifn__array_unique(f, out);
    case SL_FN_BASE64_ENCODE:
        return sl_ifn__base64_encode(f, out);
    case SL_FN_BASE64_DECODE:
        return sl_ifn__base64_decode(f, out);
    case SL_FN_HASH:
        return sl_ifn__hash(f, out);
    case SL_FN_JSON_MERGE:
        return fn_json_merge(f, out);
    case SL_FN_MATH_RANDOM:
        return sl_ifn__math_random(f, out);
    case SL_FN_MATH_ADD:
        return sl_ifn__math_add(f, out);
    case SL_FN_STRING_SPLIT:
        return fn_string_split(f, out);
    case SL_FN_UUID:
        return sl_ifn__uuid(f, out);
    case SL_FN_COUNT:
        break;
    }
    return sl_ifn__fail(f, "is not implemented");
}

/* A double literal with its shortest round-trip text, so that 1.1 prints
 * as 1.1 (json-c alone prints 1.1000000000000001). As in JavaScript,
 * exponents from -7 to 20 are written out (1e2 -> 100.0), and a number
 * without a fraction or exponent keeps ".0" to stay a decimal. */
static json_object *double_copy(double d)
{
    char txt[48];
    int prec = 1;
    for (; prec < 17; prec++) {
        snprintf(txt, sizeof txt, "%.*g", prec, d);
        if (strtod(txt, NULL) == d)
            break;
    }
    snprintf(txt, sizeof txt, "%.*g", prec, d);
    const char *e = strchr(txt, 'e');
    int exp10 = e ? (int)strtol(e + 1, NULL, 10) : 0;
    if (e && exp10 >= -7 && exp10 < 21)
        snprintf(txt, sizeof txt - 2, "%.*f",
                 prec - 1 - exp10 > 0 ? prec - 1 - exp10 : 0, d);
    if (!strpbrk(txt, ".e"))
        memcpy(txt + strlen(txt), ".0", 3);
    return json_object_new_double_s(d, txt);
}

static int eval_arg(sl_ifn *f, const sl_intrinsic_arg *a,
                    const sl_path_env *env, json_object **out)
{
    json_object *lit = a->literal;
    switch (a->kind) {
    case SL_ARG_STRING:
        *out = json_object_new_string_len(json_object_get_string(lit),
                                          json_object_get_string_len(lit));
        return 0;
    case SL_ARG_NUMBER:
        if (json_object_is_type(lit, json_type_int)) {
            *out = json_object_new_int64(json_object_get_int64(lit));
            return 0;
        }
        if (!isfinite(json_object_get_double(lit)))
            return sl_ifn__fail(f, "has a number literal outside the range "
                                   "of a double");
        *out = double_copy(json_object_get_double(lit));
        return 0;
    case SL_ARG_BOOL:
        *out = json_object_new_boolean(json_object_get_boolean(lit));
        return 0;
    case SL_ARG_NULL:
        *out = NULL;
        return 0;
    case SL_ARG_PATH:
        return sl_path_eval(a->path, env, out, &f->cause);
    case SL_ARG_CALL:
        return sl_intrinsic_eval(a->call, env, f->rng, out, &f->cause);
    }
    return sl_ifn__fail(f, "has an argument of an unknown kind");
}

int sl_intrinsic_eval(const sl_intrinsic *call, const sl_path_env *env,
                      const sl_rand *rng, json_object **out, char **cause)
{
    sl_ifn f = {.fn = call->fn, .nargs = call->nargs, .rng = rng};
    f.args = bt_xcalloc(call->nargs + 1, sizeof *f.args);
    int rc = 0;
    for (size_t i = 0; i < call->nargs && rc == 0; i++)
        rc = eval_arg(&f, &call->args[i], env, &f.args[i]);
    json_object *result = NULL;
    if (rc == 0) {
        if (call->nargs && call->args[0].kind == SL_ARG_STRING)
            f.raw0 = call->args[0].raw;
        rc = apply(&f, &result);
    }
    for (size_t i = 0; i < call->nargs; i++)
        json_object_put(f.args[i]);
    free(f.args);
    if (rc == 0) {
        *out = result;
    } else if (cause) {
        *cause = f.cause ? f.cause
                         : bt_xasprintf("The %s function failed",
                                        sl_intrinsic_fn_name(call->fn));
        f.cause = NULL;
    }
    free(f.cause);
    return rc;
}
