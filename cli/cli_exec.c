/*
 * Commands that read or steer stored executions: list, describe, history,
 * stop, resume. EXECUTION is a name or an ARN; --json prints AWS's shapes.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "server/server.h"

typedef struct exec_opts {
    const char *db;
    const char *exec;
    const char *error;
    const char *cause;
    bool json;
    const char **functions;
    size_t nfunctions;
    int64_t max_concurrency;
    int64_t max_events;
} exec_opts;

static const char usage[] =
    "usage: baton list [--db PATH] [--json]\n"
    "       baton describe EXECUTION [--db PATH] [--json]\n"
    "       baton history EXECUTION [--db PATH] [--json]\n"
    "       baton stop EXECUTION [--error E] [--cause C] [--db PATH]\n"
    "       baton resume [--db PATH] [--function NAME=COMMAND]...\n"
    "                    [--max-concurrency N] [--max-history-events N]\n"
    "\n"
    "EXECUTION is an execution name or ARN. --json prints AWS's\n"
    "ListExecutions / DescribeExecution / GetExecutionHistory shapes.\n"
    "resume continues every unfinished execution in the database to its\n"
    "end (functions are given again with --function).\n";

static int parse(int argc, char **argv, bool wants_exec, exec_opts *o)
{
    o->functions = calloc((size_t)argc, sizeof *o->functions);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool more = i + 1 < argc;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage, stdout);
            return -1;
        } else if (!strcmp(a, "--json")) {
            o->json = true;
        } else if (!strcmp(a, "--db") && more) {
            o->db = argv[++i];
        } else if (!strcmp(a, "--error") && more) {
            o->error = argv[++i];
        } else if (!strcmp(a, "--cause") && more) {
            o->cause = argv[++i];
        } else if (!strcmp(a, "--function") && more) {
            o->functions[o->nfunctions++] = argv[++i];
        } else if (!strcmp(a, "--max-concurrency") && more) {
            if (!cli_concurrency_arg(argv[0], argv[++i], &o->max_concurrency))
                return CLI_EXIT_USAGE;
        } else if (!strcmp(a, "--max-history-events") && more) {
            if (!cli_history_events_arg(argv[0], argv[++i], &o->max_events))
                return CLI_EXIT_USAGE;
        } else if (a[0] == '-' && a[1]) {
            cli_error("%s: unknown or incomplete option '%s'", argv[0], a);
            return CLI_EXIT_USAGE;
        } else if (wants_exec && !o->exec) {
            o->exec = a;
        } else {
            cli_error("%s: unexpected argument '%s'", argv[0], a);
            return CLI_EXIT_USAGE;
        }
    }
    if (wants_exec && !o->exec) {
        cli_error("%s: no EXECUTION given", argv[0]);
        fputs(usage, stderr);
        return CLI_EXIT_USAGE;
    }
    return 0;
}

static eng *open_engine(const exec_opts *o)
{
    eng_opts eo = {
        o->db ? o->db : "baton.db", NULL, NULL, 0, false, o->max_events,
        o->max_concurrency};
    eng *e = NULL;
    char *err = NULL;
    if (eng_open(&eo, &e, &err) != 0) {
        cli_error("%s", err);
        free(err);
        return NULL;
    }
    return e;
}

static const char *str(json_object *o, const char *k)
{
    json_object *v;
    return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v)
                                               : NULL;
}

static void print_describe(json_object *d)
{
    static const char *const keys[] = {"name",      "executionArn", "status",
                                       "startDate", "stopDate",     "input",
                                       "output",    "error",        "cause"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (str(d, keys[i]))
            printf("%-13s %s\n", keys[i], str(d, keys[i]));
}

static void print_history(json_object *events)
{
    for (size_t i = 0; i < json_object_array_length(events); i++) {
        json_object *ev = json_object_array_get_idx(events, i), *name = NULL;
        json_object_object_foreach(ev, k, v)
        {
            if (strstr(k, "EventDetails") &&
                json_object_object_get_ex(v, "name", &name))
                break;
        }
        printf("%4s  %-28s %s\n", str(ev, "id"), str(ev, "type"),
               name ? json_object_get_string(name) : "");
    }
}

static int cmd_read(const char *cmd, const exec_opts *o, eng *e)
{
    json_object *r;
    if (!strcmp(cmd, "list"))
        r = eng_execution_list(e);
    else if (!strcmp(cmd, "describe"))
        r = eng_execution_describe(e, o->exec);
    else
        r = eng_execution_history(e, o->exec);
    if (!r) {
        cli_error("%s: Execution Does Not Exist: '%s'", cmd, o->exec);
        return CLI_EXIT_FAILED;
    }
    if (o->json) {
        json_object *w = json_object_new_object();
        json_object_object_add(w,
                               !strcmp(cmd, "list")      ? "executions"
                               : !strcmp(cmd, "history") ? "events"
                                                         : "execution",
                               json_object_get(r));
        puts(bt_json_compact(!strcmp(cmd, "describe") ? r : w));
        json_object_put(w);
    } else if (!strcmp(cmd, "list")) {
        for (size_t i = 0; i < json_object_array_length(r); i++) {
            json_object *x = json_object_array_get_idx(r, i);
            printf("%-10s %-36s %s\n", str(x, "status"), str(x, "name"),
                   str(x, "executionArn"));
        }
    } else if (!strcmp(cmd, "describe")) {
        print_describe(r);
    } else {
        print_history(r);
    }
    json_object_put(r);
    return CLI_EXIT_OK;
}

static int cmd_resume(const exec_opts *o, eng *e)
{
    char *err = NULL;
    if (cli_functions_bind(e, "resume", o->functions, o->nfunctions) != 0)
        return CLI_EXIT_USAGE;
    srv_runtime *rt = NULL;
    if (cli_runtime_begin(e, "resume", &rt) != 0)
        return CLI_EXIT_FAILED;
    int rc = CLI_EXIT_OK;
    if (eng_resume_all(e, &err) != 0) {
        cli_error("resume: %s", err ? err : "failed");
        free(err);
        rc = CLI_EXIT_FAILED;
    }
    cli_runtime_end(e, rt);
    return rc;
}

int cli_exec_main(int argc, char **argv)
{
    const char *cmd = argv[0];
    exec_opts o;
    memset(&o, 0, sizeof o);
    o.max_events = ENG_HISTORY_EVENTS_AWS;
    bool wants_exec = !strcmp(cmd, "describe") || !strcmp(cmd, "history") ||
                      !strcmp(cmd, "stop");
    int rc = parse(argc, argv, wants_exec, &o);
    eng *e = rc == 0 ? open_engine(&o) : NULL;
    if (rc == 0 && !e)
        rc = CLI_EXIT_USAGE;
    if (rc == 0 && !strcmp(cmd, "resume")) {
        rc = cmd_resume(&o, e);
    } else if (rc == 0 && !strcmp(cmd, "stop")) {
        char *err = NULL;
        if (eng_execution_stop(e, o.exec, o.error, o.cause, &err) != 0) {
            cli_error("stop: %s", err);
            rc = CLI_EXIT_FAILED;
        }
        free(err);
    } else if (rc == 0) {
        rc = cmd_read(cmd, &o, e);
    }
    eng_close(e);
    free(o.functions);
    return rc < 0 ? CLI_EXIT_OK : rc;
}
