/*
 * server: `baton serve` — the AWS Step Functions API (AWS JSON 1.0 over
 * HTTP) and a plain REST front (/v1/...) in front of the engine, served by
 * libmicrohttpd.
 *
 * Threading: libmicrohttpd's thread reads requests and writes responses;
 * it never touches json-c or the engine. A complete request is posted to
 * the engine's loop (eng_post), answered there, and handed back; the
 * connection is suspended meanwhile, so no thread ever waits for the loop.
 * The Lambda Runtime API (srv_runtime.c) is the exception: its daemon has
 * no thread and runs on the loop itself.
 *
 * Shutdown order (the loop thread does all of it):
 *   eng_serve returns -> srv_close_door (new requests get 503)
 *   -> eng_async_close (queued requests answered) -> srv_stop -> eng_close.
 */
#ifndef BATON_SERVER_H
#define BATON_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"

typedef struct srv srv;

/* Request bodies above this get 413 (a 1 MiB definition escaped inside a
 * JSON string fits). */
#define SRV_BODY_MAX_BYTES (2u * 1024u * 1024u)

typedef struct srv_opts {
    const char *listen;     /* "HOST:PORT", IPv4; NULL: "127.0.0.1:8083"; port 0
                               picks a free one (srv_port tells) */
    bool quiet;             /* no per-request log lines */
    int64_t poll_timeout_s; /* GetActivityTask's long poll; 0: 60 (AWS) */
} srv_opts;

/* Starts serving on its own thread. e must have had eng_async_open.
 * Returns 0 and a new server, or BT_EINVAL / BT_EIO with a new message in
 * *err (bad address, port in use). Loop thread. */
int srv_start(eng *e, const srv_opts *opts, srv **out, char **err);
/* The TCP port the server listens on. */
uint16_t srv_port(const srv *s);
/* From now on requests are answered 503 without reaching the engine; after
 * this returns no thread calls eng_post any more. */
void srv_close_door(srv *s);
/* Waits (at most 2 s) until every answered request has been sent, stops
 * the HTTP thread and frees s. Call after eng_async_close. */
void srv_stop(srv *s);

/* ---- the Lambda Runtime API for warm workers (srv_runtime.c) ------------
 * No port of its own: the engine listens on a loopback port per worker and
 * hands connections over through eng_runtime_attach. Shutdown order, like
 * the main server's: srv_runtime_close_door -> eng_async_close (parked
 * `next` requests answered, idle workers stopped) -> srv_runtime_stop ->
 * eng_close. */
typedef struct srv_runtime srv_runtime;

/* Starts the Runtime API's daemon on e's loop (no thread of its own: the
 * loop runs it) and attaches it to e (which must have had eng_async_open).
 * Returns 0 and a new server, or BT_EIO with a new message in *err. Loop
 * thread, like every srv_runtime_* function. */
int srv_runtime_start(eng *e, srv_runtime **out, char **err);
/* From now on requests are answered 500 without reaching the engine. */
void srv_runtime_close_door(srv_runtime *rt);
/* Detaches from the engine, runs the daemon until answered requests are
 * sent (at most 2 s), stops it and frees rt. Call after eng_async_close. */
void srv_runtime_stop(srv_runtime *rt);

/* Appends an upload chunk to body unless the body would pass max; then
 * *too_large is set and the body dropped (later chunks are discarded).
 * Consumes the chunk (*size = 0). For libmicrohttpd access handlers. */
void srv_collect_body(bt_buf *body, bool *too_large, const char *data,
                      size_t *size, size_t max);

#endif
