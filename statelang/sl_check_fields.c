/*
 * Field checks shared by several state types: paths, payload templates,
 * Assign, Retry and Catch, Choice rules, integers, JSONata strings.
 * Each check reports its own problems and never stops at the first.
 */
#include "statelang/statelang_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !memcmp(s + n - k, suffix, k);
}

/* ---- JSONata strings -------------------------------------------------------
 */

bool sl__is_jsonata(const char *s)
{
    size_t n = strlen(s);
    return n >= 4 && !strncmp(s, "{%", 2) && !strcmp(s + n - 2, "%}");
}

void sl__check_jsonata_string(sl_vctx *v, const char *s)
{
    if (!sl__is_jsonata(s))
        return;
    size_t n = strlen(s);
    sl_jsonata *expr = NULL;
    sl_jsonata_error err;
    memset(&err, 0, sizeof err);
    if (sl_jsonata_parse(s + 2, n - 4, &expr, &err) != 0) {
        sl__err(v, SL_SCHEMA,
                "The JSONata expression '%s' is not valid: %s: %s (at "
                "character %d)",
                s, err.code, err.message ? err.message : "syntax error",
                err.position);
        sl_jsonata_error_fini(&err);
        return;
    }
    sl_jsonata_free(expr);
}

void sl__check_jsonata_value(sl_vctx *v, json_object *value)
{
    if (json_object_is_type(value, json_type_string)) {
        sl__check_jsonata_string(v, json_object_get_string(value));
    } else if (json_object_is_type(value, json_type_object)) {
        json_object_object_foreach(value, key, val)
        {
            size_t mark = sl__ptr_push(v, key);
            sl__check_jsonata_value(v, val);
            sl__ptr_pop(v, mark);
        }
    } else if (json_object_is_type(value, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(value); i++) {
            size_t mark = sl__ptr_push_index(v, i);
            sl__check_jsonata_value(v, json_object_array_get_idx(value, i));
            sl__ptr_pop(v, mark);
        }
    }
}

/* ---- numbers ----------------------------------------------------------------
 */

void sl__check_int_field(sl_vctx *v, json_object *obj, const char *name,
                         int64_t lo, int64_t hi, sl_ql ql)
{
    if (!sl__has(obj, name))
        return;
    json_object *f = sl__get(obj, name);
    size_t mark = sl__ptr_push(v, name);
    if (ql == SL_QL_JSONATA && json_object_is_type(f, json_type_string) &&
        sl__is_jsonata(json_object_get_string(f))) {
        sl__check_jsonata_string(v, json_object_get_string(f));
        sl__ptr_pop(v, mark);
        return;
    }
    bool ok = false;
    if (json_object_is_type(f, json_type_int)) {
        int64_t x = json_object_get_int64(f);
        ok = x >= lo && x <= hi;
    } else if (json_object_is_type(f, json_type_double)) {
        double x = json_object_get_double(f);
        ok = x == floor(x) && x >= (double)lo && x <= (double)hi;
    }
    if (!ok)
        sl__err(v, SL_SCHEMA,
                "The field '%s' must be an integer between %lld and %lld", name,
                (long long)lo, (long long)hi);
    sl__ptr_pop(v, mark);
}

/* ---- paths
 * -------------------------------------------------------------------- */

void sl__check_path_field(sl_vctx *v, json_object *obj, const char *name,
                          bool reference, bool nullable)
{
    if (!sl__has(obj, name))
        return;
    json_object *f = sl__get(obj, name);
    if (!f && nullable)
        return;
    size_t mark = sl__ptr_push(v, name);
    const char *kind = reference ? "ReferencePath" : "JSONPath";
    if (!json_object_is_type(f, json_type_string)) {
        sl__err(v, SL_SCHEMA, "The value for the field '%s' must be a valid %s",
                name, kind);
        sl__ptr_pop(v, mark);
        return;
    }
    sl_path *p = NULL;
    char *err = NULL;
    if (sl_path_parse(json_object_get_string(f),
                      reference ? SL_PATH_REFERENCE : 0, &p, &err) != 0) {
        sl__err(v, SL_SCHEMA,
                "The value for the field '%s' must be a valid %s: %s", name,
                kind, err);
    } else if (!strcmp(name, "ResultPath") &&
               sl_path_root_kind(p) != SL_ROOT_INPUT) {
        sl__err(v, SL_SCHEMA,
                "The value for the field 'ResultPath' must be a valid "
                "ReferencePath: it may not refer to the context object or a "
                "variable");
    }
    free(err);
    sl_path_free(p);
    sl__ptr_pop(v, mark);
}

/* A ".$" value: a path ($, $$, $var) or an intrinsic call. */
static void check_dynamic_value(sl_vctx *v, const char *key, json_object *val)
{
    const char *s = json_object_is_type(val, json_type_string)
                        ? json_object_get_string(val)
                        : NULL;
    char *err = NULL;
    int rc = BT_EPARSE;
    if (s && s[0] == '$') {
        sl_path *p = NULL;
        rc = sl_path_parse(s, 0, &p, &err);
        sl_path_free(p);
    } else if (s) {
        sl_intrinsic *call = NULL;
        rc = sl_intrinsic_parse(s, &call, &err);
        sl_intrinsic_free(call);
    }
    if (rc != 0)
        sl__err(v, SL_SCHEMA,
                "The value for the field '%s' must be a valid JSONPath or a "
                "valid intrinsic function call%s%s",
                key, err ? ": " : "", err ? err : "");
    free(err);
}

static void check_template_value(sl_vctx *v, json_object *val);

static void check_template_object(sl_vctx *v, json_object *obj)
{
    json_object_object_foreach(obj, key, val)
    {
        if (ends_with(key, ".$")) {
            check_dynamic_value(v, key, val);
            char *bare = bt_xstrndup(key, strlen(key) - 2);
            if (sl__has(obj, bare))
                sl__err(v, SL_SCHEMA,
                        "The field '%s' is given twice: as '%s' and as '%s'",
                        bare, bare, key);
            free(bare);
        } else {
            size_t mark = sl__ptr_push(v, key);
            check_template_value(v, val);
            sl__ptr_pop(v, mark);
        }
    }
}

static void check_template_value(sl_vctx *v, json_object *val)
{
    if (json_object_is_type(val, json_type_object)) {
        check_template_object(v, val);
    } else if (json_object_is_type(val, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(val); i++) {
            size_t mark = sl__ptr_push_index(v, i);
            check_template_value(v, json_object_array_get_idx(val, i));
            sl__ptr_pop(v, mark);
        }
    }
}

void sl__check_template(sl_vctx *v, json_object *tmpl, const char *name)
{
    size_t mark = sl__ptr_push(v, name);
    if (!json_object_is_type(tmpl, json_type_object))
        sl__err(v, SL_SCHEMA, "The field '%s' must be an object", name);
    else
        check_template_object(v, tmpl);
    sl__ptr_pop(v, mark);
}

/* ---- Assign
 * ------------------------------------------------------------------- */

static void record_assigned(sl_vctx *v, const char *name)
{
    json_object *seen;
    if (!v->scope || json_object_object_get_ex(v->scope->assigned, name, &seen))
        return;
    json_object_object_add(
        v->scope->assigned, name,
        json_object_new_string(v->ptr.data ? v->ptr.data : "/"));
}

void sl__check_assign(sl_vctx *v, json_object *assign, sl_ql ql)
{
    size_t mark = sl__ptr_push(v, "Assign");
    if (!json_object_is_type(assign, json_type_object)) {
        sl__err(v, SL_SCHEMA, "The field 'Assign' must be an object");
        sl__ptr_pop(v, mark);
        return;
    }
    json_object_object_foreach(assign, key, val)
    {
        bool dynamic = ql == SL_QL_JSONPATH && ends_with(key, ".$");
        char *name = bt_xstrndup(key, strlen(key) - (dynamic ? 2 : 0));
        if (!sl_var_name_valid(name) || !strcmp(name, "states"))
            sl__err(v, SL_SCHEMA,
                    "The variable name '%s' is not valid: a name starts with a "
                    "letter or '_', holds letters, digits and '_', and is not "
                    "'states'",
                    name);
        else
            record_assigned(v, name);
        free(name);
        if (dynamic) {
            check_dynamic_value(v, key, val);
        } else {
            size_t kmark = sl__ptr_push(v, key);
            if (ql == SL_QL_JSONATA)
                sl__check_jsonata_value(v, val);
            else
                check_template_value(v, val);
            sl__ptr_pop(v, kmark);
        }
    }
    sl__ptr_pop(v, mark);
}

/* ---- Retry and Catch
 * ---------------------------------------------------------- */

/* ErrorEquals of element i of n; States.ALL must be alone and last. */
static void check_error_equals(sl_vctx *v, json_object *obj, size_t i, size_t n)
{
    json_object *e = sl__get(obj, "ErrorEquals");
    if (!sl__has(obj, "ErrorEquals")) {
        sl__err(v, SL_SCHEMA, "These fields are required: [ErrorEquals]");
        return;
    }
    size_t mark = sl__ptr_push(v, "ErrorEquals");
    if (!json_object_is_type(e, json_type_array)) {
        sl__err(v, SL_SCHEMA, "The field 'ErrorEquals' must be an array");
    } else if (json_object_array_length(e) == 0) {
        sl__err(v, SL_SCHEMA, "Value cannot be empty");
    } else {
        size_t len = json_object_array_length(e);
        for (size_t k = 0; k < len; k++) {
            json_object *name = json_object_array_get_idx(e, k);
            if (!json_object_is_type(name, json_type_string)) {
                sl__err(v, SL_SCHEMA, "Error names must be strings");
                continue;
            }
            if (strcmp(json_object_get_string(name), "States.ALL"))
                continue;
            if (len > 1)
                sl__err(v, SL_SCHEMA,
                        "States.ALL must appear alone in ErrorEquals");
            if (i + 1 != n)
                sl__err(v, SL_SCHEMA,
                        "States.ALL must appear only in the last element");
        }
    }
    sl__ptr_pop(v, mark);
}

static bool check_list(sl_vctx *v, json_object *list, const char *name)
{
    if (json_object_is_type(list, json_type_array))
        return true;
    sl__err_field(v, name, SL_SCHEMA, "The field '%s' must be an array", name);
    return false;
}

static void check_keys(sl_vctx *v, json_object *obj, const char *const *allowed)
{
    json_object_object_foreach(obj, key, val)
    {
        (void)val;
        bool ok = false;
        for (size_t i = 0; allowed[i] && !ok; i++)
            ok = !strcmp(allowed[i], key);
        if (!ok)
            sl__err(v, SL_SCHEMA, "Field '%s' is not supported", key);
    }
}

static void check_retrier(sl_vctx *v, json_object *r, size_t i, size_t n)
{
    static const char *const keys[] = {
        "ErrorEquals",     "IntervalSeconds", "MaxAttempts", "BackoffRate",
        "MaxDelaySeconds", "JitterStrategy",  "Comment",     NULL};
    check_keys(v, r, keys);
    check_error_equals(v, r, i, n);
    sl__check_int_field(v, r, "IntervalSeconds", 1, 99999999, SL_QL_JSONPATH);
    sl__check_int_field(v, r, "MaxAttempts", 0, 99999999, SL_QL_JSONPATH);
    sl__check_int_field(v, r, "MaxDelaySeconds", 1, 31622401, SL_QL_JSONPATH);
    json_object *b = sl__get(r, "BackoffRate");
    if (sl__has(r, "BackoffRate") &&
        !((json_object_is_type(b, json_type_int) ||
           json_object_is_type(b, json_type_double)) &&
          json_object_get_double(b) >= 1.0))
        sl__err_field(v, "BackoffRate", SL_SCHEMA,
                      "The field 'BackoffRate' must be a number greater than "
                      "or equal to 1.0");
    json_object *j = sl__get(r, "JitterStrategy");
    if (sl__has(r, "JitterStrategy") &&
        !(json_object_is_type(j, json_type_string) &&
          (!strcmp(json_object_get_string(j), "FULL") ||
           !strcmp(json_object_get_string(j), "NONE"))))
        sl__err_field(v, "JitterStrategy", SL_SCHEMA,
                      "The field 'JitterStrategy' should have one of these "
                      "values: [FULL, NONE]");
}

void sl__check_retry(sl_vctx *v, json_object *retry)
{
    if (!check_list(v, retry, "Retry"))
        return;
    size_t mark = sl__ptr_push(v, "Retry");
    size_t n = json_object_array_length(retry);
    for (size_t i = 0; i < n; i++) {
        size_t imark = sl__ptr_push_index(v, i);
        json_object *r = json_object_array_get_idx(retry, i);
        if (!json_object_is_type(r, json_type_object))
            sl__err(v, SL_SCHEMA, "A Retrier must be an object");
        else
            check_retrier(v, r, i, n);
        sl__ptr_pop(v, imark);
    }
    sl__ptr_pop(v, mark);
}

static void check_catcher(sl_vctx *v, json_object *c, size_t i, size_t n,
                          sl_ql ql)
{
    static const char *const keys[] = {"ErrorEquals", "Next",   "ResultPath",
                                       "Output",      "Assign", "Comment",
                                       NULL};
    check_keys(v, c, keys);
    check_error_equals(v, c, i, n);
    json_object *next = sl__get(c, "Next");
    if (!sl__has(c, "Next"))
        sl__err(v, SL_SCHEMA, "These fields are required: [Next]");
    else if (!json_object_is_type(next, json_type_string))
        sl__err_field(v, "Next", SL_SCHEMA,
                      "The field 'Next' must be a string");
    if (sl__has(c, "ResultPath") && ql == SL_QL_JSONATA)
        sl__err(v, SL_SCHEMA,
                "The QueryLanguage is set to 'JSONata', but field "
                "'ResultPath' is only supported for the 'JSONPath' "
                "QueryLanguage");
    else
        sl__check_path_field(v, c, "ResultPath", true, true);
    if (sl__has(c, "Output")) {
        size_t mark = sl__ptr_push(v, "Output");
        if (ql == SL_QL_JSONPATH)
            sl__err(v, SL_SCHEMA,
                    "The QueryLanguage is set to 'JSONPath', but field "
                    "'Output' is only supported for the 'JSONata' "
                    "QueryLanguage");
        else
            sl__check_jsonata_value(v, sl__get(c, "Output"));
        sl__ptr_pop(v, mark);
    }
    if (sl__has(c, "Assign"))
        sl__check_assign(v, sl__get(c, "Assign"), ql);
}

void sl__check_catch(sl_vctx *v, json_object *catch_, sl_ql ql)
{
    if (!check_list(v, catch_, "Catch"))
        return;
    size_t mark = sl__ptr_push(v, "Catch");
    size_t n = json_object_array_length(catch_);
    for (size_t i = 0; i < n; i++) {
        size_t imark = sl__ptr_push_index(v, i);
        json_object *c = json_object_array_get_idx(catch_, i);
        if (!json_object_is_type(c, json_type_object))
            sl__err(v, SL_SCHEMA, "A Catcher must be an object");
        else
            check_catcher(v, c, i, n, ql);
        sl__ptr_pop(v, imark);
    }
    sl__ptr_pop(v, mark);
}
