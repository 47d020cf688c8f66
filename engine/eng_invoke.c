/*
 * The Lambda Invoke API's side in the engine (reference §14.1): a call of
 * a registered function by name, outside any execution.
 *
 *   RequestResponse  the call runs (queued behind the concurrency limits
 *                    like any other); the answer is the function's output,
 *                    or Lambda's error document with FunctionError
 *                    "Unhandled".
 *   Event            answered at once (202); the call runs in the
 *                    background and is tried twice more when it fails, as
 *                    Lambda does for asynchronous invocations (after 1 s
 *                    and 2 s here, not Lambda's minutes). Event calls are
 *                    kept in memory only.
 *   DryRun           answered at once (204) when the function exists.
 */
#include "engine/eng_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EVENT_ATTEMPTS 3

struct eng_invoke {
    eng *e;
    char *fn;
    char *payload;
    char *request_id;
    eng_invoke_fn done; /* NULL for Event calls */
    void *arg;
    int attempt;
    eng_call *call;
    uv_timer_t *retry;
    eng_invoke *next, *prev; /* e->invokes */
};

static void unlink_invoke(eng_invoke *v)
{
    if (v->prev)
        v->prev->next = v->next;
    else
        v->e->invokes = v->next;
    if (v->next)
        v->next->prev = v->prev;
}

static void close_free(uv_handle_t *h)
{
    free(h);
}

static void invoke_free(eng_invoke *v)
{
    unlink_invoke(v);
    if (v->call)
        eng__call_cancel(v->call);
    if (v->retry) {
        uv_timer_stop(v->retry);
        uv_close((uv_handle_t *)v->retry, close_free);
    }
    free(v->fn);
    free(v->payload);
    free(v->request_id);
    free(v);
}

char *eng__function_arn(eng *e, const char *name)
{
    return bt_xasprintf("arn:aws:lambda:%s:%s:function:%s", e->region,
                        e->account, name);
}

/* What Lambda answers for a finished call: the output, or an error
 * document (*function_error set). Returns the body (new). */
static char *outcome(eng *e, const char *fn_name, const char *request_id,
                     const run_proc_result *r, bool *function_error)
{
    *function_error = true;
    if (r->spawn_failed)
        return bt_xasprintf("{\"errorType\":\"Runtime.InvalidEntrypoint\","
                            "\"errorMessage\":\"RequestId: %s Error: %s\"}",
                            request_id, r->err_text ? r->err_text : "");
    if (r->timed_out) {
        eng_function *fn = eng__function_find(e, fn_name);
        return eng__call_timeout_error(request_id, fn ? fn->timeout_s : 3);
    }
    if (r->too_large)
        return bt_xstrdup("{\"errorType\":\"Function.ResponseSizeTooLarge\","
                          "\"errorMessage\":\"Response payload size exceeded "
                          "maximum allowed payload size (6291556 bytes).\"}");
    size_t len = r->out_len;
    while (len > 0 && strchr(" \t\r\n", r->out[len - 1]))
        len--;
    json_object *parsed = NULL;
    bool json = len > 0 && bt_json_parse(r->out, len, BT_LIMIT_JSON_DEPTH,
                                         &parsed, NULL) == 0;
    bool error_doc = json && json_object_is_type(parsed, json_type_object) &&
                     json_object_object_get_ex(parsed, "errorType", NULL) &&
                     json_object_object_get_ex(parsed, "errorMessage", NULL);
    json_object_put(parsed);
    if (r->exit_status != 0 || r->term_signal) {
        if (json)
            return bt_xstrndup(r->out, len);
        return eng__call_exit_error(request_id, r);
    }
    *function_error = error_doc;
    /* A handler that returns nothing answers null. */
    return len ? bt_xstrndup(r->out, len) : bt_xstrdup("null");
}

static void log_line(eng *e, const eng_invoke *v, const char *msg)
{
    if (e->opts.quiet)
        return;
    char ts[32];
    sl_timestamp_format_ms(eng__now_ms(), ts);
    fprintf(stderr,
            "ts=%s level=info msg=\"%s\" function=%s request=%s attempt=%d\n",
            ts, msg, v->fn, v->request_id, v->attempt);
}

static void on_fn_log(void *ud, const char *line)
{
    eng_invoke *v = ud;
    if (v->e->opts.quiet)
        return;
    fprintf(stderr, "function=%s request=%s msg=\"%s\"\n", v->fn, v->request_id,
            line);
}

static void run(eng_invoke *v);

static void on_retry(uv_timer_t *t)
{
    eng_invoke *v = t->data;
    uv_close((uv_handle_t *)t, close_free);
    v->retry = NULL;
    run(v);
}

static void on_done(void *ud, run_proc_result *r)
{
    eng_invoke *v = ud;
    eng *e = v->e;
    v->call = NULL;
    bool failed;
    char *body = outcome(e, v->fn, v->request_id, r, &failed);
    if (v->done) {
        eng_invoke_result res = {200, failed ? "Unhandled" : NULL, body,
                                 strlen(body), v->request_id};
        v->done(v->arg, &res);
        free(body);
        invoke_free(v);
        return;
    }
    free(body);
    if (!failed || v->attempt >= EVENT_ATTEMPTS) {
        log_line(e, v,
                 failed ? "asynchronous invocation failed, not retried again"
                        : "asynchronous invocation succeeded");
        invoke_free(v);
        return;
    }
    log_line(e, v, "asynchronous invocation failed, will retry");
    v->retry = bt_xmalloc(sizeof *v->retry);
    uv_timer_init(&e->loop, v->retry);
    v->retry->data = v;
    uv_timer_start(v->retry, on_retry, (uint64_t)v->attempt * 1000, 0);
}

static void run(eng_invoke *v)
{
    v->attempt++;
    v->call = eng__call(v->e, v->fn, bt_xstrdup(v->payload), v->request_id, 0,
                        on_done, on_fn_log, v);
}

int eng_function_invoke(eng *e, const char *name, const char *payload,
                        eng_invoke_type type, eng_invoke_fn done, void *arg,
                        char **err)
{
    char *fn = eng__function_name_of(name);
    if (!eng__function_find(e, fn)) {
        char *arn = eng__function_arn(e, fn);
        *err = bt_xasprintf("Function not found: %s", arn);
        free(arn);
        free(fn);
        return BT_ENOENT;
    }
    size_t len = strlen(payload);
    bt_json_error jerr;
    json_object *parsed = NULL;
    if (len &&
        bt_json_parse(payload, len, BT_LIMIT_JSON_DEPTH, &parsed, &jerr) != 0) {
        *err = bt_xasprintf("Could not parse request body into json: %s at "
                            "line %d, column %d",
                            jerr.message, jerr.line, jerr.column);
        free(fn);
        return BT_EINVAL;
    }
    json_object_put(parsed);
    char *request_id = eng__uuid(e);
    if (type == ENG_INVOKE_DRY_RUN) {
        eng_invoke_result res = {204, NULL, "", 0, request_id};
        done(arg, &res);
        free(request_id);
        free(fn);
        return 0;
    }
    eng_invoke *v = bt_xcalloc(1, sizeof *v);
    v->e = e;
    v->fn = fn;
    v->payload = bt_xstrdup(payload);
    v->request_id = request_id;
    v->next = e->invokes;
    if (e->invokes)
        e->invokes->prev = v;
    e->invokes = v;
    if (type == ENG_INVOKE_EVENT) {
        eng_invoke_result res = {202, NULL, "", 0, request_id};
        done(arg, &res);
    } else {
        v->done = done;
        v->arg = arg;
    }
    run(v);
    return 0;
}

void eng__invokes_close(eng *e)
{
    while (e->invokes) {
        eng_invoke *v = e->invokes;
        if (v->done) {
            static const char body[] =
                "{\"Type\":\"Service\",\"message\":\"The server is shutting "
                "down\"}";
            eng_invoke_result res = {503, NULL, body, sizeof body - 1,
                                     v->request_id};
            v->done(v->arg, &res);
        }
        invoke_free(v);
    }
}
