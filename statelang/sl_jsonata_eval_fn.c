/*
 * JSONata functions at evaluation time: lambdas and their closures, calls
 * with eager arguments, the tail-call trampoline, partial application,
 * the ~> operator (application and composition) and transforms, as the
 * reference's evaluateFunction, apply, applyInner, applyProcedure,
 * evaluatePartialApplication and evaluateApplyExpression do them.
 *
 * Invariant: a call whose body ends in a tail call returns a thunk that
 * sl__jn_apply runs in a loop, so tail recursion never deepens the C
 * stack or the evaluation depth.
 */
#include "statelang/sl_jsonata_int.h"

#include <string.h>

static const char CHAIN[] = "function($f, $g) { function($x){ $g($f($x)) } }";

size_t sl__jn_arity(sl__jv fn)
{
    if (fn.type != SL__JV_FN)
        return 0;
    const sl__jfn *f = fn.u.f;
    switch (f->kind) {
    case SL__JF_LAMBDA:
        return f->n_params;
    case SL__JF_NATIVE:
        return (size_t)f->builtin->arity;
    case SL__JF_PARTIAL: {
        size_t holes = 0;
        for (size_t i = 0; i < f->n_bound; i++)
            holes += f->is_hole[i];
        return holes;
    }
    case SL__JF_REGEX:
        return 2;
    case SL__JF_NEXT:
        return 0;
    default:
        return 1; /* transform */
    }
}

/* ---- applying
 * -------------------------------------------------------------------
 */

static int apply_lambda(sl__jn_ev *e, const sl__jfn *f, const sl__jv *args,
                        size_t n, sl__jv *out)
{
    sl__jn_frame *frame = sl__jn_frame_new(e, f->env);
    for (size_t i = 0; i < f->n_params; i++)
        sl__jn_bind(e, frame, f->params[i]->str,
                    i < n ? args[i] : sl__jv_undef());
    return sl__jn_eval(e, f->node->body, f->input, frame, out);
}

static int apply_native(sl__jn_ev *e, const sl__jfn *f, const sl__jv *args,
                        size_t n, sl__jv input, sl__jn_frame *env, sl__jv *out)
{
    sl__jn_call c = {.args = args, .n = n, .input = input, .env = env};
    *out = sl__jv_undef();
    if (f->builtin->impl(e, &c, out) != 0)
        return -1;
    /* a built-in may build a big value in one call ($split, $string):
     * the limit is checked again once it returns */
    return sl__jn_heap_check(e, 0);
}

/* A built-in with bound arguments: the holes take the arguments in order;
 * the reference calls the implementation without validating them. */
static int apply_partial(sl__jn_ev *e, const sl__jfn *f, const sl__jv *args,
                         size_t n, sl__jn_frame *env, sl__jv *out)
{
    sl__jv *all = sl__jn_ev_alloc(e, (f->n_bound + 1) * sizeof *all);
    size_t next = 0;
    for (size_t i = 0; i < f->n_bound; i++) {
        if (!f->is_hole[i])
            all[i] = f->bound[i];
        else
            all[i] = next < n ? args[next++] : sl__jv_undef();
    }
    sl__jn_call c = {
        .args = all, .n = f->n_bound, .input = sl__jv_undef(), .env = env};
    *out = sl__jv_undef();
    if (f->builtin->impl(e, &c, out) != 0)
        return -1;
    /* a built-in may build a big value in one call ($split, $string):
     * the limit is checked again once it returns */
    return sl__jn_heap_check(e, 0);
}

static const sl_jn_sig *fn_signature(sl__jn_ev *e, const sl__jfn *f)
{
    switch (f->kind) {
    case SL__JF_LAMBDA:
        return f->sig;
    case SL__JF_NATIVE:
        return sl__jn_builtin_sig(e, f->builtin);
    case SL__JF_TRANSFORM:
        return sl__jn_builtin_sig(e, NULL); /* <(oa):o> */
    default:
        return NULL;
    }
}

static int apply_inner(sl__jn_ev *e, sl__jv proc, const sl__jv *args, size_t n,
                       sl__jv input, sl__jn_frame *env, sl__jv *out)
{
    if (proc.type != SL__JV_FN)
        return sl__jn_throw(e, "T1006");
    const sl__jfn *f = proc.u.f;
    const sl_jn_sig *sig = fn_signature(e, f);
    sl__jv *validated = (sl__jv *)args;
    size_t nv = n;
    if (sig &&
        sl__jn_sig_validate(e, sig, args, n, input, &validated, &nv) != 0)
        return -1;
    switch (f->kind) {
    case SL__JF_LAMBDA:
        return apply_lambda(e, f, validated, nv, out);
    case SL__JF_NATIVE:
        return apply_native(e, f, validated, nv, input, env, out);
    case SL__JF_PARTIAL:
        return apply_partial(e, f, validated, nv, env, out);
    case SL__JF_REGEX:
        return sl__jn_regex_exec(
            e, proc.u.f, nv > 0 ? validated[0] : sl__jv_undef(),
            nv > 1 && validated[1].type == SL__JV_NUM && validated[1].u.n > 0
                ? (size_t)validated[1].u.n
                : 0,
            out);
    case SL__JF_NEXT:
        return sl__jn_regex_next(e, proc.u.f, out);
    default:
        return sl__jn_transform(e, proc.u.f,
                                nv > 0 ? validated[0] : sl__jv_undef(), out);
    }
}

static bool is_thunk(sl__jv v)
{
    return v.type == SL__JV_FN && v.u.f->kind == SL__JF_LAMBDA && v.u.f->thunk;
}

int sl__jn_apply(sl__jn_ev *e, sl__jv fn, const sl__jv *args, size_t n,
                 sl__jv input, sl__jn_frame *env, sl__jv *out)
{
    sl__jv result;
    if (apply_inner(e, fn, args, n, input, env, &result) != 0)
        return -1;
    while (is_thunk(result)) {
        /* the trampoline: evaluate the tail call's procedure and arguments
         * here, then apply it, instead of recursing */
        const sl__jfn *t = result.u.f;
        const sl_jn_node *call = t->node->body;
        sl__jv next;
        if (sl__jn_eval(e, call->procedure, t->input, t->env, &next) != 0)
            return -1;
        sl__jv *targs =
            sl__jn_ev_alloc(e, (call->items.len + 1) * sizeof *targs);
        for (size_t i = 0; i < call->items.len; i++)
            if (sl__jn_eval(e, call->items.items[i], t->input, t->env,
                            &targs[i]) != 0)
                return -1;
        if (apply_inner(e, next, targs, call->items.len, input, env, &result) !=
            0) {
            sl__jn_err_locate(e, call->position,
                              call->procedure->kind == SL_JN_VARIABLE
                                  ? call->procedure->str
                                  : NULL);
            return -1;
        }
    }
    *out = result;
    return 0;
}

int sl__jn_invoke(sl__jn_ev *e, sl__jv fn, const sl__jv *args, size_t n,
                  sl__jn_frame *env, sl__jv *out)
{
    return sl__jn_apply(e, fn, args, n, sl__jv_null(), env, out);
}

/* ---- calls
 * -----------------------------------------------------------------------
 */

/* The name the reference reports for a call's procedure. */
static const char *proc_name(const sl_jn_node *procedure)
{
    if (procedure->kind == SL_JN_PATH)
        return procedure->items.items[0]->str;
    return procedure->str;
}

/* T1005/T1007: the user probably forgot the '$' of a function name. */
static bool forgot_dollar(sl__jn_ev *e, const sl_jn_node *procedure,
                          sl__jn_frame *env)
{
    if (procedure->kind != SL_JN_PATH)
        return false;
    const char *name = procedure->items.items[0]->str;
    sl__jv v;
    return name && sl__jn_lookup(e, env, name, &v) && sl__jv_defined(v);
}

static int eval_call(sl__jn_ev *e, const sl_jn_node *n, sl__jv input,
                     sl__jn_frame *env, const sl__jv *applyto, sl__jv *out)
{
    sl__jv proc;
    if (sl__jn_eval(e, n->procedure, input, env, &proc) != 0)
        return -1;
    if (!sl__jv_defined(proc) && forgot_dollar(e, n->procedure, env))
        return sl__jn_throw_at(e, "T1005", n->position,
                               proc_name(n->procedure));
    size_t nargs = n->items.len + (applyto ? 1 : 0);
    sl__jv *args = sl__jn_ev_alloc(e, (nargs + 1) * sizeof *args);
    size_t k = 0;
    if (applyto)
        args[k++] = *applyto;
    for (size_t i = 0; i < n->items.len; i++)
        if (sl__jn_eval(e, n->items.items[i], input, env, &args[k++]) != 0)
            return -1;
    if (sl__jn_apply(e, proc, args, nargs, input, env, out) != 0) {
        sl__jn_err_locate(e, n->position, proc_name(n->procedure));
        return -1;
    }
    return 0;
}

static sl__jfn *lambda_new(sl__jn_ev *e, const sl_jn_node *n, sl__jv input,
                           sl__jn_frame *env)
{
    sl__jfn *f = sl__jn_ev_alloc(e, sizeof *f);
    f->kind = SL__JF_LAMBDA;
    f->node = n;
    f->params = (const sl_jn_node *const *)n->items.items;
    f->n_params = n->items.len;
    f->sig = n->signature;
    f->input = input;
    f->env = env;
    f->thunk = n->thunk;
    return f;
}

static bool is_placeholder(const sl_jn_node *arg)
{
    return arg->kind == SL_JN_PLACEHOLDER;
}

static int partial_lambda(sl__jn_ev *e, const sl__jfn *proc,
                          const sl_jn_node *n, const sl__jv *args,
                          sl__jn_frame *env, sl__jv *out)
{
    sl__jfn *f = sl__jn_ev_alloc(e, sizeof *f);
    *f = *proc;
    f->sig = NULL;
    f->thunk = false;
    f->env = sl__jn_frame_new(e, proc->env ? proc->env : env);
    const sl_jn_node **unbound =
        sl__jn_ev_alloc(e, (proc->n_params + 1) * sizeof *unbound);
    size_t nu = 0;
    for (size_t i = 0; i < proc->n_params; i++) {
        bool hole = i < n->items.len && is_placeholder(n->items.items[i]);
        if (hole)
            unbound[nu++] = proc->params[i];
        else
            sl__jn_bind(e, f->env, proc->params[i]->str,
                        i < n->items.len ? args[i] : sl__jv_undef());
    }
    f->params = unbound;
    f->n_params = nu;
    *out = sl__jv_fn(f);
    return 0;
}

static int partial_native(sl__jn_ev *e, const sl__jfn *proc,
                          const sl_jn_node *n, const sl__jv *args, sl__jv *out)
{
    const sl__jn_builtin *b = proc->builtin;
    sl__jfn *f = sl__jn_ev_alloc(e, sizeof *f);
    size_t np = (size_t)b->nparams;
    f->kind = SL__JF_PARTIAL;
    f->builtin = b;
    f->n_bound = np;
    f->bound = sl__jn_ev_alloc(e, (np + 1) * sizeof *f->bound);
    f->is_hole = sl__jn_ev_alloc(e, np + 1);
    for (size_t i = 0; i < np; i++) {
        f->is_hole[i] = i < n->items.len && is_placeholder(n->items.items[i]);
        if (!f->is_hole[i] && i < n->items.len)
            f->bound[i] = args[i];
    }
    *out = sl__jv_fn(f);
    return 0;
}

/* A partially applied built-in is a lambda in the reference: its
 * remaining parameters bind in order; those not given bind undefined. */
static int partial_again(sl__jn_ev *e, const sl__jfn *proc, const sl_jn_node *n,
                         const sl__jv *args, sl__jv *out)
{
    sl__jfn *f = sl__jn_ev_alloc(e, sizeof *f);
    *f = *proc;
    f->bound = sl__jn_ev_alloc(e, (f->n_bound + 1) * sizeof *f->bound);
    f->is_hole = sl__jn_ev_alloc(e, f->n_bound + 1);
    size_t k = 0;
    for (size_t i = 0; i < f->n_bound; i++) {
        f->bound[i] = proc->bound[i];
        if (!proc->is_hole[i])
            continue;
        f->is_hole[i] = k < n->items.len && is_placeholder(n->items.items[k]);
        f->bound[i] =
            !f->is_hole[i] && k < n->items.len ? args[k] : sl__jv_undef();
        k++;
    }
    *out = sl__jv_fn(f);
    return 0;
}

static int eval_partial(sl__jn_ev *e, const sl_jn_node *n, sl__jv input,
                        sl__jn_frame *env, sl__jv *out)
{
    sl__jv *args = sl__jn_ev_alloc(e, (n->items.len + 1) * sizeof *args);
    for (size_t i = 0; i < n->items.len; i++) {
        const sl_jn_node *arg = n->items.items[i];
        if (!is_placeholder(arg) &&
            sl__jn_eval(e, arg, input, env, &args[i]) != 0)
            return -1;
    }
    sl__jv proc;
    if (sl__jn_eval(e, n->procedure, input, env, &proc) != 0)
        return -1;
    if (!sl__jv_defined(proc) && forgot_dollar(e, n->procedure, env))
        return sl__jn_throw_at(e, "T1007", n->position,
                               proc_name(n->procedure));
    if (proc.type == SL__JV_FN && proc.u.f->kind == SL__JF_LAMBDA)
        return partial_lambda(e, proc.u.f, n, args, env, out);
    if (proc.type == SL__JV_FN && proc.u.f->kind == SL__JF_NATIVE)
        return partial_native(e, proc.u.f, n, args, out);
    if (proc.type == SL__JV_FN && proc.u.f->kind == SL__JF_PARTIAL)
        return partial_again(e, proc.u.f, n, args, out);
    return sl__jn_throw_at(e, "T1008", n->position, proc_name(n->procedure));
}

/* f ~> g where both are functions: the reference's chain lambda. */
static int chain(sl__jn_ev *e, sl__jv f, sl__jv g, sl__jn_frame *env,
                 sl__jv *out)
{
    sl__jv composer;
    sl_jsonata_error perr;
    if (sl__jn_eval_text(e, CHAIN, sizeof CHAIN - 1, sl__jv_null(), env,
                         &composer, &perr) != 0)
        return -1;
    sl__jv args[2] = {f, g};
    return sl__jn_apply(e, composer, args, 2, sl__jv_null(), env, out);
}

static int eval_apply(sl__jn_ev *e, const sl_jn_node *n, sl__jv input,
                      sl__jn_frame *env, sl__jv *out)
{
    sl__jv lhs, func;
    if (sl__jn_eval(e, n->lhs, input, env, &lhs) != 0)
        return -1;
    if (n->rhs->kind == SL_JN_FUNCTION)
        return eval_call(e, n->rhs, input, env, &lhs, out);
    if (sl__jn_eval(e, n->rhs, input, env, &func) != 0)
        return -1;
    if (func.type != SL__JV_FN) {
        sl__jn_throw_v(e, "T2006", func);
        e->err.position = n->position;
        return -1;
    }
    if (lhs.type == SL__JV_FN)
        return chain(e, lhs, func, env, out);
    return sl__jn_apply(e, func, &lhs, 1, sl__jv_null(), env, out);
}

int sl__jn_eval_fn_node(sl__jn_ev *e, const sl_jn_node *n, sl__jv input,
                        sl__jn_frame *env, sl__jv *out)
{
    switch (n->kind) {
    case SL_JN_FUNCTION:
        return eval_call(e, n, input, env, NULL, out);
    case SL_JN_PARTIAL:
        return eval_partial(e, n, input, env, out);
    case SL_JN_LAMBDA:
        *out = sl__jv_fn(lambda_new(e, n, input, env));
        return 0;
    case SL_JN_APPLY:
        return eval_apply(e, n, input, env, out);
    case SL_JN_TRANSFORM: {
        sl__jfn *f = sl__jn_ev_alloc(e, sizeof *f);
        f->kind = SL__JF_TRANSFORM;
        f->node = n;
        f->env = env;
        *out = sl__jv_fn(f);
        return 0;
    }
    default:
        *out = sl__jv_undef();
        return 0;
    }
}

/* ---- transforms
 * ----------------------------------------------------------------------
 */

static int transform_delete(sl__jn_ev *e, const sl_jn_node *del, sl__jv match,
                            sl__jn_frame *env)
{
    sl__jv deletions;
    if (sl__jn_eval(e, del, match, env, &deletions) != 0)
        return -1;
    if (!sl__jv_defined(deletions))
        return 0;
    sl__jv list = deletions;
    if (list.type != SL__JV_ARR)
        list = sl__jn_seq1(e, list);
    for (size_t i = 0; i < list.u.a->len; i++) {
        if (list.u.a->items[i].type != SL__JV_STR) {
            sl__jn_throw_v(e, "T2012", deletions);
            e->err.position = del->position;
            return -1;
        }
    }
    if (match.type != SL__JV_OBJ)
        return 0;
    for (size_t i = 0; i < list.u.a->len; i++)
        sl__jobj_del(match.u.o, list.u.a->items[i].u.s, list.u.a->items[i].len);
    return 0;
}

static int transform_match(sl__jn_ev *e, const sl_jn_node *t, sl__jv match,
                           sl__jn_frame *env)
{
    sl__jv update;
    if (sl__jn_eval(e, t->update, match, env, &update) != 0)
        return -1;
    if (sl__jv_defined(update)) {
        if (update.type != SL__JV_OBJ) {
            sl__jn_throw_v(e, "T2011", update);
            e->err.position = t->update->position;
            return -1;
        }
        for (size_t k = 0; k < update.u.o->len && match.type == SL__JV_OBJ; k++)
            sl__jobj_set(e, match.u.o, update.u.o->items[k].key,
                         update.u.o->items[k].klen, update.u.o->items[k].val);
    }
    if (t->del)
        return transform_delete(e, t->del, match, env);
    return 0;
}

int sl__jn_transform(sl__jn_ev *e, sl__jfn *fn, sl__jv obj, sl__jv *out)
{
    const sl_jn_node *t = fn->node;
    *out = sl__jv_undef();
    if (!sl__jv_defined(obj))
        return 0;
    sl__jv clone, result, matches;
    sl__jn_lookup(e, fn->env, "clone", &clone);
    if (clone.type != SL__JV_FN)
        return sl__jn_throw_at(e, "T2013", t->position, NULL);
    if (sl__jn_apply(e, clone, &obj, 1, sl__jv_null(), fn->env, &result) != 0)
        return -1;
    if (sl__jn_eval(e, t->pattern, result, fn->env, &matches) != 0)
        return -1;
    if (sl__jv_defined(matches)) {
        if (matches.type != SL__JV_ARR)
            matches = sl__jn_seq1(e, matches);
        for (size_t i = 0; i < matches.u.a->len; i++)
            if (transform_match(e, t, matches.u.a->items[i], fn->env) != 0)
                return -1;
    }
    *out = result;
    return 0;
}

/* ---- text evaluated during an evaluation
 * ------------------------------------------------
 */

int sl__jn_eval_text(sl__jn_ev *e, const char *text, size_t len, sl__jv input,
                     sl__jn_frame *env, sl__jv *out, sl_jsonata_error *perr)
{
    sl_jsonata *expr = NULL;
    if (sl_jsonata_parse(text, len, &expr, perr) != 0)
        return 1;
    if (e->n_owned == e->cap_owned) {
        e->cap_owned = e->cap_owned ? e->cap_owned * 2 : 4;
        e->owned = bt_xrealloc(e->owned, e->cap_owned * sizeof *e->owned);
    }
    e->owned[e->n_owned++] = expr;
    return sl__jn_eval(e, sl_jsonata_root(expr), input, env, out);
}
