/*
 * Tasks that wait for the outside world: the callback pattern
 * (lambda:invoke.waitForTaskToken, states:startExecution.waitForTaskToken)
 * and activities. Both park their frame (phase PARKED) under a task token
 * until SendTaskSuccess, SendTaskFailure or a timeout ends the task;
 * SendTaskHeartbeat only moves the heartbeat deadline. A .sync nested
 * execution parks here too, without a token (CB_NESTED): its outcome is
 * its child's end, which eng_nested.c reads when the frame advances.
 *
 * Durability: the token, the deadlines and any outcome that arrived are
 * part of the frame snapshot, so a restart re-registers the token and the
 * task carries on. Every change the caller is told about is committed
 * first: SendTaskSuccess/Failure are answered after the transaction that
 * records the outcome (or, while a callback's function still runs, the
 * snapshot holding it), GetActivityTask after the one that records
 * ActivityStarted.
 *
 * Activity queues: per activity ARN, tasks waiting for a worker and
 * workers (long polls) waiting for a task, both first in, first out.
 */
#include "engine/eng_int.h"

#include <json-c/linkhash.h>
#include <stdio.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_HEX 64 /* 256 random bits */
#define POLLERS_MAX 1000

struct eng_poll {
    eng *e;
    char *arn;
    char *worker;
    uv_timer_t *timer;
    eng_poll_fn fn;
    void *arg;
    eng_poll *next;
};

typedef struct activity_q {
    char *arn;
    eng_frame **tasks; /* [head, n) wait for a worker */
    size_t head, n, cap;
    eng_poll *polls, *polls_tail;
    size_t npolls;
} activity_q;

struct eng_callbacks {
    struct lh_table *tokens;     /* token -> frame */
    struct lh_table *activities; /* arn -> activity_q */
};

static struct eng_callbacks *cbs(eng *e)
{
    if (!e->callbacks) {
        e->callbacks = bt_xcalloc(1, sizeof *e->callbacks);
        e->callbacks->tokens = lh_kchar_table_new(64, NULL);
        e->callbacks->activities = lh_kchar_table_new(16, NULL);
    }
    return e->callbacks;
}

/* ---- tokens
 * ------------------------------------------------------------------ */

static char *token_new(void)
{
    unsigned char raw[TOKEN_HEX / 2];
    if (RAND_bytes(raw, sizeof raw) != 1) {
        fprintf(stderr, "baton: level=fatal msg=\"no random bytes for a task "
                        "token\"\n");
        abort();
    }
    char *t = bt_xmalloc(TOKEN_HEX + 1);
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(t + 2 * i, 3, "%02x", raw[i]);
    return t;
}

static bool token_shaped(const char *t)
{
    size_t n = strlen(t);
    return n == TOKEN_HEX && strspn(t, "0123456789abcdef") == n;
}

static void token_register(eng_frame *f)
{
    lh_table_insert(cbs(f->ex->e)->tokens, f->token, f);
}

static void token_drop(eng_frame *f)
{
    if (!f->token)
        return;
    eng *e = f->ex->e;
    void *v = NULL;
    if (e->callbacks &&
        lh_table_lookup_ex(e->callbacks->tokens, f->token, &v) && v == f)
        lh_table_delete(e->callbacks->tokens, f->token);
    free(f->token);
    f->token = NULL;
}

void eng__callback_token(eng_frame *f)
{
    if (!f->token)
        f->token = token_new();
    token_register(f);
}

/* ---- activity queues
 * --------------------------------------------------------- */

static activity_q *queue_of(eng *e, const char *arn, bool create)
{
    if (!create && !e->callbacks)
        return NULL;
    struct eng_callbacks *c = cbs(e);
    void *v = NULL;
    if (lh_table_lookup_ex(c->activities, arn, &v))
        return v;
    if (!create)
        return NULL;
    activity_q *q = bt_xcalloc(1, sizeof *q);
    q->arn = bt_xstrdup(arn);
    lh_table_insert(c->activities, q->arn, q);
    return q;
}

static void close_free(uv_handle_t *h)
{
    free(h);
}

static void timer_drop(uv_timer_t **t)
{
    if (!*t)
        return;
    uv_timer_stop(*t);
    uv_close((uv_handle_t *)*t, close_free);
    *t = NULL;
}

static void poll_free(eng_poll *p)
{
    timer_drop(&p->timer);
    free(p->arn);
    free(p->worker);
    free(p);
}

/* Answers a poll (token NULL: no task) and frees it. */
static void poll_answer(eng_poll *p, const char *token, const char *input)
{
    p->fn(p->arg, token, input);
    poll_free(p);
}

static void queue_unlink_poll(activity_q *q, eng_poll *p)
{
    eng_poll **link = &q->polls, *prev = NULL;
    for (; *link && *link != p; prev = *link, link = &(*link)->next)
        ;
    if (!*link)
        return;
    *link = p->next;
    if (q->polls_tail == p)
        q->polls_tail = prev;
    q->npolls--;
}

static void queue_remove_task(eng_frame *f)
{
    activity_q *q =
        f->activity_arn ? queue_of(f->ex->e, f->activity_arn, false) : NULL;
    for (size_t i = q ? q->head : 0; q && i < q->n; i++)
        if (q->tasks[i] == f)
            q->tasks[i] = NULL;
}

/* Hands waiting tasks to waiting workers. The worker is answered once
 * ActivityStarted is committed (the pump records it). */
static void queue_match(activity_q *q)
{
    while (q->polls && q->head < q->n) {
        eng_frame *f = q->tasks[q->head++];
        if (!f)
            continue;
        eng_poll *p = q->polls;
        queue_unlink_poll(q, p);
        timer_drop(&p->timer);
        f->poll = p;
        eng__ready(f);
    }
    if (q->head == q->n)
        q->head = q->n = 0;
}

static void queue_push(eng_frame *f)
{
    activity_q *q = queue_of(f->ex->e, f->activity_arn, true);
    q->tasks = bt_grow(q->tasks, q->n, &q->cap, sizeof *q->tasks);
    q->tasks[q->n++] = f;
    queue_match(q);
}

static void offer_effect(void *arg, bool run)
{
    eng_frame *f = arg;
    if (run && f->ex->status == EX_RUNNING && f->phase == PH_PARKED &&
        !f->cb_started && !f->cb_outcome)
        queue_push(f);
}

static void on_poll_timeout(uv_timer_t *t)
{
    eng_poll *p = t->data;
    timer_drop(&p->timer);
    activity_q *q = queue_of(p->e, p->arn, false);
    if (q)
        queue_unlink_poll(q, p);
    poll_answer(p, NULL, NULL);
}

/* ---- parking and ending a task
 * ----------------------------------------------- */

/* The earliest deadline still ahead, or 0. */
static int64_t next_deadline(const eng_frame *f)
{
    int64_t d = f->cb_deadline_ms;
    if (f->cb_beat_ms && (!d || f->cb_beat_ms < d))
        d = f->cb_beat_ms;
    return d;
}

static void arm(eng_frame *f)
{
    int64_t d = next_deadline(f);
    if (!d)
        return;
    f->wake_ms = d;
    eng__timer_arm(f, d);
}

static json_object *details(eng_frame *f)
{
    return f->cb_kind == CB_ACTIVITY ? json_object_new_object()
                                     : eng__task_details(f);
}

static void reply_effect(void *arg, bool run);

typedef struct sent {
    eng_sent_fn fn;
    void *arg;
} sent;

/* Queues the answer to a SendTask* call for after the next commit. */
static void answer_sender(eng_frame *f, bool run_now_ok)
{
    if (!f->cb_sender)
        return;
    sent *s = f->cb_sender;
    f->cb_sender = NULL;
    if (run_now_ok)
        eng__effect(f->ex->e, NULL, reply_effect, s);
    else
        reply_effect(s, false);
}

static void reply_effect(void *arg, bool run)
{
    sent *s = arg;
    s->fn(s->arg, run);
    free(s);
}

static void clear(eng_frame *f)
{
    /* Without an outcome from it, the child of a .sync task is cut off. */
    if (f->cb_kind == CB_NESTED)
        eng__nested_release(f, f->cb_outcome == CB_NONE_YET);
    queue_remove_task(f);
    token_drop(f);
    free(f->activity_arn);
    f->activity_arn = NULL;
    free(f->worker);
    f->worker = NULL;
    json_object_put(f->cb_output);
    f->cb_output = NULL;
    sl_error_fini(&f->cb_error);
    f->cb_outcome = CB_NONE_YET;
    f->cb_started = false;
    f->cb_deadline_ms = f->cb_beat_ms = 0;
    f->cb_kind = CB_NONE;
}

static void ended_ok(eng_frame *f)
{
    json_object *out = f->cb_output;
    f->cb_output = NULL;
    json_object *d = details(f);
    json_object_object_add(d, "output",
                           json_object_new_string(bt_json_compact(out)));
    json_object *t = json_object_new_object();
    json_object_object_add(t, "truncated", json_object_new_boolean(false));
    json_object_object_add(d, "outputDetails", t);
    eng__event(f->ex, f,
               f->cb_kind == CB_ACTIVITY ? "ActivitySucceeded"
                                         : "TaskSucceeded",
               d, -1);
    answer_sender(f, true);
    eng__timer_cancel(f);
    clear(f);
    eng__work_done(f, out);
}

static void ended_failed(eng_frame *f, const sl_error *err, bool timeout)
{
    json_object *d = details(f);
    if (err->name)
        json_object_object_add(d, "error", json_object_new_string(err->name));
    if (err->cause && !timeout)
        json_object_object_add(d, "cause", json_object_new_string(err->cause));
    const char *type = f->cb_kind == CB_ACTIVITY
                           ? (timeout ? "ActivityTimedOut" : "ActivityFailed")
                           : (timeout ? "TaskTimedOut" : "TaskFailed");
    eng__event(f->ex, f, type, d, -1);
    answer_sender(f, true);
    eng__timer_cancel(f);
    sl_error copy;
    sl_error_init(&copy);
    sl_error_set(&copy, err->name, err->cause);
    clear(f);
    eng__work_failed(f, &copy);
    sl_error_fini(&copy);
}

static void poll_reply_effect(void *arg, bool run);

typedef struct handout {
    eng_poll *p;
    char *token;
    char *input;
} handout;

static void poll_reply_effect(void *arg, bool run)
{
    handout *h = arg;
    poll_answer(h->p, run ? h->token : NULL, run ? h->input : NULL);
    free(h->token);
    free(h->input);
    free(h);
}

/* A worker's poll took this activity task: ActivityStarted. */
static void started(eng_frame *f)
{
    eng_poll *p = f->poll;
    f->poll = NULL;
    json_object *d = json_object_new_object();
    if (p->worker) {
        json_object_object_add(d, "workerName",
                               json_object_new_string(p->worker));
        free(f->worker);
        f->worker = bt_xstrdup(p->worker);
    }
    eng__event(f->ex, f, "ActivityStarted", d, -1);
    f->cb_started = true;
    if (f->cb_heartbeat_s > 0)
        f->cb_beat_ms = eng__now_ms() + f->cb_heartbeat_s * 1000;
    eng__frame_save(f);
    handout *h = bt_xmalloc(sizeof *h);
    h->p = p;
    h->token = bt_xstrdup(f->token);
    h->input = bt_xstrdup(bt_json_compact(f->effective));
    eng__effect(f->ex->e, f, poll_reply_effect, h);
    arm(f);
}

void eng__callback_advance(eng_frame *f)
{
    if (f->cb_kind == CB_NESTED && f->cb_outcome == CB_NONE_YET)
        eng__nested_check(f);
    if (f->poll)
        started(f);
    if (f->cb_outcome == CB_SUCCEEDED) {
        ended_ok(f);
        return;
    }
    if (f->cb_outcome == CB_FAILED) {
        sl_error err;
        sl_error_init(&err);
        sl_error_set(&err, f->cb_error.name, f->cb_error.cause);
        ended_failed(f, &err, false);
        sl_error_fini(&err);
        return;
    }
    int64_t now = eng__now_ms();
    bool timeout = f->cb_deadline_ms && now >= f->cb_deadline_ms;
    bool beat = !timeout && f->cb_beat_ms && now >= f->cb_beat_ms;
    if (timeout || beat) {
        sl_error err = {timeout ? "States.Timeout" : "States.HeartbeatTimeout",
                        ""};
        ended_failed(f, &err, true);
        return;
    }
    arm(f);
}

/* Parks f: the deadlines start now (TimeoutSeconds from scheduling). */
static void park(eng_frame *f, int64_t sched_ms)
{
    f->phase = PH_PARKED;
    int64_t now = eng__now_ms();
    f->cb_deadline_ms =
        f->cb_timeout_s > 0 ? sched_ms + f->cb_timeout_s * 1000 : 0;
    f->cb_beat_ms = f->cb_heartbeat_s > 0 && f->cb_kind != CB_ACTIVITY
                        ? now + f->cb_heartbeat_s * 1000
                        : 0;
}

void eng__callback_submitted(eng_frame *f, json_object *response)
{
    json_object *d = eng__task_details(f);
    json_object_object_add(d, "output",
                           json_object_new_string(bt_json_compact(response)));
    json_object *t = json_object_new_object();
    json_object_object_add(t, "truncated", json_object_new_boolean(false));
    json_object_object_add(d, "outputDetails", t);
    json_object_put(response);
    eng__event(f->ex, f, "TaskSubmitted", d, -1);
    park(f, f->cb_sched_ms);
    if (f->cb_outcome) {
        eng__callback_advance(f);
        return;
    }
    eng__frame_save(f);
    arm(f);
}

void eng__activity_start(eng_frame *f, const char *arn, int64_t timeout_s,
                         int64_t heartbeat_s)
{
    eng *e = f->ex->e;
    store_activity row;
    memset(&row, 0, sizeof row);
    if (store_activity_get(e->st, arn, &row) != 0) {
        sl_error err;
        sl_error_init(&err);
        char *cause = bt_xasprintf(
            "An error occurred while executing the state '%s' (entered at "
            "the event id #%lld). The activity %s does not exist.",
            sl_state_name(f->state), (long long)f->entered_id, arn);
        sl_error_set(&err, "States.Runtime", cause);
        free(cause);
        eng__work_failed(f, &err);
        sl_error_fini(&err);
        return;
    }
    store_activity_fini(&row);
    f->cb_kind = CB_ACTIVITY;
    free(f->activity_arn);
    f->activity_arn = bt_xstrdup(arn);
    f->cb_timeout_s = timeout_s;
    f->cb_heartbeat_s = heartbeat_s;
    json_object *d = json_object_new_object();
    json_object_object_add(d, "resource", json_object_new_string(arn));
    json_object_object_add(
        d, "input", json_object_new_string(bt_json_compact(f->effective)));
    json_object *t = json_object_new_object();
    json_object_object_add(t, "truncated", json_object_new_boolean(false));
    json_object_object_add(d, "inputDetails", t);
    if (timeout_s > 0)
        json_object_object_add(d, "timeoutInSeconds",
                               json_object_new_int64(timeout_s));
    if (heartbeat_s > 0)
        json_object_object_add(d, "heartbeatInSeconds",
                               json_object_new_int64(heartbeat_s));
    eng__event(f->ex, f, "ActivityScheduled", d, -1);
    eng__callback_token(f);
    f->cb_sched_ms = eng__now_ms();
    park(f, f->cb_sched_ms);
    eng__frame_save(f);
    arm(f);
    eng__effect(e, f, offer_effect, f);
}

void eng__callback_resume(eng_frame *f)
{
    if (f->cb_kind == CB_NESTED) {
        /* Its child may have ended while Baton was down: look once. No
         * one can send heartbeats for it, and a restart counts as one. */
        eng__nested_wait(f);
        if (f->cb_heartbeat_s > 0)
            f->cb_beat_ms = eng__now_ms() + f->cb_heartbeat_s * 1000;
        eng__ready(f);
        return;
    }
    eng__callback_token(f);
    if (f->cb_outcome) {
        eng__ready(f);
        return;
    }
    /* A restart counts as a heartbeat: the worker could not reach us. */
    if (f->cb_heartbeat_s > 0 && (f->cb_kind == CB_CALLBACK || f->cb_started))
        f->cb_beat_ms = eng__now_ms() + f->cb_heartbeat_s * 1000;
    arm(f);
    if (f->cb_kind == CB_ACTIVITY && !f->cb_started)
        eng__effect(f->ex->e, f, offer_effect, f);
}

void eng__callback_cancel(eng_frame *f)
{
    if (f->poll) {
        /* The worker gets an empty answer and polls again. */
        eng_poll *p = f->poll;
        f->poll = NULL;
        poll_answer(p, NULL, NULL);
    }
    answer_sender(f, false);
    if (f->cb_kind != CB_NONE || f->token)
        clear(f);
}

/* ---- snapshots
 * --------------------------------------------------------------- */

json_object *eng__callback_snapshot(const eng_frame *f)
{
    if (f->cb_kind == CB_NONE && !f->token)
        return NULL;
    json_object *c = json_object_new_object();
    json_object_object_add(c, "kind", json_object_new_int(f->cb_kind));
    eng__add_str(c, "token", f->token);
    eng__add_str(c, "activity", f->activity_arn);
    eng__add_str(c, "worker", f->worker);
    eng__add_str(c, "execution", f->nested_arn);
    json_object_object_add(c, "started",
                           json_object_new_boolean(f->cb_started));
    json_object_object_add(c, "sched_ms",
                           json_object_new_int64(f->cb_sched_ms));
    json_object_object_add(c, "timeout_s",
                           json_object_new_int64(f->cb_timeout_s));
    json_object_object_add(c, "heartbeat_s",
                           json_object_new_int64(f->cb_heartbeat_s));
    json_object_object_add(c, "outcome", json_object_new_int(f->cb_outcome));
    json_object_object_add(c, "effective", json_object_get(f->effective));
    if (f->cb_outcome == CB_SUCCEEDED)
        json_object_object_add(c, "output", json_object_get(f->cb_output));
    if (f->cb_outcome == CB_FAILED)
        json_object_object_add(c, "error", sl_error_output(&f->cb_error));
    return c;
}

void eng__callback_restore(eng_frame *f, json_object *snapshot)
{
    json_object *c, *v;
    if (!json_object_object_get_ex(snapshot, "callback", &c))
        return;
    f->cb_kind = (int)bt_json_int(c, "kind");
    const char *s;
    if ((s = bt_json_str(c, "token")))
        f->token = bt_xstrdup(s);
    if ((s = bt_json_str(c, "activity")))
        f->activity_arn = bt_xstrdup(s);
    if ((s = bt_json_str(c, "worker")))
        f->worker = bt_xstrdup(s);
    if ((s = bt_json_str(c, "execution")))
        f->nested_arn = bt_xstrdup(s);
    /* Task* events name the resource; it is the state's. */
    const char *kind = eng__task_kind(sl_state_resource(f->state));
    if (!f->task_kind && kind && f->cb_kind != CB_ACTIVITY)
        f->task_kind = bt_xstrdup(kind);
    f->cb_started = json_object_object_get_ex(c, "started", &v) &&
                    json_object_get_boolean(v);
    f->cb_sched_ms = bt_json_int(c, "sched_ms");
    f->cb_timeout_s = bt_json_int(c, "timeout_s");
    f->cb_heartbeat_s = bt_json_int(c, "heartbeat_s");
    f->cb_outcome = (int)bt_json_int(c, "outcome");
    f->cb_deadline_ms =
        f->cb_timeout_s > 0 ? f->cb_sched_ms + f->cb_timeout_s * 1000 : 0;
    if (json_object_object_get_ex(c, "effective", &v)) {
        json_object_put(f->effective);
        f->effective = json_object_get(v);
    }
    if (f->cb_outcome == CB_SUCCEEDED) {
        json_object_object_get_ex(c, "output", &v);
        f->cb_output = json_object_get(v);
    } else if (f->cb_outcome == CB_FAILED &&
               json_object_object_get_ex(c, "error", &v)) {
        sl_error_set(&f->cb_error, bt_json_str(v, "Error"),
                     bt_json_str(v, "Cause"));
    }
}

/* ---- the API: task tokens
 * ---------------------------------------------------- */

static int find(eng *e, const char *token, eng_frame **out, char **err)
{
    void *v = NULL;
    if (!token_shaped(token)) {
        *err = bt_xstrdup("Invalid Token: 'Invalid token'");
        return BT_EINVAL;
    }
    eng_frame *f =
        e->callbacks && lh_table_lookup_ex(e->callbacks->tokens, token, &v)
            ? v
            : NULL;
    if (!f || f->ex->status != EX_RUNNING || f->cb_outcome || f->cb_sender ||
        (f->phase != PH_PARKED && f->phase != PH_TASK)) {
        *err = bt_xstrdup("Task Timed Out: 'Provided task does not exist "
                          "anymore'");
        return BT_ENOENT;
    }
    /* A timeout that passed but was not recorded yet still wins. */
    int64_t now = eng__now_ms();
    if (f->phase == PH_PARKED &&
        ((f->cb_deadline_ms && now >= f->cb_deadline_ms) ||
         (f->cb_beat_ms && now >= f->cb_beat_ms))) {
        eng__ready(f);
        *err = bt_xstrdup("Task Timed Out: 'Provided task does not exist "
                          "anymore'");
        return BT_ENOENT;
    }
    *out = f;
    return 0;
}

/* Records what arrived and arranges the answer after its commit. */
static void deliver(eng_frame *f, eng_sent_fn done, void *arg)
{
    sent *s = bt_xmalloc(sizeof *s);
    s->fn = done;
    s->arg = arg;
    f->cb_sender = s;
    queue_remove_task(f);
    if (f->phase == PH_PARKED) {
        eng__ready(f);
        return;
    }
    /* The callback's function still runs: keep the outcome durably on the
     * frame; it applies once the function has returned. */
    eng__frame_save(f);
    answer_sender(f, true);
    eng__kick(f->ex->e);
}

int eng_task_success(eng *e, const char *token, const char *output,
                     eng_sent_fn done, void *arg, char **err)
{
    eng_frame *f = NULL;
    int rc = find(e, token, &f, err);
    if (rc != 0)
        return rc;
    json_object *v = NULL;
    bt_json_error jerr;
    if (bt_json_parse(output, strlen(output), BT_LIMIT_JSON_DEPTH, &v, &jerr) !=
        0) {
        *err = bt_xasprintf("Invalid Output: '%s at line %d, column %d'",
                            jerr.message, jerr.line, jerr.column);
        return BT_EINVAL;
    }
    f->cb_outcome = CB_SUCCEEDED;
    json_object_put(f->cb_output);
    f->cb_output = v;
    deliver(f, done, arg);
    return 0;
}

int eng_task_failure(eng *e, const char *token, const char *error,
                     const char *cause, eng_sent_fn done, void *arg, char **err)
{
    eng_frame *f = NULL;
    int rc = find(e, token, &f, err);
    if (rc != 0)
        return rc;
    f->cb_outcome = CB_FAILED;
    sl_error_set(&f->cb_error, error, cause);
    deliver(f, done, arg);
    return 0;
}

int eng_task_heartbeat(eng *e, const char *token, char **err)
{
    eng_frame *f = NULL;
    int rc = find(e, token, &f, err);
    if (rc != 0)
        return rc;
    if (f->cb_heartbeat_s > 0 && f->phase == PH_PARKED &&
        (f->cb_kind == CB_CALLBACK || f->cb_started))
        f->cb_beat_ms = eng__now_ms() + f->cb_heartbeat_s * 1000;
    return 0;
}

/* ---- the API: activities
 * ----------------------------------------------------- */

static char *activity_arn(eng *e, const char *name)
{
    return bt_xasprintf("arn:aws:states:%s:%s:activity:%s", e->region,
                        e->account, name);
}

int eng_activity_create(eng *e, const char *name, json_object **out,
                        bool *created, char **err)
{
    if (!eng_name_valid(name)) {
        *err = bt_xasprintf("Invalid Name: '%s'", name);
        return BT_EINVAL;
    }
    store_activity a = {activity_arn(e, name), bt_xstrdup(name), eng__now_ms()};
    if (store_activity_put(e->st, &a, created) != 0) {
        *err = bt_xasprintf("store: %s", store_errmsg(e->st));
        store_activity_fini(&a);
        return BT_EIO;
    }
    if (!*created) {
        store_activity_fini(&a);
        char *arn = activity_arn(e, name);
        int rc = store_activity_get(e->st, arn, &a);
        free(arn);
        if (rc != 0) {
            *err = bt_xasprintf("store: %s", store_errmsg(e->st));
            return BT_EIO;
        }
    }
    *out = json_object_new_object();
    eng__add_str(*out, "activityArn", a.arn);
    eng__add_date(*out, "creationDate", a.created_ms);
    store_activity_fini(&a);
    return 0;
}

static json_object *activity_json(const store_activity *a)
{
    json_object *o = json_object_new_object();
    eng__add_str(o, "activityArn", a->arn);
    eng__add_str(o, "name", a->name);
    eng__add_date(o, "creationDate", a->created_ms);
    return o;
}

json_object *eng_activity_describe(eng *e, const char *arn)
{
    store_activity a;
    memset(&a, 0, sizeof a);
    if (store_activity_get(e->st, arn, &a) != 0)
        return NULL;
    json_object *o = activity_json(&a);
    store_activity_fini(&a);
    return o;
}

static int list_cb(const store_activity *a, void *ud)
{
    json_object_array_add(ud, activity_json(a));
    return 0;
}

json_object *eng_activity_list(eng *e)
{
    json_object *arr = json_object_new_array();
    store_activity_each(e->st, list_cb, arr);
    return arr;
}

int eng_activity_delete(eng *e, const char *arn, char **err)
{
    if (store_activity_delete(e->st, arn) != 0 ||
        store_tag_delete(e->st, arn, NULL) != 0) {
        *err = bt_xasprintf("store: %s", store_errmsg(e->st));
        return BT_EIO;
    }
    /* Workers waiting on it get an empty answer; tasks already scheduled
     * keep their tokens and end by worker or timeout. */
    activity_q *q = queue_of(e, arn, false);
    while (q && q->polls) {
        eng_poll *p = q->polls;
        queue_unlink_poll(q, p);
        poll_answer(p, NULL, NULL);
    }
    return 0;
}

int eng_activity_poll(eng *e, const char *arn, const char *worker,
                      int64_t timeout_ms, eng_poll_fn fn, void *arg, char **err)
{
    store_activity a;
    memset(&a, 0, sizeof a);
    if (store_activity_get(e->st, arn, &a) != 0) {
        *err = bt_xasprintf("Activity Does Not Exist: '%s'", arn);
        return BT_ENOENT;
    }
    store_activity_fini(&a);
    activity_q *q = queue_of(e, arn, true);
    if (q->npolls >= POLLERS_MAX) {
        *err = bt_xasprintf("Activity Worker Limit Exceeded: '%s'", arn);
        return BT_ELIMIT;
    }
    eng_poll *p = bt_xcalloc(1, sizeof *p);
    p->e = e;
    p->arn = bt_xstrdup(arn);
    p->worker = worker ? bt_xstrdup(worker) : NULL;
    p->fn = fn;
    p->arg = arg;
    if (q->polls_tail)
        q->polls_tail->next = p;
    else
        q->polls = p;
    q->polls_tail = p;
    q->npolls++;
    p->timer = bt_xmalloc(sizeof *p->timer);
    uv_timer_init(&e->loop, p->timer);
    p->timer->data = p;
    uv_timer_start(p->timer, on_poll_timeout,
                   timeout_ms > 0 ? (uint64_t)timeout_ms : 0, 0);
    queue_match(q);
    return 0;
}

void eng__callbacks_close(eng *e)
{
    struct eng_callbacks *c = e->callbacks;
    if (!c)
        return;
    struct lh_entry *ent;
    lh_foreach(c->activities, ent)
    {
        activity_q *q = (activity_q *)lh_entry_v(ent);
        while (q->polls) {
            eng_poll *p = q->polls;
            queue_unlink_poll(q, p);
            poll_answer(p, NULL, NULL);
        }
    }
}

void eng__callbacks_free(eng *e)
{
    struct eng_callbacks *c = e->callbacks;
    if (!c)
        return;
    eng__callbacks_close(e);
    struct lh_entry *ent;
    lh_foreach(c->activities, ent)
    {
        activity_q *q = (activity_q *)lh_entry_v(ent);
        free(q->tasks);
        free(q->arn);
        free(q);
    }
    lh_table_free(c->activities);
    lh_table_free(c->tokens);
    free(c);
    e->callbacks = NULL;
}
