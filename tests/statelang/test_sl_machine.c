/*
 * Tests for navigating a compiled machine (statelang.h): the states of a
 * scope in definition order, which scope holds a state and which state
 * owns a scope, and every transition a state names — Next, End, Choices,
 * Default and Catch (reference §1.3, §2.4, §2.8, §2.9, §6.5).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "statelang/statelang.h"

static sl_machine *compile(const char *def)
{
    sl_diags d;
    sl_diags_init(&d);
    sl_machine *m = NULL;
    sl_compile_opts o = {SL_MACHINE_STANDARD};
    int rc = sl_machine_compile(def, strlen(def), &o, &m, &d);
    if (rc != 0)
        fail_msg("definition rejected: %s",
                 d.len ? d.items[0].message : "(no diagnostic)");
    sl_diags_fini(&d);
    return m;
}

static const char FLOW[] =
    "{\"StartAt\":\"Pick\",\"States\":{"
    "\"Done\":{\"Type\":\"Succeed\"},"
    "\"Pick\":{\"Type\":\"Choice\",\"Choices\":["
    "{\"Variable\":\"$.a\",\"IsPresent\":true,\"Next\":\"Work\"},"
    "{\"Variable\":\"$.b\",\"IsPresent\":true,\"Next\":\"Done\"}],"
    "\"Default\":\"Oops\"},"
    "\"Work\":{\"Type\":\"Parallel\",\"Next\":\"Done\",\"Branches\":["
    "{\"StartAt\":\"B1\",\"States\":{\"B1\":{\"Type\":\"Pass\",\"End\":true}}},"
    "{\"StartAt\":\"B2\",\"States\":{\"B2\":{\"Type\":\"Map\",\"End\":true,"
    "\"ItemProcessor\":{\"StartAt\":\"I\",\"States\":{"
    "\"I\":{\"Type\":\"Pass\",\"End\":true}}}}}}],"
    "\"Catch\":[{\"ErrorEquals\":[\"A\",\"B\"],\"Next\":\"Oops\"},"
    "{\"ErrorEquals\":[\"States.ALL\"],\"Next\":\"Done\"}]},"
    "\"Oops\":{\"Type\":\"Fail\",\"Error\":\"E\"}}}";

static void test_scope_states_in_definition_order(void **state)
{
    (void)state;
    sl_machine *m = compile(FLOW);
    const sl_scope *top = sl_machine_top(m);
    const char *want[] = {"Done", "Pick", "Work", "Oops"};
    assert_int_equal(sl_scope_state_count(top), 4);
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(sl_state_name(sl_scope_state(top, i)), want[i]);
    assert_null(sl_scope_state(top, 4));
    assert_null(sl_scope_owner(top));
    assert_ptr_equal(sl_state_scope(sl_scope_state(top, 0)), top);
    sl_machine_free(m);
}

static void test_nested_scopes_know_their_owner(void **state)
{
    (void)state;
    sl_machine *m = compile(FLOW);
    const sl_state *work = sl_scope_find(sl_machine_top(m), "Work");
    assert_int_equal(sl_state_branch_count(work), 2);
    const sl_scope *b2 = sl_state_branch(work, 1);
    assert_ptr_equal(sl_scope_owner(b2), work);
    const sl_state *map = sl_scope_state(b2, 0);
    assert_string_equal(sl_state_name(map), "B2");
    const sl_scope *proc = sl_state_processor(map);
    assert_ptr_equal(sl_scope_owner(proc), map);
    const sl_state *inner = sl_scope_state(proc, 0);
    assert_string_equal(sl_state_name(inner), "I");
    assert_ptr_equal(sl_state_scope(inner), proc);
    assert_true(sl_state_is_end(inner));
    assert_true(sl_state_is_end(map));
    sl_machine_free(m);
}

static void test_choice_targets(void **state)
{
    (void)state;
    sl_machine *m = compile(FLOW);
    const sl_state *pick = sl_scope_find(sl_machine_top(m), "Pick");
    assert_int_equal(sl_state_choice_count(pick), 2);
    assert_string_equal(sl_state_name(sl_state_choice_next(pick, 0)), "Work");
    assert_string_equal(sl_state_name(sl_state_choice_next(pick, 1)), "Done");
    assert_null(sl_state_choice_next(pick, 2));
    assert_string_equal(sl_state_name(sl_state_default(pick)), "Oops");
    /* a Choice has neither Next nor End */
    assert_null(sl_state_next(pick));
    assert_false(sl_state_is_end(pick));
    sl_machine_free(m);
}

static void test_catch_targets(void **state)
{
    (void)state;
    sl_machine *m = compile(FLOW);
    const sl_scope *top = sl_machine_top(m);
    const sl_state *work = sl_scope_find(top, "Work");
    assert_string_equal(sl_state_name(sl_state_next(work)), "Done");
    assert_int_equal(sl_state_catcher_count(work), 2);
    assert_string_equal(sl_state_name(sl_state_catcher_next(work, 0)), "Oops");
    json_object *errs = sl_state_catcher_errors(work, 0);
    assert_int_equal(json_object_array_length(errs), 2);
    assert_string_equal(
        json_object_get_string(json_object_array_get_idx(errs, 1)), "B");
    assert_string_equal(sl_state_name(sl_state_catcher_next(work, 1)), "Done");
    assert_null(sl_state_catcher_next(work, 2));
    assert_null(sl_state_catcher_errors(work, 2));
    /* Succeed and Fail end without End: true; nothing else to go to */
    const sl_state *done = sl_scope_find(top, "Done");
    assert_false(sl_state_is_end(done));
    assert_null(sl_state_next(done));
    assert_int_equal(sl_state_catcher_count(done), 0);
    assert_null(sl_state_default(done));
    sl_machine_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scope_states_in_definition_order),
        cmocka_unit_test(test_nested_scopes_know_their_owner),
        cmocka_unit_test(test_choice_targets),
        cmocka_unit_test(test_catch_targets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
