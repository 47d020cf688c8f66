/*
 * JSONata built-in functions: the registry (name lookup across the tables
 * of the sl_jsonata_fn_*.c files, one function value and one parsed
 * signature per built-in and evaluation) and the numeric, aggregate,
 * boolean and miscellaneous functions of the reference's functions.js.
 *
 * Invariant: a built-in receives arguments already validated against its
 * signature (except through partial application, as in the reference), and
 * returns undefined when its main argument is undefined.
 */
#include "statelang/sl_jsonata_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- registry
 * ---------------------------------------------------------------------
 */

static const struct part {
    const sl__jn_builtin *items;
    const size_t *n;
} parts[] = {
    {sl__jn_fn_aws, &sl__jn_fn_aws_n}, {sl__jn_fn_core, &sl__jn_fn_core_n},
    {sl__jn_fn_str, &sl__jn_fn_str_n}, {sl__jn_fn_re, &sl__jn_fn_re_n},
    {sl__jn_fn_arr, &sl__jn_fn_arr_n}, {sl__jn_fn_hof, &sl__jn_fn_hof_n},
    {sl__jn_fn_num, &sl__jn_fn_num_n}, {sl__jn_fn_time, &sl__jn_fn_time_n},
};

static const sl__jn_builtin *builtin_at(size_t index)
{
    for (size_t p = 0; p < sizeof parts / sizeof *parts; p++) {
        if (index < *parts[p].n)
            return &parts[p].items[index];
        index -= *parts[p].n;
    }
    return NULL;
}

const sl__jn_builtin *sl__jn_builtin_find(const sl__jn_ev *e, const char *name,
                                          size_t *index)
{
    size_t base = 0;
    for (size_t p = 0; p < sizeof parts / sizeof *parts; p++) {
        for (size_t i = 0; i < *parts[p].n; i++) {
            const sl__jn_builtin *b = &parts[p].items[i];
            if (b->aws && !e->env->aws_functions)
                continue;
            /* Step Functions does not offer $eval ("use $parse"). */
            if (e->env->aws_functions && !strcmp(b->name, "eval"))
                continue;
            if (strcmp(b->name, name) == 0) {
                *index = base + i;
                return b;
            }
        }
        base += *parts[p].n;
    }
    return NULL;
}

sl__jv sl__jn_builtin_value(sl__jn_ev *e, size_t index)
{
    if (index >= SL__JN_N_BUILTINS)
        return sl__jv_undef();
    if (!e->builtin_fns[index]) {
        sl__jfn *f = sl__jn_ev_alloc(e, sizeof *f);
        f->kind = SL__JF_NATIVE;
        f->builtin = builtin_at(index);
        e->builtin_fns[index] = f;
    }
    return sl__jv_fn(e->builtin_fns[index]);
}

static sl_jn_sig *parse_sig(sl__jn_ev *e, const char *text)
{
    sl_jsonata_error err = {0};
    sl_jn_sig *sig = NULL;
    if (sl__jn_sig_parse(text, strlen(text), 0, &e->sig_arena, &err, &sig) != 0)
        sig = NULL; /* the tables hold valid signatures */
    sl_jsonata_error_fini(&err);
    return sig;
}

const sl_jn_sig *sl__jn_builtin_sig(sl__jn_ev *e, const sl__jn_builtin *b)
{
    if (!b) {
        if (!e->transform_sig)
            e->transform_sig = parse_sig(e, "<(oa):o>");
        return e->transform_sig;
    }
    size_t index = SL__JN_N_BUILTINS;
    for (size_t i = 0, base = 0; i < sizeof parts / sizeof *parts; i++) {
        if (b >= parts[i].items && b < parts[i].items + *parts[i].n) {
            index = base + (size_t)(b - parts[i].items);
            break;
        }
        base += *parts[i].n;
    }
    if (index >= SL__JN_N_BUILTINS)
        return parse_sig(e, b->signature);
    if (!e->builtin_sigs[index])
        e->builtin_sigs[index] = parse_sig(e, b->signature);
    return e->builtin_sigs[index];
}

double sl__jn_random(sl__jn_ev *e)
{
    if (e->env->random)
        return e->env->random(e->env->random_ctx);
    /* splitmix64 */
    uint64_t z = (e->rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0;
}

/* ---- numbers as JavaScript computes them
 * ------------------------------------------
 */

static double js_math_round(double x)
{
    if (!isfinite(x))
        return x;
    double r = floor(x);
    if (x - r >= 0.5)
        r += 1;
    return r;
}

/* +(mantissa + 'e' + (exponent + shift)) over JavaScript's number text. */
static double shift_decimal(double x, double shift)
{
    bt_buf b;
    bt_buf_init(&b);
    sl__jn_format_number(&b, x);
    char *epos = strchr(b.data, 'e');
    double exp = 0;
    if (epos) {
        exp = strtod(epos + 1, NULL);
        *epos = '\0';
        b.len = (size_t)(epos - b.data);
    }
    bt_buf_putc(&b, 'e');
    sl__jn_format_number(&b, exp + shift);
    char *end;
    double r = strtod(b.data, &end);
    if (*end != '\0')
        r = NAN;
    bt_buf_fini(&b);
    return r;
}

double sl__jn_round(double x, double precision, bool has_precision)
{
    bool shift = has_precision && precision != 0 && !isnan(precision);
    if (shift)
        x = shift_decimal(x, precision);
    double result = js_math_round(x);
    double diff = result - x;
    if (fabs(diff) == 0.5 && fabs(fmod(result, 2)) == 1)
        result -= 1;
    if (shift)
        result = shift_decimal(result, -precision);
    if (result == 0)
        result = 0; /* no -0 in JSON */
    return result;
}

void sl__jn_to_fixed(bt_buf *b, double x, int digits)
{
    if (!isfinite(x) || fabs(x) >= 1e21) {
        sl__jn_format_number(b, x);
        return;
    }
    /* the exact decimal expansion, rounded half up (away from zero) */
    char *text = bt_xmalloc(1200);
    snprintf(text, 1200, "%.1100f", fabs(x));
    char *dot = strchr(text, '.');
    size_t ip = (size_t)(dot - text);
    size_t nd = ip + (size_t)digits;
    char *d = bt_xmalloc(nd + 2);
    memcpy(d, text, ip);
    memcpy(d + ip, dot + 1, (size_t)digits);
    bool carry = dot[1 + digits] >= '5';
    for (size_t i = nd; carry && i-- > 0;) {
        if (d[i] == '9') {
            d[i] = '0';
        } else {
            d[i]++;
            carry = false;
        }
    }
    if (x < 0)
        bt_buf_putc(b, '-');
    if (carry)
        bt_buf_putc(b, '1');
    bt_buf_append(b, d, ip);
    if (digits > 0) {
        bt_buf_putc(b, '.');
        bt_buf_append(b, d + ip, (size_t)digits);
    }
    free(d);
    free(text);
}

/* ---- aggregates
 * ---------------------------------------------------------------------
 */

static sl__jv arg(const sl__jn_call *c, size_t i)
{
    return i < c->n ? c->args[i] : sl__jv_undef();
}

static const sl__jarr *numbers(sl__jv v)
{
    return v.type == SL__JV_ARR ? v.u.a : NULL;
}

static int fn_sum(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    (void)e;
    const sl__jarr *a = numbers(arg(c, 0));
    if (!a)
        return 0;
    double total = 0;
    for (size_t i = 0; i < a->len; i++)
        total += a->items[i].u.n;
    *out = sl__jv_num(total);
    return 0;
}

static int fn_count(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    (void)e;
    sl__jv v = arg(c, 0);
    *out = sl__jv_num(v.type == SL__JV_ARR ? (double)v.u.a->len
                      : sl__jv_defined(v)  ? 1
                                           : 0);
    return 0;
}

static int extreme(const sl__jn_call *c, bool max, sl__jv *out)
{
    const sl__jarr *a = numbers(arg(c, 0));
    if (!a || a->len == 0)
        return 0;
    double r = max ? -INFINITY : INFINITY;
    for (size_t i = 0; i < a->len; i++) {
        double d = a->items[i].u.n;
        if (isnan(d)) {
            r = NAN;
            break;
        }
        r = max ? (d > r ? d : r) : (d < r ? d : r);
    }
    *out = sl__jv_num(r);
    return 0;
}

static int fn_max(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    (void)e;
    return extreme(c, true, out);
}

static int fn_min(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    (void)e;
    return extreme(c, false, out);
}

static int fn_average(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    (void)e;
    const sl__jarr *a = numbers(arg(c, 0));
    if (!a || a->len == 0)
        return 0;
    double total = 0;
    for (size_t i = 0; i < a->len; i++)
        total += a->items[i].u.n;
    *out = sl__jv_num(total / (double)a->len);
    return 0;
}

/* ---- numeric
 * -------------------------------------------------------------------------
 */

static int fn_abs(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    (void)e;
    if (arg(c, 0).type == SL__JV_NUM)
        *out = sl__jv_num(fabs(arg(c, 0).u.n));
    return 0;
}

static int fn_floor(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    (void)e;
    if (arg(c, 0).type == SL__JV_NUM)
        *out = sl__jv_num(floor(arg(c, 0).u.n));
    return 0;
}

static int fn_ceil(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    (void)e;
    if (arg(c, 0).type == SL__JV_NUM)
        *out = sl__jv_num(ceil(arg(c, 0).u.n));
    return 0;
}

static int fn_round(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    (void)e;
    sl__jv p = arg(c, 1);
    if (arg(c, 0).type == SL__JV_NUM)
        *out = sl__jv_num(sl__jn_round(arg(c, 0).u.n,
                                       p.type == SL__JV_NUM ? p.u.n : 0,
                                       p.type == SL__JV_NUM));
    return 0;
}

static int fn_sqrt(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    sl__jv v = arg(c, 0);
    if (v.type != SL__JV_NUM)
        return 0;
    if (v.u.n < 0) {
        sl__jn_throw_v(e, "D3060", v);
        e->err.index = 1;
        return -1;
    }
    *out = sl__jv_num(sqrt(v.u.n));
    return 0;
}

static int fn_power(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    sl__jv base = arg(c, 0), exp = arg(c, 1);
    if (base.type != SL__JV_NUM)
        return 0;
    double x = exp.type == SL__JV_NUM ? exp.u.n : NAN;
    double r = pow(base.u.n, x);
    if (fabs(base.u.n) == 1 && isinf(x))
        r = NAN; /* JavaScript: 1 ** Infinity is NaN */
    if (!isfinite(r)) {
        sl__jn_throw_v(e, "D3061", base);
        e->err.value2 = exp;
        e->err.has_value2 = true;
        e->err.index = 1;
        return -1;
    }
    *out = sl__jv_num(r);
    return 0;
}

static int fn_random(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    (void)c;
    *out = sl__jv_num(sl__jn_random(e));
    return 0;
}

/* The reference's /^-?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?$/. */
static bool decimal_text(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && s[i] == '-')
        i++;
    size_t d = i;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    if (i == d)
        return false;
    if (i < n && s[i] == '.') {
        d = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == d)
            return false;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '-' || s[i] == '+'))
            i++;
        d = i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == d)
            return false;
    }
    return i == n;
}

/* 0x.., 0o.., 0b.. as Number() reads them (the reference's regex only
 * anchors the hex alternative at the start). */
static bool radix_text(const char *s, size_t n, double *out)
{
    if (n < 3 || s[0] != '0')
        return false;
    int radix = (s[1] == 'x' || s[1] == 'X')   ? 16
                : (s[1] == 'o' || s[1] == 'O') ? 8
                : (s[1] == 'b' || s[1] == 'B') ? 2
                                               : 0;
    if (!radix)
        return false;
    double v = 0;
    for (size_t i = 2; i < n; i++) {
        char ch = s[i];
        int d = ch >= '0' && ch <= '9'   ? ch - '0'
                : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                         : 99;
        if (d >= radix)
            return false;
        v = v * radix + d;
    }
    *out = v;
    return true;
}

static int fn_number(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    sl__jv v = arg(c, 0);
    double d;
    switch (v.type) {
    case SL__JV_UNDEF:
        return 0;
    case SL__JV_NUM:
        *out = v;
        return 0;
    case SL__JV_BOOL:
        *out = sl__jv_num(v.b ? 1 : 0);
        return 0;
    case SL__JV_STR:
        if (decimal_text(v.u.s, v.len)) {
            d = strtod(v.u.s, NULL);
            if (isfinite(d)) {
                *out = sl__jv_num(d);
                return 0;
            }
        } else if (radix_text(v.u.s, v.len, &d)) {
            *out = sl__jv_num(d);
            return 0;
        }
        break;
    default:
        break;
    }
    sl__jn_throw_v(e, "D3030", v);
    e->err.index = 1;
    return -1;
}

/* ---- boolean and misc
 * ------------------------------------------------------------------
 */

static int fn_boolean(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    int b = sl__jn_boolean(e, arg(c, 0));
    if (b < 0)
        return -1;
    if (b != 2)
        *out = sl__jv_bool(b);
    return 0;
}

static int fn_not(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    int b = sl__jn_boolean(e, arg(c, 0));
    if (b < 0)
        return -1;
    if (b != 2)
        *out = sl__jv_bool(!b);
    return 0;
}

static int fn_exists(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    (void)e;
    *out = sl__jv_bool(sl__jv_defined(arg(c, 0)));
    return 0;
}

static int fn_type(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    const char *name = sl__jn_type_name(arg(c, 0));
    bool num;
    if (sl__jn_is_numeric(e, arg(c, 0), &num) != 0)
        return -1;
    if (name)
        *out = sl__jv_str_ref(name, strlen(name));
    return 0;
}

static const char *message_of(sl__jn_ev *e, sl__jv m, const char *dflt)
{
    if (!sl__jn_truthy(m))
        return dflt;
    if (m.type == SL__JV_STR)
        return m.u.s;
    sl__jv s;
    if (sl__jn_string(e, m, false, &s) != 0)
        return dflt;
    return s.u.s;
}

static int fn_error(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    (void)out;
    const char *message =
        message_of(e, arg(c, 0), "$error() function evaluated");
    sl__jn_throw(e, "D3137");
    e->err.message = message;
    return -1;
}

static int fn_assert(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    (void)out;
    if (sl__jn_truthy(arg(c, 0)))
        return 0;
    const char *message =
        message_of(e, arg(c, 1), "$assert() statement failed");
    sl__jn_throw(e, "D3141");
    e->err.message = message;
    return -1;
}

static int fn_millis(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    (void)c;
    *out = sl__jv_num((double)e->env->now_ms);
    return 0;
}

static int fn_clone(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    return sl__jn_clone(e, arg(c, 0), out);
}

static sl__jv message_value(sl__jn_ev *e, const sl_jsonata_error *err)
{
    return sl__jv_cstr(e, err->message ? err->message : "");
}

static int fn_eval(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    sl__jv text = arg(c, 0), focus = arg(c, 1), input = c->input;
    if (text.type != SL__JV_STR)
        return 0;
    if (sl__jv_defined(focus)) {
        input = focus;
        if (input.type == SL__JV_ARR && !(input.u.a->flags & SL__JA_SEQ)) {
            input = sl__jn_seq1(e, input);
            input.u.a->flags |= SL__JA_OUTER;
        }
    }
    sl_jsonata_error perr = {0};
    int rc = sl__jn_eval_text(e, text.u.s, text.len, input, c->env, out, &perr);
    if (rc > 0) {
        sl__jv m = message_value(e, &perr);
        sl_jsonata_error_fini(&perr);
        return sl__jn_throw_v(e, "D3120", m);
    }
    if (rc < 0) {
        if (strcmp(e->err.code, SL_JSONATA_ELIMIT) == 0)
            return -1;
        sl_jsonata_error inner;
        sl__jn_error_export(e, &inner);
        sl__jv m = message_value(e, &inner);
        sl_jsonata_error_fini(&inner);
        return sl__jn_throw_v(e, "D3121", m);
    }
    return 0;
}

const sl__jn_builtin sl__jn_fn_core[] = {
    {"sum", "<a<n>:n>", 1, 1, false, fn_sum},
    {"count", "<a:n>", 1, 1, false, fn_count},
    {"max", "<a<n>:n>", 1, 1, false, fn_max},
    {"min", "<a<n>:n>", 1, 1, false, fn_min},
    {"average", "<a<n>:n>", 1, 1, false, fn_average},
    {"number", "<(nsb)-:n>", 1, 1, false, fn_number},
    {"floor", "<n-:n>", 1, 1, false, fn_floor},
    {"ceil", "<n-:n>", 1, 1, false, fn_ceil},
    {"round", "<n-n?:n>", 2, 2, false, fn_round},
    {"abs", "<n-:n>", 1, 1, false, fn_abs},
    {"sqrt", "<n-:n>", 1, 1, false, fn_sqrt},
    {"power", "<n-n:n>", 2, 2, false, fn_power},
    {"random", "<:n>", 0, 0, false, fn_random},
    {"boolean", "<x-:b>", 1, 1, false, fn_boolean},
    {"not", "<x-:b>", 1, 1, false, fn_not},
    {"exists", "<x:b>", 1, 1, false, fn_exists},
    {"error", "<s?:x>", 1, 1, false, fn_error},
    {"assert", "<bs?:x>", 2, 2, false, fn_assert},
    {"type", "<x:s>", 1, 1, false, fn_type},
    {"eval", "<sx?:x>", 2, 2, false, fn_eval},
    {"millis", "<:n>", 0, 0, false, fn_millis},
    {"clone", "<(oa)-:o>", 1, 1, false, fn_clone},
};
const size_t sl__jn_fn_core_n = sizeof sl__jn_fn_core / sizeof *sl__jn_fn_core;
