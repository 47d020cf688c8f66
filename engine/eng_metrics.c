/*
 * Counters a running engine exposes (Prometheus text exposition format,
 * served by `baton serve` at GET /metrics): executions running in this
 * process, function calls running and queued against the global limit,
 * and per function the calls running and, for warm functions, cold and
 * warm starts since the engine opened.
 */
#include "engine/eng_int.h"

#include <stdlib.h>

/* Function names are ASL names (no '"' or '\'), so they go into label
 * values as they are. */
char *eng_metrics(eng *e)
{
    size_t running = 0, queued = 0;
    for (eng_exec *x = e->execs; x; x = x->next)
        running += x->status == EX_RUNNING;
    for (eng_call *c = e->call_head; c; c = eng__call_next(c))
        queued++;
    bt_buf b;
    bt_buf_init(&b);
    bt_buf_printf(&b,
                  "# HELP baton_executions_running Executions running in "
                  "this process.\n"
                  "# TYPE baton_executions_running gauge\n"
                  "baton_executions_running %zu\n"
                  "# HELP baton_calls_running Function calls running.\n"
                  "# TYPE baton_calls_running gauge\n"
                  "baton_calls_running %zu\n"
                  "# HELP baton_calls_queued Function calls waiting for "
                  "room under the concurrency limits.\n"
                  "# TYPE baton_calls_queued gauge\n"
                  "baton_calls_queued %zu\n"
                  "# HELP baton_calls_limit Function calls that may run at "
                  "once.\n"
                  "# TYPE baton_calls_limit gauge\n"
                  "baton_calls_limit %zu\n",
                  running, e->procs_active, queued, e->procs_max);
    static const char *const heads[] = {
        "# HELP baton_function_calls_running Calls of a function running.\n"
        "# TYPE baton_function_calls_running gauge\n",
        "# HELP baton_function_cold_starts_total Calls of a warm function "
        "that started a new worker.\n"
        "# TYPE baton_function_cold_starts_total counter\n",
        "# HELP baton_function_warm_starts_total Calls of a warm function "
        "served by a running worker.\n"
        "# TYPE baton_function_warm_starts_total counter\n"};
    for (int k = 0; k < 3; k++) {
        bt_buf_puts(&b, heads[k]);
        for (eng_function *f = e->functions; f; f = f->next) {
            if (k == 0)
                bt_buf_printf(&b,
                              "baton_function_calls_running{function=\"%s\"} "
                              "%zu\n",
                              f->name, f->active);
            else if (f->warm)
                bt_buf_printf(
                    &b, "%s{function=\"%s\"} %lld\n",
                    k == 1 ? "baton_function_cold_starts_total"
                           : "baton_function_warm_starts_total",
                    f->name,
                    (long long)(k == 1 ? f->cold_starts : f->warm_starts));
        }
    }
    return bt_buf_take(&b);
}
