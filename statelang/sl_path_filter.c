/*
 * Parser for Jayway filter expressions, the part between "[?(" and ")]":
 *
 *   or      := and ( "||" and )*
 *   and     := unary ( "&&" unary )*
 *   unary   := "!" unary | "(" or ")" | rel
 *   rel     := operand [ op operand ]      (no op: existence test)
 *   op      := == != < <= > >= =~ in nin subsetof anyof noneof size empty
 *              contains
 *   operand := @path | $path | 'str' | "str" | number | true | false | null
 *              | [ literal, ... ] | /regex/flags
 *
 * Regexes are POSIX extended expressions (not Java's syntax), compiled here
 * once, anchored at both ends because Jayway's =~ matches the whole string.
 */
#include "statelang/sl_path_ast.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int parse_unary(sl_pcur *c, sl_filter **out);

static sl_filter *node_new(sl_filter_kind kind)
{
    sl_filter *f = bt_xcalloc(1, sizeof *f);
    f->kind = kind;
    return f;
}

static void operand_fini(sl_operand *o)
{
    sl_path_free(o->path);
    json_object_put(o->literal);
    if (o->has_re)
        regfree(&o->re);
}

void sl_path__filter_free(sl_filter *f)
{
    if (!f)
        return;
    sl_path__filter_free(f->a);
    sl_path__filter_free(f->b);
    operand_fini(&f->lhs);
    operand_fini(&f->rhs);
    free(f);
}

static bool is_word_char(int ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
           sl_is_digit(ch) || ch == '_';
}

/* True (and consumes it) when the text at the cursor is the word w. */
static bool eat_word(sl_pcur *c, const char *w)
{
    size_t n = strlen(w);
    if (c->len - c->pos < n || memcmp(c->s + c->pos, w, n) != 0)
        return false;
    if (c->pos + n < c->len && is_word_char((unsigned char)c->s[c->pos + n]))
        return false;
    c->pos += n;
    return true;
}

/* ---- Literals -------------------------------------------------------------
 */

static int parse_number(sl_pcur *c, json_object **out)
{
    size_t start = c->pos;
    bool is_int = true;
    if (sl_peek(c) == '-')
        c->pos++;
    if (!sl_is_digit(sl_peek(c)))
        return sl_path__fail_unexpected(c, "a digit");
    while (sl_is_digit(sl_peek(c)))
        c->pos++;
    if (sl_peek(c) == '.' && sl_is_digit(sl_peek_at(c, 1))) {
        is_int = false;
        c->pos++;
        while (sl_is_digit(sl_peek(c)))
            c->pos++;
    }
    if (sl_peek(c) == 'e' || sl_peek(c) == 'E') {
        is_int = false;
        c->pos++;
        if (sl_peek(c) == '+' || sl_peek(c) == '-')
            c->pos++;
        if (!sl_is_digit(sl_peek(c)))
            return sl_path__fail_unexpected(c, "exponent digits");
        while (sl_is_digit(sl_peek(c)))
            c->pos++;
    }
    char *txt = bt_xstrndup(c->s + start, c->pos - start);
    char *end;
    errno = 0;
    if (is_int) {
        long long v = strtoll(txt, &end, 10);
        *out = errno ? NULL : json_object_new_int64(v);
    }
    if (!is_int || errno)
        *out = json_object_new_double(strtod(txt, &end));
    free(txt);
    return 0;
}

static int parse_literal(sl_pcur *c, json_object **out);

static int parse_array_literal(sl_pcur *c, json_object **out)
{
    if (++c->depth > BT_LIMIT_JSON_DEPTH)
        return sl_path__fail(c, c->pos, "literal nested too deeply");
    json_object *arr = json_object_new_array();
    c->pos++; /* '[' */
    sl_skip_ws(c);
    while (sl_peek(c) != ']') {
        json_object *v;
        if (json_object_array_length(arr) > 0) {
            if (sl_peek(c) != ',') {
                json_object_put(arr);
                return sl_path__fail_unexpected(c, "',' or ']'");
            }
            c->pos++;
            sl_skip_ws(c);
        }
        if (parse_literal(c, &v)) {
            json_object_put(arr);
            return BT_EPARSE;
        }
        json_object_array_add(arr, v);
        sl_skip_ws(c);
    }
    c->pos++;
    c->depth--;
    *out = arr;
    return 0;
}

static int parse_literal(sl_pcur *c, json_object **out)
{
    int ch = sl_peek(c);
    if (ch == '\'' || ch == '"') {
        char *s;
        if (sl_path__parse_quoted(c, &s))
            return BT_EPARSE;
        *out = json_object_new_string(s);
        free(s);
        return 0;
    }
    if (ch == '-' || sl_is_digit(ch))
        return parse_number(c, out);
    if (ch == '[')
        return parse_array_literal(c, out);
    if (eat_word(c, "true")) {
        *out = json_object_new_boolean(1);
        return 0;
    }
    if (eat_word(c, "false")) {
        *out = json_object_new_boolean(0);
        return 0;
    }
    if (eat_word(c, "null")) {
        *out = NULL;
        return 0;
    }
    return sl_path__fail_unexpected(c, "a path, a string, a number, true, "
                                       "false, null or an array");
}

#define SL_PATH_REGEX_MAX 1024

/* /pattern/flags; c->pos is at the first '/'. */
static int parse_regex(sl_pcur *c, sl_operand *o)
{
    size_t start = c->pos++;
    int nquant = 0;
    bt_buf b;
    bt_buf_init(&b);
    bt_buf_puts(&b, "^(");
    for (;;) {
        int ch = sl_peek(c);
        if (ch < 0) {
            bt_buf_fini(&b);
            return sl_path__fail(c, start, "unterminated regular expression");
        }
        c->pos++;
        if (ch == '/')
            break;
        if (ch == '\\' && sl_peek(c) == '/') {
            ch = '/';
            c->pos++;
        }
        /* glibc's regcomp grows without bound on stacked quantifiers
         * ("a++++..."); no sensible pattern needs them. */
        bool quant = ch == '+' || ch == '*' || ch == '?' || ch == '{';
        char prev = b.len > 2 ? b.data[b.len - 1] : 0;
        nquant += quant;
        if ((quant &&
             (prev == '+' || prev == '*' || prev == '?' || prev == '}')) ||
            b.len > SL_PATH_REGEX_MAX || nquant > 32) {
            bt_buf_fini(&b);
            return sl_path__fail(c, start,
                                 "regular expression too long or with "
                                 "repeated quantifiers");
        }
        bt_buf_putc(&b, (char)ch);
    }
    bt_buf_puts(&b, ")$");
    int cflags = REG_EXTENDED | REG_NOSUB;
    while (is_word_char(sl_peek(c))) {
        if (sl_peek(c) != 'i') {
            bt_buf_fini(&b);
            return sl_path__fail(c, c->pos,
                                 "unsupported regex flag '%c' "
                                 "(only 'i' is supported)",
                                 sl_peek(c));
        }
        cflags |= REG_ICASE;
        c->pos++;
    }
    int rc = regcomp(&o->re, b.data, cflags);
    bt_buf_fini(&b);
    if (rc != 0)
        return sl_path__fail(c, start, "invalid regular expression");
    o->kind = SL_OPND_REGEX;
    o->has_re = true;
    return 0;
}

static int parse_operand(sl_pcur *c, sl_operand *o, bool regex_ok)
{
    sl_skip_ws(c);
    int ch = sl_peek(c);
    if (ch == '@' || ch == '$') {
        o->kind = SL_OPND_PATH;
        return sl_path__parse_sub(c, true, &o->path);
    }
    if (ch == '/') {
        if (!regex_ok)
            return sl_path__fail(c, c->pos,
                                 "a regular expression is only "
                                 "allowed after '=~'");
        return parse_regex(c, o);
    }
    o->kind = SL_OPND_LITERAL;
    return parse_literal(c, &o->literal);
}

/* ---- Operators and expressions ------------------------------------------ */

static bool parse_op(sl_pcur *c, sl_rel_op *op)
{
    static const struct {
        const char *text;
        sl_rel_op op;
        bool word;
    } ops[] = {
        {"==", SL_OP_EQ, false},
        {"!=", SL_OP_NE, false},
        {"<=", SL_OP_LE, false},
        {">=", SL_OP_GE, false},
        {"=~", SL_OP_REGEX, false},
        {"<", SL_OP_LT, false},
        {">", SL_OP_GT, false},
        {"nin", SL_OP_NIN, true},
        {"in", SL_OP_IN, true},
        {"subsetof", SL_OP_SUBSETOF, true},
        {"anyof", SL_OP_ANYOF, true},
        {"noneof", SL_OP_NONEOF, true},
        {"size", SL_OP_SIZE, true},
        {"empty", SL_OP_EMPTY, true},
        {"contains", SL_OP_CONTAINS, true},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        size_t n = strlen(ops[i].text);
        bool hit = ops[i].word ? eat_word(c, ops[i].text)
                               : (c->len - c->pos >= n &&
                                  memcmp(c->s + c->pos, ops[i].text, n) == 0);
        if (hit) {
            if (!ops[i].word)
                c->pos += n;
            *op = ops[i].op;
            return true;
        }
    }
    return false;
}

static int parse_rel(sl_pcur *c, sl_filter **out)
{
    sl_filter *f = node_new(SL_FX_REL);
    size_t at = c->pos;
    if (parse_operand(c, &f->lhs, false))
        goto fail;
    sl_skip_ws(c);
    if (!parse_op(c, &f->op)) {
        f->op = SL_OP_EXISTS;
        if (f->lhs.kind != SL_OPND_PATH) {
            sl_path__fail(c, at,
                          "a literal alone is not a condition; "
                          "compare it with an operator");
            goto fail;
        }
        *out = f;
        return 0;
    }
    if (sl_peek(c) == '=' && f->op == SL_OP_EQ) {
        sl_path__fail(c, c->pos, "'===' is not supported; use '=='");
        goto fail;
    }
    if (parse_operand(c, &f->rhs, f->op == SL_OP_REGEX))
        goto fail;
    if (f->op == SL_OP_REGEX && f->rhs.kind != SL_OPND_REGEX) {
        sl_path__fail(c, at,
                      "'=~' needs a /regular expression/ on its "
                      "right");
        goto fail;
    }
    *out = f;
    return 0;
fail:
    sl_path__filter_free(f);
    return BT_EPARSE;
}

static int parse_and(sl_pcur *c, sl_filter **out)
{
    sl_filter *a;
    if (parse_unary(c, &a))
        return BT_EPARSE;
    for (;;) {
        sl_skip_ws(c);
        if (sl_peek(c) != '&' || sl_peek_at(c, 1) != '&')
            break;
        c->pos += 2;
        sl_filter *f = node_new(SL_FX_AND);
        f->a = a;
        a = f;
        if (parse_unary(c, &f->b)) {
            sl_path__filter_free(a);
            return BT_EPARSE;
        }
    }
    *out = a;
    return 0;
}

int sl_path__parse_filter(sl_pcur *c, sl_filter **out)
{
    sl_filter *a;
    if (parse_and(c, &a))
        return BT_EPARSE;
    for (;;) {
        sl_skip_ws(c);
        if (sl_peek(c) != '|' || sl_peek_at(c, 1) != '|')
            break;
        c->pos += 2;
        sl_filter *f = node_new(SL_FX_OR);
        f->a = a;
        a = f;
        if (parse_and(c, &f->b)) {
            sl_path__filter_free(a);
            return BT_EPARSE;
        }
    }
    *out = a;
    return 0;
}

static int parse_unary(sl_pcur *c, sl_filter **out)
{
    sl_skip_ws(c);
    if (++c->depth > BT_LIMIT_JSON_DEPTH)
        return sl_path__fail(c, c->pos, "filter nested more than %d levels",
                             BT_LIMIT_JSON_DEPTH);
    int rc;
    if (sl_peek(c) == '!' && sl_peek_at(c, 1) != '=') {
        c->pos++;
        sl_filter *f = node_new(SL_FX_NOT);
        rc = parse_unary(c, &f->a);
        if (rc)
            sl_path__filter_free(f);
        else
            *out = f;
    } else if (sl_peek(c) == '(') {
        c->pos++;
        rc = sl_path__parse_filter(c, out);
        sl_skip_ws(c);
        if (rc == 0 && sl_peek(c) != ')') {
            sl_path__filter_free(*out);
            *out = NULL;
            rc = sl_path__fail_unexpected(c, "')'");
        }
        c->pos++;
    } else {
        rc = parse_rel(c, out);
    }
    c->depth--;
    return rc;
}
