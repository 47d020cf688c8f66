/*
 * JSONata functions that search strings with a matcher: $contains $match
 * $replace $split. A matcher is a regex or any function returning the
 * reference's match objects {match, start, end, groups, next}; positions
 * are UTF-16 code units, converted to bytes where strings are cut.
 *
 * Invariant: a matcher's result is checked the way the reference's
 * evaluateMatcher checks it (T1010) before any field is used.
 */
#include "statelang/sl_jsonata_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static sl__jv arg(const sl__jn_call *c, size_t i)
{
    return i < c->n ? c->args[i] : sl__jv_undef();
}

static sl__jv field(sl__jv m, const char *key)
{
    sl__jv v = sl__jv_undef();
    if (m.type == SL__JV_OBJ)
        sl__jobj_get(m.u.o, key, strlen(key), &v);
    return v;
}

/* evaluateMatcher: calls matcher with str, checks the result's shape. */
static int run_matcher(sl__jn_ev *e, const sl__jn_call *c, sl__jv matcher,
                       sl__jv str, sl__jv *out)
{
    *out = sl__jv_undef();
    if (matcher.type != SL__JV_FN)
        return 0;
    if (sl__jn_invoke(e, matcher, &str, 1, c->env, out) != 0)
        return -1;
    if (!sl__jn_truthy(*out))
        return 0;
    if (field(*out, "start").type == SL__JV_NUM ||
        field(*out, "groups").type == SL__JV_ARR ||
        field(*out, "next").type == SL__JV_FN)
        return 0;
    return sl__jn_throw(e, "T1010");
}

static int next_match(sl__jn_ev *e, const sl__jn_call *c, sl__jv m, sl__jv *out)
{
    return run_matcher(e, c, field(m, "next"), sl__jv_undef(), out);
}

static double num_field(sl__jv m, const char *key)
{
    sl__jv v = field(m, key);
    return v.type == SL__JV_NUM ? v.u.n : 0;
}

static bool limited(sl__jv limit, size_t count)
{
    return sl__jv_defined(limit) &&
           !((double)count < (limit.type == SL__JV_NUM ? limit.u.n : NAN));
}

static int negative_limit(sl__jn_ev *e, sl__jv limit, const char *code,
                          int index)
{
    sl__jn_throw_v(e, code, limit);
    e->err.index = index;
    return -1;
}

static bool is_negative(sl__jv limit)
{
    return limit.type == SL__JV_NUM && limit.u.n < 0;
}

static const char *search(sl__jv s, size_t from, sl__jv needle)
{
    for (size_t i = from; i + needle.len <= s.len; i++)
        if (memcmp(s.u.s + i, needle.u.s, needle.len) == 0)
            return s.u.s + i;
    return NULL;
}

/* ---- $contains, $match
 * ----------------------------------------------------------------
 */

static int fn_contains(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    sl__jv s = arg(c, 0), token = arg(c, 1);
    if (s.type != SL__JV_STR || !sl__jv_defined(token))
        return 0;
    if (token.type == SL__JV_STR) {
        *out = sl__jv_bool(search(s, 0, token) != NULL);
        return 0;
    }
    sl__jv m;
    if (run_matcher(e, c, token, s, &m) != 0)
        return -1;
    *out = sl__jv_bool(sl__jv_defined(m));
    return 0;
}

static int fn_match(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    sl__jv s = arg(c, 0), limit = arg(c, 2);
    if (s.type != SL__JV_STR)
        return 0;
    if (is_negative(limit))
        return negative_limit(e, limit, "D3040", 3);
    sl__jv result = sl__jn_seq(e);
    sl__jv m;
    if (run_matcher(e, c, arg(c, 1), s, &m) != 0)
        return -1;
    for (size_t count = 0; sl__jv_defined(m) && !limited(limit, count);
         count++) {
        sl__jobj *o = sl__jobj_new(e);
        sl__jobj_set(e, o, "match", 5, field(m, "match"));
        sl__jobj_set(e, o, "index", 5, field(m, "start"));
        sl__jobj_set(e, o, "groups", 6, field(m, "groups"));
        sl__jarr_push(e, result.u.a, sl__jv_obj(o));
        if (next_match(e, c, m, &m) != 0)
            return -1;
    }
    *out = result;
    return 0;
}

/* ---- $replace
 * ---------------------------------------------------------------------------
 */

/* The reference's $n substitution in a replacement string. */
static void substitute(bt_buf *b, sl__jv repl, sl__jv m)
{
    sl__jv match = field(m, "match"), groups = field(m, "groups");
    size_t ng = groups.type == SL__JV_ARR ? groups.u.a->len : 0;
    const char *r = repl.u.s;
    size_t n = repl.len, pos = 0;
    const char *dollar = memchr(r, '$', n);
    while (dollar && pos < n) {
        size_t at = (size_t)(dollar - r);
        bt_buf_append(b, r + pos, at - pos);
        pos = at + 1;
        char next = pos < n ? r[pos] : '\0';
        if (next == '$') {
            bt_buf_putc(b, '$');
            pos++;
        } else if (next == '0') {
            if (match.type == SL__JV_STR)
                bt_buf_append(b, match.u.s, match.len);
            pos++;
        } else {
            size_t max_digits =
                ng == 0 ? 1 : (size_t)floor(log10((double)ng)) + 1;
            size_t digits = 0, index = 0;
            while (digits < max_digits && pos + digits < n &&
                   r[pos + digits] >= '0' && r[pos + digits] <= '9')
                index = index * 10 + (size_t)(r[pos + digits++] - '0');
            if (max_digits > 1 && digits == max_digits && index > ng) {
                index /= 10;
                digits--;
            }
            if (digits > 0) {
                if (ng > 0 && index >= 1 && index <= ng) {
                    sl__jv g = groups.u.a->items[index - 1];
                    if (g.type == SL__JV_STR)
                        bt_buf_append(b, g.u.s, g.len);
                }
                char text[24];
                pos += (size_t)snprintf(text, sizeof text, "%zu", index);
            } else {
                bt_buf_putc(b, '$');
            }
        }
        dollar = pos < n ? memchr(r + pos, '$', n - pos) : NULL;
    }
    if (pos < n)
        bt_buf_append(b, r + pos, n - pos);
}

static int replace_text(sl__jn_ev *e, sl__jv s, sl__jv pattern, sl__jv repl,
                        sl__jv limit, sl__jv *out)
{
    bt_buf b;
    bt_buf_init(&b);
    size_t pos = 0, count = 0;
    const char *at = search(s, 0, pattern);
    while (at && !limited(limit, count)) {
        size_t i = (size_t)(at - s.u.s);
        bt_buf_append(&b, s.u.s + pos, i - pos);
        if (repl.type == SL__JV_STR)
            bt_buf_append(&b, repl.u.s, repl.len);
        pos = i + pattern.len;
        count++;
        at = search(s, pos, pattern);
    }
    bt_buf_append(&b, s.u.s + pos, s.len - pos);
    *out = sl__jv_str_buf(e, &b);
    return 0;
}

static int replacement(sl__jn_ev *e, const sl__jn_call *c, sl__jv repl,
                       sl__jv m, bt_buf *b)
{
    if (repl.type == SL__JV_STR) {
        substitute(b, repl, m);
        return 0;
    }
    sl__jv r;
    if (sl__jn_invoke(e, repl, &m, 1, c->env, &r) != 0)
        return -1;
    if (r.type != SL__JV_STR)
        return sl__jn_throw_v(e, "D3012", r);
    bt_buf_append(b, r.u.s, r.len);
    return 0;
}

static int replace_matches(sl__jn_ev *e, const sl__jn_call *c, sl__jv s,
                           sl__jv repl, sl__jv limit, sl__jv m, sl__jv *out)
{
    bt_buf b;
    bt_buf_init(&b);
    size_t pos = 0; /* bytes */
    for (size_t count = 0; sl__jv_defined(m) && !limited(limit, count);
         count++) {
        size_t start =
            sl__jn_u16_to_byte(s.u.s, s.len, (size_t)num_field(m, "start"));
        if (start > pos)
            bt_buf_append(&b, s.u.s + pos, start - pos);
        if (replacement(e, c, repl, m, &b) != 0) {
            bt_buf_fini(&b);
            return -1;
        }
        sl__jv match = field(m, "match");
        size_t mlen = match.type == SL__JV_STR ? match.len : 0;
        pos = start + mlen > s.len ? s.len : start + mlen;
        if (next_match(e, c, m, &m) != 0) {
            bt_buf_fini(&b);
            return -1;
        }
    }
    bt_buf_append(&b, s.u.s + pos, s.len - pos);
    *out = sl__jv_str_buf(e, &b);
    return 0;
}

static int fn_replace(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    sl__jv s = arg(c, 0), pattern = arg(c, 1), repl = arg(c, 2),
           limit = arg(c, 3);
    if (s.type != SL__JV_STR)
        return 0;
    if (pattern.type == SL__JV_STR && pattern.len == 0) {
        sl__jn_throw_v(e, "D3010", pattern);
        e->err.index = 2;
        return -1;
    }
    if (is_negative(limit))
        return negative_limit(e, limit, "D3011", 4);
    if (limited(limit, 0)) {
        *out = s;
        return 0;
    }
    if (pattern.type == SL__JV_STR)
        return replace_text(e, s, pattern, repl, limit, out);
    sl__jv m;
    if (run_matcher(e, c, pattern, s, &m) != 0)
        return -1;
    if (!sl__jv_defined(m)) {
        *out = s;
        return 0;
    }
    return replace_matches(e, c, s, repl, limit, m, out);
}

/* ---- $split
 * -------------------------------------------------------------------------------
 */

static void push_str(sl__jn_ev *e, sl__jarr *a, const char *s, size_t n)
{
    sl__jarr_push(e, a, sl__jv_str(e, s, n));
}

static void split_text(sl__jn_ev *e, sl__jv s, sl__jv sep, sl__jv limit,
                       sl__jarr *result)
{
    double max = limit.type == SL__JV_NUM ? trunc(limit.u.n) : INFINITY;
    if (sep.len == 0) {
        for (size_t i = 0; i < s.len && (double)result->len < max;) {
            size_t next = sl__jn_cp_to_byte(s.u.s + i, s.len - i, 1);
            push_str(e, result, s.u.s + i, next);
            i += next;
        }
        return;
    }
    size_t pos = 0;
    const char *at = search(s, 0, sep);
    while ((double)result->len < max) {
        size_t end = at ? (size_t)(at - s.u.s) : s.len;
        push_str(e, result, s.u.s + pos, end - pos);
        if (!at)
            break;
        pos = end + sep.len;
        at = search(s, pos, sep);
    }
}

static int split_matches(sl__jn_ev *e, const sl__jn_call *c, sl__jv s,
                         sl__jv limit, sl__jv m, sl__jarr *result)
{
    size_t start = 0, count = 0;
    for (; sl__jv_defined(m) && !limited(limit, count); count++) {
        size_t ms =
            sl__jn_u16_to_byte(s.u.s, s.len, (size_t)num_field(m, "start"));
        if (ms < start)
            ms = start;
        push_str(e, result, s.u.s + start, ms - start);
        start = sl__jn_u16_to_byte(s.u.s, s.len, (size_t)num_field(m, "end"));
        if (next_match(e, c, m, &m) != 0)
            return -1;
    }
    if (!limited(limit, count))
        push_str(e, result, s.u.s + start, start < s.len ? s.len - start : 0);
    return 0;
}

static int fn_split(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    sl__jv s = arg(c, 0), sep = arg(c, 1), limit = arg(c, 2);
    if (s.type != SL__JV_STR)
        return 0;
    if (is_negative(limit))
        return negative_limit(e, limit, "D3020", 3);
    sl__jarr *result = sl__jarr_new(e, 0, 0);
    *out = sl__jv_arr(result);
    if (limited(limit, 0))
        return 0;
    if (sep.type == SL__JV_STR) {
        split_text(e, s, sep, limit, result);
        return 0;
    }
    sl__jv m;
    if (run_matcher(e, c, sep, s, &m) != 0)
        return -1;
    if (!sl__jv_defined(m)) {
        sl__jarr_push(e, result, s);
        return 0;
    }
    return split_matches(e, c, s, limit, m, result);
}

const sl__jn_builtin sl__jn_fn_re[] = {
    {"contains", "<s-(sf):b>", 2, 2, false, fn_contains},
    {"match", "<s-f<s:o>n?:a<o>>", 3, 3, false, fn_match},
    {"replace", "<s-(sf)(sf)n?:s>", 4, 4, false, fn_replace},
    {"split", "<s-(sf)n?:a<s>>", 3, 3, false, fn_split},
};
const size_t sl__jn_fn_re_n = sizeof sl__jn_fn_re / sizeof *sl__jn_fn_re;
