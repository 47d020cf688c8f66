/*
 * Helpers shared by the statelang tests that run one state through the
 * public API (test_sl_dataflow.c, test_sl_retry.c): JSON written with `
 * for ", JSON comparison where 1 and 1.0 are the same number, and a
 * fixture holding a compiled machine and an evaluation context. Include
 * after <cmocka.h> and "statelang/statelang.h".
 */
#ifndef BATON_TESTS_STATELANG_SL_FIXTURE_H
#define BATON_TESTS_STATELANG_SL_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline char *dequote(const char *s)
{
    char *t = bt_xstrdup(s);
    for (char *p = t; *p; p++)
        if (*p == '`')
            *p = '"';
    return t;
}

static inline json_object *J(const char *text)
{
    char *t = dequote(text);
    json_object *v = NULL;
    bt_json_error e;
    if (bt_json_parse(t, strlen(t), BT_LIMIT_JSON_DEPTH, &v, &e) != 0)
        fail_msg("bad test JSON %s: %s", t, e.message);
    free(t);
    return v;
}

/* JSON equality where 1 and 1.0 are the same number. */
static inline bool json_same(json_object *a, json_object *b)
{
    json_type ta = json_object_get_type(a), tb = json_object_get_type(b);
    bool na = ta == json_type_int || ta == json_type_double;
    bool nb = tb == json_type_int || tb == json_type_double;
    if (na && nb)
        return json_object_get_double(a) == json_object_get_double(b);
    if (ta != tb)
        return false;
    switch (ta) {
    case json_type_boolean:
        return json_object_get_boolean(a) == json_object_get_boolean(b);
    case json_type_string:
        return !strcmp(json_object_get_string(a), json_object_get_string(b));
    case json_type_array: {
        size_t n = json_object_array_length(a);
        if (n != json_object_array_length(b))
            return false;
        for (size_t i = 0; i < n; i++)
            if (!json_same(json_object_array_get_idx(a, i),
                           json_object_array_get_idx(b, i)))
                return false;
        return true;
    }
    case json_type_object: {
        if (json_object_object_length(a) != json_object_object_length(b))
            return false;
        json_object_object_foreach(a, k, v)
        {
            json_object *w = NULL;
            if (!json_object_object_get_ex(b, k, &w) || !json_same(v, w))
                return false;
        }
        return true;
    }
    default:
        return true; /* null */
    }
}

static inline void expect_json(json_object *got, const char *want)
{
    json_object *w = J(want);
    if (!json_same(got, w))
        fail_msg("got %s, want %s", bt_json_compact(got), bt_json_compact(w));
    json_object_put(w);
}

/* want NULL: the state assigned nothing. */
static inline void expect_assigned(json_object *got, const char *want)
{
    if (!want) {
        if (got)
            fail_msg("assigned %s, want nothing", bt_json_compact(got));
        return;
    }
    if (!got)
        fail_msg("assigned nothing, want %s", want);
    expect_json(got, want);
}

static inline bool var_lookup(void *ud, const char *name, json_object **value)
{
    return json_object_object_get_ex(ud, name, value);
}

static inline uint64_t rng_next(void *ud)
{
    return *(const uint64_t *)ud;
}

/* One compiled machine, the state under test and its evaluation context. */
typedef struct fx {
    sl_machine *m;
    json_object *context;
    json_object *vars;
    uint64_t bits; /* what the rng stub returns */
    sl_rand rng;
    sl_ctx c;
    sl_error err;
} fx;

/* Compiles def (which must be valid) and returns its state `name`, with
 * an evaluation context: the context object `context` with State.Name set
 * to name, the variables `vars` (both written with `), a fixed clock and
 * an rng stub returning f->bits. */
static inline const sl_state *fx_compile(fx *f, const char *def,
                                         const char *name, const char *context,
                                         const char *vars, int64_t event_id,
                                         int64_t now_ms)
{
    memset(f, 0, sizeof *f);
    char *text = dequote(def);
    sl_diags d;
    sl_diags_init(&d);
    sl_compile_opts o = {SL_MACHINE_STANDARD};
    if (sl_machine_compile(text, strlen(text), &o, &f->m, &d) != 0) {
        for (size_t i = 0; i < d.len; i++)
            fprintf(stderr, "%s %s at %s\n", d.items[i].code,
                    d.items[i].message,
                    d.items[i].location ? d.items[i].location : "-");
        fail_msg("definition does not compile: %s", text);
    }
    sl_diags_fini(&d);
    free(text);
    const sl_state *st = sl_scope_find(sl_machine_top(f->m), name);
    if (!st)
        fail_msg("no state %s", name);
    f->context = J(context);
    json_object *s = NULL;
    json_object_object_get_ex(f->context, "State", &s);
    json_object_object_add(s, "Name", json_object_new_string(name));
    f->vars = J(vars);
    f->rng.next = rng_next;
    f->rng.ud = &f->bits;
    f->c.state_name = name;
    f->c.entered_event_id = event_id;
    f->c.context = f->context;
    f->c.var = var_lookup;
    f->c.var_ud = f->vars;
    f->c.rng = &f->rng;
    f->c.now_ms = now_ms;
    sl_error_init(&f->err);
    return st;
}

static inline void fx_fini(fx *f)
{
    sl_machine_free(f->m);
    json_object_put(f->context);
    json_object_put(f->vars);
    sl_error_fini(&f->err);
}

#endif
