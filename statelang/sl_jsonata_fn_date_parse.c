/*
 * $toMillis: ISO 8601 timestamps as JavaScript's Date.parse reads the
 * forms the reference accepts, and timestamps in any XPath picture, parsed
 * as the reference's parseDateTime does (one regex built from the
 * picture, then the components checked and defaulted from "now").
 *
 * Invariant: what the clock says comes from the evaluation's now_ms;
 * local time is UTC (statelang has no time zone).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "statelang/sl_jsonata_int.h"

#include <math.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static sl__jv arg(const sl__jn_call *c, size_t i)
{
    return i < c->n ? c->args[i] : sl__jv_undef();
}

/* ---- ISO 8601
 * ----------------------------------------------------------------
 */

static bool digits(const char *s, size_t n, size_t at, size_t count,
                   double *out)
{
    if (at + count > n)
        return false;
    double v = 0;
    for (size_t i = at; i < at + count; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

typedef struct iso {
    double year, month, day, hour, minute, second, ms, offset_min;
    bool has_time, has_offset;
} iso;

static bool iso_offset(const char *s, size_t n, size_t i, iso *t)
{
    if (i < n && s[i] == 'Z') {
        t->has_offset = true;
        return i + 1 == n;
    }
    if (i < n && (s[i] == '+' || s[i] == '-')) {
        double h, m;
        size_t j = i + 1;
        if (!digits(s, n, j, 2, &h) || h > 29)
            return false;
        j += 2;
        if (j < n && s[j] == ':')
            j++;
        if (!digits(s, n, j, 2, &m) || m > 59)
            return false;
        t->has_offset = true;
        t->offset_min = (s[i] == '-' ? -1 : 1) * (h * 60 + m);
        return j + 2 == n;
    }
    return i == n;
}

/* The reference's iso8601regex, then Date.parse's reading of it. */
static bool iso_parse(const char *s, size_t n, iso *t)
{
    memset(t, 0, sizeof *t);
    t->month = t->day = 1;
    size_t i = 4;
    if (!digits(s, n, 0, 4, &t->year))
        return false;
    if (i < n && s[i] == '-' && digits(s, n, i + 1, 2, &t->month) &&
        s[i + 1] <= '1')
        i += 3;
    if (i < n && s[i] == '-' && digits(s, n, i + 1, 2, &t->day) &&
        s[i + 1] <= '3')
        i += 3;
    if (i < n && s[i] == 'T') {
        if (!digits(s, n, i + 1, 2, &t->hour) || s[i + 1] > '2' || i + 3 >= n ||
            s[i + 3] != ':' || !digits(s, n, i + 4, 2, &t->minute) ||
            s[i + 4] > '5' || i + 6 >= n || s[i + 6] != ':' ||
            !digits(s, n, i + 7, 2, &t->second) || s[i + 7] > '5')
            return false;
        t->has_time = true;
        i += 9;
    }
    if (i < n && s[i] == '.') {
        size_t j = i + 1;
        double scale = 100;
        while (j < n && s[j] >= '0' && s[j] <= '9') {
            t->ms += (s[j] - '0') * scale;
            scale /= 10;
            j++;
        }
        if (j == i + 1)
            return false;
        t->ms = floor(t->ms);
        i = j;
    }
    return iso_offset(s, n, i, t);
}

static double iso_millis(const iso *t)
{
    if (t->month < 1 || t->month > 12 || t->day < 1 || t->hour > 24 ||
        (t->hour == 24 && (t->minute || t->second || t->ms)))
        return NAN;
    double v = sl__jn_date_utc(t->year, t->month - 1, t->day, t->hour,
                               t->minute, t->second, t->ms);
    return v - t->offset_min * 60000;
}

/* ---- picture parsing
 * ----------------------------------------------------------------
 */

typedef struct comp {
    bool set;
    bool is_pm_text; /* P defaulted from now: a string, never 1 */
    double v;
} comp;

static const char KEYS[] = "YXMxWwdDFPHhmsfZz";

static comp *comp_at(comp *c, char k)
{
    const char *p = strchr(KEYS, k);
    return p && k ? &c[p - KEYS] : NULL;
}

static void escape_into(bt_buf *re, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strchr(".*+?^${}()|[]\\", s[i]) && s[i])
            bt_buf_putc(re, '\\');
        bt_buf_putc(re, s[i]);
    }
}

static void words_regex(bt_buf *re)
{
    static const char *const w[] = {
        "zero",       "one",        "two",         "three",      "four",
        "five",       "six",        "seven",       "eight",      "nine",
        "ten",        "eleven",     "twelve",      "thirteen",   "fourteen",
        "fifteen",    "sixteen",    "seventeen",   "eighteen",   "nineteen",
        "zeroth",     "first",      "second",      "third",      "fourth",
        "fifth",      "sixth",      "seventh",     "eighth",     "ninth",
        "tenth",      "eleventh",   "twelfth",     "thirteenth", "fourteenth",
        "fifteenth",  "sixteenth",  "seventeenth", "eighteenth", "nineteenth",
        "twenty",     "twentieth",  "thirty",      "thirtieth",  "forty",
        "fortieth",   "fifty",      "fiftieth",    "sixty",      "sixtieth",
        "seventy",    "seventieth", "eighty",      "eightieth",  "ninety",
        "ninetieth",  "hundred",    "hundredth",   "thousand",   "thousandth",
        "million",    "millionth",  "billion",     "billionth",  "trillion",
        "trillionth", "and",        "[\\-, ]"};
    bt_buf_puts(re, "(?:");
    for (size_t i = 0; i < sizeof w / sizeof *w; i++) {
        if (i)
            bt_buf_putc(re, '|');
        bt_buf_puts(re, w[i]);
    }
    bt_buf_puts(re, ")+");
}

static int int_regex(sl__jn_ev *e, const sl__jn_intfmt *f, bt_buf *re)
{
    bool upper = f->tcase == SL__JN_CASE_UPPER;
    switch (f->primary) {
    case SL__JN_IF_LETTERS:
        bt_buf_puts(re, upper ? "[A-Z]+" : "[a-z]+");
        return 0;
    case SL__JN_IF_ROMAN:
        bt_buf_puts(re, upper ? "[MDCLXVI]+" : "[mdclxvi]+");
        return 0;
    case SL__JN_IF_WORDS:
        words_regex(re);
        return 0;
    case SL__JN_IF_DECIMAL:
        bt_buf_puts(re, "[0-9]");
        if (f->parse_width)
            bt_buf_printf(re, "{%d}", f->parse_width);
        else
            bt_buf_putc(re, '+');
        if (f->ordinal)
            bt_buf_puts(re, "(?:th|st|nd|rd)");
        return 0;
    default:
        return sl__jn_throw_v(e, "D3130",
                              sl__jv_str(e, f->token, f->token_len));
    }
}

static int part_regex(sl__jn_ev *e, const sl__jn_dpart *d, bt_buf *re)
{
    bt_buf_putc(re, '(');
    if (d->literal) {
        escape_into(re, d->text, d->len);
    } else if (d->component == 'Z' || d->component == 'z') {
        if (d->component == 'z')
            bt_buf_puts(re, "GMT");
        bt_buf_puts(re, "[-+][0-9]+");
        if (d->ifmt.regular) {
            sl__jn_put_utf8(re, d->ifmt.seps[0].ch);
            bt_buf_puts(re, "[0-9]+");
        }
    } else if (d->component == 'f') {
        bt_buf_puts(re, "[0-9]+");
    } else if (d->has_int) {
        if (int_regex(e, &d->ifmt, re) != 0)
            return -1;
    } else if (d->component && strchr("MxFP", d->component)) {
        bt_buf_puts(re, "[a-zA-Z]+");
    } else {
        return sl__jn_throw_v(e, "D3133", sl__jv_str(e, &d->component, 1));
    }
    bt_buf_putc(re, ')');
    return 0;
}

static double tz_value(const sl__jn_dpart *d, const char *s, size_t n)
{
    if (d->component == 'z')
        s += 3, n -= 3;
    double h, m = 0;
    if (d->ifmt.regular) {
        char sep = (char)d->ifmt.seps[0].ch;
        const char *at = memchr(s, sep, n);
        size_t hl = at ? (size_t)(at - s) : n;
        h = sl__jn_parse_int(s, hl);
        m = at ? sl__jn_parse_int(at + 1, n - hl - 1) : NAN;
    } else if (n - 1 <= 2) {
        h = sl__jn_parse_int(s, n);
    } else {
        h = sl__jn_parse_int(s, 3);
        m = sl__jn_parse_int(s + 3, n - 3);
    }
    return h * 60 + m;
}

static double name_value(const sl__jn_dpart *d, const char *s, size_t n)
{
    static const char *const months[] = {
        "January", "February", "March",     "April",   "May",      "June",
        "July",    "August",   "September", "October", "November", "December"};
    static const char *const days[] = {"Monday",   "Tuesday", "Wednesday",
                                       "Thursday", "Friday",  "Saturday",
                                       "Sunday"};
    if (d->component == 'P') {
        if ((n == 2 && !strncmp(s, "am", 2)) ||
            (n == 2 && !strncmp(s, "AM", 2)))
            return 0;
        if ((n == 2 && !strncmp(s, "pm", 2)) ||
            (n == 2 && !strncmp(s, "PM", 2)))
            return 1;
        return NAN;
    }
    bool month = d->component != 'F';
    size_t count = month ? 12 : 7;
    for (size_t i = 0; i < count; i++) {
        const char *name = month ? months[i] : days[i];
        size_t len = strlen(name);
        if (d->has_width && d->has_max && d->wmax < (double)len)
            len = d->wmax > 0 ? (size_t)d->wmax : 0;
        if (len == n && !strncmp(name, s, n))
            return (double)(i + 1);
    }
    return NAN;
}

static int part_value(sl__jn_ev *e, const sl__jn_dpart *d, const char *s,
                      size_t n, comp *c)
{
    comp *slot = comp_at(c, d->component);
    double v;
    if (d->component == 'Z' || d->component == 'z') {
        v = tz_value(d, s, n);
    } else if (d->component == 'f') {
        char frac[8] = "0.";
        size_t k = n < 3 ? n : 3;
        memcpy(frac + 2, s, k);
        frac[2 + k] = '\0';
        v = strtod(frac, NULL) * 1000;
    } else if (d->has_int) {
        if (sl__jn_int_parse(e, s, n, &d->ifmt, &v) != 0)
            return -1;
    } else {
        v = name_value(d, s, n);
        if (isnan(v))
            return 0; /* lookup[value] is undefined */
    }
    if (slot) {
        slot->set = true;
        slot->v = v;
    }
    return 0;
}

static unsigned mask_of(const comp *c, const char *keys)
{
    unsigned mask = 0;
    for (const char *k = keys; *k; k++) {
        const comp *x = &c[strchr(KEYS, *k) - KEYS];
        mask = (mask << 1) | (x->set && x->v != 0 && !isnan(x->v));
    }
    return mask;
}

static bool is_type(unsigned type, unsigned mask)
{
    return !(~type & mask) && (type & mask);
}

/* Defaults unspecified components: from now above the given ones, the
 * minimum below; a gap in between is D3136. */
static int fill_in(sl__jn_ev *e, comp *c, const char *comps)
{
    bool start = false, end = false;
    for (const char *k = comps; *k; k++) {
        comp *x = comp_at(c, *k);
        if (x->set) {
            start = true;
            if (end)
                return sl__jn_throw(e, "D3136");
            continue;
        }
        x->set = true;
        if (start) {
            x->v = strchr("MDd", *k) ? 1 : 0;
            end = true;
        } else if (*k == 'P') {
            x->is_pm_text = true; /* now's am/pm is a string */
            x->v = NAN;
        } else {
            bool pm;
            x->v = sl__jn_date_default(e, *k, &pm);
        }
    }
    return 0;
}

static int build(sl__jn_ev *e, comp *c, double *out)
{
    unsigned m = mask_of(c, "YXMxWwdD");
    bool a = is_type(161, m), b = !a && is_type(130, m);
    bool dc = is_type(84, m), dd = !dc && is_type(72, m);
    m = mask_of(c, "PHhmsf");
    bool ta = is_type(23, m), tb = !ta && is_type(47, m);
    char comps[16];
    snprintf(comps, sizeof comps, "%s%s",
             b    ? "YD"
             : dc ? "XxwF"
             : dd ? "XWF"
                  : "YMD",
             tb ? "Phmsf" : "Hmsf");
    if (fill_in(e, c, comps) != 0)
        return -1;
    comp *mo = comp_at(c, 'M');
    mo->v = mo->set && mo->v > 0 ? mo->v - 1 : 0;
    if (b) {
        double jan = sl__jn_date_utc(comp_at(c, 'Y')->v, 0, 1, 0, 0, 0, 0);
        double t = jan + (comp_at(c, 'd')->v - 1) * 86400000.0;
        mo->v = sl__jn_date_fragment(t, 'M') - 1;
        comp_at(c, 'D')->v = sl__jn_date_fragment(t, 'D');
    }
    if (dc || dd)
        return sl__jn_throw(e, "D3136");
    if (tb) {
        double h = comp_at(c, 'h')->v;
        double hh = h == 12 ? 0 : h;
        if (comp_at(c, 'P')->v == 1)
            hh += 12;
        comp_at(c, 'H')->v = hh;
    }
    *out = sl__jn_date_utc(comp_at(c, 'Y')->v, mo->v, comp_at(c, 'D')->v,
                           comp_at(c, 'H')->v, comp_at(c, 'm')->v,
                           comp_at(c, 's')->v, comp_at(c, 'f')->v);
    /* components.Z || components.z */
    const comp *z = comp_at(c, 'Z');
    if (!(z->set && z->v != 0 && !isnan(z->v)))
        z = comp_at(c, 'z');
    if (z->set && z->v != 0 && !isnan(z->v))
        *out -= z->v * 60 * 1000;
    return 0;
}

static int match_picture(sl__jn_ev *e, const sl__jn_dparts *p, sl__jv s,
                         comp *c, bool *matched)
{
    bt_buf re;
    bt_buf_init(&re);
    bt_buf_putc(&re, '^');
    for (size_t i = 0; i < p->n; i++)
        if (part_regex(e, &p->parts[i], &re) != 0) {
            bt_buf_fini(&re);
            return -1;
        }
    bt_buf_putc(&re, '$');
    int err;
    PCRE2_SIZE off;
    pcre2_code *code =
        pcre2_compile((PCRE2_SPTR)re.data, re.len, PCRE2_CASELESS | PCRE2_UTF,
                      &err, &off, NULL);
    bt_buf_fini(&re);
    *matched = false;
    if (!code)
        return 0;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(code, NULL);
    int rc =
        md ? pcre2_match(code, (PCRE2_SPTR)s.u.s, s.len, 0, 0, md, NULL) : -1;
    int result = 0;
    if (rc > 0) {
        *matched = true;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        for (size_t i = 0; i < p->n && result == 0; i++)
            if (!p->parts[i].literal)
                result = part_value(e, &p->parts[i], s.u.s + ov[2 * i + 2],
                                    ov[2 * i + 3] - ov[2 * i + 2], c);
    }
    pcre2_match_data_free(md);
    pcre2_code_free(code);
    return result;
}

static int parse_datetime(sl__jn_ev *e, sl__jv s, sl__jv pic, sl__jv *out)
{
    sl__jn_dparts p;
    if (sl__jn_date_analyse(e, pic.u.s, pic.len, &p) != 0)
        return -1;
    comp c[sizeof KEYS] = {{0}};
    bool matched;
    if (match_picture(e, &p, s, c, &matched) != 0)
        return -1;
    bool any = false;
    for (size_t i = 0; i < p.n; i++)
        any = any || !p.parts[i].literal;
    if (!matched || !any)
        return 0;
    double millis = 0;
    if (build(e, c, &millis) != 0)
        return -1;
    *out = sl__jv_num(millis);
    return 0;
}

int sl__jn_fn_to_millis(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    sl__jv s = arg(c, 0), pic = arg(c, 1);
    if (s.type != SL__JV_STR)
        return 0;
    if (pic.type == SL__JV_STR)
        return parse_datetime(e, s, pic, out);
    iso t;
    if (!iso_parse(s.u.s, s.len, &t))
        return sl__jn_throw_v(e, "D3110", s);
    *out = sl__jv_num(iso_millis(&t));
    return 0;
}
