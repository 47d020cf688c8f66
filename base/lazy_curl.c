/*
 * libcurl on first use (base/bt_lazy.h): every curl function Baton calls,
 * defined here with curl.h's own prototype so the compiler checks each
 * signature against the real one. The first call loads the library and
 * all of CURL_FUNCS under one pthread_once; every call then goes through
 * the pointer table `real`.
 *
 * The three variadic functions take exactly one argument after the option,
 * whose type curl encodes in the option number (CURLOPTTYPE_*, multiples
 * of 10000 in curl.h, the same for CURLMOPT_*); getinfo's is always a
 * pointer. They read that one argument with its type and pass it on.
 */
/* No type-checking macros over curl_easy_setopt & co: these define them. */
#define CURL_DISABLE_TYPECHECK
#include "base/bt_lazy.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdarg.h>

#undef curl_easy_setopt
#undef curl_easy_getinfo
#undef curl_multi_setopt

const bt_lazy_lib bt_lazy_curl = {BT_SONAME_CURL, "libcurl4"};

#define CURL_FUNCS(X)                                                          \
    X(curl_global_init)                                                        \
    X(curl_global_cleanup)                                                     \
    X(curl_free)                                                               \
    X(curl_slist_append)                                                       \
    X(curl_slist_free_all)                                                     \
    X(curl_easy_init)                                                          \
    X(curl_easy_setopt)                                                        \
    X(curl_easy_getinfo)                                                       \
    X(curl_easy_perform)                                                       \
    X(curl_easy_cleanup)                                                       \
    X(curl_easy_strerror)                                                      \
    X(curl_multi_init)                                                         \
    X(curl_multi_setopt)                                                       \
    X(curl_multi_add_handle)                                                   \
    X(curl_multi_remove_handle)                                                \
    X(curl_multi_assign)                                                       \
    X(curl_multi_socket_action)                                                \
    X(curl_multi_info_read)                                                    \
    X(curl_multi_strerror)                                                     \
    X(curl_multi_cleanup)                                                      \
    X(curl_url)                                                                \
    X(curl_url_set)                                                            \
    X(curl_url_get)                                                            \
    X(curl_url_cleanup)

static struct {
#define CURL_PTR(f) __typeof__(f) *f;
    CURL_FUNCS(CURL_PTR)
#undef CURL_PTR
} real;

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
    void *h = bt_lazy_open(&bt_lazy_curl);
#define CURL_SYM(f) bt_lazy_sym(&bt_lazy_curl, h, #f, &real.f, sizeof real.f);
    CURL_FUNCS(CURL_SYM)
#undef CURL_SYM
}

/* The real function f, the library loaded first if need be. */
#define REAL(f) (pthread_once(&once, load), real.f)

CURLcode curl_global_init(long flags)
{
    return REAL(curl_global_init)(flags);
}

void curl_global_cleanup(void)
{
    REAL(curl_global_cleanup)();
}

void curl_free(void *p)
{
    REAL(curl_free)(p);
}

struct curl_slist *curl_slist_append(struct curl_slist *list, const char *data)
{
    return REAL(curl_slist_append)(list, data);
}

void curl_slist_free_all(struct curl_slist *list)
{
    REAL(curl_slist_free_all)(list);
}

CURL *curl_easy_init(void)
{
    return REAL(curl_easy_init)();
}

/* A setopt's variadic argument passed on with its type, which the option
 * number encodes (CURLOPTTYPE_*: the same for easy and multi options);
 * rc is set to unknown for any other. Objects, strings, slists, callback
 * data and blobs are all pointers. */
#define FORWARD_OPTION(rc, fn, handle, option, ap, unknown)                    \
    switch ((option) / 10000 * 10000) {                                        \
    case CURLOPTTYPE_LONG:                                                     \
        rc = fn(handle, option, va_arg(ap, long));                             \
        break;                                                                 \
    case CURLOPTTYPE_OBJECTPOINT:                                              \
    case CURLOPTTYPE_BLOB:                                                     \
        rc = fn(handle, option, va_arg(ap, void *));                           \
        break;                                                                 \
    case CURLOPTTYPE_FUNCTIONPOINT:                                            \
        rc = fn(handle, option, va_arg(ap, void (*)(void)));                   \
        break;                                                                 \
    case CURLOPTTYPE_OFF_T:                                                    \
        rc = fn(handle, option, va_arg(ap, curl_off_t));                       \
        break;                                                                 \
    default:                                                                   \
        rc = unknown;                                                          \
        break;                                                                 \
    }

CURLcode curl_easy_setopt(CURL *curl, CURLoption option, ...)
{
    __typeof__(curl_easy_setopt) *fn = REAL(curl_easy_setopt);
    va_list ap;
    va_start(ap, option);
    CURLcode rc;
    FORWARD_OPTION(rc, fn, curl, option, ap, CURLE_UNKNOWN_OPTION)
    va_end(ap);
    return rc;
}

CURLcode curl_easy_getinfo(CURL *curl, CURLINFO info, ...)
{
    va_list ap;
    va_start(ap, info);
    void *out = va_arg(ap, void *);
    va_end(ap);
    return REAL(curl_easy_getinfo)(curl, info, out);
}

CURLcode curl_easy_perform(CURL *curl)
{
    return REAL(curl_easy_perform)(curl);
}

void curl_easy_cleanup(CURL *curl)
{
    REAL(curl_easy_cleanup)(curl);
}

const char *curl_easy_strerror(CURLcode code)
{
    return REAL(curl_easy_strerror)(code);
}

CURLM *curl_multi_init(void)
{
    return REAL(curl_multi_init)();
}

CURLMcode curl_multi_setopt(CURLM *multi, CURLMoption option, ...)
{
    __typeof__(curl_multi_setopt) *fn = REAL(curl_multi_setopt);
    va_list ap;
    va_start(ap, option);
    CURLMcode rc;
    FORWARD_OPTION(rc, fn, multi, option, ap, CURLM_UNKNOWN_OPTION)
    va_end(ap);
    return rc;
}

CURLMcode curl_multi_add_handle(CURLM *multi, CURL *curl)
{
    return REAL(curl_multi_add_handle)(multi, curl);
}

CURLMcode curl_multi_remove_handle(CURLM *multi, CURL *curl)
{
    return REAL(curl_multi_remove_handle)(multi, curl);
}

CURLMcode curl_multi_assign(CURLM *multi, curl_socket_t sockfd, void *sockp)
{
    return REAL(curl_multi_assign)(multi, sockfd, sockp);
}

CURLMcode curl_multi_socket_action(CURLM *multi, curl_socket_t s,
                                   int ev_bitmask, int *running_handles)
{
    return REAL(curl_multi_socket_action)(multi, s, ev_bitmask,
                                          running_handles);
}

CURLMsg *curl_multi_info_read(CURLM *multi, int *msgs_in_queue)
{
    return REAL(curl_multi_info_read)(multi, msgs_in_queue);
}

const char *curl_multi_strerror(CURLMcode code)
{
    return REAL(curl_multi_strerror)(code);
}

CURLMcode curl_multi_cleanup(CURLM *multi)
{
    return REAL(curl_multi_cleanup)(multi);
}

CURLU *curl_url(void)
{
    return REAL(curl_url)();
}

CURLUcode curl_url_set(CURLU *u, CURLUPart what, const char *part,
                       unsigned int flags)
{
    return REAL(curl_url_set)(u, what, part, flags);
}

/* curl 8 made the handle const (see base/CMakeLists.txt). */
#ifdef BT_CURL_URL_GET_CONST
#define URL_GET_HANDLE const CURLU
#else
#define URL_GET_HANDLE CURLU
#endif

CURLUcode curl_url_get(URL_GET_HANDLE *u, CURLUPart what, char **part,
                       unsigned int flags)
{
    return REAL(curl_url_get)(u, what, part, flags);
}

void curl_url_cleanup(CURLU *u)
{
    REAL(curl_url_cleanup)(u);
}
