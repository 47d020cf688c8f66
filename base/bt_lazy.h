/*
 * Libraries loaded on first use. libcurl, libxml2 and libmicrohttpd pull in
 * some 36 further shared libraries (TLS, Kerberos, LDAP, ICU, libstdc++...)
 * that cost a short command such as `baton run` most of its start-up time
 * and memory, while only HTTP tasks, `baton task`, `baton serve`, the
 * console and `baton graph` call them. libcrypto alone maps 4.5 MB and
 * costs some 120 page faults at start-up, for hashes and task tokens. So
 * nothing links them: the files base/lazy_curl.c, base/lazy_xml.c,
 * base/lazy_mhd.c and base/lazy_crypto.c define every
 * function of theirs that Baton calls, under the library's own name and
 * with its header's signature, and the first call dlopens the library and
 * looks up all of those functions (once, thread-safe). Call sites do not
 * change.
 *
 * Invariant: a wrapper returns only after calling the real function. When
 * the library or one of its functions cannot be loaded the process ends
 * with exit(1) and one line on stderr that names the library, the Debian
 * package that installs it and dlerror()'s reason.
 */
#ifndef BATON_BT_LAZY_H
#define BATON_BT_LAZY_H

#include <stdbool.h>
#include <stddef.h>

/* A library loaded on first use. */
typedef struct bt_lazy_lib {
    const char *soname;  /* what dlopen is given: "libcurl.so.4" */
    const char *package; /* the Debian package that installs it */
} bt_lazy_lib;

/* The four, with the sonames CMake read from the libraries it found. */
extern const bt_lazy_lib bt_lazy_curl;
extern const bt_lazy_lib bt_lazy_xml;
extern const bt_lazy_lib bt_lazy_mhd;
extern const bt_lazy_lib bt_lazy_crypto;

/* dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL): the handle, never NULL. On
 * failure prints "baton: this command needs SONAME (Debian package PKG):
 * REASON" to stderr and calls exit(1). Meant to run once per library,
 * under pthread_once. */
void *bt_lazy_open(const bt_lazy_lib *lib);

/* Whether lib can be loaded (loading it if need be), without exiting:
 * for callers that can fail one request instead of the process (an HTTP
 * task). On false, *why (when why is not NULL) is a new message naming
 * the library, its Debian package and dlerror()'s reason. */
bool bt_lazy_usable(const bt_lazy_lib *lib, char **why);

/* Looks up function name in handle (from bt_lazy_open(lib)) and stores it
 * in *fn, a function pointer object of fn_size bytes (which must be
 * sizeof(void *), as POSIX guarantees for function pointers). Exits like
 * bt_lazy_open when the library has no such function. */
void bt_lazy_sym(const bt_lazy_lib *lib, void *handle, const char *name,
                 void *fn, size_t fn_size);

#endif
