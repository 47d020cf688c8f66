/*
 * 1,000 executions at once, each waiting one second and then calling a
 * function: all must succeed, on one thread, in bounded memory (reference
 * §16: waits are loop timers, never sleeping threads).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "engine/engine.h"

#define EXECUTIONS 1000

static const char flow[] =
    "{\"StartAt\":\"Nap\",\"States\":{"
    "\"Nap\":{\"Type\":\"Wait\",\"Seconds\":1,\"Next\":\"Call\"},"
    "\"Call\":{\"Type\":\"Task\",\"Resource\":"
    "\"arn:aws:lambda:us-east-1:123456789012:function:echo\",\"End\":true}}}";

/* Threads of this process, from /proc. */
static int thread_count(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    int n = -1;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "Threads:", 8))
            n = atoi(line + 8);
    if (f)
        fclose(f);
    return n;
}

static void test_thousand_waiting_executions(void **state)
{
    (void)state;
    /* 1,000 executions, each calling /bin/cat once. The calls are bounded
     * to 64 at a time: started all at once on a 2-core machine under
     * ASan, some would miss their 3 s timeout for lack of CPU. */
    eng_opts o = {":memory:", NULL, NULL, 0, true, 0, 64};
    eng *e = NULL;
    char *err = NULL;
    assert_int_equal(eng_open(&o, &e, &err), 0);
    assert_int_equal(eng_function_set(e, "echo", "/bin/cat", &err), 0);
    sl_diags d;
    sl_diags_init(&d);
    char *machine = NULL;
    assert_int_equal(eng_machine_put(e, "thousand", flow, SL_MACHINE_STANDARD,
                                     &machine, &d, &err),
                     0);
    sl_diags_fini(&d);
    for (int i = 0; i < EXECUTIONS; i++) {
        char name[32], input[64], *arn = NULL;
        snprintf(name, sizeof name, "run-%d", i);
        snprintf(input, sizeof input, "{\"i\":%d}", i);
        assert_int_equal(
            eng_execution_start(e, machine, name, input, &arn, &err), 0);
        free(arn);
    }
    eng_run_all(e);
    json_object *list = eng_execution_list(e);
    assert_int_equal(json_object_array_length(list), EXECUTIONS);
    for (size_t i = 0; i < EXECUTIONS; i++) {
        json_object *x = json_object_array_get_idx(list, i), *st;
        assert_true(json_object_object_get_ex(x, "status", &st));
        if (strcmp(json_object_get_string(st), "SUCCEEDED")) {
            json_object *n, *dd;
            json_object_object_get_ex(x, "name", &n);
            dd = eng_execution_describe(e, json_object_get_string(n));
            fprintf(stderr, "%s\n", bt_json_compact(dd));
            json_object_put(dd);
        }
        assert_string_equal(json_object_get_string(st), "SUCCEEDED");
    }
    json_object_put(list);
    json_object *desc = eng_execution_describe(e, "run-7"), *out;
    assert_true(json_object_object_get_ex(desc, "output", &out));
    assert_string_equal(json_object_get_string(out), "{\"i\":7}");
    json_object_put(desc);
    /* One thread: the loop. Memory: far below what 1,000 threads cost. */
    assert_int_equal(thread_count(), 1);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    assert_true(ru.ru_maxrss < 512 * 1024); /* KiB */
    free(machine);
    eng_close(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_thousand_waiting_executions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
