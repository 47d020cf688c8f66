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

#include "../raw_http.h"

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

/* Reads one response; its body is copied into body (NUL-terminated), its
 * request id into id (when not NULL). */
static int read_response(raw_conn *c, char *id, char *body, size_t cap)
{
    char *b;
    size_t n;
    if (raw_http_read(c, &b, &n) != 0 || n >= cap)
        return -1;
    if (id)
        raw_http_header(c->buf, "Lambda-Runtime-Aws-Request-Id:", id, 64);
    memcpy(body, b, n);
    body[n] = '\0';
    raw_http_drop(c);
    return 0;
}

int main(void)
{
    const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
    static raw_conn c;
    if (!api || (c.fd = dial(api)) < 0)
        return 1;
    static char event[32768], ignored[4096], req[40000];
    char id[64];
    for (;;) {
        int n = snprintf(req, sizeof req,
                         "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\n"
                         "Host: %s\r\n\r\n",
                         api);
        if (raw_send_all(c.fd, req, (size_t)n) ||
            read_response(&c, id, event, sizeof event) || !id[0])
            return 1;
        size_t len = strlen(event);
        n = snprintf(req, sizeof req,
                     "POST /2018-06-01/runtime/invocation/%s/response "
                     "HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json"
                     "\r\nContent-Length: %zu\r\n\r\n%s",
                     id, api, len, event);
        if (n < 0 || (size_t)n >= sizeof req ||
            raw_send_all(c.fd, req, (size_t)n) ||
            read_response(&c, NULL, ignored, sizeof ignored))
            return 1;
    }
}
