/*
 * Distributed Map child executions (reference §8.4): each iteration (or
 * batch) of a DISTRIBUTED Map is an execution of its own, with an ARN of
 * the form ...:execution:<machine>/<label>:<uuid>, a row in the store and a
 * separate history that starts with ExecutionStarted and ends with
 * ExecutionSucceeded / Failed / Aborted. Its context object describes the
 * child, not the parent. The child's frames run in the parent's tree.
 */
#include "engine/eng_int.h"

#include <stdlib.h>
#include <string.h>

void eng__child_free(eng *e, eng_child *c)
{
    if (!c)
        return;
    eng__history_release(e, &c->hist);
    json_object_put(c->context_exec);
    free(c->arn);
    free(c->name);
    free(c);
}

static const char *map_label(eng_frame *map)
{
    const char *l = sl_state_map_label(map->state);
    return l ? l : sl_state_name(map->state);
}

static json_object *child_context(eng_exec *x, eng_child *c, json_object *input,
                                  const char *machine)
{
    json_object *ctx = json_object_new_object(), *ex = json_object_new_object();
    char ts[32];
    sl_timestamp_format_ms(c->start_ms, ts);
    json_object_object_add(ex, "Id", json_object_new_string(c->arn));
    json_object_object_add(ex, "Input", json_object_get(input));
    json_object_object_add(ex, "StartTime", json_object_new_string(ts));
    json_object_object_add(ex, "Name", json_object_new_string(c->name));
    json_object_object_add(ex, "RoleArn",
                           json_object_new_string(x->e->default_role));
    json_object_object_add(ex, "RedriveCount", json_object_new_int(0));
    json_object_object_add(ctx, "Execution", ex);
    json_object *sm = json_object_new_object();
    json_object_object_add(sm, "Id", json_object_new_string(machine));
    const char *slash = strrchr(machine, ':');
    json_object_object_add(sm, "Name",
                           json_object_new_string(slash ? slash + 1 : machine));
    json_object_object_add(ctx, "StateMachine", sm);
    return ctx;
}

void eng__child_exec_start(eng_frame *map, eng_frame *kid)
{
    eng_exec *x = map->ex;
    eng *e = x->e;
    eng_child *c = bt_xcalloc(1, sizeof *c);
    c->name = eng__uuid(e);
    c->arn = bt_xasprintf("arn:aws:states:%s:%s:execution:%s/%s:%s", e->region,
                          e->account, x->machine_name, map_label(map), c->name);
    c->start_ms = eng__now_ms();
    c->next_event_id = 1;
    char *machine = bt_xasprintf("%s/%s", x->machine_arn, map_label(map));
    c->context_exec = child_context(x, c, kid->input, machine);
    store_exec row = {c->arn,
                      machine,
                      0,
                      c->name,
                      "STANDARD",
                      "RUNNING",
                      (char *)bt_json_compact(kid->input),
                      NULL,
                      NULL,
                      NULL,
                      c->start_ms,
                      0,
                      0};
    if (store_begin(e->st) || store_exec_insert(e->st, &row))
        eng__store_fatal(e, "write");
    c->sid = row.id;
    free(machine);
    kid->child = c;
    kid->owns_child = true;
    json_object *d = json_object_new_object();
    json_object_object_add(d, "input",
                           json_object_new_string(bt_json_compact(kid->input)));
    json_object *t = json_object_new_object();
    json_object_object_add(t, "truncated", json_object_new_boolean(false));
    json_object_object_add(d, "inputDetails", t);
    kid->prev_id = eng__event(x, kid, "ExecutionStarted", d, 0);
}

void eng__child_exec_finish(eng_frame *kid, bool aborted)
{
    eng_child *c = kid->child;
    eng *e = kid->ex->e;
    const char *status = aborted        ? "ABORTED"
                         : kid->failed_ ? "FAILED"
                                        : "SUCCEEDED";
    json_object *d = json_object_new_object();
    const char *type;
    if (aborted) {
        type = "ExecutionAborted";
    } else if (kid->failed_) {
        type = "ExecutionFailed";
        if (kid->error.name)
            json_object_object_add(d, "error",
                                   json_object_new_string(kid->error.name));
        if (kid->error.cause)
            json_object_object_add(d, "cause",
                                   json_object_new_string(kid->error.cause));
    } else {
        type = "ExecutionSucceeded";
        json_object_object_add(
            d, "output", json_object_new_string(bt_json_compact(kid->output)));
        json_object *t = json_object_new_object();
        json_object_object_add(t, "truncated", json_object_new_boolean(false));
        json_object_object_add(d, "outputDetails", t);
    }
    eng__event(kid->ex, kid, type, d, aborted ? 0 : -1);
    store_exec row = {
        c->arn,
        NULL,
        0,
        c->name,
        NULL,
        (char *)status,
        NULL,
        !aborted && !kid->failed_ ? (char *)bt_json_compact(kid->output) : NULL,
        kid->failed_ ? kid->error.name : NULL,
        kid->failed_ ? kid->error.cause : NULL,
        c->start_ms,
        eng__now_ms(),
        c->sid};
    if (store_begin(e->st) || store_exec_finish(e->st, &row))
        eng__store_fatal(e, "write");
}

int eng__child_exec_restore(eng_frame *kid, const char *child_arn)
{
    eng *e = kid->ex->e;
    store_exec row;
    memset(&row, 0, sizeof row);
    if (store_exec_get(e->st, child_arn, &row) != 0)
        return BT_ENOENT;
    eng_child *c = bt_xcalloc(1, sizeof *c);
    c->sid = row.id;
    c->arn = bt_xstrdup(row.arn);
    c->name = bt_xstrdup(row.name);
    c->start_ms = row.start_ms;
    c->next_event_id = eng__last_event_id(e, c->sid) + 1;
    json_object *input = NULL;
    bt_json_parse(row.input, strlen(row.input), BT_LIMIT_JSON_DEPTH, &input,
                  NULL);
    c->context_exec = child_context(kid->ex, c, input, row.machine_arn);
    json_object_put(input);
    store_exec_fini(&row);
    kid->child = c;
    kid->owns_child = true;
    return 0;
}
