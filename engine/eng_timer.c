/*
 * Timers on the loop for Wait, retry back-off and the execution deadline.
 * A timer is armed as an effect, after the transaction that recorded why
 * the frame sleeps has committed, so a restart re-arms it from the store.
 */
#include "engine/eng_int.h"

#include <stdlib.h>

static void on_timer_close(uv_handle_t *h)
{
    free(h);
}

static void on_fire(uv_timer_t *t)
{
    eng_frame *f = t->data;
    uv_close((uv_handle_t *)t, on_timer_close);
    f->timer = NULL;
    eng__ready(f);
}

typedef struct arm {
    eng_frame *f;
    int64_t wake_ms;
} arm;

static void arm_effect(void *p, bool run)
{
    arm *a = p;
    eng_frame *f = a->f;
    free(a);
    if (!run || f->ex->status != EX_RUNNING || f->phase == PH_DONE)
        return;
    eng__timer_cancel(f);
    f->timer = bt_xmalloc(sizeof *f->timer);
    uv_timer_init(&f->ex->e->loop, f->timer);
    f->timer->data = f;
    uv_update_time(&f->ex->e->loop);
    int64_t delay = f->wake_ms - eng__now_ms();
    uv_timer_start(f->timer, on_fire, delay > 0 ? (uint64_t)delay : 0, 0);
}

void eng__timer_arm(eng_frame *f, int64_t wake_ms)
{
    arm *a = bt_xmalloc(sizeof *a);
    a->f = f;
    a->wake_ms = wake_ms;
    eng__effect(f->ex->e, f, arm_effect, a);
}

void eng__timer_cancel(eng_frame *f)
{
    if (!f->timer)
        return;
    uv_timer_stop(f->timer);
    uv_close((uv_handle_t *)f->timer, on_timer_close);
    f->timer = NULL;
}
