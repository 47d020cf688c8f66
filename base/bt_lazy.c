/*
 * The loader behind base/lazy_*.c: dlopen and dlsym with one message and
 * exit(1) when either fails. A missing library is not an error a caller
 * could handle (the wrappers have the real functions' signatures, which
 * have no way to say "library absent"), so it ends the command with a
 * reason the user can act on.
 */
#include "base/bt_lazy.h"

#include <assert.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fail(const bt_lazy_lib *lib, const char *reason)
{
    fprintf(stderr, "baton: this command needs %s (Debian package %s): %s\n",
            lib->soname, lib->package, reason ? reason : "unknown error");
    exit(1);
}

void *bt_lazy_open(const bt_lazy_lib *lib)
{
    void *handle = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
    if (!handle)
        fail(lib, dlerror());
    return handle;
}

bool bt_lazy_usable(const bt_lazy_lib *lib, char **why)
{
    /* Left loaded on success: the wrappers' own dlopen then finds it. */
    if (dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL))
        return true;
    if (why) {
        const char *reason = dlerror();
        char *m = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&m, &n);
        if (f) {
            fprintf(f, "%s (Debian package %s) could not be loaded: %s",
                    lib->soname, lib->package,
                    reason ? reason : "unknown error");
            fclose(f);
        }
        *why = m;
    }
    return false;
}

void bt_lazy_sym(const bt_lazy_lib *lib, void *handle, const char *name,
                 void *fn, size_t fn_size)
{
    assert(fn_size == sizeof(void *));
    dlerror(); /* clear any earlier failure */
    void *sym = dlsym(handle, name);
    if (!sym)
        fail(lib, dlerror());
    /* ISO C has no conversion from void * to a function pointer; POSIX
     * guarantees they share a representation, so the bytes are copied. */
    memcpy(fn, &sym, fn_size);
}
