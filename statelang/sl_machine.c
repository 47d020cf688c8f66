/*
 * Compiling a definition: parse the text, check the top level, build every
 * scope (top level, Parallel branches, Map processors) and check the graph of
 * each: StartAt and every transition name a state of the same scope, every
 * state is reachable, a terminal state exists, names are unique across the
 * whole definition, inner scopes do not assign outer variables.
 *
 * Invariant: every problem becomes a diagnostic; a machine is returned only
 * when there is none of severity ERROR.
 */
#include "statelang/statelang.h"

#include <stdlib.h>
#include <string.h>

#include "statelang/statelang_int.h"

static const char *const kind_names[] = {
#define SL_KIND_NAME(id, name) name,
    SL_STATE_KINDS(SL_KIND_NAME)
#undef SL_KIND_NAME
};

const char *sl__kind_name(sl_kind kind)
{
    return (int)kind < SL_KIND_COUNT ? kind_names[kind] : "?";
}

bool sl_machine_type_parse(const char *s, sl_machine_type *out)
{
    if (!strcmp(s, "STANDARD"))
        *out = SL_MACHINE_STANDARD;
    else if (!strcmp(s, "EXPRESS"))
        *out = SL_MACHINE_EXPRESS;
    else
        return false;
    return true;
}

const char *sl_machine_type_name(sl_machine_type t)
{
    return t == SL_MACHINE_EXPRESS ? "EXPRESS" : "STANDARD";
}

static void scope_free(sl_scope *sc)
{
    for (size_t i = 0; i < sc->nstates; i++) {
        sl__state_fini(sc->states[i]);
        free(sc->states[i]->branches);
        free(sc->states[i]);
    }
    free(sc->states);
    json_object_put(sc->index);
    json_object_put(sc->assigned);
    free(sc);
}

void sl_machine_free(sl_machine *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nscopes; i++)
        scope_free(m->scopes[i]);
    free(m->scopes);
    json_object_put(m->root);
    free(m);
}

/* ---- one scope ------------------------------------------------------------
 */

static void check_state_name(sl_vctx *v, const char *name)
{
    size_t chars = bt_utf8_length(name, strlen(name));
    if (chars == 0 || chars > BT_LIMIT_STATE_NAME_CHARS)
        sl__err(v, SL_INVALID_NAME,
                "State name '%s' must be between 1 and %d characters long",
                name, BT_LIMIT_STATE_NAME_CHARS);
    json_object *seen;
    if (json_object_object_get_ex(v->names, name, &seen))
        sl__err(v, SL_DUPLICATE_NAME, "Duplicate State name: '%s'", name);
    else
        json_object_object_add(v->names, name, NULL);
}

static void scope_add_state(sl_scope *sc, sl_state *st)
{
    sc->states = bt_xrealloc(sc->states, (sc->nstates + 1) * sizeof *st);
    json_object_object_add(sc->index, st->name,
                           json_object_new_int64((int64_t)sc->nstates));
    sc->states[sc->nstates++] = st;
}

static void scope_fields(sl_vctx *v, json_object *obj, sl_state *owner)
{
    bool processor = owner && owner->kind == SL_MAP;
    json_object_object_foreach(obj, key, val)
    {
        (void)val;
        if (!strcmp(key, "StartAt") || !strcmp(key, "States") ||
            !strcmp(key, "Comment"))
            continue;
        if (!owner &&
            (!strcmp(key, "Version") || !strcmp(key, "TimeoutSeconds") ||
             !strcmp(key, "QueryLanguage")))
            continue;
        if (processor && !strcmp(key, "ProcessorConfig"))
            continue;
        sl__err(v, SL_SCHEMA, "Field '%s' is not supported", key);
    }
}

sl_scope *sl__scope_build(sl_vctx *v, json_object *obj, sl_scope *parent,
                          sl_state *owner, sl_ql machine_ql)
{
    if (!json_object_is_type(obj, json_type_object)) {
        sl__err(v, SL_SCHEMA, "Expected an object with StartAt and States");
        return NULL;
    }
    if (++v->depth > 64) {
        sl__err(v, SL_SCHEMA, "Branches and Map processors nest too deeply");
        v->depth--;
        return NULL;
    }
    scope_fields(v, obj, owner);
    json_object *start = NULL, *states = NULL;
    bool has_start = json_object_object_get_ex(obj, "StartAt", &start);
    bool has_states = json_object_object_get_ex(obj, "States", &states);
    if (!has_start || !has_states)
        sl__err(v, SL_SCHEMA, "These fields are required: [%s%s%s]",
                has_states ? "" : "States",
                !has_start && !has_states ? ", " : "",
                has_start ? "" : "StartAt");
    if (has_start && !json_object_is_type(start, json_type_string))
        sl__err_field(v, "StartAt", SL_SCHEMA,
                      "The field 'StartAt' must be a string");
    if (has_states && !json_object_is_type(states, json_type_object)) {
        sl__err_field(v, "States", SL_SCHEMA,
                      "The field 'States' must be an object");
        states = NULL;
    }

    sl_scope *sc = bt_xcalloc(1, sizeof *sc);
    sc->parent = parent;
    sc->owner = owner;
    sc->def = obj;
    sc->index = json_object_new_object();
    sc->assigned = json_object_new_object();
    if (start && json_object_is_type(start, json_type_string))
        sc->start_at = json_object_get_string(start);
    sl_machine *m = v->m;
    m->scopes = bt_xrealloc(m->scopes, (m->nscopes + 1) * sizeof *m->scopes);
    m->scopes[m->nscopes++] = sc;

    if (states) {
        sl_scope *saved = v->scope;
        size_t mark = sl__ptr_push(v, "States");
        json_object_object_foreach(states, name, def)
        {
            size_t smark = sl__ptr_push(v, name);
            check_state_name(v, name);
            sl_state *st = bt_xcalloc(1, sizeof *st);
            st->name = name;
            st->def = def;
            st->scope = sc;
            scope_add_state(sc, st);
            v->scope = sc;
            sl__check_state(v, st, machine_ql);
            sl__ptr_pop(v, smark);
        }
        sl__ptr_pop(v, mark);
        v->scope = saved;
    }
    v->depth--;
    return sc;
}

/* ---- the graph of one scope --------------------------------------------- */

typedef struct graph {
    sl_vctx *v;
    sl_scope *sc;
    unsigned char *reached;
    size_t *queue;
    size_t qlen;
} graph;

static sl_state *lookup(sl_scope *sc, const char *name, size_t *pos)
{
    json_object *idx;
    if (!json_object_object_get_ex(sc->index, name, &idx))
        return NULL;
    *pos = (size_t)json_object_get_int64(idx);
    return sc->states[*pos];
}

/* Follows one transition; reports a target that is not in this scope. */
static void follow(graph *g, json_object *target)
{
    if (!target || !json_object_is_type(target, json_type_string))
        return;
    size_t pos;
    const char *name = json_object_get_string(target);
    if (!lookup(g->sc, name, &pos)) {
        sl__err(g->v, SL_MISSING_TARGET, "Missing 'Next' target: %s", name);
        return;
    }
    if (!g->reached[pos]) {
        g->reached[pos] = 1;
        g->queue[g->qlen++] = pos;
    }
}

static void follow_field(graph *g, json_object *obj, const char *field)
{
    json_object *t;
    if (!json_object_is_type(obj, json_type_object) ||
        !json_object_object_get_ex(obj, field, &t))
        return;
    size_t mark = sl__ptr_push(g->v, field);
    follow(g, t);
    sl__ptr_pop(g->v, mark);
}

static void follow_list(graph *g, json_object *def, const char *list)
{
    json_object *arr;
    if (!json_object_object_get_ex(def, list, &arr) ||
        !json_object_is_type(arr, json_type_array))
        return;
    size_t mark = sl__ptr_push(g->v, list);
    for (size_t i = 0; i < json_object_array_length(arr); i++) {
        size_t imark = sl__ptr_push_index(g->v, i);
        follow_field(g, json_object_array_get_idx(arr, i), "Next");
        sl__ptr_pop(g->v, imark);
    }
    sl__ptr_pop(g->v, mark);
}

static void follow_state(graph *g, sl_state *st)
{
    if (!json_object_is_type(st->def, json_type_object))
        return;
    size_t mark = sl__ptr_push(g->v, "States");
    sl__ptr_push(g->v, st->name);
    follow_field(g, st->def, "Next");
    follow_field(g, st->def, "Default");
    follow_list(g, st->def, "Choices");
    follow_list(g, st->def, "Catch");
    sl__ptr_pop(g->v, mark);
}

static bool is_terminal(const sl_state *st)
{
    return st->end || st->kind == SL_SUCCEED || st->kind == SL_FAIL;
}

static void check_graph(sl_vctx *v, sl_scope *sc)
{
    graph g = {v, sc, bt_xcalloc(sc->nstates + 1, 1),
               bt_xcalloc(sc->nstates + 1, sizeof(size_t)), 0};
    if (sc->start_at) {
        size_t pos;
        if (lookup(sc, sc->start_at, &pos)) {
            g.reached[pos] = 1;
            g.queue[g.qlen++] = pos;
        } else {
            sl__err_field(v, "StartAt", SL_MISSING_TARGET,
                          "Missing 'Next' target: %s", sc->start_at);
        }
    }
    for (size_t head = 0; head < g.qlen; head++)
        follow_state(&g, sc->states[g.queue[head]]);
    /* Transitions of unreachable states are checked too. */
    for (size_t i = 0; i < sc->nstates; i++)
        if (!g.reached[i]) {
            size_t before = g.qlen;
            follow_state(&g, sc->states[i]);
            for (size_t k = before; k < g.qlen; k++)
                g.reached[g.queue[k]] = 0;
            g.qlen = before;
        }
    bool terminal = false;
    for (size_t i = 0; i < sc->nstates; i++)
        terminal = terminal || is_terminal(sc->states[i]);
    if (!terminal && sc->nstates > 0) {
        if (sc->parent)
            sl__err(v, SL_MISSING_END, "Workflow has no terminal state");
        else
            sl__err_noloc(v, SL_MISSING_END, "Workflow has no terminal state");
    } else if (sc->start_at && lookup(sc, sc->start_at, &(size_t){0})) {
        size_t mark = sl__ptr_push(v, "States");
        for (size_t i = 0; i < sc->nstates; i++) {
            if (g.reached[i])
                continue;
            size_t smark = sl__ptr_push(v, sc->states[i]->name);
            sl__err(v, SL_MISSING_TARGET, "State \"%s\" is not reachable.",
                    sc->states[i]->name);
            sl__ptr_pop(v, smark);
        }
        sl__ptr_pop(v, mark);
    }
    free(g.reached);
    free(g.queue);
}

/* Where (as a location string) scope sc sits: rebuilt from owners. */
static void scope_location(sl_scope *sc, bt_buf *out);

static void scope_location(sl_scope *sc, bt_buf *out)
{
    if (!sc->parent)
        return;
    scope_location(sc->parent, out);
    bt_pointer_push(out, "States");
    bt_pointer_push(out, sc->owner->name);
    if (sc->owner->kind == SL_PARALLEL) {
        for (size_t i = 0; i < sc->owner->nbranches; i++)
            if (sc->owner->branches[i] == sc)
                bt_buf_printf(out, "/Branches[%zu]", i);
    } else {
        json_object *x;
        bool legacy =
            !json_object_object_get_ex(sc->owner->def, "ItemProcessor", &x);
        bt_buf_puts(out, legacy ? "/Iterator" : "/ItemProcessor");
    }
}

/* Inner scopes may read but not assign a name an enclosing scope assigns. */
static void check_variable_scopes(sl_vctx *v, sl_scope *sc)
{
    json_object_object_foreach(sc->assigned, name, where)
    {
        for (sl_scope *up = sc->parent; up; up = up->parent) {
            json_object *outer;
            if (!json_object_object_get_ex(up->assigned, name, &outer))
                continue;
            bt_buf saved = v->ptr;
            bt_buf_init(&v->ptr);
            bt_buf_puts(&v->ptr, json_object_get_string(where));
            sl__err(v, SL_SCHEMA,
                    "Variable '%s' is assigned in an enclosing scope and "
                    "cannot be assigned here",
                    name);
            bt_buf_fini(&v->ptr);
            v->ptr = saved;
            break;
        }
    }
}

static void check_scopes(sl_vctx *v)
{
    bt_buf saved = v->ptr;
    for (size_t i = 0; i < v->m->nscopes; i++) {
        sl_scope *sc = v->m->scopes[i];
        bt_buf_init(&v->ptr);
        scope_location(sc, &v->ptr);
        check_graph(v, sc);
        check_variable_scopes(v, sc);
        bt_buf_fini(&v->ptr);
    }
    v->ptr = saved;
}

/* ---- top level ------------------------------------------------------------
 */

static sl_ql check_top_fields(sl_vctx *v, json_object *root)
{
    json_object *f;
    sl_ql ql = SL_QL_JSONPATH;
    if (json_object_object_get_ex(root, "QueryLanguage", &f)) {
        const char *s = json_object_get_string(f);
        if (json_object_is_type(f, json_type_string) && !strcmp(s, "JSONata"))
            ql = SL_QL_JSONATA;
        else if (!json_object_is_type(f, json_type_string) ||
                 strcmp(s, "JSONPath"))
            sl__err_field(v, "QueryLanguage", SL_SCHEMA,
                          "The field 'QueryLanguage' should have one of these "
                          "values: [JSONPath, JSONata]");
    }
    if (json_object_object_get_ex(root, "Version", &f) &&
        (!json_object_is_type(f, json_type_string) ||
         strcmp(json_object_get_string(f), "1.0")))
        sl__err_field(v, "Version", SL_SCHEMA,
                      "The field 'Version' should have one of these values: "
                      "[1.0]");
    if (json_object_object_get_ex(root, "Comment", &f) &&
        !json_object_is_type(f, json_type_string))
        sl__err_field(v, "Comment", SL_SCHEMA,
                      "The field 'Comment' must be a string");
    sl__check_int_field(v, root, "TimeoutSeconds", 1, 99999999, SL_QL_JSONPATH);
    return ql;
}

static bool only_space(const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!strchr(" \t\r\n", text[i]) || text[i] == '\0')
            return false;
    return true;
}

static json_object *parse_definition(sl_vctx *v, const char *text, size_t len)
{
    if (len > BT_LIMIT_DEFINITION_BYTES) {
        sl__err_noloc(v, SL_SCHEMA,
                      "Definition is %zu bytes long; the limit is %d", len,
                      BT_LIMIT_DEFINITION_BYTES);
        return NULL;
    }
    if (only_space(text, len)) {
        sl__err_noloc(v, SL_SCHEMA, "Definition must be a valid JSON object");
        return NULL;
    }
    json_object *root = NULL;
    bt_json_error jerr;
    if (bt_json_parse(text, len, BT_LIMIT_JSON_DEPTH, &root, &jerr) != 0) {
        sl__err_noloc(v, SL_INVALID_JSON, "%s", jerr.message);
        sl_diag *d = &v->diags->items[v->diags->len - 1];
        d->line = jerr.line;
        d->column = jerr.column;
        return NULL;
    }
    if (!json_object_is_type(root, json_type_object)) {
        sl__err_noloc(v, SL_SCHEMA, "Definition must be a valid JSON object");
        json_object_put(root);
        return NULL;
    }
    return root;
}

int sl_machine_compile(const char *text, size_t len,
                       const sl_compile_opts *opts, sl_machine **out,
                       sl_diags *diags)
{
    sl_vctx v = {0};
    v.text = text;
    v.len = len;
    v.diags = diags;
    bt_buf_init(&v.ptr);
    size_t errors_before = sl_diags_errors(diags);

    json_object *root = parse_definition(&v, text, len);
    if (!root) {
        bt_buf_fini(&v.ptr);
        return BT_EINVALID;
    }
    sl_machine *m = bt_xcalloc(1, sizeof *m);
    m->root = root;
    m->type = opts ? opts->type : SL_MACHINE_STANDARD;
    v.m = m;
    v.names = json_object_new_object();
    m->ql = check_top_fields(&v, root);
    m->top = sl__scope_build(&v, root, NULL, NULL, m->ql);
    check_scopes(&v);
    json_object_put(v.names);
    bt_buf_fini(&v.ptr);

    if (sl_diags_errors(diags) > errors_before) {
        sl_machine_free(m);
        return BT_EINVALID;
    }
    char *cerr = NULL;
    if (sl__compile_machine(m, &cerr) != 0) {
        sl__err_noloc(&v, SL_SCHEMA, "%s", cerr);
        free(cerr);
        sl_machine_free(m);
        return BT_EINVALID;
    }
    if (out)
        *out = m;
    else
        sl_machine_free(m);
    return 0;
}

/* ---- navigation -------------------------------------------------------------
 */

const sl_scope *sl_machine_top(const sl_machine *m)
{
    return m->top;
}

int64_t sl_machine_timeout_s(const sl_machine *m)
{
    json_object *t;
    return json_object_object_get_ex(m->root, "TimeoutSeconds", &t)
               ? json_object_get_int64(t)
               : 0;
}

const sl_state *sl_scope_start(const sl_scope *sc)
{
    return sc->start_at ? sl_scope_find(sc, sc->start_at) : NULL;
}

const sl_state *sl_scope_find(const sl_scope *sc, const char *name)
{
    json_object *idx;
    if (!name || !json_object_object_get_ex(sc->index, name, &idx))
        return NULL;
    return sc->states[json_object_get_int64(idx)];
}

sl_kind sl_state_kind(const sl_state *st)
{
    return st->kind;
}

const char *sl_state_name(const sl_state *st)
{
    return st->name;
}

const char *sl_state_type_name(const sl_state *st)
{
    return sl__kind_name(st->kind);
}

const sl_state *sl_state_next(const sl_state *st)
{
    return st->next_state;
}

size_t sl_state_branch_count(const sl_state *st)
{
    return st->nbranches;
}

const sl_scope *sl_state_branch(const sl_state *st, size_t i)
{
    return i < st->nbranches ? st->branches[i] : NULL;
}

const sl_scope *sl_state_processor(const sl_state *st)
{
    return st->processor;
}

const char *sl_state_resource(const sl_state *st)
{
    return st->resource;
}

bool sl_state_map_distributed(const sl_state *st)
{
    return st->distributed;
}

const char *sl_state_map_label(const sl_state *st)
{
    return st->label;
}

size_t sl_scope_state_count(const sl_scope *sc)
{
    return sc->nstates;
}

const sl_state *sl_scope_state(const sl_scope *sc, size_t i)
{
    return i < sc->nstates ? sc->states[i] : NULL;
}

const sl_state *sl_scope_owner(const sl_scope *sc)
{
    return sc->owner;
}

const sl_scope *sl_state_scope(const sl_state *st)
{
    return st->scope;
}

bool sl_state_is_end(const sl_state *st)
{
    return st->end;
}

size_t sl_state_choice_count(const sl_state *st)
{
    return st->nchoices;
}

const sl_state *sl_state_choice_next(const sl_state *st, size_t i)
{
    return i < st->nchoices ? st->choices[i].next : NULL;
}

const sl_state *sl_state_default(const sl_state *st)
{
    return st->default_state;
}

size_t sl_state_catcher_count(const sl_state *st)
{
    return st->ncatchers;
}

const sl_state *sl_state_catcher_next(const sl_state *st, size_t i)
{
    return i < st->ncatchers ? st->catchers[i].next : NULL;
}

json_object *sl_state_catcher_errors(const sl_state *st, size_t i)
{
    return i < st->ncatchers ? st->catchers[i].error_equals : NULL;
}
