/*
 * The fields particular to Task, Wait, Fail, Parallel and Map states
 * (reference §2.3–§2.9, rules V11–V15, V19, V23–V25, V29, V31).
 */
#include "statelang/statelang_int.h"

#include <math.h>
#include <string.h>

static void exclusive(sl_vctx *v, json_object *obj, const char *a,
                      const char *b)
{
    if (sl__has(obj, a) && sl__has(obj, b))
        sl__err(v, SL_SCHEMA,
                "The fields '%s' and '%s' cannot be used together", a, b);
}

/* A string field that JSONata states may also give as an expression. */
static void check_text_field(sl_vctx *v, json_object *obj, const char *name)
{
    if (!sl__has(obj, name))
        return;
    json_object *f = sl__get(obj, name);
    size_t mark = sl__ptr_push(v, name);
    if (!json_object_is_type(f, json_type_string))
        sl__err(v, SL_SCHEMA, "The field '%s' must be a string", name);
    else
        sl__check_jsonata_string(v, json_object_get_string(f));
    sl__ptr_pop(v, mark);
}

/* ---- Task
 * ---------------------------------------------------------------------- */

static void check_resource(sl_vctx *v, sl_state *st)
{
    json_object *r = sl__get(st->def, "Resource");
    if (!sl__has(st->def, "Resource")) {
        sl__err(v, SL_SCHEMA, "These fields are required: [Resource]");
        return;
    }
    size_t mark = sl__ptr_push(v, "Resource");
    const char *arn = json_object_is_type(r, json_type_string)
                          ? json_object_get_string(r)
                          : NULL;
    sl_resource_pattern pat = SL_PATTERN_REQUEST_RESPONSE;
    sl_resource_kind kind =
        arn ? sl__resource_classify(arn, &pat) : SL_RES_INVALID;
    if (kind == SL_RES_INVALID) {
        sl__err(v, SL_SCHEMA,
                "The resource provided %s is not recognized. The value is not "
                "a valid resource ARN, or the resource is not available in "
                "this region.",
                arn ? arn : bt_json_compact(r));
    } else if (v->m->type == SL_MACHINE_EXPRESS) {
        if (kind == SL_RES_ACTIVITY)
            sl__err(v, SL_SCHEMA,
                    "Express state machine does not support Activity ARN");
        else if (pat == SL_PATTERN_SYNC || pat == SL_PATTERN_SYNC2)
            sl__err(v, SL_SCHEMA,
                    "Express state machine does not support '.sync' service "
                    "integration");
        else if (pat == SL_PATTERN_CALLBACK)
            sl__err(v, SL_SCHEMA,
                    "Express state machine does not support "
                    "'.waitForTaskToken' service integration ");
    }
    sl__ptr_pop(v, mark);
}

static void check_credentials(sl_vctx *v, sl_state *st)
{
    if (!sl__has(st->def, "Credentials"))
        return;
    json_object *c = sl__get(st->def, "Credentials");
    size_t mark = sl__ptr_push(v, "Credentials");
    if (st->ql == SL_QL_JSONATA && json_object_is_type(c, json_type_string) &&
        sl__is_jsonata(json_object_get_string(c))) {
        sl__check_jsonata_string(v, json_object_get_string(c));
    } else if (!json_object_is_type(c, json_type_object)) {
        sl__err(v, SL_SCHEMA, "The field 'Credentials' must be an object");
    } else if (!sl__has(c, "RoleArn") && !sl__has(c, "RoleArn.$")) {
        sl__err(v, SL_SCHEMA,
                "The field 'RoleArn' is required but was missing");
    } else if (st->ql == SL_QL_JSONATA) {
        sl__check_jsonata_value(v, c);
    } else {
        sl__ptr_pop(v, mark);
        sl__check_template(v, c, "Credentials");
        return;
    }
    sl__ptr_pop(v, mark);
}

/* A static seconds value, or -1 when absent or dynamic. */
static int64_t static_seconds(json_object *obj, const char *name)
{
    json_object *f = sl__get(obj, name);
    return json_object_is_type(f, json_type_int) ? json_object_get_int64(f)
                                                 : -1;
}

void sl__check_task(sl_vctx *v, sl_state *st)
{
    json_object *d = st->def;
    check_resource(v, st);
    check_credentials(v, st);
    exclusive(v, d, "TimeoutSeconds", "TimeoutSecondsPath");
    exclusive(v, d, "HeartbeatSeconds", "HeartbeatSecondsPath");
    sl__check_int_field(v, d, "TimeoutSeconds", 1, 99999999, st->ql);
    sl__check_int_field(v, d, "HeartbeatSeconds", 1, 99999999, st->ql);
    sl__check_path_field(v, d, "TimeoutSecondsPath", true, false);
    sl__check_path_field(v, d, "HeartbeatSecondsPath", true, false);
    int64_t t = static_seconds(d, "TimeoutSeconds");
    int64_t h = static_seconds(d, "HeartbeatSeconds");
    if (t > 0 && h > 0 && h >= t)
        sl__err_field(v, "HeartbeatSeconds", SL_SCHEMA,
                      "HeartbeatSeconds must be smaller than TimeoutSeconds");
}

/* ---- Wait
 * ---------------------------------------------------------------------- */

void sl__check_wait(sl_vctx *v, sl_state *st)
{
    json_object *d = st->def;
    int n = sl__has(d, "Seconds") + sl__has(d, "Timestamp") +
            sl__has(d, "SecondsPath") + sl__has(d, "TimestampPath");
    if (n != 1)
        sl__err(v, SL_SCHEMA,
                st->ql == SL_QL_JSONATA
                    ? "Exactly one of the fields [Seconds, Timestamp] is "
                      "required"
                    : "Exactly one of the fields [Seconds, SecondsPath, "
                      "Timestamp, TimestampPath] is required");
    sl__check_int_field(v, d, "Seconds", 0, 99999999, st->ql);
    sl__check_path_field(v, d, "SecondsPath", true, false);
    sl__check_path_field(v, d, "TimestampPath", true, false);
    if (!sl__has(d, "Timestamp"))
        return;
    json_object *ts = sl__get(d, "Timestamp");
    const char *s = json_object_is_type(ts, json_type_string)
                        ? json_object_get_string(ts)
                        : NULL;
    size_t mark = sl__ptr_push(v, "Timestamp");
    int64_t us;
    if (s && st->ql == SL_QL_JSONATA && sl__is_jsonata(s))
        sl__check_jsonata_string(v, s);
    else if (!s || !sl_timestamp_parse(s, &us))
        sl__err(v, SL_SCHEMA, "String does not match RFC3339 timestamp");
    sl__ptr_pop(v, mark);
}

/* ---- Fail
 * ---------------------------------------------------------------------- */

/* ErrorPath / CausePath: a reference path or one of the intrinsics that
 * return a string (reference §2.7). */
static void check_fail_path(sl_vctx *v, json_object *d, const char *name)
{
    if (!sl__has(d, name))
        return;
    json_object *f = sl__get(d, name);
    const char *s = json_object_is_type(f, json_type_string)
                        ? json_object_get_string(f)
                        : NULL;
    if (!s || strncmp(s, "States.", 7)) {
        sl__check_path_field(v, d, name, true, false);
        return;
    }
    size_t mark = sl__ptr_push(v, name);
    sl_intrinsic *call = NULL;
    char *err = NULL;
    if (sl_intrinsic_parse(s, &call, &err) != 0) {
        sl__err(v, SL_SCHEMA,
                "The value for the field '%s' must be a valid JSONPath or a "
                "valid intrinsic function call: %s",
                name, err);
    } else {
        static const sl_intrinsic_fn allowed[] = {
            SL_FN_FORMAT,        SL_FN_JSON_TO_STRING, SL_FN_ARRAY_GET_ITEM,
            SL_FN_BASE64_ENCODE, SL_FN_BASE64_DECODE,  SL_FN_HASH,
            SL_FN_UUID};
        bool ok = false;
        for (size_t i = 0; i < sizeof allowed / sizeof *allowed; i++)
            ok = ok || call->fn == allowed[i];
        if (!ok)
            sl__err(v, SL_SCHEMA,
                    "The intrinsic function %s cannot be used in '%s'",
                    sl_intrinsic_fn_name(call->fn), name);
    }
    free(err);
    sl_intrinsic_free(call);
    sl__ptr_pop(v, mark);
}

void sl__check_fail(sl_vctx *v, sl_state *st)
{
    json_object *d = st->def;
    exclusive(v, d, "Error", "ErrorPath");
    exclusive(v, d, "Cause", "CausePath");
    check_text_field(v, d, "Error");
    check_text_field(v, d, "Cause");
    check_fail_path(v, d, "ErrorPath");
    check_fail_path(v, d, "CausePath");
}

/* ---- Parallel
 * -------------------------------------------------------------------- */

void sl__check_parallel(sl_vctx *v, sl_state *st, sl_ql machine_ql)
{
    json_object *b = sl__get(st->def, "Branches");
    if (!sl__has(st->def, "Branches")) {
        sl__err(v, SL_SCHEMA, "These fields are required: [Branches]");
        return;
    }
    size_t mark = sl__ptr_push(v, "Branches");
    if (!json_object_is_type(b, json_type_array)) {
        sl__err(v, SL_SCHEMA, "The field 'Branches' must be an array");
    } else if (json_object_array_length(b) == 0) {
        sl__err(v, SL_SCHEMA, "Value cannot be empty");
    } else {
        size_t n = json_object_array_length(b);
        st->branches = bt_xcalloc(n, sizeof *st->branches);
        for (size_t i = 0; i < n; i++) {
            size_t imark = sl__ptr_push_index(v, i);
            sl_scope *sc = sl__scope_build(v, json_object_array_get_idx(b, i),
                                           st->scope, st, machine_ql);
            if (sc)
                st->branches[st->nbranches++] = sc;
            sl__ptr_pop(v, imark);
        }
    }
    sl__ptr_pop(v, mark);
}

/* ---- Map
 * ------------------------------------------------------------------------- */

static void check_enum(sl_vctx *v, json_object *obj, const char *name,
                       const char *const *values, const char *shown)
{
    if (!sl__has(obj, name))
        return;
    json_object *f = sl__get(obj, name);
    const char *s = json_object_is_type(f, json_type_string)
                        ? json_object_get_string(f)
                        : "";
    for (size_t i = 0; values[i]; i++)
        if (!strcmp(s, values[i]))
            return;
    sl__err_field(v, name, SL_SCHEMA,
                  "The field '%s' should have one of these values: [%s]", name,
                  shown);
}

static void check_only(sl_vctx *v, json_object *obj, const char *const *allowed)
{
    json_object_object_foreach(obj, key, val)
    {
        (void)val;
        bool ok = false;
        for (size_t i = 0; allowed[i] && !ok; i++)
            ok = !strcmp(allowed[i], key);
        if (!ok)
            sl__err(v, SL_SCHEMA, "Field '%s' is not supported", key);
    }
}

static void check_processor_config(sl_vctx *v, json_object *proc)
{
    json_object *pc = sl__get(proc, "ProcessorConfig");
    if (!sl__has(proc, "ProcessorConfig"))
        return;
    size_t mark = sl__ptr_push(v, "ProcessorConfig");
    if (!json_object_is_type(pc, json_type_object)) {
        sl__err(v, SL_SCHEMA, "The field 'ProcessorConfig' must be an object");
    } else {
        static const char *const keys[] = {"Mode", "ExecutionType", NULL};
        static const char *const modes[] = {"INLINE", "DISTRIBUTED", NULL};
        static const char *const types[] = {"STANDARD", "EXPRESS", NULL};
        check_only(v, pc, keys);
        check_enum(v, pc, "Mode", modes, "INLINE, DISTRIBUTED");
        check_enum(v, pc, "ExecutionType", types, "STANDARD, EXPRESS");
    }
    sl__ptr_pop(v, mark);
}

static void check_processor(sl_vctx *v, sl_state *st, sl_ql machine_ql)
{
    json_object *d = st->def;
    bool legacy = sl__has(d, "Iterator");
    if (legacy && sl__has(d, "ItemProcessor")) {
        sl__err(v, SL_SCHEMA,
                "The fields 'ItemProcessor' and 'Iterator' cannot be used "
                "together");
        legacy = false;
    } else if (!legacy && !sl__has(d, "ItemProcessor")) {
        sl__err(v, SL_SCHEMA, "These fields are required: [ItemProcessor]");
        return;
    }
    const char *name = legacy ? "Iterator" : "ItemProcessor";
    json_object *proc = sl__get(d, name);
    size_t mark = sl__ptr_push(v, name);
    st->processor = sl__scope_build(v, proc, st->scope, st, machine_ql);
    if (st->processor)
        check_processor_config(v, proc);
    sl__ptr_pop(v, mark);
}

/* A sub-object that holds a Parameters template (JSONPath) or Arguments
 * (JSONata), as ItemReader and ResultWriter do. */
static void check_io_args(sl_vctx *v, json_object *obj, sl_ql ql)
{
    if (sl__has(obj, "Parameters")) {
        if (ql == SL_QL_JSONATA)
            sl__err(v, SL_SCHEMA,
                    "The QueryLanguage is set to 'JSONata', but field "
                    "'Parameters' is only supported for the 'JSONPath' "
                    "QueryLanguage");
        else
            sl__check_template(v, sl__get(obj, "Parameters"), "Parameters");
    }
    if (sl__has(obj, "Arguments")) {
        size_t mark = sl__ptr_push(v, "Arguments");
        if (ql == SL_QL_JSONPATH)
            sl__err(v, SL_SCHEMA,
                    "The QueryLanguage is set to 'JSONPath', but field "
                    "'Arguments' is only supported for the 'JSONata' "
                    "QueryLanguage");
        else
            sl__check_jsonata_value(v, sl__get(obj, "Arguments"));
        sl__ptr_pop(v, mark);
    }
}

static void check_sub_resource(sl_vctx *v, json_object *obj, bool required)
{
    json_object *r = sl__get(obj, "Resource");
    if (!sl__has(obj, "Resource")) {
        if (required)
            sl__err(v, SL_SCHEMA, "These fields are required: [Resource]");
        return;
    }
    const char *s = json_object_is_type(r, json_type_string)
                        ? json_object_get_string(r)
                        : "";
    if (sl__resource_classify(s, NULL) != SL_RES_INTEGRATION)
        sl__err_field(v, "Resource", SL_SCHEMA,
                      "The resource provided %s is not recognized. The value "
                      "is not a valid resource ARN, or the resource is not "
                      "available in this region.",
                      s);
}

static void check_item_reader(sl_vctx *v, json_object *d, sl_ql ql)
{
    json_object *r = sl__get(d, "ItemReader");
    if (!sl__has(d, "ItemReader"))
        return;
    size_t mark = sl__ptr_push(v, "ItemReader");
    if (!json_object_is_type(r, json_type_object)) {
        sl__err(v, SL_SCHEMA, "The field 'ItemReader' must be an object");
        sl__ptr_pop(v, mark);
        return;
    }
    static const char *const keys[] = {"Resource", "ReaderConfig", "Parameters",
                                       "Arguments", NULL};
    check_only(v, r, keys);
    check_sub_resource(v, r, true);
    check_io_args(v, r, ql);
    json_object *rc = sl__get(r, "ReaderConfig");
    if (sl__has(r, "ReaderConfig")) {
        size_t rmark = sl__ptr_push(v, "ReaderConfig");
        if (!json_object_is_type(rc, json_type_object)) {
            sl__err(v, SL_SCHEMA, "The field 'ReaderConfig' must be an object");
        } else {
            exclusive(v, rc, "MaxItems", "MaxItemsPath");
            sl__check_int_field(v, rc, "MaxItems", 0, 100000000, ql);
            sl__check_path_field(v, rc, "MaxItemsPath", true, false);
        }
        sl__ptr_pop(v, rmark);
    }
    sl__ptr_pop(v, mark);
}

static void check_item_batcher(sl_vctx *v, json_object *d, sl_ql ql)
{
    json_object *b = sl__get(d, "ItemBatcher");
    if (!sl__has(d, "ItemBatcher"))
        return;
    size_t mark = sl__ptr_push(v, "ItemBatcher");
    if (!json_object_is_type(b, json_type_object)) {
        sl__err(v, SL_SCHEMA, "The field 'ItemBatcher' must be an object");
        sl__ptr_pop(v, mark);
        return;
    }
    static const char *const keys[] = {"MaxItemsPerBatch",
                                       "MaxItemsPerBatchPath",
                                       "MaxInputBytesPerBatch",
                                       "MaxInputBytesPerBatchPath",
                                       "BatchInput",
                                       NULL};
    check_only(v, b, keys);
    exclusive(v, b, "MaxItemsPerBatch", "MaxItemsPerBatchPath");
    exclusive(v, b, "MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath");
    if (!sl__has(b, "MaxItemsPerBatch") &&
        !sl__has(b, "MaxItemsPerBatchPath") &&
        !sl__has(b, "MaxInputBytesPerBatch") &&
        !sl__has(b, "MaxInputBytesPerBatchPath"))
        sl__err(v, SL_SCHEMA,
                "At least one of the fields [MaxItemsPerBatch, "
                "MaxItemsPerBatchPath, MaxInputBytesPerBatch, "
                "MaxInputBytesPerBatchPath] is required");
    sl__check_int_field(v, b, "MaxItemsPerBatch", 1, 100000000, ql);
    sl__check_int_field(v, b, "MaxInputBytesPerBatch", 1, 262144, ql);
    sl__check_path_field(v, b, "MaxItemsPerBatchPath", true, false);
    sl__check_path_field(v, b, "MaxInputBytesPerBatchPath", true, false);
    if (sl__has(b, "BatchInput")) {
        if (ql == SL_QL_JSONPATH) {
            sl__check_template(v, sl__get(b, "BatchInput"), "BatchInput");
        } else {
            size_t bmark = sl__ptr_push(v, "BatchInput");
            sl__check_jsonata_value(v, sl__get(b, "BatchInput"));
            sl__ptr_pop(v, bmark);
        }
    }
    sl__ptr_pop(v, mark);
}

static void check_result_writer(sl_vctx *v, json_object *d, sl_ql ql)
{
    json_object *w = sl__get(d, "ResultWriter");
    if (!sl__has(d, "ResultWriter"))
        return;
    size_t mark = sl__ptr_push(v, "ResultWriter");
    if (!json_object_is_type(w, json_type_object)) {
        sl__err(v, SL_SCHEMA, "The field 'ResultWriter' must be an object");
        sl__ptr_pop(v, mark);
        return;
    }
    static const char *const keys[] = {"Resource", "Parameters", "Arguments",
                                       "WriterConfig", NULL};
    check_only(v, w, keys);
    check_sub_resource(v, w, false);
    check_io_args(v, w, ql);
    json_object *wc = sl__get(w, "WriterConfig");
    if (sl__has(w, "WriterConfig")) {
        size_t wmark = sl__ptr_push(v, "WriterConfig");
        static const char *const wkeys[] = {"OutputType", "Transformation",
                                            NULL};
        static const char *const outs[] = {"JSON", "JSONL", NULL};
        static const char *const trans[] = {"NONE", "COMPACT", "FLATTEN", NULL};
        if (!json_object_is_type(wc, json_type_object)) {
            sl__err(v, SL_SCHEMA, "The field 'WriterConfig' must be an object");
        } else {
            check_only(v, wc, wkeys);
            if (!sl__has(wc, "OutputType"))
                sl__err(v, SL_SCHEMA,
                        "These fields are required: [OutputType]");
            check_enum(v, wc, "OutputType", outs, "JSON, JSONL");
            check_enum(v, wc, "Transformation", trans,
                       "NONE, COMPACT, FLATTEN");
        }
        sl__ptr_pop(v, wmark);
    }
    sl__ptr_pop(v, mark);
}

static void check_label(sl_vctx *v, json_object *d)
{
    json_object *l = sl__get(d, "Label");
    if (!sl__has(d, "Label"))
        return;
    const char *s = json_object_is_type(l, json_type_string)
                        ? json_object_get_string(l)
                        : NULL;
    size_t chars = s ? bt_utf8_length(s, strlen(s)) : 0;
    bool ok = s && chars >= 1 && chars <= 40;
    for (const char *p = s; ok && *p; p++)
        ok = (unsigned char)*p >= 0x20 && *p != 0x7f &&
             !strchr(" ?*<>{}[]:;,\\|^~$#%&`\"", *p);
    if (!ok)
        sl__err_field(
            v, "Label", SL_SCHEMA,
            "The field 'Label' must be 1 to 40 characters without "
            "spaces, control characters or any of ?*<>{}[]:;,\\|^~$#%%&`\"");
}

static void check_tolerance(sl_vctx *v, json_object *d, sl_ql ql)
{
    exclusive(v, d, "MaxConcurrency", "MaxConcurrencyPath");
    exclusive(v, d, "ToleratedFailureCount", "ToleratedFailureCountPath");
    exclusive(v, d, "ToleratedFailurePercentage",
              "ToleratedFailurePercentagePath");
    sl__check_int_field(v, d, "MaxConcurrency", 0, INT32_MAX, ql);
    sl__check_int_field(v, d, "ToleratedFailureCount", 0, INT32_MAX, ql);
    sl__check_path_field(v, d, "MaxConcurrencyPath", true, false);
    sl__check_path_field(v, d, "ToleratedFailureCountPath", true, false);
    sl__check_path_field(v, d, "ToleratedFailurePercentagePath", true, false);
    json_object *p = sl__get(d, "ToleratedFailurePercentage");
    if (!sl__has(d, "ToleratedFailurePercentage"))
        return;
    size_t mark = sl__ptr_push(v, "ToleratedFailurePercentage");
    if (ql == SL_QL_JSONATA && json_object_is_type(p, json_type_string) &&
        sl__is_jsonata(json_object_get_string(p))) {
        sl__check_jsonata_string(v, json_object_get_string(p));
    } else {
        bool num = json_object_is_type(p, json_type_int) ||
                   json_object_is_type(p, json_type_double);
        double x = num ? json_object_get_double(p) : -1;
        if (!num || isnan(x) || x < 0 || x > 100)
            sl__err(v, SL_SCHEMA,
                    "The field 'ToleratedFailurePercentage' must be a number "
                    "between 0 and 100");
    }
    sl__ptr_pop(v, mark);
}

void sl__check_map(sl_vctx *v, sl_state *st, sl_ql machine_ql)
{
    json_object *d = st->def;
    check_processor(v, st, machine_ql);
    exclusive(v, d, "ItemSelector", "Parameters");
    if (st->ql == SL_QL_JSONPATH) {
        sl__check_path_field(v, d, "ItemsPath", true, false);
        if (sl__has(d, "ItemSelector"))
            sl__check_template(v, sl__get(d, "ItemSelector"), "ItemSelector");
        if (sl__has(d, "Parameters"))
            sl__check_template(v, sl__get(d, "Parameters"), "Parameters");
    } else {
        static const char *const jfields[] = {"Items", "ItemSelector"};
        for (size_t i = 0; i < 2; i++) {
            if (!sl__has(d, jfields[i]))
                continue;
            size_t mark = sl__ptr_push(v, jfields[i]);
            sl__check_jsonata_value(v, sl__get(d, jfields[i]));
            sl__ptr_pop(v, mark);
        }
    }
    check_item_reader(v, d, st->ql);
    check_item_batcher(v, d, st->ql);
    check_result_writer(v, d, st->ql);
    check_tolerance(v, d, st->ql);
    check_label(v, d);
}
