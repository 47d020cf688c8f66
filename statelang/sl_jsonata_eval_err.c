/*
 * JSONata evaluation errors: raising them (code, position, token and the
 * values their messages quote) and writing them out with the reference's
 * message templates ({{value}} as JSON, {{{message}}} as text).
 *
 * Invariant: only the latest raised error is kept; a raise always leaves
 * position -1 ("not known yet") for callers to fill in on the way out.
 */
#include "statelang/sl_jsonata_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- errors
 * ------------------------------------------------------------------
 */

static void raise_reset(sl__jn_ev *e, const char *code)
{
    memset(&e->err, 0, sizeof e->err);
    snprintf(e->err.code, sizeof e->err.code, "%s", code);
    e->err.position = -1;
}

int sl__jn_throw(sl__jn_ev *e, const char *code)
{
    raise_reset(e, code);
    return -1;
}

int sl__jn_throw_v(sl__jn_ev *e, const char *code, sl__jv value)
{
    raise_reset(e, code);
    e->err.value = value;
    e->err.has_value = true;
    return -1;
}

int sl__jn_throw_at(sl__jn_ev *e, const char *code, int position,
                    const char *token)
{
    raise_reset(e, code);
    e->err.position = position;
    e->err.token = token;
    return -1;
}

void sl__jn_err_locate(sl__jn_ev *e, int position, const char *token)
{
    if (e->err.position < 0)
        e->err.position = position;
    if (!e->err.token)
        e->err.token = token;
}

/* The reference's messages for evaluation errors. */
#define SL_JN_EVAL_ERRORS(X)                                                   \
    X("T0410", "Argument {{index}} of function {{token}} does not match "      \
               "function signature")                                           \
    X("T0411", "Context value is not a compatible type with argument "         \
               "{{index}} of function {{token}}")                              \
    X("T0412", "Argument {{index}} of function {{token}} must be an array of " \
               "{{type}}")                                                     \
    X("D1001", "Number out of range: {{value}}")                               \
    X("D1002", "Cannot negate a non-numeric value: {{value}}")                 \
    X("T1003", "Key in object structure must evaluate to a string; got: "      \
               "{{value}}")                                                    \
    X("D1004", "Regular expression matches zero length string")                \
    X("T1005", "Attempted to invoke a non-function. Did you mean "             \
               "${{{token}}}?")                                                \
    X("T1006", "Attempted to invoke a non-function")                           \
    X("T1007", "Attempted to partially apply a non-function. Did you mean "    \
               "${{{token}}}?")                                                \
    X("T1008", "Attempted to partially apply a non-function")                  \
    X("D1009", "Multiple key definitions evaluate to same key: {{value}}")     \
    X("T1010", "The matcher function argument passed to function {{token}} "   \
               "does not return the correct object structure")                 \
    X("T2001", "The left side of the {{token}} operator must evaluate to a "   \
               "number")                                                       \
    X("T2002", "The right side of the {{token}} operator must evaluate to a "  \
               "number")                                                       \
    X("T2003", "The left side of the range operator (..) must evaluate to an " \
               "integer")                                                      \
    X("T2004", "The right side of the range operator (..) must evaluate to "   \
               "an integer")                                                   \
    X("T2006", "The right side of the function application operator ~> must "  \
               "be a function")                                                \
    X("T2007", "Type mismatch when comparing values {{value}} and {{value2}} " \
               "in order-by clause")                                           \
    X("T2008", "The expressions within an order-by clause must evaluate to "   \
               "numeric or string values")                                     \
    X("T2009", "The values {{value}} and {{value2}} either side of operator "  \
               "{{token}} must be of the same data type")                      \
    X("T2010", "The expressions either side of operator {{token}} must "       \
               "evaluate to numeric or string values")                         \
    X("T2011", "The insert/update clause of the transform expression must "    \
               "evaluate to an object: {{value}}")                             \
    X("T2012", "The delete clause of the transform expression must evaluate "  \
               "to a string or array of strings: {{value}}")                   \
    X("T2013", "The transform expression clones the input object using the "   \
               "$clone() function.  This has been overridden in the current "  \
               "scope by a non-function.")                                     \
    X("D2014", "The size of the sequence allocated by the range operator "     \
               "(..) must not exceed 1e7.  Attempted to allocate {{value}}.")  \
    X("D3001", "Attempting to invoke string function on Infinity or NaN")      \
    X("D3010", "Second argument of replace function cannot be an empty "       \
               "string")                                                       \
    X("D3011", "Fourth argument of replace function must evaluate to a "       \
               "positive number")                                              \
    X("D3012", "Attempted to replace a matched string with a non-string "      \
               "value")                                                        \
    X("D3020", "Third argument of split function must evaluate to a positive " \
               "number")                                                       \
    X("D3030", "Unable to cast value to a number: {{value}}")                  \
    X("D3040", "Third argument of match function must evaluate to a positive " \
               "number")                                                       \
    X("D3050", "The second argument of reduce function must be a function "    \
               "with at least two arguments")                                  \
    X("D3060", "The sqrt function cannot be applied to a negative number: "    \
               "{{value}}")                                                    \
    X("D3061", "The power function has resulted in a value that cannot be "    \
               "represented as a JSON number: base={{value}}, "                \
               "exponent={{exp}}")                                             \
    X("D3070", "The single argument form of the sort function can only be "    \
               "applied to an array of strings or an array of numbers.  Use "  \
               "the second argument to specify a comparison function")         \
    X("D3080", "The picture string must only contain a maximum of two "        \
               "sub-pictures")                                                 \
    X("D3081", "The sub-picture must not contain more than one instance of "   \
               "the 'decimal-separator' character")                            \
    X("D3082", "The sub-picture must not contain more than one instance of "   \
               "the 'percent' character")                                      \
    X("D3083", "The sub-picture must not contain more than one instance of "   \
               "the 'per-mille' character")                                    \
    X("D3084", "The sub-picture must not contain both a 'percent' and a "      \
               "'per-mille' character")                                        \
    X("D3085", "The mantissa part of a sub-picture must contain at least one " \
               "character that is either an 'optional digit character' or a "  \
               "member of the 'decimal digit family'")                         \
    X("D3086", "The sub-picture must not contain a passive character that is " \
               "preceded by an active character and that is followed by "      \
               "another active character")                                     \
    X("D3087", "The sub-picture must not contain a 'grouping-separator' "      \
               "character that appears adjacent to a 'decimal-separator' "     \
               "character")                                                    \
    X("D3088", "The sub-picture must not contain a 'grouping-separator' at "   \
               "the end of the integer part")                                  \
    X("D3089", "The sub-picture must not contain two adjacent instances of "   \
               "the 'grouping-separator' character")                           \
    X("D3090", "The integer part of the sub-picture must not contain a "       \
               "member of the 'decimal digit family' that is followed by an "  \
               "instance of the 'optional digit character'")                   \
    X("D3091", "The fractional part of the sub-picture must not contain an "   \
               "instance of the 'optional digit character' that is followed "  \
               "by a member of the 'decimal digit family'")                    \
    X("D3092", "A sub-picture that contains a 'percent' or 'per-mille' "       \
               "character must not contain a character treated as an "         \
               "'exponent-separator'")                                         \
    X("D3093", "The exponent part of the sub-picture must comprise only of "   \
               "one or more characters that are members of the 'decimal "      \
               "digit family'")                                                \
    X("D3100", "The radix of the formatBase function must be between 2 and "   \
               "36.  It was given {{value}}")                                  \
    X("D3110", "The argument of the toMillis function must be an ISO 8601 "    \
               "formatted timestamp. Given {{value}}")                         \
    X("D3120", "Syntax error in expression passed to function eval: "          \
               "{{value}}")                                                    \
    X("D3121", "Dynamic error evaluating the expression passed to function "   \
               "eval: {{value}}")                                              \
    X("D3130", "Formatting or parsing an integer as a sequence starting with " \
               "{{value}} is not supported by this implementation")            \
    X("D3131", "In a decimal digit pattern, all digits must be from the same " \
               "decimal group")                                                \
    X("D3132", "Unknown component specifier {{value}} in date/time picture "   \
               "string")                                                       \
    X("D3133", "The 'name' modifier can only be applied to months and days "   \
               "in the date/time picture string, not {{value}}")               \
    X("D3134", "The timezone integer format specifier cannot have more than "  \
               "four digits")                                                  \
    X("D3135", "No matching closing bracket ']' in date/time picture string")  \
    X("D3136", "The date/time picture string is missing specifiers required "  \
               "to parse the timestamp")                                       \
    X("D3137", "{{{message}}}")                                                \
    X("D3138", "The $single() function expected exactly 1 matching result.  "  \
               "Instead it matched more.")                                     \
    X("D3139", "The $single() function expected exactly 1 matching result.  "  \
               "Instead it matched 0.")                                        \
    X("D3140", "Malformed URL passed to ${{{functionName}}}(): {{value}}")     \
    X("D3141", "{{{message}}}")                                                \
    X("D3150", "Unable to parse the JSON text passed to $parse: {{value}}")    \
    X("D3160", "The size argument of $partition must be a positive integer: "  \
               "{{value}}")                                                    \
    X("D3161", "The step argument of $range must not be zero")                 \
    X("D3162", "Unsupported hash algorithm passed to $hash: {{value}}")        \
    X(SL_JSONATA_ELIMIT, "{{{message}}}")

static const char *eval_template(const char *code)
{
#define SL_JN_EVAL_MATCH(c, text)                                              \
    if (strcmp(code, c) == 0)                                                  \
        return text;
    SL_JN_EVAL_ERRORS(SL_JN_EVAL_MATCH)
#undef SL_JN_EVAL_MATCH
    return NULL;
}

static void put_quoted(bt_buf *b, const char *s)
{
    sl__jv v = sl__jv_str_ref(s ? s : "", s ? strlen(s) : 0);
    if (!s)
        bt_buf_puts(b, "undefined");
    else
        sl__jn_stringify(b, v);
}

static size_t fill_field(const sl__jn_raise *r, const char *t, bt_buf *b)
{
    if (strncmp(t, "{{{message}}}", 13) == 0) {
        bt_buf_puts(b, r->message ? r->message : "");
        return 13;
    }
    if (strncmp(t, "{{{token}}}", 11) == 0) {
        bt_buf_puts(b, r->token ? r->token : "");
        return 11;
    }
    if (strncmp(t, "{{{functionName}}}", 18) == 0) {
        bt_buf_puts(b, r->fn_name ? r->fn_name : "");
        return 18;
    }
    if (strncmp(t, "{{value}}", 9) == 0) {
        if (r->has_value)
            sl__jn_stringify(b, r->value);
        else
            bt_buf_puts(b, "undefined");
        return 9;
    }
    if (strncmp(t, "{{value2}}", 10) == 0 || strncmp(t, "{{exp}}", 7) == 0) {
        if (r->has_value2)
            sl__jn_stringify(b, r->value2);
        else
            bt_buf_puts(b, "undefined");
        return t[2] == 'v' ? 10 : 7;
    }
    if (strncmp(t, "{{token}}", 9) == 0) {
        put_quoted(b, r->token);
        return 9;
    }
    if (strncmp(t, "{{index}}", 9) == 0) {
        bt_buf_printf(b, "%d", r->index);
        return 9;
    }
    if (strncmp(t, "{{type}}", 8) == 0) {
        put_quoted(b, r->message);
        return 8;
    }
    return 0;
}

void sl__jn_error_export(const sl__jn_ev *e, sl_jsonata_error *err)
{
    const sl__jn_raise *r = &e->err;
    memset(err, 0, sizeof *err);
    snprintf(err->code, sizeof err->code, "%s", r->code);
    err->position = r->position < 0 ? 0 : r->position;
    err->token = r->token ? bt_xstrdup(r->token) : NULL;
    const char *t = eval_template(r->code);
    if (!t) {
        err->message = bt_xstrdup(r->message ? r->message : r->code);
        return;
    }
    bt_buf b;
    bt_buf_init(&b);
    while (*t) {
        size_t used = *t == '{' ? fill_field(r, t, &b) : 0;
        if (used)
            t += used;
        else
            bt_buf_putc(&b, *t++);
    }
    err->message = bt_buf_take(&b);
}
