/*
 * graph: the workflow graph of a compiled state machine, drawn as SVG with
 * libxml2's writer, each state coloured by its status in one execution.
 *
 * A state's status comes from the execution's history events alone (the
 * array eng_execution_history returns, AWS's event shapes). One visit of
 * a state (one ...StateEntered event) moves through:
 *
 *   running    entered; no ...StateExited yet. A Task between a failed
 *              attempt and its retry stays running.
 *   succeeded  exited, and the next state entered is a normal successor
 *              (Next, a Choice target, Default) or the execution ended.
 *   caught     exited after a failure that a Catch handled: the next state
 *              is a Catch target that no normal transition names, or the
 *              visit saw a failure event (TaskFailed, ParallelStateFailed,
 *              a failed branch state...) before its exit.
 *   failed     a failure event with no exit (uncaught), a Fail state, or
 *              the state that ExecutionFailed points at.
 *   aborted    a <Type>StateAborted event, or still in flight when the
 *              execution ended (stopped, timed out, a sibling failed).
 *
 * A state visited more than once (loops, Map iterations, retried
 * Parallels) shows the most telling status of its visits, in the order
 * running, failed, aborted, caught, succeeded; never entered is
 * "not started". States in the child executions of a DISTRIBUTED Map are
 * not in the parent's history and stay "not started".
 *
 * Output is deterministic: the same machine and history give the same
 * bytes. All functions are pure; any thread may use its own graph.
 */
#ifndef BATON_SERVER_GRAPH_H
#define BATON_SERVER_GRAPH_H

#include <stdbool.h>
#include <stddef.h>

#include "base/base.h"
#include "statelang/statelang.h"

/* X(id, class word, label, fill, stroke): the SVG class is
 * "status-<word>", the legend shows the label. In precedence order
 * (lowest first), see above. */
#define SRV_GRAPH_STATUSES(X)                                                  \
    X(SRV_GRAPH_NOT_STARTED, "not-started", "not started", "#f4f4f5",          \
      "#a1a1aa")                                                               \
    X(SRV_GRAPH_SUCCEEDED, "succeeded", "succeeded", "#dcfce7", "#16a34a")     \
    X(SRV_GRAPH_CAUGHT, "caught", "caught", "#ffedd5", "#ea580c")              \
    X(SRV_GRAPH_ABORTED, "aborted", "aborted", "#e4e4e7", "#52525b")           \
    X(SRV_GRAPH_FAILED, "failed", "failed", "#fee2e2", "#dc2626")              \
    X(SRV_GRAPH_RUNNING, "running", "running", "#dbeafe", "#2563eb")

typedef enum srv_graph_status {
#define SRV_GRAPH_ENUM(id, word, label, fill, stroke) id,
    SRV_GRAPH_STATUSES(SRV_GRAPH_ENUM)
#undef SRV_GRAPH_ENUM
        SRV_GRAPH_STATUS_COUNT
} srv_graph_status;

/* "not-started", "running"... (static). */
const char *srv_graph_status_word(srv_graph_status s);
/* "not started", "running"... (static). */
const char *srv_graph_status_label(srv_graph_status s);
/* The fill and stroke colours ("#rrggbb", static). */
const char *srv_graph_status_fill(srv_graph_status s);
const char *srv_graph_status_stroke(srv_graph_status s);

typedef struct srv_graph srv_graph;

/* Builds the graph of m and, when history (an array of history events) is
 * given, every state's status. m is borrowed and must outlive the graph;
 * history is read here only. Events naming states m does not define are
 * ignored (see srv_graph_unknown_state). Returns a new graph. */
srv_graph *srv_graph_new(const sl_machine *m, json_object *history);
void srv_graph_free(srv_graph *g);

/* Number of states, nested ones included. */
size_t srv_graph_state_count(const srv_graph *g);
/* State i (i < count): scopes in breadth-first order from the top level,
 * states in definition order within each. */
const char *srv_graph_state_name(const srv_graph *g, size_t i);
const char *srv_graph_state_type(const srv_graph *g, size_t i);
srv_graph_status srv_graph_state_status(const srv_graph *g, size_t i);
/* How many times the history entered state i. */
size_t srv_graph_state_visits(const srv_graph *g, size_t i);
/* The first state name the history uses that the machine does not define
 * (borrowed from g), or NULL. */
const char *srv_graph_unknown_state(const srv_graph *g);

/* Writes the graph as an SVG document into out (appended). With fragment,
 * no XML declaration is written, so the text can sit inside HTML. Returns
 * 0, or BT_EIO when libxml2's writer fails. */
int srv_graph_svg(const srv_graph *g, bool fragment, bt_buf *out);

#endif
