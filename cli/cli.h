/*
 * cli: the `baton` command's front end. Argument parsing and rendering
 * only; the work is done by the modules below.
 */
#ifndef BATON_CLI_H
#define BATON_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exit codes shared by every subcommand. */
enum {
    CLI_EXIT_OK = 0,     /* success / all valid / execution SUCCEEDED */
    CLI_EXIT_FAILED = 1, /* invalid definition / execution did not succeed */
    CLI_EXIT_USAGE = 2   /* bad arguments, unreadable files */
};

/* `baton validate [options] FILE...` */
int cli_validate_main(int argc, char **argv);
/* `baton run FILE [options]` */
int cli_run_main(int argc, char **argv);
/* `baton list|describe|history|stop|resume ...` (argv[0] is the command) */
int cli_exec_main(int argc, char **argv);
/* `baton graph FILE [--execution EXEC] [--db PATH]` */
int cli_graph_main(int argc, char **argv);
/* `baton jsonata EXPR | --expr-file FILE [options]` */
int cli_jsonata_main(int argc, char **argv);

/* `baton serve [--db PATH] [--listen HOST:PORT] [--region R] [--account A]` */
int cli_serve_main(int argc, char **argv);
int cli_task_main(int argc, char **argv);

/* `baton function create|update|delete|list ...` */
int cli_function_main(int argc, char **argv);
/* Hidden: `baton __exec-limited MB -- PROGRAM ARGS...` */
int cli_exec_limited_main(int argc, char **argv);

/* Binds each --function NAME=COMMAND of subcommand cmd for this run of the
 * engine (an opaque `struct eng *`). Returns 0, or CLI_EXIT_USAGE after
 * printing what is wrong with which spec. */
struct eng;
int cli_functions_bind(struct eng *e, const char *cmd, const char *const *specs,
                       size_t n);

/* Serves the Lambda Runtime API (eng_async_open + srv_runtime_start) when
 * e has warm functions; *rt stays NULL otherwise. Returns 0, or
 * CLI_EXIT_FAILED after printing why. cli_runtime_end undoes it (answers
 * parked requests, stops the thread); call it before eng_close. */
struct srv_runtime;
int cli_runtime_begin(struct eng *e, const char *cmd, struct srv_runtime **rt);
void cli_runtime_end(struct eng *e, struct srv_runtime *rt);

/* --max-concurrency N of subcommand cmd: 1..100000 into *out; false after
 * printing what is wrong. */
bool cli_concurrency_arg(const char *cmd, const char *value, int64_t *out);
/* --max-history-events N (N >= 0; 0: no limit). */
bool cli_history_events_arg(const char *cmd, const char *value, int64_t *out);
#define CLI_HISTORY_EVENTS_HELP                                                \
    "  --max-history-events N  fail an execution at N events (default\n"       \
    "                      25000, as AWS; 0: no limit)\n"
#define CLI_CONCURRENCY_HELP                                                   \
    "  --max-concurrency N function calls running at once (default 1000,\n"    \
    "                      like an AWS account; the rest queue)\n"

/* Prints a definition's diagnostics ("FILE:LINE:COL: CODE: message at
 * location"), errors only unless warnings, on stderr (cli_validate.c). */
struct sl_diags;
void cli_print_diags(const char *file, const struct sl_diags *d, bool warnings);

/* Prints "baton: " + message to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
