/*
 * HTTP tasks (arn:aws:states:::http:invoke), the message side: a Task's
 * parameters become a request (URL with its query string, method, header
 * lines, body), and a response becomes the task result. No I/O here; the
 * transfer itself is eng_http.c's.
 *
 * Invariant: every value taken from the parameters is checked before it
 * reaches the request, so a request that is built can be sent as is (no
 * header injection, only http and https URLs, bounded body).
 */
#include "engine/eng_int.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* How arrays in QueryParameters and URL-encoded bodies are written (AWS
 * Transform.RequestEncodingOptions.ArrayFormat; INDICES by default). */
typedef enum array_fmt {
    FMT_INDICES,
    FMT_BRACKETS,
    FMT_COMMAS,
    FMT_REPEAT
} array_fmt;

static const char *const methods[] = {"GET",   "POST",    "PUT", "DELETE",
                                      "PATCH", "OPTIONS", "HEAD"};
static const char *const known_keys[] = {
    "ApiEndpoint", "Method",    "Headers",       "QueryParameters",
    "RequestBody", "Transform", "Authentication"};

/* ---- small helpers
 * ------------------------------------------------------------- */

static void fail(sl_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void fail(sl_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = bt_xvasprintf(fmt, ap);
    va_end(ap);
    sl_error_set(err, "States.Runtime", msg);
    free(msg);
}

static json_object *member(json_object *o, const char *k)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, k, &v) ? v : NULL;
}

/* Percent-encodes everything but RFC 3986's unreserved characters. */
static void put_escaped(bt_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
                    c == '_' || c == '~';
        if (keep) {
            bt_buf_putc(b, (char)c);
        } else {
            bt_buf_putc(b, '%');
            bt_buf_putc(b, hex[c >> 4]);
            bt_buf_putc(b, hex[c & 15]);
        }
    }
}

static void put_escaped_str(bt_buf *b, const char *s)
{
    put_escaped(b, s, strlen(s));
}

/* The text a scalar stands for in a query string or a form body (numbers
 * as written in the JSON), or NULL for anything else. The text may be
 * owned by v. */
static const char *scalar_text(json_object *v)
{
    switch (json_object_get_type(v)) {
    case json_type_string:
        return json_object_get_string(v);
    case json_type_int:
    case json_type_double:
        return bt_json_compact(v);
    case json_type_boolean:
        return json_object_get_boolean(v) ? "true" : "false";
    default:
        return NULL;
    }
}

/* ---- name=value lists: QueryParameters and URL_ENCODED bodies
 * ------------------ */

static void put_pair(bt_buf *b, const char *key, const char *suffix,
                     const char *value)
{
    if (b->len > 0)
        bt_buf_putc(b, '&');
    put_escaped_str(b, key);
    put_escaped_str(b, suffix);
    bt_buf_putc(b, '=');
    put_escaped_str(b, value);
}

static int put_array(bt_buf *b, const char *what, const char *key,
                     json_object *arr, array_fmt fmt, sl_error *err)
{
    size_t n = json_object_array_length(arr);
    bt_buf joined;
    bt_buf_init(&joined);
    for (size_t i = 0; i < n; i++) {
        const char *t = scalar_text(json_object_array_get_idx(arr, i));
        if (!t) {
            bt_buf_fini(&joined);
            fail(err,
                 "The HTTP task parameter %s.%s[%zu] must be a string, "
                 "number or boolean",
                 what, key, i);
            return -1;
        }
        char idx[32];
        snprintf(idx, sizeof idx, "[%zu]", i);
        if (fmt == FMT_INDICES)
            put_pair(b, key, idx, t);
        else if (fmt == FMT_BRACKETS)
            put_pair(b, key, "[]", t);
        else if (fmt == FMT_REPEAT)
            put_pair(b, key, "", t);
        else {
            /* Separators stay literal; commas inside values are escaped. */
            if (i > 0)
                bt_buf_putc(&joined, ',');
            put_escaped_str(&joined, t);
        }
    }
    if (fmt == FMT_COMMAS && n > 0) {
        if (b->len > 0)
            bt_buf_putc(b, '&');
        put_escaped_str(b, key);
        bt_buf_putc(b, '=');
        bt_buf_append(b, joined.data, joined.len);
    }
    bt_buf_fini(&joined);
    return 0;
}

/* Appends obj's members as name=value pairs joined by '&' to b. */
static int encode_pairs(json_object *obj, const char *what, array_fmt fmt,
                        bt_buf *b, sl_error *err)
{
    json_object_object_foreach(obj, key, v)
    {
        const char *t = scalar_text(v);
        if (t) {
            put_pair(b, key, "", t);
            continue;
        }
        if (!json_object_is_type(v, json_type_array)) {
            fail(err,
                 "The HTTP task parameter %s.%s must be a string, number, "
                 "boolean or an array of those",
                 what, key);
            return -1;
        }
        if (put_array(b, what, key, v, fmt, err) != 0)
            return -1;
    }
    return 0;
}

/* ---- parameters
 * ---------------------------------------------------------------- */

static int check_keys(json_object *params, sl_error *err)
{
    if (!json_object_is_type(params, json_type_object)) {
        fail(err, "The HTTP task parameters must be an object");
        return -1;
    }
    json_object_object_foreach(params, key, v)
    {
        (void)v;
        bool known = false;
        for (size_t i = 0; i < sizeof known_keys / sizeof *known_keys; i++)
            known = known || !strcmp(key, known_keys[i]);
        if (!known) {
            fail(err, "The HTTP task parameter %s is not supported", key);
            return -1;
        }
    }
    return 0;
}

static int read_method(json_object *params, eng_http_req *req, sl_error *err)
{
    json_object *m = member(params, "Method");
    if (!json_object_is_type(m, json_type_string)) {
        fail(err, "The HTTP task parameters must include Method, a string");
        return -1;
    }
    for (size_t i = 0; i < sizeof methods / sizeof *methods; i++)
        if (!strcmp(json_object_get_string(m), methods[i])) {
            req->method = bt_xstrdup(methods[i]);
            return 0;
        }
    fail(err,
         "The HTTP task parameter Method must be one of GET, POST, PUT, "
         "DELETE, PATCH, OPTIONS, HEAD (got '%s')",
         json_object_get_string(m));
    return -1;
}

/* Transform: the body encoding and the array format. */
static int read_transform(json_object *params, bool *url_encoded,
                          array_fmt *fmt, sl_error *err)
{
    static const char *const fmts[] = {"INDICES", "BRACKETS", "COMMAS",
                                       "REPEAT"};
    *url_encoded = false;
    *fmt = FMT_INDICES;
    json_object *t = member(params, "Transform");
    if (!t)
        return 0;
    json_object *enc = member(t, "RequestBodyEncoding");
    json_object *opts = member(t, "RequestEncodingOptions");
    json_object *af = member(opts, "ArrayFormat");
    if (!json_object_is_type(t, json_type_object) ||
        (enc && !json_object_is_type(enc, json_type_string)) ||
        (opts && !json_object_is_type(opts, json_type_object)) ||
        (af && !json_object_is_type(af, json_type_string))) {
        fail(err, "The HTTP task parameter Transform must be an object "
                  "{RequestBodyEncoding, RequestEncodingOptions: "
                  "{ArrayFormat}} of strings");
        return -1;
    }
    const char *e = enc ? json_object_get_string(enc) : "NONE";
    if (strcmp(e, "NONE") && strcmp(e, "URL_ENCODED")) {
        fail(err,
             "The HTTP task parameter Transform.RequestBodyEncoding must be "
             "NONE or URL_ENCODED (got '%s')",
             e);
        return -1;
    }
    *url_encoded = !strcmp(e, "URL_ENCODED");
    if (!af)
        return 0;
    for (int i = 0; i < 4; i++)
        if (!strcmp(json_object_get_string(af), fmts[i])) {
            *fmt = (array_fmt)i;
            return 0;
        }
    fail(err,
         "The HTTP task parameter "
         "Transform.RequestEncodingOptions.ArrayFormat must be BRACKETS, "
         "COMMAS, INDICES or REPEAT (got '%s')",
         json_object_get_string(af));
    return -1;
}

/* ApiEndpoint, an http or https URL, with QueryParameters appended to any
 * query it already has. */
static int read_url(json_object *params, array_fmt fmt, eng_http_req *req,
                    sl_error *err)
{
    json_object *ep = member(params, "ApiEndpoint");
    json_object *qp = member(params, "QueryParameters");
    if (!json_object_is_type(ep, json_type_string)) {
        fail(err, "The HTTP task parameters must include ApiEndpoint, a "
                  "string");
        return -1;
    }
    if (qp && !json_object_is_type(qp, json_type_object)) {
        fail(err, "The HTTP task parameter QueryParameters must be an object");
        return -1;
    }
    const char *text = json_object_get_string(ep);
    CURLU *u = curl_url();
    if (!u)
        bt_oom();
    char *scheme = NULL;
    int rc = -1;
    if (curl_url_set(u, CURLUPART_URL, text, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        (strcmp(scheme, "http") && strcmp(scheme, "https"))) {
        fail(err,
             "The HTTP task parameter ApiEndpoint must be an http or https "
             "URL (got '%s')",
             text);
        goto out;
    }
    bt_buf q;
    bt_buf_init(&q);
    if (qp && encode_pairs(qp, "QueryParameters", fmt, &q, err) != 0) {
        bt_buf_fini(&q);
        goto out;
    }
    /* The fragment is never sent; the query is appended as encoded here
     * (libcurl's own appending would rewrite the escapes). */
    char *full = NULL, *query = NULL;
    if (curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_URL, &full, 0) != CURLUE_OK)
        bt_oom();
    curl_url_get(u, CURLUPART_QUERY, &query, 0);
    req->url = q.len == 0
                   ? bt_xstrdup(full)
                   : bt_xasprintf("%s%c%s", full, query ? '&' : '?', q.data);
    curl_free(full);
    curl_free(query);
    bt_buf_fini(&q);
    rc = 0;
out:
    curl_free(scheme);
    curl_url_cleanup(u);
    return rc;
}

/* RFC 9110 token characters. */
static bool header_name_ok(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                     (c >= '0' && c <= '9');
        if (!alnum && !strchr("!#$%&'*+-.^_`|~", c))
            return false;
    }
    return true;
}

static bool header_value_ok(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == '\r' || s[i] == '\n' || s[i] == '\0')
            return false;
    return true;
}

static void add_header(eng_http_req *req, size_t *n, char *line)
{
    req->headers = bt_xrealloc(req->headers, (*n + 2) * sizeof *req->headers);
    req->headers[(*n)++] = line;
    req->headers[*n] = NULL;
}

/* Headers: an object of strings. Sets *has_type when Content-Type is one. */
static int read_headers(json_object *params, eng_http_req *req, size_t *n,
                        bool *has_type, sl_error *err)
{
    json_object *h = member(params, "Headers");
    *has_type = false;
    if (!h)
        return 0;
    if (!json_object_is_type(h, json_type_object)) {
        fail(err, "The HTTP task parameter Headers must be an object");
        return -1;
    }
    json_object_object_foreach(h, name, v)
    {
        if (!json_object_is_type(v, json_type_string)) {
            fail(err, "The HTTP task header %s must have a string value", name);
            return -1;
        }
        const char *val = json_object_get_string(v);
        if (!header_name_ok(name) ||
            !header_value_ok(val, (size_t)json_object_get_string_len(v))) {
            fail(err,
                 "The HTTP task header '%s' has an invalid name or value "
                 "(line breaks are not allowed)",
                 name);
            return -1;
        }
        if (!strcasecmp(name, "Content-Length") ||
            !strcasecmp(name, "Transfer-Encoding")) {
            fail(err,
                 "The HTTP task header %s cannot be set; it follows from "
                 "RequestBody",
                 name);
            return -1;
        }
        *has_type = *has_type || !strcasecmp(name, "Content-Type");
        /* libcurl sends "Name;" as a header with an empty value. */
        add_header(req, n,
                   *val ? bt_xasprintf("%s: %s", name, val)
                        : bt_xasprintf("%s;", name));
    }
    return 0;
}

/* RequestBody: JSON (a string is sent as its text) or, URL_ENCODED, an
 * object written as name=value pairs. */
static int read_body(json_object *params, bool url_encoded, array_fmt fmt,
                     eng_http_req *req, sl_error *err)
{
    json_object *body = NULL;
    if (!json_object_object_get_ex(params, "RequestBody", &body))
        return 0;
    if (!strcmp(req->method, "HEAD")) {
        fail(err, "The HTTP task parameter RequestBody cannot be sent with "
                  "Method HEAD");
        return -1;
    }
    if (url_encoded && !json_object_is_type(body, json_type_object)) {
        fail(err, "The HTTP task parameter RequestBody must be an object "
                  "when Transform.RequestBodyEncoding is URL_ENCODED");
        return -1;
    }
    bt_buf b;
    bt_buf_init(&b);
    if (url_encoded) {
        if (encode_pairs(body, "RequestBody", fmt, &b, err) != 0) {
            bt_buf_fini(&b);
            return -1;
        }
    } else if (json_object_is_type(body, json_type_string)) {
        bt_buf_append(&b, json_object_get_string(body),
                      (size_t)json_object_get_string_len(body));
    } else {
        bt_buf_puts(&b, bt_json_compact(body));
    }
    if (b.len > BT_LIMIT_HTTP_REQUEST_BYTES) {
        sl_error_setf(err, "States.DataLimitExceeded",
                      "The HTTP task's request body has %zu bytes; at most %u "
                      "are allowed",
                      b.len, BT_LIMIT_HTTP_REQUEST_BYTES);
        bt_buf_fini(&b);
        return -1;
    }
    req->body_len = b.len;
    bt_buf_putc(&b, '\0');
    req->body = bt_buf_take(&b);
    return 0;
}

/* Authentication: {ConnectionArn}; AWS needs an EventBridge connection for
 * credentials, Baton has none, so it is checked for shape and ignored. */
static int read_auth(json_object *params, sl_error *err)
{
    json_object *a = member(params, "Authentication");
    json_object *arn = member(a, "ConnectionArn");
    if (a && (!json_object_is_type(a, json_type_object) ||
              (arn && !json_object_is_type(arn, json_type_string)))) {
        fail(err, "The HTTP task parameter Authentication must be an object "
                  "{ConnectionArn: string}");
        return -1;
    }
    return 0;
}

int eng__http_req_build(json_object *params, eng_http_req *req, sl_error *err)
{
    memset(req, 0, sizeof *req);
    bool url_encoded = false, has_type = false;
    array_fmt fmt = FMT_INDICES;
    size_t n = 0;
    if (check_keys(params, err) || read_auth(params, err) ||
        read_method(params, req, err) ||
        read_transform(params, &url_encoded, &fmt, err) ||
        read_url(params, fmt, req, err) ||
        read_headers(params, req, &n, &has_type, err) ||
        read_body(params, url_encoded, fmt, req, err)) {
        eng__http_req_fini(req);
        return -1;
    }
    if (req->body && !has_type)
        add_header(req, &n,
                   bt_xstrdup(url_encoded ? "Content-Type: "
                                            "application/x-www-form-urlencoded"
                                          : "Content-Type: application/json"));
    /* Without a body, no Content-Type (libcurl would add a form type to
     * an empty POST); no "Expect: 100-continue" round trip before larger
     * bodies. */
    if (!req->body && !has_type)
        add_header(req, &n, bt_xstrdup("Content-Type:"));
    add_header(req, &n, bt_xstrdup("Expect:"));
    return 0;
}

void eng__http_req_fini(eng_http_req *req)
{
    free(req->url);
    free(req->method);
    for (size_t i = 0; req->headers && req->headers[i]; i++)
        free(req->headers[i]);
    free(req->headers);
    free(req->body);
    memset(req, 0, sizeof *req);
}

/* ---- responses
 * ----------------------------------------------------------------- */

const char *eng__http_reason(long status)
{
    static const struct {
        long code;
        const char *text;
    } reasons[] = {
        {100, "Continue"},
        {200, "OK"},
        {201, "Created"},
        {202, "Accepted"},
        {203, "Non-Authoritative Information"},
        {204, "No Content"},
        {205, "Reset Content"},
        {206, "Partial Content"},
        {300, "Multiple Choices"},
        {301, "Moved Permanently"},
        {302, "Found"},
        {303, "See Other"},
        {304, "Not Modified"},
        {307, "Temporary Redirect"},
        {308, "Permanent Redirect"},
        {400, "Bad Request"},
        {401, "Unauthorized"},
        {402, "Payment Required"},
        {403, "Forbidden"},
        {404, "Not Found"},
        {405, "Method Not Allowed"},
        {406, "Not Acceptable"},
        {408, "Request Timeout"},
        {409, "Conflict"},
        {410, "Gone"},
        {411, "Length Required"},
        {412, "Precondition Failed"},
        {413, "Content Too Large"},
        {414, "URI Too Long"},
        {415, "Unsupported Media Type"},
        {422, "Unprocessable Content"},
        {429, "Too Many Requests"},
        {500, "Internal Server Error"},
        {501, "Not Implemented"},
        {502, "Bad Gateway"},
        {503, "Service Unavailable"},
        {504, "Gateway Timeout"},
    };
    for (size_t i = 0; i < sizeof reasons / sizeof *reasons; i++)
        if (reasons[i].code == status)
            return reasons[i].text;
    return "";
}

json_object *eng__http_text(const char *s, size_t n)
{
    bt_buf b;
    bt_buf_init(&b);
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t used = bt_utf8_decode(s + i, n - i, &cp);
        if (used) {
            bt_buf_append(&b, s + i, used);
            i += used;
        } else {
            bt_buf_puts(&b, "\xEF\xBF\xBD"); /* U+FFFD */
            i++;
        }
    }
    json_object *v =
        json_object_new_string_len(b.data ? b.data : "", (int)b.len);
    bt_buf_fini(&b);
    return v;
}

/* Whether a Content-Type names JSON: application/json, or any type with
 * a +json suffix. */
static bool json_media_type(const char *ct)
{
    size_t n = strcspn(ct, ";");
    while (n > 0 && strchr(" \t", ct[n - 1]))
        n--;
    while (n > 0 && strchr(" \t", *ct))
        ct++, n--;
    return (n == 16 && !strncasecmp(ct, "application/json", 16)) ||
           (n > 5 && !strncasecmp(ct + n - 5, "+json", 5));
}

static const char *content_type(json_object *headers)
{
    json_object_object_foreach(headers, name, values)
    {
        if (!strcasecmp(name, "Content-Type") &&
            json_object_array_length(values) > 0)
            return json_object_get_string(json_object_array_get_idx(values, 0));
    }
    return NULL;
}

json_object *eng__http_result(long status, const char *reason,
                              json_object *headers, const char *body,
                              size_t body_len)
{
    json_object *parsed = NULL;
    const char *ct = content_type(headers);
    bool is_json =
        ct && json_media_type(ct) &&
        bt_json_parse(body, body_len, BT_LIMIT_JSON_DEPTH, &parsed, NULL) == 0;
    json_object *r = json_object_new_object();
    json_object_object_add(r, "Headers", headers);
    json_object_object_add(r, "ResponseBody",
                           is_json ? parsed : eng__http_text(body, body_len));
    json_object_object_add(r, "StatusCode", json_object_new_int64(status));
    json_object_object_add(
        r, "StatusText",
        json_object_new_string(reason && *reason ? reason
                                                 : eng__http_reason(status)));
    return r;
}

char *eng__http_status_cause(json_object *result, const char *body,
                             size_t body_len, size_t max)
{
    const char *text = bt_json_compact(result);
    if (strlen(text) <= max)
        return bt_xstrdup(text);
    /* Too long: the body's text, cut shorter until the whole fits. */
    json_object *r = json_object_new_object();
    json_object_object_foreach(result, k, v)
        json_object_object_add(r, k, json_object_get(v));
    size_t keep = body_len < max ? body_len : max;
    char *out = NULL;
    while (!out) {
        /* Never split a UTF-8 sequence: back up to a lead byte. */
        while (keep > 0 && keep < body_len &&
               ((unsigned char)body[keep] & 0xC0) == 0x80)
            keep--;
        json_object_object_add(r, "ResponseBody", eng__http_text(body, keep));
        text = bt_json_compact(r);
        if (strlen(text) <= max || keep == 0)
            out = bt_xstrdup(text);
        keep /= 2;
    }
    json_object_put(r);
    return out;
}
