/*
 * Nested executions: Task states with arn:aws:states:::states:startExecution
 * (request-response: the result is StartExecution's response), .sync and
 * .sync:2 (the task waits for the child and returns its description), and
 * .waitForTaskToken (the child, or whoever it hands $$.Task.Token to,
 * answers with SendTask*; eng_callback.c does that waiting).
 *
 * Invariant: the child is created inside the pump's transaction, the same
 * one that records the parent's TaskScheduled, TaskStarted and then
 * TaskSucceeded or TaskSubmitted. A crash leaves either all of it or none,
 * so a child is never started twice and never lost; its first states run
 * in the same batch and its effects (processes, timers) wait for the
 * commit like everyone's.
 *
 * Lifecycle of a .sync wait (the frame is PARKED with cb_kind CB_NESTED):
 *   WAITING  TaskSubmitted is recorded; the frame is registered under the
 *            child's ARN. The child's row in the store is the one truth
 *            about its end: every time the frame advances it reads it.
 *   ENDED    the child's end is recorded (eng__exec_finish readies its
 *            waiters) -> TaskSucceeded with the child's description, or
 *            TaskFailed States.TaskFailed with it as the cause.
 *   CUT      TimeoutSeconds/HeartbeatSeconds passed (TaskTimedOut) or the
 *            parent was stopped: the child is stopped after the commit
 *            (best effort: a crash in between leaves it running).
 * Recovery re-registers WAITING frames and readies them once, so a child
 * that ended while Baton was down is noticed.
 */
#include "engine/eng_int.h"

#include <json-c/linkhash.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct waiters {
    char *arn; /* the key */
    eng_frame **frames;
    size_t n, cap;
} waiters;

struct eng_nested {
    struct lh_table *by_child; /* child execution ARN -> waiters */
};

/* ---- the StartExecution request
 * ------------------------------------------------------ */

typedef struct start_req {
    const char *machine;
    const char *name; /* NULL: a new UUID */
    char *input;      /* JSON text */
} start_req;

static char *runtime_cause(const eng_frame *f, const char *what)
{
    return bt_xasprintf("An error occurred while executing the state '%s' "
                        "(entered at the event id #%lld). %s",
                        sl_state_name(f->state), (long long)f->entered_id,
                        what);
}

/* StateMachineArn (required), Name, Input (an object or any JSON value is
 * sent as its JSON text, a string as itself; absent or null: {}). Other
 * parameters, such as AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID, are
 * accepted and not used. */
static int request_of(const eng_frame *f, start_req *r, char **cause)
{
    json_object *eff = f->effective, *v = NULL;
    if (!json_object_is_type(eff, json_type_object) ||
        !json_object_object_get_ex(eff, "StateMachineArn", &v) ||
        !json_object_is_type(v, json_type_string)) {
        *cause = runtime_cause(f, "The states:startExecution parameters must "
                                  "include StateMachineArn, a string.");
        return -1;
    }
    r->machine = json_object_get_string(v);
    r->name = NULL;
    if (json_object_object_get_ex(eff, "Name", &v) && v) {
        if (!json_object_is_type(v, json_type_string)) {
            *cause = runtime_cause(f, "The Name parameter of "
                                      "states:startExecution must be a "
                                      "string.");
            return -1;
        }
        r->name = json_object_get_string(v);
    }
    v = NULL;
    json_object_object_get_ex(eff, "Input", &v);
    if (!v)
        r->input = bt_xstrdup("{}");
    else if (json_object_is_type(v, json_type_string))
        r->input = bt_xstrdup(json_object_get_string(v));
    else
        r->input = bt_xstrdup(bt_json_compact(v));
    return 0;
}

/* AWS's InvalidArn checks for a state machine ARN (reference §12.3); NULL
 * when the ARN may name one. */
static char *arn_problem(const char *arn)
{
    if (strncmp(arn, "arn:", 4))
        return bt_xasprintf("Invalid Arn: 'Invalid ARN prefix: %s'", arn);
    const char *p = arn;
    for (int colons = 0; *p && colons < 5; p++)
        colons += *p == ':';
    size_t n = strcspn(p, ":");
    if (*p && (n != 12 || strncmp(p, "stateMachine", 12)))
        return bt_xasprintf("Invalid Arn: 'Resource type not valid in this "
                            "context: %.*s'",
                            (int)n, p);
    return NULL;
}

/* A refused StartExecution fails the task as AWS reports service errors:
 * StepFunctions.<Code>Exception with the SDK's cause text. */
static void refused(eng_frame *f, const char *msg)
{
    static const struct {
        const char *prefix, *code;
    } codes[] = {
        {"State Machine Does Not Exist", "StateMachineDoesNotExist"},
        {"Invalid Name", "InvalidName"},
        {"Invalid State Machine Execution Input", "InvalidExecutionInput"},
        {"Execution Already Exists", "ExecutionAlreadyExists"},
        {"Invalid Arn", "InvalidArn"},
    };
    const char *code = NULL;
    for (size_t i = 0; i < sizeof codes / sizeof *codes; i++)
        if (!strncmp(msg, codes[i].prefix, strlen(codes[i].prefix)))
            code = codes[i].code;
    if (!code) { /* e.g. a stored definition that no longer compiles */
        eng__task_fail(f, "States.TaskFailed", msg);
        return;
    }
    char *rid = eng__uuid(f->ex->e);
    char *name = bt_xasprintf("StepFunctions.%sException", code);
    char *cause = bt_xasprintf("%s (Service: AWSStepFunctions; Status Code: "
                               "400; Error Code: %s; Request ID: %s; Proxy: "
                               "null)",
                               msg, code, rid);
    eng__task_fail(f, name, cause);
    free(cause);
    free(name);
    free(rid);
}

/* ---- results
 * ------------------------------------------------------------------ */

/* "Wed, 28 Jun 2023 11:07:54 GMT", an HTTP Date header. */
static void http_date(int64_t ms, char out[40])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 40, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* The request-response result: StartExecution's answer as the Java SDK
 * shows it to Step Functions, dates in epoch milliseconds. */
static json_object *start_response(eng *e, const store_exec *row)
{
    /* The HTTP body StartExecution answers with, for Content-Length. */
    json_object *body = json_object_new_object();
    eng__add_str(body, "executionArn", row->arn);
    eng__add_date(body, "startDate", row->start_ms);
    char len[24], date[40];
    snprintf(len, sizeof len, "%zu", strlen(bt_json_compact(body)));
    json_object_put(body);
    http_date(eng__now_ms(), date);
    char *rid = eng__uuid(e);
    /* AllHttpHeaders in the order AWS sends them, HttpHeaders sorted
     * without regard to case (as recorded on AWS). */
    static const char *const names[] = {"x-amzn-RequestId", "connection",
                                        "Content-Length", "Date",
                                        "Content-Type"};
    const char *values[] = {rid, "keep-alive", len, date,
                            "application/x-amz-json-1.0"};
    static const int sorted[] = {1, 2, 4, 3, 0};
    json_object *all = json_object_new_object(),
                *one = json_object_new_object();
    for (size_t i = 0; i < 5; i++) {
        json_object *arr = json_object_new_array();
        json_object_array_add(arr, json_object_new_string(values[i]));
        json_object_object_add(all, names[i], arr);
        json_object_object_add(one, names[sorted[i]],
                               json_object_new_string(values[sorted[i]]));
    }
    json_object *meta = json_object_new_object();
    json_object_object_add(meta, "AllHttpHeaders", all);
    json_object_object_add(meta, "HttpHeaders", one);
    json_object_object_add(meta, "HttpStatusCode", json_object_new_int(200));
    json_object *rmeta = json_object_new_object();
    eng__add_str(rmeta, "RequestId", rid);
    free(rid);
    json_object *r = json_object_new_object();
    eng__add_str(r, "ExecutionArn", row->arn);
    json_object_object_add(r, "SdkHttpMetadata", meta);
    json_object_object_add(r, "SdkResponseMetadata", rmeta);
    json_object_object_add(r, "StartDate",
                           json_object_new_int64(row->start_ms));
    return r;
}

/* o[k] = text as a string, or (.sync:2) as the JSON it holds. */
static void add_payload(json_object *o, const char *k, const char *text,
                        bool parsed)
{
    json_object *v = NULL;
    if (parsed && text &&
        bt_json_parse(text, strlen(text), BT_LIMIT_JSON_DEPTH, &v, NULL) == 0) {
        json_object_object_add(o, k, v);
        return;
    }
    json_object_object_add(o, k, text ? json_object_new_string(text) : NULL);
}

static json_object *included(void)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "Included", json_object_new_boolean(true));
    return o;
}

/* DescribeExecution of the ended child as .sync returns it (reference
 * §7.6), or, for a child that did not succeed, the cause of the task's
 * failure: Error and Cause first, no Output (and no *Details). */
static json_object *child_description(const store_exec *row, bool parsed,
                                      bool as_cause)
{
    json_object *o = json_object_new_object();
    if (as_cause) {
        eng__add_str(o, "Error", row->error);
        eng__add_str(o, "Cause", row->cause);
    }
    eng__add_str(o, "ExecutionArn", row->arn);
    add_payload(o, "Input", row->input, parsed);
    if (!as_cause)
        json_object_object_add(o, "InputDetails", included());
    eng__add_str(o, "Name", row->name);
    if (!as_cause) {
        add_payload(o, "Output", row->output, parsed);
        json_object_object_add(o, "OutputDetails", included());
    }
    json_object_object_add(o, "StartDate",
                           json_object_new_int64(row->start_ms));
    eng__add_str(o, "StateMachineArn", row->machine_arn);
    eng__add_str(o, "Status", row->status);
    json_object_object_add(o, "StopDate", json_object_new_int64(row->stop_ms));
    return o;
}

/* ---- starting
 * ----------------------------------------------------------------- */

void eng__nested_start(eng_frame *f)
{
    eng *e = f->ex->e;
    start_req r;
    char *msg = NULL, *arn = NULL;
    if (request_of(f, &r, &msg) != 0) {
        eng__task_fail(f, "States.Runtime", msg);
        free(msg);
        return;
    }
    msg = arn_problem(r.machine);
    int rc = msg ? BT_EINVAL
                 : eng__exec_create(e, r.machine, r.name, r.input, &arn, &msg);
    free(r.input);
    if (rc == BT_EIO)
        eng__store_fatal(e, "write");
    if (rc != 0) {
        refused(f, msg);
        free(msg);
        return;
    }
    store_exec row;
    memset(&row, 0, sizeof row);
    if (store_exec_get(e->st, arn, &row) != 0)
        eng__store_fatal(e, "write");
    json_object *response = start_response(e, &row);
    store_exec_fini(&row);
    if (!strcmp(f->task_kind, "startExecution")) {
        free(arn);
        eng__task_succeeded(f, response);
        return;
    }
    if (f->cb_kind != CB_CALLBACK) { /* .sync, .sync:2 */
        f->cb_kind = CB_NESTED;
        f->nested_arn = arn;
        arn = NULL;
        eng__nested_wait(f);
    }
    free(arn);
    eng__callback_submitted(f, response);
}

/* ---- waiting
 * ------------------------------------------------------------------ */

static struct eng_nested *registry(eng *e)
{
    if (!e->nested) {
        e->nested = bt_xcalloc(1, sizeof *e->nested);
        e->nested->by_child = lh_kchar_table_new(64, NULL);
    }
    return e->nested;
}

static waiters *waiters_of(eng *e, const char *arn)
{
    void *v = NULL;
    if (e->nested && lh_table_lookup_ex(e->nested->by_child, arn, &v))
        return v;
    return NULL;
}

void eng__nested_wait(eng_frame *f)
{
    eng *e = f->ex->e;
    waiters *w = waiters_of(e, f->nested_arn);
    if (!w) {
        w = bt_xcalloc(1, sizeof *w);
        w->arn = bt_xstrdup(f->nested_arn);
        lh_table_insert(registry(e)->by_child, w->arn, w);
    }
    for (size_t i = 0; i < w->n; i++)
        if (w->frames[i] == f)
            return;
    w->frames = bt_grow(w->frames, w->n, &w->cap, sizeof *w->frames);
    w->frames[w->n++] = f;
}

static void waiters_free(waiters *w)
{
    free(w->frames);
    free(w->arn);
    free(w);
}

static void unwait(eng_frame *f)
{
    eng *e = f->ex->e;
    waiters *w = f->nested_arn ? waiters_of(e, f->nested_arn) : NULL;
    if (!w)
        return;
    for (size_t i = 0; i < w->n;) {
        if (w->frames[i] == f)
            w->frames[i] = w->frames[--w->n];
        else
            i++;
    }
    if (w->n == 0) {
        lh_table_delete(e->nested->by_child, w->arn);
        waiters_free(w);
    }
}

typedef struct stop_req {
    eng *e;
    char *arn;
} stop_req;

static void stop_effect(void *arg, bool run)
{
    stop_req *s = arg;
    if (run && !s->e->closing) {
        char *err = NULL;
        /* A child that has ended already is left as it is. */
        eng_execution_stop(s->e, s->arn, NULL, NULL, &err);
        free(err);
    }
    free(s->arn);
    free(s);
}

void eng__nested_release(eng_frame *f, bool stop_child)
{
    eng *e = f->ex->e;
    unwait(f);
    if (stop_child && f->nested_arn && !e->closing) {
        stop_req *s = bt_xmalloc(sizeof *s);
        s->e = e;
        s->arn = bt_xstrdup(f->nested_arn);
        eng__effect(e, NULL, stop_effect, s);
    }
    free(f->nested_arn);
    f->nested_arn = NULL;
}

void eng__nested_ended(eng *e, const char *arn)
{
    waiters *w = waiters_of(e, arn);
    for (size_t i = 0; w && i < w->n; i++)
        eng__ready(w->frames[i]);
}

void eng__nested_check(eng_frame *f)
{
    eng *e = f->ex->e;
    store_exec row;
    memset(&row, 0, sizeof row);
    int rc =
        f->nested_arn ? store_exec_get(e->st, f->nested_arn, &row) : BT_ENOENT;
    if (rc == BT_ENOENT) {
        char *c = bt_xasprintf("Execution Does Not Exist: '%s'",
                               f->nested_arn ? f->nested_arn : "");
        f->cb_outcome = CB_FAILED;
        sl_error_set(&f->cb_error, "States.TaskFailed", c);
        free(c);
        return;
    }
    if (rc != 0)
        eng__store_fatal(e, "write");
    bool parsed = !strcmp(f->task_kind, "startExecution.sync:2");
    if (!strcmp(row.status, "SUCCEEDED")) {
        f->cb_outcome = CB_SUCCEEDED;
        json_object_put(f->cb_output);
        f->cb_output = child_description(&row, parsed, false);
    } else if (strcmp(row.status, "RUNNING")) {
        json_object *c = child_description(&row, parsed, true);
        f->cb_outcome = CB_FAILED;
        sl_error_set(&f->cb_error, "States.TaskFailed", bt_json_compact(c));
        json_object_put(c);
    }
    store_exec_fini(&row);
}

void eng__nested_free(eng *e)
{
    if (!e->nested)
        return;
    struct lh_entry *ent;
    lh_foreach(e->nested->by_child, ent)
    {
        waiters_free((waiters *)lh_entry_v(ent));
    }
    lh_table_free(e->nested->by_child);
    free(e->nested);
    e->nested = NULL;
}
