/*
 * Functions: names bound to commands, with Lambda-like settings (timeout,
 * memory, working directory, environment, concurrency). Registered ones live
 * in the store; `--function NAME=COMMAND` binds one for a single run.
 */
#define _DEFAULT_SOURCE /* realpath */
#include "engine/eng_int.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

#define FUNCTION_TIMEOUT_DEFAULT_S 3 /* Lambda's default */
#define FUNCTION_TIMEOUT_MAX_S 900
#define FUNCTION_MEMORY_MIN_MB 128
#define FUNCTION_MEMORY_MAX_MB 10240
#define FUNCTION_IDLE_MAX_S 86400

void eng__strv_free(char **v)
{
    if (!v)
        return;
    for (char **p = v; *p; p++)
        free(*p);
    free(v);
}

static size_t strv_len(char *const *v)
{
    size_t n = 0;
    while (v && v[n])
        n++;
    return n;
}

static char **split_argv(const char *command)
{
    size_t n = 0, cap = 4;
    char **argv = bt_xmalloc(cap * sizeof *argv);
    const char *p = command;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        const char *start = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        if (n + 2 > cap)
            argv = bt_xrealloc(argv, (cap *= 2) * sizeof *argv);
        argv[n++] = bt_xstrndup(start, (size_t)(p - start));
    }
    argv[n] = NULL;
    return argv;
}

char *eng__function_name_of(const char *s)
{
    const char *p = strstr(s, "function:");
    const char *start = p ? p + 9 : s;
    const char *colon = strchr(start, ':');
    return bt_xstrndup(start, colon ? (size_t)(colon - start) : strlen(start));
}

eng_function *eng__function_find(eng *e, const char *name)
{
    for (eng_function *f = e->functions; f; f = f->next)
        if (!strcmp(f->name, name))
            return f;
    return NULL;
}

static eng_function *function_slot(eng *e, const char *name)
{
    eng_function *f = eng__function_find(e, name);
    if (f) {
        eng__strv_free(f->argv);
        eng__strv_free(f->env);
        free(f->cwd);
        free(f->code_dir);
        free(f->handler);
        f->argv = f->env = NULL;
        f->cwd = f->code_dir = f->handler = NULL;
        f->warm = false;
        return f;
    }
    f = bt_xcalloc(1, sizeof *f);
    f->name = bt_xstrdup(name);
    f->next = e->functions;
    e->functions = f;
    return f;
}

void eng__functions_free(eng *e)
{
    for (eng_function *f = e->functions, *nf; f; f = nf) {
        nf = f->next;
        eng__strv_free(f->argv);
        eng__strv_free(f->env);
        free(f->cwd);
        free(f->code_dir);
        free(f->handler);
        free(f->name);
        free(f);
    }
    e->functions = NULL;
}

int eng_function_set(eng *e, const char *name, const char *command, char **err)
{
    char **argv = split_argv(command);
    if (!argv[0] || !*name) {
        eng__strv_free(argv);
        *err = bt_xasprintf("function '%s': empty name or command", name);
        return BT_EINVAL;
    }
    eng_function *f = function_slot(e, name);
    f->argv = argv;
    f->timeout_s = FUNCTION_TIMEOUT_DEFAULT_S;
    f->memory_mb = 0;
    f->concurrency = 0;
    return 0;
}

/* ---- the stored form
 * --------------------------------------------------------------- */

static char **env_from_json(const char *text)
{
    json_object *o = NULL;
    if (!text || bt_json_parse(text, strlen(text), 8, &o, NULL) != 0 ||
        !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        return NULL;
    }
    char **env = bt_xcalloc(json_object_object_length(o) + 1, sizeof *env);
    size_t n = 0;
    json_object_object_foreach(o, k, v) env[n++] =
        bt_xasprintf("%s=%s", k, json_object_get_string(v));
    json_object_put(o);
    return env;
}

static void install(eng *e, const store_function *sf)
{
    eng_function *f = function_slot(e, sf->name);
    f->argv = split_argv(sf->command);
    f->cwd = sf->cwd ? bt_xstrdup(sf->cwd) : NULL;
    f->env = env_from_json(sf->env);
    f->timeout_s = sf->timeout_s;
    f->memory_mb = sf->memory_mb;
    f->concurrency = sf->concurrency;
    f->warm = sf->runtime && !strcmp(sf->runtime, "lambda");
    if (f->warm) {
        f->code_dir = bt_xstrdup(sf->code_dir ? sf->code_dir : ".");
        f->handler = bt_xstrdup(sf->handler ? sf->handler : "");
    }
    f->idle_timeout_s = sf->idle_timeout_s;
}

static int load_cb(const store_function *sf, void *ud)
{
    install(ud, sf);
    return 0;
}

int eng__functions_load(eng *e, char **err)
{
    if (store_function_each(e->st, load_cb, e) != 0) {
        *err = bt_xasprintf("store: %s", store_errmsg(e->st));
        return BT_EIO;
    }
    return 0;
}

/* The checks only a warm function has; 0 or BT_EINVAL with *err. */
static int check_warm(const char *name, const store_function *f, char **err)
{
    if (strcmp(f->runtime, "lambda"))
        *err = bt_xasprintf("function '%s': unknown runtime '%s' (only "
                            "'lambda' is known)",
                            name, f->runtime);
    else if (!f->code_dir)
        *err = bt_xasprintf("function '%s': runtime lambda needs --code DIR",
                            name);
    else if (!f->handler || !*f->handler)
        *err =
            bt_xasprintf("function '%s': runtime lambda needs --handler", name);
    else if (access(f->command, X_OK) != 0)
        *err = bt_xasprintf("function '%s': %s is not an executable file", name,
                            f->command);
    return *err ? BT_EINVAL : 0;
}

static int check_config(const char *name, const store_function *f, char **err)
{
    char **argv = split_argv(f->command ? f->command : "");
    bool empty = !argv[0] && !f->runtime;
    eng__strv_free(argv);
    if (!*name || strlen(name) > 64 || strchr(name, ':') || strchr(name, '/'))
        *err = bt_xasprintf("Invalid function name: '%s'", name);
    else if (empty)
        *err = bt_xasprintf("function '%s': the command is empty", name);
    else if (f->timeout_s < 1 || f->timeout_s > FUNCTION_TIMEOUT_MAX_S)
        *err = bt_xasprintf("function '%s': timeout must be 1..%d seconds",
                            name, FUNCTION_TIMEOUT_MAX_S);
    else if (f->memory_mb != 0 && (f->memory_mb < FUNCTION_MEMORY_MIN_MB ||
                                   f->memory_mb > FUNCTION_MEMORY_MAX_MB))
        *err = bt_xasprintf("function '%s': memory must be %d..%d MB", name,
                            FUNCTION_MEMORY_MIN_MB, FUNCTION_MEMORY_MAX_MB);
    else if (f->concurrency < 0)
        *err = bt_xasprintf("function '%s': concurrency must not be negative",
                            name);
    else if (f->idle_timeout_s < 0 || f->idle_timeout_s > FUNCTION_IDLE_MAX_S)
        *err = bt_xasprintf("function '%s': idle timeout must be 0..%d "
                            "seconds",
                            name, FUNCTION_IDLE_MAX_S);
    else if (f->runtime)
        return check_warm(name, f, err);
    return *err ? BT_EINVAL : 0;
}

/* Sets f's field to v (copied; "" clears it). */
static void set_str(char **field, const char *v)
{
    free(*field);
    *field = v && *v ? bt_xstrdup(v) : NULL;
}

/* The warm part of cfg; a lambda function's command is its bootstrap. */
static void apply_warm(store_function *f, const eng_function_config *cfg)
{
    if (cfg->runtime)
        set_str(&f->runtime, cfg->runtime);
    if (cfg->code_dir) {
        char abs[PATH_MAX];
        set_str(&f->code_dir,
                realpath(cfg->code_dir, abs) ? abs : cfg->code_dir);
    }
    if (cfg->handler)
        set_str(&f->handler, cfg->handler);
    if (cfg->idle_timeout_s >= 0)
        f->idle_timeout_s = cfg->idle_timeout_s;
    if (f->runtime && f->code_dir) {
        free(f->command);
        f->command = bt_xasprintf("%s/bootstrap", f->code_dir);
    }
}

/* Applies the fields cfg gives to f (NULL / -1: unchanged). */
static void apply(store_function *f, const eng_function_config *cfg)
{
    if (cfg->command) {
        free(f->command);
        f->command = bt_xstrdup(cfg->command);
    }
    if (cfg->cwd) {
        free(f->cwd);
        f->cwd = *cfg->cwd ? bt_xstrdup(cfg->cwd) : NULL;
    }
    if (cfg->env) {
        json_object *o = json_object_new_object();
        for (const char *const *p = cfg->env; *p; p++) {
            const char *eq = strchr(*p, '=');
            char *k = bt_xstrndup(*p, eq ? (size_t)(eq - *p) : strlen(*p));
            json_object_object_add(o, k,
                                   json_object_new_string(eq ? eq + 1 : ""));
            free(k);
        }
        free(f->env);
        f->env = bt_xstrdup(bt_json_compact(o));
        json_object_put(o);
    }
    if (cfg->timeout_s >= 0)
        f->timeout_s =
            cfg->timeout_s ? cfg->timeout_s : FUNCTION_TIMEOUT_DEFAULT_S;
    if (cfg->memory_mb >= 0)
        f->memory_mb = cfg->memory_mb;
    if (cfg->concurrency >= 0)
        f->concurrency = cfg->concurrency;
    apply_warm(f, cfg);
}

static int save(eng *e, const char *name, const eng_function_config *cfg,
                bool create, char **err)
{
    store_function f;
    memset(&f, 0, sizeof f);
    int rc = store_function_get(e->st, name, &f);
    if (create && rc == 0) {
        *err = bt_xasprintf("function '%s' already exists", name);
        rc = BT_EINVAL;
    } else if (!create && rc != 0) {
        *err = bt_xasprintf("function '%s' does not exist", name);
        rc = BT_ENOENT;
    } else {
        if (create) {
            f.name = bt_xstrdup(name);
            f.timeout_s = FUNCTION_TIMEOUT_DEFAULT_S;
            f.created_ms = eng__now_ms();
        }
        apply(&f, cfg);
        f.updated_ms = eng__now_ms();
        rc = check_config(name, &f, err);
        if (rc == 0 && (store_begin(e->st) || store_function_put(e->st, &f) ||
                        eng__commit(e))) {
            *err = bt_xasprintf("store: %s", store_errmsg(e->st));
            rc = BT_EIO;
        }
        if (rc == 0)
            install(e, &f);
    }
    store_function_fini(&f);
    return rc;
}

int eng_function_create(eng *e, const char *name,
                        const eng_function_config *cfg, char **err)
{
    return save(e, name, cfg, true, err);
}

int eng_function_update(eng *e, const char *name,
                        const eng_function_config *cfg, char **err)
{
    return save(e, name, cfg, false, err);
}

int eng_function_delete(eng *e, const char *name, char **err)
{
    bool existed = false;
    if (store_begin(e->st) || store_function_delete(e->st, name, &existed) ||
        eng__commit(e)) {
        *err = bt_xasprintf("store: %s", store_errmsg(e->st));
        return BT_EIO;
    }
    if (!existed) {
        *err = bt_xasprintf("function '%s' does not exist", name);
        return BT_ENOENT;
    }
    return 0;
}

static int list_cb(const store_function *f, void *ud)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "name", json_object_new_string(f->name));
    json_object_object_add(o, "command", json_object_new_string(f->command));
    if (f->cwd)
        json_object_object_add(o, "cwd", json_object_new_string(f->cwd));
    json_object *env = NULL;
    if (f->env && bt_json_parse(f->env, strlen(f->env), 8, &env, NULL) == 0)
        json_object_object_add(o, "env", env);
    json_object_object_add(o, "timeout", json_object_new_int64(f->timeout_s));
    json_object_object_add(o, "memory", json_object_new_int64(f->memory_mb));
    json_object_object_add(o, "concurrency",
                           json_object_new_int64(f->concurrency));
    if (f->runtime) {
        json_object_object_add(o, "runtime",
                               json_object_new_string(f->runtime));
        eng__add_str(o, "code", f->code_dir);
        eng__add_str(o, "handler", f->handler);
        json_object_object_add(o, "idleTimeout",
                               json_object_new_int64(f->idle_timeout_s));
    }
    json_object_array_add(ud, o);
    return 0;
}

json_object *eng_function_list(eng *e)
{
    json_object *a = json_object_new_array();
    store_function_each(e->st, list_cb, a);
    return a;
}

/* ---- what a call runs
 * ------------------------------------------------------------------ */

char **eng__function_argv(const eng_function *fn)
{
    size_t n = strv_len(fn->argv);
    size_t extra = fn->memory_mb > 0 ? 4 : 0;
    char **argv = bt_xcalloc(n + extra + 1, sizeof *argv);
    size_t k = 0;
    if (extra) {
        /* baton re-executes itself to set the limit, then execs the
         * command: posix_spawn (like uv_spawn for warm workers) has no
         * hook between fork and exec, and setting the limit from here
         * after the start would race the program's first allocations. */
        argv[k++] = bt_xstrdup("/proc/self/exe");
        argv[k++] = bt_xstrdup("__exec-limited");
        argv[k++] = bt_xasprintf("%lld", (long long)fn->memory_mb);
        argv[k++] = bt_xstrdup("--");
    }
    for (size_t i = 0; i < n; i++)
        argv[k++] = bt_xstrdup(fn->argv[i]);
    return argv;
}

char **eng__function_env(eng *e, const eng_function *fn, const char *request_id)
{
    /* The variables Baton sets, NUL-separated in one text. */
    enum { OWN = 7 };
    bt_buf own;
    bt_buf_init(&own);
    /* Appended piece by piece: printf's parsing was a tenth of a call's
     * instructions in the engine. */
    bt_buf_lit(&own, "AWS_LAMBDA_FUNCTION_NAME=");
    bt_buf_puts(&own, fn->name);
    bt_buf_lit(&own, "\0AWS_LAMBDA_FUNCTION_VERSION=$LATEST");
    bt_buf_lit(&own, "\0AWS_LAMBDA_FUNCTION_MEMORY_SIZE=");
    bt_buf_int(&own, fn->memory_mb ? fn->memory_mb : 128);
    bt_buf_lit(&own, "\0AWS_LAMBDA_FUNCTION_TIMEOUT=");
    bt_buf_int(&own, fn->timeout_s);
    bt_buf_lit(&own, "\0AWS_REGION=");
    bt_buf_puts(&own, e->region);
    bt_buf_lit(&own, "\0AWS_DEFAULT_REGION=");
    bt_buf_puts(&own, e->region);
    bt_buf_lit(&own, "\0AWS_LAMBDA_REQUEST_ID=");
    bt_buf_puts(&own, request_id);
    bt_buf_putc(&own, '\0');
    /* One block, the pointers then that text: environ's and the function's
     * own strings are shared, not copied. */
    size_t n = strv_len(environ), m = strv_len(fn->env);
    size_t slots = n + m + OWN + 1;
    char **env = bt_xmalloc(slots * sizeof *env + own.len);
    char *t = memcpy(env + slots, own.data, own.len);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        env[k++] = environ[i];
    for (size_t i = 0; i < m; i++)
        env[k++] = fn->env[i];
    for (int i = 0; i < OWN; i++) {
        env[k++] = t;
        t += strlen(t) + 1;
    }
    env[k] = NULL;
    bt_buf_fini(&own);
    return env;
}
