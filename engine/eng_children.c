/*
 * Parallel branches and Map iterations: child frames run on the same loop;
 * MaxConcurrency bounds how many iterations are active; results are
 * gathered in branch / item order. A failed child stops its siblings
 * (unless a Map tolerates it), and the child's error is what Retry/Catch
 * on the Parallel/Map state see (reference §8).
 */
#include "engine/eng_int.h"

#include <stdlib.h>
#include <string.h>

/* Inline Map's effective parallelism when MaxConcurrency is 0 (AWS). */
#define MAP_INLINE_MAX 40
/* A distributed Map's default (AWS: 10,000 child executions at once). */
#define MAP_DISTRIBUTED_MAX 10000

static bool is_map(const eng_frame *f)
{
    return sl_state_kind(f->state) == SL_MAP;
}

/* Records a MapIteration<what> event {name, index} on the Map's thread;
 * written as text (one or two per item). */
static int64_t iteration_event(eng_frame *map, const char *type, size_t index,
                               int64_t prev)
{
    bt_buf *b = &map->ex->e->details_text;
    const char *name = sl_state_name(map->state);
    bt_buf_reset(b);
    bt_buf_lit(b, "{\"name\":");
    bt_buf_json_str(b, name, strlen(name));
    bt_buf_lit(b, ",\"index\":");
    bt_buf_int(b, (int64_t)index);
    bt_buf_putc(b, '}');
    return eng__event_text(map->ex, map, type, b->data, b->len, prev);
}

/* Removes the snapshots below f from the store. */
static void delete_subtree(eng_frame *f)
{
    store_begin(f->ex->e->st);
    for (size_t i = 0; i < f->nkids; i++)
        if (f->kids[i])
            delete_subtree(f->kids[i]);
    store_frame_delete_children(f->ex->e->st, f->ex->sid, f->id);
}

static void free_kids(eng_frame *f)
{
    /* Nothing below f is to be written any more: its rows go. */
    eng__frame_batch_drop(f);
    for (size_t i = 0; i < f->nkids; i++)
        if (f->kids[i])
            eng__frame_forget(f->kids[i]);
    delete_subtree(f);
    for (size_t i = 0; i < f->nkids; i++)
        if (f->kids[i])
            eng__frame_free(f->kids[i]);
    free(f->kids);
    f->kids = NULL;
    f->nkids = 0;
}

static void init_children(eng_frame *f, size_t total)
{
    f->total = total;
    f->kids = bt_xcalloc(total ? total : 1, sizeof *f->kids);
    f->nkids = total;
    f->next_index = 0;
    f->running = f->succeeded = f->failed = 0;
    json_object_put(f->results);
    f->results = json_object_new_array_ext((int)total);
    for (size_t i = 0; i < total; i++)
        json_object_array_add(f->results, NULL);
    sl_error_fini(&f->child_error);
    f->phase = PH_CHILDREN;
}

static void reset_children(eng_frame *f, size_t total)
{
    free_kids(f);
    init_children(f, total);
}

static eng_frame *spawn_child(eng_frame *f, size_t index, const sl_scope *scope,
                              json_object *input)
{
    eng_frame *kid = eng__frame_new(f->ex, f, index, scope, input);
    kid->prev_id = f->prev_id;
    if (is_map(f) && sl_state_map_distributed(f->state))
        eng__child_exec_start(f, kid);
    f->kids[index] = kid;
    f->running++;
    eng__frame_save(kid);
    eng__ready(kid);
    return kid;
}

/* ---- Parallel
 * ------------------------------------------------------------------------ */

void eng__parallel_start(eng_frame *f)
{
    sl_lazy ctx;
    sl_ctx c;
    eng__sl_ctx_lazy(f, &c, &ctx);
    sl_error err;
    sl_error_init(&err);
    json_object *eff = NULL;
    int rc = sl_state_input(f->state, f->input, &c, &eff, &err);
    json_object_put(ctx.made);
    if (rc != 0) {
        eng__work_failed(f, &err);
        sl_error_fini(&err);
        return;
    }
    json_object_put(f->effective);
    f->effective = eff;
    int64_t started = eng__event(f->ex, f, "ParallelStateStarted", NULL, -1);
    size_t n = sl_state_branch_count(f->state);
    reset_children(f, n);
    for (size_t i = 0; i < n; i++) {
        eng_frame *kid = spawn_child(f, i, sl_state_branch(f->state, i),
                                     json_object_get(eff));
        kid->prev_id = started;
    }
    f->next_index = n;
    eng__frame_save(f);
}

/* ---- Map
 * ------------------------------------------------------------------------------
 */

/* Iteration i's $$, made only if ItemSelector reads it: the Map's context
 * with Map.Item {Index, Value}. */
typedef struct item_context {
    eng_frame *map;
    size_t index;
    json_object *item;
} item_context;

static json_object *make_item_context(void *ud)
{
    item_context *ic = ud;
    json_object *mi = json_object_new_object();
    json_object_object_add(mi, "Index",
                           json_object_new_int64((int64_t)ic->index));
    json_object_object_add(mi, "Value", json_object_get(ic->item));
    return eng__context(ic->map, mi);
}

/* Iteration i's input: the item through ItemSelector. */
static int item_input(eng_frame *f, size_t i, json_object *item,
                      json_object **input, sl_error *err)
{
    item_context ic = {f, i, item};
    sl_lazy ctx = {make_item_context, &ic, NULL};
    sl_ctx c;
    eng__sl_ctx(f, &c, NULL);
    c.lazy_context = &ctx;
    int rc = sl_map_item_input(f->state, f->input, item, &c, input, err);
    json_object_put(ctx.made);
    return rc;
}

/* With an ItemBatcher the iterations are batches of item inputs, built
 * up front; f->effective then holds the batches. Takes items. */
static int batch_items(eng_frame *f, json_object *items, json_object **out,
                       sl_error *err)
{
    json_object *inputs = json_object_new_array();
    for (size_t i = 0; i < json_object_array_length(items); i++) {
        json_object *in = NULL;
        if (item_input(f, i, json_object_array_get_idx(items, i), &in, err)) {
            json_object_put(inputs);
            json_object_put(items);
            return -1;
        }
        json_object_array_add(inputs, in);
    }
    json_object_put(items);
    sl_lazy ctx;
    sl_ctx c;
    eng__sl_ctx_lazy(f, &c, &ctx);
    int rc = sl_map_batches(f->state, f->input, inputs, &c, out, err);
    json_object_put(ctx.made);
    return rc;
}

static int start_item(eng_frame *f, sl_error *err)
{
    size_t i = f->next_index++;
    json_object *item = json_object_array_get_idx(f->effective, i);
    json_object *input = NULL;
    if (sl_state_map_batched(f->state))
        input = json_object_get(item);
    else if (item_input(f, i, item, &input, err) != 0)
        return -1;
    int64_t prev = f->prev_id;
    if (!sl_state_map_distributed(f->state))
        prev = iteration_event(f, "MapIterationStarted", i, f->entered_id + 1);
    eng_frame *kid = spawn_child(f, i, sl_state_processor(f->state), input);
    if (!kid->owns_child)
        kid->prev_id = prev;
    return 0;
}

static int fill_slots(eng_frame *f, sl_error *err)
{
    int64_t limit = f->max_concurrency;
    if (limit <= 0)
        limit = sl_state_map_distributed(f->state) ? MAP_DISTRIBUTED_MAX
                                                   : MAP_INLINE_MAX;
    while (f->next_index < f->total && (int64_t)f->running < limit)
        if (start_item(f, err) != 0)
            return -1;
    return 0;
}

static char *map_run_arn(eng_frame *f)
{
    const char *label = sl_state_map_label(f->state);
    char *uuid = eng__uuid(f->ex->e);
    char *arn =
        bt_xasprintf("arn:aws:states:%s:%s:mapRun:%s/%s:%s", f->ex->e->region,
                     f->ex->e->account, f->ex->machine_name,
                     label ? label : sl_state_name(f->state), uuid);
    free(uuid);
    return arn;
}

static void map_all_done(eng_frame *f);

void eng__map_start(eng_frame *f)
{
    sl_lazy ctx;
    sl_ctx c;
    eng__sl_ctx_lazy(f, &c, &ctx);
    sl_error err;
    sl_error_init(&err);
    json_object *items = NULL, *batches = NULL;
    int rc = sl_map_items(f->state, f->input, &c, &items, &err);
    if (rc == 0)
        rc = sl_map_concurrency(f->state, f->input, &c, &f->max_concurrency,
                                &err);
    if (rc == 0 && sl_state_map_batched(f->state))
        rc = batch_items(f, json_object_get(items), &batches, &err);
    if (rc != 0) {
        json_object_put(ctx.made);
        json_object_put(items);
        eng__work_failed(f, &err);
        sl_error_fini(&err);
        return;
    }
    json_object_put(f->effective);
    f->effective = items;
    size_t n = json_object_array_length(items);
    json_object *d = json_object_new_object();
    json_object_object_add(d, "length", json_object_new_int64((int64_t)n));
    eng__event(f->ex, f, "MapStateStarted", d, -1);
    rc = sl_map_tolerance(f->state, f->input, &c, &f->tolerated_count,
                          &f->tolerated_pct, &err);
    json_object_put(ctx.made);
    if (rc != 0) {
        json_object_put(batches);
        eng__work_failed(f, &err);
        sl_error_fini(&err);
        return;
    }
    if (batches) {
        /* The iterations are the batches. */
        json_object_put(f->effective);
        f->effective = batches;
        n = json_object_array_length(batches);
    }
    if (sl_state_map_distributed(f->state)) {
        json_object *r = json_object_new_object();
        char *arn = map_run_arn(f);
        json_object_object_add(r, "mapRunArn", json_object_new_string(arn));
        free(arn);
        eng__event(f->ex, f, "MapRunStarted", r, -1);
    }
    reset_children(f, n);
    f->ex->items_total += (int64_t)n;
    if (n == 0) {
        map_all_done(f);
        return;
    }
    if (fill_slots(f, &err) != 0) {
        eng__children_abort(f);
        eng__work_failed(f, &err);
        sl_error_fini(&err);
        return;
    }
    eng__frame_save(f);
}

static void map_all_done(eng_frame *f)
{
    int64_t prev = f->prev_id;
    if (sl_state_map_distributed(f->state)) {
        prev = eng__event(f->ex, f, "MapRunSucceeded", NULL, -1);
    }
    eng__event(f->ex, f, "MapStateSucceeded", NULL, prev);
    /* MapStateExited shares MapStateSucceeded's previous event. */
    f->prev_id = prev;
    json_object *results = f->results;
    f->results = NULL;
    free_kids(f);
    eng__work_done(f, results);
}

/* ---- aborting
 * ------------------------------------------------------------------------- */

static bool has_aborted_event(sl_kind k)
{
    return k == SL_TASK || k == SL_WAIT || k == SL_PARALLEL || k == SL_MAP;
}

/* Stops child (and everything below it), recording the in-flight state's
 * Aborted event on its own thread. */
static void abort_frame(eng_frame *child, int64_t cause_id)
{
    if (child->phase == PH_DONE)
        return;
    eng__children_abort(child);
    eng__timer_cancel(child);
    eng__task_cancel(child);
    if (child->phase != PH_ENTER &&
        has_aborted_event(sl_state_kind(child->state))) {
        char type[64];
        eng__event_text(
            child->ex, child,
            eng__state_event_type(type, sizeof type, child->state, "Aborted"),
            NULL, 0, cause_id);
    }
    child->phase = PH_DONE;
    child->ex->live_frames--;
    if (child->owns_child)
        eng__child_exec_finish(child, true);
}

void eng__children_abort(eng_frame *f)
{
    for (size_t i = 0; i < f->nkids; i++) {
        eng_frame *kid = f->kids[i];
        if (!kid || kid->phase == PH_DONE)
            continue;
        abort_frame(kid, f->prev_id);
        if (is_map(f) && !sl_state_map_distributed(f->state))
            iteration_event(f, "MapIterationAborted", kid->index, f->prev_id);
    }
}

/* ---- collecting children
 * ------------------------------------------------------------ */

static bool tolerance_exceeded(eng_frame *f)
{
    if (f->tolerated_count < 0 && f->tolerated_pct < 0)
        return f->failed > 0;
    if (f->tolerated_count >= 0 && (int64_t)f->failed > f->tolerated_count)
        return true;
    if (f->tolerated_pct >= 0 && f->total > 0 &&
        (double)f->failed * 100.0 / (double)f->total > f->tolerated_pct)
        return true;
    return false;
}

/* The Parallel/Map itself fails with err (after its children stopped). */
static void children_failed(eng_frame *f, sl_error *err)
{
    if (is_map(f) && sl_state_map_distributed(f->state)) {
        json_object *d = json_object_new_object();
        if (err->name)
            json_object_object_add(d, "error",
                                   json_object_new_string(err->name));
        if (err->cause)
            json_object_object_add(d, "cause",
                                   json_object_new_string(err->cause));
        eng__event(f->ex, f, "MapRunFailed", d, -1);
    }
    free_kids(f);
    eng__work_failed_as(f, err, false);
}

/* Returns true when the Map tolerates the failure and goes on; otherwise
 * the Parallel/Map has failed. */
static bool child_failed(eng_frame *f, eng_frame *kid)
{
    f->failed++;
    if (is_map(f)) {
        if (!sl_state_map_distributed(f->state))
            iteration_event(f, "MapIterationFailed", kid->index, kid->prev_id);
        if (!f->child_error.name && !f->child_error.cause)
            sl_error_set(&f->child_error, kid->error.name, kid->error.cause);
        json_object_array_put_idx(f->results, kid->index,
                                  sl_error_output(&kid->error));
        if (!tolerance_exceeded(f))
            return true;
    } else {
        sl_error_set(&f->child_error, kid->error.name, kid->error.cause);
        /* The failed branch's own in-flight state counts as aborted. */
        sl_kind k = sl_state_kind(kid->state);
        if (has_aborted_event(k) && k != SL_FAIL) {
            char type[64];
            eng__event_text(
                f->ex, kid,
                eng__state_event_type(type, sizeof type, kid->state, "Aborted"),
                NULL, 0, -1);
        }
    }
    f->prev_id = kid->prev_id;
    eng__children_abort(f);
    sl_error err;
    sl_error_init(&err);
    bool tolerance =
        is_map(f) && (f->tolerated_count >= 0 || f->tolerated_pct >= 0);
    if (tolerance)
        sl_error_set(&err, "States.ExceedToleratedFailureThreshold",
                     "The specified tolerated failure threshold was exceeded");
    else
        sl_error_set(&err, f->child_error.name, f->child_error.cause);
    children_failed(f, &err);
    sl_error_fini(&err);
    return false;
}

void eng__child_done(eng_frame *kid)
{
    eng_frame *f = kid->parent;
    if (f->phase != PH_CHILDREN || f->ex->status != EX_RUNNING)
        return;
    f->running--;
    if (is_map(f))
        f->ex->items_done++;
    bool failed = kid->failed_;
    if (failed) {
        if (!child_failed(f, kid))
            return;
    } else {
        f->succeeded++;
        json_object_array_put_idx(f->results, kid->index,
                                  json_object_get(kid->output));
    }
    if (is_map(f)) {
        if (failed)
            ; /* MapIterationFailed is recorded */
        else if (!sl_state_map_distributed(f->state))
            f->prev_id = iteration_event(f, "MapIterationSucceeded", kid->index,
                                         kid->prev_id);
        else
            f->prev_id = kid->prev_id;
        /* The finished iteration's snapshot (with its output or error)
         * stays in the store until the Map ends; memory is released now.
         * A tolerated failure frees its slot for the next item too. */
        f->kids[kid->index] = NULL;
        eng__frame_retire(kid);
        sl_error err;
        sl_error_init(&err);
        if (fill_slots(f, &err) != 0) {
            eng__children_abort(f);
            children_failed(f, &err);
            sl_error_fini(&err);
            return;
        }
    } else {
        f->prev_id = kid->prev_id;
    }
    if (f->running == 0 && f->next_index >= f->total) {
        if (is_map(f)) {
            map_all_done(f);
        } else {
            json_object *results = f->results;
            f->results = NULL;
            free_kids(f);
            eng__work_done(f, results);
        }
    }
    /* The parent's snapshot is not rewritten per child: recovery counts
     * the children's own snapshots (rewriting a Map's input for each of
     * its items would cost O(items^2)). */
}

/* ---- recovery
 * ------------------------------------------------------------------------ */

int eng__children_restore(eng_frame *f)
{
    sl_lazy ctx;
    sl_ctx c;
    eng__sl_ctx_lazy(f, &c, &ctx);
    sl_error err;
    sl_error_init(&err);
    json_object *eff = NULL;
    int rc;
    size_t total;
    if (is_map(f)) {
        rc = sl_map_items(f->state, f->input, &c, &eff, &err);
        if (rc == 0)
            rc = sl_map_concurrency(f->state, f->input, &c, &f->max_concurrency,
                                    &err);
        if (rc == 0 && sl_state_map_batched(f->state)) {
            json_object *batches = NULL;
            rc = batch_items(f, eff, &batches, &err);
            eff = rc == 0 ? batches : NULL;
        }
        if (rc == 0)
            rc = sl_map_tolerance(f->state, f->input, &c, &f->tolerated_count,
                                  &f->tolerated_pct, &err);
        total = rc == 0 ? json_object_array_length(eff) : 0;
    } else {
        rc = sl_state_input(f->state, f->input, &c, &eff, &err);
        total = sl_state_branch_count(f->state);
    }
    json_object_put(ctx.made);
    sl_error_fini(&err);
    if (rc != 0) {
        json_object_put(eff);
        return BT_EINVAL;
    }
    json_object_put(f->effective);
    f->effective = eff;
    init_children(f, total);
    return 0;
}

void eng__child_restore(eng_frame *f, eng_frame *kid)
{
    if (kid->index >= f->total) {
        eng__frame_free(kid);
        return;
    }
    if (kid->index + 1 > f->next_index)
        f->next_index = kid->index + 1;
    if (kid->phase != PH_DONE) {
        f->kids[kid->index] = kid;
        f->running++;
        return;
    }
    if (kid->failed_) {
        f->failed++;
        json_object_array_put_idx(f->results, kid->index,
                                  sl_error_output(&kid->error));
    } else {
        f->succeeded++;
        json_object_array_put_idx(f->results, kid->index,
                                  json_object_get(kid->output));
    }
    eng__frame_free(kid);
}
