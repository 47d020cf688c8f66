/*
 * State machine actions: Create, Describe, List, Update, Delete and
 * ValidateStateMachineDefinition (reference §12.6, §1.4). They run on the
 * loop thread; the engine does the work, this file speaks AWS's shapes.
 */
#include "server/srv_int.h"

#include <stdlib.h>
#include <string.h>

const char *const srv__machine_types[] = {"STANDARD", "EXPRESS", NULL};

static const char *severity_name(sl_severity s)
{
    return s == SL_SEV_ERROR ? "ERROR" : "WARNING";
}

/* AWS: Invalid State Machine Definition: '<CODE>: <text> at <loc>, ...' */
void srv__fail_definition(srv_call *c, const sl_diags *d)
{
    bt_buf b;
    bt_buf_init(&b);
    bt_buf_puts(&b, "Invalid State Machine Definition: '");
    bool first = true;
    for (size_t i = 0; i < d->len; i++) {
        const sl_diag *g = &d->items[i];
        if (g->severity != SL_SEV_ERROR)
            continue;
        bt_buf_printf(&b, "%s%s: %s", first ? "" : ", ", g->code, g->message);
        if (g->location)
            bt_buf_printf(&b, " at %s", g->location);
        first = false;
    }
    bt_buf_putc(&b, '\'');
    srv__fail(c, SRV_INVALID_DEFINITION, "%s", b.data);
    bt_buf_fini(&b);
}

/* The members this version accepts but does not act on yet. */
static bool version_members(srv_call *c)
{
    bool publish = false;
    const char *desc = NULL;
    if (!srv__bool(c, "publish", &publish) ||
        !srv__str(c, "versionDescription", false, 256, false, &desc))
        return false;
    if (desc && !publish)
        return srv__fail(c, SRV_VALIDATION,
                         "Version description can only be "
                         "set when publish is true");
    return true;
}

/* The outcome of a create or update: invalid definition (diagnostics),
 * another engine error, or success; d is released and err taken. */
static void machine_result(srv_call *c, int rc, sl_diags *d, char *err)
{
    if (rc == BT_EINVALID)
        srv__fail_definition(c, d);
    else if (rc != 0)
        srv__fail_engine(c, err);
    else
        free(err);
    sl_diags_fini(d);
}

void srv__create_state_machine(srv_call *c)
{
    const char *name, *definition, *role, *type;
    if (!srv__str(c, "name", true, 0, false, &name) ||
        !srv__str(c, "definition", true, BT_LIMIT_DEFINITION_BYTES, true,
                  &definition) ||
        !srv__str(c, "roleArn", true, 256, false, &role) ||
        !srv__enum(c, "type", srv__machine_types, &type) || !version_members(c))
        return;
    json_object *tags;
    if (!srv__tags(c, "tags", false, &tags))
        return;
    sl_machine_type t = SL_MACHINE_STANDARD;
    if (type)
        sl_machine_type_parse(type, &t);
    sl_diags d;
    sl_diags_init(&d);
    char *err = NULL;
    int rc =
        eng_machine_create(c->e, name, definition, t, role, &c->out, &d, &err);
    machine_result(c, rc, &d, err);
    json_object *arn;
    if (rc == 0 && tags &&
        json_object_object_get_ex(c->out, "stateMachineArn", &arn)) {
        err = NULL;
        if (eng_tags_add(c->e, json_object_get_string(arn), tags, &err)) {
            json_object_put(c->out);
            c->out = NULL;
            srv__fail_engine(c, err);
        }
    }
}

void srv__describe_state_machine(srv_call *c)
{
    static const char *const data[] = {"ALL_DATA", "METADATA_ONLY", NULL};
    const char *arn, *included;
    if (!srv__arn(c, "stateMachineArn", "stateMachine", NULL, &arn) ||
        !srv__enum(c, "includedData", data, &included))
        return;
    c->out = eng_machine_describe(c->e, arn);
    if (!c->out) {
        srv__fail(c, SRV_MACHINE_MISSING, "State Machine Does Not Exist: '%s'",
                  arn);
        return;
    }
    if (included && !strcmp(included, "METADATA_ONLY"))
        json_object_object_add(c->out, "definition",
                               json_object_new_string("{}"));
}

void srv__list_state_machines(srv_call *c)
{
    srv__page(c, eng_machine_list(c->e), "stateMachines", NULL, 1024);
}

void srv__update_state_machine(srv_call *c)
{
    const char *arn, *definition, *role;
    json_object *v;
    if (!srv__arn(c, "stateMachineArn", "stateMachine", NULL, &arn) ||
        !srv__str(c, "definition", false, BT_LIMIT_DEFINITION_BYTES, true,
                  &definition) ||
        !srv__str(c, "roleArn", false, 256, false, &role) ||
        !version_members(c))
        return;
    bool logging =
        json_object_object_get_ex(c->in, "loggingConfiguration", &v) && v;
    bool tracing =
        json_object_object_get_ex(c->in, "tracingConfiguration", &v) && v;
    if (!definition && !role && !logging && !tracing) {
        srv__fail(c, SRV_MISSING_PARAMETER,
                  "Either the definition, the role ARN, the "
                  "LoggingConfiguration, or the TracingConfiguration must be "
                  "specified");
        return;
    }
    sl_diags d;
    sl_diags_init(&d);
    char *err = NULL;
    int rc = eng_machine_update(c->e, arn, definition, role, &c->out, &d, &err);
    machine_result(c, rc, &d, err);
}

void srv__delete_state_machine(srv_call *c)
{
    const char *arn;
    if (!srv__arn(c, "stateMachineArn", "stateMachine", NULL, &arn))
        return;
    char *err = NULL;
    if (eng_machine_delete(c->e, arn, &err) != 0)
        srv__fail_engine(c, err);
}

json_object *srv__diag_object(const sl_diag *g)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "severity",
                           json_object_new_string(severity_name(g->severity)));
    json_object_object_add(o, "code", json_object_new_string(g->code));
    json_object_object_add(o, "message", json_object_new_string(g->message));
    if (g->location)
        json_object_object_add(o, "location",
                               json_object_new_string(g->location));
    return o;
}

void srv__validate_definition(srv_call *c)
{
    static const char *const severities[] = {"ERROR", "WARNING", NULL};
    const char *definition, *type, *severity;
    int64_t max = 0;
    if (!srv__str(c, "definition", true, BT_LIMIT_DEFINITION_BYTES, true,
                  &definition) ||
        !srv__enum(c, "type", srv__machine_types, &type) ||
        !srv__enum(c, "severity", severities, &severity) ||
        !srv__int(c, "maxResults", 0, 100, &max))
        return;
    sl_compile_opts o = {SL_MACHINE_STANDARD};
    if (type)
        sl_machine_type_parse(type, &o.type);
    bool warnings = severity && !strcmp(severity, "WARNING");
    size_t limit = max > 0 ? (size_t)max : 100;
    sl_diags d;
    sl_diags_init(&d);
    sl_machine_compile(definition, strlen(definition), &o, NULL, &d);
    json_object *list = json_object_new_array();
    bool truncated = d.truncated;
    for (size_t i = 0; i < d.len; i++) {
        if (d.items[i].severity == SL_SEV_WARNING && !warnings)
            continue;
        if (json_object_array_length(list) == limit) {
            truncated = true;
            break;
        }
        json_object_array_add(list, srv__diag_object(&d.items[i]));
    }
    c->out = json_object_new_object();
    json_object_object_add(
        c->out, "result",
        json_object_new_string(sl_diags_errors(&d) ? "FAIL" : "OK"));
    json_object_object_add(c->out, "diagnostics", list);
    json_object_object_add(c->out, "truncated",
                           json_object_new_boolean(truncated));
    sl_diags_fini(&d);
}
