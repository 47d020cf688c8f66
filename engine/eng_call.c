/*
 * Function calls, independent of who asked: a Task state (eng_task.c) or
 * the Lambda Invoke API (eng_invoke.c). A call is a process started with
 * the function's command; its stdin gets the payload, its stdout is the
 * result. A warm function's call goes to one of its workers instead
 * (eng_warm.c), with the same outcome shape.
 *
 * Concurrency: at most e->procs_max calls run at once (the account-wide
 * limit, bounded by the file descriptors the process may open), and at
 * most a function's `concurrency` of its own; the others wait in one
 * queue, first come first served among the functions that have room. A
 * call's timeout starts when its process starts (or a worker takes it). A
 * warm call counts against both limits while a worker holds it; idle
 * workers count against neither.
 *
 * A call that cannot start (its process fails to spawn, its function was
 * deleted) is reported on the next loop turn, never from inside eng__call:
 * its caller has not even stored the handle eng__call returns yet.
 */
#include "engine/eng_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct eng_call {
    eng *e;
    char *fn;
    char *payload;
    char *request_id;
    int64_t timeout_ms; /* 0: the function's own */
    eng_call_done_fn done;
    run_proc_log_fn log;
    void *ud;
    run_proc *proc;     /* while running a process */
    eng_worker *worker; /* while a warm worker holds it */
    eng_call *next;     /* while queued, or in e->calls_failed */
    bool failed;        /* in e->calls_failed, with failure */
    run_proc_result failure;
};

static void call_free(eng_call *c)
{
    run_proc_result_fini(&c->failure);
    free(c->fn);
    free(c->payload);
    free(c->request_id);
    free(c);
}

static void drain(eng *e);

static void release(eng *e, const char *fn_name)
{
    e->procs_active--;
    eng_function *fn = eng__function_find(e, fn_name);
    if (fn && fn->active > 0)
        fn->active--;
    drain(e);
}

static void on_done(run_proc_result *r, void *ud)
{
    eng_call *c = ud;
    eng *e = c->e;
    c->proc = NULL;
    c->worker = NULL;
    char *fn = c->fn;
    c->fn = NULL;
    eng_call_done_fn done = c->done;
    void *arg = c->ud;
    call_free(c);
    done(arg, r);
    release(e, fn);
    free(fn);
}

static void on_log(void *ud, const char *line)
{
    eng_call *c = ud;
    if (c->log)
        c->log(c->ud, line);
}

static void on_failed_timer(uv_timer_t *t)
{
    eng *e = t->data;
    eng_call *c = e->calls_failed;
    e->calls_failed = NULL;
    while (c) {
        eng_call *next = c->next;
        eng_call_done_fn done = c->done;
        void *arg = c->ud;
        run_proc_result r = c->failure;
        memset(&c->failure, 0, sizeof c->failure);
        call_free(c);
        done(arg, &r);
        run_proc_result_fini(&r);
        c = next;
    }
}

/* Reports c as a call that could not start (err_text taken) next turn. */
static void fail_later(eng *e, eng_call *c, char *err_text)
{
    c->failed = true;
    c->failure.spawn_failed = true;
    c->failure.err_text = err_text;
    c->next = e->calls_failed;
    e->calls_failed = c;
    uv_timer_start(&e->calls_failed_timer, on_failed_timer, 0, 0);
}

/* Starts c's process; a failure to start is reported like a finished call
 * (spawn_failed), on the next turn. */
static void start(eng *e, eng_call *c, eng_function *fn)
{
    char *err = NULL;
    int64_t timeout = c->timeout_ms > 0 ? c->timeout_ms : fn->timeout_s * 1000;
    e->procs_active++;
    fn->active++;
    int rc;
    if (fn->warm) {
        rc = eng__warm_call(e, fn, c->payload, c->request_id, timeout, on_done,
                            c, &c->worker, &err);
    } else {
        if (!e->reaper)
            e->reaper = run_reaper_new(&e->loop);
        char **argv = eng__function_argv(fn);
        char **env = eng__function_env(e, fn, c->request_id);
        rc = run_proc_start(e->reaper, argv, env, fn->cwd, c->payload,
                            strlen(c->payload), timeout, ENG_CALL_MAX_OUTPUT,
                            on_done, on_log, c, &c->proc, &err);
        eng__strv_free(argv);
        free(env);
    }
    if (rc != 0) {
        e->procs_active--;
        fn->active--;
        fail_later(e, c, err);
    }
}

static void drain(eng *e)
{
    eng_call **link = &e->call_head, *prev = NULL;
    while (!e->closing && *link && e->procs_active < e->procs_max) {
        eng_call *c = *link;
        eng_function *fn = eng__function_find(e, c->fn);
        if (fn && fn->concurrency > 0 &&
            (int64_t)fn->active >= fn->concurrency) {
            prev = c; /* this function is full: look further */
            link = &c->next;
            continue;
        }
        *link = c->next;
        if (e->call_tail == c)
            e->call_tail = prev;
        c->next = NULL;
        if (fn) {
            start(e, c, fn);
        } else {
            /* Deleted while queued. */
            fail_later(e, c, bt_xasprintf("function %s was deleted", c->fn));
        }
        /* start/done may have changed the queue: begin again. */
        link = &e->call_head;
        prev = NULL;
    }
}

eng_call *eng__call(eng *e, const char *fn, char *payload,
                    const char *request_id, int64_t timeout_ms,
                    eng_call_done_fn done, run_proc_log_fn log, void *ud)
{
    eng_call *c = bt_xcalloc(1, sizeof *c);
    c->e = e;
    c->fn = bt_xstrdup(fn);
    c->payload = payload;
    c->request_id = bt_xstrdup(request_id);
    c->timeout_ms = timeout_ms;
    c->done = done;
    c->log = log;
    c->ud = ud;
    if (e->call_tail)
        e->call_tail->next = c;
    else
        e->call_head = c;
    e->call_tail = c;
    drain(e);
    return c;
}

void eng__call_cancel(eng_call *c)
{
    eng *e = c->e;
    if (c->failed) {
        eng_call **link = &e->calls_failed;
        while (*link != c)
            link = &(*link)->next;
        *link = c->next;
        call_free(c);
        return;
    }
    if (c->proc || c->worker) {
        if (c->proc)
            run_proc_abandon(c->proc);
        else
            eng__warm_abandon(c->worker);
        c->proc = NULL;
        c->worker = NULL;
        char *fn = c->fn;
        c->fn = NULL;
        call_free(c);
        release(e, fn);
        free(fn);
        return;
    }
    eng_call **link = &e->call_head, *prev = NULL;
    for (; *link && *link != c; prev = *link, link = &(*link)->next)
        ;
    if (*link) {
        *link = c->next;
        if (e->call_tail == c)
            e->call_tail = prev;
    }
    call_free(c);
}

eng_call *eng__call_next(const eng_call *c)
{
    return c->next;
}

void eng__calls_free(eng *e)
{
    for (eng_call *c = e->call_head, *n; c; c = n) {
        n = c->next;
        call_free(c);
    }
    e->call_head = e->call_tail = NULL;
    for (eng_call *c = e->calls_failed, *n; c; c = n) {
        n = c->next;
        call_free(c);
    }
    e->calls_failed = NULL;
}

/* ---- Lambda's texts for failed calls ---------------------------------- */

char *eng__call_exit_error(const char *request_id, const run_proc_result *r)
{
    if (r->term_signal)
        return bt_xasprintf("{\"errorType\":\"Runtime.ExitError\","
                            "\"errorMessage\":\"RequestId: %s Error: Runtime "
                            "exited with signal: %d\"}",
                            request_id, r->term_signal);
    return bt_xasprintf("{\"errorType\":\"Runtime.ExitError\","
                        "\"errorMessage\":\"RequestId: %s Error: Runtime "
                        "exited with error: exit status %lld\"}",
                        request_id, (long long)r->exit_status);
}

char *eng__call_timeout_error(const char *request_id, int64_t timeout_s)
{
    return bt_xasprintf(
        "{\"errorType\":\"Sandbox.Timedout\",\"errorMessage\":\"RequestId: "
        "%s Error: Task timed out after %lld.00 seconds\"}",
        request_id, (long long)timeout_s);
}
