/*
 * The graph model: every state of a compiled machine as a node, and each
 * state's status replayed from an execution's history (graph.h lists the
 * statuses). Layout is in graph_layout.c, drawing in graph_svg.c.
 *
 * Replaying a history: events are read in id order. Each ...StateEntered
 * event opens a visit; every other event is attributed to a visit by
 * following previousEventId (reference §11.4): the event it points at
 * belongs to some visit, and the event's own visit is that one or one of
 * its enclosing Parallel/Map visits, chosen by the event's type. Concurrent
 * branches and Map iterations therefore never mix, even though the states
 * they visit share names. Statuses are decided once the whole history is
 * read, children before their Parallel/Map.
 */
#include "server/graph.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/graph_int.h"

static const struct {
    const char *word, *label, *fill, *stroke;
} styles[] = {
#define SRV_GRAPH_ROW(id, word, label, fill, stroke)                           \
    {word, label, fill, stroke},
    SRV_GRAPH_STATUSES(SRV_GRAPH_ROW)
#undef SRV_GRAPH_ROW
};

const char *srv_graph_status_word(srv_graph_status s)
{
    return styles[s].word;
}

const char *srv_graph_status_label(srv_graph_status s)
{
    return styles[s].label;
}

const char *srv_graph_status_fill(srv_graph_status s)
{
    return styles[s].fill;
}

const char *srv_graph_status_stroke(srv_graph_status s)
{
    return styles[s].stroke;
}

/* ---- the model ---------------------------------------------------------- */

static size_t count_states(const sl_scope *top)
{
    /* Scopes nest at most 64 deep (statelang's limit); an explicit stack
     * keeps this iterative anyway. */
    size_t total = 0, len = 1, cap = 16;
    const sl_scope **stack = bt_xmalloc(cap * sizeof *stack);
    stack[0] = top;
    while (len) {
        const sl_scope *sc = stack[--len];
        size_t n = sl_scope_state_count(sc);
        total += n;
        for (size_t i = 0; i < n; i++) {
            const sl_state *st = sl_scope_state(sc, i);
            size_t nb = sl_state_branch_count(st);
            const sl_scope *proc = sl_state_processor(st);
            if (len + nb + 1 > cap) {
                cap = (len + nb + 1) * 2;
                stack = bt_xrealloc(stack, cap * sizeof *stack);
            }
            for (size_t b = 0; b < nb; b++)
                stack[len++] = sl_state_branch(st, b);
            if (proc)
                stack[len++] = proc;
        }
    }
    free(stack);
    return total;
}

static gscope *scope_add(srv_graph *g, const sl_scope *sc, gnode *owner,
                         size_t branch, size_t *filled)
{
    gscope *s = bt_xcalloc(1, sizeof *s);
    s->sc = sc;
    s->owner = owner;
    s->branch = branch;
    s->first = *filled;
    s->n = sl_scope_state_count(sc);
    for (size_t i = 0; i < s->n; i++) {
        gnode *nd = &g->nodes[s->first + i];
        nd->st = sl_scope_state(sc, i);
        nd->scope = s;
        json_object_object_add(g->index, sl_state_name(nd->st),
                               json_object_new_int64((int64_t)(s->first + i)));
    }
    *filled += s->n;
    g->scopes = bt_xrealloc(g->scopes, (g->nscopes + 1) * sizeof *g->scopes);
    g->scopes[g->nscopes++] = s;
    return s;
}

static void build(srv_graph *g)
{
    const sl_scope *top = sl_machine_top(g->m);
    g->n = count_states(top);
    g->nodes = bt_xcalloc(g->n ? g->n : 1, sizeof *g->nodes);
    g->index = json_object_new_object();
    size_t filled = 0;
    scope_add(g, top, NULL, 0, &filled);
    /* Breadth first: scopes[] grows while it is walked. */
    for (size_t k = 0; k < g->nscopes; k++) {
        const gscope *s = g->scopes[k]; /* scopes[] may move, *s does not */
        for (size_t i = 0; i < s->n; i++) {
            gnode *nd = &g->nodes[s->first + i];
            size_t nb = sl_state_branch_count(nd->st);
            const sl_scope *proc = sl_state_processor(nd->st);
            nd->nsubs = nb + (proc ? 1 : 0);
            if (!nd->nsubs)
                continue;
            nd->subs = bt_xcalloc(nd->nsubs, sizeof *nd->subs);
            for (size_t b = 0; b < nb; b++)
                nd->subs[b] =
                    scope_add(g, sl_state_branch(nd->st, b), nd, b, &filled);
            if (proc)
                nd->subs[nb] = scope_add(g, proc, nd, 0, &filled);
        }
    }
}

static long node_named(const srv_graph *g, const char *name)
{
    json_object *v;
    if (!name || !json_object_object_get_ex(g->index, name, &v))
        return -1;
    return (long)json_object_get_int64(v);
}

size_t graph__node_of(const srv_graph *g, const sl_state *st)
{
    long i = node_named(g, sl_state_name(st));
    return i < 0 ? 0 : (size_t)i;
}

/* ---- replaying a history ---------------------------------------------- */

typedef enum { EXEC_RUNNING, EXEC_SUCCEEDED, EXEC_FAILED, EXEC_STOPPED } xend;

typedef struct visit {
    size_t node;
    long parent;       /* the enclosing Parallel/Map visit, or -1 */
    int64_t exited_id; /* 0 while not exited */
    int64_t attempt;   /* id of the latest ...StateStarted (retries) */
    int64_t entered;
    long next_node; /* the state entered right after the exit, or -1 */
    bool closed;    /* exited or aborted */
    bool aborted;
    bool failing;      /* a failure event since the last (re)start */
    bool inner_done;   /* Parallel/Map: ...StateSucceeded/Failed seen */
    bool inner_ok;     /* ...StateSucceeded seen */
    bool child_failed; /* a state inside failed in this attempt */
    srv_graph_status status;
} visit;

typedef struct replay {
    srv_graph *g;
    json_object *events;
    size_t nevents;
    int64_t *ids; /* event ids, in array order */
    long *owner;  /* visit index of each event, or -1 */
    visit *v;
    size_t nv, cap;
    xend end;
    long fail_visit; /* ExecutionFailed's previous event's visit */
} replay;

static bool starts(const char *s, const char *prefix)
{
    return !strncmp(s, prefix, strlen(prefix));
}

static bool ends(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

/* The visit that event id belongs to, or -1 (ids are increasing). */
static long owner_of(const replay *r, size_t upto, int64_t id)
{
    size_t lo = 0, hi = upto;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < upto && r->ids[lo] == id ? r->owner[lo] : -1;
}

static sl_kind node_kind(const replay *r, const visit *v)
{
    return sl_state_kind(r->g->nodes[v->node].st);
}

/* Walks from visit v out through its enclosing visits: the first one of
 * node `node` (node >= 0) or of kind `kind`, still open; with `active`
 * also not past its ...StateSucceeded/Failed. */
static long chain_find(const replay *r, long v, long node, int kind,
                       bool active)
{
    for (int depth = 0; v >= 0 && depth < 200; depth++) {
        const visit *x = &r->v[v];
        bool match =
            node >= 0 ? (long)x->node == node : (int)node_kind(r, x) == kind;
        if (match && !x->closed && !(active && x->inner_done))
            return v;
        v = x->parent;
    }
    return -1;
}

/* The latest open visit of node `node` or of kind `kind` (fallback when
 * previousEventId leads elsewhere, as for sibling aborts). */
static long latest_open(const replay *r, long node, int kind)
{
    for (size_t i = r->nv; i-- > 0;) {
        const visit *x = &r->v[i];
        bool match =
            node >= 0 ? (long)x->node == node : (int)node_kind(r, x) == kind;
        if (match && !x->closed)
            return (long)i;
    }
    return -1;
}

static long find_visit(const replay *r, long from, long node, int kind,
                       bool active)
{
    long v = chain_find(r, from, node, kind, active);
    if (v < 0 && active)
        v = chain_find(r, from, node, kind, false);
    return v >= 0 ? v : latest_open(r, node, kind);
}

static long visit_open(replay *r, size_t node, long from, int64_t id,
                       int64_t prev)
{
    r->v = bt_grow(r->v, r->nv, &r->cap, sizeof *r->v);
    visit *x = &r->v[r->nv];
    memset(x, 0, sizeof *x);
    x->node = node;
    x->entered = x->attempt = id;
    x->next_node = -1;
    const gnode *owner = r->g->nodes[node].scope->owner;
    x->parent = -1;
    if (owner) {
        long on = (long)(owner - r->g->nodes);
        x->parent = chain_find(r, from, on, 0, false);
        if (x->parent < 0)
            x->parent = latest_open(r, on, 0);
    }
    /* Remember which state followed a sibling's exit (Catch or not). */
    if (from >= 0 && r->v[from].exited_id == prev && r->v[from].next_node < 0)
        r->v[from].next_node = (long)node;
    return (long)r->nv++;
}

static const struct {
    const char *prefix;
    sl_kind kind;
} kinds[] = {{"Task", SL_TASK},         {"Wait", SL_WAIT},
             {"Pass", SL_PASS},         {"Succeed", SL_SUCCEED},
             {"Fail", SL_FAIL},         {"Choice", SL_CHOICE},
             {"Parallel", SL_PARALLEL}, {"Map", SL_MAP}};

/* The kind a "<Type>State..." / "MapIteration..." / "MapRun..." event
 * type names, or -1. */
static int kind_of_type(const char *type)
{
    if (starts(type, "MapIteration") || starts(type, "MapRun"))
        return SL_MAP;
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
        size_t k = strlen(kinds[i].prefix);
        if (!strncmp(type, kinds[i].prefix, k) && starts(type + k, "State"))
            return (int)kinds[i].kind;
    }
    return -1;
}

/* Task, Lambda, activity and evaluation failures (not Execution...,
 * MapIteration... or the compound ...StateFailed handled apart). */
static bool is_failure(const char *type)
{
    return (ends(type, "Failed") || ends(type, "TimedOut")) &&
           !starts(type, "Execution") && !starts(type, "MapIteration") &&
           !starts(type, "MapRun");
}

static void on_execution(replay *r, const char *type, long from)
{
    if (!strcmp(type, "ExecutionSucceeded")) {
        r->end = EXEC_SUCCEEDED;
    } else if (!strcmp(type, "ExecutionFailed")) {
        r->end = EXEC_FAILED;
        r->fail_visit = from;
    } else if (!strcmp(type, "ExecutionAborted") ||
               !strcmp(type, "ExecutionTimedOut")) {
        r->end = EXEC_STOPPED;
    }
}

/* Parallel/Map bookkeeping events. */
static long on_compound(replay *r, const char *type, int kind, long from,
                        int64_t id)
{
    bool restart = ends(type, "StateStarted") && !starts(type, "MapIteration");
    bool aborted = ends(type, "StateAborted");
    bool own = restart || aborted || starts(type, "MapRun");
    long v = find_visit(r, from, -1, kind, !own);
    if (v < 0)
        return -1;
    visit *x = &r->v[v];
    if (restart) {
        x->attempt = id;
        x->failing = x->inner_done = x->inner_ok = x->child_failed = false;
    } else if (aborted) {
        x->aborted = x->closed = true;
    } else if (ends(type, "StateSucceeded")) {
        x->inner_done = x->inner_ok = true;
    } else if (ends(type, "StateFailed")) {
        x->inner_done = x->failing = true;
    }
    return v;
}

/* Notes a state name the machine lacks (an event without one is just
 * malformed). Returns -1: the event belongs to no visit. */
static long unknown_state(replay *r, const char *name)
{
    if (name && !r->g->unknown)
        r->g->unknown = bt_xstrdup(name);
    return -1;
}

static long on_event(replay *r, json_object *ev, long from, int64_t id,
                     int64_t prev)
{
    const char *type = bt_json_str(ev, "type");
    json_object *d;
    if (!type)
        return -1;
    if (json_object_object_get_ex(ev, "stateEnteredEventDetails", &d)) {
        long node = node_named(r->g, bt_json_str(d, "name"));
        if (node < 0)
            return unknown_state(r, bt_json_str(d, "name"));
        long v = visit_open(r, (size_t)node, from, id, prev);
        r->v[v].failing = !strcmp(type, "FailStateEntered");
        return v;
    }
    if (json_object_object_get_ex(ev, "stateExitedEventDetails", &d)) {
        long node = node_named(r->g, bt_json_str(d, "name"));
        if (node < 0)
            return unknown_state(r, bt_json_str(d, "name"));
        long v = find_visit(r, from, node, 0, false);
        if (v >= 0) {
            r->v[v].closed = true;
            r->v[v].exited_id = id;
        }
        return v;
    }
    if (json_object_object_get_ex(ev, "evaluationFailedEventDetails", &d)) {
        long node = node_named(r->g, bt_json_str(d, "state"));
        if (node < 0)
            unknown_state(r, bt_json_str(d, "state"));
        long v = node < 0 ? from : find_visit(r, from, node, 0, false);
        if (v >= 0)
            r->v[v].failing = true;
        return v;
    }
    if (starts(type, "Execution")) {
        on_execution(r, type, from);
        return -1;
    }
    int kind = kind_of_type(type);
    if (kind == SL_PARALLEL || kind == SL_MAP)
        return on_compound(r, type, kind, from, id);
    if (kind >= 0 && ends(type, "StateAborted")) {
        long v = find_visit(r, from, -1, kind, false);
        if (v >= 0)
            r->v[v].aborted = r->v[v].closed = true;
        return v;
    }
    /* Task, Lambda and activity events follow their own state's. */
    if (from >= 0 && is_failure(type))
        r->v[from].failing = true;
    else if (from >= 0 && ends(type, "Scheduled"))
        r->v[from].failing = false; /* a retry began */
    return from;
}

/* ---- deciding statuses -------------------------------------------------- */

typedef enum { VIA_UNKNOWN, VIA_NORMAL, VIA_CATCH, VIA_BOTH } via;

static via transition(const srv_graph *g, const visit *x)
{
    if (x->next_node < 0)
        return VIA_UNKNOWN;
    const sl_state *st = g->nodes[x->node].st;
    const sl_state *to = g->nodes[x->next_node].st;
    bool normal = sl_state_next(st) == to || sl_state_default(st) == to;
    for (size_t i = 0; i < sl_state_choice_count(st); i++)
        normal = normal || sl_state_choice_next(st, i) == to;
    bool caught = false;
    for (size_t i = 0; i < sl_state_catcher_count(st); i++)
        caught = caught || sl_state_catcher_next(st, i) == to;
    return normal && caught ? VIA_BOTH
           : normal         ? VIA_NORMAL
           : caught         ? VIA_CATCH
                            : VIA_UNKNOWN;
}

static bool on_fail_chain(const replay *r, long v)
{
    for (long c = r->fail_visit; c >= 0; c = r->v[c].parent)
        if (c == v)
            return true;
    return false;
}

static srv_graph_status decide(const replay *r, long i)
{
    const visit *x = &r->v[i];
    /* A Parallel/Map whose child failed and that never reported success
     * failed too (some engines write no ...StateFailed before a Catch). */
    bool failed = x->failing || (x->child_failed && !x->inner_ok);
    if (x->exited_id) {
        via t = transition(r->g, x);
        bool caught = t == VIA_CATCH || (t != VIA_NORMAL && failed);
        return caught ? SRV_GRAPH_CAUGHT : SRV_GRAPH_SUCCEEDED;
    }
    if (x->aborted)
        return failed ? SRV_GRAPH_FAILED : SRV_GRAPH_ABORTED;
    if (r->end == EXEC_RUNNING)
        return failed && node_kind(r, x) == SL_FAIL ? SRV_GRAPH_FAILED
                                                    : SRV_GRAPH_RUNNING;
    if (failed || (r->end == EXEC_FAILED && on_fail_chain(r, i)))
        return SRV_GRAPH_FAILED;
    return SRV_GRAPH_ABORTED;
}

static void finish(replay *r)
{
    /* Children were entered after their parent: deciding from the last
     * visit backwards settles every child before its parent. */
    for (size_t i = r->nv; i-- > 0;) {
        visit *x = &r->v[i];
        x->status = decide(r, (long)i);
        if (x->parent >= 0 && x->status == SRV_GRAPH_FAILED &&
            x->entered > r->v[x->parent].attempt)
            r->v[x->parent].child_failed = true;
        gnode *nd = &r->g->nodes[x->node];
        nd->visits++;
        if (x->status > nd->status)
            nd->status = x->status;
    }
}

static void replay_history(srv_graph *g, json_object *events)
{
    replay r;
    memset(&r, 0, sizeof r);
    r.g = g;
    r.events = events;
    r.nevents = json_object_array_length(events);
    r.ids = bt_xcalloc(r.nevents + 1, sizeof *r.ids);
    r.owner = bt_xcalloc(r.nevents + 1, sizeof *r.owner);
    r.fail_visit = -1;
    size_t kept = 0;
    for (size_t i = 0; i < r.nevents; i++) {
        json_object *ev = json_object_array_get_idx(events, i);
        int64_t id = bt_json_int(ev, "id"),
                prev = bt_json_int(ev, "previousEventId");
        if (kept && id <= r.ids[kept - 1])
            continue; /* not in id order: not an AWS history */
        long from = owner_of(&r, kept, prev);
        r.ids[kept] = id;
        r.owner[kept] = on_event(&r, ev, from, id, prev);
        kept++;
    }
    finish(&r);
    free(r.ids);
    free(r.owner);
    free(r.v);
}

/* ---- public ------------------------------------------------------------ */

srv_graph *srv_graph_new(const sl_machine *m, json_object *history)
{
    srv_graph *g = bt_xcalloc(1, sizeof *g);
    g->m = m;
    build(g);
    graph__layout(g);
    if (json_object_is_type(history, json_type_array)) {
        g->has_history = true;
        replay_history(g, history);
    }
    return g;
}

void srv_graph_free(srv_graph *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->n; i++)
        free(g->nodes[i].subs);
    for (size_t i = 0; i < g->nscopes; i++) {
        for (size_t j = 0; j < g->scopes[i]->nedges; j++)
            free(g->scopes[i]->edges[j].via);
        free(g->scopes[i]->edges);
        free(g->scopes[i]);
    }
    free(g->scopes);
    free(g->nodes);
    json_object_put(g->index);
    free(g->unknown);
    free(g);
}

size_t srv_graph_state_count(const srv_graph *g)
{
    return g->n;
}

const char *srv_graph_state_name(const srv_graph *g, size_t i)
{
    return i < g->n ? sl_state_name(g->nodes[i].st) : NULL;
}

const char *srv_graph_state_type(const srv_graph *g, size_t i)
{
    return i < g->n ? sl_state_type_name(g->nodes[i].st) : NULL;
}

srv_graph_status srv_graph_state_status(const srv_graph *g, size_t i)
{
    return i < g->n ? g->nodes[i].status : SRV_GRAPH_NOT_STARTED;
}

size_t srv_graph_state_visits(const srv_graph *g, size_t i)
{
    return i < g->n ? g->nodes[i].visits : 0;
}

const char *srv_graph_unknown_state(const srv_graph *g)
{
    return g->unknown;
}
