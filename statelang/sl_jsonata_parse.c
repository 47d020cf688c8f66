/*
 * JSONata parser: Pratt's top-down operator precedence over the tokenizer,
 * with the reference's symbol table (binding powers, which operators have a
 * prefix form, which an infix form), building the raw tree that
 * sl_jsonata_ast.c post-processes. Also the module's entry points.
 *
 * Invariant: parser recursion (expression -> nud/led -> expression) is
 * counted and stops at SL_JSONATA_MAX_DEPTH; every failure leaves a filled
 * error and a NULL result, and all nodes live in the arena, so nothing is
 * freed on the way out.
 */
#include "statelang/sl_jsonata_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sl_jsonata {
    sl__jn_arena arena;
    sl_jn_node *root;
};

typedef struct parser {
    sl__jn_lexer *lx;
    sl__jn_arena *arena;
    sl_jsonata_error *err;
    sl__jn_raw *node; /* the current (lookahead) token */
    int depth;
} parser;

static int op_lbp(sl_jn_op op)
{
    switch (op) {
#define SL_JN_OP_LBP(name, text, lbp)                                          \
    case name:                                                                 \
        return lbp;
        SL_JN_OPS(SL_JN_OP_LBP)
#undef SL_JN_OP_LBP
    default:
        return 0;
    }
}

static int lbp(const sl__jn_raw *r)
{
    return r->type == SL__JN_R_OPERATOR ? op_lbp(r->op) : 0;
}

static bool is_op(const sl__jn_raw *r, sl_jn_op op)
{
    return r->type == SL__JN_R_OPERATOR && r->op == op;
}

/* The token's value as the reference prints it in error messages. */
static char *token_text(const sl__jn_raw *r)
{
    bt_buf b;
    bt_buf_init(&b);
    switch (r->type) {
    case SL__JN_R_END:
        bt_buf_puts(&b, "(end)");
        break;
    case SL__JN_R_NUMBER:
        sl__jn_format_number(&b, r->number);
        break;
    case SL__JN_R_VALUE:
        bt_buf_puts(&b, r->value == SL_JN_TRUE    ? "true"
                        : r->value == SL_JN_FALSE ? "false"
                                                  : "null");
        break;
    case SL__JN_R_REGEX:
        bt_buf_printf(&b, "/%s/g%s%s", r->str,
                      r->regex_flags & SL_JN_RE_I ? "i" : "",
                      r->regex_flags & SL_JN_RE_M ? "m" : "");
        break;
    case SL__JN_R_NAME:
    case SL__JN_R_VARIABLE:
    case SL__JN_R_STRING:
        bt_buf_append(&b, r->str, r->len);
        break;
    default:
        bt_buf_puts(&b, sl_jn_op_text(r->op));
        break;
    }
    return bt_buf_take(&b);
}

static sl__jn_raw *fail_at(parser *p, const char *code, int position,
                           const sl__jn_raw *token_of, const char *token,
                           const char *value)
{
    char *text = token_of ? token_text(token_of) : NULL;
    sl__jn_fail(p->err, code, position, text ? text : token, value);
    free(text);
    return NULL;
}

static sl__jn_raw *raw_from_token(parser *p, const sl__jn_token *t)
{
    static const sl__jn_rtype types[] = {
        [SL__JN_TOK_END] = SL__JN_R_END,
        [SL__JN_TOK_NAME] = SL__JN_R_NAME,
        [SL__JN_TOK_VARIABLE] = SL__JN_R_VARIABLE,
        [SL__JN_TOK_OPERATOR] = SL__JN_R_OPERATOR,
        [SL__JN_TOK_STRING] = SL__JN_R_STRING,
        [SL__JN_TOK_NUMBER] = SL__JN_R_NUMBER,
        [SL__JN_TOK_VALUE] = SL__JN_R_VALUE,
        [SL__JN_TOK_REGEX] = SL__JN_R_REGEX,
    };
    sl__jn_raw *r = sl__jn_alloc(p->arena, sizeof *r);
    r->type = types[t->type];
    r->op = t->op;
    r->position = sl__jn_lex_chars(p->lx, t->position);
    r->str = t->str;
    r->len = t->len;
    r->number = t->number;
    r->value = t->value;
    r->regex_flags = t->regex_flags;
    return r;
}

/* Checks that the current token is the operator expect (unless NONE), then
 * moves to the next token. Returns 0 or BT_EPARSE. */
static int advance(parser *p, sl_jn_op expect, bool infix)
{
    if (expect != SL_JN_OP_NONE && !is_op(p->node, expect)) {
        const char *code = p->node->type == SL__JN_R_END ? "S0203" : "S0202";
        fail_at(p, code, p->node->position, p->node, NULL,
                sl_jn_op_text(expect));
        return BT_EPARSE;
    }
    sl__jn_token tok;
    int rc = sl__jn_lex_next(p->lx, infix, &tok);
    if (rc)
        return rc;
    sl__jn_raw *r = raw_from_token(p, &tok);
    if (r->type == SL__JN_R_OPERATOR &&
        (r->op == SL_JN_OP_BANG || r->op == SL_JN_OP_TILDE)) {
        fail_at(p, "S0204", r->position, r, NULL, NULL);
        return BT_EPARSE;
    }
    p->node = r;
    return 0;
}

static sl__jn_raw *expression(parser *p, int rbp);

/* ---- prefix forms ----------------------------------------------------------
 */

static sl__jn_raw *nud_block(parser *p, sl__jn_raw *t)
{
    while (!is_op(p->node, SL_JN_OP_RPAREN)) {
        sl__jn_raw *e = expression(p, 0);
        if (!e)
            return NULL;
        SL__JN_PUSH(p->arena, &t->items, e);
        if (!is_op(p->node, SL_JN_OP_SEMICOLON))
            break;
        if (advance(p, SL_JN_OP_SEMICOLON, false))
            return NULL;
    }
    if (advance(p, SL_JN_OP_RPAREN, true))
        return NULL;
    t->type = SL__JN_R_BLOCK;
    return t;
}

static sl__jn_raw *nud_array(parser *p, sl__jn_raw *t)
{
    /* the closing token is only checked before the first item, as the
     * reference does: a trailing comma is an error */
    bool more = !is_op(p->node, SL_JN_OP_RBRACKET);
    while (more) {
        sl__jn_raw *item = expression(p, 0);
        if (!item)
            return NULL;
        if (is_op(p->node, SL_JN_OP_RANGE)) {
            sl__jn_raw *range = sl__jn_alloc(p->arena, sizeof *range);
            range->type = SL__JN_R_BINARY;
            range->op = SL_JN_OP_RANGE;
            range->position = p->node->position;
            range->lhs = item;
            if (advance(p, SL_JN_OP_RANGE, false))
                return NULL;
            range->rhs = expression(p, 0);
            if (!range->rhs)
                return NULL;
            item = range;
        }
        SL__JN_PUSH(p->arena, &t->items, item);
        more = is_op(p->node, SL_JN_OP_COMMA);
        if (more && advance(p, SL_JN_OP_COMMA, false))
            return NULL;
    }
    if (advance(p, SL_JN_OP_RBRACKET, true))
        return NULL;
    t->type = SL__JN_R_UNARY;
    return t;
}

/* { key: value, ... } as a constructor (left NULL) or a group-by. */
static sl__jn_raw *parse_object(parser *p, sl__jn_raw *t, sl__jn_raw *left)
{
    /* the closing token is only checked before the first item, as the
     * reference does: a trailing comma is an error */
    bool more = !is_op(p->node, SL_JN_OP_RBRACE);
    while (more) {
        sl__jn_raw *k = expression(p, 0);
        if (!k || advance(p, SL_JN_OP_COLON, false))
            return NULL;
        sl__jn_raw *v = expression(p, 0);
        if (!v)
            return NULL;
        SL__JN_PUSH(p->arena, &t->items, k);
        SL__JN_PUSH(p->arena, &t->items, v);
        more = is_op(p->node, SL_JN_OP_COMMA);
        if (more && advance(p, SL_JN_OP_COMMA, false))
            return NULL;
    }
    if (advance(p, SL_JN_OP_RBRACE, true))
        return NULL;
    t->type = left ? SL__JN_R_BINARY : SL__JN_R_UNARY;
    t->lhs = left;
    return t;
}

static sl__jn_raw *nud_transform(parser *p, sl__jn_raw *t)
{
    t->type = SL__JN_R_TRANSFORM;
    t->lhs = expression(p, 0);
    if (!t->lhs || advance(p, SL_JN_OP_PIPE, false))
        return NULL;
    t->rhs = expression(p, 0);
    if (!t->rhs)
        return NULL;
    if (is_op(p->node, SL_JN_OP_COMMA)) {
        if (advance(p, SL_JN_OP_COMMA, false))
            return NULL;
        t->del = expression(p, 0);
        if (!t->del)
            return NULL;
    }
    if (advance(p, SL_JN_OP_PIPE, false))
        return NULL;
    return t;
}

static sl__jn_raw *nud(parser *p, sl__jn_raw *t)
{
    if (t->type != SL__JN_R_OPERATOR)
        return t; /* names, variables, literals, regexes, the end */
    switch (t->op) {
    case SL_JN_OP_AND:
    case SL_JN_OP_OR:
    case SL_JN_OP_IN:
        return t; /* field names; post-processing turns them into names */
    case SL_JN_OP_MINUS:
        t->type = SL__JN_R_UNARY;
        t->expr = expression(p, 70);
        return t->expr ? t : NULL;
    case SL_JN_OP_STAR:
        t->type = SL__JN_R_WILDCARD;
        return t;
    case SL_JN_OP_STARSTAR:
        t->type = SL__JN_R_DESCENDANT;
        return t;
    case SL_JN_OP_PERCENT:
        t->type = SL__JN_R_PARENT;
        return t;
    case SL_JN_OP_LPAREN:
        return nud_block(p, t);
    case SL_JN_OP_LBRACKET:
        return nud_array(p, t);
    case SL_JN_OP_LBRACE:
        return parse_object(p, t, NULL);
    case SL_JN_OP_PIPE:
        return nud_transform(p, t);
    default:
        return fail_at(p, "S0211", t->position, t, NULL, NULL);
    }
}

/* ---- infix forms -----------------------------------------------------------
 */

/* The tokens between < and > after a lambda's parameters, concatenated as
 * the reference does, then parsed as a signature. */
static int lambda_signature(parser *p, sl__jn_raw *t)
{
    int sig_position = p->node->position;
    int depth = 1;
    bt_buf sig;
    bt_buf_init(&sig);
    bt_buf_putc(&sig, '<');
    while (depth > 0 && !is_op(p->node, SL_JN_OP_LBRACE) &&
           p->node->type != SL__JN_R_END) {
        if (advance(p, SL_JN_OP_NONE, false)) {
            bt_buf_fini(&sig);
            return BT_EPARSE;
        }
        if (is_op(p->node, SL_JN_OP_GT))
            depth--;
        else if (is_op(p->node, SL_JN_OP_LT))
            depth++;
        char *text = token_text(p->node);
        bt_buf_puts(&sig, text);
        free(text);
    }
    int rc = advance(p, SL_JN_OP_GT, false);
    if (rc == 0)
        rc = sl__jn_sig_parse(sig.data, sig.len, sig_position, p->arena, p->err,
                              &t->signature);
    bt_buf_fini(&sig);
    return rc;
}

static sl__jn_raw *lambda_rest(parser *p, sl__jn_raw *t)
{
    for (size_t i = 0; i < t->items.len; i++) {
        const sl__jn_raw *arg = t->items.items[i];
        if (arg->type != SL__JN_R_VARIABLE) {
            char value[24];
            snprintf(value, sizeof value, "%zu", i + 1);
            return fail_at(p, "S0208", arg->position, arg, NULL, value);
        }
    }
    t->type = SL__JN_R_LAMBDA;
    if (is_op(p->node, SL_JN_OP_LT) && lambda_signature(p, t))
        return NULL;
    if (advance(p, SL_JN_OP_LBRACE, false))
        return NULL;
    t->expr = expression(p, 0);
    if (!t->expr || advance(p, SL_JN_OP_RBRACE, false))
        return NULL;
    return t;
}

static bool is_lambda_keyword(const sl__jn_raw *r)
{
    return r->type == SL__JN_R_NAME &&
           (strcmp(r->str, "function") == 0 || strcmp(r->str, "\u03bb") == 0);
}

/* procedure(args...), a partial application when an argument is '?', or a
 * lambda definition when the procedure is the name function or λ. */
static sl__jn_raw *led_call(parser *p, sl__jn_raw *t, sl__jn_raw *left)
{
    t->type = SL__JN_R_FUNCTION;
    t->lhs = left;
    /* the closing token is only checked before the first item, as the
     * reference does: a trailing comma is an error */
    bool more = !is_op(p->node, SL_JN_OP_RPAREN);
    while (more) {
        if (is_op(p->node, SL_JN_OP_QUESTION)) {
            t->type = SL__JN_R_PARTIAL;
            SL__JN_PUSH(p->arena, &t->items, p->node);
            if (advance(p, SL_JN_OP_QUESTION, false))
                return NULL;
        } else {
            sl__jn_raw *arg = expression(p, 0);
            if (!arg)
                return NULL;
            SL__JN_PUSH(p->arena, &t->items, arg);
        }
        more = is_op(p->node, SL_JN_OP_COMMA);
        if (more && advance(p, SL_JN_OP_COMMA, false))
            return NULL;
    }
    if (advance(p, SL_JN_OP_RPAREN, true))
        return NULL;
    return is_lambda_keyword(left) ? lambda_rest(p, t) : t;
}

/* step[predicate], or step[] which only marks the step to keep arrays. */
static sl__jn_raw *led_filter(parser *p, sl__jn_raw *t, sl__jn_raw *left)
{
    if (is_op(p->node, SL_JN_OP_RBRACKET)) {
        sl__jn_raw *step = left;
        while (step->type == SL__JN_R_BINARY && step->op == SL_JN_OP_LBRACKET)
            step = step->lhs;
        step->keep_array = true;
        return advance(p, SL_JN_OP_RBRACKET, false) ? NULL : left;
    }
    t->type = SL__JN_R_BINARY;
    t->lhs = left;
    t->rhs = expression(p, 0);
    if (!t->rhs || advance(p, SL_JN_OP_RBRACKET, true))
        return NULL;
    return t;
}

/* lhs^(<key, >key, ...) */
static sl__jn_raw *led_sort(parser *p, sl__jn_raw *t, sl__jn_raw *left)
{
    if (advance(p, SL_JN_OP_LPAREN, false))
        return NULL;
    for (;;) {
        sl__jn_raw *term = sl__jn_alloc(p->arena, sizeof *term);
        term->type = SL__JN_R_SORT_TERM;
        term->position = -1;
        if (is_op(p->node, SL_JN_OP_LT)) {
            if (advance(p, SL_JN_OP_LT, false))
                return NULL;
        } else if (is_op(p->node, SL_JN_OP_GT)) {
            term->descending = true;
            if (advance(p, SL_JN_OP_GT, false))
                return NULL;
        }
        term->expr = expression(p, 0);
        if (!term->expr)
            return NULL;
        SL__JN_PUSH(p->arena, &t->items, term);
        if (!is_op(p->node, SL_JN_OP_COMMA))
            break;
        if (advance(p, SL_JN_OP_COMMA, false))
            return NULL;
    }
    if (advance(p, SL_JN_OP_RPAREN, false))
        return NULL;
    t->type = SL__JN_R_BINARY;
    t->lhs = left;
    return t;
}

static sl__jn_raw *led_bind(parser *p, sl__jn_raw *t, sl__jn_raw *left)
{
    if (left->type != SL__JN_R_VARIABLE)
        return fail_at(p, "S0212", left->position, left, NULL, NULL);
    t->type = SL__JN_R_BINARY;
    t->lhs = left;
    /* one less than its binding power: right associative */
    t->rhs = expression(p, op_lbp(SL_JN_OP_BIND) - 1);
    return t->rhs ? t : NULL;
}

/* step@$var and step#$var */
static sl__jn_raw *led_binding(parser *p, sl__jn_raw *t, sl__jn_raw *left)
{
    t->type = SL__JN_R_BINARY;
    t->lhs = left;
    t->rhs = expression(p, op_lbp(t->op));
    if (!t->rhs)
        return NULL;
    if (t->rhs->type != SL__JN_R_VARIABLE)
        return fail_at(p, "S0214", t->rhs->position, NULL, sl_jn_op_text(t->op),
                       NULL);
    return t;
}

static sl__jn_raw *led_condition(parser *p, sl__jn_raw *t, sl__jn_raw *left)
{
    t->type = SL__JN_R_CONDITION;
    t->lhs = left;
    t->then = expression(p, 0);
    if (!t->then)
        return NULL;
    if (is_op(p->node, SL_JN_OP_COLON)) {
        if (advance(p, SL_JN_OP_COLON, false))
            return NULL;
        t->otherwise = expression(p, 0);
        if (!t->otherwise)
            return NULL;
    }
    return t;
}

static sl__jn_raw *led(parser *p, sl__jn_raw *t, sl__jn_raw *left)
{
    switch (t->op) {
    case SL_JN_OP_LPAREN:
        return led_call(p, t, left);
    case SL_JN_OP_LBRACKET:
        return led_filter(p, t, left);
    case SL_JN_OP_CARET:
        return led_sort(p, t, left);
    case SL_JN_OP_LBRACE:
        return parse_object(p, t, left);
    case SL_JN_OP_BIND:
        return led_bind(p, t, left);
    case SL_JN_OP_AT:
    case SL_JN_OP_HASH:
        return led_binding(p, t, left);
    case SL_JN_OP_QUESTION:
        return led_condition(p, t, left);
    case SL_JN_OP_COALESCE:
    case SL_JN_OP_DEFAULT:
        t->type =
            t->op == SL_JN_OP_COALESCE ? SL__JN_R_COALESCE : SL__JN_R_DEFAULT;
        t->lhs = left;
        t->rhs = expression(p, 0);
        return t->rhs ? t : NULL;
    default:
        t->type = SL__JN_R_BINARY; /* left associative */
        t->lhs = left;
        t->rhs = expression(p, op_lbp(t->op));
        return t->rhs ? t : NULL;
    }
}

static sl__jn_raw *expression(parser *p, int rbp)
{
    sl__jn_raw *t = p->node;
    if (++p->depth > SL_JSONATA_MAX_DEPTH)
        return fail_at(p, SL_JSONATA_ELIMIT, t->position, NULL, NULL,
                       "nesting deeper than the parser allows");
    if (advance(p, SL_JN_OP_NONE, true))
        return NULL;
    sl__jn_raw *left = nud(p, t);
    while (left && rbp < lbp(p->node)) {
        t = p->node;
        if (advance(p, SL_JN_OP_NONE, false))
            return NULL;
        left = led(p, t, left);
    }
    p->depth--;
    return left;
}

int sl__jn_parse_raw(sl__jn_lexer *lx, sl__jn_arena *arena, sl__jn_raw **out)
{
    parser p = {.lx = lx, .arena = arena, .err = lx->err};
    sl__jn_raw start = {.type = SL__JN_R_END};
    p.node = &start;
    if (advance(&p, SL_JN_OP_NONE, false))
        return BT_EPARSE;
    sl__jn_raw *expr = expression(&p, 0);
    if (!expr)
        return BT_EPARSE;
    if (p.node->type != SL__JN_R_END) {
        fail_at(&p, "S0201", p.node->position, p.node, NULL, NULL);
        return BT_EPARSE;
    }
    *out = expr;
    return 0;
}

/* ---- entry points
 * ------------------------------------------------------------ */

int sl_jsonata_parse(const char *text, size_t len, sl_jsonata **out,
                     sl_jsonata_error *err)
{
    memset(err, 0, sizeof *err);
    if (len > SL_JSONATA_MAX_BYTES)
        return sl__jn_fail(err, SL_JSONATA_ELIMIT, 0, NULL,
                           "text longer than the parser allows");
    sl_jsonata *expr = bt_xcalloc(1, sizeof *expr);
    sl__jn_lexer lx;
    sl__jn_raw *raw = NULL;
    sl__jn_lex_init(&lx, text, len, &expr->arena, err);
    int rc = sl__jn_parse_raw(&lx, &expr->arena, &raw);
    sl__jn_lex_fini(&lx);
    if (rc == 0)
        rc = sl__jn_process(raw, &expr->arena, err, &expr->root);
    if (rc) {
        sl_jsonata_free(expr);
        return BT_EPARSE;
    }
    *out = expr;
    return 0;
}

void sl_jsonata_free(sl_jsonata *expr)
{
    if (!expr)
        return;
    sl__jn_arena_fini(&expr->arena);
    free(expr);
}

const sl_jn_node *sl_jsonata_root(const sl_jsonata *expr)
{
    return expr->root;
}
