/*
 * graph internals, shared by graph.c (the model and the statuses replayed
 * from a history) and graph_svg.c (layout and drawing). Private to
 * server/.
 *
 * Every state of the machine is one gnode in srv_graph.nodes; the states
 * of one scope are contiguous there (gscope.first .. first + n - 1), in
 * definition order, so a node's index within its scope is its position
 * minus first.
 */
#ifndef BATON_SERVER_GRAPH_INT_H
#define BATON_SERVER_GRAPH_INT_H

#include "server/graph.h"

typedef struct gscope gscope;

/* Sizes the layout and the drawing share, in pixels. */
#define GRAPH_HEAD_H 42     /* a Parallel/Map box above its lanes */
#define GRAPH_LANE_PAD 10   /* inside a Parallel/Map box, between lanes */
#define GRAPH_LANE_LABEL 18 /* "Branch 1" above a lane's scope */
#define GRAPH_MARK_R 7      /* start and end markers */
#define GRAPH_CHAR_W 7      /* estimated width of a character at 12px */
#define GRAPH_NAME_MAX 28   /* characters shown before an ellipsis */

typedef struct gnode {
    const sl_state *st;
    gscope *scope; /* the scope holding this state */
    gscope **subs; /* Parallel: one per branch; Map: the processor */
    size_t nsubs;
    srv_graph_status status;
    size_t visits;
    /* layout (graph_svg.c), relative to the holding scope's origin */
    int layer;
    int x, y, w, h;
} gnode;

/* Edge kinds, drawn solid except CATCH (dashed). */
typedef enum gedge_kind {
    GEDGE_START, /* the scope's start marker -> StartAt */
    GEDGE_NEXT,
    GEDGE_CHOICE,
    GEDGE_DEFAULT,
    GEDGE_CATCH,
    GEDGE_END /* End: true, Succeed or Fail -> the scope's end marker */
} gedge_kind;

#define GEDGE_TO_END ((size_t)-1)

/* Where an edge that skips rows crosses one: at x, from y0 to y1. */
typedef struct gvia {
    int x, y0, y1;
} gvia;

typedef struct gedge {
    size_t from, to; /* node indices within the scope; to may be
                        GEDGE_TO_END (the end marker) */
    gedge_kind kind;
    size_t index; /* Choices[i] / Catch[i] */
    bool back;    /* closes a cycle: drawn bending out to the right */
    int lane;     /* back edges: which track right of the rows (0...) */
    gvia *via;    /* forward edges skipping rows: one per row crossed */
    size_t nvia;
} gedge;

struct gscope {
    const sl_scope *sc;
    gnode *owner;  /* the Parallel/Map node; NULL at top level */
    size_t branch; /* branch number within the owner */
    size_t first;  /* index of the scope's first node in srv_graph.nodes */
    size_t n;
    /* layout (graph_svg.c), in the scope's own coordinates */
    gedge *edges; /* grouped by from, in the order the state names them */
    size_t nedges;
    int w, h;
    int cx;             /* the vertical axis the rows are centred on */
    int right;          /* right of the widest row: back edges pass it */
    int start_y, end_y; /* centre of the start / end markers */
};

struct srv_graph {
    const sl_machine *m;
    gnode *nodes;
    size_t n;
    gscope **scopes; /* breadth first; scopes[0] is the top level */
    size_t nscopes;
    json_object *index; /* state name -> node index (int) */
    bool has_history;
    char *unknown; /* first unknown state name in the history */
};

/* The node index of state st (which belongs to g's machine). */
size_t graph__node_of(const srv_graph *g, const sl_state *st);
/* Characters of s as drawn: at most GRAPH_NAME_MAX + 1 (graph_svg.c). */
int graph__chars(const char *s);
/* Lays out every scope: edges, sizes, positions (graph_layout.c). */
void graph__layout(srv_graph *g);

#endif
