/*
 * The parsed form of a JSONPath, shared by the parser (sl_path.c) and the
 * evaluator (sl_path_eval*.c). Nothing outside sl_path*.c includes this.
 *
 * Invariant: a parsed path is never modified after sl_path_parse returns, so
 * it may be shared between evaluations (regexes are compiled once, regexec
 * only reads them).
 */
#ifndef BATON_SL_PATH_AST_H
#define BATON_SL_PATH_AST_H

#include <regex.h>

#include "statelang/sl_path_int.h"

typedef enum sl_step_kind {
    SL_STEP_NAME,     /* .name ['name']                     */
    SL_STEP_INDEX,    /* [n], n may be negative             */
    SL_STEP_WILDCARD, /* .* [*]                             */
    SL_STEP_SLICE,    /* [a:b] [a:] [:b]                    */
    SL_STEP_NAMES,    /* ['a','b'] (two or more names)      */
    SL_STEP_INDICES,  /* [0,1] (two or more indices)        */
    SL_STEP_FILTER    /* [?(expr)]                          */
} sl_step_kind;

typedef struct sl_filter sl_filter;

typedef struct sl_step {
    sl_step_kind kind;
    bool deep;    /* preceded by ".." */
    char **names; /* NAME (one) and NAMES: decoded, owned */
    size_t nnames;
    int64_t *idx; /* INDEX (one) and INDICES */
    size_t nidx;
    bool has_from, has_to; /* SLICE */
    int64_t from, to;
    sl_filter *filter; /* FILTER */
} sl_step;

typedef enum sl_rel_op {
    SL_OP_EXISTS, /* no operator: [?(@.x)] */
    SL_OP_EQ,
    SL_OP_NE,
    SL_OP_LT,
    SL_OP_LE,
    SL_OP_GT,
    SL_OP_GE,
    SL_OP_REGEX, /* =~ /re/flags */
    SL_OP_IN,
    SL_OP_NIN,
    SL_OP_SUBSETOF,
    SL_OP_ANYOF,
    SL_OP_NONEOF,
    SL_OP_SIZE,
    SL_OP_EMPTY,
    SL_OP_CONTAINS
} sl_rel_op;

typedef enum sl_operand_kind {
    SL_OPND_PATH,    /* @... or $... */
    SL_OPND_LITERAL, /* string, number, bool, null, array */
    SL_OPND_REGEX
} sl_operand_kind;

typedef struct sl_operand {
    sl_operand_kind kind;
    sl_path *path;        /* PATH, owned */
    json_object *literal; /* LITERAL, owned (NULL means json null) */
    regex_t re;           /* REGEX, compiled when has_re */
    bool has_re;
} sl_operand;

typedef enum sl_filter_kind {
    SL_FX_OR,
    SL_FX_AND,
    SL_FX_NOT,
    SL_FX_REL
} sl_filter_kind;

struct sl_filter {
    sl_filter_kind kind;
    sl_filter *a, *b; /* OR, AND: both; NOT: a */
    sl_rel_op op;     /* REL */
    sl_operand lhs, rhs;
};

struct sl_path {
    sl_path_root root;
    char *var;  /* SL_ROOT_VAR: the variable name, owned */
    char *text; /* source text, owned */
    sl_step *steps;
    size_t nsteps;
    bool definite;
};

/* ---- Parser internals shared by sl_path.c and sl_path_filter.c ---------- */

typedef struct sl_pcur {
    const char *s; /* text being parsed (not NUL-terminated at len) */
    size_t len;
    size_t pos;
    size_t base; /* character offset of s[0] in the caller's text */
    unsigned flags;
    int depth; /* nesting of paths and filter parentheses */
    char *err; /* first error, owned */
} sl_pcur;

static inline int sl_peek(const sl_pcur *c)
{
    return c->pos < c->len ? (unsigned char)c->s[c->pos] : -1;
}

static inline int sl_peek_at(const sl_pcur *c, size_t ahead)
{
    return c->pos + ahead < c->len ? (unsigned char)c->s[c->pos + ahead] : -1;
}

static inline bool sl_is_space(int ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static inline bool sl_is_digit(int ch)
{
    return ch >= '0' && ch <= '9';
}

static inline void sl_skip_ws(sl_pcur *c)
{
    while (sl_is_space(sl_peek(c)))
        c->pos++;
}

/* Records the first error ("<message> at offset N", N counted in characters
 * from the start of the caller's text); always returns BT_EPARSE. */
int sl_path__fail(sl_pcur *c, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "unexpected 'x', expected <expected>" at the cursor. */
int sl_path__fail_unexpected(sl_pcur *c, const char *expected);
/* A '..' or ".." string with backslash escapes; *out is new. */
int sl_path__parse_quoted(sl_pcur *c, char **out);
/* A path starting at the cursor ('@' allowed and early stop when in_filter).
 */
int sl_path__parse_sub(sl_pcur *c, bool in_filter, sl_path **out);
/* The expression inside [?( ... )]; stops before the closing ')'. */
int sl_path__parse_filter(sl_pcur *c, sl_filter **out);
void sl_path__filter_free(sl_filter *f);

/* ---- Evaluator internals shared by sl_path_eval.c and sl_path_match.c ---- */

/* Borrowed nodes (NULL is a JSON null node). */
typedef struct sl_nodes {
    json_object **v;
    size_t n, cap;
} sl_nodes;

typedef struct sl_ectx {
    const sl_path_env *env;
    json_object *root; /* document of the outer path: '$' inside filters */
    json_object *keep; /* owns objects made during evaluation, or NULL */
    json_object *cur;  /* node where a definite path failed (messages) */
    char *err;         /* message for a failure, owned */
} sl_ectx;

void sl_nodes__push(sl_nodes *l, json_object *v);
/* "null", "boolean", "number", "string", "array" or "object". */
/* The document p starts at ('@' is at); BT_ENOENT for an unset variable. */
int sl_path__root_doc(sl_ectx *x, const sl_path *p, json_object *at,
                      json_object **doc);
/* Applies p's steps to start; *res gets the matches (caller frees res->v).
 * Fails only with BT_ELIMIT (document too deep), message in x->err. */
int sl_path__run_steps(sl_ectx *x, const sl_path *p, json_object *start,
                       sl_nodes *res);
/* Tests filter f with '@' = at; fails only like sl_path__run_steps. */
int sl_path__filter_test(sl_ectx *x, const sl_filter *f, json_object *at,
                         bool *ok);

#endif
