/*
 * A file descriptor watched on the loop for a front end that drives its
 * own event source there (engine.h, eng_watch_*): a uv_poll_t for
 * readability and a uv_timer_t for the source's own deadlines. Both call
 * the same function; the front end finds out what is ready itself.
 *
 * Lifecycle: ACTIVE (eng_watch_new) -> CLOSING (eng_watch_free: fn is
 * cleared, both handles closing) -> freed when the second close callback
 * has run.
 */
#include "engine/eng_int.h"

#include <stdlib.h>

struct eng_watch {
    uv_poll_t poll;
    uv_timer_t timer;
    void (*fn)(void *ctx); /* NULL once freed */
    void *ctx;
    int handles; /* open handles: the memory goes when none is left */
};

static void on_poll(uv_poll_t *h, int status, int events)
{
    (void)status; /* the source finds its errors itself */
    (void)events;
    eng_watch *w = h->data;
    if (w->fn)
        w->fn(w->ctx);
}

static void on_timer(uv_timer_t *t)
{
    eng_watch *w = t->data;
    if (w->fn)
        w->fn(w->ctx);
}

static void on_closed(uv_handle_t *h)
{
    eng_watch *w = h->data;
    if (--w->handles == 0)
        free(w);
}

int eng_watch_new(eng *e, int fd, void (*fn)(void *ctx), void *ctx,
                  eng_watch **out)
{
    eng_watch *w = bt_xcalloc(1, sizeof *w);
    if (uv_poll_init(&e->loop, &w->poll, fd) != 0) {
        free(w);
        return BT_EIO;
    }
    uv_timer_init(&e->loop, &w->timer);
    w->poll.data = w->timer.data = w;
    w->fn = fn;
    w->ctx = ctx;
    w->handles = 2;
    uv_poll_start(&w->poll, UV_READABLE, on_poll);
    *out = w;
    return 0;
}

void eng_watch_due(eng_watch *w, int64_t ms)
{
    if (ms < 0)
        uv_timer_stop(&w->timer);
    else
        uv_timer_start(&w->timer, on_timer, (uint64_t)ms, 0);
}

void eng_watch_free(eng_watch *w)
{
    if (!w)
        return;
    w->fn = NULL;
    uv_poll_stop(&w->poll);
    uv_timer_stop(&w->timer);
    uv_close((uv_handle_t *)&w->poll, on_closed);
    uv_close((uv_handle_t *)&w->timer, on_closed);
}
