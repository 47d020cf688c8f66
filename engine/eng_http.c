/*
 * HTTP tasks (arn:aws:states:::http:invoke), the transfer side: libcurl's
 * multi interface driven by the engine's libuv loop. curl tells us which
 * sockets to watch (one uv_poll_t each) and when to call it back (one
 * uv_timer_t); every transfer of the engine shares the multi handle, so no
 * thread ever waits for a server.
 *
 * Lifecycle of a call (one per attempt of an HTTP Task state):
 *   BUILT    the parameters were checked and the request built in the
 *            pump, together with TaskScheduled/TaskStarted (on recovery:
 *            already in the history); the send effect owns the call.
 *   SENDING  after the commit, the effect puts the transfer into the multi
 *            handle; the frame (phase TASK) points at the call.
 *   DONE     the transfer ended (a response, a socket error or timeout, or
 *            the response size cap); the outcome waits on the call and the
 *            frame is queued for the pump, which records TaskSucceeded /
 *            TaskFailed / TaskTimedOut and frees the call.
 * A stop, an execution timeout or a frame leaving memory cancels the call
 * in any state: the transfer is removed from the multi handle (closing its
 * connection) and nothing is recorded. A crash while SENDING leaves the
 * frame in TASK; recovery sends the request again (at-least-once).
 */
#include "engine/eng_int.h"
#include "base/bt_lazy.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* AWS ends an HTTP task's request after 60 s with States.Http.Socket. */
#define HTTP_SOCKET_TIMEOUT_S 60
/* AWS's longest error cause (reference §6.1). */
#define HTTP_CAUSE_MAX 32768
/* Open connections at once; further transfers wait inside libcurl (their
 * 60 s and TimeoutSeconds run meanwhile). Sockets are file descriptors,
 * shared with function processes' pipes. */
#define HTTP_CONNECTIONS_MAX 256

typedef struct http_sock http_sock;

struct eng_http {
    eng *e;
    CURLM *multi;
    uv_timer_t timer;
    http_sock *socks; /* watched sockets, until their poll handle closes */
};

struct http_sock {
    uv_poll_t poll;
    curl_socket_t fd;
    struct eng_http *h;
    http_sock *prev, *next;
};

struct eng_http_call {
    eng_frame *f;
    eng_http_req req;
    CURL *easy;
    struct curl_slist *headers;
    int64_t timeout_ms;
    bool state_limit; /* a curl timeout is the state's TimeoutSeconds... */
    bool heartbeat;   /* ... or its HeartbeatSeconds */
    bool done;
    bool too_large;
    CURLcode rc;
    long status;
    char *reason;
    json_object *resp_headers; /* name -> [values], in arrival order */
    bt_buf body;
    size_t received; /* header and body bytes */
    char errbuf[CURL_ERROR_SIZE];
};

/* ---- libcurl on the loop
 * ------------------------------------------------------- */

static void on_sock_closed(uv_handle_t *h)
{
    free(h->data);
}

static void sock_close(http_sock *s)
{
    if (s->prev)
        s->prev->next = s->next;
    else
        s->h->socks = s->next;
    if (s->next)
        s->next->prev = s->prev;
    uv_poll_stop(&s->poll);
    uv_close((uv_handle_t *)&s->poll, on_sock_closed);
}

static void call_done(eng_http_call *c, CURLcode rc);

/* Hands finished transfers to their frames. */
static void collect(struct eng_http *h)
{
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(h->multi, &left))) {
        if (m->msg != CURLMSG_DONE)
            continue;
        CURL *easy = m->easy_handle;
        CURLcode rc = m->data.result;
        char *priv = NULL;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
        curl_multi_remove_handle(h->multi, easy);
        call_done((eng_http_call *)priv, rc);
    }
}

static void on_poll(uv_poll_t *p, int status, int events)
{
    http_sock *s = p->data;
    struct eng_http *h = s->h;
    int flags = 0;
    if (status < 0)
        flags = CURL_CSELECT_ERR;
    if (events & UV_READABLE)
        flags |= CURL_CSELECT_IN;
    if (events & UV_WRITABLE)
        flags |= CURL_CSELECT_OUT;
    int running;
    /* May close s (CURL_POLL_REMOVE); h stays. */
    curl_multi_socket_action(h->multi, s->fd, flags, &running);
    collect(h);
}

static void on_timer(uv_timer_t *t)
{
    struct eng_http *h = t->data;
    int running;
    curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    collect(h);
}

/* CURLMOPT_SOCKETFUNCTION: watch fd for what curl wants, or stop. */
static int on_curl_socket(CURL *easy, curl_socket_t fd, int what, void *userp,
                          void *socketp)
{
    struct eng_http *h = userp;
    http_sock *s = socketp;
    (void)easy;
    if (what == CURL_POLL_REMOVE) {
        if (s) {
            curl_multi_assign(h->multi, fd, NULL);
            sock_close(s);
        }
        return 0;
    }
    if (!s) {
        s = bt_xcalloc(1, sizeof *s);
        if (uv_poll_init_socket(&h->e->loop, &s->poll, fd) != 0) {
            free(s);
            return -1; /* curl fails the transfer */
        }
        s->poll.data = s;
        s->fd = fd;
        s->h = h;
        s->next = h->socks;
        if (h->socks)
            h->socks->prev = s;
        h->socks = s;
        curl_multi_assign(h->multi, fd, s);
    }
    int ev = 0;
    if (what & CURL_POLL_IN)
        ev |= UV_READABLE;
    if (what & CURL_POLL_OUT)
        ev |= UV_WRITABLE;
    uv_poll_start(&s->poll, ev, on_poll);
    return 0;
}

/* CURLMOPT_TIMERFUNCTION: call curl back in timeout_ms (-1: never). The
 * timer, not this callback, calls curl: curl must not be re-entered. */
static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
    struct eng_http *h = userp;
    (void)multi;
    if (timeout_ms < 0)
        uv_timer_stop(&h->timer);
    else
        uv_timer_start(&h->timer, on_timer, (uint64_t)timeout_ms, 0);
    return 0;
}

static struct eng_http *http_of(eng *e)
{
    if (e->http)
        return e->http;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    struct eng_http *h = bt_xcalloc(1, sizeof *h);
    h->e = e;
    h->multi = curl_multi_init();
    if (!h->multi)
        bt_oom();
    curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
    curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
    curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
    curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
    curl_multi_setopt(h->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
                      (long)HTTP_CONNECTIONS_MAX);
    uv_timer_init(&e->loop, &h->timer);
    h->timer.data = h;
    e->http = h;
    return h;
}

static void on_http_closed(uv_handle_t *t)
{
    free(t->data);
}

void eng__http_close(eng *e)
{
    struct eng_http *h = e->http;
    if (!h)
        return;
    /* Transfers went with their frames; this closes idle connections. */
    curl_multi_cleanup(h->multi);
    while (h->socks)
        sock_close(h->socks);
    uv_timer_stop(&h->timer);
    uv_close((uv_handle_t *)&h->timer, on_http_closed);
    e->http = NULL;
    curl_global_cleanup();
}

/* ---- one transfer
 * -------------------------------------------------------------- */

static void call_free(eng_http_call *c)
{
    if (c->easy)
        curl_easy_cleanup(c->easy);
    curl_slist_free_all(c->headers);
    eng__http_req_fini(&c->req);
    json_object_put(c->resp_headers);
    bt_buf_fini(&c->body);
    free(c->reason);
    free(c);
}

static void call_done(eng_http_call *c, CURLcode rc)
{
    c->rc = rc;
    c->done = true;
    curl_easy_cleanup(c->easy);
    c->easy = NULL;
    eng__ready(c->f);
}

/* "HTTP/1.1 404 Not Found": a new response starts (after a 100 Continue
 * too), with its own headers. */
static void status_line(eng_http_call *c, const char *line, size_t n)
{
    const char *sp = memchr(line, ' ', n);
    c->status = 0;
    free(c->reason);
    c->reason = NULL;
    json_object_put(c->resp_headers);
    c->resp_headers = json_object_new_object();
    if (!sp)
        return;
    size_t rest = n - (size_t)(sp + 1 - line);
    const char *p = sp + 1;
    long code = 0;
    size_t i = 0;
    for (; i < rest && i < 3 && p[i] >= '0' && p[i] <= '9'; i++)
        code = code * 10 + (p[i] - '0');
    c->status = i == 3 ? code : 0;
    while (i < rest && p[i] == ' ')
        i++;
    json_object *t = eng__http_text(p + i, rest - i);
    c->reason = bt_xstrdup(json_object_get_string(t));
    json_object_put(t);
}

static void header_line(eng_http_call *c, const char *line, size_t n)
{
    const char *colon = memchr(line, ':', n);
    if (!colon || colon == line || !c->resp_headers)
        return;
    char *name = bt_xstrndup(line, (size_t)(colon - line));
    const char *v = colon + 1, *end = line + n;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    json_object *values = NULL;
    if (!json_object_object_get_ex(c->resp_headers, name, &values)) {
        values = json_object_new_array();
        json_object_object_add(c->resp_headers, name, values);
    }
    json_object_array_add(values, eng__http_text(v, (size_t)(end - v)));
    free(name);
}

static size_t on_header(char *buf, size_t size, size_t nitems, void *ud)
{
    eng_http_call *c = ud;
    size_t len = size * nitems, n = len;
    c->received += len;
    if (c->received > BT_LIMIT_HTTP_RESPONSE_BYTES) {
        c->too_large = true;
        return 0; /* curl stops the transfer */
    }
    while (n > 0 && (buf[n - 1] == '\r' || buf[n - 1] == '\n'))
        n--;
    if (n >= 5 && !memcmp(buf, "HTTP/", 5))
        status_line(c, buf, n);
    else
        header_line(c, buf, n);
    return len;
}

static size_t on_body(char *buf, size_t size, size_t nitems, void *ud)
{
    eng_http_call *c = ud;
    size_t len = size * nitems;
    c->received += len;
    if (c->received > BT_LIMIT_HTTP_RESPONSE_BYTES) {
        c->too_large = true;
        return 0;
    }
    bt_buf_append(&c->body, buf, len);
    return len;
}

static void set_method(CURL *easy, const eng_http_req *req)
{
    const char *m = req->method;
    if (!strcmp(m, "HEAD"))
        curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    else if (strcmp(m, "GET") && strcmp(m, "POST"))
        curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, m);
    if (req->body) {
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, req->body);
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)req->body_len);
        if (!strcmp(m, "GET"))
            curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, m);
    } else if (!strcmp(m, "POST") || !strcmp(m, "PUT") || !strcmp(m, "PATCH")) {
        /* An empty body, sent with Content-Length: 0. */
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
    }
}

static void call_setup(eng_http_call *c)
{
    CURL *easy = c->easy = curl_easy_init();
    if (!easy)
        bt_oom();
    for (size_t i = 0; c->req.headers[i]; i++) {
        struct curl_slist *l = curl_slist_append(c->headers, c->req.headers[i]);
        if (!l)
            bt_oom();
        c->headers = l;
    }
    curl_easy_setopt(easy, CURLOPT_URL, c->req.url);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, (char *)c);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, c->errbuf);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, c);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long)c->timeout_ms);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, "Baton-HttpInvoke");
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, c->headers);
    set_method(easy, &c->req);
}

/* After the commit that recorded TaskScheduled/TaskStarted. */
static void send_effect(void *arg, bool run)
{
    eng_http_call *c = arg;
    eng_frame *f = c->f;
    if (!run || f->ex->status != EX_RUNNING || f->phase != PH_TASK) {
        call_free(c);
        return;
    }
    eng__http_cancel(f);
    struct eng_http *h = http_of(f->ex->e);
    call_setup(c);
    f->http = c;
    CURLMcode mc = curl_multi_add_handle(h->multi, c->easy);
    if (mc != CURLM_OK) {
        snprintf(c->errbuf, sizeof c->errbuf, "%s", curl_multi_strerror(mc));
        call_done(c, CURLE_FAILED_INIT);
    }
}

void eng__http_cancel(eng_frame *f)
{
    eng_http_call *c = f->http;
    if (!c)
        return;
    f->http = NULL;
    /* Removing a transfer in flight closes its connection. */
    if (c->easy && f->ex->e->http)
        curl_multi_remove_handle(f->ex->e->http->multi, c->easy);
    call_free(c);
}

/* ---- the Task state
 * ------------------------------------------------------------ */

/* A parameter problem is a runtime error of the state (reference §6.2:
 * bad field values are States.Runtime), with AWS's cause prefix. */
static void fail_unsent(eng_frame *f, sl_error *err)
{
    if (err->name && !strcmp(err->name, "States.Runtime")) {
        char *cause =
            bt_xasprintf("An error occurred while executing the "
                         "state '%s' (entered at the event id "
                         "#%lld). %s",
                         sl_state_name(f->state), (long long)f->entered_id,
                         err->cause ? err->cause : "");
        sl_error_set(err, err->name, cause);
        free(cause);
    }
    eng__work_failed(f, err);
}

void eng__http_start(eng_frame *f, int64_t timeout_s, int64_t heartbeat_s,
                     bool resume)
{
    eng_http_req req;
    sl_error err;
    sl_error_init(&err);
    /* libcurl is loaded on first use (base/bt_lazy.h): without it the
     * task fails, not the engine. */
    char *why = NULL;
    if (!bt_lazy_usable(&bt_lazy_curl, &why)) {
        sl_error_set(&err, "States.TaskFailed", why);
        free(why);
        fail_unsent(f, &err);
        sl_error_fini(&err);
        return;
    }
    if (eng__http_req_build(f->effective, &req, &err) != 0) {
        fail_unsent(f, &err);
        sl_error_fini(&err);
        return;
    }
    if (!resume)
        eng__task_schedule(f, timeout_s, heartbeat_s);
    eng_http_call *c = bt_xcalloc(1, sizeof *c);
    c->f = f;
    c->req = req;
    bt_buf_init(&c->body);
    /* An HTTP server cannot send heartbeats: like a function, the call is
     * bounded by the shorter of TimeoutSeconds and HeartbeatSeconds, and
     * by AWS's 60 s socket timeout. */
    c->heartbeat = heartbeat_s > 0 && (!timeout_s || heartbeat_s < timeout_s);
    int64_t limit = c->heartbeat ? heartbeat_s : timeout_s;
    c->state_limit = limit > 0 && limit <= HTTP_SOCKET_TIMEOUT_S;
    c->timeout_ms = (c->state_limit ? limit : HTTP_SOCKET_TIMEOUT_S) * 1000;
    f->phase = PH_TASK;
    if (!resume)
        eng__frame_save(f);
    eng__effect(f->ex->e, f, send_effect, c);
}

static bool result_too_large(eng_frame *f, json_object *result)
{
    size_t limit = f->ex->e->opts.payload_limit;
    return sl_json_size(result) > (limit ? limit : SL_PAYLOAD_LIMIT_DEFAULT);
}

/* The outcome of a finished transfer: 0 and the result, or -1 and err. */
static int outcome(eng_frame *f, eng_http_call *c, json_object **result,
                   sl_error *err)
{
    if (c->too_large) {
        sl_error_setf(err, "States.DataLimitExceeded",
                      "The HTTP response of the state '%s' is larger than "
                      "%u bytes",
                      sl_state_name(f->state), BT_LIMIT_HTTP_RESPONSE_BYTES);
        return -1;
    }
    if (c->rc == CURLE_OPERATION_TIMEDOUT && c->state_limit) {
        sl_error_set(
            err, c->heartbeat ? "States.HeartbeatTimeout" : "States.Timeout",
            "");
        return -1;
    }
    if (c->rc != CURLE_OK) {
        sl_error_set(err, "States.Http.Socket",
                     c->errbuf[0] ? c->errbuf : curl_easy_strerror(c->rc));
        return -1;
    }
    json_object *headers =
        c->resp_headers ? c->resp_headers : json_object_new_object();
    c->resp_headers = NULL;
    json_object *r =
        eng__http_result(c->status, c->reason, headers,
                         c->body.data ? c->body.data : "", c->body.len);
    if (c->status < 200 || c->status > 299) {
        char name[64];
        snprintf(name, sizeof name, "States.Http.StatusCode.%ld", c->status);
        char *cause = eng__http_status_cause(
            r, c->body.data ? c->body.data : "", c->body.len, HTTP_CAUSE_MAX);
        sl_error_set(err, name, cause);
        free(cause);
        json_object_put(r);
        return -1;
    }
    if (result_too_large(f, r)) {
        sl_error_setf(err, "States.DataLimitExceeded",
                      "The state/task '%s' returned a result with a size "
                      "exceeding the maximum number of bytes service limit.",
                      sl_state_name(f->state));
        json_object_put(r);
        return -1;
    }
    *result = r;
    return 0;
}

void eng__http_advance(eng_frame *f)
{
    eng_http_call *c = f->http;
    if (!c || !c->done)
        return;
    f->http = NULL;
    json_object *result = NULL;
    sl_error err;
    sl_error_init(&err);
    if (outcome(f, c, &result, &err) == 0)
        eng__task_succeeded(f, result);
    else
        eng__task_failed(f, &err);
    sl_error_fini(&err);
    call_free(c);
}
