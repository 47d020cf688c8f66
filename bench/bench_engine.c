/*
 * Engine benchmarks (not tests): transitions per second of a 100-state Pass
 * chain, in memory and with the database on disk, and Map throughput.
 * Prints one line per workload; bench/run.sh drives it.
 *
 *   bench_engine chain EXECUTIONS DB      (DB ":memory:" or a file path)
 *   bench_engine map ITEMS DB
 *   bench_engine def FILE INPUT_FILE EXECUTIONS DB
 *
 * The def mode runs EXECUTIONS executions of the definition in FILE (one
 * of bench/workloads/) with the input in INPUT_FILE, all started before
 * the loop runs them, and prints one JSON line for bench/peers.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *chain_definition(int states)
{
    bt_buf b;
    bt_buf_init(&b);
    bt_buf_puts(&b, "{\"StartAt\":\"S0\",\"States\":{");
    for (int i = 0; i < states; i++) {
        bt_buf_printf(&b, "%s\"S%d\":{\"Type\":\"Pass\",", i ? "," : "", i);
        if (i + 1 < states)
            bt_buf_printf(&b, "\"Next\":\"S%d\"}", i + 1);
        else
            bt_buf_puts(&b, "\"End\":true}");
    }
    bt_buf_puts(&b, "}}");
    return bt_buf_take(&b);
}

static const char map_definition[] =
    "{\"StartAt\":\"M\",\"States\":{\"M\":{\"Type\":\"Map\","
    "\"MaxConcurrency\":0,\"ItemsPath\":\"$.items\",\"ItemProcessor\":{"
    "\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"End\":true}}},"
    "\"ResultSelector\":{\"n.$\":\"States.ArrayLength($)\"},\"End\":true}}}";

/* payload_limit 0: AWS's 256 KiB. */
static eng *open_db(const char *db, size_t payload_limit)
{
    if (strcmp(db, ":memory:"))
        unlink(db);
    eng_opts o = {db, NULL, NULL, payload_limit, true, 0, 0};
    eng *e = NULL;
    char *err = NULL;
    if (eng_open(&o, &e, &err) != 0) {
        fprintf(stderr, "bench: %s\n", err);
        exit(2);
    }
    return e;
}

static char *put(eng *e, const char *name, const char *def)
{
    sl_diags d;
    sl_diags_init(&d);
    char *arn = NULL, *err = NULL;
    if (eng_machine_put(e, name, def, SL_MACHINE_STANDARD, &arn, &d, &err)) {
        fprintf(stderr, "bench: invalid definition\n");
        exit(2);
    }
    sl_diags_fini(&d);
    return arn;
}

static long max_rss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static void start(eng *e, const char *machine, int i, const char *input)
{
    char name[32], *arn = NULL, *err = NULL;
    snprintf(name, sizeof name, "b%d", i);
    if (eng_execution_start(e, machine, name, input, &arn, &err) != 0) {
        fprintf(stderr, "bench: %s\n", err);
        exit(2);
    }
    free(arn);
}

static void bench_chain(int executions, const char *db)
{
    eng *e = open_db(db, 0);
    char *def = chain_definition(100);
    char *machine = put(e, "chain", def);
    double t0 = now_s();
    for (int i = 0; i < executions; i++)
        start(e, machine, i, "{\"x\":1}");
    eng_run_all(e);
    double dt = now_s() - t0;
    /* 100 states: 100 transitions per execution. */
    double tps = (double)executions * 100.0 / dt;
    printf("chain100 db=%s executions=%d seconds=%.3f transitions_per_s=%.0f "
           "max_rss_kib=%ld\n",
           db, executions, dt, tps, max_rss_kib());
    free(machine);
    free(def);
    eng_close(e);
}

static void bench_map(int items, const char *db)
{
    eng *e = open_db(db, 0);
    char *machine = put(e, "map", map_definition);
    bt_buf in;
    bt_buf_init(&in);
    bt_buf_puts(&in, "{\"items\":[");
    for (int i = 0; i < items; i++)
        bt_buf_printf(&in, "%s%d", i ? "," : "", i);
    bt_buf_puts(&in, "]}");
    double t0 = now_s();
    start(e, machine, 0, in.data);
    eng_run_all(e);
    double dt = now_s() - t0;
    printf("map db=%s items=%d seconds=%.3f items_per_s=%.0f max_rss_kib=%ld\n",
           db, items, dt, (double)items / dt, max_rss_kib());
    bt_buf_fini(&in);
    free(machine);
    eng_close(e);
}

static char *read_or_die(const char *path)
{
    char *text = NULL;
    size_t len = 0;
    if (bt_file_read(path, (size_t)64 << 20, &text, &len) != 0) {
        fprintf(stderr, "bench: cannot read %s\n", path);
        exit(2);
    }
    return text;
}

static void bench_def(const char *file, const char *input_file, int executions,
                      const char *db)
{
    /* The Node peers have no payload limit; a Map over 100,000 items
     * outputs about 600 KB, over AWS's 256 KiB, so the limit is lifted to
     * run the same definition on all three. */
    eng *e = open_db(db, (size_t)64 << 20);
    char *def = read_or_die(file);
    char *input = read_or_die(input_file);
    char *machine = put(e, "def", def);
    double t0 = now_s();
    for (int i = 0; i < executions; i++)
        start(e, machine, i, input);
    eng_run_all(e);
    double dt = now_s() - t0;
    /* The last execution started is the last to end: its status tells
     * that the figures are of work that succeeded. */
    char last[32];
    snprintf(last, sizeof last, "b%d", executions - 1);
    json_object *d = eng_execution_describe(e, last), *status = NULL;
    const char *st = d && json_object_object_get_ex(d, "status", &status)
                         ? json_object_get_string(status)
                         : "UNKNOWN";
    printf("{\"executions\":%d,\"seconds\":%.6f,\"max_rss_kib\":%ld,"
           "\"status\":\"%s\"}\n",
           executions, dt, max_rss_kib(), st);
    json_object_put(d);
    free(machine);
    free(input);
    free(def);
    eng_close(e);
}

int main(int argc, char **argv)
{
    if (argc == 6 && !strcmp(argv[1], "def")) {
        bench_def(argv[2], argv[3], (int)strtol(argv[4], NULL, 10), argv[5]);
        return 0;
    }
    if (argc != 4) {
        fprintf(stderr, "usage: bench_engine chain|map COUNT DB\n"
                        "       bench_engine def FILE INPUT_FILE COUNT DB\n");
        return 2;
    }
    int n = (int)strtol(argv[2], NULL, 10);
    if (!strcmp(argv[1], "chain"))
        bench_chain(n, argv[3]);
    else
        bench_map(n, argv[3]);
    return 0;
}
