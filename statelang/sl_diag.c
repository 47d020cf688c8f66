/*
 * Diagnostics: the list a validation fills, and the location stack that
 * gives every diagnostic its place ("/States/Fetch/Retry[0]") and, through
 * the definition text, its line and column.
 */
#include "statelang/statelang.h"

#include <stdlib.h>
#include <string.h>

#include "statelang/statelang_int.h"

void sl_diags_init(sl_diags *d)
{
    memset(d, 0, sizeof *d);
}

void sl_diags_fini(sl_diags *d)
{
    for (size_t i = 0; i < d->len; i++) {
        free(d->items[i].message);
        free(d->items[i].location);
    }
    free(d->items);
    memset(d, 0, sizeof *d);
}

size_t sl_diags_errors(const sl_diags *d)
{
    size_t n = 0;
    for (size_t i = 0; i < d->len; i++)
        n += d->items[i].severity == SL_SEV_ERROR;
    return n;
}

static void diag_add(sl_vctx *v, sl_severity sev, const char *code,
                     const char *location, const char *fmt, va_list ap)
{
    sl_diags *d = v->diags;
    if (d->len >= BT_LIMIT_DIAGNOSTICS) {
        d->truncated = true;
        return;
    }
    /* The same problem found twice through two routes is reported once. */
    bt_buf msg;
    bt_buf_init(&msg);
    bt_buf_vprintf(&msg, fmt, ap);
    for (size_t i = 0; i < d->len; i++) {
        sl_diag *o = &d->items[i];
        if (o->code == code && !strcmp(o->message, msg.data ? msg.data : "") &&
            ((!o->location && !location) ||
             (o->location && location && !strcmp(o->location, location)))) {
            bt_buf_fini(&msg);
            return;
        }
    }
    if (d->len == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 8;
        d->items = bt_xrealloc(d->items, d->cap * sizeof *d->items);
    }
    sl_diag *g = &d->items[d->len++];
    g->severity = sev;
    g->code = code;
    g->message = bt_buf_take(&msg);
    g->location = location ? bt_xstrdup(location) : NULL;
    g->line = 0;
    g->column = 0;
    if (v->text && location)
        bt_json_locate(v->text, v->len, location, &g->line, &g->column);
}

static const char *here(sl_vctx *v)
{
    return v->ptr.len ? v->ptr.data : "/";
}

void sl__err(sl_vctx *v, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_add(v, SL_SEV_ERROR, code, here(v), fmt, ap);
    va_end(ap);
}

void sl__warn(sl_vctx *v, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_add(v, SL_SEV_WARNING, code, here(v), fmt, ap);
    va_end(ap);
}

void sl__err_field(sl_vctx *v, const char *field, const char *code,
                   const char *fmt, ...)
{
    size_t mark = sl__ptr_push(v, field);
    va_list ap;
    va_start(ap, fmt);
    diag_add(v, SL_SEV_ERROR, code, here(v), fmt, ap);
    va_end(ap);
    sl__ptr_pop(v, mark);
}

void sl__err_noloc(sl_vctx *v, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_add(v, SL_SEV_ERROR, code, NULL, fmt, ap);
    va_end(ap);
}

size_t sl__ptr_push(sl_vctx *v, const char *segment)
{
    size_t mark = v->ptr.len;
    bt_pointer_push(&v->ptr, segment);
    return mark;
}

size_t sl__ptr_push_index(sl_vctx *v, size_t index)
{
    size_t mark = v->ptr.len;
    bt_buf_printf(&v->ptr, "[%zu]", index);
    return mark;
}

void sl__ptr_pop(sl_vctx *v, size_t mark)
{
    v->ptr.len = mark;
    if (v->ptr.data)
        v->ptr.data[mark] = '\0';
}
