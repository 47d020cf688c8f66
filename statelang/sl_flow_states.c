/*
 * The type-specific decisions of a state's run: which Choice branch, when a
 * Wait ends, what error a Fail raises, a Task's timeouts, a Map's items and
 * limits (reference §5, §7.7, §8.2, §9). Error causes use AWS's recorded
 * wording where the reference has it.
 */
#include "statelang/statelang_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "statelang/sl_choice_int.h"

/* ---- numbers given literally, by path or by expression
 * --------------------------- */

/* Evaluates f against doc: *out is a new reference, NULL when absent.
 * Returns 1 when the path does not resolve (caller words the error). */
static int num_eval(const sl_num_field *f, json_object *doc, const sl_ctx *c,
                    json_object **out, sl_error *err)
{
    *out = NULL;
    if (!f->present)
        return 0;
    if (f->expr)
        return sl__jsonata_value(f->expr, doc, NULL, NULL, c, out, err);
    if (!f->path) {
        *out = json_object_get(f->literal);
        return 0;
    }
    sl_path_env env = sl__path_env(c, doc);
    char *why = NULL;
    int rc = sl_path_eval(f->path, &env, out, &why);
    free(why);
    return rc == 0 ? 0 : 1;
}

/* A value as AWS shows it in messages: strings raw, the rest as JSON. */
static const char *shown(json_object *v)
{
    if (!v)
        return "null";
    return json_object_is_type(v, json_type_string) ? json_object_get_string(v)
                                                    : bt_json_compact(v);
}

static bool as_integer(json_object *v, int64_t *out)
{
    if (json_object_is_type(v, json_type_int)) {
        *out = json_object_get_int64(v);
        return true;
    }
    if (json_object_is_type(v, json_type_double)) {
        double d = json_object_get_double(v);
        if (d == floor(d) && fabs(d) < 9e18) {
            *out = (int64_t)d;
            return true;
        }
    }
    return false;
}

static int int_field_any(const sl_num_field *f, json_object *doc,
                         const sl_ctx *c, int64_t *value, sl_error *err);

/* An integer field (MaxConcurrency, TimeoutSeconds...) that must be at
 * least min: *value, or -1 when absent. A JSONata expression out of range
 * is a States.QueryEvaluationError (reference §10.5). */
static int int_field(const sl_num_field *f, json_object *doc, const sl_ctx *c,
                     int64_t min, int64_t *value, sl_error *err)
{
    if (int_field_any(f, doc, c, value, err) != 0)
        return -1;
    if (f->present && f->expr && *value < min) {
        sl__runtime_error(c, err, "States.QueryEvaluationError",
                          "The JSONata expression '%s' specified for the "
                          "field '%s' returned an out-of-range value: %lld "
                          "(the least allowed is %lld)",
                          f->expr->expr_text, f->name, (long long)*value,
                          (long long)min);
        return -1;
    }
    return 0;
}

static int int_field_any(const sl_num_field *f, json_object *doc,
                         const sl_ctx *c, int64_t *value, sl_error *err)
{
    json_object *v = NULL;
    *value = -1;
    int rc = num_eval(f, doc, c, &v, err);
    if (rc < 0)
        return -1;
    if (!f->present)
        return 0;
    const char *path = f->path ? sl_path_text(f->path) : "";
    /* A *Path may point at a numeric string ("1"); AWS reads it. */
    if (rc == 0 && f->path && json_object_is_type(v, json_type_string)) {
        const char *s = json_object_get_string(v);
        char *end;
        long long n = strtoll(s, &end, 10);
        if (*s && *end == '\0') {
            json_object_put(v);
            v = json_object_new_int64(n);
        }
    }
    if (rc == 1 || !as_integer(v, value)) {
        const char *text = rc == 1 ? "null" : shown(v);
        if (f->expr)
            sl__runtime_error(c, err, "States.QueryEvaluationError",
                              "The JSONata expression '%s' specified for the "
                              "field '%s' returned an unexpected result type. "
                              "Expected 'integer', but was '%s' for value: %s",
                              f->expr->expr_text, f->name,
                              sl_path__type_name(v), text);
        else
            sl__runtime_error(c, err, "States.Runtime",
                              "The %sPath field refers to value \"%s\" which "
                              "is not a valid integer: %s",
                              f->name, text, path);
        json_object_put(v);
        return -1;
    }
    json_object_put(v);
    return 0;
}

/* ---- Choice
 * --------------------------------------------------------------------- */

static int choice_branch_true(const sl_state *st, size_t i, json_object *e0,
                              json_object *raw, const sl_ctx *c, bool *yes,
                              sl_error *err)
{
    const sl_choice_branch *b = &st->choices[i];
    if (st->ql == SL_QL_JSONATA) {
        json_object *v = NULL;
        if (sl__jsonata_value(b->condition, raw, NULL, NULL, c, &v, err) != 0)
            return -1;
        if (!json_object_is_type(v, json_type_boolean)) {
            sl__runtime_error(c, err, "States.QueryEvaluationError",
                              "The JSONata expression '%s' specified for the "
                              "field 'Condition' returned an unexpected result "
                              "type. Expected 'boolean', but was '%s' for "
                              "value: %s",
                              b->condition->expr_text
                                  ? b->condition->expr_text
                                  : bt_json_compact(b->condition->literal),
                              sl_path__type_name(v), bt_json_compact(v));
            json_object_put(v);
            return -1;
        }
        *yes = json_object_get_boolean(v);
        json_object_put(v);
        return 0;
    }
    sl_path_env env = sl__path_env(c, e0);
    char *why = NULL;
    if (sl_choice_eval(b->rule, &env, yes, &why) != 0) {
        sl__runtime_error(c, err, "States.Runtime", "%s", why ? why : "");
        free(why);
        return -1;
    }
    return 0;
}

/* Output and Assign of the taken branch (or of the state for Default). */
static int choice_finish(const sl_state *st, const sl_tmpl *assign,
                         const sl_tmpl *output, json_object *raw,
                         json_object *e0, const sl_ctx *c, json_object **out,
                         json_object **assigned, sl_error *err)
{
    if (st->ql == SL_QL_JSONATA) {
        if (sl__assign_eval(assign, st->ql, raw, NULL, NULL, c, assigned, err))
            return -1;
        if (!output) {
            *out = json_object_get(raw);
            return 0;
        }
        if (sl__jsonata_value(output, raw, NULL, NULL, c, out, err) == 0)
            return 0;
        json_object_put(*assigned);
        *assigned = NULL;
        return -1;
    }
    if (sl__assign_eval(assign, st->ql, NULL, e0, NULL, c, assigned, err))
        return -1;
    if (sl__output_path(st, e0, c, out, err) == 0)
        return 0;
    json_object_put(*assigned);
    *assigned = NULL;
    return -1;
}

int sl_choice_select(const sl_state *st, json_object *raw, const sl_ctx *c,
                     const sl_state **next, json_object **out,
                     json_object **assigned, sl_error *err)
{
    *assigned = NULL;
    *out = NULL;
    json_object *e0 = NULL;
    if (st->ql == SL_QL_JSONATA)
        e0 = json_object_get(raw);
    else if (sl__input_path(st, raw, c, &e0, err) != 0)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < st->nchoices; i++) {
        bool yes = false;
        if ((rc = choice_branch_true(st, i, e0, raw, c, &yes, err)) != 0)
            break;
        if (yes) {
            *next = st->choices[i].next;
            rc = choice_finish(st, st->choices[i].assign, st->choices[i].output,
                               raw, e0, c, out, assigned, err);
            json_object_put(e0);
            return rc;
        }
    }
    if (rc == 0 && st->default_state) {
        *next = st->default_state;
        rc = choice_finish(st, st->assign, st->output, raw, e0, c, out,
                           assigned, err);
    } else if (rc == 0) {
        sl__runtime_error(c, err, "States.Runtime",
                          "No Choice Rule matched and no Default is "
                          "specified.");
        rc = -1;
    }
    json_object_put(e0);
    return rc;
}

/* ---- Wait
 * ------------------------------------------------------------------------- */

/* About 2^31 seconds ahead is the most AWS waits. */
#define SL_WAIT_MAX_MS (INT64_C(2147483647) * 1000)

static int wait_seconds_path(const sl_state *st, json_object *e0,
                             const sl_ctx *c, int64_t *until, sl_error *err)
{
    json_object *v = NULL;
    const char *p = sl_path_text(st->seconds.path);
    if (num_eval(&st->seconds, e0, c, &v, err) != 0) {
        sl__runtime_error(c, err, "States.Runtime",
                          "The SecondsPath parameter does not reference an "
                          "input value: %s",
                          p);
        return -1;
    }
    int64_t s;
    int rc = 0;
    if (!as_integer(v, &s) || !json_object_is_type(v, json_type_int)) {
        sl__runtime_error(c, err, "States.Runtime",
                          "The SecondsPath parameter cannot be parsed as a "
                          "long value: %s == %s",
                          p, shown(v));
        rc = -1;
    } else if (s < 0) {
        sl__runtime_error(c, err, "States.Runtime",
                          "The SecondsPath parameter references a negative "
                          "value: %s == %lld",
                          p, (long long)s);
        rc = -1;
    } else {
        *until = c->now_ms +
                 (s > SL_WAIT_MAX_MS / 1000 ? SL_WAIT_MAX_MS + 1 : s * 1000);
    }
    json_object_put(v);
    return rc;
}

static int wait_timestamp(const sl_state *st, json_object *e0, const sl_ctx *c,
                          int64_t *until, sl_error *err)
{
    json_object *v = NULL;
    const char *s = st->timestamp;
    if (st->timestamp_path || st->timestamp_expr) {
        int rc;
        if (st->timestamp_expr) {
            rc = sl__jsonata_value(st->timestamp_expr, e0, NULL, NULL, c, &v,
                                   err);
            if (rc != 0)
                return -1;
        } else {
            sl_path_env env = sl__path_env(c, e0);
            char *why = NULL;
            rc = sl_path_eval(st->timestamp_path, &env, &v, &why);
            free(why);
        }
        s = rc == 0 && json_object_is_type(v, json_type_string)
                ? json_object_get_string(v)
                : NULL;
    }
    int64_t us = 0;
    int rc = 0;
    if (!s || !sl_timestamp_parse(s, &us)) {
        if (st->timestamp_expr)
            sl__runtime_error(c, err, "States.QueryEvaluationError",
                              "The Timestamp field cannot be parsed as an "
                              "ISO-8601 extended offset date-time format "
                              "string: %s",
                              shown(v));
        else
            sl__runtime_error(c, err, "States.Runtime",
                              "The TimestampPath parameter does not reference "
                              "a valid ISO-8601 extended offset date-time "
                              "format string: %s == %s",
                              sl_path_text(st->timestamp_path), shown(v));
        rc = -1;
    } else {
        *until = us / 1000;
    }
    json_object_put(v);
    return rc;
}

int sl_wait_until(const sl_state *st, json_object *raw, const sl_ctx *c,
                  int64_t *until_ms, sl_error *err)
{
    json_object *e0 = NULL;
    if (st->ql == SL_QL_JSONATA)
        e0 = json_object_get(raw);
    else if (sl__input_path(st, raw, c, &e0, err) != 0)
        return -1;
    int rc;
    int64_t until = c->now_ms;
    if (st->seconds.path) {
        rc = wait_seconds_path(st, e0, c, &until, err);
    } else if (st->seconds.present) {
        int64_t s;
        rc = int_field(&st->seconds, e0, c, 0, &s, err);
        if (rc == 0 && s < 0) {
            sl__runtime_error(c, err, "States.QueryEvaluationError",
                              "The Seconds field must not be negative: %lld",
                              (long long)s);
            rc = -1;
        } else if (rc == 0) {
            until = c->now_ms +
                    (s > SL_WAIT_MAX_MS / 1000 ? SL_WAIT_MAX_MS + 1 : s * 1000);
        }
    } else {
        rc = wait_timestamp(st, e0, c, &until, err);
    }
    json_object_put(e0);
    if (rc == 0 && until - c->now_ms > SL_WAIT_MAX_MS) {
        sl__runtime_error(c, err, "States.Runtime",
                          "Wait state delay is too long.");
        return -1;
    }
    *until_ms = until;
    return rc;
}

/* ---- Fail
 * ---------------------------------------------------------------------------
 */

static int fail_text(const sl_state *st, const sl_tmpl *t, json_object *raw,
                     const sl_ctx *c, char **out, sl_error *err)
{
    *out = NULL;
    if (!t)
        return 0;
    json_object *v = NULL;
    int rc = t->kind == SL_TMPL_JSONATA
                 ? sl__jsonata_value(t, raw, NULL, NULL, c, &v, err)
                 : sl__tmpl_eval(t, raw, c, &v, err);
    if (rc != 0)
        return -1;
    if (!json_object_is_type(v, json_type_string)) {
        sl__runtime_error(c, err,
                          st->ql == SL_QL_JSONATA
                              ? "States.QueryEvaluationError"
                              : "States.Runtime",
                          "The value for the field '%s' must be a string, "
                          "but was: %s",
                          t->field ? t->field : "Error", bt_json_compact(v));
        json_object_put(v);
        return -1;
    }
    *out = bt_xstrdup(json_object_get_string(v));
    json_object_put(v);
    return 0;
}

int sl_fail_error(const sl_state *st, json_object *raw, const sl_ctx *c,
                  sl_error *out, sl_error *err)
{
    char *name = NULL, *cause = NULL;
    if (fail_text(st, st->error, raw, c, &name, err) != 0)
        return -1;
    if (fail_text(st, st->cause, raw, c, &cause, err) != 0) {
        free(name);
        return -1;
    }
    sl_error_fini(out);
    out->name = name;
    out->cause = cause;
    return 0;
}

/* ---- Task
 * -------------------------------------------------------------------------------
 */

int sl_task_timeouts(const sl_state *st, json_object *raw, const sl_ctx *c,
                     int64_t *timeout_s, int64_t *heartbeat_s, sl_error *err)
{
    int64_t t, h;
    if (int_field(&st->timeout, raw, c, 1, &t, err) != 0 ||
        int_field(&st->heartbeat, raw, c, 1, &h, err) != 0)
        return -1;
    *timeout_s = t > 0 ? t : 0;
    *heartbeat_s = h > 0 ? h : 0;
    return 0;
}

/* ---- Map
 * ----------------------------------------------------------------------------------
 */

static int jsonata_items(const sl_state *st, json_object *raw, const sl_ctx *c,
                         json_object **items, sl_error *err)
{
    if (!st->items) {
        if (json_object_is_type(raw, json_type_array)) {
            *items = json_object_get(raw);
            return 0;
        }
        sl__runtime_error(c, err, "States.QueryEvaluationError",
                          "Map state input must be an array but was: %s",
                          bt_json_compact(raw));
        return -1;
    }
    json_object *v = NULL;
    if (sl__jsonata_value(st->items, raw, NULL, NULL, c, &v, err) != 0)
        return -1;
    if (!json_object_is_type(v, json_type_array)) {
        sl__runtime_error(c, err, "States.QueryEvaluationError",
                          "The JSONata expression '%s' specified for the "
                          "field 'Items' returned an unexpected result type. "
                          "Expected 'array', but was '%s' for value: %s",
                          st->items->expr_text ? st->items->expr_text : "",
                          sl_path__type_name(v), bt_json_compact(v));
        json_object_put(v);
        return -1;
    }
    *items = v;
    return 0;
}

int sl_map_items(const sl_state *st, json_object *raw, const sl_ctx *c,
                 json_object **items, sl_error *err)
{
    if (st->ql == SL_QL_JSONATA)
        return jsonata_items(st, raw, c, items, err);
    json_object *e0 = NULL;
    if (sl__input_path(st, raw, c, &e0, err) != 0)
        return -1;
    json_object *v = e0;
    if (st->items_path) {
        sl_path_env env = sl__path_env(c, e0);
        char *why = NULL;
        v = NULL;
        int rc = sl_path_eval(st->items_path, &env, &v, &why);
        json_object_put(e0);
        if (rc != 0) {
            sl__runtime_error(c, err, "States.Runtime",
                              "Invalid path '%s' : %s",
                              sl_path_text(st->items_path), why ? why : "");
            free(why);
            return -1;
        }
        free(why);
    }
    if (!json_object_is_type(v, json_type_array)) {
        sl__runtime_error(c, err, "States.Runtime",
                          "Reference path \"%s\" must point to array.",
                          st->items_path ? sl_path_text(st->items_path) : "$");
        json_object_put(v);
        return -1;
    }
    *items = v;
    return 0;
}

int sl_map_item_input(const sl_state *st, json_object *raw, json_object *item,
                      const sl_ctx *c, json_object **out, sl_error *err)
{
    if (!st->item_selector) {
        *out = json_object_get(item);
        return 0;
    }
    if (st->ql == SL_QL_JSONATA)
        return sl__jsonata_value(st->item_selector, raw, NULL, NULL, c, out,
                                 err);
    json_object *e0 = NULL;
    if (sl__input_path(st, raw, c, &e0, err) != 0)
        return -1;
    int rc = sl__tmpl_eval(st->item_selector, e0, c, out, err);
    json_object_put(e0);
    return rc;
}

int sl_map_concurrency(const sl_state *st, json_object *raw, const sl_ctx *c,
                       int64_t *max_concurrency, sl_error *err)
{
    int64_t mc;
    if (int_field(&st->max_concurrency, raw, c, 0, &mc, err) != 0)
        return -1;
    *max_concurrency = mc > 0 ? mc : 0;
    return 0;
}

int sl_map_tolerance(const sl_state *st, json_object *raw, const sl_ctx *c,
                     int64_t *tolerated_count, double *tolerated_pct,
                     sl_error *err)
{
    int64_t tc;
    if (int_field(&st->tolerated_count, raw, c, 0, &tc, err) != 0)
        return -1;
    if (tc < -1 || (st->tolerated_count.present && tc < 0)) {
        sl__runtime_error(c, err,
                          st->tolerated_count.expr
                              ? "States.QueryEvaluationError"
                              : "States.Runtime",
                          "ToleratedFailureCount cannot be negative.");
        return -1;
    }
    *tolerated_count = st->tolerated_count.present ? tc : -1;
    *tolerated_pct = -1;
    if (!st->tolerated_pct.present)
        return 0;
    json_object *v = NULL;
    int rc = num_eval(&st->tolerated_pct, raw, c, &v, err);
    if (rc < 0)
        return -1;
    bool num = rc == 0 && (json_object_is_type(v, json_type_int) ||
                           json_object_is_type(v, json_type_double));
    double p = num ? json_object_get_double(v) : 0;
    if (rc == 0 && st->tolerated_pct.path &&
        json_object_is_type(v, json_type_string)) {
        const char *s = json_object_get_string(v);
        char *end;
        p = strtod(s, &end);
        num = *s && *end == '\0';
    }
    if (!num) {
        sl__runtime_error(
            c, err, "States.Runtime",
            "The ToleratedFailurePercentagePath field refers to "
            "value \"%s\" which is not a valid float: %s",
            shown(v),
            st->tolerated_pct.path ? sl_path_text(st->tolerated_pct.path) : "");
        rc = -1;
    } else if (p < 0 || p > 100) {
        sl__runtime_error(c, err,
                          st->tolerated_pct.expr ? "States.QueryEvaluationError"
                                                 : "States.Runtime",
                          "ToleratedFailurePercentage must be between 0 and "
                          "100.");
        rc = -1;
    }
    json_object_put(v);
    *tolerated_pct = p;
    return rc;
}

/* ---- ItemBatcher
 * ------------------------------------------------------------------- */

bool sl_state_map_batched(const sl_state *st)
{
    return st->has_batcher;
}

static json_object *new_batch(json_object *batch_input)
{
    json_object *b = json_object_new_object();
    json_object_object_add(b, "Items", json_object_new_array());
    if (batch_input)
        json_object_object_add(b, "BatchInput", json_object_get(batch_input));
    return b;
}

int sl_map_batches(const sl_state *st, json_object *raw, json_object *inputs,
                   const sl_ctx *c, json_object **batches, sl_error *err)
{
    if (!st->has_batcher) {
        *batches = inputs;
        return 0;
    }
    int64_t max_items, max_bytes;
    json_object *e0 = NULL, *bi = NULL;
    int rc = int_field(&st->batch_items, raw, c, 1, &max_items, err);
    if (rc == 0)
        rc = int_field(&st->batch_bytes, raw, c, 1, &max_bytes, err);
    if (rc == 0 && st->batch_input) {
        if (st->ql == SL_QL_JSONATA)
            rc = sl__jsonata_value(st->batch_input, raw, NULL, NULL, c, &bi,
                                   err);
        else if ((rc = sl__input_path(st, raw, c, &e0, err)) == 0)
            rc = sl__tmpl_eval(st->batch_input, e0, c, &bi, err);
    }
    json_object_put(e0);
    if (rc != 0) {
        json_object_put(inputs);
        return -1;
    }
    if (max_bytes <= 0 || max_bytes > SL_PAYLOAD_LIMIT_DEFAULT)
        max_bytes = SL_PAYLOAD_LIMIT_DEFAULT;
    json_object *out = json_object_new_array();
    json_object *cur = NULL;
    size_t cur_bytes = 0, cur_n = 0;
    size_t base = bi ? sl_json_size(bi) + 30 : 12;
    for (size_t i = 0; i < json_object_array_length(inputs); i++) {
        json_object *item = json_object_array_get_idx(inputs, i);
        size_t sz = sl_json_size(item) + 1;
        bool full = cur && ((max_items > 0 && (int64_t)cur_n >= max_items) ||
                            base + cur_bytes + sz > (size_t)max_bytes);
        if (!cur || full) {
            cur = new_batch(bi);
            json_object_array_add(out, cur);
            cur_bytes = 0;
            cur_n = 0;
        }
        json_object *items;
        json_object_object_get_ex(cur, "Items", &items);
        json_object_array_add(items, json_object_get(item));
        cur_bytes += sz;
        cur_n++;
    }
    json_object_put(bi);
    json_object_put(inputs);
    *batches = out;
    return 0;
}
