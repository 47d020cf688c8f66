/*
 * JSONata string functions: $string $substring $substringBefore
 * $substringAfter $lowercase $uppercase $length $trim $pad $join
 * $base64encode $base64decode and the URL coders, as the reference's
 * functions.js implements them on JavaScript strings (lengths and
 * positions in code points where it uses stringToArray, UTF-16 units
 * elsewhere, Latin-1 bytes for base64).
 *
 * Invariant: results are new strings in the evaluation heap; inputs are
 * never modified.
 */
#include "statelang/sl_jsonata_int.h"

#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <string.h>
#include <wctype.h>

static sl__jv arg(const sl__jn_call *c, size_t i)
{
    return i < c->n ? c->args[i] : sl__jv_undef();
}

static int fn_string(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    return sl__jn_string(e, arg(c, 0), sl__jn_truthy(arg(c, 1)), out);
}

static int fn_length(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    (void)e;
    sl__jv s = arg(c, 0);
    if (s.type == SL__JV_STR)
        *out = sl__jv_num((double)sl__jn_cp_len(s.u.s, s.len));
    return 0;
}

/* Array.prototype.slice over code points, start/end already integers. */
static sl__jv slice(sl__jn_ev *e, sl__jv s, double start, double end)
{
    double len = (double)sl__jn_cp_len(s.u.s, s.len);
    start = start < 0 ? fmax(len + start, 0) : fmin(start, len);
    end = end < 0 ? fmax(len + end, 0) : fmin(end, len);
    if (end <= start)
        return sl__jv_str_ref("", 0);
    size_t from = sl__jn_cp_to_byte(s.u.s, s.len, (size_t)start);
    size_t to = sl__jn_cp_to_byte(s.u.s, s.len, (size_t)end);
    return sl__jv_str(e, s.u.s + from, to - from);
}

static double to_integer(double d)
{
    return isnan(d) ? 0 : trunc(d);
}

static int fn_substring(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    sl__jv s = arg(c, 0), vstart = arg(c, 1), vlen = arg(c, 2);
    if (s.type != SL__JV_STR)
        return 0;
    double len = (double)sl__jn_cp_len(s.u.s, s.len);
    double start = vstart.type == SL__JV_NUM ? vstart.u.n : NAN;
    if (len + start < 0)
        start = 0;
    if (sl__jv_defined(vlen)) {
        double length = vlen.type == SL__JV_NUM ? vlen.u.n : NAN;
        if (length <= 0) {
            *out = sl__jv_str_ref("", 0);
            return 0;
        }
        double end = start >= 0 ? start + length : len + start + length;
        *out = slice(e, s, to_integer(start), to_integer(end));
        return 0;
    }
    *out = slice(e, s, to_integer(start), len);
    return 0;
}

static const char *find(sl__jv s, sl__jv chars, size_t *clen)
{
    const char *needle = "undefined";
    *clen = 9;
    if (chars.type == SL__JV_STR) {
        needle = chars.u.s;
        *clen = chars.len;
    }
    if (*clen == 0)
        return s.u.s;
    for (size_t i = 0; i + *clen <= s.len; i++)
        if (memcmp(s.u.s + i, needle, *clen) == 0)
            return s.u.s + i;
    return NULL;
}

static int fn_substring_before(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    sl__jv s = arg(c, 0);
    size_t clen;
    if (s.type != SL__JV_STR)
        return 0;
    const char *at = find(s, arg(c, 1), &clen);
    *out = at ? sl__jv_str(e, s.u.s, (size_t)(at - s.u.s)) : s;
    return 0;
}

static int fn_substring_after(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    sl__jv s = arg(c, 0);
    size_t clen;
    if (s.type != SL__JV_STR)
        return 0;
    const char *at = find(s, arg(c, 1), &clen);
    if (!at) {
        *out = s;
        return 0;
    }
    size_t from = (size_t)(at - s.u.s) + clen;
    *out = sl__jv_str(e, s.u.s + from, s.len - from);
    return 0;
}

/* ---- case mapping
 * ----------------------------------------------------------------
 */

/* The C.UTF-8 character classes, loaded once per process: loading them
 * maps a file, which is too slow to repeat in every evaluation. Locale
 * objects are safe to share between threads once made. */
static locale_t case_loc;
static pthread_once_t case_loc_once = PTHREAD_ONCE_INIT;

static void case_loc_init(void)
{
    case_loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

static locale_t case_locale(void)
{
    pthread_once(&case_loc_once, case_loc_init);
    return case_loc;
}

static void put_utf8(bt_buf *b, uint32_t cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp, n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6)), u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
    }
    bt_buf_append(b, u, n);
}

void sl__jn_put_utf8(bt_buf *b, uint32_t cp)
{
    put_utf8(b, cp);
}

static void map_one(bt_buf *b, uint32_t cp, bool upper, locale_t loc)
{
    if (cp < 0x80) {
        char ch = (char)cp;
        if (upper && ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 32);
        else if (!upper && ch >= 'A' && ch <= 'Z')
            ch = (char)(ch + 32);
        bt_buf_putc(b, ch);
    } else if (upper && cp == 0xDF) {
        bt_buf_puts(b, "SS");
    } else if (!loc || (cp >= 0xD800 && cp <= 0xDFFF)) {
        put_utf8(b, cp);
    } else {
        put_utf8(b, upper ? (uint32_t)towupper_l((wint_t)cp, loc)
                          : (uint32_t)towlower_l((wint_t)cp, loc));
    }
}

static sl__jv map_case(sl__jn_ev *e, sl__jv s, bool upper)
{
    locale_t loc = case_locale();
    bt_buf b;
    bt_buf_init(&b);
    for (size_t i = 0; i < s.len;) {
        uint32_t cp;
        size_t n = bt_utf8_decode(s.u.s + i, s.len - i, &cp);
        if (n == 0) {
            bt_buf_putc(&b, s.u.s[i++]);
            continue;
        }
        map_one(&b, cp, upper, loc);
        i += n;
    }
    return sl__jv_str_buf(e, &b);
}

static int fn_lowercase(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    if (arg(c, 0).type == SL__JV_STR)
        *out = map_case(e, arg(c, 0), false);
    return 0;
}

static int fn_uppercase(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    if (arg(c, 0).type == SL__JV_STR)
        *out = map_case(e, arg(c, 0), true);
    return 0;
}

/* ---- trim, pad, join
 * ---------------------------------------------------------------
 */

static int fn_trim(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    sl__jv s = arg(c, 0);
    if (s.type != SL__JV_STR)
        return 0;
    bt_buf b;
    bt_buf_init(&b);
    for (size_t i = 0; i < s.len;) {
        if (strchr(" \t\n\r", s.u.s[i]) && s.u.s[i]) {
            while (i < s.len && s.u.s[i] && strchr(" \t\n\r", s.u.s[i]))
                i++;
            bt_buf_putc(&b, ' ');
        } else {
            bt_buf_putc(&b, s.u.s[i++]);
        }
    }
    size_t from = b.len && b.data[0] == ' ' ? 1 : 0;
    size_t to = b.len;
    if (to > from && b.data[to - 1] == ' ')
        to--;
    *out = sl__jv_str(e, b.data ? b.data + from : "", to - from);
    bt_buf_fini(&b);
    return 0;
}

static int fn_pad(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    sl__jv s = arg(c, 0), w = arg(c, 1), ch = arg(c, 2);
    if (s.type != SL__JV_STR)
        return 0;
    if (ch.type != SL__JV_STR || ch.len == 0)
        ch = sl__jv_str_ref(" ", 1);
    double width = w.type == SL__JV_NUM ? trunc(w.u.n) : NAN;
    double pad = fabs(width) - (double)sl__jn_cp_len(s.u.s, s.len);
    if (!(pad > 0)) {
        *out = s;
        return 0;
    }
    /* the result is at most s plus pad copies of the longest character */
    if (sl__jn_heap_check(e, 0) != 0 ||
        pad * 4 + (double)s.len > (double)(e->heap_limit - e->heap_used))
        return sl__jn_heap_check(e, SIZE_MAX);
    size_t n = (size_t)pad;
    bt_buf p;
    bt_buf_init(&p);
    size_t ch_cps = sl__jn_cp_len(ch.u.s, ch.len);
    for (size_t i = 0; i * ch_cps < n; i++)
        bt_buf_append(&p, ch.u.s, ch.len);
    size_t cut = sl__jn_cp_to_byte(p.data, p.len, n);
    bt_buf r;
    bt_buf_init(&r);
    if (width > 0)
        bt_buf_append(&r, s.u.s, s.len);
    bt_buf_append(&r, p.data, cut);
    if (!(width > 0))
        bt_buf_append(&r, s.u.s, s.len);
    bt_buf_fini(&p);
    *out = sl__jv_str_buf(e, &r);
    return 0;
}

static int fn_join(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    sl__jv a = arg(c, 0), sep = arg(c, 1);
    if (a.type != SL__JV_ARR)
        return 0;
    bt_buf b;
    bt_buf_init(&b);
    for (size_t i = 0; i < a.u.a->len; i++) {
        if (i && sep.type == SL__JV_STR)
            bt_buf_append(&b, sep.u.s, sep.len);
        sl__jv item = a.u.a->items[i];
        if (item.type == SL__JV_STR)
            bt_buf_append(&b, item.u.s, item.len);
    }
    *out = sl__jv_str_buf(e, &b);
    return 0;
}

/* ---- base64 (Latin-1 bytes, as Node's Buffer 'binary')
 * ------------------------------
 */

static const char B64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int fn_base64encode(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    sl__jv s = arg(c, 0);
    if (s.type != SL__JV_STR)
        return 0;
    bt_buf bytes, b;
    bt_buf_init(&bytes);
    bt_buf_init(&b);
    for (size_t i = 0; i < s.len;) {
        uint32_t cp;
        size_t n = bt_utf8_decode(s.u.s + i, s.len - i, &cp);
        if (n == 0)
            cp = (unsigned char)s.u.s[i], n = 1;
        if (cp >= 0x10000) /* a surrogate pair: two units */
            bt_buf_putc(&bytes,
                        (char)((0xD800 + ((cp - 0x10000) >> 10)) & 0xFF)),
                cp = 0xDC00 + ((cp - 0x10000) & 0x3FF);
        bt_buf_putc(&bytes, (char)(cp & 0xFF));
        i += n;
    }
    const unsigned char *u = (const unsigned char *)bytes.data;
    for (size_t i = 0; i < bytes.len; i += 3) {
        uint32_t v = (uint32_t)u[i] << 16;
        if (i + 1 < bytes.len)
            v |= (uint32_t)u[i + 1] << 8;
        if (i + 2 < bytes.len)
            v |= u[i + 2];
        bt_buf_putc(&b, B64[(v >> 18) & 63]);
        bt_buf_putc(&b, B64[(v >> 12) & 63]);
        bt_buf_putc(&b, i + 1 < bytes.len ? B64[(v >> 6) & 63] : '=');
        bt_buf_putc(&b, i + 2 < bytes.len ? B64[v & 63] : '=');
    }
    bt_buf_fini(&bytes);
    *out = sl__jv_str_buf(e, &b);
    return 0;
}

static int b64_value(char ch)
{
    if (ch == '-')
        return 62;
    if (ch == '_')
        return 63;
    const char *p = ch ? strchr(B64, ch) : NULL;
    return p ? (int)(p - B64) : -1;
}

static int fn_base64decode(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    sl__jv s = arg(c, 0);
    if (s.type != SL__JV_STR)
        return 0;
    bt_buf b;
    bt_buf_init(&b);
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < s.len && s.u.s[i] != '='; i++) {
        int v = b64_value(s.u.s[i]);
        if (v < 0)
            continue;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            put_utf8(&b, (acc >> bits) & 0xFF);
        }
    }
    *out = sl__jv_str_buf(e, &b);
    return 0;
}

/* ---- URL coding (encodeURI and friends)
 * -------------------------------------------------
 */

static int url_fail(sl__jn_ev *e, sl__jv s, const char *name)
{
    sl__jn_throw_v(e, "D3140", s);
    e->err.fn_name = name;
    return -1;
}

static int encode(sl__jn_ev *e, sl__jv s, const char *keep, const char *name,
                  sl__jv *out)
{
    bt_buf b;
    bt_buf_init(&b);
    for (size_t i = 0; i < s.len;) {
        uint32_t cp;
        size_t n = bt_utf8_decode(s.u.s + i, s.len - i, &cp);
        if (n == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) {
            bt_buf_fini(&b);
            return url_fail(e, s, name);
        }
        char ch = s.u.s[i];
        if (n == 1 && ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                       (ch >= '0' && ch <= '9') || (ch && strchr(keep, ch)))) {
            bt_buf_putc(&b, ch);
        } else {
            for (size_t k = 0; k < n; k++)
                bt_buf_printf(&b, "%%%02X", (unsigned char)s.u.s[i + k]);
        }
        i += n;
    }
    *out = sl__jv_str_buf(e, &b);
    return 0;
}

static int hex(char ch)
{
    return ch >= '0' && ch <= '9'   ? ch - '0'
           : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
           : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                    : -1;
}

static int pct_byte(sl__jv s, size_t i)
{
    if (i + 2 >= s.len || s.u.s[i] != '%')
        return -1;
    int h = hex(s.u.s[i + 1]), l = hex(s.u.s[i + 2]);
    return h < 0 || l < 0 ? -1 : h * 16 + l;
}

/* decodeURI keeps escapes of reserved characters (reserved non-NULL). */
static int decode(sl__jn_ev *e, sl__jv s, const char *reserved,
                  const char *name, sl__jv *out)
{
    bt_buf b;
    bt_buf_init(&b);
    for (size_t i = 0; i < s.len;) {
        if (s.u.s[i] != '%') {
            bt_buf_putc(&b, s.u.s[i++]);
            continue;
        }
        int first = pct_byte(s, i);
        if (first < 0)
            goto bad;
        size_t need = first < 0x80             ? 1
                      : (first & 0xE0) == 0xC0 ? 2
                      : (first & 0xF0) == 0xE0 ? 3
                      : (first & 0xF8) == 0xF0 ? 4
                                               : 0;
        if (need == 0)
            goto bad;
        char bytes[4];
        bytes[0] = (char)first;
        for (size_t k = 1; k < need; k++) {
            int v = pct_byte(s, i + 3 * k);
            if (v < 0 || (v & 0xC0) != 0x80)
                goto bad;
            bytes[k] = (char)v;
        }
        uint32_t cp;
        if (bt_utf8_decode(bytes, need, &cp) != need ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            goto bad;
        if (need == 1 && reserved && strchr(reserved, bytes[0]) && bytes[0])
            bt_buf_append(&b, s.u.s + i, 3);
        else
            bt_buf_append(&b, bytes, need);
        i += 3 * need;
    }
    *out = sl__jv_str_buf(e, &b);
    return 0;
bad:
    bt_buf_fini(&b);
    return url_fail(e, s, name);
}

static int fn_encode_url_component(sl__jn_ev *e, const sl__jn_call *c,
                                   sl__jv *out)
{
    if (arg(c, 0).type != SL__JV_STR)
        return 0;
    return encode(e, arg(c, 0), "-_.!~*'()", "encodeUrlComponent", out);
}

static int fn_encode_url(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    if (arg(c, 0).type != SL__JV_STR)
        return 0;
    return encode(e, arg(c, 0), "-_.!~*'();/?:@&=+$,#", "encodeUrl", out);
}

static int fn_decode_url_component(sl__jn_ev *e, const sl__jn_call *c,
                                   sl__jv *out)
{
    if (arg(c, 0).type != SL__JV_STR)
        return 0;
    return decode(e, arg(c, 0), NULL, "decodeUrlComponent", out);
}

static int fn_decode_url(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    if (arg(c, 0).type != SL__JV_STR)
        return 0;
    return decode(e, arg(c, 0), ";/?:@&=+$,#", "decodeUrl", out);
}

const sl__jn_builtin sl__jn_fn_str[] = {
    {"string", "<x-b?:s>", 2, 1, false, fn_string},
    {"substring", "<s-nn?:s>", 3, 3, false, fn_substring},
    {"substringBefore", "<s-s:s>", 2, 2, false, fn_substring_before},
    {"substringAfter", "<s-s:s>", 2, 2, false, fn_substring_after},
    {"lowercase", "<s-:s>", 1, 1, false, fn_lowercase},
    {"uppercase", "<s-:s>", 1, 1, false, fn_uppercase},
    {"length", "<s-:n>", 1, 1, false, fn_length},
    {"trim", "<s-:s>", 1, 1, false, fn_trim},
    {"pad", "<s-ns?:s>", 3, 3, false, fn_pad},
    {"join", "<a<s>s?:s>", 2, 2, false, fn_join},
    {"base64encode", "<s-:s>", 1, 1, false, fn_base64encode},
    {"base64decode", "<s-:s>", 1, 1, false, fn_base64decode},
    {"encodeUrlComponent", "<s-:s>", 1, 1, false, fn_encode_url_component},
    {"encodeUrl", "<s-:s>", 1, 1, false, fn_encode_url},
    {"decodeUrlComponent", "<s-:s>", 1, 1, false, fn_decode_url_component},
    {"decodeUrl", "<s-:s>", 1, 1, false, fn_decode_url},
};
const size_t sl__jn_fn_str_n = sizeof sl__jn_fn_str / sizeof *sl__jn_fn_str;
