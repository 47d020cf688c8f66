/*
 * JSONata: the expression language of JSONata-mode states. Parsing happens
 * once, at definition load; a syntax error becomes a definition diagnostic.
 * Private to statelang/.
 *
 * The front end mirrors the reference implementation (jsonata-js 2.x,
 * src/parser.js): a tokenizer, a Pratt parser that builds a raw tree, and a
 * post-processing pass that turns the raw tree into the AST below (paths of
 * steps, predicates and stages, group-by, order-by, parent slots, focus and
 * index bindings, tail calls). The same inputs raise the same error codes at
 * the same character positions as the reference.
 *
 * Invariant: a compiled expression owns every node of its AST in one arena;
 * the AST is immutable after sl_jsonata_parse returns, may be shared, and its
 * nesting is bounded by a small multiple of SL_JSONATA_MAX_DEPTH (at most
 * three AST levels per raw-tree level), so code that walks it recursively
 * cannot exhaust the stack.
 */
#ifndef BATON_SL_JSONATA_INT_H
#define BATON_SL_JSONATA_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/base.h"

/* A JSONata error as the reference implementation reports it: code such as
 * "S0201", a character position in the expression, an optional token, and
 * a message. */
typedef struct sl_jsonata_error {
    char code[8];
    int position;
    char *token;   /* owned, may be NULL */
    char *message; /* owned */
} sl_jsonata_error;

void sl_jsonata_error_fini(sl_jsonata_error *err);

typedef struct sl_jsonata sl_jsonata; /* a compiled expression */

/* Parses the expression text (len bytes of UTF-8, without the {% %}
 * delimiters). Returns 0 and a new expression in *out, or BT_EPARSE with
 * err filled (caller calls sl_jsonata_error_fini). */
int sl_jsonata_parse(const char *text, size_t len, sl_jsonata **out,
                     sl_jsonata_error *err);
void sl_jsonata_free(sl_jsonata *expr);

/* ---- Limits ----------------------------------------------------------------
 * Nesting deeper than SL_JSONATA_MAX_DEPTH (parser recursion, or raw tree
 * depth in post-processing) and text longer than SL_JSONATA_MAX_BYTES fail
 * with code SL_JSONATA_ELIMIT. The reference has no such limit (it overflows
 * the JavaScript stack); "U1001" is its code for that condition. */
#define SL_JSONATA_MAX_DEPTH 500
#define SL_JSONATA_MAX_BYTES BT_LIMIT_DEFINITION_BYTES
#define SL_JSONATA_ELIMIT "U1001"

/* ---- Operators -------------------------------------------------------------
 * X(enum, text, left binding power in the parser). '!' and '~' are tokens
 * but not operators (S0204); they stop name tokens.                        */
#define SL_JN_OPS(X)                                                           \
    X(SL_JN_OP_DOT, ".", 75)                                                   \
    X(SL_JN_OP_LBRACKET, "[", 80)                                              \
    X(SL_JN_OP_RBRACKET, "]", 0)                                               \
    X(SL_JN_OP_LBRACE, "{", 70)                                                \
    X(SL_JN_OP_RBRACE, "}", 0)                                                 \
    X(SL_JN_OP_LPAREN, "(", 80)                                                \
    X(SL_JN_OP_RPAREN, ")", 0)                                                 \
    X(SL_JN_OP_COMMA, ",", 0)                                                  \
    X(SL_JN_OP_AT, "@", 80)                                                    \
    X(SL_JN_OP_HASH, "#", 80)                                                  \
    X(SL_JN_OP_SEMICOLON, ";", 0)                                              \
    X(SL_JN_OP_COLON, ":", 0)                                                  \
    X(SL_JN_OP_QUESTION, "?", 20)                                              \
    X(SL_JN_OP_PLUS, "+", 50)                                                  \
    X(SL_JN_OP_MINUS, "-", 50)                                                 \
    X(SL_JN_OP_STAR, "*", 60)                                                  \
    X(SL_JN_OP_SLASH, "/", 60)                                                 \
    X(SL_JN_OP_PERCENT, "%", 60)                                               \
    X(SL_JN_OP_PIPE, "|", 0)                                                   \
    X(SL_JN_OP_EQ, "=", 40)                                                    \
    X(SL_JN_OP_LT, "<", 40)                                                    \
    X(SL_JN_OP_GT, ">", 40)                                                    \
    X(SL_JN_OP_CARET, "^", 40)                                                 \
    X(SL_JN_OP_STARSTAR, "**", 0)                                              \
    X(SL_JN_OP_RANGE, "..", 0)                                                 \
    X(SL_JN_OP_BIND, ":=", 10)                                                 \
    X(SL_JN_OP_NE, "!=", 40)                                                   \
    X(SL_JN_OP_LE, "<=", 40)                                                   \
    X(SL_JN_OP_GE, ">=", 40)                                                   \
    X(SL_JN_OP_CHAIN, "~>", 40)                                                \
    X(SL_JN_OP_DEFAULT, "?:", 40)                                              \
    X(SL_JN_OP_COALESCE, "??", 40)                                             \
    X(SL_JN_OP_AND, "and", 30)                                                 \
    X(SL_JN_OP_OR, "or", 25)                                                   \
    X(SL_JN_OP_IN, "in", 40)                                                   \
    X(SL_JN_OP_CONCAT, "&", 50)                                                \
    X(SL_JN_OP_BANG, "!", 0)                                                   \
    X(SL_JN_OP_TILDE, "~", 0)

typedef enum sl_jn_op {
    SL_JN_OP_NONE = 0,
#define SL_JN_OP_ENUM(name, text, lbp) name,
    SL_JN_OPS(SL_JN_OP_ENUM)
#undef SL_JN_OP_ENUM
} sl_jn_op;

/* Source text of an operator ("" for SL_JN_OP_NONE). */
const char *sl_jn_op_text(sl_jn_op op);

/* ---- AST -------------------------------------------------------------------
 * X(enum, the reference's node type name, head word in sl_jn_dump). Fields
 * each kind uses are listed at struct sl_jn_node.                           */
#define SL_JN_KINDS(X)                                                         \
    X(SL_JN_PATH, "path", "path")                                              \
    X(SL_JN_BINARY, "binary", "binary")                                        \
    X(SL_JN_NEGATE, "unary", "neg")                                            \
    X(SL_JN_ARRAY, "unary", "array")                                           \
    X(SL_JN_OBJECT, "unary", "object")                                         \
    X(SL_JN_NAME, "name", "name")                                              \
    X(SL_JN_STRING, "string", "str")                                           \
    X(SL_JN_NUMBER, "number", "num")                                           \
    X(SL_JN_VALUE, "value", "value")                                           \
    X(SL_JN_VARIABLE, "variable", "var")                                       \
    X(SL_JN_REGEX, "regex", "regex")                                           \
    X(SL_JN_WILDCARD, "wildcard", "wildcard")                                  \
    X(SL_JN_DESCENDANT, "descendant", "descendant")                            \
    X(SL_JN_PARENT, "parent", "parent")                                        \
    X(SL_JN_FUNCTION, "function", "call")                                      \
    X(SL_JN_PARTIAL, "partial", "partial")                                     \
    X(SL_JN_PLACEHOLDER, "operator", "placeholder")                            \
    X(SL_JN_LAMBDA, "lambda", "lambda")                                        \
    X(SL_JN_CONDITION, "condition", "cond")                                    \
    X(SL_JN_COALESCE, "condition", "??")                                       \
    X(SL_JN_DEFAULT, "condition", "?:")                                        \
    X(SL_JN_BLOCK, "block", "block")                                           \
    X(SL_JN_BIND, "bind", ":=")                                                \
    X(SL_JN_APPLY, "apply", "~>")                                              \
    X(SL_JN_SORT, "sort", "sort")                                              \
    X(SL_JN_SORT_TERM, "term", "term")                                         \
    X(SL_JN_TRANSFORM, "transform", "transform")                               \
    X(SL_JN_FILTER, "filter", "filter")                                        \
    X(SL_JN_INDEX, "index", "index")                                           \
    X(SL_JN_GROUP, "group", "group")

typedef enum sl_jn_kind {
#define SL_JN_KIND_ENUM(name, type, head) name,
    SL_JN_KINDS(SL_JN_KIND_ENUM)
#undef SL_JN_KIND_ENUM
} sl_jn_kind;

/* The reference's type name for a kind ("path", "unary", ...). */
const char *sl_jn_kind_type(sl_jn_kind kind);

typedef enum sl_jn_value { SL_JN_FALSE, SL_JN_TRUE, SL_JN_NULL } sl_jn_value;

#define SL_JN_RE_I 0x1u /* regex flag i (the reference always adds g) */
#define SL_JN_RE_M 0x2u /* regex flag m */

typedef struct sl_jn_node sl_jn_node;

/* A growable array of node pointers, storage in the expression's arena. */
typedef struct sl_jn_list {
    sl_jn_node **items;
    size_t len;
    size_t cap;
} sl_jn_list;

/* What a parent operator % refers to. label is the reference's "!N" label
 * (as the number N): the evaluator binds the ancestor step that carries a
 * slot with this label and looks the same label up for %. level counts how
 * many steps up still remain while ancestry is resolved (0 once found);
 * index is the slot's position among all % of the expression. Slots are
 * shared between the % node, the step that binds it (ancestor) and lists of
 * unresolved slots (seeking_parent). */
typedef struct sl_jn_slot {
    int label;
    int level;
    int index;
} sl_jn_slot;

typedef struct sl_jn_slots {
    sl_jn_slot **items;
    size_t len;
    size_t cap;
} sl_jn_slots;

/* One parameter of a lambda signature such as <a<n>s?:n>. */
typedef struct sl_jn_sig_param {
    char type;     /* s n b l o a f j x, or '(' for a choice such as (ns) */
    char *accept;  /* value types accepted: letters from "asnblfo", plus
                    * 'm' (missing) where the reference's regex has it */
    char *subtype; /* the text inside a<...> or f<...>, else NULL */
    bool optional; /* '?' or '-' */
    bool variadic; /* '+' */
    bool context;  /* '-': the context value stands in when missing */
} sl_jn_sig_param;

typedef struct sl_jn_sig {
    char *definition; /* the signature text, "<...>" */
    sl_jn_sig_param *params;
    size_t n_params;
} sl_jn_sig;

/*
 * A node. position is the character offset (UTF-16 code units, as the
 * reference counts) just past the node's token; -1 where the reference has
 * none (paths). Fields by kind:
 *   PATH        items: steps (any node; NAME/WILDCARD/... or expressions);
 *               keep_singleton_array; tuple
 *   BINARY      op, lhs, rhs  (op is arithmetic, comparison, and, or, in,
 *               &, or .. for a range inside [ ])
 *   NEGATE      expr                       ARRAY   items; consarray
 *   OBJECT      items: key, value, key, value ...
 *   NAME        str (field name)           STRING  str, str_len (may hold
 *   NUMBER      number                             NUL bytes)
 *   VALUE       value                      VARIABLE str: name without '$'
 *   REGEX       str: pattern, regex_flags  WILDCARD, DESCENDANT: nothing
 *   PARENT      slot
 *   FUNCTION    procedure, items: arguments
 *   PARTIAL     procedure, items: arguments, PLACEHOLDER for each '?'
 *   LAMBDA      items: parameters (VARIABLE), signature (or NULL), body;
 *               thunk: a tail call wrapped by the parser (items empty)
 *   CONDITION   condition, then, otherwise (otherwise may be NULL)
 *   COALESCE    lhs ?? rhs: lhs if it exists, else rhs; rhs is tail-call
 *               optimised. The reference builds a condition on a copy of
 *               lhs ($exists(copy) ? lhs : rhs), so it evaluates lhs twice
 *               and numbers the % labels inside lhs twice; here lhs appears
 *               once (same results, % labels may be numbered differently)
 *   DEFAULT     lhs ?: rhs: lhs if it is truthy, else rhs (same remark)
 *   BLOCK       items: expressions; consarray
 *   BIND        lhs (VARIABLE), rhs        APPLY   lhs ~> rhs
 *   SORT        items: SORT_TERM nodes     SORT_TERM expr, descending
 *   TRANSFORM   pattern, update, del (may be NULL)
 *   FILTER      expr (a predicate)         INDEX   str: variable name
 *   GROUP       items: key, value, key, value ...
 * Annotations any node may carry (mostly path steps):
 *   predicate   FILTER nodes applied to this expression's value
 *   stages      FILTER and INDEX nodes applied in order to a path step
 *   group       GROUP: the group-by object of this step or expression
 *   focus       @$name binding (variable name), or NULL
 *   index       #$name binding on a step without stages, or NULL
 *   ancestor    NAME/WILDCARD: the % slot this step must bind, or NULL
 *   seeking_parent  % slots not yet resolved below this node, or NULL
 *   keep_array  [] was written after it; tuple: evaluate as tuple stream
 */
struct sl_jn_node {
    sl_jn_kind kind;
    int position;
    sl_jn_op op;
    double number;
    sl_jn_value value;
    char *str;
    size_t str_len;
    unsigned regex_flags;
    sl_jn_node *lhs;
    sl_jn_node *rhs;
    sl_jn_node *expr;
    sl_jn_node *procedure;
    sl_jn_node *body;
    sl_jn_node *condition;
    sl_jn_node *then;
    sl_jn_node *otherwise;
    sl_jn_node *pattern;
    sl_jn_node *update;
    sl_jn_node *del;
    sl_jn_list items;
    sl_jn_sig *signature;
    sl_jn_slot *slot;
    sl_jn_list predicate;
    sl_jn_list stages;
    sl_jn_node *group;
    char *focus;
    char *index;
    sl_jn_slot *ancestor;
    sl_jn_slots *seeking_parent;
    bool keep_array;
    bool keep_singleton_array;
    bool tuple;
    bool consarray;
    bool thunk;
    bool descending;
};

/* The root of a compiled expression's AST (borrowed, lives as long as
 * expr). */
const sl_jn_node *sl_jsonata_root(const sl_jsonata *expr);

/* Calls visit on n and then on every node below it, pre-order: children in
 * source order, then predicate, stages and group. visit returns false to
 * stop the walk; the walk then returns false. Recursion depth is bounded by
 * the AST's. */
typedef bool (*sl_jn_visit_fn)(const sl_jn_node *n, void *ctx);
bool sl_jn_walk(const sl_jn_node *n, sl_jn_visit_fn visit, void *ctx);

/* A one-line S-expression of the tree, for tests and debugging. Returns a
 * new string (caller frees). Atoms print bare: a name as a (or `a b` when
 * it needs quoting), $var, "string", numbers, true/false/null, /re/im, *,
 * **, ?. Other nodes print as (kind children...), e.g. (path a b),
 * (+ 1 2), (call $sum (path a)), (lambda ($x) <n:n> body), (thunk body).
 * Annotations follow the children as :keep :keepsingleton :consarray
 * :tuple :focus $v :index $v :ancestor !n :pred E... :stages (filter E)
 * (index $i)... :group K V... :seek !n...; an annotated atom prints as
 * (name a ...), (str "a" ...), (var $x ...), (num 1 ...), etc. */
char *sl_jn_dump(const sl_jn_node *n);

/* ---- Front-end internals (shared by the sl_jsonata_*.c files) ------------ */

/* Bump allocator; every allocation is zeroed and freed with the arena. */
typedef struct sl__jn_chunk sl__jn_chunk;
typedef struct sl__jn_arena {
    sl__jn_chunk *head;
} sl__jn_arena;

void *sl__jn_alloc(sl__jn_arena *a, size_t n);
char *sl__jn_strndup(sl__jn_arena *a, const char *s, size_t n);
/* Returns a copy of old (n elements of elem bytes) with room for twice as
 * many; *cap is updated. Use through SL__JN_PUSH. */
void *sl__jn_grow(sl__jn_arena *a, void *old, size_t elem, size_t n,
                  size_t *cap);
void sl__jn_arena_fini(sl__jn_arena *a);

#define SL__JN_PUSH(arena, list, item)                                         \
    do {                                                                       \
        if ((list)->len == (list)->cap)                                        \
            (list)->items =                                                    \
                sl__jn_grow((arena), (list)->items, sizeof *(list)->items,     \
                            (list)->len, &(list)->cap);                        \
        (list)->items[(list)->len++] = (item);                                 \
    } while (0)

/* Fills err with code, position, token (copied, may be NULL) and the
 * reference's message for code with {{token}} and {{value}} filled in.
 * Always returns BT_EPARSE. */
int sl__jn_fail(sl_jsonata_error *err, const char *code, int position,
                const char *token, const char *value);

/* Appends a number the way JavaScript prints it (shortest text that reads
 * back as the same double; integers below 1e21 without exponent). */
void sl__jn_format_number(bt_buf *b, double d);

/* Tokens. position is a byte offset just past the token (END: the text's
 * length); the parser converts it to characters. */
typedef enum sl__jn_tok {
    SL__JN_TOK_END,
    SL__JN_TOK_NAME,
    SL__JN_TOK_VARIABLE,
    SL__JN_TOK_OPERATOR,
    SL__JN_TOK_STRING,
    SL__JN_TOK_NUMBER,
    SL__JN_TOK_VALUE,
    SL__JN_TOK_REGEX
} sl__jn_tok;

typedef struct sl__jn_token {
    sl__jn_tok type;
    sl_jn_op op; /* OPERATOR */
    char *str;   /* NAME, VARIABLE, STRING, REGEX pattern (arena) */
    size_t len;
    double number;     /* NUMBER */
    sl_jn_value value; /* VALUE */
    unsigned regex_flags;
    size_t position;
} sl__jn_token;

typedef struct sl__jn_lexer {
    const char *src;
    size_t len;
    size_t pos;
    int *u16;            /* character offset of each byte offset 0..len
                          * (owned, freed by sl__jn_lex_fini) */
    sl__jn_arena *arena; /* token strings */
    sl_jsonata_error *err;
} sl__jn_lexer;

void sl__jn_lex_init(sl__jn_lexer *lx, const char *src, size_t len,
                     sl__jn_arena *arena, sl_jsonata_error *err);
void sl__jn_lex_fini(sl__jn_lexer *lx);
/* Character offset of a byte offset (offsets past the end count one
 * character per byte, as the reference can report them). */
int sl__jn_lex_chars(const sl__jn_lexer *lx, size_t byte_pos);
/* Scans the next token; infix is true where an operand just ended (a '/'
 * is then division, not a regex). Returns 0 or BT_EPARSE with err set. */
int sl__jn_lex_next(sl__jn_lexer *lx, bool infix, sl__jn_token *tok);

/* Raw parse tree: the shape the reference's Pratt parser builds before
 * post-processing. */
typedef enum sl__jn_rtype {
    SL__JN_R_END,
    SL__JN_R_NAME,
    SL__JN_R_VARIABLE,
    SL__JN_R_OPERATOR, /* an operator token in operand position */
    SL__JN_R_STRING,
    SL__JN_R_NUMBER,
    SL__JN_R_VALUE,
    SL__JN_R_REGEX,
    SL__JN_R_BINARY, /* op; lhs, rhs; '{' group and '^' sort: items */
    SL__JN_R_UNARY,  /* op '-': expr; '[': items; '{': items (pairs) */
    SL__JN_R_FUNCTION,
    SL__JN_R_PARTIAL,
    SL__JN_R_LAMBDA,
    SL__JN_R_CONDITION,
    SL__JN_R_COALESCE,
    SL__JN_R_DEFAULT,
    SL__JN_R_TRANSFORM,
    SL__JN_R_BLOCK,
    SL__JN_R_WILDCARD,
    SL__JN_R_DESCENDANT,
    SL__JN_R_PARENT,
    SL__JN_R_SORT_TERM
} sl__jn_rtype;

typedef struct sl__jn_raw sl__jn_raw;
typedef struct sl__jn_rlist {
    sl__jn_raw **items;
    size_t len;
    size_t cap;
} sl__jn_rlist;

struct sl__jn_raw {
    sl__jn_rtype type;
    sl_jn_op op;
    int position; /* characters */
    char *str;
    size_t len;
    double number;
    sl_jn_value value;
    unsigned regex_flags;
    sl__jn_raw *lhs, *rhs, *expr, *then, *otherwise, *del;
    sl__jn_rlist items;
    sl_jn_sig *signature;
    bool keep_array;
    bool descending;
};

/* Parses tokens into a raw tree allocated in arena. Returns 0 or
 * BT_EPARSE. */
int sl__jn_parse_raw(sl__jn_lexer *lx, sl__jn_arena *arena, sl__jn_raw **out);

/* Post-processing: builds the AST in arena from a raw tree. Returns 0 or
 * BT_EPARSE. */
int sl__jn_process(const sl__jn_raw *raw, sl__jn_arena *arena,
                   sl_jsonata_error *err, sl_jn_node **out);

/* Parses a lambda signature ("<...>"). On error returns BT_EPARSE with
 * the code in err and position sig_position plus the offending offset. */
int sl__jn_sig_parse(const char *sig, size_t len, int sig_position,
                     sl__jn_arena *arena, sl_jsonata_error *err,
                     sl_jn_sig **out);

#endif
