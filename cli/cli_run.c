/*
 * `baton run`: creates (or reuses) the state machine of a definition file,
 * runs one execution to its end and prints its output (executions it
 * started run to their end before the command exits).
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/engine.h"
#include "server/server.h"

static const char usage[] =
    "usage: baton run FILE [--input JSON | --input-file F] [--db PATH]\n"
    "                 [--name NAME] [--function NAME=COMMAND]...\n"
    "                 [--type STANDARD|EXPRESS] [--result-json]\n"
    "\n"
    "Runs one execution of the state machine in FILE to its end and prints\n"
    "its output on standard output. Executions it starts (nested\n"
    "executions) run to their end too.\n"
    "\n"
    "  --input JSON        execution input (default {})\n"
    "  --input-file F      read the input from F ('-' for standard input)\n"
    "  --db PATH           database (default ./baton.db; :memory: for none)\n"
    "  --name NAME         execution name (default: a new UUID)\n"
    "  --function N=CMD    Task resources naming function N run CMD (argv\n"
    "                      split on blanks, event on stdin, result on stdout)\n"
    "  --type T            STANDARD (default) or EXPRESS\n"
    "  --result-json       print {\"status\",\"output\"|\"error\",\"cause\","
    "\"history\"}\n" CLI_HISTORY_EVENTS_HELP
    "  --payload-limit BYTES   largest state output or task result (default\n"
    "                      262144, as AWS)\n" CLI_CONCURRENCY_HELP "\n"
    "Exit status: 0 SUCCEEDED, 1 FAILED / TIMED_OUT / ABORTED, 2 usage or\n"
    "definition errors.\n";

typedef struct run_opts {
    const char *file;
    const char *input;
    const char *input_file;
    const char *db;
    const char *name;
    const char *type;
    bool result_json;
    int64_t max_events;
    int64_t max_concurrency;
    int64_t payload_limit;
    const char **functions;
    size_t nfunctions;
} run_opts;

static int parse(int argc, char **argv, run_opts *o)
{
    o->functions = calloc((size_t)argc, sizeof *o->functions);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool more = i + 1 < argc;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage, stdout);
            return -1;
        } else if (!strcmp(a, "--result-json")) {
            o->result_json = true;
        } else if (!strcmp(a, "--input") && more) {
            o->input = argv[++i];
        } else if (!strcmp(a, "--input-file") && more) {
            o->input_file = argv[++i];
        } else if (!strcmp(a, "--db") && more) {
            o->db = argv[++i];
        } else if (!strcmp(a, "--name") && more) {
            o->name = argv[++i];
        } else if (!strcmp(a, "--type") && more) {
            o->type = argv[++i];
        } else if (!strcmp(a, "--function") && more) {
            o->functions[o->nfunctions++] = argv[++i];
        } else if (!strcmp(a, "--payload-limit") && more) {
            char *end;
            o->payload_limit = strtoll(argv[++i], &end, 10);
            if (*end || o->payload_limit < 1) {
                cli_error("run: --payload-limit wants a number of bytes");
                return CLI_EXIT_USAGE;
            }
        } else if (!strcmp(a, "--max-concurrency") && more) {
            if (!cli_concurrency_arg("run", argv[++i], &o->max_concurrency))
                return CLI_EXIT_USAGE;
        } else if (!strcmp(a, "--max-history-events") && more) {
            if (!cli_history_events_arg("run", argv[++i], &o->max_events))
                return CLI_EXIT_USAGE;
        } else if (a[0] == '-' && a[1] != '\0') {
            cli_error("run: unknown or incomplete option '%s'", a);
            return CLI_EXIT_USAGE;
        } else if (!o->file) {
            o->file = a;
        } else {
            cli_error("run: more than one FILE given");
            return CLI_EXIT_USAGE;
        }
    }
    if (!o->file) {
        cli_error("run: no FILE given");
        fputs(usage, stderr);
        return CLI_EXIT_USAGE;
    }
    if (o->input && o->input_file) {
        cli_error("run: give --input or --input-file, not both");
        return CLI_EXIT_USAGE;
    }
    return 0;
}

/* The machine's name: the file's base name without .asl.json / .json,
 * with characters AWS does not allow in names replaced by '-'. */
static char *machine_name(const char *file)
{
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    size_t n = strlen(base);
    static const char *const exts[] = {".asl.json", ".json", ".asl"};
    for (size_t i = 0; i < 3; i++) {
        size_t k = strlen(exts[i]);
        if (n > k && !strcmp(base + n - k, exts[i])) {
            n -= k;
            break;
        }
    }
    char *name = bt_xstrndup(base, n ? n : 1);
    for (char *p = name; *p; p++)
        if ((unsigned char)*p < 0x20 || strchr(" <>{}[]?*\"#%\\^|~`$&,;:/", *p))
            *p = '-';
    return name;
}

/* Prints the outcome; returns the exit code. */
static int report(eng *e, const char *arn, bool result_json)
{
    json_object *d = eng_execution_describe(e, arn);
    json_object *st, *v;
    json_object_object_get_ex(d, "status", &st);
    const char *status = json_object_get_string(st);
    bool ok = !strcmp(status, "SUCCEEDED");
    if (result_json) {
        json_object *r = json_object_new_object();
        json_object_object_add(r, "status", json_object_get(st));
        if (ok) {
            json_object_object_get_ex(d, "output", &v);
            json_object *out = NULL;
            const char *t = json_object_get_string(v);
            bt_json_parse(t, strlen(t), BT_LIMIT_JSON_DEPTH, &out, NULL);
            json_object_object_add(r, "output", out);
        } else {
            json_object_object_add(r, "error",
                                   json_object_object_get_ex(d, "error", &v)
                                       ? json_object_get(v)
                                       : NULL);
            json_object_object_add(r, "cause",
                                   json_object_object_get_ex(d, "cause", &v)
                                       ? json_object_get(v)
                                       : NULL);
        }
        json_object *h = eng_execution_history(e, arn);
        if (h)
            json_object_object_add(r, "history", h);
        puts(bt_json_compact(r));
        json_object_put(r);
    } else if (ok) {
        json_object_object_get_ex(d, "output", &v);
        puts(json_object_get_string(v));
    } else {
        const char *err = json_object_object_get_ex(d, "error", &v)
                              ? json_object_get_string(v)
                              : "";
        const char *cause = json_object_object_get_ex(d, "cause", &v)
                                ? json_object_get_string(v)
                                : "";
        fprintf(stderr, "baton: execution %s: %s%s%s\n", status, err,
                *cause ? ": " : "", cause);
    }
    json_object_put(d);
    return ok ? CLI_EXIT_OK : CLI_EXIT_FAILED;
}

static int setup(eng *e, const run_opts *o, const char *definition,
                 char **machine)
{
    char *err = NULL;
    if (cli_functions_bind(e, "run", o->functions, o->nfunctions) != 0)
        return CLI_EXIT_USAGE;
    sl_machine_type type = SL_MACHINE_STANDARD;
    if (o->type && !sl_machine_type_parse(o->type, &type)) {
        cli_error("run: --type must be STANDARD or EXPRESS");
        return CLI_EXIT_USAGE;
    }
    sl_diags d;
    sl_diags_init(&d);
    char *name = machine_name(o->file);
    int rc = eng_machine_put(e, name, definition, type, machine, &d, &err);
    free(name);
    if (rc == BT_EINVALID)
        cli_print_diags(o->file, &d, false);
    else if (rc != 0)
        cli_error("run: %s", err);
    sl_diags_fini(&d);
    free(err);
    return rc ? CLI_EXIT_USAGE : 0;
}

static int run(const run_opts *o, const char *definition, const char *input)
{
    eng_opts eo = {o->db ? o->db : "baton.db", NULL,  NULL,
                   (size_t)o->payload_limit,   false, o->max_events,
                   o->max_concurrency};
    eng *e = NULL;
    char *err = NULL, *machine = NULL, *arn = NULL;
    if (eng_open(&eo, &e, &err) != 0) {
        cli_error("run: %s", err);
        free(err);
        return CLI_EXIT_USAGE;
    }
    srv_runtime *rt = NULL;
    int code = setup(e, o, definition, &machine);
    if (code == 0)
        code = cli_runtime_begin(e, "run", &rt);
    if (code == 0 &&
        eng_execution_start(e, machine, o->name, input, &arn, &err) != 0) {
        cli_error("run: %s", err);
        code = CLI_EXIT_USAGE;
    }
    if (code == 0) {
        eng_run_until_done(e, arn, !o->result_json && isatty(2));
        code = report(e, arn, o->result_json);
        /* Executions it started (states:startExecution) run to their end
         * too, rather than being left RUNNING in the database. */
        fflush(stdout);
        eng_run_all(e);
    }
    cli_runtime_end(e, rt);
    free(err);
    free(arn);
    free(machine);
    eng_close(e);
    return code;
}

int cli_run_main(int argc, char **argv)
{
    run_opts o;
    memset(&o, 0, sizeof o);
    o.max_events = ENG_HISTORY_EVENTS_AWS;
    int rc = parse(argc, argv, &o);
    char *definition = NULL, *input = NULL;
    size_t len;
    if (rc == 0 && bt_file_read(o.file, BT_LIMIT_DEFINITION_BYTES + 1,
                                &definition, &len) != 0) {
        cli_error("run: cannot read %s", o.file);
        rc = CLI_EXIT_USAGE;
    }
    if (rc == 0 && o.input_file &&
        bt_file_read(o.input_file, BT_LIMIT_FILE_BYTES, &input, &len) != 0) {
        cli_error("run: cannot read %s", o.input_file);
        rc = CLI_EXIT_USAGE;
    }
    if (rc == 0)
        rc = run(&o, definition, input ? input : o.input);
    free(definition);
    free(input);
    free(o.functions);
    return rc < 0 ? CLI_EXIT_OK : rc;
}
