/*
 * The HTTP side: libmicrohttpd's thread collects each request, posts it to
 * the engine's loop with the connection suspended, and sends the response
 * the loop hands back. Nothing here parses JSON or touches the engine
 * beyond eng_post; only GET / (health, unless a browser asks for HTML)
 * and transport errors (413, 404, 503) are answered on this thread, from
 * fixed texts.
 */
#include "server/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "server/srv_int.h"

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* splitmix64: request ids are unique, not secret. */
static uint64_t mix(uint64_t x)
{
    x += UINT64_C(0x9e3779b97f4a7c15);
    x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
    return x ^ (x >> 31);
}

static void request_id(srv *s, char out[37])
{
    uint64_t n = atomic_fetch_add(&s->seq, 1);
    uint64_t a = mix(s->seed ^ n), b = mix(a ^ n);
    unsigned char u[16];
    memcpy(u, &a, 8);
    memcpy(u + 8, &b, 8);
    bt_uuid_v4_format(u, out);
}

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind,
                               const char *key, const char *value)
{
    (void)kind;
    srv_req *r = cls;
    if (r->nargs < 64) {
        r->args = bt_xrealloc(r->args, (r->nargs + 1) * sizeof *r->args);
        r->args[r->nargs].key = bt_xstrdup(key);
        r->args[r->nargs].value = bt_xstrdup(value ? value : "");
        r->nargs++;
    }
    return MHD_YES;
}

static srv_req *req_new(srv *s, struct MHD_Connection *conn, const char *method,
                        const char *url)
{
    srv_req *r = bt_xcalloc(1, sizeof *r);
    r->s = s;
    r->conn = conn;
    snprintf(r->method, sizeof r->method, "%s", method);
    r->path = bt_xstrdup(url);
    const char *t =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Amz-Target");
    r->target = t ? bt_xstrdup(t) : NULL;
    const char *a =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
    r->auth = a ? bt_xstrdup(a) : NULL;
    const char *acc = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                  MHD_HTTP_HEADER_ACCEPT);
    r->accept = acc ? bt_xstrdup(acc) : NULL;
    const char *it = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                 "X-Amz-Invocation-Type");
    r->invocation_type = it ? bt_xstrdup(it) : NULL;
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, add_arg, r);
    bt_buf_init(&r->body);
    r->start_us = now_us();
    request_id(s, r->request_id);
    atomic_init(&r->phase, REQ_READING);
    return r;
}

static void req_free(srv_req *r)
{
    free(r->path);
    free(r->target);
    free(r->auth);
    free(r->accept);
    free(r->invocation_type);
    for (size_t i = 0; i < r->nargs; i++) {
        free(r->args[i].key);
        free(r->args[i].value);
    }
    free(r->args);
    bt_buf_fini(&r->body);
    free(r->resp);
    free(r);
}

/* A fixed-text answer given on the HTTP thread (no JSON library). */
static void reply_here(srv_req *r, int status, srv_error err, const char *text)
{
    r->status = status;
    r->err_type = err ? srv__error_code(err) : NULL;
    r->resp = bt_xstrdup(text);
    r->resp_len = strlen(text);
    atomic_store(&r->phase, REQ_READY);
}

/* A transport error in the shape of the request's front: AWS's
 * {"__type", "message"} or REST's {"error", "message"}. */
static void reply_error_here(srv_req *r, srv_error err, const char *message)
{
    char text[256];
    bool rest = r->route == ROUTE_REST;
    snprintf(text, sizeof text, "{\"%s\":\"%s\",\"message\":\"%s\"}%s",
             rest ? "error" : "__type", srv__error_code(err), message,
             rest ? "\n" : "");
    if (rest)
        r->ctype = "application/json";
    reply_here(r, rest ? srv__error_rest_status(err) : srv__error_status(err),
               err, text);
}

static enum MHD_Result send_reply(srv_req *r)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        r->resp_len, r->resp, MHD_RESPMEM_MUST_FREE);
    r->resp = NULL;
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            r->ctype ? r->ctype : "application/x-amz-json-1.0");
    MHD_add_response_header(resp, "x-amzn-RequestId", r->request_id);
    if (r->allow[0])
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
    if (r->err_type)
        MHD_add_response_header(resp, "X-Amzn-Errortype", r->err_type);
    if (r->function_error)
        MHD_add_response_header(resp, "X-Amz-Function-Error",
                                r->function_error);
    if (r->lambda)
        MHD_add_response_header(resp, "X-Amz-Executed-Version", "$LATEST");
    enum MHD_Result ret =
        MHD_queue_response(r->conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* Hands a complete request to the loop, or answers 503 when closing. */
static void post_request(srv *s, srv_req *r)
{
    atomic_store(&r->phase, REQ_POSTED);
    MHD_suspend_connection(r->conn);
    r->posted = srv_door_post(&s->door, s->e, srv__handle, r) == 0;
    if (!r->posted) {
        reply_error_here(r, SRV_UNAVAILABLE, "The server is shutting down");
        MHD_resume_connection(r->conn);
    }
}

static bool is_get(const srv_req *r)
{
    return !strcmp(r->method, "GET") || !strcmp(r->method, "HEAD");
}

/* True when the Accept header lists text/html (media types are
 * case-insensitive): a browser asking for a page. */
static bool wants_html(const srv_req *r)
{
    static const char want[] = "text/html";
    for (const char *p = r->accept; p && *p; p++)
        if (!strncasecmp(p, want, sizeof want - 1))
            return true;
    return false;
}

static bool is_console_path(const char *path)
{
    return !strncmp(path, "/console", 8) && (!path[8] || path[8] == '/');
}

/* Chooses r->route; false when no front takes the request (404/405 are
 * then answered here). */
static bool choose_route(srv_req *r)
{
    if (!strcmp(r->path, "/") && !strcmp(r->method, "POST")) {
        r->route = ROUTE_AWS;
        return true;
    }
    /* Every method: the REST front answers 404 and 405 itself. */
    if (!strncmp(r->path, "/v1", 3) && (!r->path[3] || r->path[3] == '/')) {
        r->route = ROUTE_REST;
        return true;
    }
    if (!strcmp(r->path, "/metrics") && is_get(r)) {
        r->route = ROUTE_METRICS;
        return true;
    }
    static const char fns[] = "/2015-03-31/functions/";
    if (!strncmp(r->path, fns, sizeof fns - 1) && !strcmp(r->method, "POST")) {
        r->route = ROUTE_LAMBDA;
        return true;
    }
    if (is_console_path(r->path) ||
        (!strcmp(r->path, "/") && is_get(r) && wants_html(r))) {
        r->route = ROUTE_CONSOLE;
        return true;
    }
    if ((!strcmp(r->path, "/") || !strcmp(r->path, "/health")) && is_get(r)) {
        reply_here(r, 200, SRV_OK, "{\"status\":\"ok\"}");
        return false;
    }
    if (!strcmp(r->path, "/"))
        reply_here(r, 405, SRV_OK, "{\"message\":\"Method Not Allowed\"}");
    else
        reply_here(r, 404, SRV_OK, "{\"message\":\"Not Found\"}");
    return false;
}

static void route(srv *s, srv_req *r)
{
    if (!choose_route(r)) {
        /* answered */
    } else if (r->too_large) {
        char text[64];
        snprintf(text, sizeof text, "Request body is larger than %u bytes",
                 SRV_BODY_MAX_BYTES);
        reply_error_here(r, SRV_TOO_LARGE, text);
    } else {
        post_request(s, r);
    }
}

void srv_collect_body(bt_buf *body, bool *too_large, const char *data,
                      size_t *size, size_t max)
{
    if (!*too_large && body->len + *size > max) {
        *too_large = true;
        bt_buf_fini(body);
    }
    if (!*too_large)
        bt_buf_append(body, data, *size);
    *size = 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version, const char *data,
                                  size_t *data_size, void **con_cls)
{
    (void)version;
    srv *s = cls;
    srv_req *r = *con_cls;
    if (!r) {
        *con_cls = req_new(s, conn, method, url);
        return MHD_YES;
    }
    if (*data_size) {
        srv_collect_body(&r->body, &r->too_large, data, data_size,
                         SRV_BODY_MAX_BYTES);
        return MHD_YES;
    }
    int phase = atomic_load(&r->phase);
    if (phase == REQ_READING) {
        route(s, r);
        phase = atomic_load(&r->phase);
    }
    return phase == REQ_READY ? send_reply(r) : MHD_YES;
}

static void log_request(srv_req *r)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char when[32];
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    double ms = (double)(now_us() - r->start_us) / 1000.0;
    fprintf(stderr,
            "ts=%s.%03ldZ level=info msg=request id=%s method=%s path=\"%s\" "
            "action=%s status=%d error=%s ms=%.2f\n",
            when, ts.tv_nsec / 1000000, r->request_id, r->method, r->path,
            r->action ? r->action : "-", r->status,
            r->err_type ? r->err_type : "-", ms);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    (void)toe;
    srv *s = cls;
    srv_req *r = *con_cls;
    if (!r)
        return;
    *con_cls = NULL;
    if (!s->quiet)
        log_request(r);
    if (r->posted)
        srv_door_sent(&s->door);
    req_free(r);
}

static int parse_listen(const char *listen, struct sockaddr_in *sa, char **err)
{
    const char *colon = strrchr(listen, ':');
    char host[64];
    if (!colon || (size_t)(colon - listen) >= sizeof host) {
        *err = bt_xasprintf("--listen %s: expected HOST:PORT", listen);
        return BT_EINVAL;
    }
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (!colon[1] || *end || port < 0 || port > 65535 ||
        inet_pton(AF_INET, host, &sa->sin_addr) != 1) {
        *err = bt_xasprintf("--listen %s: expected an IPv4 HOST:PORT", listen);
        return BT_EINVAL;
    }
    return 0;
}

static uint64_t seed(void)
{
    uint64_t v = 0;
    FILE *f = fopen("/dev/urandom", "rb");
    if (f) {
        if (fread(&v, sizeof v, 1, f) != 1)
            v = 0;
        fclose(f);
    }
    return v ? v : (uint64_t)now_us() ^ (uint64_t)getpid();
}

int srv_start(eng *e, const srv_opts *opts, srv **out, char **err)
{
    struct sockaddr_in sa;
    const char *listen = opts->listen ? opts->listen : "127.0.0.1:8083";
    int rc = parse_listen(listen, &sa, err);
    if (rc != 0)
        return rc;
    srv *s = bt_xcalloc(1, sizeof *s);
    s->e = e;
    s->quiet = opts->quiet;
    s->seed = seed();
    s->poll_ms = (opts->poll_timeout_s > 0 ? opts->poll_timeout_s : 60) * 1000;
    srv_door_init(&s->door);
    atomic_init(&s->seq, 0);
    s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO |
                                MHD_ALLOW_SUSPEND_RESUME,
                            0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
                            (struct sockaddr *)&sa, MHD_OPTION_NOTIFY_COMPLETED,
                            on_completed, s, MHD_OPTION_CONNECTION_TIMEOUT,
                            (unsigned)120, MHD_OPTION_CONNECTION_LIMIT,
                            (unsigned)1000, MHD_OPTION_END);
    if (!s->d) {
        *err = bt_xasprintf("cannot listen on %s", listen);
        srv_door_drain(&s->door);
        free(s);
        return BT_EIO;
    }
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : ntohs(sa.sin_port);
    *out = s;
    return 0;
}

uint16_t srv_port(const srv *s)
{
    return s->port;
}

void srv_close_door(srv *s)
{
    srv_door_close(&s->door);
}

void srv_stop(srv *s)
{
    srv_door_drain(&s->door);
    MHD_stop_daemon(s->d);
    free(s);
}
