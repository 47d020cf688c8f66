/*
 * statelang: the Amazon States Language as pure functions.
 *
 * Definition text goes in; an immutable compiled machine or a list of
 * diagnostics comes out. Nothing in this module does I/O, reads the clock,
 * spawns or touches SQLite; json-c is its only dependency besides base/.
 */
#ifndef BATON_STATELANG_H
#define BATON_STATELANG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

/* ---- Diagnostics ---------------------------------------------------------
 * One problem in a definition. code is one of AWS's diagnostic codes
 * (SCHEMA_VALIDATION_FAILED, MISSING_TRANSITION_TARGET, ...). location is a
 * JSON Pointer ("/States/Fetch/Next"), or NULL when the problem has no
 * place (text that is not JSON at all). line/column are 1-based positions in
 * the definition text, 0 when unknown.                                     */
typedef enum sl_severity { SL_SEV_ERROR, SL_SEV_WARNING } sl_severity;

typedef struct sl_diag {
    sl_severity severity;
    const char *code; /* static string */
    char *message;    /* owned */
    char *location;   /* owned, may be NULL */
    int line;
    int column;
} sl_diag;

typedef struct sl_diags {
    sl_diag *items;
    size_t len;
    size_t cap;
    bool truncated; /* more problems existed than BT_LIMIT_DIAGNOSTICS */
} sl_diags;

void sl_diags_init(sl_diags *d);
void sl_diags_fini(sl_diags *d);
/* Number of diagnostics with SL_SEV_ERROR. */
size_t sl_diags_errors(const sl_diags *d);

/* ---- Compiling a definition ---------------------------------------------- */
typedef enum sl_machine_type {
    SL_MACHINE_STANDARD,
    SL_MACHINE_EXPRESS
} sl_machine_type;

typedef struct sl_compile_opts {
    sl_machine_type type; /* which rule set (V25 differs) */
} sl_compile_opts;

typedef struct sl_machine sl_machine;

/* Parses and validates a definition of len bytes.
 *
 * Every problem found is appended to diags (all of them, not the first).
 * Returns 0 and a new machine in *out (caller frees with sl_machine_free)
 * when the definition is valid; BT_EINVALID when diags holds at least one
 * error (nothing is written to *out). out may be NULL to validate only. */
int sl_machine_compile(const char *text, size_t len,
                       const sl_compile_opts *opts, sl_machine **out,
                       sl_diags *diags);

void sl_machine_free(sl_machine *m);

/* Parses "STANDARD" / "EXPRESS"; returns false for anything else. */
bool sl_machine_type_parse(const char *s, sl_machine_type *out);
/* The other way: "STANDARD" or "EXPRESS". */
const char *sl_machine_type_name(sl_machine_type t);

/* ---- Running a machine: the pure pieces the engine drives
 * ---------------------
 *
 * statelang decides *what* happens (data flow, Choice, Retry/Catch, Wait
 * instants, Map items); the engine decides *when* and records it. Nothing
 * here reads a clock or a random device: time and randomness come in through
 * sl_ctx.                                                                   */

/* A workflow error (what Retry and Catch see): the ASL error name and its
 * cause. Either may be NULL (absent), which differs from "" on AWS. */
typedef struct sl_error {
    char *name;
    char *cause;
} sl_error;

void sl_error_init(sl_error *e);
/* Replaces e's contents with copies of name and cause (either may be NULL). */
void sl_error_set(sl_error *e, const char *name, const char *cause);
void sl_error_setf(sl_error *e, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void sl_error_fini(sl_error *e);
/* {"Error": name, "Cause": cause} as a Catcher receives it (new reference;
 * absent parts are null). */
json_object *sl_error_output(const sl_error *e);

/* 64 uniformly random bits per call. */
typedef struct sl_rand {
    uint64_t (*next)(void *ud);
    void *ud;
} sl_rand;

/* Everything a state's evaluation may read besides its input. */
/* A value made on first use: make(ud) returns a new reference, kept in
 * made; whoever set it up releases made. */
typedef struct sl_lazy {
    json_object *(*make)(void *ud);
    void *ud;
    json_object *made;
} sl_lazy;

/* The value, made now if need be (borrowed; NULL when l is NULL). */
json_object *sl_lazy_get(sl_lazy *l);

typedef struct sl_ctx {
    const char *state_name;   /* for States.Runtime causes */
    int64_t entered_event_id; /* id of the state's ...StateEntered event */
    json_object *context;     /* the context object ($$), borrowed; when
                                 NULL, lazy_context makes it on first use */
    sl_lazy *lazy_context;
    /* Workflow variable lookup: true and a borrowed value (NULL is JSON
     * null) when set; false when unset. */
    bool (*var)(void *ud, const char *name, json_object **value);
    void *var_ud;
    const sl_rand *rng;
    int64_t now_ms;       /* wall clock, for JSONata $now and Wait */
    size_t payload_limit; /* bytes; 0 means the AWS default (256 KiB) */
} sl_ctx;

#define SL_PAYLOAD_LIMIT_DEFAULT 262144

/* c's context object ($$), borrowed. */
json_object *sl_ctx_context(const sl_ctx *c);

typedef struct sl_state sl_state;
typedef struct sl_scope sl_scope;

typedef enum sl_kind {
    SL_TASK,
    SL_WAIT,
    SL_PASS,
    SL_SUCCEED,
    SL_FAIL,
    SL_CHOICE,
    SL_PARALLEL,
    SL_MAP
} sl_kind;

/* ---- Navigating a compiled machine (all borrowed)
 * ---------------------------- */
const sl_scope *sl_machine_top(const sl_machine *m);
/* Top-level TimeoutSeconds, or 0 when absent. */
int64_t sl_machine_timeout_s(const sl_machine *m);
const sl_state *sl_scope_start(const sl_scope *sc);
const sl_state *sl_scope_find(const sl_scope *sc, const char *name);
sl_kind sl_state_kind(const sl_state *st);
const char *sl_state_name(const sl_state *st);
const char *sl_state_type_name(const sl_state *st); /* "Task", "Pass"... */
/* The state Next names, or NULL for End / Choice / Succeed / Fail. */
const sl_state *sl_state_next(const sl_state *st);
size_t sl_state_branch_count(const sl_state *st);
const sl_scope *sl_state_branch(const sl_state *st, size_t i);
const sl_scope *sl_state_processor(const sl_state *st);
/* The states of a scope in definition order (i < count). */
size_t sl_scope_state_count(const sl_scope *sc);
const sl_state *sl_scope_state(const sl_scope *sc, size_t i);
/* The Parallel or Map state whose branch or processor sc is; NULL for the
 * top-level scope. */
const sl_state *sl_scope_owner(const sl_scope *sc);
/* The scope that holds st. */
const sl_scope *sl_state_scope(const sl_state *st);
/* "End": true. Succeed and Fail end their scope without it. */
bool sl_state_is_end(const sl_state *st);
/* Choice: the state Choices[i] goes to, and Default (NULL when absent). */
size_t sl_state_choice_count(const sl_state *st);
const sl_state *sl_state_choice_next(const sl_state *st, size_t i);
const sl_state *sl_state_default(const sl_state *st);
/* Catch: the state Catch[i] goes to, and its ErrorEquals array. */
size_t sl_state_catcher_count(const sl_state *st);
const sl_state *sl_state_catcher_next(const sl_state *st, size_t i);
json_object *sl_state_catcher_errors(const sl_state *st, size_t i);
/* Task: the Resource text. */
const char *sl_state_resource(const sl_state *st);
/* Map: ItemProcessor.ProcessorConfig.Mode is DISTRIBUTED. */
bool sl_state_map_distributed(const sl_state *st);
/* Map: the Label, or NULL. */
const char *sl_state_map_label(const sl_state *st);

/* ---- Data flow (reference §3 and §10)
 * ---------------------------------------- Each returns 0, or -1 with err set
 * to the workflow error (usually States.Runtime with AWS's cause, or
 * States.QueryEvaluationError). Outputs are new references. */

/* Effective input: InputPath then Parameters (JSONPath) or Arguments
 * (JSONata). For Map states only InputPath applies. */
int sl_state_input(const sl_state *st, json_object *raw, const sl_ctx *c,
                   json_object **out, sl_error *err);

/* Pass: the result (Result, or the effective input). */
json_object *sl_pass_result(const sl_state *st, json_object *effective);

/* The state's output from its raw input and result (NULL for Choice, Wait,
 * Succeed): Assign, ResultSelector, ResultPath, OutputPath (JSONPath) or
 * Assign and Output (JSONata). *assigned receives the variables the state
 * assigns (a new object, or NULL when it assigns none). */
int sl_state_output(const sl_state *st, json_object *raw,
                    json_object *effective, json_object *result,
                    const sl_ctx *c, json_object **out, json_object **assigned,
                    sl_error *err);

/* Choice: picks the next state; *out and *assigned as sl_state_output. */
int sl_choice_select(const sl_state *st, json_object *raw, const sl_ctx *c,
                     const sl_state **next, json_object **out,
                     json_object **assigned, sl_error *err);

/* Wait: the instant to wake at, in ms since the epoch (c->now_ms based). */
int sl_wait_until(const sl_state *st, json_object *raw, const sl_ctx *c,
                  int64_t *until_ms, sl_error *err);

/* Fail: the error the state raises (name/cause NULL when not given). */
int sl_fail_error(const sl_state *st, json_object *raw, const sl_ctx *c,
                  sl_error *out, sl_error *err);

/* Task: TimeoutSeconds / HeartbeatSeconds (0 when absent), from the
 * effective input for the *Path forms. */
int sl_task_timeouts(const sl_state *st, json_object *raw, const sl_ctx *c,
                     int64_t *timeout_s, int64_t *heartbeat_s, sl_error *err);

/* Map: the items array (new reference) from the raw input. */
int sl_map_items(const sl_state *st, json_object *raw, const sl_ctx *c,
                 json_object **items, sl_error *err);
/* Map: one iteration's input; c->context must hold Map.Item. */
int sl_map_item_input(const sl_state *st, json_object *raw, json_object *item,
                      const sl_ctx *c, json_object **out, sl_error *err);
/* Map with an ItemBatcher: groups the iteration inputs (items after
 * ItemSelector) into batch inputs {"Items": [...], "BatchInput": ...}
 * (reference §8.2 step 3): at most MaxItemsPerBatch items and
 * MaxInputBytesPerBatch bytes each. Takes inputs; *batches is new. Without
 * an ItemBatcher, *batches is inputs. */
int sl_map_batches(const sl_state *st, json_object *raw, json_object *inputs,
                   const sl_ctx *c, json_object **batches, sl_error *err);
/* Map: true when the state has an ItemBatcher. */
bool sl_state_map_batched(const sl_state *st);

/* Map: MaxConcurrency (0 = unlimited). */
int sl_map_concurrency(const sl_state *st, json_object *raw, const sl_ctx *c,
                       int64_t *max_concurrency, sl_error *err);
/* Map: tolerated failure count and percentage (-1 when unset). AWS reads
 * them after MapStateStarted, MaxConcurrency before it. */
int sl_map_tolerance(const sl_state *st, json_object *raw, const sl_ctx *c,
                     int64_t *tolerated_count, double *tolerated_pct,
                     sl_error *err);

/* ---- Errors: Retry and Catch (reference §6.4, §6.5)
 * --------------------------- */
typedef enum sl_decision {
    SL_DECIDE_RETRY, /* wait *delay_ms, then run the state's work again */
    SL_DECIDE_CATCH, /* a Catcher matched: see sl_catch_output */
    SL_DECIDE_FAIL   /* propagate the error */
} sl_decision;

/* Number of retriers of st (size of the attempts array). */
size_t sl_state_retrier_count(const sl_state *st);
/* Decides what to do with error e. attempts[i] counts retries already made
 * by retrier i during this visit of the state and is incremented on
 * SL_DECIDE_RETRY. On SL_DECIDE_CATCH *catcher is the Catcher index. */
sl_decision sl_error_decide(const sl_state *st, const sl_error *e,
                            uint32_t *attempts, const sl_rand *rng,
                            int64_t *delay_ms, size_t *catcher);
/* True when a Retry/Catch ErrorEquals list matches error name. */
bool sl_error_matches(json_object *error_equals, const char *name);
/* The output of Catcher i (its ResultPath or Output) and its Assign. */
int sl_catch_output(const sl_state *st, size_t catcher, json_object *raw,
                    const sl_error *e, const sl_ctx *c, const sl_state **next,
                    json_object **out, json_object **assigned, sl_error *err);

/* Serialized size in bytes (compact JSON), for the payload limit. */
size_t sl_json_size(json_object *v);

/* ---- Timestamps (reference §5.4)
 * ---------------------------------------------------- */
/* Parses an RFC 3339 timestamp as AWS accepts it (T separator, Z or a
 * numeric offset, any number of fraction digits). Writes microseconds since
 * the epoch. Returns false when s is not such a timestamp. */
bool sl_timestamp_parse(const char *s, int64_t *epoch_us);
/* Formats milliseconds since the epoch as AWS prints context timestamps:
 * YYYY-MM-DDTHH:MM:SS.mmmZ. buf must hold 32 bytes. */
void sl_timestamp_format_ms(int64_t epoch_ms, char buf[32]);

#endif
