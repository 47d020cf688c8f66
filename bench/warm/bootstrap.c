/*
 * A Lambda custom runtime in C for the warm-call benchmark: loops on the
 * Runtime API (GET next, POST the event back as the response) over one
 * keep-alive connection with libcurl, so what is measured is Baton's side,
 * not process or connection start-up. Not a test; see bench/calls.sh.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct buf {
    char *data;
    size_t len, cap;
} buf;

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    buf *b = ud;
    size_t add = size * n;
    if (b->len + add + 1 > b->cap) {
        b->cap = (b->len + add + 1) * 2;
        b->data = realloc(b->data, b->cap);
        if (!b->data)
            abort();
    }
    memcpy(b->data + b->len, p, add);
    b->len += add;
    b->data[b->len] = '\0';
    return add;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    static const char name[] = "Lambda-Runtime-Aws-Request-Id:";
    size_t len = size * n;
    if (len > sizeof name && !strncasecmp(p, name, sizeof name - 1)) {
        const char *v = p + sizeof name - 1;
        while (*v == ' ')
            v++;
        size_t vl = (size_t)(p + len - v);
        while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n'))
            vl--;
        snprintf(ud, 64, "%.*s", (int)vl, v);
    }
    return len;
}

int main(void)
{
    const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
    if (!api)
        return 1;
    char next[256], resp[512], id[64];
    snprintf(next, sizeof next, "http://%s/2018-06-01/runtime/invocation/next",
             api);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURL *c = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, "Expect:");
    buf event = {0};
    for (;;) {
        event.len = 0;
        id[0] = '\0';
        curl_easy_reset(c);
        curl_easy_setopt(c, CURLOPT_URL, next);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &event);
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, id);
        if (curl_easy_perform(c) != CURLE_OK || !id[0])
            return 1;
        snprintf(resp, sizeof resp,
                 "http://%s/2018-06-01/runtime/invocation/%s/response", api,
                 id);
        curl_easy_reset(c);
        curl_easy_setopt(c, CURLOPT_URL, resp);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, event.data ? event.data : "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)event.len);
        buf ignored = {0};
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &ignored);
        if (curl_easy_perform(c) != CURLE_OK)
            return 1;
        free(ignored.data);
    }
}
