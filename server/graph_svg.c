/*
 * Drawing the graph laid out by graph_layout.c as one SVG document.
 *
 * Every state is a <g class="state status-..."> with data-state,
 * data-type, data-status and data-visits, a <title> and a <rect> filled
 * with its status colour; a Parallel or Map box holds one lane per branch
 * (or its item processor) with the nested scope drawn inside. Every edge
 * is a <g class="edge edge-<kind>"> with data-from / data-to (absent for
 * the start and end markers), solid except Catch (dashed). Coordinates
 * are integers: the output is deterministic.
 */
#include "server/graph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/graph_int.h"
#include "server/srv_int.h"

enum {
    PAD = 16,
    LOOP_GAP = 12, /* graph_layout.c's tracks for edges going back up */
    LEGEND_H = 34,
    HEAD_H = GRAPH_HEAD_H,
    LANE_PAD = GRAPH_LANE_PAD,
    LANE_LABEL = GRAPH_LANE_LABEL,
    MARK_R = GRAPH_MARK_R,
    CHAR_W = GRAPH_CHAR_W,
    NAME_MAX = GRAPH_NAME_MAX
};

#define EDGE_COLOUR "#71717a"

/* ---- text ---------------------------------------------------------------- */

int graph__chars(const char *s)
{
    size_t n = bt_utf8_length(s, strlen(s));
    return (int)(n > NAME_MAX ? NAME_MAX + 1 : n);
}

/* s cut to NAME_MAX characters with an ellipsis (new). */
static char *shorten(const char *s)
{
    size_t len = strlen(s), i = 0;
    if (bt_utf8_length(s, len) <= NAME_MAX)
        return bt_xstrdup(s);
    for (int k = 0; k < NAME_MAX - 1 && i < len; k++) {
        uint32_t cp;
        size_t used = bt_utf8_decode(s + i, len - i, &cp);
        i += used ? used : 1;
    }
    char *t = bt_xmalloc(i + 4);
    memcpy(t, s, i);
    memcpy(t + i, "\xE2\x80\xA6", 4); /* U+2026 and the NUL */
    return t;
}

/* ---- SVG -------------------------------------------------------------------
 */

typedef struct pt {
    int x, y;
} pt;

static void write_title(srv_xml *x, const char *text)
{
    srv__xml_element(x, "title", text);
}

static void label_text(srv_xml *x, pt at, const char *text)
{
    srv__xml_open(x, "text");
    srv__xml_attr(x, "class", "label");
    srv__xml_attrf(x, "x", "%d", at.x);
    srv__xml_attrf(x, "y", "%d", at.y);
    srv__xml_attr(x, "text-anchor", "middle");
    srv__xml_attr(x, "font-size", "10");
    srv__xml_attr(x, "fill", "#3f3f46");
    srv__xml_attr(x, "stroke", "#ffffff");
    srv__xml_attr(x, "stroke-width", "3");
    srv__xml_attr(x, "paint-order", "stroke");
    srv__xml_text(x, text);
    srv__xml_close(x);
}

static const char *const kind_words[] = {"start",   "next",  "choice",
                                         "default", "catch", "end"};

/* The edge's visible label and its title text (new strings). */
static void edge_texts(const srv_graph *g, const gscope *s, const gedge *e,
                       char **label, char **title)
{
    const sl_state *from =
        e->kind == GEDGE_START ? NULL : g->nodes[s->first + e->from].st;
    const char *a = from ? sl_state_name(from) : "start";
    const char *b = e->to == GEDGE_TO_END
                        ? "end"
                        : sl_state_name(g->nodes[s->first + e->to].st);
    *label = NULL;
    if (e->kind == GEDGE_CHOICE) {
        *label = bt_xasprintf("rule %zu", e->index + 1);
        *title =
            bt_xasprintf("%s \xE2\x86\x92 %s (Choices[%zu])", a, b, e->index);
    } else if (e->kind == GEDGE_DEFAULT) {
        *label = bt_xstrdup("Default");
        *title = bt_xasprintf("%s \xE2\x86\x92 %s (Default)", a, b);
    } else if (e->kind == GEDGE_CATCH) {
        json_object *errs = sl_state_catcher_errors(from, e->index);
        bt_buf names;
        bt_buf_init(&names);
        for (size_t i = 0; i < json_object_array_length(errs); i++)
            bt_buf_printf(
                &names, "%s%s", i ? ", " : "",
                json_object_get_string(json_object_array_get_idx(errs, i)));
        *label = shorten(names.data ? names.data : "");
        *title = bt_xasprintf("%s \xE2\x86\x92 %s (Catch[%zu]: %s)", a, b,
                              e->index, names.data ? names.data : "");
        bt_buf_fini(&names);
    } else {
        *title = bt_xasprintf("%s \xE2\x86\x92 %s", a, b);
    }
}

/* The two ends of an edge in scope coordinates: bottom centre to top
 * centre (Catch edges a quarter to the right, beside any solid edge), or
 * right side to right side for edges going back up. */
static void edge_ends(const srv_graph *g, const gscope *s, const gedge *e,
                      pt *p, pt *q)
{
    const gnode *a =
        e->kind == GEDGE_START ? NULL : &g->nodes[s->first + e->from];
    const gnode *b = e->to == GEDGE_TO_END ? NULL : &g->nodes[s->first + e->to];
    int off_a = a && e->kind == GEDGE_CATCH ? a->w / 4 : 0;
    int off_b = b && e->kind == GEDGE_CATCH ? b->w / 4 : 0;
    if (e->back) {
        int dy = (a == b ? 8 : 0) + (e->kind == GEDGE_CATCH ? 6 : 0);
        *p = (pt){a->x + a->w, a->y + a->h / 2 - dy};
        *q = (pt){b->x + b->w, b->y + b->h / 2 + (a == b ? 8 : 0)};
        return;
    }
    *p = a ? (pt){a->x + a->w / 2 + off_a, a->y + a->h}
           : (pt){s->cx, s->start_y + MARK_R};
    *q = b ? (pt){b->x + b->w / 2 + off_b, b->y}
           : (pt){s->cx, s->end_y - MARK_R - 2};
}

/* A smooth vertical step from p down to q, appended to d. Sets *mid to
 * the curve's midpoint, (p + 3 c1 + 3 c2 + q) / 8. */
static void step_down(bt_buf *d, pt p, pt q, pt *mid)
{
    int dy = (q.y - p.y) / 2 < 12 ? 12 : (q.y - p.y) / 2;
    pt c1 = {p.x, p.y + dy}, c2 = {q.x, q.y - dy};
    bt_buf_printf(d, "C%d %d %d %d %d %d", c1.x, c1.y, c2.x, c2.y, q.x, q.y);
    *mid = (pt){(p.x + 3 * c1.x + 3 * c2.x + q.x) / 8,
                (p.y + 3 * c1.y + 3 * c2.y + q.y) / 8};
}

/* The path's d attribute; *mid is where a label goes (near the start). */
static void edge_path(const gscope *s, const gedge *e, pt p, pt q, bt_buf *d,
                      pt *mid)
{
    bt_buf_printf(d, "M%d %d", p.x, p.y);
    if (e->back && e->from == e->to) {
        int out = p.x + 2 * LOOP_GAP;
        bt_buf_printf(d, "C%d %d %d %d %d %d", out, p.y, out, q.y, q.x, q.y);
        *mid = (pt){out - LOOP_GAP / 2, (p.y + q.y) / 2};
    } else if (e->back) {
        int out = s->right + LOOP_GAP * (e->lane + 1);
        bt_buf_printf(d, "C%d %d %d %d %d %d", out, p.y, out, q.y, q.x, q.y);
        *mid = (pt){(p.x + out) / 2, p.y - 4};
    } else {
        pt at = p;
        for (size_t i = 0; i < e->nvia; i++) {
            pt m;
            step_down(d, at, (pt){e->via[i].x, e->via[i].y0}, &m);
            if (i == 0)
                *mid = m;
            bt_buf_printf(d, "L%d %d", e->via[i].x, e->via[i].y1);
            at = (pt){e->via[i].x, e->via[i].y1};
        }
        pt m;
        step_down(d, at, q, &m);
        if (!e->nvia)
            *mid = m;
    }
}

static void write_edge(srv_xml *x, const srv_graph *g, const gscope *s,
                       const gedge *e)
{
    pt p, q, mid = {0, 0};
    edge_ends(g, s, e, &p, &q);
    bt_buf d;
    bt_buf_init(&d);
    edge_path(s, e, p, q, &d, &mid);
    char *label, *title;
    edge_texts(g, s, e, &label, &title);
    srv__xml_open(x, "g");
    srv__xml_attrf(x, "class", "edge edge-%s%s", kind_words[e->kind],
                   e->back ? " loop" : "");
    if (e->kind != GEDGE_START)
        srv__xml_attr(x, "data-from",
                      sl_state_name(g->nodes[s->first + e->from].st));
    if (e->to != GEDGE_TO_END)
        srv__xml_attr(x, "data-to",
                      sl_state_name(g->nodes[s->first + e->to].st));
    write_title(x, title);
    srv__xml_open(x, "path");
    srv__xml_attr(x, "d", d.data);
    srv__xml_attr(x, "fill", "none");
    srv__xml_attr(x, "stroke", EDGE_COLOUR);
    srv__xml_attr(x, "stroke-width", "1.5");
    if (e->kind == GEDGE_CATCH)
        srv__xml_attr(x, "stroke-dasharray", "5 4");
    srv__xml_attr(x, "marker-end", "url(#baton-arrow)");
    srv__xml_close_short(x);
    if (label)
        label_text(x, (pt){mid.x, mid.y + 3}, label);
    srv__xml_close(x);
    bt_buf_fini(&d);
    free(label);
    free(title);
}

static void write_marker(srv_xml *x, const char *cls, int cx, int cy, bool end)
{
    srv__xml_open(x, "circle");
    srv__xml_attr(x, "class", cls);
    srv__xml_attrf(x, "cx", "%d", cx);
    srv__xml_attrf(x, "cy", "%d", cy);
    srv__xml_attrf(x, "r", "%d", MARK_R);
    srv__xml_attr(x, "fill", end ? "#ffffff" : "#3f3f46");
    srv__xml_attr(x, "stroke", "#3f3f46");
    srv__xml_attr(x, "stroke-width", end ? "3" : "1");
    srv__xml_close_short(x);
}

static void write_scope(srv_xml *x, const srv_graph *g, const gscope *s);

static void write_text(srv_xml *x, const char *cls, int tx, int ty,
                       const char *size, const char *text)
{
    srv__xml_open(x, "text");
    srv__xml_attr(x, "class", cls);
    srv__xml_attrf(x, "x", "%d", tx);
    srv__xml_attrf(x, "y", "%d", ty);
    srv__xml_attr(x, "text-anchor", "middle");
    if (size)
        srv__xml_attr(x, "font-size", size);
    if (!strcmp(cls, "name"))
        srv__xml_attr(x, "font-weight", "bold");
    else
        srv__xml_attr(x, "fill", "#52525b");
    srv__xml_text(x, text);
    srv__xml_close(x);
}

static void write_lanes(srv_xml *x, const srv_graph *g, const gnode *nd)
{
    bool map = sl_state_kind(nd->st) == SL_MAP;
    int lx, lanes_w = 0;
    for (size_t i = 0; i < nd->nsubs; i++)
        lanes_w += nd->subs[i]->w + (i ? LANE_PAD : 0);
    lx = (nd->w - lanes_w) / 2;
    int lane_h = nd->h - HEAD_H - LANE_PAD; /* the tallest lane's */
    for (size_t i = 0; i < nd->nsubs; i++) {
        const gscope *s = nd->subs[i];
        srv__xml_open(x, "g");
        srv__xml_attr(x, "class", map ? "processor" : "branch");
        if (!map)
            srv__xml_attrf(x, "data-branch", "%zu", s->branch + 1);
        srv__xml_attrf(x, "transform", "translate(%d %d)", lx, HEAD_H);
        srv__xml_open(x, "rect");
        srv__xml_attrf(x, "width", "%d", s->w);
        srv__xml_attrf(x, "height", "%d", lane_h);
        srv__xml_attr(x, "rx", "4");
        srv__xml_attr(x, "fill", "#ffffff");
        srv__xml_attr(x, "stroke", "#a1a1aa");
        srv__xml_attr(x, "stroke-dasharray", "3 3");
        srv__xml_close_short(x);
        srv__xml_open(x, "text");
        srv__xml_attr(x, "x", "6");
        srv__xml_attr(x, "y", "13");
        srv__xml_attr(x, "font-size", "10");
        srv__xml_attr(x, "fill", "#52525b");
        if (map)
            srv__xml_text(x, sl_state_map_distributed(nd->st)
                                 ? "Item processor (distributed)"
                                 : "Item processor");
        else
            srv__xml_textf(x, "Branch %zu", s->branch + 1);
        srv__xml_close(x);
        srv__xml_open(x, "g");
        srv__xml_attrf(x, "transform", "translate(0 %d)", LANE_LABEL);
        write_scope(x, g, s);
        srv__xml_close(x);
        srv__xml_close(x);
        lx += s->w + LANE_PAD;
    }
}

static void write_node(srv_xml *x, const srv_graph *g, const gnode *nd)
{
    const char *name = sl_state_name(nd->st);
    const char *word = srv_graph_status_word(nd->status);
    srv__xml_open(x, "g");
    srv__xml_attrf(x, "class", "state%s status-%s",
                   nd->nsubs ? " compound" : "", word);
    srv__xml_attr(x, "data-state", name);
    srv__xml_attr(x, "data-type", sl_state_type_name(nd->st));
    srv__xml_attr(x, "data-status", word);
    srv__xml_attrf(x, "data-visits", "%zu", nd->visits);
    srv__xml_attrf(x, "transform", "translate(%d %d)", nd->x, nd->y);
    char *title =
        g->has_history
            ? bt_xasprintf("%s (%s): %s, entered %zu time%s", name,
                           sl_state_type_name(nd->st),
                           srv_graph_status_label(nd->status), nd->visits,
                           nd->visits == 1 ? "" : "s")
            : bt_xasprintf("%s (%s)", name, sl_state_type_name(nd->st));
    write_title(x, title);
    free(title);
    srv__xml_open(x, "rect");
    srv__xml_attr(x, "class", "box");
    srv__xml_attrf(x, "width", "%d", nd->w);
    srv__xml_attrf(x, "height", "%d", nd->h);
    srv__xml_attr(x, "rx", "6");
    srv__xml_attr(x, "fill", srv_graph_status_fill(nd->status));
    srv__xml_attr(x, "stroke", srv_graph_status_stroke(nd->status));
    srv__xml_attr(x, "stroke-width", nd->status ? "2" : "1");
    srv__xml_close_short(x);
    char *shown = shorten(name);
    write_text(x, "name", nd->w / 2, 18, NULL, shown);
    free(shown);
    write_text(x, "type", nd->w / 2, 34, "10", sl_state_type_name(nd->st));
    if (nd->visits > 1) {
        char n[32];
        snprintf(n, sizeof n, "\xC3\x97%zu", nd->visits);
        write_text(x, "visits", nd->w - 16, 14, "10", n);
    }
    write_lanes(x, g, nd);
    srv__xml_close(x);
}

static void write_scope(srv_xml *x, const srv_graph *g, const gscope *s)
{
    srv__xml_open(x, "g");
    srv__xml_attr(x, "class", "scope");
    if (s->owner)
        srv__xml_attr(x, "data-owner", sl_state_name(s->owner->st));
    write_marker(x, "start-marker", s->cx, s->start_y, false);
    const sl_state *start = sl_scope_start(s->sc);
    if (start) {
        gedge e = {0,           graph__node_of(g, start) - s->first,
                   GEDGE_START, 0,
                   false,       0,
                   NULL,        0};
        write_edge(x, g, s, &e);
    }
    for (size_t i = 0; i < s->nedges; i++)
        write_edge(x, g, s, &s->edges[i]);
    for (size_t i = 0; i < s->n; i++)
        write_node(x, g, &g->nodes[s->first + i]);
    write_marker(x, "end-marker", s->cx, s->end_y, true);
    srv__xml_close(x);
}

/* The order a person reads the legend in. */
static const srv_graph_status legend_order[] = {
    SRV_GRAPH_NOT_STARTED, SRV_GRAPH_RUNNING, SRV_GRAPH_SUCCEEDED,
    SRV_GRAPH_CAUGHT,      SRV_GRAPH_FAILED,  SRV_GRAPH_ABORTED};

static int legend_width(void)
{
    int w = 0;
    for (size_t i = 0; i < sizeof legend_order / sizeof *legend_order; i++)
        w += 22 +
             graph__chars(srv_graph_status_label(legend_order[i])) * CHAR_W +
             14;
    return w;
}

static void write_legend(srv_xml *x, int y)
{
    srv__xml_open(x, "g");
    srv__xml_attr(x, "class", "legend");
    srv__xml_attrf(x, "transform", "translate(%d %d)", PAD, y);
    int lx = 0;
    for (size_t i = 0; i < sizeof legend_order / sizeof *legend_order; i++) {
        srv_graph_status st = legend_order[i];
        const char *label = srv_graph_status_label(st);
        srv__xml_open(x, "g");
        srv__xml_attrf(x, "class", "legend-item status-%s",
                       srv_graph_status_word(st));
        srv__xml_open(x, "rect");
        srv__xml_attrf(x, "x", "%d", lx);
        srv__xml_attr(x, "width", "14");
        srv__xml_attr(x, "height", "14");
        srv__xml_attr(x, "rx", "3");
        srv__xml_attr(x, "fill", srv_graph_status_fill(st));
        srv__xml_attr(x, "stroke", srv_graph_status_stroke(st));
        srv__xml_close_short(x);
        srv__xml_open(x, "text");
        srv__xml_attrf(x, "x", "%d", lx + 20);
        srv__xml_attr(x, "y", "11");
        srv__xml_text(x, label);
        srv__xml_close(x);
        srv__xml_close(x);
        lx += 22 + graph__chars(label) * CHAR_W + 14;
    }
    srv__xml_close(x);
}

static void write_defs(srv_xml *x)
{
    srv__xml_open(x, "defs");
    srv__xml_open(x, "marker");
    srv__xml_attr(x, "id", "baton-arrow");
    srv__xml_attr(x, "viewBox", "0 0 10 10");
    srv__xml_attr(x, "refX", "9");
    srv__xml_attr(x, "refY", "5");
    srv__xml_attr(x, "markerWidth", "7");
    srv__xml_attr(x, "markerHeight", "7");
    srv__xml_attr(x, "orient", "auto");
    srv__xml_open(x, "path");
    srv__xml_attr(x, "d", "M0 0L10 5L0 10z");
    srv__xml_attr(x, "fill", EDGE_COLOUR);
    srv__xml_close_short(x);
    srv__xml_close(x);
    srv__xml_close(x);
}

int srv_graph_svg(const srv_graph *g, bool fragment, bt_buf *out)
{
    const gscope *top = g->scopes[0];
    int legend = legend_width() + 2 * PAD;
    int w = top->w > legend ? top->w : legend;
    int h = top->h + LEGEND_H;
    srv_xml x;
    srv__xml_begin(&x, true);
    if (!fragment)
        srv__xml_raw(&x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    srv__xml_open(&x, "svg");
    srv__xml_attr(&x, "xmlns", "http://www.w3.org/2000/svg");
    srv__xml_attr(&x, "class", "baton-graph");
    srv__xml_attrf(&x, "width", "%d", w);
    srv__xml_attrf(&x, "height", "%d", h);
    srv__xml_attrf(&x, "viewBox", "0 0 %d %d", w, h);
    srv__xml_attr(&x, "font-family", "sans-serif");
    srv__xml_attr(&x, "font-size", "12");
    srv__xml_attr(&x, "role", "img");
    srv__xml_element(&x, "title",
                     g->has_history ? "Workflow graph, coloured by the "
                                      "execution's state statuses"
                                    : "Workflow graph");
    write_defs(&x);
    srv__xml_open(&x, "g");
    srv__xml_attrf(&x, "transform", "translate(%d 0)", (w - top->w) / 2);
    write_scope(&x, g, top);
    srv__xml_close(&x);
    write_legend(&x, top->h + 4);
    srv__xml_close(&x);
    return srv__xml_end(&x, out);
}
