/*
 * JSONPath evaluation with Jayway's semantics (as AWS Step Functions runs
 * it), and ResultPath-style assignment.
 *
 * Evaluation moves a list of borrowed nodes through the steps. Nodes are
 * json_object pointers into the documents handed in (NULL is a JSON null
 * node); the only nodes created here are the objects of a final name union
 * (Jayway's "merge" of $['a','b']), kept alive by sl_ectx.keep until the result
 * holds its own references. Deep scans recurse at most BT_LIMIT_JSON_DEPTH
 * levels.
 *
 * Definite paths that do not resolve fail with Jayway's messages:
 *   - the last step's member or index is missing:
 *       "No results for path: $['a']['b']"          (the whole path)
 *   - an earlier member is missing:
 *       "Missing property in path $['a']"           (up to the missing one)
 *   - a step meets the wrong type:
 *       "Expected to find an object with property ['b'] in path $['a'] but
 *        found 'string'" (or "an array with index [0]").
 * The root prints as "$" for input and context paths (AWS hands Jayway the
 * context path with one '$' stripped) and as "$name" for variables.
 */
#include "statelang/sl_path_int.h"

#include <stdlib.h>
#include <string.h>

#include "statelang/sl_path_ast.h"

/* ---- Node lists -------------------------------------------------------- */

void sl_nodes__push(sl_nodes *l, json_object *v)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->v = bt_xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = v;
}

static void nodes_fini(sl_nodes *l)
{
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* ---- Messages ------------------------------------------------------------ */

const char *sl_path__type_name(json_object *v)
{
    switch (json_object_get_type(v)) {
    case json_type_null:
        return "null";
    case json_type_boolean:
        return "boolean";
    case json_type_int:
    case json_type_double:
        return "number";
    case json_type_string:
        return "string";
    case json_type_array:
        return "array";
    case json_type_object:
        return "object";
    }
    return "value";
}

static void render_name(bt_buf *b, const char *name)
{
    bt_buf_puts(b, "'");
    for (const char *p = name; *p; p++) {
        if (*p == '\'' || *p == '\\')
            bt_buf_putc(b, '\\');
        bt_buf_putc(b, *p);
    }
    bt_buf_puts(b, "'");
}

static void render_step(bt_buf *b, const sl_step *s)
{
    bt_buf_putc(b, '[');
    for (size_t i = 0; i < s->nnames; i++) {
        if (i)
            bt_buf_putc(b, ',');
        render_name(b, s->names[i]);
    }
    for (size_t i = 0; i < s->nidx; i++)
        bt_buf_printf(b, "%s%lld", i ? "," : "", (long long)s->idx[i]);
    bt_buf_putc(b, ']');
}

/* Jayway's normalized form of the first n steps of a definite path. */
static void render_prefix(bt_buf *b, const sl_path *p, size_t n)
{
    bt_buf_putc(b, '$');
    if (p->root == SL_ROOT_VAR)
        bt_buf_puts(b, p->var);
    for (size_t i = 0; i < n; i++)
        render_step(b, &p->steps[i]);
}

/* ---- Definite paths with Jayway's errors ------------------------------------
 */

static int definite_fail(sl_ectx *x, const sl_path *p, size_t i,
                         const char *why)
{
    bt_buf b;
    bt_buf_init(&b);
    const sl_step *s = &p->steps[i];
    if (strcmp(why, "type") == 0) {
        bool obj = s->kind != SL_STEP_INDEX;
        bt_buf_printf(&b, "Expected to find %s ",
                      obj ? "an object with property" : "an array with index");
        render_step(&b, s);
        bt_buf_puts(&b, " in path ");
        render_prefix(&b, p, i);
        bt_buf_printf(&b, " but found '%s'", sl_path__type_name(x->cur));
    } else if (strcmp(why, "missing") == 0) {
        bt_buf_puts(&b, "Missing property in path ");
        render_prefix(&b, p, i + 1);
    } else {
        bt_buf_puts(&b, "No results for path: ");
        render_prefix(&b, p, p->nsteps);
    }
    x->err = bt_buf_take(&b);
    return BT_ENOENT;
}

/* Final name union: a new object with the members that exist. */
static json_object *merge_names(const sl_step *s, json_object *obj)
{
    json_object *m = json_object_new_object();
    for (size_t i = 0; i < s->nnames; i++) {
        json_object *v;
        if (json_object_object_get_ex(obj, s->names[i], &v))
            json_object_object_add(m, s->names[i], json_object_get(v));
    }
    return m;
}

static int eval_definite(sl_ectx *x, const sl_path *p, json_object **out)
{
    x->cur = x->root;
    for (size_t i = 0; i < p->nsteps; i++) {
        const sl_step *s = &p->steps[i];
        bool last = i + 1 == p->nsteps;
        json_object *next = NULL;
        if (s->kind == SL_STEP_INDEX) {
            if (!json_object_is_type(x->cur, json_type_array))
                return definite_fail(x, p, i, "type");
            int64_t len = (int64_t)json_object_array_length(x->cur);
            int64_t k = s->idx[0] < 0 ? len + s->idx[0] : s->idx[0];
            if (k < 0 || k >= len)
                return definite_fail(x, p, i, "none");
            next = json_object_array_get_idx(x->cur, (size_t)k);
        } else if (!json_object_is_type(x->cur, json_type_object)) {
            return definite_fail(x, p, i, "type");
        } else if (s->kind == SL_STEP_NAMES) {
            *out = merge_names(s, x->cur);
            return 0;
        } else if (!json_object_object_get_ex(x->cur, s->names[0], &next)) {
            return definite_fail(x, p, i, last ? "none" : "missing");
        }
        x->cur = next;
    }
    *out = json_object_get(x->cur);
    return 0;
}

/* ---- Steps on node lists
 * ----------------------------------------------------- */

static void apply_slice(const sl_step *s, json_object *arr, sl_nodes *out)
{
    int64_t len = (int64_t)json_object_array_length(arr);
    int64_t from = s->has_from ? s->from : 0;
    int64_t to = s->has_to ? s->to : len;
    if (from < 0)
        from = from + len < 0 ? 0 : from + len;
    if (to < 0)
        to = to + len;
    if (to > len)
        to = len;
    for (int64_t k = from; k < to; k++)
        sl_nodes__push(out, json_object_array_get_idx(arr, (size_t)k));
}

static void apply_index(int64_t idx, json_object *arr, sl_nodes *out)
{
    int64_t len = (int64_t)json_object_array_length(arr);
    int64_t k = idx < 0 ? len + idx : idx;
    if (k >= 0 && k < len)
        sl_nodes__push(out, json_object_array_get_idx(arr, (size_t)k));
}

static void apply_names(sl_ectx *x, const sl_step *s, json_object *obj,
                        bool last, sl_nodes *out)
{
    if (s->kind == SL_STEP_NAMES && last) {
        json_object *m = merge_names(s, obj);
        if (!x->keep)
            x->keep = json_object_new_array();
        json_object_array_add(x->keep, m);
        sl_nodes__push(out, m);
        return;
    }
    for (size_t i = 0; i < s->nnames; i++) {
        json_object *v;
        if (json_object_object_get_ex(obj, s->names[i], &v))
            sl_nodes__push(out, v);
    }
}

static void apply_wildcard(json_object *v, sl_nodes *out)
{
    if (json_object_is_type(v, json_type_array)) {
        size_t n = json_object_array_length(v);
        for (size_t i = 0; i < n; i++)
            sl_nodes__push(out, json_object_array_get_idx(v, i));
    } else if (json_object_is_type(v, json_type_object)) {
        json_object_object_foreach(v, key, val)
        {
            (void)key;
            sl_nodes__push(out, val);
        }
    }
}

/* Jayway applies a filter to each element of an array, and to an object
 * itself. */
static int apply_filter(sl_ectx *x, const sl_filter *f, json_object *v,
                        sl_nodes *out)
{
    bool ok;
    if (json_object_is_type(v, json_type_object)) {
        if (sl_path__filter_test(x, f, v, &ok))
            return BT_ELIMIT;
        if (ok)
            sl_nodes__push(out, v);
    } else if (json_object_is_type(v, json_type_array)) {
        size_t n = json_object_array_length(v);
        for (size_t i = 0; i < n; i++) {
            json_object *e = json_object_array_get_idx(v, i);
            if (sl_path__filter_test(x, f, e, &ok))
                return BT_ELIMIT;
            if (ok)
                sl_nodes__push(out, e);
        }
    }
    return 0;
}

static int apply_one(sl_ectx *x, const sl_step *s, json_object *v, bool last,
                     sl_nodes *out)
{
    bool arr = json_object_is_type(v, json_type_array);
    switch (s->kind) {
    case SL_STEP_NAME:
    case SL_STEP_NAMES:
        if (json_object_is_type(v, json_type_object))
            apply_names(x, s, v, last, out);
        return 0;
    case SL_STEP_INDEX:
    case SL_STEP_INDICES:
        for (size_t i = 0; arr && i < s->nidx; i++)
            apply_index(s->idx[i], v, out);
        return 0;
    case SL_STEP_WILDCARD:
        apply_wildcard(v, out);
        return 0;
    case SL_STEP_SLICE:
        if (arr)
            apply_slice(s, v, out);
        return 0;
    case SL_STEP_FILTER:
        return apply_filter(x, s->filter, v, out);
    }
    return 0;
}

/* Deep scan: the step applies to every container, pre-order, starting with
 * v itself. A deep filter keeps each object that passes (and, as in Jayway,
 * the passing elements of an array that itself passes). */
static int walk(sl_ectx *x, const sl_step *s, json_object *v, bool last,
                int depth, sl_nodes *out)
{
    bool arr = json_object_is_type(v, json_type_array);
    if (!arr && !json_object_is_type(v, json_type_object))
        return 0;
    if (depth > BT_LIMIT_JSON_DEPTH) {
        x->err = bt_xasprintf("document nested more than %d levels",
                              BT_LIMIT_JSON_DEPTH);
        return BT_ELIMIT;
    }
    bool ok = true;
    if (s->kind == SL_STEP_FILTER && arr &&
        sl_path__filter_test(x, s->filter, v, &ok))
        return BT_ELIMIT;
    if (ok && apply_one(x, s, v, last, out))
        return BT_ELIMIT;
    sl_nodes kids = {0};
    apply_wildcard(v, &kids);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < kids.n; i++)
        rc = walk(x, s, kids.v[i], last, depth + 1, out);
    nodes_fini(&kids);
    return rc;
}

int sl_path__run_steps(sl_ectx *x, const sl_path *p, json_object *start,
                       sl_nodes *res)
{
    sl_nodes cur = {0};
    sl_nodes__push(&cur, start);
    for (size_t i = 0; i < p->nsteps; i++) {
        const sl_step *s = &p->steps[i];
        bool last = i + 1 == p->nsteps;
        sl_nodes next = {0};
        for (size_t j = 0; j < cur.n; j++) {
            int rc = s->deep ? walk(x, s, cur.v[j], last, 0, &next)
                             : apply_one(x, s, cur.v[j], last, &next);
            if (rc) {
                nodes_fini(&next);
                nodes_fini(&cur);
                return rc;
            }
        }
        nodes_fini(&cur);
        cur = next;
    }
    *res = cur;
    return 0;
}

/* ---- Public entry points
 * ------------------------------------------------------ */

int sl_path__root_doc(sl_ectx *x, const sl_path *p, json_object *at,
                      json_object **doc)
{
    switch (p->root) {
    case SL_ROOT_INPUT:
        *doc = x->root;
        return 0;
    case SL_ROOT_CONTEXT:
        *doc = x->env->context ? x->env->context
                               : sl_lazy_get(x->env->lazy_context);
        return 0;
    case SL_ROOT_CURRENT:
        *doc = at;
        return 0;
    case SL_ROOT_VAR:
        *doc = NULL;
        return x->env->var && x->env->var(x->env->ud, p->var, doc) ? 0
                                                                   : BT_ENOENT;
    }
    return BT_ENOENT;
}

int sl_path_eval(const sl_path *p, const sl_path_env *env, json_object **out,
                 char **err)
{
    sl_ectx x = {.env = env};
    int rc = 0;
    x.root = env->input;
    if (sl_path__root_doc(&x, p, NULL, &x.root)) {
        rc = BT_ENOENT;
        x.err = bt_xasprintf("The variable '$%s' is not defined", p->var);
    } else if (p->definite) {
        rc = eval_definite(&x, p, out);
    } else {
        sl_nodes res;
        rc = sl_path__run_steps(&x, p, x.root, &res);
        if (rc == 0) {
            json_object *arr = json_object_new_array_ext((int)res.n);
            for (size_t i = 0; i < res.n; i++)
                json_object_array_add(arr, json_object_get(res.v[i]));
            nodes_fini(&res);
            *out = arr;
        }
    }
    json_object_put(x.keep);
    if (rc && err)
        *err = x.err;
    else
        free(x.err);
    return rc;
}

/* ---- Assignment (ResultPath) ------------------------------------------------
 */

static int assign_fail(const sl_path *p, size_t i, json_object *at, char **err)
{
    bt_buf b;
    bt_buf_init(&b);
    bt_buf_puts(&b, "Unable to write to ");
    render_prefix(&b, p, p->nsteps);
    bt_buf_puts(&b, ": ");
    render_prefix(&b, p, i);
    if (p->steps[i].kind == SL_STEP_INDEX && p->steps[i].nidx == 1 &&
        json_object_is_type(at, json_type_array))
        bt_buf_printf(&b, " has no element [%lld]",
                      (long long)p->steps[i].idx[0]);
    else
        bt_buf_printf(&b, " is %s, not %s", sl_path__type_name(at),
                      p->steps[i].kind == SL_STEP_INDEX ? "an array"
                                                        : "an object");
    if (err)
        *err = bt_buf_take(&b);
    else
        bt_buf_fini(&b);
    return BT_EINVAL;
}

/* One step of an assignment into cur; *next gets the child to descend
 * into (created when missing and not last). Takes value on the last step. */
static bool assign_step(const sl_step *s, json_object *cur, bool last,
                        json_object *value, json_object **next)
{
    if (s->kind == SL_STEP_INDEX) {
        if (!json_object_is_type(cur, json_type_array))
            return false;
        int64_t len = (int64_t)json_object_array_length(cur);
        int64_t k = s->idx[0] < 0 ? len + s->idx[0] : s->idx[0];
        if (k < 0 || k >= len)
            return false;
        if (last)
            json_object_array_put_idx(cur, (size_t)k, value);
        else
            *next = json_object_array_get_idx(cur, (size_t)k);
        return true;
    }
    if (!json_object_is_type(cur, json_type_object))
        return false;
    if (last) {
        json_object_object_add(cur, s->names[0], value);
    } else if (!json_object_object_get_ex(cur, s->names[0], next)) {
        *next = json_object_new_object();
        json_object_object_add(cur, s->names[0], *next);
    }
    return true;
}

int sl_path_assign(const sl_path *p, json_object *root, json_object *value,
                   json_object **out, char **err)
{
    for (size_t i = 0; i < p->nsteps; i++) {
        sl_step_kind k = p->steps[i].kind;
        if (p->root != SL_ROOT_INPUT || p->steps[i].deep ||
            (k != SL_STEP_NAME && k != SL_STEP_INDEX)) {
            json_object_put(value);
            if (err)
                *err = bt_xasprintf("'%s' is not a reference path into $",
                                    p->text);
            return BT_EINVAL;
        }
    }
    if (p->nsteps == 0) {
        *out = value;
        return 0;
    }
    json_object *doc = NULL;
    if (root && json_object_deep_copy(root, &doc, NULL) != 0)
        bt_oom();
    json_object *cur = doc;
    for (size_t i = 0; i < p->nsteps; i++) {
        json_object *next = NULL;
        if (!assign_step(&p->steps[i], cur, i + 1 == p->nsteps, value, &next)) {
            int rc = assign_fail(p, i, cur, err);
            json_object_put(value);
            json_object_put(doc);
            return rc;
        }
        cur = next;
    }
    *out = doc;
    return 0;
}
