/*
 * Minimal UTF-8 decoding: enough to count characters the way AWS limits
 * them (code points) and to report columns in characters.
 */
#include "base/base.h"

size_t bt_utf8_decode(const char *s, size_t n, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    if (n == 0)
        return 0;
    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    }
    size_t len;
    uint32_t c, min;
    if ((u[0] & 0xE0) == 0xC0) {
        len = 2, c = u[0] & 0x1F, min = 0x80;
    } else if ((u[0] & 0xF0) == 0xE0) {
        len = 3, c = u[0] & 0x0F, min = 0x800;
    } else if ((u[0] & 0xF8) == 0xF0) {
        len = 4, c = u[0] & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((u[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (u[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF)
        return 0;
    *cp = c;
    return len;
}

size_t bt_utf8_length(const char *s, size_t n)
{
    size_t count = 0;
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t used = bt_utf8_decode(s + i, n - i, &cp);
        i += used ? used : 1;
        count++;
    }
    return count;
}
