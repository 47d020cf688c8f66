/*
 * Version-4 UUID text from random bytes (the randomness comes from the
 * caller: statelang's injected source, or the engine's).
 */
#include "base/base.h"

#include <stdio.h>
#include <string.h>

void bt_uuid_v4_format(const unsigned char random[16], char out[37])
{
    unsigned char u[16];
    memcpy(u, random, 16);
    u[6] = (unsigned char)((u[6] & 0x0F) | 0x40);
    u[8] = (unsigned char)((u[8] & 0x3F) | 0x80);
    snprintf(out, 37,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
             "%02x%02x%02x%02x%02x%02x",
             u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10],
             u[11], u[12], u[13], u[14], u[15]);
}
