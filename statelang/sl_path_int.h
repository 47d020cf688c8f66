/*
 * JSONPath (Jayway dialect, as AWS Step Functions runs it) and intrinsic
 * function calls: parsing at definition load, evaluation at run time.
 * Private to statelang/.
 *
 * A parsed path or call is immutable and may be shared; evaluation is a pure
 * function of the path and the documents handed in.
 */
#ifndef BATON_SL_PATH_INT_H
#define BATON_SL_PATH_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/base.h"
#include "statelang/statelang.h"

/* ---- JSONPath -------------------------------------------------------------
 */

typedef enum sl_path_root {
    SL_ROOT_INPUT,   /* $ ...    the document handed in as input */
    SL_ROOT_CONTEXT, /* $$ ...   the context object             */
    SL_ROOT_VAR,     /* $name ... a workflow variable           */
    SL_ROOT_CURRENT  /* @ ...    current node (filters only)     */
} sl_path_root;

typedef struct sl_path sl_path;

/* Parse flags. */
#define SL_PATH_REFERENCE                                                      \
    0x1u /* reference path: only $, .name, ['name'],                           \
            [n]; no wildcards, slices, unions,                                 \
            filters, deep scan */

/* Parses a path. Accepts the roots $, $$ and $name (a variable: name is an
 * identifier, see sl_var_name_valid). Returns 0 and a new path in *out, or
 * BT_EPARSE with a new message in *err (caller frees) saying what is wrong
 * and where (character offset). */
int sl_path_parse(const char *text, unsigned flags, sl_path **out, char **err);
void sl_path_free(sl_path *p);

sl_path_root sl_path_root_kind(const sl_path *p);
/* Variable name for SL_ROOT_VAR paths, else NULL. */
const char *sl_path_var(const sl_path *p);
/* True when the path can select at most one node (names and indices only).
 * As in Jayway, a final name union ($.a['x','y']) also counts: it yields one
 * object holding the named members that exist. */
bool sl_path_is_definite(const sl_path *p);
/* The source text the path was parsed from. */
const char *sl_path_text(const sl_path *p);

/* What a path is evaluated against. var() returns true and a borrowed
 * value (NULL is JSON null) when the variable is set, false when it is
 * not. */
typedef struct sl_path_env {
    json_object *input;
    json_object *context; /* NULL: lazy_context makes it when a path reads $$ */
    bool (*var)(void *ud, const char *name, json_object **value);
    void *ud;
    sl_lazy *lazy_context;
} sl_path_env;

/* Evaluates p. A definite path yields its node; an indefinite one yields a
 * new array of every match in document order ([] when none match).
 * Returns 0 and a new reference in *out (json NULL is a valid result: a
 * null node), or BT_ENOENT when a definite path does not resolve, with a
 * new message in *err in Jayway's wording ("No results for path:
 * $['a']['b']" / "Missing property in path $['a']"). */
int sl_path_eval(const sl_path *p, const sl_path_env *env, json_object **out,
                 char **err);

/* Writes value into a copy of root at reference path p (ResultPath
 * semantics): "$" replaces the whole document; missing intermediate object
 * members are created; takes ownership of value. Returns 0 and a new
 * reference in *out, or BT_EINVAL with a message when a step needs an
 * object or array that is not there. */
int sl_path_assign(const sl_path *p, json_object *root, json_object *value,
                   json_object **out, char **err);

/* Like sl_path_parse for the len bytes at text (used for path arguments
 * inside intrinsic calls); err_base is added to the character offsets in
 * error messages so they point into the caller's whole text. */
int sl_path__parse_n(const char *text, size_t len, unsigned flags,
                     size_t err_base, sl_path **out, char **err);

/* A JSON value's type as messages name it: "null", "boolean", "number",
 * "string", "array" or "object". */
const char *sl_path__type_name(json_object *v);

/* Workflow variable name rules (ASL §10.7): first character a letter or '_'
 * (ASCII or any non-ASCII letter), then letters, digits or '_'; at most 80
 * characters. */
bool sl_var_name_valid(const char *name);

/* ---- Intrinsic functions ---------------------------------------------------
 * States.Format('x {}', $.a) and friends. X(name, min_args, max_args) with
 * max_args -1 for variadic.                                                */
#define SL_INTRINSICS(X)                                                       \
    X(FORMAT, "States.Format", 1, -1)                                          \
    X(STRING_TO_JSON, "States.StringToJson", 1, 1)                             \
    X(JSON_TO_STRING, "States.JsonToString", 1, 1)                             \
    X(ARRAY, "States.Array", 0, -1)                                            \
    X(ARRAY_PARTITION, "States.ArrayPartition", 2, 2)                          \
    X(ARRAY_CONTAINS, "States.ArrayContains", 2, 2)                            \
    X(ARRAY_RANGE, "States.ArrayRange", 3, 3)                                  \
    X(ARRAY_GET_ITEM, "States.ArrayGetItem", 2, 2)                             \
    X(ARRAY_LENGTH, "States.ArrayLength", 1, 1)                                \
    X(ARRAY_UNIQUE, "States.ArrayUnique", 1, 1)                                \
    X(BASE64_ENCODE, "States.Base64Encode", 1, 1)                              \
    X(BASE64_DECODE, "States.Base64Decode", 1, 1)                              \
    X(HASH, "States.Hash", 2, 2)                                               \
    X(JSON_MERGE, "States.JsonMerge", 3, 3)                                    \
    X(MATH_RANDOM, "States.MathRandom", 2, 3)                                  \
    X(MATH_ADD, "States.MathAdd", 2, 2)                                        \
    X(STRING_SPLIT, "States.StringSplit", 2, 2)                                \
    X(UUID, "States.UUID", 0, 0)

typedef enum sl_intrinsic_fn {
#define SL_INTRINSIC_ENUM(id, name, lo, hi) SL_FN_##id,
    SL_INTRINSICS(SL_INTRINSIC_ENUM)
#undef SL_INTRINSIC_ENUM
        SL_FN_COUNT
} sl_intrinsic_fn;

typedef enum sl_arg_kind {
    SL_ARG_STRING, /* literal, escapes already decoded */
    SL_ARG_NUMBER, /* literal; json holds an int or a double */
    SL_ARG_BOOL,
    SL_ARG_NULL,
    SL_ARG_PATH, /* $..., $$..., $var... */
    SL_ARG_CALL  /* nested intrinsic */
} sl_arg_kind;

typedef struct sl_intrinsic sl_intrinsic;

typedef struct sl_intrinsic_arg {
    sl_arg_kind kind;
    json_object *literal; /* STRING/NUMBER/BOOL (NULL for SL_ARG_NULL) */
    sl_path *path;        /* SL_ARG_PATH */
    sl_intrinsic *call;   /* SL_ARG_CALL */
    char *raw; /* SL_ARG_STRING: the text between the quotes with escapes
                  NOT decoded, so States.Format can tell a placeholder {}
                  from an escaped \{ or \}; owned */
} sl_intrinsic_arg;

struct sl_intrinsic {
    sl_intrinsic_fn fn;
    sl_intrinsic_arg *args;
    size_t nargs;
};

/* Parses an intrinsic call (the whole text must be one call; no leading or
 * trailing spaces). Checks the function name, argument count and nesting
 * (at most BT_LIMIT_INTRINSIC_NESTING calls). Returns 0 and a new call in
 * *out, or BT_EPARSE with a new message in *err. */
int sl_intrinsic_parse(const char *text, sl_intrinsic **out, char **err);
void sl_intrinsic_free(sl_intrinsic *call);
const char *sl_intrinsic_fn_name(sl_intrinsic_fn fn);

/* ---- Evaluating intrinsic calls
 * ---------------------------------------------- Randomness comes from outside
 * (statelang never reads a clock or /dev/urandom itself): next() returns 64
 * uniformly random bits. */
/* sl_rand itself is declared in statelang/statelang.h. */

/* Evaluates call. Path arguments are evaluated with env (env->input is the
 * template's input, env->context the context object, env->var variables).
 * States.UUID and unseeded States.MathRandom draw from rng.
 * Returns 0 and a new reference in *out (NULL is JSON null), or BT_EINVAL
 * with a new cause message in *cause describing the failure (AWS reports
 * intrinsic failures as States.Runtime; the caller adds the state prefix),
 * or BT_ENOENT when a definite path argument does not resolve (message as
 * sl_path_eval's). */
int sl_intrinsic_eval(const sl_intrinsic *call, const sl_path_env *env,
                      const sl_rand *rng, json_object **out, char **cause);

#endif
