/*
 * Task states that call functions: a Lambda function ARN (legacy form, with
 * LambdaFunction* events) or arn:aws:states:::lambda:invoke (Task* events
 * and AWS's result envelope). A function is a process: the event JSON on
 * stdin, the result JSON on stdout (see docs/functions.md).
 *
 * Lifecycle of a call: scheduled (events recorded) -> spawned after the
 * commit -> finished (result parked on the frame) -> the pump records the
 * outcome and moves the frame on. lambda:invoke.waitForTaskToken calls the
 * function the same way and then waits for the token (eng_callback.c);
 * activity ARNs go straight to eng_callback.c, arn:aws:states:::http:invoke
 * to eng_http.c (which records its events through the functions here).
 */
#include "engine/eng_int.h"

#include <stdlib.h>
#include <string.h>

/* The Task kinds of eng_frame.task_kind, from a state's Resource: "lambda"
 * (a function ARN), or the service integration's action with its suffix as
 * AWS names it in Task* events ("invoke", "startExecution.sync", ...). */
static const char *const integrations[][2] = {
    {"lambda:", "invoke"},
    {"lambda:", "invoke.waitForTaskToken"},
    {"states:", "startExecution"},
    {"states:", "startExecution.sync"},
    {"states:", "startExecution.sync:2"},
    {"states:", "startExecution.waitForTaskToken"},
};

const char *eng__task_kind(const char *res)
{
    /* arn:<partition>:states:::<service>:<action>[.suffix] */
    static const char mid[] = ":states:::";
    const char *p = strncmp(res, "arn:", 4) ? NULL : strchr(res + 4, ':');
    if (p && !strncmp(p, mid, sizeof mid - 1)) {
        p += sizeof mid - 1;
        if (!strcmp(p, "http:invoke"))
            return "http";
        for (size_t i = 0; i < sizeof integrations / sizeof *integrations;
             i++) {
            size_t n = strlen(integrations[i][0]);
            if (!strncmp(p, integrations[i][0], n) &&
                !strcmp(p + n, integrations[i][1]))
                return integrations[i][1];
        }
        return NULL;
    }
    if (strstr(res, ":lambda:") && strstr(res, ":function:"))
        return "lambda";
    return NULL;
}

static const char *resource_short(const eng_frame *f)
{
    const char *k = f->task_kind ? f->task_kind
                                 : eng__task_kind(sl_state_resource(f->state));
    return !k || !strcmp(k, "lambda") || !strcmp(k, "http") ? "invoke" : k;
}

/* The task's resourceType in its events. */
static const char *resource_type(const eng_frame *f, const char *r)
{
    const char *k = f->task_kind ? f->task_kind
                                 : eng__task_kind(sl_state_resource(f->state));
    return k && !strcmp(k, "http")             ? "http"
           : !strncmp(r, "startExecution", 14) ? "states"
                                               : "lambda";
}

json_object *eng__task_details(const eng_frame *f)
{
    const char *r = resource_short(f);
    json_object *d = json_object_new_object();
    json_object_object_add(d, "resourceType",
                           json_object_new_string(resource_type(f, r)));
    json_object_object_add(d, "resource", json_object_new_string(r));
    return d;
}

/* The hot task events' details are written as text (as eng__event_text
 * takes them): building json-c objects for them cost ~8,000 instructions
 * a call. Each begins with "{", then these members when not legacy. */
static void details_open(const eng_frame *f, bool legacy_kind, bt_buf *b)
{
    bt_buf_putc(b, '{');
    if (legacy_kind)
        return;
    const char *r = resource_short(f);
    const char *type = resource_type(f, r);
    bt_buf_lit(b, "\"resourceType\":");
    bt_buf_json_str(b, type, strlen(type));
    bt_buf_lit(b, ",\"resource\":");
    bt_buf_json_str(b, r, strlen(r));
}

/* [,]"key":"<v as compact JSON, as a JSON string>". The text is the
 * frame's (eng__value_text): a Lambda ARN task's payload is the same
 * value, sent as that text (payload_bytes). */
static void put_value_string(eng_frame *f, bt_buf *b, bool comma,
                             const char *key, json_object *v)
{
    size_t n;
    const char *text = eng__value_text(f, v, &n);
    if (comma)
        bt_buf_putc(b, ',');
    bt_buf_putc(b, '"');
    bt_buf_puts(b, key);
    bt_buf_lit(b, "\":");
    bt_buf_json_str(b, text, n);
}

static json_object *task_details(eng_frame *f)
{
    return eng__task_details(f);
}

static bool legacy(const eng_frame *f)
{
    return !strcmp(f->task_kind, "lambda");
}

/* ---- finishing a call
 * ---------------------------------------------------------------- */

static void record_failure(eng_frame *f, const sl_error *err)
{
    bool timeout = err->name && (!strcmp(err->name, "States.Timeout") ||
                                 !strcmp(err->name, "States.HeartbeatTimeout"));
    json_object *d = legacy(f) ? json_object_new_object() : task_details(f);
    if (err->name)
        json_object_object_add(d, "error", json_object_new_string(err->name));
    if (err->cause && !timeout)
        json_object_object_add(d, "cause", json_object_new_string(err->cause));
    const char *type = legacy(f) ? (timeout ? "LambdaFunctionTimedOut"
                                            : "LambdaFunctionFailed")
                                 : (timeout ? "TaskTimedOut" : "TaskFailed");
    eng__event(f->ex, f, type, d, -1);
}

static json_object *envelope(eng_frame *f, json_object *payload,
                             size_t body_len)
{
    char n[32];
    snprintf(n, sizeof n, "%zu", body_len);
    static const char *const names[] = {"Connection",
                                        "Content-Length",
                                        "Content-Type",
                                        "Date",
                                        "X-Amz-Executed-Version",
                                        "x-amzn-Remapped-Content-Length",
                                        "x-amzn-RequestId",
                                        "X-Amzn-Trace-Id"};
    char date[32];
    sl_timestamp_format_ms(eng__now_ms(), date);
    const char *values[] = {
        "keep-alive",       n,
        "application/json", date,
        "$LATEST",          "0",
        f->request_id,      "Root=1-00000000-000000000000000000000000"};
    json_object *all = json_object_new_object(),
                *one = json_object_new_object();
    for (size_t i = 0; i < 8; i++) {
        json_object *arr = json_object_new_array();
        json_object_array_add(arr, json_object_new_string(values[i]));
        json_object_object_add(all, names[i], arr);
        json_object_object_add(one, names[i],
                               json_object_new_string(values[i]));
    }
    json_object *meta = json_object_new_object();
    json_object_object_add(meta, "AllHttpHeaders", all);
    json_object_object_add(meta, "HttpHeaders", one);
    json_object_object_add(meta, "HttpStatusCode", json_object_new_int(200));
    json_object *rmeta = json_object_new_object();
    json_object_object_add(rmeta, "RequestId",
                           json_object_new_string(f->request_id));
    json_object *env = json_object_new_object();
    json_object_object_add(env, "ExecutedVersion",
                           json_object_new_string("$LATEST"));
    json_object_object_add(env, "Payload", payload);
    json_object_object_add(env, "SdkHttpMetadata", meta);
    json_object_object_add(env, "SdkResponseMetadata", rmeta);
    json_object_object_add(env, "StatusCode", json_object_new_int(200));
    return env;
}

/* An error payload printed by the function: errorType names the error;
 * the cause is the payload (the legacy form keeps the text as printed,
 * lambda:invoke re-serialises it compactly, as AWS does). */
static void error_from_payload(eng_frame *f, const char *text,
                               json_object *parsed, sl_error *err)
{
    json_object *t = NULL;
    if (json_object_is_type(parsed, json_type_object) &&
        json_object_object_get_ex(parsed, "errorType", &t) &&
        json_object_is_type(t, json_type_string)) {
        sl_error_set(err, json_object_get_string(t),
                     legacy(f) ? text : bt_json_compact(parsed));
        return;
    }
    sl_error_set(err, "Lambda.Unknown",
                 legacy(f) || !parsed ? text : bt_json_compact(parsed));
}

static void exit_error(eng_frame *f, const run_proc_result *r, sl_error *err)
{
    char *cause = eng__call_exit_error(f->request_id, r);
    sl_error_set(err, "Runtime.ExitError", cause);
    free(cause);
}

/* Turns a finished process into a result (0) or an error (-1). */
static int interpret(eng_frame *f, const run_proc_result *r,
                     json_object **result, sl_error *err)
{
    if (r->spawn_failed) {
        sl_error_set(err, "Lambda.ServiceException", r->err_text);
        return -1;
    }
    if (r->timed_out && f->state_timeout_first) {
        /* A function cannot send heartbeats, so HeartbeatSeconds bounds
         * each call like a shorter timeout (reference §6.2 [IMPL] name). */
        sl_error_set(err,
                     f->heartbeat_first ? "States.HeartbeatTimeout"
                                        : "States.Timeout",
                     "");
        return -1;
    }
    if (r->timed_out) {
        char *c = eng__call_timeout_error(f->request_id, f->task_timeout_s);
        sl_error_set(err, "Sandbox.Timedout", c);
        free(c);
        return -1;
    }
    if (r->too_large) {
        sl_error_set(err, "Function.ResponseSizeTooLarge",
                     "Response payload size exceeded maximum allowed payload "
                     "size (6291556 bytes).");
        return -1;
    }
    size_t len = r->out_len;
    while (len > 0 && strchr(" \t\r\n", r->out[len - 1]))
        len--;
    char *text = bt_xstrndup(r->out, len);
    json_object *parsed = NULL;
    bt_json_error jerr;
    bool ok = len == 0 || bt_json_parse(text, len, BT_LIMIT_JSON_DEPTH, &parsed,
                                        &jerr) == 0;
    int rc = 0;
    if (r->exit_status != 0 || r->term_signal || r->function_error) {
        if (ok && parsed)
            error_from_payload(f, text, parsed, err);
        else
            exit_error(f, r, err);
        rc = -1;
    } else if (!ok) {
        sl_error_setf(err, "Lambda.Unknown",
                      "The function's output is not JSON: %s at line %d, "
                      "column %d",
                      jerr.message, jerr.line, jerr.column);
        rc = -1;
    } else if (json_object_is_type(parsed, json_type_object) &&
               json_object_object_get_ex(parsed, "errorType", NULL) &&
               json_object_object_get_ex(parsed, "errorMessage", NULL)) {
        error_from_payload(f, text, parsed, err);
        rc = -1;
    }
    free(text);
    if (rc != 0) {
        json_object_put(parsed);
        return -1;
    }
    *result = legacy(f) ? parsed : envelope(f, parsed, len);
    return 0;
}

/* Runs in the pump once the call has finished. */
static void task_finished(eng_frame *f)
{
    json_object *result = NULL;
    sl_error err;
    sl_error_init(&err);
    int rc = interpret(f, &f->task_res, &result, &err);
    run_proc_result_fini(&f->task_res);
    f->task_res_ready = false;
    if (rc != 0) {
        record_failure(f, &err);
        eng__callback_cancel(f);
        eng__work_failed(f, &err);
        sl_error_fini(&err);
        return;
    }
    if (f->cb_kind == CB_CALLBACK) {
        eng__callback_submitted(f, result);
        return;
    }
    eng__task_succeeded(f, result);
}

void eng__task_succeeded(eng_frame *f, json_object *result)
{
    bt_buf d;
    bt_buf_init(&d);
    details_open(f, legacy(f), &d);
    put_value_string(f, &d, !legacy(f), "output", result);
    bt_buf_lit(&d, ",\"outputDetails\":{\"truncated\":false}}");
    eng__event_text(f->ex, f,
                    legacy(f) ? "LambdaFunctionSucceeded" : "TaskSucceeded",
                    d.data, d.len, -1);
    bt_buf_fini(&d);
    eng__work_done(f, result);
}

/* A function's stderr line, as one logfmt line on baton's stderr. */
static void on_proc_log(void *ud, const char *line)
{
    eng_frame *f = ud;
    if (f->ex->e->opts.quiet)
        return;
    char ts[32];
    sl_timestamp_format_ms(eng__now_ms(), ts);
    bt_buf b;
    bt_buf_init(&b);
    for (const char *p = line; *p; p++) {
        if (*p == '"' || *p == '\\')
            bt_buf_putc(&b, '\\');
        bt_buf_putc(&b, *p);
    }
    fprintf(stderr,
            "ts=%s level=info exec=%s state=\"%s\" function=%s request=%s "
            "msg=\"%s\"\n",
            ts, f->ex->name, sl_state_name(f->state),
            f->fn_name ? f->fn_name : "", f->request_id ? f->request_id : "",
            b.data ? b.data : "");
    bt_buf_fini(&b);
}

static void on_call_done(void *ud, run_proc_result *r)
{
    eng_frame *f = ud;
    f->call = NULL;
    f->task_res = *r;
    /* The result now belongs to the frame. */
    r->out = NULL;
    r->err_text = NULL;
    f->task_res_ready = true;
    eng__ready(f);
}

/* What the call needs once TaskScheduled/TaskStarted are committed. */
typedef struct call_args {
    eng_frame *f;
    char *fn;
    char *payload;
    int64_t timeout_ms;
} call_args;

static void call_effect(void *p, bool run)
{
    call_args *a = p;
    eng_frame *f = a->f;
    if (run && f->ex->status == EX_RUNNING && f->phase == PH_TASK) {
        free(f->fn_name);
        f->fn_name = bt_xstrdup(a->fn);
        f->call = eng__call(f->ex->e, a->fn, a->payload, f->request_id,
                            a->timeout_ms, on_call_done, on_proc_log, f);
        a->payload = NULL;
    }
    free(a->fn);
    free(a->payload);
    free(a);
}

/* Records Scheduled and Started. */
static void schedule(eng_frame *f, json_object *eff, const char *fn,
                     int64_t timeout_s, int64_t heartbeat_s)
{
    eng *e = f->ex->e;
    bool old = legacy(f);
    bt_buf d;
    bt_buf_init(&d);
    details_open(f, old, &d);
    if (old) {
        char *arn = strncmp(sl_state_resource(f->state), "arn:", 4)
                        ? eng__function_arn(e, fn)
                        : bt_xstrdup(sl_state_resource(f->state));
        bt_buf_lit(&d, "\"resource\":");
        bt_buf_json_str(&d, arn, strlen(arn));
        free(arn);
        put_value_string(f, &d, true, "input", eff);
        bt_buf_lit(&d, ",\"inputDetails\":{\"truncated\":false}");
    } else {
        bt_buf_lit(&d, ",\"region\":");
        bt_buf_json_str(&d, e->region, strlen(e->region));
        put_value_string(f, &d, true, "parameters", eff);
    }
    if (timeout_s > 0) {
        bt_buf_lit(&d, ",\"timeoutInSeconds\":");
        bt_buf_int(&d, timeout_s);
    }
    if (heartbeat_s > 0 && !old) {
        bt_buf_lit(&d, ",\"heartbeatInSeconds\":");
        bt_buf_int(&d, heartbeat_s);
    }
    bt_buf_putc(&d, '}');
    eng__event_text(f->ex, f, old ? "LambdaFunctionScheduled" : "TaskScheduled",
                    d.data, d.len, -1);
    if (old) {
        eng__event_text(f->ex, f, "LambdaFunctionStarted", NULL, 0, -1);
    } else {
        /* TaskStarted: the opening members alone. */
        bt_buf_reset(&d);
        details_open(f, false, &d);
        bt_buf_putc(&d, '}');
        eng__event_text(f->ex, f, "TaskStarted", d.data, d.len, -1);
    }
    bt_buf_fini(&d);
}

/* What the function receives (new reference). */
static json_object *payload_of(eng_frame *f, json_object *eff)
{
    json_object *payload = NULL;
    if (legacy(f) || !json_object_object_get_ex(eff, "Payload", &payload))
        payload = legacy(f) ? eff : NULL;
    return payload ? json_object_get(payload) : json_object_new_object();
}

/* The request body: a string Payload is sent as its raw text (Lambda takes
 * bytes), anything else as JSON. */
static char *payload_bytes(eng_frame *f, json_object *payload)
{
    if (!legacy(f) && json_object_is_type(payload, json_type_string))
        return bt_xstrdup(json_object_get_string(payload));
    size_t n;
    const char *text = eng__value_text(f, payload, &n);
    return bt_xstrndup(text, n);
}

void eng__task_failed(eng_frame *f, const sl_error *err)
{
    record_failure(f, err);
    eng__callback_cancel(f);
    eng__work_failed(f, err);
}

void eng__task_schedule(eng_frame *f, int64_t timeout_s, int64_t heartbeat_s)
{
    schedule(f, f->effective, NULL, timeout_s, heartbeat_s);
}

/* Fails the call before it runs (unknown function, bad parameters). */
static void fail_now(eng_frame *f, const char *name, const char *cause)
{
    eng__task_fail(f, name, cause);
}

void eng__task_fail(eng_frame *f, const char *name, const char *cause)
{
    sl_error err;
    sl_error_init(&err);
    sl_error_set(&err, name, cause);
    eng__task_failed(f, &err);
    sl_error_fini(&err);
}

/* A nested execution (eng_nested.c). Creating the child happens in this
 * step's transaction, so no frame of this kind is ever left in PH_TASK. */
static void nested_begin(eng_frame *f, json_object *eff, int64_t timeout_s,
                         int64_t heartbeat_s)
{
    schedule(f, eff, NULL, timeout_s, heartbeat_s);
    f->cb_sched_ms = eng__now_ms();
    f->cb_timeout_s = timeout_s;
    f->cb_heartbeat_s = heartbeat_s;
    eng__nested_start(f);
}

/* Starts the call of the current Task state. resume: the call was recorded
 * before a restart (Scheduled/Started are in the history); only run it. */
static void task_begin(eng_frame *f, bool resume)
{
    eng *e = f->ex->e;
    const char *res = sl_state_resource(f->state);
    const char *kind = eng__task_kind(res);
    bool nested = kind && !strncmp(kind, "startExecution", 14);
    bool is_invoke = kind && !strcmp(kind, "invoke");
    bool is_callback = kind && strstr(kind, ".waitForTaskToken");
    bool is_activity =
        !strncmp(res, "arn:aws:states:", 15) && strstr(res, ":activity:");
    bool is_lambda = kind && !strcmp(kind, "lambda");
    bool is_http_invoke = kind && !strcmp(kind, "http");
    if (is_callback) {
        /* The token is part of the context object ($$.Task.Token). */
        f->cb_kind = CB_CALLBACK;
        eng__callback_token(f);
    }
    sl_lazy ctx;
    sl_ctx c;
    eng__sl_ctx_lazy(f, &c, &ctx);
    sl_error err;
    sl_error_init(&err);
    json_object *eff = NULL;
    int64_t timeout_s = 0, heartbeat_s = 0;
    int rc = sl_state_input(f->state, f->input, &c, &eff, &err);
    if (rc == 0)
        rc = sl_task_timeouts(f->state, f->input, &c, &timeout_s, &heartbeat_s,
                              &err);
    json_object_put(ctx.made);
    if (rc != 0) {
        json_object_put(eff);
        eng__callback_cancel(f);
        eng__work_failed(f, &err);
        sl_error_fini(&err);
        return;
    }
    json_object_put(f->effective);
    f->effective = eff;
    free(f->task_kind);
    f->task_kind = NULL;
    if (is_activity) {
        eng__activity_start(f, res, timeout_s, heartbeat_s);
        return;
    }
    if (nested) {
        f->task_kind = bt_xstrdup(kind);
        nested_begin(f, eff, timeout_s, heartbeat_s);
        return;
    }
    if (is_http_invoke) {
        f->task_kind = bt_xstrdup("http");
        eng__http_start(f, timeout_s, heartbeat_s, resume);
        return;
    }
    if (!is_invoke && !is_callback && !is_lambda) {
        f->task_kind = bt_xstrdup("invoke");
        char *cause = bt_xasprintf("The resource %s is not supported by "
                                   "Baton yet",
                                   res);
        fail_now(f, "States.TaskFailed", cause);
        free(cause);
        return;
    }
    f->task_kind = bt_xstrdup(kind);
    is_invoke = is_invoke || is_callback;
    json_object *fn_name = NULL;
    if (is_invoke &&
        (!json_object_object_get_ex(eff, "FunctionName", &fn_name) ||
         !json_object_is_type(fn_name, json_type_string))) {
        fail_now(f, "States.Runtime",
                 "The lambda:invoke parameters must include FunctionName");
        return;
    }
    char *fn = eng__function_name_of(is_invoke ? json_object_get_string(fn_name)
                                               : res);
    free(f->request_id);
    f->request_id = eng__uuid(e);
    eng_function *bound = eng__function_find(e, fn);
    int64_t fn_timeout = bound ? bound->timeout_s : 3;
    f->task_timeout_s = fn_timeout;
    /* The call is killed at the earliest of the function's own timeout,
     * the state's TimeoutSeconds and its HeartbeatSeconds. */
    int64_t state_limit = timeout_s;
    /* A callback's heartbeats come from whoever holds its token, once the
     * function has returned; only TimeoutSeconds bounds the call itself. */
    f->heartbeat_first = !is_callback && heartbeat_s > 0 &&
                         (!timeout_s || heartbeat_s < timeout_s);
    if (f->heartbeat_first)
        state_limit = heartbeat_s;
    f->state_timeout_first = state_limit > 0 && state_limit <= fn_timeout;
    if (!resume)
        schedule(f, eff, fn, timeout_s, heartbeat_s);
    json_object *payload = payload_of(f, eff);
    if (!bound) {
        char *arn = eng__function_arn(e, fn);
        char *cause = bt_xasprintf(
            "Function not found: %s:$LATEST (Service: AWSLambda; Status "
            "Code: 404; Error Code: ResourceNotFoundException; Request ID: "
            "%s; Proxy: null)",
            arn, f->request_id);
        fail_now(f, "Lambda.ResourceNotFoundException", cause);
        free(cause);
        free(arn);
        free(fn);
        json_object_put(payload);
        return;
    }
    f->phase = PH_TASK;
    if (is_callback && !resume) {
        f->cb_sched_ms = eng__now_ms();
        f->cb_timeout_s = timeout_s;
        f->cb_heartbeat_s = heartbeat_s;
    }
    if (!resume)
        eng__frame_save(f);
    call_args *a = bt_xmalloc(sizeof *a);
    a->f = f;
    a->fn = fn;
    a->payload = payload_bytes(f, payload);
    a->timeout_ms = (f->state_timeout_first ? state_limit : fn_timeout) * 1000;
    json_object_put(payload);
    eng__effect(e, f, call_effect, a);
}

void eng__task_start(eng_frame *f)
{
    task_begin(f, false);
}

void eng__task_resume(eng_frame *f)
{
    task_begin(f, true);
}

void eng__task_cancel(eng_frame *f)
{
    eng__callback_cancel(f);
    eng__http_cancel(f);
    if (f->call) {
        eng__call_cancel(f->call);
        f->call = NULL;
    }
    run_proc_result_fini(&f->task_res);
    f->task_res_ready = false;
}

void eng__task_advance(eng_frame *f)
{
    if (f->task_res_ready)
        task_finished(f);
    else if (f->http)
        eng__http_advance(f);
}
