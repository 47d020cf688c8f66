/*
 * Filter evaluation ([?( ... )]) with Jayway's comparison rules:
 *   - numbers compare by value (an int equals the same double), strings by
 *     their bytes, booleans and null by value, arrays and objects
 *     structurally; values of different types are never equal and never
 *     ordered, so any < <= > >= across types is false;
 *   - an operand path that does not resolve is "missing": every relation
 *     with it is false except != and nin, which negate == and in (Jayway);
 *   - an existence test [?(@.x)] is true when the member exists, even when
 *     it holds null or false;
 *   - a definite operand path yields its node; an indefinite one yields the
 *     array of its matches.
 */
#include "statelang/sl_path_ast.h"

#include <string.h>

typedef struct opval {
    json_object *v;
    bool missing;
    bool owned; /* v is a new reference to put */
} opval;

static void opval_fini(opval *o)
{
    if (o->owned)
        json_object_put(o->v);
}

static int operand_value(sl_ectx *x, const sl_operand *o, json_object *at,
                         opval *r)
{
    memset(r, 0, sizeof *r);
    if (o->kind != SL_OPND_PATH) {
        r->v = o->literal;
        return 0;
    }
    json_object *doc;
    if (sl_path__root_doc(x, o->path, at, &doc)) {
        r->missing = true;
        return 0;
    }
    sl_nodes res;
    if (sl_path__run_steps(x, o->path, doc, &res))
        return BT_ELIMIT;
    if (sl_path_is_definite(o->path)) {
        r->missing = res.n == 0;
        r->v = res.n ? res.v[0] : NULL;
    } else {
        r->v = json_object_new_array_ext((int)res.n);
        r->owned = true;
        for (size_t i = 0; i < res.n; i++)
            json_object_array_add(r->v, json_object_get(res.v[i]));
    }
    free(res.v);
    return 0;
}

/* ---- Comparisons ------------------------------------------------------------
 */

static bool is_num(json_object *v)
{
    return json_object_is_type(v, json_type_int) ||
           json_object_is_type(v, json_type_double);
}

static int num_cmp(json_object *a, json_object *b)
{
    if (json_object_is_type(a, json_type_int) &&
        json_object_is_type(b, json_type_int)) {
        int64_t x = json_object_get_int64(a), y = json_object_get_int64(b);
        return (x > y) - (x < y);
    }
    double x = json_object_get_double(a), y = json_object_get_double(b);
    return (x > y) - (x < y);
}

static int str_cmp(json_object *a, json_object *b)
{
    size_t na = (size_t)json_object_get_string_len(a);
    size_t nb = (size_t)json_object_get_string_len(b);
    int c = memcmp(json_object_get_string(a), json_object_get_string(b),
                   na < nb ? na : nb);
    return c ? c : (na > nb) - (na < nb);
}

static bool values_equal(json_object *a, json_object *b)
{
    if (is_num(a) && is_num(b))
        return num_cmp(a, b) == 0;
    if (json_object_get_type(a) != json_object_get_type(b))
        return false;
    switch (json_object_get_type(a)) {
    case json_type_null:
        return true;
    case json_type_boolean:
        return json_object_get_boolean(a) == json_object_get_boolean(b);
    case json_type_string:
        return str_cmp(a, b) == 0;
    default:
        return json_object_equal(a, b) != 0;
    }
}

/* -1, 0, 1, or 2 when a and b are not ordered (different types). */
static int order(json_object *a, json_object *b)
{
    if (is_num(a) && is_num(b))
        return num_cmp(a, b);
    if (json_object_is_type(a, json_type_string) &&
        json_object_is_type(b, json_type_string))
        return str_cmp(a, b);
    return 2;
}

static bool array_has(json_object *arr, json_object *v)
{
    if (!json_object_is_type(arr, json_type_array))
        return false;
    size_t n = json_object_array_length(arr);
    for (size_t i = 0; i < n; i++)
        if (values_equal(json_object_array_get_idx(arr, i), v))
            return true;
    return false;
}

/* How many elements of l are in r; -1 unless both are arrays. */
static long count_common(json_object *l, json_object *r)
{
    if (!json_object_is_type(l, json_type_array) ||
        !json_object_is_type(r, json_type_array))
        return -1;
    long hits = 0;
    size_t n = json_object_array_length(l);
    for (size_t i = 0; i < n; i++)
        hits += array_has(r, json_object_array_get_idx(l, i));
    return hits;
}

/* Length of a string (characters) or an array; -1 for other types. */
static long length_of(json_object *v)
{
    if (json_object_is_type(v, json_type_string))
        return (long)bt_utf8_length(json_object_get_string(v),
                                    (size_t)json_object_get_string_len(v));
    if (json_object_is_type(v, json_type_array))
        return (long)json_object_array_length(v);
    return -1;
}

static bool contains(json_object *l, json_object *r)
{
    if (json_object_is_type(l, json_type_string) &&
        json_object_is_type(r, json_type_string))
        return strstr(json_object_get_string(l), json_object_get_string(r));
    return array_has(l, r);
}

static bool relation(const sl_filter *f, json_object *l, json_object *r)
{
    int o;
    long common;
    switch (f->op) {
    case SL_OP_EQ:
        return values_equal(l, r);
    case SL_OP_LT:
    case SL_OP_LE:
    case SL_OP_GT:
    case SL_OP_GE:
        o = order(l, r);
        if (o == 2)
            return false;
        return f->op == SL_OP_LT   ? o < 0
               : f->op == SL_OP_LE ? o <= 0
               : f->op == SL_OP_GT ? o > 0
                                   : o >= 0;
    case SL_OP_REGEX:
        return json_object_is_type(l, json_type_string) &&
               regexec(&f->rhs.re, json_object_get_string(l), 0, NULL, 0) == 0;
    case SL_OP_IN:
        return array_has(r, l);
    case SL_OP_SUBSETOF:
        common = count_common(l, r);
        return common >= 0 && (size_t)common == json_object_array_length(l);
    case SL_OP_ANYOF:
        return count_common(l, r) > 0;
    case SL_OP_NONEOF:
        return count_common(l, r) == 0;
    case SL_OP_SIZE:
        return json_object_is_type(r, json_type_int) && length_of(l) >= 0 &&
               length_of(l) == json_object_get_int64(r);
    case SL_OP_EMPTY:
        return json_object_is_type(r, json_type_boolean) && length_of(l) >= 0 &&
               (length_of(l) == 0) == json_object_get_boolean(r);
    case SL_OP_CONTAINS:
        return contains(l, r);
    default:
        return false;
    }
}

static int test_rel(sl_ectx *x, const sl_filter *f, json_object *at, bool *ok)
{
    opval l, r = {0};
    if (operand_value(x, &f->lhs, at, &l))
        return BT_ELIMIT;
    if (f->op == SL_OP_EXISTS) {
        *ok = sl_path_is_definite(f->lhs.path)
                  ? !l.missing
                  : json_object_array_length(l.v) > 0;
        opval_fini(&l);
        return 0;
    }
    if (f->rhs.kind != SL_OPND_REGEX && operand_value(x, &f->rhs, at, &r)) {
        opval_fini(&l);
        return BT_ELIMIT;
    }
    if (f->op == SL_OP_NE || f->op == SL_OP_NIN) {
        sl_filter pos = *f;
        pos.op = f->op == SL_OP_NE ? SL_OP_EQ : SL_OP_IN;
        *ok = l.missing || r.missing || !relation(&pos, l.v, r.v);
    } else {
        *ok = !l.missing && !r.missing && relation(f, l.v, r.v);
    }
    opval_fini(&l);
    opval_fini(&r);
    return 0;
}

int sl_path__filter_test(sl_ectx *x, const sl_filter *f, json_object *at,
                         bool *ok)
{
    bool a;
    switch (f->kind) {
    case SL_FX_OR:
    case SL_FX_AND:
        if (sl_path__filter_test(x, f->a, at, &a))
            return BT_ELIMIT;
        if (a == (f->kind == SL_FX_OR)) {
            *ok = a;
            return 0;
        }
        return sl_path__filter_test(x, f->b, at, ok);
    case SL_FX_NOT:
        if (sl_path__filter_test(x, f->a, at, &a))
            return BT_ELIMIT;
        *ok = !a;
        return 0;
    case SL_FX_REL:
        return test_rel(x, f, at, ok);
    }
    return 0;
}
