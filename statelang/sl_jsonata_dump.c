/*
 * JSONata AST traversal: a pre-order walker for analyses over a compiled
 * expression, and the one-line S-expression dump the parser tests compare
 * against (format documented at sl_jn_dump).
 *
 * Invariant: both only read the tree; recursion depth follows the AST's,
 * which the parser bounds.
 */
#include "statelang/sl_jsonata_int.h"

#include <string.h>

/* ---- walker ----------------------------------------------------------------
 */

static bool walk_list(const sl_jn_list *l, sl_jn_visit_fn visit, void *ctx)
{
    for (size_t i = 0; i < l->len; i++)
        if (!sl_jn_walk(l->items[i], visit, ctx))
            return false;
    return true;
}

bool sl_jn_walk(const sl_jn_node *n, sl_jn_visit_fn visit, void *ctx)
{
    if (!n)
        return true;
    if (!visit(n, ctx))
        return false;
    const sl_jn_node *before[] = {n->procedure, n->lhs, n->condition,
                                  n->pattern};
    const sl_jn_node *after[] = {n->expr,   n->rhs, n->then, n->otherwise,
                                 n->update, n->del, n->body};
    for (size_t i = 0; i < sizeof before / sizeof before[0]; i++)
        if (!sl_jn_walk(before[i], visit, ctx))
            return false;
    if (!walk_list(&n->items, visit, ctx))
        return false;
    for (size_t i = 0; i < sizeof after / sizeof after[0]; i++)
        if (!sl_jn_walk(after[i], visit, ctx))
            return false;
    return walk_list(&n->predicate, visit, ctx) &&
           walk_list(&n->stages, visit, ctx) &&
           sl_jn_walk(n->group, visit, ctx);
}

/* ---- dump ------------------------------------------------------------------
 */

static void dump(bt_buf *b, const sl_jn_node *n);

static void put_json_string(bt_buf *b, const char *s, size_t len)
{
    bt_buf_putc(b, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            bt_buf_putc(b, '\\');
            bt_buf_putc(b, (char)c);
        } else if (c == '\n') {
            bt_buf_puts(b, "\\n");
        } else if (c == '\t') {
            bt_buf_puts(b, "\\t");
        } else if (c == '\r') {
            bt_buf_puts(b, "\\r");
        } else if (c < 0x20) {
            bt_buf_printf(b, "\\u%04x", c);
        } else {
            bt_buf_putc(b, (char)c);
        }
    }
    bt_buf_putc(b, '"');
}

static void put_name(bt_buf *b, const char *s, size_t len)
{
    bool plain = len > 0;
    for (size_t i = 0; i < len && plain; i++) {
        unsigned char c = (unsigned char)s[i];
        plain = c >= 0x80 || c == '_' || c == '$' || (c >= '0' && c <= '9') ||
                ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
    }
    if (plain) {
        bt_buf_append(b, s, len);
    } else {
        bt_buf_putc(b, '`');
        bt_buf_append(b, s, len);
        bt_buf_putc(b, '`');
    }
}

static bool is_atom(sl_jn_kind kind)
{
    switch (kind) {
    case SL_JN_NAME:
    case SL_JN_STRING:
    case SL_JN_NUMBER:
    case SL_JN_VALUE:
    case SL_JN_VARIABLE:
    case SL_JN_REGEX:
    case SL_JN_WILDCARD:
    case SL_JN_DESCENDANT:
    case SL_JN_PLACEHOLDER:
        return true;
    default:
        return false;
    }
}

static bool has_annotations(const sl_jn_node *n)
{
    return n->keep_array || n->keep_singleton_array || n->consarray ||
           n->tuple || n->focus || n->index || n->ancestor ||
           n->predicate.len || n->stages.len || n->group || n->seeking_parent;
}

static void put_atom(bt_buf *b, const sl_jn_node *n)
{
    switch (n->kind) {
    case SL_JN_NAME:
        put_name(b, n->str, n->str_len);
        break;
    case SL_JN_STRING:
        put_json_string(b, n->str, n->str_len);
        break;
    case SL_JN_NUMBER:
        sl__jn_format_number(b, n->number);
        break;
    case SL_JN_VALUE:
        bt_buf_puts(b, n->value == SL_JN_TRUE    ? "true"
                       : n->value == SL_JN_FALSE ? "false"
                                                 : "null");
        break;
    case SL_JN_VARIABLE:
        bt_buf_putc(b, '$');
        bt_buf_append(b, n->str, n->str_len);
        break;
    case SL_JN_REGEX:
        bt_buf_printf(b, "/%s/%s%s", n->str,
                      n->regex_flags & SL_JN_RE_I ? "i" : "",
                      n->regex_flags & SL_JN_RE_M ? "m" : "");
        break;
    case SL_JN_WILDCARD:
        bt_buf_putc(b, '*');
        break;
    case SL_JN_DESCENDANT:
        bt_buf_puts(b, "**");
        break;
    default:
        bt_buf_putc(b, '?');
        break;
    }
}

/* Word that opens a node's parenthesised form. */
static const char *head(const sl_jn_node *n)
{
    static const char *const words[] = {
#define SL_JN_KIND_HEAD(name, type, word) [name] = word,
        SL_JN_KINDS(SL_JN_KIND_HEAD)
#undef SL_JN_KIND_HEAD
    };
    if (n->kind == SL_JN_BINARY)
        return sl_jn_op_text(n->op);
    if (n->kind == SL_JN_LAMBDA && n->thunk)
        return "thunk";
    if (n->kind == SL_JN_SORT_TERM)
        return n->descending ? ">" : "<";
    return words[n->kind];
}

static void put_child(bt_buf *b, const sl_jn_node *n)
{
    if (!n)
        return;
    bt_buf_putc(b, ' ');
    dump(b, n);
}

static void put_list(bt_buf *b, const sl_jn_list *l)
{
    for (size_t i = 0; i < l->len; i++)
        put_child(b, l->items[i]);
}

static void put_lambda(bt_buf *b, const sl_jn_node *n)
{
    if (!n->thunk) {
        bt_buf_puts(b, " (");
        for (size_t i = 0; i < n->items.len; i++) {
            if (i)
                bt_buf_putc(b, ' ');
            dump(b, n->items.items[i]);
        }
        bt_buf_putc(b, ')');
        if (n->signature)
            bt_buf_printf(b, " %s", n->signature->definition);
    }
    put_child(b, n->body);
}

/* The children of a parenthesised node, in source order. */
static void put_children(bt_buf *b, const sl_jn_node *n)
{
    switch (n->kind) {
    case SL_JN_PARENT:
        bt_buf_printf(b, " !%d", n->slot->label);
        break;
    case SL_JN_FUNCTION:
    case SL_JN_PARTIAL:
        put_child(b, n->procedure);
        put_list(b, &n->items);
        break;
    case SL_JN_LAMBDA:
        put_lambda(b, n);
        break;
    case SL_JN_CONDITION:
        put_child(b, n->condition);
        put_child(b, n->then);
        put_child(b, n->otherwise);
        break;
    case SL_JN_TRANSFORM:
        put_child(b, n->pattern);
        put_child(b, n->update);
        put_child(b, n->del);
        break;
    case SL_JN_INDEX:
        bt_buf_printf(b, " $%s", n->str);
        break;
    default:
        if (is_atom(n->kind)) {
            bt_buf_putc(b, ' ');
            put_atom(b, n);
        }
        put_child(b, n->lhs);
        put_child(b, n->expr);
        put_list(b, &n->items);
        put_child(b, n->rhs);
        break;
    }
}

static void put_annotations(bt_buf *b, const sl_jn_node *n)
{
    if (n->keep_array)
        bt_buf_puts(b, " :keep");
    if (n->keep_singleton_array)
        bt_buf_puts(b, " :keepsingleton");
    if (n->consarray)
        bt_buf_puts(b, " :consarray");
    if (n->tuple)
        bt_buf_puts(b, " :tuple");
    if (n->focus)
        bt_buf_printf(b, " :focus $%s", n->focus);
    if (n->index)
        bt_buf_printf(b, " :index $%s", n->index);
    if (n->ancestor)
        bt_buf_printf(b, " :ancestor !%d", n->ancestor->label);
    if (n->predicate.len) {
        bt_buf_puts(b, " :pred");
        for (size_t i = 0; i < n->predicate.len; i++)
            put_child(b, n->predicate.items[i]->expr);
    }
    if (n->stages.len) {
        bt_buf_puts(b, " :stages");
        put_list(b, &n->stages);
    }
    if (n->group) {
        bt_buf_puts(b, " :group");
        put_list(b, &n->group->items);
    }
    if (n->seeking_parent) {
        bt_buf_puts(b, " :seek");
        for (size_t i = 0; i < n->seeking_parent->len; i++)
            bt_buf_printf(b, " !%d", n->seeking_parent->items[i]->label);
    }
}

static void dump(bt_buf *b, const sl_jn_node *n)
{
    if (is_atom(n->kind) && !has_annotations(n)) {
        put_atom(b, n);
        return;
    }
    bt_buf_printf(b, "(%s", head(n));
    put_children(b, n);
    put_annotations(b, n);
    bt_buf_putc(b, ')');
}

char *sl_jn_dump(const sl_jn_node *n)
{
    bt_buf b;
    bt_buf_init(&b);
    if (n)
        dump(&b, n);
    return bt_buf_take(&b);
}
