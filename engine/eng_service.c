/*
 * The service calls: state machines, starting and finishing executions,
 * reading them back. Each writes through the store; a call that changes
 * state is committed before it returns.
 */
#include "engine/eng_int.h"

#include <json-c/linkhash.h>

#include <stdlib.h>
#include <string.h>

/* Commits a service call's writes (outside the pump). */
static int commit(eng *e, char **err)
{
    if (eng__commit(e) != 0) {
        *err = bt_xasprintf("store: %s", store_errmsg(e->st));
        return BT_EIO;
    }
    eng__kick(e); /* the pump checkpoints the WAL once the caller answered */
    return 0;
}

int eng_machine_put(eng *e, const char *name, const char *definition,
                    sl_machine_type type, char **arn, sl_diags *diags,
                    char **err)
{
    sl_compile_opts o = {type};
    sl_machine *m = NULL;
    if (sl_machine_compile(definition, strlen(definition), &o, &m, diags))
        return BT_EINVALID;
    sl_machine_free(m);
    char *a = eng_machine_arn(e, name);
    store_machine cur;
    memset(&cur, 0, sizeof cur);
    int rc = store_machine_get(e->st, a, 0, &cur);
    if (rc == 0 && !strcmp(cur.definition, definition) &&
        !strcmp(cur.type, sl_machine_type_name(type))) {
        store_machine_fini(&cur);
        *arn = a;
        return 0;
    }
    store_machine m2 = {a,
                        (char *)name,
                        (char *)definition,
                        (char *)sl_machine_type_name(type),
                        NULL,
                        eng__now_ms(),
                        rc == 0 ? cur.revision + 1 : 1,
                        rc == 0 ? eng__uuid(e) : NULL};
    store_machine_fini(&cur);
    int wrc = store_begin(e->st) || store_machine_insert(e->st, &m2) ||
              commit(e, err);
    free(m2.revision_id);
    if (wrc) {
        if (!*err)
            *err = bt_xasprintf("store: %s", store_errmsg(e->st));
        store_rollback(e->st);
        free(a);
        return BT_EIO;
    }
    *arn = a;
    return 0;
}

/* ---- executions in memory
 * ------------------------------------------------------------- */

json_object *eng__exec_context(eng_exec *x)
{
    json_object *c = json_object_new_object();
    json_object *ex = json_object_new_object();
    char ts[32];
    sl_timestamp_format_ms(x->start_ms, ts);
    json_object_object_add(ex, "Id", json_object_new_string(x->arn));
    /* Values are never changed once made: $$.Execution.Input is the
     * execution's input itself. */
    json_object_object_add(ex, "Input", json_object_get(x->input));
    json_object_object_add(ex, "StartTime", json_object_new_string(ts));
    json_object_object_add(ex, "Name", json_object_new_string(x->name));
    json_object_object_add(ex, "RoleArn",
                           json_object_new_string(x->e->default_role));
    if (x->type == SL_MACHINE_STANDARD)
        json_object_object_add(ex, "RedriveCount", json_object_new_int(0));
    json_object_object_add(c, "Execution", ex);
    json_object *sm = json_object_new_object();
    json_object_object_add(sm, "Id", json_object_new_string(x->machine_arn));
    json_object_object_add(sm, "Name", json_object_new_string(x->machine_name));
    json_object_object_add(c, "StateMachine", sm);
    return c;
}

/* Builds the in-memory execution from its stored row and definition. */
int eng__exec_load(eng *e, const store_exec *row, json_object *input,
                   eng_exec **out, char **err)
{
    sl_machine_type type = SL_MACHINE_STANDARD;
    sl_machine_type_parse(row->type, &type);
    sl_machine *machine = NULL;
    const char *machine_name = NULL;
    int rc = eng__machine_acquire(e, row->machine_arn, row->machine_revision,
                                  type, &machine, &machine_name, err);
    if (rc != 0)
        return rc;
    eng_exec *x = bt_xcalloc(1, sizeof *x);
    x->e = e;
    x->sid = row->id;
    x->arn = bt_xstrdup(row->arn);
    x->name = bt_xstrdup(row->name);
    x->machine_arn = bt_xstrdup(row->machine_arn);
    x->machine_name = bt_xstrdup(machine_name);
    x->type = type;
    x->machine = machine;
    x->start_ms = row->start_ms;
    if (input)
        x->input = json_object_get(input);
    else
        bt_json_parse(row->input, strlen(row->input), BT_LIMIT_JSON_DEPTH,
                      &x->input, NULL);
    /* x->context_exec is made when a state first reads $$ (most
     * executions never do): eng__context. */
    int64_t t = sl_machine_timeout_s(x->machine);
    /* EXPRESS executions last at most five minutes (AWS). */
    if (x->type == SL_MACHINE_EXPRESS && (t <= 0 || t > 300))
        t = 300;
    x->deadline_ms = t > 0 ? x->start_ms + t * 1000 : 0;
    x->status = EX_RUNNING;
    sl_error_init(&x->error);
    x->next_event_id = 1;
    x->next_frame_id = 1;
    eng__exec_link(x);
    *out = x;
    return 0;
}

static void deadline_fired(uv_timer_t *t);

static void deadline_arm(void *p, bool run)
{
    eng_exec *x = p;
    if (!run || x->status != EX_RUNNING || !x->deadline_ms)
        return;
    x->deadline_timer = bt_xmalloc(sizeof *x->deadline_timer);
    uv_timer_init(&x->e->loop, x->deadline_timer);
    x->deadline_timer->data = x;
    int64_t delay = x->deadline_ms - eng__now_ms();
    uv_timer_start(x->deadline_timer, deadline_fired,
                   delay > 0 ? (uint64_t)delay : 0, 0);
}

static void close_free(uv_handle_t *h)
{
    free(h);
}

static void deadline_fired(uv_timer_t *t)
{
    eng_exec *x = t->data;
    uv_close((uv_handle_t *)t, close_free);
    x->deadline_timer = NULL;
    if (x->status == EX_RUNNING)
        eng__exec_finish(x, EX_TIMED_OUT, NULL, NULL);
}

bool eng_name_valid(const char *n)
{
    size_t len = strlen(n);
    if (len == 0 || bt_utf8_length(n, len) > 80)
        return false;
    for (const unsigned char *p = (const unsigned char *)n; *p; p++)
        if (*p < 0x20 || *p == 0x7f || strchr(" <>{}[]?*\"#%\\^|~`$&,;:/", *p))
            return false;
    return true;
}

char *eng_execution_arn(eng *e, const char *machine_name, const char *name)
{
    /* Appended, not printed: every start makes one (printf's two passes
     * were 3,900 instructions of a StartExecution's 150,000). */
    bt_buf b;
    bt_buf_init(&b);
    bt_buf_lit(&b, "arn:aws:states:");
    bt_buf_puts(&b, e->region);
    bt_buf_putc(&b, ':');
    bt_buf_puts(&b, e->account);
    bt_buf_lit(&b, ":execution:");
    bt_buf_puts(&b, machine_name);
    bt_buf_putc(&b, ':');
    bt_buf_puts(&b, name);
    return bt_buf_take(&b);
}

/* The checks AWS makes before starting: the machine exists, the input is
 * JSON, the name is valid. Fills *m on success. */
static int start_check(eng *e, const char *machine, const char *text,
                       const char *nm, store_machine *m, json_object **input,
                       char **err)
{
    if (store_machine_head(e->st, machine, 0, m) != 0) {
        *err = bt_xasprintf("State Machine Does Not Exist: '%s'", machine);
        return BT_ENOENT;
    }
    int rc = 0;
    json_object *probe = NULL;
    bt_json_error jerr;
    if (!*text) {
        *err = bt_xstrdup("Invalid State Machine Execution Input: 'Invalid "
                          "execution input.'");
        rc = BT_EINVAL;
    } else if (bt_json_parse(text, strlen(text), BT_LIMIT_JSON_DEPTH, &probe,
                             &jerr) != 0) {
        *err = bt_xasprintf("Invalid State Machine Execution Input: '%s at "
                            "line %d, column %d'",
                            jerr.message, jerr.line, jerr.column);
        rc = BT_EINVAL;
    } else if (!eng_name_valid(nm)) {
        *err = bt_xasprintf("Invalid Name: '%s'", nm);
        rc = BT_EINVAL;
    }
    if (rc != 0) {
        json_object_put(probe);
        store_machine_fini(m);
        return rc;
    }
    *input = probe; /* parsed once, used by the execution */
    return 0;
}

/* An execution with this ARN exists already: AWS treats the same name and
 * input while it is RUNNING as the same start (returns 0), anything else
 * as a conflict. BT_ENOENT: there is none. */
static int start_existing(eng *e, const char *arn, const char *text, char **err)
{
    store_exec existing;
    memset(&existing, 0, sizeof existing);
    if (store_exec_get(e->st, arn, &existing) != 0)
        return BT_ENOENT;
    bool same = !strcmp(existing.status, "RUNNING") && existing.input &&
                !strcmp(existing.input, text);
    store_exec_fini(&existing);
    if (same)
        return 0;
    *err = bt_xasprintf("Execution Already Exists: '%s'", arn);
    return BT_EINVAL;
}

/* Records ExecutionStarted and sets the root frame moving. */
static void start_run(eng_exec *x, const store_machine *m, const char *text)
{
    eng *e = x->e;
    /* ExecutionStarted names the role the machine was created with. The
     * details are written as text, as the task events are. */
    bt_buf d;
    bt_buf_init(&d);
    bt_buf_lit(&d, "{\"input\":");
    bt_buf_json_str(&d, text, strlen(text));
    bt_buf_lit(&d, ",\"inputDetails\":{\"truncated\":false},\"roleArn\":");
    const char *role = m->role_arn ? m->role_arn : e->default_role;
    bt_buf_json_str(&d, role, strlen(role));
    bt_buf_putc(&d, '}');
    eng__event_text(x, NULL, "ExecutionStarted", d.data, d.len, 0);
    bt_buf_fini(&d);
    x->root = eng__frame_new(x, NULL, 0, sl_machine_top(x->machine),
                             json_object_get(x->input));
    eng__frame_save(x->root);
    eng__ready(x->root);
    eng__deadline_arm(x);
}

int eng__exec_create(eng *e, const char *machine, const char *name,
                     const char *input, char **exec_arn, char **err)
{
    const char *text = input ? input : "{}";
    char *gen = name ? NULL : eng__uuid(e);
    const char *nm = name ? name : gen;
    store_machine m;
    memset(&m, 0, sizeof m);
    json_object *parsed = NULL;
    int rc = start_check(e, machine, text, nm, &m, &parsed, err);
    if (rc != 0) {
        free(gen);
        return rc;
    }
    sl_machine_type type = SL_MACHINE_STANDARD;
    sl_machine_type_parse(m.type, &type);
    char *arn;
    if (type == SL_MACHINE_EXPRESS) {
        char *uuid = eng__uuid(e);
        arn = bt_xasprintf("arn:aws:states:%s:%s:express:%s:%s:%s", e->region,
                           e->account, m.name, nm, uuid);
        free(uuid);
    } else {
        arn = eng_execution_arn(e, m.name, nm);
    }
    store_exec row = {
        arn,  m.arn, m.revision, (char *)nm,    m.type, "RUNNING", (char *)text,
        NULL, NULL,  NULL,       eng__now_ms(), 0,      0};
    /* Compiled before anything is written: a definition that no longer
     * compiles leaves nothing behind. */
    eng_exec *x = NULL;
    rc = eng__exec_load(e, &row, parsed, &x, err);
    if (rc != 0)
        goto done;
    /* The row is written first and the ARN looked up only when it is
     * taken: a lookup before every start cost 5,000 instructions. */
    rc = store_begin(e->st) != 0 ? BT_EIO : store_exec_insert(e->st, &row);
    if (rc != 0) {
        eng__exec_discard(x);
        if (rc == BT_EEXIST)
            rc = start_existing(e, arn, text, err);
        if (rc == BT_EIO || rc == BT_ENOENT) {
            *err = bt_xasprintf("store: %s", store_errmsg(e->st));
            rc = BT_EIO;
        }
        goto done;
    }
    x->sid = row.id;
    start_run(x, &m, text);
done:
    json_object_put(parsed);
    store_machine_fini(&m);
    free(gen);
    if (rc != 0) {
        free(arn);
        return rc;
    }
    *exec_arn = arn;
    return 0;
}

int eng_execution_start(eng *e, const char *machine, const char *name,
                        const char *input, char **exec_arn, char **err)
{
    char *arn = NULL;
    int rc = eng__exec_create(e, machine, name, input, &arn, err);
    if (rc == BT_EIO)
        store_rollback(e->st);
    if (rc != 0)
        return rc;
    if (commit(e, err) != 0) {
        free(arn);
        return BT_EIO;
    }
    *exec_arn = arn;
    return 0;
}

typedef struct started {
    eng_started_fn done;
    void *arg;
    char *arn;
    int64_t start_ms;
} started;

static void started_effect(void *p, bool run)
{
    started *st = p;
    st->done(st->arg, run ? st->arn : NULL, st->start_ms);
    free(st->arn);
    free(st);
}

int eng_execution_start_batched(eng *e, const char *machine, const char *name,
                                const char *input, eng_started_fn done,
                                void *arg, char **err)
{
    char *arn = NULL;
    int rc = eng__exec_create(e, machine, name, input, &arn, err);
    if (rc != 0)
        return rc;
    started *st = bt_xmalloc(sizeof *st);
    st->done = done;
    st->arg = arg;
    st->arn = arn;
    eng_exec *x = eng__exec_find(e, arn);
    st->start_ms = x ? x->start_ms : 0;
    if (!x) {
        /* Not running here any more (an idempotent start of an execution
         * that was loaded and finished): read its start from the store. */
        store_exec row;
        memset(&row, 0, sizeof row);
        if (store_exec_get(e->st, arn, &row) == 0)
            st->start_ms = row.start_ms;
        store_exec_fini(&row);
    }
    /* Answered after the pump's next commit, which also holds every other
     * execution started in this turn of the loop. */
    eng__effect(e, NULL, started_effect, st);
    eng__kick(e);
    return 0;
}

void eng__deadline_arm(eng_exec *x)
{
    /* Tied to the root frame: dropped if the execution leaves memory. */
    eng__effect(x->e, x->root, deadline_arm, x);
}

eng_exec *eng__exec_find(eng *e, const char *arn)
{
    void *v = NULL;
    if (e->exec_index && lh_table_lookup_ex(e->exec_index, arn, &v))
        return v;
    if (!strncmp(arn, "arn:", 4))
        return NULL;
    for (eng_exec *x = e->execs; x; x = x->next)
        if (!strcmp(x->name, arn))
            return x;
    return NULL;
}

/* ---- finishing
 * ------------------------------------------------------------------------------
 */

static json_object *error_details(const sl_error *err)
{
    json_object *d = json_object_new_object();
    if (err && err->name)
        json_object_object_add(d, "error", json_object_new_string(err->name));
    if (err && err->cause)
        json_object_object_add(d, "cause", json_object_new_string(err->cause));
    return d;
}

void eng__exec_finish(eng_exec *x, eng_status status, json_object *output,
                      const sl_error *err)
{
    if (x->status != EX_RUNNING) {
        json_object_put(output);
        return;
    }
    eng *e = x->e;
    x->status = status;
    if (x->root && status != EX_SUCCEEDED && status != EX_FAILED)
        eng__children_abort(x->root);
    if (x->root) {
        eng__timer_cancel(x->root);
        eng__task_cancel(x->root);
    }
    if (x->deadline_timer) {
        uv_timer_stop(x->deadline_timer);
        uv_close((uv_handle_t *)x->deadline_timer, close_free);
        x->deadline_timer = NULL;
    }
    json_object *d = NULL;
    const char *type;
    bt_buf out; /* the output's text, for the event and the row */
    bt_buf_init(&out);
    if (output)
        bt_buf_json(&out, output);
    switch (status) {
    case EX_SUCCEEDED:
        type = "ExecutionSucceeded";
        break;
    case EX_TIMED_OUT: {
        type = "ExecutionTimedOut";
        sl_error to = {"States.Timeout", NULL};
        d = error_details(&to);
        sl_error_set(&x->error, NULL, NULL);
        break;
    }
    case EX_ABORTED:
        type = "ExecutionAborted";
        d = error_details(err);
        break;
    default:
        type = "ExecutionFailed";
        d = error_details(err);
        break;
    }
    /* The details as text: the output's is quoted from out, not made
     * again from a json-c string of it. */
    bt_buf det;
    bt_buf_init(&det);
    if (d) {
        bt_buf_json(&det, d);
        json_object_put(d);
    } else {
        bt_buf_lit(&det, "{\"output\":");
        if (out.data)
            bt_buf_json_str(&det, out.data, out.len);
        else
            bt_buf_lit(&det, "\"null\"");
        bt_buf_lit(&det, ",\"outputDetails\":{\"truncated\":false}}");
    }
    bool prev0 = status == EX_TIMED_OUT || status == EX_ABORTED;
    x->finishing = true;
    eng__event_text(x, x->root, type, det.data, det.len,
                    prev0 ? 0 : (x->root ? x->root->prev_id : -1));
    bt_buf_fini(&det);
    x->finishing = false;
    if (err && status != EX_TIMED_OUT)
        sl_error_set(&x->error, err->name, err->cause);
    x->output = output;
    int64_t stop = eng__now_ms();
    if (status == EX_TIMED_OUT && x->deadline_ms)
        stop = x->deadline_ms;
    store_exec row = {x->arn,
                      x->machine_arn,
                      0,
                      x->name,
                      NULL,
                      (char *)eng__status_name(status),
                      NULL,
                      output ? out.data : NULL,
                      status == EX_TIMED_OUT ? NULL : x->error.name,
                      status == EX_TIMED_OUT ? NULL : x->error.cause,
                      x->start_ms,
                      stop,
                      x->sid};
    eng__exec_ended(x);
    eng__kick(e);
    if (x->root)
        eng__frame_forget(x->root);
    if (store_begin(e->st) || store_exec_finish(e->st, &row) ||
        store_frame_delete_all(e->st, x->sid))
        eng__store_fatal(e, "write");
    bt_buf_fini(&out);
    /* A parent waiting for it (startExecution.sync) reads its row. */
    eng__nested_ended(e, x->arn);
}

/* ---- the frame snapshot
 * -------------------------------------------------------------------- */

const char *const eng__phase_names[PH_DONE + 1] = {
    "ENTER", "TASK", "WAIT", "RETRY", "CHILDREN", "PARKED", "DONE"};

static void put_key(bt_buf *b, const char *key)
{
    bt_buf_lit(b, ",\"");
    bt_buf_puts(b, key);
    bt_buf_lit(b, "\":");
}

static void put_int(bt_buf *b, const char *key, int64_t v)
{
    put_key(b, key);
    bt_buf_int(b, v);
}

static void put_json(bt_buf *b, const char *key, json_object *v)
{
    put_key(b, key);
    bt_buf_json(b, v);
}

/* Appends f's snapshot to b. It is written as text: a finished Map
 * iteration writes one, so it is as hot as the history. */
static void frame_text(eng_frame *f, bt_buf *b)
{
    bt_buf_lit(b, "{\"phase\":\"");
    bt_buf_puts(b, eng__phase_names[f->phase]);
    bt_buf_lit(b, "\",\"state\":");
    const char *name = sl_state_name(f->state);
    bt_buf_json_str(b, name, strlen(name));
    put_int(b, "index", (int64_t)f->index);
    put_int(b, "prev_id", f->prev_id);
    /* A Distributed Map iteration's child execution, relinked on
     * recovery (its events go to that execution's history). */
    if (f->owns_child && f->child) {
        put_key(b, "child_arn");
        bt_buf_json_str(b, f->child->arn, strlen(f->child->arn));
    }
    size_t n;
    const char *t;
    /* A finished frame is only its parent's result: recovery reads its
     * index, outcome, last event and child execution (a third of the
     * bytes of a full snapshot, for every finished Map iteration). */
    if (f->phase == PH_DONE) {
        put_key(b, "failed");
        bt_buf_puts(b, f->failed_ ? "true" : "false");
        t = eng__value_text(f, f->output, &n);
        put_key(b, "output");
        bt_buf_append(b, t, n);
        if (f->failed_) {
            json_object *err = sl_error_output(&f->error);
            put_json(b, "error", err);
            json_object_put(err);
        }
        bt_buf_putc(b, '}');
        return;
    }
    t = eng__value_text(f, f->input, &n);
    put_key(b, "input");
    bt_buf_append(b, t, n);
    put_json(b, "vars", f->vars);
    put_int(b, "entered_id", f->entered_id);
    put_int(b, "entered_ms", f->entered_ms);
    put_int(b, "wake_ms", f->wake_ms);
    put_int(b, "retry_count", f->retry_count);
    put_key(b, "attempts");
    bt_buf_putc(b, '[');
    size_t k = sl_state_retrier_count(f->state);
    for (size_t i = 0; f->attempts && i < k; i++) {
        if (i)
            bt_buf_putc(b, ',');
        bt_buf_int(b, f->attempts[i]);
    }
    bt_buf_putc(b, ']');
    json_object *cb = eng__callback_snapshot(f);
    if (cb) {
        put_json(b, "callback", cb);
        json_object_put(cb);
    }
    bt_buf_putc(b, '}');
}

static void frame_put(eng_exec *x, int64_t id, int64_t parent, const char *text)
{
    if (store_begin(x->e->st) ||
        store_frame_put(x->e->st, x->sid, id, parent, text))
        eng__store_fatal(x->e, "write");
}

void eng__frame_write(eng_frame *f)
{
    f->stored = true;
    bt_buf *b = &f->ex->e->frame_text;
    bt_buf_reset(b);
    frame_text(f, b);
    frame_put(f->ex, f->id, f->parent ? f->parent->id : 0, b->data);
}

/* Finished Map iterations of one transaction share one row
 * {"batch": [snapshot, ...]} under the Map's frame, with an id of its own:
 * a row per iteration was a third of an iteration's cost. */
static void batch_write(eng_frame *m)
{
    bt_buf_lit(&m->batch, "]}");
    frame_put(m->ex, m->ex->next_frame_id++, m->id, m->batch.data);
    m->batch_n = 0;
    if (m->batch.cap > 1024)
        bt_buf_fini(&m->batch);
}

void eng__frame_retire(eng_frame *kid)
{
    eng_frame *m = kid->parent;
    eng *e = kid->ex->e;
    /* An iteration with a row of its own (it waited for a commit, e.g.
     * on a Task) replaces that row, or recovery would see it twice. */
    if (kid->dirty && !kid->stored) {
        e->dirty[kid->dirty_slot] = NULL;
        kid->dirty = false;
        if (m->batch_n == 0) {
            e->batched = bt_grow(e->batched, e->nbatched, &e->capbatched,
                                 sizeof *e->batched);
            m->batch_slot = e->nbatched;
            e->batched[e->nbatched++] = m;
            bt_buf_reset(&m->batch);
            bt_buf_lit(&m->batch, "{\"batch\":[");
        } else {
            bt_buf_putc(&m->batch, ',');
        }
        frame_text(kid, &m->batch);
        m->batch_n++;
        if (m->batch.len > ENG_ROW_BYTES) {
            e->batched[m->batch_slot] = NULL;
            batch_write(m);
        }
    }
    eng__frame_free(kid);
}

void eng__frame_batch_drop(eng_frame *m)
{
    if (m->batch_n) {
        m->ex->e->batched[m->batch_slot] = NULL;
        m->batch_n = 0;
    }
}

void eng__frame_batch_release(eng_frame *m)
{
    if (m->batch_n) {
        m->ex->e->batched[m->batch_slot] = NULL;
        batch_write(m);
    }
    bt_buf_fini(&m->batch);
}

void eng__frame_save(eng_frame *f)
{
    eng *e = f->ex->e;
    if (f->dirty)
        return;
    e->dirty = bt_grow(e->dirty, e->ndirty, &e->capdirty, sizeof *e->dirty);
    f->dirty = true;
    f->dirty_slot = e->ndirty;
    e->dirty[e->ndirty++] = f;
    eng__kick(e);
}

void eng__frames_write(eng *e)
{
    /* Writing never marks frames, so the list cannot grow meanwhile. */
    for (size_t i = 0; i < e->ndirty; i++) {
        eng_frame *f = e->dirty[i];
        if (!f)
            continue;
        f->dirty = false;
        eng__frame_write(f);
    }
    e->ndirty = 0;
}

void eng__frame_forget(eng_frame *f)
{
    if (f->dirty) {
        f->ex->e->dirty[f->dirty_slot] = NULL;
        f->dirty = false;
    }
    eng__frame_batch_drop(f);
    for (size_t i = 0; i < f->nkids; i++)
        if (f->kids[i])
            eng__frame_forget(f->kids[i]);
}

int eng__commit(eng *e)
{
    eng__frames_write(e);
    for (size_t i = 0; i < e->nbatched; i++)
        if (e->batched[i])
            batch_write(e->batched[i]);
    e->nbatched = 0;
    eng__history_write(e);
    return store_in_transaction(e->st) ? store_commit(e->st) : 0;
}

/* ---- running and reading
 * ----------------------------------------------------------------------- */

static void progress_cb(uv_timer_t *t)
{
    eng_exec *x = eng__exec_find(t->loop->data, t->data);
    if (!x)
        return;
    double s = (double)(eng__now_ms() - x->start_ms) / 1000.0;
    if (x->items_total)
        fprintf(stderr, "\r%lld states, Map items %lld/%lld, %.1f s ",
                (long long)x->states_done, (long long)x->items_done,
                (long long)x->items_total, s);
    else
        fprintf(stderr, "\r%lld states, %.1f s ", (long long)x->states_done, s);
}

int eng_run_until_done(eng *e, const char *exec_arn, bool progress)
{
    eng_exec *x = eng__exec_find(e, exec_arn);
    if (!x)
        return BT_ENOENT;
    uv_timer_t *t = NULL;
    if (progress) {
        t = bt_xmalloc(sizeof *t);
        uv_timer_init(&e->loop, t);
        t->data = (void *)exec_arn;
        uv_timer_start(t, progress_cb, 500, 500);
    }
    int rc = 0;
    /* A finished execution leaves memory after its end is committed, so
     * it is looked up again on every turn. */
    char *arn = bt_xstrdup(x->arn);
    while ((x = eng__exec_find(e, arn)) && x->status == EX_RUNNING)
        if (uv_run(&e->loop, UV_RUN_ONCE) == 0 &&
            (x = eng__exec_find(e, arn)) && x->status == EX_RUNNING &&
            e->nready == 0 && e->neffects == 0) {
            rc = BT_EINVAL; /* nothing left that could move it */
            break;
        }
    free(arn);
    if (t) {
        uv_timer_stop(t);
        uv_close((uv_handle_t *)t, close_free);
        fputs("\r\033[K", stderr);
    }
    if (rc)
        return rc;
    /* Commit the final writes. */
    uv_run(&e->loop, UV_RUN_NOWAIT);
    eng__commit(e);
    return 0;
}

int eng_execution_stop(eng *e, const char *exec_arn, const char *error,
                       const char *cause, char **err)
{
    eng_exec *x = eng__exec_find(e, exec_arn);
    if (!x) {
        /* Not running here: load it from the store to record the stop. */
        store_exec row;
        memset(&row, 0, sizeof row);
        if (store_exec_get(e->st, exec_arn, &row) != 0) {
            *err = bt_xasprintf("Execution Does Not Exist: '%s'", exec_arn);
            return BT_ENOENT;
        }
        int rc = 0;
        if (!strcmp(row.status, "RUNNING")) {
            rc = eng__exec_load(e, &row, NULL, &x, err);
            if (rc == 0)
                x->next_event_id = eng__last_event_id(e, x->sid) + 1;
        }
        store_exec_fini(&row);
        if (rc != 0 || !x)
            return rc; /* already finished: nothing to do (AWS [IMPL]) */
    }
    sl_error stop = {(char *)error, (char *)cause};
    eng__exec_finish(x, EX_ABORTED, NULL, &stop);
    return commit(e, err);
}

int64_t eng__last_event_id(eng *e, int64_t sid)
{
    eng__history_write(e);
    return store_event_last(e->st, sid);
}

static int history_cb(int64_t id, const char *json, void *ud)
{
    (void)id;
    json_object *ev = NULL;
    if (bt_json_parse(json, strlen(json), BT_LIMIT_JSON_DEPTH, &ev, NULL) == 0)
        json_object_array_add(ud, ev);
    return 0;
}

json_object *eng_execution_history(eng *e, const char *exec)
{
    return eng_execution_history_range(e, exec, 1, INT64_MAX, NULL);
}

json_object *eng_execution_history_range(eng *e, const char *exec, int64_t from,
                                         int64_t to, int64_t *last)
{
    store_exec row;
    memset(&row, 0, sizeof row);
    if (store_exec_get(e->st, exec, &row) != 0)
        return NULL;
    json_object *events = json_object_new_array();
    eng__history_write(e); /* this connection reads its own writes */
    if (last)
        *last = store_event_last(e->st, row.id);
    if (from <= to)
        store_event_range(e->st, row.id, from, to, history_cb, events);
    store_exec_fini(&row);
    return events;
}

json_object *eng_epoch_json(int64_t ms)
{
    return eng__epoch_json(ms);
}

json_object *eng__epoch_json(int64_t ms)
{
    char t[32];
    snprintf(t, sizeof t, "%lld.%03lld", (long long)(ms / 1000),
             (long long)(ms % 1000));
    return json_object_new_double_s((double)ms / 1000, t);
}

void eng__add_str(json_object *o, const char *k, const char *v)
{
    if (v)
        json_object_object_add(o, k, json_object_new_string(v));
}

void eng__add_date(json_object *o, const char *k, int64_t ms)
{
    json_object_object_add(o, k, eng__epoch_json(ms));
}

/* DescribeExecution's fields for a stored execution (reference §12.6). */
static json_object *describe_row(const store_exec *r, bool full)
{
    json_object *o = json_object_new_object();
    eng__add_str(o, "executionArn", r->arn);
    eng__add_str(o, "stateMachineArn", r->machine_arn);
    eng__add_str(o, "name", r->name);
    eng__add_str(o, "status", r->status);
    eng__add_date(o, "startDate", r->start_ms);
    if (r->stop_ms)
        eng__add_date(o, "stopDate", r->stop_ms);
    if (full) {
        json_object *inc = json_object_new_object();
        json_object_object_add(inc, "included", json_object_new_boolean(true));
        eng__add_str(o, "input", r->input);
        json_object_object_add(o, "inputDetails", inc);
        if (r->output) {
            eng__add_str(o, "output", r->output);
            json_object_object_add(o, "outputDetails", json_object_get(inc));
        }
        eng__add_str(o, "error", r->error);
        eng__add_str(o, "cause", r->cause);
    }
    json_object_object_add(o, "redriveCount", json_object_new_int(0));
    return o;
}

json_object *eng_execution_describe(eng *e, const char *exec)
{
    store_exec row;
    memset(&row, 0, sizeof row);
    if (store_exec_get(e->st, exec, &row) != 0)
        return NULL;
    json_object *o = describe_row(&row, true);
    store_exec_fini(&row);
    return o;
}

static int list_cb(const store_exec *x, void *ud)
{
    json_object_array_add(ud, describe_row(x, false));
    return 0;
}

json_object *eng_execution_list(eng *e)
{
    json_object *items = json_object_new_array();
    store_exec_each(e->st, false, list_cb, items);
    return items;
}
