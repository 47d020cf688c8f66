/*
 * The door between a libmicrohttpd thread and the engine's loop, used by
 * the API server (srv_http.c; the Lambda Runtime API runs on the loop and
 * needs none):
 * requests pass only while it is open, and the requests that passed are
 * counted until their answer has left, so a stop can wait for them.
 */
#ifndef BATON_SRV_DOOR_H
#define BATON_SRV_DOOR_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "engine/engine.h"

typedef struct srv_door {
    pthread_mutex_t lock; /* guards closing against eng_post */
    bool closing;
    atomic_long outstanding; /* posted, answer not yet sent */
} srv_door;

void srv_door_init(srv_door *d);
/* Posts fn(arg) to e's loop unless the door is closed. Returns 0 (counted
 * as outstanding until srv_door_sent) or -1 (closed; fn never runs). Any
 * thread. */
int srv_door_post(srv_door *d, eng *e, void (*fn)(void *arg), void *arg);
/* A posted request's answer has left (or its connection ended). */
void srv_door_sent(srv_door *d);
/* From now on srv_door_post refuses; after this returns no thread posts. */
void srv_door_close(srv_door *d);
/* Waits (at most 2 s) until every posted request was sent, then releases
 * the door. */
void srv_door_drain(srv_door *d);

#endif
