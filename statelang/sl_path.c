/*
 * JSONPath parser (Jayway dialect as AWS Step Functions accepts it).
 *
 * A recursive-descent parser over one cursor. Paths inside filters use the
 * same code with in_filter set, which lets them start with '@' and end at
 * any character that cannot continue a path. Recursion is bounded by
 * BT_LIMIT_JSON_DEPTH nesting levels, so hostile input cannot exhaust the
 * stack. Every error names the problem and its 0-based character offset.
 */
#include "statelang/sl_path_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "statelang/sl_path_ast.h"

/* ---- Cursor helpers ------------------------------------------------------ */

int sl_path__fail(sl_pcur *c, size_t at, const char *fmt, ...)
{
    if (c->err)
        return BT_EPARSE;
    bt_buf b;
    bt_buf_init(&b);
    va_list ap;
    va_start(ap, fmt);
    bt_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    bt_buf_printf(&b, " at offset %zu", c->base + bt_utf8_length(c->s, at));
    c->err = bt_buf_take(&b);
    return BT_EPARSE;
}

/* Describes the character at pos for messages ("end of text" at the end). */
static const char *char_desc(const sl_pcur *c, size_t at, char buf[16])
{
    if (at >= c->len)
        return "end of text";
    unsigned char ch = (unsigned char)c->s[at];
    uint32_t cp;
    size_t used = bt_utf8_decode(c->s + at, c->len - at, &cp);
    if (ch >= 0x20 && ch != 0x7f && used > 0)
        snprintf(buf, 16, "'%.*s'", (int)used, c->s + at);
    else
        snprintf(buf, 16, "byte 0x%02x", ch);
    return buf;
}

int sl_path__fail_unexpected(sl_pcur *c, const char *expected)
{
    char buf[16];
    return sl_path__fail(c, c->pos, "unexpected %s, expected %s",
                         char_desc(c, c->pos, buf), expected);
}

/* ---- Variable names -------------------------------------------------------
 */

/* Non-ASCII code points count as letters except the common punctuation and
 * symbol blocks; without Unicode tables this is the practical middle road. */
static bool cp_is_letter(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
    if (cp <= 0xBF)
        return cp == 0xAA || cp == 0xB5 || cp == 0xBA;
    if (cp == 0xD7 || cp == 0xF7)
        return false;
    if ((cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x2190 && cp <= 0x2BFF) ||
        (cp >= 0x3000 && cp <= 0x3003) || (cp >= 0xFF00 && cp <= 0xFF0F) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFEFF)
        return false;
    return true;
}

bool sl_var_name_valid(const char *name)
{
    size_t n = strlen(name), i = 0, count = 0;
    while (i < n) {
        uint32_t cp;
        size_t used = bt_utf8_decode(name + i, n - i, &cp);
        if (used == 0)
            return false;
        bool ok = cp_is_letter(cp) || cp == '_' ||
                  (count > 0 && cp >= '0' && cp <= '9');
        if (!ok)
            return false;
        i += used;
        count++;
    }
    return count > 0 && count <= BT_LIMIT_STATE_NAME_CHARS;
}

/* ---- Literals -------------------------------------------------------------
 */

static int hex4(sl_pcur *c, size_t at, uint32_t *out)
{
    uint32_t v = 0;
    for (size_t i = 0; i < 4; i++) {
        int ch = at + i < c->len ? (unsigned char)c->s[at + i] : -1;
        int d = sl_is_digit(ch)            ? ch - '0'
                : (ch >= 'a' && ch <= 'f') ? ch - 'a' + 10
                : (ch >= 'A' && ch <= 'F') ? ch - 'A' + 10
                                           : -1;
        if (d < 0)
            return sl_path__fail(c, at,
                                 "invalid \\u escape (need four hex digits)");
        v = v * 16 + (uint32_t)d;
    }
    *out = v;
    return 0;
}

static void put_utf8(bt_buf *b, uint32_t cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp, n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6)), n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12)), n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18)), n = 4;
    }
    for (size_t i = 1; i < n; i++)
        u[i] = (char)(0x80 | ((cp >> (6 * (n - 1 - i))) & 0x3F));
    bt_buf_append(b, u, n);
}

/* \uXXXX (with a surrogate pair when needed); c->pos is at the 'u'. */
static int parse_uescape(sl_pcur *c, bt_buf *b)
{
    size_t at = c->pos - 1;
    uint32_t cp = 0, lo = 0;
    if (hex4(c, c->pos + 1, &cp))
        return BT_EPARSE;
    c->pos += 5;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (sl_peek(c) != '\\' || sl_peek_at(c, 1) != 'u' ||
            hex4(c, c->pos + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF)
            return sl_path__fail(c, at, "unpaired surrogate in \\u escape");
        c->pos += 6;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
        return sl_path__fail(c, at, "unpaired surrogate in \\u escape");
    }
    if (cp == 0)
        return sl_path__fail(c, at, "NUL character (\\u0000) is not allowed");
    put_utf8(b, cp);
    return 0;
}

static int parse_escape(sl_pcur *c, bt_buf *b)
{
    int ch = sl_peek(c);
    static const char from[] = "bfnrt", to[] = "\b\f\n\r\t";
    const char *hit = ch > 0 ? strchr(from, ch) : NULL;
    if (ch == 'u')
        return parse_uescape(c, b);
    if (hit) {
        bt_buf_putc(b, to[hit - from]);
        c->pos++;
        return 0;
    }
    /* Any other escaped character stands for itself (\' \" \\ \/ \[ ...). */
    uint32_t cp;
    size_t used = bt_utf8_decode(c->s + c->pos, c->len - c->pos, &cp);
    bt_buf_append(b, c->s + c->pos, used ? used : 1);
    c->pos += used ? used : 1;
    return 0;
}

/* A quoted string ('..' or ".."); c->pos is at the opening quote. Returns a
 * new decoded string in *out. */
int sl_path__parse_quoted(sl_pcur *c, char **out)
{
    size_t start = c->pos;
    char q = c->s[c->pos++];
    bt_buf b;
    bt_buf_init(&b);
    bt_buf_puts(&b, "");
    for (;;) {
        int ch = sl_peek(c);
        if (ch < 0) {
            bt_buf_fini(&b);
            return sl_path__fail(c, start, "unterminated string");
        }
        c->pos++;
        if (ch == q)
            break;
        if (ch == '\\') {
            if (sl_peek(c) < 0 || parse_escape(c, &b)) {
                bt_buf_fini(&b);
                return sl_path__fail(c, start, "unterminated string");
            }
        } else {
            bt_buf_putc(&b, (char)ch);
        }
    }
    *out = bt_buf_take(&b);
    return 0;
}

/* An integer index; c->pos at '-' or a digit. */
static int parse_int(sl_pcur *c, int64_t *out)
{
    size_t start = c->pos;
    bool neg = sl_peek(c) == '-';
    if (neg)
        c->pos++;
    if (!sl_is_digit(sl_peek(c)))
        return sl_path__fail_unexpected(c, "a digit");
    uint64_t v = 0;
    while (sl_is_digit(sl_peek(c))) {
        unsigned d = (unsigned)(sl_peek(c) - '0');
        if (v > (UINT64_C(9223372036854775807) - d) / 10)
            return sl_path__fail(c, start, "index out of range");
        v = v * 10 + d;
        c->pos++;
    }
    *out = neg ? -(int64_t)v : (int64_t)v;
    return 0;
}

/* ---- Steps ------------------------------------------------------------------
 */

static sl_step *step_push(sl_path *p, sl_step_kind kind, bool deep)
{
    p->steps = bt_xrealloc(p->steps, (p->nsteps + 1) * sizeof *p->steps);
    sl_step *s = &p->steps[p->nsteps++];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->deep = deep;
    return s;
}

/* Reference paths allow names and indices only. */
static int check_reference(sl_pcur *c, bool in_filter, size_t at,
                           const char *what)
{
    if (in_filter || !(c->flags & SL_PATH_REFERENCE))
        return 0;
    return sl_path__fail(c, at, "%s is not allowed in a reference path", what);
}

static bool name_stops(int ch, bool in_filter)
{
    if (ch < 0 || ch == '.' || ch == '[')
        return true;
    return in_filter && (sl_is_space(ch) || strchr(")=!<>&|,~]", ch));
}

/* Why ch cannot appear unescaped in a dot-notation name, or NULL. */
static const char *name_char_problem(const sl_pcur *c, int ch, bool in_filter)
{
    if (sl_is_space(ch))
        return "names with blanks need bracket notation ['my name']";
    if (ch == '(')
        return "function calls such as .length() are not supported";
    if (ch == ']' || ch == ')')
        return "unbalanced bracket (escape it with a backslash in a name)";
    if ((c->flags & SL_PATH_REFERENCE) && !in_filter && strchr("@,:?*", ch))
        return "this character is not allowed in a reference path name";
    return NULL;
}

/* A dot-notation name; backslash escapes any character. */
static int parse_dot_name(sl_pcur *c, bool in_filter, char **out)
{
    size_t start = c->pos;
    bt_buf b;
    bt_buf_init(&b);
    bt_buf_puts(&b, "");
    while (!name_stops(sl_peek(c), in_filter)) {
        int ch = sl_peek(c);
        const char *problem = name_char_problem(c, ch, in_filter);
        if (problem) {
            sl_path__fail(c, c->pos, "%s", problem);
        } else if (ch != '\\') {
            bt_buf_putc(&b, (char)ch);
            c->pos++;
        } else if (sl_peek_at(c, 1) < 0) {
            sl_path__fail(c, c->pos, "backslash at end of path");
        } else {
            c->pos++;
            parse_escape(c, &b);
        }
        if (c->err) {
            bt_buf_fini(&b);
            return BT_EPARSE;
        }
    }
    if (b.len == 0) {
        bt_buf_fini(&b);
        return sl_path__fail(c, start, "empty name after '.'");
    }
    *out = bt_buf_take(&b);
    return 0;
}

/* After "." or "..": a name or '*'. */
static int parse_dot_step(sl_pcur *c, sl_path *p, bool deep, bool in_filter)
{
    size_t at = c->pos;
    if (sl_peek(c) == '*') {
        c->pos++;
        if (!name_stops(sl_peek(c), in_filter))
            return sl_path__fail_unexpected(c, "'.' or '[' after '*'");
        step_push(p, SL_STEP_WILDCARD, deep);
        return check_reference(c, in_filter, at, "'*'");
    }
    if (sl_peek(c) == '.')
        return sl_path__fail(c, c->pos, "unexpected '.'");
    char *name = NULL;
    if (parse_dot_name(c, in_filter, &name))
        return BT_EPARSE;
    sl_step *s = step_push(p, SL_STEP_NAME, deep);
    s->names = bt_xmalloc(sizeof *s->names);
    s->names[0] = name;
    s->nnames = 1;
    return 0;
}

static int expect_close(sl_pcur *c)
{
    sl_skip_ws(c);
    if (sl_peek(c) != ']')
        return sl_path__fail_unexpected(c, "']'");
    c->pos++;
    return 0;
}

/* ['a'] or ['a','b',...] */
static int parse_bracket_names(sl_pcur *c, sl_step *s)
{
    for (;;) {
        if (sl_peek(c) != '\'' && sl_peek(c) != '"')
            return sl_path__fail_unexpected(c, "a quoted name");
        char *name;
        if (sl_path__parse_quoted(c, &name))
            return BT_EPARSE;
        s->names = bt_xrealloc(s->names, (s->nnames + 1) * sizeof(char *));
        s->names[s->nnames++] = name;
        sl_skip_ws(c);
        if (sl_peek(c) != ',')
            break;
        c->pos++;
        sl_skip_ws(c);
    }
    return expect_close(c);
}

/* [n], [n,m,...], [a:b], [a:], [:b] */
static int parse_bracket_numbers(sl_pcur *c, sl_step *s)
{
    size_t at = c->pos;
    int64_t v = 0;
    bool have = sl_peek(c) != ':';
    if (have && parse_int(c, &v))
        return BT_EPARSE;
    sl_skip_ws(c);
    if (sl_peek(c) == ':') {
        s->kind = SL_STEP_SLICE;
        s->has_from = have, s->from = v;
        c->pos++;
        sl_skip_ws(c);
        if (sl_peek(c) == '-' || sl_is_digit(sl_peek(c))) {
            if (parse_int(c, &s->to))
                return BT_EPARSE;
            s->has_to = true;
            sl_skip_ws(c);
        }
        if (sl_peek(c) == ':')
            return sl_path__fail(c, c->pos,
                                 "slice steps [a:b:c] are not supported");
        if (!s->has_from && !s->has_to)
            return sl_path__fail(c, at, "slice needs a start or an end");
        return expect_close(c);
    }
    s->idx = bt_xmalloc(sizeof *s->idx);
    s->idx[0] = v;
    s->nidx = 1;
    while (sl_peek(c) == ',') {
        c->pos++;
        sl_skip_ws(c);
        if (parse_int(c, &v))
            return BT_EPARSE;
        s->idx = bt_xrealloc(s->idx, (s->nidx + 1) * sizeof *s->idx);
        s->idx[s->nidx++] = v;
        sl_skip_ws(c);
    }
    s->kind = s->nidx > 1 ? SL_STEP_INDICES : SL_STEP_INDEX;
    return expect_close(c);
}

/* [?( expr )] ; c->pos is at '?'. */
static int parse_bracket_filter(sl_pcur *c, sl_step *s)
{
    c->pos++;
    sl_skip_ws(c);
    if (sl_peek(c) != '(')
        return sl_path__fail_unexpected(c, "'(' after '[?'");
    c->pos++;
    if (sl_path__parse_filter(c, &s->filter))
        return BT_EPARSE;
    sl_skip_ws(c);
    if (sl_peek(c) != ')')
        return sl_path__fail_unexpected(c, "')' closing the filter");
    c->pos++;
    return expect_close(c);
}

static int parse_bracket(sl_pcur *c, sl_path *p, bool deep, bool in_filter)
{
    size_t at = c->pos;
    c->pos++; /* '[' */
    sl_skip_ws(c);
    int ch = sl_peek(c);
    sl_step *s = step_push(p, SL_STEP_NAME, deep);
    if (ch == '\'' || ch == '"') {
        if (parse_bracket_names(c, s))
            return BT_EPARSE;
        s->kind = s->nnames > 1 ? SL_STEP_NAMES : SL_STEP_NAME;
        return s->nnames > 1 ? check_reference(c, in_filter, at, "a union") : 0;
    }
    if (ch == '*') {
        s->kind = SL_STEP_WILDCARD;
        c->pos++;
        if (expect_close(c))
            return BT_EPARSE;
        return check_reference(c, in_filter, at, "'[*]'");
    }
    if (ch == '?') {
        s->kind = SL_STEP_FILTER;
        if (parse_bracket_filter(c, s))
            return BT_EPARSE;
        return check_reference(c, in_filter, at, "a filter");
    }
    if (ch == '-' || ch == ':' || sl_is_digit(ch)) {
        if (parse_bracket_numbers(c, s))
            return BT_EPARSE;
        if (s->kind == SL_STEP_SLICE)
            return check_reference(c, in_filter, at, "a slice");
        if (s->kind == SL_STEP_INDICES)
            return check_reference(c, in_filter, at, "a union");
        return 0;
    }
    if (ch < 0)
        return sl_path__fail(c, at, "unterminated '['");
    return sl_path__fail_unexpected(c,
                                    "a quoted name, an index, a slice, '*' or "
                                    "'?(' after '['");
}

static int parse_steps(sl_pcur *c, sl_path *p, bool in_filter)
{
    for (;;) {
        int ch = sl_peek(c);
        size_t at = c->pos;
        if (ch == '.' && sl_peek_at(c, 1) == '.') {
            c->pos += 2;
            if (check_reference(c, in_filter, at, "deep scan '..'"))
                return BT_EPARSE;
            if (sl_peek(c) == '.')
                return sl_path__fail(c, c->pos, "unexpected '.' after '..'");
            if (sl_peek(c) != '[' && name_stops(sl_peek(c), in_filter))
                return sl_path__fail(c, at,
                                     "'..' must be followed by a name, '*' "
                                     "or '['");
            int rc = sl_peek(c) == '[' ? parse_bracket(c, p, true, in_filter)
                                       : parse_dot_step(c, p, true, in_filter);
            if (rc)
                return rc;
        } else if (ch == '.') {
            c->pos++;
            if (sl_peek(c) < 0)
                return sl_path__fail(c, at, "path must not end with '.'");
            if (parse_dot_step(c, p, false, in_filter))
                return BT_EPARSE;
        } else if (ch == '[') {
            if (parse_bracket(c, p, false, in_filter))
                return BT_EPARSE;
        } else if (ch < 0 || in_filter) {
            return 0;
        } else {
            return sl_path__fail_unexpected(c, "'.' or '['");
        }
    }
}

/* ---- Roots and whole paths ------------------------------------------------
 */

static bool var_char(const sl_pcur *c, size_t at, size_t *used, bool first)
{
    uint32_t cp;
    *used = bt_utf8_decode(c->s + at, c->len - at, &cp);
    if (*used == 0)
        return false;
    return cp_is_letter(cp) || cp == '_' || (!first && sl_is_digit((int)cp));
}

static int parse_root(sl_pcur *c, bool in_filter, sl_path *p)
{
    size_t at = c->pos, used;
    int ch = sl_peek(c);
    if (ch == '@') {
        if (!in_filter)
            return sl_path__fail(c, at, "'@' is only allowed inside a filter");
        p->root = SL_ROOT_CURRENT;
        c->pos++;
        return 0;
    }
    if (ch != '$')
        return sl_path__fail(c, at, "a path must start with '$'");
    c->pos++;
    if (sl_peek(c) == '$') {
        p->root = SL_ROOT_CONTEXT;
        c->pos++;
        ch = sl_peek(c);
        if (ch >= 0 && ch != '.' && ch != '[' &&
            (!in_filter || ch == '$' || var_char(c, c->pos, &used, false)))
            return sl_path__fail_unexpected(c, "'.' or '[' after '$$'");
        return 0;
    }
    p->root = SL_ROOT_INPUT;
    if (c->pos >= c->len || !var_char(c, c->pos, &used, true)) {
        if (sl_is_digit(sl_peek(c)))
            return sl_path__fail(c, c->pos,
                                 "variable name must not start with a "
                                 "digit");
        return 0;
    }
    size_t start = c->pos;
    while (c->pos < c->len && var_char(c, c->pos, &used, false))
        c->pos += used;
    p->root = SL_ROOT_VAR;
    p->var = bt_xstrndup(c->s + start, c->pos - start);
    if (!sl_var_name_valid(p->var))
        return sl_path__fail(c, start,
                             "variable name is longer than %d characters",
                             BT_LIMIT_STATE_NAME_CHARS);
    return 0;
}

static void compute_definite(sl_path *p)
{
    p->definite = true;
    for (size_t i = 0; i < p->nsteps; i++) {
        const sl_step *s = &p->steps[i];
        bool last = i + 1 == p->nsteps;
        bool ok =
            !s->deep && (s->kind == SL_STEP_NAME || s->kind == SL_STEP_INDEX ||
                         (last && s->kind == SL_STEP_NAMES));
        if (!ok)
            p->definite = false;
    }
}

int sl_path__parse_sub(sl_pcur *c, bool in_filter, sl_path **out)
{
    size_t start = c->pos;
    if (++c->depth > BT_LIMIT_JSON_DEPTH)
        return sl_path__fail(c, start, "path nested more than %d levels",
                             BT_LIMIT_JSON_DEPTH);
    sl_path *p = bt_xcalloc(1, sizeof *p);
    if (parse_root(c, in_filter, p) || parse_steps(c, p, in_filter)) {
        sl_path_free(p);
        return BT_EPARSE;
    }
    c->depth--;
    p->text = bt_xstrndup(c->s + start, c->pos - start);
    compute_definite(p);
    *out = p;
    return 0;
}

int sl_path__parse_n(const char *text, size_t len, unsigned flags,
                     size_t err_base, sl_path **out, char **err)
{
    sl_pcur c = {.s = text, .len = len, .base = err_base, .flags = flags};
    sl_path *p = NULL;
    if (len == 0)
        sl_path__fail(&c, 0, "empty path");
    else if (len > BT_LIMIT_PATH_BYTES)
        sl_path__fail(&c, 0, "path longer than %d bytes", BT_LIMIT_PATH_BYTES);
    else if (memchr(text, '\0', len))
        sl_path__fail(&c, 0, "NUL byte in path");
    else if (sl_path__parse_sub(&c, false, &p) == 0 && c.pos < c.len)
        sl_path__fail_unexpected(&c, "'.' or '['");
    if (c.err) {
        sl_path_free(p);
        if (err)
            *err = c.err;
        else
            free(c.err);
        return BT_EPARSE;
    }
    *out = p;
    return 0;
}

int sl_path_parse(const char *text, unsigned flags, sl_path **out, char **err)
{
    return sl_path__parse_n(text, strlen(text), flags, 0, out, err);
}

/* ---- Accessors and freeing -------------------------------------------------
 */

void sl_path_free(sl_path *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nsteps; i++) {
        sl_step *s = &p->steps[i];
        for (size_t j = 0; j < s->nnames; j++)
            free(s->names[j]);
        free(s->names);
        free(s->idx);
        sl_path__filter_free(s->filter);
    }
    free(p->steps);
    free(p->var);
    free(p->text);
    free(p);
}

sl_path_root sl_path_root_kind(const sl_path *p)
{
    return p->root;
}

const char *sl_path_var(const sl_path *p)
{
    return p->root == SL_ROOT_VAR ? p->var : NULL;
}

bool sl_path_is_definite(const sl_path *p)
{
    return p->definite;
}

const char *sl_path_text(const sl_path *p)
{
    return p->text;
}
