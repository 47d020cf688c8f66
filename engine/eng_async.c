/*
 * Work from other threads, and serving forever.
 *
 * The loop thread owns every execution and the store; an HTTP thread must
 * never touch them. It posts a closure instead: eng_post appends it to a
 * mutex-protected queue and wakes the loop with uv_async_send; the loop
 * runs the queue in posting order. Watches let a caller (StartSyncExecution)
 * learn on the loop that an execution has ended, without blocking anything.
 *
 * Lifecycle of the mailbox: OPEN (eng_async_open: posts accepted) ->
 * CLOSED (eng_async_close: posts refused, the queue drained, watches
 * called, handles released). Invariant: a closure accepted by eng_post runs
 * exactly once, on the loop thread.
 */
#include "engine/eng_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct job {
    void (*fn)(void *arg);
    void *arg;
    struct job *next;
} job;

typedef struct watch {
    char *arn; /* finished executions leave memory: look them up */
    void (*fn)(void *arg);
    void *arg;
} watch;

typedef struct eng_async {
    eng *e;
    pthread_mutex_t lock; /* guards head, tail, open */
    job *head, *tail;
    bool open;
    uv_async_t wake;
    uv_check_t check; /* watches: active while any is pending */
    uv_timer_t tick;  /* eng_serve: looks at *stop */
    watch *watches;
    size_t nwatches, capwatches;
    volatile sig_atomic_t *stop;
} eng_async;

static void run_jobs(eng_async *a)
{
    for (;;) {
        pthread_mutex_lock(&a->lock);
        job *j = a->head;
        a->head = a->tail = NULL;
        pthread_mutex_unlock(&a->lock);
        if (!j)
            return;
        while (j) {
            job *next = j->next;
            j->fn(j->arg);
            free(j);
            j = next;
        }
    }
}

static void wake_cb(uv_async_t *h)
{
    run_jobs(h->data);
}

/* An execution's end is visible once its row is committed: the pump
 * commits at the end of each batch, before the check phase. */
static void check_cb(uv_check_t *h)
{
    eng_async *a = h->data;
    eng *e = a->e;
    if (store_in_transaction(e->st))
        return;
    for (size_t i = 0; i < a->nwatches;) {
        watch w = a->watches[i];
        eng_exec *x = eng__exec_find(e, w.arn);
        if (x && x->status == EX_RUNNING) {
            i++;
            continue;
        }
        a->watches[i] = a->watches[--a->nwatches];
        free(w.arn);
        w.fn(w.arg);
    }
    if (a->nwatches == 0)
        uv_check_stop(&a->check);
}

int eng_async_open(eng *e)
{
    eng_async *a = bt_xcalloc(1, sizeof *a);
    pthread_mutex_init(&a->lock, NULL);
    a->open = true;
    a->e = e;
    uv_async_init(&e->loop, &a->wake, wake_cb);
    a->wake.data = a;
    uv_check_init(&e->loop, &a->check);
    a->check.data = a;
    uv_timer_init(&e->loop, &a->tick);
    a->tick.data = a;
    e->async = a;
    return 0;
}

int eng_post(eng *e, void (*fn)(void *arg), void *arg)
{
    eng_async *a = e->async;
    if (!a)
        return BT_EINVAL;
    job *j = bt_xmalloc(sizeof *j);
    j->fn = fn;
    j->arg = arg;
    j->next = NULL;
    pthread_mutex_lock(&a->lock);
    if (!a->open) {
        pthread_mutex_unlock(&a->lock);
        free(j);
        return BT_EINVAL;
    }
    if (a->tail)
        a->tail->next = j;
    else
        a->head = j;
    a->tail = j;
    /* Inside the lock: eng_async_close cannot release the handle first. */
    uv_async_send(&a->wake);
    pthread_mutex_unlock(&a->lock);
    return 0;
}

static void tick_cb(uv_timer_t *t)
{
    eng_async *a = t->data;
    if (*a->stop)
        uv_stop(t->loop);
}

int eng_serve(eng *e, volatile sig_atomic_t *stop)
{
    eng_async *a = e->async;
    a->stop = stop;
    uv_timer_start(&a->tick, tick_cb, 100, 100);
    while (!*stop)
        uv_run(&e->loop, UV_RUN_DEFAULT);
    uv_timer_stop(&a->tick);
    /* Commit what the last batch wrote. */
    eng__commit(e);
    return 0;
}

int eng_execution_watch(eng *e, const char *exec_arn, void (*fn)(void *arg),
                        void *arg)
{
    eng_async *a = e->async;
    eng_exec *x = eng__exec_find(e, exec_arn);
    if (!a || !x || x->status != EX_RUNNING)
        return BT_ENOENT;
    a->watches =
        bt_grow(a->watches, a->nwatches, &a->capwatches, sizeof *a->watches);
    a->watches[a->nwatches++] = (watch){bt_xstrdup(x->arn), fn, arg};
    uv_check_start(&a->check, check_cb);
    return 0;
}

void eng_async_close(eng *e)
{
    eng_async *a = e->async;
    if (!a)
        return;
    pthread_mutex_lock(&a->lock);
    a->open = false;
    pthread_mutex_unlock(&a->lock);
    run_jobs(a);
    /* What those jobs set moving is committed and answered (SendTask*,
     * activity hand-outs), then waiting workers get empty answers. */
    for (int i = 0; i < 64 && (e->neffects || e->nready > e->ready_head); i++)
        uv_run(&e->loop, UV_RUN_NOWAIT);
    eng__callbacks_close(e);
    eng__invokes_close(e);
    eng__warm_close(e);
    /* Closures may have added watches; each is called once. */
    while (a->nwatches) {
        watch w = a->watches[--a->nwatches];
        free(w.arn);
        w.fn(w.arg);
    }
    eng__commit(e);
    uv_close((uv_handle_t *)&a->wake, NULL);
    uv_close((uv_handle_t *)&a->check, NULL);
    uv_close((uv_handle_t *)&a->tick, NULL);
    /* Let the close callbacks run before the memory goes. */
    uv_run(&e->loop, UV_RUN_NOWAIT);
    e->async = NULL;
    pthread_mutex_destroy(&a->lock);
    free(a->watches);
    free(a);
}
