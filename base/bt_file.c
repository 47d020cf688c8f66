/*
 * Whole-file reads with a size bound; "-" reads standard input.
 */
#include "base/base.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bt_file_read(const char *path, size_t max, char **out, size_t *out_len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f)
        return errno == ENOENT ? BT_ENOENT : BT_EIO;
    bt_buf b;
    bt_buf_init(&b);
    char chunk[65536];
    int rc = 0;
    for (;;) {
        size_t n = fread(chunk, 1, sizeof chunk, f);
        if (n > 0) {
            if (b.len + n > max) {
                rc = BT_ELIMIT;
                break;
            }
            bt_buf_append(&b, chunk, n);
        }
        if (n < sizeof chunk) {
            if (ferror(f))
                rc = BT_EIO;
            break;
        }
    }
    if (f != stdin)
        fclose(f);
    if (rc != 0) {
        bt_buf_fini(&b);
        return rc;
    }
    *out_len = b.len;
    *out = bt_buf_take(&b);
    return 0;
}
