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
#include <stdint.h>

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

/* ---- Evaluation ----------------------------------------------------------
 * sl_jsonata_eval runs a compiled expression the way the reference's
 * evaluate() does: sequences that collapse to singletons, tuple streams for
 * @ # %, signatures that validate and coerce arguments, tail calls run in a
 * trampoline, and the reference's error codes. Everything outside the
 * expression comes in through the environment: the input, variables, the
 * clock, random numbers and limits (statelang reads no clock itself).    */

/* Variables bound before evaluation ($name). Returns true when name (without
 * '$') is bound, with a borrowed value in *value (NULL is JSON null). */
typedef bool (*sl_jsonata_lookup_fn)(void *ctx, const char *name,
                                     json_object **value);

typedef struct sl_jsonata_env {
    json_object *input; /* borrowed; NULL is JSON null when has_input */
    bool has_input;     /* false: no input at all ($ and paths are undefined) */
    sl_jsonata_lookup_fn lookup; /* may be NULL */
    void *lookup_ctx;
    int64_t now_ms; /* what $now() and $millis() return (ms since epoch) */
    /* Random numbers in [0, 1) for $random, $shuffle, $uuid; NULL: a
     * generator seeded from now_ms. */
    double (*random)(void *ctx);
    void *random_ctx;
    bool aws_functions;    /* add $partition $range $hash $random(seed) $uuid
                            * $parse, the functions AWS Step Functions adds */
    int max_depth;         /* nesting of evaluation steps; 0: no limit other
                            * than stack_bytes */
    int64_t time_limit_ms; /* 0: none; needs elapsed_ms */
    int64_t (*elapsed_ms)(void *ctx); /* ms since evaluation started */
    void *clock_ctx;
    size_t stack_bytes; /* C stack the evaluator may use; 0: 4 MiB */
    size_t heap_bytes;  /* memory the evaluation may allocate; 0: 1 GiB */
} sl_jsonata_env;

/* Returned by sl_jsonata_eval when the expression raised a JSONata error
 * (err filled: code such as "T2001", message, position, token). Limits
 * raise SL_JSONATA_ELIMIT ("U1001"), as the reference's test harness does. */
#define SL_JSONATA_EEVAL BT_EINVAL

/* Evaluates expr against env. Returns 0 with the result in *out (a new
 * reference; NULL for JSON null) and *undefined telling whether the result
 * is JSONata's "nothing", or SL_JSONATA_EEVAL with err filled (caller calls
 * sl_jsonata_error_fini). Object members come out in JavaScript's order
 * (insertion order, except that integer-like keys such as "7" come first,
 * ascending), as the reference produces them; a function value converts
 * to "" (as $string prints it); a lone UTF-16 surrogate in a string becomes
 * U+FFFD. The expression may be shared between threads; one evaluation
 * runs on one thread. */
int sl_jsonata_eval(const sl_jsonata *expr, const sl_jsonata_env *env,
                    json_object **out, bool *undefined, sl_jsonata_error *err);
/* As sl_jsonata_eval; *function (when not NULL) tells whether the result
 * was a function, which a workflow field cannot hold. */
int sl_jsonata_eval_fn(const sl_jsonata *expr, const sl_jsonata_env *env,
                       json_object **out, bool *undefined, bool *function,
                       sl_jsonata_error *err);

/* ---- Evaluator internals ----------------------------------------------- */

typedef enum sl__jv_type {
    SL__JV_UNDEF = 0, /* JSONata's "nothing" */
    SL__JV_NULL,
    SL__JV_BOOL,
    SL__JV_NUM,
    SL__JV_STR,
    SL__JV_ARR,
    SL__JV_OBJ,
    SL__JV_FN
} sl__jv_type;

typedef struct sl__jarr sl__jarr;
typedef struct sl__jobj sl__jobj;
typedef struct sl__jfn sl__jfn;

/* A value, passed by value. Strings are immutable UTF-8 (WTF-8 where a
 * lone surrogate came in) with a length; arrays, objects and functions are
 * shared by pointer and live in the evaluation's heap. */
typedef struct sl__jv {
    uint8_t type;
    bool b;
    uint32_t len; /* STR: bytes */
    union {
        double n;
        const char *s; /* NUL-terminated too */
        sl__jarr *a;
        sl__jobj *o;
        sl__jfn *f;
    } u;
} sl__jv;

/* Array flags: the reference's sequence, keepSingleton, cons, outerWrapper
 * and tupleStream properties. */
#define SL__JA_SEQ 0x1u
#define SL__JA_KEEP 0x2u
#define SL__JA_CONS 0x4u
#define SL__JA_OUTER 0x8u
#define SL__JA_TUPLE 0x10u

struct sl__jarr {
    sl__jv *items;
    size_t len;
    size_t cap;
    unsigned flags;
};

typedef struct sl__jobj_ent {
    const char *key; /* NUL-terminated too */
    uint32_t klen;
    uint32_t hash;
    sl__jv val;
} sl__jobj_ent;

struct sl__jobj {
    sl__jobj_ent *items;
    size_t len;
    size_t cap;
    uint32_t *index; /* hash slots holding item position + 1, or NULL */
    size_t index_cap;
};

typedef struct sl__jn_ev sl__jn_ev;
typedef struct sl__jn_frame sl__jn_frame;

/* A native function's call: validated arguments (missing ones read as
 * undefined), the context value and the calling environment. */
typedef struct sl__jn_call {
    const sl__jv *args;
    size_t n;
    sl__jv input;
    sl__jn_frame *env;
} sl__jn_call;

typedef int (*sl__jn_native_fn)(sl__jn_ev *e, const sl__jn_call *c,
                                sl__jv *out);

/* A built-in function: name without '$', signature, the number of
 * parameters the reference's implementation declares (partial application
 * binds that many) and its arity (what higher-order functions pass). */
typedef struct sl__jn_builtin {
    const char *name;
    const char *signature;
    int nparams;
    int arity;
    bool aws; /* only with sl_jsonata_env.aws_functions */
    sl__jn_native_fn impl;
} sl__jn_builtin;

typedef enum sl__jf_kind {
    SL__JF_LAMBDA,   /* a lambda closure (or a tail-call thunk) */
    SL__JF_NATIVE,   /* a built-in */
    SL__JF_PARTIAL,  /* a built-in with some arguments bound */
    SL__JF_REGEX,    /* a regex literal: matcher(str, fromIndex) */
    SL__JF_NEXT,     /* the next() of a regex match */
    SL__JF_TRANSFORM /* | pattern | update, delete | */
} sl__jf_kind;

typedef struct sl__jn_regex sl__jn_regex;

struct sl__jfn {
    sl__jf_kind kind;
    /* LAMBDA */
    const sl_jn_node *node;          /* the lambda (thunk: body is the call) */
    const sl_jn_node *const *params; /* VARIABLE nodes */
    size_t n_params;
    const sl_jn_sig *sig; /* NULL: none */
    sl__jv input;
    sl__jn_frame *env;
    bool thunk;
    /* NATIVE, PARTIAL (bound: arguments, placeholders where is_hole) */
    const sl__jn_builtin *builtin;
    sl__jv *bound;
    bool *is_hole;
    size_t n_bound;
    /* REGEX, NEXT */
    sl__jn_regex *re;
    sl__jv str;        /* NEXT: the subject */
    size_t last_index; /* NEXT: where to search on (UTF-16 units) */
    /* TRANSFORM: node, env */
};

struct sl__jn_frame {
    sl__jn_frame *parent;
    struct sl__jn_binding {
        const char *name;
        sl__jv val;
    } * items;
    size_t len;
    size_t cap;
};

/* A raised error before its message is written. */
typedef struct sl__jn_raise {
    char code[8];
    int position; /* -1: not known yet */
    const char *token;
    sl__jv value;
    sl__jv value2;
    bool has_value;
    bool has_value2;
    int index;
    const char *message; /* D3137, D3141, U1001: the text itself */
    const char *fn_name; /* D3140 */
} sl__jn_raise;

#define SL__JN_N_BUILTINS 80

struct sl__jn_ev {
    sl__jn_arena heap;
    size_t heap_used;
    size_t heap_limit;
    const sl_jsonata_env *env;
    sl__jn_frame *root;
    sl__jn_raise err;
    int depth;
    int max_depth;
    unsigned ticks;
    uintptr_t stack_base;
    size_t stack_bytes;
    uint64_t rng; /* when env->random is NULL */
    const sl__jn_builtin *builtins;
    size_t n_builtins;
    sl__jfn *builtin_fns[SL__JN_N_BUILTINS];
    sl_jn_sig *builtin_sigs[SL__JN_N_BUILTINS];
    sl__jn_arena sig_arena;
    sl_jsonata **owned; /* expressions parsed during evaluation */
    size_t n_owned;
    size_t cap_owned;
    sl__jn_regex *regexes; /* compiled patterns, freed at the end */
    sl_jn_sig *transform_sig;
};

/* Values (sl_jsonata_value.c). */
static inline sl__jv sl__jv_undef(void)
{
    sl__jv v = {0};
    return v;
}
static inline sl__jv sl__jv_null(void)
{
    sl__jv v = {.type = SL__JV_NULL};
    return v;
}
static inline sl__jv sl__jv_bool(bool b)
{
    sl__jv v = {.type = SL__JV_BOOL, .b = b};
    return v;
}
static inline sl__jv sl__jv_num(double d)
{
    sl__jv v = {.type = SL__JV_NUM};
    v.u.n = d;
    return v;
}
static inline sl__jv sl__jv_arr(sl__jarr *a)
{
    sl__jv v = {.type = SL__JV_ARR};
    v.u.a = a;
    return v;
}
static inline sl__jv sl__jv_obj(sl__jobj *o)
{
    sl__jv v = {.type = SL__JV_OBJ};
    v.u.o = o;
    return v;
}
static inline sl__jv sl__jv_fn(sl__jfn *f)
{
    sl__jv v = {.type = SL__JV_FN};
    v.u.f = f;
    return v;
}
static inline bool sl__jv_is(sl__jv v, sl__jv_type t)
{
    return v.type == t;
}
static inline bool sl__jv_defined(sl__jv v)
{
    return v.type != SL__JV_UNDEF;
}
static inline bool sl__jv_is_seq(sl__jv v)
{
    return v.type == SL__JV_ARR && (v.u.a->flags & SL__JA_SEQ);
}

void *sl__jn_ev_alloc(sl__jn_ev *e, size_t n);
/* A string value borrowing s (which must outlive the evaluation). */
sl__jv sl__jv_str_ref(const char *s, size_t len);
/* A string value holding a copy of s. */
sl__jv sl__jv_str(sl__jn_ev *e, const char *s, size_t len);
sl__jv sl__jv_cstr(sl__jn_ev *e, const char *s);
/* A string value taking the contents of b (b is left empty). */
sl__jv sl__jv_str_buf(sl__jn_ev *e, bt_buf *b);
sl__jarr *sl__jarr_new(sl__jn_ev *e, unsigned flags, size_t cap);
void sl__jarr_push(sl__jn_ev *e, sl__jarr *a, sl__jv v);
/* The reference's createSequence(): an empty sequence, or one holding v
 * (which may be undefined). */
sl__jv sl__jn_seq(sl__jn_ev *e);
sl__jv sl__jn_seq1(sl__jn_ev *e, sl__jv v);
sl__jobj *sl__jobj_new(sl__jn_ev *e);
bool sl__jobj_get(const sl__jobj *o, const char *key, size_t klen, sl__jv *out);
void sl__jobj_set(sl__jn_ev *e, sl__jobj *o, const char *key, size_t klen,
                  sl__jv v);
void sl__jobj_del(sl__jobj *o, const char *key, size_t klen);
sl__jobj *sl__jobj_copy(sl__jn_ev *e, const sl__jobj *o);

/* The reference's helpers (utils.js, functions.js). */
bool sl__jn_is_function(sl__jv v);
/* isNumeric: a number that is not NaN; an infinite one raises D1001.
 * Returns -1 on that error, else 0 with *yes. */
int sl__jn_is_numeric(sl__jn_ev *e, sl__jv v, bool *yes);
/* fn.boolean: -1 error, 0 false, 1 true, 2 undefined. */
int sl__jn_boolean(sl__jn_ev *e, sl__jv v);
/* JavaScript truthiness. */
bool sl__jn_truthy(sl__jv v);
/* fn.append: concatenation with singletons promoted. */
sl__jv sl__jn_append(sl__jn_ev *e, sl__jv a, sl__jv b);
/* U1001 "Memory limit exceeded" (and -1) when `more` bytes would take the
 * evaluation's heap past its limit; for built-ins that build a big value
 * in one call, before they build it. */
int sl__jn_heap_check(sl__jn_ev *e, size_t more);
/* U1001 with message (a static string) and -1. */
int sl__jn_limit_fail(sl__jn_ev *e, const char *message);
/* U1001 "Expression evaluation timeout" and -1 when the evaluation is past
 * its time limit (reads the clock: for steps that can each take long). */
int sl__jn_time_check(sl__jn_ev *e);

/* Deepest array/object nesting a walk over a value follows. */
#define SL__JN_VALUE_DEPTH (BT_LIMIT_JSON_DEPTH * 8)

/* One node of a walk over a value (conversion to JSON, $string, =, .**,
 * $clone): a value can be deep (built in a loop) or share its parts (64
 * objects can hold 2^64 leaves), so walks are bounded like evaluation: -1
 * with U1001 past SL__JN_VALUE_DEPTH, when `bytes` (what the node will
 * cost outside the evaluation heap) takes the heap past its limit, or past
 * the time limit. */
int sl__jn_walk_check(sl__jn_ev *e, int depth, size_t bytes);

/* Deep equality (=, !=, $distinct); -1 when the walk hits a limit. */
int sl__jn_equal(sl__jn_ev *e, sl__jv a, sl__jv b, bool *equal);
/* fn.string (JSON.stringify with numbers to 15 significant digits and
 * functions as ""). Returns -1 on error (D3001, D1001). */
int sl__jn_string(sl__jn_ev *e, sl__jv v, bool pretty, sl__jv *out);
/* JSON.stringify of v into b (plain: numbers as JavaScript prints them);
 * used for error messages. */
void sl__jn_stringify(bt_buf *b, sl__jv v);
/* One letter per value type, as the signature checker names them. */
char sl__jn_type_symbol(sl__jv v);
/* The $type name. */
const char *sl__jn_type_name(sl__jv v);
/* Conversions from and to json-c (new references on the way out). */
int sl__jv_from_json(sl__jn_ev *e, json_object *j, sl__jv *out);
/* The same for a document that outlives the evaluation and does not change
 * during it (the input, the caller's bindings): its strings and keys are
 * used in place instead of copied. */
int sl__jv_from_json_lent(sl__jn_ev *e, json_object *j, sl__jv *out);
int sl__jv_to_json(sl__jn_ev *e, sl__jv v, json_object **out);
/* Deep copy through JSON as the reference's $clone does. */
int sl__jn_clone(sl__jn_ev *e, sl__jv v, sl__jv *out);

/* UTF-16 views of UTF-8 strings (JavaScript indexes strings in UTF-16
 * code units; $length and $substring count code points). */
size_t sl__jn_u16_len(const char *s, size_t len);
size_t sl__jn_u16_to_byte(const char *s, size_t len, size_t u16);
size_t sl__jn_byte_to_u16(const char *s, size_t byte);
size_t sl__jn_cp_len(const char *s, size_t len);
size_t sl__jn_cp_to_byte(const char *s, size_t len, size_t cp);

/* Errors. Each returns -1 so that callers can write return sl__jn_fail_...
 * sl__jn_throw raises code with position -1 and no value. */
int sl__jn_throw(sl__jn_ev *e, const char *code);
int sl__jn_throw_v(sl__jn_ev *e, const char *code, sl__jv value);
int sl__jn_throw_at(sl__jn_ev *e, const char *code, int position,
                    const char *token);
/* Adds a position and token to the pending error where it has none. */
void sl__jn_err_locate(sl__jn_ev *e, int position, const char *token);

/* Evaluation (sl_jsonata_eval*.c). Each returns 0, or -1 with e->err. */
int sl__jn_eval(sl__jn_ev *e, const sl_jn_node *n, sl__jv input,
                sl__jn_frame *env, sl__jv *out);
int sl__jn_apply(sl__jn_ev *e, sl__jv fn, const sl__jv *args, size_t n,
                 sl__jv input, sl__jn_frame *env, sl__jv *out);
/* Calls fn from a built-in (a higher-order function): input is null as
 * in the reference's wrapper closures. */
int sl__jn_invoke(sl__jn_ev *e, sl__jv fn, const sl__jv *args, size_t n,
                  sl__jn_frame *env, sl__jv *out);
/* The number of arguments a function takes (getFunctionArity). */
size_t sl__jn_arity(sl__jv fn);
sl__jn_frame *sl__jn_frame_new(sl__jn_ev *e, sl__jn_frame *parent);
void sl__jn_bind(sl__jn_ev *e, sl__jn_frame *f, const char *name, sl__jv v);
bool sl__jn_lookup(sl__jn_ev *e, sl__jn_frame *f, const char *name,
                   sl__jv *out);
/* Path machinery (sl_jsonata_eval_path.c). */
int sl__jn_eval_path(sl__jn_ev *e, const sl_jn_node *n, sl__jv input,
                     sl__jn_frame *env, sl__jv *out);
int sl__jn_eval_filter(sl__jn_ev *e, const sl_jn_node *pred, sl__jv input,
                       sl__jn_frame *env, sl__jv *out);
int sl__jn_eval_group(sl__jn_ev *e, const sl_jn_node *group, sl__jv input,
                      sl__jn_frame *env, sl__jv *out);
/* Signature validation (sl_jsonata_eval_sig.c): args as supplied, *out
 * the validated list (context substituted, singletons wrapped). */
int sl__jn_sig_validate(sl__jn_ev *e, const sl_jn_sig *sig, const sl__jv *args,
                        size_t n, sl__jv context, sl__jv **out, size_t *n_out);
/* Function values. */
int sl__jn_regex_new(sl__jn_ev *e, const sl_jn_node *n, sl__jv *out);
int sl__jn_regex_exec(sl__jn_ev *e, sl__jfn *re, sl__jv str, size_t from_u16,
                      sl__jv *out);
void sl__jn_regex_free_all(sl__jn_ev *e);
int sl__jn_transform(sl__jn_ev *e, sl__jfn *fn, sl__jv obj, sl__jv *out);
/* A string sort of s by JavaScript's rules (UTF-16 code unit order). */
int sl__jn_strcmp(sl__jv a, sl__jv b);
/* Stable merge sort; greater(a, b) returns -1 error, 1 to swap, 0 not. */
typedef int (*sl__jn_greater_fn)(sl__jn_ev *e, sl__jv a, sl__jv b, void *ctx);
int sl__jn_sort(sl__jn_ev *e, sl__jv *items, size_t n,
                sl__jn_greater_fn greater, void *ctx);

/* Built-ins (sl_jsonata_fn*.c). */
const sl__jn_builtin *sl__jn_builtin_find(const sl__jn_ev *e, const char *name,
                                          size_t *index);
/* The function value of a built-in (one per evaluation). */
sl__jv sl__jn_builtin_value(sl__jn_ev *e, size_t index);
/* Parsed signature of a built-in (cached per evaluation). */
const sl_jn_sig *sl__jn_builtin_sig(sl__jn_ev *e, const sl__jn_builtin *b);
double sl__jn_random(sl__jn_ev *e);
/* Parses and evaluates text (for $eval and function chaining); the parsed
 * expression lives until the evaluation ends. Returns 0, -1 for an
 * evaluation error (e->err), 1 for a syntax error (perr filled). */
int sl__jn_eval_text(sl__jn_ev *e, const char *text, size_t len, sl__jv input,
                     sl__jn_frame *env, sl__jv *out, sl_jsonata_error *perr);
/* Number helpers shared by the library: JavaScript's Math.round-based
 * banker's rounding of $round, toFixed, toString(radix). */
double sl__jn_round(double x, double precision, bool has_precision);
void sl__jn_to_fixed(bt_buf *b, double x, int digits);

/* The tables of built-ins, one per sl_jsonata_fn*.c file. */
extern const sl__jn_builtin sl__jn_fn_core[], sl__jn_fn_str[], sl__jn_fn_re[],
    sl__jn_fn_arr[], sl__jn_fn_hof[], sl__jn_fn_num[], sl__jn_fn_time[],
    sl__jn_fn_aws[];
extern const size_t sl__jn_fn_core_n, sl__jn_fn_str_n, sl__jn_fn_re_n,
    sl__jn_fn_arr_n, sl__jn_fn_hof_n, sl__jn_fn_num_n, sl__jn_fn_time_n,
    sl__jn_fn_aws_n;

/* Node kinds that make or call functions (sl_jsonata_eval_fn.c). */
int sl__jn_eval_fn_node(sl__jn_ev *e, const sl_jn_node *n, sl__jv input,
                        sl__jn_frame *env, sl__jv *out);
/* The next() of a regex match. */
int sl__jn_regex_next(sl__jn_ev *e, sl__jfn *next, sl__jv *out);
/* fn.lookup: a field of an object or of each object in an array. */
sl__jv sl__jn_lookup_field(sl__jn_ev *e, sl__jv input, const char *name,
                           size_t len);
/* Writes the pending error with its message into err (new strings). */
void sl__jn_error_export(const sl__jn_ev *e, sl_jsonata_error *err);
void sl__jn_put_utf8(bt_buf *b, uint32_t cp);

/* Integer pictures (sl_jsonata_fn_time.c), shared by the date pictures. */
enum {
    SL__JN_IF_DECIMAL,
    SL__JN_IF_LETTERS,
    SL__JN_IF_ROMAN,
    SL__JN_IF_WORDS,
    SL__JN_IF_SEQUENCE
};
enum { SL__JN_CASE_LOWER = 1, SL__JN_CASE_UPPER, SL__JN_CASE_TITLE };

typedef struct sl__jn_intfmt {
    int primary; /* SL__JN_IF_* */
    int tcase;   /* SL__JN_CASE_* */
    bool ordinal;
    uint32_t zero; /* first code point of the digit family, 0 if none */
    int mandatory;
    int optional;
    bool regular; /* one separator repeating every seps[0].position */
    size_t n_seps;
    struct {
        int position; /* digits to its right */
        uint32_t ch;
    } seps[16];
    int parse_width;   /* digits to read when parsing, 0: any */
    const char *token; /* SEQUENCE: the picture */
    size_t token_len;
} sl__jn_intfmt;

int sl__jn_int_analyse(sl__jn_ev *e, const char *p, size_t n, sl__jn_intfmt *f);
int sl__jn_int_format(sl__jn_ev *e, double value, const sl__jn_intfmt *f,
                      bt_buf *out);
int sl__jn_int_parse(sl__jn_ev *e, const char *s, size_t n,
                     const sl__jn_intfmt *f, double *out);
/* JavaScript's parseInt(s, 10): NaN when no digits lead. */
double sl__jn_parse_int(const char *s, size_t n);

/* Date/time pictures (sl_jsonata_fn_date.c): literal text or a variable
 * marker such as [D01] or [MNn,3-3]. */
typedef struct sl__jn_dpart {
    bool literal;
    char *text; /* literal text, or the presentation modifier */
    size_t len;
    char component;
    bool has_width, has_min, has_max;
    double wmin, wmax;
    char pres2;
    int names; /* 0 or SL__JN_CASE_* */
    bool has_int;
    sl__jn_intfmt ifmt;
    double n; /* Y: digits kept, -1 all */
} sl__jn_dpart;

typedef struct sl__jn_dparts {
    sl__jn_dpart *parts;
    size_t n;
} sl__jn_dparts;

int sl__jn_date_analyse(sl__jn_ev *e, const char *pic, size_t n,
                        sl__jn_dparts *out);
/* Date.UTC with JavaScript's conversions (NaN out of range). */
double sl__jn_date_utc(double y, double m0, double d, double h, double mi,
                       double s, double ms);
/* A component of the evaluation's "now" (for parsing defaults). */
double sl__jn_date_default(sl__jn_ev *e, char component, bool *is_pm);
/* The date/time component of the timestamp t (NaN if invalid). */
double sl__jn_date_fragment(double t, char component);
int sl__jn_fn_now(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out);
int sl__jn_fn_from_millis(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out);
int sl__jn_fn_to_millis(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out);

#endif
