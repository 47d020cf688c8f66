/*
 * engine: runs executions of compiled state machines on one libuv loop.
 *
 * The engine owns the loop, the store and every running execution. Front
 * ends (cli/, server/) call the functions below, which mirror the AWS Step
 * Functions API (create machine, start execution, describe, history, stop);
 * they all run on the loop thread.
 *
 * Invariant: nothing the outside world can see (a function process, a
 * result returned to a caller) happens before the store transaction that
 * records it has committed.
 */
#ifndef BATON_ENGINE_H
#define BATON_ENGINE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "statelang/statelang.h"

typedef struct eng eng;

/* AWS's limit on the events of one (STANDARD) execution. */
#define ENG_HISTORY_EVENTS_AWS 25000

typedef struct eng_opts {
    const char *db_path;  /* "./baton.db" by default; ":memory:" for none */
    const char *region;   /* "us-east-1" */
    const char *account;  /* "123456789012" */
    size_t payload_limit; /* 0: 256 KiB */
    bool quiet;           /* no progress/log lines on stderr */
    int64_t max_history_events; /* an execution fails when it reaches this
                                   many events (AWS: 25,000); 0: no limit */
    int64_t max_concurrency;    /* function calls running at once across all
                                   functions, like an AWS account's limit;
                                   0: 1,000. Capped by the file descriptors
                                   the process may open. */
} eng_opts;

/* Opens the engine: the store at opts->db_path (created and migrated when
 * needed). Returns 0 and a new engine, or a negative code with a new message
 * in *err. */
int eng_open(const eng_opts *opts, eng **out, char **err);
/* Stops every process the engine started and frees it. Executions stay in
 * the store and continue after the next eng_open + eng_resume. */
void eng_close(eng *e);

/* Binds a function name to a command line (argv split on blanks, no shell):
 * Task states reach it through a Lambda function ARN or lambda:invoke with
 * that name. Per-process; not stored. */
int eng_function_set(eng *e, const char *name, const char *command, char **err);

/* A registered function's configuration. */
typedef struct eng_function_config {
    const char *command;    /* argv split on blanks, no shell */
    const char *cwd;        /* NULL: baton's working directory */
    const char *const *env; /* "KEY=VALUE" entries, NULL-terminated */
    int64_t timeout_s;      /* 1..900; 0: 3 (Lambda's default) */
    int64_t memory_mb;      /* 0: no limit; else 128..10240 */
    int64_t concurrency;    /* 0: no per-function limit */
    /* Warm functions (docs/functions.md): runtime "lambda" runs
     * code_dir/bootstrap as long-lived workers that fetch calls through
     * the Lambda Runtime API; command is then not used. */
    const char *runtime;    /* "lambda" or "" (process per call); NULL:
                               unchanged */
    const char *code_dir;   /* made absolute; must hold an executable
                               bootstrap */
    const char *handler;    /* _HANDLER, e.g. "index.handler" */
    int64_t idle_timeout_s; /* an idle worker stops after this; 0: 300 */
} eng_function_config;

/* Registers (create) or changes (update: only the fields given, NULL / -1
 * meaning unchanged) a function in the store. Returns 0, BT_EINVAL with a
 * message for bad values, BT_ENOENT (update of an unknown name) or BT_EIO. */
int eng_function_create(eng *e, const char *name,
                        const eng_function_config *cfg, char **err);
int eng_function_update(eng *e, const char *name,
                        const eng_function_config *cfg, char **err);
int eng_function_delete(eng *e, const char *name, char **err);
/* The registered functions as a JSON array (new). */
json_object *eng_function_list(eng *e);

/* Creates a state machine, or returns the existing one when name,
 * definition and type are identical. *arn is new. On an invalid definition
 * returns BT_EINVALID with diags filled. */
int eng_machine_put(eng *e, const char *name, const char *definition,
                    sl_machine_type type, char **arn, sl_diags *diags,
                    char **err);

/* Starts an execution (input: JSON text, NULL for {}); name NULL generates
 * one. *exec_arn is new. As on AWS, the same name and input while that
 * (STANDARD) execution is RUNNING returns it again; otherwise a used name
 * fails with "Execution Already Exists: '<arn>'". */
int eng_execution_start(eng *e, const char *machine_arn, const char *name,
                        const char *input, char **exec_arn, char **err);

/* eng_execution_start for servers: the execution is written in the open
 * transaction, and done(arg, arn, start_ms) is called once the pump has
 * committed it — together with every execution started in the same turn
 * of the loop (group commit) and their first steps. arn is NULL when the
 * engine closed first. Returns 0 (done will be called once) or an error
 * with a message in *err (done is never called). Loop thread. */
/* A timestamp as AWS's JSON gives it: epoch seconds with a millisecond
 * fraction (new). */
json_object *eng_epoch_json(int64_t ms);
typedef void (*eng_started_fn)(void *arg, const char *exec_arn,
                               int64_t start_ms);
int eng_execution_start_batched(eng *e, const char *machine, const char *name,
                                const char *input, eng_started_fn done,
                                void *arg, char **err);

/* Runs the loop until the execution has finished (status no longer
 * RUNNING). With progress, a line on stderr (rewritten in place) shows the
 * states done, Map items done/total and the time elapsed. */
int eng_run_until_done(eng *e, const char *exec_arn, bool progress);

/* Continues every RUNNING execution found in the store and runs the loop
 * until all have finished. */
int eng_resume_all(eng *e, char **err);

/* Runs the loop until no execution of this engine is RUNNING. */
void eng_run_all(eng *e);

/* Stops a running execution (ABORTED), with optional error and cause. */
int eng_execution_stop(eng *e, const char *exec_arn, const char *error,
                       const char *cause, char **err);

/* DescribeExecution's shape as a new JSON object, or NULL when unknown.
 * exec may be an ARN or a name. */
json_object *eng_execution_describe(eng *e, const char *exec);
/* GetExecutionHistory's events array (new), or NULL when unknown. */
json_object *eng_execution_history(eng *e, const char *exec);
/* The events from..to (ids, both included; new array) of an execution,
 * reading only the history rows that hold them, and in *last (if not
 * NULL) the id of its last event; NULL when the execution is unknown. */
json_object *eng_execution_history_range(eng *e, const char *exec, int64_t from,
                                         int64_t to, int64_t *last);
/* ListExecutions' items (new array), newest first. */
json_object *eng_execution_list(eng *e);

/* ---- serving: other threads, state machines as a service ----------------
 * (engine/eng_async.c, engine/eng_machine.c; used by server/)             */

/* Starts continuing every RUNNING execution found in the store without
 * running the loop (eng_serve or eng_run_all runs them). Loop thread.
 * Returns 0 or a negative code with a new message in *err. */
int eng_resume_start(eng *e, char **err);

/* Prepares e to receive work from other threads (eng_post). Loop thread;
 * call before any other thread may call eng_post, and eng_async_close
 * before eng_close. Returns 0. */
int eng_async_open(eng *e);
/* Queues fn(arg) to run on the loop thread, in posting order. Callable from
 * any thread (the only eng_* function that is). Returns 0, or BT_EINVAL
 * when e does not accept work (before eng_async_open, after
 * eng_async_close began); then fn never runs and the caller keeps arg. */
int eng_post(eng *e, void (*fn)(void *arg), void *arg);
/* Runs the loop — executions, timers, processes and posted work — until
 * *stop becomes non-zero (a signal handler may set it; it is checked at
 * least every 100 ms). Executions stay durable; the next eng_serve or
 * eng_resume_start continues them. Loop thread. Returns 0. */
int eng_serve(eng *e, volatile sig_atomic_t *stop);
/* Stops accepting posts, runs those already queued, calls every pending
 * watch (see eng_execution_watch) and releases what eng_async_open set up.
 * Loop thread, outside eng_serve; no other thread may call eng_post once
 * this has begun (the server shuts its door first). */
void eng_async_close(eng *e);
/* Calls fn(arg) on the loop thread once the execution exec_arn has ended
 * and its end is committed — or, earlier, from eng_async_close (the
 * execution then still runs: check its status). Needs eng_async_open.
 * Returns 0, or BT_ENOENT when exec_arn is not running in this engine (fn
 * is then never called). */
int eng_execution_watch(eng *e, const char *exec_arn, void (*fn)(void *arg),
                        void *arg);

/* CreateStateMachine. name is checked (AWS's rules: "Invalid Name: '<n>'"),
 * definition compiled with type's rules. Same name with the identical
 * definition string and type returns the existing machine; a different one
 * fails with "State Machine Already Exists: '<arn>'". role_arn may be NULL.
 * On success *out is a new object {stateMachineArn, creationDate}.
 * Returns 0, BT_EINVALID (diags filled), BT_EINVAL (message in *err, new)
 * or BT_EIO. Loop thread. */
int eng_machine_create(eng *e, const char *name, const char *definition,
                       sl_machine_type type, const char *role_arn,
                       json_object **out, sl_diags *diags, char **err);
/* DescribeStateMachine's members as a new object, or NULL when no machine
 * has that (unqualified) ARN. */
json_object *eng_machine_describe(eng *e, const char *arn);
/* ListStateMachines' items (new array) sorted by name:
 * {stateMachineArn, name, type, creationDate}. */
json_object *eng_machine_list(eng *e);
/* UpdateStateMachine: definition and/or role_arn (NULL: unchanged). A
 * change adds a revision with a new revisionId; no change keeps the
 * current one. *out is a new {updateDate, revisionId?}. Returns 0,
 * BT_ENOENT ("State Machine Does Not Exist: '<arn>'" in *err),
 * BT_EINVALID (diags filled) or BT_EIO. */
int eng_machine_update(eng *e, const char *arn, const char *definition,
                       const char *role_arn, json_object **out, sl_diags *diags,
                       char **err);
/* DeleteStateMachine: stops (ABORTED) its running executions, then
 * deletes every revision. Unknown ARNs are not an error. 0 or BT_EIO. */
int eng_machine_delete(eng *e, const char *arn, char **err);
/* The ARN of the state machine called name in this engine's region and
 * account (new string; name is not checked). */
char *eng_machine_arn(eng *e, const char *name);
/* The ARN of the STANDARD execution called name of the state machine called
 * machine_name (new string; names are not checked). EXPRESS executions add
 * a UUID, so theirs cannot be derived from the names. */
char *eng_execution_arn(eng *e, const char *machine_name, const char *name);
/* Whether name follows AWS's rules for state machine and execution names
 * (reference §12.2): 1..80 characters, no whitespace, control characters
 * or any of < > { } [ ] ? * " # % \ ^ | ~ ` $ & , ; : /. Any thread. */
bool eng_name_valid(const char *name);
/* DescribeStateMachineForExecution's members (the revision the execution
 * runs) as a new object; NULL when the execution is unknown, and *gone set
 * when the execution exists but its machine was deleted. */
json_object *eng_execution_machine(eng *e, const char *exec_arn, bool *gone);

/* ---- activities and task tokens (engine/eng_callback.c) -----------------
 * Loop thread. Errors come back as AWS's messages in *err (new). */

/* CreateActivity: *out is a new {activityArn, creationDate}; the same name
 * again returns the existing activity (*created false). BT_EINVAL:
 * "Invalid Name: '<n>'". */
int eng_activity_create(eng *e, const char *name, json_object **out,
                        bool *created, char **err);
/* DescribeActivity's {activityArn, name, creationDate} (new), or NULL. */
json_object *eng_activity_describe(eng *e, const char *arn);
/* ListActivities' items (new array) sorted by name. */
json_object *eng_activity_list(eng *e);
/* DeleteActivity: unknown ARNs are not an error. Waiting workers get an
 * empty answer. */
int eng_activity_delete(eng *e, const char *arn, char **err);

/* A GetActivityTask answer: token and input (JSON text), or both NULL when
 * no task came within the poll's time (or the engine is closing). Called
 * once, on the loop thread; the strings are borrowed. */
typedef void (*eng_poll_fn)(void *arg, const char *token, const char *input);
/* Waits up to timeout_ms for a task of activity arn without blocking the
 * loop. Returns 0 (fn will be called), BT_ENOENT ("Activity Does Not
 * Exist: '<arn>'") or BT_ELIMIT (1,000 workers already wait). */
int eng_activity_poll(eng *e, const char *arn, const char *worker,
                      int64_t timeout_ms, eng_poll_fn fn, void *arg,
                      char **err);

/* Called once the outcome a SendTask* call delivered is committed
 * (recorded = true), or with false when the task ended otherwise first. */
typedef void (*eng_sent_fn)(void *arg, bool recorded);
/* SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat. Return 0 (success
 * and failure then call done later), BT_EINVAL ("Invalid Token: 'Invalid
 * token'", or "Invalid Output: '...'" for output that is not JSON) or
 * BT_ENOENT ("Task Timed Out: '...'": the task is closed). */
int eng_task_success(eng *e, const char *token, const char *output,
                     eng_sent_fn done, void *arg, char **err);
int eng_task_failure(eng *e, const char *token, const char *error,
                     const char *cause, eng_sent_fn done, void *arg,
                     char **err);
int eng_task_heartbeat(eng *e, const char *token, char **err);

/* ---- tags (engine/eng_tags.c) ------------------------------------------
 * On state machine and activity ARNs; BT_ENOENT with "Resource not found:
 * '<arn>'" otherwise. tags: [{key, value}] (validated by the caller). */
/* Adds or replaces tags; BT_ELIMIT when the resource would have > 50. */
int eng_tags_add(eng *e, const char *arn, json_object *tags, char **err);
/* Removes the tags with these keys (array of strings). */
int eng_tags_remove(eng *e, const char *arn, json_object *keys, char **err);
/* The resource's tags, [{key, value}] sorted by key (new). */
int eng_tags_list(eng *e, const char *arn, json_object **out, char **err);

/* ---- the Lambda Invoke API (engine/eng_invoke.c) ------------------------ */
typedef enum eng_invoke_type {
    ENG_INVOKE_SYNC,    /* RequestResponse */
    ENG_INVOKE_EVENT,   /* asynchronous: queued, retried twice on failure */
    ENG_INVOKE_DRY_RUN, /* only checks that the function exists */
} eng_invoke_type;

typedef struct eng_invoke_result {
    int status;                 /* 200, 202 (Event), 204 (DryRun), 503 */
    const char *function_error; /* "Unhandled" when the function failed */
    const char *body;           /* output or error document (borrowed) */
    size_t len;
    const char *request_id;
} eng_invoke_result;

typedef void (*eng_invoke_fn)(void *arg, const eng_invoke_result *r);

/* Invokes registered function `name` (a name, name:qualifier or function
 * ARN) with payload (JSON text, may be empty). done is called once on the
 * loop: at once for Event and DryRun, when the call ends for
 * RequestResponse. Returns 0, BT_ENOENT ("Function not found: <arn>") or
 * BT_EINVAL ("Could not parse request body into json: ..."). */
int eng_function_invoke(eng *e, const char *name, const char *payload,
                        eng_invoke_type type, eng_invoke_fn done, void *arg,
                        char **err);

/* ---- the Lambda Runtime API for warm workers (engine/eng_warm.c) --------
 * Each worker of a warm function gets its own loopback listening socket;
 * the engine accepts connections on it and hands them to the HTTP layer
 * (server/srv_runtime.c), which parses requests and calls the functions
 * below on the loop thread with the local port the request arrived on —
 * that port names the worker. The engine never speaks HTTP. */

/* An answer to a runtime request. Called once, on the loop thread; every
 * pointer is borrowed for the duration of the call. The request's own
 * strings (id, body, error type) may be freed by the reply: the engine
 * is done with them before it replies. */
typedef struct eng_runtime_reply {
    int status;       /* 200 (next), 202, 400, 403, 413, 500 */
    const char *body; /* the event (next) or {"status":"OK"} or an error
                         document {"errorMessage", "errorType"} */
    size_t len;
    /* next only (NULL / 0 otherwise): */
    const char *request_id;   /* Lambda-Runtime-Aws-Request-Id */
    int64_t deadline_ms;      /* Lambda-Runtime-Deadline-Ms (epoch) */
    const char *function_arn; /* Lambda-Runtime-Invoked-Function-Arn */
    const char *trace_id;     /* Lambda-Runtime-Trace-Id */
} eng_runtime_reply;

typedef void (*eng_runtime_reply_fn)(void *arg, const eng_runtime_reply *r);

/* Registers how accepted worker connections reach the HTTP layer:
 * add_conn(ctx, fd) takes ownership of the connected socket fd (called on
 * the loop thread). NULL detaches; connections are then closed. Loop
 * thread. */
void eng_runtime_attach(eng *e, void (*add_conn)(void *ctx, int fd), void *ctx);
/* A file descriptor watched on the loop (engine/eng_watch.c), so that
 * an HTTP layer can run its event source on the loop thread itself (the
 * Runtime API's libmicrohttpd daemon in external-poll mode): fn(ctx) is
 * called on the loop whenever fd is readable and when a time set with
 * eng_watch_due has come. */
typedef struct eng_watch eng_watch;
/* Starts watching fd (borrowed; it must outlive the watch). Returns 0 and
 * a new watch, or BT_EIO when the loop cannot poll fd. Loop thread. */
int eng_watch_new(eng *e, int fd, void (*fn)(void *ctx), void *ctx,
                  eng_watch **out);
/* Also calls fn once after ms milliseconds (0: on the next loop turn,
 * without waiting for fd); replaces an earlier time. ms < 0 cancels it.
 * Loop thread. */
void eng_watch_due(eng_watch *w, int64_t ms);
/* Stops watching; fn is never called again. The memory goes once the
 * loop has released its handles (at the latest in eng_close). */
void eng_watch_free(eng_watch *w);
/* Whether any registered function is warm (then `baton run` and `baton
 * resume` must serve the Runtime API). */
bool eng_runtime_needed(eng *e);
/* GET /2018-06-01/runtime/invocation/next from the worker on local port
 * `port`: answered when the worker has a call (at once, or later: the
 * request is parked without holding any thread). */
void eng_runtime_next(eng *e, int port, eng_runtime_reply_fn reply, void *arg);
/* POST .../invocation/{id}/response. too_large: the body was over 6 MB
 * and not kept (413; the call fails with Function.ResponseSizeTooLarge). */
void eng_runtime_response(eng *e, int port, const char *id, const char *body,
                          size_t len, bool too_large,
                          eng_runtime_reply_fn reply, void *arg);
/* POST .../invocation/{id}/error with the Lambda-Runtime-Function-Error-Type
 * header (NULL when absent). */
void eng_runtime_error(eng *e, int port, const char *id, const char *error_type,
                       const char *body, size_t len, eng_runtime_reply_fn reply,
                       void *arg);
/* POST /2018-06-01/runtime/init/error: the worker failed to start; its
 * pending call fails with the posted error and the worker is discarded. */
void eng_runtime_init_error(eng *e, int port, const char *error_type,
                            const char *body, size_t len,
                            eng_runtime_reply_fn reply, void *arg);

/* The engine's counters in Prometheus' text format (new): executions and
 * function calls running, calls queued, per-function calls and warm
 * functions' cold/warm starts (engine/eng_metrics.c). Loop thread. */
char *eng_metrics(eng *e);

#endif
