/*
 * Version-4 UUID text from random bytes (the randomness comes from the
 * caller: statelang's injected source, or the engine's).
 */
#include "base/base.h"

#include <string.h>

void bt_uuid_v4_format(const unsigned char random[16], char out[37])
{
    unsigned char u[16];
    memcpy(u, random, 16);
    u[6] = (unsigned char)((u[6] & 0x0F) | 0x40);
    u[8] = (unsigned char)((u[8] & 0x3F) | 0x80);
    /* By hand, not snprintf: a request id is made for every call. */
    static const char hex[] = "0123456789abcdef";
    char *o = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *o++ = '-';
        *o++ = hex[u[i] >> 4];
        *o++ = hex[u[i] & 15];
    }
    *o = '\0';
}
