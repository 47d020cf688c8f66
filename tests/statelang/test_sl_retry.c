/*
 * Tests for Retry and Catch through the public statelang API: which error
 * names an ErrorEquals list matches, what sl_error_decide does for a
 * sequence of errors, and what a catcher hands to its Next state
 * (reference §6.2, §6.4, §6.5, §3.5).
 *
 * Expected values come from the reference: the §6.4 algorithm and its
 * worked example, the §6.3 defaults, the §6.2 matcher rules and the §6.5
 * catcher fields. JitterStrategy FULL uses the u formula documented at
 * retry_delay_ms in statelang/sl_error.c. Definitions and expected JSON are
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

#define EVENT_ID 12
#define NOW_MS INT64_C(1700000000000)

static const char CONTEXT[] =
    "{`Execution`:{`Name`:`run-1`,`Input`:{}},`State`:{`Name`:`S`,"
    "`EnteredTime`:`2024-01-01T00:00:01.000Z`,`RetryCount`:0}}";

static const sl_state *fx_machine(fx *f, const char *def, const char *name)
{
    return fx_compile(f, def, name, CONTEXT, "{`x`:1}", EVENT_ID, NOW_MS);
}

/* A Task "S" with the fields given, going to "T"; catchers go to "T" or
 * "H". T is a Pass going to H, a Pass that ends. */
static const sl_state *fx_task(fx *f, const char *fields)
{
    bt_buf b;
    bt_buf_init(&b);
    bt_buf_printf(&b,
                  "{`StartAt`:`S`,`States`:{`S`:{`Type`:`Task`,`Resource`:"
                  "`arn:aws:lambda:us-east-1:123456789012:function:f`,%s,"
                  "`Next`:`T`},`T`:{`Type`:`Pass`,`Next`:`H`},"
                  "`H`:{`Type`:`Pass`,`End`:true}}}",
                  fields);
    const sl_state *st = fx_machine(f, b.data, "S");
    bt_buf_fini(&b);
    return st;
}

/* ---- sl_error_matches (§6.2, §6.4) ---------------------------------------
 */

static void expect_match(const char *list, const char *name, bool want)
{
    json_object *l = J(list);
    bool got = sl_error_matches(l, name);
    if (got != want)
        fail_msg("%s on %s: got %s, want %s", list, name,
                 got ? "match" : "no match", want ? "match" : "no match");
    json_object_put(l);
}

static void test_matches_all(void **state)
{
    (void)state;
    const char *all = "[`States.ALL`]";
    expect_match(all, "Foo", true);
    expect_match(all, "Lambda.Unknown", true);
    expect_match(all, "States.Timeout", true);
    expect_match(all, "States.HeartbeatTimeout", true);
    expect_match(all, "States.TaskFailed", true);
    expect_match(all, "States.QueryEvaluationError", true);
    expect_match(all, "States.DataLimitExceeded", true);
    expect_match(all, "States.Runtime", false);
}

static void test_matches_task_failed(void **state)
{
    (void)state;
    const char *tf = "[`States.TaskFailed`]";
    expect_match(tf, "Foo", true);
    expect_match(tf, "Lambda.Unknown", true);
    expect_match(tf, "CustomException", true);
    expect_match(tf, "States.TaskFailed", true);
    expect_match(tf, "States.Permissions", true);
    expect_match(tf, "States.HeartbeatTimeout", true);
    expect_match(tf, "States.DataLimitExceeded", true);
    expect_match(tf, "States.Timeout", false);
    expect_match(tf, "States.Runtime", false);
}

static void test_matches_task_failed_other_states_errors(void **state)
{
    (void)state;
    /* §6.2 [IMPL]: besides names not starting with "States.", TaskFailed
     * matches only TaskFailed, Permissions, HeartbeatTimeout and
     * DataLimitExceeded among the States.* names. */
    const char *tf = "[`States.TaskFailed`]";
    expect_match(tf, "States.QueryEvaluationError", false);
    expect_match(tf, "States.ExceedToleratedFailureThreshold", false);
    expect_match(tf, "States.BranchFailed", false);
    /* The HTTP task's errors are task errors (§6.2 task-originated). */
    expect_match(tf, "States.Http.Socket", true);
    expect_match(tf, "States.Http.StatusCode.404", true);
    expect_match(tf, "States.HttpX", false);
}

static void test_matches_timeout(void **state)
{
    (void)state;
    expect_match("[`States.Timeout`]", "States.Timeout", true);
    expect_match("[`States.Timeout`]", "States.HeartbeatTimeout", true);
    expect_match("[`States.Timeout`]", "States.TaskFailed", false);
    expect_match("[`States.Timeout`]", "Foo", false);
    /* The widening is one way only. */
    expect_match("[`States.HeartbeatTimeout`]", "States.Timeout", false);
    expect_match("[`States.HeartbeatTimeout`]", "States.HeartbeatTimeout",
                 true);
}

static void test_matches_exact(void **state)
{
    (void)state;
    const char *ab = "[`A`,`B`]";
    expect_match(ab, "A", true);
    expect_match(ab, "B", true);
    expect_match(ab, "C", false);
    expect_match(ab, "a", false); /* case-sensitive */
    expect_match(ab, "AB", false);
    expect_match(ab, "A ", false);
    expect_match(ab, "", false);
    expect_match("[`Lambda.ServiceException`]", "lambda.serviceexception",
                 false);
    expect_match("[`Lambda.ServiceException`]", "Lambda.ServiceException",
                 true);
}

static void test_matches_runtime_never(void **state)
{
    (void)state;
    expect_match("[`States.Runtime`]", "States.Runtime", false);
    expect_match("[`States.Runtime`,`States.ALL`]", "States.Runtime", false);
    expect_match("[`States.TaskFailed`]", "States.Runtime", false);
}

/* ---- sl_error_decide (§6.4) ----------------------------------------------
 */

static const char *decision_name(sl_decision d)
{
    return d == SL_DECIDE_RETRY   ? "RETRY"
           : d == SL_DECIDE_CATCH ? "CATCH"
                                  : "FAIL";
}

/* Decides error name at st; checks the decision and, for RETRY, the
 * delay, for CATCH, the catcher index. */
static void expect_decide(fx *f, const sl_state *st, const char *name,
                          uint32_t *attempts, sl_decision want,
                          int64_t want_delay_ms, size_t want_catcher)
{
    sl_error e;
    sl_error_init(&e);
    sl_error_set(&e, name, "cause");
    int64_t delay = -1;
    size_t catcher = 99;
    sl_decision d =
        sl_error_decide(st, &e, attempts, &f->rng, &delay, &catcher);
    sl_error_fini(&e);
    if (d != want)
        fail_msg("error %s: %s, want %s", name, decision_name(d),
                 decision_name(want));
    if (want == SL_DECIDE_RETRY && delay != want_delay_ms)
        fail_msg("error %s: delay %lld ms, want %lld ms", name,
                 (long long)delay, (long long)want_delay_ms);
    if (want == SL_DECIDE_CATCH && catcher != want_catcher)
        fail_msg("error %s: catcher %zu, want %zu", name, catcher,
                 want_catcher);
}

static const char SPEC_RETRY[] =
    "`Retry`:[{`ErrorEquals`:[`A`,`B`],`IntervalSeconds`:1,`BackoffRate`:2,"
    "`MaxAttempts`:2},{`ErrorEquals`:[`C`],`IntervalSeconds`:5}]";

static void test_decide_spec_example(void **state)
{
    (void)state;
    fx f;
    bt_buf b;
    bt_buf_init(&b);
    bt_buf_printf(&b,
                  "%s,`Catch`:[{`ErrorEquals`:[`States.ALL`],"
                  "`Next`:`H`}]",
                  SPEC_RETRY);
    const sl_state *st = fx_task(&f, b.data);
    bt_buf_fini(&b);
    assert_int_equal(sl_state_retrier_count(st), 2);
    uint32_t at[2] = {0, 0};
    expect_decide(&f, st, "A", at, SL_DECIDE_RETRY, 1000, 0);
    expect_decide(&f, st, "B", at, SL_DECIDE_RETRY, 2000, 0);
    expect_decide(&f, st, "C", at, SL_DECIDE_RETRY, 5000, 0);
    /* The 4th error exhausts retrier 0: on to Catch. */
    expect_decide(&f, st, "B", at, SL_DECIDE_CATCH, 0, 0);
    assert_int_equal(at[0], 2);
    assert_int_equal(at[1], 1);
    fx_fini(&f);

    /* The same without Catch: the error propagates. */
    st = fx_task(&f, SPEC_RETRY);
    uint32_t at2[2] = {0, 0};
    expect_decide(&f, st, "A", at2, SL_DECIDE_RETRY, 1000, 0);
    expect_decide(&f, st, "B", at2, SL_DECIDE_RETRY, 2000, 0);
    expect_decide(&f, st, "C", at2, SL_DECIDE_RETRY, 5000, 0);
    expect_decide(&f, st, "B", at2, SL_DECIDE_FAIL, 0, 0);
    /* Retrier 1 goes on with its defaults (backoff 2.0, 3 attempts). */
    expect_decide(&f, st, "C", at2, SL_DECIDE_RETRY, 10000, 0);
    expect_decide(&f, st, "C", at2, SL_DECIDE_RETRY, 20000, 0);
    expect_decide(&f, st, "C", at2, SL_DECIDE_FAIL, 0, 0);
    /* An error no retrier lists. */
    expect_decide(&f, st, "D", at2, SL_DECIDE_FAIL, 0, 0);
    fx_fini(&f);
}

static void test_decide_defaults(void **state)
{
    (void)state;
    fx f;
    /* §6.3: IntervalSeconds 1, MaxAttempts 3, BackoffRate 2.0. */
    const sl_state *st = fx_task(&f, "`Retry`:[{`ErrorEquals`:[`E`]}]");
    uint32_t at[1] = {0};
    expect_decide(&f, st, "E", at, SL_DECIDE_RETRY, 1000, 0);
    expect_decide(&f, st, "E", at, SL_DECIDE_RETRY, 2000, 0);
    expect_decide(&f, st, "E", at, SL_DECIDE_RETRY, 4000, 0);
    expect_decide(&f, st, "E", at, SL_DECIDE_FAIL, 0, 0);
    assert_int_equal(at[0], 3);
    fx_fini(&f);
}

static void test_decide_max_delay(void **state)
{
    (void)state;
    fx f;
    const sl_state *st =
        fx_task(&f, "`Retry`:[{`ErrorEquals`:[`E`],`IntervalSeconds`:10,"
                    "`BackoffRate`:3,`MaxAttempts`:5,`MaxDelaySeconds`:50}]");
    uint32_t at[1] = {0};
    expect_decide(&f, st, "E", at, SL_DECIDE_RETRY, 10000, 0);
    expect_decide(&f, st, "E", at, SL_DECIDE_RETRY, 30000, 0);
    expect_decide(&f, st, "E", at, SL_DECIDE_RETRY, 50000, 0); /* 90 s */
    expect_decide(&f, st, "E", at, SL_DECIDE_RETRY, 50000, 0); /* 270 s */
    expect_decide(&f, st, "E", at, SL_DECIDE_RETRY, 50000, 0);
    expect_decide(&f, st, "E", at, SL_DECIDE_FAIL, 0, 0);
    fx_fini(&f);
}

static void test_decide_backoff_one(void **state)
{
    (void)state;
    fx f;
    const sl_state *st =
        fx_task(&f, "`Retry`:[{`ErrorEquals`:[`E`],`IntervalSeconds`:3,"
                    "`BackoffRate`:1.0}]");
    uint32_t at[1] = {0};
    expect_decide(&f, st, "E", at, SL_DECIDE_RETRY, 3000, 0);
    expect_decide(&f, st, "E", at, SL_DECIDE_RETRY, 3000, 0);
    expect_decide(&f, st, "E", at, SL_DECIDE_RETRY, 3000, 0);
    expect_decide(&f, st, "E", at, SL_DECIDE_FAIL, 0, 0);
    fx_fini(&f);

    /* A fractional rate: 2 s x 1.5^n. */
    st = fx_task(&f, "`Retry`:[{`ErrorEquals`:[`E`],`IntervalSeconds`:2,"
                     "`BackoffRate`:1.5}]");
    uint32_t at2[1] = {0};
    expect_decide(&f, st, "E", at2, SL_DECIDE_RETRY, 2000, 0);
    expect_decide(&f, st, "E", at2, SL_DECIDE_RETRY, 3000, 0);
    expect_decide(&f, st, "E", at2, SL_DECIDE_RETRY, 4500, 0);
    fx_fini(&f);
}

static void test_decide_max_attempts_zero(void **state)
{
    (void)state;
    fx f;
    const sl_state *st =
        fx_task(&f, "`Retry`:[{`ErrorEquals`:[`E`],`MaxAttempts`:0}],"
                    "`Catch`:[{`ErrorEquals`:[`States.ALL`],`Next`:`H`}]");
    uint32_t at[1] = {0};
    expect_decide(&f, st, "E", at, SL_DECIDE_CATCH, 0, 0);
    assert_int_equal(at[0], 0);
    fx_fini(&f);
}

static void test_decide_first_match_decides(void **state)
{
    (void)state;
    fx f;
    const sl_state *st = fx_task(
        &f, "`Retry`:[{`ErrorEquals`:[`A`],`MaxAttempts`:1},{`ErrorEquals`:"
            "[`States.ALL`],`IntervalSeconds`:7,`MaxAttempts`:5}]");
    uint32_t at[2] = {0, 0};
    expect_decide(&f, st, "A", at, SL_DECIDE_RETRY, 1000, 0);
    /* Retrier 0 is exhausted; retrier 1 (States.ALL) is not tried. */
    expect_decide(&f, st, "A", at, SL_DECIDE_FAIL, 0, 0);
    assert_int_equal(at[0], 1);
    assert_int_equal(at[1], 0);
    expect_decide(&f, st, "B", at, SL_DECIDE_RETRY, 7000, 0);
    assert_int_equal(at[1], 1);
    fx_fini(&f);

    /* Same with MaxAttempts 0 first: never retried, straight to Catch. */
    st = fx_task(&f, "`Retry`:[{`ErrorEquals`:[`A`],`MaxAttempts`:0},"
                     "{`ErrorEquals`:[`States.ALL`]}],`Catch`:[{"
                     "`ErrorEquals`:[`A`],`Next`:`H`}]");
    uint32_t at2[2] = {0, 0};
    expect_decide(&f, st, "A", at2, SL_DECIDE_CATCH, 0, 0);
    assert_int_equal(at2[1], 0);
    fx_fini(&f);
}

static void test_decide_jitter_full(void **state)
{
    (void)state;
    fx f;
    const sl_state *st =
        fx_task(&f, "`Retry`:[{`ErrorEquals`:[`E`],`IntervalSeconds`:4,"
                    "`MaxAttempts`:5,`JitterStrategy`:`FULL`}]");
    uint32_t at[1] = {0};
    /* delay x u, u = (bits >> 11) / 2^53 (sl_error.c, retry_delay_ms). */
    f.bits = UINT64_C(1) << 63; /* u = 0.5 */
    expect_decide(&f, st, "E", at, SL_DECIDE_RETRY, 2000, 0);
    f.bits = 0; /* u = 0 */
    expect_decide(&f, st, "E", at, SL_DECIDE_RETRY, 0, 0);
    f.bits = UINT64_C(1) << 62; /* u = 0.25 of 16 s */
    expect_decide(&f, st, "E", at, SL_DECIDE_RETRY, 4000, 0);
    f.bits = UINT64_MAX; /* u = 1 - 2^-53 of 32 s */
    expect_decide(&f, st, "E", at, SL_DECIDE_RETRY, 32000, 0);
    f.bits = (UINT64_C(3) << 62) | 0x7ff; /* low 11 bits unused: 0.75 */
    expect_decide(&f, st, "E", at, SL_DECIDE_RETRY, 48000, 0);
    fx_fini(&f);

    /* MaxDelaySeconds caps the computed delay before the jitter. */
    st = fx_task(&f, "`Retry`:[{`ErrorEquals`:[`E`],`IntervalSeconds`:10,"
                     "`MaxDelaySeconds`:5,`JitterStrategy`:`FULL`}]");
    uint32_t at2[1] = {0};
    f.bits = UINT64_C(1) << 63;
    expect_decide(&f, st, "E", at2, SL_DECIDE_RETRY, 2500, 0);
    fx_fini(&f);

    /* NONE (and absent) ignore the random source. */
    st = fx_task(&f, "`Retry`:[{`ErrorEquals`:[`E`],`IntervalSeconds`:4,"
                     "`JitterStrategy`:`NONE`}]");
    uint32_t at3[1] = {0};
    f.bits = UINT64_C(1) << 63;
    expect_decide(&f, st, "E", at3, SL_DECIDE_RETRY, 4000, 0);
    fx_fini(&f);
}

static void test_decide_catcher_order(void **state)
{
    (void)state;
    fx f;
    const sl_state *st =
        fx_task(&f, "`Catch`:[{`ErrorEquals`:[`X`],`Next`:`H`},{`ErrorEquals`:"
                    "[`Y`,`X`],`Next`:`T`},{`ErrorEquals`:[`States.ALL`],"
                    "`Next`:`H`}]");
    assert_int_equal(sl_state_retrier_count(st), 0);
    uint32_t none[1] = {0};
    /* In order: X matches catchers 0 and 1; the first wins. */
    expect_decide(&f, st, "X", none, SL_DECIDE_CATCH, 0, 0);
    expect_decide(&f, st, "Y", none, SL_DECIDE_CATCH, 0, 1);
    expect_decide(&f, st, "Z", none, SL_DECIDE_CATCH, 0, 2);
    fx_fini(&f);

    st = fx_task(&f, "`Catch`:[{`ErrorEquals`:[`States.TaskFailed`],"
                     "`Next`:`H`},{`ErrorEquals`:[`States.Timeout`],"
                     "`Next`:`T`}]");
    expect_decide(&f, st, "Boom", none, SL_DECIDE_CATCH, 0, 0);
    expect_decide(&f, st, "States.Timeout", none, SL_DECIDE_CATCH, 0, 1);
    expect_decide(&f, st, "States.HeartbeatTimeout", none, SL_DECIDE_CATCH, 0,
                  0);
    fx_fini(&f);

    st = fx_task(&f, "`Catch`:[{`ErrorEquals`:[`X`],`Next`:`H`}]");
    expect_decide(&f, st, "Y", none, SL_DECIDE_FAIL, 0, 0);
    fx_fini(&f);
}

static void test_decide_runtime_never(void **state)
{
    (void)state;
    fx f;
    const sl_state *st = fx_task(
        &f, "`Retry`:[{`ErrorEquals`:[`States.Runtime`]},{`ErrorEquals`:"
            "[`States.ALL`]}],`Catch`:[{`ErrorEquals`:[`States.Runtime`],"
            "`Next`:`H`},{`ErrorEquals`:[`States.ALL`],`Next`:`H`}]");
    uint32_t at[2] = {0, 0};
    expect_decide(&f, st, "States.Runtime", at, SL_DECIDE_FAIL, 0, 0);
    assert_int_equal(at[0], 0);
    assert_int_equal(at[1], 0);
    fx_fini(&f);
}

/* ---- sl_catch_output (§6.5, §3.5) ----------------------------------------
 */

static const char CATCH_FIELDS[] =
    "`OutputPath`:`$.Payload`,`ResultSelector`:{`p.$`:`$`},"
    "`Assign`:{`top`:1},`Catch`:["
    "{`ErrorEquals`:[`A`],`ResultPath`:null,`Next`:`H`},"
    "{`ErrorEquals`:[`B`],`ResultPath`:`$.err`,`Next`:`H`},"
    "{`ErrorEquals`:[`C`],`Next`:`T`,`Assign`:{`e.$`:`$.Error`,"
    "`c.$`:`$.Cause`,`lit`:1,`old.$`:`$x`}},"
    "{`ErrorEquals`:[`States.ALL`],`Next`:`H`}]";

/* Catcher i of st for error (name, cause) over raw. */
static int catch_of(fx *f, const sl_state *st, size_t i, const char *raw,
                    const char *name, const char *cause, const char *want_next,
                    json_object **out, json_object **assigned)
{
    sl_error e;
    sl_error_init(&e);
    sl_error_set(&e, name, cause);
    json_object *r = J(raw);
    const sl_state *next = NULL;
    *out = *assigned = NULL;
    int rc =
        sl_catch_output(st, i, r, &e, &f->c, &next, out, assigned, &f->err);
    if (rc == 0)
        assert_ptr_equal(next, sl_scope_find(sl_machine_top(f->m), want_next));
    json_object_put(r);
    sl_error_fini(&e);
    return rc;
}

static void expect_catch(fx *f, const sl_state *st, size_t i, const char *raw,
                         const char *name, const char *cause,
                         const char *want_next, const char *want_out,
                         const char *want_assigned)
{
    json_object *out, *assigned;
    if (catch_of(f, st, i, raw, name, cause, want_next, &out, &assigned) != 0)
        fail_msg("catcher %zu failed: %s", i, f->err.cause);
    expect_json(out, want_out);
    expect_assigned(assigned, want_assigned);
    json_object_put(out);
    json_object_put(assigned);
}

static void test_catch_result_path(void **state)
{
    (void)state;
    fx f;
    const sl_state *st = fx_task(&f, CATCH_FIELDS);
    /* ResultPath null: the raw input, error dropped. The state's
     * ResultSelector, OutputPath and Assign are not applied. */
    expect_catch(&f, st, 0, "{`in`:1}", "A", "why", "H", "{`in`:1}", NULL);
    /* A path: the raw input with the error output put there. */
    expect_catch(&f, st, 1, "{`in`:1}", "B", "why", "H",
                 "{`in`:1,`err`:{`Error`:`B`,`Cause`:`why`}}", NULL);
    /* Absent: the error output replaces everything. */
    expect_catch(&f, st, 3, "{`in`:1}", "D", "why", "H",
                 "{`Error`:`D`,`Cause`:`why`}", NULL);
    fx_fini(&f);
}

static void test_catch_assign(void **state)
{
    (void)state;
    fx f;
    const sl_state *st = fx_task(&f, CATCH_FIELDS);
    /* $ in a catcher's Assign is the error output; variables read are the
     * entry-time values. */
    expect_catch(&f, st, 2, "{`in`:1}", "C", "why", "T",
                 "{`Error`:`C`,`Cause`:`why`}",
                 "{`e`:`C`,`c`:`why`,`lit`:1,`old`:1}");
    fx_fini(&f);
}

static void test_catch_absent_parts(void **state)
{
    (void)state;
    fx f;
    const sl_state *st = fx_task(&f, CATCH_FIELDS);
    /* §6.1: a SendTaskFailure without error and cause gives nulls. */
    expect_catch(&f, st, 3, "{}", NULL, NULL, "H",
                 "{`Error`:null,`Cause`:null}", NULL);
    expect_catch(&f, st, 3, "{}", "X", NULL, "H", "{`Error`:`X`,`Cause`:null}",
                 NULL);
    expect_catch(&f, st, 3, "{}", "States.Timeout", "", "H",
                 "{`Error`:`States.Timeout`,`Cause`:``}", NULL);
    fx_fini(&f);
}

static void test_catch_result_path_into_string(void **state)
{
    (void)state;
    fx f;
    const sl_state *st = fx_task(&f, CATCH_FIELDS);
    json_object *out, *assigned;
    assert_int_equal(
        catch_of(&f, st, 1, "`foo`", "B", "why", "H", &out, &assigned), -1);
    assert_null(out);
    assert_null(assigned);
    assert_non_null(f.err.name);
    assert_string_equal(f.err.name, "States.Runtime");
    fx_fini(&f);
}

static void test_catch_jsonata(void **state)
{
    (void)state;
    fx f;
    const sl_state *st = fx_task(
        &f, "`QueryLanguage`:`JSONata`,`Output`:`{% $states.result %}`,"
            "`Catch`:[{`ErrorEquals`:[`A`],`Next`:`H`,`Output`:{`err`:"
            "`{% $states.errorOutput.Error %}`,`in`:`{% $states.input.k %}`},"
            "`Assign`:{`eo`:`{% $states.errorOutput %}`,`old`:`{% $x %}`}},"
            "{`ErrorEquals`:[`States.ALL`],`Next`:`T`}]");
    expect_catch(&f, st, 0, "{`k`:1}", "A", "why", "H", "{`err`:`A`,`in`:1}",
                 "{`eo`:{`Error`:`A`,`Cause`:`why`},`old`:1}");
    /* Without Output the catcher hands on the error output (§6.5). */
    expect_catch(&f, st, 1, "{`k`:1}", "B", "why", "T",
                 "{`Error`:`B`,`Cause`:`why`}", NULL);
    fx_fini(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches_all),
        cmocka_unit_test(test_matches_task_failed),
        cmocka_unit_test(test_matches_task_failed_other_states_errors),
        cmocka_unit_test(test_matches_timeout),
        cmocka_unit_test(test_matches_exact),
        cmocka_unit_test(test_matches_runtime_never),
        cmocka_unit_test(test_decide_spec_example),
        cmocka_unit_test(test_decide_defaults),
        cmocka_unit_test(test_decide_max_delay),
        cmocka_unit_test(test_decide_backoff_one),
        cmocka_unit_test(test_decide_max_attempts_zero),
        cmocka_unit_test(test_decide_first_match_decides),
        cmocka_unit_test(test_decide_jitter_full),
        cmocka_unit_test(test_decide_catcher_order),
        cmocka_unit_test(test_decide_runtime_never),
        cmocka_unit_test(test_catch_result_path),
        cmocka_unit_test(test_catch_assign),
        cmocka_unit_test(test_catch_absent_parts),
        cmocka_unit_test(test_catch_result_path_into_string),
        cmocka_unit_test(test_catch_jsonata),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
