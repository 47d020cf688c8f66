/*
 * Execution actions: Start, StartSync, Describe, List, GetExecutionHistory,
 * Stop and DescribeStateMachineForExecution (reference §12.6, §12.8).
 *
 * StartSyncExecution never blocks a thread: the request stays suspended
 * while an engine watch waits for the execution's end on the loop; the
 * watch then answers it.
 */
#include "server/srv_int.h"

#include <stdlib.h>
#include <string.h>

/* In the order AWS lists them in its enum message. */
const char *const srv__exec_statuses[] = {
    "SUCCEEDED", "TIMED_OUT", "PENDING_REDRIVE", "ABORTED", "FAILED",
    "RUNNING",   NULL};

typedef struct start_args {
    const char *machine, *name, *input;
} start_args;

static bool start_members(srv_call *c, start_args *a)
{
    const char *trace;
    return srv__arn(c, "stateMachineArn", "stateMachine", NULL, &a->machine) &&
           srv__str(c, "name", false, 0, false, &a->name) &&
           srv__str(c, "input", false, SRV_PAYLOAD_MAX, true, &a->input) &&
           srv__str(c, "traceHeader", false, 256, false, &trace);
}

/* Starts; *arn is new. */
static bool start(srv_call *c, const start_args *a, char **arn)
{
    char *err = NULL;
    if (eng_execution_start(c->e, a->machine, a->name, a->input, arn, &err) !=
        0) {
        srv__fail_engine(c, err);
        return false;
    }
    free(err);
    return true;
}

/* The execution is committed (arn NULL: the server is closing). */
static void started(void *arg, const char *arn, int64_t start_ms)
{
    srv_call c = srv__later(arg);
    if (!arn) {
        srv__fail(&c, SRV_UNAVAILABLE, "The server is shutting down");
    } else {
        c.out = json_object_new_object();
        json_object_object_add(c.out, "executionArn",
                               json_object_new_string(arn));
        json_object_object_add(c.out, "startDate", eng_epoch_json(start_ms));
    }
    srv__finish(&c);
}

/* Answered after the commit shared by every execution started in the same
 * turn of the loop (eng_execution_start_batched). */
void srv__start_execution(srv_call *c)
{
    start_args a;
    if (!start_members(c, &a))
        return;
    char *err = NULL;
    if (eng_execution_start_batched(c->e, a.machine, a.name, a.input, started,
                                    c->r, &err) != 0) {
        srv__fail_engine(c, err);
        return;
    }
    c->deferred = true;
}

/* ---- StartSyncExecution ------------------------------------------------- */

typedef struct sync_wait {
    srv_req *r;
    char *arn;
} sync_wait;

static void copy(json_object *to, json_object *from, const char *k)
{
    json_object *v;
    if (json_object_object_get_ex(from, k, &v))
        json_object_object_add(to, k, json_object_get(v));
}

/* StartSyncExecution's answer from DescribeExecution's shape. */
static json_object *sync_result(json_object *d)
{
    static const char *const keys[] = {
        "executionArn", "stateMachineArn", "name",   "startDate",
        "stopDate",     "status",          "error",  "cause",
        "input",        "inputDetails",    "output", "outputDetails"};
    json_object *o = json_object_new_object();
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        copy(o, d, keys[i]);
    json_object *start, *stop;
    int64_t ms = 0;
    if (json_object_object_get_ex(d, "startDate", &start) &&
        json_object_object_get_ex(d, "stopDate", &stop))
        ms = (int64_t)((json_object_get_double(stop) -
                        json_object_get_double(start)) *
                       1000.0);
    /* AWS bills in 100 ms steps with 64 MB (observed). */
    json_object *bill = json_object_new_object();
    json_object_object_add(bill, "billedMemoryUsedInMB",
                           json_object_new_int64(64));
    json_object_object_add(
        bill, "billedDurationInMilliseconds",
        json_object_new_int64(ms > 0 ? (ms + 99) / 100 * 100 : 100));
    json_object_object_add(o, "billingDetails", bill);
    return o;
}

static void sync_done(void *arg)
{
    sync_wait *w = arg;
    srv_call c = srv__later(w->r);
    json_object *d = eng_execution_describe(c.e, w->arn);
    const char *status = d ? bt_json_str(d, "status") : NULL;
    if (!status || !strcmp(status, "RUNNING"))
        srv__fail(&c, SRV_UNAVAILABLE,
                  "The server is shutting down; execution '%s' continues",
                  w->arn);
    else
        c.out = sync_result(d);
    json_object_put(d);
    srv__finish(&c);
    free(w->arn);
    free(w);
}

void srv__start_sync_execution(srv_call *c)
{
    start_args a;
    if (!start_members(c, &a))
        return;
    json_object *m = eng_machine_describe(c->e, a.machine);
    const char *type = m ? bt_json_str(m, "type") : NULL;
    bool express = type && !strcmp(type, "EXPRESS");
    json_object_put(m);
    if (!type) {
        srv__fail(c, SRV_MACHINE_MISSING, "State Machine Does Not Exist: '%s'",
                  a.machine);
        return;
    }
    if (!express) {
        srv__fail(c, SRV_TYPE_NOT_SUPPORTED,
                  "This operation is not "
                  "supported by this type of "
                  "state machine");
        return;
    }
    char *arn = NULL;
    if (!start(c, &a, &arn))
        return;
    sync_wait *w = bt_xmalloc(sizeof *w);
    *w = (sync_wait){c->r, arn};
    c->deferred = true;
    if (eng_execution_watch(c->e, arn, sync_done, w) != 0)
        sync_done(w);
}

/* ---- reading executions ------------------------------------------------- */

/* AWS's redrive members (§12.4): Baton does not redrive yet, but clients
 * expect them. */
static void add_redrive(json_object *o)
{
    const char *status = bt_json_str(o, "status");
    if (!status)
        return;
    bool open = !strcmp(status, "RUNNING") || !strcmp(status, "SUCCEEDED");
    json_object_object_add(
        o, "redriveStatus",
        json_object_new_string(open ? "NOT_REDRIVABLE" : "REDRIVABLE"));
    if (open) {
        char *why =
            bt_xasprintf("Execution is %s and cannot be redriven", status);
        json_object_object_add(o, "redriveStatusReason",
                               json_object_new_string(why));
        free(why);
    }
}

void srv__describe_execution(srv_call *c)
{
    static const char *const data[] = {"ALL_DATA", "METADATA_ONLY", NULL};
    const char *arn, *included;
    if (!srv__arn(c, "executionArn", "execution", NULL, &arn) ||
        !srv__enum(c, "includedData", data, &included))
        return;
    c->out = eng_execution_describe(c->e, arn);
    if (!c->out) {
        srv__fail(c, SRV_EXEC_MISSING, "Execution Does Not Exist: '%s'", arn);
        return;
    }
    add_redrive(c->out);
    if (included && !strcmp(included, "METADATA_ONLY")) {
        json_object_object_del(c->out, "input");
        json_object_object_del(c->out, "inputDetails");
        json_object_object_del(c->out, "output");
        json_object_object_del(c->out, "outputDetails");
    }
}

void srv__list_executions(srv_call *c)
{
    static const char *const redrive[] = {"REDRIVEN", "NOT_REDRIVEN", NULL};
    const char *arn = NULL, *map_run, *status, *rf;
    if (!srv__str(c, "mapRunArn", false, 2000, false, &map_run) ||
        !srv__enum(c, "statusFilter", srv__exec_statuses, &status) ||
        !srv__enum(c, "redriveFilter", redrive, &rf))
        return;
    if (map_run) {
        srv__fail(c, SRV_VALIDATION, "Map runs are not supported yet");
        return;
    }
    if (!srv__arn(c, "stateMachineArn", "stateMachine", NULL, &arn))
        return;
    json_object *m = eng_machine_describe(c->e, arn);
    const char *type = m ? bt_json_str(m, "type") : NULL;
    bool express = type && !strcmp(type, "EXPRESS");
    json_object_put(m);
    if (!type) {
        srv__fail(c, SRV_MACHINE_MISSING, "State Machine Does Not Exist: '%s'",
                  arn);
        return;
    }
    if (express) {
        srv__fail(c, SRV_TYPE_NOT_SUPPORTED,
                  "This operation is not "
                  "supported by this type of "
                  "state machine");
        return;
    }
    json_object *all = eng_execution_list(c->e);
    json_object *items = json_object_new_array();
    for (size_t i = 0; i < json_object_array_length(all); i++) {
        json_object *x = json_object_array_get_idx(all, i);
        const char *sm = bt_json_str(x, "stateMachineArn");
        const char *st = bt_json_str(x, "status");
        bool redriven = false; /* no redrive yet */
        if (!sm || strcmp(sm, arn) || (status && strcmp(st, status)) ||
            (rf && redriven != !strcmp(rf, "REDRIVEN")))
            continue;
        json_object_array_add(items, json_object_get(x));
    }
    json_object_put(all);
    char *key = bt_xasprintf("%s|%s", arn, status ? status : "");
    srv__page(c, items, "executions", key, 3096);
    free(key);
}

/* includeExecutionData = false: the payload members leave every event. */
static void strip_data(json_object *ev)
{
    static const char *const keys[] = {"input",
                                       "inputDetails",
                                       "output",
                                       "outputDetails",
                                       "parameters",
                                       "assignedVariables",
                                       "assignedVariablesDetails"};
    json_object_object_foreach(ev, k, details)
    {
        (void)k;
        if (!json_object_is_type(details, json_type_object))
            continue;
        for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
            json_object_object_del(details, keys[i]);
    }
}

int srv__history_page(srv_call *c, const char *arn, bool reverse,
                      const char *key, void (*fix)(json_object *ev, void *ud),
                      void *ud)
{
    /* The last event's id first (and whether the execution exists): in
     * reverse order a page is counted from the end. */
    int64_t last = 0;
    json_object *none = eng_execution_history_range(c->e, arn, 1, 0, &last);
    if (!none)
        return 1;
    json_object_put(none);
    size_t offset, want;
    if (!srv__page_args(c, key, 1024, &offset, &want))
        return -1;
    int64_t n = last, o = (int64_t)offset, w = (int64_t)want;
    int64_t from = reverse ? n - o - w + 1 : o + 1;
    int64_t to = reverse ? n - o : o + w;
    bool more = reverse ? from > 1 : to < n;
    json_object *events = eng_execution_history_range(
        c->e, arn, from < 1 ? 1 : from, to > n ? n : to, NULL);
    json_object *page = json_object_new_array();
    size_t k = events ? json_object_array_length(events) : 0;
    for (size_t i = 0; i < k; i++) {
        json_object *ev =
            json_object_array_get_idx(events, reverse ? k - 1 - i : i);
        if (fix)
            fix(ev, ud);
        json_object_array_add(page, json_object_get(ev));
    }
    json_object_put(events);
    srv__page_put(c, page, "events", key, more, offset + want);
    return 0;
}

static void strip_cb(json_object *ev, void *ud)
{
    (void)ud;
    strip_data(ev);
}

void srv__get_execution_history(srv_call *c)
{
    const char *arn;
    bool reverse = false, data = true;
    if (!srv__arn(c, "executionArn", "execution", NULL, &arn) ||
        !srv__bool(c, "reverseOrder", &reverse) ||
        !srv__bool(c, "includeExecutionData", &data))
        return;
    /* A page at a time: a long execution's history is not read whole for
     * each of its pages. */
    char *key = bt_xasprintf("%s|%d|%d", arn, reverse, data);
    if (srv__history_page(c, arn, reverse, key, data ? NULL : strip_cb, NULL) >
        0)
        srv__fail(c, SRV_EXEC_MISSING, "Execution Does Not Exist: '%s'", arn);
    free(key);
}

void srv__stop_execution(srv_call *c)
{
    const char *arn, *error, *cause;
    if (!srv__arn(c, "executionArn", "execution", NULL, &arn) ||
        !srv__str(c, "error", false, 256, true, &error) ||
        !srv__str(c, "cause", false, 32768, true, &cause))
        return;
    char *err = NULL;
    if (eng_execution_stop(c->e, arn, error, cause, &err) != 0) {
        srv__fail_engine(c, err);
        return;
    }
    free(err);
    json_object *d = eng_execution_describe(c->e, arn);
    c->out = json_object_new_object();
    if (d)
        copy(c->out, d, "stopDate");
    json_object_put(d);
}

void srv__describe_machine_for_execution(srv_call *c)
{
    const char *arn;
    bool gone = false;
    if (!srv__arn(c, "executionArn", "execution", "express", &arn))
        return;
    c->out = eng_execution_machine(c->e, arn, &gone);
    if (!c->out && gone)
        srv__fail(c, SRV_MACHINE_MISSING,
                  "State Machine Does Not Exist: the machine of '%s' was "
                  "deleted",
                  arn);
    else if (!c->out)
        srv__fail(c, SRV_EXEC_MISSING, "Execution Does Not Exist: '%s'", arn);
}
