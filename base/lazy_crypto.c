/*
 * libcrypto on first use (base/bt_lazy.h): the digests of States.Hash and
 * JSONata's $hash, and the random bytes of task tokens. libcrypto is large
 * (some 120 page faults of relocation at start-up, 1.4 ms of a `baton run`
 * that calls none of these), so, like libcurl, it is loaded by the first
 * call. None of these functions is variadic; EVP_md5 and the others are
 * also taken by address (sl_intrinsic_fn.c's table), which reaches these
 * wrappers, so the library still loads only when one is called.
 */
#include "base/bt_lazy.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <pthread.h>

const bt_lazy_lib bt_lazy_crypto = {BT_SONAME_CRYPTO, "libssl3"};

#define CRYPTO_FUNCS(X)                                                        \
    X(EVP_Digest)                                                              \
    X(EVP_md5)                                                                 \
    X(EVP_sha1)                                                                \
    X(EVP_sha256)                                                              \
    X(EVP_sha384)                                                              \
    X(EVP_sha512)                                                              \
    X(RAND_bytes)

static struct {
#define CRYPTO_PTR(f) __typeof__(f) *f;
    CRYPTO_FUNCS(CRYPTO_PTR)
#undef CRYPTO_PTR
} real;

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
    void *h = bt_lazy_open(&bt_lazy_crypto);
#define CRYPTO_SYM(f)                                                          \
    bt_lazy_sym(&bt_lazy_crypto, h, #f, &real.f, sizeof real.f);
    CRYPTO_FUNCS(CRYPTO_SYM)
#undef CRYPTO_SYM
}

/* The real function f, the library loaded first if need be. */
#define REAL(f) (pthread_once(&once, load), real.f)

int EVP_Digest(const void *data, size_t count, unsigned char *md,
               unsigned int *size, const EVP_MD *type, ENGINE *impl)
{
    return REAL(EVP_Digest)(data, count, md, size, type, impl);
}

const EVP_MD *EVP_md5(void)
{
    return REAL(EVP_md5)();
}

const EVP_MD *EVP_sha1(void)
{
    return REAL(EVP_sha1)();
}

const EVP_MD *EVP_sha256(void)
{
    return REAL(EVP_sha256)();
}

const EVP_MD *EVP_sha384(void)
{
    return REAL(EVP_sha384)();
}

const EVP_MD *EVP_sha512(void)
{
    return REAL(EVP_sha512)();
}

int RAND_bytes(unsigned char *buf, int num)
{
    return REAL(RAND_bytes)(buf, num);
}
