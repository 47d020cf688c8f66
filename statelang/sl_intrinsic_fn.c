/*
 * The encoding, hashing, math and identifier intrinsics (ASL reference
 * §4.3): Base64Encode, Base64Decode, Hash, MathRandom, MathAdd, UUID.
 *
 * Randomness: unseeded MathRandom and UUID draw only from the caller's
 * sl_rand; a seeded MathRandom uses its own SplitMix64 generator (below),
 * so its result depends on nothing but its arguments.
 */
#include "statelang/sl_intrinsic_int.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

/* ---- Base64 (RFC 4648 §4, standard alphabet, '=' padding) ----------------
 */

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int sl_ifn__base64_encode(sl_ifn *f, json_object **out)
{
    const char *s;
    size_t n;
    if (sl_ifn__capped_string(f, 0, &s, &n))
        return BT_EINVAL;
    const unsigned char *u = (const unsigned char *)s;
    bt_buf b;
    bt_buf_init(&b);
    bt_buf_puts(&b, "");
    for (size_t i = 0; i < n; i += 3) {
        uint32_t group = (uint32_t)u[i] << 16;
        if (i + 1 < n)
            group |= (uint32_t)u[i + 1] << 8;
        if (i + 2 < n)
            group |= u[i + 2];
        bt_buf_putc(&b, b64_alphabet[group >> 18]);
        bt_buf_putc(&b, b64_alphabet[(group >> 12) & 63]);
        bt_buf_putc(&b, i + 1 < n ? b64_alphabet[(group >> 6) & 63] : '=');
        bt_buf_putc(&b, i + 2 < n ? b64_alphabet[group & 63] : '=');
    }
    *out = json_object_new_string_len(b.data, (int)b.len);
    bt_buf_fini(&b);
    return 0;
}

static int b64_value(unsigned char c)
{
    const char *p = c ? strchr(b64_alphabet, c) : NULL;
    return p ? (int)(p - b64_alphabet) : -1;
}

/* Like Java's basic decoder (java.util.Base64.getDecoder()): padding may be
 * left out, but when present it must complete the last group; characters
 * outside the alphabet, including line breaks, are errors. */
static bool b64_decode(const char *s, size_t n, bt_buf *out)
{
    size_t pad = 0;
    while (pad < 2 && n > 0 && s[n - 1] == '=')
        n--, pad++;
    if ((pad && (n + pad) % 4 != 0) || n % 4 == 1)
        return false;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64_value((unsigned char)s[i]);
        if (v < 0)
            return false;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            bt_buf_putc(out, (char)((acc >> bits) & 0xff));
        }
    }
    return true;
}

/* Well-formed UTF-8 without encoded surrogates (bt_utf8_decode already
 * rejects overlong forms and values above U+10FFFF). */
static bool utf8_text(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t used = bt_utf8_decode(s + i, n - i, &cp);
        if (!used || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += used;
    }
    return true;
}

int sl_ifn__base64_decode(sl_ifn *f, json_object **out)
{
    const char *s;
    size_t n;
    if (sl_ifn__capped_string(f, 0, &s, &n))
        return BT_EINVAL;
    bt_buf b;
    bt_buf_init(&b);
    bt_buf_puts(&b, "");
    int rc = 0;
    if (!b64_decode(s, n, &b))
        rc = sl_ifn__fail_arg(f, 0, "must be Base64 text");
    else if (!utf8_text(b.data, b.len))
        rc = sl_ifn__fail_arg(f, 0, "must decode to UTF-8 text");
    else
        *out = json_object_new_string_len(b.data, (int)b.len);
    bt_buf_fini(&b);
    return rc;
}

/* ---- Hash -------------------------------------------------------------------
 */

static const struct {
    const char *name;
    const EVP_MD *(*md)(void);
} hash_algorithms[] = {
    {"MD5", EVP_md5},        {"SHA-1", EVP_sha1},     {"SHA-256", EVP_sha256},
    {"SHA-384", EVP_sha384}, {"SHA-512", EVP_sha512},
};

/* The data is hashed as UTF-8. A value that is not a string is hashed as
 * its compact JSON text: the reference gives the limit on the data
 * "stringified" [AMBIG: AWS's behaviour for non-strings is not recorded]. */
int sl_ifn__hash(sl_ifn *f, json_object **out)
{
    json_object *data = f->args[0];
    const char *s = json_object_is_type(data, json_type_string)
                        ? json_object_get_string(data)
                        : bt_json_compact(data);
    size_t n = json_object_is_type(data, json_type_string)
                   ? (size_t)json_object_get_string_len(data)
                   : strlen(s);
    if (bt_utf8_length(s, n) > SL_IFN_MAX_CHARS)
        return sl_ifn__fail_arg(f, 0, "must not be longer than %d characters",
                                SL_IFN_MAX_CHARS);
    if (sl_ifn__want(f, 1, json_type_string))
        return BT_EINVAL;
    const char *alg = json_object_get_string(f->args[1]);
    size_t k = 0, nalg = sizeof hash_algorithms / sizeof hash_algorithms[0];
    while (k < nalg && strcmp(hash_algorithms[k].name, alg) != 0)
        k++;
    if (k == nalg)
        return sl_ifn__fail_arg(f, 1,
                                "must be one of MD5, SHA-1, SHA-256, SHA-384, "
                                "SHA-512");
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (EVP_Digest(s, n, md, &mdlen, hash_algorithms[k].md(), NULL) != 1)
        return sl_ifn__fail(f, "could not compute %s (OpenSSL refused)",
                            hash_algorithms[k].name);
    char hex[2 * EVP_MAX_MD_SIZE + 1];
    for (unsigned int i = 0; i < mdlen; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    *out = json_object_new_string_len(hex, (int)(2 * mdlen));
    return 0;
}

/* ---- Math -------------------------------------------------------------------
 */

/* SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
 * generators", OOPSLA 2014): the state advances by the golden-ratio
 * increment and each output is the state run through a finaliser. Seeding
 * it with the seed's 64-bit two's complement makes a seeded MathRandom
 * reproducible on every platform; it does not reproduce AWS's numbers,
 * whose generator is unknown. */
static uint64_t splitmix64(void *ud)
{
    uint64_t *state = ud;
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* Uniform in [0, span] by rejection: draws below 2^64 mod (span + 1) are
 * redrawn, so every result is equally likely. */
static uint64_t uniform(const sl_rand *r, uint64_t span)
{
    if (span == UINT64_MAX)
        return r->next(r->ud);
    uint64_t n = span + 1, reject_below = (0 - n) % n;
    for (;;) {
        uint64_t x = r->next(r->ud);
        if (x >= reject_below)
            return x % n;
    }
}

/* Both ends are included ([IMPL] in the reference: AWS does not say). */
int sl_ifn__math_random(sl_ifn *f, json_object **out)
{
    int64_t lo, hi, seed = 0;
    if (sl_ifn__rounded(f, 0, INT64_MIN, INT64_MAX, &lo) ||
        sl_ifn__rounded(f, 1, INT64_MIN, INT64_MAX, &hi) ||
        (f->nargs > 2 && sl_ifn__rounded(f, 2, INT64_MIN, INT64_MAX, &seed)))
        return BT_EINVAL;
    if (lo > hi)
        return sl_ifn__fail_arg(f, 0,
                                "must not be greater than the second "
                                "(%lld > %lld)",
                                (long long)lo, (long long)hi);
    uint64_t state = (uint64_t)seed;
    sl_rand seeded = {splitmix64, &state};
    const sl_rand *r = f->nargs > 2 ? &seeded : f->rng;
    assert(r && r->next);
    uint64_t offset = uniform(r, (uint64_t)hi - (uint64_t)lo);
    *out = json_object_new_int64((int64_t)((uint64_t)lo + offset));
    return 0;
}

/* Each argument is rounded first (the reference's AWS vectors: 1.49 + 1.5
 * is 3, -2.5 + 0 is -2) and must then lie in Java's int range, as AWS's
 * documentation requires; the sum cannot overflow int64_t. */
int sl_ifn__math_add(sl_ifn *f, json_object **out)
{
    int64_t a, b;
    if (sl_ifn__rounded(f, 0, INT32_MIN, INT32_MAX, &a) ||
        sl_ifn__rounded(f, 1, INT32_MIN, INT32_MAX, &b))
        return BT_EINVAL;
    *out = json_object_new_int64(a + b);
    return 0;
}

/* ---- UUID -------------------------------------------------------------------
 */

/* RFC 9562 version 4: two draws, most significant byte first, then the
 * version nibble (4) and the variant bits (10). */
int sl_ifn__uuid(sl_ifn *f, json_object **out)
{
    assert(f->rng && f->rng->next);
    unsigned char u[16];
    for (int half = 0; half < 2; half++) {
        uint64_t x = f->rng->next(f->rng->ud);
        for (int i = 7; i >= 0; i--, x >>= 8)
            u[half * 8 + i] = (unsigned char)(x & 0xff);
    }
    char text[37];
    bt_uuid_v4_format(u, text);
    *out = json_object_new_string(text);
    return 0;
}
