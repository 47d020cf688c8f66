/*
 * JSONata values as JSON: JSON.stringify as the reference uses it ($string,
 * error messages, $clone), and conversion from and to json-c at the edges
 * of an evaluation.
 *
 * Invariant: output follows JavaScript's JSON.stringify (escapes, members
 * in object order, undefined members dropped, undefined array items as
 * null); recursion is bounded by a depth limit.
 */
#include "statelang/sl_jsonata_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- JSON.stringify
 * ----------------------------------------------------------
 */

static void put_json_string(bt_buf *b, const char *s, size_t len)
{
    bt_buf_putc(b, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"':
            bt_buf_puts(b, "\\\"");
            continue;
        case '\\':
            bt_buf_puts(b, "\\\\");
            continue;
        case '\b':
            bt_buf_puts(b, "\\b");
            continue;
        case '\f':
            bt_buf_puts(b, "\\f");
            continue;
        case '\n':
            bt_buf_puts(b, "\\n");
            continue;
        case '\r':
            bt_buf_puts(b, "\\r");
            continue;
        case '\t':
            bt_buf_puts(b, "\\t");
            continue;
        default:
            break;
        }
        if (c < 0x20) {
            bt_buf_printf(b, "\\u%04x", c);
        } else if (c == 0xED && i + 2 < len &&
                   ((unsigned char)s[i + 1] & 0xE0) == 0xA0) {
            /* a lone surrogate kept as WTF-8 */
            unsigned cp = ((c & 0x0Fu) << 12) |
                          (((unsigned char)s[i + 1] & 0x3Fu) << 6) |
                          ((unsigned char)s[i + 2] & 0x3Fu);
            bt_buf_printf(b, "\\u%04x", cp);
            i += 2;
        } else {
            bt_buf_putc(b, (char)c);
        }
    }
    bt_buf_putc(b, '"');
}

/* Longest value text an error message quotes. */
#define MESSAGE_MAX ((size_t)1 << 16)

typedef struct strfy {
    sl__jn_ev *e; /* NULL: plain JSON.stringify (messages) */
    bt_buf *b;
    size_t charged; /* bytes of b already charged to e's heap */
    bool pretty;
    int depth;
} strfy;

static void newline(strfy *s)
{
    if (!s->pretty)
        return;
    bt_buf_putc(s->b, '\n');
    for (int i = 0; i < s->depth; i++)
        bt_buf_puts(s->b, "  ");
}

static int put_value(strfy *s, sl__jv v);

static int put_number(strfy *s, double d)
{
    if (!isfinite(d)) {
        if (s->e && !isnan(d))
            return sl__jn_throw_v(s->e, "D1001", sl__jv_num(d));
        bt_buf_puts(s->b, "null");
        return 0;
    }
    if (s->e && d != floor(d)) {
        /* Number(val.toPrecision(15)) */
        char text[40];
        snprintf(text, sizeof text, "%.14e", d);
        d = strtod(text, NULL);
    }
    sl__jn_format_number(s->b, d);
    return 0;
}

static int put_array(strfy *s, const sl__jarr *a)
{
    if (a->len == 0) {
        bt_buf_puts(s->b, "[]");
        return 0;
    }
    bt_buf_putc(s->b, '[');
    s->depth++;
    for (size_t i = 0; i < a->len; i++) {
        if (i)
            bt_buf_putc(s->b, ',');
        newline(s);
        sl__jv item = a->items[i];
        if (!sl__jv_defined(item))
            bt_buf_puts(s->b, "null");
        else if (put_value(s, item) != 0)
            return -1;
    }
    s->depth--;
    newline(s);
    bt_buf_putc(s->b, ']');
    return 0;
}

static int put_object(strfy *s, const sl__jobj *o)
{
    bool any = false;
    bt_buf_putc(s->b, '{');
    s->depth++;
    int rc = 0;
    for (size_t k = 0; k < o->len && rc == 0; k++) {
        const sl__jobj_ent *x = &o->items[k];
        if (!sl__jv_defined(x->val))
            continue;
        if (any)
            bt_buf_putc(s->b, ',');
        any = true;
        newline(s);
        put_json_string(s->b, x->key, x->klen);
        bt_buf_puts(s->b, s->pretty ? ": " : ":");
        rc = put_value(s, x->val);
    }
    s->depth--;
    if (any)
        newline(s);
    bt_buf_putc(s->b, '}');
    return rc;
}

static int put_value(strfy *s, sl__jv v)
{
    if (s->e) {
        /* the text so far is charged to the heap, in steps */
        size_t grown = s->b->len - s->charged;
        s->charged = s->b->len;
        if (sl__jn_walk_check(s->e, s->depth, grown) != 0)
            return -1;
    } else if (s->depth > SL__JN_VALUE_DEPTH || s->b->len > MESSAGE_MAX) {
        return -1; /* in an error message: cut short */
    }
    switch (v.type) {
    case SL__JV_NULL:
    case SL__JV_UNDEF:
        bt_buf_puts(s->b, "null");
        return 0;
    case SL__JV_BOOL:
        bt_buf_puts(s->b, v.b ? "true" : "false");
        return 0;
    case SL__JV_NUM:
        return put_number(s, v.u.n);
    case SL__JV_STR:
        put_json_string(s->b, v.u.s, v.len);
        return 0;
    case SL__JV_FN:
        bt_buf_puts(s->b, "\"\"");
        return 0;
    case SL__JV_ARR:
        return put_array(s, v.u.a);
    case SL__JV_OBJ:
        return put_object(s, v.u.o);
    default:
        return 0;
    }
}

void sl__jn_stringify(bt_buf *b, sl__jv v)
{
    strfy s = {.b = b};
    if (!sl__jv_defined(v)) {
        bt_buf_puts(b, "undefined");
        return;
    }
    put_value(&s, v);
}

int sl__jn_string(sl__jn_ev *e, sl__jv v, bool pretty, sl__jv *out)
{
    if (!sl__jv_defined(v)) {
        *out = v;
        return 0;
    }
    if (v.type == SL__JV_STR) {
        *out = v;
        return 0;
    }
    if (v.type == SL__JV_FN) {
        *out = sl__jv_str_ref("", 0);
        return 0;
    }
    if (v.type == SL__JV_NUM && !isfinite(v.u.n))
        return sl__jn_throw_v(e, "D3001", v);
    if (v.type == SL__JV_ARR && (v.u.a->flags & SL__JA_OUTER) && v.u.a->len > 0)
        v = v.u.a->items[0];
    bt_buf b;
    bt_buf_init(&b);
    strfy s = {.e = e, .b = &b, .pretty = pretty};
    if (put_value(&s, v) != 0) {
        bt_buf_fini(&b);
        return -1;
    }
    *out = sl__jv_str_buf(e, &b);
    return 0;
}

/* ---- $clone: JSON.parse(fn.string(v))
 * -----------------------------------------
 */

static int clone_value(sl__jn_ev *e, sl__jv v, int depth, sl__jv *out)
{
    if (sl__jn_walk_check(e, depth, 0) != 0)
        return -1;
    switch (v.type) {
    case SL__JV_NUM:
        if (!isfinite(v.u.n)) {
            if (!isnan(v.u.n))
                return sl__jn_throw_v(e, "D1001", v);
            *out = sl__jv_null();
            return 0;
        }
        if (v.u.n != floor(v.u.n)) {
            char text[40];
            snprintf(text, sizeof text, "%.14e", v.u.n);
            v.u.n = strtod(text, NULL);
        }
        *out = v;
        return 0;
    case SL__JV_FN:
        *out = sl__jv_str_ref("", 0);
        return 0;
    case SL__JV_UNDEF:
        *out = sl__jv_null();
        return 0;
    case SL__JV_ARR: {
        const sl__jarr *a = v.u.a;
        sl__jarr *c = sl__jarr_new(e, 0, a->len);
        for (size_t i = 0; i < a->len; i++)
            if (clone_value(e, a->items[i], depth + 1, &c->items[i]) != 0)
                return -1;
        c->len = a->len;
        *out = sl__jv_arr(c);
        return 0;
    }
    case SL__JV_OBJ: {
        const sl__jobj *o = v.u.o;
        sl__jobj *c = sl__jobj_new(e);
        for (size_t i = 0; i < o->len; i++) {
            sl__jv item;
            if (!sl__jv_defined(o->items[i].val))
                continue;
            if (clone_value(e, o->items[i].val, depth + 1, &item) != 0)
                return -1;
            sl__jobj_set(e, c, o->items[i].key, o->items[i].klen, item);
        }
        *out = sl__jv_obj(c);
        return 0;
    }
    default:
        *out = v;
        return 0;
    }
}

int sl__jn_clone(sl__jn_ev *e, sl__jv v, sl__jv *out)
{
    if (!sl__jv_defined(v)) {
        *out = v;
        return 0;
    }
    if (v.type == SL__JV_NUM && !isfinite(v.u.n))
        return sl__jn_throw_v(e, "D3001", v);
    if (v.type == SL__JV_ARR && (v.u.a->flags & SL__JA_OUTER) && v.u.a->len > 0)
        v = v.u.a->items[0];
    return clone_value(e, v, 0, out);
}

/* ---- json-c
 * ------------------------------------------------------------------
 */

static int from_json(sl__jn_ev *e, json_object *j, bool lent, int depth,
                     sl__jv *out)
{
    if (depth > SL__JN_VALUE_DEPTH)
        return sl__jn_walk_check(e, depth, 0); /* U1001 with its message */
    switch (json_object_get_type(j)) {
    case json_type_null:
        *out = sl__jv_null();
        return 0;
    case json_type_boolean:
        *out = sl__jv_bool(json_object_get_boolean(j));
        return 0;
    case json_type_int:
    case json_type_double:
        *out = sl__jv_num(json_object_get_double(j));
        return 0;
    case json_type_string:
        /* strings are immutable: a lent document's text is used in place */
        *out = lent ? sl__jv_str_ref(json_object_get_string(j),
                                     (size_t)json_object_get_string_len(j))
                    : sl__jv_str(e, json_object_get_string(j),
                                 (size_t)json_object_get_string_len(j));
        return 0;
    case json_type_array: {
        size_t n = json_object_array_length(j);
        sl__jarr *a = sl__jarr_new(e, 0, n);
        for (size_t i = 0; i < n; i++)
            if (from_json(e, json_object_array_get_idx(j, i), lent, depth + 1,
                          &a->items[i]) != 0)
                return -1;
        a->len = n;
        *out = sl__jv_arr(a);
        return 0;
    }
    case json_type_object: {
        sl__jobj *o = sl__jobj_new(e);
        size_t n = (size_t)json_object_object_length(j);
        if (n) {
            o->items = sl__jn_ev_alloc(e, n * sizeof *o->items);
            o->cap = n;
        }
        json_object_object_foreach(j, key, val)
        {
            sl__jv item;
            if (from_json(e, val, lent, depth + 1, &item) != 0)
                return -1;
            size_t klen = strlen(key);
            sl__jobj_set(e, o, lent ? key : sl__jv_str(e, key, klen).u.s, klen,
                         item);
        }
        *out = sl__jv_obj(o);
        return 0;
    }
    default:
        *out = sl__jv_null();
        return 0;
    }
}

int sl__jv_from_json(sl__jn_ev *e, json_object *j, sl__jv *out)
{
    return from_json(e, j, false, 0, out);
}

int sl__jv_from_json_lent(sl__jn_ev *e, json_object *j, sl__jv *out)
{
    return from_json(e, j, true, 0, out);
}

static json_object *number_json(double d)
{
    if (!isfinite(d))
        return NULL; /* JSON.stringify writes null */
    if (d == floor(d) && fabs(d) < 9007199254740992.0)
        return json_object_new_int64((int64_t)d);
    bt_buf b;
    bt_buf_init(&b);
    sl__jn_format_number(&b, d);
    json_object *j = json_object_new_double_s(d, b.data);
    bt_buf_fini(&b);
    return j;
}

/* A string for json-c, whose text must be UTF-8: a lone surrogate (kept
 * as WTF-8 inside the evaluator) becomes U+FFFD, as Node writes it. */
static json_object *string_json(const char *s, size_t len)
{
    const char *p = s;
    while ((p = memchr(p, 0xED, len - (size_t)(p - s))) != NULL) {
        if (p + 1 < s + len && ((unsigned char)p[1] & 0xE0) == 0xA0)
            break;
        p++;
    }
    if (!p)
        return json_object_new_string_len(s, (int)len);
    bt_buf b;
    bt_buf_init(&b);
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)s[i] == 0xED && i + 2 < len &&
            ((unsigned char)s[i + 1] & 0xE0) == 0xA0) {
            bt_buf_puts(&b, "\xEF\xBF\xBD");
            i += 2;
        } else {
            bt_buf_putc(&b, s[i]);
        }
    }
    json_object *j = json_object_new_string_len(b.data, (int)b.len);
    bt_buf_fini(&b);
    return j;
}

/* What a json-c node costs, roughly, charged to the heap limit so that a
 * result sharing its parts cannot expand into gigabytes. */
#define JSON_NODE_BYTES 64

static int to_json(sl__jn_ev *e, sl__jv v, int depth, json_object **out)
{
    *out = NULL;
    if (sl__jn_walk_check(
            e, depth, JSON_NODE_BYTES + (v.type == SL__JV_STR ? v.len : 0)) !=
        0)
        return -1;
    switch (v.type) {
    case SL__JV_BOOL:
        *out = json_object_new_boolean(v.b);
        return 0;
    case SL__JV_NUM:
        *out = number_json(v.u.n);
        return 0;
    case SL__JV_STR:
        *out = string_json(v.u.s, v.len);
        return 0;
    case SL__JV_FN:
        *out = json_object_new_string("");
        return 0;
    case SL__JV_ARR: {
        json_object *a = json_object_new_array_ext((int)v.u.a->len);
        for (size_t i = 0; i < v.u.a->len; i++) {
            json_object *item;
            if (to_json(e, v.u.a->items[i], depth + 1, &item) != 0) {
                json_object_put(a);
                return -1;
            }
            json_object_array_add(a, item);
        }
        *out = a;
        return 0;
    }
    case SL__JV_OBJ: {
        const sl__jobj *o = v.u.o;
        json_object *obj = json_object_new_object();
        for (size_t i = 0; i < o->len; i++) {
            json_object *item;
            if (!sl__jv_defined(o->items[i].val))
                continue;
            if (to_json(e, o->items[i].val, depth + 1, &item) != 0) {
                json_object_put(obj);
                return -1;
            }
            json_object_object_add(obj, o->items[i].key, item);
        }
        *out = obj;
        return 0;
    }
    default:
        return 0;
    }
}

int sl__jv_to_json(sl__jn_ev *e, sl__jv v, json_object **out)
{
    return to_json(e, v, 0, out);
}
