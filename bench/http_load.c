/*
 * http_load: a small load client for `baton serve` (drives the load test and
 * bench/http.sh; not a test by itself). It sends N StartExecution calls
 * over C keep-alive HTTP/1.1 connections, one call in flight per
 * connection, checks that every answer is a 200 whose executionArn is the
 * one the generated name implies, and prints calls/s and latency
 * percentiles.
 *
 *   http_load --port P --machine ARN [--requests N] [--connections C]
 *             [--prefix NAME] [--input JSON] [--host 127.x.y.z]
 *             [--timeout-s S]
 *
 * Execution names are PREFIX-0 ... PREFIX-(N-1); PREFIX defaults to one
 * made of the process id and the time, so runs do not collide.
 *
 * Bounded on purpose: loopback addresses only (anything else is refused),
 * at most HL_REQUESTS_MAX calls and HL_CONNECTIONS_MAX connections, and
 * the run gives up after --timeout-s seconds. A call is never retried.
 * Exit status: 0 every answer good, 1 some call failed, 2 usage or setup.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "base/base.h"

#define HL_REQUESTS_MAX 10000000L
#define HL_CONNECTIONS_MAX 512
#define HL_RESPONSE_MAX 16384 /* a StartExecution answer is ~150 bytes */
#define HL_ERRORS_SHOWN 3

typedef struct conn {
    int fd;          /* -1: closed */
    long req;        /* index of the call in flight; -1: idle */
    bt_buf out;      /* request bytes */
    size_t out_off;  /* bytes of out already written */
    char *in;        /* response bytes (HL_RESPONSE_MAX + 1) */
    size_t in_len;   /* bytes of in received */
    int64_t sent_us; /* when the call was started */
} conn;

typedef struct load {
    struct sockaddr_in addr;
    char *host;      /* Host header value */
    char *body_head; /* {"stateMachineArn":...,"input":...,"name":" */
    char *prefix;    /* execution name prefix */
    char *exec_head; /* the executionArn without the name */
    long requests, next, done, errors;
    int nconns;
    conn *conns;
    int64_t *latency_us; /* one per call answered with 200 */
    long nlatency;
    int shown; /* errors printed so far */
} load;

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void usage(void)
{
    fprintf(stderr, "usage: http_load --port P --machine ARN [--requests N] "
                    "[--connections C]\n"
                    "                 [--prefix NAME] [--input JSON] "
                    "[--host 127.x.y.z] [--timeout-s S]\n");
    exit(2);
}

static void die(const char *what)
{
    fprintf(stderr, "http_load: %s\n", what);
    exit(2);
}

/* Appends s as the inside of a JSON string. */
static void put_escaped(bt_buf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            bt_buf_printf(b, "\\%c", *p);
        else if (*p < 0x20)
            bt_buf_printf(b, "\\u%04x", *p);
        else
            bt_buf_append(b, (const char *)p, 1);
    }
}

static long parse_long(const char *s, long lo, long hi, const char *what)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) {
        fprintf(stderr, "http_load: %s: expected %ld..%ld, got '%s'\n", what,
                lo, hi, s);
        exit(2);
    }
    return v;
}

/* The StartExecution ARN prefix for a machine ARN
 * arn:aws:states:R:A:stateMachine:M -> arn:aws:states:R:A:execution:M: */
static char *exec_head_of(const char *machine)
{
    const char *mark = strstr(machine, ":stateMachine:");
    if (strncmp(machine, "arn:", 4) || !mark)
        die("--machine: expected arn:...:stateMachine:NAME");
    return bt_xasprintf("%.*s:execution:%s:", (int)(mark - machine), machine,
                        mark + strlen(":stateMachine:"));
}

static void set_addr(load *l, const char *host, long port)
{
    memset(&l->addr, 0, sizeof l->addr);
    l->addr.sin_family = AF_INET;
    l->addr.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &l->addr.sin_addr) != 1)
        die("--host: expected an IPv4 address");
    /* Loopback only: this client is never pointed at another machine. */
    if ((ntohl(l->addr.sin_addr.s_addr) >> 24) != 127)
        die("--host: only loopback addresses (127.0.0.0/8) are allowed");
    l->host = bt_xasprintf("%s:%ld", host, port);
}

static void parse_args(load *l, int argc, char **argv, int64_t *timeout_us)
{
    const char *host = "127.0.0.1", *machine = NULL, *input = "{}";
    const char *prefix = NULL;
    long port = -1, timeout_s = 300;
    l->requests = 10000;
    l->nconns = 16;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            usage();
        if (!strcmp(a, "--port"))
            port = parse_long(v, 1, 65535, "--port");
        else if (!strcmp(a, "--machine"))
            machine = v;
        else if (!strcmp(a, "--requests"))
            l->requests = parse_long(v, 1, HL_REQUESTS_MAX, "--requests");
        else if (!strcmp(a, "--connections"))
            l->nconns =
                (int)parse_long(v, 1, HL_CONNECTIONS_MAX, "--connections");
        else if (!strcmp(a, "--prefix"))
            prefix = v;
        else if (!strcmp(a, "--input"))
            input = v;
        else if (!strcmp(a, "--host"))
            host = v;
        else if (!strcmp(a, "--timeout-s"))
            timeout_s = parse_long(v, 1, 3600, "--timeout-s");
        else
            usage();
        i++;
    }
    if (port < 0 || !machine)
        usage();
    set_addr(l, host, port);
    l->exec_head = exec_head_of(machine);
    l->prefix =
        prefix ? bt_xstrdup(prefix)
               : bt_xasprintf("load-%ld-%ld", (long)getpid(), (long)time(NULL));
    /* Names are at most 80 characters; the index takes up to 8 more. */
    if (strlen(l->prefix) > 70 || strpbrk(l->prefix, "\"\\ /:"))
        die("--prefix: at most 70 characters, no quotes, spaces, / or :");
    bt_buf b;
    bt_buf_init(&b);
    bt_buf_puts(&b, "{\"stateMachineArn\":\"");
    put_escaped(&b, machine);
    bt_buf_puts(&b, "\",\"input\":\"");
    put_escaped(&b, input);
    bt_buf_puts(&b, "\",\"name\":\"");
    l->body_head = bt_buf_take(&b);
    *timeout_us = (int64_t)timeout_s * 1000000;
}

/* ---- connections ------------------------------------------------------ */

static int conn_open(load *l, conn *c)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    /* Loopback connects complete at once; only then go non-blocking. */
    if (connect(fd, (struct sockaddr *)&l->addr, sizeof l->addr) != 0) {
        close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int fl = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    c->fd = fd;
    return 0;
}

static void conn_close(conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

static void record_error(load *l, long req, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void record_error(load *l, long req, const char *fmt, ...)
{
    l->errors++;
    l->done++;
    if (l->shown++ >= HL_ERRORS_SHOWN)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *what = bt_xvasprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "http_load: call %ld (%s-%ld): %s\n", req, l->prefix, req,
            what);
    free(what);
}

/* Starts the next call on an idle connection; false when none is left. */
static bool conn_start(load *l, conn *c)
{
    if (l->next >= l->requests)
        return false;
    if (c->fd < 0 && conn_open(l, c) != 0) {
        record_error(l, l->next++, "connect: %s", strerror(errno));
        return true;
    }
    c->req = l->next++;
    char name[96];
    int nlen = snprintf(name, sizeof name, "%s-%ld", l->prefix, c->req);
    size_t body_len = strlen(l->body_head) + (size_t)nlen + 2;
    bt_buf_reset(&c->out);
    bt_buf_printf(&c->out,
                  "POST / HTTP/1.1\r\nHost: %s\r\n"
                  "Content-Type: application/x-amz-json-1.0\r\n"
                  "X-Amz-Target: AWSStepFunctions.StartExecution\r\n"
                  "Content-Length: %zu\r\n\r\n%s%s\"}",
                  l->host, body_len, l->body_head, name);
    c->out_off = 0;
    c->in_len = 0;
    c->sent_us = now_us();
    return true;
}

/* The value of header `name` in the header block [p, end), or NULL. */
static const char *header(const char *p, const char *end, const char *name,
                          size_t *len)
{
    size_t n = strlen(name);
    for (;;) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            return NULL;
        p = eol + 1;
        if ((size_t)(end - p) > n && p[n] == ':' && !strncasecmp(p, name, n)) {
            const char *v = p + n + 1;
            while (*v == ' ')
                v++;
            const char *e = memchr(v, '\r', (size_t)(end - v));
            *len = (size_t)((e ? e : end) - v);
            return v;
        }
    }
}

/* Checks a 200's body: the executionArn of call req and a startDate. */
static bool body_ok(load *l, long req, const char *body, char **why)
{
    json_object *o = json_tokener_parse(body), *arn, *start;
    bool ok = false;
    if (!o || !json_object_is_type(o, json_type_object))
        *why = bt_xasprintf("body is not a JSON object: %.200s", body);
    else if (!json_object_object_get_ex(o, "executionArn", &arn) ||
             !json_object_is_type(arn, json_type_string))
        *why = bt_xasprintf("no executionArn: %.200s", body);
    else if (!json_object_object_get_ex(o, "startDate", &start) ||
             (!json_object_is_type(start, json_type_double) &&
              !json_object_is_type(start, json_type_int)))
        *why = bt_xasprintf("no numeric startDate: %.200s", body);
    else {
        char *want = bt_xasprintf("%s%s-%ld", l->exec_head, l->prefix, req);
        ok = !strcmp(json_object_get_string(arn), want);
        if (!ok)
            *why = bt_xasprintf("executionArn %s, expected %s",
                                json_object_get_string(arn), want);
        free(want);
    }
    json_object_put(o);
    return ok;
}

/* 0 with c->in full: the answer is too long to be a StartExecution's. */
static int need_more(load *l, conn *c)
{
    if (c->in_len < HL_RESPONSE_MAX)
        return 0;
    record_error(l, c->req, "answer over %d bytes", HL_RESPONSE_MAX);
    return -1;
}

/* 1: a whole response is in c->in and was judged; 0: need more bytes;
 * -1: the bytes cannot be the answer (recorded as an error). */
static int conn_parse(load *l, conn *c, bool *keep)
{
    c->in[c->in_len] = '\0';
    const char *head_end = strstr(c->in, "\r\n\r\n");
    if (!head_end)
        return need_more(l, c);
    size_t len;
    const char *cl = header(c->in, head_end + 2, "Content-Length", &len);
    if (strncmp(c->in, "HTTP/1.1 ", 9) || !cl) {
        record_error(l, c->req, "not an HTTP/1.1 response with a length");
        return -1;
    }
    size_t body_len = strtoul(cl, NULL, 10);
    const char *body = head_end + 4;
    size_t have = c->in_len - (size_t)(body - c->in);
    if (have < body_len)
        return need_more(l, c);
    const char *conn_hdr = header(c->in, head_end + 2, "Connection", &len);
    *keep = !(conn_hdr && len >= 5 && !strncasecmp(conn_hdr, "close", 5));
    const char *d = c->in + 9;
    int status = -1;
    if (d[0] >= '1' && d[0] <= '5' && d[1] >= '0' && d[1] <= '9' &&
        d[2] >= '0' && d[2] <= '9')
        status = (d[0] - '0') * 100 + (d[1] - '0') * 10 + (d[2] - '0');
    char *why = NULL;
    if (have != body_len)
        record_error(l, c->req, "%zu bytes after the response",
                     have - body_len);
    else if (status != 200)
        record_error(l, c->req, "HTTP %d: %.300s", status, body);
    else if (!body_ok(l, c->req, body, &why))
        record_error(l, c->req, "%s", why);
    else {
        l->latency_us[l->nlatency++] = now_us() - c->sent_us;
        l->done++;
    }
    free(why);
    return 1;
}

/* Writes what the socket takes of the request. -1: the connection broke. */
static int conn_write(conn *c)
{
    while (c->out_off < c->out.len) {
        ssize_t n = send(c->fd, c->out.data + c->out_off,
                         c->out.len - c->out_off, MSG_NOSIGNAL);
        if (n < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
        c->out_off += (size_t)n;
    }
    return 0;
}

/* Reads and judges the answer. Leaves c idle (req -1) once the call is
 * over, closing the socket when the server or an error asks for it. */
static void conn_read(load *l, conn *c)
{
    for (;;) {
        ssize_t n =
            recv(c->fd, c->in + c->in_len, HL_RESPONSE_MAX - c->in_len, 0);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n <= 0) {
            record_error(l, c->req, "connection %s before the answer",
                         n == 0 ? "closed" : strerror(errno));
            conn_close(c);
            c->req = -1;
            return;
        }
        c->in_len += (size_t)n;
        bool keep = true;
        int rc = conn_parse(l, c, &keep);
        if (rc == 0)
            continue;
        if (rc < 0 || !keep)
            conn_close(c);
        c->req = -1;
        return;
    }
}

/* Runs every call; false when the deadline passed first. */
static bool run(load *l, int64_t deadline_us)
{
    struct pollfd *pfd = bt_xcalloc((size_t)l->nconns, sizeof *pfd);
    while (l->done < l->requests) {
        if (now_us() > deadline_us) {
            free(pfd);
            return false;
        }
        for (int i = 0; i < l->nconns; i++) {
            conn *c = &l->conns[i];
            while (c->req < 0 && conn_start(l, c) && c->req < 0)
                ; /* a failed connect used up a call; try the next one */
            if (c->req >= 0 && conn_write(c) != 0) {
                record_error(l, c->req, "send: %s", strerror(errno));
                conn_close(c);
                c->req = -1;
            }
            pfd[i].fd = c->req >= 0 ? c->fd : -1;
            pfd[i].events = c->out_off < c->out.len ? POLLOUT : POLLIN;
            pfd[i].revents = 0;
        }
        if (poll(pfd, (nfds_t)l->nconns, 100) < 0 && errno != EINTR)
            die("poll failed");
        for (int i = 0; i < l->nconns; i++)
            if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
                conn_read(l, &l->conns[i]);
    }
    free(pfd);
    return true;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The p-th percentile (nearest rank) of n sorted values, in ms. */
static double pct_ms(const int64_t *v, long n, double p)
{
    if (n == 0)
        return 0.0;
    long rank = (long)((p / 100.0) * (double)n + 0.999999);
    if (rank < 1)
        rank = 1;
    return (double)v[rank - 1] / 1000.0;
}

static void report(load *l, double seconds, bool finished)
{
    qsort(l->latency_us, (size_t)l->nlatency, sizeof *l->latency_us, cmp_i64);
    printf("http_load: %ld calls, %ld ok, %ld errors%s in %.3f s over %d "
           "connections: %.0f calls/s; latency ms p50 %.3f p99 %.3f max "
           "%.3f\n",
           l->done, l->nlatency, l->errors + (l->requests - l->done),
           finished ? "" : " (deadline passed)", seconds, l->nconns,
           seconds > 0 ? (double)l->nlatency / seconds : 0.0,
           pct_ms(l->latency_us, l->nlatency, 50.0),
           pct_ms(l->latency_us, l->nlatency, 99.0),
           pct_ms(l->latency_us, l->nlatency, 100.0));
    fflush(stdout);
}

int main(int argc, char **argv)
{
    load l;
    memset(&l, 0, sizeof l);
    int64_t timeout_us;
    parse_args(&l, argc, argv, &timeout_us);
    l.conns = bt_xcalloc((size_t)l.nconns, sizeof *l.conns);
    l.latency_us = bt_xcalloc((size_t)l.requests, sizeof *l.latency_us);
    for (int i = 0; i < l.nconns; i++) {
        conn *c = &l.conns[i];
        c->req = -1;
        bt_buf_init(&c->out);
        c->in = bt_xmalloc(HL_RESPONSE_MAX + 1);
        if (conn_open(&l, c) != 0) {
            fprintf(stderr, "http_load: connect to %s: %s\n", l.host,
                    strerror(errno));
            return 2;
        }
    }
    int64_t t0 = now_us();
    bool finished = run(&l, t0 + timeout_us);
    report(&l, (double)(now_us() - t0) / 1e6, finished);
    for (int i = 0; i < l.nconns; i++) {
        conn_close(&l.conns[i]);
        bt_buf_fini(&l.conns[i].out);
        free(l.conns[i].in);
    }
    free(l.conns);
    free(l.latency_us);
    free(l.host);
    free(l.body_head);
    free(l.prefix);
    free(l.exec_head);
    return finished && l.errors == 0 ? 0 : 1;
}
