/*
 * JSON helpers over json-c: strict parsing with a depth bound and a
 * line/column on failure, compact serialisation, and a position finder that
 * maps a JSON Pointer back to the line and column of the source text (json-c
 * keeps no positions, and diagnostics must point into the user's file).
 *
 * The position finder is a scanner, not a parser: it trusts that the text
 * already parsed, walks it iteratively and never allocates per value.
 */
#include "base/base.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void offset_to_line_col(const char *text, size_t off, int *line,
                               int *column)
{
    int l = 1;
    size_t line_start = 0;
    for (size_t i = 0; i < off; i++) {
        if (text[i] == '\n') {
            l++;
            line_start = i + 1;
        }
    }
    *line = l;
    *column = (int)bt_utf8_length(text + line_start, off - line_start) + 1;
}

/* Offset of the first byte that is not valid UTF-8, or len. */
static size_t utf8_invalid_at(const char *text, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        if ((unsigned char)text[i] < 0x80) {
            i++;
            continue;
        }
        size_t n = bt_utf8_decode(text + i, len - i, &cp);
        if (n == 0 || (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += n;
    }
    return len;
}

/* A tokener holds a stack as deep as the parse may nest (10 KB zeroed for
 * 256), which cost more than parsing a function's small answer: each
 * thread keeps its last one for the next parse with the same depth. */
static pthread_key_t tokener_key;
static pthread_once_t tokener_once = PTHREAD_ONCE_INIT;
static _Thread_local int tokener_depth;

static void tokener_drop(void *tok)
{
    json_tokener_free(tok);
}

static void tokener_key_make(void)
{
    if (pthread_key_create(&tokener_key, tokener_drop) != 0)
        bt_oom();
}

static json_tokener *tokener_take(int depth)
{
    pthread_once(&tokener_once, tokener_key_make);
    json_tokener *tok = pthread_getspecific(tokener_key);
    if (tok && tokener_depth == depth) {
        pthread_setspecific(tokener_key, NULL);
        json_tokener_reset(tok);
        return tok;
    }
    tok = json_tokener_new_ex(depth);
    if (!tok)
        bt_oom();
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    return tok;
}

static void tokener_give(json_tokener *tok, int depth)
{
    json_tokener *old = pthread_getspecific(tokener_key);
    if (pthread_setspecific(tokener_key, tok) != 0) {
        json_tokener_free(tok);
        return;
    }
    if (old) /* json_tokener_free does not take NULL */
        json_tokener_free(old);
    tokener_depth = depth;
}

int bt_json_parse(const char *text, size_t len, int max_depth,
                  json_object **out, bt_json_error *err)
{
    size_t bad = utf8_invalid_at(text, len);
    if (bad < len) {
        if (err) {
            offset_to_line_col(text, bad, &err->line, &err->column);
            snprintf(err->message, sizeof err->message,
                     "invalid UTF-8 byte 0x%02x",
                     (unsigned)(unsigned char)text[bad]);
        }
        return BT_EPARSE;
    }
    json_tokener *tok = tokener_take(max_depth);
    json_object *obj = json_tokener_parse_ex(tok, text, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    if (!obj && jerr == json_tokener_continue) {
        /* A top-level number waits for more digits: end the input. */
        obj = json_tokener_parse_ex(tok, "", 1);
        jerr = json_tokener_get_error(tok);
        end = len;
    }
    if (end > len)
        end = len;
    /* json-c returns NULL for a top-level null: success decides. */
    bool parsed = jerr == json_tokener_success;
    if (parsed) {
        size_t i = end;
        while (i < len && strchr(" \t\r\n", text[i]) && text[i] != '\0')
            i++;
        if (i < len) {
            json_object_put(obj);
            obj = NULL;
            parsed = false;
            end = i;
        }
    }
    tokener_give(tok, max_depth);
    if (parsed) {
        *out = obj;
        return 0;
    }
    if (err) {
        offset_to_line_col(text, end, &err->line, &err->column);
        const char *why;
        if (jerr == json_tokener_success)
            why = "unexpected text after the JSON value";
        else if (jerr == json_tokener_continue)
            why = "unexpected end of input";
        else if (jerr == json_tokener_error_depth)
            why = "nesting too deep";
        else
            why = json_tokener_error_desc(jerr);
        snprintf(err->message, sizeof err->message, "%s", why);
    }
    return BT_EPARSE;
}

const char *bt_json_compact(json_object *obj)
{
    return bt_json_compact_len(obj, NULL);
}

const char *bt_json_compact_len(json_object *obj, size_t *len)
{
    return json_object_to_json_string_length(
        obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, len);
}

void bt_buf_json(bt_buf *b, json_object *obj)
{
    switch (json_object_get_type(obj)) {
    case json_type_null:
        bt_buf_lit(b, "null");
        return;
    case json_type_boolean:
        if (json_object_get_boolean(obj))
            bt_buf_lit(b, "true");
        else
            bt_buf_lit(b, "false");
        return;
    case json_type_int: {
        /* json-c keeps values above INT64_MAX as unsigned; reading them
         * as int64 gives INT64_MAX. */
        int64_t v = json_object_get_int64(obj);
        uint64_t u;
        if (v == INT64_MAX && (u = json_object_get_uint64(obj)) > INT64_MAX)
            bt_buf_uint(b, u);
        else
            bt_buf_int(b, v);
        return;
    }
    case json_type_string:
        bt_buf_json_str(b, json_object_get_string(obj),
                        (size_t)json_object_get_string_len(obj));
        return;
    case json_type_array: {
        size_t n = json_object_array_length(obj);
        bt_buf_putc(b, '[');
        for (size_t i = 0; i < n; i++) {
            if (i)
                bt_buf_putc(b, ',');
            bt_buf_json(b, json_object_array_get_idx(obj, i));
        }
        bt_buf_putc(b, ']');
        return;
    }
    case json_type_object: {
        bool first = true;
        bt_buf_putc(b, '{');
        json_object_object_foreach(obj, k, v)
        {
            if (!first)
                bt_buf_putc(b, ',');
            first = false;
            bt_buf_json_str(b, k, strlen(k));
            bt_buf_putc(b, ':');
            bt_buf_json(b, v);
        }
        bt_buf_putc(b, '}');
        return;
    }
    case json_type_double:
    default: {
        size_t n = 0;
        const char *t = bt_json_compact_len(obj, &n);
        bt_buf_append(b, t, n);
        return;
    }
    }
}

const char *bt_json_str(json_object *o, const char *k)
{
    json_object *v;
    return json_object_object_get_ex(o, k, &v) &&
                   json_object_is_type(v, json_type_string)
               ? json_object_get_string(v)
               : NULL;
}

int64_t bt_json_int(json_object *o, const char *k)
{
    json_object *v;
    return json_object_object_get_ex(o, k, &v) ? json_object_get_int64(v) : 0;
}

void bt_pointer_push(bt_buf *b, const char *segment)
{
    bt_buf_putc(b, '/');
    for (const char *p = segment; *p; p++) {
        if (*p == '~')
            bt_buf_puts(b, "~0");
        else if (*p == '/')
            bt_buf_puts(b, "~1");
        else
            bt_buf_putc(b, *p);
    }
}

/* ---- position finder ---------------------------------------------------- */

typedef struct scan {
    const char *s;
    size_t n;
    size_t i;
} scan;

static void skip_ws(scan *sc)
{
    while (sc->i < sc->n && strchr(" \t\r\n", sc->s[sc->i]) &&
           sc->s[sc->i] != '\0')
        sc->i++;
}

/* Skips a string starting at its opening quote. */
static void skip_string(scan *sc)
{
    sc->i++;
    while (sc->i < sc->n && sc->s[sc->i] != '"') {
        if (sc->s[sc->i] == '\\')
            sc->i++;
        sc->i++;
    }
    if (sc->i < sc->n)
        sc->i++;
}

/* Skips one value of any kind, nested containers included, iteratively. */
static void skip_value(scan *sc)
{
    size_t depth = 0;
    do {
        skip_ws(sc);
        if (sc->i >= sc->n)
            return;
        char c = sc->s[sc->i];
        if (c == '"') {
            skip_string(sc);
        } else if (c == '{' || c == '[') {
            depth++;
            sc->i++;
        } else if (c == '}' || c == ']') {
            if (depth > 0)
                depth--;
            sc->i++;
        } else if (c == ',' || c == ':') {
            sc->i++;
        } else {
            while (sc->i < sc->n && !strchr(",:{}[]\" \t\r\n", sc->s[sc->i]))
                sc->i++;
        }
    } while (depth > 0 && sc->i < sc->n);
}

/* Compares the JSON string at sc->i (opening quote) with a decoded segment
 * of seg_len bytes; advances past the string. Handles the common escapes;
 * \u escapes compare as UTF-8. */
static bool string_equals(scan *sc, const char *seg, size_t seg_len)
{
    bt_buf b;
    bt_buf_init(&b);
    sc->i++;
    while (sc->i < sc->n && sc->s[sc->i] != '"') {
        char c = sc->s[sc->i++];
        if (c != '\\' || sc->i >= sc->n) {
            bt_buf_putc(&b, c);
            continue;
        }
        char e = sc->s[sc->i++];
        const char *map = strchr("b\bf\fn\nr\rt\t", e);
        if (map && ((map - "b\bf\fn\nr\rt\t") % 2) == 0) {
            bt_buf_putc(&b, map[1]);
        } else if (e == 'u' && sc->i + 4 <= sc->n) {
            unsigned cp = (unsigned)strtoul(
                (char[]){sc->s[sc->i], sc->s[sc->i + 1], sc->s[sc->i + 2],
                         sc->s[sc->i + 3], 0},
                NULL, 16);
            sc->i += 4;
            if (cp < 0x80) {
                bt_buf_putc(&b, (char)cp);
            } else if (cp < 0x800) {
                bt_buf_putc(&b, (char)(0xC0 | (cp >> 6)));
                bt_buf_putc(&b, (char)(0x80 | (cp & 0x3F)));
            } else {
                bt_buf_putc(&b, (char)(0xE0 | (cp >> 12)));
                bt_buf_putc(&b, (char)(0x80 | ((cp >> 6) & 0x3F)));
                bt_buf_putc(&b, (char)(0x80 | (cp & 0x3F)));
            }
        } else {
            bt_buf_putc(&b, e);
        }
    }
    if (sc->i < sc->n)
        sc->i++;
    bool eq =
        b.len == seg_len && (seg_len == 0 || !memcmp(b.data, seg, seg_len));
    bt_buf_fini(&b);
    return eq;
}

/* Decodes the next pointer segment starting at *p (after its '/'). */
static size_t next_segment(const char **p, bt_buf *seg)
{
    bt_buf_reset(seg);
    const char *q = *p;
    while (*q && *q != '/') {
        if (q[0] == '~' && q[1] == '0') {
            bt_buf_putc(seg, '~');
            q += 2;
        } else if (q[0] == '~' && q[1] == '1') {
            bt_buf_putc(seg, '/');
            q += 2;
        } else {
            bt_buf_putc(seg, *q++);
        }
    }
    *p = q;
    return seg->len;
}

/* Finds the member named seg in the object at sc->i; on success sc->i is at
 * the member's value and *key_at holds where its key starts. */
static bool find_member(scan *sc, const char *seg, size_t seg_len,
                        size_t *key_at)
{
    sc->i++; /* '{' */
    for (;;) {
        skip_ws(sc);
        if (sc->i >= sc->n || sc->s[sc->i] != '"')
            return false;
        size_t at = sc->i;
        bool eq = string_equals(sc, seg, seg_len);
        skip_ws(sc);
        if (sc->i < sc->n && sc->s[sc->i] == ':')
            sc->i++;
        skip_ws(sc);
        if (eq) {
            *key_at = at;
            return true;
        }
        skip_value(sc);
        skip_ws(sc);
        if (sc->i < sc->n && sc->s[sc->i] == ',')
            sc->i++;
        else
            return false;
    }
}

static bool find_element(scan *sc, const char *seg)
{
    char *end;
    long idx = strtol(seg, &end, 10);
    if (*seg == '\0' || *end != '\0' || idx < 0)
        return false;
    sc->i++; /* '[' */
    for (long k = 0;; k++) {
        skip_ws(sc);
        if (sc->i >= sc->n || sc->s[sc->i] == ']')
            return false;
        if (k == idx)
            return true;
        skip_value(sc);
        skip_ws(sc);
        if (sc->i < sc->n && sc->s[sc->i] == ',')
            sc->i++;
        else
            return false;
    }
}

/* Descends one step: a member name, an array index, or AWS's "name[0]"
 * form (a member then indices). Returns false when the step is not there. */
static bool locate_step(scan *sc, const char *seg, size_t seg_len, bool last,
                        size_t *best)
{
    size_t start = sc->i;
    char c = sc->s[sc->i];
    if (c == '[') {
        if (!find_element(sc, seg))
            return false;
        *best = sc->i;
        return true;
    }
    if (c != '{')
        return false;
    size_t key_at;
    if (find_member(sc, seg, seg_len, &key_at)) {
        *best = last ? key_at : sc->i;
        return true;
    }
    sc->i = start;
    const char *br = memchr(seg, '[', seg_len);
    if (!br || seg[seg_len - 1] != ']')
        return false;
    if (!find_member(sc, seg, (size_t)(br - seg), &key_at))
        return false;
    *best = sc->i;
    while (br < seg + seg_len && *br == '[') {
        const char *close = memchr(br, ']', (size_t)(seg + seg_len - br));
        if (!close)
            return false;
        char idx[24];
        size_t n = (size_t)(close - br - 1);
        if (n == 0 || n >= sizeof idx)
            return false;
        memcpy(idx, br + 1, n);
        idx[n] = '\0';
        skip_ws(sc);
        if (sc->i >= sc->n || sc->s[sc->i] != '[' || !find_element(sc, idx))
            return false;
        *best = sc->i;
        br = close + 1;
    }
    return true;
}

bool bt_json_locate(const char *text, size_t len, const char *pointer,
                    int *line, int *column)
{
    scan sc = {text, len, 0};
    skip_ws(&sc);
    if (sc.i >= sc.n)
        return false;
    size_t best = sc.i;
    bt_buf seg;
    bt_buf_init(&seg);
    const char *p = pointer ? pointer : "";
    while (*p == '/' && p[1] != '\0') {
        p++;
        next_segment(&p, &seg);
        skip_ws(&sc);
        if (sc.i >= sc.n || !locate_step(&sc, seg.data ? seg.data : "", seg.len,
                                         *p == '\0', &best))
            break;
    }
    bt_buf_fini(&seg);
    offset_to_line_col(text, best, line, column);
    return true;
}
