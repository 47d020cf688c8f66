/*
 * $formatNumber (XPath F&O fn:format-number, as the reference implements
 * it, quirks included) and $formatBase.
 *
 * The picture string is handled as JavaScript handles it: in UTF-16 code
 * units, with the decimal-format properties as strings, so that multi-unit
 * properties ("pm" for per-mille) and digit families other than ASCII
 * ("①") behave as in the reference.
 *
 * Invariant: pictures are validated (D3080..D3093) before any number is
 * formatted; the last rule broken decides the code, as in the reference.
 */
#include "statelang/sl_jsonata_int.h"

#include <math.h>
#include <string.h>

typedef struct u16 {
    uint16_t *p;
    size_t n;
} u16;

static sl__jv arg(const sl__jn_call *c, size_t i)
{
    return i < c->n ? c->args[i] : sl__jv_undef();
}

/* ---- UTF-16 strings
 * ---------------------------------------------------------------
 */

static u16 u16_from(sl__jn_ev *e, const char *s, size_t len)
{
    u16 r = {sl__jn_ev_alloc(e, (len + 1) * 2 * sizeof(uint16_t)), 0};
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = bt_utf8_decode(s + i, len - i, &cp);
        if (n == 0)
            cp = (unsigned char)s[i], n = 1;
        if (cp >= 0x10000) {
            r.p[r.n++] = (uint16_t)(0xD800 + ((cp - 0x10000) >> 10));
            r.p[r.n++] = (uint16_t)(0xDC00 + ((cp - 0x10000) & 0x3FF));
        } else {
            r.p[r.n++] = (uint16_t)cp;
        }
        i += n;
    }
    return r;
}

static u16 u16_lit(sl__jn_ev *e, const char *s)
{
    return u16_from(e, s, strlen(s));
}

static sl__jv u16_value(sl__jn_ev *e, u16 s)
{
    bt_buf b;
    bt_buf_init(&b);
    for (size_t i = 0; i < s.n; i++) {
        uint32_t cp = s.p[i];
        if (cp >= 0xD800 && cp < 0xDC00 && i + 1 < s.n &&
            s.p[i + 1] >= 0xDC00 && s.p[i + 1] < 0xE000)
            cp = 0x10000 + ((cp - 0xD800) << 10) + (s.p[++i] - 0xDC00u);
        sl__jn_put_utf8(&b, cp);
    }
    return sl__jv_str_buf(e, &b);
}

static long index_of(u16 h, u16 needle, size_t from)
{
    if (needle.n == 0)
        return from <= h.n ? (long)from : (long)h.n;
    for (size_t i = from; i + needle.n <= h.n; i++)
        if (memcmp(h.p + i, needle.p, needle.n * sizeof *h.p) == 0)
            return (long)i;
    return -1;
}

static long last_index_of(u16 h, u16 needle)
{
    for (size_t i = h.n + 1; i-- > 0;)
        if (i + needle.n <= h.n &&
            memcmp(h.p + i, needle.p, needle.n * sizeof *h.p) == 0)
            return (long)i;
    return -1;
}

static u16 sub(u16 s, size_t a, size_t b)
{
    if (b > s.n)
        b = s.n;
    if (a > b)
        a = b;
    u16 r = {s.p + a, b - a};
    return r;
}

static bool is_char(u16 s, uint16_t ch)
{
    return s.n == 1 && s.p[0] == ch;
}

static u16 cat(sl__jn_ev *e, u16 a, u16 b)
{
    u16 r = {sl__jn_ev_alloc(e, (a.n + b.n + 1) * sizeof(uint16_t)), a.n + b.n};
    if (a.n)
        memcpy(r.p, a.p, a.n * sizeof *r.p);
    if (b.n)
        memcpy(r.p + a.n, b.p, b.n * sizeof *r.p);
    return r;
}

static u16 insert(sl__jn_ev *e, u16 s, size_t at, u16 what)
{
    return cat(e, cat(e, sub(s, 0, at), what), sub(s, at, s.n));
}

/* ---- properties and picture parts
 * -------------------------------------------------
 */

enum {
    P_DEC,
    P_GROUP,
    P_EXP,
    P_INF,
    P_MINUS,
    P_NAN,
    P_PCT,
    P_PERMILLE,
    P_ZERO,
    P_DIGIT,
    P_PATSEP,
    P_COUNT
};

static const char *const prop_names[P_COUNT] = {"decimal-separator",
                                                "grouping-separator",
                                                "exponent-separator",
                                                "infinity",
                                                "minus-sign",
                                                "NaN",
                                                "percent",
                                                "per-mille",
                                                "zero-digit",
                                                "digit",
                                                "pattern-separator"};

static const char *const prop_defaults[P_COUNT] = {
    ".", ",", "e", "Infinity", "-", "NaN", "%", "\xE2\x80\xB0", "0", "#", ";"};

typedef struct fmt {
    sl__jn_ev *e;
    u16 prop[P_COUNT];
    uint16_t zero; /* first unit of zero-digit */
} fmt;

static bool is_digit(const fmt *f, uint16_t ch)
{
    return ch >= f->zero && ch < f->zero + 10;
}

static bool is_active(const fmt *f, uint16_t ch)
{
    return is_digit(f, ch) || is_char(f->prop[P_DEC], ch) ||
           is_char(f->prop[P_EXP], ch) || is_char(f->prop[P_GROUP], ch) ||
           is_char(f->prop[P_DIGIT], ch) || is_char(f->prop[P_PATSEP], ch);
}

/* active, and not the exponent separator (which may be a passive letter) */
static bool is_active_ne(const fmt *f, uint16_t ch)
{
    return is_active(f, ch) && !is_char(f->prop[P_EXP], ch);
}

typedef struct parts {
    u16 prefix, suffix, active, mantissa, exponent, integer, fraction, picture;
    bool has_exponent;
} parts;

static parts split_parts(const fmt *f, u16 pic)
{
    parts p = {.picture = pic};
    size_t i;
    for (i = 0; i < pic.n && !is_active_ne(f, pic.p[i]); i++)
        ;
    p.prefix = sub(pic, 0, i < pic.n ? i : 0);
    for (i = pic.n; i-- > 0 && !is_active_ne(f, pic.p[i]);)
        ;
    p.suffix = i < pic.n ? sub(pic, i + 1, pic.n) : sub(pic, 0, 0);
    p.active = sub(pic, p.prefix.n, pic.n - p.suffix.n);
    long ep = index_of(pic, f->prop[P_EXP], p.prefix.n);
    if (ep == -1 || ep > (long)(pic.n - p.suffix.n)) {
        p.mantissa = p.active;
    } else {
        /* the reference cuts the active part at the picture's offset */
        p.mantissa = sub(p.active, 0, (size_t)ep);
        p.exponent = sub(p.active, (size_t)ep + 1, p.active.n);
        p.has_exponent = true;
    }
    long dp = index_of(p.mantissa, f->prop[P_DEC], 0);
    if (dp == -1) {
        p.integer = p.mantissa;
        p.fraction = p.suffix;
    } else {
        p.integer = sub(p.mantissa, 0, (size_t)dp);
        p.fraction = sub(p.mantissa, (size_t)dp + 1, p.mantissa.n);
    }
    return p;
}

static size_t count_digits(const fmt *f, u16 s, bool optional_too)
{
    size_t n = 0;
    for (size_t i = 0; i < s.n; i++)
        if (is_digit(f, s.p[i]) ||
            (optional_too && is_char(f->prop[P_DIGIT], s.p[i])))
            n++;
    return n;
}

static bool once_at_most(u16 pic, u16 what)
{
    return index_of(pic, what, 0) == last_index_of(pic, what);
}

static const char *validate_more(const fmt *f, const parts *p,
                                 const char *error)
{
    long dp = index_of(p->picture, f->prop[P_DEC], 0);
    u16 g = f->prop[P_GROUP];
    if (dp != -1) {
        bool before = dp >= 1 && g.n == 1 && p->picture.p[dp - 1] == g.p[0];
        bool after = (size_t)dp + 1 < p->picture.n && g.n == 1 &&
                     p->picture.p[dp + 1] == g.p[0];
        if (before || after)
            error = "D3087";
    } else if (p->integer.n > 0 && g.n == 1 &&
               p->integer.p[p->integer.n - 1] == g.p[0]) {
        error = "D3088";
    }
    if (index_of(p->picture, cat(f->e, g, g), 0) != -1)
        error = "D3089";
    long od = index_of(p->integer, f->prop[P_DIGIT], 0);
    if (od != -1 && count_digits(f, sub(p->integer, 0, (size_t)od), false))
        error = "D3090";
    od = last_index_of(p->fraction, f->prop[P_DIGIT]);
    if (od != -1 &&
        count_digits(f, sub(p->fraction, (size_t)od, p->fraction.n), false))
        error = "D3091";
    bool pct = index_of(p->picture, f->prop[P_PCT], 0) != -1 ||
               index_of(p->picture, f->prop[P_PERMILLE], 0) != -1;
    if (p->has_exponent && p->exponent.n > 0 && pct)
        error = "D3092";
    if (p->has_exponent &&
        (p->exponent.n == 0 ||
         count_digits(f, p->exponent, false) != p->exponent.n))
        error = "D3093";
    return error;
}

static const char *validate(const fmt *f, const parts *p)
{
    const char *error = NULL;
    if (!once_at_most(p->picture, f->prop[P_DEC]))
        error = "D3081";
    if (!once_at_most(p->picture, f->prop[P_PCT]))
        error = "D3082";
    if (!once_at_most(p->picture, f->prop[P_PERMILLE]))
        error = "D3083";
    if (index_of(p->picture, f->prop[P_PCT], 0) != -1 &&
        index_of(p->picture, f->prop[P_PERMILLE], 0) != -1)
        error = "D3084";
    if (count_digits(f, p->mantissa, true) == 0)
        error = "D3085";
    for (size_t i = 0; i < p->active.n; i++)
        if (!is_active(f, p->active.p[i]))
            error = "D3086";
    return validate_more(f, p, error);
}

/* ---- analysis
 * ---------------------------------------------------------------------------
 */

typedef struct pic {
    size_t int_groups[64], n_int_groups;
    size_t frac_groups[64], n_frac_groups;
    size_t regular;
    long min_int, scaling, min_frac, max_frac, min_exp;
    u16 prefix, suffix, picture;
} pic;

static size_t grouping(const fmt *f, const parts *p, u16 part, bool to_left,
                       size_t *out)
{
    size_t n = 0;
    long gp = index_of(part, f->prop[P_GROUP], 0);
    while (gp != -1 && n < 64) {
        u16 side =
            to_left ? sub(part, 0, (size_t)gp) : sub(part, (size_t)gp, part.n);
        out[n++] = count_digits(f, side, true);
        /* the reference searches on in the integer part, whatever part */
        gp = index_of(p->integer, f->prop[P_GROUP], (size_t)gp + 1);
    }
    return n;
}

static size_t gcd(size_t a, size_t b)
{
    return b == 0 ? a : gcd(b, a % b);
}

static size_t regular(const size_t *idx, size_t n)
{
    if (n == 0)
        return 0;
    size_t factor = idx[0];
    for (size_t i = 1; i < n; i++)
        factor = gcd(factor, idx[i]);
    for (size_t k = 1; k <= n; k++) {
        bool found = false;
        for (size_t i = 0; i < n && !found; i++)
            found = idx[i] == k * factor;
        if (!found)
            return 0;
    }
    return factor;
}

static void analyse(const fmt *f, const parts *p, pic *a)
{
    memset(a, 0, sizeof *a);
    a->n_int_groups = grouping(f, p, p->integer, false, a->int_groups);
    a->regular = regular(a->int_groups, a->n_int_groups);
    a->n_frac_groups = grouping(f, p, p->fraction, true, a->frac_groups);
    a->min_int = (long)count_digits(f, p->integer, false);
    a->scaling = a->min_int;
    a->min_frac = (long)count_digits(f, p->fraction, false);
    a->max_frac = (long)count_digits(f, p->fraction, true);
    if (a->min_int == 0 && a->max_frac == 0) {
        if (p->has_exponent)
            a->min_frac = a->max_frac = 1;
        else
            a->min_int = 1;
    }
    if (p->has_exponent && a->min_int == 0 &&
        index_of(p->integer, f->prop[P_DIGIT], 0) != -1)
        a->min_int = 1;
    if (a->min_int == 0 && a->min_frac == 0)
        a->min_frac = 1;
    a->min_exp =
        p->has_exponent ? (long)count_digits(f, p->exponent, false) : 0;
    a->prefix = p->prefix;
    a->suffix = p->suffix;
    a->picture = p->picture;
}

/* ---- formatting
 * ---------------------------------------------------------------------------
 */

static u16 make_string(const fmt *f, double value, long dp)
{
    bt_buf b;
    bt_buf_init(&b);
    sl__jn_to_fixed(&b, fabs(value), (int)dp);
    u16 s = u16_from(f->e, b.data, b.len);
    bt_buf_fini(&b);
    for (size_t i = 0; i < s.n; i++)
        if (s.p[i] >= '0' && s.p[i] <= '9')
            s.p[i] = (uint16_t)(f->zero + (s.p[i] - '0'));
    return s;
}

static u16 repeat(const fmt *f, u16 what, long times)
{
    u16 r = {NULL, 0};
    for (long i = 0; i < times; i++)
        r = cat(f->e, r, what);
    return r;
}

static u16 group_digits(const fmt *f, const pic *a, u16 s)
{
    size_t dp = (size_t)index_of(s, f->prop[P_DEC], 0);
    if (a->regular > 0) {
        size_t count = dp >= 1 ? (dp - 1) / a->regular : 0;
        for (size_t g = 1; g <= count; g++)
            s = insert(f->e, s, dp - g * a->regular, f->prop[P_GROUP]);
    } else {
        for (size_t i = 0; i < a->n_int_groups; i++) {
            size_t at = dp >= a->int_groups[i] ? dp - a->int_groups[i] : 0;
            s = insert(f->e, s, at, f->prop[P_GROUP]);
            dp++;
        }
    }
    dp = (size_t)index_of(s, f->prop[P_DEC], 0);
    for (size_t i = 0; i < a->n_frac_groups; i++)
        s = insert(f->e, s, a->frac_groups[i] + dp + 1, f->prop[P_GROUP]);
    return s;
}

static u16 format(const fmt *f, const pic *a, double value)
{
    double adjusted = value;
    if (index_of(a->picture, f->prop[P_PCT], 0) != -1)
        adjusted = value * 100;
    else if (index_of(a->picture, f->prop[P_PERMILLE], 0) != -1)
        adjusted = value * 1000;
    double mantissa = adjusted, exponent = 0;
    if (a->min_exp != 0 && mantissa != 0) {
        double max_m = pow(10, (double)a->scaling);
        double min_m = pow(10, (double)a->scaling - 1);
        while (fabs(mantissa) < min_m)
            mantissa *= 10, exponent -= 1;
        while (fabs(mantissa) > max_m)
            mantissa /= 10, exponent += 1;
    }
    double rounded = sl__jn_round(mantissa, (double)a->max_frac, true);
    u16 s = make_string(f, rounded, a->max_frac);
    u16 dot = {(uint16_t[]){'.'}, 1};
    long dp = index_of(s, dot, 0);
    if (dp == -1)
        s = cat(f->e, s, f->prop[P_DEC]);
    else
        s = cat(f->e, cat(f->e, sub(s, 0, (size_t)dp), f->prop[P_DEC]),
                sub(s, (size_t)dp + 1, s.n));
    u16 z = f->prop[P_ZERO];
    while (s.n > 0 && z.n == 1 && s.p[0] == z.p[0])
        s = sub(s, 1, s.n);
    while (s.n > 0 && z.n == 1 && s.p[s.n - 1] == z.p[0])
        s = sub(s, 0, s.n - 1);
    dp = index_of(s, f->prop[P_DEC], 0);
    long pad_left = a->min_int - dp;
    long pad_right = a->min_frac - ((long)s.n - dp - 1);
    s = cat(f->e, cat(f->e, repeat(f, z, pad_left), s),
            repeat(f, z, pad_right));
    s = group_digits(f, a, s);
    dp = index_of(s, f->prop[P_DEC], 0);
    if (index_of(a->picture, f->prop[P_DEC], 0) == -1 || dp == (long)s.n - 1)
        s = sub(s, 0, s.n ? s.n - 1 : 0);
    if (a->min_exp != 0) {
        u16 ex = make_string(f, exponent, 0);
        ex = cat(f->e, repeat(f, z, a->min_exp - (long)ex.n), ex);
        s = cat(f->e, s, f->prop[P_EXP]);
        if (exponent < 0)
            s = cat(f->e, s, f->prop[P_MINUS]);
        s = cat(f->e, s, ex);
    }
    return cat(f->e, cat(f->e, a->prefix, s), a->suffix);
}

static void set_properties(fmt *f, sl__jv options)
{
    for (int i = 0; i < P_COUNT; i++)
        f->prop[i] = u16_lit(f->e, prop_defaults[i]);
    if (options.type == SL__JV_OBJ) {
        for (int i = 0; i < P_COUNT; i++) {
            sl__jv v;
            if (sl__jobj_get(options.u.o, prop_names[i], strlen(prop_names[i]),
                             &v) &&
                v.type == SL__JV_STR)
                f->prop[i] = u16_from(f->e, v.u.s, v.len);
        }
    }
    f->zero = f->prop[P_ZERO].n ? f->prop[P_ZERO].p[0] : '0';
}

static int fn_format_number(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    sl__jv value = arg(c, 0), picture = arg(c, 1);
    if (value.type != SL__JV_NUM || picture.type != SL__JV_STR)
        return 0;
    fmt f = {.e = e};
    set_properties(&f, arg(c, 2));
    u16 p = u16_from(e, picture.u.s, picture.len);
    long sep = index_of(p, f.prop[P_PATSEP], 0);
    size_t n_sub = 1;
    u16 subs[2] = {p, p};
    if (sep != -1 && f.prop[P_PATSEP].n > 0) {
        subs[0] = sub(p, 0, (size_t)sep);
        subs[1] = sub(p, (size_t)sep + f.prop[P_PATSEP].n, p.n);
        n_sub = 2;
        if (index_of(subs[1], f.prop[P_PATSEP], 0) != -1)
            return sl__jn_throw(e, "D3080");
    }
    parts part[2];
    pic pics[2];
    for (size_t i = 0; i < n_sub; i++) {
        part[i] = split_parts(&f, subs[i]);
        const char *error = validate(&f, &part[i]);
        if (error)
            return sl__jn_throw(e, error);
        analyse(&f, &part[i], &pics[i]);
    }
    if (n_sub == 1) {
        pics[1] = pics[0];
        pics[1].prefix = cat(e, f.prop[P_MINUS], pics[0].prefix);
    }
    *out = u16_value(
        e, format(&f, value.u.n >= 0 ? &pics[0] : &pics[1], value.u.n));
    return 0;
}

/* ---- $formatBase
 * ----------------------------------------------------------------------------
 */

static int fn_format_base(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    sl__jv value = arg(c, 0), radix = arg(c, 1);
    if (value.type != SL__JV_NUM)
        return 0;
    double v = sl__jn_round(value.u.n, 0, false);
    double r =
        radix.type == SL__JV_NUM ? sl__jn_round(radix.u.n, 0, false) : 10;
    if (r < 2 || r > 36)
        return sl__jn_throw_v(e, "D3100", sl__jv_num(r));
    if (!isfinite(v)) {
        bt_buf b;
        bt_buf_init(&b);
        sl__jn_format_number(&b, v);
        *out = sl__jv_str_buf(e, &b);
        return 0;
    }
    char digits[1100];
    size_t n = 0;
    double m = fabs(v);
    do {
        int d = (int)fmod(m, r);
        digits[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        m = (m - d) / r;
    } while (m >= 1 && n < sizeof digits - 1);
    bt_buf b;
    bt_buf_init(&b);
    if (v < 0)
        bt_buf_putc(&b, '-');
    while (n > 0)
        bt_buf_putc(&b, digits[--n]);
    *out = sl__jv_str_buf(e, &b);
    return 0;
}

const sl__jn_builtin sl__jn_fn_num[] = {
    {"formatNumber", "<n-so?:s>", 3, 3, false, fn_format_number},
    {"formatBase", "<n-n?:s>", 2, 2, false, fn_format_base},
};
const size_t sl__jn_fn_num_n = sizeof sl__jn_fn_num / sizeof *sl__jn_fn_num;
