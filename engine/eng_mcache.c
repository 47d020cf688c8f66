/*
 * Compiled state machines shared by executions: a revision of a state
 * machine never changes (UpdateStateMachine adds a new one), and a compiled
 * machine is immutable, so every execution of (ARN, revision, type) uses
 * one compiled copy. Entries in use are counted; up to MCACHE_IDLE unused
 * ones stay compiled for the next execution (a server starting many short
 * executions of one machine compiles it once).
 */
#include "engine/eng_int.h"

#include <stdlib.h>
#include <string.h>

#define MCACHE_IDLE 32

struct eng_mcache {
    char *arn;
    int64_t revision;
    sl_machine_type type;
    char *name;
    sl_machine *machine;
    size_t refs;
    struct eng_mcache *next;
};

static void entry_free(struct eng_mcache *c)
{
    sl_machine_free(c->machine);
    free(c->arn);
    free(c->name);
    free(c);
}

int eng__machine_acquire(eng *e, const char *arn, int64_t revision,
                         sl_machine_type type, sl_machine **out,
                         const char **name, char **err)
{
    for (struct eng_mcache *c = e->mcache; c; c = c->next)
        if (c->revision == revision && c->type == type &&
            !strcmp(c->arn, arn)) {
            c->refs++;
            *out = c->machine;
            *name = c->name;
            return 0;
        }
    store_machine m;
    memset(&m, 0, sizeof m);
    if (store_machine_get(e->st, arn, revision, &m) != 0) {
        *err = bt_xasprintf("state machine %s not found", arn);
        return BT_ENOENT;
    }
    sl_compile_opts o = {type};
    sl_diags d;
    sl_diags_init(&d);
    sl_machine *machine = NULL;
    int rc = sl_machine_compile(m.definition, strlen(m.definition), &o,
                                &machine, &d);
    sl_diags_fini(&d);
    if (rc != 0) {
        store_machine_fini(&m);
        *err = bt_xasprintf("state machine %s no longer compiles", arn);
        return BT_EINVALID;
    }
    struct eng_mcache *c = bt_xcalloc(1, sizeof *c);
    c->arn = bt_xstrdup(arn);
    c->revision = m.revision;
    c->type = type;
    c->name = bt_xstrdup(m.name);
    c->machine = machine;
    c->refs = 1;
    c->next = e->mcache;
    e->mcache = c;
    store_machine_fini(&m);
    *out = c->machine;
    *name = c->name;
    return 0;
}

void eng__machine_release(eng *e, sl_machine *m)
{
    if (!m)
        return;
    size_t idle = 0;
    for (struct eng_mcache *c = e->mcache; c; c = c->next) {
        if (c->machine == m && c->refs > 0)
            c->refs--;
        idle += c->refs == 0;
    }
    /* Too many unused: drop the unused one furthest down the list (the
     * least recently compiled), until few enough remain. */
    while (idle > MCACHE_IDLE) {
        struct eng_mcache **last = NULL;
        for (struct eng_mcache **link = &e->mcache; *link;
             link = &(*link)->next)
            if ((*link)->refs == 0)
                last = link;
        struct eng_mcache *c = *last;
        *last = c->next;
        entry_free(c);
        idle--;
    }
}

void eng__mcache_free(eng *e)
{
    for (struct eng_mcache *c = e->mcache, *n; c; c = n) {
        n = c->next;
        entry_free(c);
    }
    e->mcache = NULL;
}
