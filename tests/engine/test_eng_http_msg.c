/*
 * HTTP task messages: parameters to requests (URL and query string with
 * the array formats, headers, bodies, every parameter error) and responses
 * to results (JSON or text bodies, reason phrases, bounded error causes).
 * Array formats as AWS names them (Transform.RequestEncodingOptions):
 * INDICES a[0]=x&a[1]=y (the default), BRACKETS a[]=x&a[]=y, COMMAS a=x,y,
 * REPEAT a=x&a=y; escapes as RFC 3986 (only unreserved characters stay).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "engine/eng_int.h"

static json_object *parse(const char *text)
{
    json_object *v = NULL;
    assert_int_equal(bt_json_parse(text, strlen(text), 64, &v, NULL), 0);
    return v;
}

/* Builds text's request; expects success. */
static void build(const char *text, eng_http_req *req)
{
    json_object *p = parse(text);
    sl_error err;
    sl_error_init(&err);
    int rc = eng__http_req_build(p, req, &err);
    if (rc != 0)
        fail_msg("%s: %s", err.name, err.cause);
    sl_error_fini(&err);
    json_object_put(p);
}

/* Builds text's request; expects error name with a cause containing
 * needle. */
static void build_fails(const char *text, const char *name, const char *needle)
{
    json_object *p = parse(text);
    eng_http_req req;
    sl_error err;
    sl_error_init(&err);
    assert_int_equal(eng__http_req_build(p, &req, &err), -1);
    assert_string_equal(err.name, name);
    if (!strstr(err.cause, needle))
        fail_msg("cause '%s' lacks '%s'", err.cause, needle);
    assert_null(req.url);
    sl_error_fini(&err);
    json_object_put(p);
}

static size_t header_count(const eng_http_req *req)
{
    size_t n = 0;
    while (req->headers[n])
        n++;
    return n;
}

static void query_url(const char *fmt, const char *want)
{
    char *text = bt_xasprintf(
        "{\"ApiEndpoint\":\"http://h.test/p\",\"Method\":\"GET\","
        "\"QueryParameters\":{\"a\":[\"x\",\"y z\"],\"n\":5,"
        "\"s\":\"a&b=c\",\"t\":true}%s%s%s}",
        fmt ? ",\"Transform\":{\"RequestEncodingOptions\":{\"ArrayFormat\":\""
            : "",
        fmt ? fmt : "", fmt ? "\"}}" : "");
    eng_http_req req;
    build(text, &req);
    assert_string_equal(req.url, want);
    assert_string_equal(req.method, "GET");
    assert_null(req.body);
    eng__http_req_fini(&req);
    free(text);
}

static void test_query_formats(void **state)
{
    (void)state;
    query_url(NULL, "http://h.test/p?a%5B0%5D=x&a%5B1%5D=y%20z&n=5"
                    "&s=a%26b%3Dc&t=true");
    query_url("INDICES", "http://h.test/p?a%5B0%5D=x&a%5B1%5D=y%20z&n=5"
                         "&s=a%26b%3Dc&t=true");
    query_url("BRACKETS", "http://h.test/p?a%5B%5D=x&a%5B%5D=y%20z&n=5"
                          "&s=a%26b%3Dc&t=true");
    query_url("COMMAS", "http://h.test/p?a=x,y%20z&n=5&s=a%26b%3Dc&t=true");
    query_url("REPEAT", "http://h.test/p?a=x&a=y%20z&n=5&s=a%26b%3Dc&t=true");
}

static void test_query_appends(void **state)
{
    (void)state;
    eng_http_req req;
    /* An existing query is kept, the fragment is not sent. */
    build("{\"ApiEndpoint\":\"https://h.test/p?k=1#frag\",\"Method\":\"GET\","
          "\"QueryParameters\":{\"q\":\"\\u00e9,\"}}",
          &req);
    assert_string_equal(req.url, "https://h.test/p?k=1&q=%C3%A9%2C");
    eng__http_req_fini(&req);
    build("{\"ApiEndpoint\":\"http://h.test:8080/a/b\",\"Method\":\"DELETE\","
          "\"QueryParameters\":{}}",
          &req);
    assert_string_equal(req.url, "http://h.test:8080/a/b");
    assert_string_equal(req.method, "DELETE");
    /* Only "Expect:" (no 100-continue) and no Content-Type: no body. */
    assert_int_equal(header_count(&req), 2);
    assert_string_equal(req.headers[0], "Content-Type:");
    assert_string_equal(req.headers[1], "Expect:");
    eng__http_req_fini(&req);
}

static void test_json_body(void **state)
{
    (void)state;
    eng_http_req req;
    build("{\"ApiEndpoint\":\"http://h.test/\",\"Method\":\"POST\","
          "\"Headers\":{\"X-Trace\":\"abc\",\"X-Empty\":\"\"},"
          "\"RequestBody\":{\"a\":1,\"b\":[true,null],\"u\":\"/\"},"
          "\"Authentication\":{\"ConnectionArn\":\"arn:aws:events:us-east-1:"
          "123456789012:connection/c/1\"}}",
          &req);
    assert_string_equal(req.body, "{\"a\":1,\"b\":[true,null],\"u\":\"/\"}");
    assert_int_equal(req.body_len, strlen(req.body));
    assert_int_equal(header_count(&req), 4);
    assert_string_equal(req.headers[0], "X-Trace: abc");
    assert_string_equal(req.headers[1], "X-Empty;");
    assert_string_equal(req.headers[2], "Content-Type: application/json");
    assert_string_equal(req.headers[3], "Expect:");
    eng__http_req_fini(&req);
    /* A string body is sent as its text; the caller's Content-Type wins. */
    build("{\"ApiEndpoint\":\"http://h.test/\",\"Method\":\"PUT\","
          "\"Headers\":{\"content-type\":\"text/xml\"},"
          "\"RequestBody\":\"<a>1</a>\"}",
          &req);
    assert_string_equal(req.body, "<a>1</a>");
    assert_int_equal(header_count(&req), 2);
    assert_string_equal(req.headers[0], "content-type: text/xml");
    eng__http_req_fini(&req);
    /* A JSON null body is the text null. */
    build("{\"ApiEndpoint\":\"http://h.test/\",\"Method\":\"PATCH\","
          "\"RequestBody\":null}",
          &req);
    assert_string_equal(req.body, "null");
    eng__http_req_fini(&req);
}

static void test_url_encoded_body(void **state)
{
    (void)state;
    eng_http_req req;
    build("{\"ApiEndpoint\":\"http://h.test/\",\"Method\":\"POST\","
          "\"RequestBody\":{\"name\":\"J D\",\"tags\":[\"a\",\"b\"],\"n\":2.5},"
          "\"Transform\":{\"RequestBodyEncoding\":\"URL_ENCODED\","
          "\"RequestEncodingOptions\":{\"ArrayFormat\":\"BRACKETS\"}}}",
          &req);
    assert_string_equal(req.body, "name=J%20D&tags%5B%5D=a&tags%5B%5D=b&n=2.5");
    assert_string_equal(req.headers[0],
                        "Content-Type: application/x-www-form-urlencoded");
    eng__http_req_fini(&req);
    build("{\"ApiEndpoint\":\"http://h.test/\",\"Method\":\"POST\","
          "\"RequestBody\":{\"l\":[1,2]},"
          "\"Transform\":{\"RequestBodyEncoding\":\"URL_ENCODED\"}}",
          &req);
    assert_string_equal(req.body, "l%5B0%5D=1&l%5B1%5D=2");
    eng__http_req_fini(&req);
}

static void test_parameter_errors(void **state)
{
    (void)state;
    const char *rt = "States.Runtime";
    build_fails("[]", rt, "must be an object");
    build_fails("{\"Method\":\"GET\"}", rt, "ApiEndpoint");
    build_fails("{\"ApiEndpoint\":\"http://h.test/\"}", rt, "Method");
    build_fails("{\"ApiEndpoint\":\"http://h.test/\",\"Method\":\"get\"}", rt,
                "(got 'get')");
    build_fails("{\"ApiEndpoint\":\"ftp://h.test/\",\"Method\":\"GET\"}", rt,
                "http or https URL");
    build_fails("{\"ApiEndpoint\":\"not a url\",\"Method\":\"GET\"}", rt,
                "ApiEndpoint");
    build_fails("{\"ApiEndpoint\":\"http://h.test/\",\"Method\":\"GET\","
                "\"Header\":{}}",
                rt, "parameter Header is not supported");
    build_fails("{\"ApiEndpoint\":\"http://h.test/\",\"Method\":\"GET\","
                "\"Headers\":{\"X\":1}}",
                rt, "header X must have a string value");
    build_fails("{\"ApiEndpoint\":\"http://h.test/\",\"Method\":\"GET\","
                "\"Headers\":{\"X\":\"a\\r\\nEvil: 1\"}}",
                rt, "line breaks");
    build_fails("{\"ApiEndpoint\":\"http://h.test/\",\"Method\":\"GET\","
                "\"Headers\":{\"Bad Name\":\"a\"}}",
                rt, "'Bad Name'");
    build_fails("{\"ApiEndpoint\":\"http://h.test/\",\"Method\":\"POST\","
                "\"Headers\":{\"Content-Length\":\"3\"}}",
                rt, "Content-Length cannot be set");
    build_fails("{\"ApiEndpoint\":\"http://h.test/\",\"Method\":\"GET\","
                "\"QueryParameters\":{\"o\":{\"x\":1}}}",
                rt, "QueryParameters.o must be");
    build_fails("{\"ApiEndpoint\":\"http://h.test/\",\"Method\":\"GET\","
                "\"QueryParameters\":{\"l\":[1,[2]]}}",
                rt, "QueryParameters.l[1]");
    build_fails("{\"ApiEndpoint\":\"http://h.test/\",\"Method\":\"GET\","
                "\"QueryParameters\":\"a=b\"}",
                rt, "QueryParameters must be an object");
    build_fails("{\"ApiEndpoint\":\"http://h.test/\",\"Method\":\"HEAD\","
                "\"RequestBody\":{}}",
                rt, "HEAD");
    build_fails("{\"ApiEndpoint\":\"http://h.test/\",\"Method\":\"POST\","
                "\"RequestBody\":\"a=b\",\"Transform\":"
                "{\"RequestBodyEncoding\":\"URL_ENCODED\"}}",
                rt, "must be an object when");
    build_fails("{\"ApiEndpoint\":\"http://h.test/\",\"Method\":\"POST\","
                "\"Transform\":{\"RequestBodyEncoding\":\"GZIP\"}}",
                rt, "NONE or URL_ENCODED (got 'GZIP')");
    build_fails("{\"ApiEndpoint\":\"http://h.test/\",\"Method\":\"POST\","
                "\"Transform\":{\"RequestEncodingOptions\":"
                "{\"ArrayFormat\":\"SPACES\"}}}",
                rt, "(got 'SPACES')");
    build_fails("{\"ApiEndpoint\":\"http://h.test/\",\"Method\":\"GET\","
                "\"Authentication\":\"arn\"}",
                rt, "Authentication must be an object");
}

static void test_body_limit(void **state)
{
    (void)state;
    /* Escaping triples these bytes: past the limit once encoded. */
    size_t n = BT_LIMIT_HTTP_REQUEST_BYTES / 3 + 1;
    char *big = bt_xmalloc(n + 1);
    memset(big, ' ', n);
    big[n] = '\0';
    char *text =
        bt_xasprintf("{\"ApiEndpoint\":\"http://h.test/\",\"Method\":\"POST\","
                     "\"RequestBody\":{\"b\":\"%s\"},\"Transform\":"
                     "{\"RequestBodyEncoding\":\"URL_ENCODED\"}}",
                     big);
    build_fails(text, "States.DataLimitExceeded", "request body");
    free(text);
    free(big);
}

/* A result for body with the given Content-Type (NULL: none). */
static json_object *result_of(long status, const char *reason, const char *type,
                              const char *body)
{
    json_object *h = json_object_new_object();
    if (type) {
        json_object *v = json_object_new_array();
        json_object_array_add(v, json_object_new_string(type));
        json_object_object_add(h, "content-type", v);
    }
    return eng__http_result(status, reason, h, body, strlen(body));
}

static void expect_result(json_object *r, const char *want)
{
    assert_string_equal(bt_json_compact(r), want);
    json_object_put(r);
}

static void test_results(void **state)
{
    (void)state;
    expect_result(result_of(200, "OK", "application/json; charset=utf-8",
                            "{\"a\": [1, 2]}\n"),
                  "{\"Headers\":{\"content-type\":[\"application/json; "
                  "charset=utf-8\"]},\"ResponseBody\":{\"a\":[1,2]},"
                  "\"StatusCode\":200,\"StatusText\":\"OK\"}");
    /* A +json type is JSON; a top-level scalar is kept as it is. */
    expect_result(result_of(201, "", "application/problem+json", "42"),
                  "{\"Headers\":{\"content-type\":[\"application/problem+"
                  "json\"]},\"ResponseBody\":42,\"StatusCode\":201,"
                  "\"StatusText\":\"Created\"}");
    /* Text stays text, even when it looks like JSON. */
    expect_result(result_of(200, "Fine", "text/plain", "{\"a\":1}"),
                  "{\"Headers\":{\"content-type\":[\"text/plain\"]},"
                  "\"ResponseBody\":\"{\\\"a\\\":1}\",\"StatusCode\":200,"
                  "\"StatusText\":\"Fine\"}");
    /* JSON that does not parse is kept as its text. */
    expect_result(result_of(200, NULL, "application/json", "{oops"),
                  "{\"Headers\":{\"content-type\":[\"application/json\"]},"
                  "\"ResponseBody\":\"{oops\",\"StatusCode\":200,"
                  "\"StatusText\":\"OK\"}");
    /* No Content-Type; invalid UTF-8 becomes U+FFFD. */
    expect_result(result_of(299, NULL, NULL,
                            "a\xff"
                            "b"),
                  "{\"Headers\":{},\"ResponseBody\":\"a\xef\xbf\xbd"
                  "b\",\"StatusCode\":299,\"StatusText\":\"\"}");
    assert_string_equal(eng__http_reason(404), "Not Found");
    assert_string_equal(eng__http_reason(503), "Service Unavailable");
    assert_string_equal(eng__http_reason(799), "");
}

static void test_status_cause(void **state)
{
    (void)state;
    json_object *r = result_of(404, "Not Found", "text/plain", "gone");
    char *c = eng__http_status_cause(r, "gone", 4, 32768);
    assert_string_equal(c, bt_json_compact(r));
    free(c);
    json_object_put(r);
    /* A long body is cut so that the cause fits, still JSON. */
    size_t n = 100000;
    char *big = bt_xmalloc(n + 1);
    for (size_t i = 0; i < n; i++)
        big[i] = "\xc3\xa9xyz"[i % 5]; /* é and ASCII, never split */
    big[n] = '\0';
    r = result_of(500, NULL, "text/plain", big);
    c = eng__http_status_cause(r, big, n, 32768);
    assert_true(strlen(c) <= 32768);
    assert_true(strlen(c) > 1000);
    json_object *back = parse(c);
    json_object *code, *body;
    assert_true(json_object_object_get_ex(back, "StatusCode", &code));
    assert_int_equal(json_object_get_int(code), 500);
    assert_true(json_object_object_get_ex(back, "ResponseBody", &body));
    assert_memory_equal(json_object_get_string(body), big, 100);
    json_object_put(back);
    free(c);
    json_object_put(r);
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_query_formats),
        cmocka_unit_test(test_query_appends),
        cmocka_unit_test(test_json_body),
        cmocka_unit_test(test_url_encoded_body),
        cmocka_unit_test(test_parameter_errors),
        cmocka_unit_test(test_body_limit),
        cmocka_unit_test(test_results),
        cmocka_unit_test(test_status_cause),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
