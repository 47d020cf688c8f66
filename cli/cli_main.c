/*
 * `baton`: dispatches to a subcommand. Exit codes: 0 success, 1 the thing
 * checked or run did not succeed, 2 usage or I/O problems.
 */
#include "cli/cli.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#ifndef BATON_VERSION
#define BATON_VERSION "0.1.0"
#endif

static const char usage[] =
    "usage: baton [--help] [--version] <command> [<args>]\n"
    "\n"
    "Baton runs Amazon States Language workflows on one machine.\n"
    "\n"
    "commands:\n"
    "  validate FILE...   check state machine definitions\n"
    "  run FILE           run one execution to its end and print its output\n"
    "  list               list executions in the database\n"
    "  describe EXEC      show one execution\n"
    "  history EXEC       show an execution's history events\n"
    "  stop EXEC          stop a running execution (ABORTED)\n"
    "  resume             continue every unfinished execution\n"
    "  function ...       register functions (create, update, delete, list)\n"
    "  graph FILE         draw the workflow graph as SVG (--execution colours "
    "it)\n"
    "  jsonata EXPR       evaluate a JSONata expression\n"
    "  serve              serve the AWS Step Functions API over HTTP\n"
    "  task ...           answer a task token (success, failure, heartbeat)\n"
    "\n"
    "'baton COMMAND --help' describes each command.\n"
    "\n"
    "Exit status: 0 success, 1 failure of what was checked or run,\n"
    "2 usage or input/output errors.\n";

/* Subcommands: one line each. */
static const struct command {
    const char *name;
    int (*main)(int argc, char **argv);
} commands[] = {
    {"validate", cli_validate_main},
    {"run", cli_run_main},
    {"list", cli_exec_main},
    {"describe", cli_exec_main},
    {"history", cli_exec_main},
    {"stop", cli_exec_main},
    {"resume", cli_exec_main},
    {"function", cli_function_main},
    {"__exec-limited", cli_exec_limited_main},
    {"graph", cli_graph_main},
    {"jsonata", cli_jsonata_main},
    {"serve", cli_serve_main},
    {"task", cli_task_main},
};

void cli_error(const char *fmt, ...)
{
    va_list ap;
    fputs("baton: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int main(int argc, char **argv)
{
    /* A function that exits without reading its input, or a client that
     * hangs up, must give an error on that pipe or socket, not kill us. */
    signal(SIGPIPE, SIG_IGN);
    if (argc < 2) {
        fputs(usage, stderr);
        return CLI_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(usage, stdout);
        return CLI_EXIT_OK;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("baton %s\n", BATON_VERSION);
        return CLI_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (!strcmp(cmd, commands[i].name))
            return commands[i].main(argc - 1, argv + 1);
    cli_error("unknown command '%s'", cmd);
    fputs(usage, stderr);
    return CLI_EXIT_USAGE;
}
