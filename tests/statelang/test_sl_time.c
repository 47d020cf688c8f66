/*
 * RFC 3339 timestamps (reference §5.4) and the context-object format
 * (§3.4: YYYY-MM-DDTHH:MM:SS.mmmZ).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "statelang/statelang_int.h"

static void test_accepts(void **state)
{
    (void)state;
    int64_t us;
    assert_true(sl_timestamp_parse("2016-03-14T01:59:00Z", &us));
    assert_int_equal(us, INT64_C(1457920740) * 1000000);
    assert_true(sl_timestamp_parse("1970-01-01T00:00:00.5Z", &us));
    assert_int_equal(us, 500000);
    assert_true(sl_timestamp_parse("1970-01-01T00:00:00.000000Z", &us));
    assert_int_equal(us, 0);
    assert_true(sl_timestamp_parse("1970-01-01T00:00:00.00Z", &us));
    /* A numeric offset moves the instant. */
    assert_true(sl_timestamp_parse("1970-01-01T01:00:00+01:00", &us));
    assert_int_equal(us, 0);
    assert_true(sl_timestamp_parse("1969-12-31T23:00:00-01:00", &us));
    assert_int_equal(us, 0);
    assert_true(sl_timestamp_parse("2024-02-29T12:00:00Z", &us));
    /* More than six fraction digits are accepted (and truncated). */
    assert_true(sl_timestamp_parse("1970-01-01T00:00:00.1234567Z", &us));
    assert_int_equal(us, 123456);
}

static void test_rejects(void **state)
{
    (void)state;
    int64_t us;
    static const char *bad[] = {
        "2016-12-05 21:29:29Z",       /* no T */
        "2016-12-05T21:29:29",        /* no zone */
        "2016-12-05T21:29:29.000000", /* no zone */
        "2016-13-05T21:29:29Z",       /* month 13 */
        "2016-12-05T25:29:29Z",       /* hour 25 */
        "05-12-2016T21:29:29Z",       /* day first */
        "2023-02-29T00:00:00Z",       /* not a leap year */
        "2016-12-05t21:29:29Z",       /* lower-case t */
        "2016-12-05T21:29:29z",       /* lower-case z */
        "2016-12-05T21:29:29.Z",      /* empty fraction */
        "2016-12-05T21:29:29Z ",      /* trailing space */
        "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_false(sl_timestamp_parse(bad[i], &us));
}

static void test_format(void **state)
{
    (void)state;
    char buf[32];
    sl_timestamp_format_ms(0, buf);
    assert_string_equal(buf, "1970-01-01T00:00:00.000Z");
    sl_timestamp_format_ms(INT64_C(1457920740123), buf);
    assert_string_equal(buf, "2016-03-14T01:59:00.123Z");
    sl_timestamp_format_ms(INT64_C(1709208000001), buf);
    assert_string_equal(buf, "2024-02-29T12:00:00.001Z");
    sl_timestamp_format_ms(-1, buf);
    assert_string_equal(buf, "1969-12-31T23:59:59.999Z");
}

static void test_resources(void **state)
{
    (void)state;
    sl_resource_pattern p;
    assert_int_equal(
        sl__resource_classify(
            "arn:aws:lambda:us-east-1:123456789012:function:f", &p),
        SL_RES_LAMBDA_ARN);
    assert_int_equal(
        sl__resource_classify(
            "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST", &p),
        SL_RES_LAMBDA_ARN);
    assert_int_equal(
        sl__resource_classify(
            "arn:aws:lambda:us-east-1:123456789012:function:f:", &p),
        SL_RES_INVALID);
    assert_int_equal(
        sl__resource_classify(
            "arn:aws:lambda:us-east-1:123456789012:function:f:$*#$7485", &p),
        SL_RES_INVALID);
    assert_int_equal(
        sl__resource_classify(
            "arn:aws:states:us-east-1:123456789012:activity:a", &p),
        SL_RES_ACTIVITY);
    assert_int_equal(
        sl__resource_classify("arn:aws:states:::lambda:invoke", &p),
        SL_RES_INTEGRATION);
    assert_int_equal(p, SL_PATTERN_REQUEST_RESPONSE);
    assert_int_equal(sl__resource_classify(
                         "arn:aws:states:::states:startExecution.sync:2", &p),
                     SL_RES_INTEGRATION);
    assert_int_equal(p, SL_PATTERN_SYNC2);
    assert_int_equal(
        sl__resource_classify(
            "arn:aws:states:::sqs:sendMessage.waitForTaskToken", &p),
        SL_RES_INTEGRATION);
    assert_int_equal(p, SL_PATTERN_CALLBACK);
    assert_int_equal(
        sl__resource_classify("arn:aws:states:::aws-sdk:s3:listBuckets", &p),
        SL_RES_INTEGRATION);
    assert_int_equal(
        sl__resource_classify("arn:aws:states:::lambda:invoke.bad", &p),
        SL_RES_INVALID);
    assert_int_equal(
        sl__resource_classify("arn:aws:swf:us-east-1:123456789012:task:X", &p),
        SL_RES_INVALID);
    assert_int_equal(sl__resource_classify("foo:bar", &p), SL_RES_INVALID);
    assert_int_equal(sl__resource_classify("${lambdaArn", &p), SL_RES_INVALID);
    assert_int_equal(
        sl__resource_classify(
            "arn:aws-cn:lambda:cn-north-1:123456789012:function:f", &p),
        SL_RES_LAMBDA_ARN);
    assert_int_equal(
        sl__resource_classify(
            "arn:other:lambda:us-east-1:123456789012:function:f", &p),
        SL_RES_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepts),
        cmocka_unit_test(test_rejects),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_resources),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
