/*
 * JSONata front-end support: the node arena, the error table with the
 * reference's messages, operator and kind names, and number formatting as
 * JavaScript prints numbers.
 *
 * Invariant: arena memory is only ever released all at once, with the
 * compiled expression that owns it.
 */
#include "statelang/sl_jsonata_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- arena -----------------------------------------------------------------
 */

struct sl__jn_chunk {
    sl__jn_chunk *next;
    size_t used;
    size_t cap;
    max_align_t data[];
};

#define CHUNK_BYTES 8192u

void *sl__jn_alloc(sl__jn_arena *a, size_t n)
{
    const size_t align = sizeof(max_align_t);
    n = (n + align - 1) / align * align;
    sl__jn_chunk *c = a->head;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > CHUNK_BYTES ? n : CHUNK_BYTES;
        c = bt_xmalloc(sizeof *c + cap);
        c->used = 0;
        c->cap = cap;
        c->next = a->head;
        a->head = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

char *sl__jn_strndup(sl__jn_arena *a, const char *s, size_t n)
{
    char *p = sl__jn_alloc(a, n + 1);
    if (n)
        memcpy(p, s, n);
    return p;
}

void *sl__jn_grow(sl__jn_arena *a, void *old, size_t elem, size_t n,
                  size_t *cap)
{
    size_t next = *cap ? *cap * 2 : 4;
    void *p = sl__jn_alloc(a, next * elem);
    if (n)
        memcpy(p, old, n * elem);
    *cap = next;
    return p;
}

void sl__jn_arena_fini(sl__jn_arena *a)
{
    sl__jn_chunk *c = a->head;
    while (c) {
        sl__jn_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
}

/* ---- errors ----------------------------------------------------------------
 */

/* The reference's messages for the codes the front end raises. */
#define SL_JN_ERRORS(X)                                                        \
    X("S0101", "String literal must be terminated by a matching quote")        \
    X("S0102", "Number out of range: {{token}}")                               \
    X("S0103", "Unsupported escape sequence: \\{{token}}")                     \
    X("S0104", "The escape sequence \\u must be followed by 4 hex digits")     \
    X("S0105", "Quoted property name must be terminated with a backquote (`)") \
    X("S0106", "Comment has no closing tag")                                   \
    X("S0201", "Syntax error: {{token}}")                                      \
    X("S0202", "Expected {{value}}, got {{token}}")                            \
    X("S0203", "Expected {{value}} before end of expression")                  \
    X("S0204", "Unknown operator: {{token}}")                                  \
    X("S0205", "Unexpected token: {{token}}")                                  \
    X("S0206", "Unknown expression type: {{token}}")                           \
    X("S0207", "Unexpected end of expression")                                 \
    X("S0208", "Parameter {{value}} of function definition must be a "         \
               "variable name (start with $)")                                 \
    X("S0209", "A predicate cannot follow a grouping expression in a step")    \
    X("S0210", "Each step can only have one grouping expression")              \
    X("S0211", "The symbol {{token}} cannot be used as a unary operator")      \
    X("S0212", "The left side of := must be a variable name (start with $)")   \
    X("S0213", "The literal value {{value}} cannot be used as a step within "  \
               "a path expression")                                            \
    X("S0214", "The right side of {{token}} must be a variable name (start "   \
               "with $)")                                                      \
    X("S0215", "A context variable binding must precede any predicates on a "  \
               "step")                                                         \
    X("S0216", "A context variable binding must precede the 'order-by' "       \
               "clause on a step")                                             \
    X("S0217", "The object representing the 'parent' cannot be derived from "  \
               "this expression")                                              \
    X("S0301", "Empty regular expressions are not allowed")                    \
    X("S0302", "No terminating / in regular expression")                       \
    X("S0401", "Type parameters can only be applied to functions and arrays")  \
    X("S0402", "Choice groups containing parameterized types are not "         \
               "supported")                                                    \
    X(SL_JSONATA_ELIMIT, "Expression too complex: {{value}}")

static const char *message_template(const char *code)
{
#define SL_JN_ERR_MATCH(c, text)                                               \
    if (strcmp(code, c) == 0)                                                  \
        return text;
    SL_JN_ERRORS(SL_JN_ERR_MATCH)
#undef SL_JN_ERR_MATCH
    return "Syntax error";
}

int sl__jn_fail(sl_jsonata_error *err, const char *code, int position,
                const char *token, const char *value)
{
    sl_jsonata_error_fini(err);
    snprintf(err->code, sizeof err->code, "%s", code);
    err->position = position;
    err->token = token ? bt_xstrdup(token) : NULL;
    bt_buf b;
    bt_buf_init(&b);
    for (const char *t = message_template(code); *t;) {
        if (strncmp(t, "{{token}}", 9) == 0) {
            bt_buf_puts(&b, token ? token : "");
            t += 9;
        } else if (strncmp(t, "{{value}}", 9) == 0) {
            bt_buf_puts(&b, value ? value : "");
            t += 9;
        } else {
            bt_buf_putc(&b, *t++);
        }
    }
    err->message = bt_buf_take(&b);
    return BT_EPARSE;
}

void sl_jsonata_error_fini(sl_jsonata_error *err)
{
    if (!err)
        return;
    free(err->token);
    free(err->message);
    memset(err, 0, sizeof *err);
}

/* ---- names -----------------------------------------------------------------
 */

const char *sl_jn_op_text(sl_jn_op op)
{
    switch (op) {
#define SL_JN_OP_TEXT(name, text, lbp)                                         \
    case name:                                                                 \
        return text;
        SL_JN_OPS(SL_JN_OP_TEXT)
#undef SL_JN_OP_TEXT
    default:
        return "";
    }
}

const char *sl_jn_kind_type(sl_jn_kind kind)
{
    switch (kind) {
#define SL_JN_KIND_TYPE(name, type, head)                                      \
    case name:                                                                 \
        return type;
        SL_JN_KINDS(SL_JN_KIND_TYPE)
#undef SL_JN_KIND_TYPE
    default:
        return "";
    }
}

/* ---- numbers ---------------------------------------------------------------
 */

/* Shortest decimal digits of d (finite, > 0) and its decimal exponent:
 * d = 0.DIGITS x 10^point. */
static int shortest_digits(double d, char digits[24], int *point)
{
    char text[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(text, sizeof text, "%.*e", prec - 1, d);
        if (strtod(text, NULL) == d)
            break;
    }
    int n = 0;
    const char *t = text;
    for (; *t && *t != 'e'; t++)
        if (*t >= '0' && *t <= '9')
            digits[n++] = *t;
    while (n > 1 && digits[n - 1] == '0')
        n--;
    digits[n] = '\0';
    *point = (int)strtol(t + 1, NULL, 10) + 1;
    return n;
}

void sl__jn_format_number(bt_buf *b, double d)
{
    if (d == 0) {
        bt_buf_putc(b, '0');
        return;
    }
    if (!isfinite(d)) {
        bt_buf_puts(b, isnan(d) ? "NaN" : d < 0 ? "-Infinity" : "Infinity");
        return;
    }
    if (d < 0) {
        bt_buf_putc(b, '-');
        d = -d;
    }
    char digits[24];
    int point;
    int k = shortest_digits(d, digits, &point);
    if (k <= point && point <= 21) {
        bt_buf_puts(b, digits);
        for (int i = k; i < point; i++)
            bt_buf_putc(b, '0');
    } else if (0 < point && point <= 21) {
        bt_buf_append(b, digits, (size_t)point);
        bt_buf_putc(b, '.');
        bt_buf_puts(b, digits + point);
    } else if (-6 < point && point <= 0) {
        bt_buf_puts(b, "0.");
        for (int i = point; i < 0; i++)
            bt_buf_putc(b, '0');
        bt_buf_puts(b, digits);
    } else {
        bt_buf_putc(b, digits[0]);
        if (k > 1) {
            bt_buf_putc(b, '.');
            bt_buf_puts(b, digits + 1);
        }
        bt_buf_printf(b, "e%c%d", point - 1 < 0 ? '-' : '+', abs(point - 1));
    }
}
