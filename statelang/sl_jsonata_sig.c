/*
 * JSONata lambda signatures such as <a<n>s?:n>, parsed at definition load
 * the way the reference's parseSignature reads them: one type symbol per
 * parameter, modifiers ? + - on the one before, a<..>/f<..> type
 * parameters, (..) choices; the return type after ':' is ignored.
 *
 * Invariant: only the two structural errors the reference raises while
 * parsing (S0401, S0402) fail here; symbols it ignores are ignored.
 */
#include "statelang/sl_jsonata_int.h"

#include <string.h>

typedef struct sig_params {
    sl_jn_sig_param **items;
    size_t len;
    size_t cap;
} sig_params;

/* Position of the symbol that closes the one opened at start (or len). */
static size_t find_closing(const char *s, size_t len, size_t start, char open,
                           char close)
{
    int depth = 1;
    size_t i = start;
    while (i < len) {
        i++;
        if (i < len && s[i] == close) {
            if (--depth == 0)
                break;
        } else if (i < len && s[i] == open) {
            depth++;
        }
    }
    return i;
}

static const char *accepted(char symbol)
{
    switch (symbol) {
    case 's':
        return "sm";
    case 'n':
        return "nm";
    case 'b':
        return "bm";
    case 'l':
        return "lm";
    case 'o':
        return "om";
    case 'a':
        return "asnblfom";
    case 'f':
        return "f";
    case 'j':
        return "asnblom";
    case 'x':
        return "asnblfom";
    default:
        return NULL;
    }
}

static int sig_fail(sl_jsonata_error *err, const char *code, int position,
                    const char *value)
{
    return sl__jn_fail(err, code, position, NULL, value);
}

int sl__jn_sig_parse(const char *sig, size_t len, int sig_position,
                     sl__jn_arena *arena, sl_jsonata_error *err,
                     sl_jn_sig **out)
{
    sig_params params = {0};
    sl_jn_sig_param *param = sl__jn_alloc(arena, sizeof *param);
    sl_jn_sig_param *prev = param; /* modifiers apply to this one */
    for (size_t i = 1; i < len && sig[i] != ':'; i++) {
        char symbol = sig[i];
        const char *accept = accepted(symbol);
        if (accept || symbol == '(') {
            param->type = symbol;
            if (symbol == '(') {
                size_t end = find_closing(sig, len, i, '(', ')');
                size_t n = (end < len ? end : len) - (i + 1);
                char *choice = sl__jn_strndup(arena, sig + i + 1, n);
                if (memchr(choice, '<', n))
                    return sig_fail(err, "S0402", sig_position + (int)i,
                                    choice);
                param->accept = sl__jn_alloc(arena, n + 2);
                memcpy(param->accept, choice, n);
                param->accept[n] = 'm';
                i = end;
            } else {
                param->accept = sl__jn_strndup(arena, accept, strlen(accept));
            }
            SL__JN_PUSH(arena, &params, param);
            prev = param;
            param = sl__jn_alloc(arena, sizeof *param);
        } else if (symbol == '-') {
            prev->context = true;
            prev->optional = true;
        } else if (symbol == '?') {
            prev->optional = true;
        } else if (symbol == '+') {
            prev->variadic = true;
        } else if (symbol == '<') {
            if (prev->type != 'a' && prev->type != 'f') {
                char value[2] = {prev->type, '\0'};
                return sig_fail(err, "S0401", sig_position + (int)i,
                                prev->type ? value : "undefined");
            }
            size_t end = find_closing(sig, len, i, '<', '>');
            size_t stop = end < len ? end : len;
            prev->subtype = sl__jn_strndup(arena, sig + i + 1, stop - i - 1);
            i = end;
        }
    }
    sl_jn_sig *s = sl__jn_alloc(arena, sizeof *s);
    s->definition = sl__jn_strndup(arena, sig, len);
    s->n_params = params.len;
    s->params = sl__jn_alloc(arena, (params.len + 1) * sizeof *s->params);
    for (size_t k = 0; k < params.len; k++)
        s->params[k] = *params.items[k];
    *out = s;
    return 0;
}
