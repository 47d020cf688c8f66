/*
 * Function call benchmarks (not tests): what a Task's function call costs
 * against the raw limits of the machine, measured in the same run.
 *
 *   bench_calls raw-spawn N   posix_spawn /bin/cat, write {} to its stdin,
 *                             read its stdout to EOF, waitpid — N times
 *   bench_calls raw-spawn-full N
 *                             raw-spawn as Baton starts a function: stderr
 *                             on a third pipe too, its own session, every
 *                             signal at its default (like for like; not
 *                             the target's reference)
 *   bench_calls proc N        Baton's process layer alone (run_proc on a
 *                             bare libuv loop, the function's environment,
 *                             a timeout armed): no workflow, no store
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
 *   bench_calls invoke N BOOTSTRAP
 *                             the same warm function called N times in a
 *                             row through the Invoke API (eng_function_
 *                             invoke, RequestResponse): Baton's Runtime API
 *                             without a workflow around the call
 *   bench_calls http N BOOTSTRAP
 *                             BOOTSTRAP against a trivial Runtime API (this
 *                             process, one blocking thread, TCP_NODELAY):
 *                             N exchanges of GET next + POST response, the
 *                             floor for any Runtime API over loopback TCP
 *
 * Each prints the microseconds per call; bench/calls.sh runs them side by
 * side and prints the ratios.
 */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/eng_int.h"
#include "engine/engine.h"
#include "server/server.h"

#include "raw_http.h"

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

/* raw_spawn with what run_proc.c adds in the child: a stderr pipe, its
 * own session, default signal dispositions and an empty signal mask. */
static void raw_spawn_full(long n)
{
    char *argv[] = {"/bin/cat", NULL};
    char buf[64];
    sigset_t none, all;
    sigemptyset(&none);
    memset(&all, 0xff, sizeof all);
    sigdelset(&all, SIGKILL);
    sigdelset(&all, SIGSTOP);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID |
                                        POSIX_SPAWN_SETSIGMASK |
                                        POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    double t0 = now_s();
    for (long i = 0; i < n; i++) {
        int in[2], out[2], err[2];
        if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) ||
            pipe2(err, O_CLOEXEC))
            die("pipe");
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, in[0], 0);
        posix_spawn_file_actions_adddup2(&fa, out[1], 1);
        posix_spawn_file_actions_adddup2(&fa, err[1], 2);
        pid_t pid;
        if (posix_spawn(&pid, argv[0], &fa, &attr, argv, environ) != 0)
            die("posix_spawn");
        posix_spawn_file_actions_destroy(&fa);
        close(in[0]);
        close(out[1]);
        close(err[1]);
        if (write(in[1], "{}", 2) != 2)
            die("write");
        close(in[1]);
        while (read(out[0], buf, sizeof buf) > 0)
            ;
        while (read(err[0], buf, sizeof buf) > 0)
            ;
        close(out[0]);
        close(err[0]);
        int st;
        waitpid(pid, &st, 0);
    }
    double dt = now_s() - t0;
    posix_spawnattr_destroy(&attr);
    printf("raw-spawn-full: %ld calls in %.3f s: %.1f us per call\n", n, dt,
           dt / (double)n * 1e6);
}

/* Baton's process layer without the workflow: run_proc_start of /bin/cat
 * from the previous call's done, on a bare loop. */
typedef struct proc_run {
    run_reaper *r;
    char **env;
    long left;
} proc_run;

static void proc_one(proc_run *v);

static void on_proc_done(run_proc_result *res, void *ud)
{
    proc_run *v = ud;
    if (res->exit_status != 0 || res->term_signal || res->out_len != 2) {
        fprintf(stderr, "bench_calls: proc: exit %d signal %d\n",
                (int)res->exit_status, res->term_signal);
        exit(2);
    }
    if (--v->left > 0)
        proc_one(v);
}

static void proc_one(proc_run *v)
{
    char *argv[] = {"/bin/cat", NULL}, *err = NULL;
    run_proc *p;
    if (run_proc_start(v->r, argv, v->env, NULL, "{}", 2, 3000, 1 << 20,
                       on_proc_done, NULL, v, &p, &err) != 0) {
        fprintf(stderr, "bench_calls: proc: %s\n", err);
        exit(2);
    }
}

static void proc(long n)
{
    eng_opts o = {":memory:", NULL, NULL, 0, true, 0, 0};
    eng *e = NULL;
    char *err = NULL;
    if (eng_open(&o, &e, &err) ||
        eng_function_set(e, "cat", "/bin/cat", &err)) {
        fprintf(stderr, "bench_calls: %s\n", err ? err : "setup failed");
        exit(2);
    }
    uv_loop_t loop;
    uv_loop_init(&loop);
    proc_run v = {run_reaper_new(&loop), NULL, n};
    /* The environment a call gets (eng_call.c). */
    v.env = eng__function_env(e, eng__function_find(e, "cat"), "req");
    double t0 = now_s();
    proc_one(&v);
    uv_run(&loop, UV_RUN_DEFAULT);
    double dt = now_s() - t0;
    printf("proc: %ld calls in %.3f s: %.1f us per call\n", n, dt,
           dt / (double)n * 1e6);
    free(v.env);
    run_reaper_free(v.r);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    eng_close(e);
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

/* ---- Baton's Runtime API without a workflow --------------------------- */

typedef struct invoke_run {
    eng *e;
    long left; /* calls still to make, the first one a cold start */
    long n;
    double t0, t1;
    volatile sig_atomic_t stop;
} invoke_run;

static void invoke_one(invoke_run *v);

static void on_invoked(void *arg, const eng_invoke_result *r)
{
    invoke_run *v = arg;
    if (r->status != 200 || r->function_error) {
        fprintf(stderr, "bench_calls: invoke: %d %.*s\n", r->status,
                (int)r->len, r->body);
        exit(2);
    }
    if (--v->left == v->n) /* the cold start is not counted */
        v->t0 = now_s();
    if (v->left == 0) {
        v->t1 = now_s();
        v->stop = 1;
        return;
    }
    invoke_one(v);
}

static void invoke_one(invoke_run *v)
{
    char payload[32], *err = NULL;
    snprintf(payload, sizeof payload, "{\"i\":%ld}", v->left);
    if (eng_function_invoke(v->e, "cat", payload, ENG_INVOKE_SYNC, on_invoked,
                            v, &err) != 0) {
        fprintf(stderr, "bench_calls: invoke: %s\n", err);
        exit(2);
    }
}

static void invoke(long n, const char *bootstrap)
{
    eng_opts o = {":memory:", NULL, NULL, 0, true, 0, 0};
    invoke_run v = {0};
    char *err = NULL;
    srv_runtime *rt = NULL;
    if (eng_open(&o, &v.e, &err) || register_cat(v.e, bootstrap, &err) ||
        eng_async_open(v.e) || srv_runtime_start(v.e, &rt, &err)) {
        fprintf(stderr, "bench_calls: %s\n", err ? err : "setup failed");
        exit(2);
    }
    v.n = n;
    v.left = n + 1;
    invoke_one(&v);
    eng_serve(v.e, &v.stop);
    double dt = v.t1 - v.t0;
    printf("invoke: %ld calls in %.3f s: %.1f us per call\n", n, dt,
           dt / (double)n * 1e6);
    srv_runtime_close_door(rt);
    eng_async_close(v.e);
    srv_runtime_stop(rt);
    eng_close(v.e);
}

/* ---- a trivial Runtime API: the floor ---------------------------------- */

/* Reads one request (head and Content-Length body); -1 at EOF. */
static int read_request(raw_conn *c)
{
    char *body;
    size_t n;
    if (raw_http_read(c, &body, &n) != 0)
        return -1;
    raw_http_drop(c);
    return 0;
}

static void send_all(int fd, const char *p, size_t n)
{
    if (raw_send_all(fd, p, n) != 0)
        die("send");
}

/* One call: the worker's parked GET is answered with an event, its POST
 * with 202 (Baton's headers, without Date). */
static void serve_call(raw_conn *c, long i)
{
    char resp[1024], body[32];
    int bl = snprintf(body, sizeof body, "{\"i\":%ld}", i);
    if (read_request(c) != 0)
        die("worker gone");
    int n = snprintf(
        resp, sizeof resp,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        "Lambda-Runtime-Aws-Request-Id: 8476a536-e9f4-11e8-9739-%012ld\r\n"
        "Lambda-Runtime-Deadline-Ms: 1542409706888\r\n"
        "Lambda-Runtime-Invoked-Function-Arn: "
        "arn:aws:lambda:us-east-1:123456789012:function:cat\r\n"
        "Lambda-Runtime-Trace-Id: Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;"
        "Parent=9a9197af755a6419;Sampled=0\r\n"
        "Content-Length: %d\r\n\r\n%s",
        i, bl, body);
    send_all(c->fd, resp, (size_t)n);
    if (read_request(c) != 0)
        die("worker gone");
    static const char accepted[] =
        "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\n"
        "Content-Length: 15\r\n\r\n{\"status\":\"OK\"}";
    send_all(c->fd, accepted, sizeof accepted - 1);
}

static void http_floor(long n, const char *bootstrap)
{
    int lfd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, len) || listen(lfd, 1) ||
        getsockname(lfd, (struct sockaddr *)&sa, &len))
        die("listen");
    char api[32];
    snprintf(api, sizeof api, "127.0.0.1:%d", ntohs(sa.sin_port));
    setenv("AWS_LAMBDA_RUNTIME_API", api, 1);
    char *argv[] = {(char *)bootstrap, NULL};
    pid_t pid;
    if (posix_spawn(&pid, bootstrap, NULL, NULL, argv, environ) != 0)
        die("posix_spawn");
    static raw_conn c;
    c.fd = accept(lfd, NULL, NULL);
    if (c.fd < 0 ||
        setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one))
        die("accept");
    serve_call(&c, 0); /* connection set up, code paged in */
    double t0 = now_s();
    for (long i = 1; i <= n; i++)
        serve_call(&c, i);
    double dt = now_s() - t0;
    printf("http: %ld calls in %.3f s: %.1f us per call\n", n, dt,
           dt / (double)n * 1e6);
    close(c.fd);
    close(lfd);
    kill(pid, SIGTERM);
    int st;
    waitpid(pid, &st, 0);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fputs("usage: bench_calls raw-spawn|raw-spawn-full|proc|raw-pipe N | "
              "task N DB | warm N DB BOOTSTRAP | invoke|http N BOOTSTRAP\n",
              stderr);
        return 2;
    }
    long n = strtol(argv[2], NULL, 10);
    if (!strcmp(argv[1], "raw-spawn"))
        raw_spawn(n);
    else if (!strcmp(argv[1], "raw-spawn-full"))
        raw_spawn_full(n);
    else if (!strcmp(argv[1], "proc"))
        proc(n);
    else if (!strcmp(argv[1], "raw-pipe"))
        raw_pipe(n);
    else if (!strcmp(argv[1], "task") && argc > 3)
        task(n, argv[3], NULL);
    else if (!strcmp(argv[1], "warm") && argc > 4)
        task(n, argv[3], argv[4]);
    else if (!strcmp(argv[1], "invoke") && argc > 3)
        invoke(n, argv[3]);
    else if (!strcmp(argv[1], "http") && argc > 3)
        http_floor(n, argv[3]);
    else
        return 2;
    return 0;
}
