/*
 * Laying out the graph, one scope at a time (nested scopes first, since a
 * Parallel or Map box holds their drawings):
 *
 *  1. edges: Next, Choices, Default, Catch, and End/Succeed/Fail to the
 *     scope's end marker;
 *  2. a depth-first walk from StartAt (then from any state it did not
 *     reach, in definition order) marks the edges that close a cycle;
 *     the rest form a DAG in which a state's layer is its longest path
 *     from a root, and layers are rows from top to bottom;
 *  3. an edge that skips rows gets a waypoint in each row it crosses, so
 *     it runs between boxes instead of through them;
 *  4. row by row, boxes and waypoints are ordered by the mean position of
 *     their predecessors (ties: the walk's discovery order) and packed
 *     around one vertical axis.
 *
 * Everything is integer arithmetic on the definition alone: the layout of
 * a machine never changes between runs.
 */
#include "server/graph.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "server/graph_int.h"

enum {
    PAD = 16,        /* around a scope's drawing */
    GAP_X = 28,      /* between boxes in a row */
    GAP_Y = 44,      /* between rows */
    BOX_H = 44,      /* a simple state */
    BOX_MIN_W = 110, /* ... */
    VIA_W = 10,      /* room a passing edge takes in a row */
    LOOP_GAP = 12,   /* between the tracks of edges going back up */
    HEAD_H = GRAPH_HEAD_H,
    LANE_PAD = GRAPH_LANE_PAD,
    LANE_LABEL = GRAPH_LANE_LABEL,
    MARK_R = GRAPH_MARK_R
};

/* One scope's working state. */
typedef struct edges {
    gedge *e;
    size_t n, cap;
    size_t *first; /* per node: its first edge (grouped by from) */
    size_t *count;
} edges;

typedef struct waypoint {
    size_t edge;
    int layer;
    int x; /* centre */
} waypoint;

typedef struct row {
    long *items; /* node index within the scope, or -(waypoint + 1) */
    size_t n;
    int w, h, y;
} row;

typedef struct lay {
    srv_graph *g;
    gscope *s;
    edges es;
    int *seen; /* discovery number per node, 1-based */
    int nrows;
    row *rows;
    waypoint *wp;
    size_t nwp;
    size_t *wfirst; /* per edge: its first waypoint */
} lay;

/* ---- edges ----------------------------------------------------------------
 */

static void edge_add(edges *es, size_t from, size_t to, gedge_kind kind,
                     size_t index)
{
    for (size_t i = es->first[from]; i < es->n; i++) {
        bool dashed = es->e[i].kind == GEDGE_CATCH;
        if (es->e[i].to == to && dashed == (kind == GEDGE_CATCH))
            return; /* one line per pair and style is enough */
    }
    es->e = bt_grow(es->e, es->n, &es->cap, sizeof *es->e);
    es->e[es->n++] = (gedge){from, to, kind, index, false, 0, NULL, 0};
    es->count[from]++;
}

static size_t local(const srv_graph *g, const gscope *s, const sl_state *st)
{
    return graph__node_of(g, st) - s->first;
}

static void edges_build(lay *L)
{
    const gscope *s = L->s;
    edges *es = &L->es;
    es->first = bt_xcalloc(s->n + 1, sizeof *es->first);
    es->count = bt_xcalloc(s->n + 1, sizeof *es->count);
    for (size_t i = 0; i < s->n; i++) {
        const sl_state *st = L->g->nodes[s->first + i].st;
        es->first[i] = es->n;
        if (sl_state_next(st))
            edge_add(es, i, local(L->g, s, sl_state_next(st)), GEDGE_NEXT, 0);
        for (size_t c = 0; c < sl_state_choice_count(st); c++)
            edge_add(es, i, local(L->g, s, sl_state_choice_next(st, c)),
                     GEDGE_CHOICE, c);
        if (sl_state_default(st))
            edge_add(es, i, local(L->g, s, sl_state_default(st)), GEDGE_DEFAULT,
                     0);
        for (size_t c = 0; c < sl_state_catcher_count(st); c++)
            edge_add(es, i, local(L->g, s, sl_state_catcher_next(st, c)),
                     GEDGE_CATCH, c);
        sl_kind k = sl_state_kind(st);
        if (sl_state_is_end(st) || k == SL_SUCCEED || k == SL_FAIL)
            edge_add(es, i, GEDGE_TO_END, GEDGE_END, 0);
    }
}

/* ---- layers ----------------------------------------------------------------
 */

typedef struct walk {
    bool *on_stack;
    size_t *post, npost;
    size_t *stack, *pos;
    int next_seen;
} walk;

/* Depth first from root with an explicit stack: marks back edges, records
 * postorder and discovery numbers. */
static void dfs(lay *L, walk *w, size_t root)
{
    edges *es = &L->es;
    size_t len = 0;
    w->stack[len] = root;
    w->pos[len++] = 0;
    L->seen[root] = ++w->next_seen;
    w->on_stack[root] = true;
    while (len) {
        size_t u = w->stack[len - 1], k = w->pos[len - 1]++;
        if (k == es->count[u]) {
            w->on_stack[u] = false;
            w->post[w->npost++] = u;
            len--;
            continue;
        }
        gedge *e = &es->e[es->first[u] + k];
        if (e->to == GEDGE_TO_END)
            continue;
        if (w->on_stack[e->to]) {
            e->back = true;
        } else if (!L->seen[e->to]) {
            L->seen[e->to] = ++w->next_seen;
            w->on_stack[e->to] = true;
            w->stack[len] = e->to;
            w->pos[len++] = 0;
        }
    }
}

static void assign_layers(lay *L)
{
    size_t n = L->s->n;
    walk w = {bt_xcalloc(n + 1, sizeof(bool)),
              bt_xcalloc(n + 1, sizeof(size_t)),
              0,
              bt_xcalloc(n + 1, sizeof(size_t)),
              bt_xcalloc(n + 1, sizeof(size_t)),
              0};
    L->seen = bt_xcalloc(n + 1, sizeof *L->seen);
    const sl_state *start = sl_scope_start(L->s->sc);
    if (start)
        dfs(L, &w, local(L->g, L->s, start));
    for (size_t i = 0; i < n; i++)
        if (!L->seen[i])
            dfs(L, &w, i);
    gnode *nodes = &L->g->nodes[L->s->first];
    L->nrows = n ? 1 : 0;
    for (size_t i = 0; i < n; i++)
        nodes[i].layer = 0;
    /* Reverse postorder is a topological order of the forward edges. */
    for (size_t k = w.npost; k-- > 0;) {
        size_t u = w.post[k];
        for (size_t j = 0; j < L->es.count[u]; j++) {
            const gedge *e = &L->es.e[L->es.first[u] + j];
            if (e->to == GEDGE_TO_END || e->back)
                continue;
            if (nodes[e->to].layer < nodes[u].layer + 1)
                nodes[e->to].layer = nodes[u].layer + 1;
            if (nodes[e->to].layer + 1 > L->nrows)
                L->nrows = nodes[e->to].layer + 1;
        }
    }
    free(w.on_stack);
    free(w.post);
    free(w.stack);
    free(w.pos);
}

/* ---- rows ------------------------------------------------------------------
 */

static void row_add(row *r, long item, int w, int h)
{
    r->items = bt_xrealloc(r->items, (r->n + 1) * sizeof *r->items);
    r->items[r->n++] = item;
    r->w += w + (r->n > 1 ? GAP_X : 0);
    if (h > r->h)
        r->h = h;
}

static int target_layer(const lay *L, const gedge *e)
{
    return e->to == GEDGE_TO_END ? L->nrows
                                 : L->g->nodes[L->s->first + e->to].layer;
}

/* Waypoints for every forward edge that skips rows (edges to the end
 * marker end below the last row). */
static void add_waypoints(lay *L)
{
    L->wfirst = bt_xcalloc(L->es.n + 1, sizeof *L->wfirst);
    for (size_t i = 0; i < L->es.n; i++) {
        const gedge *e = &L->es.e[i];
        L->wfirst[i] = L->nwp;
        if (e->back)
            continue;
        int from = L->g->nodes[L->s->first + e->from].layer;
        for (int l = from + 1; l < target_layer(L, e); l++) {
            L->wp = bt_xrealloc(L->wp, (L->nwp + 1) * sizeof *L->wp);
            L->wp[L->nwp] = (waypoint){i, l, 0};
            row_add(&L->rows[l], -(long)L->nwp - 1, VIA_W, 0);
            L->nwp++;
        }
    }
}

static int centre(const lay *L, size_t v)
{
    const gnode *nd = &L->g->nodes[L->s->first + v];
    return nd->x + nd->w / 2;
}

/* Where edge i comes from into the row it reaches next after `layer`. */
static int pred_x(const lay *L, size_t i, int layer)
{
    const gedge *e = &L->es.e[i];
    size_t end = i + 1 < L->es.n ? L->wfirst[i + 1] : L->nwp;
    for (size_t k = L->wfirst[i]; k < end; k++)
        if (L->wp[k].layer == layer - 1)
            return L->wp[k].x;
    return centre(L, e->from);
}

typedef struct order_key {
    long item;
    bool has;
    double x;
    long tie;
} order_key;

static int order_cmp(const void *pa, const void *pb)
{
    const order_key *a = pa, *b = pb;
    if (a->has != b->has)
        return a->has ? -1 : 1;
    if (a->has && a->x != b->x)
        return a->x < b->x ? -1 : 1;
    return a->tie < b->tie ? -1 : a->tie > b->tie;
}

static order_key key_of(const lay *L, long item, int layer)
{
    order_key k = {item, false, 0, 0};
    if (item < 0) {
        const waypoint *w = &L->wp[-item - 1];
        k.has = true;
        k.x = pred_x(L, w->edge, layer);
        k.tie = LONG_MAX / 2 + (long)w->edge; /* after the boxes */
        return k;
    }
    double sum = 0;
    int n = 0;
    for (size_t i = 0; i < L->es.n; i++) {
        const gedge *e = &L->es.e[i];
        if (e->back || e->to != (size_t)item)
            continue;
        sum += pred_x(L, i, layer);
        n++;
    }
    k.has = n > 0;
    k.x = n ? sum / n : 0;
    k.tie = L->seen[item];
    return k;
}

/* Orders row l and packs it around x = 0 (shifted once the scope's width
 * is known). */
static void place_row(lay *L, int l, int y)
{
    row *r = &L->rows[l];
    r->y = y;
    order_key *keys = bt_xcalloc(r->n + 1, sizeof *keys);
    for (size_t i = 0; i < r->n; i++)
        keys[i] = key_of(L, r->items[i], l);
    qsort(keys, r->n, sizeof *keys, order_cmp);
    int x = -r->w / 2;
    for (size_t i = 0; i < r->n; i++) {
        long it = keys[i].item;
        r->items[i] = it;
        if (it < 0) {
            L->wp[-it - 1].x = x + VIA_W / 2;
            x += VIA_W + GAP_X;
            continue;
        }
        gnode *nd = &L->g->nodes[L->s->first + it];
        nd->x = x;
        nd->y = y + (r->h - nd->h) / 2;
        x += nd->w + GAP_X;
    }
    free(keys);
}

/* ---- sizes ------------------------------------------------------------------
 */

static void layout_scope(srv_graph *g, gscope *s);

static void size_node(srv_graph *g, gnode *nd)
{
    int w = graph__chars(sl_state_name(nd->st)) * GRAPH_CHAR_W + 28;
    nd->w = w < BOX_MIN_W ? BOX_MIN_W : w;
    nd->h = BOX_H;
    if (!nd->nsubs)
        return;
    /* Scopes nest at most 64 deep (statelang's limit): recursion is
     * bounded. */
    int lanes_w = 0, lanes_h = 0;
    for (size_t i = 0; i < nd->nsubs; i++) {
        layout_scope(g, nd->subs[i]);
        lanes_w += nd->subs[i]->w + (i ? LANE_PAD : 0);
        if (nd->subs[i]->h + LANE_LABEL > lanes_h)
            lanes_h = nd->subs[i]->h + LANE_LABEL;
    }
    if (lanes_w + 2 * LANE_PAD > nd->w)
        nd->w = lanes_w + 2 * LANE_PAD;
    nd->h = HEAD_H + lanes_h + LANE_PAD;
}

/* Gives back edges their tracks and returns the room they need. */
static int loop_room(lay *L)
{
    int lanes = 0;
    bool self = false;
    for (size_t i = 0; i < L->es.n; i++) {
        gedge *e = &L->es.e[i];
        if (!e->back)
            continue;
        if (e->from == e->to)
            self = true;
        else
            e->lane = lanes++;
    }
    if (!lanes && !self)
        return 0;
    return 2 * LOOP_GAP + LOOP_GAP * (lanes ? lanes : 1);
}

/* Stores the edges, with their waypoints in final coordinates, on s. */
static void keep_edges(lay *L)
{
    for (size_t i = 0; i < L->es.n; i++) {
        gedge *e = &L->es.e[i];
        size_t end = i + 1 < L->es.n ? L->wfirst[i + 1] : L->nwp;
        e->nvia = end - L->wfirst[i];
        if (!e->nvia)
            continue;
        e->via = bt_xcalloc(e->nvia, sizeof *e->via);
        for (size_t k = 0; k < e->nvia; k++) {
            const waypoint *w = &L->wp[L->wfirst[i] + k];
            const row *r = &L->rows[w->layer];
            e->via[k] = (gvia){w->x + L->s->cx, r->y, r->y + r->h};
        }
    }
    L->s->edges = L->es.e;
    L->s->nedges = L->es.n;
}

static void layout_scope(srv_graph *g, gscope *s)
{
    lay L;
    memset(&L, 0, sizeof L);
    L.g = g;
    L.s = s;
    edges_build(&L);
    assign_layers(&L);
    L.rows = bt_xcalloc((size_t)L.nrows + 1, sizeof *L.rows);
    for (size_t i = 0; i < s->n; i++) {
        gnode *nd = &g->nodes[s->first + i];
        size_node(g, nd);
        row_add(&L.rows[nd->layer], (long)i, nd->w, nd->h);
    }
    add_waypoints(&L);
    s->start_y = PAD + MARK_R;
    int y = s->start_y + MARK_R + GAP_Y / 2, width = 4 * MARK_R;
    for (int l = 0; l < L.nrows; l++) {
        place_row(&L, l, y);
        y += L.rows[l].h + GAP_Y;
        if (L.rows[l].w > width)
            width = L.rows[l].w;
    }
    s->end_y = y - GAP_Y / 2 + MARK_R;
    s->cx = PAD + width / 2;
    s->right = PAD + width;
    s->w = width + 2 * PAD + loop_room(&L);
    s->h = s->end_y + MARK_R + PAD;
    for (size_t i = 0; i < s->n; i++)
        g->nodes[s->first + i].x += s->cx;
    keep_edges(&L);
    for (int l = 0; l < L.nrows; l++)
        free(L.rows[l].items);
    free(L.rows);
    free(L.seen);
    free(L.wp);
    free(L.wfirst);
    free(L.es.first);
    free(L.es.count);
}

void graph__layout(srv_graph *g)
{
    layout_scope(g, g->scopes[0]);
}
