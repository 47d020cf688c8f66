/*
 * base: the small utilities every module shares — system error codes,
 * allocation that aborts on exhaustion, growable buffers, named limits,
 * strict JSON parsing with positions, and UTF-8 helpers.
 *
 * Invariant: nothing here knows about ASL, SQLite or the event loop, and
 * nothing here keeps mutable global state.
 */
#ifndef BATON_BASE_H
#define BATON_BASE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

/* ---- System error codes ------------------------------------------------
 * Negative ints, 0 on success. Workflow errors never use these.           */
#define BT_ERRORS(X)                                                           \
    X(BT_OK, 0, "success")                                                     \
    X(BT_ENOMEM, -1, "out of memory")                                          \
    X(BT_EIO, -2, "input/output error")                                        \
    X(BT_ENOENT, -3, "no such file or object")                                 \
    X(BT_EINVAL, -4, "invalid argument")                                       \
    X(BT_ELIMIT, -5, "size limit exceeded")                                    \
    X(BT_EPARSE, -6, "malformed input")                                        \
    X(BT_EINVALID, -7, "definition is not valid")                              \
    X(BT_EEXIST, -8, "already exists")

enum bt_error {
#define BT_ERR_ENUM(name, value, text) name = value,
    BT_ERRORS(BT_ERR_ENUM)
#undef BT_ERR_ENUM
};

/* Text for a system error code; never NULL. */
const char *bt_strerror(int code);

/* ---- Limits --------------------------------------------------------------
 * Every size taken from input is checked against one of these.            */
#define BT_LIMIT_DEFINITION_BYTES 1048576 /* CreateStateMachine maximum */
#define BT_LIMIT_JSON_DEPTH 256           /* nesting of any parsed JSON */
#define BT_LIMIT_FILE_BYTES (64u * 1024u * 1024u)
#define BT_LIMIT_STATE_NAME_CHARS 80
#define BT_LIMIT_INTRINSIC_NESTING 10
#define BT_LIMIT_PATH_BYTES 65536 /* one JSONPath / intrinsic expression */
#define BT_LIMIT_DIAGNOSTICS 1000 /* diagnostics kept per definition */
/* HTTP tasks: the encoded request body, and the response body read before
 * the call fails (the result must still fit the payload limit). */
#define BT_LIMIT_HTTP_REQUEST_BYTES (1024u * 1024u)
#define BT_LIMIT_HTTP_RESPONSE_BYTES (10u * 1024u * 1024u)

/* ---- Allocation ----------------------------------------------------------
 * Out of memory is not recoverable here: these abort through bt_oom().    */
void bt_oom(void);
void *bt_xmalloc(size_t n);
void *bt_xcalloc(size_t count, size_t size);
void *bt_xrealloc(void *p, size_t n);
/* Room for one more element in an array: p holds n elements of elem bytes
 * in *cap; when n == *cap it is reallocated to twice (at least 16) and *cap
 * updated. Returns the array. */
void *bt_grow(void *p, size_t n, size_t *cap, size_t elem);
char *bt_xstrdup(const char *s);
char *bt_xstrndup(const char *s, size_t n);
/* printf into a new heap string (caller frees). */
char *bt_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same with a va_list (the caller still owns and ends ap). */
char *bt_xvasprintf(const char *fmt, va_list ap)
    __attribute__((format(printf, 1, 0)));

/* ---- Growable byte buffer -------------------------------------------------
 * data is always NUL-terminated once anything was appended.               */
typedef struct bt_buf {
    char *data;
    size_t len;
    size_t cap;
} bt_buf;

void bt_buf_init(bt_buf *b);
void bt_buf_fini(bt_buf *b);
void bt_buf_reset(bt_buf *b);
/* Appends n bytes the slow way: grows b first (bt_buf_append's). */
void bt_buf__append_grow(bt_buf *b, const void *p, size_t n);
/* Inline: the history and snapshot writers append many short pieces, and
 * with room left (nearly always) this is a copy and two stores. */
static inline void bt_buf_append(bt_buf *b, const void *p, size_t n)
{
    if (b->len + n < b->cap) {
        if (n)
            memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = '\0';
    } else {
        bt_buf__append_grow(b, p, n);
    }
}
void bt_buf_puts(bt_buf *b, const char *s);
/* Appends a string literal (its length known at compile time). */
#define bt_buf_lit(b, lit) bt_buf_append((b), "" lit, sizeof(lit) - 1)
static inline void bt_buf_putc(bt_buf *b, char c)
{
    bt_buf_append(b, &c, 1);
}
void bt_buf_printf(bt_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void bt_buf_vprintf(bt_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Takes ownership of the contents out of b (never NULL); b is left empty. */
char *bt_buf_take(bt_buf *b);
/* A decimal integer, without printf. */
void bt_buf_int(bt_buf *b, int64_t v);
/* The same for an unsigned one (json-c keeps integers above INT64_MAX so). */
void bt_buf_uint(bt_buf *b, uint64_t v);
/* s[0..n) as a quoted JSON string, escaped exactly as bt_json_compact
 * escapes strings (json-c: \b \f \n \r \t \" \\ short, other controls
 * as \u00XX, '/' and non-ASCII bytes as they are). */
void bt_buf_json_str(bt_buf *b, const char *s, size_t n);

/* ---- Files ----------------------------------------------------------------
 */
/* Reads a whole file ("-" = stdin) into a new NUL-terminated buffer.
 * Returns 0, BT_ENOENT, BT_EIO or BT_ELIMIT (more than max bytes). */
int bt_file_read(const char *path, size_t max, char **out, size_t *out_len);

/* ---- JSON ------------------------------------------------------------------
 */
/* Where a strict parse failed: 1-based line and column, and a message. */
typedef struct bt_json_error {
    int line;
    int column;
    char message[160];
} bt_json_error;

/* Parses one JSON text strictly (no trailing commas, no trailing garbage,
 * depth at most max_depth). Returns 0 with a new reference in *out, or
 * BT_EPARSE with err filled. A top-level null yields *out == NULL. */
int bt_json_parse(const char *text, size_t len, int max_depth,
                  json_object **out, bt_json_error *err);

/* Compact serialisation as AWS prints JSON (no spaces, '/' unescaped).
 * The string is owned by obj and valid until obj changes or is freed. */
const char *bt_json_compact(json_object *obj);
/* The same, with its length in *len. */
const char *bt_json_compact_len(json_object *obj, size_t *len);
/* Appends obj's compact text to b, byte for byte what bt_json_compact
 * gives, without json-c's printf per number and its copy in obj; NULL is
 * "null". Doubles are still printed by json-c (its exact formatting). */
void bt_buf_json(bt_buf *b, json_object *obj);

/* Member k of object o when it is a string (borrowed), else NULL. */
const char *bt_json_str(json_object *o, const char *k);
/* Member k of object o as an integer, or 0 when absent. */
int64_t bt_json_int(json_object *o, const char *k);

/* Line and column (1-based, column counted in characters) of the value that
 * a JSON Pointer names inside text; for a pointer that ends at an object
 * member the position of the member's key. Falls back to the deepest prefix
 * that exists. Returns false when text does not start as JSON. */
bool bt_json_locate(const char *text, size_t len, const char *pointer,
                    int *line, int *column);

/* Appends "/" and one pointer segment with '~' and '/' escaped. */
void bt_pointer_push(bt_buf *b, const char *segment);

/* ---- UUIDs ------------------------------------------------------------------
 */
/* Formats 16 random bytes as a version-4 UUID (lower case, 8-4-4-4-12),
 * setting the version and variant bits. out holds 37 bytes. */
void bt_uuid_v4_format(const unsigned char random[16], char out[37]);

/* ---- UTF-8 -----------------------------------------------------------------
 */
/* Number of code points in a valid UTF-8 string (invalid bytes count 1). */
size_t bt_utf8_length(const char *s, size_t n);
/* Decodes one code point at s (n bytes available); returns bytes used
 * (0 when invalid) and the code point in *cp. */
size_t bt_utf8_decode(const char *s, size_t n, uint32_t *cp);

#endif
