/*
 * `baton validate`: checks definitions and prints every problem found,
 * one per line (file:line:col: CODE: message at /location), or AWS's
 * ValidateStateMachineDefinition result with --json.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "statelang/statelang.h"

static const char usage[] =
    "usage: baton validate [--json] [--type STANDARD|EXPRESS]\n"
    "                      [--severity ERROR|WARNING] FILE...\n"
    "\n"
    "Checks each state machine definition (FILE '-' reads standard input)\n"
    "and reports every problem: file:line:column: CODE: message at /location\n"
    "on standard error.\n"
    "\n"
    "  --json       print AWS's ValidateStateMachineDefinition result for\n"
    "               each file on standard output (one JSON object a line)\n"
    "  --type T     apply the rules for STANDARD (default) or EXPRESS\n"
    "  --severity S ERROR (default) reports errors only; WARNING adds "
    "warnings\n"
    "\n"
    "Exit status: 0 all valid, 1 any invalid, 2 usage or read errors.\n";

typedef struct validate_opts {
    bool json;
    bool warnings;
    sl_compile_opts compile;
} validate_opts;

static const char *severity_name(sl_severity s)
{
    return s == SL_SEV_ERROR ? "ERROR" : "WARNING";
}

static void print_json(const sl_diags *d, bool warnings)
{
    json_object *res = json_object_new_object();
    json_object *list = json_object_new_array();
    for (size_t i = 0; i < d->len; i++) {
        const sl_diag *g = &d->items[i];
        if (g->severity == SL_SEV_WARNING && !warnings)
            continue;
        json_object *o = json_object_new_object();
        json_object_object_add(
            o, "severity", json_object_new_string(severity_name(g->severity)));
        json_object_object_add(o, "code", json_object_new_string(g->code));
        json_object_object_add(o, "message",
                               json_object_new_string(g->message));
        if (g->location)
            json_object_object_add(o, "location",
                                   json_object_new_string(g->location));
        json_object_array_add(list, o);
    }
    json_object_object_add(
        res, "result",
        json_object_new_string(sl_diags_errors(d) ? "FAIL" : "OK"));
    json_object_object_add(res, "diagnostics", list);
    json_object_object_add(res, "truncated",
                           json_object_new_boolean(d->truncated));
    puts(bt_json_compact(res));
    json_object_put(res);
}

void cli_print_diags(const char *file, const sl_diags *d, bool warnings)
{
    for (size_t i = 0; i < d->len; i++) {
        const sl_diag *g = &d->items[i];
        if (g->severity == SL_SEV_WARNING && !warnings)
            continue;
        if (g->line > 0)
            fprintf(stderr, "%s:%d:%d: ", file, g->line, g->column);
        else
            fprintf(stderr, "%s: ", file);
        fprintf(stderr, "%s%s: %s",
                g->severity == SL_SEV_WARNING ? "warning: " : "", g->code,
                g->message);
        if (g->location)
            fprintf(stderr, " at %s", g->location);
        fputc('\n', stderr);
    }
    if (d->truncated)
        fprintf(stderr, "%s: more problems were found than are shown\n", file);
}

/* Returns 0 valid, 1 invalid, 2 unreadable. */
static int validate_file(const char *file, const validate_opts *o)
{
    char *text = NULL;
    size_t len = 0;
    /* Read a little past the limit so an oversized file is reported as
     * such by the validator, not as an I/O error. */
    int rc = bt_file_read(file, BT_LIMIT_DEFINITION_BYTES + 1, &text, &len);
    if (rc != 0) {
        cli_error("%s: %s", file,
                  rc == BT_ELIMIT ? "larger than the 1 MiB definition limit"
                                  : bt_strerror(rc));
        return rc == BT_ELIMIT ? 1 : 2;
    }
    sl_diags d;
    sl_diags_init(&d);
    rc = sl_machine_compile(text, len, &o->compile, NULL, &d);
    if (o->json)
        print_json(&d, o->warnings);
    else
        cli_print_diags(strcmp(file, "-") ? file : "<stdin>", &d, o->warnings);
    if (rc == 0 && !o->json)
        printf("%s: OK\n", strcmp(file, "-") ? file : "<stdin>");
    sl_diags_fini(&d);
    free(text);
    return rc == 0 ? 0 : 1;
}

static int parse_opts(int argc, char **argv, validate_opts *o, int *first)
{
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) {
            i++;
            break;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage, stdout);
            return -1;
        } else if (!strcmp(a, "--json")) {
            o->json = true;
        } else if (!strcmp(a, "--type") && i + 1 < argc) {
            if (!sl_machine_type_parse(argv[++i], &o->compile.type)) {
                cli_error("--type must be STANDARD or EXPRESS, not '%s'",
                          argv[i]);
                return CLI_EXIT_USAGE;
            }
        } else if (!strcmp(a, "--severity") && i + 1 < argc) {
            const char *s = argv[++i];
            if (strcmp(s, "ERROR") && strcmp(s, "WARNING")) {
                cli_error("--severity must be ERROR or WARNING, not '%s'", s);
                return CLI_EXIT_USAGE;
            }
            o->warnings = !strcmp(s, "WARNING");
        } else {
            cli_error("validate: unknown or incomplete option '%s'", a);
            fputs(usage, stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (i >= argc) {
        cli_error("validate: no FILE given");
        fputs(usage, stderr);
        return CLI_EXIT_USAGE;
    }
    *first = i;
    return 0;
}

int cli_validate_main(int argc, char **argv)
{
    validate_opts o;
    memset(&o, 0, sizeof o);
    o.compile.type = SL_MACHINE_STANDARD;
    int first = 0;
    int rc = parse_opts(argc, argv, &o, &first);
    if (rc < 0)
        return CLI_EXIT_OK;
    if (rc != 0)
        return rc;
    int worst = 0;
    for (int i = first; i < argc; i++) {
        int r = validate_file(argv[i], &o);
        if (r > worst)
            worst = r;
    }
    return worst;
}
