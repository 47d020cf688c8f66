/*
 * `baton function create|update|delete|list`: functions registered in the
 * database, used by every later `baton run`, `baton resume` (and the
 * server) on that database. Also the hidden `__exec-limited` helper that
 * applies a function's memory limit before executing it.
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "engine/engine.h"
#include "server/server.h"

static const char usage[] =
    "usage: baton function create NAME --command 'PROGRAM ARGS...'\n"
    "                      [--cwd DIR] [--env KEY=VALUE]... [--timeout S]\n"
    "                      [--memory MB] [--concurrency N] [--db PATH]\n"
    "       baton function create NAME --runtime lambda --code DIR\n"
    "                      --handler HANDLER [--idle-timeout S] [--env "
    "K=V]...\n"
    "                      [--timeout S] [--memory MB] [--concurrency N] "
    "[--db PATH]\n"
    "       baton function update NAME [the same options]\n"
    "       baton function delete NAME [--db PATH]\n"
    "       baton function list [--db PATH] [--json]\n"
    "\n"
    "A function is a program that reads an event (JSON) on standard input\n"
    "and prints its result (JSON) on standard output (docs/functions.md).\n"
    "Task states reach it by name: "
    "arn:aws:lambda:REGION:ACCOUNT:function:NAME\n"
    "or arn:aws:states:::lambda:invoke with FunctionName NAME.\n"
    "\n"
    "  --timeout S      seconds per call, 1..900 (default 3, as Lambda)\n"
    "  --memory MB      address-space limit, 128..10240 (default none)\n"
    "  --concurrency N  calls of this function at once (default no limit)\n"
    "\n"
    "--runtime lambda: DIR holds an executable `bootstrap` (a Lambda custom\n"
    "runtime); it runs as warm workers that fetch calls through the Lambda\n"
    "Runtime API, one call at a time each, reused between calls.\n"
    "  --code DIR       the deployment package (LAMBDA_TASK_ROOT)\n"
    "  --handler H      the handler (_HANDLER), e.g. index.handler\n"
    "  --idle-timeout S an idle worker stops after S seconds (default 300)\n";

static int64_t number(const char *s, bool *ok)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    *ok = *s && !*end && errno == 0;
    return v;
}

typedef struct fn_opts {
    const char *sub;
    const char *name;
    const char *db;
    bool json;
    eng_function_config cfg;
    const char **env;
    size_t nenv;
} fn_opts;

static int parse_option(fn_opts *o, char **argv, int *i, int argc)
{
    const char *a = argv[*i];
    const char *v = *i + 1 < argc ? argv[*i + 1] : NULL;
    bool ok = true;
    if (!strcmp(a, "--json")) {
        o->json = true;
        return 0;
    }
    if (!v) {
        cli_error("function: option '%s' needs a value", a);
        return CLI_EXIT_USAGE;
    }
    (*i)++;
    if (!strcmp(a, "--db"))
        o->db = v;
    else if (!strcmp(a, "--command"))
        o->cfg.command = v;
    else if (!strcmp(a, "--cwd"))
        o->cfg.cwd = v;
    else if (!strcmp(a, "--env") && strchr(v, '='))
        o->env[o->nenv++] = v;
    else if (!strcmp(a, "--timeout"))
        o->cfg.timeout_s = number(v, &ok);
    else if (!strcmp(a, "--memory"))
        o->cfg.memory_mb = number(v, &ok);
    else if (!strcmp(a, "--concurrency"))
        o->cfg.concurrency = number(v, &ok);
    else if (!strcmp(a, "--runtime"))
        o->cfg.runtime = v;
    else if (!strcmp(a, "--code"))
        o->cfg.code_dir = v;
    else if (!strcmp(a, "--handler"))
        o->cfg.handler = v;
    else if (!strcmp(a, "--idle-timeout"))
        o->cfg.idle_timeout_s = number(v, &ok);
    else
        ok = false;
    if (!ok) {
        cli_error("function: bad option or value '%s %s'", a, v);
        return CLI_EXIT_USAGE;
    }
    return 0;
}

static int parse(int argc, char **argv, fn_opts *o)
{
    o->cfg.timeout_s = o->cfg.memory_mb = o->cfg.concurrency = -1;
    o->cfg.idle_timeout_s = -1;
    o->env = calloc((size_t)argc + 1, sizeof *o->env);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage, stdout);
            return -1;
        }
        if (a[0] == '-' && a[1]) {
            int rc = parse_option(o, argv, &i, argc);
            if (rc)
                return rc;
        } else if (!o->sub) {
            o->sub = a;
        } else if (!o->name) {
            o->name = a;
        } else {
            cli_error("function: unexpected argument '%s'", a);
            return CLI_EXIT_USAGE;
        }
    }
    if (o->nenv)
        o->cfg.env = o->env;
    bool wants_name = o->sub && strcmp(o->sub, "list");
    if (!o->sub || (wants_name && !o->name)) {
        fputs(usage, stderr);
        return CLI_EXIT_USAGE;
    }
    return 0;
}

static void print_list(json_object *list, bool json)
{
    if (json) {
        json_object *w = json_object_new_object();
        json_object_object_add(w, "functions", json_object_get(list));
        puts(bt_json_compact(w));
        json_object_put(w);
        return;
    }
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        json_object *f = json_object_array_get_idx(list, i), *n, *c, *t;
        json_object_object_get_ex(f, "name", &n);
        json_object_object_get_ex(f, "command", &c);
        json_object_object_get_ex(f, "timeout", &t);
        printf("%-24s %3ss  %s\n", json_object_get_string(n),
               json_object_get_string(t), json_object_get_string(c));
    }
}

static int run(const fn_opts *o)
{
    eng_opts eo = {o->db ? o->db : "baton.db", NULL, NULL, 0, true, 0, 0};
    eng *e = NULL;
    char *err = NULL;
    int rc = eng_open(&eo, &e, &err);
    if (rc == 0) {
        if (!strcmp(o->sub, "create"))
            rc = o->cfg.command || o->cfg.runtime
                     ? eng_function_create(e, o->name, &o->cfg, &err)
                     : (err = bt_xstrdup("create needs --command or "
                                         "--runtime lambda"),
                        BT_EINVAL);
        else if (!strcmp(o->sub, "update"))
            rc = eng_function_update(e, o->name, &o->cfg, &err);
        else if (!strcmp(o->sub, "delete"))
            rc = eng_function_delete(e, o->name, &err);
        else if (!strcmp(o->sub, "list")) {
            json_object *list = eng_function_list(e);
            print_list(list, o->json);
            json_object_put(list);
        } else {
            err = bt_xasprintf("unknown subcommand '%s'", o->sub);
            rc = BT_EINVAL;
        }
    }
    if (rc != 0)
        cli_error("function: %s", err ? err : bt_strerror(rc));
    free(err);
    eng_close(e);
    return rc == 0                              ? CLI_EXIT_OK
           : rc == BT_EINVAL || rc == BT_ENOENT ? CLI_EXIT_FAILED
                                                : CLI_EXIT_USAGE;
}

int cli_function_main(int argc, char **argv)
{
    fn_opts o;
    memset(&o, 0, sizeof o);
    int rc = parse(argc, argv, &o);
    if (rc == 0)
        rc = run(&o);
    free(o.env);
    return rc < 0 ? CLI_EXIT_OK : rc;
}

int cli_exec_limited_main(int argc, char **argv)
{
    /* __exec-limited MB -- PROGRAM ARGS... */
    bool ok = false;
    int64_t mb = argc >= 4 ? number(argv[1], &ok) : 0;
    if (!ok || strcmp(argv[2], "--") || mb <= 0) {
        cli_error("__exec-limited: usage: MB -- PROGRAM ARGS...");
        return 127;
    }
    struct rlimit rl;
    rl.rlim_cur = rl.rlim_max = (rlim_t)mb * 1024 * 1024;
    if (setrlimit(RLIMIT_AS, &rl) != 0)
        cli_error("__exec-limited: cannot set the memory limit");
    execvp(argv[3], argv + 3);
    cli_error("__exec-limited: cannot run %s: %s", argv[3], strerror(errno));
    return 127;
}

int cli_functions_bind(eng *e, const char *cmd, const char *const *specs,
                       size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(specs[i], '=');
        if (!eq) {
            cli_error("%s: --function wants NAME=COMMAND, not '%s'", cmd,
                      specs[i]);
            return CLI_EXIT_USAGE;
        }
        char *name = bt_xstrndup(specs[i], (size_t)(eq - specs[i]));
        char *err = NULL;
        int rc = eng_function_set(e, name, eq + 1, &err);
        free(name);
        if (rc != 0) {
            cli_error("%s: bad --function '%s': %s", cmd, specs[i],
                      err ? err : "rejected");
            free(err);
            return CLI_EXIT_USAGE;
        }
    }
    return 0;
}

bool cli_concurrency_arg(const char *cmd, const char *value, int64_t *out)
{
    char *end;
    long long v = strtoll(value, &end, 10);
    if (*end || end == value || v < 1 || v > 100000) {
        cli_error("%s: --max-concurrency %s: expected a whole number from 1 "
                  "to 100000",
                  cmd, value);
        return false;
    }
    *out = v;
    return true;
}

bool cli_history_events_arg(const char *cmd, const char *value, int64_t *out)
{
    char *end;
    long long v = strtoll(value, &end, 10);
    if (*end || end == value || v < 0) {
        cli_error("%s: --max-history-events %s: expected a whole number >= 0",
                  cmd, value);
        return false;
    }
    *out = v;
    return true;
}

int cli_runtime_begin(eng *e, const char *cmd, srv_runtime **rt)
{
    *rt = NULL;
    if (!eng_runtime_needed(e))
        return 0;
    char *err = NULL;
    eng_async_open(e);
    if (srv_runtime_start(e, rt, &err) != 0) {
        cli_error("%s: %s", cmd, err);
        free(err);
        eng_async_close(e);
        return CLI_EXIT_FAILED;
    }
    return 0;
}

void cli_runtime_end(eng *e, srv_runtime *rt)
{
    if (!rt)
        return;
    srv_runtime_close_door(rt);
    eng_async_close(e);
    srv_runtime_stop(rt);
}
