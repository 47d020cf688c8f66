/*
 * JSONata post-processing: turns the raw parse tree into the AST the
 * evaluator runs, as the reference's processAST does. Location paths become
 * flat lists of steps; [..] becomes predicates (on an expression) or stages
 * (on a path step); {..} after a step becomes its group-by; ^(..) becomes a
 * sort step; @ and # become focus and index bindings on a step; every %
 * gets a slot that is resolved to the step it refers to; calls in tail
 * position of a lambda body are wrapped as thunks.
 *
 * Invariant: recursion follows the raw tree and is counted against
 * SL_JSONATA_MAX_DEPTH; slots are shared objects (as in the reference,
 * where several nodes hold the same slot and mutate its level and label).
 */
#include "statelang/sl_jsonata_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct ctx {
    sl__jn_arena *arena;
    sl_jsonata_error *err;
    int next_label;       /* the reference's ancestorLabel */
    sl_jn_slots ancestry; /* the slot of each %, by slot index */
    int depth;
} ctx;

static sl_jn_node *process(ctx *c, const sl__jn_raw *r);

static sl_jn_node *node_new(ctx *c, sl_jn_kind kind, int position)
{
    sl_jn_node *n = sl__jn_alloc(c->arena, sizeof *n);
    n->kind = kind;
    n->position = position;
    return n;
}

static sl_jn_node *path_new(ctx *c, sl_jn_node *first)
{
    sl_jn_node *path = node_new(c, SL_JN_PATH, -1);
    SL__JN_PUSH(c->arena, &path->items, first);
    return path;
}

static sl_jn_node *last_item(const sl_jn_node *n)
{
    return n->items.items[n->items.len - 1];
}

static sl_jn_slots *slots_new(ctx *c)
{
    return sl__jn_alloc(c->arena, sizeof(sl_jn_slots));
}

static sl_jn_node *fail(ctx *c, const char *code, int position,
                        const char *token, const char *value)
{
    sl__jn_fail(c->err, code, position, token, value);
    return NULL;
}

/* ---- parent (%) resolution -------------------------------------------------
 */

/* Collects the unresolved % slots of value into result (sharing value's
 * list when result has none, as the reference shares the array). */
static void push_ancestry(ctx *c, sl_jn_node *result, sl_jn_node *value)
{
    if (!value->seeking_parent && value->kind != SL_JN_PARENT)
        return;
    sl_jn_slots *slots =
        value->seeking_parent ? value->seeking_parent : slots_new(c);
    if (value->kind == SL_JN_PARENT)
        SL__JN_PUSH(c->arena, slots, value->slot);
    if (!result->seeking_parent) {
        result->seeking_parent = slots;
        return;
    }
    size_t n = slots->len;
    for (size_t i = 0; i < n; i++)
        SL__JN_PUSH(c->arena, result->seeking_parent, slots->items[i]);
}

/* Walks one step up from node for slot; when the slot's level reaches 0 the
 * node (a name or wildcard step) is the ancestor the % refers to. */
static bool seek_parent(ctx *c, sl_jn_node *node, sl_jn_slot *slot)
{
    switch (node->kind) {
    case SL_JN_NAME:
    case SL_JN_WILDCARD:
        if (--slot->level == 0) {
            if (node->ancestor)
                c->ancestry.items[slot->index]->label = node->ancestor->label;
            node->ancestor = slot;
            node->tuple = true;
        }
        return true;
    case SL_JN_PARENT:
        slot->level++;
        return true;
    case SL_JN_BLOCK:
        if (node->items.len == 0)
            return true;
        node->tuple = true;
        return seek_parent(c, last_item(node), slot);
    case SL_JN_PATH: {
        node->tuple = true;
        size_t i = node->items.len;
        if (!seek_parent(c, node->items.items[--i], slot))
            return false;
        while (slot->level > 0 && i > 0)
            if (!seek_parent(c, node->items.items[--i], slot))
                return false;
        return true;
    }
    default:
        fail(c, "S0217", node->position, sl_jn_kind_type(node->kind), NULL);
        return false;
    }
}

static bool has_focus(const sl_jn_node *step)
{
    return step->focus && step->focus[0] != '\0';
}

/* Resolves the % slots of a path's last step against the earlier steps;
 * slots that reach past the first step stay on the path for an enclosing
 * path to resolve. */
static bool resolve_ancestry(ctx *c, sl_jn_node *path)
{
    sl_jn_node *last = last_item(path);
    sl_jn_slots *slots =
        last->seeking_parent ? last->seeking_parent : slots_new(c);
    if (last->kind == SL_JN_PARENT)
        SL__JN_PUSH(c->arena, slots, last->slot);
    for (size_t is = 0; is < slots->len; is++) {
        sl_jn_slot *slot = slots->items[is];
        size_t i = path->items.len - 1; /* steps before the last */
        while (slot->level > 0) {
            if (i == 0) {
                if (!path->seeking_parent)
                    path->seeking_parent = slots_new(c);
                SL__JN_PUSH(c->arena, path->seeking_parent, slot);
                break;
            }
            sl_jn_node *step = path->items.items[--i];
            /* contiguous steps that bind the focus count as one */
            while (i > 0 && has_focus(step) &&
                   has_focus(path->items.items[i - 1]))
                step = path->items.items[--i];
            if (!seek_parent(c, step, slot))
                return false;
        }
    }
    return true;
}

/* ---- paths, predicates, bindings ------------------------------------------
 */

static bool check_steps(ctx *c, sl_jn_node *path)
{
    for (size_t i = 0; i < path->items.len; i++) {
        sl_jn_node *step = path->items.items[i];
        if (step->kind == SL_JN_NUMBER || step->kind == SL_JN_VALUE) {
            bt_buf value;
            bt_buf_init(&value);
            if (step->kind == SL_JN_NUMBER)
                sl__jn_format_number(&value, step->number);
            else
                bt_buf_puts(&value, step->value == SL_JN_TRUE    ? "true"
                                    : step->value == SL_JN_FALSE ? "false"
                                                                 : "null");
            fail(c, "S0213", step->position, NULL, value.data);
            bt_buf_fini(&value);
            return false;
        }
        if (step->kind == SL_JN_STRING)
            step->kind = SL_JN_NAME; /* "a b".c names the field a b */
    }
    return true;
}

/* lhs.rhs: one flat path. */
static sl_jn_node *process_dot(ctx *c, const sl__jn_raw *r)
{
    sl_jn_node *lstep = process(c, r->lhs);
    if (!lstep)
        return NULL;
    sl_jn_node *result = lstep->kind == SL_JN_PATH ? lstep : path_new(c, lstep);
    if (lstep->kind == SL_JN_PARENT) {
        result->seeking_parent = slots_new(c);
        SL__JN_PUSH(c->arena, result->seeking_parent, lstep->slot);
    }
    sl_jn_node *rest = process(c, r->rhs);
    if (!rest)
        return NULL;
    if (rest->kind == SL_JN_PATH) {
        for (size_t i = 0; i < rest->items.len; i++)
            SL__JN_PUSH(c->arena, &result->items, rest->items.items[i]);
    } else {
        if (rest->predicate.len > 0) {
            rest->stages = rest->predicate;
            memset(&rest->predicate, 0, sizeof rest->predicate);
        }
        SL__JN_PUSH(c->arena, &result->items, rest);
    }
    if (!check_steps(c, result))
        return NULL;
    for (size_t i = 0; i < result->items.len; i++)
        if (result->items.items[i]->keep_array)
            result->keep_singleton_array = true;
    if (result->items.items[0]->kind == SL_JN_ARRAY)
        result->items.items[0]->consarray = true;
    if (last_item(result)->kind == SL_JN_ARRAY)
        last_item(result)->consarray = true;
    return resolve_ancestry(c, result) ? result : NULL;
}

/* lhs[expr]: a predicate on an expression, or a stage on a path's last
 * step. */
static sl_jn_node *process_filter(ctx *c, const sl__jn_raw *r)
{
    sl_jn_node *result = process(c, r->lhs);
    if (!result)
        return NULL;
    bool on_path = result->kind == SL_JN_PATH;
    sl_jn_node *step = on_path ? last_item(result) : result;
    if (step->group)
        return fail(c, "S0209", r->position, NULL, NULL);
    sl_jn_node *predicate = process(c, r->rhs);
    if (!predicate)
        return NULL;
    if (predicate->seeking_parent) {
        sl_jn_slots *slots = predicate->seeking_parent;
        for (size_t i = 0; i < slots->len; i++) {
            if (slots->items[i]->level != 1)
                slots->items[i]->level--;
            else if (!seek_parent(c, step, slots->items[i]))
                return NULL;
        }
        push_ancestry(c, step, predicate);
    }
    sl_jn_node *filter = node_new(c, SL_JN_FILTER, r->position);
    filter->expr = predicate;
    SL__JN_PUSH(c->arena, on_path ? &step->stages : &step->predicate, filter);
    return result;
}

/* lhs{key: value, ...}: group-by. */
static sl_jn_node *process_group(ctx *c, const sl__jn_raw *r)
{
    sl_jn_node *result = process(c, r->lhs);
    if (!result)
        return NULL;
    if (result->group)
        return fail(c, "S0210", r->position, NULL, NULL);
    sl_jn_node *group = node_new(c, SL_JN_GROUP, r->position);
    for (size_t i = 0; i < r->items.len; i++) {
        sl_jn_node *part = process(c, r->items.items[i]);
        if (!part)
            return NULL;
        SL__JN_PUSH(c->arena, &group->items, part);
    }
    result->group = group;
    return result;
}

/* lhs^(terms): a sort step appended to a path. */
static sl_jn_node *process_sort(ctx *c, const sl__jn_raw *r)
{
    sl_jn_node *result = process(c, r->lhs);
    if (!result)
        return NULL;
    if (result->kind != SL_JN_PATH)
        result = path_new(c, result);
    sl_jn_node *sort = node_new(c, SL_JN_SORT, r->position);
    for (size_t i = 0; i < r->items.len; i++) {
        const sl__jn_raw *rt = r->items.items[i];
        sl_jn_node *e = process(c, rt->expr);
        if (!e)
            return NULL;
        push_ancestry(c, sort, e);
        sl_jn_node *term = node_new(c, SL_JN_SORT_TERM, -1);
        term->expr = e;
        term->descending = rt->descending;
        SL__JN_PUSH(c->arena, &sort->items, term);
    }
    SL__JN_PUSH(c->arena, &result->items, sort);
    return resolve_ancestry(c, result) ? result : NULL;
}

/* lhs@$var: binds the focus of a step. */
static sl_jn_node *process_focus(ctx *c, const sl__jn_raw *r)
{
    sl_jn_node *result = process(c, r->lhs);
    if (!result)
        return NULL;
    sl_jn_node *step = result->kind == SL_JN_PATH ? last_item(result) : result;
    if (step->stages.len > 0 || step->predicate.len > 0)
        return fail(c, "S0215", r->position, NULL, NULL);
    if (step->kind == SL_JN_SORT)
        return fail(c, "S0216", r->position, NULL, NULL);
    if (r->keep_array)
        step->keep_array = true;
    step->focus = r->rhs->str;
    step->tuple = true;
    return result;
}

/* lhs#$var: binds the position of a step (a stage when the step already
 * has stages, so that it counts after the filters before it). */
static sl_jn_node *process_index(ctx *c, const sl__jn_raw *r)
{
    sl_jn_node *result = process(c, r->lhs);
    if (!result)
        return NULL;
    sl_jn_node *step = result;
    if (result->kind == SL_JN_PATH) {
        step = last_item(result);
    } else {
        result = path_new(c, step);
        if (step->predicate.len > 0) {
            step->stages = step->predicate;
            memset(&step->predicate, 0, sizeof step->predicate);
        }
    }
    if (step->stages.len == 0) {
        step->index = r->rhs->str;
    } else {
        sl_jn_node *stage = node_new(c, SL_JN_INDEX, r->position);
        stage->str = r->rhs->str;
        stage->str_len = r->rhs->len;
        SL__JN_PUSH(c->arena, &step->stages, stage);
    }
    step->tuple = true;
    return result;
}

static sl_jn_node *process_binary(ctx *c, const sl__jn_raw *r)
{
    switch (r->op) {
    case SL_JN_OP_DOT:
        return process_dot(c, r);
    case SL_JN_OP_LBRACKET:
        return process_filter(c, r);
    case SL_JN_OP_LBRACE:
        return process_group(c, r);
    case SL_JN_OP_CARET:
        return process_sort(c, r);
    case SL_JN_OP_AT:
        return process_focus(c, r);
    case SL_JN_OP_HASH:
        return process_index(c, r);
    default:
        break;
    }
    sl_jn_kind kind = r->op == SL_JN_OP_BIND    ? SL_JN_BIND
                      : r->op == SL_JN_OP_CHAIN ? SL_JN_APPLY
                                                : SL_JN_BINARY;
    sl_jn_node *n = node_new(c, kind, r->position);
    n->op = kind == SL_JN_BINARY ? r->op : SL_JN_OP_NONE;
    n->lhs = process(c, r->lhs);
    n->rhs = n->lhs ? process(c, r->rhs) : NULL;
    if (!n->rhs)
        return NULL;
    if (kind == SL_JN_APPLY) {
        n->keep_array = n->lhs->keep_array || n->rhs->keep_array;
        return n;
    }
    if (kind == SL_JN_BINARY)
        push_ancestry(c, n, n->lhs);
    push_ancestry(c, n, n->rhs); /* := collects only its value's */
    return n;
}

/* ---- everything else ----------------------------------------------------- */

/* Processes each raw item into list, collecting % slots into owner. */
static bool process_items(ctx *c, const sl__jn_rlist *raw, sl_jn_list *list,
                          sl_jn_node *owner)
{
    for (size_t i = 0; i < raw->len; i++) {
        sl_jn_node *part = process(c, raw->items[i]);
        if (!part)
            return false;
        push_ancestry(c, owner, part);
        SL__JN_PUSH(c->arena, list, part);
    }
    return true;
}

static sl_jn_node *process_unary(ctx *c, const sl__jn_raw *r)
{
    if (r->op == SL_JN_OP_LBRACKET || r->op == SL_JN_OP_LBRACE) {
        sl_jn_kind kind =
            r->op == SL_JN_OP_LBRACKET ? SL_JN_ARRAY : SL_JN_OBJECT;
        sl_jn_node *n = node_new(c, kind, r->position);
        return process_items(c, &r->items, &n->items, n) ? n : NULL;
    }
    sl_jn_node *e = process(c, r->expr);
    if (!e)
        return NULL;
    if (e->kind == SL_JN_NUMBER) {
        e->number = -e->number; /* a negative literal */
        return e;
    }
    sl_jn_node *n = node_new(c, SL_JN_NEGATE, r->position);
    n->expr = e;
    push_ancestry(c, n, e);
    return n;
}

static sl_jn_node *process_call(ctx *c, const sl__jn_raw *r)
{
    sl_jn_kind kind =
        r->type == SL__JN_R_PARTIAL ? SL_JN_PARTIAL : SL_JN_FUNCTION;
    sl_jn_node *n = node_new(c, kind, r->position);
    if (!process_items(c, &r->items, &n->items, n))
        return NULL;
    n->procedure = process(c, r->lhs);
    return n->procedure ? n : NULL;
}

/* A call in tail position of a lambda body becomes a thunk, which the
 * evaluator runs in a loop instead of growing its stack. */
static sl_jn_node *tail_call(ctx *c, sl_jn_node *e)
{
    switch (e->kind) {
    case SL_JN_FUNCTION:
        if (e->predicate.len == 0) {
            sl_jn_node *thunk = node_new(c, SL_JN_LAMBDA, e->position);
            thunk->thunk = true;
            thunk->body = e;
            return thunk;
        }
        return e;
    case SL_JN_CONDITION:
        e->then = tail_call(c, e->then);
        if (e->otherwise)
            e->otherwise = tail_call(c, e->otherwise);
        return e;
    case SL_JN_COALESCE:
    case SL_JN_DEFAULT:
        e->rhs = tail_call(c, e->rhs);
        return e;
    case SL_JN_BLOCK:
        if (e->items.len > 0)
            e->items.items[e->items.len - 1] = tail_call(c, last_item(e));
        return e;
    default:
        return e;
    }
}

static sl_jn_node *copy_leaf(ctx *c, sl_jn_kind kind, const sl__jn_raw *r)
{
    sl_jn_node *n = node_new(c, kind, r->position);
    n->str = r->str;
    n->str_len = r->len;
    n->number = r->number;
    n->value = r->value;
    n->regex_flags = r->regex_flags;
    n->keep_array = r->keep_array;
    return n;
}

static sl_jn_node *process_lambda(ctx *c, const sl__jn_raw *r)
{
    sl_jn_node *n = node_new(c, SL_JN_LAMBDA, r->position);
    for (size_t i = 0; i < r->items.len; i++)
        SL__JN_PUSH(c->arena, &n->items,
                    copy_leaf(c, SL_JN_VARIABLE, r->items.items[i]));
    n->signature = r->signature;
    sl_jn_node *body = process(c, r->expr);
    if (!body)
        return NULL;
    n->body = tail_call(c, body);
    return n;
}

/* Processes raw into *out and collects its % slots into owner (unless
 * owner is NULL). */
static bool process_part(ctx *c, const sl__jn_raw *raw, sl_jn_node **out,
                         sl_jn_node *owner)
{
    *out = process(c, raw);
    if (*out && owner)
        push_ancestry(c, owner, *out);
    return *out != NULL;
}

static sl_jn_node *process_condition(ctx *c, const sl__jn_raw *r)
{
    sl_jn_node *n = node_new(c, SL_JN_CONDITION, r->position);
    if (r->type != SL__JN_R_CONDITION) {
        n->kind = r->type == SL__JN_R_COALESCE ? SL_JN_COALESCE : SL_JN_DEFAULT;
        bool ok = process_part(c, r->lhs, &n->lhs, n) &&
                  process_part(c, r->rhs, &n->rhs, n);
        return ok ? n : NULL;
    }
    bool ok =
        process_part(c, r->lhs, &n->condition, n) &&
        process_part(c, r->then, &n->then, n) &&
        (!r->otherwise || process_part(c, r->otherwise, &n->otherwise, n));
    return ok ? n : NULL;
}

static sl_jn_node *process_transform(ctx *c, const sl__jn_raw *r)
{
    sl_jn_node *n = node_new(c, SL_JN_TRANSFORM, r->position);
    bool ok = process_part(c, r->lhs, &n->pattern, NULL) &&
              process_part(c, r->rhs, &n->update, NULL) &&
              (!r->del || process_part(c, r->del, &n->del, NULL));
    return ok ? n : NULL;
}

static sl_jn_node *process_block(ctx *c, const sl__jn_raw *r)
{
    sl_jn_node *n = node_new(c, SL_JN_BLOCK, r->position);
    if (!process_items(c, &r->items, &n->items, n))
        return NULL;
    for (size_t i = 0; i < n->items.len; i++) {
        const sl_jn_node *part = n->items.items[i];
        if (part->consarray ||
            (part->kind == SL_JN_PATH && part->items.items[0]->consarray))
            n->consarray = true;
    }
    return n;
}

static sl_jn_node *process_name(ctx *c, const sl__jn_raw *r, sl_jn_kind kind)
{
    sl_jn_node *name = copy_leaf(c, kind, r);
    if (r->type == SL__JN_R_OPERATOR) {
        /* and, or, in where an operand belongs are field names */
        name->str = sl__jn_strndup(c->arena, sl_jn_op_text(r->op),
                                   strlen(sl_jn_op_text(r->op)));
        name->str_len = strlen(name->str);
    }
    sl_jn_node *path = path_new(c, name);
    path->keep_singleton_array = r->keep_array;
    return path;
}

static sl_jn_node *process_parent(ctx *c)
{
    sl_jn_node *n = node_new(c, SL_JN_PARENT, -1); /* none in the reference */
    n->slot = sl__jn_alloc(c->arena, sizeof *n->slot);
    n->slot->label = c->next_label++;
    n->slot->level = 1;
    n->slot->index = (int)c->ancestry.len;
    SL__JN_PUSH(c->arena, &c->ancestry, n->slot);
    return n;
}

static sl_jn_node *process_operator(ctx *c, const sl__jn_raw *r)
{
    switch (r->op) {
    case SL_JN_OP_AND:
    case SL_JN_OP_OR:
    case SL_JN_OP_IN:
        return process_name(c, r, SL_JN_NAME);
    case SL_JN_OP_QUESTION:
        return copy_leaf(c, SL_JN_PLACEHOLDER, r); /* partial application */
    default:
        return fail(c, "S0201", r->position, sl_jn_op_text(r->op), NULL);
    }
}

static sl_jn_node *process_kind(ctx *c, const sl__jn_raw *r)
{
    switch (r->type) {
    case SL__JN_R_BINARY:
        return process_binary(c, r);
    case SL__JN_R_UNARY:
        return process_unary(c, r);
    case SL__JN_R_FUNCTION:
    case SL__JN_R_PARTIAL:
        return process_call(c, r);
    case SL__JN_R_LAMBDA:
        return process_lambda(c, r);
    case SL__JN_R_CONDITION:
    case SL__JN_R_COALESCE:
    case SL__JN_R_DEFAULT:
        return process_condition(c, r);
    case SL__JN_R_TRANSFORM:
        return process_transform(c, r);
    case SL__JN_R_BLOCK:
        return process_block(c, r);
    case SL__JN_R_NAME:
        return process_name(c, r, SL_JN_NAME);
    case SL__JN_R_PARENT:
        return process_parent(c);
    case SL__JN_R_STRING:
        return copy_leaf(c, SL_JN_STRING, r);
    case SL__JN_R_NUMBER:
        return copy_leaf(c, SL_JN_NUMBER, r);
    case SL__JN_R_VALUE:
        return copy_leaf(c, SL_JN_VALUE, r);
    case SL__JN_R_WILDCARD:
        return copy_leaf(c, SL_JN_WILDCARD, r);
    case SL__JN_R_DESCENDANT:
        return copy_leaf(c, SL_JN_DESCENDANT, r);
    case SL__JN_R_VARIABLE:
        return copy_leaf(c, SL_JN_VARIABLE, r);
    case SL__JN_R_REGEX:
        return copy_leaf(c, SL_JN_REGEX, r);
    case SL__JN_R_OPERATOR:
        return process_operator(c, r);
    case SL__JN_R_END:
        return fail(c, "S0207", r->position, "(end)", NULL);
    default:
        return fail(c, "S0206", r->position, NULL, NULL);
    }
}

static sl_jn_node *process(ctx *c, const sl__jn_raw *r)
{
    if (++c->depth > SL_JSONATA_MAX_DEPTH)
        return fail(c, SL_JSONATA_ELIMIT, r->position, NULL,
                    "nesting deeper than the parser allows");
    sl_jn_node *n = process_kind(c, r);
    c->depth--;
    if (n && r->keep_array)
        n->keep_array = true;
    return n;
}

int sl__jn_process(const sl__jn_raw *raw, sl__jn_arena *arena,
                   sl_jsonata_error *err, sl_jn_node **out)
{
    ctx c = {.arena = arena, .err = err};
    sl_jn_node *n = process(&c, raw);
    if (!n)
        return BT_EPARSE;
    if (n->kind == SL_JN_PARENT || n->seeking_parent)
        return sl__jn_fail(err, "S0217", n->position, sl_jn_kind_type(n->kind),
                           NULL);
    *out = n;
    return 0;
}
