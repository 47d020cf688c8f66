/*
 * The least HTTP/1.1 the warm-call floor needs, on both of its ends
 * (bench_calls' trivial Runtime API, bench/warm/bootstrap_raw.c): a
 * blocking socket, one keep-alive connection, Content-Length bodies.
 * Not for anything else.
 */
#ifndef BATON_BENCH_RAW_HTTP_H
#define BATON_BENCH_RAW_HTTP_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

typedef struct raw_conn {
    int fd;
    char buf[65536];
    size_t len; /* bytes in buf */
    size_t msg; /* bytes of the message read last (raw_http_drop) */
} raw_conn;

static int raw_send_all(int fd, const char *p, size_t n)
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
static void raw_http_header(const char *head, const char *name, char *out,
                            size_t cap)
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

static int raw_fill(raw_conn *c)
{
    ssize_t r = recv(c->fd, c->buf + c->len, sizeof c->buf - 1 - c->len, 0);
    if (r <= 0)
        return -1;
    c->len += (size_t)r;
    return 0;
}

/* Reads one message into c->buf: its head, NUL-terminated at the start of
 * c->buf, and its body at *body, *n bytes. -1 at EOF or when it does not
 * fit. raw_http_drop removes it before the next one is read. */
static int raw_http_read(raw_conn *c, char **body, size_t *n)
{
    char *end;
    for (;;) {
        c->buf[c->len] = '\0';
        if ((end = strstr(c->buf, "\r\n\r\n")))
            break;
        if (raw_fill(c) != 0)
            return -1;
    }
    *end = '\0';
    char cl[32];
    raw_http_header(c->buf, "Content-Length:", cl, sizeof cl);
    size_t head = (size_t)(end + 4 - c->buf);
    *n = strtoul(cl, NULL, 10);
    if (head + *n >= sizeof c->buf)
        return -1;
    while (c->len < head + *n)
        if (raw_fill(c) != 0)
            return -1;
    *body = c->buf + head;
    c->msg = head + *n;
    return 0;
}

static void raw_http_drop(raw_conn *c)
{
    c->len -= c->msg;
    memmove(c->buf, c->buf + c->msg, c->len);
    c->msg = 0;
}

#endif
