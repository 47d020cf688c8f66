/*
 * JSONata date/time: $now $fromMillis $toMillis with XPath F&O picture
 * strings ([Y0001]-[M01]-[D01]...), formatting and parsing as the
 * reference's datetime.js does, on a proleptic Gregorian UTC calendar
 * with JavaScript's Date ranges and rounding.
 *
 * Invariant: time comes from the evaluation's clock (env->now_ms) only;
 * a picture is analysed into parts before any timestamp is touched.
 */
#include "statelang/sl_jsonata_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS 86400000.0

static sl__jv arg(const sl__jn_call *c, size_t i)
{
    return i < c->n ? c->args[i] : sl__jv_undef();
}

/* ---- calendar
 * -------------------------------------------------------------------
 */

static double days_from_civil(double y, double m, double d)
{
    y -= m <= 2;
    double era = floor(y / 400);
    double yoe = y - era * 400;
    double mp = fmod(m + 9, 12);
    double doy = floor((153 * mp + 2) / 5) + d - 1;
    double doe = yoe * 365 + floor(yoe / 4) - floor(yoe / 100) + doy;
    return era * 146097 + doe - 719468;
}

/* Date.UTC(y, m0, d, h, mi, s, ms) with JavaScript's conversions. */
static double date_utc(double y, double m0, double d, double h, double mi,
                       double s, double ms)
{
    double v[7] = {y, m0, d, h, mi, s, ms};
    for (int i = 0; i < 7; i++) {
        if (!isfinite(v[i]))
            return NAN;
        v[i] = trunc(v[i]);
    }
    if (v[0] >= 0 && v[0] <= 99)
        v[0] += 1900;
    double ym = v[0] + floor(v[1] / 12);
    double mn = fmod(v[1], 12);
    if (mn < 0)
        mn += 12;
    double day = days_from_civil(ym, mn + 1, 1) + v[2] - 1;
    double t =
        day * DAY_MS + v[3] * 3600000 + v[4] * 60000 + v[5] * 1000 + v[6];
    return fabs(t) > 8.64e15 ? NAN : t;
}

typedef struct civil {
    double year, month, day;               /* month 0..11 */
    double hour, minute, second, ms, wday; /* wday 0 = Sunday */
    double t;
} civil;

static civil to_civil(double t)
{
    civil c;
    c.t = t;
    if (!isfinite(t)) {
        c.year = c.month = c.day = c.hour = c.minute = c.second = c.ms =
            c.wday = NAN;
        return c;
    }
    double days = floor(t / DAY_MS);
    double rem = t - days * DAY_MS;
    double z = days + 719468;
    double era = floor(z / 146097);
    double doe = z - era * 146097;
    double yoe = floor(
        (doe - floor(doe / 1460) + floor(doe / 36524) - floor(doe / 146096)) /
        365);
    double doy = doe - (365 * yoe + floor(yoe / 4) - floor(yoe / 100));
    double mp = floor((5 * doy + 2) / 153);
    c.day = doy - floor((153 * mp + 2) / 5) + 1;
    double m = mp < 10 ? mp + 3 : mp - 9;
    c.year = yoe + era * 400 + (m <= 2);
    c.month = m - 1;
    c.hour = floor(rem / 3600000);
    c.minute = floor(fmod(rem, 3600000) / 60000);
    c.second = floor(fmod(rem, 60000) / 1000);
    c.ms = fmod(rem, 1000);
    c.wday = fmod(fmod(days + 4, 7) + 7, 7);
    return c;
}

static double start_of_first_week(double year, double month)
{
    double first = date_utc(year, month, 1, 0, 0, 0, 0);
    double dow = to_civil(first).wday;
    if (dow == 0)
        dow = 7;
    return dow > 4 ? first + (8 - dow) * DAY_MS : first - (dow - 1) * DAY_MS;
}

static double week_in(const civil *c, bool in_year)
{
    double y = c->year, m = in_year ? 0 : c->month;
    double start = start_of_first_week(y, m);
    double today = date_utc(y, c->month, c->day, 0, 0, 0, 0);
    double week = (today - start) / (DAY_MS * 7) + 1;
    double limit = in_year ? 52 : 4;
    if (week > limit) {
        double ny = in_year || m == 11 ? y + 1 : y;
        double nm = in_year ? 0 : (m == 11 ? 0 : m + 1);
        if (today >= start_of_first_week(ny, nm))
            week = 1;
    } else if (week < 1) {
        double py = in_year || m == 0 ? y - 1 : y;
        double pm = in_year ? 0 : (m == 0 ? 11 : m - 1);
        week = (today - start_of_first_week(py, pm)) / (DAY_MS * 7) + 1;
    }
    return floor(week);
}

static double iso_year(const civil *c, bool month)
{
    double y = c->year, m = month ? c->month : 0;
    double start = start_of_first_week(y, m);
    double ny = month && m == 11 ? y + 1 : month ? y : y + 1;
    double nm = month ? (m == 11 ? 0 : m + 1) : 0;
    double end = start_of_first_week(ny, nm);
    if (!month)
        return c->t < start ? y - 1 : c->t >= end ? y + 1 : y;
    return c->t < start  ? (m == 0 ? 11 : m - 1) + 1
           : c->t >= end ? nm + 1
                         : m + 1;
}

/* getDateTimeFragment for numeric components; P, C, E are handled by the
 * callers. */
static double fragment(const civil *c, char component)
{
    switch (component) {
    case 'Y':
        return c->year;
    case 'M':
        return c->month + 1;
    case 'D':
        return c->day;
    case 'd':
        return (date_utc(c->year, c->month, c->day, 0, 0, 0, 0) -
                date_utc(c->year, 0, 1, 0, 0, 0, 0)) /
                   DAY_MS +
               1;
    case 'F':
        return c->wday == 0 ? 7 : c->wday;
    case 'W':
        return week_in(c, true);
    case 'w':
        return week_in(c, false);
    case 'X':
        return iso_year(c, false);
    case 'x':
        return iso_year(c, true);
    case 'H':
        return c->hour;
    case 'h': {
        double h = fmod(c->hour, 12);
        return h == 0 ? 12 : h;
    }
    case 'm':
        return c->minute;
    case 's':
        return c->second;
    case 'f':
        return c->ms;
    default:
        return NAN;
    }
}

/* ---- pictures
 * -----------------------------------------------------------------------
 */

typedef sl__jn_dpart dpart;
typedef sl__jn_dparts dpic;

static const char *default_modifier(char component)
{
    static const char *const table[][2] = {
        {"Y", "1"},     {"M", "1"},     {"D", "1"},  {"d", "1"},  {"F", "n"},
        {"W", "1"},     {"w", "1"},     {"X", "1"},  {"x", "1"},  {"H", "1"},
        {"h", "1"},     {"P", "n"},     {"m", "01"}, {"s", "01"}, {"f", "1"},
        {"Z", "01:01"}, {"z", "01:01"}, {"C", "n"},  {"E", "n"}};
    for (size_t i = 0; i < sizeof table / sizeof *table; i++)
        if (table[i][0][0] == component)
            return table[i][1];
    return NULL;
}

static dpart *add_part(sl__jn_ev *e, dpic *p)
{
    if ((p->n & (p->n + 1)) == 0 || p->n == 0) {
        dpart *grown = sl__jn_ev_alloc(e, (p->n + 1) * 2 * sizeof *grown);
        if (p->n)
            memcpy(grown, p->parts, p->n * sizeof *grown);
        p->parts = grown;
    }
    dpart *d = &p->parts[p->n++];
    memset(d, 0, sizeof *d);
    return d;
}

static void add_literal(sl__jn_ev *e, dpic *p, const char *s, size_t n)
{
    if (n == 0)
        return;
    dpart *d = add_part(e, p);
    d->literal = true;
    d->text = sl__jn_ev_alloc(e, n + 1);
    for (size_t i = 0; i < n; i++) {
        d->text[d->len++] = s[i];
        if (s[i] == ']' && i + 1 < n && s[i + 1] == ']')
            i++;
    }
}

/* Widths past this are treated as this: they could only pad a result to
 * gigabytes (the reference fails such a string with a RangeError). */
#define WIDTH_MAX 100000.0

/* parseInt of a width, NaN when it has no digits */
static double width_value(const char *s, size_t n, bool *present)
{
    *present = !(n == 1 && s[0] == '*');
    double v = 0;
    size_t i = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        v = v * 10 + (s[i++] - '0');
    return i == 0 ? NAN : fmin(v, WIDTH_MAX);
}

static void parse_width(dpart *d, const char *w, size_t n)
{
    d->has_width = true;
    const char *dash = memchr(w, '-', n);
    size_t minlen = dash ? (size_t)(dash - w) : n;
    d->wmin = width_value(w, minlen, &d->has_min);
    if (dash)
        d->wmax = width_value(dash + 1, n - minlen - 1, &d->has_max);
}

static int marker_format(sl__jn_ev *e, dpic *p, dpart *d, const char *pres,
                         size_t plen)
{
    if (plen > 0 && pres[0] == 'n') {
        d->names = SL__JN_CASE_LOWER;
    } else if (plen > 0 && pres[0] == 'N') {
        d->names =
            plen > 1 && pres[1] == 'n' ? SL__JN_CASE_TITLE : SL__JN_CASE_UPPER;
    } else if (strchr("YMDdFWwXxHhmsf", d->component) && d->component) {
        char pic[80];
        size_t n = plen < 70 ? plen : 70;
        memcpy(pic, pres, n);
        if (d->pres2)
            pic[n++] = ';', pic[n++] = d->pres2;
        if (sl__jn_int_analyse(e, sl__jv_str(e, pic, n).u.s, n, &d->ifmt) != 0)
            return -1;
        d->has_int = true;
        if (d->has_width && d->has_min && d->wmin > d->ifmt.mandatory)
            d->ifmt.mandatory = (int)d->wmin;
        if (d->component == 'Y') {
            d->n = -1;
            if (d->has_width && d->has_max) {
                d->n = d->wmax;
                d->ifmt.mandatory = isnan(d->wmax) ? 0 : (int)d->wmax;
            } else if (d->ifmt.mandatory + d->ifmt.optional >= 2) {
                d->n = d->ifmt.mandatory + d->ifmt.optional;
            }
        }
        if (p->n >= 2 && p->parts[p->n - 2].has_int)
            p->parts[p->n - 2].ifmt.parse_width =
                p->parts[p->n - 2].ifmt.mandatory;
    }
    if (d->component == 'Z' || d->component == 'z') {
        if (sl__jn_int_analyse(e, pres, plen, &d->ifmt) != 0)
            return -1;
        d->has_int = true;
    }
    return 0;
}

static int add_marker(sl__jn_ev *e, dpic *p, const char *s, size_t n)
{
    char *m = sl__jn_ev_alloc(e, n + 1);
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        if (!strchr(" \t\n\r\f\v", s[i]) || !s[i])
            m[len++] = s[i];
    dpart *d = add_part(e, p);
    d->component = len ? m[0] : '\0';
    const char *comma = NULL;
    for (size_t i = 0; i < len; i++)
        if (m[i] == ',')
            comma = m + i;
    size_t pend = len;
    if (comma) {
        parse_width(d, comma + 1, len - (size_t)(comma - m) - 1);
        pend = (size_t)(comma - m);
    }
    const char *pres = len ? m + 1 : m;
    size_t plen = pend > 0 ? pend - 1 : 0;
    size_t units = sl__jn_u16_len(pres, plen);
    if (units > 1 && strchr("atco", pres[plen - 1])) {
        d->pres2 = pres[plen - 1];
        plen--;
    } else if (units == 0) {
        pres = default_modifier(d->component);
        if (!pres || !d->component)
            return sl__jn_throw_v(e, "D3132", sl__jv_str(e, m, len ? 1 : 0));
        plen = strlen(pres);
    }
    d->text = (char *)pres;
    d->len = plen;
    return marker_format(e, p, d, pres, plen);
}

static int analyse_picture(sl__jn_ev *e, const char *pic, size_t n, dpic *p)
{
    memset(p, 0, sizeof *p);
    size_t start = 0, pos = 0;
    while (pos < n) {
        if (pic[pos] != '[') {
            pos++;
            continue;
        }
        if (pos + 1 < n && pic[pos + 1] == '[') {
            add_literal(e, p, pic + start, pos - start);
            add_literal(e, p, "[", 1);
            pos += 2;
            start = pos;
            continue;
        }
        add_literal(e, p, pic + start, pos - start);
        const char *close = memchr(pic + pos, ']', n - pos);
        if (!close)
            return sl__jn_throw(e, "D3135");
        size_t end = (size_t)(close - pic);
        if (add_marker(e, p, pic + pos + 1, end - pos - 1) != 0)
            return -1;
        pos = end + 1;
        start = pos;
    }
    add_literal(e, p, pic + start, pos - start);
    return 0;
}

/* ---- formatting
 * -----------------------------------------------------------------------
 */

static const char *const day_names[] = {"",          "Monday",   "Tuesday",
                                        "Wednesday", "Thursday", "Friday",
                                        "Saturday",  "Sunday"};
static const char *const month_names[] = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

static void put_name(bt_buf *b, const char *name, const dpart *d)
{
    size_t n = strlen(name);
    if (d->has_width && d->has_max && d->wmax < (double)n)
        n = d->wmax > 0 ? (size_t)d->wmax : 0;
    for (size_t i = 0; i < n; i++) {
        char ch = name[i];
        if (d->names == SL__JN_CASE_UPPER && ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 32);
        else if (d->names == SL__JN_CASE_LOWER && ch >= 'A' && ch <= 'Z')
            ch = (char)(ch + 32);
        bt_buf_putc(b, ch);
    }
}

static int format_timezone(sl__jn_ev *e, const dpart *d, double oh, double om,
                           bt_buf *b)
{
    double offset = oh * 100 + om;
    size_t start = b->len;
    if (d->component == 'z')
        bt_buf_puts(b, "GMT");
    if (offset >= 0)
        bt_buf_putc(b, '+');
    int digits = d->ifmt.mandatory;
    if (d->ifmt.regular) {
        if (sl__jn_int_format(e, offset, &d->ifmt, b) != 0)
            return -1;
    } else if (digits == 1 || digits == 2) {
        if (sl__jn_int_format(e, oh, &d->ifmt, b) != 0)
            return -1;
        if (isnan(om))
            bt_buf_puts(b, ":NaN"); /* an unparsable timezone, as JS */
        else if (om != 0)
            bt_buf_printf(b, ":%02d", (int)om);
    } else if (digits == 3 || digits == 4) {
        if (sl__jn_int_format(e, offset, &d->ifmt, b) != 0)
            return -1;
    } else {
        return sl__jn_throw_v(e, "D3134", sl__jv_num(digits));
    }
    if (offset == 0 && d->pres2 == 't') {
        b->len = start;
        bt_buf_putc(b, 'Z');
    }
    return 0;
}

static int format_part(sl__jn_ev *e, const dpart *d, const civil *c, double oh,
                       double om, bt_buf *b)
{
    char k = d->component;
    if (k && strchr("YMDdFWwXxHhms", k)) {
        double v = fragment(c, k);
        if (k == 'Y' && d->n != -1)
            v = fmod(v, pow(10, d->n));
        if (d->names) {
            if (k == 'M' || k == 'x')
                put_name(b, isnan(v) ? "undefined" : month_names[(int)v - 1],
                         d);
            else if (k == 'F')
                put_name(b, isnan(v) ? "undefined" : day_names[(int)v], d);
            else
                return sl__jn_throw_v(e, "D3133",
                                      sl__jv_str(e, &d->component, 1));
            return 0;
        }
        return sl__jn_int_format(e, v, &d->ifmt, b);
    }
    switch (k) {
    case 'f':
        return sl__jn_int_format(e, fragment(c, k), &d->ifmt, b);
    case 'Z':
    case 'z':
        return format_timezone(e, d, oh, om, b);
    case 'P':
        bt_buf_puts(b, c->hour >= 12
                           ? (d->names == SL__JN_CASE_UPPER ? "PM" : "pm")
                           : (d->names == SL__JN_CASE_UPPER ? "AM" : "am"));
        return 0;
    case 'C':
    case 'E':
        bt_buf_puts(b, "ISO");
        return 0;
    default:
        bt_buf_puts(b, "undefined");
        return 0;
    }
}

static int format_datetime(sl__jn_ev *e, double millis, sl__jv picture,
                           sl__jv timezone, sl__jv *out)
{
    static const char iso[] =
        "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]";
    double oh = 0, om = 0;
    if (timezone.type == SL__JV_STR) {
        double offset = sl__jn_parse_int(timezone.u.s, timezone.len);
        oh = floor(offset / 100);
        om = fmod(offset, 100);
    }
    dpic p;
    int rc = picture.type == SL__JV_STR
                 ? analyse_picture(e, picture.u.s, picture.len, &p)
                 : analyse_picture(e, iso, sizeof iso - 1, &p);
    if (rc != 0)
        return -1;
    double t = millis + (60 * oh + om) * 60000;
    t = fabs(t) > 8.64e15 ? NAN : trunc(t);
    civil c = to_civil(t);
    bt_buf b;
    bt_buf_init(&b);
    for (size_t i = 0; i < p.n; i++) {
        if (p.parts[i].literal)
            bt_buf_append(&b, p.parts[i].text, p.parts[i].len);
        else if (format_part(e, &p.parts[i], &c, oh, om, &b) != 0) {
            bt_buf_fini(&b);
            return -1;
        }
    }
    *out = sl__jv_str_buf(e, &b);
    return 0;
}

int sl__jn_fn_from_millis(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    sl__jv millis = arg(c, 0);
    if (millis.type != SL__JV_NUM)
        return 0;
    return format_datetime(e, millis.u.n, arg(c, 1), arg(c, 2), out);
}

int sl__jn_fn_now(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    return format_datetime(e, (double)e->env->now_ms, arg(c, 0), arg(c, 1),
                           out);
}

/* ---- parsing
 * ------------------------------------------------------------------------------
 */

double sl__jn_date_default(sl__jn_ev *e, char component, bool *is_pm)
{
    civil now = to_civil((double)e->env->now_ms);
    *is_pm = now.hour >= 12;
    return fragment(&now, component);
}

double sl__jn_date_fragment(double t, char component)
{
    civil c = to_civil(t);
    return fragment(&c, component);
}

double sl__jn_date_utc(double y, double m0, double d, double h, double mi,
                       double s, double ms)
{
    return date_utc(y, m0, d, h, mi, s, ms);
}

int sl__jn_date_analyse(sl__jn_ev *e, const char *pic, size_t n,
                        sl__jn_dparts *out)
{
    dpic p;
    if (analyse_picture(e, pic, n, &p) != 0)
        return -1;
    out->parts = p.parts;
    out->n = p.n;
    return 0;
}
