/*
 * Data flow through one state (reference §3.1 and §10.4): effective input,
 * result processing, output, Choice selection, Wait instants, Fail errors,
 * Map items. Pure functions of the state, its input and the sl_ctx.
 *
 * Values are shared, never mutated: literals from the definition and
 * sub-trees of inputs are handed out by reference (json_object_get), and
 * every function that changes a document (ResultPath) works on a copy.
 */
#include "statelang/statelang_int.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "statelang/sl_choice_int.h"

/* ---- errors with AWS's runtime prefix
 * ----------------------------------------- */

void sl__runtime_error(const sl_ctx *c, sl_error *err, const char *name,
                       const char *fmt, ...)
{
    bt_buf b;
    bt_buf_init(&b);
    bt_buf_printf(&b,
                  "An error occurred while executing the state '%s' (entered "
                  "at the event id #%lld). ",
                  c->state_name ? c->state_name : "",
                  (long long)c->entered_event_id);
    va_list ap;
    va_start(ap, fmt);
    bt_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    sl_error_set(err, name, b.data);
    bt_buf_fini(&b);
}

static bool var_lookup(void *ud, const char *name, json_object **value)
{
    const sl_ctx *c = ud;
    return c->var && c->var(c->var_ud, name, value);
}

json_object *sl_lazy_get(sl_lazy *l)
{
    if (l && !l->made)
        l->made = l->make(l->ud);
    return l ? l->made : NULL;
}

json_object *sl_ctx_context(const sl_ctx *c)
{
    return c->context ? c->context : sl_lazy_get(c->lazy_context);
}

sl_path_env sl__path_env(const sl_ctx *c, json_object *input)
{
    sl_path_env env = {input, c->context, var_lookup, (void *)c,
                       c->lazy_context};
    return env;
}

/* Evaluates a path where AWS reports "Invalid path '<p>' : <why>". */
static int eval_path(const sl_path *p, json_object *input, const sl_ctx *c,
                     json_object **out, sl_error *err)
{
    sl_path_env env = sl__path_env(c, input);
    char *why = NULL;
    if (sl_path_eval(p, &env, out, &why) == 0)
        return 0;
    sl__runtime_error(c, err, "States.Runtime", "Invalid path '%s' : %s",
                      sl_path_text(p), why ? why : "");
    free(why);
    return -1;
}

/* ---- templates
 * ------------------------------------------------------------------- */

static int tmpl_path(const sl_tmpl *t, json_object *input, const sl_ctx *c,
                     json_object **out, sl_error *err)
{
    sl_path_env env = sl__path_env(c, input);
    char *why = NULL;
    if (sl_path_eval(t->path, &env, out, &why) == 0)
        return 0;
    free(why);
    json_object *doc = sl_path_root_kind(t->path) == SL_ROOT_CONTEXT
                           ? sl_ctx_context(c)
                           : input;
    sl__runtime_error(c, err, "States.Runtime",
                      "The JSONPath '%s' specified for the field '%s' could "
                      "not be found in the input '%s'",
                      sl_path_text(t->path), t->field, bt_json_compact(doc));
    return -1;
}

static int tmpl_call(const sl_tmpl *t, json_object *input, const sl_ctx *c,
                     json_object **out, sl_error *err)
{
    sl_path_env env = sl__path_env(c, input);
    char *why = NULL;
    if (sl_intrinsic_eval(t->call, &env, c->rng, out, &why) == 0)
        return 0;
    sl__runtime_error(c, err, "States.Runtime", "%s", why ? why : "");
    free(why);
    return -1;
}

int sl__tmpl_walk(const sl_tmpl *t, sl_tmpl_leaf_fn leaf, void *ud,
                  json_object **out, sl_error *err)
{
    if (t->kind == SL_TMPL_LITERAL) {
        *out = json_object_get(t->literal);
        return 0;
    }
    if (t->kind != SL_TMPL_OBJECT && t->kind != SL_TMPL_ARRAY)
        return leaf(t, ud, out, err);
    bool obj = t->kind == SL_TMPL_OBJECT;
    json_object *res = obj ? json_object_new_object() : json_object_new_array();
    for (size_t i = 0; i < t->n; i++) {
        json_object *v = NULL;
        if (sl__tmpl_walk(t->kids[i], leaf, ud, &v, err) != 0) {
            json_object_put(res);
            return -1;
        }
        if (obj)
            json_object_object_add(res, t->keys[i], v);
        else
            json_object_array_add(res, v);
    }
    *out = res;
    return 0;
}

typedef struct eval_ud {
    json_object *input;
    const sl_ctx *c;
} eval_ud;

static int eval_leaf(const sl_tmpl *t, void *ud, json_object **out,
                     sl_error *err)
{
    eval_ud *u = ud;
    if (t->kind == SL_TMPL_PATH)
        return tmpl_path(t, u->input, u->c, out, err);
    if (t->kind == SL_TMPL_CALL)
        return tmpl_call(t, u->input, u->c, out, err);
    return sl__jsonata_value(t, u->input, NULL, NULL, u->c, out, err);
}

int sl__tmpl_eval(const sl_tmpl *t, json_object *input, const sl_ctx *c,
                  json_object **out, sl_error *err)
{
    eval_ud u = {input, c};
    return sl__tmpl_walk(t, eval_leaf, &u, out, err);
}

/* ---- input and output
 * --------------------------------------------------------------- */

static int apply_opt_path(const sl_opt_path *p, json_object *doc,
                          const sl_ctx *c, json_object **out, sl_error *err)
{
    if (!p->present) {
        *out = json_object_get(doc);
        return 0;
    }
    if (p->is_null) {
        *out = json_object_new_object();
        return 0;
    }
    return eval_path(p->path, doc, c, out, err);
}

int sl__input_path(const sl_state *st, json_object *raw, const sl_ctx *c,
                   json_object **out, sl_error *err)
{
    return apply_opt_path(&st->input_path, raw, c, out, err);
}

int sl__output_path(const sl_state *st, json_object *doc, const sl_ctx *c,
                    json_object **out, sl_error *err)
{
    return apply_opt_path(&st->output_path, doc, c, out, err);
}

int sl_state_input(const sl_state *st, json_object *raw, const sl_ctx *c,
                   json_object **out, sl_error *err)
{
    if (st->ql == SL_QL_JSONATA) {
        if (!st->parameters) {
            *out = json_object_get(raw);
            return 0;
        }
        return sl__jsonata_value(st->parameters, raw, NULL, NULL, c, out, err);
    }
    json_object *e0 = NULL;
    if (sl__input_path(st, raw, c, &e0, err) != 0)
        return -1;
    if (!st->parameters) {
        *out = e0;
        return 0;
    }
    int rc = sl__tmpl_eval(st->parameters, e0, c, out, err);
    json_object_put(e0);
    return rc;
}

json_object *sl_pass_result(const sl_state *st, json_object *effective)
{
    return json_object_get(st->has_result ? st->result : effective);
}

/* Evaluates an Assign template into a new object of variables. */
int sl__assign_eval(const sl_tmpl *assign, sl_ql ql, json_object *input,
                    json_object *result, json_object *error_output,
                    const sl_ctx *c, json_object **assigned, sl_error *err)
{
    *assigned = NULL;
    if (!assign)
        return 0;
    if (ql == SL_QL_JSONATA)
        return sl__jsonata_value(assign, input, result, error_output, c,
                                 assigned, err);
    json_object *doc = error_output ? error_output : result;
    return sl__tmpl_eval(assign, doc, c, assigned, err);
}

static bool has_result(const sl_state *st)
{
    return st->kind == SL_TASK || st->kind == SL_PARALLEL ||
           st->kind == SL_MAP || st->kind == SL_PASS;
}

static int jsonpath_output(const sl_state *st, json_object *raw,
                           json_object *effective, json_object *result,
                           const sl_ctx *c, json_object **out, sl_error *err)
{
    json_object *o1 = NULL;
    if (!has_result(st)) {
        o1 = json_object_get(effective);
    } else {
        json_object *t2 = NULL;
        if (st->result_selector) {
            if (sl__tmpl_eval(st->result_selector, result, c, &t2, err) != 0)
                return -1;
        } else {
            t2 = json_object_get(result);
        }
        const sl_opt_path *rp = &st->result_path;
        if (!rp->present) {
            o1 = t2;
        } else if (rp->is_null) {
            o1 = json_object_get(raw);
            json_object_put(t2);
        } else {
            char *why = NULL;
            if (sl_path_assign(rp->path, raw, t2, &o1, &why) != 0) {
                sl__runtime_error(c, err, "States.Runtime",
                                  "Invalid path '%s' : %s",
                                  sl_path_text(rp->path), why ? why : "");
                free(why);
                return -1;
            }
        }
    }
    int rc = apply_opt_path(&st->output_path, o1, c, out, err);
    json_object_put(o1);
    return rc;
}

int sl_state_output(const sl_state *st, json_object *raw,
                    json_object *effective, json_object *result,
                    const sl_ctx *c, json_object **out, json_object **assigned,
                    sl_error *err)
{
    *out = NULL;
    if (st->ql == SL_QL_JSONATA) {
        if (sl__assign_eval(st->assign, st->ql, raw, result, NULL, c, assigned,
                            err) != 0)
            return -1;
        int rc = 0;
        if (st->output)
            rc = sl__jsonata_value(st->output, raw, result, NULL, c, out, err);
        else
            *out = json_object_get(
                has_result(st) && st->kind != SL_PASS ? result : raw);
        if (rc != 0) {
            json_object_put(*assigned);
            *assigned = NULL;
        }
        return rc;
    }
    json_object *assign_doc = has_result(st) ? result : effective;
    if (sl__assign_eval(st->assign, st->ql, NULL, assign_doc, NULL, c, assigned,
                        err) != 0)
        return -1;
    if (jsonpath_output(st, raw, effective, result, c, out, err) != 0) {
        json_object_put(*assigned);
        *assigned = NULL;
        return -1;
    }
    return 0;
}

size_t sl_json_size(json_object *v)
{
    return strlen(bt_json_compact(v));
}
