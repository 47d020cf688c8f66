/*
 * JSONata array and object functions: $append $reverse $shuffle $distinct
 * $zip $sort $keys $lookup $spread $merge, and the higher-order functions
 * $map $filter $single $reduce $sift $each, as the reference's
 * functions.js implements them (including which results are sequences and
 * which plain arrays, since that decides whether a singleton collapses).
 *
 * Invariant: argument arrays are never modified; results are new arrays
 * and objects, or the argument itself where the reference returns it.
 */
#include "statelang/sl_jsonata_int.h"

#include <math.h>
#include <string.h>

static sl__jv arg(const sl__jn_call *c, size_t i)
{
    return i < c->n ? c->args[i] : sl__jv_undef();
}

static int fn_append(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    sl__jv a = arg(c, 0), b = arg(c, 1);
    if (sl__jv_defined(a) && a.type != SL__JV_ARR && sl__jv_defined(b))
        a = sl__jn_seq1(e, a);
    *out = sl__jn_append(e, a, b);
    return 0;
}

static sl__jv copy_array(sl__jn_ev *e, const sl__jarr *a)
{
    sl__jarr *r = sl__jarr_new(e, 0, a->len);
    if (a->len)
        memcpy(r->items, a->items, a->len * sizeof *r->items);
    r->len = a->len;
    return sl__jv_arr(r);
}

static int fn_reverse(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    sl__jv a = arg(c, 0);
    if (a.type != SL__JV_ARR || a.u.a->len <= 1) {
        *out = a;
        return 0;
    }
    *out = copy_array(e, a.u.a);
    sl__jv *items = out->u.a->items;
    for (size_t i = 0, j = out->u.a->len - 1; i < j; i++, j--) {
        sl__jv t = items[i];
        items[i] = items[j];
        items[j] = t;
    }
    return 0;
}

static int fn_shuffle(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    sl__jv a = arg(c, 0);
    if (a.type != SL__JV_ARR || a.u.a->len <= 1) {
        *out = a;
        return 0;
    }
    size_t n = a.u.a->len;
    sl__jarr *r = sl__jarr_new(e, 0, n);
    for (size_t i = 0; i < n; i++) {
        size_t j = (size_t)floor(sl__jn_random(e) * (double)(i + 1));
        if (j > i)
            j = i;
        if (i != j)
            r->items[i] = r->items[j];
        r->items[j] = a.u.a->items[i];
    }
    r->len = n;
    *out = sl__jv_arr(r);
    return 0;
}

static int fn_distinct(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    sl__jv a = arg(c, 0);
    if (a.type != SL__JV_ARR || a.u.a->len <= 1) {
        *out = a;
        return 0;
    }
    sl__jarr *r = sl__jarr_new(e, a.u.a->flags & SL__JA_SEQ, 0);
    for (size_t i = 0; i < a.u.a->len; i++) {
        sl__jv v = a.u.a->items[i];
        bool seen = false;
        for (size_t k = 0; k < r->len && !seen; k++)
            if (sl__jn_equal(e, v, r->items[k], &seen) != 0)
                return -1;
        if (!seen)
            sl__jarr_push(e, r, v);
    }
    *out = sl__jv_arr(r);
    return 0;
}

static int fn_zip(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    size_t len = c->n ? SIZE_MAX : 0;
    for (size_t i = 0; i < c->n; i++) {
        size_t n = c->args[i].type == SL__JV_ARR ? c->args[i].u.a->len : 0;
        if (n < len)
            len = n;
    }
    sl__jarr *r = sl__jarr_new(e, 0, len);
    for (size_t i = 0; i < len; i++) {
        sl__jarr *t = sl__jarr_new(e, 0, c->n);
        for (size_t k = 0; k < c->n; k++)
            sl__jarr_push(e, t, c->args[k].u.a->items[i]);
        sl__jarr_push(e, r, sl__jv_arr(t));
    }
    *out = sl__jv_arr(r);
    return 0;
}

/* ---- sorting
 * ---------------------------------------------------------------------
 */

static int default_greater(sl__jn_ev *e, sl__jv a, sl__jv b, void *ctx)
{
    (void)e;
    (void)ctx;
    if (a.type == SL__JV_NUM)
        return a.u.n > b.u.n;
    return sl__jn_strcmp(a, b) > 0;
}

typedef struct fn_cmp {
    sl__jv fn;
    sl__jn_frame *env;
} fn_cmp;

static int fn_greater(sl__jn_ev *e, sl__jv a, sl__jv b, void *ctx)
{
    const fn_cmp *f = ctx;
    sl__jv args[2] = {a, b}, r;
    if (sl__jn_invoke(e, f->fn, args, 2, f->env, &r) != 0)
        return -1;
    return sl__jn_truthy(r);
}

static int sortable(sl__jn_ev *e, const sl__jarr *a, bool *ok)
{
    bool nums = true, strs = true;
    for (size_t i = 0; i < a->len; i++) {
        bool num;
        if (sl__jn_is_numeric(e, a->items[i], &num) != 0)
            return -1;
        nums = nums && num;
        strs = strs && a->items[i].type == SL__JV_STR;
    }
    *ok = nums || strs;
    return 0;
}

static int fn_sort(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    sl__jv a = arg(c, 0), cmp = arg(c, 1);
    if (a.type != SL__JV_ARR || a.u.a->len <= 1) {
        *out = a;
        return 0;
    }
    fn_cmp f = {.fn = cmp, .env = c->env};
    if (!sl__jv_defined(cmp)) {
        bool ok;
        if (sortable(e, a.u.a, &ok) != 0)
            return -1;
        if (!ok) {
            sl__jn_throw(e, "D3070");
            e->err.index = 1;
            return -1;
        }
    }
    *out = copy_array(e, a.u.a);
    return sl__jn_sort(e, out->u.a->items, out->u.a->len,
                       sl__jv_defined(cmp) ? fn_greater : default_greater, &f);
}

/* ---- objects
 * --------------------------------------------------------------------
 */

static void keys_into(sl__jn_ev *e, sl__jv v, sl__jobj *seen)
{
    if (v.type != SL__JV_OBJ)
        return;
    for (size_t i = 0; i < v.u.o->len; i++)
        sl__jobj_set(e, seen, v.u.o->items[i].key, v.u.o->items[i].klen,
                     sl__jv_bool(true));
}

static int fn_keys(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    sl__jv v = arg(c, 0);
    sl__jv result = sl__jn_seq(e);
    sl__jobj *keys = sl__jobj_new(e);
    if (v.type == SL__JV_ARR) {
        for (size_t i = 0; i < v.u.a->len; i++)
            keys_into(e, v.u.a->items[i], keys);
    } else {
        keys_into(e, v, keys);
    }
    for (size_t i = 0; i < keys->len; i++)
        sl__jarr_push(e, result.u.a,
                      sl__jv_str_ref(keys->items[i].key, keys->items[i].klen));
    *out = result;
    return 0;
}

static int fn_lookup(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    sl__jv key = arg(c, 1);
    if (key.type != SL__JV_STR)
        key = sl__jv_str_ref("undefined", 9);
    *out = sl__jn_lookup_field(e, arg(c, 0), key.u.s, key.len);
    return 0;
}

static sl__jv spread(sl__jn_ev *e, sl__jv v)
{
    if (v.type == SL__JV_ARR) {
        sl__jv result = sl__jn_seq(e);
        for (size_t i = 0; i < v.u.a->len; i++)
            result = sl__jn_append(e, result, spread(e, v.u.a->items[i]));
        return result;
    }
    if (v.type != SL__JV_OBJ)
        return v;
    sl__jv result = sl__jn_seq(e);
    for (size_t i = 0; i < v.u.o->len; i++) {
        sl__jobj *o = sl__jobj_new(e);
        sl__jobj_set(e, o, v.u.o->items[i].key, v.u.o->items[i].klen,
                     v.u.o->items[i].val);
        sl__jarr_push(e, result.u.a, sl__jv_obj(o));
    }
    return result;
}

static int fn_spread(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    *out = spread(e, arg(c, 0));
    return 0;
}

static int fn_merge(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    sl__jv a = arg(c, 0);
    if (a.type != SL__JV_ARR)
        return 0;
    sl__jobj *r = sl__jobj_new(e);
    for (size_t i = 0; i < a.u.a->len; i++) {
        sl__jv o = a.u.a->items[i];
        if (o.type != SL__JV_OBJ)
            continue;
        for (size_t k = 0; k < o.u.o->len; k++)
            sl__jobj_set(e, r, o.u.o->items[k].key, o.u.o->items[k].klen,
                         o.u.o->items[k].val);
    }
    *out = sl__jv_obj(r);
    return 0;
}

/* ---- higher-order
 * ---------------------------------------------------------------
 */

/* hofFuncArgs: the value, then the position and the whole structure if the
 * function takes them. */
static int hof_call(sl__jn_ev *e, const sl__jn_call *c, sl__jv fn, sl__jv v,
                    sl__jv pos, sl__jv whole, sl__jv *out)
{
    sl__jv args[3] = {v, pos, whole};
    size_t arity = sl__jn_arity(fn);
    size_t n = arity >= 3 ? 3 : arity >= 2 ? 2 : 1;
    return sl__jn_invoke(e, fn, args, n, c->env, out);
}

static int fn_map(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    sl__jv a = arg(c, 0), fn = arg(c, 1);
    if (a.type != SL__JV_ARR)
        return 0;
    sl__jv result = sl__jn_seq(e);
    for (size_t i = 0; i < a.u.a->len; i++) {
        sl__jv r;
        if (hof_call(e, c, fn, a.u.a->items[i], sl__jv_num((double)i), a, &r) !=
            0)
            return -1;
        if (sl__jv_defined(r))
            sl__jarr_push(e, result.u.a, r);
    }
    *out = result;
    return 0;
}

static int fn_filter(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    sl__jv a = arg(c, 0), fn = arg(c, 1);
    if (a.type != SL__JV_ARR)
        return 0;
    sl__jv result = sl__jn_seq(e);
    for (size_t i = 0; i < a.u.a->len; i++) {
        sl__jv r;
        if (hof_call(e, c, fn, a.u.a->items[i], sl__jv_num((double)i), a, &r) !=
            0)
            return -1;
        int b = sl__jn_boolean(e, r);
        if (b < 0)
            return -1;
        if (b == 1)
            sl__jarr_push(e, result.u.a, a.u.a->items[i]);
    }
    *out = result;
    return 0;
}

static int fn_single(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    sl__jv a = arg(c, 0), fn = arg(c, 1);
    if (a.type != SL__JV_ARR)
        return 0;
    bool found = false;
    for (size_t i = 0; i < a.u.a->len; i++) {
        int b = 1;
        if (sl__jv_defined(fn)) {
            sl__jv r;
            if (hof_call(e, c, fn, a.u.a->items[i], sl__jv_num((double)i), a,
                         &r) != 0)
                return -1;
            if ((b = sl__jn_boolean(e, r)) < 0)
                return -1;
        }
        if (b != 1)
            continue;
        if (found) {
            sl__jn_throw(e, "D3138");
            e->err.index = (int)i;
            return -1;
        }
        *out = a.u.a->items[i];
        found = true;
    }
    return found ? 0 : sl__jn_throw(e, "D3139");
}

static int fn_reduce(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    sl__jv a = arg(c, 0), fn = arg(c, 1), init = arg(c, 2);
    if (a.type != SL__JV_ARR)
        return 0;
    size_t arity = sl__jn_arity(fn);
    if (arity < 2) {
        sl__jn_throw(e, "D3050");
        e->err.index = 1;
        return -1;
    }
    size_t i = 0;
    sl__jv result = init;
    if (!sl__jv_defined(init) && a.u.a->len > 0)
        result = a.u.a->items[i++];
    for (; i < a.u.a->len; i++) {
        sl__jv args[4] = {result, a.u.a->items[i], sl__jv_num((double)i), a};
        size_t n = arity >= 4 ? 4 : arity;
        if (sl__jn_invoke(e, fn, args, n, c->env, &result) != 0)
            return -1;
    }
    *out = result;
    return 0;
}

static int fn_sift(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    sl__jv o = arg(c, 0), fn = arg(c, 1);
    sl__jobj *r = sl__jobj_new(e);
    size_t n = o.type == SL__JV_OBJ ? o.u.o->len : 0;
    for (size_t i = 0; i < n; i++) {
        const sl__jobj_ent *x = &o.u.o->items[i];
        sl__jv res;
        if (hof_call(e, c, fn, x->val, sl__jv_str_ref(x->key, x->klen), o,
                     &res) != 0)
            return -1;
        int b = sl__jn_boolean(e, res);
        if (b < 0)
            return -1;
        if (b == 1)
            sl__jobj_set(e, r, x->key, x->klen, x->val);
    }
    if (r->len > 0)
        *out = sl__jv_obj(r);
    return 0;
}

static int fn_each(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    sl__jv o = arg(c, 0), fn = arg(c, 1);
    sl__jv result = sl__jn_seq(e);
    size_t n = o.type == SL__JV_OBJ ? o.u.o->len : 0;
    for (size_t i = 0; i < n; i++) {
        const sl__jobj_ent *x = &o.u.o->items[i];
        sl__jv r;
        if (hof_call(e, c, fn, x->val, sl__jv_str_ref(x->key, x->klen), o,
                     &r) != 0)
            return -1;
        if (sl__jv_defined(r))
            sl__jarr_push(e, result.u.a, r);
    }
    *out = result;
    return 0;
}

const sl__jn_builtin sl__jn_fn_arr[] = {
    {"append", "<xx:a>", 2, 2, false, fn_append},
    {"reverse", "<a:a>", 1, 1, false, fn_reverse},
    {"shuffle", "<a:a>", 1, 1, false, fn_shuffle},
    {"distinct", "<x:x>", 1, 1, false, fn_distinct},
    {"zip", "<a+>", 0, 0, false, fn_zip},
    {"sort", "<af?:a>", 2, 2, false, fn_sort},
    {"keys", "<x-:a<s>>", 1, 1, false, fn_keys},
    {"lookup", "<x-s:x>", 2, 2, false, fn_lookup},
    {"spread", "<x-:a<o>>", 1, 1, false, fn_spread},
    {"merge", "<a<o>:o>", 1, 1, false, fn_merge},
};
const size_t sl__jn_fn_arr_n = sizeof sl__jn_fn_arr / sizeof *sl__jn_fn_arr;

const sl__jn_builtin sl__jn_fn_hof[] = {
    {"map", "<af>", 2, 2, false, fn_map},
    {"filter", "<af>", 2, 2, false, fn_filter},
    {"single", "<af?>", 2, 2, false, fn_single},
    {"reduce", "<afj?:j>", 3, 3, false, fn_reduce},
    {"sift", "<o-f?:o>", 2, 2, false, fn_sift},
    {"each", "<o-f:a>", 2, 2, false, fn_each},
};
const size_t sl__jn_fn_hof_n = sizeof sl__jn_fn_hof / sizeof *sl__jn_fn_hof;
