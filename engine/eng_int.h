/*
 * engine internals: executions, frames and the pump that drives them.
 *
 * Frame lifecycle (one per execution root, Parallel branch, Map iteration):
 *   ENTER     about to enter `state` with `input`; nothing recorded yet.
 *   TASK      the Task's function call is in flight (Scheduled/Started are
 *             recorded); recovery calls the function again.
 *   WAIT      a Wait state sleeps until wake_ms.
 *   RETRY     a failed Task/Parallel/Map waits until wake_ms to run again.
 *   CHILDREN  a Parallel/Map waits for its child frames.
 *   PARKED    a callback or activity task waits for SendTask* or a
 *             timeout (eng_callback.c); a .sync nested execution waits for
 *             its child to end (eng_nested.c).
 *   DONE      the frame finished: output (or error) is set; its parent
 *             collects it. A finished root ends the execution.
 * Every move between phases happens inside the pump's transaction together
 * with the history events it produces; effects (spawning a function,
 * arming a timer) run after the commit.
 */
#ifndef BATON_ENG_INT_H
#define BATON_ENG_INT_H

#include <uv.h>

#include "engine/engine.h"
#include "store/store.h"

typedef struct eng_exec eng_exec;
typedef struct eng_child eng_child;
typedef struct eng_frame eng_frame;
typedef struct run_proc run_proc;
typedef struct run_reaper run_reaper;
typedef struct eng_call eng_call;
typedef struct eng_invoke eng_invoke;
typedef struct eng_http_call eng_http_call;

typedef struct run_proc_result {
    int64_t exit_status;
    int term_signal;
    bool timed_out;
    bool too_large;
    bool spawn_failed;
    bool function_error; /* a warm worker posted /error or /init/error:
                            out is the error document */
    char *out;           /* stdout, NUL-terminated */
    size_t out_len;
    char *err_text; /* spawn failure description */
} run_proc_result;

typedef enum eng_phase {
    PH_ENTER,
    PH_TASK,
    PH_WAIT,
    PH_RETRY,
    PH_CHILDREN,
    PH_PARKED,
    PH_DONE
} eng_phase;

/* What a parked task waits for (eng_callback.c): SendTask* for a token,
 * a worker for an activity task, or the end of a child execution
 * (startExecution.sync and .sync:2, eng_nested.c). */
enum { CB_NONE, CB_CALLBACK, CB_ACTIVITY, CB_NESTED };
/* What arrived for it. */
enum { CB_NONE_YET, CB_SUCCEEDED, CB_FAILED };

typedef struct eng_poll eng_poll;

typedef enum eng_status {
    EX_RUNNING,
    EX_SUCCEEDED,
    EX_FAILED,
    EX_TIMED_OUT,
    EX_ABORTED
} eng_status;

const char *eng__status_name(eng_status s);
/* Phase names in frame snapshots, indexed by eng_phase. */
extern const char *const eng__phase_names[PH_DONE + 1];

/* History events not yet written: an execution's (or a distributed Map
 * child's) events of the current transaction, written as one store row
 * just before the commit (eng__commit). */
typedef struct eng_history {
    int64_t exec; /* the owner's store id (store_exec.id) */
    bt_buf text;  /* the events, one JSON object per line */
    int64_t first, n;
    size_t slot; /* its place in eng.pending while n > 0 */
} eng_history;

struct eng_frame {
    eng_exec *ex;
    int64_t id;
    eng_frame *parent;
    size_t index; /* branch or item index in the parent */
    const sl_scope *scope;
    const sl_state *state;  /* current state */
    json_object *input;     /* raw input of the current state */
    json_object *effective; /* Task: effective input; Map: items array */
    json_object *vars;      /* this scope instance's variables */
    eng_phase phase;
    int64_t entered_id; /* the current state's ...StateEntered event */
    int64_t prev_id;    /* last event of this thread */
    int64_t entered_ms;
    uint32_t *attempts; /* per retrier */
    uint32_t retry_count;
    int64_t wake_ms; /* WAIT / RETRY */
    uv_timer_t *timer;
    eng_call *call;   /* TASK: the queued or running call */
    char *task_kind;  /* eng__task_kind of the Resource */
    char *request_id; /* the call's Lambda request id */
    char *fn_name;    /* the function of the running call */
    int64_t task_timeout_s;
    bool state_timeout_first; /* the process timeout is the state's */
    bool heartbeat_first;     /* ... and it is HeartbeatSeconds */
    run_proc_result task_res; /* TASK: the finished call, when ready */
    bool task_res_ready;
    eng_http_call *http; /* TASK of an HTTP task: the transfer, in flight
                            or finished (eng_http.c) */
    /* TASK/PARKED of a callback, activity or .sync task (eng_callback.c) */
    int cb_kind;        /* CB_* */
    char *token;        /* the task token, while the task is open */
    char *activity_arn; /* CB_ACTIVITY */
    char *worker;       /* the worker that took it, if named */
    bool cb_started;    /* ActivityStarted recorded */
    eng_poll *poll;     /* a worker to answer once ActivityStarted commits */
    int64_t cb_sched_ms, cb_timeout_s, cb_heartbeat_s;
    int64_t cb_deadline_ms; /* TimeoutSeconds ends here; 0: none */
    int64_t cb_beat_ms;     /* the next heartbeat is due by here; 0: none */
    int cb_outcome;         /* CB_NONE_YET / CB_SUCCEEDED / CB_FAILED */
    json_object *cb_output; /* CB_SUCCEEDED */
    sl_error cb_error;      /* CB_FAILED */
    void *cb_sender;        /* the SendTask* call to answer after commit */
    char *nested_arn;       /* CB_NESTED: the child execution waited for */
    /* CHILDREN */
    eng_frame **kids;
    size_t nkids;      /* children created so far */
    size_t total;      /* branches / items */
    size_t next_index; /* next item to start */
    size_t running, succeeded, failed;
    json_object *results; /* array, one slot per child */
    int64_t max_concurrency;
    int64_t tolerated_count;
    double tolerated_pct;
    sl_error child_error; /* first child failure */
    int64_t child_error_id;
    /* DONE */
    json_object *output;
    sl_error error;
    bool failed_;
    eng_child *child; /* inside a distributed Map: the child execution
                         whose history this frame's events go to */
    bool owns_child;  /* this frame is that child execution's root */
    bool queued;
    bool dirty;   /* its snapshot is to be written (eng__frame_save) */
    bool stored;  /* a row of its own exists (written or recovered) */
    bt_buf batch; /* a Map's finished iterations' snapshots to write */
    size_t batch_n, batch_slot; /* how many; its place in eng.batched */
    size_t dirty_slot;          /* its place in eng.dirty */
    bt_buf text;                /* compact JSON of text_of (eng_exec.c) */
    json_object *text_of;
};

/* A distributed Map's child execution: its own ARN, row and history. Its
 * frames live in the parent execution's tree; the child's root frame owns
 * this record. */
struct eng_child {
    eng_history hist;
    int64_t sid; /* store_exec.id */
    char *arn;
    char *name;
    int64_t next_event_id;
    int64_t start_ms;
    json_object *context_exec; /* $$.Execution / $$.StateMachine */
};

struct eng_exec {
    eng *e;
    eng_history hist;
    int64_t sid; /* store_exec.id: the key of its history and frames */
    char *arn;
    char *name;
    char *machine_arn;
    char *machine_name;
    sl_machine *machine;
    sl_machine_type type;
    json_object *input;
    json_object *context_exec; /* $$.Execution + $$.StateMachine parts,
                                  made on first use (eng__exec_context) */
    int64_t start_ms;
    int64_t deadline_ms; /* TimeoutSeconds, 0: none */
    eng_status status;
    json_object *output;
    sl_error error;
    int64_t next_event_id;
    int64_t next_frame_id;
    eng_frame *root;
    size_t live_frames;
    uv_timer_t *deadline_timer;
    eng_exec *next, *prev; /* in e->execs */
    bool reaping;          /* in e->ended, to leave memory */
    bool finished_notified;
    bool finishing; /* recording the terminal event */
    int64_t states_done, items_done, items_total; /* progress */
};

/* An effect runs after the commit (run = true) or is dropped (run = false,
 * its frame went away first); either way fn owns and frees arg. */
typedef void (*eng_effect_fn)(void *arg, bool run);

typedef struct eng_effect {
    eng_effect_fn fn;
    void *arg;
    eng_frame *frame; /* the frame it acts for, or NULL */
    bool cancelled;
} eng_effect;

typedef struct eng_function {
    char *name;
    char **argv;
    char *cwd;  /* NULL: inherit */
    char **env; /* extra "K=V" entries, NULL-terminated */
    int64_t timeout_s;
    int64_t memory_mb;   /* 0: no limit */
    int64_t concurrency; /* 0: no per-function limit */
    size_t active;       /* calls running now */
    /* Warm functions (eng_warm.c): workers speaking the Runtime API. */
    bool warm;
    char *code_dir; /* LAMBDA_TASK_ROOT, holds bootstrap */
    char *handler;  /* _HANDLER */
    int64_t idle_timeout_s;
    int64_t cold_starts, warm_starts; /* since eng_open */
    struct eng_function *next;
} eng_function;

struct eng {
    eng_opts opts;
    bt_buf details_text; /* ...StateEntered/Exited details' scratch */
    bt_buf frame_text;   /* eng__frame_write's scratch */
    bt_buf json_text;    /* a value's text, for a moment (bt_buf_json) */
    int64_t step_ms;     /* the time of the pump's current step, 0: none */
    int64_t step_tick;   /* eng__tick() when step_ms was read */
    int64_t stamp_ms;    /* stamp holds {"timestamp":<stamp_ms as AWS> */
    char stamp[40];
    size_t stamp_len;
    eng_frame **dirty; /* snapshots to write before the commit */
    size_t ndirty, capdirty;
    eng_frame **batched; /* Maps with a batch of finished iterations */
    size_t nbatched, capbatched;
    eng_history **pending;     /* histories with events to write */
    bt_buf spare[64];          /* history buffers not in use (eng_exec.c) */
    eng_frame *frame_pool[64]; /* freed frames for reuse (eng_exec.c) */
    size_t nframe_pool;
    size_t nspare;
    size_t npending, cappending;
    char *region;
    char *account;
    char *default_role; /* arn:aws:iam::<account>:role/baton */
    uv_loop_t loop;
    store *st;
    eng_exec *execs;
    struct lh_table *exec_index; /* ARN -> running eng_exec */
    eng_exec **ended; /* finished, to leave memory at the next reap */
    size_t nended, capended;
    eng_function *functions;
    /* Work: frames ready to advance, processed by the pump. */
    eng_frame **ready; /* [ready_head, nready) are waiting */
    size_t ready_head, nready, capready;
    /* Effects queued until the pump's transaction commits. */
    struct eng_effect *effects;
    size_t neffects, capeffects;
    uv_idle_t pump;
    bool pump_armed;
    sl_rand rng;
    uint64_t rng_state;
    int64_t commits; /* pump commits so far (fault hooks) */
    /* Function processes: how many run, how many may, who waits. */
    size_t procs_active, procs_max;
    bool closing;
    eng_call *call_head, *call_tail; /* calls waiting for room */
    eng_call *calls_failed;          /* failed to start, reported next turn */
    uv_timer_t calls_failed_timer;   /* reports calls_failed */
    struct eng_async *async;         /* eng_async.c: work from other threads */
    struct eng_callbacks *callbacks; /* eng_callback.c: tokens, activities */
    struct eng_nested *nested;       /* eng_nested.c: who waits for whom */
    struct eng_http *http;           /* eng_http.c: libcurl on the loop */
    eng_invoke *invokes;             /* Lambda Invoke API calls in flight */
    struct eng_mcache *mcache;       /* eng_mcache.c: compiled machines */
    struct eng_warm *warm;           /* eng_warm.c: workers, the HTTP hook */
    run_reaper *reaper; /* run_proc.c: process-per-call children, made on
                           first use */
};

/* ---- eng_api.c
 * ---------------------------------------------------------------------- */
int64_t eng__now_ms(void);
/* The kernel's coarse monotonic clock (ns; moves once per tick, cheap). */
int64_t eng__tick(void);
/* The time for a history event now: inside a pump step, the step's clock
 * read until the coarse clock moves on; otherwise the clock. */
int64_t eng__event_ms(eng *e);
/* A timestamp as AWS's JSON gives it: epoch seconds with a millisecond
 * fraction, printed exactly ("1700000000.123"). */
json_object *eng__epoch_json(int64_t ms);
/* o[k] = v as a string, when v is not NULL; o[k] = eng__epoch_json(ms). */
void eng__add_str(json_object *o, const char *k, const char *v);
void eng__add_date(json_object *o, const char *k, int64_t ms);
/* ---- eng_function.c
 * ---------------------------------------------------------------- */
eng_function *eng__function_find(eng *e, const char *name);
/* The function name in FunctionName or a Lambda ARN: name, name:alias,
 * arn:...:function:name[:qualifier], or account:function:name (new). */
char *eng__function_name_of(const char *s);
/* arn:aws:lambda:<region>:<account>:function:<name> (new). */
char *eng__function_arn(eng *e, const char *name);
/* Loads the functions registered in the store (eng_open). */
int eng__functions_load(eng *e, char **err);
void eng__functions_free(eng *e);
/* argv for a call: the function's command, wrapped in baton's
 * "__exec-limited" helper when it has a memory limit (new, NULL-ended). */
char **eng__function_argv(const eng_function *fn);
/* The environment of a call (new, NULL-ended, one block: free() it). Its
 * strings from environ and fn->env are shared: use it before either
 * changes (it is made right before each spawn). */
char **eng__function_env(eng *e, const eng_function *fn,
                         const char *request_id);
void eng__strv_free(char **v);
/* Queues f to advance in the pump. */
void eng__ready(eng_frame *f);
/* Queues an effect for frame f (NULL: the execution) to run after the
 * pump's transaction commits. */
void eng__effect(eng *e, eng_frame *f, eng_effect_fn fn, void *arg);
char *eng__uuid(eng *e);
/* A store write or commit failed: the process cannot keep its promise of
 * durability, so it says why ("store WHAT failed: ...") and aborts; the
 * store stays at its last commit, from which recovery continues. */
_Noreturn void eng__store_fatal(eng *e, const char *what);
/* Makes sure the pump runs (and commits) soon. */
void eng__kick(eng *e);

/* $$.Execution and $$.StateMachine of x (new). */
json_object *eng__exec_context(eng_exec *x);

/* ---- eng_exec.c
 * ----------------------------------------------------------------------- */
/* Appends a history event of type with details member (taken) to f's
 * thread; prev is f->prev_id unless prev >= 0. Returns its id. */
int64_t eng__event(eng_exec *x, eng_frame *f, const char *type,
                   json_object *details, int64_t prev);
/* "<Type>State<what>" for state st, e.g. PassStateEntered, in buf. */
const char *eng__state_event_type(char *buf, size_t cap, const sl_state *st,
                                  const char *what);
/* History rows and Map batch rows are cut near this size: larger rows
 * spill to overflow pages and their buffers cost reallocations. */
#define ENG_ROW_BYTES 32768
/* The same with the details member as JSON text (NULL: none). */
int64_t eng__event_text(eng_exec *x, eng_frame *f, const char *type,
                        const char *details, size_t details_len, int64_t prev);
void eng__advance(eng_frame *f);
eng_frame *eng__frame_new(eng_exec *x, eng_frame *parent, size_t index,
                          const sl_scope *scope, json_object *input);
void eng__frame_free(eng_frame *f);
/* Frees the frames kept for reuse (eng_close). */
void eng__frame_pool_free(eng *e);
/* The state's context object ($$), new. */
json_object *eng__context(eng_frame *f, json_object *map_item);
/* The same with $$ made only if an expression reads it (most states never
 * do); json_object_put(lazy->made) when done. */
/* The compact JSON text of v ("null" for NULL), cached in f until another
 * value's is asked for (eng_exec.c). */
const char *eng__value_text(eng_frame *f, json_object *v, size_t *n);
void eng__sl_ctx_lazy(eng_frame *f, sl_ctx *c, sl_lazy *lazy);
void eng__sl_ctx(eng_frame *f, sl_ctx *c, json_object *context);
/* Ends frame f successfully with output (taken). */
void eng__frame_succeed(eng_frame *f, json_object *output);
/* Ends frame f with error (copied). */
void eng__frame_fail(eng_frame *f, const sl_error *err);
/* A state's work produced result (taken) or failed with err. */
void eng__work_done(eng_frame *f, json_object *result);
void eng__work_failed(eng_frame *f, const sl_error *err);
/* here: the error arose in this state (false: it comes from a child frame,
 * which already recorded any EvaluationFailed). */
void eng__work_failed_as(eng_frame *f, const sl_error *err, bool here);
void eng__exec_finish(eng_exec *x, eng_status status, json_object *output,
                      const sl_error *err);
/* Marks f's snapshot for writing: every marked frame is written once, just
 * before the transaction commits (eng__commit), so a frame that moves
 * through several states in one batch costs one write, not one per state.
 * The events and the snapshots of a batch still commit together. */
void eng__frame_save(eng_frame *f);
/* Writes f's snapshot now (store_begin included). */
void eng__frame_write(eng_frame *f);
/* Writes the pending history events now (before reading history). */
void eng__history_write(eng *e);
/* The owner of h leaves memory: its pending events are written. */
void eng__history_release(eng *e, eng_history *h);
/* A finished Map iteration leaves memory: its snapshot joins the Map's
 * batch (one row per commit), then the frame is freed. */
void eng__frame_retire(eng_frame *kid);
/* m's batch is not to be written (its rows are being deleted). */
void eng__frame_batch_drop(eng_frame *m);
/* m leaves memory: its batch is written now. */
void eng__frame_batch_release(eng_frame *m);
/* Writes the marked snapshots now. */
void eng__frames_write(eng *e);
/* f's row and its subtree's rows are being deleted: nothing to write. */
void eng__frame_forget(eng_frame *f);
/* Writes the marked snapshots, then commits the open transaction, if any.
 * Every commit of the engine's writes goes through here. */
int eng__commit(eng *e);

/* ---- eng_task.c
 * ------------------------------------------------------------------------- */
void eng__task_start(eng_frame *f);
/* The task kind of a Resource: "lambda" for a function ARN, else the
 * integration's action and suffix as Task* events name it ("invoke",
 * "invoke.waitForTaskToken", "startExecution.sync:2", ...); NULL for
 * anything else. Static string. */
const char *eng__task_kind(const char *resource);
/* {resourceType, resource} of f's Task* events (new). */
json_object *eng__task_details(const eng_frame *f);
/* Records the task's success with result (taken) and moves on. */
void eng__task_succeeded(eng_frame *f, json_object *result);
/* Records TaskFailed (or LambdaFunctionFailed) and applies Retry/Catch. */
void eng__task_fail(eng_frame *f, const char *name, const char *cause);
/* Runs again a call recorded before a restart (no new events). */
void eng__task_resume(eng_frame *f);
void eng__task_cancel(eng_frame *f);
/* A finished call parked on the frame is recorded (pump only). */
void eng__task_advance(eng_frame *f);
/* For other task kinds (eng_http.c): TaskScheduled and TaskStarted of the
 * frame's effective input; the end of the task (TaskSucceeded with result,
 * taken, or TaskFailed / TaskTimedOut) and the state's next step. */
void eng__task_schedule(eng_frame *f, int64_t timeout_s, int64_t heartbeat_s);
void eng__task_failed(eng_frame *f, const sl_error *err);

/* ---- eng_http_msg.c: HTTP task requests and results --------------------- */
typedef struct eng_http_req {
    char *url;      /* ApiEndpoint with QueryParameters appended */
    char *method;   /* GET, POST, PUT, DELETE, PATCH, OPTIONS or HEAD */
    char **headers; /* "Name: value" lines for libcurl, NULL-terminated */
    char *body;     /* NULL: none; NUL-terminated, body_len bytes */
    size_t body_len;
} eng_http_req;
/* Builds the request that an http:invoke Task's parameters (borrowed)
 * describe. Returns 0 with req filled (free with eng__http_req_fini), or
 * -1 with err: States.Runtime and a cause naming the parameter when one is
 * missing or invalid, States.DataLimitExceeded when the encoded body
 * exceeds BT_LIMIT_HTTP_REQUEST_BYTES. */
int eng__http_req_build(json_object *params, eng_http_req *req, sl_error *err);
void eng__http_req_fini(eng_http_req *req);
/* The task result {Headers, ResponseBody, StatusCode, StatusText} (new).
 * Takes headers (name -> array of values). The body becomes parsed JSON
 * when the Content-Type is JSON and it parses, else a string. reason NULL
 * or "": the standard phrase. */
json_object *eng__http_result(long status, const char *reason,
                              json_object *headers, const char *body,
                              size_t body_len);
/* The standard reason phrase of a status code ("" when unknown). */
const char *eng__http_reason(long status);
/* A JSON string of n bytes of s (new), invalid UTF-8 replaced by U+FFFD. */
json_object *eng__http_text(const char *s, size_t n);
/* The cause of a States.Http.StatusCode.<code> error: result as compact
 * JSON, its ResponseBody cut (from body) so that it fits max bytes (new). */
char *eng__http_status_cause(json_object *result, const char *body,
                             size_t body_len, size_t max);

/* ---- eng_http.c: HTTP tasks on the loop --------------------------------- */
/* Starts an HTTP Task with f->effective as parameters: checks them,
 * records TaskScheduled/TaskStarted (unless resume) and sends the request
 * after the commit. A bad parameter fails the state without task events. */
void eng__http_start(eng_frame *f, int64_t timeout_s, int64_t heartbeat_s,
                     bool resume);
/* A finished transfer parked on f is recorded (pump only). */
void eng__http_advance(eng_frame *f);
/* Aborts f's transfer, if any; nothing is recorded. */
void eng__http_cancel(eng_frame *f);
/* Closes libcurl's connections and handles (eng_close, frames gone). */
void eng__http_close(eng *e);

/* ---- eng_callback.c: callbacks and activities --------------------------- */
/* Gives f a task token (keeping one restored from a snapshot) and makes it
 * known to SendTask*. */
void eng__callback_token(eng_frame *f);
/* A callback task's function returned response (taken): TaskSubmitted,
 * then the frame parks (or ends at once if an outcome already arrived). */
void eng__callback_submitted(eng_frame *f, json_object *response);
/* Schedules f's effective input on activity arn: ActivityScheduled. */
void eng__activity_start(eng_frame *f, const char *arn, int64_t timeout_s,
                         int64_t heartbeat_s);
/* PARKED frames in the pump: a worker took it, an outcome, a deadline. */
void eng__callback_advance(eng_frame *f);
/* Recovery of a PARKED frame. */
void eng__callback_resume(eng_frame *f);
/* The task ends without an outcome (failure, stop, frame freed). */
void eng__callback_cancel(eng_frame *f);
/* The callback part of a frame snapshot (new; NULL: none), and reading it
 * back from a snapshot's "callback" member. */
json_object *eng__callback_snapshot(const eng_frame *f);
void eng__callback_restore(eng_frame *f, json_object *snapshot);
/* Answers waiting workers (eng_async_close); frees everything (eng_close). */
void eng__callbacks_close(eng *e);
void eng__callbacks_free(eng *e);

/* ---- eng_nested.c: states:startExecution[.sync|.sync:2|.waitForTaskToken]
 */
/* Starts f's child execution in the current step (Scheduled and Started
 * are recorded), then records the result, or TaskSubmitted and parks. */
void eng__nested_start(eng_frame *f);
/* Makes f (CB_NESTED, nested_arn set) wake when its child ends. */
void eng__nested_wait(eng_frame *f);
/* f no longer waits; with stop_child its child is stopped after the next
 * commit (best effort: the parent was stopped or timed out). */
void eng__nested_release(eng_frame *f, bool stop_child);
/* Reads f's child from the store: once it has ended, sets f's outcome. */
void eng__nested_check(eng_frame *f);
/* Execution arn has ended (eng__exec_finish): its waiters get ready. */
void eng__nested_ended(eng *e, const char *arn);
void eng__nested_free(eng *e);

/* ---- eng_mapchild.c: distributed Map child executions ------------------- */
/* Starts kid (a root frame of a distributed Map's iteration) as a child
 * execution: its row and ExecutionStarted. */
void eng__child_exec_start(eng_frame *map, eng_frame *kid);
/* Ends kid's child execution (status from its frame, or ABORTED). */
void eng__child_exec_finish(eng_frame *kid, bool aborted);
/* Recovery: the child record of a frame snapshot naming child_arn. */
int eng__child_exec_restore(eng_frame *kid, const char *child_arn);
void eng__child_free(eng *e, eng_child *c);

/* ---- eng_children.c
 * --------------------------------------------------------------------- */
void eng__parallel_start(eng_frame *f);
void eng__map_start(eng_frame *f);
void eng__child_done(eng_frame *child);
void eng__children_abort(eng_frame *f);
/* Recovery: rebuilds a Parallel/Map's bookkeeping (no events), then hands
 * it each child frame read back from the store. */
int eng__children_restore(eng_frame *f);
void eng__child_restore(eng_frame *f, eng_frame *kid);

/* ---- eng_service.c
 * ------------------------------------------------------------------ */
struct store_exec;
/* input: the row's input already parsed (borrowed), or NULL to parse it. */
int eng__exec_load(eng *e, const struct store_exec *row, json_object *input,
                   eng_exec **out, char **err);
/* Validates and creates an execution inside the current store transaction
 * (begun when none is open): its row, ExecutionStarted and its root frame,
 * queued to run; deadline timers are effects. Commits nothing, so the pump
 * may call it (nested executions). *exec_arn is new; the same name and
 * input as a RUNNING execution give that one's ARN (AWS). Returns 0,
 * BT_ENOENT / BT_EINVAL / BT_EINVALID with AWS's message in *err (nothing
 * written), or BT_EIO when a store write failed (the caller rolls back or,
 * in the pump, aborts). */
int eng__exec_create(eng *e, const char *machine, const char *name,
                     const char *input, char **exec_arn, char **err);
/* Unlinks and frees an execution that was never recorded. */
void eng__exec_discard(eng_exec *x);
void eng__deadline_arm(eng_exec *x);
/* Id of the last history event stored for an execution (0: none). */
int64_t eng__last_event_id(eng *e, int64_t sid);
eng_exec *eng__exec_find(eng *e, const char *arn);
/* Adds x to e's executions (list and ARN index) / queues a finished x to
 * leave memory at the next reap (eng_api.c). */
void eng__exec_link(eng_exec *x);
void eng__exec_ended(eng_exec *x);

/* ---- eng_timer.c
 * -------------------------------------------------------------------------- */
void eng__timer_arm(eng_frame *f, int64_t wake_ms);
void eng__timer_cancel(eng_frame *f);

/* ---- run_proc.c: child processes
 * --------------------------------------------------------- */
typedef void (*run_proc_done_fn)(run_proc_result *res, void *ud);
/* One line the process wrote on its stderr (until it is reported). */
typedef void (*run_proc_log_fn)(void *ud, const char *line);

/* The processes run_proc_start started on one loop, and the SIGCHLD
 * watcher that reaps them. Its watcher keeps the loop alive only while
 * one of them runs. Coexists with libuv's own uv_spawn children. */
run_reaper *run_reaper_new(uv_loop_t *loop);
/* Closes the watcher (before the loop's last run: the memory goes in its
 * close callback) and forgets processes not yet reaped; their pipes must
 * be closed in the same turn (they read through r's buffer). NULL is a
 * no-op. */
void run_reaper_free(run_reaper *r);

/* Starts argv (argv[0] searched in PATH) with env (NULL: inherit) in cwd
 * (NULL: ours) on r's loop, in its own session and process group, with
 * default signal dispositions and no descriptor but 0-2, writes input to its
 * stdin and closes it, collects stdout up to max_out bytes (too_large beyond:
 * the group is killed) and passes stderr lines to log. timeout_ms > 0 kills the
 * whole process group when it passes. done is called once, on the loop, after
 * the process has exited and stdout and stderr reached EOF. Returns 0 with
 * *out, or BT_EIO with *err (new) when the program cannot be started
 * (missing, not executable, bad cwd, out of descriptors); done is then
 * never called. */
int run_proc_start(run_reaper *r, char **argv, char **env, const char *cwd,
                   const char *input, size_t input_len, int64_t timeout_ms,
                   size_t max_out, run_proc_done_fn done, run_proc_log_fn log,
                   void *ud, run_proc **out, char **err);
/* Kills the process group; done is still called (with term_signal). */
void run_proc_kill(run_proc *p);
/* Forgets the caller: done will not be called; the process is killed. */
void run_proc_abandon(run_proc *p);
void run_proc_result_fini(run_proc_result *r);

/* ---- eng_call.c: function calls ------------------------------------------ */
#define ENG_CALL_MAX_OUTPUT (6u * 1024 * 1024) /* Lambda's sync limit */
/* A finished call (res's out/err_text may be taken). */
typedef void (*eng_call_done_fn)(void *ud, run_proc_result *res);
/* Calls function fn with payload (taken) once the global and the
 * function's concurrency allow; done is called once, on the loop (also for
 * a process that could not start: res->spawn_failed). timeout_ms 0: the
 * function's own. log receives its stderr lines. */
eng_call *eng__call(eng *e, const char *fn, char *payload,
                    const char *request_id, int64_t timeout_ms,
                    eng_call_done_fn done, run_proc_log_fn log, void *ud);
/* Forgets a call: done is never called; a running process is killed. */
void eng__call_cancel(eng_call *c);
void eng__calls_free(eng *e);
/* The next call in the queue (e->call_head ...). */
eng_call *eng__call_next(const eng_call *c);
/* Lambda's error documents for a process that exited badly / timed out
 * (new). */
char *eng__call_exit_error(const char *request_id, const run_proc_result *r);
char *eng__call_timeout_error(const char *request_id, int64_t timeout_s);

/* ---- eng_warm.c: warm workers (the Lambda Runtime API) ----------------- */
typedef struct eng_worker eng_worker;
/* Gives a call of warm function fn (payload copied) to an idle worker, or
 * to a new one (a cold start); done(res, ud) is called once, on the loop,
 * like run_proc's. timeout_ms > 0 bounds the call from the moment a worker
 * takes it. Returns 0 with *out the worker, or BT_EIO with *err (new) when
 * no worker could start. */
int eng__warm_call(eng *e, eng_function *fn, const char *payload,
                   const char *request_id, int64_t timeout_ms,
                   run_proc_done_fn done, void *ud, eng_worker **out,
                   char **err);
/* Forgets the call w holds: done is never called. A worker already running
 * it is killed (it cannot be interrupted otherwise). */
void eng__warm_abandon(eng_worker *w);
/* Answers parked requests and stops every worker (eng_async_close). */
void eng__warm_close(eng *e);
/* Logs the start counts and frees what is left (eng_close, before the
 * loop's handles are closed). */
void eng__warm_free(eng *e);

/* ---- eng_invoke.c: the Lambda Invoke API ----------------------------------
 */
/* Answers pending RequestResponse invocations (503) and drops the others
 * (eng_async_close, eng_close). */
void eng__invokes_close(eng *e);

/* ---- eng_mcache.c: compiled machines shared by executions ------------- */
/* The compiled machine of (arn, revision, type), compiled at most once
 * while in use; *name is the machine's name (borrowed, lives as long as
 * the machine). BT_ENOENT / BT_EINVALID with a message in *err. */
int eng__machine_acquire(eng *e, const char *arn, int64_t revision,
                         sl_machine_type type, sl_machine **out,
                         const char **name, char **err);
/* One execution stopped using m. */
void eng__machine_release(eng *e, sl_machine *m);
void eng__mcache_free(eng *e);

#endif
