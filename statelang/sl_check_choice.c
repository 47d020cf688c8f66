/*
 * Choice rules (reference §2.4, §5, rule V18): JSONPath rules with Variable
 * and one comparison operator or And/Or/Not at any depth; JSONata rules with
 * Condition. Top-level rules carry Next; nested rules must not.
 */
#include "statelang/statelang_int.h"

#include <stdlib.h>
#include <string.h>

static const struct choice_op {
    const char *name;
    sl_operand operand;
} choice_ops[] = {
#define SL_OP_ROW(name, operand) {#name, operand},
    SL_CHOICE_OPS(SL_OP_ROW)
#undef SL_OP_ROW
};

static const struct choice_op *find_op(const char *name)
{
    for (size_t i = 0; i < sizeof choice_ops / sizeof *choice_ops; i++)
        if (!strcmp(choice_ops[i].name, name))
            return &choice_ops[i];
    return NULL;
}

/* A StringMatches pattern: a backslash escapes the next character and may
 * not end the pattern. */
static bool pattern_ok(const char *s)
{
    for (; *s; s++)
        if (*s == '\\' && *++s == '\0')
            return false;
    return true;
}

static void check_operand(sl_vctx *v, json_object *rule,
                          const struct choice_op *op)
{
    json_object *val = sl__get(rule, op->name);
    size_t mark = sl__ptr_push(v, op->name);
    const char *s = json_object_is_type(val, json_type_string)
                        ? json_object_get_string(val)
                        : NULL;
    int64_t us;
    switch (op->operand) {
    case SL_CMP_STRING:
        if (!s)
            sl__err(v, SL_SCHEMA, "The field '%s' must be a string", op->name);
        break;
    case SL_CMP_PATTERN:
        if (!s || !pattern_ok(s))
            sl__err(v, SL_SCHEMA,
                    "The field '%s' must be a pattern string; a backslash "
                    "must be followed by a character",
                    op->name);
        break;
    case SL_CMP_NUMBER:
        if (!json_object_is_type(val, json_type_int) &&
            !json_object_is_type(val, json_type_double))
            sl__err(v, SL_SCHEMA, "The field '%s' must be a number", op->name);
        break;
    case SL_CMP_BOOL:
        if (!json_object_is_type(val, json_type_boolean))
            sl__err(v, SL_SCHEMA, "The field '%s' must be a boolean", op->name);
        break;
    case SL_CMP_TIMESTAMP:
        if (!s || !sl_timestamp_parse(s, &us))
            sl__err(v, SL_SCHEMA, "String does not match RFC3339 timestamp");
        break;
    case SL_CMP_PATH:
        sl__ptr_pop(v, mark);
        sl__check_path_field(v, rule, op->name, false, false);
        return;
    }
    sl__ptr_pop(v, mark);
}

static void check_rule(sl_vctx *v, json_object *rule, bool top, int depth);

static void check_rule_list(sl_vctx *v, json_object *rule, const char *name,
                            int depth)
{
    json_object *list = sl__get(rule, name);
    size_t mark = sl__ptr_push(v, name);
    if (!json_object_is_type(list, json_type_array)) {
        sl__err(v, SL_SCHEMA, "The field '%s' must be an array of rules", name);
    } else if (json_object_array_length(list) == 0) {
        sl__err(v, SL_SCHEMA, "Value cannot be empty");
    } else {
        for (size_t i = 0; i < json_object_array_length(list); i++) {
            size_t imark = sl__ptr_push_index(v, i);
            check_rule(v, json_object_array_get_idx(list, i), false, depth + 1);
            sl__ptr_pop(v, imark);
        }
    }
    sl__ptr_pop(v, mark);
}

/* Counts the rule's operators and boolean combinators; reports keys that
 * belong to neither. */
static void classify_keys(sl_vctx *v, json_object *rule, bool top,
                          const struct choice_op **op, int *nops, int *ncombine)
{
    json_object_object_foreach(rule, key, val)
    {
        (void)val;
        const struct choice_op *o = find_op(key);
        if (o) {
            *op = o;
            (*nops)++;
        } else if (!strcmp(key, "And") || !strcmp(key, "Or") ||
                   !strcmp(key, "Not")) {
            (*ncombine)++;
        } else if (!strcmp(key, "Condition") || !strcmp(key, "Output")) {
            sl__err(v, SL_SCHEMA,
                    "The QueryLanguage is set to 'JSONPath', but field '%s' "
                    "is only supported for the 'JSONata' QueryLanguage",
                    key);
        } else if (strcmp(key, "Variable") && strcmp(key, "Comment") &&
                   !(top && (!strcmp(key, "Next") || !strcmp(key, "Assign")))) {
            sl__err(v, SL_SCHEMA, "Field '%s' is not supported", key);
        }
    }
}

static void check_rule(sl_vctx *v, json_object *rule, bool top, int depth)
{
    if (!json_object_is_type(rule, json_type_object)) {
        sl__err(v, SL_SCHEMA, "A Choice Rule must be an object");
        return;
    }
    if (depth > 100) {
        sl__err(v, SL_SCHEMA, "Choice Rules nest too deeply");
        return;
    }
    const struct choice_op *op = NULL;
    int nops = 0, ncombine = 0;
    classify_keys(v, rule, top, &op, &nops, &ncombine);
    bool has_var = sl__has(rule, "Variable");
    if (ncombine > 1 || (ncombine == 1 && (nops > 0 || has_var)))
        sl__err(v, SL_SCHEMA,
                "A Choice Rule must have either one of And, Or, Not, or a "
                "Variable with one comparison operator");
    else if (ncombine == 0 && nops != 1)
        sl__err(v, SL_SCHEMA,
                "A Choice Rule must have exactly one comparison operator");
    else if (ncombine == 0 && !has_var)
        sl__err(v, SL_SCHEMA, "These fields are required: [Variable]");
    if (has_var)
        sl__check_path_field(v, rule, "Variable", false, false);
    if (nops == 1)
        check_operand(v, rule, op);
    if (sl__has(rule, "And"))
        check_rule_list(v, rule, "And", depth);
    if (sl__has(rule, "Or"))
        check_rule_list(v, rule, "Or", depth);
    if (sl__has(rule, "Not")) {
        size_t mark = sl__ptr_push(v, "Not");
        check_rule(v, sl__get(rule, "Not"), false, depth + 1);
        sl__ptr_pop(v, mark);
    }
    if (top && sl__has(rule, "Assign"))
        sl__check_assign(v, sl__get(rule, "Assign"), SL_QL_JSONPATH);
}

static void check_jsonata_rule(sl_vctx *v, json_object *rule)
{
    if (!json_object_is_type(rule, json_type_object)) {
        sl__err(v, SL_SCHEMA, "A Choice Rule must be an object");
        return;
    }
    json_object_object_foreach(rule, key, val)
    {
        (void)val;
        if (!strcmp(key, "Variable") || find_op(key) || !strcmp(key, "And") ||
            !strcmp(key, "Or") || !strcmp(key, "Not"))
            sl__err(v, SL_SCHEMA,
                    "The QueryLanguage is set to 'JSONata', but field '%s' is "
                    "only supported for the 'JSONPath' QueryLanguage",
                    key);
        else if (strcmp(key, "Condition") && strcmp(key, "Next") &&
                 strcmp(key, "Assign") && strcmp(key, "Output") &&
                 strcmp(key, "Comment"))
            sl__err(v, SL_SCHEMA, "Field '%s' is not supported", key);
    }
    json_object *c = sl__get(rule, "Condition");
    if (!sl__has(rule, "Condition")) {
        sl__err(v, SL_SCHEMA, "These fields are required: [Condition]");
    } else {
        size_t mark = sl__ptr_push(v, "Condition");
        if (!json_object_is_type(c, json_type_boolean) &&
            !(json_object_is_type(c, json_type_string) &&
              sl__is_jsonata(json_object_get_string(c))))
            sl__err(v, SL_SCHEMA,
                    "The field 'Condition' must be a boolean or a JSONata "
                    "expression");
        sl__check_jsonata_value(v, c);
        sl__ptr_pop(v, mark);
    }
    if (sl__has(rule, "Output")) {
        size_t mark = sl__ptr_push(v, "Output");
        sl__check_jsonata_value(v, sl__get(rule, "Output"));
        sl__ptr_pop(v, mark);
    }
    if (sl__has(rule, "Assign"))
        sl__check_assign(v, sl__get(rule, "Assign"), SL_QL_JSONATA);
}

void sl__check_choices(sl_vctx *v, json_object *state, sl_ql ql)
{
    json_object *d = sl__get(state, "Default");
    if (sl__has(state, "Default") && !json_object_is_type(d, json_type_string))
        sl__err_field(v, "Default", SL_SCHEMA,
                      "The field 'Default' must be a string");
    json_object *choices = sl__get(state, "Choices");
    if (!sl__has(state, "Choices")) {
        sl__err(v, SL_SCHEMA, "These fields are required: [Choices]");
        return;
    }
    size_t mark = sl__ptr_push(v, "Choices");
    if (!json_object_is_type(choices, json_type_array)) {
        sl__err(v, SL_SCHEMA, "The field 'Choices' must be an array");
    } else if (json_object_array_length(choices) == 0) {
        sl__err(v, SL_SCHEMA, "Value cannot be empty");
    } else {
        for (size_t i = 0; i < json_object_array_length(choices); i++) {
            size_t imark = sl__ptr_push_index(v, i);
            json_object *rule = json_object_array_get_idx(choices, i);
            if (ql == SL_QL_JSONATA)
                check_jsonata_rule(v, rule);
            else
                check_rule(v, rule, true, 0);
            if (json_object_is_type(rule, json_type_object)) {
                json_object *next = sl__get(rule, "Next");
                if (!sl__has(rule, "Next"))
                    sl__err(v, SL_SCHEMA, "These fields are required: [Next]");
                else if (!json_object_is_type(next, json_type_string))
                    sl__err_field(v, "Next", SL_SCHEMA,
                                  "The field 'Next' must be a string");
            }
            sl__ptr_pop(v, imark);
        }
    }
    sl__ptr_pop(v, mark);
}
