/*
 * libmicrohttpd on first use (base/bt_lazy.h): the daemon, connection and
 * response functions the server calls, defined here with microhttpd.h's
 * own prototypes. The first call (MHD_start_daemon, on the loop thread)
 * loads the library and all of MHD_FUNCS under one pthread_once; the
 * daemon's threads then only read the table.
 *
 * Variadic functions: MHD_start_daemon forwards its option list to the
 * real MHD_start_daemon_va. MHD_get_daemon_info and MHD_get_connection_info
 * declare "..." but libmicrohttpd 0.9 reads no argument there for any info
 * type (the list is reserved), so they are called without one.
 */
#include "base/bt_lazy.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <microhttpd.h>

const bt_lazy_lib bt_lazy_mhd = {BT_SONAME_MHD, "libmicrohttpd12"};

#define MHD_FUNCS(X)                                                           \
    X(MHD_start_daemon_va)                                                     \
    X(MHD_stop_daemon)                                                         \
    X(MHD_get_daemon_info)                                                     \
    X(MHD_run)                                                                 \
    X(MHD_get_timeout)                                                         \
    X(MHD_add_connection)                                                      \
    X(MHD_get_connection_info)                                                 \
    X(MHD_get_connection_values)                                               \
    X(MHD_lookup_connection_value)                                             \
    X(MHD_suspend_connection)                                                  \
    X(MHD_resume_connection)                                                   \
    X(MHD_create_response_from_buffer)                                         \
    X(MHD_add_response_header)                                                 \
    X(MHD_queue_response)                                                      \
    X(MHD_destroy_response)

static struct {
#define MHD_PTR(f) __typeof__(f) *f;
    MHD_FUNCS(MHD_PTR)
#undef MHD_PTR
} real;

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
    void *h = bt_lazy_open(&bt_lazy_mhd);
#define MHD_SYM(f) bt_lazy_sym(&bt_lazy_mhd, h, #f, &real.f, sizeof real.f);
    MHD_FUNCS(MHD_SYM)
#undef MHD_SYM
}

/* The real function f, the library loaded first if need be. */
#define REAL(f) (pthread_once(&once, load), real.f)

struct MHD_Daemon *MHD_start_daemon(unsigned int flags, uint16_t port,
                                    MHD_AcceptPolicyCallback apc, void *apc_cls,
                                    MHD_AccessHandlerCallback dh, void *dh_cls,
                                    ...)
{
    va_list ap;
    va_start(ap, dh_cls);
    struct MHD_Daemon *d =
        REAL(MHD_start_daemon_va)(flags, port, apc, apc_cls, dh, dh_cls, ap);
    va_end(ap);
    return d;
}

void MHD_stop_daemon(struct MHD_Daemon *daemon)
{
    REAL(MHD_stop_daemon)(daemon);
}

enum MHD_Result MHD_run(struct MHD_Daemon *daemon)
{
    return REAL(MHD_run)(daemon);
}

enum MHD_Result MHD_get_timeout(struct MHD_Daemon *daemon,
                                MHD_UNSIGNED_LONG_LONG *timeout)
{
    return REAL(MHD_get_timeout)(daemon, timeout);
}

const union MHD_DaemonInfo *MHD_get_daemon_info(struct MHD_Daemon *daemon,
                                                enum MHD_DaemonInfoType type,
                                                ...)
{
    return REAL(MHD_get_daemon_info)(daemon, type);
}

enum MHD_Result MHD_add_connection(struct MHD_Daemon *daemon,
                                   MHD_socket client_socket,
                                   const struct sockaddr *addr,
                                   socklen_t addrlen)
{
    return REAL(MHD_add_connection)(daemon, client_socket, addr, addrlen);
}

const union MHD_ConnectionInfo *
MHD_get_connection_info(struct MHD_Connection *connection,
                        enum MHD_ConnectionInfoType type, ...)
{
    return REAL(MHD_get_connection_info)(connection, type);
}

int MHD_get_connection_values(struct MHD_Connection *connection,
                              enum MHD_ValueKind kind,
                              MHD_KeyValueIterator iterator, void *iterator_cls)
{
    return REAL(MHD_get_connection_values)(connection, kind, iterator,
                                           iterator_cls);
}

const char *MHD_lookup_connection_value(struct MHD_Connection *connection,
                                        enum MHD_ValueKind kind,
                                        const char *key)
{
    return REAL(MHD_lookup_connection_value)(connection, kind, key);
}

void MHD_suspend_connection(struct MHD_Connection *connection)
{
    REAL(MHD_suspend_connection)(connection);
}

void MHD_resume_connection(struct MHD_Connection *connection)
{
    REAL(MHD_resume_connection)(connection);
}

struct MHD_Response *
MHD_create_response_from_buffer(size_t size, void *buffer,
                                enum MHD_ResponseMemoryMode mode)
{
    return REAL(MHD_create_response_from_buffer)(size, buffer, mode);
}

enum MHD_Result MHD_add_response_header(struct MHD_Response *response,
                                        const char *header, const char *content)
{
    return REAL(MHD_add_response_header)(response, header, content);
}

enum MHD_Result MHD_queue_response(struct MHD_Connection *connection,
                                   unsigned int status_code,
                                   struct MHD_Response *response)
{
    return REAL(MHD_queue_response)(connection, status_code, response);
}

void MHD_destroy_response(struct MHD_Response *response)
{
    REAL(MHD_destroy_response)(response);
}
