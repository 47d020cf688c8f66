/*
 * JSONata values: strings, arrays with the reference's sequence flags,
 * ordered objects, and the helpers of the reference's utils.js that judge
 * them (numeric, boolean, deep equality, append). All memory comes from the
 * evaluation's heap and is released with it.
 *
 * Invariant: strings are never modified once made; arrays and objects are
 * mutated only where the reference mutates them (building results, tuple
 * bindings, transform clones); object members are kept in JavaScript's
 * order (integer-like keys first, ascending, then insertion order), so
 * every walk over an object sees what the reference sees.
 */
#include "statelang/sl_jsonata_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *sl__jn_ev_alloc(sl__jn_ev *e, size_t n)
{
    e->heap_used += n;
    return sl__jn_alloc(&e->heap, n);
}

/* ---- strings --------------------------------------------------------------
 */

sl__jv sl__jv_str_ref(const char *s, size_t len)
{
    sl__jv v = {.type = SL__JV_STR, .len = (uint32_t)len};
    v.u.s = s;
    return v;
}

sl__jv sl__jv_str(sl__jn_ev *e, const char *s, size_t len)
{
    char *p = sl__jn_ev_alloc(e, len + 1);
    if (len)
        memcpy(p, s, len);
    return sl__jv_str_ref(p, len);
}

sl__jv sl__jv_cstr(sl__jn_ev *e, const char *s)
{
    return sl__jv_str(e, s, strlen(s));
}

sl__jv sl__jv_str_buf(sl__jn_ev *e, bt_buf *b)
{
    sl__jv v = sl__jv_str(e, b->data ? b->data : "", b->len);
    bt_buf_fini(b);
    return v;
}

/* ---- arrays ----------------------------------------------------------------
 */

sl__jarr *sl__jarr_new(sl__jn_ev *e, unsigned flags, size_t cap)
{
    sl__jarr *a = sl__jn_ev_alloc(e, sizeof *a);
    a->flags = flags;
    if (cap) {
        a->items = sl__jn_ev_alloc(e, cap * sizeof *a->items);
        a->cap = cap;
    }
    return a;
}

void sl__jarr_push(sl__jn_ev *e, sl__jarr *a, sl__jv v)
{
    if (a->len == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 4;
        sl__jv *items = sl__jn_ev_alloc(e, cap * sizeof *items);
        if (a->len)
            memcpy(items, a->items, a->len * sizeof *items);
        a->items = items;
        a->cap = cap;
    }
    a->items[a->len++] = v;
}

sl__jv sl__jn_seq(sl__jn_ev *e)
{
    return sl__jv_arr(sl__jarr_new(e, SL__JA_SEQ, 0));
}

sl__jv sl__jn_seq1(sl__jn_ev *e, sl__jv v)
{
    sl__jarr *a = sl__jarr_new(e, SL__JA_SEQ, 1);
    sl__jarr_push(e, a, v);
    return sl__jv_arr(a);
}

/* ---- objects ---------------------------------------------------------------
 */

#define OBJ_LINEAR 8 /* objects this small are searched without an index */

static uint32_t hash_key(const char *k, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)k[i]) * 16777619u;
    return h;
}

/* An array index as JavaScript orders object keys ("0", "17"). */
static bool index_key(const char *k, size_t n, double *value)
{
    if (n == 0 || n > 10 || (n > 1 && k[0] == '0'))
        return false;
    double v = 0;
    for (size_t i = 0; i < n; i++) {
        if (k[i] < '0' || k[i] > '9')
            return false;
        v = v * 10 + (k[i] - '0');
    }
    if (v >= 4294967295.0)
        return false;
    *value = v;
    return true;
}

sl__jobj *sl__jobj_new(sl__jn_ev *e)
{
    return sl__jn_ev_alloc(e, sizeof(sl__jobj));
}

static void index_build(sl__jn_ev *e, sl__jobj *o)
{
    size_t cap = 16;
    while (cap < o->len * 2)
        cap *= 2;
    o->index = sl__jn_ev_alloc(e, cap * sizeof *o->index);
    o->index_cap = cap;
    for (size_t i = 0; i < o->len; i++) {
        size_t slot = o->items[i].hash & (cap - 1);
        while (o->index[slot])
            slot = (slot + 1) & (cap - 1);
        o->index[slot] = (uint32_t)(i + 1);
    }
}

static long obj_find(const sl__jobj *o, const char *key, size_t klen,
                     uint32_t h)
{
    if (!o->index) {
        for (size_t i = 0; i < o->len; i++) {
            const sl__jobj_ent *x = &o->items[i];
            if (x->klen == klen && memcmp(x->key, key, klen) == 0)
                return (long)i;
        }
        return -1;
    }
    size_t slot = h & (o->index_cap - 1);
    while (o->index[slot]) {
        const sl__jobj_ent *x = &o->items[o->index[slot] - 1];
        if (x->hash == h && x->klen == klen && memcmp(x->key, key, klen) == 0)
            return (long)o->index[slot] - 1;
        slot = (slot + 1) & (o->index_cap - 1);
    }
    return -1;
}

bool sl__jobj_get(const sl__jobj *o, const char *key, size_t klen, sl__jv *out)
{
    long i = obj_find(o, key, klen, o->index ? hash_key(key, klen) : 0);
    if (i < 0)
        return false;
    *out = o->items[i].val;
    return true;
}

void sl__jobj_set(sl__jn_ev *e, sl__jobj *o, const char *key, size_t klen,
                  sl__jv v)
{
    uint32_t h = hash_key(key, klen);
    long i = obj_find(o, key, klen, h);
    if (i >= 0) {
        o->items[i].val = v;
        return;
    }
    if (o->len == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 4;
        sl__jobj_ent *items = sl__jn_ev_alloc(e, cap * sizeof *items);
        if (o->len)
            memcpy(items, o->items, o->len * sizeof *items);
        o->items = items;
        o->cap = cap;
    }
    /* JavaScript order: integer-like keys first, ascending */
    size_t at = o->len;
    double kv, iv;
    if (index_key(key, klen, &kv)) {
        at = 0;
        while (at < o->len &&
               index_key(o->items[at].key, o->items[at].klen, &iv) && iv < kv)
            at++;
        memmove(&o->items[at + 1], &o->items[at],
                (o->len - at) * sizeof *o->items);
    }
    sl__jobj_ent *x = &o->items[at];
    o->len++;
    x->key = key;
    x->klen = (uint32_t)klen;
    x->hash = h;
    x->val = v;
    if (at != o->len - 1) {
        if (o->index || o->len > OBJ_LINEAR)
            index_build(e, o);
    } else if (o->index && o->len * 2 <= o->index_cap) {
        size_t slot = h & (o->index_cap - 1);
        while (o->index[slot])
            slot = (slot + 1) & (o->index_cap - 1);
        o->index[slot] = (uint32_t)o->len;
    } else if (o->len > OBJ_LINEAR) {
        index_build(e, o);
    }
}

void sl__jobj_del(sl__jobj *o, const char *key, size_t klen)
{
    long i = obj_find(o, key, klen, o->index ? hash_key(key, klen) : 0);
    if (i < 0)
        return;
    memmove(&o->items[i], &o->items[i + 1],
            (o->len - (size_t)i - 1) * sizeof *o->items);
    o->len--;
    if (o->index) {
        /* positions moved: rebuild in place */
        memset(o->index, 0, o->index_cap * sizeof *o->index);
        for (size_t k = 0; k < o->len; k++) {
            size_t slot = o->items[k].hash & (o->index_cap - 1);
            while (o->index[slot])
                slot = (slot + 1) & (o->index_cap - 1);
            o->index[slot] = (uint32_t)(k + 1);
        }
    }
}

sl__jobj *sl__jobj_copy(sl__jn_ev *e, const sl__jobj *o)
{
    sl__jobj *c = sl__jobj_new(e);
    for (size_t i = 0; i < o->len; i++)
        sl__jobj_set(e, c, o->items[i].key, o->items[i].klen, o->items[i].val);
    return c;
}

/* ---- judging values --------------------------------------------------------
 */

bool sl__jn_is_function(sl__jv v)
{
    return v.type == SL__JV_FN;
}

int sl__jn_is_numeric(sl__jn_ev *e, sl__jv v, bool *yes)
{
    *yes = false;
    if (v.type != SL__JV_NUM || isnan(v.u.n))
        return 0;
    if (!isfinite(v.u.n))
        return sl__jn_throw_v(e, "D1001", v);
    *yes = true;
    return 0;
}

static int equal_at(sl__jn_ev *e, sl__jv a, sl__jv b, int depth, bool *eq)
{
    *eq = false;
    if (a.type != b.type)
        return 0;
    switch (a.type) {
    case SL__JV_UNDEF:
    case SL__JV_NULL:
        *eq = true;
        return 0;
    case SL__JV_BOOL:
        *eq = a.b == b.b;
        return 0;
    case SL__JV_NUM:
        *eq = a.u.n == b.u.n;
        return 0;
    case SL__JV_STR:
        *eq = a.len == b.len && memcmp(a.u.s, b.u.s, a.len) == 0;
        return 0;
    case SL__JV_FN:
        *eq = a.u.f == b.u.f;
        return 0;
    case SL__JV_ARR:
        if (a.u.a == b.u.a) {
            *eq = true;
            return 0;
        }
        if (a.u.a->len != b.u.a->len)
            return 0;
        if (sl__jn_walk_check(e, depth, 0) != 0)
            return -1;
        for (size_t i = 0; i < a.u.a->len; i++) {
            if (equal_at(e, a.u.a->items[i], b.u.a->items[i], depth + 1, eq) !=
                0)
                return -1;
            if (!*eq)
                return 0;
        }
        *eq = true;
        return 0;
    case SL__JV_OBJ: {
        const sl__jobj *x = a.u.o, *y = b.u.o;
        if (x == y) {
            *eq = true;
            return 0;
        }
        if (x->len != y->len)
            return 0;
        if (sl__jn_walk_check(e, depth, 0) != 0)
            return -1;
        for (size_t i = 0; i < x->len; i++) {
            sl__jv other;
            if (!sl__jobj_get(y, x->items[i].key, x->items[i].klen, &other)) {
                *eq = false;
                return 0;
            }
            if (equal_at(e, x->items[i].val, other, depth + 1, eq) != 0)
                return -1;
            if (!*eq)
                return 0;
        }
        *eq = true;
        return 0;
    }
    default:
        return 0;
    }
}

int sl__jn_equal(sl__jn_ev *e, sl__jv a, sl__jv b, bool *equal)
{
    return equal_at(e, a, b, 0, equal);
}

int sl__jn_boolean(sl__jn_ev *e, sl__jv v)
{
    bool num;
    switch (v.type) {
    case SL__JV_UNDEF:
        return 2;
    case SL__JV_ARR: {
        const sl__jarr *a = v.u.a;
        if (a->len == 1)
            return sl__jn_boolean(e, a->items[0]);
        int any = 0;
        for (size_t i = 0; i < a->len; i++) {
            int r = sl__jn_boolean(e, a->items[i]);
            if (r < 0)
                return -1;
            if (r == 1)
                any = 1;
        }
        return any;
    }
    case SL__JV_STR:
        return v.len > 0;
    case SL__JV_NUM:
        if (sl__jn_is_numeric(e, v, &num) != 0)
            return -1;
        return num && v.u.n != 0;
    case SL__JV_OBJ:
        return v.u.o->len > 0;
    case SL__JV_BOOL:
        return v.b;
    default:
        return 0;
    }
}

bool sl__jn_truthy(sl__jv v)
{
    switch (v.type) {
    case SL__JV_UNDEF:
    case SL__JV_NULL:
        return false;
    case SL__JV_BOOL:
        return v.b;
    case SL__JV_NUM:
        return v.u.n != 0 && !isnan(v.u.n);
    case SL__JV_STR:
        return v.len > 0;
    default:
        return true;
    }
}

sl__jv sl__jn_append(sl__jn_ev *e, sl__jv a, sl__jv b)
{
    if (!sl__jv_defined(a))
        return b;
    if (!sl__jv_defined(b))
        return a;
    size_t na = a.type == SL__JV_ARR ? a.u.a->len : 1;
    size_t nb = b.type == SL__JV_ARR ? b.u.a->len : 1;
    /* concat() makes a plain array: no sequence flags survive */
    sl__jarr *r = sl__jarr_new(e, 0, na + nb);
    if (a.type == SL__JV_ARR) {
        if (na)
            memcpy(r->items, a.u.a->items, na * sizeof *r->items);
    } else {
        r->items[0] = a;
    }
    if (b.type == SL__JV_ARR) {
        if (nb)
            memcpy(r->items + na, b.u.a->items, nb * sizeof *r->items);
    } else {
        r->items[na] = b;
    }
    r->len = na + nb;
    return sl__jv_arr(r);
}

char sl__jn_type_symbol(sl__jv v)
{
    switch (v.type) {
    case SL__JV_FN:
        return 'f';
    case SL__JV_STR:
        return 's';
    case SL__JV_NUM:
        return 'n';
    case SL__JV_BOOL:
        return 'b';
    case SL__JV_NULL:
        return 'l';
    case SL__JV_ARR:
        return 'a';
    case SL__JV_OBJ:
        return 'o';
    default:
        return 'm';
    }
}

const char *sl__jn_type_name(sl__jv v)
{
    switch (v.type) {
    case SL__JV_NULL:
        return "null";
    case SL__JV_NUM:
        return "number";
    case SL__JV_STR:
        return "string";
    case SL__JV_BOOL:
        return "boolean";
    case SL__JV_ARR:
        return "array";
    case SL__JV_FN:
        return "function";
    case SL__JV_OBJ:
        return "object";
    default:
        return NULL;
    }
}

/* ---- UTF-16 views -----------------------------------------------------------
 */

static size_t utf8_step(const char *s, size_t len, size_t i, uint32_t *cp)
{
    size_t n = bt_utf8_decode(s + i, len - i, cp);
    if (n == 0) {
        *cp = (unsigned char)s[i];
        return 1;
    }
    return n;
}

size_t sl__jn_u16_len(const char *s, size_t len)
{
    size_t units = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        i += utf8_step(s, len, i, &cp);
        units += cp >= 0x10000 ? 2 : 1;
    }
    return units;
}

size_t sl__jn_u16_to_byte(const char *s, size_t len, size_t u16)
{
    size_t units = 0, i = 0;
    while (i < len && units < u16) {
        uint32_t cp;
        i += utf8_step(s, len, i, &cp);
        units += cp >= 0x10000 ? 2 : 1;
    }
    return i;
}

size_t sl__jn_byte_to_u16(const char *s, size_t byte)
{
    return sl__jn_u16_len(s, byte);
}

size_t sl__jn_cp_len(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; n++) {
        uint32_t cp;
        i += utf8_step(s, len, i, &cp);
    }
    return n;
}

size_t sl__jn_cp_to_byte(const char *s, size_t len, size_t cp)
{
    size_t i = 0;
    for (size_t n = 0; i < len && n < cp; n++) {
        uint32_t c;
        i += utf8_step(s, len, i, &c);
    }
    return i;
}

int sl__jn_strcmp(sl__jv a, sl__jv b)
{
    /* UTF-8 byte order is code point order, which is UTF-16 order except
     * for supplementary characters against U+E000..U+FFFF. */
    size_t n = a.len < b.len ? a.len : b.len;
    int c = memcmp(a.u.s, b.u.s, n);
    if (c != 0)
        return c;
    return a.len < b.len ? -1 : a.len > b.len ? 1 : 0;
}
