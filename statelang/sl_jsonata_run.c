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
    json_object_object_add(s, "context", json_object_get(sl_ctx_context(c)));
    if (result)
        json_object_object_add(s, "result", json_object_get(result));
    if (error_output)
        json_object_object_add(s, "errorOutput", json_object_get(error_output));
    return s;
}

typedef struct run_env {
    json_object *states;
    const sl_ctx *c;
} run_env;

static bool lookup(void *ud, const char *name, json_object **value)
{
    run_env *r = ud;
    if (!strcmp(name, "states")) {
        *value = r->states;
        return true;
    }
    return r->c->var && r->c->var(r->c->var_ud, name, value);
}

static double random01(void *ud)
{
    const sl_rand *rng = ud;
    return (double)(rng->next(rng->ud) >> 11) / 9007199254740992.0;
}

/* Evaluation memory a workflow expression may use. */
#define SL_JSONATA_HEAP_BYTES (256u * 1024 * 1024)

static int expr_eval(const sl_tmpl *t, json_object *states, const sl_ctx *c,
                     json_object **out, sl_error *err)
{
    run_env r = {states, c};
    sl_jsonata_env env;
    memset(&env, 0, sizeof env);
    /* A workflow expression reads data only through variables. */
    env.has_input = false;
    env.lookup = lookup;
    env.lookup_ctx = &r;
    env.now_ms = c->now_ms;
    if (c->rng && c->rng->next) {
        env.random = random01;
        env.random_ctx = (void *)c->rng;
    }
    env.aws_functions = true;
    env.heap_bytes = SL_JSONATA_HEAP_BYTES;
    bool undefined = false, function = false;
    sl_jsonata_error jerr;
    memset(&jerr, 0, sizeof jerr);
    const char *field = t->field ? t->field : "";
    if (sl_jsonata_eval_fn(t->expr, &env, out, &undefined, &function, &jerr) !=
        0) {
        sl__runtime_error(c, err, "States.QueryEvaluationError",
                          "The JSONata expression '%s' specified for the field "
                          "'%s' threw an error during evaluation. %s: %s",
                          t->expr_text, field, jerr.code,
                          jerr.message ? jerr.message : "");
        sl_jsonata_error_fini(&jerr);
        return -1;
    }
    if (function) {
        json_object_put(*out);
        *out = NULL;
        sl__runtime_error(c, err, "States.QueryEvaluationError",
                          "The JSONata expression '%s' specified for the field "
                          "'%s' returned an unsupported result type.",
                          t->expr_text, field);
        return -1;
    }
    if (undefined) {
        sl__runtime_error(c, err, "States.QueryEvaluationError",
                          "The JSONata expression '%s' specified for the field "
                          "'%s' returned nothing (undefined).",
                          t->expr_text, field);
        return -1;
    }
    return 0;
}

typedef struct leaf_ud {
    json_object *states;
    const sl_ctx *c;
} leaf_ud;

static int leaf(const sl_tmpl *t, void *ud, json_object **out, sl_error *err)
{
    leaf_ud *u = ud;
    return expr_eval(t, u->states, u->c, out, err);
}

int sl__jsonata_value(const sl_tmpl *t, json_object *input, json_object *result,
                      json_object *error_output, const sl_ctx *c,
                      json_object **out, sl_error *err)
{
    json_object *states = states_var(input, result, error_output, c);
    leaf_ud u = {states, c};
    int rc = sl__tmpl_walk(t, leaf, &u, out, err);
    json_object_put(states);
    return rc;
}
