/*
 * Recovery: an execution left RUNNING by a crash or a stop continues from
 * its frame snapshots. Each frame resumes from its phase through the normal
 * code path: ENTER enters its state, TASK calls its function again
 * (at-least-once), WAIT and RETRY re-arm their timers, CHILDREN rebuild
 * their bookkeeping from the children's snapshots. No transition recorded
 * in the history is applied twice, since the snapshot and the history
 * events of a step are written in the same transaction.
 */
#include "engine/eng_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct loaded {
    eng_exec *x;
    eng_frame **frames; /* by id; NULL where none */
    size_t cap;
    int64_t max_event;
    int64_t max_frame;
    int rc;
} loaded;

static json_object *member(json_object *o, const char *k)
{
    json_object *v;
    return json_object_object_get_ex(o, k, &v) ? json_object_get(v) : NULL;
}

/* The scope a frame runs: the machine's top level, a branch, a processor. */
static const sl_scope *scope_of(eng_exec *x, eng_frame *parent, size_t index)
{
    if (!parent)
        return sl_machine_top(x->machine);
    if (sl_state_kind(parent->state) == SL_PARALLEL)
        return sl_state_branch(parent->state, index);
    return sl_state_processor(parent->state);
}

static void restore_fields(eng_frame *f, json_object *d)
{
    json_object *v;
    f->phase = PH_ENTER;
    if (json_object_object_get_ex(d, "phase", &v))
        for (int i = 0; i <= PH_DONE; i++)
            if (!strcmp(json_object_get_string(v), eng__phase_names[i]))
                f->phase = (eng_phase)i;
    json_object_put(f->vars);
    f->vars = member(d, "vars");
    if (!f->vars)
        f->vars = json_object_new_object();
    f->entered_id = bt_json_int(d, "entered_id");
    f->entered_ms = bt_json_int(d, "entered_ms");
    f->prev_id = bt_json_int(d, "prev_id");
    f->wake_ms = bt_json_int(d, "wake_ms");
    f->retry_count = (uint32_t)bt_json_int(d, "retry_count");
    eng__callback_restore(f, d);
    size_t n = sl_state_retrier_count(f->state);
    free(f->attempts);
    f->attempts = bt_xcalloc(n + 1, sizeof *f->attempts);
    json_object *att = NULL;
    if (json_object_object_get_ex(d, "attempts", &att))
        for (size_t i = 0; i < n && i < json_object_array_length(att); i++)
            f->attempts[i] = (uint32_t)json_object_get_int64(
                json_object_array_get_idx(att, i));
    if (f->phase == PH_DONE) {
        f->output = member(d, "output");
        json_object *fl, *er, *x;
        f->failed_ = json_object_object_get_ex(d, "failed", &fl) &&
                     json_object_get_boolean(fl);
        if (f->failed_ && json_object_object_get_ex(d, "error", &er)) {
            json_object *c;
            json_object_object_get_ex(er, "Error", &x);
            json_object_object_get_ex(er, "Cause", &c);
            sl_error_set(&f->error, x ? json_object_get_string(x) : NULL,
                         c ? json_object_get_string(c) : NULL);
        }
    }
}

/* Restores one frame from its snapshot d (borrowed). */
static void restore_one(loaded *l, int64_t id, int64_t parent_id,
                        json_object *d)
{
    eng_frame *parent = parent_id > 0 && (size_t)parent_id < l->cap
                            ? l->frames[parent_id]
                            : NULL;
    size_t index = (size_t)bt_json_int(d, "index");
    json_object *st;
    json_object_object_get_ex(d, "state", &st);
    const sl_scope *sc =
        (parent_id > 0 && !parent) ? NULL : scope_of(l->x, parent, index);
    const sl_state *state =
        sc ? sl_scope_find(sc, json_object_get_string(st)) : NULL;
    if (!state)
        return; /* below a finished or unknown frame: stale */
    eng_frame *f = eng__frame_new(l->x, parent, index, sc, member(d, "input"));
    f->id = id;
    f->state = state;
    f->stored = true;
    restore_fields(f, d);
    json_object *child_arn;
    if (json_object_object_get_ex(d, "child_arn", &child_arn) &&
        eng__child_exec_restore(f, json_object_get_string(child_arn)) != 0)
        l->rc = BT_EIO;
    if ((size_t)id >= l->cap) {
        size_t cap = l->cap ? l->cap : 64;
        while (cap <= (size_t)id)
            cap *= 2;
        l->frames = bt_xrealloc(l->frames, cap * sizeof *l->frames);
        memset(l->frames + l->cap, 0, (cap - l->cap) * sizeof *l->frames);
        l->cap = cap;
    }
    l->frames[id] = f;
    if (id > l->max_frame)
        l->max_frame = id;
    if (f->phase == PH_CHILDREN && eng__children_restore(f) != 0)
        l->rc = BT_EINVAL;
    if (!parent) {
        l->x->root = f;
    } else {
        if (f->phase == PH_DONE) {
            l->x->live_frames--;
            l->frames[id] = NULL;
        }
        /* May free f (a finished child lives on as its parent's result). */
        eng__child_restore(parent, f);
    }
}

static int frame_cb(int64_t id, int64_t parent_id, const char *json, void *ud)
{
    loaded *l = ud;
    json_object *d = NULL, *batch;
    if (bt_json_parse(json, strlen(json), BT_LIMIT_JSON_DEPTH, &d, NULL)) {
        l->rc = BT_EIO;
        return 1;
    }
    /* A row of finished Map iterations: each is a done child of the Map
     * (their own ids are not needed once they are done). */
    if (json_object_object_get_ex(d, "batch", &batch))
        for (size_t i = 0; i < json_object_array_length(batch); i++)
            restore_one(l, id, parent_id, json_object_array_get_idx(batch, i));
    else
        restore_one(l, id, parent_id, d);
    json_object_put(d);
    return 0;
}

/* Sets every live frame moving again, children first. */
static void resume_frame(eng_frame *f)
{
    for (size_t i = 0; i < f->nkids; i++)
        if (f->kids[i])
            resume_frame(f->kids[i]);
    switch (f->phase) {
    case PH_ENTER:
        eng__ready(f);
        break;
    case PH_TASK:
        eng__task_resume(f);
        break;
    case PH_WAIT:
    case PH_RETRY:
        eng__timer_arm(f, f->wake_ms);
        break;
    case PH_PARKED:
        eng__callback_resume(f);
        break;
    default:
        break;
    }
}

static int recover_exec(eng *e, const store_exec *row, char **err)
{
    if (eng__exec_find(e, row->arn))
        return 0;
    eng_exec *x = NULL;
    int rc = eng__exec_load(e, row, NULL, &x, err);
    if (rc != 0)
        return rc;
    loaded l = {x, NULL, 0, 0, 0, 0};
    l.max_event = eng__last_event_id(e, x->sid);
    rc = store_frame_each(e->st, x->sid, frame_cb, &l);
    free(l.frames);
    if (rc == 0)
        rc = l.rc;
    x->next_event_id = l.max_event + 1;
    x->next_frame_id = l.max_frame + 1;
    if (rc != 0 || !x->root) {
        *err = bt_xasprintf("execution %s: its recovery snapshot is "
                            "unreadable",
                            x->arn);
        return rc ? rc : BT_EIO;
    }
    resume_frame(x->root);
    eng__deadline_arm(x);
    return 0;
}

typedef struct arns {
    char **v;
    size_t n;
} arns;

/* A Distributed Map's child execution (<machine>/<label>:<uuid>; '/' is
 * not allowed in execution names) is recovered with its parent's frames,
 * never on its own. */
static bool map_run_child(const char *arn)
{
    const char *p = strstr(arn, ":execution:");
    return p && strchr(p + strlen(":execution:"), '/');
}

static int collect(const store_exec *row, void *ud)
{
    arns *a = ud;
    if (map_run_child(row->arn))
        return 0;
    a->v = bt_xrealloc(a->v, (a->n + 1) * sizeof *a->v);
    a->v[a->n++] = bt_xstrdup(row->arn);
    return 0;
}

static bool any_running(eng *e)
{
    for (eng_exec *x = e->execs; x; x = x->next)
        if (x->status == EX_RUNNING)
            return true;
    return false;
}

int eng_resume_all(eng *e, char **err)
{
    int rc = eng_resume_start(e, err);
    if (rc != 0)
        return rc;
    eng_run_all(e);
    return 0;
}

int eng_resume_start(eng *e, char **err)
{
    arns a = {NULL, 0};
    int rc = store_exec_each(e->st, true, collect, &a);
    for (size_t i = 0; i < a.n; i++) {
        store_exec row;
        memset(&row, 0, sizeof row);
        if (rc == 0 && store_exec_get(e->st, a.v[i], &row) == 0)
            rc = recover_exec(e, &row, err);
        store_exec_fini(&row);
        free(a.v[i]);
    }
    free(a.v);
    return rc;
}

void eng_run_all(eng *e)
{
    while (any_running(e))
        if (uv_run(&e->loop, UV_RUN_ONCE) == 0 && any_running(e) &&
            e->nready == e->ready_head && e->neffects == 0)
            break;
    uv_run(&e->loop, UV_RUN_NOWAIT);
    eng__commit(e);
}
