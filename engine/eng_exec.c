/*
 * Running states: a frame enters its current state, statelang says what the
 * state does with its input, the frame records the history events and moves
 * on (next state, end of the frame, a task, a timer, child frames).
 *
 * Invariant: every history event is appended inside the pump's transaction,
 * and the frame's snapshot is rewritten in the same transaction whenever
 * its phase or state changes.
 */
#include "engine/eng_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- history events
 * ---------------------------------------------------------------- */

/* Writes the details member's name AWS uses for an event type (reference
 * §11.2): lowerCamel(type) + "EventDetails" (TaskScheduled ->
 * taskScheduledEventDetails), except that every ...StateEntered and
 * ...StateExited type shares one. */
static void put_details_key(bt_buf *b, const char *type)
{
    static const char *const shared[] = {"StateEntered", "StateExited"};
    size_t n = strlen(type);
    for (size_t i = 0; i < 2; i++) {
        size_t k = strlen(shared[i]);
        if (n > k && !memcmp(type + n - k, shared[i], k)) {
            type = shared[i];
            n = k;
            break;
        }
    }
    char first = type[0];
    if (first >= 'A' && first <= 'Z')
        first = (char)(first - 'A' + 'a');
    bt_buf_putc(b, '"');
    bt_buf_putc(b, first);
    bt_buf_append(b, type + 1, n - 1);
    bt_buf_lit(b, "EventDetails\"");
}

static void history_write_one(eng *e, eng_history *h)
{
    if (store_begin(e->st) != 0 ||
        store_events_append(e->st, h->exec, h->first, h->n, h->text.data,
                            h->text.len) != 0)
        eng__store_fatal(e, "write");
    h->n = 0;
    /* Many executions wait between batches, so the buffer goes back to a
     * small pool for whichever history is written next (a buffer per
     * history would hold 10,000 waiting executions' last events). */
    if (e->nspare < sizeof e->spare / sizeof *e->spare && h->text.cap > 0)
        e->spare[e->nspare++] = h->text;
    else
        bt_buf_fini(&h->text);
    bt_buf_init(&h->text);
}

int64_t eng__event(eng_exec *x, eng_frame *f, const char *type,
                   json_object *details, int64_t prev)
{
    /* A buffer of its own: writing an event can end the execution, which
     * records an event of its own (the history limit). */
    bt_buf d;
    bt_buf_init(&d);
    if (details)
        bt_buf_json(&d, details);
    int64_t id =
        eng__event_text(x, f, type, details ? d.data : NULL, d.len, prev);
    bt_buf_fini(&d);
    json_object_put(details);
    return id;
}

int64_t eng__event_text(eng_exec *x, eng_frame *f, const char *type,
                        const char *details, size_t details_len, int64_t prev)
{
    eng *e = x->e;
    /* Nothing is recorded after the end. */
    if (x->status != EX_RUNNING && !x->finishing)
        return f ? f->prev_id : x->next_event_id - 1;
    /* A distributed Map's iterations write their child execution's
     * history. */
    eng_child *ch = f ? f->child : NULL;
    int64_t sid = ch ? ch->sid : x->sid;
    int64_t *next = ch ? &ch->next_event_id : &x->next_event_id;
    /* EXPRESS executions have no history limit on AWS. */
    int64_t limit =
        x->type == SL_MACHINE_EXPRESS || ch ? 0 : e->opts.max_history_events;
    if (!x->finishing && limit > 0 && x->next_event_id >= limit) {
        /* AWS: the last event allowed becomes the ExecutionFailed. */
        sl_error err = {"States.Runtime", NULL};
        char *cause = bt_xasprintf("The execution reached the maximum number "
                                   "of history events (%lld).",
                                   (long long)limit);
        err.cause = cause;
        eng__exec_finish(x, EX_FAILED, NULL, &err);
        free(cause);
        return f ? f->prev_id : x->next_event_id - 1;
    }
    int64_t id = (*next)++;
    if (prev < 0)
        prev = f ? f->prev_id : id - 1;
    /* The event's text is written directly: it is the hottest
     * serialisation in the engine (two events per state at least). */
    eng_history *h = ch ? &ch->hist : &x->hist;
    bt_buf *b = &h->text;
    if (h->n == 0) {
        e->pending = bt_grow(e->pending, e->npending, &e->cappending,
                             sizeof *e->pending);
        h->exec = sid;
        h->first = id;
        h->slot = e->npending;
        e->pending[e->npending++] = h;
        if (!b->data && e->nspare > 0)
            *b = e->spare[--e->nspare];
        bt_buf_reset(b);
    } else {
        bt_buf_putc(b, '\n');
    }
    h->n++;
    int64_t now = eng__event_ms(e);
    if (now != e->stamp_ms || !e->stamp_len) {
        /* At most 37 bytes: t never grows out of e->stamp. */
        bt_buf t = {e->stamp, 0, sizeof e->stamp};
        bt_buf_lit(&t, "{\"timestamp\":");
        bt_buf_int(&t, now / 1000);
        char ms[4] = {'.', (char)('0' + now % 1000 / 100),
                      (char)('0' + now % 100 / 10), (char)('0' + now % 10)};
        bt_buf_append(&t, ms, 4);
        e->stamp_ms = now;
        e->stamp_len = t.len;
    }
    bt_buf_append(b, e->stamp, e->stamp_len);
    /* Types are the engine's own names: nothing to escape. */
    bt_buf_lit(b, ",\"type\":\"");
    bt_buf_puts(b, type);
    bt_buf_putc(b, '"');
    bt_buf_lit(b, ",\"id\":");
    bt_buf_int(b, id);
    bt_buf_lit(b, ",\"previousEventId\":");
    bt_buf_int(b, prev);
    if (details) {
        bt_buf_putc(b, ',');
        put_details_key(b, type);
        bt_buf_putc(b, ':');
        bt_buf_append(b, details, details_len);
    }
    bt_buf_putc(b, '}');
    eng__kick(e);
    if (store_begin(e->st) != 0)
        eng__store_fatal(e, "write");
    /* A long run of events (a big Map in one batch) goes out in rows of
     * about 32 KB: large rows spill to overflow pages and large buffers
     * cost reallocations. Same transaction either way. */
    if (b->len > ENG_ROW_BYTES) {
        e->pending[h->slot] = NULL;
        history_write_one(e, h);
    }
    if (f)
        f->prev_id = id;
    return id;
}

void eng__history_write(eng *e)
{
    for (size_t i = 0; i < e->npending; i++)
        if (e->pending[i])
            history_write_one(e, e->pending[i]);
    e->npending = 0;
}

void eng__history_release(eng *e, eng_history *h)
{
    if (h->n > 0) {
        e->pending[h->slot] = NULL;
        history_write_one(e, h);
    }
    bt_buf_fini(&h->text);
}

/* The compact JSON text of v, kept in the frame until another value's is
 * asked for: a value is serialised once for its size check, its ...Exited
 * event and the next state's ...Entered event (and a task's effective
 * input once for its TaskScheduled event and its payload). Values are
 * never changed once made, and the frame holds a reference, so the text
 * stays true. */
const char *eng__value_text(eng_frame *f, json_object *v, size_t *n)
{
    /* Never empty once made ("null" at least); a reused frame's buffer
     * is kept but emptied. */
    if (f->text_of != v || f->text.len == 0) {
        bt_buf_reset(&f->text);
        bt_buf_json(&f->text, v);
        json_object_put(f->text_of);
        f->text_of = json_object_get(v);
    }
    *n = f->text.len;
    return f->text.data;
}

/* Writes {"name", "input"/"output" as JSON text, "...Details":
 * {truncated}} without the closing brace. */
static void io_details(bt_buf *b, const char *name, const char *key,
                       const char *text, size_t n)
{
    bt_buf_reset(b);
    bt_buf_lit(b, "{\"name\":");
    bt_buf_json_str(b, name, strlen(name));
    bt_buf_lit(b, ",\"");
    bt_buf_puts(b, key);
    bt_buf_lit(b, "\":");
    bt_buf_json_str(b, text, n);
    bt_buf_lit(b, ",\"");
    bt_buf_puts(b, key);
    bt_buf_lit(b, "Details\":{\"truncated\":false}");
}

const char *eng__state_event_type(char *buf, size_t cap, const sl_state *st,
                                  const char *what)
{
    const char *t = sl_state_type_name(st);
    size_t a = strlen(t), w = strlen(what);
    if (a + 5 + w + 1 > cap)
        a = cap - 6 - w;
    memcpy(buf, t, a);
    memcpy(buf + a, "State", 5);
    memcpy(buf + a + 5, what, w + 1);
    return buf;
}

/* ---- frames
 * ------------------------------------------------------------------------ */

/* A Map's iterations come and go by the thousand: a few freed frames
 * (with their text buffers) wait for the next one. Under ASan a pooled
 * frame is poisoned, so a use after free still shows. */
#if defined(__SANITIZE_ADDRESS__)
#define FRAME_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FRAME_ASAN 1
#endif
#endif
#ifdef FRAME_ASAN
#include <sanitizer/asan_interface.h>
#define frame_poison(f) ASAN_POISON_MEMORY_REGION((f), sizeof(eng_frame))
#define frame_unpoison(f) ASAN_UNPOISON_MEMORY_REGION((f), sizeof(eng_frame))
#else
#define frame_poison(f) ((void)(f))
#define frame_unpoison(f) ((void)(f))
#endif

static void frame_release(eng *e, eng_frame *f)
{
    size_t room = sizeof e->frame_pool / sizeof *e->frame_pool;
    if (e->nframe_pool < room && f->text.cap <= 4096) {
        e->frame_pool[e->nframe_pool++] = f;
        frame_poison(f);
        return;
    }
    bt_buf_fini(&f->text);
    free(f);
}

static eng_frame *frame_take(eng *e)
{
    if (e->nframe_pool == 0)
        return bt_xcalloc(1, sizeof(eng_frame));
    eng_frame *f = e->frame_pool[--e->nframe_pool];
    frame_unpoison(f);
    bt_buf text = f->text; /* kept: its buffer is reused */
    memset(f, 0, sizeof *f);
    f->text = text;
    bt_buf_reset(&f->text);
    return f;
}

eng_frame *eng__frame_new(eng_exec *x, eng_frame *parent, size_t index,
                          const sl_scope *scope, json_object *input)
{
    eng_frame *f = frame_take(x->e);
    f->ex = x;
    f->id = x->next_frame_id++;
    f->parent = parent;
    f->index = index;
    f->scope = scope;
    f->state = sl_scope_start(scope);
    f->input = input;
    f->vars = NULL; /* made by the first Assign (most frames have none) */
    f->phase = PH_ENTER;
    f->prev_id = parent ? parent->prev_id : 0;
    f->child = parent ? parent->child : NULL;
    sl_error_init(&f->error);
    sl_error_init(&f->child_error);
    x->live_frames++;
    return f;
}

void eng__frame_free(eng_frame *f)
{
    if (!f)
        return;
    eng *e = f->ex->e;
    /* A finished Map iteration leaves memory before the commit: its
     * snapshot (with its output) is the record of its end. */
    if (f->dirty) {
        e->dirty[f->dirty_slot] = NULL;
        f->dirty = false;
        eng__frame_write(f);
    }
    if (f->queued)
        for (size_t i = e->ready_head; i < e->nready; i++)
            if (e->ready[i] == f)
                e->ready[i] = NULL;
    for (size_t i = 0; i < e->neffects; i++)
        if (e->effects[i].frame == f)
            e->effects[i].cancelled = true;
    for (size_t i = 0; i < f->nkids; i++)
        eng__frame_free(f->kids[i]);
    free(f->kids);
    eng__timer_cancel(f);
    eng__task_cancel(f);
    json_object_put(f->input);
    json_object_put(f->effective);
    json_object_put(f->vars);
    json_object_put(f->results);
    json_object_put(f->output);
    json_object_put(f->text_of);
    eng__frame_batch_release(f);
    sl_error_fini(&f->error);
    sl_error_fini(&f->child_error);
    free(f->attempts);
    free(f->task_kind);
    free(f->request_id);
    free(f->fn_name);
    if (f->owns_child)
        eng__child_free(e, f->child);
    run_proc_result_fini(&f->task_res);
    sl_error_fini(&f->cb_error);
    free(f->nested_arn);
    frame_release(e, f);
}

void eng__frame_pool_free(eng *e)
{
    while (e->nframe_pool > 0) {
        eng_frame *f = e->frame_pool[--e->nframe_pool];
        frame_unpoison(f);
        bt_buf_fini(&f->text);
        free(f);
    }
}

/* Variables visible to a frame: its own scope, then enclosing scopes. */
static bool var_lookup(void *ud, const char *name, json_object **value)
{
    for (eng_frame *f = ud; f; f = f->parent)
        if (json_object_object_get_ex(f->vars, name, value))
            return true;
    return false;
}

static bool has_retry_count(const sl_state *st)
{
    sl_kind k = sl_state_kind(st);
    return k == SL_TASK || k == SL_PARALLEL || k == SL_MAP;
}

json_object *eng__context(eng_frame *f, json_object *map_item)
{
    json_object *c = json_object_new_object();
    if (!f->child && !f->ex->context_exec)
        f->ex->context_exec = eng__exec_context(f->ex);
    json_object *base = f->child ? f->child->context_exec : f->ex->context_exec;
    json_object_object_foreach(base, k, v)
        json_object_object_add(c, k, json_object_get(v));
    json_object *s = json_object_new_object();
    json_object_object_add(s, "Name",
                           json_object_new_string(sl_state_name(f->state)));
    char ts[32];
    sl_timestamp_format_ms(f->entered_ms, ts);
    json_object_object_add(s, "EnteredTime", json_object_new_string(ts));
    if (has_retry_count(f->state))
        json_object_object_add(s, "RetryCount",
                               json_object_new_int64(f->retry_count));
    json_object_object_add(c, "State", s);
    if (f->cb_kind == CB_CALLBACK && f->token) {
        json_object *t = json_object_new_object();
        json_object_object_add(t, "Token", json_object_new_string(f->token));
        json_object_object_add(c, "Task", t);
    }
    if (map_item) {
        json_object *m = json_object_new_object();
        json_object_object_add(m, "Item", map_item);
        json_object_object_add(c, "Map", m);
    }
    return c;
}

static json_object *make_context(void *ud)
{
    return eng__context(ud, NULL);
}

void eng__sl_ctx_lazy(eng_frame *f, sl_ctx *c, sl_lazy *lazy)
{
    lazy->make = make_context;
    lazy->ud = f;
    lazy->made = NULL;
    eng__sl_ctx(f, c, NULL);
    c->lazy_context = lazy;
}

void eng__sl_ctx(eng_frame *f, sl_ctx *c, json_object *context)
{
    memset(c, 0, sizeof *c);
    c->state_name = sl_state_name(f->state);
    c->entered_event_id = f->entered_id;
    c->context = context;
    c->var = var_lookup;
    c->var_ud = f;
    c->rng = &f->ex->e->rng;
    c->now_ms = eng__now_ms();
    c->payload_limit = f->ex->e->opts.payload_limit;
}

/* ---- state exits and frame ends
 * -------------------------------------------------- */

static void commit_vars(eng_frame *f, json_object *assigned)
{
    if (!assigned || json_object_object_length(assigned) == 0)
        return;
    if (!f->vars)
        f->vars = json_object_new_object();
    json_object_object_foreach(assigned, k, v)
        json_object_object_add(f->vars, k, json_object_get(v));
}

/* Records ...StateExited and moves to next (or ends the frame). Takes
 * output and assigned. */
static bool too_large(eng_frame *f, json_object *output)
{
    size_t limit = f->ex->e->opts.payload_limit, n;
    eng__value_text(f, output, &n);
    return n > (limit ? limit : SL_PAYLOAD_LIMIT_DEFAULT);
}

static void state_failed(eng_frame *f, const sl_error *err);

static void state_exit(eng_frame *f, const sl_state *next, json_object *output,
                       json_object *assigned, int64_t prev)
{
    if (too_large(f, output)) {
        sl_error err;
        sl_error_init(&err);
        sl_error_setf(&err, "States.DataLimitExceeded",
                      "The state/task '%s' returned a result with a size "
                      "exceeding the maximum number of bytes service limit.",
                      sl_state_name(f->state));
        json_object_put(output);
        json_object_put(assigned);
        sl_kind k = sl_state_kind(f->state);
        if (k == SL_TASK || k == SL_PARALLEL || k == SL_MAP)
            eng__work_failed(f, &err);
        else
            state_failed(f, &err);
        sl_error_fini(&err);
        return;
    }
    size_t n;
    const char *text = eng__value_text(f, output, &n);
    bt_buf *d = &f->ex->e->details_text;
    io_details(d, sl_state_name(f->state), "output", text, n);
    if (assigned && json_object_object_length(assigned) > 0) {
        bt_buf_lit(d, ",\"assignedVariables\":{");
        bool first = true;
        json_object_object_foreach(assigned, k, v)
        {
            if (!first)
                bt_buf_putc(d, ',');
            first = false;
            bt_buf_json_str(d, k, strlen(k));
            bt_buf_putc(d, ':');
            bt_buf_reset(&f->ex->e->json_text);
            bt_buf_json(&f->ex->e->json_text, v);
            bt_buf_json_str(d, f->ex->e->json_text.data,
                            f->ex->e->json_text.len);
        }
        bt_buf_lit(d, "},\"assignedVariablesDetails\":{\"truncated\":false}");
    }
    bt_buf_putc(d, '}');
    f->ex->states_done++;
    char type[64];
    eng__event_text(
        f->ex, f, eng__state_event_type(type, sizeof type, f->state, "Exited"),
        d->data, d->len, prev);
    commit_vars(f, assigned);
    json_object_put(assigned);
    json_object_put(f->effective);
    f->effective = NULL;
    if (!next) {
        eng__frame_succeed(f, output);
        return;
    }
    json_object_put(f->input);
    f->input = output;
    f->state = next;
    f->phase = PH_ENTER;
    free(f->attempts);
    f->attempts = NULL;
    eng__frame_save(f);
    eng__ready(f);
}

void eng__frame_succeed(eng_frame *f, json_object *output)
{
    f->phase = PH_DONE;
    json_object_put(f->output);
    f->output = output;
    f->ex->live_frames--;
    if (!f->parent) {
        eng__exec_finish(f->ex, EX_SUCCEEDED, json_object_get(output), NULL);
        return;
    }
    if (f->owns_child)
        eng__child_exec_finish(f, false);
    eng__frame_save(f);
    eng__child_done(f);
}

void eng__frame_fail(eng_frame *f, const sl_error *err)
{
    f->phase = PH_DONE;
    f->failed_ = true;
    sl_error_set(&f->error, err->name, err->cause);
    f->ex->live_frames--;
    if (!f->parent) {
        eng__exec_finish(f->ex, EX_FAILED, NULL, err);
        return;
    }
    if (f->owns_child)
        eng__child_exec_finish(f, false);
    eng__frame_save(f);
    eng__child_done(f);
}

/* A JSONata evaluation error is recorded before the failure it causes. */
static void note_evaluation_failed(eng_frame *f, const sl_error *err)
{
    if (!err->name || strcmp(err->name, "States.QueryEvaluationError"))
        return;
    json_object *d = json_object_new_object();
    json_object_object_add(d, "error", json_object_new_string(err->name));
    if (err->cause)
        json_object_object_add(d, "cause", json_object_new_string(err->cause));
    json_object_object_add(d, "state",
                           json_object_new_string(sl_state_name(f->state)));
    eng__event(f->ex, f, "EvaluationFailed", d, -1);
}

/* A failure in a state without Retry/Catch ends the frame. */
static void state_failed(eng_frame *f, const sl_error *err)
{
    note_evaluation_failed(f, err);
    eng__frame_fail(f, err);
}

/* ---- results of a state's work
 * ---------------------------------------------------- */

void eng__work_done(eng_frame *f, json_object *result)
{
    sl_lazy ctx;
    sl_ctx c;
    eng__sl_ctx_lazy(f, &c, &ctx);
    sl_error err;
    sl_error_init(&err);
    json_object *out = NULL, *assigned = NULL;
    int rc = sl_state_output(f->state, f->input, f->effective, result, &c, &out,
                             &assigned, &err);
    json_object_put(result);
    json_object_put(ctx.made);
    if (rc != 0) {
        eng__work_failed(f, &err);
        sl_error_fini(&err);
        return;
    }
    state_exit(f, sl_state_next(f->state), out, assigned, -1);
}

/* Catcher k of the current state handles err. */
static void catch_error(eng_frame *f, size_t k, const sl_error *err)
{
    sl_lazy ctx;
    sl_ctx c;
    eng__sl_ctx_lazy(f, &c, &ctx);
    sl_error cerr;
    sl_error_init(&cerr);
    const sl_state *next = NULL;
    json_object *out = NULL, *assigned = NULL;
    int rc = sl_catch_output(f->state, k, f->input, err, &c, &next, &out,
                             &assigned, &cerr);
    json_object_put(ctx.made);
    if (rc != 0) {
        state_failed(f, &cerr);
        sl_error_fini(&cerr);
        return;
    }
    state_exit(f, next, out, assigned, -1);
}

void eng__work_failed(eng_frame *f, const sl_error *err)
{
    eng__work_failed_as(f, err, true);
}

void eng__work_failed_as(eng_frame *f, const sl_error *err, bool here)
{
    const sl_state *st = f->state;
    sl_kind k = sl_state_kind(st);
    if (k != SL_TASK && k != SL_PARALLEL && k != SL_MAP) {
        state_failed(f, err);
        return;
    }
    if (here)
        note_evaluation_failed(f, err);
    int64_t delay = 0;
    size_t catcher = 0;
    sl_decision d =
        sl_error_decide(st, err, f->attempts, &f->ex->e->rng, &delay, &catcher);
    if (d == SL_DECIDE_RETRY) {
        f->retry_count++;
        f->phase = PH_RETRY;
        f->wake_ms = eng__now_ms() + delay;
        eng__frame_save(f);
        eng__timer_arm(f, f->wake_ms);
    } else if (d == SL_DECIDE_CATCH) {
        catch_error(f, catcher, err);
    } else {
        /* An uncaught failure of a Parallel/Map is recorded as such (AWS
         * records none for runtime errors of the state itself). */
        if (k != SL_TASK &&
            !(err->name && !strcmp(err->name, "States.Runtime")))
            eng__event(f->ex, f,
                       k == SL_MAP ? "MapStateFailed" : "ParallelStateFailed",
                       NULL, -1);
        eng__frame_fail(f, err);
    }
}

/* ---- entering a state
 * ---------------------------------------------------------------- */

static void run_instant(eng_frame *f, sl_ctx *c)
{
    const sl_state *st = f->state;
    sl_error err;
    sl_error_init(&err);
    json_object *eff = NULL, *out = NULL, *assigned = NULL;
    const sl_state *next = sl_state_next(st);
    int rc = 0;
    switch (sl_state_kind(st)) {
    case SL_PASS:
        rc = sl_state_input(st, f->input, c, &eff, &err);
        if (rc == 0) {
            json_object *t = sl_pass_result(st, eff);
            rc =
                sl_state_output(st, f->input, eff, t, c, &out, &assigned, &err);
            json_object_put(t);
        }
        break;
    case SL_CHOICE:
        rc = sl_choice_select(st, f->input, c, &next, &out, &assigned, &err);
        break;
    default: /* SL_SUCCEED */
        rc = sl_state_input(st, f->input, c, &eff, &err);
        if (rc == 0)
            rc = sl_state_output(st, f->input, eff, NULL, c, &out, &assigned,
                                 &err);
        next = NULL;
        break;
    }
    json_object_put(eff);
    if (rc != 0) {
        state_failed(f, &err);
        sl_error_fini(&err);
        return;
    }
    state_exit(f, next, out, assigned, -1);
}

static void run_fail(eng_frame *f, sl_ctx *c)
{
    sl_error raised, err;
    sl_error_init(&raised);
    sl_error_init(&err);
    if (sl_fail_error(f->state, f->input, c, &raised, &err) != 0)
        state_failed(f, &err);
    else
        eng__frame_fail(f, &raised);
    sl_error_fini(&raised);
    sl_error_fini(&err);
}

static void run_wait(eng_frame *f, sl_ctx *c)
{
    sl_error err;
    sl_error_init(&err);
    int64_t until = 0;
    if (sl_wait_until(f->state, f->input, c, &until, &err) != 0) {
        state_failed(f, &err);
        sl_error_fini(&err);
        return;
    }
    f->phase = PH_WAIT;
    f->wake_ms = until;
    eng__frame_save(f);
    eng__timer_arm(f, until);
}

/* Wait over: the Wait state's output. */
static void finish_wait(eng_frame *f)
{
    sl_lazy ctx;
    sl_ctx c;
    eng__sl_ctx_lazy(f, &c, &ctx);
    sl_error err;
    sl_error_init(&err);
    json_object *eff = NULL, *out = NULL, *assigned = NULL;
    int rc = sl_state_input(f->state, f->input, &c, &eff, &err);
    if (rc == 0)
        rc = sl_state_output(f->state, f->input, eff, NULL, &c, &out, &assigned,
                             &err);
    json_object_put(eff);
    json_object_put(ctx.made);
    if (rc != 0) {
        state_failed(f, &err);
        sl_error_fini(&err);
        return;
    }
    state_exit(f, sl_state_next(f->state), out, assigned, -1);
}

static void enter_state(eng_frame *f)
{
    eng_exec *x = f->ex;
    const sl_state *st = f->state;
    f->entered_ms = eng__now_ms();
    f->retry_count = 0;
    free(f->attempts);
    f->attempts =
        bt_xcalloc(sl_state_retrier_count(st) + 1, sizeof *f->attempts);
    char type[64];
    /* The first state of an execution points at no event (AWS records 0). */
    int64_t next = f->child ? f->child->next_event_id : x->next_event_id;
    int64_t prev = next == 2 ? 0 : -1;
    size_t n;
    const char *text = eng__value_text(f, f->input, &n);
    bt_buf *d = &x->e->details_text;
    io_details(d, sl_state_name(st), "input", text, n);
    bt_buf_putc(d, '}');
    f->entered_id = eng__event_text(
        x, f, eng__state_event_type(type, sizeof type, st, "Entered"), d->data,
        d->len, prev);
    sl_lazy ctx;
    sl_ctx c;
    eng__sl_ctx_lazy(f, &c, &ctx);
    switch (sl_state_kind(st)) {
    case SL_TASK:
        eng__task_start(f);
        break;
    case SL_PARALLEL:
        eng__parallel_start(f);
        break;
    case SL_MAP:
        eng__map_start(f);
        break;
    case SL_WAIT:
        run_wait(f, &c);
        break;
    case SL_FAIL:
        run_fail(f, &c);
        break;
    default:
        run_instant(f, &c);
        break;
    }
    json_object_put(ctx.made);
}

void eng__advance(eng_frame *f)
{
    if (f->ex->status != EX_RUNNING)
        return;
    switch (f->phase) {
    case PH_ENTER:
        enter_state(f);
        break;
    case PH_WAIT:
        finish_wait(f);
        break;
    case PH_TASK:
        eng__task_advance(f);
        break;
    case PH_PARKED:
        eng__callback_advance(f);
        break;
    case PH_RETRY: {
        sl_kind k = sl_state_kind(f->state);
        if (k == SL_TASK)
            eng__task_start(f);
        else if (k == SL_PARALLEL)
            eng__parallel_start(f);
        else
            eng__map_start(f);
        break;
    }
    default:
        break;
    }
}
