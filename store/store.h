/*
 * store: Baton's SQLite database — state machines, executions, their
 * history events and the recovery snapshot of every running frame.
 *
 * Only this module holds SQL. It knows tables and transactions, not ASL.
 * One connection, used from the engine's loop thread only. Statements are
 * prepared once at open. WAL mode; the schema is versioned and migrated on
 * open.
 */
#ifndef BATON_STORE_H
#define BATON_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

typedef struct store store;

/* Opens (creating and migrating) the database at path; ":memory:" keeps it
 * in memory. Returns 0 and a new store, or BT_EIO with a new message. */
int store_open(const char *path, store **out, char **err);
void store_close(store *s);

/* Explicit transactions group many writes into one commit (group commit).
 * Returns 0 or BT_EIO. */
int store_begin(store *s);
int store_commit(store *s);
int store_rollback(store *s);
bool store_in_transaction(const store *s);
/* Checkpoints the WAL into the database if it has grown past about 4 MB
 * since the last time (outside a transaction only): on a thread of the
 * store's own, with a second connection, for a file database. The engine
 * calls it after a commit's effects have run. */
void store_checkpoint(store *s);
/* The last SQLite error message (borrowed). */
const char *store_errmsg(store *s);

/* ---- state machines
 * ---------------------------------------------------------- */
typedef struct store_machine {
    char *arn;
    char *name;
    char *definition;
    char *type; /* STANDARD / EXPRESS */
    char *role_arn;
    int64_t created_ms;
    int64_t revision;  /* 1, 2, ... each UpdateStateMachine adds one */
    char *revision_id; /* UpdateStateMachine's revisionId; NULL for the
                          first revision */
} store_machine;

void store_machine_fini(store_machine *m);
/* Inserts a machine revision (m->revision). Returns 0 or BT_EIO. */
int store_machine_insert(store *s, const store_machine *m);
/* Looks a machine up by ARN: revision 0 means the latest. Returns 0,
 * BT_ENOENT or BT_EIO. */
int store_machine_get(store *s, const char *arn, int64_t revision,
                      store_machine *out);
/* The same with definition NULL: what starting an execution needs (the
 * compiled machine comes from the engine's cache). */
int store_machine_head(store *s, const char *arn, int64_t revision,
                       store_machine *out);
/* Calls fn with the first revision of each machine (its name, type and
 * creation time) in name order. fn returns non-zero to stop. 0 or BT_EIO. */
int store_machine_each_first(store *s,
                             int (*fn)(const store_machine *m, void *ud),
                             void *ud);
/* Deletes every revision of a machine (none existing is not an error).
 * Returns 0 or BT_EIO. */
int store_machine_delete(store *s, const char *arn);

/* ---- executions
 * ------------------------------------------------------------------ */
typedef struct store_exec {
    char *arn;
    char *machine_arn;
    int64_t machine_revision; /* the definition the execution runs */
    char *name;
    char *type;   /* STANDARD / EXPRESS */
    char *status; /* RUNNING SUCCEEDED FAILED TIMED_OUT ABORTED */
    char *input;
    char *output; /* NULL unless SUCCEEDED */
    char *error;  /* NULL when absent */
    char *cause;
    int64_t start_ms;
    int64_t stop_ms; /* 0 while running */
    /* The store's key for the execution, which its history and frames
     * are filed under: set by store_exec_insert and by every read. */
    int64_t id;
} store_exec;

void store_exec_fini(store_exec *x);
/* Sets x->id. BT_EEXIST: an execution with that ARN exists (nothing is
 * written; a transaction goes on). */
int store_exec_insert(store *s, store_exec *x);
/* Writes status, output, error, cause and stop time of execution x->id. */
int store_exec_finish(store *s, const store_exec *x);
/* By ARN, or by name when it has no ':' (a name never has: such text is
 * looked up as an ARN only). 0, BT_ENOENT, BT_EIO. */
int store_exec_get(store *s, const char *arn_or_name, store_exec *out);
/* Calls fn for each execution (newest first), or only RUNNING ones. fn
 * returns non-zero to stop. */
int store_exec_each(store *s, bool running_only,
                    int (*fn)(const store_exec *x, void *ud), void *ud);

/* ---- functions ------------------------------------------------------------
 */
typedef struct store_function {
    char *name;
    char *command; /* the command line, argv split on blanks */
    char *cwd;     /* NULL: baton's own working directory */
    char *env;     /* JSON object of extra environment variables, or NULL */
    int64_t timeout_s;
    int64_t memory_mb;   /* 0: no limit */
    int64_t concurrency; /* 0: no per-function limit */
    int64_t created_ms;
    int64_t updated_ms;
    /* Schema 5: a warm function (runtime "lambda") runs code_dir/bootstrap,
     * which speaks the Lambda Runtime API; NULL runtime: one process per
     * call running command. */
    char *runtime;          /* "lambda", or NULL */
    char *code_dir;         /* absolute; LAMBDA_TASK_ROOT; NULL otherwise */
    char *handler;          /* _HANDLER; NULL otherwise */
    int64_t idle_timeout_s; /* idle workers stop after this; 0: default */
} store_function;

void store_function_fini(store_function *f);
/* Inserts or replaces a function by name. */
int store_function_put(store *s, const store_function *f);
/* 0, BT_ENOENT or BT_EIO. */
int store_function_get(store *s, const char *name, store_function *out);
/* Returns 0 (also when it did not exist: *existed tells) or BT_EIO. */
int store_function_delete(store *s, const char *name, bool *existed);
/* Calls fn for each function in name order. */
int store_function_each(store *s, int (*fn)(const store_function *f, void *ud),
                        void *ud);

/* ---- history
 * ------------------------------------------------------------------------ */
/* exec below is an execution's id (store_exec.id). */
/* Appends the n consecutive events first..first+n-1: text[0..len) holds
 * their JSON objects, one per line ('\n' between them; compact JSON has
 * no raw newline). */
int store_events_append(store *s, int64_t exec, int64_t first, int64_t n,
                        const char *text, size_t len);
/* The id of an execution's last stored event (0: none). */
int64_t store_event_last(store *s, int64_t exec);
/* Calls fn with each event's JSON text in id order; fn returning non-zero
 * stops the walk. */
int store_event_each(store *s, int64_t exec,
                     int (*fn)(int64_t id, const char *json, void *ud),
                     void *ud);
/* The same for the events from..to (ids, both included) only; it reads
 * the rows that hold them, not the history before them. */
int store_event_range(store *s, int64_t exec, int64_t from, int64_t to,
                      int (*fn)(int64_t id, const char *json, void *ud),
                      void *ud);

/* ---- frames: where each branch, iteration or root stands
 * ------------------------- */
/* Inserts or replaces frame id of an execution. */
int store_frame_put(store *s, int64_t exec, int64_t id, int64_t parent,
                    const char *data_json);
int store_frame_delete(store *s, int64_t exec, int64_t id);
int store_frame_delete_all(store *s, int64_t exec);
/* Deletes the frames whose parent is parent. */
int store_frame_delete_children(store *s, int64_t exec, int64_t parent);
/* Calls fn for each frame of an execution in id order. */
int store_frame_each(store *s, int64_t exec,
                     int (*fn)(int64_t id, int64_t parent, const char *json,
                               void *ud),
                     void *ud);

/* ---- activities and tags
 * ------------------------------------------------------------ */
typedef struct store_activity {
    char *arn;
    char *name;
    int64_t created_ms;
} store_activity;

void store_activity_fini(store_activity *a);
/* Inserts an activity unless its ARN exists (*created tells). */
int store_activity_put(store *s, const store_activity *a, bool *created);
/* 0, BT_ENOENT or BT_EIO. */
int store_activity_get(store *s, const char *arn, store_activity *out);
int store_activity_delete(store *s, const char *arn);
/* Calls fn for each activity in name order. */
int store_activity_each(store *s, int (*fn)(const store_activity *a, void *ud),
                        void *ud);

/* Sets (inserts or replaces) one tag of a resource. */
int store_tag_put(store *s, const char *arn, const char *key,
                  const char *value);
/* Deletes one tag, or every tag of the resource when key is NULL. */
int store_tag_delete(store *s, const char *arn, const char *key);
/* Calls fn for each tag of a resource in key order. */
int store_tag_each(store *s, const char *arn,
                   int (*fn)(const char *key, const char *value, void *ud),
                   void *ud);

#endif
