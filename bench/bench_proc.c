/*
 * Whole-process runs (not a test): starts a command RUNS times, one after
 * the other, with its standard output on /dev/null, and prints one JSON
 * line with the median wall time from spawn to exit and the largest peak
 * RSS any run reached (wait4's rusage of that child alone). Every run must
 * exit 0, or the figures would be of something else. bench/peers.sh
 * drives it with `baton run` and with `node` running a peer.
 *
 *   bench_proc RUNS COMMAND [ARG...]
 */
#define _DEFAULT_SOURCE /* wait4 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Runs argv once; returns its wall time in seconds and its peak RSS. */
static double run_once(char **argv, long *max_rss_kib)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY,
                                     0);
    pid_t pid;
    double t0 = now_s();
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        fprintf(stderr, "bench_proc: cannot start %s\n", argv[0]);
        exit(2);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid) {
        perror("bench_proc: wait4");
        exit(2);
    }
    double dt = now_s() - t0;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench_proc: %s did not exit 0\n", argv[0]);
        exit(1);
    }
    if (ru.ru_maxrss > *max_rss_kib)
        *max_rss_kib = ru.ru_maxrss;
    return dt;
}

int main(int argc, char **argv)
{
    long runs = argc > 2 ? strtol(argv[1], NULL, 10) : 0;
    if (runs < 1 || runs > 100000) {
        fprintf(stderr, "usage: bench_proc RUNS COMMAND [ARG...]\n");
        return 2;
    }
    double *t = calloc((size_t)runs, sizeof *t);
    if (!t)
        abort();
    long max_rss_kib = 0;
    for (long i = 0; i < runs; i++)
        t[i] = run_once(argv + 2, &max_rss_kib);
    qsort(t, (size_t)runs, sizeof *t, cmp_double);
    printf("{\"runs\":%ld,\"seconds\":%.6f,\"max_rss_kib\":%ld,"
           "\"status\":\"SUCCEEDED\"}\n",
           runs, t[runs / 2], max_rss_kib);
    free(t);
    return 0;
}
