/*
 * Function call benchmarks (not tests): what a Task's function call costs
 * against the raw limits of the machine, measured in the same run.
 *
 *   bench_calls raw-spawn N   posix_spawn /bin/cat, write {} to its stdin,
 *                             read its stdout to EOF, waitpid — N times
 *   bench_calls raw-pipe N    one running /bin/cat: write a line, read it
 *                             back — N round trips
 *   bench_calls task N DB     a Map over N items, one at a time
 *                             (MaxConcurrency 1), each a Task calling the
 *                             function "cat" (/bin/cat, process per call);
 *                             the whole execution durable in DB
 *   bench_calls warm N DB BOOTSTRAP
 *                             the same Map calling a warm function whose
 *                             code directory holds BOOTSTRAP (an echo
 *                             runtime, bench/warm/bootstrap.c)
 *
 * Each prints the microseconds per call; bench/calls.sh runs them side by
 * side and prints the ratios.
 */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine.h"
#include "server/server.h"

extern char **environ;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    fprintf(stderr, "bench_calls: %s: %s\n", what, strerror(errno));
    exit(2);
}

/* Starts /bin/cat with its stdin and stdout on pipes: *to writes to it,
 * *from reads from it. */
static pid_t spawn_cat(int *to, int *from)
{
    char *argv[] = {"/bin/cat", NULL};
    int in[2], out[2];
    if (pipe(in) || pipe(out))
        die("pipe");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addclose(&fa, in[1]);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    pid_t pid;
    if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0)
        die("posix_spawn");
    posix_spawn_file_actions_destroy(&fa);
    close(in[0]);
    close(out[1]);
    *to = in[1];
    *from = out[0];
    return pid;
}

/* One process per call, as lean as the C library allows. */
static void raw_spawn(long n)
{
    char buf[64];
    double t0 = now_s();
    for (long i = 0; i < n; i++) {
        int to, from;
        pid_t pid = spawn_cat(&to, &from);
        if (write(to, "{}", 2) != 2)
            die("write");
        close(to);
        while (read(from, buf, sizeof buf) > 0)
            ;
        close(from);
        int st;
        waitpid(pid, &st, 0);
    }
    double dt = now_s() - t0;
    printf("raw-spawn: %ld calls in %.3f s: %.1f us per call\n", n, dt,
           dt / (double)n * 1e6);
}

/* Round trips to a process that is already running. */
static void raw_pipe(long n)
{
    int in1, out0;
    pid_t pid = spawn_cat(&in1, &out0);
    char buf[64];
    double t0 = now_s();
    for (long i = 0; i < n; i++) {
        if (write(in1, "{}\n", 3) != 3)
            die("write");
        size_t got = 0;
        while (got < 3) {
            ssize_t r = read(out0, buf + got, sizeof buf - got);
            if (r <= 0)
                die("read");
            got += (size_t)r;
        }
    }
    double dt = now_s() - t0;
    close(in1);
    close(out0);
    int st;
    waitpid(pid, &st, 0);
    printf("raw-pipe: %ld round trips in %.3f s: %.1f us per call\n", n, dt,
           dt / (double)n * 1e6);
}

static const char task_definition[] =
    "{\"StartAt\":\"M\",\"States\":{\"M\":{\"Type\":\"Map\","
    "\"MaxConcurrency\":1,\"ItemsPath\":\"$.items\",\"ItemProcessor\":{"
    "\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\",\"Resource\":"
    "\"arn:aws:lambda:us-east-1:123456789012:function:cat\",\"End\":true}}},"
    "\"ResultSelector\":{\"n.$\":\"States.ArrayLength($)\"},\"End\":true}}}";

/* Registers "cat": /bin/cat per call, or a warm function whose code
 * directory holds bootstrap (when bootstrap is not NULL). */
static int register_cat(eng *e, const char *bootstrap, char **err)
{
    if (!bootstrap)
        return eng_function_set(e, "cat", "/bin/cat", err);
    static char dir[] = "/tmp/baton-bench-warm-XXXXXX";
    if (!mkdtemp(dir))
        die("mkdtemp");
    char link[64];
    snprintf(link, sizeof link, "%s/bootstrap", dir);
    if (symlink(bootstrap, link) != 0)
        die("symlink");
    eng_function_config cfg = {0};
    cfg.command = "";
    cfg.runtime = "lambda";
    cfg.code_dir = dir;
    cfg.handler = "echo";
    cfg.timeout_s = 30;
    return eng_function_create(e, "cat", &cfg, err);
}

static void task(long n, const char *db, const char *bootstrap)
{
    if (strcmp(db, ":memory:"))
        unlink(db);
    eng_opts o = {db, NULL, NULL, 0, true, 0, 0};
    eng *e = NULL;
    char *err = NULL, *machine = NULL, *exec = NULL;
    sl_diags d;
    sl_diags_init(&d);
    srv_runtime *rt = NULL;
    if (eng_open(&o, &e, &err) || register_cat(e, bootstrap, &err) ||
        eng_machine_put(e, "calls", task_definition, SL_MACHINE_STANDARD,
                        &machine, &d, &err)) {
        fprintf(stderr, "bench_calls: %s\n", err ? err : "setup failed");
        exit(2);
    }
    if (bootstrap) {
        eng_async_open(e);
        if (srv_runtime_start(e, &rt, &err) != 0) {
            fprintf(stderr, "bench_calls: %s\n", err);
            exit(2);
        }
    }
    bt_buf in;
    bt_buf_init(&in);
    bt_buf_puts(&in, "{\"items\":[");
    for (long i = 0; i < n; i++)
        bt_buf_printf(&in, "%s{\"i\":%ld}", i ? "," : "", i);
    bt_buf_puts(&in, "]}");
    double t0 = now_s();
    if (eng_execution_start(e, machine, NULL, in.data, &exec, &err) != 0 ||
        eng_run_until_done(e, exec, false) != 0) {
        fprintf(stderr, "bench_calls: %s\n", err ? err : "run failed");
        exit(2);
    }
    double dt = now_s() - t0;
    json_object *desc = eng_execution_describe(e, exec), *st;
    json_object_object_get_ex(desc, "status", &st);
    printf("%s: %ld calls in %.3f s: %.1f us per call (%s)\n",
           bootstrap ? "warm" : "task", n, dt, dt / (double)n * 1e6,
           json_object_get_string(st));
    json_object_put(desc);
    bt_buf_fini(&in);
    free(machine);
    free(exec);
    sl_diags_fini(&d);
    if (rt) {
        srv_runtime_close_door(rt);
        eng_async_close(e);
        srv_runtime_stop(rt);
    }
    eng_close(e);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fputs("usage: bench_calls raw-spawn|raw-pipe N | task N DB | warm N DB "
              "BOOTSTRAP\n",
              stderr);
        return 2;
    }
    long n = strtol(argv[2], NULL, 10);
    if (!strcmp(argv[1], "raw-spawn"))
        raw_spawn(n);
    else if (!strcmp(argv[1], "raw-pipe"))
        raw_pipe(n);
    else if (!strcmp(argv[1], "task") && argc > 3)
        task(n, argv[3], NULL);
    else if (!strcmp(argv[1], "warm") && argc > 4)
        task(n, argv[3], argv[4]);
    else
        return 2;
    return 0;
}
