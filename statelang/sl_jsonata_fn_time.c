/*
 * XPath integer pictures for JSONata: $formatInteger and $parseInteger
 * (decimal digit patterns in any Unicode digit family, grouping
 * separators, ordinals, roman numerals, spreadsheet letters, English
 * words), shared with the date/time pictures of sl_jsonata_fn_date.c, as
 * the reference's datetime.js implements them.
 *
 * Invariant: a picture is analysed into an sl__jn_intfmt before any value
 * is formatted or parsed; pictures are handled in code points.
 */
#include "statelang/sl_jsonata_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static sl__jv arg(const sl__jn_call *c, size_t i)
{
    return i < c->n ? c->args[i] : sl__jv_undef();
}

/* ---- words
 * ---------------------------------------------------------------------
 */

static const char *const few[] = {
    "Zero",    "One",     "Two",       "Three",    "Four",
    "Five",    "Six",     "Seven",     "Eight",    "Nine",
    "Ten",     "Eleven",  "Twelve",    "Thirteen", "Fourteen",
    "Fifteen", "Sixteen", "Seventeen", "Eighteen", "Nineteen"};
static const char *const ordinals[] = {
    "Zeroth",    "First",     "Second",      "Third",      "Fourth",
    "Fifth",     "Sixth",     "Seventh",     "Eighth",     "Ninth",
    "Tenth",     "Eleventh",  "Twelfth",     "Thirteenth", "Fourteenth",
    "Fifteenth", "Sixteenth", "Seventeenth", "Eighteenth", "Nineteenth"};
static const char *const decades[] = {"Twenty", "Thirty", "Forty",
                                      "Fifty",  "Sixty",  "Seventy",
                                      "Eighty", "Ninety", "Hundred"};
static const char *const magnitudes[] = {"Thousand", "Million", "Billion",
                                         "Trillion"};

static void words(bt_buf *b, double num, bool prev, bool ord)
{
    if (num <= 19) {
        if (prev)
            bt_buf_puts(b, " and ");
        bt_buf_puts(b, ord ? ordinals[(int)num] : few[(int)num]);
    } else if (num < 100) {
        int tens = (int)floor(num / 10), rem = (int)fmod(num, 10);
        if (prev)
            bt_buf_puts(b, " and ");
        bt_buf_puts(b, decades[tens - 2]);
        if (rem > 0) {
            bt_buf_putc(b, '-');
            words(b, rem, false, ord);
        } else if (ord) {
            b->len--; /* Twenty -> Twentieth */
            bt_buf_puts(b, "ieth");
        }
    } else if (num < 1000) {
        double rem = fmod(num, 100);
        if (prev)
            bt_buf_puts(b, ", ");
        bt_buf_puts(b, few[(int)floor(num / 100)]);
        bt_buf_puts(b, " Hundred");
        if (rem > 0)
            words(b, rem, true, ord);
        else if (ord)
            bt_buf_puts(b, "th");
    } else {
        int mag = (int)floor(log10(num) / 3);
        if (mag > 4)
            mag = 4;
        double factor = pow(10, mag * 3);
        double mant = floor(num / factor);
        double rem = num - mant * factor;
        if (prev)
            bt_buf_puts(b, ", ");
        words(b, mant, false, false);
        bt_buf_putc(b, ' ');
        bt_buf_puts(b, magnitudes[mag - 1]);
        if (rem > 0)
            words(b, rem, true, ord);
        else if (ord)
            bt_buf_puts(b, "th");
    }
}

static double word_value(const char *w, size_t n)
{
    char low[32];
    for (size_t i = 0; i < 20; i++) {
        const char *names[2] = {few[i], ordinals[i]};
        for (int k = 0; k < 2; k++)
            if (strlen(names[k]) == n && !strncasecmp(names[k], w, n))
                return (double)i;
    }
    for (size_t i = 0; i < 9; i++) {
        size_t len = strlen(decades[i]);
        if (len == n && !strncasecmp(decades[i], w, n))
            return (double)((i + 2) * 10);
        if (len + 3 == n && len < sizeof low) {
            memcpy(low, decades[i], len - 1);
            memcpy(low + len - 1, "ieth", 4);
            if (!strncasecmp(low, w, n))
                return (double)((i + 2) * 10);
        }
    }
    if (n == 9 && !strncasecmp(w, "hundredth", 9))
        return 100;
    for (size_t i = 0; i < 4; i++) {
        size_t len = strlen(magnitudes[i]);
        if ((len == n || (len + 2 == n && !strncasecmp(w + len, "th", 2))) &&
            !strncasecmp(magnitudes[i], w, len))
            return pow(10, (double)(i + 1) * 3);
    }
    return NAN;
}

/* wordsToNumber: split on ", ", " and ", whitespace and '-'. */
static double words_to_number(const char *s, size_t n)
{
    double segs[64];
    size_t ns = 1;
    segs[0] = 0;
    size_t i = 0;
    while (i <= n) {
        size_t j = i;
        while (j < n && !(s[j] && strchr(" \t\n\r-\\", s[j])) &&
               !(s[j] == ',' && j + 1 < n && strchr(" \t\n\r", s[j + 1])))
            j++;
        double v = word_value(s + i, j - i);
        if (v < 100) {
            double top = segs[--ns];
            if (top >= 1000) {
                segs[ns++] = top;
                top = 0;
            }
            segs[ns++] = top + v;
        } else {
            segs[ns - 1] = segs[ns - 1] * v;
        }
        if (ns >= 63)
            break;
        if (j + 1 < n && s[j] == ',' && strchr(" \t\n\r", s[j + 1]))
            j++;
        else if (j + 4 < n && !strncasecmp(s + j, " and ", 5))
            j += 4;
        i = j + 1;
    }
    double total = 0;
    for (size_t k = 0; k < ns; k++)
        total += segs[k];
    return total;
}

/* ---- roman numerals and letters
 * --------------------------------------------------
 */

static const struct {
    int value;
    const char *text;
} romans[] = {{1000, "m"}, {900, "cm"}, {500, "d"}, {400, "cd"}, {100, "c"},
              {90, "xc"},  {50, "l"},   {40, "xl"}, {10, "x"},   {9, "ix"},
              {5, "v"},    {4, "iv"},   {1, "i"}};

static void to_roman(bt_buf *b, double value, bool upper)
{
    for (size_t i = 0; i < sizeof romans / sizeof *romans;) {
        if (value >= romans[i].value) {
            for (const char *t = romans[i].text; *t; t++)
                bt_buf_putc(b, upper ? (char)(*t - 32) : *t);
            value -= romans[i].value;
        } else {
            i++;
        }
    }
}

static double roman_value(char ch)
{
    switch (ch) {
    case 'M':
        return 1000;
    case 'D':
        return 500;
    case 'C':
        return 100;
    case 'L':
        return 50;
    case 'X':
        return 10;
    case 'V':
        return 5;
    case 'I':
        return 1;
    default:
        return NAN;
    }
}

static double from_roman(const char *s, size_t n, bool upper)
{
    double decimal = 0, max = 1;
    for (size_t i = n; i-- > 0;) {
        char ch = upper ? s[i]
                        : (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
        double v = roman_value(ch);
        if (v < max) {
            decimal -= v;
        } else {
            max = v;
            decimal += v;
        }
        if (isnan(v))
            decimal = NAN;
    }
    return decimal;
}

static void to_letters(bt_buf *b, double value, char a)
{
    char tmp[64];
    size_t n = 0;
    while (value > 0 && n < sizeof tmp) {
        tmp[n++] = (char)(fmod(value - 1, 26) + a);
        value = floor((value - 1) / 26);
    }
    while (n > 0)
        bt_buf_putc(b, tmp[--n]);
}

static double from_letters(const char *s, size_t n, char a)
{
    double decimal = 0;
    for (size_t i = 0; i < n; i++)
        decimal += ((unsigned char)s[n - i - 1] - a + 1) * pow(26, (double)i);
    return decimal;
}

/* ---- pictures
 * -------------------------------------------------------------------------
 */

static const uint32_t digit_groups[] = {
    0x30,   0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6,
    0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66, 0x0DE6, 0x0E50, 0x0ED0,
    0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80,
    0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900,
    0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10};

static uint32_t digit_group(uint32_t cp)
{
    for (size_t i = 0; i < sizeof digit_groups / sizeof *digit_groups; i++)
        if (cp >= digit_groups[i] && cp <= digit_groups[i] + 9)
            return digit_groups[i];
    return 0;
}

static size_t gcd(size_t a, size_t b)
{
    return b == 0 ? a : gcd(b, a % b);
}

static void regular_seps(sl__jn_intfmt *f)
{
    f->regular = false;
    if (f->n_seps == 0)
        return;
    for (size_t i = 1; i < f->n_seps; i++)
        if (f->seps[i].ch != f->seps[0].ch)
            return;
    size_t factor = (size_t)f->seps[0].position;
    for (size_t i = 1; i < f->n_seps; i++)
        factor = gcd(factor, (size_t)f->seps[i].position);
    for (size_t k = 1; k <= f->n_seps; k++) {
        bool found = false;
        for (size_t i = 0; i < f->n_seps && !found; i++)
            found = (size_t)f->seps[i].position == k * factor;
        if (!found)
            return;
    }
    f->regular = true;
    f->seps[0].position = (int)factor;
    f->n_seps = 1;
}

static int decimal_picture(sl__jn_ev *e, const char *p, size_t n,
                           sl__jn_intfmt *f)
{
    uint32_t cps[256];
    size_t ncp = 0;
    for (size_t i = 0; i < n && ncp < 256;) {
        size_t used = bt_utf8_decode(p + i, n - i, &cps[ncp]);
        if (used == 0)
            cps[ncp] = (unsigned char)p[i], used = 1;
        ncp++;
        i += used;
    }
    int position = 0;
    for (size_t k = ncp; k-- > 0;) {
        uint32_t cp = cps[k], group = digit_group(cp);
        if (group) {
            f->mandatory++;
            position++;
            if (!f->zero)
                f->zero = group;
            else if (group != f->zero)
                return sl__jn_throw(e, "D3131");
        } else if (cp == '#') {
            position++;
            f->optional++;
        } else if (f->n_seps < sizeof f->seps / sizeof *f->seps) {
            f->seps[f->n_seps].position = position;
            f->seps[f->n_seps++].ch = cp;
        }
    }
    if (f->mandatory > 0) {
        f->primary = SL__JN_IF_DECIMAL;
        regular_seps(f);
    } else {
        f->primary = SL__JN_IF_SEQUENCE;
        f->token = p;
        f->token_len = n;
    }
    return 0;
}

int sl__jn_int_analyse(sl__jn_ev *e, const char *p, size_t n, sl__jn_intfmt *f)
{
    memset(f, 0, sizeof *f);
    f->primary = SL__JN_IF_DECIMAL;
    f->tcase = SL__JN_CASE_LOWER;
    const char *semi = NULL;
    for (size_t i = 0; i < n; i++)
        if (p[i] == ';')
            semi = p + i;
    if (semi) {
        f->ordinal = semi + 1 < p + n && semi[1] == 'o';
        n = (size_t)(semi - p);
    }
    if (n == 1 && strchr("AaIi", p[0])) {
        f->tcase = p[0] <= 'Z' ? SL__JN_CASE_UPPER : SL__JN_CASE_LOWER;
        f->primary = (p[0] | 0x20) == 'a' ? SL__JN_IF_LETTERS : SL__JN_IF_ROMAN;
        return 0;
    }
    if ((n == 1 && (p[0] == 'W' || p[0] == 'w')) ||
        (n == 2 && !strncmp(p, "Ww", 2))) {
        f->primary = SL__JN_IF_WORDS;
        f->tcase = n == 2        ? SL__JN_CASE_TITLE
                   : p[0] == 'W' ? SL__JN_CASE_UPPER
                                 : SL__JN_CASE_LOWER;
        return 0;
    }
    return decimal_picture(e, p, n, f);
}

static void change_case(bt_buf *b, size_t from, bool upper)
{
    for (size_t i = from; i < b->len; i++) {
        char ch = b->data[i];
        if (upper && ch >= 'a' && ch <= 'z')
            b->data[i] = (char)(ch - 32);
        else if (!upper && ch >= 'A' && ch <= 'Z')
            b->data[i] = (char)(ch + 32);
    }
}

/* Decimal digits with padding, digit family, grouping and ordinal. */
static void format_decimal(bt_buf *out, double value, const sl__jn_intfmt *f)
{
    bt_buf t;
    bt_buf_init(&t);
    sl__jn_format_number(&t, value);
    uint32_t cps[400];
    size_t n = 0;
    for (int pad = f->mandatory - (int)t.len; pad > 0 && n < 200; pad--)
        cps[n++] = '0';
    for (size_t i = 0; i < t.len && n < 200; i++)
        cps[n++] = (unsigned char)t.data[i];
    bt_buf_fini(&t);
    if (f->zero && f->zero != 0x30)
        for (size_t i = 0; i < n; i++)
            cps[i] += f->zero - 0x30;
    uint32_t g[400];
    size_t gn = 0;
    bool *sep_after = NULL;
    (void)sep_after;
    for (size_t i = 0; i < n; i++) {
        size_t right = n - i; /* digits from here to the end */
        for (size_t s = 0; s < f->n_seps && i > 0; s++) {
            size_t pos = (size_t)f->seps[s].position;
            bool hit = f->regular ? pos > 0 && right % pos == 0 : right == pos;
            if (hit)
                g[gn++] = f->seps[s].ch;
        }
        g[gn++] = cps[i];
    }
    size_t start = out->len;
    for (size_t i = 0; i < gn; i++)
        sl__jn_put_utf8(out, g[i]);
    if (f->ordinal) {
        char last = out->len > start ? out->data[out->len - 1] : '\0';
        char before = out->len > start + 1 ? out->data[out->len - 2] : '\0';
        const char *suffix = last == '1'   ? "st"
                             : last == '2' ? "nd"
                             : last == '3' ? "rd"
                                           : "th";
        if (before == '1')
            suffix = "th";
        bt_buf_puts(out, suffix);
    }
}

int sl__jn_int_format(sl__jn_ev *e, double value, const sl__jn_intfmt *f,
                      bt_buf *out)
{
    if (!isfinite(value)) {
        /* Only an unparsable timezone gets here (NaN date parts); JS
         * prints such a number as "NaN". */
        bt_buf_puts(out, isnan(value) ? "NaN" : "Infinity");
        return 0;
    }
    bool negative = value < 0;
    value = fabs(value);
    size_t start = out->len;
    if (negative)
        bt_buf_putc(out, '-');
    switch (f->primary) {
    case SL__JN_IF_LETTERS:
        to_letters(out, value, f->tcase == SL__JN_CASE_UPPER ? 'A' : 'a');
        break;
    case SL__JN_IF_ROMAN:
        to_roman(out, value, f->tcase == SL__JN_CASE_UPPER);
        break;
    case SL__JN_IF_WORDS:
        words(out, value, false, f->ordinal);
        if (f->tcase != SL__JN_CASE_TITLE)
            change_case(out, start, f->tcase == SL__JN_CASE_UPPER);
        break;
    case SL__JN_IF_DECIMAL:
        format_decimal(out, value, f);
        break;
    default:
        return sl__jn_throw_v(e, "D3130",
                              sl__jv_str(e, f->token, f->token_len));
    }
    if (out->len == start)
        bt_buf_putc(out, '\0'), out->len--;
    return 0;
}

double sl__jn_parse_int(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && strchr(" \t\n\r", s[i]) && s[i])
        i++;
    bool neg = i < n && s[i] == '-';
    if (i < n && (s[i] == '-' || s[i] == '+'))
        i++;
    size_t d = i;
    double v = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        v = v * 10 + (s[i++] - '0');
    if (i == d)
        return NAN;
    return neg ? -v : v;
}

static double parse_decimal(const char *s, size_t n, const sl__jn_intfmt *f)
{
    if (f->ordinal)
        n = n >= 2 ? n - 2 : 0;
    bt_buf d;
    bt_buf_init(&d);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t used = bt_utf8_decode(s + i, n - i, &cp);
        if (used == 0)
            cp = (unsigned char)s[i], used = 1;
        i += used;
        bool sep = false;
        for (size_t k = 0; k < f->n_seps && !sep; k++)
            sep = f->regular ? cp == ',' : cp == f->seps[k].ch;
        if (sep)
            continue;
        if (f->zero && f->zero != 0x30)
            cp = cp - f->zero + 0x30;
        sl__jn_put_utf8(&d, cp);
    }
    double v = sl__jn_parse_int(d.data ? d.data : "", d.len);
    bt_buf_fini(&d);
    return v;
}

int sl__jn_int_parse(sl__jn_ev *e, const char *s, size_t n,
                     const sl__jn_intfmt *f, double *out)
{
    bool upper = f->tcase == SL__JN_CASE_UPPER;
    switch (f->primary) {
    case SL__JN_IF_LETTERS:
        *out = from_letters(s, n, upper ? 'A' : 'a');
        return 0;
    case SL__JN_IF_ROMAN:
        *out = from_roman(s, n, upper);
        return 0;
    case SL__JN_IF_WORDS:
        *out = words_to_number(s, n);
        return 0;
    case SL__JN_IF_DECIMAL:
        *out = parse_decimal(s, n, f);
        return 0;
    default:
        return sl__jn_throw_v(e, "D3130",
                              sl__jv_str(e, f->token, f->token_len));
    }
}

/* ---- $formatInteger, $parseInteger
 * ------------------------------------------------------
 */

static int fn_format_integer(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    sl__jv v = arg(c, 0), pic = arg(c, 1);
    if (v.type != SL__JV_NUM)
        return 0;
    sl__jn_intfmt f;
    if (pic.type != SL__JV_STR)
        pic = sl__jv_str_ref("", 0);
    if (sl__jn_int_analyse(e, pic.u.s, pic.len, &f) != 0)
        return -1;
    bt_buf b;
    bt_buf_init(&b);
    if (sl__jn_int_format(e, floor(v.u.n), &f, &b) != 0) {
        bt_buf_fini(&b);
        return -1;
    }
    *out = sl__jv_str_buf(e, &b);
    return 0;
}

static int fn_parse_integer(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    sl__jv v = arg(c, 0), pic = arg(c, 1);
    if (v.type != SL__JV_STR)
        return 0;
    sl__jn_intfmt f;
    if (pic.type != SL__JV_STR)
        pic = sl__jv_str_ref("", 0);
    double d;
    if (sl__jn_int_analyse(e, pic.u.s, pic.len, &f) != 0 ||
        sl__jn_int_parse(e, v.u.s, v.len, &f, &d) != 0)
        return -1;
    *out = sl__jv_num(d);
    return 0;
}

const sl__jn_builtin sl__jn_fn_time[] = {
    {"formatInteger", "<n-s:s>", 2, 2, false, fn_format_integer},
    {"parseInteger", "<s-s:n>", 2, 2, false, fn_parse_integer},
    {"now", "<s?s?:s>", 2, 2, false, sl__jn_fn_now},
    {"fromMillis", "<n-s?s?:s>", 3, 3, false, sl__jn_fn_from_millis},
    {"toMillis", "<s-s?:n>", 2, 2, false, sl__jn_fn_to_millis},
};
const size_t sl__jn_fn_time_n = sizeof sl__jn_fn_time / sizeof *sl__jn_fn_time;
