/* The door between a libmicrohttpd thread and the loop (srv_door.h). */
#include "server/srv_door.h"

#include <time.h>

void srv_door_init(srv_door *d)
{
    pthread_mutex_init(&d->lock, NULL);
    d->closing = false;
    atomic_init(&d->outstanding, 0);
}

int srv_door_post(srv_door *d, eng *e, void (*fn)(void *arg), void *arg)
{
    pthread_mutex_lock(&d->lock);
    int rc = d->closing ? -1 : eng_post(e, fn, arg);
    if (rc == 0)
        atomic_fetch_add(&d->outstanding, 1);
    pthread_mutex_unlock(&d->lock);
    return rc == 0 ? 0 : -1;
}

void srv_door_sent(srv_door *d)
{
    atomic_fetch_sub(&d->outstanding, 1);
}

void srv_door_close(srv_door *d)
{
    pthread_mutex_lock(&d->lock);
    d->closing = true;
    pthread_mutex_unlock(&d->lock);
}

void srv_door_drain(srv_door *d)
{
    /* Answered requests still have to leave through the HTTP thread. */
    struct timespec tick = {0, 10000000};
    for (int i = 0; i < 200 && atomic_load(&d->outstanding) > 0; i++)
        nanosleep(&tick, NULL);
    pthread_mutex_destroy(&d->lock);
}
