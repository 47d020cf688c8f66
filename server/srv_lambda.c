/*
 * The Lambda Invoke API (reference §14.1), so that `aws lambda invoke
 * --endpoint-url` and the SDKs call Baton's registered functions:
 *
 *   POST /2015-03-31/functions/{FunctionName}/invocations[?Qualifier=Q]
 *   X-Amz-Invocation-Type: RequestResponse (default) | Event | DryRun
 *
 * RequestResponse answers 200 with the function's output, or with its
 * error document and X-Amz-Function-Error: Unhandled; Event 202; DryRun
 * 204. Service errors: {"Type": "User", "message": ...} with the code in
 * X-Amzn-Errortype. The answer to a RequestResponse call comes from an
 * engine callback; no thread waits for the function.
 */
#include "server/srv_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LAMBDA_CTYPE "application/json"
#define ASYNC_PAYLOAD_MAX (256u * 1024u) /* Lambda's asynchronous limit */

static void fail(srv_req *r, int status, const char *code, const char *msg)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "Type", json_object_new_string("User"));
    json_object_object_add(o, "message", json_object_new_string(msg));
    const char *text = bt_json_compact(o);
    r->err_type = code;
    srv__reply_as(r, status, LAMBDA_CTYPE, text, strlen(text));
    json_object_put(o);
}

static void done(void *arg, const eng_invoke_result *res)
{
    srv_req *r = arg;
    r->lambda = res->status < 300;
    r->function_error = res->function_error;
    if (res->status == 503)
        r->err_type = "ServiceException";
    srv__reply_as(r, res->status, LAMBDA_CTYPE, res->body, res->len);
}

/* The FunctionName segment of the (already decoded) path, new; NULL when
 * the path is not .../functions/{name}/invocations. */
static char *function_of(const char *path)
{
    static const char prefix[] = "/2015-03-31/functions/";
    static const char suffix[] = "/invocations";
    size_t n = strlen(path), p = sizeof prefix - 1, q = sizeof suffix - 1;
    if (n <= p + q || strcmp(path + n - q, suffix) != 0)
        return NULL;
    return bt_xstrndup(path + p, n - p - q);
}

void srv__lambda(srv_req *r)
{
    r->action = "Invoke";
    char *name = function_of(r->path);
    if (!name || !*name || strlen(name) > 256) {
        free(name);
        fail(r, 404, "UnknownOperationException",
             "Unknown operation: expected POST "
             "/2015-03-31/functions/{FunctionName}/invocations");
        return;
    }
    const char *type =
        r->invocation_type ? r->invocation_type : "RequestResponse";
    eng_invoke_type t;
    if (!strcmp(type, "RequestResponse")) {
        t = ENG_INVOKE_SYNC;
    } else if (!strcmp(type, "Event")) {
        t = ENG_INVOKE_EVENT;
    } else if (!strcmp(type, "DryRun")) {
        t = ENG_INVOKE_DRY_RUN;
    } else {
        char *msg = bt_xasprintf(
            "1 validation error detected: Value '%s' at 'invocationType' "
            "failed to satisfy constraint: Member must satisfy enum value "
            "set: [Event, RequestResponse, DryRun]",
            type);
        fail(r, 400, "ValidationException", msg);
        free(msg);
        free(name);
        return;
    }
    if (t == ENG_INVOKE_EVENT && r->body.len > ASYNC_PAYLOAD_MAX) {
        char *msg = bt_xasprintf("Request must be smaller than %u bytes for "
                                 "the InvokeAsync operation",
                                 ASYNC_PAYLOAD_MAX);
        fail(r, 413, "RequestTooLargeException", msg);
        free(msg);
        free(name);
        return;
    }
    char *err = NULL;
    int rc = eng_function_invoke(
        r->s->e, name, r->body.data ? r->body.data : "", t, done, r, &err);
    free(name);
    if (rc == BT_ENOENT)
        fail(r, 404, "ResourceNotFoundException", err);
    else if (rc != 0)
        fail(r, 400, "InvalidRequestContentException", err);
    free(err);
}
