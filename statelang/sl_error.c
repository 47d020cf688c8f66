/*
 * Workflow errors as values, and the Retry/Catch decision (reference §6):
 * which retrier or catcher matches an error name, how long to wait before a
 * retry, and what a catcher hands to its Next state.
 */
#include "statelang/statelang_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void sl_error_init(sl_error *e)
{
    e->name = NULL;
    e->cause = NULL;
}

void sl_error_set(sl_error *e, const char *name, const char *cause)
{
    char *n = name ? bt_xstrdup(name) : NULL;
    char *c = cause ? bt_xstrdup(cause) : NULL;
    sl_error_fini(e);
    e->name = n;
    e->cause = c;
}

void sl_error_setf(sl_error *e, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = bt_xvasprintf(fmt, ap);
    va_end(ap);
    sl_error_set(e, name, text);
    free(text);
}

void sl_error_fini(sl_error *e)
{
    free(e->name);
    free(e->cause);
    e->name = NULL;
    e->cause = NULL;
}

json_object *sl_error_output(const sl_error *e)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "Error",
                           e->name ? json_object_new_string(e->name) : NULL);
    json_object_object_add(o, "Cause",
                           e->cause ? json_object_new_string(e->cause) : NULL);
    return o;
}

/* States.TaskFailed matches errors a task raises: every name outside the
 * States. namespace, and of the predefined ones TaskFailed, Permissions,
 * HeartbeatTimeout and DataLimitExceeded (reference §6.2 [IMPL]), and the
 * HTTP task's States.Http.Socket and States.Http.StatusCode.<code> (§6.2
 * lists them as task-originated); never Timeout, Runtime or
 * QueryEvaluationError. */
static bool task_failed_matches(const char *name)
{
    static const char *const task_errors[] = {
        "States.TaskFailed", "States.Permissions", "States.HeartbeatTimeout",
        "States.DataLimitExceeded"};
    if (strncmp(name, "States.", 7) || !strncmp(name, "States.Http.", 12))
        return true;
    for (size_t i = 0; i < sizeof task_errors / sizeof *task_errors; i++)
        if (!strcmp(name, task_errors[i]))
            return true;
    return false;
}

bool sl_error_matches(json_object *error_equals, const char *name)
{
    const char *n = name ? name : "";
    /* States.Runtime is never retried nor caught, not even explicitly. */
    if (!strcmp(n, "States.Runtime"))
        return false;
    size_t len = json_object_array_length(error_equals);
    for (size_t i = 0; i < len; i++) {
        const char *e =
            json_object_get_string(json_object_array_get_idx(error_equals, i));
        if (!strcmp(e, "States.ALL") || !strcmp(e, n))
            return true;
        if (!strcmp(e, "States.TaskFailed") && task_failed_matches(n))
            return true;
        if (!strcmp(e, "States.Timeout") &&
            !strcmp(n, "States.HeartbeatTimeout"))
            return true;
    }
    return false;
}

size_t sl_state_retrier_count(const sl_state *st)
{
    return st->nretriers;
}

/* Delay before retry number attempt+1 of retrier r, in milliseconds. */
static int64_t retry_delay_ms(const sl_retrier *r, uint32_t attempt,
                              const sl_rand *rng)
{
    double delay = (double)r->interval_s * pow(r->backoff_rate, attempt);
    if (r->max_delay_s > 0 && delay > (double)r->max_delay_s)
        delay = (double)r->max_delay_s;
    if (delay > 1e12)
        delay = 1e12;
    double ms = delay * 1000.0;
    if (r->jitter_full && rng && rng->next) {
        double u = (double)(rng->next(rng->ud) >> 11) / 9007199254740992.0;
        ms *= u;
    }
    return (int64_t)llround(ms);
}

static bool find_catcher(const sl_state *st, const sl_error *e, size_t *out)
{
    for (size_t i = 0; i < st->ncatchers; i++)
        if (sl_error_matches(st->catchers[i].error_equals, e->name)) {
            *out = i;
            return true;
        }
    return false;
}

sl_decision sl_error_decide(const sl_state *st, const sl_error *e,
                            uint32_t *attempts, const sl_rand *rng,
                            int64_t *delay_ms, size_t *catcher)
{
    for (size_t i = 0; i < st->nretriers; i++) {
        const sl_retrier *r = &st->retriers[i];
        if (!sl_error_matches(r->error_equals, e->name))
            continue;
        /* The first matching retrier decides; later ones are not tried. */
        if ((int64_t)attempts[i] < r->max_attempts) {
            *delay_ms = retry_delay_ms(r, attempts[i], rng);
            attempts[i]++;
            return SL_DECIDE_RETRY;
        }
        break;
    }
    if (find_catcher(st, e, catcher))
        return SL_DECIDE_CATCH;
    return SL_DECIDE_FAIL;
}

int sl_catch_output(const sl_state *st, size_t catcher, json_object *raw,
                    const sl_error *e, const sl_ctx *c, const sl_state **next,
                    json_object **out, json_object **assigned, sl_error *err)
{
    const sl_catcher *k = &st->catchers[catcher];
    *next = k->next;
    *out = NULL;
    json_object *eo = sl_error_output(e);
    int rc =
        sl__assign_eval(k->assign, st->ql, raw, NULL, eo, c, assigned, err);
    if (rc == 0 && st->ql == SL_QL_JSONATA) {
        if (k->output)
            rc = sl__jsonata_value(k->output, raw, NULL, eo, c, out, err);
        else
            *out = json_object_get(eo);
    } else if (rc == 0) {
        const sl_opt_path *rp = &k->result_path;
        if (!rp->present) {
            *out = json_object_get(eo);
        } else if (rp->is_null) {
            *out = json_object_get(raw);
        } else {
            char *why = NULL;
            if (sl_path_assign(rp->path, raw, json_object_get(eo), out, &why) !=
                0) {
                sl__runtime_error(c, err, "States.Runtime",
                                  "Invalid path '%s' : %s",
                                  sl_path_text(rp->path), why ? why : "");
                rc = -1;
            }
            free(why);
        }
    }
    if (rc != 0) {
        json_object_put(*assigned);
        *assigned = NULL;
    }
    json_object_put(eo);
    return rc;
}
