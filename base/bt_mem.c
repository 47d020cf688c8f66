/*
 * Allocation, growable buffers and the system error table.
 * Every allocation failure ends in bt_oom(), so callers never check for NULL.
 */
#include "base/base.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *bt_strerror(int code)
{
    switch (code) {
#define BT_ERR_CASE(name, value, text)                                         \
    case value:                                                                \
        return text;
        BT_ERRORS(BT_ERR_CASE)
#undef BT_ERR_CASE
    default:
        return "unknown error";
    }
}

void bt_oom(void)
{
    fputs("baton: out of memory\n", stderr);
    abort();
}

void *bt_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        bt_oom();
    return p;
}

void *bt_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        bt_oom();
    return p;
}

void *bt_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        bt_oom();
    return q;
}

void *bt_grow(void *p, size_t n, size_t *cap, size_t elem)
{
    if (n < *cap)
        return p;
    *cap = *cap ? *cap * 2 : 16;
    return bt_xrealloc(p, *cap * elem);
}

char *bt_xstrdup(const char *s)
{
    return bt_xstrndup(s, strlen(s));
}

char *bt_xstrndup(const char *s, size_t n)
{
    char *p = bt_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *bt_xvasprintf(const char *fmt, va_list ap)
{
    bt_buf b;
    bt_buf_init(&b);
    bt_buf_vprintf(&b, fmt, ap);
    return bt_buf_take(&b);
}

char *bt_xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = bt_xvasprintf(fmt, ap);
    va_end(ap);
    return s;
}

void bt_buf_init(bt_buf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void bt_buf_fini(bt_buf *b)
{
    free(b->data);
    bt_buf_init(b);
}

void bt_buf_reset(bt_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

static void buf_reserve(bt_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    b->data = bt_xrealloc(b->data, cap);
    b->cap = cap;
}

void bt_buf__append_grow(bt_buf *b, const void *p, size_t n)
{
    buf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void bt_buf_puts(bt_buf *b, const char *s)
{
    bt_buf_append(b, s, strlen(s));
}

/* Writes u's decimal digits so that they end at e; returns where they
 * begin. */
static char *digits(char *e, uint64_t u)
{
    static const char pairs[] = "00010203040506070809"
                                "10111213141516171819"
                                "20212223242526272829"
                                "30313233343536373839"
                                "40414243444546474849"
                                "50515253545556575859"
                                "60616263646566676869"
                                "70717273747576777879"
                                "80818283848586878889"
                                "90919293949596979899";
    char *p = e;
    /* Two digits per division: ids and timestamps are 5-13 digits and
     * every event has three of them. */
    while (u >= 100) {
        unsigned d = (unsigned)(u % 100) * 2;
        u /= 100;
        *--p = pairs[d + 1];
        *--p = pairs[d];
    }
    if (u >= 10) {
        *--p = pairs[u * 2 + 1];
        *--p = pairs[u * 2];
    } else {
        *--p = (char)('0' + u);
    }
    return p;
}

void bt_buf_int(bt_buf *b, int64_t v)
{
    char t[24], *e = t + sizeof t;
    /* Negate in unsigned arithmetic: INT64_MIN has no positive twin. */
    char *p = digits(e, v < 0 ? 0 - (uint64_t)v : (uint64_t)v);
    if (v < 0)
        *--p = '-';
    bt_buf_append(b, p, (size_t)(e - p));
}

void bt_buf_uint(bt_buf *b, uint64_t v)
{
    char t[24], *e = t + sizeof t, *p = digits(e, v);
    bt_buf_append(b, p, (size_t)(e - p));
}

void bt_buf_json_str(bt_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    /* Written straight into the buffer, a chunk at a time with room for
     * the worst case (6 bytes a byte): events quote every state's input
     * and output text, and appending piece by piece cost more than the
     * text itself. */
    enum { CHUNK = 1024 };
    buf_reserve(b, 1);
    b->data[b->len++] = '"';
    for (size_t i = 0; i < n;) {
        size_t stop = n - i > CHUNK ? i + CHUNK : n;
        buf_reserve(b, (stop - i) * 6 + 1);
        char *o = b->data + b->len;
        for (; i < stop; i++) {
            unsigned char c = (unsigned char)s[i];
            if (c >= 0x20 && c != '"' && c != '\\') {
                *o++ = (char)c;
                continue;
            }
            *o++ = '\\';
            switch (c) {
            case '"':
            case '\\':
                *o++ = (char)c;
                break;
            case '\b':
                *o++ = 'b';
                break;
            case '\f':
                *o++ = 'f';
                break;
            case '\n':
                *o++ = 'n';
                break;
            case '\r':
                *o++ = 'r';
                break;
            case '\t':
                *o++ = 't';
                break;
            default:
                *o++ = 'u';
                *o++ = '0';
                *o++ = '0';
                *o++ = hex[c >> 4];
                *o++ = hex[c & 15];
                break;
            }
        }
        b->len = (size_t)(o - b->data);
    }
    buf_reserve(b, 1);
    b->data[b->len++] = '"';
    b->data[b->len] = '\0';
}

void bt_buf_vprintf(bt_buf *b, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        return;
    buf_reserve(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void bt_buf_printf(bt_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bt_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

char *bt_buf_take(bt_buf *b)
{
    char *p = b->data ? b->data : bt_xstrdup("");
    bt_buf_init(b);
    return p;
}
