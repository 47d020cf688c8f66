/*
 * Warm functions: long-lived workers that speak the AWS Lambda Runtime API
 * (reference §14.3), so a Lambda custom runtime — an executable `bootstrap`
 * in the function's code directory — runs unchanged and serves call after
 * call without starting again.
 *
 * Each worker gets its own loopback listening socket, announced to it as
 * AWS_LAMBDA_RUNTIME_API=127.0.0.1:<port>; connections accepted there are
 * handed to the HTTP layer (eng_runtime_attach), which calls the
 * eng_runtime_* entry points with the port a request arrived on. The port
 * is the worker's identity: no header or path can claim another's calls.
 *
 * Worker lifecycle:
 *   IDLE      no call. Either still starting (has not asked `next` yet) or
 *             waiting with its `next` parked. The idle timer runs; when it
 *             fires the worker is stopped (reaped).
 *   ASSIGNED  holds a call it has not fetched yet (a cold start's first
 *             call, or a call given while it had no parked `next`). The
 *             call's deadline timer runs from the assignment.
 *   RUNNING   the call was handed out by `next`; /response or /error ends
 *             it (back to IDLE). The deadline timer still runs.
 *   STOPPING  killed (deadline, /init/error, reaped, abandoned while
 *             running, shutdown) or exited by itself. A call it still holds
 *             is reported when the process has exited (Sandbox.Timedout,
 *             the /init/error document, or Runtime.ExitError); then the
 *             handles close and the worker is freed.
 * Invariant: a worker holds at most one call; a call is held by at most one
 * worker; a held call's done() runs exactly once unless abandoned.
 */
#define _GNU_SOURCE /* accept4, SOCK_CLOEXEC */
#include "engine/eng_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

extern char **environ;

#define WARM_IDLE_DEFAULT_S 300
#define RUNTIME_MAX_BODY ENG_CALL_MAX_OUTPUT

typedef enum w_state { W_IDLE, W_ASSIGNED, W_RUNNING, W_STOPPING } w_state;

struct eng_worker {
    eng *e;
    eng_function *fn;
    w_state state;
    bool inited; /* has asked `next` at least once */
    bool exited;
    int listen_fd;
    int port;
    int pid;
    uv_process_t proc;
    uv_poll_t poll;
    uv_timer_t timer; /* IDLE: reaping; ASSIGNED/RUNNING: the deadline */
    int open_handles;
    /* the call held (done == NULL: none, or abandoned) */
    run_proc_done_fn done;
    void *ud;
    char *payload;
    char *request_id;
    int64_t timeout_ms;
    int64_t deadline_ms; /* epoch */
    run_proc_result res; /* decided before the exit (res_set) */
    bool res_set;
    char *last_id; /* the last call answered: answering it again is 403 */
    /* a parked `next` */
    eng_runtime_reply_fn parked;
    void *parked_arg;
    eng_worker *next, *prev;
};

typedef struct eng_warm {
    void (*add_conn)(void *ctx, int fd);
    void *ctx;
    eng_worker *workers;
} eng_warm;

static eng_warm *warm_of(eng *e)
{
    if (!e->warm)
        e->warm = bt_xcalloc(1, sizeof *e->warm);
    return e->warm;
}

/* ---- logging ---------------------------------------------------------- */

static void wlog(const eng_worker *w, const char *msg, const char *extra)
{
    if (w->e->opts.quiet)
        return;
    char ts[32];
    sl_timestamp_format_ms(eng__now_ms(), ts);
    fprintf(stderr,
            "ts=%s level=info msg=\"%s\" function=%s worker=%d port=%d%s%s\n",
            ts, msg, w->fn->name, w->pid, w->port, extra ? " " : "",
            extra ? extra : "");
}

/* ---- replies ---------------------------------------------------------- */

static void reply_status(eng_runtime_reply_fn reply, void *arg, int status,
                         const char *type, const char *message)
{
    eng_runtime_reply r;
    memset(&r, 0, sizeof r);
    r.status = status;
    char *body = NULL;
    if (type) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "errorMessage",
                               json_object_new_string(message));
        json_object_object_add(o, "errorType", json_object_new_string(type));
        body = bt_xstrdup(bt_json_compact(o));
        json_object_put(o);
    } else {
        body = bt_xstrdup("{\"status\":\"OK\"}");
    }
    r.body = body;
    r.len = strlen(body);
    reply(arg, &r);
    free(body);
}

static void answer_parked(eng_worker *w, int status, const char *type,
                          const char *message)
{
    if (!w->parked)
        return;
    eng_runtime_reply_fn reply = w->parked;
    w->parked = NULL;
    reply_status(reply, w->parked_arg, status, type, message);
}

/* ---- handles and the end of a worker ---------------------------------- */

static void unlink_worker(eng_worker *w)
{
    eng_warm *wm = w->e->warm;
    if (w->prev)
        w->prev->next = w->next;
    else
        wm->workers = w->next;
    if (w->next)
        w->next->prev = w->prev;
}

static void clear_call(eng_worker *w)
{
    w->done = NULL;
    w->ud = NULL;
    free(w->payload);
    w->payload = NULL;
    free(w->last_id);
    w->last_id = w->request_id; /* NULL when there was no call */
    w->request_id = NULL;
}

static void on_closed(uv_handle_t *h)
{
    eng_worker *w = h->data;
    if (--w->open_handles > 0)
        return;
    unlink_worker(w);
    clear_call(w);
    free(w->last_id);
    run_proc_result_fini(&w->res);
    free(w);
}

static void close_handle(uv_handle_t *h)
{
    if (!uv_is_closing(h))
        uv_close(h, on_closed);
}

/* No more connections: the listening socket goes. */
static void stop_listening(eng_worker *w)
{
    if (w->listen_fd < 0)
        return;
    uv_poll_stop(&w->poll);
    close_handle((uv_handle_t *)&w->poll);
    close(w->listen_fd);
    w->listen_fd = -1;
}

/* Stops the worker; a call it holds is reported once the process has
 * exited (with w->res when res_set). */
static void worker_kill(eng_worker *w)
{
    if (w->state == W_STOPPING)
        return;
    w->state = W_STOPPING;
    uv_timer_stop(&w->timer);
    answer_parked(w, 500, "InternalServerError",
                  "The execution environment is stopping");
    stop_listening(w);
    if (!w->exited && w->pid > 0) {
        kill(-w->pid, SIGKILL);
        kill(w->pid, SIGKILL);
    }
}

/* Reports the held call with res (taken) and forgets it. */
static void finish_call(eng_worker *w, run_proc_result *res)
{
    run_proc_done_fn done = w->done;
    void *ud = w->ud;
    clear_call(w);
    if (!res->out) /* as from a process that printed nothing */
        res->out = bt_xstrdup("");
    if (done)
        done(res, ud);
    run_proc_result_fini(res);
}

static void on_exit_cb(uv_process_t *p, int64_t status, int signal)
{
    eng_worker *w = p->data;
    w->exited = true;
    /* A runtime's helpers (curl, a language runtime) die with it. */
    kill(-w->pid, SIGKILL);
    char extra[64];
    snprintf(extra, sizeof extra, "status=%lld signal=%d", (long long)status,
             signal);
    wlog(w, "worker exited", extra);
    bool held = w->done != NULL;
    worker_kill(w);
    if (held) {
        run_proc_result r;
        memset(&r, 0, sizeof r);
        if (w->res_set) {
            r = w->res;
            memset(&w->res, 0, sizeof w->res);
        } else if (status || signal) {
            r.exit_status = status;
            r.term_signal = signal;
        } else {
            /* Exiting cleanly mid-call is still a failure of the call. */
            r.function_error = true;
            r.out = bt_xasprintf(
                "{\"errorType\":\"Runtime.ExitError\",\"errorMessage\":"
                "\"RequestId: %s Error: Runtime exited without providing a "
                "reason\"}",
                w->request_id);
            r.out_len = strlen(r.out);
        }
        finish_call(w, &r);
    }
    close_handle((uv_handle_t *)&w->proc);
    close_handle((uv_handle_t *)&w->timer);
}

/* ---- timers ----------------------------------------------------------- */

static void on_timer(uv_timer_t *t)
{
    eng_worker *w = t->data;
    if (w->state == W_IDLE) {
        wlog(w, "worker reaped (idle)", NULL);
        worker_kill(w);
        return;
    }
    /* The deadline passed: the environment is reset, as Lambda does. */
    run_proc_result_fini(&w->res);
    memset(&w->res, 0, sizeof w->res);
    w->res.timed_out = true;
    w->res_set = true;
    char extra[80];
    snprintf(extra, sizeof extra, "request=%s", w->request_id);
    wlog(w, "call timed out; stopping the worker", extra);
    worker_kill(w);
}

static void become_idle(eng_worker *w)
{
    w->state = W_IDLE;
    int64_t s =
        w->fn->idle_timeout_s > 0 ? w->fn->idle_timeout_s : WARM_IDLE_DEFAULT_S;
    uv_timer_start(&w->timer, on_timer, (uint64_t)s * 1000, 0);
}

/* ---- accepting connections -------------------------------------------- */

static void on_readable(uv_poll_t *h, int status, int events)
{
    (void)events;
    eng_worker *w = h->data;
    if (status < 0)
        return;
    eng_warm *wm = w->e->warm;
    for (;;) {
        int fd = accept4(w->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
            return; /* EAGAIN, or a connection that went away */
        if (wm->add_conn)
            wm->add_conn(wm->ctx, fd);
        else
            close(fd);
    }
}

/* A loopback listening socket on a free port. */
static int listen_loopback(int *port, char **err)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        listen(fd, 64) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
        *err = bt_xasprintf("cannot listen for a worker: %s", strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    *port = ntohs(sa.sin_port);
    return fd;
}

/* ---- starting a worker ------------------------------------------------ */

/* Appends "K=V" unless K is already set (earlier entries win). */
static void env_put(char ***v, size_t *n, char *kv)
{
    size_t k = (size_t)(strchr(kv, '=') - kv);
    for (size_t i = 0; i < *n; i++)
        if (!strncmp((*v)[i], kv, k + 1)) {
            free(kv);
            return;
        }
    *v = bt_xrealloc(*v, (*n + 2) * sizeof **v);
    (*v)[(*n)++] = kv;
    (*v)[*n] = NULL;
}

/* 32 hex digits from a new UUID (new). */
static char *hex32(eng *e)
{
    char *u = eng__uuid(e), *h = bt_xcalloc(33, 1);
    size_t k = 0;
    for (const char *p = u; *p && k < 32; p++)
        if (*p != '-')
            h[k++] = *p;
    free(u);
    return h;
}

/* Lambda's environment for a worker (reference §14.3), then the function's
 * own variables, then baton's; a name set earlier is not overridden, so
 * the reserved variables cannot be. New, NULL-ended. */
static char **worker_env(eng *e, const eng_function *fn, int port)
{
    char **v = NULL;
    size_t n = 0;
    char day[32];
    sl_timestamp_format_ms(eng__now_ms(), day);
    char *stream = hex32(e);
    env_put(&v, &n, bt_xasprintf("AWS_LAMBDA_RUNTIME_API=127.0.0.1:%d", port));
    env_put(&v, &n, bt_xasprintf("_HANDLER=%s", fn->handler));
    env_put(&v, &n, bt_xasprintf("LAMBDA_TASK_ROOT=%s", fn->code_dir));
    env_put(&v, &n, bt_xasprintf("LAMBDA_RUNTIME_DIR=%s", fn->code_dir));
    env_put(&v, &n, bt_xasprintf("AWS_LAMBDA_FUNCTION_NAME=%s", fn->name));
    env_put(&v, &n, bt_xstrdup("AWS_LAMBDA_FUNCTION_VERSION=$LATEST"));
    env_put(&v, &n,
            bt_xasprintf("AWS_LAMBDA_FUNCTION_MEMORY_SIZE=%lld",
                         (long long)(fn->memory_mb ? fn->memory_mb : 128)));
    env_put(&v, &n,
            bt_xasprintf("AWS_LAMBDA_FUNCTION_TIMEOUT=%lld",
                         (long long)fn->timeout_s));
    env_put(&v, &n,
            bt_xasprintf("AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/%s", fn->name));
    env_put(
        &v, &n,
        bt_xasprintf("AWS_LAMBDA_LOG_STREAM_NAME=%.4s/%.2s/%.2s/[$LATEST]%s",
                     day, day + 5, day + 8, stream));
    env_put(&v, &n, bt_xasprintf("AWS_REGION=%s", e->region));
    env_put(&v, &n, bt_xasprintf("AWS_DEFAULT_REGION=%s", e->region));
    /* Dummy credentials: SDKs inside the function must not find real
     * ones by accident. */
    env_put(&v, &n, bt_xstrdup("AWS_ACCESS_KEY_ID=BATONLOCALACCESSKEY"));
    env_put(&v, &n, bt_xstrdup("AWS_SECRET_ACCESS_KEY=baton-local-secret"));
    env_put(&v, &n, bt_xstrdup("AWS_SESSION_TOKEN=baton-local-session"));
    env_put(&v, &n, bt_xstrdup("TZ=UTC"));
    env_put(&v, &n, bt_xstrdup("LANG=en_US.UTF-8"));
    free(stream);
    for (char **p = fn->env; p && *p; p++)
        env_put(&v, &n, bt_xstrdup(*p));
    for (char **p = environ; *p; p++)
        if (strchr(*p, '='))
            env_put(&v, &n, bt_xstrdup(*p));
    return v;
}

static char **worker_argv(const eng_function *fn)
{
    char **argv = bt_xcalloc(6, sizeof *argv);
    size_t k = 0;
    if (fn->memory_mb > 0) {
        argv[k++] = bt_xstrdup("/proc/self/exe");
        argv[k++] = bt_xstrdup("__exec-limited");
        argv[k++] = bt_xasprintf("%lld", (long long)fn->memory_mb);
        argv[k++] = bt_xstrdup("--");
    }
    argv[k] = bt_xasprintf("%s/bootstrap", fn->code_dir);
    return argv;
}

static int worker_spawn(eng *e, eng_function *fn, eng_worker **out, char **err)
{
    int port = 0;
    int fd = listen_loopback(&port, err);
    if (fd < 0)
        return BT_EIO;
    eng_worker *w = bt_xcalloc(1, sizeof *w);
    w->e = e;
    w->fn = fn;
    w->listen_fd = fd;
    w->port = port;
    w->proc.data = w->poll.data = w->timer.data = w;
    char **argv = worker_argv(fn);
    char **env = worker_env(e, fn, port);
    /* The runtime's stdout and stderr are its log: both go to ours, so the
     * output of `baton run` stays clean. */
    uv_stdio_container_t stdio[3];
    stdio[0].flags = UV_IGNORE;
    stdio[1].flags = UV_INHERIT_FD;
    stdio[1].data.fd = 2;
    stdio[2].flags = UV_INHERIT_FD;
    stdio[2].data.fd = 2;
    uv_process_options_t o;
    memset(&o, 0, sizeof o);
    o.file = argv[0];
    o.args = argv;
    o.env = env;
    o.cwd = fn->code_dir;
    o.exit_cb = on_exit_cb;
    o.stdio_count = 3;
    o.stdio = stdio;
    o.flags = UV_PROCESS_DETACHED; /* its own group, killed as one */
    int rc = uv_spawn(&e->loop, &w->proc, &o);
    if (rc != 0)
        *err = bt_xasprintf("cannot start %s: %s", argv[0], uv_strerror(rc));
    eng__strv_free(argv);
    eng__strv_free(env);
    eng_warm *wm = warm_of(e);
    w->next = wm->workers;
    if (wm->workers)
        wm->workers->prev = w;
    wm->workers = w;
    uv_timer_init(&e->loop, &w->timer);
    uv_poll_init(&e->loop, &w->poll, fd);
    w->open_handles = 3;
    if (rc != 0) {
        /* libuv wants the process handle closed even after a failure. */
        w->exited = true;
        w->state = W_STOPPING;
        stop_listening(w);
        close_handle((uv_handle_t *)&w->proc);
        close_handle((uv_handle_t *)&w->timer);
        return BT_EIO;
    }
    w->pid = w->proc.pid;
    uv_poll_start(&w->poll, UV_READABLE, on_readable);
    *out = w;
    return 0;
}

/* ---- handing out calls ------------------------------------------------ */

/* X-Ray's header shape: Root=1-<epoch hex>-<24 hex>;Parent=<16 hex>. */
static char *trace_id(eng *e)
{
    char *a = hex32(e), *b = hex32(e);
    char *t = bt_xasprintf("Root=1-%08llx-%.24s;Parent=%.16s;Sampled=0",
                           (unsigned long long)(eng__now_ms() / 1000), a, b);
    free(a);
    free(b);
    return t;
}

/* w holds a call and has a parked `next`: the call goes out. */
static void hand_out(eng_worker *w)
{
    eng *e = w->e;
    eng_runtime_reply_fn reply = w->parked;
    void *arg = w->parked_arg;
    w->parked = NULL;
    w->state = W_RUNNING;
    char *arn = eng__function_arn(e, w->fn->name);
    char *trace = trace_id(e);
    eng_runtime_reply r;
    memset(&r, 0, sizeof r);
    r.status = 200;
    r.body = w->payload;
    r.len = strlen(w->payload);
    r.request_id = w->request_id;
    r.deadline_ms = w->deadline_ms;
    r.function_arn = arn;
    r.trace_id = trace;
    reply(arg, &r);
    free(arn);
    free(trace);
}

/* An idle worker of fn, preferring one already waiting in `next`. */
static eng_worker *find_idle(eng *e, const eng_function *fn)
{
    eng_worker *best = NULL;
    for (eng_worker *w = e->warm ? e->warm->workers : NULL; w; w = w->next)
        if (w->fn == fn && w->state == W_IDLE && (!best || w->parked))
            best = w;
    return best;
}

int eng__warm_call(eng *e, eng_function *fn, const char *payload,
                   const char *request_id, int64_t timeout_ms,
                   run_proc_done_fn done, void *ud, eng_worker **out,
                   char **err)
{
    eng_worker *w = find_idle(e, fn);
    bool cold = !w;
    if (cold && worker_spawn(e, fn, &w, err) != 0)
        return BT_EIO;
    w->state = W_ASSIGNED;
    w->done = done;
    w->ud = ud;
    w->payload = bt_xstrdup(payload);
    w->request_id = bt_xstrdup(request_id);
    w->timeout_ms = timeout_ms;
    w->deadline_ms = eng__now_ms() + timeout_ms;
    w->res_set = false;
    uv_update_time(&e->loop);
    uv_timer_start(&w->timer, on_timer, (uint64_t)timeout_ms, 0);
    if (cold)
        fn->cold_starts++;
    else
        fn->warm_starts++;
    char extra[160];
    snprintf(extra, sizeof extra,
             "request=%s cold_starts=%lld "
             "warm_starts=%lld",
             request_id, (long long)fn->cold_starts,
             (long long)fn->warm_starts);
    wlog(w, cold ? "cold start" : "warm start", extra);
    *out = w;
    if (w->parked)
        hand_out(w);
    return 0;
}

void eng__warm_abandon(eng_worker *w)
{
    bool running = w->state == W_RUNNING;
    clear_call(w);
    if (w->state == W_STOPPING)
        return;
    if (running)
        worker_kill(w); /* nothing else stops a call in progress */
    else
        become_idle(w);
}

/* ---- the Runtime API -------------------------------------------------- */

void eng_runtime_attach(eng *e, void (*add_conn)(void *ctx, int fd), void *ctx)
{
    eng_warm *wm = warm_of(e);
    wm->add_conn = add_conn;
    wm->ctx = ctx;
}

bool eng_runtime_needed(eng *e)
{
    for (eng_function *f = e->functions; f; f = f->next)
        if (f->warm)
            return true;
    return false;
}

static eng_worker *find_port(eng *e, int port)
{
    for (eng_worker *w = e->warm ? e->warm->workers : NULL; w; w = w->next)
        if (w->port == port && w->state != W_STOPPING)
            return w;
    return NULL;
}

static const char gone[] = "No execution environment is served on this port";

void eng_runtime_next(eng *e, int port, eng_runtime_reply_fn reply, void *arg)
{
    eng_worker *w = find_port(e, port);
    if (!w) {
        reply_status(reply, arg, 500, "InternalServerError", gone);
        return;
    }
    if (w->state == W_RUNNING) {
        reply_status(reply, arg, 403, "InvalidStateTransition",
                     "State transition from Running to Ready is not allowed: "
                     "the current invocation has no response yet");
        return;
    }
    /* A runtime asks once at a time; an older poll is stale. */
    answer_parked(w, 403, "InvalidStateTransition",
                  "Another request for the next invocation replaced this one");
    w->inited = true;
    w->parked = reply;
    w->parked_arg = arg;
    if (w->state == W_ASSIGNED)
        hand_out(w);
}

/* Checks that id is the call w is running; answers otherwise. */
static bool current(eng_worker *w, const char *id, eng_runtime_reply_fn reply,
                    void *arg)
{
    if (!w) {
        reply_status(reply, arg, 500, "InternalServerError", gone);
        return false;
    }
    if (w->state == W_RUNNING && !strcmp(id, w->request_id))
        return true;
    if (w->last_id && !strcmp(id, w->last_id))
        reply_status(reply, arg, 403, "InvalidStateTransition",
                     "The invocation has already been answered");
    else
        reply_status(reply, arg, 400, "InvalidRequestID", "Invalid request ID");
    return false;
}

/* The call w runs ended with res (taken): the worker waits for the next. */
static void complete(eng_worker *w, run_proc_result *res)
{
    uv_timer_stop(&w->timer);
    become_idle(w);
    finish_call(w, res);
}

void eng_runtime_response(eng *e, int port, const char *id, const char *body,
                          size_t len, bool too_large,
                          eng_runtime_reply_fn reply, void *arg)
{
    eng_worker *w = find_port(e, port);
    if (!current(w, id, reply, arg))
        return;
    run_proc_result r;
    memset(&r, 0, sizeof r);
    /* The body is the request's: copy it before the reply frees it. */
    if (too_large || len > RUNTIME_MAX_BODY) {
        char msg[96];
        snprintf(msg, sizeof msg,
                 "Exceeded maximum allowed payload size (%u bytes).",
                 RUNTIME_MAX_BODY);
        r.too_large = true;
        reply_status(reply, arg, 413, "RequestEntityTooLarge", msg);
    } else {
        r.out = bt_xstrndup(body, len);
        r.out_len = len;
        reply_status(reply, arg, 202, NULL, NULL);
    }
    complete(w, &r);
}

/* The error document a runtime's /error or /init/error stands for (new):
 * its JSON body (with errorType from the header when it has none), or one
 * made from the header and the text. */
static char *error_doc(const char *error_type, const char *body, size_t len)
{
    const char *type = error_type && *error_type ? error_type : "Unhandled";
    json_object *o = NULL;
    if (len == 0 || bt_json_parse(body, len, BT_LIMIT_JSON_DEPTH, &o, NULL) ||
        !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        o = json_object_new_object();
        json_object_object_add(
            o, "errorMessage",
            len ? json_object_new_string_len(body, (int)len)
                : json_object_new_string("Unknown application error "
                                         "occurred"));
        json_object_object_add(o, "errorType", json_object_new_string(type));
    } else if (!json_object_object_get_ex(o, "errorType", NULL)) {
        json_object_object_add(o, "errorType", json_object_new_string(type));
    } else {
        json_object_put(o);
        return bt_xstrndup(body, len); /* as posted */
    }
    char *doc = bt_xstrdup(bt_json_compact(o));
    json_object_put(o);
    return doc;
}

void eng_runtime_error(eng *e, int port, const char *id, const char *error_type,
                       const char *body, size_t len, eng_runtime_reply_fn reply,
                       void *arg)
{
    eng_worker *w = find_port(e, port);
    if (!current(w, id, reply, arg))
        return;
    run_proc_result r;
    memset(&r, 0, sizeof r);
    r.function_error = true;
    r.out = error_doc(error_type, body, len);
    r.out_len = strlen(r.out);
    reply_status(reply, arg, 202, NULL, NULL);
    complete(w, &r);
}

void eng_runtime_init_error(eng *e, int port, const char *error_type,
                            const char *body, size_t len,
                            eng_runtime_reply_fn reply, void *arg)
{
    eng_worker *w = find_port(e, port);
    if (!w) {
        reply_status(reply, arg, 500, "InternalServerError", gone);
        return;
    }
    if (w->inited) {
        reply_status(reply, arg, 403, "InvalidStateTransition",
                     "State transition from Ready to InitError is not "
                     "allowed");
        return;
    }
    run_proc_result_fini(&w->res);
    memset(&w->res, 0, sizeof w->res);
    w->res.function_error = true;
    w->res.out = error_doc(error_type, body, len);
    w->res.out_len = strlen(w->res.out);
    w->res_set = true;
    reply_status(reply, arg, 202, NULL, NULL);
    wlog(w, "init error; discarding the worker", NULL);
    worker_kill(w);
}

/* ---- shutdown --------------------------------------------------------- */

void eng__warm_close(eng *e)
{
    /* Workers running a call stay until the call is cancelled (eng_close
     * frees the executions); the others stop now. */
    for (eng_worker *w = e->warm ? e->warm->workers : NULL; w; w = w->next) {
        answer_parked(w, 500, "InternalServerError", "Baton is stopping");
        if (!w->done)
            worker_kill(w);
    }
}

void eng__warm_free(eng *e)
{
    if (!e->warm)
        return;
    for (eng_function *f = e->functions; f; f = f->next)
        if (f->warm && (f->cold_starts || f->warm_starts) && !e->opts.quiet) {
            char ts[32];
            sl_timestamp_format_ms(eng__now_ms(), ts);
            fprintf(stderr,
                    "ts=%s level=info msg=\"warm function starts\" "
                    "function=%s cold_starts=%lld warm_starts=%lld\n",
                    ts, f->name, (long long)f->cold_starts,
                    (long long)f->warm_starts);
        }
    for (eng_worker *w = e->warm->workers; w; w = w->next) {
        w->done = NULL;
        worker_kill(w);
        close_handle((uv_handle_t *)&w->proc);
        close_handle((uv_handle_t *)&w->timer);
    }
    for (int i = 0; i < 100 && e->warm->workers; i++)
        uv_run(&e->loop, UV_RUN_NOWAIT);
    free(e->warm);
    e->warm = NULL;
}
