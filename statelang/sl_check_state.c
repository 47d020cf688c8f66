/*
 * Checking one state: its Type, which fields its type and query language
 * allow (one table, reference §2.1), Next/End, and the fields particular to
 * each type. Nested scopes (Parallel branches, Map processors) are built
 * from here.
 */
#include "statelang/statelang_int.h"

#include <string.h>

/* ---- which fields each type allows --------------------------------------- */

typedef enum field_lang { L_BOTH, L_JP, L_JA } field_lang;

#define K(id) SL_KIND_BIT(id)
#define ALL_KINDS ((1u << SL_KIND_COUNT) - 1)
#define FLOW (K(PASS) | K(TASK) | K(WAIT) | K(PARALLEL) | K(MAP))
#define WORK (K(TASK) | K(PARALLEL) | K(MAP))

static const struct state_field {
    const char *name;
    unsigned kinds;
    field_lang lang;
} state_fields[] = {
    {"Type", ALL_KINDS, L_BOTH},
    {"Comment", ALL_KINDS, L_BOTH},
    {"QueryLanguage", ALL_KINDS, L_BOTH},
    {"Next", FLOW, L_BOTH},
    {"End", FLOW, L_BOTH},
    {"InputPath", ALL_KINDS & ~K(FAIL), L_JP},
    {"OutputPath", ALL_KINDS & ~K(FAIL), L_JP},
    {"Output", ALL_KINDS & ~K(FAIL), L_JA},
    {"Parameters", K(PASS) | WORK, L_JP},
    {"Arguments", K(TASK) | K(PARALLEL), L_JA},
    {"Result", K(PASS), L_JP},
    {"ResultSelector", WORK, L_JP},
    {"ResultPath", K(PASS) | WORK, L_JP},
    {"Retry", WORK, L_BOTH},
    {"Catch", WORK, L_BOTH},
    {"Assign", FLOW | K(CHOICE), L_BOTH},
    {"Resource", K(TASK), L_BOTH},
    {"TimeoutSeconds", K(TASK), L_BOTH},
    {"TimeoutSecondsPath", K(TASK), L_JP},
    {"HeartbeatSeconds", K(TASK), L_BOTH},
    {"HeartbeatSecondsPath", K(TASK), L_JP},
    {"Credentials", K(TASK), L_BOTH},
    {"Choices", K(CHOICE), L_BOTH},
    {"Default", K(CHOICE), L_BOTH},
    {"Seconds", K(WAIT), L_BOTH},
    {"Timestamp", K(WAIT), L_BOTH},
    {"SecondsPath", K(WAIT), L_JP},
    {"TimestampPath", K(WAIT), L_JP},
    {"Error", K(FAIL), L_BOTH},
    {"Cause", K(FAIL), L_BOTH},
    {"ErrorPath", K(FAIL), L_JP},
    {"CausePath", K(FAIL), L_JP},
    {"Branches", K(PARALLEL), L_BOTH},
    {"ItemProcessor", K(MAP), L_BOTH},
    {"Iterator", K(MAP), L_BOTH},
    {"ItemsPath", K(MAP), L_JP},
    {"Items", K(MAP), L_JA},
    {"ItemSelector", K(MAP), L_BOTH},
    {"ItemReader", K(MAP), L_BOTH},
    {"ItemBatcher", K(MAP), L_BOTH},
    {"ResultWriter", K(MAP), L_BOTH},
    {"MaxConcurrency", K(MAP), L_BOTH},
    {"MaxConcurrencyPath", K(MAP), L_JP},
    {"ToleratedFailurePercentage", K(MAP), L_BOTH},
    {"ToleratedFailurePercentagePath", K(MAP), L_JP},
    {"ToleratedFailureCount", K(MAP), L_BOTH},
    {"ToleratedFailureCountPath", K(MAP), L_JP},
    {"Label", K(MAP), L_BOTH},
};

static const char *ql_name(sl_ql ql)
{
    return ql == SL_QL_JSONATA ? "JSONata" : "JSONPath";
}

/* Reports a field used under the wrong query language. */
static void wrong_language(sl_vctx *v, const char *field, sl_ql ql)
{
    sl__err(v, SL_SCHEMA,
            "The QueryLanguage is set to '%s', but field '%s' is only "
            "supported for the '%s' QueryLanguage",
            ql_name(ql), field,
            ql_name(ql == SL_QL_JSONATA ? SL_QL_JSONPATH : SL_QL_JSONATA));
}

static void check_allowed_fields(sl_vctx *v, sl_state *st)
{
    json_object_object_foreach(st->def, key, val)
    {
        (void)val;
        const struct state_field *f = NULL;
        for (size_t i = 0; i < sizeof state_fields / sizeof *state_fields; i++)
            if (!strcmp(state_fields[i].name, key))
                f = &state_fields[i];
        if (!f || !(f->kinds & (1u << st->kind))) {
            sl__err(v, SL_SCHEMA, "Field '%s' is not supported", key);
        } else if ((f->lang == L_JP && st->ql == SL_QL_JSONATA) ||
                   (f->lang == L_JA && st->ql == SL_QL_JSONPATH)) {
            wrong_language(v, key, st->ql);
        }
    }
}

static void check_string_field(sl_vctx *v, json_object *obj, const char *name)
{
    json_object *f = sl__get(obj, name);
    if (sl__has(obj, name) && !json_object_is_type(f, json_type_string))
        sl__err_field(v, name, SL_SCHEMA, "The field '%s' must be a string",
                      name);
}

/* ---- Type, QueryLanguage, Next/End -----------------------------------------
 */

static bool check_type(sl_vctx *v, sl_state *st)
{
    json_object *t = sl__get(st->def, "Type");
    if (!sl__has(st->def, "Type")) {
        sl__err(v, SL_SCHEMA, "These fields are required: [Type]");
        return false;
    }
    const char *s = json_object_is_type(t, json_type_string)
                        ? json_object_get_string(t)
                        : "";
    for (int k = 0; k < SL_KIND_COUNT; k++)
        if (!strcmp(s, sl__kind_name((sl_kind)k))) {
            st->kind = (sl_kind)k;
            return true;
        }
    sl__err_field(v, "Type", SL_SCHEMA,
                  "The field 'Type' should have one of these values: [Task, "
                  "Wait, Pass, Succeed, Fail, Choice, Parallel, Map]");
    return false;
}

static void check_query_language(sl_vctx *v, sl_state *st, sl_ql machine_ql)
{
    st->ql = machine_ql;
    json_object *q = sl__get(st->def, "QueryLanguage");
    if (!sl__has(st->def, "QueryLanguage"))
        return;
    const char *s = json_object_is_type(q, json_type_string)
                        ? json_object_get_string(q)
                        : "";
    if (!strcmp(s, "JSONata")) {
        st->ql = SL_QL_JSONATA;
    } else if (!strcmp(s, "JSONPath")) {
        if (machine_ql == SL_QL_JSONATA)
            sl__err(v, SL_SCHEMA,
                    "'QueryLanguage' can not be 'JSONPath' if set to "
                    "'JSONata' for whole state machine");
    } else {
        sl__err_field(v, "QueryLanguage", SL_SCHEMA,
                      "The field 'QueryLanguage' should have one of these "
                      "values: [JSONPath, JSONata]");
    }
}

static void check_next_end(sl_vctx *v, sl_state *st)
{
    json_object *next = sl__get(st->def, "Next");
    json_object *end = sl__get(st->def, "End");
    bool has_next = sl__has(st->def, "Next");
    bool has_end = sl__has(st->def, "End");
    if (has_next && !json_object_is_type(next, json_type_string))
        sl__err_field(v, "Next", SL_SCHEMA,
                      "The field 'Next' must be a string");
    else if (has_next)
        st->next = json_object_get_string(next);
    if (has_end && !json_object_is_type(end, json_type_boolean))
        sl__err_field(v, "End", SL_SCHEMA, "The field 'End' must be a boolean");
    else if (has_end)
        st->end = json_object_get_boolean(end);
    if (!((1u << st->kind) & FLOW))
        return;
    if (has_next && st->end)
        sl__err(v, SL_SCHEMA,
                "The fields 'Next' and 'End' cannot be used together");
    else if (!has_next && !st->end)
        sl__err(v, SL_SCHEMA,
                "Exactly one of 'Next' or '\"End\": true' is required");
}

/* ---- per type
 * ---------------------------------------------------------------- */

static void check_common_paths(sl_vctx *v, sl_state *st)
{
    if (st->ql != SL_QL_JSONPATH) {
        if (sl__has(st->def, "Output")) {
            size_t mark = sl__ptr_push(v, "Output");
            sl__check_jsonata_value(v, sl__get(st->def, "Output"));
            sl__ptr_pop(v, mark);
        }
        return;
    }
    sl__check_path_field(v, st->def, "InputPath", false, true);
    sl__check_path_field(v, st->def, "OutputPath", false, true);
    sl__check_path_field(v, st->def, "ResultPath", true, true);
}

static void check_data_fields(sl_vctx *v, sl_state *st)
{
    json_object *d = st->def;
    check_common_paths(v, st);
    if (sl__has(d, "Assign"))
        sl__check_assign(v, sl__get(d, "Assign"), st->ql);
    if (st->ql == SL_QL_JSONPATH) {
        if (sl__has(d, "Parameters") && st->kind != SL_MAP)
            sl__check_template(v, sl__get(d, "Parameters"), "Parameters");
        if (sl__has(d, "ResultSelector"))
            sl__check_template(v, sl__get(d, "ResultSelector"),
                               "ResultSelector");
    } else if (sl__has(d, "Arguments")) {
        size_t mark = sl__ptr_push(v, "Arguments");
        json_object *a = sl__get(d, "Arguments");
        if (!json_object_is_type(a, json_type_object) &&
            !(json_object_is_type(a, json_type_string) &&
              sl__is_jsonata(json_object_get_string(a))))
            sl__err(v, SL_SCHEMA,
                    "The field 'Arguments' must be an object or a JSONata "
                    "expression");
        sl__check_jsonata_value(v, a);
        sl__ptr_pop(v, mark);
    }
    if (sl__has(d, "Retry"))
        sl__check_retry(v, sl__get(d, "Retry"));
    if (sl__has(d, "Catch"))
        sl__check_catch(v, sl__get(d, "Catch"), st->ql);
}

void sl__check_state(sl_vctx *v, sl_state *st, sl_ql machine_ql)
{
    st->kind = SL_KIND_UNKNOWN;
    st->ql = machine_ql;
    if (!json_object_is_type(st->def, json_type_object)) {
        sl__err(v, SL_SCHEMA, "State '%s' must be a JSON object", st->name);
        return;
    }
    check_query_language(v, st, machine_ql);
    if (!check_type(v, st))
        return;
    check_allowed_fields(v, st);
    check_next_end(v, st);
    check_string_field(v, st->def, "Comment");
    check_data_fields(v, st);
    switch (st->kind) {
    case SL_TASK:
        sl__check_task(v, st);
        break;
    case SL_WAIT:
        sl__check_wait(v, st);
        break;
    case SL_FAIL:
        sl__check_fail(v, st);
        break;
    case SL_CHOICE:
        sl__check_choices(v, st->def, st->ql);
        break;
    case SL_PARALLEL:
        sl__check_parallel(v, st, machine_ql);
        break;
    case SL_MAP:
        sl__check_map(v, st, machine_ql);
        break;
    case SL_PASS:
    case SL_SUCCEED:
    default:
        break;
    }
}
