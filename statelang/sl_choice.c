/*
 * JSONPath Choice rules (reference §5.1-§5.4): a validated rule object is
 * compiled once into a tree (And/Or/Not nodes over data tests) whose
 * operands are parsed up front — paths, StringMatches patterns, timestamps,
 * number texts — so evaluation only walks the tree and compares.
 *
 * Invariants: a compiled rule never changes and owns everything it points
 * to; evaluation never mutates the rule and never fails on a type mismatch
 * (that is a false test), only on a path that does not resolve.
 *
 * Numbers compare exactly. Two JSON integers (json-c int64/uint64) compare
 * as integers. Otherwise each side is read as the decimal its JSON text
 * spells — json-c keeps a parsed double's source text, and a computed
 * double is taken at the text it would be serialised as — so
 * 9007199254740993 > 9007199254740992.0 and 0.1 == 0.10 are decided on the
 * digits, never on a rounded binary double. Only a text that is not a
 * decimal (NaN, Infinity from a computation) falls back to doubles.
 */
#include "statelang/sl_choice_int.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "statelang/statelang_int.h"

/* Deeper nesting than the validator allows (sl_check_choice.c) is refused
 * so that compile and eval recursion stay bounded. */
#define CHOICE_MAX_DEPTH 100

/* |exponent| cap when reading a number's text: far beyond any double, small
 * enough that adding a digit count can never overflow int64. */
#define DEC_EXP_CAP INT64_C(1000000000000000)

/* ---- Operators ------------------------------------------------------------
 * The SL_CHOICE_OPS table is the one list of names; what each one tests is
 * read off its name once, at compile time.                                */

static const struct choice_op {
    const char *name;
    sl_operand operand;
} choice_ops[] = {
#define SL_OP_ROW(name, operand) {#name, operand},
    SL_CHOICE_OPS(SL_OP_ROW)
#undef SL_OP_ROW
};

typedef enum family {
    FAM_STRING,
    FAM_NUMERIC,
    FAM_BOOLEAN,
    FAM_TIMESTAMP,
    FAM_IS
} family;

typedef enum relation {
    REL_EQ,
    REL_LT,
    REL_GT,
    REL_LE,
    REL_GE,
    REL_MATCH,
    /* Is* predicates */
    REL_NULL,
    REL_PRESENT,
    REL_NUMERIC,
    REL_STRING,
    REL_BOOLEAN,
    REL_TIMESTAMP
} relation;

static const struct {
    const char *prefix;
    family fam;
} families[] = {{"String", FAM_STRING},
                {"Numeric", FAM_NUMERIC},
                {"Boolean", FAM_BOOLEAN},
                {"Timestamp", FAM_TIMESTAMP},
                {"Is", FAM_IS}};

static const struct {
    const char *suffix;
    relation rel;
} relations[] = {
    {"Equals", REL_EQ},
    {"LessThan", REL_LT},
    {"GreaterThan", REL_GT},
    {"LessThanEquals", REL_LE},
    {"GreaterThanEquals", REL_GE},
    {"Matches", REL_MATCH},
    {"Null", REL_NULL},
    {"Present", REL_PRESENT},
    {"Numeric", REL_NUMERIC},
    {"String", REL_STRING},
    {"Boolean", REL_BOOLEAN},
    {"Timestamp", REL_TIMESTAMP},
};

/* Splits an operator name into family and relation ("NumericLessThanPath"
 * -> numeric, <). Returns false for a name this file does not understand. */
static bool op_classify(const struct choice_op *op, family *fam, relation *rel)
{
    size_t n = strlen(op->name);
    if (op->operand == SL_CMP_PATH) {
        if (n < 4 || strcmp(op->name + n - 4, "Path") != 0)
            return false;
        n -= 4;
    }
    for (size_t f = 0; f < sizeof families / sizeof *families; f++) {
        size_t pn = strlen(families[f].prefix);
        if (n < pn || strncmp(op->name, families[f].prefix, pn) != 0)
            continue;
        for (size_t r = 0; r < sizeof relations / sizeof *relations; r++) {
            const char *sfx = relations[r].suffix;
            if (strlen(sfx) == n - pn && !strncmp(op->name + pn, sfx, n - pn)) {
                *fam = families[f].fam;
                *rel = relations[r].rel;
                return (*fam == FAM_IS) == (*rel >= REL_NULL);
            }
        }
    }
    return false;
}

/* ---- The compiled tree ----------------------------------------------------
 */

typedef enum rule_kind { RULE_AND, RULE_OR, RULE_NOT, RULE_TEST } rule_kind;

/* A JSON number ready to compare: integers as sign and magnitude, anything
 * else as its JSON text. */
typedef struct num {
    bool is_int;
    bool neg;
    uint64_t mag;
    const char *text; /* !is_int: JSON text (borrowed or the rule's) */
    double d;         /* fallback when text is not a decimal */
} num;

/* Pattern token: a literal byte 0..255, or PAT_STAR. */
#define PAT_STAR (-1)

struct sl_choice_rule {
    rule_kind kind;
    sl_choice_rule **kids; /* And/Or: nkids >= 1; Not: exactly 1 */
    size_t nkids;
    /* RULE_TEST */
    sl_path *var;
    const char *op_name; /* static, from choice_ops */
    sl_operand operand;
    family fam;
    relation rel;
    char *str; /* SL_CMP_STRING (str_len bytes) or a double's text */
    size_t str_len;
    int16_t *pat; /* SL_CMP_PATTERN tokens */
    size_t pat_len;
    num number;    /* SL_CMP_NUMBER */
    bool boolean;  /* SL_CMP_BOOL */
    int64_t ts_us; /* SL_CMP_TIMESTAMP */
    sl_path *path; /* SL_CMP_PATH */
};

void sl_choice_free(sl_choice_rule *rule)
{
    if (!rule)
        return;
    for (size_t i = 0; i < rule->nkids; i++)
        sl_choice_free(rule->kids[i]);
    free(rule->kids);
    sl_path_free(rule->var);
    sl_path_free(rule->path);
    free(rule->str);
    free(rule->pat);
    free(rule);
}

/* ---- Compiling ------------------------------------------------------------
 */

static int compile_rule(json_object *j, int depth, sl_choice_rule **out,
                        char **err);

static int fail_parse(char **err, char *msg)
{
    *err = msg;
    return BT_EPARSE;
}

/* Takes ownership of perr, sl_path_parse's message. */
static int fail_path(char **err, const char *field, char *perr)
{
    *err = bt_xasprintf("Choice rule: %s: %s", field,
                        perr ? perr : "invalid path");
    free(perr);
    return BT_EPARSE;
}

static int compile_list(json_object *list, const char *name, int depth,
                        sl_choice_rule *r, char **err)
{
    if (!json_object_is_type(list, json_type_array) ||
        json_object_array_length(list) == 0)
        return fail_parse(err, bt_xasprintf("Choice rule: '%s' must be a "
                                            "non-empty array of rules",
                                            name));
    size_t n = json_object_array_length(list);
    r->kids = bt_xcalloc(n, sizeof *r->kids);
    for (size_t i = 0; i < n; i++) {
        int rc = compile_rule(json_object_array_get_idx(list, i), depth + 1,
                              &r->kids[i], err);
        if (rc)
            return rc;
        r->nkids++;
    }
    return 0;
}

/* A StringMatches pattern as tokens: '*' is any run, '\x' the literal x;
 * runs of stars collapse to one (same language, less work). */
static int compile_pattern(json_object *val, sl_choice_rule *r, char **err)
{
    size_t n = (size_t)json_object_get_string_len(val);
    const char *s = json_object_get_string(val);
    r->pat = bt_xcalloc(n ? n : 1, sizeof *r->pat);
    for (size_t i = 0; i < n; i++) {
        int16_t t = (int16_t)(unsigned char)s[i];
        if (s[i] == '*') {
            t = PAT_STAR;
        } else if (s[i] == '\\') {
            if (++i == n)
                return fail_parse(err, bt_xasprintf("Choice rule: the "
                                                    "StringMatches pattern "
                                                    "ends in a backslash"));
            t = (int16_t)(unsigned char)s[i];
        }
        if (t == PAT_STAR && r->pat_len && r->pat[r->pat_len - 1] == PAT_STAR)
            continue;
        r->pat[r->pat_len++] = t;
    }
    return 0;
}

static void num_from_json(json_object *o, num *n)
{
    memset(n, 0, sizeof *n);
    n->d = json_object_get_double(o);
    if (!json_object_is_type(o, json_type_int)) {
        n->text = json_object_to_json_string(o);
        return;
    }
    n->is_int = true;
    int64_t i = json_object_get_int64(o);
    if (i == INT64_MAX) /* also what json-c says for a uint64 above it */
        n->mag = json_object_get_uint64(o);
    else
        n->mag = i < 0 ? (uint64_t)0 - (uint64_t)i : (uint64_t)i;
    n->neg = i < 0;
}

static int compile_operand(json_object *val, sl_choice_rule *r, char **err)
{
    bool is_str = json_object_is_type(val, json_type_string);
    const char *s = is_str ? json_object_get_string(val) : NULL;
    char *perr = NULL;
    switch (r->operand) {
    case SL_CMP_STRING:
        if (!is_str)
            break;
        r->str_len = (size_t)json_object_get_string_len(val);
        r->str = bt_xstrndup(s, r->str_len); /* keeps embedded NULs */
        return 0;
    case SL_CMP_PATTERN:
        return is_str ? compile_pattern(val, r, err) : BT_EINVAL;
    case SL_CMP_NUMBER:
        if (!json_object_is_type(val, json_type_int) &&
            !json_object_is_type(val, json_type_double))
            break;
        num_from_json(val, &r->number);
        if (!r->number.is_int) {
            r->str = bt_xstrdup(r->number.text);
            r->number.text = r->str;
        }
        return 0;
    case SL_CMP_BOOL:
        r->boolean = json_object_get_boolean(val);
        return json_object_is_type(val, json_type_boolean) ? 0 : BT_EINVAL;
    case SL_CMP_TIMESTAMP:
        return is_str && sl_timestamp_parse(s, &r->ts_us) ? 0 : BT_EINVAL;
    case SL_CMP_PATH:
        if (!is_str)
            break;
        if (sl_path_parse(s, 0, &r->path, &perr) == 0)
            return 0;
        return fail_path(err, r->op_name, perr);
    }
    return BT_EINVAL;
}

static int compile_test(json_object *j, sl_choice_rule *r, char **err)
{
    const struct choice_op *op = NULL;
    json_object *val = NULL, *var = NULL;
    for (size_t i = 0; i < sizeof choice_ops / sizeof *choice_ops; i++) {
        json_object *v;
        if (!json_object_object_get_ex(j, choice_ops[i].name, &v))
            continue;
        if (op)
            return fail_parse(err, bt_xasprintf("Choice rule: more than one "
                                                "comparison operator"));
        op = &choice_ops[i];
        val = v;
    }
    if (!op)
        return fail_parse(err, bt_xasprintf("Choice rule: no comparison "
                                            "operator, And, Or or Not"));
    r->op_name = op->name;
    r->operand = op->operand;
    if (!op_classify(op, &r->fam, &r->rel))
        return fail_parse(err, bt_xasprintf("Choice rule: operator '%s' is "
                                            "not supported",
                                            op->name));
    if (!json_object_object_get_ex(j, "Variable", &var) ||
        !json_object_is_type(var, json_type_string))
        return fail_parse(err, bt_xasprintf("Choice rule: 'Variable' must be "
                                            "a path string"));
    char *perr = NULL;
    if (sl_path_parse(json_object_get_string(var), 0, &r->var, &perr))
        return fail_path(err, "Variable", perr);
    int rc = compile_operand(val, r, err);
    if (rc == BT_EINVAL)
        return fail_parse(err, bt_xasprintf("Choice rule: the value of '%s' "
                                            "has the wrong type or format",
                                            op->name));
    return rc;
}

static int compile_rule(json_object *j, int depth, sl_choice_rule **out,
                        char **err)
{
    if (!json_object_is_type(j, json_type_object))
        return fail_parse(err, bt_xasprintf("Choice rule: a rule must be an "
                                            "object"));
    if (depth > CHOICE_MAX_DEPTH)
        return fail_parse(err, bt_xasprintf("Choice rule: rules nest more "
                                            "than %d levels",
                                            CHOICE_MAX_DEPTH));
    sl_choice_rule *r = bt_xcalloc(1, sizeof *r);
    json_object *f;
    int rc;
    if (json_object_object_get_ex(j, "And", &f)) {
        r->kind = RULE_AND;
        rc = compile_list(f, "And", depth, r, err);
    } else if (json_object_object_get_ex(j, "Or", &f)) {
        r->kind = RULE_OR;
        rc = compile_list(f, "Or", depth, r, err);
    } else if (json_object_object_get_ex(j, "Not", &f)) {
        r->kind = RULE_NOT;
        r->kids = bt_xcalloc(1, sizeof *r->kids);
        rc = compile_rule(f, depth + 1, &r->kids[0], err);
        r->nkids = rc ? 0 : 1;
    } else {
        r->kind = RULE_TEST;
        rc = compile_test(j, r, err);
    }
    if (rc) {
        sl_choice_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

int sl_choice_compile(json_object *rule, sl_choice_rule **out, char **err)
{
    return compile_rule(rule, 0, out, err);
}

/* ---- Strings ---------------------------------------------------------------
 * Byte order is code point order for UTF-8, so memcmp is the comparison. */

static int str_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    if (c)
        return c < 0 ? -1 : 1;
    return an < bn ? -1 : an > bn;
}

/* Greedy wildcard match with one backtrack point (the last star): each
 * mismatch after a star retries one byte further, so the cost is
 * O(len(s) * len(pat)) at worst and never exponential. A literal is a whole
 * UTF-8 sequence, which can only match at a character boundary of valid
 * UTF-8, so matching bytes matches characters. */
static bool pattern_match(const int16_t *pat, size_t m, const char *s, size_t n)
{
    size_t p = 0, i = 0, star = SIZE_MAX, resume = 0;
    while (i < n) {
        if (p < m && pat[p] == PAT_STAR) {
            star = p++;
            resume = i;
        } else if (p < m && pat[p] == (int16_t)(unsigned char)s[i]) {
            p++;
            i++;
        } else if (star != SIZE_MAX) {
            p = star + 1;
            i = ++resume;
        } else {
            return false;
        }
    }
    while (p < m && pat[p] == PAT_STAR)
        p++;
    return p == m;
}

/* ---- Numbers ---------------------------------------------------------------
 */

#define CMP_UNORDERED 2 /* a NaN is involved: every relation is false */

/* A decimal read off a number's text: sign * 0.D * 10^exp, D being the
 * digits from first to end with any '.' skipped (no leading or trailing
 * zeros). */
typedef struct dec {
    int sign; /* -1, +1, or 0 for zero */
    const char *first;
    const char *end;
    int64_t exp;
} dec;

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static const char *skip_digits(const char *s)
{
    while (is_digit(*s))
        s++;
    return s;
}

/* Reads "[-+]digits[.digits][(e|E)[-+]digits]"; false for anything else. */
static bool dec_parse(const char *s, dec *d)
{
    d->sign = *s == '-' ? -1 : 1;
    s += *s == '-' || *s == '+';
    const char *ib = s, *ie = skip_digits(s);
    const char *fb = ie, *fe = ie;
    if (*ie == '.')
        fe = skip_digits(fb = ie + 1);
    if (ib == ie && fb == fe)
        return false;
    s = fe;
    int64_t e = 0;
    if (*s == 'e' || *s == 'E') {
        bool eneg = *++s == '-';
        s += *s == '-' || *s == '+';
        if (!is_digit(*s))
            return false;
        for (; is_digit(*s); s++)
            if (e < DEC_EXP_CAP)
                e = e * 10 + (*s - '0');
        e = eneg ? -e : e;
    }
    if (*s)
        return false;
    d->first = NULL;
    for (const char *q = ib; q < ie && !d->first; q++)
        if (*q != '0') {
            d->first = q;
            d->exp = (int64_t)(ie - q) + e;
        }
    for (const char *q = fb; q < fe && !d->first; q++)
        if (*q != '0') {
            d->first = q;
            d->exp = -(int64_t)(q - fb) + e;
        }
    if (!d->first) {
        d->sign = 0;
        return true;
    }
    d->end = fe;
    while (d->end[-1] == '0' || d->end[-1] == '.')
        d->end--;
    return true;
}

static int dec_cmp(const dec *a, const dec *b)
{
    if (a->sign != b->sign)
        return a->sign < b->sign ? -1 : 1;
    if (a->sign == 0)
        return 0;
    int mag = 0;
    if (a->exp != b->exp) {
        mag = a->exp < b->exp ? -1 : 1;
    } else {
        const char *p = a->first, *q = b->first;
        for (;;) {
            p += *p == '.' && p < a->end;
            q += *q == '.' && q < b->end;
            if (p == a->end || q == b->end) {
                mag = (p != a->end) - (q != b->end);
                break;
            }
            if (*p != *q) {
                mag = *p < *q ? -1 : 1;
                break;
            }
            p++;
            q++;
        }
    }
    return a->sign * mag;
}

/* Reads n as a decimal; integers are printed into buf first. */
static bool num_dec(const num *n, char buf[32], dec *d)
{
    if (!n->is_int)
        return dec_parse(n->text, d);
    snprintf(buf, 32, "%s%" PRIu64, n->neg ? "-" : "", n->mag);
    return dec_parse(buf, d);
}

static int num_cmp(const num *a, const num *b)
{
    if (a->is_int && b->is_int) {
        if (a->neg != b->neg)
            return a->neg ? -1 : 1;
        int c = a->mag < b->mag ? -1 : a->mag > b->mag;
        return a->neg ? -c : c;
    }
    char abuf[32], bbuf[32];
    dec ad, bd;
    if (num_dec(a, abuf, &ad) && num_dec(b, bbuf, &bd))
        return dec_cmp(&ad, &bd);
    if (isnan(a->d) || isnan(b->d))
        return CMP_UNORDERED;
    return a->d < b->d ? -1 : a->d > b->d;
}

/* ---- Evaluation ------------------------------------------------------------
 */

static bool rel_holds(relation rel, int c)
{
    switch (rel) {
    case REL_EQ:
        return c == 0;
    case REL_LT:
        return c < 0;
    case REL_GT:
        return c > 0 && c != CMP_UNORDERED;
    case REL_LE:
        return c <= 0;
    case REL_GE:
        return c >= 0 && c != CMP_UNORDERED;
    default:
        return false;
    }
}

static bool is_number(json_object *v)
{
    return json_object_is_type(v, json_type_int) ||
           json_object_is_type(v, json_type_double);
}

/* A string that is a whole valid timestamp (an embedded NUL is not). */
static bool timestamp_of(json_object *v, int64_t *us)
{
    if (!json_object_is_type(v, json_type_string))
        return false;
    const char *s = json_object_get_string(v);
    return strlen(s) == (size_t)json_object_get_string_len(v) &&
           sl_timestamp_parse(s, us);
}

static bool test_is(const sl_choice_rule *r, json_object *v)
{
    int64_t us;
    bool holds = false;
    switch (r->rel) {
    case REL_NULL:
        holds = json_object_is_type(v, json_type_null);
        break;
    case REL_PRESENT:
        holds = true; /* a missing Variable never gets here */
        break;
    case REL_NUMERIC:
        holds = is_number(v);
        break;
    case REL_STRING:
        holds = json_object_is_type(v, json_type_string);
        break;
    case REL_BOOLEAN:
        holds = json_object_is_type(v, json_type_boolean);
        break;
    case REL_TIMESTAMP:
        holds = timestamp_of(v, &us);
        break;
    default:
        break;
    }
    return holds == r->boolean;
}

static bool test_string(const sl_choice_rule *r, json_object *v,
                        json_object *other)
{
    if (!json_object_is_type(v, json_type_string))
        return false;
    const char *s = json_object_get_string(v);
    size_t n = (size_t)json_object_get_string_len(v);
    if (r->rel == REL_MATCH)
        return pattern_match(r->pat, r->pat_len, s, n);
    if (!other)
        return rel_holds(r->rel, str_cmp(s, n, r->str, r->str_len));
    if (!json_object_is_type(other, json_type_string))
        return false;
    return rel_holds(r->rel,
                     str_cmp(s, n, json_object_get_string(other),
                             (size_t)json_object_get_string_len(other)));
}

/* other is the *Path operand's value, or NULL for a literal operand. */
static bool test_value(const sl_choice_rule *r, json_object *v,
                       json_object *other)
{
    bool by_path = r->operand == SL_CMP_PATH;
    num a, b = r->number;
    int64_t t, u = r->ts_us;
    switch (r->fam) {
    case FAM_STRING:
        return test_string(r, v, by_path ? other : NULL);
    case FAM_NUMERIC:
        if (!is_number(v) || (by_path && !is_number(other)))
            return false;
        num_from_json(v, &a);
        if (by_path)
            num_from_json(other, &b);
        return rel_holds(r->rel, num_cmp(&a, &b));
    case FAM_BOOLEAN:
        if (!json_object_is_type(v, json_type_boolean) ||
            (by_path && !json_object_is_type(other, json_type_boolean)))
            return false;
        return json_object_get_boolean(v) ==
               (by_path ? json_object_get_boolean(other) : r->boolean);
    case FAM_TIMESTAMP:
        if (!timestamp_of(v, &t) || (by_path && !timestamp_of(other, &u)))
            return false;
        return rel_holds(r->rel, t < u ? -1 : t > u);
    case FAM_IS:
        return test_is(r, v);
    }
    return false;
}

/* Hands sl_path_eval's failure to the caller, as AWS words it:
 * "Invalid path '<path>' : <why>". A path that does not resolve stays
 * BT_ENOENT; anything else (a limit) is BT_EINVAL. */
static int fail_eval(int rc, const sl_path *p, char *msg, char **cause)
{
    *cause = bt_xasprintf("Invalid path '%s' : %s", sl_path_text(p),
                          msg ? msg : bt_strerror(rc));
    free(msg);
    return rc == BT_ENOENT ? BT_ENOENT : BT_EINVAL;
}

/* The Variable is read first, then a *Path operand; either failing to
 * resolve is an error even when the other has the wrong type. */
static int eval_test(const sl_choice_rule *r, const sl_path_env *env,
                     bool *result, char **cause)
{
    json_object *v = NULL, *other = NULL;
    char *msg = NULL;
    int rc = sl_path_eval(r->var, env, &v, &msg);
    if (rc == BT_ENOENT && r->rel == REL_PRESENT) {
        free(msg);
        *result = !r->boolean;
        return 0;
    }
    if (rc)
        return fail_eval(rc, r->var, msg, cause);
    if (r->operand == SL_CMP_PATH) {
        rc = sl_path_eval(r->path, env, &other, &msg);
        if (rc) {
            json_object_put(v);
            return fail_eval(rc, r->path, msg, cause);
        }
    }
    *result = test_value(r, v, other);
    json_object_put(v);
    json_object_put(other);
    return 0;
}

int sl_choice_eval(const sl_choice_rule *rule, const sl_path_env *env,
                   bool *result, char **cause)
{
    if (rule->kind == RULE_TEST)
        return eval_test(rule, env, result, cause);
    bool r = false;
    for (size_t i = 0; i < rule->nkids; i++) {
        int rc = sl_choice_eval(rule->kids[i], env, &r, cause);
        if (rc)
            return rc;
        /* And stops at the first false, Or at the first true. */
        if ((rule->kind == RULE_AND && !r) || (rule->kind == RULE_OR && r))
            break;
    }
    *result = rule->kind == RULE_NOT ? !r : r;
    return 0;
}
