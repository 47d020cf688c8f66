/*
 * The plain REST front (/v1/...) on the loop thread, for curl users: the
 * resource is in the path, a definition or an execution input is the whole
 * body, and JSON payloads come back embedded as JSON rather than as JSON
 * text inside a string. Members keep AWS's names and the work is done by
 * the engine calls the AWS actions use; errors are {"error": "<AWS code>",
 * "message": "..."} with a REST status (404, 405, 409, ...).
 *
 * Invariant: srv__rest answers its request exactly once, through
 * rest_finish; nothing here defers. docs/rest-api.md is the reference.
 */
#include "server/srv_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a path names. */
typedef enum rest_res {
    RES_NONE,
    RES_MACHINES,      /* /v1/state-machines */
    RES_MACHINE,       /* /v1/state-machines/{name} */
    RES_MACHINE_EXECS, /* /v1/state-machines/{name}/executions */
    RES_EXEC,          /* /v1/executions/{id} */
    RES_EXEC_HISTORY,  /* /v1/executions/{id}/history */
    RES_EXEC_STOP,     /* /v1/executions/{id}/stop */
} rest_res;

/* One request. On failure c.out may hold extra members for the error body
 * (the diagnostics of an invalid definition), never a partial result. */
typedef struct rest_ctx {
    srv_call c;
    const char *id;  /* {name} or {id}, inside path; NULL for collections */
    char *path;      /* r->path without a trailing '/' (new) */
    json_object *in; /* the query arguments or the stop body (new) */
    int ok_status;
} rest_ctx;

typedef struct rest_route {
    rest_res res;
    const char *method;
    const char *pattern; /* for messages */
    const char *action;  /* the log line's action; binds pagination tokens */
    void (*fn)(rest_ctx *x);
    const char *args; /* query arguments taken: "a, b", or "" */
} rest_route;

/* The value the JSON text v holds (new reference; NULL is JSON null), or
 * false when v is not a string holding JSON. */
static bool parse_text(json_object *v, json_object **out)
{
    *out = NULL;
    return json_object_is_type(v, json_type_string) &&
           bt_json_parse(json_object_get_string(v),
                         (size_t)json_object_get_string_len(v),
                         BT_LIMIT_JSON_DEPTH, out, NULL) == 0;
}

/* Replaces the JSON text in o[key] by the value it holds; a member that is
 * absent or does not parse stays as it is. */
static void embed(json_object *o, const char *key)
{
    json_object *v, *parsed;
    if (json_object_object_get_ex(o, key, &v) && parse_text(v, &parsed))
        json_object_object_add(o, key, parsed);
}

/* DescribeStateMachine's members with the definition embedded. */
static json_object *machine_object(json_object *d)
{
    if (d)
        embed(d, "definition");
    return d;
}

/* DescribeExecution's members with input and output embedded; the
 * *Details members only say that they are included. */
static json_object *exec_object(json_object *d)
{
    if (!d)
        return NULL;
    json_object_object_del(d, "inputDetails");
    json_object_object_del(d, "outputDetails");
    embed(d, "input");
    embed(d, "output");
    return d;
}

/* The payloads of one history event: every *EventDetails member's input,
 * output and parameters, and each assigned variable's value. */
static void embed_event(json_object *ev)
{
    json_object_object_foreach(ev, k, details)
    {
        (void)k;
        if (!json_object_is_type(details, json_type_object))
            continue;
        embed(details, "input");
        embed(details, "output");
        embed(details, "parameters");
        json_object *vars, *copy;
        if (!json_object_object_get_ex(details, "assignedVariables", &vars) ||
            !json_object_is_type(vars, json_type_object))
            continue;
        /* A new object: members are not replaced while being walked. */
        copy = json_object_new_object();
        json_object_object_foreach(vars, name, text)
        {
            json_object *v;
            if (!parse_text(text, &v))
                v = json_object_get(text);
            json_object_object_add(copy, name, v);
        }
        json_object_object_add(details, "assignedVariables", copy);
    }
}

/* ---- lookups ------------------------------------------------------------- */

static bool name_ok(rest_ctx *x, const char *name)
{
    if (eng_name_valid(name))
        return true;
    return srv__fail(&x->c, SRV_INVALID_NAME, "Invalid Name: '%s'", name);
}

/* The machine {name} names: DescribeStateMachine's object (new), or NULL
 * after failing the call. */
static json_object *machine_lookup(rest_ctx *x)
{
    if (!name_ok(x, x->id))
        return NULL;
    char *arn = eng_machine_arn(x->c.e, x->id);
    json_object *d = eng_machine_describe(x->c.e, arn);
    if (!d)
        srv__fail(&x->c, SRV_MACHINE_MISSING,
                  "State Machine Does Not Exist: '%s'", arn);
    free(arn);
    return d;
}

/* An EXPRESS execution by machine and execution name: its ARN carries a
 * UUID, so the newest one with that name is looked for. */
static json_object *express_lookup(eng *e, const char *machine,
                                   const char *name)
{
    char *marn = eng_machine_arn(e, machine);
    json_object *m = eng_machine_describe(e, marn);
    const char *type = m ? bt_json_str(m, "type") : NULL;
    json_object *d = NULL;
    if (type && !strcmp(type, "EXPRESS")) {
        json_object *all = eng_execution_list(e); /* newest first */
        for (size_t i = 0; !d && i < json_object_array_length(all); i++) {
            json_object *it = json_object_array_get_idx(all, i);
            const char *sm = bt_json_str(it, "stateMachineArn");
            const char *nm = bt_json_str(it, "name");
            const char *arn = bt_json_str(it, "executionArn");
            if (sm && nm && arn && !strcmp(sm, marn) && !strcmp(nm, name))
                d = eng_execution_describe(e, arn);
        }
        json_object_put(all);
    }
    json_object_put(m);
    free(marn);
    return d;
}

/* {id} as <machineName>:<executionName>. */
static json_object *exec_by_names(rest_ctx *x)
{
    const char *colon = strchr(x->id, ':');
    if (!colon) {
        srv__fail(&x->c, SRV_INVALID_ARN,
                  "Invalid Arn: '%s' is neither an execution ARN nor "
                  "<stateMachineName>:<executionName>",
                  x->id);
        return NULL;
    }
    char *machine = bt_xstrdup(x->id);
    machine[colon - x->id] = '\0';
    const char *name = colon + 1;
    json_object *d = NULL;
    if (name_ok(x, machine) && name_ok(x, name)) {
        char *arn = eng_execution_arn(x->c.e, machine, name);
        d = eng_execution_describe(x->c.e, arn);
        free(arn);
        if (!d)
            d = express_lookup(x->c.e, machine, name);
    }
    free(machine);
    return d;
}

/* The execution {id} names (an execution or express ARN, or
 * <machineName>:<executionName>): DescribeExecution's object (new), or
 * NULL after failing the call. */
static json_object *exec_lookup(rest_ctx *x)
{
    json_object *d = NULL;
    if (strncmp(x->id, "arn:", 4) != 0) {
        d = exec_by_names(x);
    } else {
        char t[32];
        if (!srv__arn_type(x->id, t, sizeof t))
            srv__fail(&x->c, SRV_INVALID_ARN, "Invalid Arn: 'Invalid ARN: %s'",
                      x->id);
        else if (strcmp(t, "execution") != 0 && strcmp(t, "express") != 0)
            srv__fail(&x->c, SRV_INVALID_ARN,
                      "Invalid Arn: 'Resource type not valid in this "
                      "context: %s'",
                      t);
        else
            d = eng_execution_describe(x->c.e, x->id);
    }
    if (!d && !x->c.err)
        srv__fail(&x->c, SRV_EXEC_MISSING, "Execution Does Not Exist: '%s'",
                  x->id);
    return d;
}

/* ---- bodies -------------------------------------------------------------- */

/* The body as the engine's text (NULL when empty). prefix starts the
 * message of err; more than max characters is a ValidationException. */
static bool body_text(rest_ctx *x, srv_error err, const char *prefix,
                      const char *what, size_t max, const char **out)
{
    const bt_buf *b = &x->c.r->body;
    *out = NULL;
    if (b->len == 0)
        return true;
    const char *nul = memchr(b->data, '\0', b->len);
    if (nul)
        return srv__fail(&x->c, err, "%s'the body holds a NUL byte at %zu'",
                         prefix, (size_t)(nul - b->data));
    size_t chars = bt_utf8_length(b->data, b->len);
    if (chars > max)
        return srv__fail(&x->c, SRV_VALIDATION,
                         "The %s has %zu characters; at most %zu are allowed",
                         what, chars, max);
    *out = b->data;
    return true;
}

/* The optional body of stop: {"error"?: string, "cause"?: string}. */
static bool stop_body(rest_ctx *x)
{
    const bt_buf *b = &x->c.r->body;
    if (b->len == 0)
        return true;
    json_object *o = NULL;
    bt_json_error jerr;
    if (bt_json_parse(b->data, b->len, BT_LIMIT_JSON_DEPTH, &o, &jerr) != 0)
        return srv__fail(&x->c, SRV_SERIALIZATION,
                         "The body is not JSON: %s at line %d, column %d",
                         jerr.message, jerr.line, jerr.column);
    if (!json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        return srv__fail(&x->c, SRV_SERIALIZATION,
                         "The body must be a JSON object such as "
                         "{\"error\": \"...\", \"cause\": \"...\"}");
    }
    json_object_put(x->in);
    x->in = x->c.in = o;
    json_object_object_foreach(o, k, v)
    {
        (void)v;
        if (strcmp(k, "error") != 0 && strcmp(k, "cause") != 0)
            return srv__fail(&x->c, SRV_VALIDATION,
                             "Unknown member '%s': the body takes error and "
                             "cause",
                             k);
    }
    return true;
}

/* Fails with InvalidDefinition: AWS's message, and every diagnostic with
 * its line and column. */
static void fail_definition(rest_ctx *x, const sl_diags *d)
{
    srv__fail_definition(&x->c, d);
    json_object *list = json_object_new_array();
    for (size_t i = 0; i < d->len; i++) {
        const sl_diag *g = &d->items[i];
        json_object *o = srv__diag_object(g);
        if (g->line > 0) {
            json_object_object_add(o, "line", json_object_new_int(g->line));
            json_object_object_add(o, "column", json_object_new_int(g->column));
        }
        json_object_array_add(list, o);
    }
    json_object_put(x->c.out);
    x->c.out = json_object_new_object();
    json_object_object_add(x->c.out, "diagnostics", list);
    json_object_object_add(x->c.out, "truncated",
                           json_object_new_boolean(d->truncated));
}

/* ---- state machines ------------------------------------------------------ */

static void list_machines(rest_ctx *x)
{
    srv__page(&x->c, eng_machine_list(x->c.e), "stateMachines", NULL, 1024);
}

static void get_machine(rest_ctx *x)
{
    x->c.out = machine_object(machine_lookup(x));
}

/* Creates {name} (201) or updates it (200); cur is its description, or
 * NULL when it does not exist. Returns the engine's code. */
static int put_definition(rest_ctx *x, const char *arn, json_object *cur,
                          const char *type, const char *definition, sl_diags *d)
{
    srv_call *c = &x->c;
    const char *cur_type = cur ? bt_json_str(cur, "type") : NULL;
    json_object *out = NULL;
    char *err = NULL;
    int rc;
    if (!cur) {
        sl_machine_type t = SL_MACHINE_STANDARD;
        if (type)
            sl_machine_type_parse(type, &t);
        rc =
            eng_machine_create(c->e, x->id, definition, t, NULL, &out, d, &err);
        x->ok_status = 201;
    } else if (type && cur_type && strcmp(type, cur_type) != 0) {
        srv__fail(c, SRV_MACHINE_EXISTS,
                  "State Machine Already Exists: '%s' has type %s; a type "
                  "cannot change (delete the machine first)",
                  arn, cur_type);
        return BT_EINVAL;
    } else {
        rc = eng_machine_update(c->e, arn, definition, NULL, &out, d, &err);
    }
    if (rc == BT_EINVALID)
        fail_definition(x, d);
    else if (rc != 0)
        srv__fail_engine(c, err);
    else
        free(err);
    json_object_put(out);
    return rc;
}

static void put_machine(rest_ctx *x)
{
    srv_call *c = &x->c;
    const char *type, *definition;
    if (!srv__enum(c, "type", srv__machine_types, &type) ||
        !name_ok(x, x->id) ||
        !body_text(x, SRV_INVALID_DEFINITION,
                   "Invalid State Machine Definition: ", "definition",
                   BT_LIMIT_DEFINITION_BYTES, &definition))
        return;
    if (!definition) {
        srv__fail(c, SRV_INVALID_DEFINITION,
                  "Invalid State Machine Definition: 'the body is empty; "
                  "send the definition (ASL JSON) as the body'");
        return;
    }
    char *arn = eng_machine_arn(c->e, x->id);
    json_object *cur = eng_machine_describe(c->e, arn);
    sl_diags d;
    sl_diags_init(&d);
    if (put_definition(x, arn, cur, type, definition, &d) == 0)
        c->out = machine_object(eng_machine_describe(c->e, arn));
    sl_diags_fini(&d);
    json_object_put(cur);
    free(arn);
}

static void delete_machine(rest_ctx *x)
{
    json_object *m = machine_lookup(x);
    if (!m)
        return;
    char *err = NULL;
    if (eng_machine_delete(x->c.e, bt_json_str(m, "stateMachineArn"), &err))
        srv__fail_engine(&x->c, err);
    else
        x->c.out = json_object_new_object();
    json_object_put(m);
}

/* ---- executions ---------------------------------------------------------- */

static void start_execution(rest_ctx *x)
{
    srv_call *c = &x->c;
    const char *name, *input;
    if (!srv__str(c, "name", false, 0, false, &name))
        return;
    json_object *m = machine_lookup(x);
    if (!m || !body_text(x, SRV_INVALID_INPUT,
                         "Invalid State Machine Execution Input: ", "input",
                         SRV_PAYLOAD_MAX, &input)) {
        json_object_put(m);
        return;
    }
    /* The same name and input while RUNNING is the same start (AWS): 200
     * for it, 201 for a new execution. */
    json_object *before = NULL;
    if (name && eng_name_valid(name)) {
        char *arn = eng_execution_arn(c->e, x->id, name);
        before = eng_execution_describe(c->e, arn);
        free(arn);
    }
    char *arn = NULL, *err = NULL;
    if (eng_execution_start(c->e, bt_json_str(m, "stateMachineArn"), name,
                            input, &arn, &err) != 0) {
        srv__fail_engine(c, err);
    } else {
        free(err);
        x->ok_status = before ? 200 : 201;
        c->out = exec_object(eng_execution_describe(c->e, arn));
    }
    free(arn);
    json_object_put(before);
    json_object_put(m);
}

static void list_executions(rest_ctx *x)
{
    srv_call *c = &x->c;
    const char *status;
    if (!srv__enum(c, "status", srv__exec_statuses, &status))
        return;
    json_object *m = machine_lookup(x);
    if (!m)
        return;
    const char *arn = bt_json_str(m, "stateMachineArn");
    json_object *all = eng_execution_list(c->e);
    json_object *items = json_object_new_array();
    for (size_t i = 0; i < json_object_array_length(all); i++) {
        json_object *it = json_object_array_get_idx(all, i);
        const char *sm = bt_json_str(it, "stateMachineArn");
        const char *st = bt_json_str(it, "status");
        if (sm && !strcmp(sm, arn) && (!status || (st && !strcmp(st, status))))
            json_object_array_add(items, json_object_get(it));
    }
    json_object_put(all);
    char *key = bt_xasprintf("%s|%s", arn, status ? status : "");
    srv__page(c, items, "executions", key, 3096);
    free(key);
    json_object_put(m);
}

static void get_execution(rest_ctx *x)
{
    x->c.out = exec_object(exec_lookup(x));
}

static void embed_cb(json_object *ev, void *ud)
{
    (void)ud;
    embed_event(ev);
}

static void get_history(rest_ctx *x)
{
    srv_call *c = &x->c;
    bool reverse = false;
    if (!srv__bool(c, "reverseOrder", &reverse))
        return;
    json_object *d = exec_lookup(x);
    const char *arn = d ? bt_json_str(d, "executionArn") : NULL;
    if (arn) {
        char *key = bt_xasprintf("%s|%d", arn, reverse);
        if (srv__history_page(c, arn, reverse, key, embed_cb, NULL) > 0)
            srv__fail(c, SRV_EXEC_MISSING, "Execution Does Not Exist: '%s'",
                      x->id);
        free(key);
    }
    json_object_put(d);
}

static void stop_execution(rest_ctx *x)
{
    srv_call *c = &x->c;
    const char *error, *cause;
    if (!stop_body(x) || !srv__str(c, "error", false, 256, true, &error) ||
        !srv__str(c, "cause", false, 32768, true, &cause))
        return;
    json_object *d = exec_lookup(x);
    if (!d)
        return;
    char *arn = bt_xstrdup(bt_json_str(d, "executionArn"));
    char *err = NULL;
    if (eng_execution_stop(c->e, arn, error, cause, &err) != 0) {
        srv__fail_engine(c, err);
    } else {
        free(err);
        c->out = exec_object(eng_execution_describe(c->e, arn));
    }
    free(arn);
    json_object_put(d);
}

/* ---- dispatch ------------------------------------------------------------ */

static const rest_route routes[] = {
    {RES_MACHINES, "GET", "/v1/state-machines", "ListStateMachines",
     list_machines, "maxResults, nextToken"},
    {RES_MACHINE, "GET", "/v1/state-machines/{name}", "DescribeStateMachine",
     get_machine, ""},
    {RES_MACHINE, "PUT", "/v1/state-machines/{name}", "PutStateMachine",
     put_machine, "type"},
    {RES_MACHINE, "DELETE", "/v1/state-machines/{name}", "DeleteStateMachine",
     delete_machine, ""},
    {RES_MACHINE_EXECS, "GET", "/v1/state-machines/{name}/executions",
     "ListExecutions", list_executions, "status, maxResults, nextToken"},
    {RES_MACHINE_EXECS, "POST", "/v1/state-machines/{name}/executions",
     "StartExecution", start_execution, "name"},
    {RES_EXEC, "GET", "/v1/executions/{id}", "DescribeExecution", get_execution,
     ""},
    {RES_EXEC_HISTORY, "GET", "/v1/executions/{id}/history",
     "GetExecutionHistory", get_history, "reverseOrder, maxResults, nextToken"},
    {RES_EXEC_STOP, "POST", "/v1/executions/{id}/stop", "StopExecution",
     stop_execution, ""},
};
#define NROUTES (sizeof routes / sizeof *routes)

/* Strips suffix from s when s is longer than it. */
static bool strip(char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    if (n <= m || strcmp(s + n - m, suffix) != 0)
        return false;
    s[n - m] = '\0';
    return true;
}

/* What path names; *id points into path. The path is already URL-decoded
 * (libmicrohttpd), so an {id} may hold ':' and '/' (a Map child's ARN):
 * the known suffixes are taken off the end instead of splitting on '/'. */
static rest_res parse_path(char *path, const char **id)
{
    static const char machines[] = "/v1/state-machines";
    static const char execs[] = "/v1/executions/";
    size_t ml = sizeof machines - 1, el = sizeof execs - 1;
    char *rest = NULL;
    rest_res res = RES_NONE;
    *id = NULL;
    if (!strcmp(path, machines))
        return RES_MACHINES;
    if (!strncmp(path, machines, ml) && path[ml] == '/') {
        rest = path + ml + 1;
        res = strip(rest, "/executions") ? RES_MACHINE_EXECS : RES_MACHINE;
    } else if (!strncmp(path, execs, el)) {
        rest = path + el;
        res = strip(rest, "/history") ? RES_EXEC_HISTORY
              : strip(rest, "/stop")  ? RES_EXEC_STOP
                                      : RES_EXEC;
    }
    if (!rest || !*rest)
        return RES_NONE;
    *id = rest;
    return res;
}

static bool takes(const rest_route *rt, const char *key)
{
    size_t n = strlen(key);
    for (const char *p = rt->args; *p; p += strspn(p, ", ")) {
        size_t len = strcspn(p, ",");
        if (len == n && !strncmp(p, key, n))
            return true;
        p += len;
    }
    return false;
}

/* One query argument as the JSON member the srv__ readers expect (new),
 * or NULL after failing the call. */
static json_object *arg_value(rest_ctx *x, const char *key, const char *value)
{
    if (!strcmp(key, "maxResults")) {
        char *end;
        errno = 0;
        long long n = strtoll(value, &end, 10);
        if (*value && !*end && !errno)
            return json_object_new_int64(n);
        srv__fail(&x->c, SRV_VALIDATION,
                  "Query argument 'maxResults' must be an integer, not '%s'",
                  value);
        return NULL;
    }
    if (!strcmp(key, "reverseOrder")) {
        if (!strcmp(value, "true") || !strcmp(value, "false"))
            return json_object_new_boolean(!strcmp(value, "true"));
        srv__fail(&x->c, SRV_VALIDATION,
                  "Query argument 'reverseOrder' must be true or false, not "
                  "'%s'",
                  value);
        return NULL;
    }
    return json_object_new_string(value);
}

/* The query arguments into x->in: only those the route takes, once each. */
static bool read_args(rest_ctx *x, const rest_route *rt)
{
    const srv_req *r = x->c.r;
    for (size_t i = 0; i < r->nargs; i++) {
        const char *key = r->args[i].key;
        if (!takes(rt, key))
            return srv__fail(&x->c, SRV_VALIDATION,
                             "Unknown query argument '%s': %s %s takes %s", key,
                             rt->method, rt->pattern,
                             *rt->args ? rt->args : "none");
        if (json_object_object_get_ex(x->in, key, NULL))
            return srv__fail(&x->c, SRV_VALIDATION,
                             "Query argument '%s' is given more than once",
                             key);
        json_object *v = arg_value(x, key, r->args[i].value);
        if (!v)
            return false;
        json_object_object_add(x->in, key, v);
    }
    return true;
}

/* The route for path and method; for a known path with another method
 * fails with 405 and fills r->allow. */
static const rest_route *choose(rest_ctx *x, rest_res res)
{
    srv_req *r = x->c.r;
    const char *method = strcmp(r->method, "HEAD") ? r->method : "GET";
    const rest_route *any = NULL;
    bt_buf allow;
    bt_buf_init(&allow);
    for (size_t i = 0; i < NROUTES; i++) {
        if (routes[i].res != res)
            continue;
        if (!strcmp(routes[i].method, method)) {
            bt_buf_fini(&allow);
            return &routes[i];
        }
        any = &routes[i];
        bt_buf_printf(&allow, "%s%s%s", allow.len ? ", " : "", routes[i].method,
                      strcmp(routes[i].method, "GET") ? "" : ", HEAD");
    }
    if (!any)
        srv__fail(&x->c, SRV_UNKNOWN_OPERATION,
                  "No route %s %s (docs/rest-api.md lists the routes)",
                  r->method, r->path);
    else {
        snprintf(r->allow, sizeof r->allow, "%s", allow.data);
        srv__fail(&x->c, SRV_BAD_METHOD, "%s is not allowed on %s; use %s",
                  r->method, any->pattern, allow.data);
    }
    bt_buf_fini(&allow);
    return NULL;
}

/* Serialises the result or the error and replies (the only reply). */
static void rest_finish(rest_ctx *x)
{
    srv_call *c = &x->c;
    json_object *o = c->out ? c->out : json_object_new_object();
    int status = x->ok_status;
    c->out = NULL;
    if (c->err) {
        json_object *extra = o;
        const char *code = srv__error_code(c->err);
        o = json_object_new_object();
        json_object_object_add(o, "error", json_object_new_string(code));
        json_object_object_add(o, "message",
                               json_object_new_string(c->msg ? c->msg : code));
        json_object_object_foreach(extra, k, v)
            json_object_object_add(o, k, json_object_get(v));
        json_object_put(extra);
        status = srv__error_rest_status(c->err);
        c->r->err_type = code;
    }
    bt_buf b;
    bt_buf_init(&b);
    bt_buf_puts(&b, bt_json_compact(o));
    bt_buf_putc(&b, '\n');
    srv__reply_as(c->r, status, "application/json", b.data, b.len);
    bt_buf_fini(&b);
    json_object_put(o);
    free(c->msg);
    c->msg = NULL;
}

void srv__rest(srv_req *r)
{
    rest_ctx x = {{r->s, r->s->e, r, NULL, NULL, SRV_OK, NULL, false},
                  NULL,
                  bt_xstrdup(r->path),
                  json_object_new_object(),
                  200};
    x.c.in = x.in;
    size_t n = strlen(x.path);
    if (n > 1 && x.path[n - 1] == '/')
        x.path[n - 1] = '\0';
    const rest_route *rt = choose(&x, parse_path(x.path, &x.id));
    if (rt) {
        r->action = rt->action;
        if (read_args(&x, rt))
            rt->fn(&x);
    }
    rest_finish(&x);
    json_object_put(x.in);
    free(x.path);
}
