/*
 * The Lambda Runtime API (reference §14.3) that warm function workers
 * fetch their calls from. A second libmicrohttpd daemon with no listening
 * socket of its own: the engine listens on one loopback port per worker
 * and hands each accepted connection over (srv__runtime_add_conn). A
 * request's local port tells the engine which worker sent it.
 *
 * Threading: none of its own. Unlike srv_http.c, the daemon runs in
 * libmicrohttpd's external-poll mode on the loop thread: the engine
 * watches its epoll descriptor (eng_watch) and the watch runs MHD_run, so
 * a request reaches the engine, and its answer the socket, without
 * crossing threads. An answer the engine gives at once is queued inside
 * the access handler; a `next` answered later (the worker has no call
 * yet) suspends the connection, and the answer resumes it — no thread
 * waits, and MHD_run sends it on the next loop turn.
 *
 * Request lifecycle (rt_req.phase): READING -> WAITING (the engine holds
 * the reply; the connection is suspended unless the answer came before
 * the handler returned) -> READY (the answer is written; sent, then freed
 * in on_completed).
 */
#include "server/server.h"

#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Lambda's limit on a response (6 MB); the body above it is dropped and
 * the engine answers 413. */
#define RUNTIME_BODY_MAX (6u * 1024u * 1024u)
#define RUNTIME_PREFIX "/2018-06-01/runtime/"

enum { RT_READING, RT_WAITING, RT_READY };

typedef enum rt_kind {
    RT_NEXT,
    RT_RESPONSE,
    RT_ERROR,
    RT_INIT_ERROR,
} rt_kind;

struct srv_runtime {
    eng *e;
    struct MHD_Daemon *d;
    int epoll_fd;     /* the daemon's, watched on the loop */
    eng_watch *watch; /* runs the daemon (run_daemon) */
    bool closing;     /* srv_runtime_close_door: the engine is not asked */
    long outstanding; /* requests given to the engine, answer not yet sent */
};

typedef struct rt_req {
    srv_runtime *rt;
    struct MHD_Connection *conn;
    rt_kind kind;
    bool routed; /* kind is valid; otherwise answered with 404 */
    int port;
    char *id;         /* invocation id in the path */
    char *error_type; /* Lambda-Runtime-Function-Error-Type */
    bt_buf body;
    bool too_large;
    bool counted;   /* in rt->outstanding */
    bool suspended; /* waiting for a later answer */
    int phase;
    /* the answer, written before phase becomes READY */
    int status;
    char *resp;
    size_t resp_len;
    char *request_id, *function_arn, *trace_id;
    int64_t deadline_ms;
} rt_req;

static void req_free(rt_req *r)
{
    free(r->id);
    free(r->error_type);
    bt_buf_fini(&r->body);
    free(r->resp);
    free(r->request_id);
    free(r->function_arn);
    free(r->trace_id);
    free(r);
}

/* The local port the connection came in on: the worker's identity. */
static int local_port(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    if (!ci || getsockname(ci->connect_fd, (struct sockaddr *)&sa, &len) != 0 ||
        sa.sin_family != AF_INET)
        return -1;
    return ntohs(sa.sin_port);
}

/* Sets r->kind (and r->id) from the method and path; false: no route. */
static bool route(rt_req *r, const char *method, const char *url)
{
    static const char prefix[] = RUNTIME_PREFIX;
    static const char inv[] = "invocation/";
    if (strncmp(url, prefix, sizeof prefix - 1))
        return false;
    const char *p = url + sizeof prefix - 1;
    bool post = !strcmp(method, "POST");
    if (!strcmp(method, "GET") && !strcmp(p, "invocation/next")) {
        r->kind = RT_NEXT;
        return true;
    }
    if (post && !strcmp(p, "init/error")) {
        r->kind = RT_INIT_ERROR;
        return true;
    }
    if (!post || strncmp(p, inv, sizeof inv - 1))
        return false;
    p += sizeof inv - 1;
    const char *slash = strchr(p, '/');
    if (!slash || slash == p)
        return false;
    if (!strcmp(slash, "/response"))
        r->kind = RT_RESPONSE;
    else if (!strcmp(slash, "/error"))
        r->kind = RT_ERROR;
    else
        return false;
    r->id = bt_xstrndup(p, (size_t)(slash - p));
    return true;
}

static rt_req *req_new(srv_runtime *rt, struct MHD_Connection *conn,
                       const char *method, const char *url)
{
    rt_req *r = bt_xcalloc(1, sizeof *r);
    r->rt = rt;
    r->conn = conn;
    r->routed = route(r, method, url);
    r->port = local_port(conn);
    const char *t = MHD_lookup_connection_value(
        conn, MHD_HEADER_KIND, "Lambda-Runtime-Function-Error-Type");
    r->error_type = t ? bt_xstrdup(t) : NULL;
    bt_buf_init(&r->body);
    r->phase = RT_READING;
    return r;
}

static void run_daemon(void *ctx);

/* The engine's answer: written into r and sent from the handler that is
 * running (the answer came at once) or after a resume. */
static void on_reply(void *arg, const eng_runtime_reply *rep)
{
    rt_req *r = arg;
    r->status = rep->status;
    r->resp = bt_xstrndup(rep->body ? rep->body : "", rep->len);
    r->resp_len = rep->len;
    if (rep->request_id) {
        r->request_id = bt_xstrdup(rep->request_id);
        r->function_arn = bt_xstrdup(rep->function_arn);
        r->trace_id = bt_xstrdup(rep->trace_id);
        r->deadline_ms = rep->deadline_ms;
    }
    r->phase = RT_READY;
    if (r->suspended) {
        r->suspended = false;
        MHD_resume_connection(r->conn);
        /* Possibly from inside MHD_run (another worker's request moved
         * this call on): the daemon runs again on the next loop turn. */
        eng_watch_due(r->rt->watch, 0);
    }
}

static void handle(rt_req *r)
{
    eng *e = r->rt->e;
    const char *body = r->body.data ? r->body.data : "";
    switch (r->kind) {
    case RT_NEXT:
        eng_runtime_next(e, r->port, on_reply, r);
        break;
    case RT_RESPONSE:
        eng_runtime_response(e, r->port, r->id, body, r->body.len, r->too_large,
                             on_reply, r);
        break;
    case RT_ERROR:
        eng_runtime_error(e, r->port, r->id, r->error_type, body, r->body.len,
                          on_reply, r);
        break;
    case RT_INIT_ERROR:
        eng_runtime_init_error(e, r->port, r->error_type, body, r->body.len,
                               on_reply, r);
        break;
    }
}

static void answer_here(rt_req *r, int status, const char *type,
                        const char *message)
{
    r->status = status;
    r->resp = bt_xasprintf("{\"errorMessage\":\"%s\",\"errorType\":\"%s\"}",
                           message, type);
    r->resp_len = strlen(r->resp);
    r->phase = RT_READY;
}

/* The whole request is in: the engine gets it. */
static void give(srv_runtime *rt, rt_req *r)
{
    r->phase = RT_WAITING;
    r->counted = true;
    rt->outstanding++;
    handle(r);
    if (r->phase == RT_WAITING) {
        r->suspended = true;
        MHD_suspend_connection(r->conn);
    }
}

static enum MHD_Result send_reply(rt_req *r)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        r->resp_len, r->resp, MHD_RESPMEM_MUST_FREE);
    r->resp = NULL;
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            "application/json");
    if (r->request_id) {
        char deadline[32];
        snprintf(deadline, sizeof deadline, "%lld", (long long)r->deadline_ms);
        MHD_add_response_header(resp, "Lambda-Runtime-Aws-Request-Id",
                                r->request_id);
        MHD_add_response_header(resp, "Lambda-Runtime-Deadline-Ms", deadline);
        MHD_add_response_header(resp, "Lambda-Runtime-Invoked-Function-Arn",
                                r->function_arn);
        MHD_add_response_header(resp, "Lambda-Runtime-Trace-Id", r->trace_id);
    }
    enum MHD_Result ret =
        MHD_queue_response(r->conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version, const char *data,
                                  size_t *data_size, void **con_cls)
{
    (void)version;
    srv_runtime *rt = cls;
    rt_req *r = *con_cls;
    if (!r) {
        *con_cls = req_new(rt, conn, method, url);
        return MHD_YES;
    }
    if (*data_size) {
        srv_collect_body(&r->body, &r->too_large, data, data_size,
                         RUNTIME_BODY_MAX);
        return MHD_YES;
    }
    if (r->phase == RT_READING) {
        if (!r->routed)
            answer_here(r, 404, "NotFound", "No such Runtime API route");
        else if (r->port < 0)
            answer_here(r, 500, "InternalServerError",
                        "Cannot tell the connection's local port");
        else if (rt->closing)
            answer_here(r, 500, "InternalServerError", "Baton is stopping");
        else
            give(rt, r);
    }
    return r->phase == RT_READY ? send_reply(r) : MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    (void)toe;
    srv_runtime *rt = cls;
    rt_req *r = *con_cls;
    if (!r)
        return;
    *con_cls = NULL;
    if (r->counted)
        rt->outstanding--;
    req_free(r);
}

/* The watch's callback: whatever is ready is processed, and the daemon's
 * next deadline (0 while connections still have work buffered) becomes
 * the watch's. */
static void run_daemon(void *ctx)
{
    srv_runtime *rt = ctx;
    MHD_run(rt->d);
    MHD_UNSIGNED_LONG_LONG ms;
    if (MHD_get_timeout(rt->d, &ms) == MHD_YES)
        eng_watch_due(rt->watch, ms > INT64_MAX ? INT64_MAX : (int64_t)ms);
    else
        eng_watch_due(rt->watch, -1);
}

/* The engine's hook: a worker's accepted connection joins the daemon. */
static void add_conn(void *ctx, int fd)
{
    srv_runtime *rt = ctx;
    struct sockaddr_in peer;
    socklen_t len = sizeof peer;
    if (getpeername(fd, (struct sockaddr *)&peer, &len) != 0) {
        close(fd);
        return;
    }
    /* On failure libmicrohttpd closes fd itself. */
    MHD_add_connection(rt->d, fd, (struct sockaddr *)&peer, len);
    eng_watch_due(rt->watch, 0);
}

int srv_runtime_start(eng *e, srv_runtime **out, char **err)
{
    srv_runtime *rt = bt_xcalloc(1, sizeof *rt);
    rt->e = e;
    /* No connection timeout: a `next` waits as long as there is no call.
     * No thread: run_daemon drives it from the loop. */
    rt->d = MHD_start_daemon(MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
                                 MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ITC,
                             0, NULL, NULL, on_request, rt,
                             MHD_OPTION_NOTIFY_COMPLETED, on_completed, rt,
                             MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)0,
                             MHD_OPTION_END);
    const union MHD_DaemonInfo *info =
        rt->d ? MHD_get_daemon_info(rt->d, MHD_DAEMON_INFO_EPOLL_FD) : NULL;
    rt->epoll_fd = info ? info->epoll_fd : -1;
    if (rt->epoll_fd < 0 ||
        eng_watch_new(e, rt->epoll_fd, run_daemon, rt, &rt->watch) != 0) {
        *err = bt_xstrdup("cannot start the Lambda Runtime API server");
        if (rt->d)
            MHD_stop_daemon(rt->d);
        free(rt);
        return BT_EIO;
    }
    eng_runtime_attach(e, add_conn, rt);
    *out = rt;
    return 0;
}

void srv_runtime_close_door(srv_runtime *rt)
{
    rt->closing = true;
}

void srv_runtime_stop(srv_runtime *rt)
{
    eng_runtime_attach(rt->e, NULL, NULL);
    /* Answered requests still have to leave, and the loop no longer runs
     * the daemon: drive it here (at most 2 s). */
    struct pollfd p = {rt->epoll_fd, POLLIN, 0};
    for (int i = 0; i < 200 && rt->outstanding > 0; i++) {
        MHD_run(rt->d);
        if (rt->outstanding > 0)
            poll(&p, 1, 10);
    }
    eng_watch_free(rt->watch);
    MHD_stop_daemon(rt->d);
    free(rt);
}
