/*
 * JSONata function signatures at call time, and regular expressions.
 *
 * Signatures: the reference turns a signature into a JavaScript regex over
 * one letter per argument type and matches it greedily; here the same
 * greedy, backtracking match runs over the parsed parameters, then fills in
 * the context value for a missing '-' parameter and wraps singletons passed
 * for array parameters, raising T0410, T0411 and T0412 as the reference
 * does.
 *
 * Regexes: PCRE2 in UTF mode with options that bring it close to
 * JavaScript's RegExp (\uXXXX escapes, $ only at the end, [^] for any
 * character). A regex value is a matcher function returning the
 * reference's {match, start, end, groups, next} objects, with offsets in
 * UTF-16 code units.
 *
 * Invariant: compiled patterns are cached per regex node for one
 * evaluation and freed when it ends.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "statelang/sl_jsonata_int.h"

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

/* ---- signatures
 * ------------------------------------------------------------------
 */

static bool accepts(const sl_jn_sig_param *p, char symbol)
{
    return p->accept && strchr(p->accept, symbol) != NULL;
}

/* Matches params[pi..] against sym[si..n): greedy, backtracking, like the
 * reference's regex. With anchored false the match may stop early (a
 * prefix of the symbols); *end is where it stopped. */
static bool sig_match(const sl_jn_sig *sig, size_t pi, size_t limit,
                      const char *sym, size_t si, size_t n, bool anchored,
                      size_t *counts, size_t *end)
{
    if (pi == limit) {
        if (anchored && si != n)
            return false;
        *end = si;
        return true;
    }
    const sl_jn_sig_param *p = &sig->params[pi];
    size_t max = 0;
    while (si + max < n && accepts(p, sym[si + max]) &&
           (p->variadic || max < 1))
        max++;
    size_t min = p->optional ? 0 : 1;
    for (size_t k = max + 1; k-- > min;) {
        counts[pi] = k;
        if (sig_match(sig, pi + 1, limit, sym, si + k, n, anchored, counts,
                      end))
            return true;
    }
    return false;
}

static int validation_error(sl__jn_ev *e, const sl_jn_sig *sig,
                            const sl__jv *args, const char *sym, size_t n,
                            size_t *counts)
{
    size_t good_to = 0;
    for (size_t i = 0; i < sig->n_params; i++) {
        size_t end;
        if (!sig_match(sig, 0, i + 1, sym, 0, n, false, counts, &end))
            break;
        good_to = end;
    }
    sl__jn_throw_v(e, "T0410", good_to < n ? args[good_to] : sl__jv_undef());
    e->err.has_value = good_to < n;
    e->err.index = (int)good_to + 1;
    return -1;
}

static const char *array_type_name(const char *subtype)
{
    switch (subtype[0]) {
    case 'a':
        return "arrays";
    case 'b':
        return "booleans";
    case 'f':
        return "functions";
    case 'n':
        return "numbers";
    case 'o':
        return "objects";
    case 's':
        return "strings";
    default:
        return "undefined";
    }
}

static bool array_ok(const sl_jn_sig_param *p, char single, const char *match,
                     size_t match_len, sl__jv arg)
{
    if (!p->subtype)
        return true;
    if (single != 'a')
        return strlen(p->subtype) == match_len &&
               memcmp(p->subtype, match, match_len) == 0;
    if (arg.u.a->len == 0)
        return true;
    char item = sl__jn_type_symbol(arg.u.a->items[0]);
    if (item != p->subtype[0])
        return false;
    for (size_t i = 1; i < arg.u.a->len; i++)
        if (sl__jn_type_symbol(arg.u.a->items[i]) != item)
            return false;
    return true;
}

/* Validates and converts the arguments matched by one array parameter. */
static int array_args(sl__jn_ev *e, const sl_jn_sig_param *p, const char *sym,
                      size_t first, size_t count, const sl__jv *args,
                      sl__jv *out)
{
    for (size_t k = 0; k < count; k++) {
        size_t ai = first + k;
        char single = sym[ai];
        sl__jv arg = args[ai];
        if (single == 'm') {
            out[k] = sl__jv_undef();
            continue;
        }
        if (!array_ok(p, single, sym + first, count, arg)) {
            sl__jn_throw_v(e, "T0412", arg);
            e->err.index = (int)ai + 1;
            e->err.message = array_type_name(p->subtype);
            return -1;
        }
        if (single != 'a') {
            sl__jarr *a = sl__jarr_new(e, 0, 1);
            sl__jarr_push(e, a, arg);
            arg = sl__jv_arr(a);
        }
        out[k] = arg;
    }
    return 0;
}

int sl__jn_sig_validate(sl__jn_ev *e, const sl_jn_sig *sig, const sl__jv *args,
                        size_t n, sl__jv context, sl__jv **out, size_t *n_out)
{
    char *sym = sl__jn_ev_alloc(e, n + 1);
    size_t *counts = sl__jn_ev_alloc(e, (sig->n_params + 1) * sizeof *counts);
    for (size_t i = 0; i < n; i++)
        sym[i] = sl__jn_type_symbol(args[i]);
    size_t end;
    if (!sig_match(sig, 0, sig->n_params, sym, 0, n, true, counts, &end))
        return validation_error(e, sig, args, sym, n, counts);
    sl__jv *v = sl__jn_ev_alloc(e, (n + sig->n_params + 1) * sizeof *v);
    size_t nv = 0, ai = 0;
    for (size_t i = 0; i < sig->n_params; i++) {
        const sl_jn_sig_param *p = &sig->params[i];
        if (counts[i] == 0) {
            if (!p->context) {
                v[nv++] = ai < n ? args[ai] : sl__jv_undef();
                ai++;
                continue;
            }
            if (!accepts(p, sl__jn_type_symbol(context))) {
                sl__jn_throw_v(e, "T0411", context);
                e->err.index = (int)ai + 1;
                return -1;
            }
            v[nv++] = context;
            continue;
        }
        if (p->type == 'a') {
            if (array_args(e, p, sym, ai, counts[i], args, v + nv) != 0)
                return -1;
        } else {
            memcpy(v + nv, args + ai, counts[i] * sizeof *v);
        }
        nv += counts[i];
        ai += counts[i];
    }
    *out = v;
    *n_out = nv;
    return 0;
}

/* ---- regular expressions
 * -------------------------------------------------------------
 */

struct sl__jn_regex {
    sl__jn_regex *next;
    const sl_jn_node *node;
    pcre2_code *code;
};

void sl__jn_regex_free_all(sl__jn_ev *e)
{
    sl__jn_regex *r = e->regexes;
    while (r) {
        sl__jn_regex *next = r->next;
        pcre2_code_free(r->code);
        free(r);
        r = next;
    }
    e->regexes = NULL;
}

static pcre2_code *compile(const sl_jn_node *n)
{
    uint32_t options = PCRE2_UTF | PCRE2_ALT_BSUX | PCRE2_DOLLAR_ENDONLY |
                       PCRE2_ALLOW_EMPTY_CLASS;
    if (n->regex_flags & SL_JN_RE_I)
        options |= PCRE2_CASELESS;
    if (n->regex_flags & SL_JN_RE_M)
        options |= PCRE2_MULTILINE;
    pcre2_compile_context *cc = pcre2_compile_context_create(NULL);
    if (!cc)
        bt_oom();
    pcre2_set_newline(cc, PCRE2_NEWLINE_ANYCRLF);
    int errcode;
    PCRE2_SIZE erroffset;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)n->str, n->str_len, options,
                                     &errcode, &erroffset, cc);
    pcre2_compile_context_free(cc);
    return code;
}

int sl__jn_regex_new(sl__jn_ev *e, const sl_jn_node *n, sl__jv *out)
{
    sl__jn_regex *r = e->regexes;
    while (r && r->node != n)
        r = r->next;
    if (!r) {
        pcre2_code *code = compile(n);
        if (!code) {
            sl__jn_throw_v(e, "S0303", sl__jv_str_ref(n->str, n->str_len));
            e->err.position = n->position;
            e->err.message = "Invalid regular expression";
            return -1;
        }
        r = bt_xcalloc(1, sizeof *r);
        r->node = n;
        r->code = code;
        r->next = e->regexes;
        e->regexes = r;
    }
    sl__jfn *f = sl__jn_ev_alloc(e, sizeof *f);
    f->kind = SL__JF_REGEX;
    f->re = r;
    f->node = n;
    *out = sl__jv_fn(f);
    return 0;
}

static void set_field(sl__jn_ev *e, sl__jobj *o, const char *key, sl__jv v)
{
    sl__jobj_set(e, o, key, strlen(key), v);
}

static sl__jv match_object(sl__jn_ev *e, sl__jfn *re, sl__jv str,
                           const PCRE2_SIZE *ov, uint32_t pairs)
{
    const char *s = str.u.s;
    sl__jobj *m = sl__jobj_new(e);
    size_t start = sl__jn_byte_to_u16(s, ov[0]);
    size_t end = start + sl__jn_u16_len(s + ov[0], ov[1] - ov[0]);
    set_field(e, m, "match", sl__jv_str(e, s + ov[0], ov[1] - ov[0]));
    set_field(e, m, "start", sl__jv_num((double)start));
    set_field(e, m, "end", sl__jv_num((double)end));
    sl__jarr *groups = sl__jarr_new(e, 0, pairs);
    for (uint32_t i = 1; i < pairs; i++) {
        if (ov[2 * i] == PCRE2_UNSET)
            sl__jarr_push(e, groups, sl__jv_undef());
        else
            sl__jarr_push(
                e, groups,
                sl__jv_str(e, s + ov[2 * i], ov[2 * i + 1] - ov[2 * i]));
    }
    set_field(e, m, "groups", sl__jv_arr(groups));
    sl__jfn *next = sl__jn_ev_alloc(e, sizeof *next);
    next->kind = SL__JF_NEXT;
    next->re = re->re;
    next->node = re->node;
    next->str = str;
    next->last_index = end;
    set_field(e, m, "next", sl__jv_fn(next));
    return sl__jv_obj(m);
}

int sl__jn_regex_exec(sl__jn_ev *e, sl__jfn *re, sl__jv str, size_t from_u16,
                      sl__jv *out)
{
    *out = sl__jv_undef();
    if (str.type != SL__JV_STR)
        return 0;
    size_t from = sl__jn_u16_to_byte(str.u.s, str.len, from_u16);
    if (from > str.len)
        return 0;
    pcre2_match_data *md =
        pcre2_match_data_create_from_pattern(re->re->code, NULL);
    if (!md)
        bt_oom();
    int rc = pcre2_match(re->re->code, (PCRE2_SPTR)str.u.s, str.len, from, 0,
                         md, NULL);
    /* Catastrophic backtracking ends at PCRE2's match limit: that is the
     * expression's fault, not "no match". One match can take a good part
     * of a second, so the clock is read after each. */
    if (sl__jn_time_check(e) != 0) {
        pcre2_match_data_free(md);
        return -1;
    }
    if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
        rc == PCRE2_ERROR_HEAPLIMIT) {
        pcre2_match_data_free(md);
        return sl__jn_limit_fail(e, "Regular expression too complex: PCRE2's "
                                    "match limit was reached (catastrophic "
                                    "backtracking)");
    }
    if (rc > 0)
        *out = match_object(e, re, str, pcre2_get_ovector_pointer(md),
                            pcre2_get_ovector_count(md));
    pcre2_match_data_free(md);
    return 0;
}

int sl__jn_regex_next(sl__jn_ev *e, sl__jfn *next, sl__jv *out)
{
    *out = sl__jv_undef();
    if (next->last_index >= sl__jn_u16_len(next->str.u.s, next->str.len))
        return 0;
    sl__jfn re = {.kind = SL__JF_REGEX, .re = next->re, .node = next->node};
    if (sl__jn_regex_exec(e, &re, next->str, next->last_index, out) != 0)
        return -1;
    sl__jv m;
    if (out->type == SL__JV_OBJ && sl__jobj_get(out->u.o, "match", 5, &m) &&
        m.len == 0) {
        sl__jn_throw_v(e, "D1004",
                       sl__jv_str_ref(next->node->str, next->node->str_len));
        e->err.position = next->node->position;
        return -1;
    }
    return 0;
}
