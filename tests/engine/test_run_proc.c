/*
 * Function processes (engine/run_proc.c) on a bare loop: what a process
 * inherits (descriptors 0-2 only, even ones baton holds open without
 * close-on-exec), its input whether the pipe takes it at once or not, and
 * the environment a call gets (eng__function_env).
 */
#define _GNU_SOURCE /* dup3 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/eng_int.h"

typedef struct outcome {
    bool done;
    run_proc_result res;
} outcome;

static void on_done(run_proc_result *res, void *ud)
{
    outcome *o = ud;
    o->done = true;
    o->res = *res;
    res->out = NULL; /* now ours */
    res->err_text = NULL;
}

/* Runs argv with input to its end on a loop of its own. */
static void run(char **argv, const char *input, size_t input_len, outcome *o)
{
    uv_loop_t loop;
    uv_loop_init(&loop);
    run_reaper *r = run_reaper_new(&loop);
    run_proc *p = NULL;
    char *err = NULL;
    memset(o, 0, sizeof *o);
    assert_int_equal(run_proc_start(r, argv, NULL, NULL, input, input_len,
                                    10000, 16 << 20, on_done, NULL, o, &p,
                                    &err),
                     0);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_true(o->done);
    run_reaper_free(r);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
}

static void test_inherits_only_stdio(void **state)
{
    (void)state;
    /* A descriptor open without close-on-exec, as one inherited from
     * baton's parent or opened by a library would be. */
    int leaky = dup3(2, 40, 0);
    assert_int_equal(leaky, 40);
    assert_int_equal(fcntl(leaky, F_GETFD) & FD_CLOEXEC, 0);
    /* The shell's own descriptors, from /proc; only builtins run in the
     * loop, so none of them is the listing's. */
    char *argv[] = {"/bin/sh", "-c",
                    "i=0; while [ $i -lt 1024 ]; do "
                    "[ -e /proc/$$/fd/$i ] && printf '%s ' $i; "
                    "i=$((i+1)); done",
                    NULL};
    outcome o;
    run(argv, "", 0, &o);
    assert_int_equal(o.res.exit_status, 0);
    assert_string_equal(o.res.out, "0 1 2 ");
    run_proc_result_fini(&o.res);
    close(leaky);
}

static void test_small_and_empty_input(void **state)
{
    (void)state;
    char *argv[] = {"/bin/cat", NULL};
    outcome o;
    run(argv, "{\"i\":1}", 7, &o);
    assert_int_equal(o.res.exit_status, 0);
    assert_int_equal(o.res.out_len, 7);
    assert_string_equal(o.res.out, "{\"i\":1}");
    run_proc_result_fini(&o.res);
    run(argv, "", 0, &o);
    assert_int_equal(o.res.exit_status, 0);
    assert_int_equal(o.res.out_len, 0);
    run_proc_result_fini(&o.res);
}

/* More than a pipe holds: the rest is written as the process reads. */
static void test_large_input(void **state)
{
    (void)state;
    size_t n = 1 << 20;
    char *in = malloc(n);
    for (size_t i = 0; i < n; i++)
        in[i] = (char)('a' + i % 26);
    char *argv[] = {"/bin/cat", NULL};
    outcome o;
    run(argv, in, n, &o);
    assert_int_equal(o.res.exit_status, 0);
    assert_int_equal(o.res.out_len, n);
    assert_memory_equal(o.res.out, in, n);
    run_proc_result_fini(&o.res);
    free(in);
}

/* A process that never reads its stdin still ends normally. */
static void test_unread_input(void **state)
{
    (void)state;
    size_t n = 1 << 20;
    char *in = calloc(1, n);
    char *argv[] = {"/bin/true", NULL};
    outcome o;
    run(argv, in, n, &o);
    assert_int_equal(o.res.exit_status, 0);
    assert_false(o.res.timed_out);
    run_proc_result_fini(&o.res);
    free(in);
}

static bool has(char **env, const char *var)
{
    for (char **p = env; *p; p++)
        if (!strcmp(*p, var))
            return true;
    return false;
}

static void test_call_environment(void **state)
{
    (void)state;
    setenv("BATON_TEST_INHERITED", "yes", 1);
    eng_opts opts = {":memory:", NULL, NULL, 0, true, 0, 0};
    eng *e = NULL;
    char *err = NULL;
    assert_int_equal(eng_open(&opts, &e, &err), 0);
    const char *vars[] = {"GREETING=hello", NULL};
    eng_function_config cfg = {0};
    cfg.command = "/bin/cat";
    cfg.env = vars;
    cfg.timeout_s = 7;
    cfg.memory_mb = -1;
    cfg.concurrency = -1;
    cfg.idle_timeout_s = -1;
    assert_int_equal(eng_function_create(e, "fn", &cfg, &err), 0);
    char **env = eng__function_env(e, eng__function_find(e, "fn"), "req-1234");
    assert_true(has(env, "BATON_TEST_INHERITED=yes"));
    assert_true(has(env, "GREETING=hello"));
    assert_true(has(env, "AWS_LAMBDA_FUNCTION_NAME=fn"));
    assert_true(has(env, "AWS_LAMBDA_FUNCTION_VERSION=$LATEST"));
    assert_true(has(env, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128"));
    assert_true(has(env, "AWS_LAMBDA_FUNCTION_TIMEOUT=7"));
    assert_true(has(env, "AWS_REGION=us-east-1"));
    assert_true(has(env, "AWS_DEFAULT_REGION=us-east-1"));
    assert_true(has(env, "AWS_LAMBDA_REQUEST_ID=req-1234"));
    size_t n = 0;
    while (env[n])
        n++;
    size_t inherited = 0;
    while (environ[inherited])
        inherited++;
    assert_int_equal(n, inherited + 1 + 7);
    free(env);
    eng_close(e);
    unsetenv("BATON_TEST_INHERITED");
}

int main(void)
{
    /* As baton does (cli_main.c): a process that leaves its input unread
     * makes the write fail with EPIPE, not kill us. */
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inherits_only_stdio),
        cmocka_unit_test(test_small_and_empty_input),
        cmocka_unit_test(test_large_input),
        cmocka_unit_test(test_unread_input),
        cmocka_unit_test(test_call_environment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
