/*
 * JSONata tokenizer, one token at a time on the parser's demand, as the
 * reference's tokenizer scans: whitespace and comments are skipped, a '/'
 * starts a regex only where an operand is expected, names run up to
 * whitespace or an operator character, string escapes follow JSON.
 *
 * Invariant: the lexer works on bytes; every delimiter it looks for is ASCII,
 * so multi-byte characters only ever sit inside names, strings and regexes.
 * Positions are bytes here and become characters through the u16 table.
 */
#include "statelang/sl_jsonata_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v';
}

/* Characters that are operators by themselves, and so end a name. */
static sl_jn_op op_from_char(char c)
{
    switch (c) {
    case '.':
        return SL_JN_OP_DOT;
    case '[':
        return SL_JN_OP_LBRACKET;
    case ']':
        return SL_JN_OP_RBRACKET;
    case '{':
        return SL_JN_OP_LBRACE;
    case '}':
        return SL_JN_OP_RBRACE;
    case '(':
        return SL_JN_OP_LPAREN;
    case ')':
        return SL_JN_OP_RPAREN;
    case ',':
        return SL_JN_OP_COMMA;
    case '@':
        return SL_JN_OP_AT;
    case '#':
        return SL_JN_OP_HASH;
    case ';':
        return SL_JN_OP_SEMICOLON;
    case ':':
        return SL_JN_OP_COLON;
    case '?':
        return SL_JN_OP_QUESTION;
    case '+':
        return SL_JN_OP_PLUS;
    case '-':
        return SL_JN_OP_MINUS;
    case '*':
        return SL_JN_OP_STAR;
    case '/':
        return SL_JN_OP_SLASH;
    case '%':
        return SL_JN_OP_PERCENT;
    case '|':
        return SL_JN_OP_PIPE;
    case '=':
        return SL_JN_OP_EQ;
    case '<':
        return SL_JN_OP_LT;
    case '>':
        return SL_JN_OP_GT;
    case '^':
        return SL_JN_OP_CARET;
    case '&':
        return SL_JN_OP_CONCAT;
    case '!':
        return SL_JN_OP_BANG;
    case '~':
        return SL_JN_OP_TILDE;
    default:
        return SL_JN_OP_NONE;
    }
}

static const struct {
    char text[3];
    sl_jn_op op;
} two_char_ops[] = {
    {"..", SL_JN_OP_RANGE}, {":=", SL_JN_OP_BIND},    {"!=", SL_JN_OP_NE},
    {">=", SL_JN_OP_GE},    {"<=", SL_JN_OP_LE},      {"**", SL_JN_OP_STARSTAR},
    {"~>", SL_JN_OP_CHAIN}, {"?:", SL_JN_OP_DEFAULT}, {"??", SL_JN_OP_COALESCE},
};

static bool is_digit(const sl__jn_lexer *lx, size_t i)
{
    return i < lx->len && lx->src[i] >= '0' && lx->src[i] <= '9';
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

void sl__jn_lex_init(sl__jn_lexer *lx, const char *src, size_t len,
                     sl__jn_arena *arena, sl_jsonata_error *err)
{
    lx->src = src;
    lx->len = len;
    lx->pos = 0;
    lx->arena = arena;
    lx->err = err;
    lx->u16 = bt_xmalloc((len + 1) * sizeof *lx->u16);
    int chars = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char b = (unsigned char)src[i];
        lx->u16[i] = chars;
        /* continuation bytes add nothing; 4-byte sequences are a
         * surrogate pair in UTF-16 */
        if ((b & 0xC0) != 0x80)
            chars += b >= 0xF0 ? 2 : 1;
    }
    lx->u16[len] = chars;
}

void sl__jn_lex_fini(sl__jn_lexer *lx)
{
    free(lx->u16);
    lx->u16 = NULL;
}

int sl__jn_lex_chars(const sl__jn_lexer *lx, size_t byte_pos)
{
    if (byte_pos <= lx->len)
        return lx->u16[byte_pos];
    return lx->u16[lx->len] + (int)(byte_pos - lx->len);
}

static int lex_fail(sl__jn_lexer *lx, const char *code, size_t byte_pos,
                    const char *token)
{
    return sl__jn_fail(lx->err, code, sl__jn_lex_chars(lx, byte_pos), token,
                       NULL);
}

/* Skips whitespace and comments; fails on a comment without its end. */
static int skip_blank(sl__jn_lexer *lx)
{
    for (;;) {
        while (lx->pos < lx->len && is_space(lx->src[lx->pos]))
            lx->pos++;
        if (lx->pos + 1 >= lx->len || lx->src[lx->pos] != '/' ||
            lx->src[lx->pos + 1] != '*')
            return 0;
        size_t start = lx->pos;
        size_t i = start + 2;
        while (
            !(i + 1 < lx->len && lx->src[i] == '*' && lx->src[i + 1] == '/')) {
            if (++i >= lx->len)
                return lex_fail(lx, "S0106", start, NULL);
        }
        lx->pos = i + 2;
    }
}

/* A '/' at i closes the regex when brackets balance and it is not escaped
 * by an odd number of backslashes. */
static bool is_closing_slash(const sl__jn_lexer *lx, size_t i, int depth)
{
    if (lx->src[i] != '/' || depth != 0)
        return false;
    size_t backslashes = 0;
    while (backslashes < i && lx->src[i - backslashes - 1] == '\\')
        backslashes++;
    return backslashes % 2 == 0;
}

static int scan_regex(sl__jn_lexer *lx, sl__jn_token *tok)
{
    size_t start = lx->pos;
    int depth = 0;
    while (lx->pos < lx->len) {
        size_t i = lx->pos;
        char c = lx->src[i];
        if (is_closing_slash(lx, i, depth)) {
            if (i == start)
                return lex_fail(lx, "S0301", i, NULL);
            tok->type = SL__JN_TOK_REGEX;
            tok->str = sl__jn_strndup(lx->arena, lx->src + start, i - start);
            tok->len = i - start;
            lx->pos = i + 1;
            while (lx->pos < lx->len &&
                   (lx->src[lx->pos] == 'i' || lx->src[lx->pos] == 'm')) {
                tok->regex_flags |=
                    lx->src[lx->pos] == 'i' ? SL_JN_RE_I : SL_JN_RE_M;
                lx->pos++;
            }
            return 0;
        }
        bool escaped = i > 0 && lx->src[i - 1] == '\\';
        if ((c == '(' || c == '[' || c == '{') && !escaped)
            depth++;
        if ((c == ')' || c == ']' || c == '}') && !escaped)
            depth--;
        lx->pos++;
    }
    return lex_fail(lx, "S0302", lx->pos, NULL);
}

/* Appends one UTF-16 code unit from a \u escape. A low surrogate right after
 * a high one from the previous escape joins it into one code point; a lone
 * surrogate is kept as WTF-8, as JavaScript keeps it in its string. */
static void put_code_unit(bt_buf *b, unsigned cu, bool *pending_high)
{
    char out[4];
    if (cu >= 0xDC00 && cu <= 0xDFFF && *pending_high) {
        const unsigned char *h = (const unsigned char *)b->data + b->len - 3;
        unsigned high =
            ((h[0] & 0x0Fu) << 12) | ((h[1] & 0x3Fu) << 6) | (h[2] & 0x3Fu);
        unsigned cp = 0x10000 + ((high - 0xD800) << 10) + (cu - 0xDC00);
        b->len -= 3;
        out[0] = (char)(0xF0 | (cp >> 18));
        out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[3] = (char)(0x80 | (cp & 0x3F));
        bt_buf_append(b, out, 4);
        *pending_high = false;
        return;
    }
    if (cu < 0x80) {
        out[0] = (char)cu;
        bt_buf_append(b, out, 1);
    } else if (cu < 0x800) {
        out[0] = (char)(0xC0 | (cu >> 6));
        out[1] = (char)(0x80 | (cu & 0x3F));
        bt_buf_append(b, out, 2);
    } else {
        out[0] = (char)(0xE0 | (cu >> 12));
        out[1] = (char)(0x80 | ((cu >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cu & 0x3F));
        bt_buf_append(b, out, 3);
    }
    *pending_high = cu >= 0xD800 && cu <= 0xDBFF;
}

static char simple_escape(char c)
{
    switch (c) {
    case '"':
        return '"';
    case '\\':
        return '\\';
    case '/':
        return '/';
    case 'b':
        return '\b';
    case 'f':
        return '\f';
    case 'n':
        return '\n';
    case 'r':
        return '\r';
    case 't':
        return '\t';
    default:
        return 0;
    }
}

/* \u: the reference takes up to four following characters and accepts them
 * when all are hex digits (fewer than four only at the end of the text). */
static int scan_unicode_escape(sl__jn_lexer *lx, bt_buf *b, bool *pending)
{
    size_t avail = lx->len - lx->pos - 1;
    size_t n = avail < 4 ? avail : 4;
    unsigned cu = 0;
    for (size_t k = 0; k < n; k++) {
        int h = hex_value(lx->src[lx->pos + 1 + k]);
        if (h < 0)
            return lex_fail(lx, "S0104", lx->pos, NULL);
        cu = cu * 16 + (unsigned)h;
    }
    if (n == 0)
        return lex_fail(lx, "S0104", lx->pos, NULL);
    put_code_unit(b, cu, pending);
    lx->pos += 4;
    return 0;
}

static int scan_escape(sl__jn_lexer *lx, bt_buf *b, bool *pending)
{
    lx->pos++;
    char c = lx->pos < lx->len ? lx->src[lx->pos] : '\0';
    char plain = lx->pos < lx->len ? simple_escape(c) : 0;
    if (plain) {
        bt_buf_putc(b, plain);
        *pending = false;
        return 0;
    }
    if (lx->pos < lx->len && c == 'u')
        return scan_unicode_escape(lx, b, pending);
    /* the token is the whole character after the backslash */
    size_t n = 0;
    if (lx->pos < lx->len) {
        n = 1;
        while (lx->pos + n < lx->len &&
               ((unsigned char)lx->src[lx->pos + n] & 0xC0) == 0x80)
            n++;
    }
    char *token = bt_xstrndup(lx->src + lx->pos, n);
    int rc = lex_fail(lx, "S0103", lx->pos, token);
    free(token);
    return rc;
}

static int scan_string(sl__jn_lexer *lx, sl__jn_token *tok)
{
    char quote = lx->src[lx->pos++];
    bt_buf b;
    bool pending = false;
    bt_buf_init(&b);
    while (lx->pos < lx->len) {
        char c = lx->src[lx->pos];
        if (c == '\\') {
            int rc = scan_escape(lx, &b, &pending);
            if (rc) {
                bt_buf_fini(&b);
                return rc;
            }
        } else if (c == quote) {
            lx->pos++;
            tok->type = SL__JN_TOK_STRING;
            tok->len = b.len;
            tok->str = sl__jn_strndup(lx->arena, b.data ? b.data : "", b.len);
            bt_buf_fini(&b);
            return 0;
        } else {
            bt_buf_putc(&b, c);
            pending = false;
        }
        lx->pos++;
    }
    bt_buf_fini(&b);
    return lex_fail(lx, "S0101", lx->pos, NULL);
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([Ee][-+]?[0-9]+)? without the sign, which is
 * always taken as an operator first. */
static int scan_number(sl__jn_lexer *lx, sl__jn_token *tok)
{
    size_t start = lx->pos;
    size_t i = start + 1;
    if (lx->src[start] != '0')
        while (is_digit(lx, i))
            i++;
    if (i < lx->len && lx->src[i] == '.' && is_digit(lx, i + 1)) {
        i += 2;
        while (is_digit(lx, i))
            i++;
    }
    if (i < lx->len && (lx->src[i] == 'e' || lx->src[i] == 'E')) {
        size_t j = i + 1;
        if (j < lx->len && (lx->src[j] == '+' || lx->src[j] == '-'))
            j++;
        if (is_digit(lx, j)) {
            while (is_digit(lx, j))
                j++;
            i = j;
        }
    }
    char *text = bt_xstrndup(lx->src + start, i - start);
    double d = strtod(text, NULL);
    if (!isfinite(d)) {
        int rc = lex_fail(lx, "S0102", start, text);
        free(text);
        return rc;
    }
    free(text);
    tok->type = SL__JN_TOK_NUMBER;
    tok->number = d;
    lx->pos = i;
    return 0;
}

static int scan_backtick(sl__jn_lexer *lx, sl__jn_token *tok)
{
    size_t start = lx->pos + 1;
    const char *end = memchr(lx->src + start, '`', lx->len - start);
    if (!end) {
        lx->pos = lx->len;
        return lex_fail(lx, "S0105", lx->len, NULL);
    }
    size_t n = (size_t)(end - (lx->src + start));
    tok->type = SL__JN_TOK_NAME;
    tok->str = sl__jn_strndup(lx->arena, lx->src + start, n);
    tok->len = n;
    lx->pos = start + n + 1;
    return 0;
}

static void scan_name(sl__jn_lexer *lx, sl__jn_token *tok)
{
    size_t start = lx->pos;
    size_t i = start;
    while (i < lx->len && !is_space(lx->src[i]) &&
           op_from_char(lx->src[i]) == SL_JN_OP_NONE)
        i++;
    lx->pos = i;
    const char *s = lx->src + start;
    size_t n = i - start;
    if (n > 0 && s[0] == '$') {
        tok->type = SL__JN_TOK_VARIABLE;
        tok->str = sl__jn_strndup(lx->arena, s + 1, n - 1);
        tok->len = n - 1;
        return;
    }
    static const struct {
        const char *word;
        sl__jn_tok type;
        sl_jn_op op;
        sl_jn_value value;
    } words[] = {
        {"and", SL__JN_TOK_OPERATOR, SL_JN_OP_AND, SL_JN_FALSE},
        {"or", SL__JN_TOK_OPERATOR, SL_JN_OP_OR, SL_JN_FALSE},
        {"in", SL__JN_TOK_OPERATOR, SL_JN_OP_IN, SL_JN_FALSE},
        {"true", SL__JN_TOK_VALUE, SL_JN_OP_NONE, SL_JN_TRUE},
        {"false", SL__JN_TOK_VALUE, SL_JN_OP_NONE, SL_JN_FALSE},
        {"null", SL__JN_TOK_VALUE, SL_JN_OP_NONE, SL_JN_NULL},
    };
    for (size_t k = 0; k < sizeof words / sizeof words[0]; k++) {
        if (strlen(words[k].word) == n && memcmp(words[k].word, s, n) == 0) {
            tok->type = words[k].type;
            tok->op = words[k].op;
            tok->value = words[k].value;
            return;
        }
    }
    tok->type = n == 0 ? SL__JN_TOK_END : SL__JN_TOK_NAME;
    tok->str = sl__jn_strndup(lx->arena, s, n);
    tok->len = n;
}

static bool scan_operator(sl__jn_lexer *lx, sl__jn_token *tok)
{
    if (lx->pos + 1 < lx->len) {
        for (size_t k = 0; k < sizeof two_char_ops / sizeof two_char_ops[0];
             k++) {
            if (memcmp(lx->src + lx->pos, two_char_ops[k].text, 2) == 0) {
                tok->type = SL__JN_TOK_OPERATOR;
                tok->op = two_char_ops[k].op;
                lx->pos += 2;
                return true;
            }
        }
    }
    sl_jn_op op = op_from_char(lx->src[lx->pos]);
    if (op == SL_JN_OP_NONE)
        return false;
    tok->type = SL__JN_TOK_OPERATOR;
    tok->op = op;
    lx->pos++;
    return true;
}

int sl__jn_lex_next(sl__jn_lexer *lx, bool infix, sl__jn_token *tok)
{
    memset(tok, 0, sizeof *tok);
    tok->type = SL__JN_TOK_END;
    int rc = skip_blank(lx);
    if (rc == 0 && lx->pos < lx->len) {
        char c = lx->src[lx->pos];
        if (!infix && c == '/') {
            lx->pos++;
            rc = scan_regex(lx, tok);
        } else if (scan_operator(lx, tok)) {
            rc = 0;
        } else if (c == '"' || c == '\'') {
            rc = scan_string(lx, tok);
        } else if (c >= '0' && c <= '9') {
            rc = scan_number(lx, tok);
        } else if (c == '`') {
            rc = scan_backtick(lx, tok);
        } else {
            scan_name(lx, tok);
        }
    }
    tok->position = tok->type == SL__JN_TOK_END ? lx->len : lx->pos;
    return rc;
}
