/*
 * Choice rules at run time: compiled once from a validated definition, then
 * evaluated against a state's effective input. Private to statelang/.
 */
#ifndef BATON_SL_CHOICE_INT_H
#define BATON_SL_CHOICE_INT_H

#include <stdbool.h>

#include "base/base.h"
#include "statelang/sl_path_int.h"

typedef struct sl_choice_rule sl_choice_rule;

/* Compiles one JSONPath Choice rule object (a top-level rule or a nested
 * one; Next/Assign/Comment are ignored here). The rule has passed
 * validation, so failures are unexpected, but are reported: returns 0 and a
 * new rule in *out, or BT_EPARSE with a new message in *err. */
int sl_choice_compile(json_object *rule, sl_choice_rule **out, char **err);
void sl_choice_free(sl_choice_rule *rule);

/* Evaluates the rule. Variable and *Path operands are paths over env->input
 * (the effective input), env->context ($$) or variables.
 * Returns 0 with *result set, or BT_ENOENT / BT_EINVAL with a new message in
 * *cause when the rule cannot be evaluated (a Variable path that does not
 * resolve for any operator but IsPresent: the message is sl_path_eval's,
 * which the caller wraps into AWS's States.Runtime cause). */
int sl_choice_eval(const sl_choice_rule *rule, const sl_path_env *env,
                   bool *result, char **cause);

#endif
