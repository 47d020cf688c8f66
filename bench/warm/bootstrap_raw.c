/*
 * A reference point for the warm-call benchmark, NOT a representative
 * runtime: the same echo loop as bootstrap.c (GET next, POST the event back
 * as the response) written against a bare blocking socket with
 * TCP_NODELAY, one write per request and no HTTP library. Real runtimes
 * use libcurl or their language's HTTP client (bootstrap.c stands for
 * them); this one shows what the client side of an exchange costs at the
 * least. Understands only what the benchmark needs: Content-Length bodies
 * on one keep-alive connection.
 */
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct conn {
    int fd;
    char buf[65536];
    size_t len; /* bytes in buf */
} conn;

static int dial(const char *api)
{
    char host[128];
    snprintf(host, sizeof host, "%s", api);
    char *colon = strrchr(host, ':');
    if (!colon)
        return -1;
    *colon = '\0';
    struct addrinfo hints = {0}, *ai;
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, colon + 1, &hints, &ai) != 0)
        return -1;
    int fd = socket(ai->ai_family, ai->ai_socktype, 0);
    int one = 1;
    if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 ||
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0)
        fd = -1;
    freeaddrinfo(ai);
    return fd;
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* The value of header name (with its colon) in head, copied into out. */
static void header(const char *head, const char *name, char *out, size_t cap)
{
    out[0] = '\0';
    size_t nl = strlen(name);
    for (const char *p = strstr(head, "\r\n"); p; p = strstr(p + 2, "\r\n")) {
        if (strncasecmp(p + 2, name, nl))
            continue;
        const char *v = p + 2 + nl;
        while (*v == ' ')
            v++;
        size_t vl = strcspn(v, "\r\n");
        snprintf(out, cap, "%.*s", (int)(vl < cap ? vl : cap - 1), v);
        return;
    }
}

/* Reads one response; its body is copied into body (NUL-terminated). */
static int read_response(conn *c, char *id, char *body, size_t cap)
{
    char *end;
    for (;;) {
        c->buf[c->len] = '\0';
        if ((end = strstr(c->buf, "\r\n\r\n")))
            break;
        ssize_t r = recv(c->fd, c->buf + c->len, sizeof c->buf - 1 - c->len, 0);
        if (r <= 0)
            return -1;
        c->len += (size_t)r;
    }
    *end = '\0';
    char cl[32];
    header(c->buf, "Content-Length:", cl, sizeof cl);
    if (id)
        header(c->buf, "Lambda-Runtime-Aws-Request-Id:", id, 64);
    size_t head = (size_t)(end + 4 - c->buf), n = strtoul(cl, NULL, 10);
    if (head + n >= sizeof c->buf || n >= cap)
        return -1;
    while (c->len < head + n) {
        ssize_t r = recv(c->fd, c->buf + c->len, sizeof c->buf - 1 - c->len, 0);
        if (r <= 0)
            return -1;
        c->len += (size_t)r;
    }
    memcpy(body, c->buf + head, n);
    body[n] = '\0';
    c->len -= head + n;
    memmove(c->buf, c->buf + head + n, c->len);
    return 0;
}

int main(void)
{
    const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
    static conn c;
    if (!api || (c.fd = dial(api)) < 0)
        return 1;
    static char event[32768], ignored[4096], req[40000];
    char id[64];
    for (;;) {
        int n = snprintf(req, sizeof req,
                         "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\n"
                         "Host: %s\r\n\r\n",
                         api);
        if (send_all(c.fd, req, (size_t)n) ||
            read_response(&c, id, event, sizeof event) || !id[0])
            return 1;
        size_t len = strlen(event);
        n = snprintf(req, sizeof req,
                     "POST /2018-06-01/runtime/invocation/%s/response "
                     "HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json"
                     "\r\nContent-Length: %zu\r\n\r\n%s",
                     id, api, len, event);
        if (n < 0 || (size_t)n >= sizeof req ||
            send_all(c.fd, req, (size_t)n) ||
            read_response(&c, NULL, ignored, sizeof ignored))
            return 1;
    }
}
