/*
 * statelang internals: the compiled machine's shape and the validation
 * context shared by the checking files. Private to statelang/.
 *
 * A compiled machine owns the parsed definition (json-c tree) and never
 * changes after sl_machine_compile returns; states point into that tree.
 */
#ifndef BATON_STATELANG_INT_H
#define BATON_STATELANG_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/base.h"
#include "statelang/sl_jsonata_int.h"
#include "statelang/sl_path_int.h"
#include "statelang/statelang.h"

/* ---- The eight state types ------------------------------------------------
 */
#define SL_STATE_KINDS(X)                                                      \
    X(TASK, "Task")                                                            \
    X(WAIT, "Wait")                                                            \
    X(PASS, "Pass")                                                            \
    X(SUCCEED, "Succeed")                                                      \
    X(FAIL, "Fail")                                                            \
    X(CHOICE, "Choice")                                                        \
    X(PARALLEL, "Parallel")                                                    \
    X(MAP, "Map")

/* sl_kind (statelang.h) lists the kinds in the same order as this table. */
#define SL_KIND_COUNT 8
#define SL_KIND_UNKNOWN ((sl_kind)SL_KIND_COUNT)

#define SL_KIND_BIT(id) (1u << SL_##id)

typedef enum sl_ql { SL_QL_JSONPATH, SL_QL_JSONATA } sl_ql;

const char *sl__kind_name(sl_kind kind);

typedef struct sl_scope sl_scope;
typedef struct sl_state sl_state;

/* ---- Compiled fields (sl_compile.c)
 * ------------------------------------------ */

/* A payload template (JSONPath: Parameters, ResultSelector, ItemSelector,
 * Assign...) or a JSONata-bearing value (Arguments, Output, Assign...),
 * compiled once. A subtree with nothing dynamic in it is one LITERAL. */
typedef enum sl_tmpl_kind {
    SL_TMPL_LITERAL, /* literal: borrowed from the definition */
    SL_TMPL_OBJECT,  /* keys[i] -> kids[i] (".$" already stripped) */
    SL_TMPL_ARRAY,   /* kids[i] */
    SL_TMPL_PATH,    /* path */
    SL_TMPL_CALL,    /* intrinsic call */
    SL_TMPL_JSONATA  /* expr, from the string expr_text ("{% ... %}") */
} sl_tmpl_kind;

typedef struct sl_tmpl sl_tmpl;
struct sl_tmpl {
    sl_tmpl_kind kind;
    json_object *literal;
    char **keys;
    sl_tmpl **kids;
    size_t n;
    char *field; /* PATH/CALL: the key as written ("x.$"); JSONATA: the
                    field path for messages ("Output/result") */
    sl_path *path;
    sl_intrinsic *call;
    sl_jsonata *expr;
    const char *expr_text; /* without the {% %} delimiters, owned copy */
};

/* InputPath, OutputPath, ResultPath: absent ($), null, or a path. */
typedef struct sl_opt_path {
    bool present;
    bool is_null;
    sl_path *path;
} sl_opt_path;

/* A number given literally, by a reference path (JSONPath *Path fields)
 * or by a JSONata expression. */
typedef struct sl_num_field {
    bool present;
    json_object *literal; /* borrowed */
    sl_path *path;
    sl_tmpl *expr;
    const char *name; /* "TimeoutSeconds" */
} sl_num_field;

typedef struct sl_retrier {
    json_object *error_equals; /* borrowed array of strings */
    int64_t interval_s;
    int64_t max_attempts;
    double backoff_rate;
    int64_t max_delay_s; /* 0: none */
    bool jitter_full;
} sl_retrier;

typedef struct sl_catcher {
    json_object *error_equals;
    const sl_state *next;
    sl_opt_path result_path;
    sl_tmpl *output; /* JSONata */
    sl_tmpl *assign;
} sl_catcher;

typedef struct sl_choice_rule sl_choice_rule;

typedef struct sl_choice_branch {
    sl_choice_rule *rule; /* JSONPath */
    sl_tmpl *condition;   /* JSONata */
    const sl_state *next;
    sl_tmpl *assign;
    sl_tmpl *output; /* JSONata */
} sl_choice_branch;

/* One state of one scope. Strings are borrowed from the machine's tree. */
struct sl_state {
    sl_kind kind;
    const char *name;
    json_object *def;    /* the state's object in the definition */
    sl_ql ql;            /* effective query language */
    sl_scope *scope;     /* the scope that holds this state */
    const char *next;    /* Next, or NULL */
    bool end;            /* End: true */
    sl_scope **branches; /* Parallel: one scope per branch */
    size_t nbranches;
    sl_scope *processor; /* Map: ItemProcessor / Iterator */

    /* Filled by sl__compile_state once the definition is valid. */
    const sl_state *next_state;
    sl_opt_path input_path, output_path, result_path;
    sl_tmpl *parameters; /* Parameters (JSONPath) / Arguments (JSONata) */
    sl_tmpl *result_selector;
    sl_tmpl *output; /* JSONata Output */
    sl_tmpl *assign;
    json_object *result; /* Pass Result, borrowed */
    bool has_result;
    sl_retrier *retriers;
    size_t nretriers;
    sl_catcher *catchers;
    size_t ncatchers;
    sl_choice_branch *choices;
    size_t nchoices;
    const sl_state *default_state;
    const char *resource;
    sl_num_field timeout, heartbeat, seconds;
    sl_num_field max_concurrency, tolerated_count, tolerated_pct;
    bool has_batcher; /* Map ItemBatcher */
    sl_num_field batch_items, batch_bytes;
    sl_tmpl *batch_input;
    const char *timestamp; /* Wait: static Timestamp */
    sl_path *timestamp_path;
    sl_tmpl *timestamp_expr;
    sl_tmpl *error, *cause; /* Fail: literal, path, call or JSONata */
    sl_path *items_path;    /* Map (JSONPath) */
    sl_tmpl *items;         /* Map (JSONata) */
    sl_tmpl *item_selector;
    bool distributed;
    const char *label;
};

/* A States object: the top level, a Parallel branch or a Map processor. */
struct sl_scope {
    sl_scope *parent; /* NULL at top level */
    sl_state *owner;  /* the Parallel/Map state, NULL at top level */
    json_object *def; /* the object holding StartAt/States */
    const char *start_at;
    sl_state **states; /* in definition order */
    size_t nstates;
    json_object *index;    /* state name -> position in states */
    json_object *assigned; /* variable name -> location of its Assign */
};

struct sl_machine {
    json_object *root; /* the parsed definition, owned */
    sl_machine_type type;
    sl_ql ql; /* top-level QueryLanguage */
    sl_scope *top;
    /* Every scope, for freeing. */
    sl_scope **scopes;
    size_t nscopes;
};

/* ---- Choice comparison operators (reference §5.2) --------------------------
 * X(name, operand) where operand says what the rule's value must be.       */
typedef enum sl_operand {
    SL_CMP_STRING,
    SL_CMP_PATTERN, /* StringMatches wildcard pattern */
    SL_CMP_NUMBER,
    SL_CMP_BOOL,
    SL_CMP_TIMESTAMP,
    SL_CMP_PATH /* the *Path variants */
} sl_operand;

#define SL_CHOICE_OPS(X)                                                       \
    X(StringEquals, SL_CMP_STRING)                                             \
    X(StringEqualsPath, SL_CMP_PATH)                                           \
    X(StringLessThan, SL_CMP_STRING)                                           \
    X(StringLessThanPath, SL_CMP_PATH)                                         \
    X(StringGreaterThan, SL_CMP_STRING)                                        \
    X(StringGreaterThanPath, SL_CMP_PATH)                                      \
    X(StringLessThanEquals, SL_CMP_STRING)                                     \
    X(StringLessThanEqualsPath, SL_CMP_PATH)                                   \
    X(StringGreaterThanEquals, SL_CMP_STRING)                                  \
    X(StringGreaterThanEqualsPath, SL_CMP_PATH)                                \
    X(StringMatches, SL_CMP_PATTERN)                                           \
    X(NumericEquals, SL_CMP_NUMBER)                                            \
    X(NumericEqualsPath, SL_CMP_PATH)                                          \
    X(NumericLessThan, SL_CMP_NUMBER)                                          \
    X(NumericLessThanPath, SL_CMP_PATH)                                        \
    X(NumericGreaterThan, SL_CMP_NUMBER)                                       \
    X(NumericGreaterThanPath, SL_CMP_PATH)                                     \
    X(NumericLessThanEquals, SL_CMP_NUMBER)                                    \
    X(NumericLessThanEqualsPath, SL_CMP_PATH)                                  \
    X(NumericGreaterThanEquals, SL_CMP_NUMBER)                                 \
    X(NumericGreaterThanEqualsPath, SL_CMP_PATH)                               \
    X(BooleanEquals, SL_CMP_BOOL)                                              \
    X(BooleanEqualsPath, SL_CMP_PATH)                                          \
    X(TimestampEquals, SL_CMP_TIMESTAMP)                                       \
    X(TimestampEqualsPath, SL_CMP_PATH)                                        \
    X(TimestampLessThan, SL_CMP_TIMESTAMP)                                     \
    X(TimestampLessThanPath, SL_CMP_PATH)                                      \
    X(TimestampGreaterThan, SL_CMP_TIMESTAMP)                                  \
    X(TimestampGreaterThanPath, SL_CMP_PATH)                                   \
    X(TimestampLessThanEquals, SL_CMP_TIMESTAMP)                               \
    X(TimestampLessThanEqualsPath, SL_CMP_PATH)                                \
    X(TimestampGreaterThanEquals, SL_CMP_TIMESTAMP)                            \
    X(TimestampGreaterThanEqualsPath, SL_CMP_PATH)                             \
    X(IsNull, SL_CMP_BOOL)                                                     \
    X(IsPresent, SL_CMP_BOOL)                                                  \
    X(IsNumeric, SL_CMP_BOOL)                                                  \
    X(IsString, SL_CMP_BOOL)                                                   \
    X(IsBoolean, SL_CMP_BOOL)                                                  \
    X(IsTimestamp, SL_CMP_BOOL)

/* Compiles the runtime form of every state once validation passed
 * (sl_compile.c). Returns 0, or BT_EINVALID with a message in *err. */
int sl__compile_machine(sl_machine *m, char **err);
void sl__state_fini(sl_state *st);

/* A member of a definition object (NULL when absent or null) / whether it
 * is present at all (null included): json-c's _get_ex, shorter. */
static inline json_object *sl__get(json_object *obj, const char *name)
{
    json_object *f;
    return json_object_object_get_ex(obj, name, &f) ? f : NULL;
}

static inline bool sl__has(json_object *obj, const char *name)
{
    json_object *f;
    return json_object_is_type(obj, json_type_object) &&
           json_object_object_get_ex(obj, name, &f);
}

/* ---- Evaluation helpers shared by the data-flow files
 * ------------------------ */

/* Sets err to name with AWS's runtime prefix: "An error occurred while
 * executing the state '<S>' (entered at the event id #<n>). " + fmt. */
void sl__runtime_error(const sl_ctx *c, sl_error *err, const char *name,
                       const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The environment paths are evaluated in: $ = input, $$ and variables
 * from c. */
sl_path_env sl__path_env(const sl_ctx *c, json_object *input);
/* Walks a template: literals are shared, objects and arrays rebuilt, and
 * every other node (path, call, JSONata) is handed to leaf. */
typedef int (*sl_tmpl_leaf_fn)(const sl_tmpl *t, void *ud, json_object **out,
                               sl_error *err);
int sl__tmpl_walk(const sl_tmpl *t, sl_tmpl_leaf_fn leaf, void *ud,
                  json_object **out, sl_error *err);
/* Evaluates a compiled template with $ = input. */
int sl__tmpl_eval(const sl_tmpl *t, json_object *input, const sl_ctx *c,
                  json_object **out, sl_error *err);
/* Evaluates a JSONata-bearing template with $states.input = input,
 * $states.result = result and $states.errorOutput = error_output (each may
 * be NULL when not available). */
int sl__jsonata_value(const sl_tmpl *t, json_object *input, json_object *result,
                      json_object *error_output, const sl_ctx *c,
                      json_object **out, sl_error *err);
int sl__assign_eval(const sl_tmpl *assign, sl_ql ql, json_object *input,
                    json_object *result, json_object *error_output,
                    const sl_ctx *c, json_object **assigned, sl_error *err);
int sl__input_path(const sl_state *st, json_object *raw, const sl_ctx *c,
                   json_object **out, sl_error *err);
int sl__output_path(const sl_state *st, json_object *doc, const sl_ctx *c,
                    json_object **out, sl_error *err);

/* ---- Validation context -----------------------------------------------------
 */
typedef struct sl_vctx {
    const char *text; /* definition text, for line/column */
    size_t len;
    sl_diags *diags;
    bt_buf ptr; /* location of what is being checked */
    sl_machine *m;
    json_object *names; /* every state name seen, for uniqueness */
    int depth;          /* nesting of scopes, bounded */
    sl_scope *scope;    /* the scope whose states are being checked */
} sl_vctx;

/* Diagnostics at the current location (ptr), at ptr + "/field", or with no
 * location at all. */
void sl__err(sl_vctx *v, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void sl__err_field(sl_vctx *v, const char *field, const char *code,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void sl__err_noloc(sl_vctx *v, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void sl__warn(sl_vctx *v, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Location stack: push returns a mark that pop restores. Array elements
 * are written AWS's way, "Choices[0]". */
size_t sl__ptr_push(sl_vctx *v, const char *segment);
size_t sl__ptr_push_index(sl_vctx *v, size_t index);
void sl__ptr_pop(sl_vctx *v, size_t mark);

#define SL_SCHEMA "SCHEMA_VALIDATION_FAILED"
#define SL_MISSING_TARGET "MISSING_TRANSITION_TARGET"
#define SL_MISSING_END "MISSING_END_STATE"
#define SL_DUPLICATE_NAME "DUPLICATE_STATE_NAME"
#define SL_INVALID_NAME "INVALID_STATE_NAME"
#define SL_INVALID_JSON "INVALID_JSON_DESCRIPTION"
#define SL_MISSING_DESCRIPTION "MISSING_DESCRIPTION"

/* ---- Checks (sl_check_*.c) --------------------------------------------------
 */

/* Checks one state object and fills st (kind, next/end, branches...). The
 * location is the state's ("/States/<name>"). Nested scopes are built
 * through sl__scope_build. */
void sl__check_state(sl_vctx *v, sl_state *st, sl_ql machine_ql);

/* Builds and checks a scope object at the current location. Returns NULL
 * when the object is too broken to hold states. */
sl_scope *sl__scope_build(sl_vctx *v, json_object *obj, sl_scope *parent,
                          sl_state *owner, sl_ql machine_ql);

/* Field checks shared by several state types. Each reports its own
 * problems at the current location + field. */
void sl__check_path_field(sl_vctx *v, json_object *state, const char *field,
                          bool reference, bool nullable);
void sl__check_template(sl_vctx *v, json_object *tmpl, const char *field);
/* Checks an Assign object and records its names in v->scope. */
void sl__check_assign(sl_vctx *v, json_object *assign, sl_ql ql);
void sl__check_retry(sl_vctx *v, json_object *retry);
void sl__check_catch(sl_vctx *v, json_object *catch_, sl_ql ql);
void sl__check_choices(sl_vctx *v, json_object *state, sl_ql ql);
/* Type-specific checks (sl_check_types.c). */
void sl__check_task(sl_vctx *v, sl_state *st);
void sl__check_wait(sl_vctx *v, sl_state *st);
void sl__check_fail(sl_vctx *v, sl_state *st);
void sl__check_parallel(sl_vctx *v, sl_state *st, sl_ql machine_ql);
void sl__check_map(sl_vctx *v, sl_state *st, sl_ql machine_ql);
/* A value that may be a JSONata expression string anywhere inside. */
void sl__check_jsonata_value(sl_vctx *v, json_object *value);
/* True when s is "{% ... %}" (the whole string). */
bool sl__is_jsonata(const char *s);
/* Checks one "{% ... %}" string; reports syntax errors at ptr. */
void sl__check_jsonata_string(sl_vctx *v, const char *s);
/* Integer field checks: [lo, hi]; JSONata allows an expression instead. */
void sl__check_int_field(sl_vctx *v, json_object *obj, const char *field,
                         int64_t lo, int64_t hi, sl_ql ql);

/* Recognised Task/ItemReader/ResultWriter resource forms (sl_resource.c). */
typedef enum sl_resource_kind {
    SL_RES_INVALID,
    SL_RES_LAMBDA_ARN, /* arn:...:lambda:...:function:NAME[:QUALIFIER] */
    SL_RES_ACTIVITY,   /* arn:...:states:...:activity:NAME */
    SL_RES_INTEGRATION /* arn:...:states:::SERVICE:ACTION[.suffix] */
} sl_resource_kind;

typedef enum sl_resource_pattern {
    SL_PATTERN_REQUEST_RESPONSE,
    SL_PATTERN_SYNC,
    SL_PATTERN_SYNC2,
    SL_PATTERN_CALLBACK /* .waitForTaskToken */
} sl_resource_pattern;

sl_resource_kind sl__resource_classify(const char *arn,
                                       sl_resource_pattern *pattern);

#endif
