/*
 * `baton serve`: opens the engine, continues unfinished executions and
 * serves the AWS Step Functions API over HTTP until SIGINT or SIGTERM.
 * Shutdown answers the requests already received; executions stay in the
 * database and continue at the next start.
 */
#include "cli/cli.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/engine.h"
#include "server/server.h"

static const char usage[] =
    "usage: baton serve [--db PATH] [--listen HOST:PORT] [--region R]\n"
    "                   [--account A] [--function NAME=COMMAND]... "
    "[--quiet]\n"
    "                   [--poll-timeout SECONDS] [--max-concurrency N]\n"
    "\n"
    "Serves the AWS Step Functions API (AWS JSON 1.0: POST / with\n"
    "X-Amz-Target) for the AWS CLI and SDKs (--endpoint-url), and plain\n"
    "REST routes under /v1/ for curl (docs/rest-api.md).\n"
    "\n"
    "  --db PATH        database (default ./baton.db)\n"
    "  --listen H:P     IPv4 address and port (default 127.0.0.1:8083;\n"
    "                   port 0 picks a free one, logged at start)\n"
    "  --region R       region in ARNs (default us-east-1)\n"
    "  --account A      account id in ARNs (default 123456789012)\n"
    "  --function N=C   bind function N to command line C for Task states\n"
    "  --quiet          no per-request log lines\n"
    "  --poll-timeout S how long GetActivityTask waits for a task\n"
    "                   (default 60, as AWS)\n" CLI_CONCURRENCY_HELP "\n"
    "Stops on SIGINT or SIGTERM; unfinished executions continue at the\n"
    "next start.\n";

/* Set by the signal handler, read by the loop (eng_serve). */
static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

typedef struct serve_opts {
    const char *db, *listen, *region, *account;
    const char **functions;
    size_t nfunctions;
    bool quiet;
    int64_t poll_timeout_s;
    int64_t max_concurrency;
} serve_opts;

static int parse(int argc, char **argv, serve_opts *o)
{
    o->functions = calloc((size_t)argc, sizeof *o->functions);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool more = i + 1 < argc;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage, stdout);
            return -1;
        } else if (!strcmp(a, "--quiet")) {
            o->quiet = true;
        } else if (!strcmp(a, "--db") && more) {
            o->db = argv[++i];
        } else if (!strcmp(a, "--listen") && more) {
            o->listen = argv[++i];
        } else if (!strcmp(a, "--region") && more) {
            o->region = argv[++i];
        } else if (!strcmp(a, "--account") && more) {
            o->account = argv[++i];
        } else if (!strcmp(a, "--poll-timeout") && more) {
            char *end;
            long long v = strtoll(argv[++i], &end, 10);
            if (*end || v < 1 || v > 3600) {
                cli_error("serve: --poll-timeout %s: expected whole seconds "
                          "from 1 to 3600",
                          argv[i]);
                return CLI_EXIT_USAGE;
            }
            o->poll_timeout_s = v;
        } else if (!strcmp(a, "--max-concurrency") && more) {
            if (!cli_concurrency_arg("serve", argv[++i], &o->max_concurrency))
                return CLI_EXIT_USAGE;
        } else if (!strcmp(a, "--function") && more) {
            o->functions[o->nfunctions++] = argv[++i];
        } else {
            cli_error("serve: unknown or incomplete option '%s'", a);
            fputs(usage, stderr);
            return CLI_EXIT_USAGE;
        }
    }
    return 0;
}

static void log_line(const char *level, const char *msg, const char *extra)
{
    char ts[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    fprintf(stderr, "ts=%s level=%s msg=\"%s\"%s%s\n", ts, level, msg,
            extra ? " " : "", extra ? extra : "");
}

static void catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* Serves until a signal; returns the exit code. */
static int serve(eng *e, const serve_opts *o)
{
    char *err = NULL;
    srv *s = NULL;
    eng_async_open(e);
    if (eng_resume_start(e, &err) != 0) {
        cli_error("serve: %s", err ? err : "cannot resume executions");
        free(err);
        eng_async_close(e);
        return CLI_EXIT_FAILED;
    }
    srv_opts so = {o->listen, o->quiet, o->poll_timeout_s};
    if (srv_start(e, &so, &s, &err) != 0) {
        cli_error("serve: %s", err);
        free(err);
        eng_async_close(e);
        return CLI_EXIT_USAGE;
    }
    char extra[128];
    snprintf(extra, sizeof extra, "listen=%s port=%u",
             o->listen ? o->listen : "127.0.0.1:8083", (unsigned)srv_port(s));
    log_line("info", "serving", extra);
    eng_serve(e, &stop_flag);
    log_line("info", "stopping", NULL);
    srv_close_door(s);
    eng_async_close(e);
    srv_stop(s);
    log_line("info", "stopped", NULL);
    return CLI_EXIT_OK;
}

int cli_serve_main(int argc, char **argv)
{
    serve_opts o;
    memset(&o, 0, sizeof o);
    int rc = parse(argc, argv, &o);
    if (rc != 0) {
        free(o.functions);
        return rc < 0 ? CLI_EXIT_OK : rc;
    }
    catch_signals();
    eng_opts eo = {
        o.db ? o.db : "baton.db", o.region,         o.account, 0, false,
        ENG_HISTORY_EVENTS_AWS,   o.max_concurrency};
    eng *e = NULL;
    char *err = NULL;
    if (eng_open(&eo, &e, &err) != 0) {
        cli_error("serve: %s", err);
        free(err);
        free(o.functions);
        return CLI_EXIT_USAGE;
    }
    rc = cli_functions_bind(e, "serve", o.functions, o.nfunctions);
    if (rc == 0)
        rc = serve(e, &o);
    eng_close(e);
    free(o.functions);
    return rc;
}
