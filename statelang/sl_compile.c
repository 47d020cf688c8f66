/*
 * The runtime form of a valid machine: every path, payload template,
 * intrinsic call, Choice rule and JSONata expression is parsed here, once,
 * so that running a state never re-parses a string.
 *
 * Invariant: only called after validation found no error, so a parse
 * failure here is a bug in the validator; it is still reported, never
 * ignored.
 */
#include "statelang/statelang_int.h"

#include <stdlib.h>
#include <string.h>

#include "statelang/sl_choice_int.h"

typedef struct cctx {
    char *err; /* first failure */
} cctx;

static void fail(cctx *c, const char *what, char *why)
{
    if (!c->err)
        c->err = bt_xasprintf("%s: %s", what, why ? why : "invalid");
    free(why);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !memcmp(s + n - k, suffix, k);
}

/* ---- templates
 * ---------------------------------------------------------------- */

static void tmpl_free(sl_tmpl *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++) {
        if (t->keys)
            free(t->keys[i]);
        tmpl_free(t->kids[i]);
    }
    free(t->keys);
    free(t->kids);
    free(t->field);
    sl_path_free(t->path);
    sl_intrinsic_free(t->call);
    sl_jsonata_free(t->expr);
    free((char *)t->expr_text);
    free(t);
}

static sl_tmpl *tmpl_new(sl_tmpl_kind kind)
{
    sl_tmpl *t = bt_xcalloc(1, sizeof *t);
    t->kind = kind;
    return t;
}

static void tmpl_push(sl_tmpl *t, const char *key, sl_tmpl *kid)
{
    t->kids = bt_xrealloc(t->kids, (t->n + 1) * sizeof *t->kids);
    if (key) {
        t->keys = bt_xrealloc(t->keys, (t->n + 1) * sizeof *t->keys);
        t->keys[t->n] = bt_xstrdup(key);
    }
    t->kids[t->n++] = kid;
}

static bool all_literal(const sl_tmpl *t)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->kids[i]->kind != SL_TMPL_LITERAL)
            return false;
    return true;
}

/* A ".$" value: a path or an intrinsic call. */
static sl_tmpl *dynamic_value(cctx *c, const char *key, const char *s)
{
    sl_tmpl *t = tmpl_new(s[0] == '$' ? SL_TMPL_PATH : SL_TMPL_CALL);
    t->field = bt_xstrdup(key);
    char *err = NULL;
    int rc = s[0] == '$' ? sl_path_parse(s, 0, &t->path, &err)
                         : sl_intrinsic_parse(s, &t->call, &err);
    if (rc != 0)
        fail(c, key, err);
    return t;
}

static sl_tmpl *jsonpath_tmpl(cctx *c, json_object *v);

static sl_tmpl *jsonpath_object(cctx *c, json_object *v)
{
    sl_tmpl *t = tmpl_new(SL_TMPL_OBJECT);
    t->literal = v;
    json_object_object_foreach(v, key, val)
    {
        if (ends_with(key, ".$")) {
            char *bare = bt_xstrndup(key, strlen(key) - 2);
            tmpl_push(t, bare,
                      dynamic_value(c, key, json_object_get_string(val)));
            free(bare);
        } else {
            tmpl_push(t, key, jsonpath_tmpl(c, val));
        }
    }
    return t;
}

/* Payload template: keys ending in ".$" are evaluated, at any depth. */
static sl_tmpl *jsonpath_tmpl(cctx *c, json_object *v)
{
    sl_tmpl *t;
    if (json_object_is_type(v, json_type_object)) {
        t = jsonpath_object(c, v);
    } else if (json_object_is_type(v, json_type_array)) {
        t = tmpl_new(SL_TMPL_ARRAY);
        for (size_t i = 0; i < json_object_array_length(v); i++)
            tmpl_push(t, NULL,
                      jsonpath_tmpl(c, json_object_array_get_idx(v, i)));
    } else {
        t = tmpl_new(SL_TMPL_LITERAL);
    }
    t->literal = v;
    if (t->kind != SL_TMPL_LITERAL && all_literal(t)) {
        bool renamed = false;
        for (size_t i = 0; t->keys && i < t->n; i++)
            renamed = renamed || !sl__has(v, t->keys[i]);
        if (!renamed) {
            tmpl_free(t);
            t = tmpl_new(SL_TMPL_LITERAL);
            t->literal = v;
        }
    }
    return t;
}

/* A JSONata-mode value: "{% %}" strings at any depth are expressions. */
static sl_tmpl *jsonata_tmpl(cctx *c, json_object *v, const char *where)
{
    sl_tmpl *t;
    if (json_object_is_type(v, json_type_string) &&
        sl__is_jsonata(json_object_get_string(v))) {
        const char *s = json_object_get_string(v);
        size_t n = strlen(s);
        t = tmpl_new(SL_TMPL_JSONATA);
        t->field = bt_xstrdup(where);
        /* Messages quote the expression without its inner padding. */
        size_t a = 2, b = n - 2;
        while (a < b && strchr(" \t\r\n", s[a]))
            a++;
        while (b > a && strchr(" \t\r\n", s[b - 1]))
            b--;
        t->expr_text = bt_xstrndup(s + a, b - a);
        sl_jsonata_error jerr;
        memset(&jerr, 0, sizeof jerr);
        if (sl_jsonata_parse(s + 2, n - 4, &t->expr, &jerr) != 0)
            fail(c, where, bt_xstrdup(jerr.message ? jerr.message : "syntax"));
        sl_jsonata_error_fini(&jerr);
        t->literal = v;
        return t;
    }
    if (json_object_is_type(v, json_type_object)) {
        t = tmpl_new(SL_TMPL_OBJECT);
        json_object_object_foreach(v, key, val)
        {
            char *sub = bt_xasprintf("%s/%s", where, key);
            tmpl_push(t, key, jsonata_tmpl(c, val, sub));
            free(sub);
        }
    } else if (json_object_is_type(v, json_type_array)) {
        t = tmpl_new(SL_TMPL_ARRAY);
        for (size_t i = 0; i < json_object_array_length(v); i++) {
            char *sub = bt_xasprintf("%s/%zu", where, i);
            tmpl_push(t, NULL,
                      jsonata_tmpl(c, json_object_array_get_idx(v, i), sub));
            free(sub);
        }
    } else {
        t = tmpl_new(SL_TMPL_LITERAL);
    }
    t->literal = v;
    if (t->kind != SL_TMPL_LITERAL && all_literal(t)) {
        tmpl_free(t);
        t = tmpl_new(SL_TMPL_LITERAL);
        t->literal = v;
    }
    return t;
}

static sl_tmpl *value_tmpl(cctx *c, const sl_state *st, json_object *v,
                           const char *where)
{
    return st->ql == SL_QL_JSONATA ? jsonata_tmpl(c, v, where)
                                   : jsonpath_tmpl(c, v);
}

/* Assign: in JSONPath, "name.$" keys are dynamic like a template's. */
static sl_tmpl *assign_tmpl(cctx *c, sl_ql ql, json_object *v)
{
    return ql == SL_QL_JSONATA ? jsonata_tmpl(c, v, "Assign")
                               : jsonpath_tmpl(c, v);
}

/* ---- paths and numbers
 * ---------------------------------------------------------- */

static void opt_path(cctx *c, json_object *obj, const char *name,
                     unsigned flags, sl_opt_path *out)
{
    memset(out, 0, sizeof *out);
    if (!sl__has(obj, name))
        return;
    out->present = true;
    json_object *v = sl__get(obj, name);
    if (!v) {
        out->is_null = true;
        return;
    }
    char *err = NULL;
    if (sl_path_parse(json_object_get_string(v), flags, &out->path, &err))
        fail(c, name, err);
}

static sl_path *ref_path(cctx *c, json_object *obj, const char *name)
{
    sl_opt_path p;
    opt_path(c, obj, name, SL_PATH_REFERENCE, &p);
    return p.path;
}

static void num_field(cctx *c, const sl_state *st, json_object *obj,
                      const char *name, sl_num_field *out)
{
    memset(out, 0, sizeof *out);
    out->name = name;
    char *pname = bt_xasprintf("%sPath", name);
    if (sl__has(obj, pname)) {
        out->present = true;
        out->path = ref_path(c, obj, pname);
    } else if (sl__has(obj, name)) {
        json_object *v = sl__get(obj, name);
        out->present = true;
        if (st->ql == SL_QL_JSONATA && json_object_is_type(v, json_type_string))
            out->expr = jsonata_tmpl(c, v, name);
        else
            out->literal = v;
    }
    free(pname);
}

/* ---- Retry, Catch, Choice
 * ---------------------------------------------------- */

static int64_t int_or(json_object *obj, const char *name, int64_t dflt)
{
    json_object *v = sl__get(obj, name);
    return sl__has(obj, name) ? json_object_get_int64(v) : dflt;
}

static void compile_retry(sl_state *st)
{
    json_object *arr = sl__get(st->def, "Retry");
    if (!json_object_is_type(arr, json_type_array))
        return;
    st->nretriers = json_object_array_length(arr);
    st->retriers = bt_xcalloc(st->nretriers, sizeof *st->retriers);
    for (size_t i = 0; i < st->nretriers; i++) {
        json_object *r = json_object_array_get_idx(arr, i);
        sl_retrier *t = &st->retriers[i];
        t->error_equals = sl__get(r, "ErrorEquals");
        t->interval_s = int_or(r, "IntervalSeconds", 1);
        t->max_attempts = int_or(r, "MaxAttempts", 3);
        t->backoff_rate =
            sl__has(r, "BackoffRate")
                ? json_object_get_double(sl__get(r, "BackoffRate"))
                : 2.0;
        t->max_delay_s = int_or(r, "MaxDelaySeconds", 0);
        t->jitter_full =
            sl__has(r, "JitterStrategy") &&
            !strcmp(json_object_get_string(sl__get(r, "JitterStrategy")),
                    "FULL");
    }
}

static void compile_catch(cctx *c, sl_state *st)
{
    json_object *arr = sl__get(st->def, "Catch");
    if (!json_object_is_type(arr, json_type_array))
        return;
    st->ncatchers = json_object_array_length(arr);
    st->catchers = bt_xcalloc(st->ncatchers, sizeof *st->catchers);
    for (size_t i = 0; i < st->ncatchers; i++) {
        json_object *r = json_object_array_get_idx(arr, i);
        sl_catcher *t = &st->catchers[i];
        t->error_equals = sl__get(r, "ErrorEquals");
        t->next = sl_scope_find(st->scope,
                                json_object_get_string(sl__get(r, "Next")));
        opt_path(c, r, "ResultPath", SL_PATH_REFERENCE, &t->result_path);
        if (sl__has(r, "Output"))
            t->output = jsonata_tmpl(c, sl__get(r, "Output"), "Output");
        if (sl__has(r, "Assign"))
            t->assign = assign_tmpl(c, st->ql, sl__get(r, "Assign"));
    }
}

static void compile_choices(cctx *c, sl_state *st)
{
    json_object *arr = sl__get(st->def, "Choices");
    st->nchoices = json_object_array_length(arr);
    st->choices = bt_xcalloc(st->nchoices, sizeof *st->choices);
    for (size_t i = 0; i < st->nchoices; i++) {
        json_object *r = json_object_array_get_idx(arr, i);
        sl_choice_branch *b = &st->choices[i];
        b->next = sl_scope_find(st->scope,
                                json_object_get_string(sl__get(r, "Next")));
        if (st->ql == SL_QL_JSONATA) {
            b->condition =
                jsonata_tmpl(c, sl__get(r, "Condition"), "Condition");
            if (sl__has(r, "Output"))
                b->output = jsonata_tmpl(c, sl__get(r, "Output"), "Output");
        } else {
            char *err = NULL;
            if (sl_choice_compile(r, &b->rule, &err) != 0)
                fail(c, "Choices", err);
        }
        if (sl__has(r, "Assign"))
            b->assign = assign_tmpl(c, st->ql, sl__get(r, "Assign"));
    }
    if (sl__has(st->def, "Default"))
        st->default_state = sl_scope_find(
            st->scope, json_object_get_string(sl__get(st->def, "Default")));
}

/* ---- per state
 * ----------------------------------------------------------------- */

/* Fail Error/Cause: a literal, a path or intrinsic (…Path), or JSONata. */
static sl_tmpl *fail_field(cctx *c, sl_state *st, const char *name)
{
    char *pname = bt_xasprintf("%sPath", name);
    sl_tmpl *t = NULL;
    if (sl__has(st->def, pname)) {
        const char *s = json_object_get_string(sl__get(st->def, pname));
        t = dynamic_value(c, pname, s);
        if (t->kind == SL_TMPL_PATH) {
            /* ErrorPath/CausePath are reference paths. */
            sl_path_free(t->path);
            t->path = NULL;
            char *err = NULL;
            if (sl_path_parse(s, SL_PATH_REFERENCE, &t->path, &err) != 0)
                fail(c, pname, err);
        }
    } else if (sl__has(st->def, name)) {
        t = value_tmpl(c, st, sl__get(st->def, name), name);
    }
    free(pname);
    return t;
}

static void compile_io(cctx *c, sl_state *st)
{
    json_object *d = st->def;
    opt_path(c, d, "InputPath", 0, &st->input_path);
    opt_path(c, d, "OutputPath", 0, &st->output_path);
    opt_path(c, d, "ResultPath", SL_PATH_REFERENCE, &st->result_path);
    const char *params = st->ql == SL_QL_JSONATA ? "Arguments" : "Parameters";
    if (sl__has(d, params) && st->kind != SL_MAP)
        st->parameters = value_tmpl(c, st, sl__get(d, params), params);
    if (sl__has(d, "ResultSelector"))
        st->result_selector = jsonpath_tmpl(c, sl__get(d, "ResultSelector"));
    if (sl__has(d, "Output"))
        st->output = jsonata_tmpl(c, sl__get(d, "Output"), "Output");
    if (sl__has(d, "Assign"))
        st->assign = assign_tmpl(c, st->ql, sl__get(d, "Assign"));
    st->has_result = sl__has(d, "Result");
    st->result = sl__get(d, "Result");
}

static void compile_map(cctx *c, sl_state *st)
{
    json_object *d = st->def;
    if (st->ql == SL_QL_JSONATA) {
        if (sl__has(d, "Items"))
            st->items = jsonata_tmpl(c, sl__get(d, "Items"), "Items");
    } else if (sl__has(d, "ItemsPath")) {
        st->items_path = ref_path(c, d, "ItemsPath");
    }
    json_object *sel = sl__has(d, "ItemSelector") ? sl__get(d, "ItemSelector")
                       : sl__has(d, "Parameters") ? sl__get(d, "Parameters")
                                                  : NULL;
    if (sel)
        st->item_selector = value_tmpl(c, st, sel, "ItemSelector");
    num_field(c, st, d, "MaxConcurrency", &st->max_concurrency);
    num_field(c, st, d, "ToleratedFailureCount", &st->tolerated_count);
    num_field(c, st, d, "ToleratedFailurePercentage", &st->tolerated_pct);
    json_object *proc = sl__has(d, "ItemProcessor")
                            ? sl__get(d, "ItemProcessor")
                            : sl__get(d, "Iterator");
    json_object *pc = sl__get(proc, "ProcessorConfig");
    st->distributed =
        sl__has(pc, "Mode") &&
        !strcmp(json_object_get_string(sl__get(pc, "Mode")), "DISTRIBUTED");
    if (sl__has(d, "Label"))
        st->label = json_object_get_string(sl__get(d, "Label"));
    json_object *b = sl__get(d, "ItemBatcher");
    if (b) {
        st->has_batcher = true;
        num_field(c, st, b, "MaxItemsPerBatch", &st->batch_items);
        num_field(c, st, b, "MaxInputBytesPerBatch", &st->batch_bytes);
        if (sl__has(b, "BatchInput"))
            st->batch_input =
                value_tmpl(c, st, sl__get(b, "BatchInput"), "BatchInput");
    }
}

static void compile_state(cctx *c, sl_state *st)
{
    json_object *d = st->def;
    if (st->next)
        st->next_state = sl_scope_find(st->scope, st->next);
    compile_io(c, st);
    compile_retry(st);
    compile_catch(c, st);
    switch (st->kind) {
    case SL_TASK:
        st->resource = json_object_get_string(sl__get(d, "Resource"));
        num_field(c, st, d, "TimeoutSeconds", &st->timeout);
        num_field(c, st, d, "HeartbeatSeconds", &st->heartbeat);
        break;
    case SL_WAIT:
        num_field(c, st, d, "Seconds", &st->seconds);
        if (sl__has(d, "TimestampPath"))
            st->timestamp_path = ref_path(c, d, "TimestampPath");
        else if (st->ql == SL_QL_JSONATA && sl__has(d, "Timestamp") &&
                 sl__is_jsonata(
                     json_object_get_string(sl__get(d, "Timestamp"))))
            st->timestamp_expr =
                jsonata_tmpl(c, sl__get(d, "Timestamp"), "Timestamp");
        else if (sl__has(d, "Timestamp"))
            st->timestamp = json_object_get_string(sl__get(d, "Timestamp"));
        break;
    case SL_FAIL:
        st->error = fail_field(c, st, "Error");
        st->cause = fail_field(c, st, "Cause");
        break;
    case SL_CHOICE:
        compile_choices(c, st);
        break;
    case SL_MAP:
        compile_map(c, st);
        break;
    default:
        break;
    }
}

static void num_fini(sl_num_field *f)
{
    sl_path_free(f->path);
    tmpl_free(f->expr);
}

void sl__state_fini(sl_state *st)
{
    sl_path_free(st->input_path.path);
    sl_path_free(st->output_path.path);
    sl_path_free(st->result_path.path);
    tmpl_free(st->parameters);
    tmpl_free(st->result_selector);
    tmpl_free(st->output);
    tmpl_free(st->assign);
    free(st->retriers);
    for (size_t i = 0; i < st->ncatchers; i++) {
        sl_path_free(st->catchers[i].result_path.path);
        tmpl_free(st->catchers[i].output);
        tmpl_free(st->catchers[i].assign);
    }
    free(st->catchers);
    for (size_t i = 0; i < st->nchoices; i++) {
        sl_choice_free(st->choices[i].rule);
        tmpl_free(st->choices[i].condition);
        tmpl_free(st->choices[i].assign);
        tmpl_free(st->choices[i].output);
    }
    free(st->choices);
    num_fini(&st->timeout);
    num_fini(&st->heartbeat);
    num_fini(&st->seconds);
    num_fini(&st->max_concurrency);
    num_fini(&st->tolerated_count);
    num_fini(&st->tolerated_pct);
    sl_path_free(st->timestamp_path);
    tmpl_free(st->timestamp_expr);
    tmpl_free(st->error);
    tmpl_free(st->cause);
    sl_path_free(st->items_path);
    tmpl_free(st->items);
    num_fini(&st->batch_items);
    num_fini(&st->batch_bytes);
    tmpl_free(st->batch_input);
    tmpl_free(st->item_selector);
}

int sl__compile_machine(sl_machine *m, char **err)
{
    cctx c = {NULL};
    for (size_t i = 0; i < m->nscopes; i++)
        for (size_t k = 0; k < m->scopes[i]->nstates; k++)
            compile_state(&c, m->scopes[i]->states[k]);
    if (c.err) {
        *err = c.err;
        return BT_EINVALID;
    }
    return 0;
}
