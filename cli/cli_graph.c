/*
 * `baton graph`: the workflow graph of a definition as SVG on standard
 * output, the same picture the web console draws. With --execution each
 * state is coloured by its status in that stored execution; without FILE
 * the definition that execution ran (its revision) is drawn.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/engine.h"
#include "server/graph.h"

static const char usage[] =
    "usage: baton graph FILE [--execution EXECUTION] [--db PATH]\n"
    "                        [--type STANDARD|EXPRESS]\n"
    "       baton graph --execution EXECUTION [--db PATH]\n"
    "\n"
    "Writes the workflow graph of the state machine in FILE ('-' reads\n"
    "standard input) as an SVG document on standard output: states as\n"
    "boxes, transitions as arrows (Catch dashed), Parallel branches and\n"
    "Map processors nested inside their state.\n"
    "\n"
    "  --execution E  colour each state by its status in execution E (a\n"
    "                 name or ARN in the database); without FILE, draw the\n"
    "                 definition revision E ran\n"
    "  --db PATH      database for --execution (default ./baton.db)\n"
    "  --type T       validate FILE with the STANDARD (default) or\n"
    "                 EXPRESS rules\n"
    "\n"
    "Exit status: 0 written, 1 invalid definition or unknown execution,\n"
    "2 usage or input/output errors.\n";

typedef struct graph_opts {
    const char *file, *exec, *db, *type;
} graph_opts;

static int parse(int argc, char **argv, graph_opts *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool more = i + 1 < argc;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage, stdout);
            return -1;
        } else if (!strcmp(a, "--execution") && more) {
            o->exec = argv[++i];
        } else if (!strcmp(a, "--db") && more) {
            o->db = argv[++i];
        } else if (!strcmp(a, "--type") && more) {
            o->type = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            cli_error("graph: unknown or incomplete option '%s'", a);
            return CLI_EXIT_USAGE;
        } else if (!o->file) {
            o->file = a;
        } else {
            cli_error("graph: unexpected argument '%s'", a);
            return CLI_EXIT_USAGE;
        }
    }
    if (!o->file && !o->exec) {
        cli_error("graph: no FILE given (or --execution to draw the "
                  "definition an execution ran)");
        fputs(usage, stderr);
        return CLI_EXIT_USAGE;
    }
    return 0;
}

/* What to draw: the definition text (new), where it came from (for
 * messages), its rule set, and the execution's history (new) or NULL. */
typedef struct source {
    char *definition;
    char *origin;
    sl_machine_type type;
    json_object *history;
} source;

static int from_execution(const graph_opts *o, source *src)
{
    const char *db = o->db ? o->db : "baton.db";
    if (strcmp(db, ":memory:") != 0 && access(db, F_OK) != 0) {
        cli_error("graph: database '%s' does not exist (--db)", db);
        return CLI_EXIT_USAGE;
    }
    eng_opts eo = {db, NULL, NULL, 0, true, 0, 0};
    eng *e = NULL;
    char *err = NULL;
    if (eng_open(&eo, &e, &err) != 0) {
        cli_error("graph: %s", err);
        free(err);
        return CLI_EXIT_USAGE;
    }
    int rc = 0;
    json_object *d = eng_execution_describe(e, o->exec);
    const char *arn = d ? bt_json_str(d, "executionArn") : NULL;
    if (!arn) {
        cli_error("graph: Execution Does Not Exist: '%s'", o->exec);
        rc = CLI_EXIT_FAILED;
    } else {
        src->history = eng_execution_history(e, arn);
    }
    if (rc == 0 && !o->file) {
        bool gone = false;
        json_object *m = eng_execution_machine(e, arn, &gone);
        json_object *cur =
            eng_machine_describe(e, bt_json_str(d, "stateMachineArn"));
        const char *type = cur ? bt_json_str(cur, "type") : NULL;
        if (!m || !bt_json_str(m, "definition")) {
            cli_error("graph: the state machine of execution '%s' was "
                      "deleted; give its definition FILE",
                      o->exec);
            rc = CLI_EXIT_FAILED;
        } else {
            src->definition = bt_xstrdup(bt_json_str(m, "definition"));
            src->origin = bt_xasprintf("definition of %s", arn);
            if (type && !sl_machine_type_parse(type, &src->type))
                src->type = SL_MACHINE_STANDARD;
        }
        json_object_put(m);
        json_object_put(cur);
    }
    json_object_put(d);
    eng_close(e);
    return rc;
}

static int load(const graph_opts *o, source *src)
{
    if (o->type && !sl_machine_type_parse(o->type, &src->type)) {
        cli_error("graph: --type must be STANDARD or EXPRESS");
        return CLI_EXIT_USAGE;
    }
    if (o->file) {
        size_t len;
        int rc = bt_file_read(o->file, BT_LIMIT_DEFINITION_BYTES + 1,
                              &src->definition, &len);
        if (rc != 0) {
            cli_error("graph: cannot read %s: %s", o->file,
                      rc == BT_ELIMIT ? "larger than 1 MiB, the definition "
                                        "limit"
                                      : bt_strerror(rc));
            return CLI_EXIT_USAGE;
        }
        src->origin = bt_xstrdup(o->file);
    }
    return o->exec ? from_execution(o, src) : 0;
}

static int draw(const source *src)
{
    sl_diags d;
    sl_diags_init(&d);
    sl_machine *m = NULL;
    sl_compile_opts co = {src->type};
    if (sl_machine_compile(src->definition, strlen(src->definition), &co, &m,
                           &d) != 0) {
        cli_print_diags(src->origin, &d, false);
        sl_diags_fini(&d);
        return CLI_EXIT_FAILED;
    }
    sl_diags_fini(&d);
    srv_graph *g = srv_graph_new(m, src->history);
    if (srv_graph_unknown_state(g))
        cli_error("graph: warning: the execution entered state '%s', which "
                  "%s does not define",
                  srv_graph_unknown_state(g), src->origin);
    bt_buf svg;
    bt_buf_init(&svg);
    int rc = CLI_EXIT_OK;
    if (srv_graph_svg(g, false, &svg) != 0) {
        cli_error("graph: writing the SVG failed");
        rc = CLI_EXIT_USAGE;
    } else if (fwrite(svg.data, 1, svg.len, stdout) != svg.len ||
               fflush(stdout) != 0) {
        cli_error("graph: cannot write to standard output");
        rc = CLI_EXIT_USAGE;
    }
    bt_buf_fini(&svg);
    srv_graph_free(g);
    sl_machine_free(m);
    return rc;
}

int cli_graph_main(int argc, char **argv)
{
    graph_opts o;
    memset(&o, 0, sizeof o);
    int rc = parse(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? CLI_EXIT_OK : rc;
    source src;
    memset(&src, 0, sizeof src);
    rc = load(&o, &src);
    if (rc == 0)
        rc = draw(&src);
    free(src.definition);
    free(src.origin);
    json_object_put(src.history);
    return rc;
}
