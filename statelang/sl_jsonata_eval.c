/*
 * JSONata evaluator: the entry point, limits, errors, variable frames and
 * the evaluation of every node kind except paths (sl_jsonata_eval_path.c)
 * and functions (sl_jsonata_eval_fn.c). Mirrors the reference's
 * evaluate(): each node's value passes through its predicates and group,
 * then a sequence collapses (empty to undefined, singleton to its item).
 *
 * Invariant: every evaluation step counts one level of depth; C recursion
 * follows evaluation depth and is stopped by max_depth and the stack
 * budget, and long runs by the time limit, all raising U1001.
 */
#include "statelang/sl_jsonata_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- frames
 * --------------------------------------------------------------------
 */

sl__jn_frame *sl__jn_frame_new(sl__jn_ev *e, sl__jn_frame *parent)
{
    sl__jn_frame *f = sl__jn_ev_alloc(e, sizeof *f);
    f->parent = parent;
    return f;
}

void sl__jn_bind(sl__jn_ev *e, sl__jn_frame *f, const char *name, sl__jv v)
{
    for (size_t i = 0; i < f->len; i++) {
        if (strcmp(f->items[i].name, name) == 0) {
            f->items[i].val = v;
            return;
        }
    }
    if (f->len == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 4;
        struct sl__jn_binding *items = sl__jn_ev_alloc(e, cap * sizeof *items);
        if (f->len)
            memcpy(items, f->items, f->len * sizeof *items);
        f->items = items;
        f->cap = cap;
    }
    f->items[f->len].name = name;
    f->items[f->len].val = v;
    f->len++;
}

/* Variables of the caller (bindings), converted once and kept in the root
 * frame. */
static bool lookup_binding(sl__jn_ev *e, const char *name, sl__jv *out)
{
    const sl_jsonata_env *env = e->env;
    json_object *value = NULL;
    if (!env->lookup || !env->lookup(env->lookup_ctx, name, &value))
        return false;
    sl__jv v = sl__jv_null();
    if (value && sl__jv_from_json_lent(e, value, &v) != 0)
        return false; /* deeper than any parsed JSON: treat as unbound */
    sl__jv key = sl__jv_cstr(e, name);
    sl__jn_bind(e, e->root, key.u.s, v);
    *out = v;
    return true;
}

bool sl__jn_lookup(sl__jn_ev *e, sl__jn_frame *f, const char *name, sl__jv *out)
{
    for (; f; f = f->parent) {
        for (size_t i = f->len; i-- > 0;) {
            if (strcmp(f->items[i].name, name) == 0) {
                *out = f->items[i].val;
                return true;
            }
        }
    }
    if (lookup_binding(e, name, out))
        return true;
    size_t index;
    if (sl__jn_builtin_find(e, name, &index)) {
        /* Kept in the root frame like a caller's binding, so that a call
         * in a loop finds it there instead of scanning the library. */
        *out = sl__jn_builtin_value(e, index);
        sl__jn_bind(e, e->root, sl__jv_cstr(e, name).u.s, *out);
        return true;
    }
    *out = sl__jv_undef();
    return false;
}

/* ---- limits
 * -------------------------------------------------------------------
 */

static int limit_fail(sl__jn_ev *e, const char *message)
{
    sl__jn_throw(e, SL_JSONATA_ELIMIT);
    e->err.message = message;
    return -1;
}

int sl__jn_limit_fail(sl__jn_ev *e, const char *message)
{
    return limit_fail(e, message);
}

/* Reads the clock on one call in mask + 1 (mask: a power of two less one)
 * and fails past the time limit. */
static int time_check(sl__jn_ev *e, unsigned mask)
{
    const sl_jsonata_env *env = e->env;
    if ((++e->ticks & mask) != 0 || env->time_limit_ms <= 0 ||
        !env->elapsed_ms ||
        env->elapsed_ms(env->clock_ctx) <= env->time_limit_ms)
        return 0;
    return limit_fail(e, "Expression evaluation timeout: Check for "
                         "infinite loop");
}

int sl__jn_time_check(sl__jn_ev *e)
{
    return time_check(e, 0);
}

int sl__jn_walk_check(sl__jn_ev *e, int depth, size_t bytes)
{
    if (depth > SL__JN_VALUE_DEPTH)
        return limit_fail(e, "Value nested too deeply: more than 2048 "
                             "levels of arrays and objects");
    e->heap_used += bytes;
    if (sl__jn_heap_check(e, 0) != 0)
        return -1;
    return time_check(e, 1023u);
}

int sl__jn_heap_check(sl__jn_ev *e, size_t more)
{
    if (e->heap_used > e->heap_limit || more > e->heap_limit - e->heap_used)
        return limit_fail(e, "Memory limit exceeded");
    return 0;
}

/* Where the C stack is now (the real frame, also under sanitizers that
 * move locals to the heap). */
static uintptr_t stack_here(void)
{
#if defined(__GNUC__)
    return (uintptr_t)__builtin_frame_address(0);
#else
    volatile char probe = 0;
    return (uintptr_t)&probe;
#endif
}

static int check_limits(sl__jn_ev *e)
{
    uintptr_t here = stack_here();
    uintptr_t used =
        here < e->stack_base ? e->stack_base - here : here - e->stack_base;
    if ((e->max_depth > 0 && e->depth > e->max_depth) || used > e->stack_bytes)
        return limit_fail(e, "Stack overflow error: Check for non-terminating "
                             "recursive function.  Consider rewriting as "
                             "tail-recursive.");
    if (sl__jn_heap_check(e, 0) != 0)
        return -1;
    return time_check(e, 63u);
}

/* ---- operators
 * -----------------------------------------------------------------
 */

static int numeric(sl__jn_ev *e, sl__jv lhs, sl__jv rhs, sl_jn_op op,
                   sl__jv *out)
{
    bool ln = false, rn = false;
    if (sl__jn_is_numeric(e, lhs, &ln) != 0)
        return -1;
    if (sl__jv_defined(lhs) && !ln)
        return sl__jn_throw_v(e, "T2001", lhs);
    if (sl__jn_is_numeric(e, rhs, &rn) != 0)
        return -1;
    if (sl__jv_defined(rhs) && !rn)
        return sl__jn_throw_v(e, "T2002", rhs);
    *out = sl__jv_undef();
    if (!ln || !rn)
        return 0;
    double a = lhs.u.n, b = rhs.u.n, r = 0;
    switch (op) {
    case SL_JN_OP_PLUS:
        r = a + b;
        break;
    case SL_JN_OP_MINUS:
        r = a - b;
        break;
    case SL_JN_OP_STAR:
        r = a * b;
        break;
    case SL_JN_OP_SLASH:
        r = a / b;
        break;
    default:
        r = fmod(a, b);
        break;
    }
    *out = sl__jv_num(r);
    return 0;
}

static bool comparable(sl__jv v)
{
    return v.type == SL__JV_UNDEF || v.type == SL__JV_STR ||
           v.type == SL__JV_NUM;
}

static int compare(sl__jn_ev *e, sl__jv lhs, sl__jv rhs, sl_jn_op op,
                   sl__jv *out)
{
    *out = sl__jv_undef();
    if (!comparable(lhs) || !comparable(rhs)) {
        bool lok = lhs.type == SL__JV_STR || lhs.type == SL__JV_NUM;
        return sl__jn_throw_v(e, "T2010", lok ? rhs : lhs);
    }
    if (!sl__jv_defined(lhs) || !sl__jv_defined(rhs))
        return 0;
    if (lhs.type != rhs.type) {
        sl__jn_throw_v(e, "T2009", lhs);
        e->err.value2 = rhs;
        e->err.has_value2 = true;
        return -1;
    }
    int c;
    if (lhs.type == SL__JV_NUM) {
        double a = lhs.u.n, b = rhs.u.n;
        bool r = op == SL_JN_OP_LT   ? a < b
                 : op == SL_JN_OP_LE ? a <= b
                 : op == SL_JN_OP_GT ? a > b
                                     : a >= b;
        *out = sl__jv_bool(r);
        return 0;
    }
    c = sl__jn_strcmp(lhs, rhs);
    bool r = op == SL_JN_OP_LT   ? c < 0
             : op == SL_JN_OP_LE ? c <= 0
             : op == SL_JN_OP_GT ? c > 0
                                 : c >= 0;
    *out = sl__jv_bool(r);
    return 0;
}

/* The reference's === for 'in'. */
static bool strict_equal(sl__jv a, sl__jv b)
{
    if (a.type != b.type)
        return false;
    switch (a.type) {
    case SL__JV_STR:
    case SL__JV_NUM:
    case SL__JV_BOOL:
    case SL__JV_NULL:
        return a.type == SL__JV_STR
                   ? a.len == b.len && memcmp(a.u.s, b.u.s, a.len) == 0
               : a.type == SL__JV_NUM  ? a.u.n == b.u.n
               : a.type == SL__JV_BOOL ? a.b == b.b
                                       : true;
    case SL__JV_ARR:
        return a.u.a == b.u.a;
    case SL__JV_OBJ:
        return a.u.o == b.u.o;
    case SL__JV_FN:
        return a.u.f == b.u.f;
    default:
        return false;
    }
}

static sl__jv includes(sl__jv lhs, sl__jv rhs)
{
    if (!sl__jv_defined(lhs) || !sl__jv_defined(rhs))
        return sl__jv_bool(false);
    if (rhs.type != SL__JV_ARR)
        return sl__jv_bool(strict_equal(lhs, rhs));
    for (size_t i = 0; i < rhs.u.a->len; i++)
        if (strict_equal(rhs.u.a->items[i], lhs))
            return sl__jv_bool(true);
    return sl__jv_bool(false);
}

static int concat(sl__jn_ev *e, sl__jv lhs, sl__jv rhs, sl__jv *out)
{
    sl__jv ls = sl__jv_str_ref("", 0), rs = ls;
    if (sl__jv_defined(lhs) && sl__jn_string(e, lhs, false, &ls) != 0)
        return -1;
    if (sl__jv_defined(rhs) && sl__jn_string(e, rhs, false, &rs) != 0)
        return -1;
    if (ls.len == 0 || rs.len == 0) {
        *out = ls.len ? ls : rs;
        return 0;
    }
    char *p = sl__jn_ev_alloc(e, (size_t)ls.len + rs.len + 1);
    memcpy(p, ls.u.s, ls.len);
    memcpy(p + ls.len, rs.u.s, rs.len);
    *out = sl__jv_str_ref(p, (size_t)ls.len + rs.len);
    return 0;
}

static bool is_integer(sl__jv v)
{
    return v.type == SL__JV_NUM && isfinite(v.u.n) && v.u.n == floor(v.u.n);
}

static int range(sl__jn_ev *e, sl__jv lhs, sl__jv rhs, sl__jv *out)
{
    *out = sl__jv_undef();
    if (sl__jv_defined(lhs) && !is_integer(lhs))
        return sl__jn_throw_v(e, "T2003", lhs);
    if (sl__jv_defined(rhs) && !is_integer(rhs))
        return sl__jn_throw_v(e, "T2004", rhs);
    if (!sl__jv_defined(lhs) || !sl__jv_defined(rhs) || lhs.u.n > rhs.u.n)
        return 0;
    double size = rhs.u.n - lhs.u.n + 1;
    if (size > 1e7)
        return sl__jn_throw_v(e, "D2014", sl__jv_num(size));
    sl__jarr *a = sl__jarr_new(e, SL__JA_SEQ, (size_t)size);
    for (size_t i = 0; i < (size_t)size; i++)
        a->items[i] = sl__jv_num(lhs.u.n + (double)i);
    a->len = (size_t)size;
    *out = sl__jv_arr(a);
    return 0;
}

static int boolize(sl__jn_ev *e, sl__jv v)
{
    int b = sl__jn_boolean(e, v);
    return b == 2 ? 0 : b;
}

static int binary_op(sl__jn_ev *e, sl_jn_op op, sl__jv lhs, sl__jv rhs,
                     sl__jv *out)
{
    bool both = sl__jv_defined(lhs) && sl__jv_defined(rhs);
    switch (op) {
    case SL_JN_OP_PLUS:
    case SL_JN_OP_MINUS:
    case SL_JN_OP_STAR:
    case SL_JN_OP_SLASH:
    case SL_JN_OP_PERCENT:
        return numeric(e, lhs, rhs, op, out);
    case SL_JN_OP_EQ:
    case SL_JN_OP_NE: {
        bool eq = false;
        if (both && sl__jn_equal(e, lhs, rhs, &eq) != 0)
            return -1;
        *out = sl__jv_bool(both && (op == SL_JN_OP_EQ ? eq : !eq));
        return 0;
    }
    case SL_JN_OP_LT:
    case SL_JN_OP_LE:
    case SL_JN_OP_GT:
    case SL_JN_OP_GE:
        return compare(e, lhs, rhs, op, out);
    case SL_JN_OP_CONCAT:
        return concat(e, lhs, rhs, out);
    case SL_JN_OP_RANGE:
        return range(e, lhs, rhs, out);
    case SL_JN_OP_IN:
        *out = includes(lhs, rhs);
        return 0;
    default:
        *out = sl__jv_undef();
        return 0;
    }
}

/* and/or: the right side is evaluated only when it decides. */
static int boolean_op(sl__jn_ev *e, const sl_jn_node *n, sl__jv lhs,
                      sl__jv input, sl__jn_frame *env, sl__jv *out)
{
    sl__jv rhs;
    int l = boolize(e, lhs);
    if (l < 0)
        return -1;
    if ((n->op == SL_JN_OP_AND && !l) || (n->op == SL_JN_OP_OR && l)) {
        *out = sl__jv_bool(l);
        return 0;
    }
    if (sl__jn_eval(e, n->rhs, input, env, &rhs) != 0)
        return 1; /* already located */
    int r = boolize(e, rhs);
    if (r < 0)
        return -1;
    *out = sl__jv_bool(r);
    return 0;
}

static int eval_binary(sl__jn_ev *e, const sl_jn_node *n, sl__jv input,
                       sl__jn_frame *env, sl__jv *out)
{
    sl__jv lhs, rhs;
    int rc;
    if (sl__jn_eval(e, n->lhs, input, env, &lhs) != 0)
        return -1;
    if (n->op == SL_JN_OP_AND || n->op == SL_JN_OP_OR) {
        rc = boolean_op(e, n, lhs, input, env, out);
        if (rc > 0)
            return -1;
    } else {
        if (sl__jn_eval(e, n->rhs, input, env, &rhs) != 0)
            return -1;
        rc = binary_op(e, n->op, lhs, rhs, out);
    }
    if (rc == 0)
        return 0;
    e->err.position = n->position;
    e->err.token = sl_jn_op_text(n->op);
    return -1;
}

/* ---- other node kinds
 * -----------------------------------------------------------
 */

static int eval_negate(sl__jn_ev *e, const sl_jn_node *n, sl__jv input,
                       sl__jn_frame *env, sl__jv *out)
{
    sl__jv v;
    bool num;
    if (sl__jn_eval(e, n->expr, input, env, &v) != 0)
        return -1;
    if (!sl__jv_defined(v)) {
        *out = v;
        return 0;
    }
    if (sl__jn_is_numeric(e, v, &num) != 0)
        return -1;
    if (!num) {
        sl__jn_throw_v(e, "D1002", v);
        e->err.position = n->position;
        e->err.token = "-";
        return -1;
    }
    *out = sl__jv_num(-v.u.n);
    return 0;
}

static int eval_array(sl__jn_ev *e, const sl_jn_node *n, sl__jv input,
                      sl__jn_frame *env, sl__jv *out)
{
    sl__jv result = sl__jv_arr(sl__jarr_new(e, 0, n->items.len));
    for (size_t i = 0; i < n->items.len; i++) {
        const sl_jn_node *item = n->items.items[i];
        sl__jv v;
        if (sl__jn_eval(e, item, input, env, &v) != 0)
            return -1;
        if (!sl__jv_defined(v))
            continue;
        if (item->kind == SL_JN_ARRAY)
            sl__jarr_push(e, result.u.a, v);
        else
            result = sl__jn_append(e, result, v);
    }
    if (n->consarray)
        result.u.a->flags |= SL__JA_CONS;
    *out = result;
    return 0;
}

/* fn.lookup: a field of an object, or of each object in an array. */
static sl__jv lookup_field(sl__jn_ev *e, sl__jv input, const char *name,
                           size_t len)
{
    if (input.type == SL__JV_OBJ) {
        sl__jv v;
        return sl__jobj_get(input.u.o, name, len, &v) ? v : sl__jv_undef();
    }
    if (input.type != SL__JV_ARR)
        return sl__jv_undef();
    sl__jv result = sl__jn_seq(e);
    for (size_t i = 0; i < input.u.a->len; i++) {
        sl__jv r = lookup_field(e, input.u.a->items[i], name, len);
        if (r.type == SL__JV_ARR) {
            for (size_t k = 0; k < r.u.a->len; k++)
                sl__jarr_push(e, result.u.a, r.u.a->items[k]);
        } else if (sl__jv_defined(r)) {
            sl__jarr_push(e, result.u.a, r);
        }
    }
    return result;
}

sl__jv sl__jn_lookup_field(sl__jn_ev *e, sl__jv input, const char *name,
                           size_t len)
{
    return lookup_field(e, input, name, len);
}

static void flatten_into(sl__jn_ev *e, sl__jv v, sl__jarr *out)
{
    if (v.type != SL__JV_ARR) {
        sl__jarr_push(e, out, v);
        return;
    }
    for (size_t i = 0; i < v.u.a->len; i++)
        flatten_into(e, v.u.a->items[i], out);
}

static sl__jv wildcard(sl__jn_ev *e, sl__jv input)
{
    sl__jv results = sl__jn_seq(e);
    if (input.type == SL__JV_ARR && (input.u.a->flags & SL__JA_OUTER) &&
        input.u.a->len > 0)
        input = input.u.a->items[0];
    size_t n = input.type == SL__JV_OBJ   ? input.u.o->len
               : input.type == SL__JV_ARR ? input.u.a->len
                                          : 0;
    for (size_t i = 0; i < n; i++) {
        sl__jv value = input.type == SL__JV_OBJ ? input.u.o->items[i].val
                                                : input.u.a->items[i];
        if (value.type == SL__JV_ARR) {
            sl__jarr *flat = sl__jarr_new(e, 0, value.u.a->len);
            flatten_into(e, value, flat);
            results = sl__jn_append(e, results, sl__jv_arr(flat));
        } else {
            sl__jarr_push(e, results.u.a, value);
        }
    }
    return results;
}

static int descend(sl__jn_ev *e, sl__jv v, int depth, sl__jarr *results)
{
    if (sl__jn_walk_check(e, depth, 0) != 0)
        return -1;
    if (v.type != SL__JV_ARR)
        sl__jarr_push(e, results, v);
    if (v.type == SL__JV_ARR) {
        for (size_t i = 0; i < v.u.a->len; i++)
            if (descend(e, v.u.a->items[i], depth + 1, results) != 0)
                return -1;
    } else if (v.type == SL__JV_OBJ) {
        for (size_t i = 0; i < v.u.o->len; i++)
            if (descend(e, v.u.o->items[i].val, depth + 1, results) != 0)
                return -1;
    }
    return 0;
}

static int descendants(sl__jn_ev *e, sl__jv input, sl__jv *out)
{
    *out = input;
    if (!sl__jv_defined(input))
        return 0;
    sl__jv rs = sl__jn_seq(e);
    if (descend(e, input, 0, rs.u.a) != 0)
        return -1;
    *out = rs.u.a->len == 1 ? rs.u.a->items[0] : rs;
    return 0;
}

static int eval_condition(sl__jn_ev *e, const sl_jn_node *n, sl__jv input,
                          sl__jn_frame *env, sl__jv *out)
{
    sl__jv c;
    *out = sl__jv_undef();
    if (n->kind == SL_JN_COALESCE || n->kind == SL_JN_DEFAULT) {
        if (sl__jn_eval(e, n->lhs, input, env, &c) != 0)
            return -1;
        int b = n->kind == SL_JN_COALESCE ? sl__jv_defined(c)
                                          : sl__jn_boolean(e, c);
        if (b < 0)
            return -1;
        if (b == 1) {
            *out = c;
            return 0;
        }
        return sl__jn_eval(e, n->rhs, input, env, out);
    }
    if (sl__jn_eval(e, n->condition, input, env, &c) != 0)
        return -1;
    int b = sl__jn_boolean(e, c);
    if (b < 0)
        return -1;
    if (b == 1)
        return sl__jn_eval(e, n->then, input, env, out);
    if (n->otherwise)
        return sl__jn_eval(e, n->otherwise, input, env, out);
    return 0;
}

static int eval_block(sl__jn_ev *e, const sl_jn_node *n, sl__jv input,
                      sl__jn_frame *env, sl__jv *out)
{
    sl__jn_frame *frame = sl__jn_frame_new(e, env);
    *out = sl__jv_undef();
    for (size_t i = 0; i < n->items.len; i++)
        if (sl__jn_eval(e, n->items.items[i], input, frame, out) != 0)
            return -1;
    return 0;
}

static int eval_variable(sl__jn_ev *e, const sl_jn_node *n, sl__jv input,
                         sl__jn_frame *env, sl__jv *out)
{
    if (n->str[0] == '\0') {
        if (input.type == SL__JV_ARR && (input.u.a->flags & SL__JA_OUTER))
            *out = input.u.a->len ? input.u.a->items[0] : sl__jv_undef();
        else
            *out = input;
        return 0;
    }
    sl__jn_lookup(e, env, n->str, out);
    return 0;
}

static int parent_value(sl__jn_ev *e, const sl_jn_node *n, sl__jn_frame *env,
                        sl__jv *out)
{
    char label[24];
    snprintf(label, sizeof label, "!%d", n->slot->label);
    sl__jn_lookup(e, env, label, out);
    return 0;
}

static int eval_kind(sl__jn_ev *e, const sl_jn_node *n, sl__jv input,
                     sl__jn_frame *env, sl__jv *out)
{
    *out = sl__jv_undef();
    switch (n->kind) {
    case SL_JN_PATH:
        return sl__jn_eval_path(e, n, input, env, out);
    case SL_JN_BINARY:
        return eval_binary(e, n, input, env, out);
    case SL_JN_NEGATE:
        return eval_negate(e, n, input, env, out);
    case SL_JN_ARRAY:
        return eval_array(e, n, input, env, out);
    case SL_JN_OBJECT:
        return sl__jn_eval_group(e, n, input, env, out);
    case SL_JN_NAME:
        *out = lookup_field(e, input, n->str, n->str_len);
        return 0;
    case SL_JN_STRING:
        *out = sl__jv_str_ref(n->str, n->str_len);
        return 0;
    case SL_JN_NUMBER:
        *out = sl__jv_num(n->number);
        return 0;
    case SL_JN_VALUE:
        *out = n->value == SL_JN_NULL ? sl__jv_null()
                                      : sl__jv_bool(n->value == SL_JN_TRUE);
        return 0;
    case SL_JN_WILDCARD:
        *out = wildcard(e, input);
        return 0;
    case SL_JN_DESCENDANT:
        return descendants(e, input, out);
    case SL_JN_PARENT:
        return parent_value(e, n, env, out);
    case SL_JN_CONDITION:
    case SL_JN_COALESCE:
    case SL_JN_DEFAULT:
        return eval_condition(e, n, input, env, out);
    case SL_JN_BLOCK:
        return eval_block(e, n, input, env, out);
    case SL_JN_BIND:
        if (sl__jn_eval(e, n->rhs, input, env, out) != 0)
            return -1;
        sl__jn_bind(e, env, n->lhs->str, *out);
        return 0;
    case SL_JN_REGEX:
        return sl__jn_regex_new(e, n, out);
    case SL_JN_VARIABLE:
        return eval_variable(e, n, input, env, out);
    default:
        return sl__jn_eval_fn_node(e, n, input, env, out);
    }
}

int sl__jn_eval(sl__jn_ev *e, const sl_jn_node *n, sl__jv input,
                sl__jn_frame *env, sl__jv *out)
{
    e->depth++;
    if (check_limits(e) != 0 || eval_kind(e, n, input, env, out) != 0)
        return -1;
    sl__jv result = *out;
    for (size_t i = 0; i < n->predicate.len; i++)
        if (sl__jn_eval_filter(e, n->predicate.items[i]->expr, result, env,
                               &result) != 0)
            return -1;
    if (n->kind != SL_JN_PATH && n->group &&
        sl__jn_eval_group(e, n->group, result, env, &result) != 0)
        return -1;
    if (sl__jv_is_seq(result) && !(result.u.a->flags & SL__JA_TUPLE)) {
        sl__jarr *a = result.u.a;
        if (n->keep_array)
            a->flags |= SL__JA_KEEP;
        if (a->len == 0)
            result = sl__jv_undef();
        else if (a->len == 1 && !(a->flags & SL__JA_KEEP))
            result = a->items[0];
    }
    *out = result;
    e->depth--;
    return 0;
}

/* ---- entry point
 * ------------------------------------------------------------------
 */

static void ev_init(sl__jn_ev *e, const sl_jsonata_env *env)
{
    memset(e, 0, sizeof *e);
    e->env = env;
    e->max_depth = env->max_depth;
    e->stack_base = stack_here();
    e->stack_bytes = env->stack_bytes ? env->stack_bytes : 4u << 20;
    e->heap_limit = env->heap_bytes ? env->heap_bytes : (size_t)1 << 30;
    e->rng = (uint64_t)env->now_ms * 0x9E3779B97F4A7C15ull + 1;
    e->root = sl__jn_frame_new(e, NULL);
}

static void ev_fini(sl__jn_ev *e)
{
    sl__jn_regex_free_all(e);
    for (size_t i = 0; i < e->n_owned; i++)
        sl_jsonata_free(e->owned[i]);
    free(e->owned);
    sl__jn_arena_fini(&e->sig_arena);
    sl__jn_arena_fini(&e->heap);
}

static int run(sl__jn_ev *e, const sl_jsonata *expr, sl__jv *result)
{
    const sl_jsonata_env *env = e->env;
    sl__jv input = sl__jv_undef();
    if (env->has_input) {
        input = sl__jv_null();
        if (env->input && sl__jv_from_json_lent(e, env->input, &input) != 0)
            return -1;
    }
    sl__jn_bind(e, e->root, "$", input);
    if (input.type == SL__JV_ARR) {
        /* a JSON array input is one value, not a sequence of them */
        sl__jv wrap = sl__jn_seq1(e, input);
        wrap.u.a->flags |= SL__JA_OUTER;
        input = wrap;
    }
    return sl__jn_eval(e, sl_jsonata_root(expr), input, e->root, result);
}

int sl_jsonata_eval(const sl_jsonata *expr, const sl_jsonata_env *env,
                    json_object **out, bool *undefined, sl_jsonata_error *err)
{
    return sl_jsonata_eval_fn(expr, env, out, undefined, NULL, err);
}

int sl_jsonata_eval_fn(const sl_jsonata *expr, const sl_jsonata_env *env,
                       json_object **out, bool *undefined, bool *function,
                       sl_jsonata_error *err)
{
    sl__jn_ev *e = bt_xcalloc(1, sizeof *e);
    ev_init(e, env);
    sl__jv result;
    *out = NULL;
    *undefined = false;
    memset(err, 0, sizeof *err);
    int rc = run(e, expr, &result);
    if (rc == 0 && function)
        *function = sl__jv_is(result, SL__JV_FN);
    if (rc == 0) {
        *undefined = !sl__jv_defined(result);
        if (!*undefined)
            rc = sl__jv_to_json(e, result, out);
    }
    if (rc != 0) {
        sl__jn_error_export(e, err);
        rc = SL_JSONATA_EEVAL;
    }
    ev_fini(e);
    free(e);
    return rc;
}
