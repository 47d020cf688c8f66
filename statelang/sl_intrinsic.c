/*
 * Parser for intrinsic function calls (ASL §4.2):
 *
 *   call := "States." NAME "(" [ arg ( "," arg )* ] ")"
 *   arg  := 'string' | number | true | false | null | path | call
 *
 * The whole text must be exactly one call. Names and arities come from the
 * SL_INTRINSICS table; nesting is bounded by BT_LIMIT_INTRINSIC_NESTING, which
 * also bounds the recursion here. Path arguments are delimited by scanning
 * (brackets, parentheses and quotes balanced) and then handed to the
 * JSONPath parser, so every path form is allowed inside a call.
 */
#include "statelang/sl_path_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct icur {
    const char *s;
    size_t len;
    size_t pos;
    char *err; /* first error, owned */
} icur;

static const struct {
    const char *name;
    int min_args, max_args;
} fn_table[] = {
#define SL_INTRINSIC_ROW(id, name, lo, hi) {name, lo, hi},
    SL_INTRINSICS(SL_INTRINSIC_ROW)
#undef SL_INTRINSIC_ROW
};

const char *sl_intrinsic_fn_name(sl_intrinsic_fn fn)
{
    return (unsigned)fn < SL_FN_COUNT ? fn_table[fn].name : "States.?";
}

static int parse_call(icur *c, int depth, sl_intrinsic **out);

__attribute__((format(printf, 3, 4))) static int ifail(icur *c, size_t at,
                                                       const char *fmt, ...)
{
    if (c->err)
        return BT_EPARSE;
    bt_buf b;
    bt_buf_init(&b);
    va_list ap;
    va_start(ap, fmt);
    bt_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    bt_buf_printf(&b, " at offset %zu", bt_utf8_length(c->s, at));
    c->err = bt_buf_take(&b);
    return BT_EPARSE;
}

static int ipeek(const icur *c)
{
    return c->pos < c->len ? (unsigned char)c->s[c->pos] : -1;
}

static bool is_space(int ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static bool is_digit(int ch)
{
    return ch >= '0' && ch <= '9';
}

static bool is_alnum(int ch)
{
    return is_digit(ch) || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static void skip_ws(icur *c)
{
    while (is_space(ipeek(c)))
        c->pos++;
}

/* True when an argument may end at the cursor. */
static bool at_arg_end(const icur *c)
{
    int ch = ipeek(c);
    return ch < 0 || ch == ',' || ch == ')' || is_space(ch);
}

/* ---- Arguments ------------------------------------------------------------
 */

/* 'text' with \' \{ \} \\ escapes; c->pos is at the opening quote. */
static int parse_string(icur *c, sl_intrinsic_arg *a)
{
    size_t start = c->pos++;
    bt_buf b;
    bt_buf_init(&b);
    bt_buf_puts(&b, "");
    for (;;) {
        int ch = ipeek(c);
        if (ch < 0) {
            bt_buf_fini(&b);
            return ifail(c, start, "unterminated string literal");
        }
        c->pos++;
        if (ch == '\'')
            break;
        if (ch == '\\') {
            int e = ipeek(c);
            if (e != '\'' && e != '{' && e != '}' && e != '\\') {
                bt_buf_fini(&b);
                if (e < 0)
                    return ifail(c, start, "unterminated string literal");
                return ifail(c, c->pos - 1,
                             "invalid escape '\\%c' in string literal (only "
                             "\\' \\{ \\} \\\\ are allowed)",
                             e >= 0x20 && e < 0x7f ? e : '?');
            }
            c->pos++;
            ch = e;
        }
        bt_buf_putc(&b, (char)ch);
    }
    a->kind = SL_ARG_STRING;
    a->raw = bt_xstrndup(c->s + start + 1, c->pos - start - 2);
    a->literal = json_object_new_string_len(b.data, (int)b.len);
    bt_buf_fini(&b);
    return 0;
}

static int parse_number(icur *c, sl_intrinsic_arg *a)
{
    size_t start = c->pos;
    bool is_int = true;
    if (ipeek(c) == '-')
        c->pos++;
    if (!is_digit(ipeek(c)))
        return ifail(c, c->pos, "expected a digit after '-'");
    while (is_digit(ipeek(c)))
        c->pos++;
    if (ipeek(c) == '.') {
        is_int = false;
        c->pos++;
        if (!is_digit(ipeek(c)))
            return ifail(c, c->pos, "expected a digit after '.'");
        while (is_digit(ipeek(c)))
            c->pos++;
    }
    if (ipeek(c) == 'e' || ipeek(c) == 'E') {
        is_int = false;
        c->pos++;
        if (ipeek(c) == '+' || ipeek(c) == '-')
            c->pos++;
        if (!is_digit(ipeek(c)))
            return ifail(c, c->pos, "expected exponent digits");
        while (is_digit(ipeek(c)))
            c->pos++;
    }
    if (!at_arg_end(c))
        return ifail(c, c->pos, "unexpected character after number");
    char *txt = bt_xstrndup(c->s + start, c->pos - start);
    errno = 0;
    if (is_int) {
        long long v = strtoll(txt, NULL, 10);
        a->literal = errno ? NULL : json_object_new_int64(v);
    } else {
        a->literal = json_object_new_double(strtod(txt, NULL));
    }
    free(txt);
    if (is_int && !a->literal)
        return ifail(c, start, "integer out of range");
    a->kind = SL_ARG_NUMBER;
    return 0;
}

/* Where a path argument ends: the first ',' ')' or blank outside brackets,
 * parentheses and quotes. Backslash escapes the next byte. */
static size_t path_extent(const icur *c)
{
    size_t i = c->pos;
    int depth = 0;
    char quote = 0;
    for (; i < c->len; i++) {
        char ch = c->s[i];
        if (ch == '\\') {
            i++;
        } else if (quote) {
            quote = ch == quote ? 0 : quote;
        } else if (depth > 0 && (ch == '\'' || ch == '"')) {
            quote = ch;
        } else if (ch == '[' || ch == '(') {
            depth++;
        } else if (depth > 0 && (ch == ']' || ch == ')')) {
            depth--;
        } else if (depth == 0 && (ch == ',' || ch == ')' || is_space(ch))) {
            break;
        }
    }
    return i < c->len ? i : c->len;
}

static int parse_path_arg(icur *c, sl_intrinsic_arg *a)
{
    size_t start = c->pos, end = path_extent(c);
    char *perr = NULL;
    size_t base = bt_utf8_length(c->s, start);
    if (sl_path__parse_n(c->s + start, end - start, 0, base, &a->path, &perr)) {
        if (!c->err)
            c->err = bt_xasprintf("invalid path argument: %s", perr);
        free(perr);
        return BT_EPARSE;
    }
    a->kind = SL_ARG_PATH;
    c->pos = end;
    return 0;
}

static bool eat_word(icur *c, const char *w)
{
    size_t n = strlen(w);
    if (c->len - c->pos < n || memcmp(c->s + c->pos, w, n) != 0)
        return false;
    size_t save = c->pos;
    c->pos += n;
    if (at_arg_end(c))
        return true;
    c->pos = save;
    return false;
}

static int parse_arg(icur *c, int depth, sl_intrinsic_arg *a)
{
    int ch = ipeek(c);
    if (ch == '\'')
        return parse_string(c, a);
    if (ch == '$')
        return parse_path_arg(c, a);
    if (ch == '-' || is_digit(ch))
        return parse_number(c, a);
    if (c->len - c->pos >= 7 && memcmp(c->s + c->pos, "States.", 7) == 0) {
        a->kind = SL_ARG_CALL;
        return parse_call(c, depth + 1, &a->call);
    }
    bool is_true = eat_word(c, "true");
    if (is_true || eat_word(c, "false")) {
        a->kind = SL_ARG_BOOL;
        a->literal = json_object_new_boolean(is_true);
        return 0;
    }
    if (eat_word(c, "null")) {
        a->kind = SL_ARG_NULL;
        return 0;
    }
    if (ch < 0)
        return ifail(c, c->pos,
                     "unexpected end of text, expected an "
                     "argument or ')'");
    return ifail(c, c->pos,
                 "expected an argument (a 'string', number, "
                 "true, false, null, path or States.* call)");
}

/* ---- Calls ------------------------------------------------------------------
 */

/* "States.Name(" -> the function; leaves the cursor after '('. */
static int parse_callee(icur *c, int depth, sl_intrinsic_fn *fn)
{
    size_t start = c->pos;
    if (depth > BT_LIMIT_INTRINSIC_NESTING)
        return ifail(c, start, "intrinsic calls nested more than %d deep",
                     BT_LIMIT_INTRINSIC_NESTING);
    if (c->len - c->pos < 7 || memcmp(c->s + c->pos, "States.", 7) != 0)
        return ifail(c, start,
                     "expected an intrinsic function call such "
                     "as States.Format(...)");
    c->pos += 7;
    while (is_alnum(ipeek(c)))
        c->pos++;
    size_t n = c->pos - start;
    for (int i = 0; i < SL_FN_COUNT; i++) {
        if (strlen(fn_table[i].name) == n &&
            memcmp(fn_table[i].name, c->s + start, n) == 0) {
            *fn = (sl_intrinsic_fn)i;
            if (ipeek(c) != '(')
                return ifail(c, c->pos, "expected '(' after %s",
                             fn_table[i].name);
            c->pos++;
            return 0;
        }
    }
    return ifail(c, start, "unknown intrinsic function '%.*s'", (int)n,
                 c->s + start);
}

static int check_arity(icur *c, size_t at, const sl_intrinsic *call)
{
    int lo = fn_table[call->fn].min_args, hi = fn_table[call->fn].max_args;
    size_t n = call->nargs;
    const char *name = fn_table[call->fn].name;
    if (hi < 0 && n < (size_t)lo)
        return ifail(c, at, "%s takes at least %d argument%s, got %zu", name,
                     lo, lo == 1 ? "" : "s", n);
    if (hi >= 0 && (n < (size_t)lo || n > (size_t)hi)) {
        if (lo == hi)
            return ifail(c, at, "%s takes %d argument%s, got %zu", name, lo,
                         lo == 1 ? "" : "s", n);
        return ifail(c, at, "%s takes %d to %d arguments, got %zu", name, lo,
                     hi, n);
    }
    return 0;
}

static int parse_args(icur *c, int depth, sl_intrinsic *call)
{
    skip_ws(c);
    if (ipeek(c) == ')') {
        c->pos++;
        return 0;
    }
    for (;;) {
        skip_ws(c);
        call->args =
            bt_xrealloc(call->args, (call->nargs + 1) * sizeof *call->args);
        sl_intrinsic_arg *a = &call->args[call->nargs++];
        memset(a, 0, sizeof *a);
        if (parse_arg(c, depth, a))
            return BT_EPARSE;
        skip_ws(c);
        if (ipeek(c) == ')') {
            c->pos++;
            return 0;
        }
        if (ipeek(c) != ',')
            return ifail(c, c->pos,
                         ipeek(c) < 0 ? "missing ')' at end of call"
                                      : "expected ',' or ')' after an "
                                        "argument");
        c->pos++;
    }
}

static int parse_call(icur *c, int depth, sl_intrinsic **out)
{
    size_t start = c->pos;
    sl_intrinsic_fn fn = SL_FN_COUNT;
    if (parse_callee(c, depth, &fn))
        return BT_EPARSE;
    sl_intrinsic *call = bt_xcalloc(1, sizeof *call);
    call->fn = fn;
    if (parse_args(c, depth, call) || check_arity(c, start, call)) {
        sl_intrinsic_free(call);
        return BT_EPARSE;
    }
    *out = call;
    return 0;
}

int sl_intrinsic_parse(const char *text, sl_intrinsic **out, char **err)
{
    icur c = {.s = text, .len = strlen(text)};
    sl_intrinsic *call = NULL;
    if (c.len > BT_LIMIT_PATH_BYTES)
        ifail(&c, 0, "expression longer than %d bytes", BT_LIMIT_PATH_BYTES);
    else if (parse_call(&c, 1, &call) == 0 && c.pos < c.len)
        ifail(&c, c.pos, "unexpected text after the call");
    if (c.err) {
        sl_intrinsic_free(call);
        if (err)
            *err = c.err;
        else
            free(c.err);
        return BT_EPARSE;
    }
    *out = call;
    return 0;
}

void sl_intrinsic_free(sl_intrinsic *call)
{
    if (!call)
        return;
    for (size_t i = 0; i < call->nargs; i++) {
        sl_intrinsic_arg *a = &call->args[i];
        json_object_put(a->literal);
        sl_path_free(a->path);
        sl_intrinsic_free(a->call);
        free(a->raw);
    }
    free(call->args);
    free(call);
}
