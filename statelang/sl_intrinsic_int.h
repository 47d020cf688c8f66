/*
 * Shared by the files that evaluate intrinsic calls (sl_intrinsic_eval.c,
 * sl_intrinsic_array.c, sl_intrinsic_fn.c): the per-call evaluation state,
 * failure helpers that keep every cause worded the same way, argument
 * conversions, and the function implementations the dispatcher calls.
 * Private to statelang/.
 */
#ifndef BATON_SL_INTRINSIC_INT_H
#define BATON_SL_INTRINSIC_INT_H

#include "statelang/sl_path_int.h"

/* Inputs to the string functions that AWS caps (Base64Encode/Decode, Hash)
 * are limited to this many characters (code points). */
#define SL_IFN_MAX_CHARS 10000
/* States.ArrayRange yields at most this many elements. */
#define SL_IFN_MAX_RANGE 1000
/* Longest text an intrinsic builds (States.Format). Far above any payload
 * limit, which the caller enforces on the result; this only stops a short
 * template such as '{}{}{}...' over a large input from taking gigabytes
 * first. Belongs with the other limits in base/base.h. */
#define SL_IFN_MAX_TEXT_BYTES (16u * 1024u * 1024u)
/* Deepest value an intrinsic walks itself (Format rendering, deep
 * equality): any parsed document plus what nested calls can add. */
#define SL_IFN_MAX_DEPTH (BT_LIMIT_JSON_DEPTH + BT_LIMIT_INTRINSIC_NESTING + 1)

/* One function application. args[i] are the evaluated arguments (NULL is
 * JSON null), borrowed; raw0 is the undecoded text of the first argument
 * when it was a string literal (States.Format's template), else NULL. */
typedef struct sl_ifn {
    sl_intrinsic_fn fn;
    json_object **args;
    size_t nargs;
    const char *raw0;
    const sl_rand *rng;
    char *cause; /* the failure's cause once one happened, owned */
} sl_ifn;

/* Sets the cause "The <fn> function " + fmt and returns BT_EINVAL. */
int sl_ifn__fail(sl_ifn *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Sets the cause "The <fn> function's <ordinal> argument " + fmt ("argument"
 * alone for one-argument functions) and returns BT_EINVAL. */
int sl_ifn__fail_arg(sl_ifn *f, size_t i, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Argument i has JSON type t (json_type_null matches only null); otherwise
 * sets the cause "... argument must be <a string|an array|...>" and returns
 * BT_EINVAL. */
int sl_ifn__want(sl_ifn *f, size_t i, json_type t);
/* Argument i is a JSON integer that fits int64_t. */
int sl_ifn__int(sl_ifn *f, size_t i, int64_t *out);
/* Argument i is a number whose value, non-integers first rounded half up
 * towards positive infinity like Java's Math.round, lies in [lo, hi]. */
int sl_ifn__rounded(sl_ifn *f, size_t i, int64_t lo, int64_t hi, int64_t *out);
/* Argument i is a string of at most SL_IFN_MAX_CHARS characters. */
int sl_ifn__capped_string(sl_ifn *f, size_t i, const char **s, size_t *len);
/* Appends v to arr (takes ownership of v). */
void sl_ifn__push(json_object *arr, json_object *v);
/* False when v nests deeper than SL_IFN_MAX_DEPTH (the cause is set). */
bool sl_ifn__depth_ok(sl_ifn *f, json_object *v);

/* Deep equality: numbers compare by value (1 equals 1.0), objects
 * regardless of member order. Callers check depth first. */
bool sl_ifn__equal(json_object *a, json_object *b);

/* The implementations: 0 and a new reference in *out, or BT_EINVAL with
 * f->cause set. Argument counts were checked by the parser. */
int sl_ifn__array_partition(sl_ifn *f, json_object **out);
int sl_ifn__array_contains(sl_ifn *f, json_object **out);
int sl_ifn__array_range(sl_ifn *f, json_object **out);
int sl_ifn__array_get_item(sl_ifn *f, json_object **out);
int sl_ifn__array_length(sl_ifn *f, json_object **out);
int sl_ifn__array_unique(sl_ifn *f, json_object **out);
int sl_ifn__base64_encode(sl_ifn *f, json_object **out);
int sl_ifn__base64_decode(sl_ifn *f, json_object **out);
int sl_ifn__hash(sl_ifn *f, json_object **out);
int sl_ifn__math_random(sl_ifn *f, json_object **out);
int sl_ifn__math_add(sl_ifn *f, json_object **out);
int sl_ifn__uuid(sl_ifn *f, json_object **out);

#endif
