/*
 * The JSONata functions AWS Step Functions adds to the standard library:
 * $partition $range $hash $random([seed]) $uuid $parse. Present only when
 * the caller asks for them (sl_jsonata_env.aws_functions); a variable of
 * the same name still shadows them, as any binding shadows a built-in.
 *
 * Error codes for their failures are Baton's own (D3150..D3162; AWS
 * reports all of them as States.QueryEvaluationError).
 *
 * Invariant: randomness comes from the environment's source, or from the
 * seed for $random(seed), which is then deterministic.
 */
#include "statelang/sl_jsonata_int.h"

#include <math.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

static sl__jv arg(const sl__jn_call *c, size_t i)
{
    return i < c->n ? c->args[i] : sl__jv_undef();
}

static int fn_partition(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    sl__jv a = arg(c, 0), size = arg(c, 1);
    if (a.type != SL__JV_ARR)
        return 0;
    if (size.type != SL__JV_NUM || size.u.n < 1 || size.u.n != floor(size.u.n))
        return sl__jn_throw_v(e, "D3160", size);
    size_t chunk = size.u.n > (double)SIZE_MAX ? SIZE_MAX : (size_t)size.u.n;
    sl__jarr *r = sl__jarr_new(e, 0, 0);
    for (size_t i = 0; i < a.u.a->len; i += chunk) {
        size_t n = a.u.a->len - i < chunk ? a.u.a->len - i : chunk;
        sl__jarr *part = sl__jarr_new(e, 0, n);
        memcpy(part->items, a.u.a->items + i, n * sizeof *part->items);
        part->len = n;
        sl__jarr_push(e, r, sl__jv_arr(part));
    }
    *out = sl__jv_arr(r);
    return 0;
}

static int fn_range(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    sl__jv vs = arg(c, 0), ve = arg(c, 1), vstep = arg(c, 2);
    if (vs.type != SL__JV_NUM || ve.type != SL__JV_NUM)
        return 0;
    double step = vstep.type == SL__JV_NUM ? vstep.u.n : 1;
    if (step == 0 || isnan(step))
        return sl__jn_throw(e, "D3161");
    double count = floor((ve.u.n - vs.u.n) / step) + 1;
    if (count > 1e7)
        return sl__jn_throw_v(e, "D2014", sl__jv_num(count));
    sl__jarr *r = sl__jarr_new(e, 0, count > 0 ? (size_t)count : 0);
    for (double i = 0; i < count; i++)
        sl__jarr_push(e, r, sl__jv_num(vs.u.n + i * step));
    *out = sl__jv_arr(r);
    return 0;
}

static const EVP_MD *digest_named(const char *name)
{
    if (strcmp(name, "MD5") == 0)
        return EVP_md5();
    if (strcmp(name, "SHA-1") == 0)
        return EVP_sha1();
    if (strcmp(name, "SHA-256") == 0)
        return EVP_sha256();
    if (strcmp(name, "SHA-384") == 0)
        return EVP_sha384();
    if (strcmp(name, "SHA-512") == 0)
        return EVP_sha512();
    return NULL;
}

static int fn_hash(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    sl__jv value = arg(c, 0), alg = arg(c, 1);
    if (!sl__jv_defined(value))
        return 0;
    if (value.type != SL__JV_STR && sl__jn_string(e, value, false, &value) != 0)
        return -1;
    const EVP_MD *md =
        digest_named(alg.type == SL__JV_STR ? alg.u.s : "SHA-256");
    if (!md)
        return sl__jn_throw_v(e, "D3162", alg);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_Digest(value.u.s, value.len, digest, &n, md, NULL) != 1)
        return sl__jn_throw_v(e, "D3162", alg);
    bt_buf b;
    bt_buf_init(&b);
    for (unsigned int i = 0; i < n; i++)
        bt_buf_printf(&b, "%02x", digest[i]);
    *out = sl__jv_str_buf(e, &b);
    return 0;
}

/* $random(seed): splitmix64 over the seed's bits, one draw. */
static double seeded(double seed)
{
    uint64_t z;
    memcpy(&z, &seed, sizeof z);
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0;
}

static int fn_random(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    sl__jv seed = arg(c, 0);
    *out = sl__jv_num(seed.type == SL__JV_NUM ? seeded(seed.u.n)
                                              : sl__jn_random(e));
    return 0;
}

static int fn_uuid(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    (void)c;
    unsigned char u[16];
    for (size_t i = 0; i < 16; i += 4) {
        uint32_t r = (uint32_t)(sl__jn_random(e) * 4294967296.0);
        memcpy(u + i, &r, 4);
    }
    char text[37];
    bt_uuid_v4_format(u, text);
    *out = sl__jv_str(e, text, 36);
    return 0;
}

static int fn_parse(sl__jn_ev *e, const sl__jn_call *c, sl__jv *out)
{
    sl__jv text = arg(c, 0);
    if (text.type != SL__JV_STR)
        return 0;
    json_object *j = NULL;
    bt_json_error jerr;
    if (bt_json_parse(text.u.s, text.len, BT_LIMIT_JSON_DEPTH, &j, &jerr) != 0)
        return sl__jn_throw_v(e, "D3150", text);
    *out = sl__jv_null();
    int rc = j ? sl__jv_from_json(e, j, out) : 0;
    json_object_put(j);
    return rc;
}

const sl__jn_builtin sl__jn_fn_aws[] = {
    {"partition", "<an:a>", 2, 2, true, fn_partition},
    {"range", "<nnn?:a>", 3, 3, true, fn_range},
    {"hash", "<x-s?:s>", 2, 2, true, fn_hash},
    {"random", "<n?:n>", 1, 1, true, fn_random},
    {"uuid", "<:s>", 0, 0, true, fn_uuid},
    {"parse", "<s-:x>", 1, 1, true, fn_parse},
};
const size_t sl__jn_fn_aws_n = sizeof sl__jn_fn_aws / sizeof *sl__jn_fn_aws;
