/*
 * State machines as a service: create, describe, list, update (revisions),
 * delete, and the machine an execution runs. Every revision stays in the
 * store so that an execution keeps the definition it started with; a
 * machine's creationDate is its first revision's.
 *
 * Lifecycle of a machine: ABSENT -> ACTIVE (create; revision 1) ->
 * ACTIVE (update with a change: revision n + 1 with a new revisionId) ->
 * ABSENT (delete: running executions ABORTED, every revision removed; the
 * name may be used again). A call that changes state is committed before
 * it returns.
 */
#include "engine/eng_int.h"

#include <stdlib.h>
#include <string.h>

char *eng_machine_arn(eng *e, const char *name)
{
    return bt_xasprintf("arn:aws:states:%s:%s:stateMachine:%s", e->region,
                        e->account, name);
}

static char *role_or_default(eng *e, const char *role)
{
    return bt_xstrdup(role ? role : e->default_role);
}

/* The defaults AWS echoes for machines created without them. */
static void add_configs(json_object *o)
{
    json_object *log = json_object_new_object();
    json_object_object_add(log, "level", json_object_new_string("OFF"));
    json_object_object_add(log, "includeExecutionData",
                           json_object_new_boolean(false));
    json_object_object_add(o, "loggingConfiguration", log);
    json_object *tr = json_object_new_object();
    json_object_object_add(tr, "enabled", json_object_new_boolean(false));
    json_object_object_add(o, "tracingConfiguration", tr);
}

static int64_t first_created(eng *e, const char *arn)
{
    store_machine m;
    memset(&m, 0, sizeof m);
    int64_t ms = 0;
    if (store_machine_get(e->st, arn, 1, &m) == 0)
        ms = m.created_ms;
    store_machine_fini(&m);
    return ms;
}

static int insert(eng *e, const store_machine *m, char **err)
{
    if (store_begin(e->st) || store_machine_insert(e->st, m) ||
        eng__commit(e)) {
        *err = bt_xasprintf("store: %s", store_errmsg(e->st));
        store_rollback(e->st);
        return BT_EIO;
    }
    return 0;
}

static json_object *created(const char *arn, int64_t ms)
{
    json_object *o = json_object_new_object();
    eng__add_str(o, "stateMachineArn", arn);
    eng__add_date(o, "creationDate", ms);
    return o;
}

int eng_machine_create(eng *e, const char *name, const char *definition,
                       sl_machine_type type, const char *role_arn,
                       json_object **out, sl_diags *diags, char **err)
{
    if (!eng_name_valid(name)) {
        *err = bt_xasprintf("Invalid Name: '%s'", name);
        return BT_EINVAL;
    }
    sl_compile_opts o = {type};
    if (sl_machine_compile(definition, strlen(definition), &o, NULL, diags))
        return BT_EINVALID;
    char *arn = eng_machine_arn(e, name);
    store_machine cur;
    memset(&cur, 0, sizeof cur);
    int rc = store_machine_get(e->st, arn, 0, &cur);
    if (rc == 0) {
        /* AWS compares the exact definition string and the type. */
        bool same = !strcmp(cur.definition, definition) &&
                    !strcmp(cur.type, sl_machine_type_name(type));
        store_machine_fini(&cur);
        if (!same)
            *err = bt_xasprintf("State Machine Already Exists: '%s'", arn);
        else
            *out = created(arn, first_created(e, arn));
        free(arn);
        return same ? 0 : BT_EINVAL;
    }
    if (rc != BT_ENOENT) {
        *err = bt_xasprintf("store: %s", store_errmsg(e->st));
        free(arn);
        return BT_EIO;
    }
    store_machine m = {arn,
                       (char *)name,
                       (char *)definition,
                       (char *)sl_machine_type_name(type),
                       (char *)role_arn,
                       eng__now_ms(),
                       1,
                       NULL};
    rc = insert(e, &m, err);
    if (rc == 0)
        *out = created(arn, m.created_ms);
    free(arn);
    return rc;
}

json_object *eng_machine_describe(eng *e, const char *arn)
{
    store_machine m;
    memset(&m, 0, sizeof m);
    if (store_machine_get(e->st, arn, 0, &m) != 0)
        return NULL;
    json_object *o = json_object_new_object();
    eng__add_str(o, "stateMachineArn", m.arn);
    eng__add_str(o, "name", m.name);
    eng__add_str(o, "status", "ACTIVE");
    eng__add_str(o, "definition", m.definition);
    char *role = role_or_default(e, m.role_arn);
    eng__add_str(o, "roleArn", role);
    free(role);
    eng__add_str(o, "type", m.type);
    eng__add_date(o, "creationDate", first_created(e, arn));
    add_configs(o);
    eng__add_str(o, "revisionId", m.revision_id);
    store_machine_fini(&m);
    return o;
}

static int list_cb(const store_machine *m, void *ud)
{
    json_object *o = json_object_new_object();
    eng__add_str(o, "stateMachineArn", m->arn);
    eng__add_str(o, "name", m->name);
    eng__add_str(o, "type", m->type);
    eng__add_date(o, "creationDate", m->created_ms);
    json_object_array_add(ud, o);
    return 0;
}

json_object *eng_machine_list(eng *e)
{
    json_object *items = json_object_new_array();
    store_machine_each_first(e->st, list_cb, items);
    return items;
}

static json_object *updated(int64_t ms, const char *revision_id)
{
    json_object *o = json_object_new_object();
    eng__add_date(o, "updateDate", ms);
    eng__add_str(o, "revisionId", revision_id);
    return o;
}

int eng_machine_update(eng *e, const char *arn, const char *definition,
                       const char *role_arn, json_object **out, sl_diags *diags,
                       char **err)
{
    store_machine cur;
    memset(&cur, 0, sizeof cur);
    if (store_machine_get(e->st, arn, 0, &cur) != 0) {
        *err = bt_xasprintf("State Machine Does Not Exist: '%s'", arn);
        return BT_ENOENT;
    }
    sl_machine_type type = SL_MACHINE_STANDARD;
    sl_machine_type_parse(cur.type, &type);
    sl_compile_opts o = {type};
    if (definition &&
        sl_machine_compile(definition, strlen(definition), &o, NULL, diags)) {
        store_machine_fini(&cur);
        return BT_EINVALID;
    }
    bool changed =
        (definition && strcmp(definition, cur.definition)) ||
        (role_arn && (!cur.role_arn || strcmp(role_arn, cur.role_arn)));
    int rc = 0;
    if (!changed) {
        /* AWS: an update that changes nothing keeps the revision. */
        *out = updated(cur.created_ms, cur.revision_id);
    } else {
        store_machine m = {cur.arn,
                           cur.name,
                           definition ? (char *)definition : cur.definition,
                           cur.type,
                           role_arn ? (char *)role_arn : cur.role_arn,
                           eng__now_ms(),
                           cur.revision + 1,
                           eng__uuid(e)};
        rc = insert(e, &m, err);
        if (rc == 0)
            *out = updated(m.created_ms, m.revision_id);
        free(m.revision_id);
    }
    store_machine_fini(&cur);
    return rc;
}

typedef struct running {
    const char *machine;
    char **arns;
    size_t n;
} running;

static int running_cb(const store_exec *x, void *ud)
{
    running *r = ud;
    if (!strcmp(x->machine_arn, r->machine)) {
        r->arns = bt_xrealloc(r->arns, (r->n + 1) * sizeof *r->arns);
        r->arns[r->n++] = bt_xstrdup(x->arn);
    }
    return 0;
}

int eng_machine_delete(eng *e, const char *arn, char **err)
{
    running r = {arn, NULL, 0};
    int rc = store_exec_each(e->st, true, running_cb, &r);
    for (size_t i = 0; i < r.n; i++) {
        char *msg = NULL;
        if (rc == 0)
            rc = eng_execution_stop(e, r.arns[i], NULL, NULL, &msg);
        free(msg);
        free(r.arns[i]);
    }
    free(r.arns);
    if (rc == 0 && (store_begin(e->st) || store_machine_delete(e->st, arn) ||
                    store_tag_delete(e->st, arn, NULL) || eng__commit(e)))
        rc = BT_EIO;
    if (rc != 0) {
        store_rollback(e->st);
        *err = bt_xasprintf("store: %s", store_errmsg(e->st));
        return BT_EIO;
    }
    return 0;
}

json_object *eng_execution_machine(eng *e, const char *exec_arn, bool *gone)
{
    *gone = false;
    store_exec x;
    memset(&x, 0, sizeof x);
    if (store_exec_get(e->st, exec_arn, &x) != 0)
        return NULL;
    store_machine m;
    memset(&m, 0, sizeof m);
    if (store_machine_get(e->st, x.machine_arn, x.machine_revision, &m) != 0) {
        *gone = true;
        store_exec_fini(&x);
        return NULL;
    }
    json_object *o = json_object_new_object();
    eng__add_str(o, "stateMachineArn", m.arn);
    eng__add_str(o, "name", m.name);
    eng__add_str(o, "definition", m.definition);
    char *role = role_or_default(e, m.role_arn);
    eng__add_str(o, "roleArn", role);
    free(role);
    eng__add_date(o, "updateDate", m.created_ms);
    add_configs(o);
    eng__add_str(o, "revisionId", m.revision_id);
    store_machine_fini(&m);
    store_exec_fini(&x);
    return o;
}
