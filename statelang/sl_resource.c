/*
 * Task resource URIs: which forms Baton recognises (reference §7.1).
 * A Lambda function ARN, an activity ARN, or an optimised / SDK service
 * integration under arn:<partition>:states:::. Region and account may be
 * empty or unusual (definitions carry placeholders); names may not.
 */
#include "statelang/statelang_int.h"

#include <string.h>

static bool partition_ok(const char *p, size_t n)
{
    return (n == 3 && !memcmp(p, "aws", 3)) ||
           (n == 6 && !memcmp(p, "aws-cn", 6)) ||
           (n == 10 && !memcmp(p, "aws-us-gov", 10));
}

static bool chars_ok(const char *p, size_t n, const char *extra)
{
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                     (c >= '0' && c <= '9');
        if (!alnum && !strchr(extra, c))
            return false;
    }
    return true;
}

/* Splits s at ':' into at most max fields; returns the count. */
static size_t split(const char *s, const char **f, size_t *len, size_t max)
{
    size_t n = 0;
    const char *p = s;
    while (n < max) {
        const char *c = n + 1 < max ? strchr(p, ':') : NULL;
        f[n] = p;
        len[n] = c ? (size_t)(c - p) : strlen(p);
        n++;
        if (!c)
            break;
        p = c + 1;
    }
    return n;
}

static sl_resource_kind lambda_arn(const char **f, size_t *len, size_t n)
{
    /* f[5] == "function", f[6] = name, f[7] = qualifier */
    if (n < 7 || len[5] != 8 || memcmp(f[5], "function", 8))
        return SL_RES_INVALID;
    if (len[6] < 1 || len[6] > 140 || !chars_ok(f[6], len[6], "-_"))
        return SL_RES_INVALID;
    if (n == 8) {
        bool latest = len[7] == 7 && !memcmp(f[7], "$LATEST", 7);
        if (!latest &&
            (len[7] < 1 || len[7] > 128 || !chars_ok(f[7], len[7], "-_")))
            return SL_RES_INVALID;
    }
    return SL_RES_LAMBDA_ARN;
}

static sl_resource_kind integration(const char *rest, sl_resource_pattern *pat)
{
    /* rest = SERVICE:ACTION[.suffix] or aws-sdk:SERVICE:ACTION[.suffix] */
    const char *f[4];
    size_t len[4];
    size_t n = split(rest, f, len, 4);
    size_t svc = 0;
    if (n >= 1 && len[0] == 7 && !memcmp(f[0], "aws-sdk", 7))
        svc = 1;
    if (n != svc + 2 && !(n == svc + 3 && len[n - 1] == 1 &&
                          !memcmp(f[n - 1], "2", 1) && n - 2 == svc + 1))
        return SL_RES_INVALID;
    if (len[svc] == 0 || !chars_ok(f[svc], len[svc], "-._"))
        return SL_RES_INVALID;
    const char *action = f[svc + 1];
    size_t alen = n == svc + 3 ? (size_t)(f[n - 1] + 1 - action) : len[svc + 1];
    /* Suffixes: .sync, .sync:2, .waitForTaskToken */
    *pat = SL_PATTERN_REQUEST_RESPONSE;
    const char *dot = memchr(action, '.', alen);
    size_t base = dot ? (size_t)(dot - action) : alen;
    if (dot) {
        size_t sl = alen - base;
        if (sl == 5 && !memcmp(dot, ".sync", 5))
            *pat = SL_PATTERN_SYNC;
        else if (sl == 7 && !memcmp(dot, ".sync:2", 7))
            *pat = SL_PATTERN_SYNC2;
        else if (sl == 17 && !memcmp(dot, ".waitForTaskToken", 17))
            *pat = SL_PATTERN_CALLBACK;
        else
            return SL_RES_INVALID;
    } else if (n == svc + 3) {
        return SL_RES_INVALID;
    }
    if (base == 0 || !chars_ok(action, base, ""))
        return SL_RES_INVALID;
    return SL_RES_INTEGRATION;
}

sl_resource_kind sl__resource_classify(const char *arn,
                                       sl_resource_pattern *pattern)
{
    const char *f[8];
    size_t len[8];
    sl_resource_pattern pat = SL_PATTERN_REQUEST_RESPONSE;
    size_t n = split(arn, f, len, 8);
    if (n < 6 || len[0] != 3 || memcmp(f[0], "arn", 3) ||
        !partition_ok(f[1], len[1]))
        return SL_RES_INVALID;
    if (!chars_ok(f[3], len[3], "-") || !chars_ok(f[4], len[4], ""))
        return SL_RES_INVALID;
    sl_resource_kind kind = SL_RES_INVALID;
    if (len[2] == 6 && !memcmp(f[2], "lambda", 6)) {
        kind = lambda_arn(f, len, n);
    } else if (len[2] == 6 && !memcmp(f[2], "states", 6)) {
        if (len[5] == 8 && !memcmp(f[5], "activity", 8) && n == 7 &&
            len[6] >= 1 && len[6] <= 80 && chars_ok(f[6], len[6], "-_."))
            kind = SL_RES_ACTIVITY;
        else if (len[3] == 0 && len[4] == 0)
            kind = integration(f[5], &pat);
    }
    if (kind != SL_RES_INVALID && pattern)
        *pattern = pat;
    return kind;
}
