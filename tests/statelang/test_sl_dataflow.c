/*
 * Tests for a state's run-time data flow through the public statelang API:
 * effective input, result processing, output, Choice selection, Wait
 * instants, Fail errors and Map items (reference §3, §5, §8.2, §9, §10).
 *
 * Every expected value comes from the reference: the §3.5 worked edge cases
 * (one test each), the §3.1 order of operations, the §3.3 template rules and
 * the recorded AWS causes of §8.2 and §9. Definitions and expected JSON are
 * written with ` for " so they read cleanly; dequote() swaps them back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "statelang/statelang.h"
#include "tests/statelang/sl_fixture.h"

/* ---- Helpers -------------------------------------------------------------
 */

#define EVENT_ID 7
#define NOW_MS INT64_C(1700000000000) /* 2023-11-14T22:13:20Z */

static const char CONTEXT[] =
    "{`Execution`:{`Id`:`arn:aws:states:us-east-1:123456789012:execution:sm:"
    "run-1`,`Input`:{`order`:42},`StartTime`:`2024-01-01T00:00:00.000Z`,"
    "`Name`:`run-1`,`RoleArn`:`arn:aws:iam::123456789012:role/r`,"
    "`RedriveCount`:0},`StateMachine`:{`Id`:`arn:aws:states:us-east-1:"
    "123456789012:stateMachine:sm`,`Name`:`sm`},`State`:{`Name`:`?`,"
    "`EnteredTime`:`2024-01-01T00:00:01.000Z`,`RetryCount`:0}}";
static const char VARS[] = "{`x`:1,`who`:`bob`}";
static const char LAMBDA[] =
    "`Resource`:`arn:aws:lambda:us-east-1:123456789012:function:f`";

/* Compiles def (which must be valid) and returns its state name. */
static const sl_state *fx_machine(fx *f, const char *def, const char *name)
{
    return fx_compile(f, def, name, CONTEXT, VARS, EVENT_ID, NOW_MS);
}

/* A one-state machine whose state "S" is state_json. */
static const sl_state *fx_state(fx *f, const char *state_json)
{
    bt_buf b;
    bt_buf_init(&b);
    bt_buf_printf(&b, "{`StartAt`:`S`,`States`:{`S`:%s}}", state_json);
    const sl_state *st = fx_machine(f, b.data, "S");
    bt_buf_fini(&b);
    return st;
}

/* A Task state "S" with LAMBDA and the fields given (without braces). */
static const sl_state *fx_task(fx *f, const char *fields)
{
    bt_buf b;
    bt_buf_init(&b);
    bt_buf_printf(&b, "{`Type`:`Task`,%s,%s,`End`:true}", LAMBDA, fields);
    const sl_state *st = fx_state(f, b.data);
    bt_buf_fini(&b);
    return st;
}

/* Adds $$.Map.Item as AWS sets it while evaluating an ItemSelector. */
static void fx_map_item(fx *f, int index, json_object *value)
{
    json_object *item = json_object_new_object();
    json_object_object_add(item, "Index", json_object_new_int(index));
    json_object_object_add(item, "Value", json_object_get(value));
    json_object *map = json_object_new_object();
    json_object_object_add(map, "Item", item);
    json_object_object_add(f->context, "Map", map);
}

/* The error must be name with cause = AWS's runtime prefix + tail (exactly
 * when exact, else containing tail). */
static void check_error(const fx *f, const char *name, const char *tail,
                        bool exact)
{
    char *t = dequote(tail);
    bt_buf want;
    bt_buf_init(&want);
    bt_buf_printf(&want,
                  "An error occurred while executing the state '%s' "
                  "(entered at the event id #%d). ",
                  f->c.state_name, EVENT_ID);
    size_t plen = want.len;
    bt_buf_puts(&want, t);
    const char *cause = f->err.cause ? f->err.cause : "(null)";
    if (!f->err.name || strcmp(f->err.name, name))
        fail_msg("error %s, want %s (cause %s)",
                 f->err.name ? f->err.name : "(null)", name, cause);
    if (strncmp(cause, want.data, plen))
        fail_msg("cause '%s' lacks the prefix '%.*s'", cause, (int)plen,
                 want.data);
    if (exact ? strcmp(cause, want.data) != 0 : !strstr(cause + plen, t))
        fail_msg("cause\n  '%s'\nwant %s\n  '%s'", cause,
                 exact ? "" : "it to contain", exact ? want.data : t);
    bt_buf_fini(&want);
    free(t);
}

static void expect_error(const fx *f, const char *name, const char *tail)
{
    check_error(f, name, tail, true);
}

static void expect_error_has(const fx *f, const char *name, const char *part)
{
    check_error(f, name, part, false);
}

/* Effective input of st for raw; must succeed and equal want. */
static void expect_input(fx *f, const sl_state *st, const char *raw,
                         const char *want)
{
    json_object *r = J(raw), *e = NULL;
    if (sl_state_input(st, r, &f->c, &e, &f->err) != 0)
        fail_msg("input of %s failed: %s", raw, f->err.cause);
    expect_json(e, want);
    json_object_put(e);
    json_object_put(r);
}

/* Effective input of st for raw must fail. */
static void input_fails(fx *f, const sl_state *st, const char *raw)
{
    json_object *r = J(raw), *e = NULL;
    if (sl_state_input(st, r, &f->c, &e, &f->err) == 0)
        fail_msg("input of %s gave %s, want an error", raw, bt_json_compact(e));
    json_object_put(r);
}

/* The whole flow: effective input from raw, then the output with result
 * (NULL: a Pass computes its own, Choice/Wait have none). */
static int flow(fx *f, const sl_state *st, json_object *raw, const char *result,
                json_object **out, json_object **assigned)
{
    json_object *e = NULL;
    *out = *assigned = NULL;
    if (sl_state_input(st, raw, &f->c, &e, &f->err) != 0)
        fail_msg("input of %s failed: %s", bt_json_compact(raw), f->err.cause);
    json_object *t = NULL;
    if (result)
        t = J(result);
    else if (sl_state_kind(st) == SL_PASS)
        t = sl_pass_result(st, e);
    int rc = sl_state_output(st, raw, e, t, &f->c, out, assigned, &f->err);
    json_object_put(t);
    json_object_put(e);
    return rc;
}

static void expect_output(fx *f, const sl_state *st, const char *raw,
                          const char *result, const char *want_out,
                          const char *want_assigned)
{
    json_object *r = J(raw), *out, *assigned;
    if (flow(f, st, r, result, &out, &assigned) != 0)
        fail_msg("output failed: %s %s", f->err.name, f->err.cause);
    expect_json(out, want_out);
    expect_assigned(assigned, want_assigned);
    json_object_put(out);
    json_object_put(assigned);
    json_object_put(r);
}

static void output_fails(fx *f, const sl_state *st, const char *raw,
                         const char *result)
{
    json_object *r = J(raw), *out, *assigned;
    if (flow(f, st, r, result, &out, &assigned) == 0)
        fail_msg("output of %s gave %s, want an error", raw,
                 bt_json_compact(out));
    assert_null(out);
    assert_null(assigned);
    json_object_put(r);
}

/* ---- §3.5 worked edge cases, one test each -------------------------------
 */

static void test_edge_input_path_null_parameters(void **state)
{
    (void)state;
    fx f;
    const sl_state *st = fx_state(&f, "{`Type`:`Pass`,`InputPath`:null,"
                                      "`Parameters`:{`a`:`x`,`in.$`:`$`},"
                                      "`End`:true}");
    expect_input(&f, st, "{`q`:1}", "{`a`:`x`,`in`:{}}");
    fx_fini(&f);
}

static void test_edge_output_path_null(void **state)
{
    (void)state;
    fx f;
    const sl_state *st = fx_task(&f, "`OutputPath`:null");
    expect_output(&f, st, "{`a`:1}", "{`r`:2}", "{}", NULL);
    fx_fini(&f);
}

static void test_edge_result_path_null(void **state)
{
    (void)state;
    fx f;
    const sl_state *st = fx_task(&f, "`ResultPath`:null");
    expect_output(&f, st, "{`a`:1}", "{`r`:2}", "{`a`:1}", NULL);
    fx_fini(&f);
}

static void test_edge_result_path_nested(void **state)
{
    (void)state;
    fx f;
    const sl_state *st = fx_task(&f, "`ResultPath`:`$.master.result.sum`");
    json_object *raw = J("{`master`:{`detail`:[1,2,3]}}"), *out, *assigned;
    assert_int_equal(flow(&f, st, raw, "6", &out, &assigned), 0);
    expect_json(out, "{`master`:{`detail`:[1,2,3],`result`:{`sum`:6}}}");
    /* O1 is a copy of R: the raw input itself is left alone. */
    expect_json(raw, "{`master`:{`detail`:[1,2,3]}}");
    json_object_put(out);
    json_object_put(raw);
    fx_fini(&f);
}

static void test_result_path_more(void **state)
{
    (void)state;
    fx f;
    /* §3.1 step 7: an existing value is replaced, siblings kept. */
    const sl_state *st = fx_task(&f, "`ResultPath`:`$.a.b`");
    expect_output(&f, st, "{`a`:{`b`:1,`c`:2}}", "9", "{`a`:{`b`:9,`c`:2}}",
                  NULL);
    /* An intermediate node that is not an object: runtime failure. */
    output_fails(&f, st, "{`a`:1}", "9");
    expect_error_has(&f, "States.Runtime", "");
    fx_fini(&f);
}

static void test_edge_result_path_into_string(void **state)
{
    (void)state;
    fx f;
    const sl_state *st = fx_task(&f, "`ResultPath`:`$.x`");
    output_fails(&f, st, "`foo`", "1");
    /* §3.1 step 7: AWS reports ResultPathMatchFailure as States.Runtime. */
    expect_error_has(&f, "States.Runtime", "");
    fx_fini(&f);
}

static void test_edge_slice(void **state)
{
    (void)state;
    fx f;
    const sl_state *st = fx_state(
        &f, "{`Type`:`Pass`,`Parameters`:{`v.$`:`$.vals[-3:]`},`End`:true}");
    expect_input(&f, st, "{`vals`:[0,10,20,30,40,50]}", "{`v`:[30,40,50]}");
    fx_fini(&f);
}

static void test_edge_path_to_null(void **state)
{
    (void)state;
    fx f;
    const sl_state *st =
        fx_state(&f, "{`Type`:`Pass`,`Parameters`:{`n.$`:`$.n`},`End`:true}");
    expect_input(&f, st, "{`n`:null,`o`:1}", "{`n`:null}");
    fx_fini(&f);
}

static void test_edge_path_to_missing(void **state)
{
    (void)state;
    fx f;
    const sl_state *st = fx_state(
        &f, "{`Type`:`Pass`,`Parameters`:{`m.$`:`$.missing`},`End`:true}");
    input_fails(&f, st, "{`a`:1}");
    expect_error(&f, "States.Runtime",
                 "The JSONPath '$.missing' specified for the field 'm.$' "
                 "could not be found in the input '{`a`:1}'");
    fx_fini(&f);
}

static void test_edge_pass_result_literal(void **state)
{
    (void)state;
    fx f;
    const sl_state *st =
        fx_state(&f, "{`Type`:`Pass`,`Result`:{`k.$`:`$.x`,`n`:[{`j.$`:`$`}]},"
                     "`End`:true}");
    expect_output(&f, st, "{`x`:5}", NULL, "{`k.$`:`$.x`,`n`:[{`j.$`:`$`}]}",
                  NULL);
    fx_fini(&f);
}

/* Catch rows: a Task whose catcher 0 has ResultPath, catcher 1 has none. */
static const char CATCH_DEF[] =
    "{`StartAt`:`S`,`States`:{`S`:{`Type`:`Task`,`Resource`:`arn:aws:lambda:"
    "us-east-1:123456789012:function:f`,`OutputPath`:`$.Payload`,`Catch`:["
    "{`ErrorEquals`:[`A`],`ResultPath`:`$.error-info`,`Next`:`H`},"
    "{`ErrorEquals`:[`States.ALL`],`Next`:`H`}],`End`:true},"
    "`H`:{`Type`:`Pass`,`End`:true}}}";

static void catch_case(size_t catcher, const char *err, const char *want)
{
    fx f;
    const sl_state *st = fx_machine(&f, CATCH_DEF, "S");
    sl_error e;
    sl_error_init(&e);
    sl_error_set(&e, err, "it broke");
    json_object *raw = J("{`a`:1}"), *out = NULL, *assigned = NULL;
    const sl_state *next = NULL;
    assert_int_equal(sl_catch_output(st, catcher, raw, &e, &f.c, &next, &out,
                                     &assigned, &f.err),
                     0);
    assert_ptr_equal(next, sl_scope_find(sl_machine_top(f.m), "H"));
    expect_json(out, want);
    expect_assigned(assigned, NULL);
    json_object_put(out);
    json_object_put(raw);
    sl_error_fini(&e);
    fx_fini(&f);
}

static void test_edge_catch_result_path(void **state)
{
    (void)state;
    catch_case(0, "A", "{`a`:1,`error-info`:{`Error`:`A`,`Cause`:`it broke`}}");
}

static void test_edge_catch_no_result_path(void **state)
{
    (void)state;
    /* Only {Error, Cause}: the state's OutputPath is not applied. */
    catch_case(1, "B", "{`Error`:`B`,`Cause`:`it broke`}");
}

static const char MAP_PROC[] =
    "`ItemProcessor`:{`StartAt`:`P`,`States`:{`P`:{`Type`:`Pass`,"
    "`End`:true}}},`End`:true";

/* A Map state "S" with MAP_PROC and the fields given. */
static const sl_state *fx_map(fx *f, const char *fields)
{
    bt_buf b;
    bt_buf_init(&b);
    bt_buf_printf(&b, "{`Type`:`Map`,%s%s%s}", fields, *fields ? "," : "",
                  MAP_PROC);
    const sl_state *st = fx_state(f, b.data);
    bt_buf_fini(&b);
    return st;
}

static void items_fail(fx *f, const sl_state *st, const char *raw)
{
    json_object *r = J(raw), *items = NULL;
    if (sl_map_items(st, r, &f->c, &items, &f->err) == 0)
        fail_msg("items of %s gave %s, want an error", raw,
                 bt_json_compact(items));
    json_object_put(r);
}

static void test_edge_items_path_not_array(void **state)
{
    (void)state;
    fx f;
    const sl_state *st = fx_map(&f, "`ItemsPath`:`$.items`");
    items_fail(&f, st, "{`items`:{`a`:1}}");
    expect_error(&f, "States.Runtime",
                 "Reference path `$.items` must point to array.");
    fx_fini(&f);
}

/* ---- §3.1 order of operations ----------------------------------------- */

static void test_order_task_full_chain(void **state)
{
    (void)state;
    fx f;
    const sl_state *st = fx_task(
        &f, "`InputPath`:`$.req`,`Parameters`:{`p.$`:`$.v`},"
            "`ResultSelector`:{`sel.$`:`$.body`},`ResultPath`:`$.res`,"
            "`OutputPath`:`$.res`,`Assign`:{`rawres.$`:`$`,`b.$`:`$.body`}");
    expect_input(&f, st, "{`req`:{`v`:1},`keep`:true}", "{`p`:1}");
    /* Assign sees T, the raw result, before ResultSelector (step 5). */
    expect_output(&f, st, "{`req`:{`v`:1},`keep`:true}",
                  "{`body`:`B`,`extra`:0}", "{`sel`:`B`}",
                  "{`rawres`:{`body`:`B`,`extra`:0},`b`:`B`}");
    fx_fini(&f);
}

static void test_order_pass_assign_sees_result(void **state)
{
    (void)state;
    fx f;
    const sl_state *st =
        fx_state(&f, "{`Type`:`Pass`,`Result`:{`r`:1},`ResultPath`:`$.out`,"
                     "`Assign`:{`a.$`:`$.r`},`End`:true}");
    expect_output(&f, st, "{`in`:0}", NULL, "{`in`:0,`out`:{`r`:1}}",
                  "{`a`:1}");
    fx_fini(&f);
}

static void test_pass_result_sources(void **state)
{
    (void)state;
    fx f;
    /* §2.2: Result wins over Parameters [IMPL]. */
    const sl_state *st =
        fx_state(&f, "{`Type`:`Pass`,`Parameters`:{`p`:1},`Result`:{`r`:2},"
                     "`End`:true}");
    expect_output(&f, st, "{`in`:0}", NULL, "{`r`:2}", NULL);
    fx_fini(&f);
    /* Without Result the result is the effective input. */
    st = fx_state(&f, "{`Type`:`Pass`,`InputPath`:`$.a`,`Parameters`:{"
                      "`v.$`:`$`},`ResultPath`:`$.got`,`End`:true}");
    expect_output(&f, st, "{`a`:5}", NULL, "{`a`:5,`got`:{`v`:5}}", NULL);
    fx_fini(&f);
}

static void test_parallel_assign_and_selector(void **state)
{
    (void)state;
    fx f;
    const sl_state *st = fx_state(
        &f, "{`Type`:`Parallel`,`Branches`:[{`StartAt`:`B1`,`States`:{`B1`:"
            "{`Type`:`Pass`,`End`:true}}},{`StartAt`:`B2`,`States`:{`B2`:"
            "{`Type`:`Pass`,`End`:true}}}],`ResultSelector`:{`first.$`:"
            "`$[0]`},`Assign`:{`n.$`:`States.ArrayLength($)`},`End`:true}");
    /* T is the branch array; Assign sees it before ResultSelector. */
    expect_output(&f, st, "{}", "[`a`,`b`]", "{`first`:`a`}", "{`n`:2}");
    fx_fini(&f);
}

static void test_input_path_context_and_variable(void **state)
{
    (void)state;
    fx f;
    const sl_state *st = fx_task(&f, "`InputPath`:`$$.Execution.Input`");
    expect_input(&f, st, "{`a`:1}", "{`order`:42}");
    fx_fini(&f);
    st = fx_task(&f, "`InputPath`:`$who`");
    expect_input(&f, st, "{`a`:1}", "`bob`");
    fx_fini(&f);
}

static void test_order_assign_reads_entry_values(void **state)
{
    (void)state;
    fx f;
    /* x is 1 at entry; the new x is visible only in the next state. */
    const sl_state *st =
        fx_state(&f, "{`Type`:`Pass`,`Assign`:{`x`:5,`old.$`:`$x`,"
                     "`w.$`:`States.Format('{}-{}', $who, $x)`},`End`:true}");
    expect_output(&f, st, "{}", NULL, "{}", "{`x`:5,`old`:1,`w`:`bob-1`}");
    fx_fini(&f);
}

static void test_order_wait_assign_sees_effective_input(void **state)
{
    (void)state;
    fx f;
    const sl_state *st =
        fx_state(&f, "{`Type`:`Wait`,`Seconds`:0,`InputPath`:`$.in`,`Assign`:{"
                     "`seen.$`:`$`},`OutputPath`:`$.keep`,`End`:true}");
    expect_output(&f, st, "{`in`:{`keep`:1,`drop`:2},`other`:3}", NULL, "1",
                  "{`seen`:{`keep`:1,`drop`:2}}");
    fx_fini(&f);
}

static void test_order_result_selector_context(void **state)
{
    (void)state;
    fx f;
    const sl_state *st =
        fx_task(&f, "`ResultSelector`:{`ctx.$`:`$$.Execution.Input`,"
                    "`p.$`:`$.Payload`}");
    expect_output(&f, st, "{}", "{`Payload`:5,`Other`:6}",
                  "{`ctx`:{`order`:42},`p`:5}", NULL);
    fx_fini(&f);
}

static void test_order_result_selector_missing(void **state)
{
    (void)state;
    fx f;
    const sl_state *st = fx_task(&f, "`ResultSelector`:{`x.$`:`$.nope`}");
    output_fails(&f, st, "{`in`:1}", "{`Payload`:5}");
    /* The template's input is T, the raw result (§3.3). */
    expect_error(&f, "States.Runtime",
                 "The JSONPath '$.nope' specified for the field 'x.$' could "
                 "not be found in the input '{`Payload`:5}'");
    fx_fini(&f);
}

static void test_parameters_nested_arrays(void **state)
{
    (void)state;
    fx f;
    const sl_state *st = fx_task(
        &f, "`Parameters`:{`list`:[{`a.$`:`$.x`},`lit`,[`$.x`,{`b.$`:`$.y`}]],"
            "`nested`:{`deep`:{`c.$`:`$.x`}},`plain`:`$.x`,`w.$`:`$who`,"
            "`f.$`:`States.Format('hi {}', $.y)`}");
    expect_input(&f, st, "{`x`:1,`y`:`two`}",
                 "{`list`:[{`a`:1},`lit`,[`$.x`,{`b`:`two`}]],"
                 "`nested`:{`deep`:{`c`:1}},`plain`:`$.x`,`w`:`bob`,"
                 "`f`:`hi two`}");
    fx_fini(&f);
}

static void test_parameters_context(void **state)
{
    (void)state;
    fx f;
    const sl_state *st = fx_task(
        &f, "`Parameters`:{`name.$`:`$$.Execution.Name`,`state.$`:"
            "`$$.State.Name`,`rc.$`:`$$.State.RetryCount`,`sm.$`:"
            "`$$.StateMachine.Name`,`in.$`:`$$.Execution.Input.order`}");
    expect_input(&f, st, "{}",
                 "{`name`:`run-1`,`state`:`S`,`rc`:0,`sm`:`sm`,`in`:42}");
    fx_fini(&f);

    st = fx_task(&f, "`Parameters`:{`all.$`:`$$`}");
    json_object *r = J("{}"), *e = NULL;
    assert_int_equal(sl_state_input(st, r, &f.c, &e, &f.err), 0);
    json_object *all = NULL;
    assert_true(json_object_object_get_ex(e, "all", &all));
    assert_true(json_same(all, f.context));
    json_object_put(e);
    json_object_put(r);
    fx_fini(&f);
}

static void test_parameters_context_missing(void **state)
{
    (void)state;
    fx f;
    const sl_state *st = fx_task(&f, "`Parameters`:{`n.$`:`$$.Nope`}");
    input_fails(&f, st, "{`a`:1}");
    expect_error_has(&f, "States.Runtime",
                     "The JSONPath '$$.Nope' specified for the field 'n.$' "
                     "could not be found in the input '");
    fx_fini(&f);
}

static void test_input_path_missing(void **state)
{
    (void)state;
    fx f;
    const sl_state *st = fx_task(&f, "`InputPath`:`$.nope`");
    input_fails(&f, st, "{`a`:1}");
    expect_error(&f, "States.Runtime",
                 "Invalid path '$.nope' : No results for path: $['nope']");
    fx_fini(&f);

    st = fx_task(&f, "`InputPath`:`$.a.no`");
    input_fails(&f, st, "{`a`:{}}");
    expect_error_has(&f, "States.Runtime", "Invalid path '$.a.no' : ");
    fx_fini(&f);

    /* An indefinite path that matches nothing is [] (§3.2), not an error. */
    st = fx_task(&f, "`InputPath`:`$.items[*]`");
    expect_input(&f, st, "{}", "[]");
    fx_fini(&f);
}

static void test_output_path_missing(void **state)
{
    (void)state;
    fx f;
    const sl_state *st = fx_task(&f, "`OutputPath`:`$.gone`");
    output_fails(&f, st, "{}", "{`r`:1}");
    expect_error(&f, "States.Runtime",
                 "Invalid path '$.gone' : No results for path: $['gone']");
    fx_fini(&f);
}

/* ---- Map (§8.2) ---------------------------------------------------------
 */

static void test_map_item_selector(void **state)
{
    (void)state;
    fx f;
    const sl_state *st =
        fx_map(&f, "`InputPath`:`$.in`,`ItemsPath`:`$.items`,`ItemSelector`:{"
                   "`shared.$`:`$.shared`,`item.$`:`$$.Map.Item.Value`,"
                   "`idx.$`:`$$.Map.Item.Index`,`all.$`:`$`}");
    json_object *raw = J("{`in`:{`shared`:`s`,`items`:[10,20]},`x`:0}");
    json_object *items = NULL, *in = NULL;
    assert_int_equal(sl_map_items(st, raw, &f.c, &items, &f.err), 0);
    expect_json(items, "[10,20]");
    fx_map_item(&f, 1, json_object_array_get_idx(items, 1));
    assert_int_equal(sl_map_item_input(st, raw,
                                       json_object_array_get_idx(items, 1),
                                       &f.c, &in, &f.err),
                     0);
    /* $ is the Map's effective input, not the item (§3.3). */
    expect_json(in, "{`shared`:`s`,`item`:20,`idx`:1,"
                    "`all`:{`shared`:`s`,`items`:[10,20]}}");
    json_object_put(in);
    json_object_put(items);
    json_object_put(raw);
    fx_fini(&f);
}

static void test_map_legacy_parameters_and_plain(void **state)
{
    (void)state;
    fx f;
    /* Map Parameters is the old ItemSelector: per item, not as input. */
    const sl_state *st = fx_map(&f, "`Parameters`:{`v.$`:`$$.Map.Item.Value`}");
    expect_input(&f, st, "[1,2]", "[1,2]");
    json_object *raw = J("[`a`,`b`]"), *items = NULL, *in = NULL;
    assert_int_equal(sl_map_items(st, raw, &f.c, &items, &f.err), 0);
    expect_json(items, "[`a`,`b`]");
    fx_map_item(&f, 0, json_object_array_get_idx(items, 0));
    assert_int_equal(sl_map_item_input(st, raw,
                                       json_object_array_get_idx(items, 0),
                                       &f.c, &in, &f.err),
                     0);
    expect_json(in, "{`v`:`a`}");
    json_object_put(in);
    json_object_put(items);
    json_object_put(raw);
    fx_fini(&f);

    /* Without ItemSelector the iteration input is the item itself. */
    st = fx_map(&f, "");
    raw = J("[{`k`:1}]");
    json_object *item = json_object_array_get_idx(raw, 0);
    assert_int_equal(sl_map_item_input(st, raw, item, &f.c, &in, &f.err), 0);
    expect_json(in, "{`k`:1}");
    json_object_put(in);
    json_object_put(raw);
    fx_fini(&f);
}

static void test_map_items_default_path(void **state)
{
    (void)state;
    fx f;
    const sl_state *st = fx_map(&f, "");
    json_object *raw = J("[1,{`a`:2}]"), *items = NULL;
    assert_int_equal(sl_map_items(st, raw, &f.c, &items, &f.err), 0);
    expect_json(items, "[1,{`a`:2}]");
    json_object_put(items);
    json_object_put(raw);
    items_fail(&f, st, "{`a`:1}");
    expect_error(&f, "States.Runtime",
                 "Reference path `$` must point to array.");
    fx_fini(&f);
}

static void test_map_items_path_missing(void **state)
{
    (void)state;
    fx f;
    /* §3.1: ItemsPath on a missing field words it like InputPath. */
    const sl_state *st = fx_map(&f, "`ItemsPath`:`$.missing`");
    items_fail(&f, st, "{`a`:1}");
    expect_error(&f, "States.Runtime",
                 "Invalid path '$.missing' : No results for path: "
                 "$['missing']");
    fx_fini(&f);
}

static int64_t concurrency_of(fx *f, const sl_state *st, const char *raw)
{
    json_object *r = J(raw);
    int64_t mc = -99;
    if (sl_map_concurrency(st, r, &f->c, &mc, &f->err) != 0)
        fail_msg("MaxConcurrency of %s failed: %s", raw, f->err.cause);
    json_object_put(r);
    return mc;
}

static void concurrency_fails(fx *f, const sl_state *st, const char *raw)
{
    json_object *r = J(raw);
    int64_t mc = -99;
    if (sl_map_concurrency(st, r, &f->c, &mc, &f->err) == 0)
        fail_msg("MaxConcurrency of %s gave %lld, want an error", raw,
                 (long long)mc);
    json_object_put(r);
}

static void test_map_concurrency(void **state)
{
    (void)state;
    fx f;
    const sl_state *st = fx_map(&f, "");
    assert_int_equal(concurrency_of(&f, st, "[]"), 0);
    fx_fini(&f);
    st = fx_map(&f, "`MaxConcurrency`:1");
    assert_int_equal(concurrency_of(&f, st, "[]"), 1);
    fx_fini(&f);

    st = fx_map(&f, "`ItemsPath`:`$.items`,`MaxConcurrencyPath`:`$.mc`");
    assert_int_equal(concurrency_of(&f, st, "{`items`:[],`mc`:3}"), 3);
    assert_int_equal(concurrency_of(&f, st, "{`items`:[],`mc`:`4`}"), 4);
    assert_int_equal(concurrency_of(&f, st, "{`items`:[],`mc`:0}"), 0);
    concurrency_fails(&f, st, "{`items`:[],`mc`:`NoNumber`}");
    expect_error(&f, "States.Runtime",
                 "The MaxConcurrencyPath field refers to value `NoNumber` "
                 "which is not a valid integer: $.mc");
    concurrency_fails(&f, st, "{`items`:[],`mc`:{}}");
    expect_error(&f, "States.Runtime",
                 "The MaxConcurrencyPath field refers to value `{}` which is "
                 "not a valid integer: $.mc");
    fx_fini(&f);
}

/* sl_map_tolerance of raw: 0 with count and pct, or -1 with f->err. */
static int tolerance_of(fx *f, const sl_state *st, const char *raw,
                        int64_t *count, double *pct)
{
    json_object *r = J(raw);
    *count = -99;
    *pct = -99;
    int rc = sl_map_tolerance(st, r, &f->c, count, pct, &f->err);
    json_object_put(r);
    return rc;
}

static void test_map_tolerance(void **state)
{
    (void)state;
    fx f;
    int64_t n;
    double p;
    const sl_state *st = fx_map(&f, "");
    assert_int_equal(tolerance_of(&f, st, "[]", &n, &p), 0);
    assert_int_equal(n, -1);
    assert_true(p == -1);
    fx_fini(&f);

    st = fx_map(&f, "`ToleratedFailureCount`:3,"
                    "`ToleratedFailurePercentage`:100");
    assert_int_equal(tolerance_of(&f, st, "[]", &n, &p), 0);
    assert_int_equal(n, 3);
    assert_true(p == 100);
    fx_fini(&f);

    st = fx_map(&f, "`ItemsPath`:`$.items`,`ToleratedFailureCountPath`:"
                    "`$.n`,`ToleratedFailurePercentagePath`:`$.p`");
    assert_int_equal(tolerance_of(&f, st, "{`n`:2,`p`:50}", &n, &p), 0);
    assert_int_equal(n, 2);
    assert_true(p == 50);
    assert_int_equal(tolerance_of(&f, st, "{`n`:`2`,`p`:`12.5`}", &n, &p), 0);
    assert_int_equal(n, 2);
    assert_true(p == 12.5);
    assert_int_equal(tolerance_of(&f, st, "{`n`:-1,`p`:0}", &n, &p), -1);
    expect_error(&f, "States.Runtime",
                 "ToleratedFailureCount cannot be negative.");
    assert_int_equal(tolerance_of(&f, st, "{`n`:0,`p`:150}", &n, &p), -1);
    expect_error(&f, "States.Runtime",
                 "ToleratedFailurePercentage must be between 0 and 100.");
    assert_int_equal(tolerance_of(&f, st, "{`n`:0,`p`:-0.5}", &n, &p), -1);
    expect_error(&f, "States.Runtime",
                 "ToleratedFailurePercentage must be between 0 and 100.");
    assert_int_equal(tolerance_of(&f, st, "{`n`:`NoNumber`,`p`:1}", &n, &p),
                     -1);
    expect_error(&f, "States.Runtime",
                 "The ToleratedFailureCountPath field refers to value "
                 "`NoNumber` which is not a valid integer: $.n");
    fx_fini(&f);
}

static void test_map_tolerance_pct_not_number(void **state)
{
    (void)state;
    fx f;
    int64_t n;
    double p;
    const sl_state *st =
        fx_map(&f, "`ItemsPath`:`$.items`,`ToleratedFailurePercentagePath`:"
                   "`$.p`");
    assert_int_equal(tolerance_of(&f, st, "{`p`:`NoNumber`}", &n, &p), -1);
    /* §8.2: <v> is the JSON text's value as AWS shows it: NoNumber. */
    expect_error(&f, "States.Runtime",
                 "The ToleratedFailurePercentagePath field refers to value "
                 "`NoNumber` which is not a valid float: $.p");
    fx_fini(&f);
}

/* ---- Wait (§9) ----------------------------------------------------------
 */

static int wait_of(fx *f, const sl_state *st, const char *raw, int64_t *until)
{
    json_object *r = J(raw);
    *until = -1;
    int rc = sl_wait_until(st, r, &f->c, until, &f->err);
    json_object_put(r);
    return rc;
}

static void test_wait_seconds(void **state)
{
    (void)state;
    fx f;
    int64_t u;
    const sl_state *st =
        fx_state(&f, "{`Type`:`Wait`,`Seconds`:10,`End`:true}");
    assert_int_equal(wait_of(&f, st, "{}", &u), 0);
    assert_int_equal(u, NOW_MS + 10000);
    fx_fini(&f);

    st = fx_state(&f, "{`Type`:`Wait`,`Seconds`:0,`End`:true}");
    assert_int_equal(wait_of(&f, st, "{}", &u), 0);
    assert_int_equal(u, NOW_MS);
    fx_fini(&f);
}

static void test_wait_seconds_path(void **state)
{
    (void)state;
    fx f;
    int64_t u;
    const sl_state *st =
        fx_state(&f, "{`Type`:`Wait`,`SecondsPath`:`$.s`,`End`:true}");
    assert_int_equal(wait_of(&f, st, "{`s`:5}", &u), 0);
    assert_int_equal(u, NOW_MS + 5000);
    assert_int_equal(wait_of(&f, st, "{`s`:-1.5}", &u), -1);
    expect_error(&f, "States.Runtime",
                 "The SecondsPath parameter cannot be parsed as a long value: "
                 "$.s == -1.5");
    assert_int_equal(wait_of(&f, st, "{`s`:1.5}", &u), -1);
    expect_error(&f, "States.Runtime",
                 "The SecondsPath parameter cannot be parsed as a long value: "
                 "$.s == 1.5");
    assert_int_equal(wait_of(&f, st, "{`s`:-1}", &u), -1);
    expect_error(&f, "States.Runtime",
                 "The SecondsPath parameter references a negative value: "
                 "$.s == -1");
    assert_int_equal(wait_of(&f, st, "{`t`:1}", &u), -1);
    expect_error(&f, "States.Runtime",
                 "The SecondsPath parameter does not reference an input "
                 "value: $.s");
    /* 24,855 days is accepted, 24,856 days is too long (§9). */
    assert_int_equal(wait_of(&f, st, "{`s`:2147472000}", &u), 0);
    assert_int_equal(u, NOW_MS + INT64_C(2147472000000));
    assert_int_equal(wait_of(&f, st, "{`s`:2147558400}", &u), -1);
    expect_error(&f, "States.Runtime", "Wait state delay is too long.");
    fx_fini(&f);
}

static void test_wait_timestamp(void **state)
{
    (void)state;
    fx f;
    int64_t u;
    const sl_state *st = fx_state(
        &f, "{`Type`:`Wait`,`Timestamp`:`2016-03-14T01:59:00Z`,`End`:true}");
    /* In the past: continue immediately (wake no later than now). */
    assert_int_equal(wait_of(&f, st, "{}", &u), 0);
    assert_true(u <= NOW_MS);
    fx_fini(&f);

    st = fx_state(
        &f, "{`Type`:`Wait`,`Timestamp`:`2030-01-01T00:00:00Z`,`End`:true}");
    assert_int_equal(wait_of(&f, st, "{}", &u), 0);
    assert_int_equal(u, INT64_C(1893456000000));
    fx_fini(&f);

    st = fx_state(
        &f, "{`Type`:`Wait`,`Timestamp`:`9999-01-01T00:00:00Z`,`End`:true}");
    assert_int_equal(wait_of(&f, st, "{}", &u), -1);
    expect_error(&f, "States.Runtime", "Wait state delay is too long.");
    fx_fini(&f);
}

static void test_wait_timestamp_path(void **state)
{
    (void)state;
    fx f;
    int64_t u;
    const sl_state *st =
        fx_state(&f, "{`Type`:`Wait`,`TimestampPath`:`$.t`,`End`:true}");
    assert_int_equal(wait_of(&f, st, "{`t`:`2024-01-01T00:00:00.5+01:00`}", &u),
                     0);
    assert_int_equal(u, INT64_C(1704063600500));
    assert_int_equal(wait_of(&f, st, "{`t`:`2016-12-05 21:29:29Z`}", &u), -1);
    expect_error(&f, "States.Runtime",
                 "The TimestampPath parameter does not reference a valid "
                 "ISO-8601 extended offset date-time format string: $.t == "
                 "2016-12-05 21:29:29Z");
    assert_int_equal(wait_of(&f, st, "{`t`:`2016-12-05T21:29:29`}", &u), -1);
    expect_error(&f, "States.Runtime",
                 "The TimestampPath parameter does not reference a valid "
                 "ISO-8601 extended offset date-time format string: $.t == "
                 "2016-12-05T21:29:29");
    fx_fini(&f);
}

static void test_wait_jsonata(void **state)
{
    (void)state;
    fx f;
    int64_t u;
    const sl_state *st =
        fx_state(&f, "{`Type`:`Wait`,`QueryLanguage`:`JSONata`,"
                     "`Seconds`:`{% $states.input.s * 2 %}`,`End`:true}");
    assert_int_equal(wait_of(&f, st, "{`s`:3}", &u), 0);
    assert_int_equal(u, NOW_MS + 6000);
    fx_fini(&f);

    st = fx_state(&f, "{`Type`:`Wait`,`QueryLanguage`:`JSONata`,"
                      "`Timestamp`:`{% $states.input.t %}`,`End`:true}");
    assert_int_equal(wait_of(&f, st, "{`t`:`nope`}", &u), -1);
    expect_error(&f, "States.QueryEvaluationError",
                 "The Timestamp field cannot be parsed as an ISO-8601 "
                 "extended offset date-time format string: nope");
    fx_fini(&f);
}

/* ---- Fail (§2.7) --------------------------------------------------------
 */

static void fail_case(const char *state_json, const char *raw,
                      const char *want_name, const char *want_cause)
{
    fx f;
    const sl_state *st = fx_state(&f, state_json);
    json_object *r = J(raw);
    sl_error out;
    sl_error_init(&out);
    if (sl_fail_error(st, r, &f.c, &out, &f.err) != 0)
        fail_msg("Fail failed: %s", f.err.cause);
    if (want_name)
        assert_string_equal(out.name, want_name);
    else
        assert_null(out.name);
    if (want_cause)
        assert_string_equal(out.cause, want_cause);
    else
        assert_null(out.cause);
    sl_error_fini(&out);
    json_object_put(r);
    fx_fini(&f);
}

static void test_fail(void **state)
{
    (void)state;
    fail_case("{`Type`:`Fail`,`Error`:`MyError`,`Cause`:`boom`}", "{}",
              "MyError", "boom");
    fail_case("{`Type`:`Fail`,`ErrorPath`:`$.e`,`CausePath`:"
              "`States.Format('code {} failed', $.n)`}",
              "{`e`:`E1`,`n`:3}", "E1", "code 3 failed");
    fail_case("{`Type`:`Fail`,`ErrorPath`:`$$.Execution.Name`}", "{}", "run-1",
              NULL);
    fail_case("{`Type`:`Fail`}", "{`e`:1}", NULL, NULL);
    fail_case("{`Type`:`Fail`,`QueryLanguage`:`JSONata`,`Error`:"
              "`{% $states.input.e %}`,`Cause`:`plain`}",
              "{`e`:`E2`}", "E2", "plain");
}

static void test_fail_path_missing(void **state)
{
    (void)state;
    fx f;
    const sl_state *st = fx_state(&f, "{`Type`:`Fail`,`ErrorPath`:`$.e`}");
    json_object *r = J("{`a`:1}");
    sl_error out;
    sl_error_init(&out);
    assert_int_equal(sl_fail_error(st, r, &f.c, &out, &f.err), -1);
    expect_error_has(&f, "States.Runtime", "$.e");
    sl_error_fini(&out);
    json_object_put(r);
    fx_fini(&f);
}

/* ---- Choice (§5) --------------------------------------------------------
 */

static const char CHOICE_DEF[] =
    "{`StartAt`:`C`,`States`:{`C`:{`Type`:`Choice`,`InputPath`:`$.in`,"
    "`Choices`:[{`Variable`:`$.n`,`NumericGreaterThan`:10,`Next`:`Big`,"
    "`Assign`:{`rule.$`:`$.n`}},{`Variable`:`$.n`,`NumericGreaterThan`:5,"
    "`Next`:`Mid`}],`Default`:`Small`,`Assign`:{`dflt.$`:`$`}},"
    "`Big`:{`Type`:`Succeed`},`Mid`:{`Type`:`Succeed`},"
    "`Small`:{`Type`:`Succeed`}}}";

/* Runs Choice C of f over raw; must pick want_next. */
static void choice_case(fx *f, const sl_state *st, const char *raw,
                        const char *want_next, const char *want_out,
                        const char *want_assigned)
{
    json_object *r = J(raw), *out = NULL, *assigned = NULL;
    const sl_state *next = NULL;
    if (sl_choice_select(st, r, &f->c, &next, &out, &assigned, &f->err) != 0)
        fail_msg("Choice on %s failed: %s %s", raw, f->err.name, f->err.cause);
    assert_ptr_equal(next, sl_scope_find(sl_machine_top(f->m), want_next));
    expect_json(out, want_out);
    expect_assigned(assigned, want_assigned);
    json_object_put(out);
    json_object_put(assigned);
    json_object_put(r);
}

static void choice_fails(fx *f, const sl_state *st, const char *raw)
{
    json_object *r = J(raw), *out = NULL, *assigned = NULL;
    const sl_state *next = NULL;
    if (sl_choice_select(st, r, &f->c, &next, &out, &assigned, &f->err) == 0)
        fail_msg("Choice on %s chose %s, want an error", raw,
                 sl_state_name(next));
    assert_null(out);
    assert_null(assigned);
    json_object_put(r);
}

static void test_choice_jsonpath(void **state)
{
    (void)state;
    fx f;
    const sl_state *st = fx_machine(&f, CHOICE_DEF, "C");
    /* 20 matches both rules: the first wins, with its own Assign only. */
    choice_case(&f, st, "{`in`:{`n`:20},`o`:0}", "Big", "{`n`:20}",
                "{`rule`:20}");
    /* A rule without Assign: the state-level Assign does not run. */
    choice_case(&f, st, "{`in`:{`n`:7}}", "Mid", "{`n`:7}", NULL);
    /* Default: the state-level Assign, $ = the effective input. */
    choice_case(&f, st, "{`in`:{`n`:1}}", "Small", "{`n`:1}",
                "{`dflt`:{`n`:1}}");
    fx_fini(&f);
}

static void test_choice_output_path(void **state)
{
    (void)state;
    fx f;
    const sl_state *st = fx_machine(
        &f,
        "{`StartAt`:`C`,`States`:{`C`:{`Type`:`Choice`,`InputPath`:`$.in`,"
        "`OutputPath`:`$.keep`,`Choices`:[{`Variable`:`$.ok`,"
        "`BooleanEquals`:true,`Next`:`Y`}],`Default`:`N`},"
        "`Y`:{`Type`:`Succeed`},`N`:{`Type`:`Succeed`}}}",
        "C");
    choice_case(&f, st, "{`in`:{`ok`:true,`keep`:[1]}}", "Y", "[1]", NULL);
    fx_fini(&f);
}

static void test_choice_no_match(void **state)
{
    (void)state;
    fx f;
    const sl_state *st =
        fx_machine(&f,
                   "{`StartAt`:`C`,`States`:{`C`:{`Type`:`Choice`,`Choices`:[{"
                   "`Variable`:`$.n`,`NumericEquals`:1,`Next`:`Y`}]},"
                   "`Y`:{`Type`:`Succeed`}}}",
                   "C");
    choice_fails(&f, st, "{`n`:2}");
    /* §5.6 [IMPL]: States.Runtime with the runtime prefix. */
    expect_error_has(&f, "States.Runtime", "");
    fx_fini(&f);
}

static void test_choice_variable_missing(void **state)
{
    (void)state;
    fx f;
    const sl_state *st = fx_machine(
        &f,
        "{`StartAt`:`C`,`States`:{`C`:{`Type`:`Choice`,`Choices`:[{"
        "`Variable`:`$.gone`,`IsPresent`:true,`Next`:`Y`},{"
        "`Variable`:`$.n`,`NumericEquals`:1,`Next`:`Y`}],`Default`:`N`},"
        "`Y`:{`Type`:`Succeed`},`N`:{`Type`:`Succeed`}}}",
        "C");
    /* IsPresent on a missing path is false, not an error (§5.1). */
    choice_case(&f, st, "{`n`:2}", "N", "{`n`:2}", NULL);
    /* Any other operator on a missing path: States.Runtime, Invalid path
     * message naming the path (§5.1, §3.1). */
    choice_fails(&f, st, "{`m`:1}");
    expect_error_has(&f, "States.Runtime", "Invalid path '$.n'");
    fx_fini(&f);
}

static const char CHOICE_JSONATA_DEF[] =
    "{`StartAt`:`C`,`QueryLanguage`:`JSONata`,`States`:{`C`:{`Type`:"
    "`Choice`,`Choices`:[{`Condition`:`{% $states.input.x > 1 %}`,"
    "`Next`:`Big`,`Output`:{`big`:`{% $states.input.x %}`},"
    "`Assign`:{`r`:`{% $states.input.x %}`}},{`Condition`:"
    "`{% $states.input.y %}`,`Next`:`Mid`}],`Default`:`Small`,"
    "`Output`:`{% 'default' %}`,`Assign`:{`d`:true}},"
    "`Big`:{`Type`:`Succeed`},`Mid`:{`Type`:`Succeed`},"
    "`Small`:{`Type`:`Succeed`}}}";

static void test_choice_jsonata(void **state)
{
    (void)state;
    fx f;
    const sl_state *st = fx_machine(&f, CHOICE_JSONATA_DEF, "C");
    choice_case(&f, st, "{`x`:2,`y`:true}", "Big", "{`big`:2}", "{`r`:2}");
    /* Chosen rule without Output: the input passes through (§5.3). */
    choice_case(&f, st, "{`x`:0,`y`:true}", "Mid", "{`x`:0,`y`:true}", NULL);
    choice_case(&f, st, "{`x`:0,`y`:false}", "Small", "`default`",
                "{`d`:true}");
    choice_fails(&f, st, "{`x`:0,`y`:`yes`}");
    expect_error_has(&f, "States.QueryEvaluationError", "'Condition'");
    fx_fini(&f);
}

/* ---- JSONata data flow (§10.4) ------------------------------------------
 */

static void test_jsonata_task_flow(void **state)
{
    (void)state;
    fx f;
    const sl_state *st = fx_task(
        &f, "`QueryLanguage`:`JSONata`,`Arguments`:{`a`:"
            "`{% $states.input.x %}`,`n`:`{% $states.context.Execution.Name "
            "%}`,`lit`:`$.x`,`k.$`:`$.x`},`Output`:{`sum`:"
            "`{% $states.result.v + $states.input.x %}`,`in`:"
            "`{% $states.input %}`,`vx`:`{% $x %}`},`Assign`:{`r`:"
            "`{% $states.result.v %}`,`old`:`{% $x %}`,`x`:"
            "`{% $states.result.v %}`}");
    /* Strings like "$.x" and keys ending in .$ are literals (§10.2). */
    expect_input(&f, st, "{`x`:2}",
                 "{`a`:2,`n`:`run-1`,`lit`:`$.x`,`k.$`:`$.x`}");
    /* Assign and Output read the entry-time x (1), not the new one. */
    expect_output(&f, st, "{`x`:2}", "{`v`:10}",
                  "{`sum`:12,`in`:{`x`:2},`vx`:1}", "{`r`:10,`old`:1,`x`:10}");
    fx_fini(&f);
}

static void test_jsonata_output_absent(void **state)
{
    (void)state;
    fx f;
    const sl_state *st = fx_task(&f, "`QueryLanguage`:`JSONata`");
    expect_input(&f, st, "{`x`:2}", "{`x`:2}");
    expect_output(&f, st, "{`x`:2}", "{`v`:10}", "{`v`:10}", NULL);
    fx_fini(&f);

    st = fx_state(&f, "{`Type`:`Pass`,`QueryLanguage`:`JSONata`,"
                      "`End`:true}");
    expect_output(&f, st, "{`x`:2}", NULL, "{`x`:2}", NULL);
    fx_fini(&f);

    st = fx_state(&f, "{`Type`:`Pass`,`QueryLanguage`:`JSONata`,`Output`:"
                      "`{% $states.input.x * 10 %}`,`End`:true}");
    expect_output(&f, st, "{`x`:2}", NULL, "20", NULL);
    fx_fini(&f);
}

static void test_jsonata_literals(void **state)
{
    (void)state;
    fx f;
    /* §10.2: literal Output values, and " {% %} " with outer spaces is a
     * plain string. */
    const sl_state *st = fx_state(&f, "{`Type`:`Pass`,`QueryLanguage`:"
                                      "`JSONata`,`Output`:null,`End`:true}");
    expect_output(&f, st, "{`x`:2}", NULL, "null", NULL);
    fx_fini(&f);
    st = fx_state(&f, "{`Type`:`Pass`,`QueryLanguage`:`JSONata`,`Output`:"
                      "[0,0.1,true,` {% $x %} `],`End`:true}");
    expect_output(&f, st, "{`x`:2}", NULL, "[0,0.1,true,` {% $x %} `]", NULL);
    fx_fini(&f);
    /* All Assign values are computed before any is stored: a swap works. */
    st = fx_state(&f, "{`Type`:`Pass`,`QueryLanguage`:`JSONata`,`Assign`:{"
                      "`x`:`{% $who %}`,`who`:`{% $x %}`},`End`:true}");
    expect_output(&f, st, "{}", NULL, "{}", "{`x`:`bob`,`who`:1}");
    fx_fini(&f);
}

static void test_jsonata_wait_negative(void **state)
{
    (void)state;
    fx f;
    int64_t u;
    const sl_state *st =
        fx_state(&f, "{`Type`:`Wait`,`QueryLanguage`:`JSONata`,"
                     "`Seconds`:`{% $states.input.s %}`,`End`:true}");
    assert_int_equal(wait_of(&f, st, "{`s`:-1}", &u), -1);
    expect_error_has(&f, "States.QueryEvaluationError", "");
    fx_fini(&f);
}

/* §10.5: a JSONata value out of range is States.QueryEvaluationError. */
static void test_jsonata_map_pct_out_of_range(void **state)
{
    (void)state;
    fx f;
    int64_t n;
    double p;
    const sl_state *st =
        fx_map(&f, "`QueryLanguage`:`JSONata`,`ToleratedFailurePercentage`:"
                   "`{% $states.input.p %}`");
    assert_int_equal(tolerance_of(&f, st, "{`p`:150}", &n, &p), -1);
    expect_error_has(&f, "States.QueryEvaluationError", "");
    fx_fini(&f);
}

/* §10.5, §2.9: ToleratedFailureCount is a non-negative integer. */
static void test_jsonata_map_count_negative(void **state)
{
    (void)state;
    fx f;
    int64_t n;
    double p;
    const sl_state *st =
        fx_map(&f, "`QueryLanguage`:`JSONata`,`ToleratedFailureCount`:"
                   "`{% $states.input.n %}`");
    assert_int_equal(tolerance_of(&f, st, "{`n`:-1}", &n, &p), -1);
    expect_error_has(&f, "States.QueryEvaluationError", "");
    fx_fini(&f);
}

/* §10.5, §2.9: MaxConcurrency is a non-negative integer. */
static void test_jsonata_map_concurrency_negative(void **state)
{
    (void)state;
    fx f;
    const sl_state *st =
        fx_map(&f, "`QueryLanguage`:`JSONata`,`MaxConcurrency`:"
                   "`{% $states.input.n %}`");
    concurrency_fails(&f, st, "{`n`:-1}");
    expect_error_has(&f, "States.QueryEvaluationError", "");
    fx_fini(&f);
}

/* §7.7: JSONata TimeoutSeconds must yield a positive integer. */
static void test_jsonata_timeout_not_positive(void **state)
{
    (void)state;
    fx f;
    int64_t t, h;
    const sl_state *st =
        fx_task(&f, "`QueryLanguage`:`JSONata`,"
                    "`TimeoutSeconds`:`{% $states.input.t %}`");
    json_object *r = J("{`t`:0}");
    assert_int_equal(sl_task_timeouts(st, r, &f.c, &t, &h, &f.err), -1);
    expect_error_has(&f, "States.QueryEvaluationError", "");
    json_object_put(r);
    r = J("{`t`:-5}");
    assert_int_equal(sl_task_timeouts(st, r, &f.c, &t, &h, &f.err), -1);
    expect_error_has(&f, "States.QueryEvaluationError", "");
    json_object_put(r);
    fx_fini(&f);
}

static void test_jsonata_undefined(void **state)
{
    (void)state;
    fx f;
    const sl_state *st = fx_task(&f, "`QueryLanguage`:`JSONata`,`Output`:"
                                     "`{% $states.input.nope %}`");
    output_fails(&f, st, "{`x`:1}", "{}");
    expect_error_has(&f, "States.QueryEvaluationError",
                     "specified for the field 'Output' returned nothing "
                     "(undefined).");
    expect_error_has(&f, "States.QueryEvaluationError", "$states.input.nope");
    fx_fini(&f);

    st = fx_task(&f, "`QueryLanguage`:`JSONata`,`Output`:{`result`:"
                     "`{% $states.input.nope %}`}");
    output_fails(&f, st, "{`x`:1}", "{}");
    expect_error_has(&f, "States.QueryEvaluationError",
                     "specified for the field 'Output/result' returned "
                     "nothing (undefined).");
    fx_fini(&f);

    st = fx_task(&f, "`QueryLanguage`:`JSONata`,`Assign`:{`result`:"
                     "`{% $unset %}`}");
    output_fails(&f, st, "{`x`:1}", "{}");
    expect_error_has(&f, "States.QueryEvaluationError",
                     "specified for the field 'Assign/result' returned "
                     "nothing (undefined).");
    fx_fini(&f);

    st = fx_task(&f, "`QueryLanguage`:`JSONata`,`Arguments`:{`FunctionName`:"
                     "`{% $states.input.fn %}`}");
    input_fails(&f, st, "{`x`:1}");
    expect_error_has(&f, "States.QueryEvaluationError",
                     "specified for the field 'Arguments/FunctionName' "
                     "returned nothing (undefined).");
    fx_fini(&f);
}

static void test_jsonata_map(void **state)
{
    (void)state;
    fx f;
    const sl_state *st = fx_map(
        &f, "`QueryLanguage`:`JSONata`,`Items`:`{% $states.input.list %}`,"
            "`ItemSelector`:{`v`:`{% $states.context.Map.Item.Value %}`,"
            "`i`:`{% $states.context.Map.Item.Index %}`,"
            "`tag`:`{% $states.input.tag %}`}");
    json_object *raw = J("{`list`:[`a`,`b`],`tag`:`t`}"), *items, *in;
    assert_int_equal(sl_map_items(st, raw, &f.c, &items, &f.err), 0);
    expect_json(items, "[`a`,`b`]");
    fx_map_item(&f, 1, json_object_array_get_idx(items, 1));
    assert_int_equal(sl_map_item_input(st, raw,
                                       json_object_array_get_idx(items, 1),
                                       &f.c, &in, &f.err),
                     0);
    expect_json(in, "{`v`:`b`,`i`:1,`tag`:`t`}");
    json_object_put(in);
    json_object_put(items);
    json_object_put(raw);
    items_fail(&f, st, "{`list`:{`a`:1}}");
    expect_error_has(&f, "States.QueryEvaluationError",
                     "specified for the field 'Items' returned an unexpected "
                     "result type. Expected 'array', but was 'object' for "
                     "value: {`a`:1}");
    fx_fini(&f);

    st = fx_map(&f, "`QueryLanguage`:`JSONata`");
    items_fail(&f, st, "{`a`:1}");
    expect_error(&f, "States.QueryEvaluationError",
                 "Map state input must be an array but was: {`a`:1}");
    fx_fini(&f);
}

/* ---- Task timeouts (§7.7) -----------------------------------------------
 */

static void test_task_timeouts(void **state)
{
    (void)state;
    fx f;
    int64_t t, h;
    json_object *r = J("{`t`:30}");
    const sl_state *st = fx_task(&f, "`Comment`:`none`");
    assert_int_equal(sl_task_timeouts(st, r, &f.c, &t, &h, &f.err), 0);
    assert_int_equal(t, 0);
    assert_int_equal(h, 0);
    fx_fini(&f);

    st = fx_task(&f, "`TimeoutSecondsPath`:`$.t`,`HeartbeatSeconds`:10");
    assert_int_equal(sl_task_timeouts(st, r, &f.c, &t, &h, &f.err), 0);
    assert_int_equal(t, 30);
    assert_int_equal(h, 10);
    json_object_put(r);
    r = J("{`u`:30}");
    assert_int_equal(sl_task_timeouts(st, r, &f.c, &t, &h, &f.err), -1);
    expect_error_has(&f, "States.Runtime", "$.t");
    json_object_put(r);
    fx_fini(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edge_input_path_null_parameters),
        cmocka_unit_test(test_edge_output_path_null),
        cmocka_unit_test(test_edge_result_path_null),
        cmocka_unit_test(test_edge_result_path_nested),
        cmocka_unit_test(test_result_path_more),
        cmocka_unit_test(test_edge_result_path_into_string),
        cmocka_unit_test(test_edge_slice),
        cmocka_unit_test(test_edge_path_to_null),
        cmocka_unit_test(test_edge_path_to_missing),
        cmocka_unit_test(test_edge_pass_result_literal),
        cmocka_unit_test(test_edge_catch_result_path),
        cmocka_unit_test(test_edge_catch_no_result_path),
        cmocka_unit_test(test_edge_items_path_not_array),
        cmocka_unit_test(test_order_task_full_chain),
        cmocka_unit_test(test_order_pass_assign_sees_result),
        cmocka_unit_test(test_pass_result_sources),
        cmocka_unit_test(test_parallel_assign_and_selector),
        cmocka_unit_test(test_input_path_context_and_variable),
        cmocka_unit_test(test_order_assign_reads_entry_values),
        cmocka_unit_test(test_order_wait_assign_sees_effective_input),
        cmocka_unit_test(test_order_result_selector_context),
        cmocka_unit_test(test_order_result_selector_missing),
        cmocka_unit_test(test_parameters_nested_arrays),
        cmocka_unit_test(test_parameters_context),
        cmocka_unit_test(test_parameters_context_missing),
        cmocka_unit_test(test_input_path_missing),
        cmocka_unit_test(test_output_path_missing),
        cmocka_unit_test(test_map_item_selector),
        cmocka_unit_test(test_map_legacy_parameters_and_plain),
        cmocka_unit_test(test_map_items_default_path),
        cmocka_unit_test(test_map_items_path_missing),
        cmocka_unit_test(test_map_concurrency),
        cmocka_unit_test(test_map_tolerance),
        cmocka_unit_test(test_map_tolerance_pct_not_number),
        cmocka_unit_test(test_wait_seconds),
        cmocka_unit_test(test_wait_seconds_path),
        cmocka_unit_test(test_wait_timestamp),
        cmocka_unit_test(test_wait_timestamp_path),
        cmocka_unit_test(test_wait_jsonata),
        cmocka_unit_test(test_fail),
        cmocka_unit_test(test_fail_path_missing),
        cmocka_unit_test(test_choice_jsonpath),
        cmocka_unit_test(test_choice_output_path),
        cmocka_unit_test(test_choice_no_match),
        cmocka_unit_test(test_choice_variable_missing),
        cmocka_unit_test(test_choice_jsonata),
        cmocka_unit_test(test_jsonata_task_flow),
        cmocka_unit_test(test_jsonata_output_absent),
        cmocka_unit_test(test_jsonata_literals),
        cmocka_unit_test(test_jsonata_wait_negative),
        cmocka_unit_test(test_jsonata_map_pct_out_of_range),
        cmocka_unit_test(test_jsonata_map_count_negative),
        cmocka_unit_test(test_jsonata_map_concurrency_negative),
        cmocka_unit_test(test_jsonata_timeout_not_positive),
        cmocka_unit_test(test_jsonata_undefined),
        cmocka_unit_test(test_jsonata_map),
        cmocka_unit_test(test_task_timeouts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
