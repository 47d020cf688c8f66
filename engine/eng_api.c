/*
 * The engine's service calls and its pump. Front ends call eng_* on the
 * loop thread. Work moves through the pump: frames ready to advance are
 * processed in a batch inside one store transaction; effects queued during
 * the batch (spawning functions, arming timers) run after it commits.
 */
#include "engine/eng_int.h"

#include <json-c/linkhash.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const status_names[] = {"RUNNING", "SUCCEEDED", "FAILED",
                                           "TIMED_OUT", "ABORTED"};

const char *eng__status_name(eng_status s)
{
    return status_names[s];
}

int64_t eng__now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t eng__tick(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t eng__event_ms(eng *e)
{
    /* The events of one pump step (a Pass's two, a Map iteration's four)
     * share a clock read while the kernel's coarse clock has not moved on
     * (a few nanoseconds to ask): a step that runs long (a heavy
     * expression) reads the clock again, so no event is late by more than
     * that clock's tick (1-4 ms). */
    if (e->step_ms && eng__tick() == e->step_tick)
        return e->step_ms;
    int64_t now = eng__now_ms();
    if (e->step_ms) {
        e->step_ms = now;
        e->step_tick = eng__tick();
    }
    return now;
}

/* xorshift64*: seeded once from the OS; fine for jitter, UUIDs of
 * executions and tokens need unpredictability, so they reseed below. */
static uint64_t rng_next(void *ud)
{
    uint64_t *s = ud;
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * UINT64_C(2685821657736338717);
}

static uint64_t os_seed(void)
{
    uint64_t seed = 0;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        if (read(fd, &seed, sizeof seed) != (ssize_t)sizeof seed)
            seed = 0;
        close(fd);
    }
    if (seed == 0)
        seed = (uint64_t)eng__now_ms() * UINT64_C(6364136223846793005) + 1;
    return seed;
}

char *eng__uuid(eng *e)
{
    uint64_t a = e->rng.next(e->rng.ud), b = e->rng.next(e->rng.ud);
    unsigned char u[16];
    memcpy(u, &a, 8);
    memcpy(u + 8, &b, 8);
    char text[37];
    bt_uuid_v4_format(u, text);
    return bt_xstrdup(text);
}

/* ---- the pump
 * -------------------------------------------------------------------- */

static void pump_cb(uv_idle_t *h);
static void free_exec(eng_exec *x);

/* e->execs is a list (walked rarely) with an index by ARN (every lookup). */
void eng__exec_link(eng_exec *x)
{
    eng *e = x->e;
    if (!e->exec_index)
        e->exec_index = lh_kchar_table_new(1024, NULL);
    x->prev = NULL;
    x->next = e->execs;
    if (e->execs)
        e->execs->prev = x;
    e->execs = x;
    lh_table_insert(e->exec_index, x->arn, x);
}

static void exec_unlink(eng_exec *x)
{
    eng *e = x->e;
    if (x->prev)
        x->prev->next = x->next;
    else if (e->execs == x)
        e->execs = x->next;
    if (x->next)
        x->next->prev = x->prev;
    x->next = x->prev = NULL;
    if (!e->exec_index)
        return;
    struct lh_entry *ent = lh_table_lookup_entry(e->exec_index, x->arn);
    if (!ent || lh_entry_v(ent) != x) {
        /* A start that found its ARN taken only when writing its row
         * (eng__exec_create) was indexed beside the execution that has
         * it: look for its own entry. */
        for (ent = lh_table_head(e->exec_index); ent; ent = lh_entry_next(ent))
            if (lh_entry_v(ent) == x)
                break;
    }
    if (ent)
        lh_table_delete_entry(e->exec_index, ent);
}

void eng__exec_ended(eng_exec *x)
{
    eng *e = x->e;
    if (x->reaping)
        return;
    x->reaping = true;
    e->ended = bt_grow(e->ended, e->nended, &e->capended, sizeof *e->ended);
    e->ended[e->nended++] = x;
}

/* Finished executions leave memory once their end is committed and its
 * effects ran; the store keeps everything about them. */
static void reap(eng *e)
{
    if (!e->nended || store_in_transaction(e->st))
        return;
    for (size_t i = 0; i < e->nended; i++) {
        exec_unlink(e->ended[i]);
        free_exec(e->ended[i]);
    }
    e->nended = 0;
}

void eng__ready(eng_frame *f)
{
    eng *e = f->ex->e;
    if (f->queued)
        return;
    f->queued = true;
    e->ready = bt_grow(e->ready, e->nready, &e->capready, sizeof *e->ready);
    e->ready[e->nready++] = f;
    if (!e->pump_armed) {
        uv_idle_start(&e->pump, pump_cb);
        e->pump_armed = true;
    }
}

void eng__kick(eng *e)
{
    if (!e->pump_armed) {
        uv_idle_start(&e->pump, pump_cb);
        e->pump_armed = true;
    }
}

void eng__effect(eng *e, eng_frame *f, eng_effect_fn fn, void *arg)
{
    e->effects =
        bt_grow(e->effects, e->neffects, &e->capeffects, sizeof *e->effects);
    eng_effect *x = &e->effects[e->neffects++];
    x->fn = fn;
    x->arg = arg;
    x->frame = f;
    x->cancelled = false;
    if (!e->pump_armed) {
        uv_idle_start(&e->pump, pump_cb);
        e->pump_armed = true;
    }
}

#ifdef BATON_FAULT_HOOKS
/* Test builds: BATON_FAULT_KILL_AFTER_COMMIT=N kills the process right
 * after the Nth pump commit, before its effects run (tests/engine). */
static void fault_after_commit(eng *e)
{
    const char *n = getenv("BATON_FAULT_KILL_AFTER_COMMIT");
    if (n && ++e->commits == strtoll(n, NULL, 10))
        raise(SIGKILL);
}
#else
static void fault_after_commit(eng *e)
{
    (void)e;
}
#endif

void eng__store_fatal(eng *e, const char *what)
{
    fprintf(stderr, "baton: level=fatal msg=\"store %s failed: %s\"\n", what,
            store_errmsg(e->st));
    abort();
}

/* Commits what the batch wrote, then lets the world see it. */
static void flush(eng *e)
{
    if (store_in_transaction(e->st) || e->ndirty || e->npending ||
        e->nbatched) {
        if (eng__commit(e) != 0)
            eng__store_fatal(e, "commit");
        fault_after_commit(e);
    }
    /* Effects may queue more effects; only this batch's run now. */
    size_t n = e->neffects;
    for (size_t i = 0; i < n; i++) {
        eng_effect x = e->effects[i];
        x.fn(x.arg, !x.cancelled);
    }
    memmove(e->effects, e->effects + n, (e->neffects - n) * sizeof *e->effects);
    e->neffects -= n;
    /* Processes started, answers sent: now the WAL may be checkpointed. */
    store_checkpoint(e->st);
}

static void pump_cb(uv_idle_t *h)
{
    eng *e = h->data;
    /* A bounded batch keeps latency low while many frames are ready. A
     * frame that only queued itself again (a Pass, a Choice...) goes on
     * at once, up to a few steps: its execution then writes one history
     * row and one snapshot for several states, instead of every running
     * execution taking one step per batch. */
    for (size_t done = 0; e->ready_head < e->nready && done < 4096; done++) {
        eng_frame *f = e->ready[e->ready_head++];
        if (!f)
            continue;
        for (int steps = 0;; steps++) {
            f->queued = false;
            size_t before = e->nready, effects = e->neffects;
            e->step_ms = eng__now_ms();
            e->step_tick = eng__tick();
            eng__advance(f);
            /* Only the frame's own re-queueing (the tail, nothing else
             * added, no effect waiting for the commit); a freed frame is
             * never in the queue. */
            if (steps == 31 || e->nready != before + 1 ||
                e->neffects != effects || e->ready[e->nready - 1] != f ||
                done + 1 >= 4096)
                break;
            e->nready--;
            done++;
        }
    }
    e->step_ms = 0; /* events outside a step read the clock */
    /* What is left moves to the front: a loop that is never idle (one
     * long execution, a busy server) would otherwise grow the queue by
     * every step it ever took. */
    if (e->ready_head > 0) {
        memmove(e->ready, e->ready + e->ready_head,
                (e->nready - e->ready_head) * sizeof *e->ready);
        e->nready -= e->ready_head;
        e->ready_head = 0;
    }
    flush(e);
    reap(e);
    if (e->nready == 0 && e->neffects == 0) {
        uv_idle_stop(&e->pump);
        e->pump_armed = false;
    }
}

/* ---- open / close
 * ------------------------------------------------------------------ */

/* How many function calls may run at once: the account-wide limit (1,000
 * by default, as on AWS), but never more than the file descriptors allow
 * (each running process costs about four). Excess calls queue; a call's
 * timeout starts when its process starts. On a small machine hundreds of
 * processes started at the same instant share the CPU, so a Map over
 * functions is best bounded with MaxConcurrency. */
static size_t procs_limit(int64_t wanted)
{
    size_t want = wanted > 0 ? (size_t)wanted : 1000;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 64;
    if (rl.rlim_cur < rl.rlim_max && rl.rlim_max != RLIM_INFINITY) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    size_t n = rl.rlim_cur > 256 ? (size_t)(rl.rlim_cur - 128) / 4 : 32;
    return n > want ? want : n;
}

int eng_open(const eng_opts *opts, eng **out, char **err)
{
    eng *e = bt_xcalloc(1, sizeof *e);
    e->opts = *opts;
    e->region = bt_xstrdup(opts->region ? opts->region : "us-east-1");
    e->account = bt_xstrdup(opts->account ? opts->account : "123456789012");
    /* The role of machines created without one, named in every
     * ExecutionStarted and $$.Execution. */
    e->default_role = bt_xasprintf("arn:aws:iam::%s:role/baton", e->account);
    e->rng_state = os_seed();
    e->rng.next = rng_next;
    e->rng.ud = &e->rng_state;
    e->procs_max = procs_limit(opts->max_concurrency);
    uv_loop_init(&e->loop);
    e->loop.data = e;
    uv_idle_init(&e->loop, &e->pump);
    uv_timer_init(&e->loop, &e->calls_failed_timer);
    e->calls_failed_timer.data = e;
    e->pump.data = e;
    int rc =
        store_open(opts->db_path ? opts->db_path : "baton.db", &e->st, err);
    if (rc == 0)
        rc = eng__functions_load(e, err);
    if (rc != 0) {
        eng_close(e);
        return rc;
    }
    *out = e;
    return 0;
}

static void free_exec(eng_exec *x)
{
    eng__history_release(x->e, &x->hist);
    if (x->root)
        eng__frame_free(x->root);
    eng__machine_release(x->e, x->machine);
    json_object_put(x->input);
    json_object_put(x->context_exec);
    json_object_put(x->output);
    sl_error_fini(&x->error);
    free(x->arn);
    free(x->name);
    free(x->machine_arn);
    free(x->machine_name);
    free(x);
}

void eng__exec_discard(eng_exec *x)
{
    exec_unlink(x);
    free_exec(x);
}

static void close_walk(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

void eng_close(eng *e)
{
    if (!e)
        return;
    e->closing = true;
    for (eng_exec *x = e->execs, *nx; x; x = nx) {
        nx = x->next;
        if (x->root)
            eng__children_abort(x->root);
        free_exec(x);
    }
    e->execs = NULL;
    e->nended = 0;
    free(e->ended);
    if (e->exec_index)
        lh_table_free(e->exec_index);
    eng__invokes_close(e);
    eng__callbacks_free(e);
    eng__mcache_free(e);
    eng__nested_free(e);
    eng__calls_free(e);
    eng__warm_free(e);
    eng__http_close(e);
    run_reaper_free(e->reaper);
    e->reaper = NULL;
    uv_walk(&e->loop, close_walk, NULL);
    uv_run(&e->loop, UV_RUN_DEFAULT);
    uv_loop_close(&e->loop);
    eng__functions_free(e);
    bt_buf_fini(&e->details_text);
    bt_buf_fini(&e->frame_text);
    bt_buf_fini(&e->json_text);
    eng__frame_pool_free(e);
    if (e->st)
        eng__commit(e);
    free(e->dirty);
    free(e->pending);
    for (size_t i = 0; i < e->nspare; i++)
        bt_buf_fini(&e->spare[i]);
    free(e->batched);
    store_close(e->st);
    free(e->ready);
    for (size_t i = 0; i < e->neffects; i++)
        e->effects[i].fn(e->effects[i].arg, false);
    free(e->effects);
    free(e->region);
    free(e->account);
    free(e->default_role);
    free(e);
}

/* ---- functions
 * --------------------------------------------------------------------- */
