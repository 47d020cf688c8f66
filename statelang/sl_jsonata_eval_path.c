/*
 * JSONata location paths: steps mapped over sequences and flattened, tuple
 * streams that carry @ focus, # index and % ancestor bindings, predicates
 * (filters and numeric indexes), group-by object construction and order-by
 * sorting, as the reference's evaluatePath, evaluateStep,
 * evaluateTupleStep, evaluateFilter, evaluateGroupExpression and
 * evaluateSortExpression do them.
 *
 * Invariant: a tuple is an object whose "@" member is the context value
 * and whose other members are variable bindings ("!N" for a % label);
 * tuples are created per step and only mutated by # index stages.
 */
#include "statelang/sl_jsonata_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char AT[] = "@";

static sl__jv tuple_focus(sl__jv tuple)
{
    sl__jv v = sl__jv_undef();
    if (tuple.type == SL__JV_OBJ)
        sl__jobj_get(tuple.u.o, AT, 1, &v);
    return v;
}

/* createFrameFromTuple */
static sl__jn_frame *tuple_frame(sl__jn_ev *e, sl__jn_frame *env, sl__jv tuple)
{
    sl__jn_frame *f = sl__jn_frame_new(e, env);
    if (tuple.type != SL__JV_OBJ)
        return f;
    for (size_t i = 0; i < tuple.u.o->len; i++)
        sl__jn_bind(e, f, tuple.u.o->items[i].key, tuple.u.o->items[i].val);
    return f;
}

static const char *label_name(sl__jn_ev *e, const sl_jn_slot *slot)
{
    char text[24];
    int n = snprintf(text, sizeof text, "!%d", slot->label);
    return sl__jv_str(e, text, (size_t)n).u.s;
}

/* ---- filters
 * -------------------------------------------------------------------
 */

static int numeric_index(sl__jn_ev *e, sl__jv res, bool *all_numbers)
{
    *all_numbers = false;
    if (res.type != SL__JV_ARR)
        return 0;
    for (size_t i = 0; i < res.u.a->len; i++) {
        bool num;
        if (sl__jn_is_numeric(e, res.u.a->items[i], &num) != 0)
            return -1;
        if (!num)
            return 0;
    }
    *all_numbers = true;
    return 0;
}

static int filter_item(sl__jn_ev *e, const sl_jn_node *pred, sl__jv input,
                       size_t index, sl__jn_frame *env, sl__jarr *results)
{
    sl__jv item = input.u.a->items[index];
    sl__jv context = item;
    sl__jn_frame *frame = env;
    if (input.u.a->flags & SL__JA_TUPLE) {
        context = tuple_focus(item);
        frame = tuple_frame(e, env, item);
    }
    sl__jv res;
    bool num, numbers;
    if (sl__jn_eval(e, pred, context, frame, &res) != 0 ||
        sl__jn_is_numeric(e, res, &num) != 0)
        return -1;
    if (num)
        res = sl__jn_seq1(e, res);
    if (numeric_index(e, res, &numbers) != 0)
        return -1;
    if (numbers) {
        double len = (double)input.u.a->len;
        for (size_t k = 0; k < res.u.a->len; k++) {
            double ii = floor(res.u.a->items[k].u.n);
            if (ii < 0)
                ii += len;
            if (ii == (double)index)
                sl__jarr_push(e, results, item);
        }
        return 0;
    }
    int b = sl__jn_boolean(e, res);
    if (b < 0)
        return -1;
    if (b == 1)
        sl__jarr_push(e, results, item);
    return 0;
}

int sl__jn_eval_filter(sl__jn_ev *e, const sl_jn_node *pred, sl__jv input,
                       sl__jn_frame *env, sl__jv *out)
{
    sl__jv results = sl__jn_seq(e);
    if (input.type == SL__JV_ARR && (input.u.a->flags & SL__JA_TUPLE))
        results.u.a->flags |= SL__JA_TUPLE;
    if (input.type != SL__JV_ARR)
        input = sl__jn_seq1(e, input);
    if (pred->kind == SL_JN_NUMBER) {
        double index = floor(pred->number);
        if (index < 0)
            index += (double)input.u.a->len;
        if (index >= 0 && index < (double)input.u.a->len) {
            sl__jv item = input.u.a->items[(size_t)index];
            if (item.type == SL__JV_ARR)
                results = item;
            else if (sl__jv_defined(item))
                sl__jarr_push(e, results.u.a, item);
        }
        *out = results;
        return 0;
    }
    for (size_t i = 0; i < input.u.a->len; i++)
        if (filter_item(e, pred, input, i, env, results.u.a) != 0)
            return -1;
    *out = results;
    return 0;
}

/* ---- sorting
 * --------------------------------------------------------------------
 */

typedef struct sort_ctx {
    const sl_jn_node *sort;
    bool tuples;
    sl__jn_frame *env;
} sort_ctx;

static int sort_key(sl__jn_ev *e, const sort_ctx *s, const sl_jn_node *term,
                    sl__jv item, sl__jv *out)
{
    if (!s->tuples)
        return sl__jn_eval(e, term->expr, item, s->env, out);
    return sl__jn_eval(e, term->expr, tuple_focus(item),
                       tuple_frame(e, s->env, item), out);
}

static int term_compare(sl__jn_ev *e, const sort_ctx *s, sl__jv aa, sl__jv bb,
                        int *comp)
{
    if (!sl__jv_defined(aa)) {
        *comp = sl__jv_defined(bb) ? 1 : 0;
        return 0;
    }
    if (!sl__jv_defined(bb)) {
        *comp = -1;
        return 0;
    }
    bool aok = aa.type == SL__JV_STR || aa.type == SL__JV_NUM;
    bool bok = bb.type == SL__JV_STR || bb.type == SL__JV_NUM;
    if (!aok || !bok) {
        sl__jn_throw_v(e, "T2008", aok ? bb : aa);
        e->err.position = s->sort->position;
        return -1;
    }
    if (aa.type != bb.type) {
        sl__jn_throw_v(e, "T2007", aa);
        e->err.value2 = bb;
        e->err.has_value2 = true;
        e->err.position = s->sort->position;
        return -1;
    }
    int c = aa.type == SL__JV_NUM ? (aa.u.n < bb.u.n   ? -1
                                     : aa.u.n > bb.u.n ? 1
                                                       : 0)
                                  : sl__jn_strcmp(aa, bb);
    *comp = c < 0 ? -1 : c > 0 ? 1 : 0;
    return 0;
}

static int sort_greater(sl__jn_ev *e, sl__jv a, sl__jv b, void *ctx)
{
    const sort_ctx *s = ctx;
    int comp = 0;
    for (size_t i = 0; comp == 0 && i < s->sort->items.len; i++) {
        const sl_jn_node *term = s->sort->items.items[i];
        sl__jv aa, bb;
        if (sort_key(e, s, term, a, &aa) != 0 ||
            sort_key(e, s, term, b, &bb) != 0)
            return -1;
        if (term_compare(e, s, aa, bb, &comp) != 0)
            return -1;
        if (!sl__jv_defined(aa) || !sl__jv_defined(bb))
            continue; /* undefined sorts last, whatever the direction */
        if (term->descending)
            comp = -comp;
    }
    return comp == 1;
}

static int merge(sl__jn_ev *e, sl__jv *items, sl__jv *tmp, size_t mid, size_t n,
                 sl__jn_greater_fn greater, void *ctx)
{
    size_t i = 0, j = mid, k = 0;
    while (i < mid && j < n) {
        int g = greater(e, items[i], items[j], ctx);
        if (g < 0)
            return -1;
        tmp[k++] = g ? items[j++] : items[i++];
    }
    while (i < mid)
        tmp[k++] = items[i++];
    while (j < n)
        tmp[k++] = items[j++];
    memcpy(items, tmp, n * sizeof *items);
    return 0;
}

static int msort(sl__jn_ev *e, sl__jv *items, sl__jv *tmp, size_t n,
                 sl__jn_greater_fn greater, void *ctx)
{
    if (n <= 1)
        return 0;
    size_t mid = n / 2;
    if (msort(e, items, tmp, mid, greater, ctx) != 0 ||
        msort(e, items + mid, tmp, n - mid, greater, ctx) != 0)
        return -1;
    return merge(e, items, tmp, mid, n, greater, ctx);
}

int sl__jn_sort(sl__jn_ev *e, sl__jv *items, size_t n,
                sl__jn_greater_fn greater, void *ctx)
{
    sl__jv *tmp = sl__jn_ev_alloc(e, (n + 1) * sizeof *tmp);
    return msort(e, items, tmp, n, greater, ctx);
}

/* fn.sort with the order-by comparator: a new plain array (the reference's
 * merge sort builds one), or the input itself when it has one item. */
static int eval_sort(sl__jn_ev *e, const sl_jn_node *sort, sl__jv input,
                     sl__jn_frame *env, sl__jv *out)
{
    if (input.type != SL__JV_ARR || input.u.a->len <= 1) {
        *out = input;
        return 0;
    }
    sort_ctx s = {.sort = sort,
                  .tuples = (input.u.a->flags & SL__JA_TUPLE) != 0,
                  .env = env};
    sl__jarr *r = sl__jarr_new(e, 0, input.u.a->len);
    memcpy(r->items, input.u.a->items, input.u.a->len * sizeof *r->items);
    r->len = input.u.a->len;
    if (sl__jn_sort(e, r->items, r->len, sort_greater, &s) != 0)
        return -1;
    *out = sl__jv_arr(r);
    return 0;
}

/* ---- steps
 * ----------------------------------------------------------------------
 */

static int eval_stages(sl__jn_ev *e, const sl_jn_list *stages, sl__jv input,
                       sl__jn_frame *env, sl__jv *out)
{
    sl__jv result = input;
    for (size_t i = 0; i < stages->len; i++) {
        const sl_jn_node *stage = stages->items[i];
        if (stage->kind == SL_JN_FILTER) {
            if (sl__jn_eval_filter(e, stage->expr, result, env, &result) != 0)
                return -1;
        } else if (result.type == SL__JV_ARR) {
            for (size_t k = 0; k < result.u.a->len; k++) {
                sl__jv t = result.u.a->items[k];
                if (t.type == SL__JV_OBJ)
                    sl__jobj_set(e, t.u.o, stage->str, stage->str_len,
                                 sl__jv_num((double)k));
            }
        }
    }
    *out = result;
    return 0;
}

static int eval_step(sl__jn_ev *e, const sl_jn_node *step, sl__jv input,
                     sl__jn_frame *env, bool last, sl__jv *out)
{
    if (step->kind == SL_JN_SORT) {
        if (eval_sort(e, step, input, env, out) != 0)
            return -1;
        return eval_stages(e, &step->stages, *out, env, out);
    }
    sl__jarr *result = sl__jarr_new(e, SL__JA_SEQ, 0);
    size_t n = input.type == SL__JV_ARR ? input.u.a->len : 0;
    for (size_t i = 0; i < n; i++) {
        sl__jv res;
        if (sl__jn_eval(e, step, input.u.a->items[i], env, &res) != 0)
            return -1;
        for (size_t s = 0; s < step->stages.len; s++)
            if (sl__jn_eval_filter(e, step->stages.items[s]->expr, res, env,
                                   &res) != 0)
                return -1;
        if (sl__jv_defined(res))
            sl__jarr_push(e, result, res);
    }
    if (last && result->len == 1 && result->items[0].type == SL__JV_ARR &&
        !(result->items[0].u.a->flags & SL__JA_SEQ)) {
        *out = result->items[0];
        return 0;
    }
    sl__jarr *flat = sl__jarr_new(e, SL__JA_SEQ, result->len);
    for (size_t i = 0; i < result->len; i++) {
        sl__jv res = result->items[i];
        if (res.type != SL__JV_ARR || (res.u.a->flags & SL__JA_CONS)) {
            sl__jarr_push(e, flat, res);
            continue;
        }
        for (size_t k = 0; k < res.u.a->len; k++)
            sl__jarr_push(e, flat, res.u.a->items[k]);
    }
    *out = sl__jv_arr(flat);
    return 0;
}

static sl__jv tuple_new(sl__jn_ev *e, sl__jv focus)
{
    sl__jobj *t = sl__jobj_new(e);
    sl__jobj_set(e, t, AT, 1, focus);
    return sl__jv_obj(t);
}

static int sort_tuple_step(sl__jn_ev *e, const sl_jn_node *step, sl__jv input,
                           sl__jv bindings, sl__jn_frame *env, sl__jv *out)
{
    sl__jv result;
    if (sl__jv_defined(bindings)) {
        if (eval_sort(e, step, bindings, env, &result) != 0)
            return -1;
    } else {
        sl__jv sorted;
        if (eval_sort(e, step, input, env, &sorted) != 0)
            return -1;
        result = sl__jn_seq(e);
        result.u.a->flags |= SL__JA_TUPLE;
        size_t n = sorted.type == SL__JV_ARR ? sorted.u.a->len : 0;
        for (size_t i = 0; i < n; i++) {
            sl__jv t = tuple_new(e, sorted.u.a->items[i]);
            if (step->index)
                sl__jobj_set(e, t.u.o, step->index, strlen(step->index),
                             sl__jv_num((double)i));
            sl__jarr_push(e, result.u.a, t);
        }
    }
    return eval_stages(e, &step->stages, result, env, out);
}

/* Adds the output tuples of one input tuple tb for the step's value res. */
static void tuple_outputs(sl__jn_ev *e, const sl_jn_node *step, sl__jv tb,
                          sl__jv res, sl__jarr *result)
{
    if (res.type != SL__JV_ARR)
        res = sl__jn_seq1(e, res);
    bool stream = (res.u.a->flags & SL__JA_TUPLE) != 0;
    sl__jv focus = tuple_focus(tb);
    for (size_t b = 0; b < res.u.a->len; b++) {
        sl__jobj *t = sl__jobj_copy(e, tb.u.o);
        sl__jv item = res.u.a->items[b];
        if (stream && item.type == SL__JV_OBJ) {
            for (size_t k = 0; k < item.u.o->len; k++)
                sl__jobj_set(e, t, item.u.o->items[k].key,
                             item.u.o->items[k].klen, item.u.o->items[k].val);
        } else if (!stream) {
            if (step->focus) {
                sl__jobj_set(e, t, step->focus, strlen(step->focus), item);
                sl__jobj_set(e, t, AT, 1, focus);
            } else {
                sl__jobj_set(e, t, AT, 1, item);
            }
            if (step->index)
                sl__jobj_set(e, t, step->index, strlen(step->index),
                             sl__jv_num((double)b));
            if (step->ancestor) {
                const char *label = label_name(e, step->ancestor);
                sl__jobj_set(e, t, label, strlen(label), focus);
            }
        }
        sl__jarr_push(e, result, sl__jv_obj(t));
    }
}

static int eval_tuple_step(sl__jn_ev *e, const sl_jn_node *step, sl__jv input,
                           sl__jv bindings, sl__jn_frame *env, sl__jv *out)
{
    if (step->kind == SL_JN_SORT)
        return sort_tuple_step(e, step, input, bindings, env, out);
    sl__jv result = sl__jn_seq(e);
    result.u.a->flags |= SL__JA_TUPLE;
    if (!sl__jv_defined(bindings)) {
        size_t n = input.type == SL__JV_ARR ? input.u.a->len : 0;
        bindings = sl__jv_arr(sl__jarr_new(e, 0, n));
        for (size_t i = 0; i < n; i++)
            sl__jarr_push(e, bindings.u.a, tuple_new(e, input.u.a->items[i]));
    }
    size_t n = bindings.type == SL__JV_ARR ? bindings.u.a->len : 0;
    for (size_t i = 0; i < n; i++) {
        sl__jv tb = bindings.u.a->items[i];
        if (tb.type != SL__JV_OBJ)
            continue;
        sl__jn_frame *frame = tuple_frame(e, env, tb);
        sl__jv res;
        if (sl__jn_eval(e, step, tuple_focus(tb), frame, &res) != 0)
            return -1;
        if (sl__jv_defined(res))
            tuple_outputs(e, step, tb, res, result.u.a);
    }
    return eval_stages(e, &step->stages, result, env, out);
}

/* ---- paths
 * ------------------------------------------------------------------------
 */

static bool empty_result(sl__jv v)
{
    return !sl__jv_defined(v) || (v.type == SL__JV_ARR && v.u.a->len == 0);
}

static sl__jv tuple_values(sl__jn_ev *e, sl__jv bindings)
{
    sl__jv r = sl__jn_seq(e);
    size_t n = bindings.type == SL__JV_ARR ? bindings.u.a->len : 0;
    for (size_t i = 0; i < n; i++)
        sl__jarr_push(e, r.u.a, tuple_focus(bindings.u.a->items[i]));
    return r;
}

int sl__jn_eval_path(sl__jn_ev *e, const sl_jn_node *n, sl__jv input,
                     sl__jn_frame *env, sl__jv *out)
{
    const sl_jn_list *steps = &n->items;
    sl__jv in = input;
    if (input.type != SL__JV_ARR || steps->items[0]->kind == SL_JN_VARIABLE)
        in = sl__jn_seq1(e, input);
    sl__jv result = sl__jv_undef(), bindings = sl__jv_undef();
    bool tuples = false;
    for (size_t i = 0; i < steps->len; i++) {
        const sl_jn_node *step = steps->items[i];
        if (step->tuple)
            tuples = true;
        int rc;
        if (i == 0 && step->consarray)
            rc = sl__jn_eval(e, step, in, env, &result);
        else if (tuples)
            rc = eval_tuple_step(e, step, in, bindings, env, &bindings);
        else
            rc = eval_step(e, step, in, env, i == steps->len - 1, &result);
        if (rc != 0)
            return -1;
        if (!tuples && empty_result(result))
            break;
        if (!step->focus)
            in = result;
    }
    if (tuples)
        result = n->tuple ? bindings : tuple_values(e, bindings);
    if (n->keep_singleton_array && result.type == SL__JV_ARR) {
        unsigned f = result.u.a->flags;
        if ((f & SL__JA_CONS) && !(f & SL__JA_SEQ))
            result = sl__jn_seq1(e, result);
        result.u.a->flags |= SL__JA_KEEP;
    }
    if (n->group)
        return sl__jn_eval_group(e, n->group, tuples ? bindings : result, env,
                                 out);
    *out = result;
    return 0;
}

/* ---- group-by and object constructors
 * ---------------------------------------------
 */

typedef struct group {
    sl__jv data;
    size_t expr_index;
    bool owned; /* data is an array this grouping made: append in place */
} group;

/* fn.append(group.data, item), amortised: the reference pushes in place,
 * and copying both arrays on every append would make grouping quadratic. */
static void group_append(sl__jn_ev *e, group *gr, sl__jv item)
{
    if (!gr->owned) {
        bool fresh = sl__jv_defined(gr->data) && sl__jv_defined(item);
        gr->data = sl__jn_append(e, gr->data, item);
        gr->owned = fresh;
        return;
    }
    if (item.type != SL__JV_ARR) {
        if (sl__jv_defined(item))
            sl__jarr_push(e, gr->data.u.a, item);
        return;
    }
    for (size_t i = 0; i < item.u.a->len; i++)
        sl__jarr_push(e, gr->data.u.a, item.u.a->items[i]);
}

/* reduceTupleStream: one tuple whose members append the tuples' values. */
static sl__jv reduce_tuples(sl__jn_ev *e, sl__jv stream)
{
    if (stream.type != SL__JV_ARR)
        return stream.type == SL__JV_OBJ
                   ? sl__jv_obj(sl__jobj_copy(e, stream.u.o))
                   : stream;
    sl__jobj *r = sl__jobj_new(e);
    if (stream.u.a->len == 0)
        return sl__jv_obj(r);
    sl__jv first = stream.u.a->items[0];
    if (first.type == SL__JV_OBJ)
        r = sl__jobj_copy(e, first.u.o);
    for (size_t i = 1; i < stream.u.a->len; i++) {
        sl__jv t = stream.u.a->items[i];
        if (t.type != SL__JV_OBJ)
            continue;
        for (size_t k = 0; k < t.u.o->len; k++) {
            const sl__jobj_ent *x = &t.u.o->items[k];
            sl__jv prev = sl__jv_undef();
            sl__jobj_get(r, x->key, x->klen, &prev);
            sl__jobj_set(e, r, x->key, x->klen, sl__jn_append(e, prev, x->val));
        }
    }
    return sl__jv_obj(r);
}

static int group_key(sl__jn_ev *e, const sl_jn_node *g, sl__jv key, bool *skip)
{
    *skip = !sl__jv_defined(key);
    if (*skip)
        return 0;
    if (key.type != SL__JV_STR) {
        sl__jn_throw_v(e, "T1003", key);
        e->err.position = g->position;
        return -1;
    }
    return 0;
}

static int group_items(sl__jn_ev *e, const sl_jn_node *g, sl__jv input,
                       bool reduce, sl__jn_frame *env, sl__jobj *groups,
                       group **data, size_t *n_data)
{
    for (size_t i = 0; i < input.u.a->len; i++) {
        sl__jv item = input.u.a->items[i];
        sl__jn_frame *frame = reduce ? tuple_frame(e, env, item) : env;
        sl__jv context = reduce ? tuple_focus(item) : item;
        for (size_t p = 0; p + 1 < g->items.len; p += 2) {
            sl__jv key, slot;
            bool skip;
            if (sl__jn_eval(e, g->items.items[p], context, frame, &key) != 0 ||
                group_key(e, g, key, &skip) != 0)
                return -1;
            if (skip)
                continue;
            if (sl__jobj_get(groups, key.u.s, key.len, &slot)) {
                group *gr = &(*data)[(size_t)slot.u.n];
                if (gr->expr_index != p / 2) {
                    sl__jn_throw_v(e, "D1009", key);
                    e->err.position = g->position;
                    return -1;
                }
                group_append(e, gr, item);
                continue;
            }
            if ((*n_data & (*n_data - 1)) == 0) {
                group *grown = sl__jn_ev_alloc(e, (*n_data ? *n_data * 2 : 1) *
                                                      sizeof *grown);
                if (*n_data)
                    memcpy(grown, *data, *n_data * sizeof *grown);
                *data = grown;
            }
            (*data)[*n_data].data = item;
            (*data)[*n_data].expr_index = p / 2;
            (*data)[*n_data].owned = false;
            sl__jobj_set(e, groups, key.u.s, key.len,
                         sl__jv_num((double)(*n_data)++));
        }
    }
    return 0;
}

int sl__jn_eval_group(sl__jn_ev *e, const sl_jn_node *g, sl__jv input,
                      sl__jn_frame *env, sl__jv *out)
{
    bool reduce = input.type == SL__JV_ARR && (input.u.a->flags & SL__JA_TUPLE);
    if (input.type != SL__JV_ARR)
        input = sl__jn_seq1(e, input);
    if (input.u.a->len == 0 && !reduce)
        input = sl__jn_seq1(e, sl__jv_undef());
    sl__jobj *groups = sl__jobj_new(e);
    group *data = NULL;
    size_t n_data = 0;
    if (group_items(e, g, input, reduce, env, groups, &data, &n_data) != 0)
        return -1;
    sl__jobj *result = sl__jobj_new(e);
    for (size_t i = 0; i < groups->len; i++) {
        const sl__jobj_ent *x = &groups->items[i];
        group *gr = &data[(size_t)x->val.u.n];
        sl__jv context = gr->data, value;
        sl__jn_frame *frame = env;
        if (reduce) {
            sl__jv tuple = reduce_tuples(e, gr->data);
            context = tuple_focus(tuple);
            if (tuple.type == SL__JV_OBJ)
                sl__jobj_del(tuple.u.o, AT, 1);
            frame = tuple_frame(e, env, tuple);
        }
        const sl_jn_node *expr = g->items.items[gr->expr_index * 2 + 1];
        if (sl__jn_eval(e, expr, context, frame, &value) != 0)
            return -1;
        if (sl__jv_defined(value))
            sl__jobj_set(e, result, x->key, x->klen, value);
    }
    *out = sl__jv_obj(result);
    return 0;
}
