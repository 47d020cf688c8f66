/*
 * JSONata-mode values at run time: walks a compiled template (objects and
 * arrays with "{% %}" leaves) and evaluates each expression with $states
 * (input, context, result, errorOutput) and the workflow variables bound.
 */
#include "statelang/statelang_int.h"

#include <stdlib.h>
#include <string.h>

static json_object *states_var(json_object *input, json_object *result,
                               json_object *error_output, const sl_ctx *c)
{
    json_object *s = json_object_new_object();
    json_object_object_add(s, "input", json_object_get(input));
    json_object_object_add(s, "context", json_object_get(c->context));
    if (result)
        json_object_object_add(s, "result", json_object_get(result));
    if (error_output)
        json_object_object_add(s, "errorOutput", json_object_get(error_output));
    return s;
}

static int expr_eval(const sl_tmpl *t, json_object *states, const sl_ctx *c,
                     json_object **out, sl_error *err)
{
    (void)states;
    (void)out;
    sl__runtime_error(c, err, "States.QueryEvaluationError",
                      "The JSONata expression '%s' specified for the field "
                      "'%s' could not be evaluated: JSONata evaluation is not "
                      "available in this build",
                      t->expr_text, t->field ? t->field : "");
    return -1;
}

static int walk(const sl_tmpl *t, json_object *states, const sl_ctx *c,
                json_object **out, sl_error *err)
{
    if (t->kind == SL_TMPL_LITERAL) {
        *out = json_object_get(t->literal);
        return 0;
    }
    if (t->kind == SL_TMPL_JSONATA)
        return expr_eval(t, states, c, out, err);
    bool obj = t->kind == SL_TMPL_OBJECT;
    json_object *res = obj ? json_object_new_object() : json_object_new_array();
    for (size_t i = 0; i < t->n; i++) {
        json_object *v = NULL;
        if (walk(t->kids[i], states, c, &v, err) != 0) {
            json_object_put(res);
            return -1;
        }
        if (obj)
            json_object_object_add(res, t->keys[i], v);
        else
            json_object_array_add(res, v);
    }
    *out = res;
    return 0;
}

int sl__jsonata_value(const sl_tmpl *t, json_object *input, json_object *result,
                      json_object *error_output, const sl_ctx *c,
                      json_object **out, sl_error *err)
{
    json_object *states = states_var(input, result, error_output, c);
    int rc = walk(t, states, c, out, err);
    json_object_put(states);
    return rc;
}
